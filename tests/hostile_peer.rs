//! A hostile remote peer cannot kill the process: libzmq adds and removes subscriptions
//! recursively, one stack frame per topic byte, so a remote XSUB that subscribes to a huge
//! topic and then unsubscribes or disconnects used to overflow the stack of the thread that
//! owns the XPUB ("thread 'zmq-typed-proxy' has overflowed its stack"), killing the process.
//!
//! The peer is raw ZMTP 3.0 over a `TcpStream` (`common::zmtp`). Every scenario runs in a
//! child process (`common::child`), so that a regression kills that child and fails that
//! test alone; and each ends by proving the survivor still works.

mod common;

use std::time::{Duration, Instant};

use common::child::run_or_check;
use common::zmtp::RawPeer;
use common::*;
use zmq_typed::proxy::PROXY_MAX_FORWARDED_MSG_SIZE;
use zmq_typed::{
    Context, Endpoint, Error, EventKind, EventMask, ProxyStats, Pub, Socket, SocketType,
    SteerableProxy, Sub, XPub, XSub,
};

const KIB_64: usize = 64 * 1024;
const MIB_4: usize = 4 * 1024 * 1024;

/// What the hostile peer does after subscribing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Unsubscribe,
    Disconnect,
}

/// A topic that is not all one byte, so that no trie shortcut applies.
fn topic(len: usize) -> Vec<u8> {
    (0..len).map(|i| b'a' + (i % 26) as u8).collect()
}

/// Whether a subscription message (flag byte and topic) of `topic_len` passes the socket's
/// `ZMQ_MAXMSGSIZE`.
fn accepted(limit: Option<u64>, topic_len: usize) -> bool {
    // The message is the flag byte and the topic: topic_len + 1 <= max.
    limit.is_none_or(|max| (topic_len as u64) < max)
}

/// Asks the proxy for its counters until `pred` holds (bounded by PATIENCE).
fn wait_for_stats<F, B, C>(
    proxy: &SteerableProxy<F, B, C>,
    what: &str,
    pred: impl Fn(&ProxyStats) -> bool,
) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stats = proxy.statistics().expect("statistics");
        if pred(&stats) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{what}: not within {PATIENCE:?}: {stats:?}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The peer subscribes to `topic`, over the socket's `ZMQ_MAXMSGSIZE`, then unsubscribes or
/// disconnects: libzmq drops it on reading the frame's size, before any byte of the topic
/// reaches a trie. Our writes may fail half-way: the peer is gone.
fn dropped_for_its_subscription(mut peer: RawPeer, topic: &[u8], then: Then) {
    let _ = peer.subscribe(topic);
    if then == Then::Unsubscribe {
        let _ = peer.unsubscribe(topic);
    }
    assert!(
        peer.closed_by_peer(PATIENCE),
        "libzmq kept a peer whose subscription exceeds ZMQ_MAXMSGSIZE"
    );
}

/// `publisher` reaches a subscriber connected to `subscribe_to`: publishes until the first
/// message arrives (subscriptions travel asynchronously), bounded by PATIENCE.
fn prove_pubsub(ctx: &Context, publisher: &Pub, subscribe_to: &Endpoint) {
    let sub = patient(Sub::new(ctx).unwrap());
    sub.subscribe("probe").unwrap();
    sub.connect(subscribe_to).unwrap();
    let deadline = Instant::now() + PATIENCE;
    loop {
        publisher.send("probe").unwrap();
        match sub.recv_timeout(Duration::from_millis(20)) {
            Ok(msg) => {
                assert_eq!(msg, "probe");
                return;
            }
            Err(e) if e.is_timeout() => assert!(
                Instant::now() < deadline,
                "no message through within {PATIENCE:?}"
            ),
            Err(e) => panic!("{e}"),
        }
    }
}

/// The longest topic a subscription message (flag byte and topic) can have under the
/// largest limit a steerable proxy accepts on a socket that feeds an XSUB.
const LARGEST_FORWARDED_TOPIC: usize = PROXY_MAX_FORWARDED_MSG_SIZE as usize - 1;

/// Through a steerable proxy (frontend XPUB, backend XSUB, both at their defaults unless
/// `raise_limit`), the hostile peer subscribes to `topic_len` bytes, then unsubscribes or
/// disconnects; the proxy survives and still forwards.
///
/// At the defaults the frontend refuses the subscription (`ZMQ_MAXMSGSIZE`). With the limit
/// raised to the largest the proxy accepts (before the bind, which copies it), the
/// subscription goes through, and the proxy thread's own stack has to take its removal.
fn through_proxy(topic_len: usize, then: Then, raise_limit: bool) {
    let ctx = Context::new().unwrap();
    let front = XPub::new(&ctx).unwrap();
    if raise_limit {
        front
            .set_max_msg_size(Some(PROXY_MAX_FORWARDED_MSG_SIZE))
            .unwrap();
    }
    let back = XSub::new(&ctx).unwrap();
    let front_ep = front.bind("tcp://127.0.0.1:*").unwrap();
    let back_ep = back.bind("tcp://127.0.0.1:*").unwrap();
    let limit = front.max_msg_size().unwrap();
    eprintln!("frontend XPUB ZMQ_MAXMSGSIZE: {limit:?}; topic: {topic_len} bytes; then {then:?}");
    let proxy = SteerableProxy::start(front, back).unwrap();

    let topic = topic(topic_len);
    let mut peer = RawPeer::connect(&front_ep.to_string(), "XSUB").expect("handshake");
    if accepted(limit, topic_len) {
        peer.subscribe(&topic).expect("subscribe");
        // The proxy has read the subscription from its XPUB (and written it to its XSUB,
        // which adds it to its own trie, recursively, on the proxy thread).
        wait_for_stats(&proxy, "the subscription forwarded", |s| {
            s.frontend.messages_in == 1
        });
        match then {
            Then::Unsubscribe => peer.unsubscribe(&topic).expect("unsubscribe"),
            Then::Disconnect => drop(peer),
        }
        // The XPUB passes the unsubscription up only after removing the topic from its trie
        // (recursively, on the proxy thread): once the proxy read it, the removal is done.
        wait_for_stats(&proxy, "the unsubscription forwarded", |s| {
            s.frontend.messages_in == 2
        });
    } else {
        dropped_for_its_subscription(peer, &topic, then);
        assert_eq!(proxy.statistics().unwrap().frontend.messages_in, 0);
    }

    // Still alive, and still a proxy: a SUB on the frontend gets what a PUB on the backend
    // publishes.
    let publisher = patient(Pub::new(&ctx).unwrap());
    publisher.connect(&back_ep).unwrap();
    prove_pubsub(&ctx, &publisher, &front_ep);
    let stats = proxy.statistics().unwrap();
    assert!(stats.backend.messages_in >= 1, "{stats:?}");
    assert_eq!(stats.backend.messages_in, stats.frontend.messages_out);
    proxy.terminate().unwrap();
}

#[test]
fn proxy_survives_a_64k_subscription_then_unsubscribe() {
    run_or_check("proxy_survives_a_64k_subscription_then_unsubscribe", || {
        through_proxy(KIB_64, Then::Unsubscribe, false)
    });
}

#[test]
fn proxy_survives_a_64k_subscription_then_disconnect() {
    run_or_check("proxy_survives_a_64k_subscription_then_disconnect", || {
        through_proxy(KIB_64, Then::Disconnect, false)
    });
}

#[test]
fn proxy_survives_a_4m_subscription_then_unsubscribe() {
    run_or_check("proxy_survives_a_4m_subscription_then_unsubscribe", || {
        through_proxy(MIB_4, Then::Unsubscribe, false)
    });
}

#[test]
fn proxy_survives_a_4m_subscription_then_disconnect() {
    run_or_check("proxy_survives_a_4m_subscription_then_disconnect", || {
        through_proxy(MIB_4, Then::Disconnect, false)
    });
}

/// The proxy thread's stack takes the removal of the longest subscription the proxy lets a
/// frontend take (64 KiB less the flag byte: about 5 MiB of stack, more than twice Rust's
/// default thread stack), when the frontend's limit is raised to the largest accepted.
#[test]
fn proxy_with_the_largest_limit_survives_the_longest_subscription_then_unsubscribe() {
    run_or_check(
        "proxy_with_the_largest_limit_survives_the_longest_subscription_then_unsubscribe",
        || through_proxy(LARGEST_FORWARDED_TOPIC, Then::Unsubscribe, true),
    );
}

#[test]
fn proxy_with_the_largest_limit_survives_the_longest_subscription_then_disconnect() {
    run_or_check(
        "proxy_with_the_largest_limit_survives_the_longest_subscription_then_disconnect",
        || through_proxy(LARGEST_FORWARDED_TOPIC, Then::Disconnect, true),
    );
}

/// With the limit raised, a subscription one byte longer than the longest accepted is
/// refused as at the defaults: the peer is dropped.
#[test]
fn proxy_with_the_largest_limit_drops_a_longer_subscription() {
    run_or_check(
        "proxy_with_the_largest_limit_drops_a_longer_subscription",
        || through_proxy(LARGEST_FORWARDED_TOPIC + 1, Then::Unsubscribe, true),
    );
}

/// The reviewer's reproduction: a PULL frontend (no `ZMQ_MAXMSGSIZE`) feeding an XSUB
/// backend, where a remote PUSH sending `\x01` + 1 MiB then `\x00` + 1 MiB overflowed the
/// proxy thread's stack. The proxy now refuses to start, saying what to do.
#[test]
fn proxy_refuses_a_pull_frontend_without_limit_feeding_an_xsub() {
    run_or_check(
        "proxy_refuses_a_pull_frontend_without_limit_feeding_an_xsub",
        || {
            let ctx = Context::new().unwrap();
            let front = Socket::new(&ctx, SocketType::Pull).unwrap();
            let back = Socket::new(&ctx, SocketType::XSub).unwrap();
            front.bind("tcp://127.0.0.1:*").unwrap();
            back.bind("tcp://127.0.0.1:*").unwrap();
            assert_eq!(front.max_msg_size().unwrap(), None);
            match SteerableProxy::start(front, back) {
                Err(Error::OptionValue { option, reason }) => {
                    assert_eq!(option, "ZMQ_MAXMSGSIZE");
                    assert!(
                        reason.starts_with("the frontend (PULL)'s limit is unlimited, "),
                        "{reason}"
                    );
                    assert!(
                        reason.contains(&format!(
                            "call set_max_msg_size(Some(n)) with n <= {PROXY_MAX_FORWARDED_MSG_SIZE} \
                             on the frontend before it binds or connects"
                        )),
                        "{reason}"
                    );
                }
                other => panic!("expected a refusal, got {other:?}"),
            }
        },
    );
}

/// `\x01` or `\x00` then `topic`: what an XSUB takes for a (un)subscription.
fn flagged(flag: u8, topic: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(topic.len() + 1);
    body.push(flag);
    body.extend_from_slice(topic);
    body
}

/// The same PULL frontend with its limit set (before the bind) to the largest the proxy
/// accepts: the proxy starts; a remote PUSH's oversize message (the reproduction's 1 MiB)
/// drops that peer only; another peer's messages at the limit go through, into the XSUB's
/// trie and out of it on the proxy thread, and one stays there. A new upstream peer of the
/// XSUB then gets that subscription (replayed recursively, on the proxy thread), and closing
/// everything frees it (on libzmq's reaper thread): the process survives it all.
#[test]
fn proxy_with_a_limited_pull_frontend_drops_an_oversize_peer() {
    run_or_check(
        "proxy_with_a_limited_pull_frontend_drops_an_oversize_peer",
        || {
            let ctx = Context::new().unwrap();
            let front = Socket::new(&ctx, SocketType::Pull).unwrap();
            front
                .set_max_msg_size(Some(PROXY_MAX_FORWARDED_MSG_SIZE))
                .unwrap();
            let front_ep = front.bind("tcp://127.0.0.1:*").unwrap();
            let back = Socket::new(&ctx, SocketType::XSub).unwrap();
            let back_ep = back.bind("tcp://127.0.0.1:*").unwrap();
            let proxy = SteerableProxy::start(front, back).unwrap();

            // Both peers are connected before the hostile one sends.
            let mut good = RawPeer::connect(&front_ep.to_string(), "PUSH").expect("handshake");
            let mut hostile = RawPeer::connect(&front_ep.to_string(), "PUSH").expect("handshake");
            let huge = topic(1 << 20);
            // libzmq drops the peer on reading the frame's size: our writes may fail half-way.
            let _ = hostile.send_frame(&flagged(1, &huge), false);
            let _ = hostile.send_frame(&flagged(0, &huge), false);
            assert!(
                hostile.closed_by_peer(PATIENCE),
                "libzmq kept a peer whose message exceeds ZMQ_MAXMSGSIZE"
            );
            drop(hostile);
            assert_eq!(proxy.statistics().unwrap().frontend.messages_in, 0);

            // The other peer, at the limit exactly: added and removed, then another added.
            let gone = topic(LARGEST_FORWARDED_TOPIC);
            let mut kept = topic(LARGEST_FORWARDED_TOPIC);
            kept[0] = b'K';
            good.send_frame(&flagged(1, &gone), false).expect("send");
            good.send_frame(&flagged(0, &gone), false).expect("send");
            good.send_frame(&flagged(1, &kept), false).expect("send");
            let size = PROXY_MAX_FORWARDED_MSG_SIZE;
            wait_for_stats(&proxy, "three messages at the limit forwarded", |s| {
                s.frontend.messages_in == 3
            });
            let stats = proxy.statistics().unwrap();
            assert_eq!(stats.frontend.bytes_in, 3 * size);
            assert_eq!(stats.backend.messages_out, 3);
            assert_eq!(stats.backend.bytes_out, 3 * size);

            // A new upstream peer of the XSUB gets the subscription it holds, and only it.
            let mut upstream = RawPeer::connect(&back_ep.to_string(), "XPUB").expect("handshake");
            let (frame, more) = upstream.recv_frame().expect("the subscription");
            assert!(!more);
            assert_eq!(frame, flagged(1, &kept));
            assert!(upstream
                .recv_frame_within(Duration::from_millis(100))
                .expect("no more")
                .is_none());

            let (front, back, capture) = proxy.terminate().unwrap();
            drop((front, back, capture, good, upstream));
            // Terminating the context waits for the reaper to free the XSUB's trie.
            drop(ctx);
        },
    );
}

/// Runs `f` on a thread with Rust's default 2 MiB stack, as a user's thread would have.
fn on_a_plain_thread(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new()
        .name("plain-2MiB".into())
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap();
    if let Err(panic) = handle.join() {
        std::panic::resume_unwind(panic);
    }
}

/// An XPUB in a plain thread, at its defaults: the hostile peer subscribes to 64 KiB and
/// disconnects. The XPUB hands the subscription and then the unsubscription to its reader,
/// each after its trie has taken it, so both steps are observed exactly.
#[test]
fn xpub_survives_a_64k_subscription_then_disconnect() {
    run_or_check("xpub_survives_a_64k_subscription_then_disconnect", || {
        on_a_plain_thread(|| {
            let ctx = Context::new().unwrap();
            let xpub = patient(XPub::new(&ctx).unwrap());
            let ep = xpub.bind("tcp://127.0.0.1:*").unwrap();
            let limit = xpub.max_msg_size().unwrap();
            eprintln!("XPUB ZMQ_MAXMSGSIZE: {limit:?}");
            let topic = topic(KIB_64);
            let mut peer = RawPeer::connect(&ep.to_string(), "XSUB").expect("handshake");
            if accepted(limit, KIB_64) {
                peer.subscribe(&topic).expect("subscribe");
                let sub = xpub.recv_subscription().unwrap();
                assert!(sub.is_subscribe());
                assert_eq!(sub.topic(), &topic[..]);
                drop(peer);
                // Removing the disconnected peer's subscriptions happens here, on this
                // thread, before the unsubscription can be read.
                let unsub = xpub.recv_subscription().unwrap();
                assert!(!unsub.is_subscribe());
                assert_eq!(unsub.topic(), &topic[..]);
            } else {
                dropped_for_its_subscription(peer, &topic, Then::Disconnect);
                assert!(matches!(xpub.try_recv(), Ok(None)));
            }
            // Still an XPUB: a SUB connected now gets what it publishes.
            let sub = patient(Sub::new(&ctx).unwrap());
            sub.subscribe("probe").unwrap();
            sub.connect(&ep).unwrap();
            let first = xpub.recv_subscription().unwrap();
            assert_eq!(first.topic(), b"probe");
            xpub.send("probe").unwrap();
            assert_eq!(sub.recv().unwrap(), "probe");
        })
    });
}

/// A PUB in a plain thread, at its defaults: the hostile peer subscribes to 64 KiB and
/// disconnects; sends on the PUB then process the disconnection (the removal of the
/// subscription happens inside them, on this thread).
#[test]
fn pub_survives_a_64k_subscription_then_disconnect() {
    run_or_check("pub_survives_a_64k_subscription_then_disconnect", || {
        on_a_plain_thread(|| {
            let ctx = Context::new().unwrap();
            let publisher = patient(Pub::new(&ctx).unwrap());
            let mon = publisher
                .monitor(EventMask::HANDSHAKE_SUCCEEDED | EventMask::DISCONNECTED)
                .unwrap();
            let ep = publisher.bind("tcp://127.0.0.1:*").unwrap();
            let limit = publisher.max_msg_size().unwrap();
            eprintln!("PUB ZMQ_MAXMSGSIZE: {limit:?}");
            let topic = topic(KIB_64);
            let mut peer = RawPeer::connect(&ep.to_string(), "XSUB").expect("handshake");
            let ev = mon.recv_timeout(PATIENCE).unwrap();
            assert_eq!(ev.kind, EventKind::HandshakeSucceeded);
            if accepted(limit, KIB_64) {
                peer.subscribe(&topic).expect("subscribe");
                // The PUB has the subscription once a message on that topic reaches the peer.
                let mut message = topic.clone();
                message.extend_from_slice(b" hello");
                let deadline = Instant::now() + PATIENCE;
                peer_receives(&publisher, &mut peer, &message, deadline);
                drop(peer);
            } else {
                dropped_for_its_subscription(peer, &topic, Then::Disconnect);
            }
            let ev = mon.recv_timeout(PATIENCE).unwrap();
            assert!(matches!(ev.kind, EventKind::Disconnected { .. }), "{ev:?}");
            // The sends process the disconnection; then the PUB still reaches a new SUB (whose
            // connection the PUB learns of after the old one's end).
            publisher.send("after").unwrap();
            prove_pubsub(&ctx, &publisher, &ep);
        })
    });
}

/// Publishes `message` until the raw peer receives it (its subscription reaches the PUB
/// asynchronously).
fn peer_receives(publisher: &Pub, peer: &mut RawPeer, message: &[u8], deadline: Instant) {
    loop {
        publisher.send(message.to_vec()).unwrap();
        // The PUB sends only what matches: the first frame that arrives is ours.
        match peer.recv_frame_within(Duration::from_millis(50)).unwrap() {
            Some((frame, more)) => {
                assert_eq!(frame, message);
                assert!(!more);
                return;
            }
            None => assert!(Instant::now() < deadline, "the subscription never took"),
        }
    }
}
