//! The typed sockets at run time: every typed compatible pair exchanges messages over inproc,
//! ipc and tcp (STREAM with a plain TCP peer); XSUB subscriptions reach an XPUB and filter a
//! PUB; typed sockets of mixed types poll together; `into_dynamic` keeps the connection.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{
    Dealer, Multipart, Pair, PollEvents, Poller, Pub, Pull, Push, Rep, Req, Router, RoutingId,
    SendSocket, Sub, XPub, XSub,
};

#[test]
fn req_rep_single_and_multipart_round_trips() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let mut rep = patient(Rep::new(&ctx).unwrap());
        let mut req = patient(Req::new(&ctx).unwrap());
        wire(&rep, &req, t, "typed-req-rep");
        for i in 0..3 {
            let waiting = req.send(format!("Hello {i}")).unwrap();
            let (request, replying) = rep.recv().unwrap();
            assert_eq!(frames(&request), [v(&format!("Hello {i}"))], "{t:?}");
            rep = replying.send("World").unwrap();
            let (reply, ready) = waiting.recv().unwrap();
            assert_eq!(reply, "World");
            req = ready;
        }
        // Multipart both ways: frame by frame, and all at once.
        let waiting = req
            .send_more("a")
            .unwrap()
            .send_more("")
            .unwrap()
            .send("c")
            .unwrap();
        let (request, replying) = rep.recv().unwrap();
        assert_eq!(frames(&request), [v("a"), v(""), v("c")], "{t:?}");
        let rep = replying.send_multipart(["x", "y"]).unwrap();
        let (reply, req) = waiting.recv().unwrap();
        assert_eq!(frames(&reply), [v("x"), v("y")]);
        let waiting = req
            .send_multipart(vec![vec![0u8; 100_000], v("tail")])
            .unwrap();
        let (request, replying) = rep.recv().unwrap();
        assert_eq!(request.len(), 2);
        assert_eq!(request[0].len(), 100_000);
        let _rep = replying.send_more("r1").unwrap().send("r2").unwrap();
        let (reply, _req) = waiting.recv().unwrap();
        assert_eq!(frames(&reply), [v("r1"), v("r2")]);
    }
}

#[test]
fn req_router_sees_the_routing_id_apart_from_the_rest() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let router = patient(Router::new(&ctx).unwrap());
        let req = patient(Req::new(&ctx).unwrap());
        req.set_routing_id("client-a").unwrap();
        wire(&router, &req, t, "typed-req-router");
        let waiting = req.send_multipart(["ping", "1"]).unwrap();
        let (id, rest) = router.recv().unwrap().into_parts();
        assert_eq!(id, RoutingId::from("client-a"));
        assert_eq!(frames(&rest), [v(""), v("ping"), v("1")], "{t:?}");
        let (envelope, body) = rest.split_envelope().unwrap();
        assert!(envelope.is_empty());
        assert_eq!(frames(&body), [v("ping"), v("1")]);
        router.reply(&id, "pong").unwrap();
        let (reply, _req) = waiting.recv().unwrap();
        assert_eq!(reply, "pong");
    }
}

#[test]
fn dealer_rep_carries_the_delimiter_itself() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let rep = patient(Rep::new(&ctx).unwrap());
        let dealer = patient(Dealer::new(&ctx).unwrap());
        wire(&rep, &dealer, t, "typed-dealer-rep");
        dealer.send_multipart(["", "question"]).unwrap();
        let (request, replying) = rep.recv().unwrap();
        assert_eq!(request, "question", "{t:?}");
        let _rep = replying.send("answer").unwrap();
        assert_eq!(frames(&dealer.recv().unwrap()), [v(""), v("answer")]);
    }
}

#[test]
fn dealer_router_and_dealer_dealer() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let router = patient(Router::new(&ctx).unwrap());
        let dealer = patient(Dealer::new(&ctx).unwrap());
        dealer.set_routing_id("d1").unwrap();
        wire(&router, &dealer, t, "typed-dealer-router");
        dealer.send_multipart(["job", "7"]).unwrap();
        let (id, rest) = router.recv().unwrap().into_parts();
        assert_eq!(
            (id.as_bytes(), frames(&rest)),
            (&b"d1"[..], vec![v("job"), v("7")])
        );
        router.send_to(&id, "done").unwrap();
        assert_eq!(dealer.recv().unwrap(), "done", "{t:?}");

        let d2 = patient(Dealer::new(&ctx).unwrap());
        let d3 = patient(Dealer::new(&ctx).unwrap());
        wire(&d2, &d3, t, "typed-dealer-dealer");
        d3.send("there").unwrap();
        assert_eq!(d2.recv().unwrap(), "there");
        d2.send_multipart(["and", "back"]).unwrap();
        assert_eq!(frames(&d3.recv().unwrap()), [v("and"), v("back")]);
    }
}

#[test]
fn router_router_after_a_probe() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let server = patient(Router::new(&ctx).unwrap());
        server.set_routing_id("server").unwrap();
        let client = patient(Router::new(&ctx).unwrap());
        client.set_routing_id("client").unwrap();
        // The probe (an empty message on connecting) tells the server who the client is.
        client.set_probe_router(true).unwrap();
        wire(&server, &client, t, "typed-router-router");
        let (id, probe) = server.recv().unwrap().into_parts();
        assert_eq!(
            (id.to_string(), frames(&probe)),
            ("client".into(), vec![v("")])
        );
        server.send_to(&id, "welcome").unwrap();
        let (from, body) = client.recv().unwrap().into_parts();
        assert_eq!(
            (from.to_string(), frames(&body)),
            ("server".into(), vec![v("welcome")])
        );
        client.send_to(&from, "thanks").unwrap();
        assert_eq!(server.recv().unwrap().body, "thanks", "{t:?}");
    }
}

/// Publishes `probe` until `recv` sees it: a PUB drops everything until the subscription has
/// reached it, and nothing else tells a PUB's user when that was.
fn until_subscribed(publisher: &impl SendSocket, recv: impl Fn() -> Option<Multipart>) {
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        publisher.send("sync").unwrap();
        if let Some(m) = recv() {
            assert_eq!(m, "sync");
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "subscription never arrived"
        );
    }
}

/// The next message that is not one of the extra "sync" probes which raced the first.
fn next_besides_sync(recv: impl Fn() -> zmq_typed::Result<Multipart>) -> Multipart {
    loop {
        let m = recv().unwrap();
        if m != "sync" {
            return m;
        }
    }
}

#[test]
fn pub_sub_filters_by_prefix() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let publisher = patient(Pub::new(&ctx).unwrap());
        let sub = patient(Sub::new(&ctx).unwrap());
        sub.subscribe("sync").unwrap();
        sub.subscribe("weather").unwrap();
        wire(&publisher, &sub, t, "typed-pub-sub");
        until_subscribed(&publisher, || {
            sub.recv_timeout(Duration::from_millis(20)).ok()
        });
        // Drain the extra probes that raced the first one.
        sub.unsubscribe("sync").unwrap();
        publisher.send("sports 1-0").unwrap();
        publisher.send_multipart(["weather", "sunny"]).unwrap();
        let got = next_besides_sync(|| sub.recv());
        assert_eq!(frames(&got), [v("weather"), v("sunny")], "{t:?}");
    }
}

#[test]
fn xpub_sub_and_xpub_xsub_see_each_subscription() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let xpub = patient(XPub::new(&ctx).unwrap());
        let sub = patient(Sub::new(&ctx).unwrap());
        wire(&xpub, &sub, t, "typed-xpub-sub");
        sub.subscribe("news").unwrap();
        let s = xpub.recv_subscription().unwrap();
        assert!(s.is_subscribe() && s.topic() == b"news", "{t:?}");
        xpub.send("news flash").unwrap();
        xpub.send("other").unwrap();
        xpub.send("news again").unwrap();
        assert_eq!(sub.recv().unwrap(), "news flash");
        assert_eq!(sub.recv().unwrap(), "news again");

        let xpub = patient(XPub::new(&ctx).unwrap());
        let xsub = patient(XSub::new(&ctx).unwrap());
        wire(&xpub, &xsub, t, "typed-xpub-xsub");
        xsub.subscribe("a").unwrap();
        let s = xpub.recv_subscription().unwrap();
        assert!(s.is_subscribe() && s.topic() == b"a");
        xsub.unsubscribe("a").unwrap();
        let s = xpub.recv_subscription().unwrap();
        assert!(!s.is_subscribe() && s.topic() == b"a");
        xsub.subscribe("").unwrap();
        assert!(xpub.recv_subscription().unwrap().topic().is_empty());
        xpub.send("everything").unwrap();
        assert_eq!(xsub.recv().unwrap(), "everything");
    }
}

#[test]
fn xsub_subscription_filters_a_pub() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let publisher = patient(Pub::new(&ctx).unwrap());
        let xsub = patient(XSub::new(&ctx).unwrap());
        wire(&publisher, &xsub, t, "typed-pub-xsub");
        xsub.subscribe("sync").unwrap();
        xsub.subscribe("weather").unwrap();
        until_subscribed(&publisher, || {
            xsub.recv_timeout(Duration::from_millis(20)).ok()
        });
        xsub.unsubscribe("sync").unwrap();
        publisher.send("sports").unwrap();
        publisher.send("weather rain").unwrap();
        let got = next_besides_sync(|| xsub.recv());
        assert_eq!(got, "weather rain", "{t:?}");
    }
}

#[test]
fn push_pull_and_pair() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let pull = patient(Pull::new(&ctx).unwrap());
        let push = patient(Push::new(&ctx).unwrap());
        wire(&pull, &push, t, "typed-push-pull");
        push.send("one").unwrap();
        push.send_more("two").unwrap();
        push.send("three").unwrap();
        assert_eq!(pull.recv().unwrap(), "one");
        assert_eq!(frames(&pull.recv().unwrap()), [v("two"), v("three")]);
        assert!(pull.try_recv().unwrap().is_none());
        assert!(push.try_send("four").unwrap().is_none());
        assert_eq!(pull.recv_frame().unwrap(), "four");

        let a = patient(Pair::new(&ctx).unwrap());
        let b = patient(Pair::new(&ctx).unwrap());
        wire(&a, &b, t, "typed-pair");
        b.send("ping").unwrap();
        assert_eq!(a.recv_string().unwrap(), "ping", "{t:?}");
        a.send("pong").unwrap();
        assert_eq!(b.recv().unwrap(), "pong");
    }
}

/// A STREAM server on tcp with a plain TCP client connected, and the client's routing id
/// taken from the connect notification.
fn stream_with_client(
    ctx: &zmq_typed::Context,
) -> (zmq_typed::Stream, std::net::TcpStream, RoutingId) {
    let server = patient(zmq_typed::Stream::new(ctx).unwrap());
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let port = ep.to_string().rsplit(':').next().unwrap().to_owned();
    let client = std::net::TcpStream::connect(format!("127.0.0.1:{port}")).unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();
    let zmq_typed::Routed { id, body: hello } = server.recv().unwrap();
    assert_eq!(hello, &b""[..], "the connect notification carries no data");
    (server, client, id)
}

#[test]
fn stream_talks_to_a_plain_tcp_peer() {
    use std::io::{Read, Write};
    let ctx = ctx();
    let (server, mut client, id) = stream_with_client(&ctx);
    client.write_all(b"ping").unwrap();
    let zmq_typed::Routed {
        id: same,
        body: data,
    } = server.recv().unwrap();
    assert_eq!((&same, &data), (&id, &zmq_typed::Multipart::single("ping")));
    server.send_to(&id, "pong").unwrap();
    let mut buf = [0u8; 4];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
}

#[test]
fn typed_sockets_of_mixed_types_poll_together() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "typed-poll-req");
    let pull = patient(Pull::new(&ctx).unwrap());
    let push = patient(Push::new(&ctx).unwrap());
    wire(&pull, &push, Transport::Inproc, "typed-poll-pull");

    let waiting = req.send("q").unwrap();
    let mut poller = Poller::new();
    let rep_token = poller.add(&rep, PollEvents::IN);
    let pull_token = poller.add(&pull, PollEvents::IN);
    let req_token = poller.add(&waiting, PollEvents::IN);
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().into_iter().collect();
    assert_eq!(ready, [(rep_token, PollEvents::IN)]);
    poller.remove(rep_token).unwrap();
    drop(poller);
    let (_, replying) = rep.recv().unwrap();
    let _rep = replying.send("a").unwrap();
    push.send("p").unwrap();
    // Both become readable; collect them over as many polls as it takes.
    let mut poller = Poller::new();
    let pull_token2 = poller.add(&pull, PollEvents::IN);
    let req_token2 = poller.add(&waiting, PollEvents::IN);
    let _ = (pull_token, req_token);
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 2 {
        let ready = poller.poll(Some(PATIENCE)).unwrap();
        assert!(!ready.is_empty(), "nothing became readable");
        seen.extend(ready.iter().map(|(token, _)| token));
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [pull_token2, req_token2]
    );
    drop(poller);
    assert_eq!(waiting.recv().unwrap().0, "a");
    assert_eq!(pull.recv().unwrap(), "p");
}

#[test]
fn into_dynamic_gives_up_the_typing_and_keeps_the_connection() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "typed-into");
    let waiting = req.send("typed").unwrap();
    let dynamic_rep = rep.into_dynamic();
    assert_eq!(dynamic_rep.recv().unwrap(), "typed");
    dynamic_rep.send("dynamic").unwrap();
    let dynamic_req: zmq_typed::Socket = waiting.into();
    assert_eq!(dynamic_req.recv_string().unwrap(), "dynamic");
}

#[test]
fn stream_close_ends_the_tcp_connection() {
    use std::io::Read;
    let ctx = ctx();
    let (server, mut client, id) = stream_with_client(&ctx);
    server.send_to(&id, "bye").unwrap();
    let reader = std::thread::spawn(move || {
        let mut received = Vec::new();
        client.read_to_end(&mut received).map(|_| received)
    });
    server.close_peer(&id).unwrap();
    // libzmq finishes closing inside the socket's next calls: keep it busy until the peer
    // has seen the end of the stream.
    let deadline = std::time::Instant::now() + PATIENCE;
    while !reader.is_finished() {
        assert!(
            std::time::Instant::now() < deadline,
            "the connection was not closed"
        );
        let _ = server.recv_timeout(Duration::from_millis(10));
    }
    let received = reader
        .join()
        .unwrap()
        .expect("read until the end of the stream");
    // What was queued before the close may be dropped with the connection.
    assert!(received.is_empty() || received == b"bye", "{received:?}");
}

#[test]
fn options_of_one_type_live_on_that_type_and_act() {
    let ctx = ctx();
    // XPUB welcome message: each new subscriber that subscribed to it gets it first. The
    // XPUB sends it when it takes the new peer in, inside its own next call: here, the
    // receive of the subscription.
    let xpub = patient(XPub::new(&ctx).unwrap());
    xpub.set_xpub_welcome_msg("welcome").unwrap();
    let sub = patient(Sub::new(&ctx).unwrap());
    sub.subscribe("welcome").unwrap();
    wire(&xpub, &sub, Transport::Tcp, "typed-welcome");
    assert_eq!(xpub.recv_subscription().unwrap().topic(), b"welcome");
    assert_eq!(sub.recv().unwrap(), "welcome");

    // XPUB manual: the application applies the subscriptions it receives.
    let xpub = patient(XPub::new(&ctx).unwrap());
    xpub.set_xpub_manual(true).unwrap();
    let sub = patient(Sub::new(&ctx).unwrap());
    wire(&xpub, &sub, Transport::Inproc, "typed-manual");
    // The SUB asks for everything (it filters on its side too); the XPUB grants one topic.
    sub.subscribe("").unwrap();
    let asked = xpub.recv_subscription().unwrap();
    assert!(asked.is_subscribe() && asked.topic().is_empty());
    xpub.subscribe("granted").unwrap();
    xpub.send("not granted").unwrap();
    xpub.send("granted: applied").unwrap();
    assert_eq!(sub.recv().unwrap(), "granted: applied");

    // Conflate keeps the last message only. Over inproc the pipe is made with the
    // connecting side's options, so both sides set it.
    let pull = patient(Pull::new(&ctx).unwrap());
    pull.set_conflate(true).unwrap();
    assert!(pull.conflate().unwrap());
    let push = patient(Push::new(&ctx).unwrap());
    push.set_conflate(true).unwrap();
    wire(&pull, &push, Transport::Inproc, "typed-conflate");
    for i in 0..5 {
        push.send(format!("state {i}")).unwrap();
    }
    let mut poller = Poller::new();
    poller.add(&pull, PollEvents::IN);
    poller.poll(Some(PATIENCE)).unwrap();
    drop(poller);
    assert_eq!(pull.recv().unwrap(), "state 4");
    assert!(pull.try_recv().unwrap().is_none());

    // Inverted matching: the SUB gets what does *not* match.
    let publisher = patient(Pub::new(&ctx).unwrap());
    publisher.set_invert_matching(true).unwrap();
    let sub = patient(Sub::new(&ctx).unwrap());
    sub.set_invert_matching(true).unwrap();
    assert!(sub.invert_matching().unwrap());
    sub.subscribe("noise").unwrap();
    wire(&publisher, &sub, Transport::Inproc, "typed-invert");
    until_subscribed(&publisher, || {
        sub.recv_timeout(Duration::from_millis(20)).ok()
    });
    publisher.send("noise").unwrap();
    publisher.send("signal").unwrap();
    let got = next_besides_sync(|| sub.recv());
    assert_eq!(got, "signal");
}
