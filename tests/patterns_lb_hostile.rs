//! The load balancer against peers that do not keep to its protocol: workers that announce
//! themselves twice, send garbage, reply when nobody asked them or without the client's
//! envelope; clients that send what no REQ would (no delimiter, only empty frames, 10 000
//! frames) over the typed sockets and over raw ZMTP. The broker drops and counts what it
//! cannot route, never routes a reply nobody asked for, and goes on serving the others.
//! The request-reply broker (libzmq's proxy) against such peers too.

mod common;

use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::zmtp::RawPeer;
use common::*;
use zmq_typed::patterns::handle::Counters;
use zmq_typed::patterns::load_balancer::{LbWorker, LoadBalancer, READY};
use zmq_typed::{Context, Dealer, Multipart, Req};

fn quick_ctx() -> Context {
    Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap()
}

fn counters(frontend_in: u64, backend_out: u64, backend_in: u64, frontend_out: u64) -> Counters {
    Counters {
        frontend_in,
        frontend_out,
        backend_in,
        backend_out,
        dropped: 0,
    }
}

/// A hand-driven worker: a DEALER speaking the REQ envelope.
fn dealer_worker(ctx: &Context, backend: &str) -> Dealer {
    let dealer = patient(Dealer::new(ctx).unwrap());
    dealer.connect(backend).unwrap();
    dealer
}

/// The next request a DEALER worker gets: `(client envelope, request)`.
fn take_request(worker: &Dealer) -> (Multipart, Multipart) {
    let (first, rest) = worker.recv().unwrap().split_envelope().unwrap();
    assert!(first.is_empty());
    rest.split_envelope().unwrap()
}

fn answer(worker: &Dealer, client: &Multipart, reply: &str) {
    let mut frames = vec![Vec::new()];
    frames.extend(client.to_vecs());
    frames.push(Vec::new());
    frames.push(reply.as_bytes().to_vec());
    worker.send(frames).unwrap();
}

/// A worker that says READY twice is one worker, given one request at a time.
#[test]
fn a_worker_announced_twice_is_one_worker() {
    within(PATIENCE, "READY twice", || {
        let ctx = quick_ctx();
        let lb = LoadBalancer::start(&ctx, "inproc://twice-f", "tcp://127.0.0.1:*").unwrap();
        let worker = dealer_worker(&ctx, lb.backend_endpoint());
        worker.send(["", READY]).unwrap();
        worker.send(["", READY]).unwrap();
        // Both read (the live counters say so): one worker, the second READY dropped.
        while lb.counters().unwrap().backend_in < 2 {
            thread::yield_now();
        }
        assert_eq!(lb.counters().unwrap().dropped, 1);
        let e = lb
            .wait_for_workers(2, Some(Duration::from_millis(100)))
            .unwrap_err();
        assert!(e.is_timeout(), "{e:?}");
        let real = LbWorker::connect(&ctx, lb.backend_endpoint()).unwrap();
        let real = thread::spawn(move || real.serve(None, |r| format!("{r} by real")));
        lb.wait_for_workers(2, Some(PATIENCE)).unwrap();

        // The twice-ready worker was free first: it gets the first request, and, busy,
        // not the second.
        let frontend = lb.frontend_endpoint().to_string();
        let ask = |text: &'static str| {
            let req = patient(Req::new(&ctx).unwrap());
            req.connect(frontend.as_str()).unwrap();
            let req = req.send(text).unwrap();
            thread::spawn(move || req.recv().unwrap().0.into_string().unwrap())
        };
        let first = ask("one");
        let (client, request) = take_request(&worker);
        assert_eq!(request, "one");
        assert_eq!(ask("two").join().unwrap(), "two by real");
        answer(&worker, &client, "one by dealer");
        assert_eq!(first.join().unwrap(), "one by dealer");
        assert_eq!(
            lb.stop().unwrap(),
            Counters {
                dropped: 1,
                ..counters(2, 2, 5, 2)
            }
        );
        ctx.shutdown().unwrap();
        assert_eq!(real.join().unwrap().unwrap(), 1);
    });
}

/// Garbage instead of READY (no delimiter, an unknown command, an empty body, a lone
/// delimiter) is dropped and counted, and does not make the sender a worker.
#[test]
fn garbage_instead_of_ready_is_dropped() {
    within(PATIENCE, "garbage", || {
        let ctx = quick_ctx();
        let lb = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let worker = dealer_worker(&ctx, lb.backend_endpoint());
        worker.send("READY").unwrap();
        worker.send(["", "HELLO"]).unwrap();
        worker.send(["", ""]).unwrap();
        worker.send([""]).unwrap();
        worker.send(["", "READY", "extra"]).unwrap();
        worker.send(["x", "", "READY"]).unwrap();
        // Its replies when nobody asked: dropped too.
        worker.send(["", "nobody", "", "forged"]).unwrap();
        worker.send(["", READY]).unwrap();
        lb.wait_for_workers(1, Some(PATIENCE)).unwrap();
        let req = patient(Req::new(&ctx).unwrap());
        req.connect(lb.frontend_endpoint()).unwrap();
        let req = req.send("job").unwrap();
        let (client, request) = take_request(&worker);
        assert_eq!(request, "job");
        answer(&worker, &client, "done");
        assert_eq!(req.recv().unwrap().0, "done");
        assert_eq!(
            lb.stop().unwrap(),
            Counters {
                dropped: 7,
                ..counters(1, 1, 9, 1)
            }
        );
    });
}

/// A worker that answers again, unasked, after its reply: the forged reply is dropped, and
/// the client's next request gets its own answer, not the forged one.
#[test]
fn a_reply_nobody_asked_for_is_dropped() {
    within(PATIENCE, "forged reply", || {
        for transport in TRANSPORTS {
            let ctx = quick_ctx();
            let lb = LoadBalancer::start(
                &ctx,
                &bind_endpoint(transport, "forged-f"),
                &bind_endpoint(transport, "forged-b"),
            )
            .unwrap();
            let worker = dealer_worker(&ctx, lb.backend_endpoint());
            worker.send(["", READY]).unwrap();
            let req = patient(Req::new(&ctx).unwrap());
            req.connect(lb.frontend_endpoint()).unwrap();
            let waiting = req.send("one").unwrap();
            let (client, request) = take_request(&worker);
            assert_eq!(request, "one");
            answer(&worker, &client, "one done");
            answer(&worker, &client, "forged");
            // Read and dropped (the live counters say so) before the next request: once
            // the worker has that one, the broker cannot tell a forged reply from its own.
            while lb.counters().unwrap().dropped < 1 {
                thread::yield_now();
            }
            let (reply, req) = waiting.recv().unwrap();
            assert_eq!(reply, "one done");
            let waiting = req.send("two").unwrap();
            let (client, request) = take_request(&worker);
            assert_eq!(request, "two");
            answer(&worker, &client, "two done");
            assert_eq!(waiting.recv().unwrap().0, "two done", "{transport:?}");
            assert_eq!(
                lb.stop().unwrap(),
                Counters {
                    dropped: 1,
                    ..counters(2, 2, 4, 2)
                },
                "{transport:?}"
            );
        }
    });
}

/// A reply without the client's envelope is dropped; that worker is given nothing more
/// (it does not speak the protocol), and the next request goes to another.
#[test]
fn a_reply_without_the_client_is_dropped_and_its_worker_forgotten() {
    within(PATIENCE, "reply without client", || {
        let ctx = quick_ctx();
        let lb = LoadBalancer::start(&ctx, "inproc://noid-f", "inproc://noid-b").unwrap();
        let bad = dealer_worker(&ctx, lb.backend_endpoint());
        bad.send(["", READY]).unwrap();
        lb.wait_for_workers(1, Some(PATIENCE)).unwrap();
        let good = dealer_worker(&ctx, lb.backend_endpoint());
        good.send(["", READY]).unwrap();
        lb.wait_for_workers(2, Some(PATIENCE)).unwrap();
        let req = patient(Req::new(&ctx).unwrap());
        req.set_linger(Some(Duration::ZERO)).unwrap();
        req.connect(lb.frontend_endpoint()).unwrap();
        let _lost = req.send("lost").unwrap();
        assert_eq!(take_request(&bad).1, "lost");
        bad.send(["", "no client"]).unwrap();
        // bad is gone from the broker's books: good, then good again.
        for text in ["a", "b"] {
            let req = patient(Req::new(&ctx).unwrap());
            req.connect(lb.frontend_endpoint()).unwrap();
            let waiting = req.send(text).unwrap();
            let (client, request) = take_request(&good);
            assert_eq!(request, text);
            answer(&good, &client, "ok");
            assert_eq!(waiting.recv().unwrap().0, "ok");
        }
        assert_eq!(bad.try_recv().unwrap(), None);
        assert_eq!(
            lb.stop().unwrap(),
            Counters {
                dropped: 1,
                ..counters(3, 3, 5, 2)
            }
        );
    });
}

/// Clients that send what no REQ would: no delimiter, a lone delimiter, 10 000 frames,
/// over typed sockets and raw ZMTP. Each is dropped or served whole, and the broker goes
/// on.
#[test]
fn odd_requests_are_dropped_or_served_whole() {
    within(PATIENCE * 2, "odd requests", || {
        let ctx = quick_ctx();
        let lb = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let worker = LbWorker::connect(&ctx, lb.backend_endpoint()).unwrap();
        let worker = thread::spawn(move || worker.serve(None, |request| request));
        lb.wait_for_workers(1, Some(PATIENCE)).unwrap();

        let dealer = patient(Dealer::new(&ctx).unwrap());
        dealer.connect(lb.frontend_endpoint()).unwrap();
        dealer.send([""]).unwrap(); // a lone delimiter: an empty request, echoed
        assert_eq!(dealer.recv().unwrap().to_vecs(), [v("")]);
        let mut many = vec![Vec::new()];
        many.extend((0..10_000).map(|n| n.to_string().into_bytes()));
        dealer.send(many.clone()).unwrap();
        assert_eq!(dealer.recv().unwrap().to_vecs(), many);
        let big = vec![7u8; 8 << 20];
        dealer.send([Vec::new(), big.clone()]).unwrap();
        assert_eq!(dealer.recv().unwrap().to_vecs(), [Vec::new(), big]);

        let mut raw = RawPeer::connect(lb.frontend_endpoint(), "DEALER").unwrap();
        raw.send_frame(b"no delimiter", false).unwrap();
        for _ in 0..3 {
            raw.send_frame(b"", true).unwrap();
        }
        raw.send_frame(b"", false).unwrap();
        raw.send_frame(b"", true).unwrap();
        raw.send_frame(b"after", false).unwrap();
        // The four empty frames: an envelope of three, an empty request, echoed whole.
        for _ in 0..3 {
            assert_eq!(raw.recv_frame().unwrap(), (Vec::new(), true));
        }
        assert_eq!(raw.recv_frame().unwrap(), (Vec::new(), false));
        assert_eq!(raw.recv_frame().unwrap(), (Vec::new(), true));
        assert_eq!(raw.recv_frame().unwrap(), (v("after"), false));

        let counted = lb.stop().unwrap();
        assert_eq!(
            counted,
            Counters {
                dropped: 1,
                ..counters(6, 5, 6, 5)
            }
        );
        ctx.shutdown().unwrap();
        assert_eq!(worker.join().unwrap().unwrap(), 5);
    });
}

/// The request-reply broker (libzmq's proxy) against the same peers: a request without a
/// delimiter is dropped by the REP worker, a worker's garbage without a client id by the
/// ROUTER, silently; the proxy counts both, and every real client is answered.
#[test]
fn the_request_reply_broker_drops_what_it_cannot_route() {
    use zmq_typed::patterns::broker::RequestReplyBroker;
    use zmq_typed::Rep;
    within(PATIENCE, "request-reply broker, odd peers", || {
        let ctx = quick_ctx();
        let rr = RequestReplyBroker::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let rep = Rep::new(&ctx).unwrap();
        rep.connect(rr.backend_endpoint()).unwrap();
        let rep = thread::spawn(move || rep.serve(|r| format!("{r} done")));

        let mut raw = RawPeer::connect(rr.frontend_endpoint(), "DEALER").unwrap();
        raw.send_frame(b"no delimiter", false).unwrap();
        raw.send_frame(b"", true).unwrap();
        raw.send_frame(b"after", false).unwrap();
        // In order on one connection: the first went to the only worker, which dropped it.
        assert_eq!(raw.recv_frame().unwrap(), (Vec::new(), true));
        assert_eq!(raw.recv_frame().unwrap(), (v("after done"), false));

        ctx.shutdown().unwrap();
        assert!(rep.join().unwrap().is_ok());

        // A worker that answers garbage first (no client of that id: dropped), then the
        // real reply, which reaches its client.
        let ctx = quick_ctx();
        let rr = RequestReplyBroker::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let mut bad = RawPeer::connect(rr.backend_endpoint(), "DEALER").unwrap();
        let client = patient(Req::new(&ctx).unwrap());
        client.connect(rr.frontend_endpoint()).unwrap();
        let waiting = client.send("q").unwrap();
        let mut envelope = Vec::new();
        loop {
            let (frame, more) = bad.recv_frame().unwrap();
            if !more {
                assert_eq!(frame, b"q");
                break;
            }
            envelope.push(frame);
        }
        for frame in [&b"nobody"[..], b"", b"garbage"] {
            bad.send_frame(frame, !frame.starts_with(b"garbage"))
                .unwrap();
        }
        for frame in &envelope {
            bad.send_frame(frame, true).unwrap();
        }
        bad.send_frame(b"answer", false).unwrap();
        assert_eq!(waiting.recv().unwrap().0, "answer");
        let counted = rr.stop().unwrap();
        assert_eq!((counted.frontend_in, counted.backend_out), (1, 1));
        assert_eq!((counted.backend_in, counted.frontend_out), (2, 2));
    });
}

/// A busy worker that says READY again has started over: its request is lost, it is free
/// again, and it is still one worker.
#[test]
fn a_worker_that_starts_over_is_the_same_worker() {
    within(PATIENCE, "READY while busy", || {
        let ctx = quick_ctx();
        let lb = LoadBalancer::start(&ctx, "inproc://over-f", "inproc://over-b").unwrap();
        let worker = dealer_worker(&ctx, lb.backend_endpoint());
        worker.send(["", READY]).unwrap();
        let lost = Req::new(&ctx).unwrap();
        lost.connect(lb.frontend_endpoint()).unwrap();
        let _lost = lost.send("lost").unwrap();
        assert_eq!(take_request(&worker).1, "lost");
        worker.send(["", READY]).unwrap();
        let req = patient(Req::new(&ctx).unwrap());
        req.connect(lb.frontend_endpoint()).unwrap();
        let waiting = req.send("next").unwrap();
        let (client, request) = take_request(&worker);
        assert_eq!(request, "next");
        answer(&worker, &client, "next done");
        assert_eq!(waiting.recv().unwrap().0, "next done");
        let e = lb
            .wait_for_workers(2, Some(Duration::from_millis(50)))
            .unwrap_err();
        assert!(e.is_timeout(), "{e:?}");
        assert_eq!(lb.stop().unwrap(), counters(2, 2, 3, 1));
    });
}
