//! Credit-based flow control in the backpressure kit (`zmq_typed::patterns::backpressure`)
//! over inproc, ipc and tcp: a producer never has more than the window in flight, several
//! producers each have their own window, a producer that ignores its credit cannot make the
//! consumer hold more, lost and forged grants, producer caps, and context shutdown.
//! High-water marks are proved in `patterns_hwm.rs`.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::watchdog::within;
use common::{bind_endpoint, patient, Transport, PATIENCE, TRANSPORTS};
use zmq_typed::patterns::backpressure::{CreditReceiver, CreditSender, QueueBounds, SERVICE_BURST};
use zmq_typed::{Context, Dealer, EventKind, EventMask, Multipart, Router};

/// A consumer on `transport` with `window`, and a producer it has greeted.
fn credit_pair(
    ctx: &Context,
    transport: Transport,
    window: usize,
) -> (CreditReceiver, CreditSender) {
    let mut consumer =
        CreditReceiver::bind(ctx, bind_endpoint(transport, "credit"), window).unwrap();
    let producer = CreditSender::connect(ctx, consumer.endpoint()).unwrap();
    consumer.wait_for_producers(1, PATIENCE).unwrap();
    (consumer, producer)
}

/// With the consumer not reading, the producer gets exactly `window` messages out, then has
/// no credit; the consumer then finds exactly those `window` messages, and credit comes back
/// as it takes them.
#[test]
fn the_window_bounds_the_producer_exactly() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let (mut consumer, mut producer) = credit_pair(&ctx, transport, 5);
        for n in 0..5 {
            producer.send_timeout(format!("m{n}"), PATIENCE).unwrap();
        }
        let back = producer.try_send("m5").unwrap().expect("no credit after 5");
        assert_eq!(back, "m5");
        assert_eq!(
            (producer.credit(), producer.in_flight(), producer.sent()),
            (0, 5, 5)
        );
        let timed = producer
            .send_timeout("m5", Duration::from_millis(1))
            .unwrap_err();
        assert!(timed.error().is_timeout(), "{transport:?}: {timed:?}");

        for n in 0..5 {
            let message = consumer.recv_timeout(PATIENCE).unwrap();
            assert_eq!(message.body, format!("m{n}").as_str(), "{transport:?}");
        }
        // The only message after them is the one sent with the credit given back.
        producer.send_timeout("m5", PATIENCE).unwrap();
        assert_eq!(consumer.recv_timeout(PATIENCE).unwrap().body, "m5");
        let stats = consumer.stats();
        assert_eq!(
            (stats.received, stats.taken, stats.excess, stats.producers),
            (6, 6, 0, 1)
        );
    }
}

/// A producer as fast as it can go against a consumer that takes one message at a time:
/// at every step neither side ever counts more than the window in flight.
#[test]
fn a_slow_consumer_bounds_a_fast_producer() {
    const WINDOW: usize = 8;
    const COUNT: u64 = 300;
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let (mut consumer, mut producer) = credit_pair(&ctx, transport, WINDOW);
        let fast = thread::spawn(move || {
            let mut most = 0;
            for n in 0..COUNT {
                producer.send_timeout(n.to_string(), PATIENCE).unwrap();
                most = most.max(producer.in_flight());
            }
            most
        });
        for n in 0..COUNT {
            let message = consumer.recv_timeout(PATIENCE).unwrap();
            assert_eq!(message.body, n.to_string().as_str());
            let stats = consumer.stats();
            // Read from the wire and not taken, plus the one in hand: within the window.
            assert!(stats.received - stats.taken < WINDOW as u64, "{stats:?}");
            assert_eq!(consumer.queued() as u64, stats.received - stats.taken);
        }
        let most = fast.join().unwrap();
        assert!(most <= WINDOW as u64, "{transport:?}: {most} in flight");
        assert_eq!(consumer.stats().excess, 0);
    }
}

/// Three producers, a consumer that does not take: each gets exactly its window out.
#[test]
fn each_producer_has_its_own_window() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let mut consumer =
            CreditReceiver::bind(&ctx, bind_endpoint(transport, "credit3"), 4).unwrap();
        let mut producers: Vec<CreditSender> = (0..3)
            .map(|_| CreditSender::connect(&ctx, consumer.endpoint()).unwrap())
            .collect();
        consumer.wait_for_producers(3, PATIENCE).unwrap();
        for (p, producer) in producers.iter_mut().enumerate() {
            for n in 0..4 {
                producer.send_timeout(format!("{p}.{n}"), PATIENCE).unwrap();
            }
            assert!(
                producer.try_send("over").unwrap().is_some(),
                "{transport:?} #{p}"
            );
        }
        while consumer.stats().received < 12 {
            consumer.service(PATIENCE).unwrap();
        }
        assert_eq!(consumer.queued(), 12);
        let mut per_producer = std::collections::BTreeMap::new();
        for _ in 0..12 {
            let message = consumer.recv_timeout(PATIENCE).unwrap();
            *per_producer.entry(message.id.to_string()).or_insert(0) += 1;
        }
        assert_eq!(
            per_producer.values().copied().collect::<Vec<_>>(),
            [4, 4, 4]
        );
        assert_eq!(consumer.stats().excess, 0);
    }
}

/// A raw DEALER that ignores its credit, and sends garbage: the consumer keeps exactly the
/// window, drops and counts the rest, and answers with the exact grants of the protocol.
#[test]
fn a_producer_that_ignores_its_credit_is_cut_off() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let mut consumer =
            CreditReceiver::bind(&ctx, bind_endpoint(transport, "hostile"), 4).unwrap();
        let rogue = patient(Dealer::new(&ctx).unwrap());
        rogue.connect(consumer.endpoint()).unwrap();
        rogue.send(["HELLO", "0"]).unwrap();
        consumer.wait_for_producers(1, PATIENCE).unwrap();
        assert_eq!(
            rogue.recv().unwrap().to_vecs(),
            [b"CREDIT".to_vec(), b"4".to_vec(), b"4".to_vec()]
        );
        for n in 0..12 {
            rogue.send(["DATA", &n.to_string()]).unwrap();
        }
        rogue.send("BOGUS").unwrap();
        rogue.send(["HELLO", "-1"]).unwrap();
        rogue.send(["HELLO", "1", "2"]).unwrap();
        rogue.send("DATA").unwrap();
        let mut read = 0;
        while read < 16 {
            read += consumer.service(PATIENCE).unwrap();
        }
        let stats = consumer.stats();
        assert_eq!(
            (stats.received, stats.excess, stats.malformed),
            (4, 8, 4),
            "{transport:?}"
        );
        assert_eq!(consumer.queued(), 4);
        for n in 0..4 {
            assert_eq!(
                consumer.recv_timeout(PATIENCE).unwrap().body,
                n.to_string().as_str()
            );
        }
        for allowance in 5..=8 {
            let grant = rogue.recv().unwrap().to_vecs();
            assert_eq!(
                grant,
                [
                    b"CREDIT".to_vec(),
                    allowance.to_string().into_bytes(),
                    b"4".to_vec()
                ]
            );
        }
        // A greeting that says 2 more were sent than came: their credit is given back.
        rogue.send(["DATA", "4"]).unwrap();
        rogue.send(["HELLO", "7"]).unwrap();
        let mut read = 0;
        while read < 2 {
            read += consumer.service(PATIENCE).unwrap();
        }
        assert_eq!(consumer.stats().lost, 2);
        let grant = rogue.recv().unwrap().to_vecs();
        assert_eq!(
            grant,
            [b"CREDIT".to_vec(), b"10".to_vec(), b"4".to_vec()],
            "{transport:?}"
        );
    }
}

/// Over the cap, a new producer is refused and never gets credit; bad settings are errors.
#[test]
fn producers_over_the_cap_are_refused() {
    let ctx = Context::new().unwrap();
    let mut consumer = CreditReceiver::bind(&ctx, "inproc://bp-cap", 2)
        .unwrap()
        .with_max_producers(1);
    let mut first = CreditSender::connect(&ctx, "inproc://bp-cap").unwrap();
    consumer.wait_for_producers(1, PATIENCE).unwrap();
    let mut second = CreditSender::connect(&ctx, "inproc://bp-cap").unwrap();
    while consumer.stats().refused == 0 {
        consumer.service(PATIENCE).unwrap();
    }
    assert_eq!(consumer.stats().producers, 1);
    first.send_timeout("ok", PATIENCE).unwrap();
    assert!(second.try_send("no").unwrap().is_some());
    assert_eq!(consumer.recv_timeout(PATIENCE).unwrap().body, "ok");

    let zero = CreditReceiver::bind(&ctx, "inproc://bp-zero", 0).unwrap_err();
    assert!(
        matches!(zero, zmq_typed::Error::InvalidArgument(_)),
        "{zero:?}"
    );
}

/// A consumer waiting for messages and a producer waiting for credit both end with
/// `is_terminated()` when the context shuts down.
#[test]
fn context_shutdown_ends_both_sides() {
    let ctx = Context::new().unwrap();
    let (_consumer, mut producer) = credit_pair(&ctx, Transport::Tcp, 1);
    producer.send_timeout("only", PATIENCE).unwrap();
    // No credit left, and the consumer takes nothing: this send waits until the shutdown.
    let waiting_producer = thread::spawn(move || producer.send("second").unwrap_err());
    let mut idle = CreditReceiver::bind(&ctx, "inproc://bp-idle", 1).unwrap();
    let waiting_consumer = thread::spawn(move || idle.recv().unwrap_err());
    ctx.shutdown().unwrap();
    let failed = within(PATIENCE, "producer", move || {
        waiting_producer.join().unwrap()
    });
    assert!(failed.error().is_terminated(), "{failed:?}");
    assert_eq!(failed.into_message(), "second");
    let error = within(PATIENCE, "consumer", move || {
        waiting_consumer.join().unwrap()
    });
    assert!(error.is_terminated(), "{error:?}");
}

/// The producer's wire, seen from a raw ROUTER: it greets, greets again each probe while it
/// has no credit (so a lost grant does not stall it), keeps the largest allowance it is
/// told, and frames every message `[DATA][payload...]`.
#[test]
fn the_producer_greets_again_and_keeps_the_largest_allowance() {
    let ctx = Context::new().unwrap();
    let router = patient(Router::new(&ctx).unwrap());
    let endpoint = router.bind("tcp://127.0.0.1:*").unwrap();
    let mut producer = CreditSender::connect(&ctx, &endpoint)
        .unwrap()
        .with_probe(Duration::from_millis(5));
    let hello = router.recv().unwrap();
    assert_eq!(hello.body.to_vecs(), [b"HELLO".to_vec(), b"0".to_vec()]);
    // That greeting's grant is "lost": the producer, waiting, greets again.
    let sending = thread::spawn(move || {
        producer.send_timeout(["two", "frames"], PATIENCE).unwrap();
        producer
    });
    let again = router.recv().unwrap();
    assert_eq!(again.body.to_vecs(), [b"HELLO".to_vec(), b"0".to_vec()]);
    router.send_to(&again.id, ["CREDIT", "2", "2"]).unwrap();
    assert_eq!(
        next_data(&router, 0),
        [b"DATA".to_vec(), b"two".to_vec(), b"frames".to_vec()]
    );
    let mut producer = within(PATIENCE, "producer", move || sending.join().unwrap());
    // A stale, smaller allowance changes nothing; a bad grant is ignored.
    router.send_to(&again.id, ["CREDIT", "3", "2"]).unwrap();
    router.send_to(&again.id, ["CREDIT", "1", "2"]).unwrap();
    router.send_to(&again.id, ["CREDIT", "x", "2"]).unwrap();
    producer.send_timeout("b", PATIENCE).unwrap();
    producer.send_timeout("c", PATIENCE).unwrap();
    assert_eq!(
        (producer.sent(), producer.credit(), producer.in_flight()),
        (3, 0, 2)
    );
    for (payload, sent_before) in [("b", 1), ("c", 2)] {
        assert_eq!(
            next_data(&router, sent_before),
            [b"DATA".to_vec(), payload.as_bytes().to_vec()]
        );
    }
}

/// The next message that is not a greeting. A producer waiting for a grant that is on its
/// way greets again each probe (5 ms here: under load, the grant may take longer), so
/// greetings may come between the messages; each must say `sent_before` messages.
fn next_data(router: &Router, sent_before: u64) -> Vec<Vec<u8>> {
    loop {
        let frames = router.recv().unwrap().body.to_vecs();
        if frames.first().map(Vec::as_slice) != Some(b"HELLO".as_slice()) {
            return frames;
        }
        assert_eq!(
            frames,
            [b"HELLO".to_vec(), sent_before.to_string().into_bytes()]
        );
    }
}

/// A starved producer greets again once a probe has passed, whichever call it is in: a
/// producer that only polls with `try_send`, or waits in `send_timeout`s shorter than the
/// probe, recovers a lost grant too.
#[test]
fn a_polling_producer_greets_again() {
    let ctx = Context::new().unwrap();
    let router = patient(Router::new(&ctx).unwrap());
    let endpoint = router.bind("tcp://127.0.0.1:*").unwrap();
    for short_timeouts in [false, true] {
        let mut producer = CreditSender::connect(&ctx, &endpoint)
            .unwrap()
            .with_probe(Duration::from_millis(20));
        let hello = router.recv().unwrap();
        assert_eq!(hello.body.to_vecs(), [b"HELLO".to_vec(), b"0".to_vec()]);
        // That grant is "lost": the producer polls until it has greeted again.
        let give_up = Instant::now() + PATIENCE;
        let again = loop {
            if short_timeouts {
                let failed = producer
                    .send_timeout("x", Duration::from_millis(1))
                    .unwrap_err();
                assert!(failed.error().is_timeout(), "{failed:?}");
            } else {
                assert_eq!(producer.try_send("x").unwrap().unwrap(), "x");
            }
            if let Some(again) = router.try_recv().unwrap() {
                break again;
            }
            assert!(Instant::now() < give_up, "no second greeting");
        };
        assert_eq!(again.id, hello.id);
        assert_eq!(again.body.to_vecs(), [b"HELLO".to_vec(), b"0".to_vec()]);
        router.send_to(&again.id, ["CREDIT", "1", "1"]).unwrap();
        producer.send_timeout("x", PATIENCE).unwrap();
        // Under load it may have greeted once more before the first greeting came.
        let data = loop {
            let next = router.recv().unwrap();
            if next.body.to_vecs() != [b"HELLO".to_vec(), b"0".to_vec()] {
                break next;
            }
        };
        assert_eq!(data.body.to_vecs(), [b"DATA".to_vec(), b"x".to_vec()]);
    }
}

/// A zero timeout still takes a message already on the wire; `service` reads at most
/// `SERVICE_BURST` wire messages a call, so a peer that never stops cannot hold it.
#[test]
fn zero_timeouts_read_and_service_is_bounded() {
    let ctx = Context::new().unwrap();
    let mut consumer = CreditReceiver::bind(&ctx, "inproc://bp-burst", 4).unwrap();
    let mut producer = CreditSender::connect(&ctx, "inproc://bp-burst").unwrap();
    consumer.wait_for_producers(1, PATIENCE).unwrap();
    producer.send("a").unwrap();
    producer.send("b").unwrap();
    assert_eq!(consumer.recv().unwrap().body, "a");
    // "b" is on the wire, not read yet.
    assert_eq!(consumer.queued(), 0);
    assert_eq!(consumer.recv_timeout(Duration::ZERO).unwrap().body, "b");
    let none = consumer.recv_timeout(Duration::ZERO).unwrap_err();
    assert!(none.is_timeout(), "{none:?}");

    let flood = SERVICE_BURST + 10;
    let rogue = Dealer::new(&ctx).unwrap();
    QueueBounds::new(Some(5000), Some(5000))
        .apply(&rogue)
        .unwrap();
    rogue.connect("inproc://bp-burst").unwrap();
    for _ in 0..flood {
        assert_eq!(rogue.try_send("BOGUS").unwrap(), None);
    }
    assert_eq!(consumer.service(PATIENCE).unwrap(), SERVICE_BURST);
    assert_eq!(consumer.service(PATIENCE).unwrap(), 10);
    assert_eq!(consumer.stats().malformed, flood as u64);
}

/// A message of no frame is refused, as on any socket, and uses no credit (`[DATA]` alone
/// would be dropped as malformed, its credit never given back).
#[test]
fn an_empty_message_is_refused_and_uses_no_credit() {
    let ctx = Context::new().unwrap();
    let (mut consumer, mut producer) = credit_pair(&ctx, Transport::Inproc, 1);
    let refused = producer.send(Multipart::new()).unwrap_err();
    assert!(
        matches!(refused.error(), zmq_typed::Error::EmptyMessage),
        "{refused:?}"
    );
    let refused = producer.try_send(Multipart::new()).unwrap_err();
    assert!(matches!(refused.error(), zmq_typed::Error::EmptyMessage));
    assert_eq!(producer.sent(), 0);
    producer.send_timeout("a", PATIENCE).unwrap();
    assert_eq!(consumer.recv_timeout(PATIENCE).unwrap().body, "a");
    assert_eq!(consumer.stats().malformed, 0);
}

/// Options a listening socket's connections take when it binds are set on a ROUTER made
/// first: a frame over `ZMQ_MAXMSGSIZE` disconnects its producer.
#[test]
fn bind_router_applies_the_options_set_before_binding() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    router.set_max_msg_size(Some(16)).unwrap();
    let monitor = router.monitor(EventMask::DISCONNECTED).unwrap();
    let consumer = CreditReceiver::bind_router(router, "tcp://127.0.0.1:*", 4).unwrap();
    let rogue = patient(Dealer::new(&ctx).unwrap());
    rogue.connect(consumer.endpoint()).unwrap();
    rogue.send(["HELLO", "0"]).unwrap();
    rogue.send(["DATA", &"x".repeat(100)]).unwrap();
    let event = monitor
        .wait_for(PATIENCE, |kind| {
            matches!(kind, EventKind::Disconnected { .. })
        })
        .unwrap();
    assert!(matches!(event.kind, EventKind::Disconnected { .. }));
    // The producer's side: a DEALER set up before it connects.
    let dealer = Dealer::new(&ctx).unwrap();
    QueueBounds::new(Some(3), None).apply(&dealer).unwrap();
    let producer = CreditSender::connect_dealer(dealer, consumer.endpoint()).unwrap();
    assert_eq!(QueueBounds::read(producer.socket()).unwrap().send, Some(3));
    let zero = CreditReceiver::bind_router(Router::new(&ctx).unwrap(), "inproc://bp-z", 0);
    assert!(matches!(zero, Err(zmq_typed::Error::InvalidArgument(_))));
}

/// Producers that come and go do not fill the cap for good: at the cap, a new producer's
/// greetings make the consumer forget one that is gone (no connection left, nothing
/// waiting), and the new one gets credit; one still connected is never forgotten.
#[test]
fn a_gone_producer_makes_room_at_the_cap() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    let monitor = router.monitor(EventMask::DISCONNECTED).unwrap();
    let mut consumer = CreditReceiver::bind_router(router, "tcp://127.0.0.1:*", 2)
        .unwrap()
        .with_max_producers(2);
    let mut stays = CreditSender::connect(&ctx, consumer.endpoint()).unwrap();
    let mut goes = CreditSender::connect(&ctx, consumer.endpoint()).unwrap();
    consumer.wait_for_producers(2, PATIENCE).unwrap();
    goes.send_timeout("from the one that goes", PATIENCE)
        .unwrap();
    assert_eq!(
        consumer.recv_timeout(PATIENCE).unwrap().body,
        "from the one that goes"
    );
    drop(goes);
    monitor
        .wait_for(PATIENCE, |kind| {
            matches!(kind, EventKind::Disconnected { .. })
        })
        .unwrap();
    let mut comes = CreditSender::connect(&ctx, consumer.endpoint())
        .unwrap()
        .with_probe(Duration::from_millis(5));
    // Its greetings are refused until the gone producer's turn comes and the ROUTER has
    // let go of its connection.
    let give_up = Instant::now() + PATIENCE;
    while comes.try_send("new").unwrap().is_some() {
        consumer.service(Duration::from_millis(5)).unwrap();
        assert!(Instant::now() < give_up, "{:?}", consumer.stats());
    }
    assert_eq!(consumer.recv_timeout(PATIENCE).unwrap().body, "new");
    let stats = consumer.stats();
    assert_eq!((stats.producers, stats.forgotten), (2, 1), "{stats:?}");
    // The one that stayed is still served.
    stays.send_timeout("still here", PATIENCE).unwrap();
    assert_eq!(consumer.recv_timeout(PATIENCE).unwrap().body, "still here");
}

/// Forged grants from a hostile consumer: anything but decimal digits that fit in a u64 is
/// ignored, and the largest allowance (`u64::MAX` included) overflows nothing.
#[test]
fn forged_grants_are_ignored_or_saturate() {
    let ctx = Context::new().unwrap();
    let router = patient(Router::new(&ctx).unwrap());
    router.bind("inproc://bp-forged").unwrap();
    let mut producer = CreditSender::connect(&ctx, "inproc://bp-forged").unwrap();
    let id = router.recv().unwrap().id;
    let max = u64::MAX.to_string();
    for (allowance, window) in [
        ("-1", "2"),
        ("+5", "2"),
        (" 5", "2"),
        ("5 ", "2"),
        ("99999999999999999999", "2"),
        ("", "2"),
        ("5", "x"),
        // The marker: once it is sent on, every grant before it has been read.
        ("1", "1"),
    ] {
        router.send_to(&id, ["CREDIT", allowance, window]).unwrap();
    }
    router.send_to(&id, ["CREDIT", "9"]).unwrap();
    producer.send_timeout("a", PATIENCE).unwrap();
    assert_eq!((producer.credit(), producer.in_flight()), (0, 1));
    router.send_to(&id, ["CREDIT", &max, &max]).unwrap();
    producer.send_timeout("b", PATIENCE).unwrap();
    assert_eq!(
        (producer.credit(), producer.in_flight(), producer.window()),
        (u64::MAX - 2, 2, u64::MAX)
    );
}
