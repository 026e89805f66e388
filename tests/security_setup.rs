//! The one-call set-ups of CURVE, PLAIN and NULL servers and clients: each works in a real
//! exchange, sets exactly the options of its role, and each refused set-up (no secret key,
//! halves of different key pairs, a PLAIN server with nobody to check, a stopped or foreign
//! authenticator...) is an `Error::SecuritySetup` that says why and changes nothing.
//!
//! Tests named `certificate_*` read certificate files (`Certificate`), tests named
//! `checked_by_*` run the real `Authenticator`.

mod common;
mod zap_stub;

use common::temp_dir::TempDir;
use common::*;
use zap_stub::ZapStub;
use zmq_typed::{
    Admission, Authenticator, Certificate, Context, CurveKey, CurveKeyPair, Error, HandshakeCause,
    Mechanism, Rep, Req, Socket, SocketCore, SocketType,
};

/// What a set-up may change, to check that a refused one changed nothing.
#[derive(Debug, PartialEq, Eq)]
struct Security {
    mechanism: Mechanism,
    curve_server: bool,
    plain_server: bool,
    public: String,
    server_key: String,
    username: String,
    domain: String,
}

fn security(s: &SocketCore) -> Security {
    Security {
        mechanism: s.mechanism().unwrap(),
        curve_server: s.curve_server().unwrap(),
        plain_server: s.plain_server().unwrap(),
        public: s.curve_publickey_z85().unwrap(),
        server_key: s.curve_serverkey_z85().unwrap(),
        username: s.plain_username().unwrap(),
        domain: s.zap_domain().unwrap(),
    }
}

/// `result` is `Error::SecuritySetup` whose text holds every one of `words`.
fn refused(result: zmq_typed::Result<()>, words: &[&str]) {
    match result {
        Err(e @ Error::SecuritySetup(_)) => {
            let text = e.to_string();
            for word in words {
                assert!(text.contains(word), "{text:?} lacks {word:?}");
            }
        }
        other => panic!("expected Error::SecuritySetup, got {other:?}"),
    }
}

/// One request and its reply.
fn exchange(client: &Socket, server: &Socket, text: &str) {
    client.send(text).unwrap();
    assert_eq!(server.recv().unwrap(), text);
    server.send(text).unwrap();
    assert_eq!(client.recv().unwrap(), text);
}

/// A CURVE pair set up from key pairs: the options of each role, and an encrypted exchange
/// over tcp.
#[test]
fn curve_server_and_client_set_up_from_key_pairs_talk_over_tcp() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    let server = socket(&ctx, SocketType::Rep);
    server
        .setup_curve_server_keys(&server_keys, Admission::AllowAnyClient)
        .unwrap();
    assert_eq!(
        security(&server),
        Security {
            mechanism: Mechanism::Curve,
            curve_server: true,
            plain_server: false,
            public: server_keys.public.to_z85(),
            server_key: CurveKey::from_bytes([0; 32]).to_z85(),
            username: String::new(),
            domain: String::new(),
        }
    );
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();

    let client = socket(&ctx, SocketType::Req);
    client
        .setup_curve_client_keys(&client_keys, &server_keys.public)
        .unwrap();
    let s = security(&client);
    assert_eq!((s.mechanism, s.curve_server), (Mechanism::Curve, false));
    assert_eq!(s.public, client_keys.public.to_z85());
    assert_eq!(s.server_key, server_keys.public.to_z85());
    let watch = client.watch_handshakes().unwrap();
    client.connect(&endpoint).unwrap();
    watch.wait(PATIENCE).unwrap();
    exchange(&client, &server, "encrypted");
}

/// The typed sockets have the set-ups too (through `Deref` to `SocketCore`).
#[test]
fn typed_sockets_set_up_the_same_way() {
    let ctx = ctx();
    let keys = CurveKeyPair::generate().unwrap();
    let server = patient(Rep::new(&ctx).unwrap());
    server
        .setup_curve_server_keys(&keys, Admission::AllowAnyClient)
        .unwrap();
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = patient(Req::new(&ctx).unwrap());
    client
        .setup_curve_client_keys(&CurveKeyPair::generate().unwrap(), &keys.public)
        .unwrap();
    client.connect(&endpoint).unwrap();
    let client = client.send("typed").unwrap();
    let (request, server) = server.recv().unwrap();
    let _server = server.send(request).unwrap();
    assert_eq!(client.recv().unwrap().0, "typed");
}

/// A NULL server that lets anyone in gets no ZAP domain, so a ZAP handler running on the
/// context is not asked: a NULL client gets through and the handler saw nothing.
#[test]
fn a_null_server_for_any_client_asks_no_zap_handler() {
    let ctx = ctx();
    let zap = ZapStub::denying(&ctx);
    let server = socket(&ctx, SocketType::Rep);
    server.setup_null_server(Admission::AllowAnyClient).unwrap();
    assert_eq!(server.mechanism().unwrap(), Mechanism::Null);
    assert_eq!(server.zap_domain().unwrap(), "");
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = connected(&ctx, SocketType::Req, &endpoint);
    exchange(&client, &server, "no check");
    assert!(
        zap.requests.try_recv().is_err(),
        "the ZAP handler was asked"
    );
}

/// `setup_null_server` turns a CURVE server back into a NULL one.
#[test]
fn a_null_server_set_up_replaces_curve() {
    let ctx = ctx();
    let server = socket(&ctx, SocketType::Rep);
    server
        .setup_curve_server_keys(
            &CurveKeyPair::generate().unwrap(),
            Admission::AllowAnyClient,
        )
        .unwrap();
    server.setup_null_server(Admission::AllowAnyClient).unwrap();
    assert_eq!(server.mechanism().unwrap(), Mechanism::Null);
    assert!(!server.curve_server().unwrap());
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = connected(&ctx, SocketType::Req, &endpoint);
    exchange(&client, &server, "plain text");
}

/// A PLAIN client set-up sets the name and password; the hand-written ZAP handler sees them.
#[test]
fn a_plain_client_sends_its_name_and_password() {
    let ctx = ctx();
    let zap = ZapStub::start(&ctx, |_| zap_stub::Verdict::allow("someone"));
    let server = socket(&ctx, SocketType::Rep);
    server.set_plain_server(true).unwrap();
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, SocketType::Req);
    client.setup_plain_client("alice", "s3cret").unwrap();
    assert_eq!(client.mechanism().unwrap(), Mechanism::Plain);
    assert!(!client.plain_server().unwrap());
    assert_eq!(client.plain_username().unwrap(), "alice");
    assert_eq!(client.plain_password().unwrap(), "s3cret");
    client.connect(&endpoint).unwrap();
    exchange(&client, &server, "logged in");
    let request = zap.requests.recv_timeout(PATIENCE).unwrap();
    assert_eq!(request.credentials, [b"alice".to_vec(), b"s3cret".to_vec()]);

    // An empty password is the PLAIN password "" when the socket has none yet.
    let other = socket(&ctx, SocketType::Req);
    other.setup_plain_client("bob", "").unwrap();
    assert_eq!(other.mechanism().unwrap(), Mechanism::Plain);
    other.connect(&endpoint).unwrap();
    exchange(&other, &server, "no password");
    let request = zap.requests.recv_timeout(PATIENCE).unwrap();
    assert_eq!(request.credentials, [b"bob".to_vec(), Vec::new()]);
}

/// Key pairs that cannot work are refused before anything is set.
#[test]
fn unusable_curve_keys_are_refused_and_change_nothing() {
    let ctx = ctx();
    let s = socket(&ctx, SocketType::Dealer);
    let before = security(&s);
    let a = CurveKeyPair::generate().unwrap();
    let b = CurveKeyPair::generate().unwrap();
    let server_key = CurveKeyPair::generate().unwrap().public;
    let b_public = b.public;
    let mixed = CurveKeyPair {
        public: a.public,
        secret: b.secret,
    };
    let words = [
        "does not belong to its secret key",
        &a.public.to_z85(),
        &b_public.to_z85(),
    ];
    refused(
        s.setup_curve_server_keys(&mixed, Admission::AllowAnyClient),
        &words,
    );
    refused(s.setup_curve_client_keys(&mixed, &server_key), &words);

    let zero = CurveKeyPair {
        public: a.public,
        secret: [0u8; 32].try_into().unwrap(),
    };
    refused(
        s.setup_curve_server_keys(&zero, Admission::AllowAnyClient),
        &["needs its secret key", "all zeros"],
    );
    refused(
        s.setup_curve_client_keys(&a, &CurveKey::from_bytes([0; 32])),
        &["server key", "all zeros"],
    );
    assert_eq!(security(&s), before);
}

/// A PLAIN server needs someone to check its clients: `AllowAnyClient` is refused (libzmq
/// 4.3 refuses every PLAIN client when no ZAP handler runs).
#[test]
fn a_plain_server_for_any_client_is_refused() {
    let ctx = ctx();
    let s = socket(&ctx, SocketType::Rep);
    let before = security(&s);
    refused(
        s.setup_plain_server(Admission::AllowAnyClient),
        &["PLAIN", "ZAP handler", "Admission::CheckedBy"],
    );
    assert_eq!(security(&s), before);
}

/// PLAIN credentials libzmq cannot carry are refused before anything is set.
#[test]
fn bad_plain_credentials_are_refused_and_change_nothing() {
    let ctx = ctx();
    let s = socket(&ctx, SocketType::Req);
    let before = security(&s);
    refused(s.setup_plain_client("", "pw"), &["needs a user name"]);
    let long = "x".repeat(256);
    refused(
        s.setup_plain_client(&long, "pw"),
        &["user name", "255", "256"],
    );
    refused(
        s.setup_plain_client("u", &long),
        &["password", "255", "256"],
    );
    refused(
        s.setup_plain_client("u\0v", "pw"),
        &["user name", "NUL", "byte 1"],
    );
    refused(s.setup_plain_client("u", "p\0w"), &["password", "NUL"]);
    assert_eq!(security(&s), before);
    // 255 bytes is fine.
    s.setup_plain_client(&"x".repeat(255), &"y".repeat(255))
        .unwrap();
    // An empty password cannot replace one (libzmq cannot clear it).
    refused(s.setup_plain_client("u", ""), &["empty PLAIN password"]);
    assert_eq!(s.plain_username().unwrap(), "x".repeat(255));
}

/// A set-up after a bind is allowed but does not change that bind: libzmq's listener keeps
/// the options it was bound with, so NULL clients still get in there, in clear; a bind made
/// after the set-up is CURVE, and refuses them.
#[test]
fn a_set_up_after_a_bind_applies_to_later_binds_only() {
    let ctx = ctx();
    let server = socket(&ctx, SocketType::Router);
    let early_ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let keys = CurveKeyPair::generate().unwrap();
    server
        .setup_curve_server_keys(&keys, Admission::AllowAnyClient)
        .unwrap();
    let late_ep = server.bind("tcp://127.0.0.1:*").unwrap();

    let null_early = socket(&ctx, SocketType::Dealer);
    let watch = null_early.watch_handshakes().unwrap();
    null_early.connect(&early_ep).unwrap();
    watch.wait(PATIENCE).unwrap();
    null_early.send("in clear").unwrap();
    assert_eq!(server.recv().unwrap().to_vecs()[1], b"in clear");

    let null_late = socket(&ctx, SocketType::Dealer);
    let watch = null_late.watch_handshakes().unwrap();
    null_late.connect(&late_ep).unwrap();
    match watch.wait(PATIENCE) {
        Err(Error::Handshake(f)) => assert_eq!(f.cause, HandshakeCause::MechanismMismatch),
        other => panic!("{other:?}"),
    }
    let curve_late = socket(&ctx, SocketType::Dealer);
    curve_late
        .setup_curve_client_keys(&CurveKeyPair::generate().unwrap(), &keys.public)
        .unwrap();
    curve_late.connect(&late_ep).unwrap();
    curve_late.send("encrypted").unwrap();
    assert_eq!(server.recv().unwrap().to_vecs()[1], b"encrypted");
}

/// The same on the connecting side: a connect keeps the options it was made with, its
/// reconnections included; a set-up afterwards applies to later connects.
#[test]
fn a_set_up_after_a_connect_applies_to_later_connects_only() {
    let ctx = ctx();
    let keys = CurveKeyPair::generate().unwrap();
    let curve_server = socket(&ctx, SocketType::Router);
    curve_server
        .setup_curve_server_keys(&keys, Admission::AllowAnyClient)
        .unwrap();
    let curve_ep = curve_server.bind("tcp://127.0.0.1:*").unwrap();
    let null_server = socket(&ctx, SocketType::Router);
    let null_ep = null_server.bind("tcp://127.0.0.1:*").unwrap();

    let client = socket(&ctx, SocketType::Dealer);
    let watch = client.watch_handshakes().unwrap();
    client.connect(&null_ep).unwrap();
    watch.wait(PATIENCE).unwrap();
    client
        .setup_curve_client_keys(&CurveKeyPair::generate().unwrap(), &keys.public)
        .unwrap();
    client.connect(&curve_ep).unwrap();
    watch.wait(PATIENCE).unwrap();
    // Both work: one in clear, one encrypted (DEALER deals round robin).
    client.send("one").unwrap();
    client.send("two").unwrap();
    let a = null_server.recv().unwrap().to_vecs()[1].clone();
    let b = curve_server.recv().unwrap().to_vecs()[1].clone();
    let mut got = [a, b];
    got.sort();
    assert_eq!(got, [b"one".to_vec(), b"two".to_vec()]);
}

// ---- Certificates -------------------------------------------------------------------

/// Writes `name` (public) and `name_secret` (both keys) in czmq's format.
fn write_czmq_cert(dir: &TempDir, name: &str, keys: &CurveKeyPair) -> (String, String) {
    let secret_z85 = zmq_typed::z85_encode(keys.secret.as_bytes()).unwrap();
    let public = dir.join(name);
    let secret = dir.join(&format!("{name}_secret"));
    std::fs::write(
        &public,
        format!(
            "#   ****  Generated on 2026-11-28 22:00:00 by CZMQ  ****\n\
             #   ZeroMQ CURVE Public Certificate\n\
             #   Exchange securely, or use a secure mechanism to verify the contents\n\
             #   of this file after exchange. Store public certificates in your home\n\
             #   directory, in the .curve subdirectory.\n\
             \n\
             metadata\n\
             curve\n    public-key = \"{}\"\n",
            keys.public.to_z85()
        ),
    )
    .unwrap();
    std::fs::write(
        &secret,
        format!(
            "#   ****  Generated on 2026-11-28 22:00:00 by CZMQ  ****\n\
             #   ZeroMQ CURVE **Secret** Certificate\n\
             #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.\n\
             \n\
             metadata\n\
             curve\n    public-key = \"{}\"\n    secret-key = \"{secret_z85}\"\n",
            keys.public.to_z85()
        ),
    )
    .unwrap();
    (
        public.to_string_lossy().into_owned(),
        secret.to_string_lossy().into_owned(),
    )
}

/// A CURVE server and client set up from certificate files talk; a certificate without its
/// secret key is refused on both sides, naming the key and `load_secret`.
#[test]
fn certificate_set_ups_work_and_a_public_certificate_is_refused() {
    let dir = TempDir::new("setup-certs");
    let server_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    let (server_public, server_secret) = write_czmq_cert(&dir, "server.key", &server_keys);
    let (client_public, client_secret) = write_czmq_cert(&dir, "client.key", &client_keys);

    let ctx = ctx();
    let server = socket(&ctx, SocketType::Rep);
    let public_only = Certificate::load(&server_public).unwrap();
    let before = security(&server);
    refused(
        server.setup_curve_server(&public_only, Admission::AllowAnyClient),
        &[
            "a CURVE server needs its secret key",
            &server_keys.public.to_z85(),
            "load_secret",
        ],
    );
    assert_eq!(security(&server), before);
    let cert = Certificate::load_secret(&server_secret).unwrap();
    server
        .setup_curve_server(&cert, Admission::AllowAnyClient)
        .unwrap();
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();

    let client = socket(&ctx, SocketType::Req);
    let client_public = Certificate::load(&client_public).unwrap();
    refused(
        client.setup_curve_client(&client_public, &server_keys.public),
        &["a CURVE client needs its own secret key", "load_secret"],
    );
    let mine = Certificate::load_secret(&client_secret).unwrap();
    let server_cert = Certificate::load(&server_public).unwrap();
    client
        .setup_curve_client(&mine, server_cert.public_key())
        .unwrap();
    client.connect(&endpoint).unwrap();
    exchange(&client, &server, "from files");
}

// ---- Admission::CheckedBy (the real Authenticator) ------------------------------------

/// An authenticator of another context cannot check this socket's clients: refused.
#[test]
fn checked_by_an_authenticator_of_another_context_is_refused() {
    let ctx = ctx();
    let other = Context::new().unwrap();
    let auth = Authenticator::builder().start(&other).unwrap();
    let s = socket(&ctx, SocketType::Rep);
    let before = security(&s);
    let keys = CurveKeyPair::generate().unwrap();
    let words = [
        "another context",
        "start the authenticator on the socket's context",
    ];
    refused(
        s.setup_curve_server_keys(&keys, Admission::CheckedBy(&auth)),
        &words,
    );
    refused(s.setup_plain_server(Admission::CheckedBy(&auth)), &words);
    refused(s.setup_null_server(Admission::CheckedBy(&auth)), &words);
    assert_eq!(security(&s), before);
}

/// A stopped authenticator (its context shut down) checks nobody: refused.
#[test]
fn checked_by_a_stopped_authenticator_is_refused() {
    let ctx = ctx();
    let other = Context::new().unwrap();
    let auth = Authenticator::builder().start(&other).unwrap();
    other.shutdown().unwrap();
    let deadline = std::time::Instant::now() + PATIENCE;
    while auth.is_running() {
        assert!(std::time::Instant::now() < deadline, "still running");
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    let s = socket(&ctx, SocketType::Rep);
    let before = security(&s);
    let keys = CurveKeyPair::generate().unwrap();
    refused(
        s.setup_curve_server_keys(&keys, Admission::CheckedBy(&auth)),
        &["has stopped", "lets in every CURVE client"],
    );
    assert_eq!(security(&s), before);
}

/// Checked servers get the ZAP domain `global` (a domain of their own stays), and the
/// authenticator decides: with no CURVE or PLAIN policy it refuses those clients (status
/// 400 on the client's side), and lets NULL clients in.
#[test]
fn checked_by_a_running_authenticator_sets_the_domain_and_it_decides() {
    let ctx = ctx();
    let auth = Authenticator::builder().start(&ctx).unwrap();

    let curve = socket(&ctx, SocketType::Rep);
    let keys = CurveKeyPair::generate().unwrap();
    curve
        .setup_curve_server_keys(&keys, Admission::CheckedBy(&auth))
        .unwrap();
    assert_eq!(curve.zap_domain().unwrap(), "global");
    assert!(curve.curve_server().unwrap());
    let endpoint = curve.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, SocketType::Req);
    client
        .setup_curve_client_keys(&CurveKeyPair::generate().unwrap(), &keys.public)
        .unwrap();
    let watch = client.watch_handshakes().unwrap();
    client.connect(&endpoint).unwrap();
    match watch.wait(PATIENCE) {
        Err(Error::Handshake(f)) => {
            assert_eq!(f.cause, HandshakeCause::DeniedByServer { status: 400 })
        }
        other => panic!("{other:?}"),
    }

    let plain = socket(&ctx, SocketType::Rep);
    plain.set_zap_domain("mine").unwrap();
    plain
        .setup_plain_server(Admission::CheckedBy(&auth))
        .unwrap();
    assert_eq!(plain.zap_domain().unwrap(), "mine");
    assert!(plain.plain_server().unwrap());
    let endpoint = plain.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, SocketType::Req);
    client.setup_plain_client("user", "pass").unwrap();
    let watch = client.watch_handshakes().unwrap();
    client.connect(&endpoint).unwrap();
    match watch.wait(PATIENCE) {
        Err(Error::Handshake(f)) => {
            assert_eq!(f.cause, HandshakeCause::DeniedByServer { status: 400 })
        }
        other => panic!("{other:?}"),
    }

    let null = socket(&ctx, SocketType::Rep);
    null.setup_null_server(Admission::CheckedBy(&auth)).unwrap();
    assert_eq!(null.zap_domain().unwrap(), "global");
    let endpoint = null.bind("tcp://127.0.0.1:*").unwrap();
    let client = connected(&ctx, SocketType::Req, &endpoint);
    exchange(&client, &null, "checked and let in");
}
