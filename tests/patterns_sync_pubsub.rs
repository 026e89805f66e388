//! Synchronised publish-subscribe (`zmq_typed::patterns::sync_pubsub`) over inproc, ipc and
//! tcp: every subscriber receives every one of the first messages, in order; topics filter;
//! each subscriber waited for by its own sync token, a stranger's subscription standing for
//! none; the guide's C `syncsub` and `syncpub` protocol (one request, one empty reply);
//! timeouts, retries and the context's shutdown.

mod common;

use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::{bind_endpoint, patient, Transport, PATIENCE};
use zmq_typed::patterns::sync_pubsub::{SyncPublisher, SyncSubscriber, SYNC_TOKEN_MARK};
use zmq_typed::{Context, Error, Rep, Req, Sub, XPub};

const UPDATES: usize = 1000;

fn publisher(ctx: &Context, transport: Transport) -> SyncPublisher {
    SyncPublisher::bind(
        ctx,
        &bind_endpoint(transport, "updates"),
        &bind_endpoint(transport, "sync"),
    )
    .unwrap()
}

fn subscriber(ctx: &Context, publisher: &SyncPublisher, topics: &[&str]) -> SyncSubscriber {
    let subscriber = SyncSubscriber::connect(
        ctx,
        publisher.updates_endpoint(),
        publisher.sync_endpoint(),
        topics,
    )
    .unwrap();
    subscriber
        .subscriber()
        .set_rcvtimeo(Some(PATIENCE))
        .unwrap();
    subscriber
}

/// Syncs, then receives text updates until one ends with `END` as many times as `ends`.
fn listen(subscriber: SyncSubscriber, ends: usize) -> thread::JoinHandle<Vec<String>> {
    thread::spawn(move || {
        subscriber.sync(Some(PATIENCE)).unwrap();
        let mut received = Vec::new();
        let mut ended = 0;
        while ended < ends {
            let update = subscriber.recv().unwrap().into_string().unwrap();
            if update.ends_with("END") {
                ended += 1;
            }
            received.push(update);
        }
        received
    })
}

fn joined(handles: Vec<thread::JoinHandle<Vec<String>>>) -> Vec<Vec<String>> {
    within(PATIENCE, "the subscribers finish", move || {
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn every_subscriber_gets_every_first_message(transport: Transport) {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, transport);
    let listeners: Vec<_> = (0..3)
        .map(|_| listen(subscriber(&ctx, &publisher, &[""]), 1))
        .collect();
    publisher.wait_for_subscribers(3, Some(PATIENCE)).unwrap();
    assert_eq!(publisher.synchronised(), 3);
    for n in 0..UPDATES {
        publisher.send(n.to_string()).unwrap();
    }
    publisher.send("END").unwrap();

    let mut expected: Vec<String> = (0..UPDATES).map(|n| n.to_string()).collect();
    expected.push("END".into());
    for received in joined(listeners) {
        assert_eq!(received, expected);
    }
}

fn topics_filter(transport: Transport) {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, transport);
    let a = listen(subscriber(&ctx, &publisher, &["A"]), 1);
    let b = listen(subscriber(&ctx, &publisher, &["B"]), 1);
    // Two topics (and a duplicate): its request announces two subscriptions.
    let both = listen(subscriber(&ctx, &publisher, &["A", "B", "A"]), 2);
    publisher.wait_for_subscribers(3, Some(PATIENCE)).unwrap();
    for n in 0..100 {
        publisher.send(format!("A {n}")).unwrap();
        publisher.send(format!("B {n}")).unwrap();
        publisher.send(format!("C {n}")).unwrap();
    }
    publisher.send("A END").unwrap();
    publisher.send("B END").unwrap();

    let only = |topic: &str| -> Vec<String> {
        let mut updates: Vec<String> = (0..100).map(|n| format!("{topic} {n}")).collect();
        updates.push(format!("{topic} END"));
        updates
    };
    let mut interleaved = Vec::new();
    for n in 0..100 {
        interleaved.push(format!("A {n}"));
        interleaved.push(format!("B {n}"));
    }
    interleaved.extend(["A END".to_string(), "B END".to_string()]);
    assert_eq!(
        joined(vec![a, b, both]),
        [only("A"), only("B"), interleaved]
    );
}

/// The publisher drops nothing for a subscriber that reads only once everything was sent,
/// five times its (default) receive high-water mark: the updates queue up instead.
fn nothing_is_dropped_for_a_late_reader(transport: Transport) {
    const MANY: usize = 5000;
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, transport);
    let subscriber = subscriber(&ctx, &publisher, &[""]);
    let syncing = thread::spawn(move || subscriber.sync(Some(PATIENCE)).map(|()| subscriber));
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    let subscriber = within(PATIENCE, "sync", move || syncing.join().unwrap()).unwrap();
    for n in 0..MANY {
        publisher.send(n.to_string()).unwrap();
    }
    for n in 0..MANY {
        let update = subscriber
            .recv()
            .unwrap_or_else(|e| panic!("{transport:?} update {n}: {e}"));
        assert_eq!(update, n.to_string(), "{transport:?}");
    }
}

/// A subscriber that goes away after it synchronised holds nothing up: the publisher's
/// sends never wait for it, and the other subscriber gets every update.
fn a_subscriber_that_leaves_holds_nothing_up(transport: Transport) {
    const MANY: usize = 5000;
    let ctx = Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    let publisher = publisher(&ctx, transport);
    let stays = listen(subscriber(&ctx, &publisher, &[""]), 1);
    let leaves = subscriber(&ctx, &publisher, &[""]);
    let leaving = thread::spawn(move || leaves.sync(Some(PATIENCE)));
    publisher.wait_for_subscribers(2, Some(PATIENCE)).unwrap();
    within(PATIENCE, "the leaving sync", move || {
        leaving.join().unwrap()
    })
    .unwrap();
    let publisher = within(PATIENCE, "sends", move || {
        for n in 0..MANY {
            publisher.send(n.to_string()).unwrap();
        }
        publisher.send("END").unwrap();
        publisher
    });
    let received = joined(vec![stays]).remove(0);
    assert_eq!(received.len(), MANY + 1, "{transport:?}");
    drop(publisher);
}

macro_rules! over_every_transport {
    ($($name:ident),* $(,)?) => {
        mod inproc { $( #[test] fn $name() { super::$name(super::Transport::Inproc) } )* }
        mod ipc { $( #[test] fn $name() { super::$name(super::Transport::Ipc) } )* }
        mod tcp { $( #[test] fn $name() { super::$name(super::Transport::Tcp) } )* }
    };
}

over_every_transport!(
    every_subscriber_gets_every_first_message,
    topics_filter,
    a_strangers_subscription_does_not_stand_for_a_synchronised_one,
    nothing_is_dropped_for_a_late_reader,
    a_subscriber_that_leaves_holds_nothing_up,
);

/// The guide's C `syncsub`: a SUB subscribed to everything, a REQ that sends one empty
/// frame and waits for the reply, then the updates.
#[test]
fn a_plain_syncsub_is_counted_and_answered() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let sub = patient(Sub::new(&ctx).unwrap());
    sub.subscribe("").unwrap();
    sub.connect(publisher.updates_endpoint()).unwrap();
    let req = patient(Req::new(&ctx).unwrap());
    req.connect(publisher.sync_endpoint()).unwrap();
    let plain = thread::spawn(move || {
        let (reply, _req) = req.send("").unwrap().recv().unwrap();
        assert_eq!(reply.to_vecs(), [Vec::<u8>::new()], "one empty frame");
        (0..=UPDATES)
            .map(|_| sub.recv().unwrap().into_string().unwrap())
            .collect::<Vec<_>>()
    });
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    for n in 0..UPDATES {
        publisher.send(n.to_string()).unwrap();
    }
    publisher.send("END").unwrap();
    let received = within(PATIENCE, "the plain subscriber", move || {
        plain.join().unwrap()
    });
    assert_eq!(received.len(), UPDATES + 1);
    assert_eq!(received[0], "0");
    assert_eq!(received[UPDATES], "END");
}

/// The slow joiner, made certain: the sync request arrives, and is answered, before the
/// subscriber has even connected for updates. The publisher still waits for the
/// subscription itself, so the first update is not lost.
#[test]
fn the_publisher_waits_for_the_subscription_not_only_the_request() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let updates = publisher.updates_endpoint().to_string();
    let req = patient(Req::new(&ctx).unwrap());
    req.connect(publisher.sync_endpoint()).unwrap();
    let late = {
        let ctx = ctx.clone();
        thread::spawn(move || {
            let (reply, _req) = req.send("").unwrap().recv().unwrap();
            assert_eq!(reply.to_vecs(), [Vec::<u8>::new()]);
            let sub = patient(Sub::new(&ctx).unwrap());
            sub.subscribe("").unwrap();
            sub.connect(&updates).unwrap();
            sub.recv().unwrap().into_string().unwrap()
        })
    };
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    publisher.send("first").unwrap();
    let first = within(PATIENCE, "the late subscriber", move || {
        late.join().unwrap()
    });
    assert_eq!(first, "first");
}

/// The guide's C `syncpub` side: a REP receives one frame (the sync token, which a
/// `syncpub` ignores), and its empty reply ends `sync`. Seen from an XPUB, the subscriber's
/// topics come first, in byte order, then its token, which extends the greatest topic;
/// the token stays subscribed until the subscriber closes, when libzmq unsubscribes it.
#[test]
fn a_subscriber_sends_its_token_after_its_topics() {
    let ctx = Context::new().unwrap();
    let updates = patient(XPub::new(&ctx).unwrap());
    updates.set_xpub_verbose(true).unwrap();
    let updates_endpoint = updates.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let rep = patient(Rep::new(&ctx).unwrap());
    let sync_endpoint = rep.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let topics = ["b", "a\u{ff}", "ab", "b\u{ff}\u{ff}", ""];
    let subscriber =
        SyncSubscriber::connect(&ctx, &updates_endpoint, &sync_endpoint, &topics).unwrap();
    let syncing = thread::spawn(move || subscriber.sync(Some(PATIENCE)).map(|()| subscriber));
    let (request, rep) = rep.recv().unwrap();
    let [token] = <[Vec<u8>; 1]>::try_from(request.to_vecs()).unwrap();
    let greatest = "b\u{ff}\u{ff}".as_bytes();
    assert!(token.starts_with(greatest), "{token:x?}");
    assert!(
        token[greatest.len()..].starts_with(SYNC_TOKEN_MARK),
        "{token:x?}"
    );

    let mut arrived = Vec::new();
    while arrived.last() != Some(&token) {
        let subscription = updates.recv_subscription().unwrap();
        assert!(subscription.is_subscribe());
        arrived.push(subscription.topic().to_vec());
    }
    let mut sorted: Vec<Vec<u8>> = topics.iter().map(|t| t.as_bytes().to_vec()).collect();
    sorted.sort();
    sorted.push(token.clone());
    assert_eq!(arrived, sorted);

    let _rep = rep.send("").unwrap();
    let subscriber = within(PATIENCE, "sync", move || syncing.join().unwrap()).unwrap();
    updates.send("only one copy").unwrap();
    assert_eq!(subscriber.recv().unwrap(), "only one copy");
    drop(subscriber);
    let mut left = Vec::new();
    while !left.contains(&token) {
        let unsubscribed = updates.recv_subscription().unwrap();
        assert!(!unsubscribed.is_subscribe());
        left.push(unsubscribed.topic().to_vec());
    }
    left.sort();
    assert_eq!(
        left, sorted,
        "every topic and the token leave with the subscriber"
    );
}

/// A subscriber that synchronises twice is counted once; a wait for none returns at once.
#[test]
fn a_second_sync_is_answered_and_counted_once() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    publisher.wait_for_subscribers(0, None).unwrap();
    let twice = subscriber(&ctx, &publisher, &["x"]);
    let once = subscriber(&ctx, &publisher, &["x"]);
    let syncing = thread::spawn(move || {
        twice.sync(Some(PATIENCE)).unwrap();
        twice.sync(Some(PATIENCE)).unwrap();
        // Only once the second request was answered does another subscriber come.
        once.sync(Some(PATIENCE)).unwrap();
        (twice, once)
    });
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    publisher.wait_for_subscribers(2, Some(PATIENCE)).unwrap();
    assert_eq!(publisher.synchronised(), 2);
    publisher.send("x first").unwrap();
    let (twice, once) = within(PATIENCE, "the syncs", move || syncing.join().unwrap());
    assert_eq!(twice.recv().unwrap(), "x first");
    assert_eq!(once.recv().unwrap(), "x first");
}

/// A topic too long to extend into a token: the request says how many topics there are,
/// as a guide's `syncsub`'s does, and the first update still arrives.
#[test]
fn a_topic_too_long_for_a_token_syncs_the_guides_way() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let longest = "t".repeat(zmq_typed::limits::MAX_TOPIC_LEN);
    let listener = listen(subscriber(&ctx, &publisher, &[longest.as_str(), "END"]), 1);
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    publisher.send(longest.clone()).unwrap();
    publisher.send("END").unwrap();
    assert_eq!(joined(vec![listener]), [[longest, "END".to_string()]]);
}

/// More subscribers than awaited: every subscriber the publisher counted (at least the
/// two awaited, maybe the third) gets the first update; after waiting for the third too,
/// every one gets the next.
#[test]
fn more_subscribers_than_awaited() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let listeners: Vec<_> = (0..3)
        .map(|_| listen(subscriber(&ctx, &publisher, &[""]), 1))
        .collect();
    publisher.wait_for_subscribers(2, Some(PATIENCE)).unwrap();
    let counted = publisher.synchronised();
    assert!(counted >= 2, "{counted}");
    publisher.send("first").unwrap();
    publisher.wait_for_subscribers(3, Some(PATIENCE)).unwrap();
    publisher.send("END").unwrap();
    let received = joined(listeners);
    let with_first = received.iter().filter(|r| r[0] == "first").count();
    assert!(with_first >= counted, "{counted} counted: {received:?}");
    assert!(received.iter().all(|r| r.last().unwrap() == "END"));
}

#[test]
fn a_wait_that_runs_out_is_a_timeout() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let e = publisher
        .wait_for_subscribers(1, Some(Duration::from_millis(50)))
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(e.to_string().contains("0 of 1 subscribers"), "{e}");

    // One came of the two awaited: the detail says so.
    let listener = listen(subscriber(&ctx, &publisher, &[""]), 1);
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    let e = publisher
        .wait_for_subscribers(2, Some(Duration::from_millis(50)))
        .unwrap_err();
    assert!(e.to_string().contains("1 of 2 subscribers"), "{e}");
    publisher.send("END").unwrap();
    assert_eq!(joined(vec![listener]), [["END"]]);
}

#[test]
fn a_sync_retried_after_a_timeout_counts_once() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let subscriber = subscriber(&ctx, &publisher, &[""]);
    // Nobody answers yet.
    let e = subscriber
        .sync(Some(Duration::from_millis(50)))
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    let syncing = thread::spawn(move || {
        subscriber.sync(Some(PATIENCE)).unwrap();
        subscriber.recv().unwrap().into_string().unwrap()
    });
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    publisher.send("first").unwrap();
    let first = within(PATIENCE, "the retried sync", move || {
        syncing.join().unwrap()
    });
    assert_eq!(first, "first");
    assert_eq!(publisher.synchronised(), 1);
}

#[test]
fn a_subscriber_needs_a_topic() {
    let ctx = Context::new().unwrap();
    let no_topics: &[&str] = &[];
    let e = SyncSubscriber::connect(&ctx, "inproc://none", "inproc://none-sync", no_topics)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:#?}");
}

#[test]
fn shutdown_ends_every_blocked_call() {
    // Nothing to deliver once shut down: no linger, so dropping the context does not wait.
    let ctx = Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let syncing = subscriber(&ctx, &publisher, &[""]);
    let receiving = subscriber(&ctx, &publisher, &["x"]);
    let waiting = thread::spawn(move || publisher.wait_for_subscribers(5, None));
    let syncing = thread::spawn(move || {
        // The publisher may answer before the shutdown: then the receive is what ends.
        syncing.sync(None).and_then(|()| syncing.recv().map(drop))
    });
    let receiving = thread::spawn(move || receiving.recv().map(drop));
    ctx.shutdown().unwrap();
    for (what, handle) in [("wait", waiting), ("sync", syncing), ("recv", receiving)] {
        let result = within(PATIENCE, what, move || handle.join().unwrap());
        assert!(result.unwrap_err().is_terminated(), "{what}");
    }
}

/// A subscription from a subscriber that never synchronises (a plain SUB) does not stand
/// for a synchronised subscriber's own: the publisher waits for the latter's sync token,
/// which its SUB subscribes to after its topics, so the first update reaches it.
fn a_strangers_subscription_does_not_stand_for_a_synchronised_one(transport: Transport) {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, transport);
    let stranger = patient(Sub::new(&ctx).unwrap());
    stranger.subscribe("").unwrap();
    stranger.connect(publisher.updates_endpoint()).unwrap();

    // A synchronised subscriber by the wire protocol, whose request overtakes its
    // subscriptions (its SUB connects only later).
    let mut token = b"news".to_vec();
    token.extend_from_slice(SYNC_TOKEN_MARK);
    token.extend_from_slice(b"stranger-test");
    let req = patient(Req::new(&ctx).unwrap());
    req.connect(publisher.sync_endpoint()).unwrap();
    let waiting = req.send(token.clone()).unwrap();
    // The stranger's subscription has come, the token has not: not synchronised yet.
    let e = publisher
        .wait_for_subscribers(1, Some(Duration::from_millis(200)))
        .unwrap_err();
    assert!(e.is_timeout(), "{transport:?}: {e:?}");

    let sub = patient(Sub::new(&ctx).unwrap());
    sub.subscribe("news").unwrap();
    sub.subscribe(&token).unwrap();
    sub.connect(publisher.updates_endpoint()).unwrap();
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    let (reply, _req) = waiting.recv().unwrap();
    assert_eq!(reply.to_vecs(), [Vec::<u8>::new()]);
    publisher.send("news first").unwrap();
    assert_eq!(sub.recv().unwrap(), "news first", "{transport:?}");
    assert_eq!(stranger.recv().unwrap(), "news first", "{transport:?}");
}

/// A publisher that closes right after its last message can cut the end off for a
/// subscriber that has not read it yet (libzmq drops the last batch already handed to the
/// connection). `wait_for_departures` keeps it open until each synchronised subscriber has
/// read to the end and left: here the subscribers start reading only once the publisher
/// waits, far behind (five times their receive high-water mark), and still get everything.
fn departures(transport: Transport) {
    const MANY: usize = 5000;
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, transport);
    let (go, start) = std::sync::mpsc::channel::<()>();
    let start = std::sync::Arc::new(std::sync::Mutex::new(start));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let subscriber = subscriber(&ctx, &publisher, &[""]);
            let start = start.clone();
            thread::spawn(move || {
                subscriber.sync(Some(PATIENCE)).unwrap();
                start.lock().unwrap().recv().unwrap();
                let mut count = 0;
                while subscriber.recv().unwrap() != "END" {
                    count += 1;
                }
                count
            })
        })
        .collect();
    publisher.wait_for_subscribers(2, Some(PATIENCE)).unwrap();
    for n in 0..MANY {
        publisher.send(format!("update {n}")).unwrap();
    }
    publisher.send("END").unwrap();
    let left = publisher.wait_for_departures(Some(Duration::from_millis(20)));
    let detail = format!("{:?}", left.unwrap_err());
    assert!(
        detail.contains("2 of the 2 synchronised subscribers with a token still connected"),
        "{detail}"
    );
    go.send(()).unwrap();
    go.send(()).unwrap();
    publisher.wait_for_departures(Some(PATIENCE)).unwrap();
    drop(publisher);
    for reader in readers {
        let count = within(PATIENCE, "a reader", move || reader.join().unwrap());
        assert_eq!(count, MANY);
    }
}

#[test]
fn the_publisher_waits_until_every_subscriber_read_to_the_end_and_left() {
    for transport in [Transport::Inproc, Transport::Ipc, Transport::Tcp] {
        departures(transport);
    }
}

/// Multicast carries no subscriptions back and has no handshake: both sides refuse it at
/// once, with the reason, instead of waiting for ever (no multicast is set up: the check
/// comes before libzmq).
#[test]
fn multicast_is_refused_with_the_reason() {
    let ctx = Context::new().unwrap();
    let group = "epgm://127.0.0.1;239.192.77.77:5677";
    for result in [
        SyncPublisher::bind(&ctx, group, "tcp://127.0.0.1:*").map(drop),
        SyncSubscriber::connect(&ctx, group, "tcp://127.0.0.1:9", &[""]).map(drop),
    ] {
        let e = result.unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        let text = e.to_string();
        assert!(
            text.contains(group) && text.contains("carries no subscription"),
            "{text}"
        );
    }
}

/// A subscriber that leaves before the publisher has read its sync request (its request
/// was sent, then it died) has left: its token's unsubscription, read first, counts once
/// the request is read, so `wait_for_departures` does not wait for it.
#[test]
fn a_subscriber_that_left_before_its_request_was_read_has_left() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let mut token = b"news".to_vec();
    token.extend_from_slice(SYNC_TOKEN_MARK);
    token.extend_from_slice(b"gone-early");
    let sub = patient(Sub::new(&ctx).unwrap());
    sub.subscribe("news").unwrap();
    sub.subscribe(&token).unwrap();
    let handshakes = sub.monitor_handshakes().unwrap();
    sub.connect(publisher.updates_endpoint()).unwrap();
    handshakes.wait_for_handshakes(1, PATIENCE).unwrap();
    drop(handshakes);
    drop(sub);
    // The publisher reads the subscription and the unsubscription while it waits in vain
    // (no request yet); however far it got, the outcome below is the same.
    let e = publisher
        .wait_for_subscribers(1, Some(Duration::from_millis(100)))
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    // Now its request arrives (sent before it died).
    let req = patient(Req::new(&ctx).unwrap());
    req.connect(publisher.sync_endpoint()).unwrap();
    let _waiting = req.send(token.clone()).unwrap();
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    publisher.wait_for_departures(Some(PATIENCE)).unwrap();
}

/// A topic holding the token mark would be taken for a token by the publisher and never
/// counted: refused at once.
#[test]
fn a_topic_holding_the_token_mark_is_refused() {
    let ctx = Context::new().unwrap();
    let mut topic = b"x".to_vec();
    topic.extend_from_slice(SYNC_TOKEN_MARK);
    let e =
        SyncSubscriber::connect(&ctx, "inproc://mark", "inproc://mark-sync", &[topic]).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    assert!(e.to_string().contains("SYNC_TOKEN_MARK"), "{e}");
}

/// A sync that runs out of time says so in its own words, whichever step ran out.
#[test]
fn a_sync_timeout_says_no_reply_came() {
    let ctx = Context::new().unwrap();
    let publisher = publisher(&ctx, Transport::Tcp);
    let subscriber = subscriber(&ctx, &publisher, &[""]);
    let e = subscriber
        .sync(Some(Duration::from_millis(50)))
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(
        e.to_string()
            .contains("no reply to the sync request within 50ms"),
        "{e}"
    );
    let e = publisher
        .wait_for_departures(Some(Duration::from_millis(10)))
        .map(|()| "no one synchronised: nothing to wait for");
    assert_eq!(e.unwrap(), "no one synchronised: nothing to wait for");
}
