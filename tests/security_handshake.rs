//! Handshake diagnosis: a `HandshakeWatch` on each side turns libzmq's monitor events into a
//! `HandshakeFailure` that says with whom, which mechanism, which side and the probable cause,
//! for each way a secured handshake fails (wrong server key, refused by ZAP, mechanism
//! mismatch, PLAIN wrong password, PLAIN without a ZAP handler), on the client side and on
//! the server side; and the server keeps serving good clients afterwards.

mod common;
mod zap_stub;

#[path = "security_handshake/hostile.rs"]
mod hostile;
#[path = "security_handshake/sentences.rs"]
mod sentences;

use common::*;
use zap_stub::{Verdict, ZapStub};
use zmq_typed::{
    Admission, Context, CurveKey, CurveKeyPair, Endpoint, Error, EventKind, HandshakeCause,
    HandshakeFailure, HandshakeSide, HandshakeWatch, Mechanism, ProtocolError, Rep, Req,
};

/// The failure `watch` reports next (the test fails on anything else).
fn next_failure(watch: &HandshakeWatch) -> HandshakeFailure {
    match watch.wait(PATIENCE) {
        Err(Error::Handshake(failure)) => *failure,
        other => panic!("expected a handshake failure, got {other:?}"),
    }
}

/// A CURVE REP server that lets any client in (unless a ZAP handler runs on `ctx`), with
/// a watch made before its bind.
fn curve_server(ctx: &Context) -> (Rep, CurveKeyPair, HandshakeWatch, Endpoint) {
    let keys = CurveKeyPair::generate().unwrap();
    let server = patient(Rep::new(ctx).unwrap());
    server
        .setup_curve_server_keys(&keys, Admission::AllowAnyClient)
        .unwrap();
    let watch = server.watch_handshakes().unwrap();
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    (server, keys, watch, endpoint)
}

/// A CURVE REQ client of the server whose key is `server_key`, watched, connected.
fn curve_client(ctx: &Context, server_key: &CurveKey, endpoint: &str) -> (Req, HandshakeWatch) {
    let client = patient(Req::new(ctx).unwrap());
    client
        .setup_curve_client_keys(&CurveKeyPair::generate().unwrap(), server_key)
        .unwrap();
    let watch = client.watch_handshakes().unwrap();
    client.connect(endpoint).unwrap();
    (client, watch)
}

/// One request and its reply through `server`.
fn exchange(client: Req, server: Rep, text: &str) -> (Req, Rep) {
    let client = client.send(text).unwrap();
    let (request, server) = server.recv().unwrap();
    assert_eq!(request, text);
    let server = server.send(request).unwrap();
    let (reply, client) = client.recv().unwrap();
    assert_eq!(reply, text);
    (client, server)
}

/// The case: a CURVE client given a wrong server key. The client sees libzmq's
/// `HandshakeFailedNoDetail` (the server hung up), said as "the server key is probably
/// wrong" with the connect string; the server sees `ZmtpCryptographic` on its bound
/// endpoint. The server then serves a client with the right key.
#[test]
fn a_wrong_server_key_is_named_on_both_sides() {
    let ctx = ctx();
    let (server, keys, server_watch, endpoint) = curve_server(&ctx);
    let wrong = CurveKeyPair::generate().unwrap().public;
    let (_bad, bad_watch) = curve_client(&ctx, &wrong, &endpoint.to_string());

    let failure = next_failure(&bad_watch);
    assert_eq!(failure.side, HandshakeSide::Client);
    assert_eq!(failure.mechanism, Mechanism::Curve);
    assert_eq!(failure.endpoint, endpoint.to_string());
    let errno = match failure.event {
        EventKind::HandshakeFailedNoDetail { errno } => errno,
        ref other => panic!("libzmq reported {other:?}"),
    };
    assert!(errno == libc::EPIPE || errno == libc::ECONNRESET, "{errno}");
    assert_eq!(
        failure.cause,
        HandshakeCause::ServerKeyProbablyWrong { errno }
    );
    assert_eq!(
        failure.to_string(),
        format!(
            "CURVE handshake with {endpoint} failed: the server key is probably wrong (the \
             server closed the connection during the handshake)"
        )
    );
    assert_eq!(bad_watch.failure(), Some(failure.clone()));
    assert!(!bad_watch.succeeded());

    let failure = next_failure(&server_watch);
    assert_eq!(failure.side, HandshakeSide::Server);
    assert_eq!(failure.endpoint, endpoint.to_string());
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpCryptographic)
    );
    assert_eq!(failure.cause, HandshakeCause::ClientKeyProbablyWrong);
    assert_eq!(
        failure.to_string(),
        format!(
            "CURVE handshake from a client on {endpoint} failed: the client's handshake does \
             not decrypt: it probably has a wrong server key (or a key pair whose halves do \
             not belong together)"
        )
    );

    // The server keeps serving.
    let (good, good_watch) = curve_client(&ctx, &keys.public, &endpoint.to_string());
    good_watch.wait(PATIENCE).unwrap();
    assert!(good_watch.succeeded());
    assert_eq!(good_watch.failure(), None);
    exchange(good, server, "still serving");
}

/// The client keeps reconnecting with its wrong key: each attempt is one more failure that
/// `wait` returns in turn, and `Error::Handshake` reads as the failure itself.
#[test]
fn each_reconnect_with_a_wrong_key_is_one_more_failure() {
    let ctx = ctx();
    let (_server, _keys, _server_watch, endpoint) = curve_server(&ctx);
    let wrong = CurveKeyPair::generate().unwrap().public;
    let bad = patient(Req::new(&ctx).unwrap());
    // Before the connect: a connection keeps the options it was made with.
    bad.set_reconnect_ivl(Some(std::time::Duration::from_millis(10)))
        .unwrap();
    bad.setup_curve_client_keys(&CurveKeyPair::generate().unwrap(), &wrong)
        .unwrap();
    let watch = bad.watch_handshakes().unwrap();
    bad.connect(&endpoint).unwrap();
    for _ in 0..3 {
        match watch.wait(PATIENCE) {
            Err(e @ Error::Handshake(_)) => assert!(
                e.to_string().contains("the server key is probably wrong"),
                "{e}"
            ),
            other => panic!("{other:?}"),
        }
    }
    assert!(watch.failures() >= 3);
    assert_eq!(watch.successes(), 0);
}

/// A ZAP handler that refuses: the client sees `HandshakeFailedAuth { status: 400 }`, "the
/// server refused this client"; the server the same event, "the ZAP handler refused the
/// client". `Admission::AllowAnyClient` does not switch ZAP off: libzmq asks the handler
/// that runs on the context about every CURVE client.
#[test]
fn a_client_refused_by_zap_is_told_so_on_both_sides() {
    let ctx = ctx();
    let zap = ZapStub::denying(&ctx);
    let (server, keys, server_watch, endpoint) = curve_server(&ctx);
    let (_client, client_watch) = curve_client(&ctx, &keys.public, &endpoint.to_string());

    let failure = next_failure(&client_watch);
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedAuth { status: 400 }
    );
    assert_eq!(
        failure.cause,
        HandshakeCause::DeniedByServer { status: 400 }
    );
    assert_eq!(
        failure.to_string(),
        format!(
            "CURVE handshake with {endpoint} failed: the server refused this client (ZAP \
             status 400)"
        )
    );
    let failure = next_failure(&server_watch);
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedAuth { status: 400 }
    );
    assert_eq!(failure.cause, HandshakeCause::ClientDenied { status: 400 });
    assert_eq!(
        failure.to_string(),
        format!(
            "CURVE handshake from a client on {endpoint} failed: the ZAP handler refused the \
             client (ZAP status 400)"
        )
    );
    let request = zap.requests.recv_timeout(PATIENCE).unwrap();
    assert_eq!(request.mechanism, "CURVE");
    assert_eq!(request.domain, "", "AllowAnyClient sets no domain");
    assert_eq!(request.address, "127.0.0.1");
    drop(server);
}

/// A NULL client against a CURVE server: both sides see `ZmtpMechanismMismatch`.
#[test]
fn a_null_client_of_a_curve_server_is_a_mechanism_mismatch_on_both_sides() {
    let ctx = ctx();
    let (_server, _keys, server_watch, endpoint) = curve_server(&ctx);
    let client = patient(Req::new(&ctx).unwrap());
    let client_watch = client.watch_handshakes().unwrap();
    client.connect(&endpoint).unwrap();

    let failure = next_failure(&client_watch);
    assert_eq!(failure.mechanism, Mechanism::Null);
    assert_eq!(failure.side, HandshakeSide::Client);
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
    );
    assert_eq!(failure.cause, HandshakeCause::MechanismMismatch);
    assert_eq!(
        failure.to_string(),
        format!(
            "NULL handshake with {endpoint} failed: the peer uses another security mechanism \
             than NULL"
        )
    );
    let failure = next_failure(&server_watch);
    assert_eq!(failure.cause, HandshakeCause::MechanismMismatch);
    assert_eq!(
        failure.to_string(),
        format!(
            "CURVE handshake from a client on {endpoint} failed: the peer uses another \
             security mechanism than CURVE"
        )
    );
}

/// A PLAIN server (its options set by hand: `setup_plain_server` wants an authenticator)
/// with a ZAP handler that knows one password: the wrong password is refused (400 on both
/// sides), the right one gets in and its messages carry the user id the handler gave.
#[test]
fn plain_with_a_wrong_password_is_refused_and_the_right_one_gets_in() {
    let ctx = ctx();
    let zap = ZapStub::start(&ctx, |request| {
        if request.credentials == [b"admin".to_vec(), b"secret".to_vec()] {
            Verdict::allow("admin-user")
        } else {
            Verdict::deny()
        }
    });
    let server = patient(Rep::new(&ctx).unwrap());
    server.set_plain_server(true).unwrap();
    server.set_zap_domain("test").unwrap();
    let server_watch = server.watch_handshakes().unwrap();
    assert_eq!(server_watch.side(), HandshakeSide::Server);
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();

    let wrong = patient(Req::new(&ctx).unwrap());
    wrong.setup_plain_client("admin", "guess").unwrap();
    let wrong_watch = wrong.watch_handshakes().unwrap();
    assert_eq!(wrong_watch.mechanism(), Mechanism::Plain);
    wrong.connect(&endpoint).unwrap();
    let failure = next_failure(&wrong_watch);
    assert_eq!(
        failure.cause,
        HandshakeCause::DeniedByServer { status: 400 }
    );
    assert_eq!(
        failure.to_string(),
        format!(
            "PLAIN handshake with {endpoint} failed: the server refused this client (ZAP \
             status 400)"
        )
    );
    let failure = next_failure(&server_watch);
    assert_eq!(failure.cause, HandshakeCause::ClientDenied { status: 400 });
    assert!(failure.to_string().starts_with(&format!(
        "PLAIN handshake from a client on {endpoint} failed"
    )));
    let request = zap.requests.recv_timeout(PATIENCE).unwrap();
    assert_eq!(request.mechanism, "PLAIN");
    assert_eq!(request.domain, "test");
    assert_eq!(request.credentials, [b"admin".to_vec(), b"guess".to_vec()]);

    let right = patient(Req::new(&ctx).unwrap());
    right.setup_plain_client("admin", "secret").unwrap();
    let right_watch = right.watch_handshakes().unwrap();
    right.connect(&endpoint).unwrap();
    right_watch.wait(PATIENCE).unwrap();
    server_watch.wait(PATIENCE).unwrap();
    let right = right.send("logged in").unwrap();
    let (request, server) = server.recv().unwrap();
    let frame = request.into_single().unwrap();
    assert_eq!(frame.user_id().unwrap(), Some("admin-user"));
    let server = server.send("welcome").unwrap();
    let (reply, _right) = right.recv().unwrap();
    assert_eq!(reply, "welcome");
    drop(server);
}

/// A PLAIN server with no ZAP handler on its context: libzmq 4.3 refuses every client; the
/// server's watch says why (`HandshakeFailedNoDetail` with `EFAULT`).
#[test]
fn a_plain_server_without_a_zap_handler_says_so() {
    let ctx = ctx();
    let server = patient(Rep::new(&ctx).unwrap());
    server.set_plain_server(true).unwrap();
    let server_watch = server.watch_handshakes().unwrap();
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = patient(Req::new(&ctx).unwrap());
    client.setup_plain_client("anyone", "anything").unwrap();
    client.connect(&endpoint).unwrap();

    let failure = next_failure(&server_watch);
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedNoDetail {
            errno: libc::EFAULT
        }
    );
    assert_eq!(failure.cause, HandshakeCause::NoZapHandler);
    assert_eq!(
        failure.to_string(),
        format!(
            "PLAIN handshake from a client on {endpoint} failed: no ZAP handler runs on the \
             socket's context, and libzmq refuses every PLAIN client without one (start an \
             authenticator)"
        )
    );
    // The client's side is left alone: whether libzmq 4.3.4 then closes the connection
    // depends on the errno its monitor code leaves behind. Seen both ways: the client gets
    // `HandshakeFailedNoDetail(EPIPE)` and reconnects, or stays connected with no event.
}

/// A server with a good and a bad client: two outcomes, one each, whatever their order; the
/// server's events name its bound endpoint, not the client.
#[test]
fn a_server_watch_reports_each_peer_in_turn() {
    let ctx = ctx();
    let (server, keys, server_watch, endpoint) = curve_server(&ctx);
    let wrong = CurveKeyPair::generate().unwrap().public;
    let (bad, bad_watch) = curve_client(&ctx, &wrong, &endpoint.to_string());
    next_failure(&bad_watch);
    drop(bad); // no more attempts from it
    let (good, good_watch) = curve_client(&ctx, &keys.public, &endpoint.to_string());
    good_watch.wait(PATIENCE).unwrap();

    let mut outcomes = Vec::new();
    while outcomes.len() < 2 {
        match server_watch.wait(PATIENCE) {
            Ok(()) => outcomes.push("ok".to_string()),
            Err(Error::Handshake(f)) => {
                assert_eq!(f.endpoint, endpoint.to_string());
                outcomes.push(format!("{:?}", f.cause));
            }
            Err(e) => panic!("{e}"),
        }
    }
    outcomes.sort();
    assert_eq!(outcomes, ["ClientKeyProbablyWrong", "ok"]);
    assert!(server_watch.succeeded());
    assert!(server_watch.failure().is_some());
    exchange(good, server, "good one");
}

/// The connecting side's events carry the connect string as given: `localhost` stays.
#[test]
fn the_client_failure_names_the_endpoint_as_connected() {
    let ctx = ctx();
    let (_server, _keys, _w, endpoint) = curve_server(&ctx);
    let port = endpoint.to_string().rsplit(':').next().unwrap().to_string();
    let connect = format!("tcp://localhost:{port}");
    let wrong = CurveKeyPair::generate().unwrap().public;
    let (_bad, watch) = curve_client(&ctx, &wrong, &connect);
    let failure = next_failure(&watch);
    assert_eq!(failure.endpoint, connect);
    assert!(failure
        .to_string()
        .starts_with(&format!("CURVE handshake with {connect} failed")));
}

/// A watch is made before the bind or connect (else it would miss handshakes); a second
/// watch ends the first; with no peer its wait times out; once the socket is closed it ends.
#[test]
fn a_watch_is_refused_after_a_bind_times_out_alone_and_ends_with_its_socket() {
    let ctx = ctx();
    let server = Rep::new(&ctx).unwrap();
    let replaced = server.watch_handshakes().unwrap();
    let watch = server.watch_handshakes().unwrap();
    // One monitor per socket: the second watch ended the first.
    assert!(matches!(replaced.wait(PATIENCE), Err(Error::Terminated(_))));
    server.bind("tcp://127.0.0.1:*").unwrap();
    assert!(matches!(
        server.watch_handshakes(),
        Err(Error::WrongState(_))
    ));
    match watch.wait(std::time::Duration::from_millis(50)) {
        Err(e @ Error::TimedOut(_)) => {
            assert!(e.to_string().contains("no ZMTP handshake"), "{e}")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(watch.failure(), None);
    assert!(!watch.succeeded());
    drop(server);
    assert!(matches!(watch.wait(PATIENCE), Err(Error::Terminated(_))));
}

/// `failure()` does not wait and keeps the outcome for `wait`.
#[test]
fn failure_peeks_without_taking_the_outcome_from_wait() {
    let ctx = ctx();
    let (_server, _keys, server_watch, endpoint) = curve_server(&ctx);
    let wrong = CurveKeyPair::generate().unwrap().public;
    let (_bad, bad_watch) = curve_client(&ctx, &wrong, &endpoint.to_string());
    // Synchronise on the server's failure, then on the client's, through failure() alone.
    next_failure(&server_watch);
    let deadline = std::time::Instant::now() + PATIENCE;
    let seen = loop {
        if let Some(f) = bad_watch.failure() {
            break f;
        }
        assert!(std::time::Instant::now() < deadline, "no failure seen");
        std::thread::yield_now();
    };
    assert_eq!(next_failure(&bad_watch).cause, seen.cause);
}

/// Other ZAP statuses: 500 (an error in the handler) reaches the client as
/// `HandshakeFailedAuth` with that status; 300 (a temporary failure) is seen by the server
/// only: libzmq sends the client no word of it.
#[test]
fn zap_statuses_500_and_300_are_reported_with_their_meaning() {
    for (status, meaning) in [
        ("500", "(ZAP status 500, an error in the ZAP handler)"),
        ("300", "(ZAP status 300, a temporary failure)"),
    ] {
        let ctx = ctx();
        let _zap = ZapStub::start(&ctx, move |_| Verdict {
            status,
            user_id: String::new(),
        });
        let (_server, keys, server_watch, endpoint) = curve_server(&ctx);
        let (_client, client_watch) = curve_client(&ctx, &keys.public, &endpoint.to_string());
        let code: u32 = status.parse().unwrap();
        let failure = next_failure(&server_watch);
        assert_eq!(
            failure.event,
            EventKind::HandshakeFailedAuth { status: code }
        );
        assert!(failure
            .to_string()
            .ends_with(&format!("refused the client {meaning}")));
        if status == "300" {
            // libzmq sends no ERROR for 300 (the CurveZMQ RFC says to hang up without a
            // word). What the client sees is left alone: seen both, no event at all (the
            // connection stays open), or `HandshakeFailedNoDetail(EPIPE)` as with a wrong
            // server key; never `HandshakeFailedAuth`.
            if let Some(failure) = client_watch.failure() {
                assert!(
                    matches!(failure.event, EventKind::HandshakeFailedNoDetail { .. }),
                    "{failure:?}"
                );
            }
            continue;
        }
        let failure = next_failure(&client_watch);
        assert_eq!(
            failure.cause,
            HandshakeCause::DeniedByServer { status: code }
        );
        assert!(
            failure
                .to_string()
                .ends_with(&format!("refused this client {meaning}")),
            "{failure}"
        );
    }
}

/// `Context::shutdown` from another thread ends a waiting `wait` with `Error::Terminated`;
/// a watch can move to and be shared between threads.
#[test]
fn a_context_shutdown_ends_a_wait() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    let ctx = ctx();
    let server = Rep::new(&ctx).unwrap();
    let watch = server.watch_handshakes().unwrap();
    send_sync(&watch);
    server.bind("tcp://127.0.0.1:*").unwrap();
    let waiter = std::thread::spawn(move || watch.wait(PATIENCE * 6));
    ctx.shutdown().unwrap();
    let result = common::watchdog::within(PATIENCE, "wait after shutdown", move || {
        waiter.join().unwrap()
    });
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
}

/// A NULL server with a ZAP domain (what IP filtering uses) is a server for the watch, and a
/// refused NULL client is told so: `HandshakeFailedAuth { status: 400 }` on both sides.
#[test]
fn a_null_client_refused_by_zap_is_told_so_on_both_sides() {
    let ctx = ctx();
    let zap = ZapStub::denying(&ctx);
    let server = patient(Rep::new(&ctx).unwrap());
    server.set_zap_domain("ip-filter").unwrap();
    let server_watch = server.watch_handshakes().unwrap();
    assert_eq!(
        (server_watch.mechanism(), server_watch.side()),
        (Mechanism::Null, HandshakeSide::Server)
    );
    let endpoint = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = patient(Req::new(&ctx).unwrap());
    let client_watch = client.watch_handshakes().unwrap();
    assert_eq!(client_watch.side(), HandshakeSide::Client);
    client.connect(&endpoint).unwrap();

    let failure = next_failure(&client_watch);
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedAuth { status: 400 }
    );
    assert_eq!(
        failure.to_string(),
        format!(
            "NULL handshake with {endpoint} failed: the server refused this client (ZAP \
             status 400)"
        )
    );
    let failure = next_failure(&server_watch);
    assert_eq!(failure.cause, HandshakeCause::ClientDenied { status: 400 });
    assert!(failure.to_string().starts_with(&format!(
        "NULL handshake from a client on {endpoint} failed"
    )));
    let request = zap.requests.recv_timeout(PATIENCE).unwrap();
    assert_eq!(
        (request.mechanism.as_str(), request.domain.as_str()),
        ("NULL", "ip-filter")
    );
    assert!(request.credentials.is_empty());
}
