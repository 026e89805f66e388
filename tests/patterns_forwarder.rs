//! The pub-sub forwarder, over inproc, ipc and tcp, with its XSUB connecting upstream or
//! bound: every update published after a subscriber's subscription reached the publisher
//! gets to it, exactly; an over-long subscription is refused without harm; the counters are
//! exact; stopping, dropping and the context's shutdown never hang.

mod common;

use common::watchdog::within;
use common::zmtp::RawPeer;
use common::*;
use std::time::Duration;
use zmq_typed::limits::MAX_TOPIC_LEN;
use zmq_typed::patterns::forwarder::Forwarder;
use zmq_typed::patterns::handle::Counters;
use zmq_typed::{Context, Error, Socket, SocketType, Sub, XPub, XSub};

/// A context whose sockets do not linger: the peers of these tests come and go, and what
/// a closed socket still had queued for one that went (a subscriber's re-subscription, a
/// reply) must not hold the context's end for the default linger.
fn quick_ctx() -> Context {
    Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap()
}

const SUBSCRIBERS: usize = 3;
const UPDATES: usize = 50;
const OWN: usize = 10;

#[derive(Debug, Clone, Copy)]
enum Upstream {
    /// The publisher binds, the forwarder's XSUB connects.
    Connect,
    /// The forwarder's XSUB binds, the publisher connects.
    Bind,
}

/// A publisher (an XPUB, to see subscriptions arrive) and a forwarder in front of it.
fn publisher_and_forwarder(
    ctx: &Context,
    transport: Transport,
    upstream: Upstream,
) -> (XPub, Forwarder) {
    let publisher = patient(XPub::new(ctx).unwrap());
    let downstream = bind_endpoint(transport, "fwd-down");
    let forwarder = match upstream {
        Upstream::Connect => {
            let endpoint = publisher.bind(bind_endpoint(transport, "fwd-up")).unwrap();
            Forwarder::start(ctx, &endpoint.to_string(), &downstream).unwrap()
        }
        Upstream::Bind => {
            let forwarder =
                Forwarder::start_binding(ctx, &bind_endpoint(transport, "fwd-up"), &downstream)
                    .unwrap();
            publisher.connect(forwarder.upstream_endpoint()).unwrap();
            forwarder
        }
    };
    (publisher, forwarder)
}

/// Subscriber `k` subscribes to `all` then to `s<k>`, in that order on its connection: once
/// `s<k>` has reached the publisher, so has everything subscriber `k` asked for.
fn forwards_every_update(transport: Transport, upstream: Upstream) {
    let ctx = quick_ctx();
    let (publisher, forwarder) = publisher_and_forwarder(&ctx, transport, upstream);
    let subscribers: Vec<Sub> = (0..SUBSCRIBERS)
        .map(|k| {
            let sub = patient(Sub::new(&ctx).unwrap());
            sub.subscribe("all").unwrap();
            sub.subscribe(format!("s{k}")).unwrap();
            sub.connect(forwarder.downstream_endpoint()).unwrap();
            sub
        })
        .collect();

    // The downstream XPUB passes the first subscription of each topic up: `all` once, then
    // each `s<k>`.
    let mut seen = Vec::new();
    while seen.iter().filter(|t: &&String| t.starts_with('s')).count() < SUBSCRIBERS {
        let subscription = publisher.recv_subscription().unwrap();
        assert!(subscription.is_subscribe());
        seen.push(String::from_utf8(subscription.topic().to_vec()).unwrap());
    }
    seen.sort();
    assert_eq!(
        seen,
        ["all", "s0", "s1", "s2"],
        "{transport:?} {upstream:?}"
    );

    for i in 0..UPDATES {
        publisher.send(format!("all {i}")).unwrap();
        publisher.send(format!("nobody {i}")).unwrap(); // filtered by the publisher
        if i < OWN {
            for k in 0..SUBSCRIBERS {
                publisher.send(format!("s{k} {i}")).unwrap();
            }
        }
    }
    publisher.send("all END").unwrap();

    // Everything is queued for each subscriber by now, in order.
    for (k, sub) in subscribers.iter().enumerate() {
        let mut got = Vec::new();
        loop {
            let update = sub.recv().unwrap().into_string().unwrap();
            if update == "all END" {
                break;
            }
            got.push(update);
        }
        let mut expected = Vec::new();
        for i in 0..UPDATES {
            expected.push(format!("all {i}"));
            if i < OWN {
                expected.push(format!("s{k} {i}"));
            }
        }
        assert_eq!(got, expected, "{transport:?} {upstream:?} subscriber {k}");
    }

    let updates = (UPDATES + OWN * SUBSCRIBERS + 1) as u64;
    let subscriptions = (SUBSCRIBERS + 1) as u64;
    let expected = Counters {
        frontend_in: updates,
        frontend_out: subscriptions,
        backend_in: subscriptions,
        backend_out: updates,
        dropped: 0,
    };
    assert_eq!(forwarder.counters().unwrap(), expected, "{transport:?}");
    assert_eq!(forwarder.stop().unwrap(), expected, "{transport:?}");
}

#[test]
fn the_forwarder_delivers_every_update_after_the_subscription() {
    within(PATIENCE * 3, "forwarder", || {
        for transport in TRANSPORTS {
            forwards_every_update(transport, Upstream::Connect);
        }
    });
}

#[test]
fn the_binding_forwarder_delivers_every_update_after_the_subscription() {
    within(PATIENCE * 3, "binding forwarder", || {
        for transport in TRANSPORTS {
            forwards_every_update(transport, Upstream::Bind);
        }
    });
}

/// A remote subscriber that sends a subscription longer than the downstream XPUB takes is
/// disconnected, and its subscription never goes up; one of `MAX_TOPIC_LEN` bytes does, and
/// the forwarder carries on for everyone.
#[test]
fn an_over_long_subscription_is_refused_and_the_forwarder_goes_on() {
    within(PATIENCE * 2, "over-long subscription", || {
        let ctx = quick_ctx();
        let (publisher, forwarder) =
            publisher_and_forwarder(&ctx, Transport::Tcp, Upstream::Connect);
        let downstream = forwarder.downstream_endpoint().to_string();

        let mut hostile = RawPeer::connect(&downstream, "SUB").unwrap();
        hostile.subscribe(&vec![b'x'; 64 * 1024]).unwrap();
        assert!(hostile.closed_by_peer(PATIENCE), "the XPUB kept the peer");

        let mut longest = RawPeer::connect(&downstream, "SUB").unwrap();
        let topic = vec![b'y'; MAX_TOPIC_LEN];
        longest.subscribe(&topic).unwrap();
        // The first subscription the publisher sees is this one: the long one never came.
        let subscription = publisher.recv_subscription().unwrap();
        assert_eq!(subscription.topic(), &topic[..]);

        let sub = patient(Sub::new(&ctx).unwrap());
        sub.subscribe("news").unwrap();
        sub.connect(&downstream).unwrap();
        assert_eq!(publisher.recv_subscription().unwrap().topic(), b"news");
        publisher.send("news 1").unwrap();
        assert_eq!(sub.recv().unwrap(), "news 1");
        let mut update = topic.clone();
        update.extend_from_slice(b" for the longest");
        publisher.send(update.clone()).unwrap();
        assert_eq!(longest.recv_frame().unwrap(), (update, false));

        let counted = forwarder.stop().unwrap();
        assert_eq!((counted.backend_in, counted.frontend_out), (2, 2));
        assert_eq!((counted.frontend_in, counted.backend_out), (2, 2));
    });
}

/// Over inproc libzmq's `ZMQ_MAXMSGSIZE` does not apply: the crate's own sockets refuse an
/// over-long subscription before it is sent, whether subscribed or sent raw by an XSUB,
/// typed or dynamic; one of `MAX_TOPIC_LEN` bytes goes up.
#[test]
fn an_in_process_subscriber_is_capped_by_the_crate() {
    within(PATIENCE, "inproc subscription", || {
        let ctx = quick_ctx();
        let (publisher, forwarder) =
            publisher_and_forwarder(&ctx, Transport::Inproc, Upstream::Connect);
        let xsub = XSub::new(&ctx).unwrap();
        xsub.connect(forwarder.downstream_endpoint()).unwrap();
        let dynamic = Socket::new(&ctx, SocketType::XSub).unwrap();
        dynamic.connect(forwarder.downstream_endpoint()).unwrap();
        let topic = vec![b'z'; MAX_TOPIC_LEN + 1];
        let mut raw = vec![1u8];
        raw.extend_from_slice(&topic);
        let refused = [
            xsub.subscribe(&topic).unwrap_err(),
            xsub.send(raw.clone()).unwrap_err().into_error(),
            dynamic.send(raw.clone()).unwrap_err().into_error(),
        ];
        for error in refused {
            assert!(matches!(error, Error::TopicTooLong { .. }), "{error:?}");
        }
        raw.pop();
        dynamic.send(raw).unwrap();
        assert_eq!(
            publisher.recv_subscription().unwrap().topic(),
            &topic[..MAX_TOPIC_LEN]
        );
        assert_eq!(forwarder.stop().unwrap().frontend_out, 1);
    });
}

/// A forwarder whose publisher is not there yet starts, takes subscribers, and stops at
/// once; when the publisher comes, the XSUB replays the subscriptions to it, and updates
/// flow.
#[test]
fn the_upstream_publisher_may_come_later() {
    within(PATIENCE * 2, "absent upstream", || {
        let dir = std::env::temp_dir();
        let ipc = format!(
            "ipc://{}/zmq-typed-fwd-late-{}",
            dir.display(),
            std::process::id()
        );
        let tcp = {
            // A free port, given back at once for the publisher that comes later.
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            format!("tcp://{}", probe.local_addr().unwrap())
        };
        for upstream in ["inproc://fwd-late".to_string(), ipc, tcp] {
            let ctx = quick_ctx();
            let absent = Forwarder::start(&ctx, &upstream, "inproc://fwd-late-never").unwrap();
            assert_eq!(absent.stop().unwrap(), Counters::default(), "{upstream}");

            let forwarder = Forwarder::start(&ctx, &upstream, "inproc://fwd-late-down").unwrap();
            let sub = patient(Sub::new(&ctx).unwrap());
            sub.subscribe("late").unwrap();
            sub.connect(forwarder.downstream_endpoint()).unwrap();
            let publisher = patient(XPub::new(&ctx).unwrap());
            publisher.bind(upstream.as_str()).unwrap();
            assert_eq!(publisher.recv_subscription().unwrap().topic(), b"late");
            publisher.send("late news").unwrap();
            assert_eq!(sub.recv().unwrap(), "late news", "{upstream}");
            let counted = forwarder.stop().unwrap();
            assert_eq!((counted.frontend_in, counted.backend_out), (1, 1));
        }
    });
}

/// Stopping is prompt and dropping returns, with subscribers connected and updates flowing
/// in; after the context's shutdown, counters and stop say so at once.
#[test]
fn forwarders_stop_drop_and_shutdown() {
    within(PATIENCE, "forwarder stop", || {
        for transport in TRANSPORTS {
            let ctx = quick_ctx();
            let (publisher, forwarder) =
                publisher_and_forwarder(&ctx, transport, Upstream::Connect);
            let sub = Sub::new(&ctx).unwrap();
            sub.subscribe("").unwrap();
            sub.connect(forwarder.downstream_endpoint()).unwrap();
            publisher.recv_subscription().unwrap();
            publisher.send("one").unwrap();
            assert_eq!(patient(sub).recv().unwrap(), "one");
            drop(forwarder);

            let (_publisher, forwarder) = publisher_and_forwarder(&ctx, transport, Upstream::Bind);
            assert_eq!(forwarder.stop().unwrap(), Counters::default());
        }
        let ctx = quick_ctx();
        let (_publisher, forwarder) =
            publisher_and_forwarder(&ctx, Transport::Inproc, Upstream::Connect);
        let (_publisher2, dropped) =
            publisher_and_forwarder(&ctx, Transport::Inproc, Upstream::Bind);
        ctx.shutdown().unwrap();
        assert!(forwarder.counters().unwrap_err().is_terminated());
        let error = forwarder.stop().unwrap_err();
        assert!(error.is_terminated(), "{error:?}");
        drop(dropped);
    });
}
