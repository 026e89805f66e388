//! The typed sockets at run time: every typed compatible pair exchanges messages over inproc,
//! ipc and tcp; failures hand the socket back in its real state; REQ recovers from a lost
//! reply; XSUB subscriptions reach an XPUB and filter a PUB.

mod common;

use std::ops::Deref;
use std::time::Duration;

use common::*;
use zmq_typed::prelude::*;
use zmq_typed::{
    AwaitingReply, Dealer, Error, Failed, Multipart, Pair, PollEvents, PollSet, Pub, Pull, Push,
    Ready, Rep, Req, Router, RoutingId, SendError, Sending, SocketCore, Sub, XPub, XSub,
};

/// Gives a typed socket generous timeouts, so that a broken test fails instead of hanging.
fn patient<T: Deref<Target = SocketCore>>(socket: T) -> T {
    socket.set_rcvtimeo(Some(PATIENCE)).expect("rcvtimeo");
    socket.set_sndtimeo(Some(PATIENCE)).expect("sndtimeo");
    socket
}

fn frames(parts: &Multipart) -> Vec<Vec<u8>> {
    parts.to_vecs()
}

fn v(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}

/// Binds `a` on `transport` and connects `b` to where it bound.
fn wire_typed(a: &SocketCore, b: &SocketCore, t: Transport, tag: &str) -> zmq_typed::Endpoint {
    let ep = a.bind(bind_endpoint(t, tag)).expect("bind");
    b.connect(&ep).expect("connect");
    ep
}

#[test]
fn req_rep_single_and_multipart_round_trips() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let mut rep = patient(Rep::new(&ctx).unwrap());
        let mut req = patient(Req::new(&ctx).unwrap());
        wire_typed(&rep, &req, t, "typed-req-rep");
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
        wire_typed(&router, &req, t, "typed-req-router");
        let waiting = req.send_multipart(["ping", "1"]).unwrap();
        let (id, rest) = router.recv().unwrap();
        assert_eq!(id, RoutingId::from("client-a"));
        assert_eq!(frames(&rest), [v(""), v("ping"), v("1")], "{t:?}");
        let (envelope, body) = rest.split_envelope();
        assert!(envelope.is_empty());
        assert_eq!(frames(&body), [v("ping"), v("1")]);
        router.send_multipart_to(&id, ["", "pong"]).unwrap();
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
        wire_typed(&rep, &dealer, t, "typed-dealer-rep");
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
        wire_typed(&router, &dealer, t, "typed-dealer-router");
        dealer.send_multipart(["job", "7"]).unwrap();
        let (id, rest) = router.recv().unwrap();
        assert_eq!(
            (id.as_bytes(), frames(&rest)),
            (&b"d1"[..], vec![v("job"), v("7")])
        );
        router.send_to(&id, "done").unwrap();
        assert_eq!(dealer.recv().unwrap(), "done", "{t:?}");

        let d2 = patient(Dealer::new(&ctx).unwrap());
        let d3 = patient(Dealer::new(&ctx).unwrap());
        wire_typed(&d2, &d3, t, "typed-dealer-dealer");
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
        wire_typed(&server, &client, t, "typed-router-router");
        let (id, probe) = server.recv().unwrap();
        assert_eq!(
            (id.to_string(), frames(&probe)),
            ("client".into(), vec![v("")])
        );
        server.send_to(&id, "welcome").unwrap();
        let (from, body) = client.recv().unwrap();
        assert_eq!(
            (from.to_string(), frames(&body)),
            ("server".into(), vec![v("welcome")])
        );
        client.send_to(&from, "thanks").unwrap();
        assert_eq!(server.recv().unwrap().1, "thanks", "{t:?}");
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

#[test]
fn pub_sub_filters_by_prefix() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let publisher = patient(Pub::new(&ctx).unwrap());
        let sub = patient(Sub::new(&ctx).unwrap());
        sub.subscribe("sync").unwrap();
        sub.subscribe("weather").unwrap();
        wire_typed(&publisher, &sub, t, "typed-pub-sub");
        until_subscribed(&publisher, || {
            sub.recv_timeout(Duration::from_millis(20)).ok()
        });
        // Drain the extra probes that raced the first one.
        sub.unsubscribe("sync").unwrap();
        publisher.send("sports 1-0").unwrap();
        publisher.send_multipart(["weather", "sunny"]).unwrap();
        let got = loop {
            let m = sub.recv().unwrap();
            if m != "sync" {
                break m;
            }
        };
        assert_eq!(frames(&got), [v("weather"), v("sunny")], "{t:?}");
    }
}

#[test]
fn xpub_sub_and_xpub_xsub_see_each_subscription() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let xpub = patient(XPub::new(&ctx).unwrap());
        let sub = patient(Sub::new(&ctx).unwrap());
        wire_typed(&xpub, &sub, t, "typed-xpub-sub");
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
        wire_typed(&xpub, &xsub, t, "typed-xpub-xsub");
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
        wire_typed(&publisher, &xsub, t, "typed-pub-xsub");
        xsub.subscribe("sync").unwrap();
        xsub.subscribe("weather").unwrap();
        until_subscribed(&publisher, || {
            xsub.recv_timeout(Duration::from_millis(20)).ok()
        });
        xsub.unsubscribe("sync").unwrap();
        publisher.send("sports").unwrap();
        publisher.send("weather rain").unwrap();
        let got = loop {
            let m = xsub.recv().unwrap();
            if m != "sync" {
                break m;
            }
        };
        assert_eq!(got, "weather rain", "{t:?}");
    }
}

#[test]
fn push_pull_and_pair() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let pull = patient(Pull::new(&ctx).unwrap());
        let push = patient(Push::new(&ctx).unwrap());
        wire_typed(&pull, &push, t, "typed-push-pull");
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
        wire_typed(&a, &b, t, "typed-pair");
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
    let (id, hello) = server.recv().unwrap();
    assert!(hello.is_empty(), "the connect notification carries no data");
    (server, client, id)
}

#[test]
fn stream_talks_to_a_plain_tcp_peer() {
    use std::io::{Read, Write};
    let ctx = ctx();
    let (server, mut client, id) = stream_with_client(&ctx);
    client.write_all(b"ping").unwrap();
    let (same, data) = server.recv().unwrap();
    assert_eq!((&same, data.data()), (&id, &b"ping"[..]));
    server.send_to(&id, "pong").unwrap();
    let mut buf = [0u8; 4];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"pong");
}

#[test]
fn a_receive_timeout_hands_the_socket_back_and_the_exchange_completes() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let rep = patient(Rep::new(&ctx).unwrap());
        let req = patient(Req::new(&ctx).unwrap());
        wire_typed(&rep, &req, t, "typed-timeout");
        let waiting = req.send("slow question").unwrap();

        // With an explicit timeout...
        let failed: Failed<Req<AwaitingReply>> =
            waiting.recv_timeout(Duration::from_millis(5)).unwrap_err();
        assert!(matches!(failed.error(), Error::TimedOut(_)), "{t:?}");
        assert!(failed.is_timeout());
        assert!(
            failed.to_string().contains("Req<AwaitingReply>"),
            "{failed}"
        );
        let waiting = failed.into_socket();
        // ...and with the socket's own receive timeout.
        waiting
            .set_rcvtimeo(Some(Duration::from_millis(5)))
            .unwrap();
        let (error, waiting, ()) = waiting.recv().unwrap_err().into_parts();
        assert!(matches!(error, Error::TimedOut(_)));
        waiting.set_rcvtimeo(Some(PATIENCE)).unwrap();

        // The REP side times out too, and is still receiving.
        let (request, replying) = rep.recv().unwrap();
        assert_eq!(request, "slow question");
        let receiving = replying.send("late answer").unwrap();
        let failed = receiving.recv_timeout(Duration::ZERO).unwrap_err();
        assert!(failed.is_timeout());
        let _rep = failed.into_socket();

        let (reply, _ready) = waiting.recv().unwrap();
        assert_eq!(reply, "late answer");
    }
}

#[test]
fn a_relaxed_req_recovers_after_its_server_died_and_came_back() {
    for t in [Transport::Ipc, Transport::Tcp] {
        let ctx = ctx();
        let req = patient(Req::new_relaxed(&ctx).unwrap());
        assert!(req.is_relaxed());
        let first = patient(Rep::new(&ctx).unwrap());
        // A path of our own for ipc: libzmq removes the folder of an `ipc://*` endpoint
        // when its socket closes, and the second server needs the same path.
        let asked = match t {
            Transport::Ipc => format!(
                "ipc://{}/zmq-typed-recover-{}.ipc",
                std::env::temp_dir().display(),
                std::process::id()
            ),
            _ => bind_endpoint(t, "typed-recover"),
        };
        let ep = first.bind(asked).unwrap();
        req.connect(&ep).unwrap();

        let waiting = req.send("request 1").unwrap();
        let (request, _dies_before_replying) = first.recv().unwrap();
        assert_eq!(request, "request 1");
        drop(_dies_before_replying);

        let lost = waiting.recv_timeout(Duration::from_millis(20)).unwrap_err();
        assert!(lost.is_timeout(), "{t:?}");
        let req: Req<Ready> = lost.into_socket().abandon().unwrap();

        // The server comes back on the same endpoint; the REQ reconnects by itself.
        let second = patient(Rep::new(&ctx).unwrap());
        second.bind(&ep).unwrap();
        let waiting = req.send("request 2").unwrap();
        let (request, replying) = second.recv().unwrap();
        assert_eq!(request, "request 2", "{t:?}");
        let _rep = replying.send("reply 2").unwrap();
        let (reply, _req) = waiting.recv().unwrap();
        assert_eq!(reply, "reply 2");
    }
}

#[test]
fn a_late_reply_to_an_abandoned_request_is_dropped() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new_relaxed(&ctx).unwrap());
    wire_typed(&rep, &req, Transport::Inproc, "typed-late");
    let waiting = req.send("1").unwrap();
    let req = waiting.abandon().unwrap();
    let waiting = req.send("2").unwrap();
    // The REP answers both, in order; only the answer to "2" reaches the REQ.
    let (r1, replying) = rep.recv().unwrap();
    let rep = replying
        .send(format!("answer {}", r1.as_str().unwrap()))
        .unwrap();
    let (r2, replying) = rep.recv().unwrap();
    let _rep = replying
        .send(format!("answer {}", r2.as_str().unwrap()))
        .unwrap();
    let (reply, _req) = waiting.recv().unwrap();
    assert_eq!(reply, "answer 2");
}

#[test]
fn a_strict_req_refuses_to_abandon_and_hands_itself_back() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    assert!(!req.is_relaxed());
    wire_typed(&rep, &req, Transport::Inproc, "typed-strict");
    let waiting = req.send("q").unwrap();
    let (error, waiting, ()) = waiting.abandon().unwrap_err().into_parts();
    assert!(matches!(error, Error::WrongState(_)), "{error}");
    let (_, replying) = rep.recv().unwrap();
    let _rep = replying.send("a").unwrap();
    assert_eq!(waiting.recv().unwrap().0, "a");
}

#[test]
fn a_send_that_finds_no_room_gives_back_the_socket_and_the_message() {
    let ctx = ctx();
    let req = Req::new(&ctx).unwrap();
    req.set_sndtimeo(Some(Duration::ZERO)).unwrap();
    // No peer: nothing can be queued.
    let (error, req, message): (Error, Req<Ready>, _) =
        req.send("undelivered").unwrap_err().into_parts();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(message, "undelivered");

    // A multipart send that fails comes back as Req<Sending> with every frame not sent;
    // completing the request from there works once a peer is there.
    let failed: Failed<Req<Sending>, Multipart> = req.send_multipart(["a", "b", "c"]).unwrap_err();
    let (error, sending, unsent) = failed.into_parts();
    assert!(error.is_timeout());
    assert_eq!(frames(&unsent), [v("a"), v("b"), v("c")]);
    let rep = patient(Rep::new(&ctx).unwrap());
    wire_typed(&rep, &sending, Transport::Inproc, "typed-no-room");
    sending.set_sndtimeo(Some(PATIENCE)).unwrap();
    let waiting = sending.send_multipart(unsent).unwrap();
    let (request, replying) = rep.recv().unwrap();
    assert_eq!(frames(&request), [v("a"), v("b"), v("c")]);
    let _rep = replying.send("ok").unwrap();
    assert_eq!(waiting.recv().unwrap().0, "ok");
}

/// The frames, with the context shut down while the third is produced. A multipart send
/// looks one frame ahead (to know whether more follow), so that is after the first frame was
/// queued and before the second is sent, which fails with ETERM. A socket notices a shutdown
/// when it next processes its commands, which a send does at most once a millisecond;
/// reading ZMQ_EVENTS makes it do so at once.
fn shut_down_at_third_frame<'a>(
    ctx: &'a zmq_typed::Context,
    socket: &SocketCore,
    frames: [&'static str; 3],
) -> impl Iterator<Item = &'static str> + 'a {
    let raw = socket.as_ptr() as usize;
    frames.into_iter().enumerate().map(move |(i, f)| {
        if i == 2 {
            ctx.shutdown().unwrap();
            let mut events: std::os::raw::c_int = 0;
            let mut len = std::mem::size_of_val(&events);
            // SAFETY: `raw` is the socket being sent on, alive (owned by the send running on
            // this very thread, which is not inside libzmq while the iterator runs); events
            // and len are valid for the call.
            let rc = unsafe {
                zmq_typed::zmq_ffi::zmq_getsockopt(
                    raw as *mut std::os::raw::c_void,
                    zmq_typed::zmq_ffi::ZMQ_EVENTS,
                    &mut events as *mut _ as *mut std::os::raw::c_void,
                    &mut len,
                )
            };
            assert_eq!(rc, -1, "the socket has seen the shutdown");
        }
        f
    })
}

#[test]
fn a_multipart_send_that_fails_part_way_leaves_the_request_open() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire_typed(&rep, &req, Transport::Inproc, "typed-part-way");
    let frames_in = shut_down_at_third_frame(&ctx, &req, ["first", "second", "third"]);
    let failed: Failed<Req<Sending>, Multipart> = req.send_multipart(frames_in).unwrap_err();
    let (error, sending, unsent) = failed.into_parts();
    assert!(matches!(error, Error::Terminated(_)), "{error}");
    assert_eq!(frames(&unsent), [v("second"), v("third")]);
    // The context is gone: the socket says so, whatever is tried.
    assert!(matches!(
        sending.send("again").unwrap_err().into_error(),
        Error::Terminated(_)
    ));
}

#[test]
fn router_mandatory_returns_the_unroutable_message() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    router.bind("inproc://typed-mandatory").unwrap();
    let nobody = RoutingId::from("nobody");
    // Without mandatory, dropped silently.
    router.send_to(&nobody, "lost").unwrap();
    router.set_router_mandatory(true).unwrap();
    let SendError { error, message } = router.send_to(&nobody, "hello").unwrap_err();
    assert!(matches!(error, Error::HostUnreachable(_)), "{error}");
    assert_eq!(message, "hello");
    let SendError { error, message } = router.send_multipart_to(&nobody, ["a", "b"]).unwrap_err();
    assert!(matches!(error, Error::HostUnreachable(_)));
    assert_eq!(frames(&message), [v("a"), v("b")]);
}

#[test]
fn typed_sockets_of_mixed_types_poll_together() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire_typed(&rep, &req, Transport::Inproc, "typed-poll-req");
    let pull = patient(Pull::new(&ctx).unwrap());
    let push = patient(Push::new(&ctx).unwrap());
    wire_typed(&pull, &push, Transport::Inproc, "typed-poll-pull");

    let waiting = req.send("q").unwrap();
    let mut set = PollSet::new();
    let ready: Vec<_> = set
        .poll(
            &[
                (rep.as_pollable(), PollEvents::IN, "rep"),
                (pull.as_pollable(), PollEvents::IN, "pull"),
                (waiting.as_pollable(), PollEvents::IN, "req"),
            ],
            Some(PATIENCE),
        )
        .unwrap()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(ready, ["rep"]);
    let (_, replying) = rep.recv().unwrap();
    let _rep = replying.send("a").unwrap();
    push.send("p").unwrap();
    // Both become readable; collect them over as many polls as it takes.
    let mut seen = std::collections::BTreeSet::new();
    while seen.len() < 2 {
        let ready: Vec<_> = set
            .poll(
                &[
                    (pull.as_pollable(), PollEvents::IN, "pull"),
                    (waiting.as_pollable(), PollEvents::IN, "req"),
                ],
                Some(PATIENCE),
            )
            .unwrap()
            .map(|(name, _)| name)
            .collect();
        assert!(!ready.is_empty(), "nothing became readable");
        seen.extend(ready);
    }
    let ready: Vec<_> = seen.into_iter().collect();
    assert_eq!(ready, ["pull", "req"]);
    assert_eq!(waiting.recv().unwrap().0, "a");
    assert_eq!(pull.recv().unwrap(), "p");
}

#[test]
fn into_socket_gives_up_the_typing_and_keeps_the_connection() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire_typed(&rep, &req, Transport::Inproc, "typed-into");
    let waiting = req.send("typed").unwrap();
    let dynamic_rep = rep.into_socket();
    assert_eq!(dynamic_rep.recv().unwrap(), "typed");
    dynamic_rep.send("dynamic").unwrap();
    let dynamic_req: zmq_typed::Socket = waiting.into();
    assert_eq!(dynamic_req.recv_string().unwrap(), "dynamic");
}

#[test]
fn failures_are_send_sync_errors_that_convert() {
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Failed<Req<AwaitingReply>>>();
    assert_error::<Failed<Req<Sending>, Multipart>>();
    assert_error::<Failed<Rep<zmq_typed::Replying>, zmq_typed::Message>>();

    let ctx = ctx();
    let rep = Rep::new(&ctx).unwrap();
    let failed = rep.recv_timeout(Duration::ZERO).unwrap_err();
    let debug = format!("{failed:?}");
    assert!(
        debug.contains("TimedOut") && debug.contains("Rep"),
        "{debug}"
    );
    let source = std::error::Error::source(&failed).map(|e| e.to_string());
    assert_eq!(source, Some(failed.error().to_string()));
    let error: Error = failed.into();
    assert!(error.is_timeout());
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
    server.close(&id).unwrap();
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
fn a_multipart_reply_that_fails_part_way_leaves_the_rep_replying() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire_typed(&rep, &req, Transport::Inproc, "typed-rep-part-way");
    let _waiting = req.send("q").unwrap();
    let (_, replying) = rep.recv().unwrap();
    let frames_in = shut_down_at_third_frame(&ctx, &replying, ["r1", "r2", "r3"]);
    let failed: Failed<Rep<zmq_typed::Replying>, Multipart> =
        replying.send_multipart(frames_in).unwrap_err();
    let (error, _replying, unsent) = failed.into_parts();
    assert!(matches!(error, Error::Terminated(_)), "{error}");
    assert_eq!(frames(&unsent), [v("r2"), v("r3")]);
}
