//! High-water marks in the backpressure kit (`zmq_typed::patterns::backpressure`): queue
//! bounds read and written, what each socket type does at its mark, `try_send` handing back
//! exactly the message offered, and the dropping types dropping (or refusing, with no-drop).

mod common;

use std::time::Duration;

use common::{patient, PATIENCE};
use zmq_typed::patterns::backpressure::{at_hwm, AtHwm, QueueBounds};
use zmq_typed::{Context, Dealer, Multipart, Pull, Push, Router, SocketType, Sub, XPub};

#[test]
fn queue_bounds_round_trip_and_refuse_zero() {
    let ctx = Context::new().unwrap();
    let push = Push::new(&ctx).unwrap();
    assert_eq!(
        QueueBounds::read(&push).unwrap(),
        QueueBounds::LIBZMQ_DEFAULT
    );
    QueueBounds::new(Some(7), None).apply(&push).unwrap();
    assert_eq!(
        QueueBounds::read(&push).unwrap(),
        QueueBounds {
            send: Some(7),
            recv: None
        }
    );
    let zero = QueueBounds::new(Some(0), None).apply(&push).unwrap_err();
    assert!(
        matches!(
            zero,
            zmq_typed::Error::OptionValue {
                option: "ZMQ_SNDHWM",
                ..
            }
        ),
        "{zero:?}"
    );
}

#[test]
fn at_hwm_for_every_socket_type() {
    use SocketType::*;
    let expected = [
        (Pair, AtHwm::Blocks, AtHwm::Blocks),
        (Pub, AtHwm::Drops, AtHwm::Blocks),
        (Sub, AtHwm::CannotSend, AtHwm::CannotSend),
        (Req, AtHwm::Blocks, AtHwm::Blocks),
        (Rep, AtHwm::Drops, AtHwm::Drops),
        (Dealer, AtHwm::Blocks, AtHwm::Blocks),
        (Router, AtHwm::Drops, AtHwm::Blocks),
        (Pull, AtHwm::CannotSend, AtHwm::CannotSend),
        (Push, AtHwm::Blocks, AtHwm::Blocks),
        (XPub, AtHwm::Drops, AtHwm::Blocks),
        (XSub, AtHwm::Drops, AtHwm::Drops),
        (Stream, AtHwm::Blocks, AtHwm::Blocks),
    ];
    assert_eq!(expected.len(), SocketType::ALL.len());
    let ctx = Context::new().unwrap();
    for (kind, plain, no_drop) in expected {
        assert_eq!(AtHwm::of(kind, false), plain, "{kind:?}");
        assert_eq!(AtHwm::of(kind, true), no_drop, "{kind:?} with no-drop");
        let socket = zmq_typed::Socket::new(&ctx, kind).unwrap();
        assert_eq!(at_hwm(&socket), plain, "{kind:?}");
    }
}

/// A PUSH whose peer does not read: over inproc it takes exactly its mark plus the peer's,
/// then `try_send` hands back the very message offered, frames and all.
#[test]
fn try_send_hands_back_the_message_at_the_mark() {
    let ctx = Context::new().unwrap();
    let pull = patient(Pull::new(&ctx).unwrap());
    QueueBounds::new(None, Some(4)).apply(&pull).unwrap();
    pull.bind("inproc://bp-try-send").unwrap();
    let push = patient(Push::new(&ctx).unwrap());
    QueueBounds::new(Some(6), None).apply(&push).unwrap();
    push.connect("inproc://bp-try-send").unwrap();

    for n in 0..10 {
        assert_eq!(
            push.try_send(["job", &n.to_string()]).unwrap(),
            None,
            "#{n}"
        );
    }
    let offered = Multipart::from(vec!["job", "10", "with a third frame"]);
    let back = push.try_send(&offered).unwrap().expect("full after 6 + 4");
    assert_eq!(back, offered);
    // Blocking with a deadline fails the same way, and hands the message back too.
    let timed = push
        .send_timeout("late", Duration::from_millis(1))
        .unwrap_err();
    assert!(timed.error().is_timeout(), "{timed:?}");
    assert_eq!(timed.into_message(), Multipart::single("late"));
    // What was queued is exactly the first ten, in order.
    for n in 0..10 {
        assert_eq!(
            pull.recv().unwrap().to_vecs(),
            [b"job".to_vec(), n.to_string().into_bytes()]
        );
    }
    assert_eq!(pull.try_recv().unwrap(), None);
}

/// A ROUTER (and an XPUB) at a peer's mark drop silently: every send succeeds, the peer gets
/// exactly the first messages, its mark's worth. With ROUTER_MANDATORY it refuses instead.
#[test]
fn dropping_types_drop_and_no_drop_refuses() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    QueueBounds::new(Some(3), None).apply(&router).unwrap();
    router.bind("inproc://bp-router").unwrap();
    let dealer = patient(Dealer::new(&ctx).unwrap());
    QueueBounds::new(None, Some(2)).apply(&dealer).unwrap();
    dealer.set_routing_id("d").unwrap();
    dealer.connect("inproc://bp-router").unwrap();
    dealer.send("hi").unwrap();
    let id = router.recv_timeout(PATIENCE).unwrap().id;
    for n in 0..9 {
        router.send_to(&id, n.to_string()).unwrap();
    }
    for n in 0..5 {
        assert_eq!(dealer.recv().unwrap(), n.to_string().as_str());
    }
    assert_eq!(dealer.try_recv().unwrap(), None, "4 more were dropped");

    let strict = Router::new(&ctx).unwrap();
    strict.set_router_mandatory(true).unwrap();
    QueueBounds::new(Some(3), None).apply(&strict).unwrap();
    strict.bind("inproc://bp-router-strict").unwrap();
    let peer = patient(Dealer::new(&ctx).unwrap());
    QueueBounds::new(None, Some(2)).apply(&peer).unwrap();
    peer.connect("inproc://bp-router-strict").unwrap();
    peer.send("hi").unwrap();
    let id = strict.recv_timeout(PATIENCE).unwrap().id;
    for n in 0..5 {
        let routed = [id.as_bytes().to_vec(), n.to_string().into_bytes()];
        assert_eq!(strict.try_send(routed).unwrap(), None, "#{n}");
    }
    let refused = [id.as_bytes().to_vec(), b"5".to_vec()];
    assert!(strict.try_send(refused).unwrap().is_some());

    let xpub = patient(XPub::new(&ctx).unwrap());
    QueueBounds::new(Some(2), None).apply(&xpub).unwrap();
    xpub.bind("inproc://bp-xpub").unwrap();
    let sub = patient(Sub::new(&ctx).unwrap());
    QueueBounds::new(None, Some(1)).apply(&sub).unwrap();
    sub.connect("inproc://bp-xpub").unwrap();
    sub.subscribe("").unwrap();
    assert_eq!(xpub.recv().unwrap().to_vec(), b"\x01");
    for n in 0..6 {
        xpub.send(n.to_string()).unwrap();
    }
    for n in 0..3 {
        assert_eq!(sub.recv().unwrap(), n.to_string().as_str());
    }
    assert_eq!(sub.try_recv().unwrap(), None);
}
