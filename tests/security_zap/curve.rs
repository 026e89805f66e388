//! CURVE: the allow-list of client keys, any key, no policy, and the check closure.

use std::sync::mpsc;

use super::*;
use zmq_typed::security::zap::{Mechanism, Verdict, STATUS_DENIED, STATUS_INTERNAL};
use zmq_typed::{EventKind, EventMask, ProtocolError};

#[test]
fn an_allowed_key_gets_through_and_its_messages_carry_its_user_id() {
    let ctx = ctx();
    let (server_keys, client_keys) = (
        CurveKeyPair::generate().unwrap(),
        CurveKeyPair::generate().unwrap(),
    );
    let (auth, decisions) = hooked(
        &ctx,
        Authenticator::builder().curve_keys([client_keys.public]),
    );
    let (server, ep) = curve_server(&ctx, &server_keys);
    let client = curve_client(&ctx, &ep, &server_keys, &client_keys);
    client.send("hello").unwrap();

    let msg = server.recv_frame().unwrap();
    assert_eq!(msg.data(), b"hello");
    let z85 = client_keys.public.to_z85();
    assert_eq!(msg.user_id().unwrap(), Some(z85.as_str()));

    let d = decisions.next();
    assert!(d.allowed, "{d:?}");
    assert_eq!(d.status, 200);
    assert_eq!(d.mechanism, Some(Mechanism::Curve));
    assert_eq!(d.client_key, Some(client_keys.public));
    assert_eq!(d.user_id, z85);
    assert_eq!(d.address, "127.0.0.1");
    assert_eq!(d.username, None);
    assert!(d.reason.contains("allowed keys"), "{}", d.reason);
    assert!(!d.malformed);
    let stats = auth.stop().unwrap();
    assert_eq!((stats.allowed, stats.denied, stats.malformed), (1, 0, 0));
}

#[test]
fn an_unknown_key_is_refused_and_the_server_keeps_serving_an_allowed_client() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let good = CurveKeyPair::generate().unwrap();
    let stranger = CurveKeyPair::generate().unwrap();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder().curve_keys([good.public]));
    let (server, ep) = curve_server(&ctx, &server_keys);

    let intruder = curve_client(&ctx, &ep, &server_keys, &stranger);
    intruder.send("let me in").unwrap();
    let d = decisions.next();
    assert_refused(&d, STATUS_DENIED, "is not allowed");
    assert!(d.reason.contains(&stranger.public.to_z85()), "{}", d.reason);
    assert_eq!(d.client_key, Some(stranger.public));
    assert_eq!(d.user_id, "");

    let friend = curve_client(&ctx, &ep, &server_keys, &good);
    friend.send("hello").unwrap();
    let msg = server.recv_frame().unwrap();
    assert_eq!(
        msg.data(),
        b"hello",
        "only the allowed client's message arrives"
    );
    assert_eq!(msg.user_id().unwrap(), Some(good.public.to_z85().as_str()));
    assert!(
        server.try_recv().unwrap().is_none(),
        "the intruder's message never arrives"
    );
    assert!(auth.stats().denied >= 1);
    assert_eq!(auth.stats().allowed, 1);
}

#[test]
fn a_null_client_of_a_curve_server_gets_nothing_and_is_never_asked_about() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let good = CurveKeyPair::generate().unwrap();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder().curve_keys([good.public]));
    let server = socket(&ctx, SocketType::Pull);
    let monitor = server.monitor(EventMask::HANDSHAKE_FAILED).unwrap();
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&server_keys.secret).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();

    let plain_text = null_client(&ctx, &ep);
    plain_text.send("in clear").unwrap();
    let event = monitor
        .wait_for(PATIENCE, |k| {
            matches!(k, EventKind::HandshakeFailedProtocol(_))
        })
        .unwrap();
    assert_eq!(
        event.kind,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
    );

    let friend = curve_client(&ctx, &ep, &server_keys, &good);
    friend.send("hello").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"hello");
    assert!(server.try_recv().unwrap().is_none());
    // libzmq refused the NULL client itself: the authenticator saw only the friend.
    assert!(decisions.next().allowed);
    assert_eq!(auth.stats().denied, 0);
}

#[test]
fn any_key_lets_every_client_in_under_its_own_key() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().curve_any_key());
    let (server, ep) = curve_server(&ctx, &server_keys);
    for _ in 0..2 {
        let keys = CurveKeyPair::generate().unwrap();
        let client = curve_client(&ctx, &ep, &server_keys, &keys);
        client.send("hi").unwrap();
        let msg = server.recv_frame().unwrap();
        assert_eq!(msg.user_id().unwrap(), Some(keys.public.to_z85().as_str()));
        let d = decisions.next();
        assert!(d.allowed && d.reason.contains("any client key"), "{d:?}");
    }
}

#[test]
fn curve_without_a_curve_policy_is_refused() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder().plain_passwords([("admin", "secret")]),
    );
    let (_server, ep) = curve_server(&ctx, &server_keys);
    let client = curve_client(&ctx, &ep, &server_keys, &CurveKeyPair::generate().unwrap());
    client.send("hi").unwrap();
    assert_refused(
        &decisions.next(),
        STATUS_DENIED,
        "no CURVE policy configured",
    );
}

#[test]
fn the_closure_can_override_the_user_id_and_add_metadata() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .curve_keys([client_keys.public])
            .check(|_request| Verdict::allow().user_id("alice").metadata("Role", "admin")),
    );
    let (server, ep) = curve_server(&ctx, &server_keys);
    let client = curve_client(&ctx, &ep, &server_keys, &client_keys);
    client.send("hi").unwrap();
    let msg = server.recv_frame().unwrap();
    assert_eq!(msg.user_id().unwrap(), Some("alice"));
    assert_eq!(msg.property("Role").unwrap(), Some("admin"));
    let d = decisions.next();
    assert_eq!(d.user_id, "alice");
    assert!(
        d.reason.ends_with("allowed by the check closure"),
        "{}",
        d.reason
    );
}

#[test]
fn the_closure_can_refuse_and_is_asked_only_after_the_key_list() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let listed = CurveKeyPair::generate().unwrap();
    let (asked_tx, asked) = mpsc::channel();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .curve_keys([listed.public])
            .check(move |request| {
                let _ = asked_tx.send(request.client_key().copied());
                Verdict::deny("maintenance")
            }),
    );
    let (_server, ep) = curve_server(&ctx, &server_keys);
    let unlisted = curve_client(&ctx, &ep, &server_keys, &CurveKeyPair::generate().unwrap());
    unlisted.send("x").unwrap();
    assert_refused(&decisions.next(), STATUS_DENIED, "is not allowed");
    drop(unlisted);
    assert!(
        asked.try_recv().is_err(),
        "the closure is not asked about an unlisted key"
    );

    let client = curve_client(&ctx, &ep, &server_keys, &listed);
    client.send("x").unwrap();
    let d = loop {
        let d = decisions.next();
        if d.client_key == Some(listed.public) {
            break d;
        }
    };
    assert_refused(
        &d,
        STATUS_DENIED,
        "denied by the check closure: maintenance",
    );
    assert_eq!(asked.recv().unwrap(), Some(listed.public));
}

#[test]
fn a_panicking_closure_refuses_that_client_with_500_and_the_next_one_gets_in() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let doomed = CurveKeyPair::generate().unwrap();
    let fine = CurveKeyPair::generate().unwrap();
    let doomed_key = doomed.public;
    let (auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .curve_any_key()
            .check(move |request| {
                if request.client_key() == Some(&doomed_key) {
                    panic!("closure bug");
                }
                Verdict::allow()
            }),
    );
    let (server, ep) = curve_server(&ctx, &server_keys);
    let first = curve_client(&ctx, &ep, &server_keys, &doomed);
    first.send("x").unwrap();
    assert_refused(
        &decisions.next(),
        STATUS_INTERNAL,
        "the check closure panicked: closure bug",
    );
    drop(first);
    let second = curve_client(&ctx, &ep, &server_keys, &fine);
    second.send("y").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"y");
    assert!(auth.is_running());
}

#[test]
fn bad_metadata_from_the_closure_is_a_refusal_that_says_why() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .curve_any_key()
            .check(|_| Verdict::allow().metadata("User-Id", "mallory")),
    );
    let (_server, ep) = curve_server(&ctx, &server_keys);
    let client = curve_client(&ctx, &ep, &server_keys, &CurveKeyPair::generate().unwrap());
    client.send("x").unwrap();
    assert_refused(&decisions.next(), STATUS_INTERNAL, "one libzmq sets itself");
}
