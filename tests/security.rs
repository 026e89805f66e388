//! Z85 test vectors, CURVE key pairs, secret keys (every form they are given in, errors that
//! never quote them, `Debug` that hides them, the socket option), and an encrypted exchange.

mod common;

use common::*;
use zmq_typed::{z85_decode, z85_encode, CurveKey, CurveKeyPair, Error, SecretKey, SocketType::*};

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
    let derived = CurveKeyPair::from_secret(&server_keys.secret).unwrap();
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

/// The two key pairs of `man zmq_curve`.
const VECTORS: [(&str, &str); 2] = [
    (
        "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID",
        "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs",
    ),
    (
        "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
        "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6",
    ),
];

#[test]
fn secret_keys_from_every_form_derive_the_man_page_public_keys() {
    for (public, secret) in VECTORS {
        let key = SecretKey::from_z85(secret).unwrap();
        assert_eq!(key.to_z85().as_str(), secret);
        let raw = *key.as_bytes();
        let forms = [
            SecretKey::try_from(secret).unwrap(),
            SecretKey::try_from(&secret.to_string()).unwrap(),
            SecretKey::try_from(secret.as_bytes()).unwrap(),
            SecretKey::try_from(&raw[..]).unwrap(),
            SecretKey::try_from(raw).unwrap(),
            SecretKey::try_from(&raw).unwrap(),
            SecretKey::try_from(&key).unwrap(),
            SecretKey::try_from(CurveKey::from_bytes(raw)).unwrap(),
            SecretKey::try_from(&key.to_z85()).unwrap(),
            SecretKey::from_bytes(raw),
        ];
        for form in forms {
            assert_eq!(form, key);
            assert_eq!(
                CurveKeyPair::from_secret(&form).unwrap().public.to_z85(),
                public
            );
        }
    }
    let a = SecretKey::from_z85(VECTORS[0].1).unwrap();
    let b = SecretKey::from_z85(VECTORS[1].1).unwrap();
    assert_ne!(a, b);
}

#[test]
fn bad_secret_keys_are_z85_errors_that_never_quote_the_text() {
    // 39 good characters and one outside the alphabet; one that is not ASCII; wrong lengths;
    // a value out of Z85's range ('#' is 84: "#####" is above 2^32).
    let bad_char = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%c\"";
    let out_of_range = "#####lAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
    let not_ascii = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%é";
    for text in [bad_char, out_of_range, not_ascii, "short", ""] {
        match SecretKey::from_z85(text) {
            Err(Error::Z85(reason)) => {
                assert!(
                    text.is_empty() || !reason.contains(&text[..5]),
                    "{reason} quotes the text"
                );
            }
            other => panic!("{text:?}: expected Error::Z85, got {other:?}"),
        }
    }
    match SecretKey::from_z85(bad_char) {
        Err(Error::Z85(reason)) => assert!(reason.contains("position 39"), "{reason}"),
        other => panic!("expected Error::Z85, got {other:?}"),
    }
    match SecretKey::try_from(&[0xffu8; 40][..]) {
        Err(Error::Z85(reason)) => assert!(reason.contains("position 0"), "{reason}"),
        other => panic!("expected Error::Z85, got {other:?}"),
    }
    match SecretKey::try_from(&[0u8; 33][..]) {
        Err(Error::Z85(reason)) => assert!(reason.contains("not 33 bytes"), "{reason}"),
        other => panic!("expected Error::Z85, got {other:?}"),
    }
}

#[test]
fn debug_never_shows_a_secret_key() {
    let pair = CurveKeyPair::generate().unwrap();
    let secret = pair.secret.to_z85();
    let key_debug = format!("{:?}", pair.secret);
    assert_eq!(key_debug, "SecretKey(<hidden>)");
    let pair_debug = format!("{pair:?} {pair:#?}");
    assert!(!pair_debug.contains(secret.as_str()), "{pair_debug}");
    assert!(pair_debug.contains(&pair.public.to_z85()), "{pair_debug}");
    assert!(pair_debug.contains("<hidden>"), "{pair_debug}");
}

#[test]
fn the_secret_key_option_round_trips_as_a_secret_key() {
    let ctx = ctx();
    let s = socket(&ctx, Req);
    // libzmq's value before any key is set: all zeros.
    assert_eq!(s.curve_secretkey().unwrap(), SecretKey::from_bytes([0; 32]));
    let pair = CurveKeyPair::generate().unwrap();
    s.set_curve_secretkey(&pair.secret).unwrap();
    assert_eq!(s.curve_secretkey().unwrap(), pair.secret);
    assert_eq!(s.curve_secretkey_z85().unwrap(), pair.secret.to_z85());
    // Text, raw bytes and a key typed as public work as well; bad text is refused.
    let (_, secret) = VECTORS[1];
    s.set_curve_secretkey(secret).unwrap();
    assert_eq!(s.curve_secretkey_z85().unwrap().as_str(), secret);
    s.set_curve_secretkey(pair.secret.as_bytes()).unwrap();
    assert_eq!(s.curve_secretkey().unwrap(), pair.secret);
    s.set_curve_secretkey(CurveKey::from_bytes([7; 32]))
        .unwrap();
    assert_eq!(s.curve_secretkey().unwrap().as_bytes(), &[7; 32]);
    assert!(matches!(
        s.set_curve_secretkey("too short"),
        Err(Error::Z85(_))
    ));
}
