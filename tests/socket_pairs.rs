//! Every compatible socket pair of `man zmq_socket` exchanges messages over inproc, ipc and
//! tcp; STREAM talks to a plain TcpStream.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;

use common::*;
use zmq_typed::{EventKind, EventMask, Multipart, SocketType::*};

fn all_transports(f: impl Fn(Transport)) {
    for t in TRANSPORTS {
        f(t);
    }
}

#[test]
fn req_rep() {
    all_transports(|t| {
        let ctx = ctx();
        let rep = socket(&ctx, Rep);
        let req = socket(&ctx, Req);
        wire(&rep, &req, t, "req-rep");
        for i in 0..3 {
            req.send(format!("Hello {i}")).unwrap();
            assert_eq!(rep.recv_string().unwrap(), format!("Hello {i}"));
            rep.send("World").unwrap();
            assert_eq!(req.recv_string().unwrap(), "World");
        }
    });
}

#[test]
fn req_router() {
    all_transports(|t| {
        let ctx = ctx();
        let router = socket(&ctx, Router);
        let req = socket(&ctx, Req);
        req.set_routing_id("client-a").unwrap();
        wire(&router, &req, t, "req-router");
        req.send("ping").unwrap();
        let msg = router.recv().unwrap();
        assert_eq!(
            msg.to_vecs(),
            vec![b"client-a".to_vec(), vec![], b"ping".to_vec()]
        );
        let (envelope, body) = msg.split_envelope().unwrap();
        assert_eq!(envelope.to_vecs(), vec![b"client-a".to_vec()]);
        assert_eq!(body.to_vecs(), vec![b"ping".to_vec()]);
        router
            .send(Multipart::join_envelope(
                envelope,
                Multipart::single("pong"),
            ))
            .unwrap();
        assert_eq!(req.recv_string().unwrap(), "pong");
    });
}

#[test]
fn dealer_rep() {
    all_transports(|t| {
        let ctx = ctx();
        let rep = socket(&ctx, Rep);
        let dealer = socket(&ctx, Dealer);
        wire(&rep, &dealer, t, "dealer-rep");
        // A DEALER talking to REP supplies the empty delimiter itself.
        dealer.send_multipart(["", "work"]).unwrap();
        assert_eq!(rep.recv_string().unwrap(), "work");
        rep.send("done").unwrap();
        let reply = dealer.recv().unwrap();
        assert_eq!(reply.to_vecs(), vec![vec![], b"done".to_vec()]);
    });
}

#[test]
fn dealer_router_and_dealer_dealer_and_router_router() {
    all_transports(|t| {
        let ctx = ctx();
        let router = socket(&ctx, Router);
        let dealer = socket(&ctx, Dealer);
        dealer.set_routing_id("d1").unwrap();
        wire(&router, &dealer, t, "dealer-router");
        dealer.send("async").unwrap();
        let msg = router.recv().unwrap();
        assert_eq!(msg.to_vecs(), vec![b"d1".to_vec(), b"async".to_vec()]);
        router.send(["d1", "back"]).unwrap();
        assert_eq!(dealer.recv_string().unwrap(), "back");

        let d1 = socket(&ctx, Dealer);
        let d2 = socket(&ctx, Dealer);
        wire(&d1, &d2, t, "dealer-dealer");
        d2.send("one").unwrap();
        assert_eq!(d1.recv_string().unwrap(), "one");
        d1.send("two").unwrap();
        assert_eq!(d2.recv_string().unwrap(), "two");

        let r1 = socket(&ctx, Router);
        let r2 = socket(&ctx, Router);
        r1.set_routing_id("r1").unwrap();
        r2.set_routing_id("r2").unwrap();
        r2.set_router_mandatory(true).unwrap();
        let mon = r2.monitor(EventMask::ALL).unwrap();
        wire(&r1, &r2, t, "router-router");
        if t != Transport::Inproc {
            // r2 learns r1's routing id in the handshake.
            mon.wait_for(PATIENCE, |k| matches!(k, EventKind::HandshakeSucceeded))
                .unwrap();
        }
        // Over inproc the id travels as a command between the two sockets: retry until it
        // has been processed (EHOSTUNREACH until then, thanks to router mandatory).
        let deadline = std::time::Instant::now() + PATIENCE;
        loop {
            match r2.send_with(
                "r1",
                zmq_typed::SendFlags::MORE | zmq_typed::SendFlags::DONTWAIT,
            ) {
                Ok(()) => break,
                Err(e) => {
                    assert!(
                        matches!(e.error(), zmq_typed::Error::HostUnreachable(_)),
                        "{e}"
                    );
                    assert!(
                        std::time::Instant::now() < deadline,
                        "r1 never became routable"
                    );
                    std::thread::yield_now();
                }
            }
        }
        r2.send("hello r1").unwrap();
        let msg = r1.recv().unwrap();
        assert_eq!(msg.to_vecs(), vec![b"r2".to_vec(), b"hello r1".to_vec()]);
    });
}

#[test]
fn pub_sub_and_xpub_xsub() {
    all_transports(|t| {
        let ctx = ctx();
        let publisher = socket(&ctx, XPub);
        let sub = socket(&ctx, Sub);
        wire(&publisher, &sub, t, "xpub-sub");
        sub.subscribe("weather").unwrap();
        // The XPUB sees the subscription: from then on, publishing reaches the subscriber.
        assert_eq!(publisher.recv().unwrap().to_vec(), b"\x01weather".to_vec());
        publisher.send("sports 1").unwrap();
        publisher.send("weather 22C").unwrap();
        assert_eq!(sub.recv_string().unwrap(), "weather 22C");

        let xsub = socket(&ctx, XSub);
        let xpub = socket(&ctx, XPub);
        wire(&xpub, &xsub, t, "xpub-xsub");
        xsub.send(b"\x01topic".as_slice()).unwrap();
        assert_eq!(xpub.recv().unwrap().to_vec(), b"\x01topic".to_vec());
        xpub.send("other").unwrap();
        xpub.send("topic!").unwrap();
        assert_eq!(xsub.recv_string().unwrap(), "topic!");

        // Plain PUB to XSUB, synchronised on the PUB's monitor seeing the handshake.
        let pub_ = socket(&ctx, Pub);
        let mon = pub_.monitor(EventMask::ALL).unwrap();
        let xsub2 = socket(&ctx, XSub);
        let ep = pub_.bind(bind_endpoint(t, "pub-xsub")).unwrap();
        xsub2.connect(&ep).unwrap();
        xsub2.send(b"\x01".as_slice()).unwrap();
        if t != Transport::Inproc {
            mon.wait_for(PATIENCE, |k| matches!(k, EventKind::HandshakeSucceeded))
                .unwrap();
        }
        // The subscription travels after the handshake: repeat until it has arrived.
        let mut got = None;
        for _ in 0..200 {
            pub_.send("all").unwrap();
            if let Ok(m) = xsub2.recv_timeout(std::time::Duration::from_millis(50)) {
                got = Some(m);
                break;
            }
        }
        assert_eq!(got.expect("PUB reached XSUB").to_vec(), b"all".to_vec());
    });
}

#[test]
fn push_pull() {
    all_transports(|t| {
        let ctx = ctx();
        let pull = socket(&ctx, Pull);
        let push = socket(&ctx, Push);
        wire(&pull, &push, t, "push-pull");
        for i in 0..100 {
            push.send(format!("task {i}")).unwrap();
        }
        for i in 0..100 {
            assert_eq!(pull.recv_string().unwrap(), format!("task {i}"));
        }
    });
}

#[test]
fn pair_pair() {
    all_transports(|t| {
        let ctx = ctx();
        let a = socket(&ctx, Pair);
        let b = socket(&ctx, Pair);
        wire(&a, &b, t, "pair");
        a.send("to b").unwrap();
        assert_eq!(b.recv_string().unwrap(), "to b");
        b.send("to a").unwrap();
        assert_eq!(a.recv_string().unwrap(), "to a");
    });
}

#[test]
fn stream_talks_to_plain_tcp() {
    let ctx = ctx();
    let stream = socket(&ctx, Stream);
    let ep = stream.bind("tcp://127.0.0.1:*").unwrap();
    let port = ep.tcp_port().unwrap();
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.set_read_timeout(Some(PATIENCE)).unwrap();

    // The connect notification: [id][empty].
    let hello = stream.recv().unwrap();
    assert_eq!(hello.len(), 2);
    assert!(hello[1].is_empty());
    let id = hello[0].to_vec();

    client.write_all(b"GET /").unwrap();
    let msg = stream.recv().unwrap();
    assert_eq!(msg[0].to_vec(), id);
    assert_eq!(msg[1].to_vec(), b"GET /".to_vec());

    stream
        .send_multipart([id.clone(), b"HTTP/1.0 200 OK\r\n".to_vec()])
        .unwrap();
    let mut buf = [0u8; 17];
    client.read_exact(&mut buf).unwrap();
    assert_eq!(&buf, b"HTTP/1.0 200 OK\r\n");

    // The client closing shows as the disconnect notification [id][empty].
    drop(client);
    let bye = stream.recv().unwrap();
    assert_eq!(bye.to_vecs(), vec![id, Vec::new()]);
}

#[test]
fn compatible_peers_table_is_symmetric() {
    for t in zmq_typed::SocketType::ALL {
        for p in t.compatible_peers() {
            assert!(p.compatible_peers().contains(&t), "{t} -> {p}");
        }
    }
}
