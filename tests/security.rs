//! Z85 test vectors, CURVE key pairs, and an encrypted exchange.

mod common;

use common::*;
use zmq_typed::{z85_decode, z85_encode, CurveKey, CurveKeyPair, Error, SocketType::*};

#[test]
fn z85_vectors_from_the_spec() {
    let bin = [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B];
    assert_eq!(z85_encode(&bin).unwrap(), "HelloWorld");
    assert_eq!(z85_decode("HelloWorld").unwrap(), bin);
    // The CURVE test keys of RFC 32 / the libzmq test suite.
    let public = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
    let key = CurveKey::from_z85(public).unwrap();
    assert_eq!(key.to_z85(), public);
    let secret = CurveKey::from_z85("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs").unwrap();
    assert_eq!(CurveKeyPair::from_secret(secret).unwrap().public, key);
    assert_eq!(z85_encode(&[]).unwrap(), "");
    assert_eq!(z85_decode("").unwrap(), Vec::<u8>::new());
}

#[test]
fn z85_bad_input_is_a_typed_error() {
    assert!(matches!(z85_encode(&[1, 2, 3]), Err(Error::Z85(_))));
    assert!(matches!(z85_decode("1234"), Err(Error::Z85(_))));
    assert!(matches!(z85_decode("Hello\"orld"), Err(Error::Z85(_))));
    assert!(matches!(z85_decode("héllo"), Err(Error::Z85(_))));
    assert!(matches!(CurveKey::from_z85("short"), Err(Error::Z85(_))));
    assert!(matches!(
        CurveKey::try_from(&[0u8; 31][..]),
        Err(Error::Z85(_))
    ));
}

#[test]
fn curve_encrypted_exchange() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    assert_ne!(server_keys.public, client_keys.public);
    let derived = CurveKeyPair::from_secret(server_keys.secret).unwrap();
    assert_eq!(derived.public, server_keys.public);

    let server = socket(&ctx, Rep);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&server_keys.secret).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, Req);
    client
        .set_curve_serverkey(server_keys.public.to_z85().as_str())
        .unwrap();
    client.set_curve_publickey(&client_keys.public).unwrap();
    client.set_curve_secretkey(&client_keys.secret).unwrap();
    client.connect(&ep).unwrap();
    client.send("secret hello").unwrap();
    let msg = server.recv().unwrap();
    assert_eq!(msg, "secret hello");
    server.send("secret world").unwrap();
    assert_eq!(client.recv_string().unwrap(), "secret world");
    assert!(zmq_typed::has(zmq_typed::Capability::Curve));
    assert!(
        zmq_typed::version()
            >= zmq_typed::Version {
                major: 4,
                minor: 3,
                patch: 0
            }
    );
}

#[test]
fn curve_sockets_without_their_keys_are_refused_at_bind_and_connect() {
    let ctx = ctx();
    let keys = CurveKeyPair::generate().unwrap();

    let server = socket(&ctx, Rep);
    server.set_curve_server(true).unwrap();
    match server.bind("tcp://127.0.0.1:*") {
        Err(e @ Error::CurveKeyMissing { role: "server", .. }) => {
            assert!(e.to_string().contains("ZMQ_CURVE_SECRETKEY"), "{e}")
        }
        other => panic!("expected CurveKeyMissing, got {other:?}"),
    }
    server.set_curve_secretkey(&keys.secret).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();

    let client = socket(&ctx, Req);
    client.set_curve_serverkey(&keys.public).unwrap();
    match client.connect(&ep) {
        Err(e @ Error::CurveKeyMissing { role: "client", .. }) => {
            assert!(e.to_string().contains("ZMQ_CURVE_PUBLICKEY"), "{e}")
        }
        other => panic!("expected CurveKeyMissing, got {other:?}"),
    }
    let mine = CurveKeyPair::generate().unwrap();
    client.set_curve_publickey(&mine.public).unwrap();
    client.set_curve_secretkey(&mine.secret).unwrap();
    client.connect(&ep).unwrap();
    client.send("with keys").unwrap();
    assert_eq!(server.recv().unwrap(), "with keys");

    // CURVE does nothing over inproc: no keys needed there.
    let inproc = socket(&ctx, Rep);
    inproc.set_curve_server(true).unwrap();
    inproc.bind("inproc://curve-needs-no-keys").unwrap();

    // Unbinding and disconnecting are not held to it, and plain sockets are unaffected.
    server.unbind(&ep).unwrap();
    let plain = socket(&ctx, Rep);
    plain.bind("tcp://127.0.0.1:*").unwrap();
}
