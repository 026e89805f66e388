//! The request-reply broker and the load balancer, over inproc, ipc and tcp: every reply
//! reaches the client that asked, the load balancer gives work only to free workers and
//! uses them all, the counters are exact, and stopping (or dropping, or the context's
//! shutdown) never hangs.

mod common;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::patterns::broker::RequestReplyBroker;
use zmq_typed::patterns::handle::Counters;
use zmq_typed::patterns::load_balancer::{LbWorker, LoadBalancer, READY};
use zmq_typed::{AwaitingReply, Context, Dealer, Multipart, Rep, Req};

/// A context whose sockets do not linger: the peers of these tests come and go, and what
/// a closed socket still had queued for one that went (a subscriber's re-subscription, a
/// reply) must not hold the context's end for the default linger.
fn quick_ctx() -> Context {
    Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap()
}

const CLIENTS: usize = 4;
const REQUESTS: usize = 25;
const WORKERS: usize = 3;
const TOTAL: u64 = (CLIENTS * REQUESTS) as u64;

/// `CLIENTS` REQ clients on threads, each sending `REQUESTS` requests with ids of its own
/// and checking that each reply echoes its own request. Each returns the worker of each
/// reply (the text after " by ").
fn clients(ctx: &Context, frontend: &str) -> Vec<JoinHandle<Vec<String>>> {
    (0..CLIENTS)
        .map(|c| {
            let ctx = ctx.clone();
            let frontend = frontend.to_string();
            thread::spawn(move || {
                let mut req = patient(Req::new(&ctx).unwrap());
                req.connect(frontend.as_str()).unwrap();
                let mut served_by = Vec::new();
                for r in 0..REQUESTS {
                    let request = format!("c{c}-r{r}");
                    let (reply, ready) = req.send(request.as_str()).unwrap().recv().unwrap();
                    let reply = reply.into_string().unwrap();
                    let worker = reply
                        .strip_prefix(&format!("{request} by "))
                        .unwrap_or_else(|| panic!("client {c} asked {request}, got {reply}"));
                    served_by.push(worker.to_string());
                    req = ready;
                }
                served_by
            })
        })
        .collect()
}

/// How many replies each worker gave, over every client.
fn tally(clients: Vec<JoinHandle<Vec<String>>>) -> BTreeMap<String, u64> {
    let mut per_worker = BTreeMap::new();
    for client in clients {
        for worker in client.join().expect("client thread") {
            *per_worker.entry(worker).or_insert(0) += 1;
        }
    }
    per_worker
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

fn request_reply_broker_over(transport: Transport) {
    let ctx = quick_ctx();
    let broker = RequestReplyBroker::start(
        &ctx,
        &bind_endpoint(transport, "rr-front"),
        &bind_endpoint(transport, "rr-back"),
    )
    .unwrap();
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let rep = Rep::new(&ctx).unwrap();
            rep.connect(broker.backend_endpoint()).unwrap();
            thread::spawn(move || rep.serve(move |request| format!("{request} by w{w}")))
        })
        .collect();

    let per_worker = tally(clients(&ctx, broker.frontend_endpoint()));
    assert_eq!(per_worker.values().sum::<u64>(), TOTAL, "{transport:?}");
    // Live, and exact: every reply was counted before it left.
    let expected = counters(TOTAL, TOTAL, TOTAL, TOTAL);
    assert_eq!(broker.counters().unwrap(), expected, "{transport:?}");
    assert_eq!(broker.stop().unwrap(), expected, "{transport:?}");

    ctx.shutdown().unwrap();
    for worker in workers {
        assert!(worker.join().expect("worker thread").is_ok());
    }
}

#[test]
fn the_request_reply_broker_routes_every_reply_to_its_client() {
    within(PATIENCE * 3, "request-reply broker", || {
        for transport in TRANSPORTS {
            request_reply_broker_over(transport);
        }
    });
}

/// `n` load-balancer workers on threads, each serving until the context's shutdown and
/// recording how many requests it served at once (never more than one).
fn lb_workers(ctx: &Context, backend: &str, n: usize) -> (Vec<JoinHandle<u64>>, Arc<AtomicU64>) {
    let most_at_once = Arc::new(AtomicU64::new(0));
    let workers = (0..n)
        .map(|w| {
            let worker = LbWorker::connect(ctx, backend).unwrap();
            let most_at_once = Arc::clone(&most_at_once);
            let busy = AtomicU64::new(0);
            thread::spawn(move || {
                worker
                    .serve(None, |request| {
                        let now = busy.fetch_add(1, Ordering::SeqCst) + 1;
                        most_at_once.fetch_max(now, Ordering::SeqCst);
                        let reply = format!("{request} by w{w}");
                        busy.fetch_sub(1, Ordering::SeqCst);
                        reply
                    })
                    .unwrap()
            })
        })
        .collect();
    (workers, most_at_once)
}

fn load_balancer_over(transport: Transport) {
    let ctx = quick_ctx();
    let broker = LoadBalancer::start(
        &ctx,
        &bind_endpoint(transport, "lb-front"),
        &bind_endpoint(transport, "lb-back"),
    )
    .unwrap();
    let (workers, most_at_once) = lb_workers(&ctx, broker.backend_endpoint(), WORKERS);
    broker.wait_for_workers(WORKERS, Some(PATIENCE)).unwrap();

    let per_worker = tally(clients(&ctx, broker.frontend_endpoint()));
    assert_eq!(per_worker.values().sum::<u64>(), TOTAL, "{transport:?}");
    // Every worker was ready before the first request: each got some.
    assert_eq!(per_worker.len(), WORKERS, "{transport:?}: {per_worker:?}");
    assert_eq!(most_at_once.load(Ordering::SeqCst), 1);
    // READY from each worker, then the replies.
    let expected = counters(TOTAL, TOTAL, WORKERS as u64 + TOTAL, TOTAL);
    assert_eq!(broker.counters().unwrap(), expected, "{transport:?}");
    assert_eq!(broker.stop().unwrap(), expected, "{transport:?}");

    ctx.shutdown().unwrap();
    let served: u64 = workers
        .into_iter()
        .map(|w| w.join().expect("worker thread"))
        .sum();
    assert_eq!(served, TOTAL);
}

#[test]
fn the_load_balancer_routes_every_reply_and_uses_every_worker() {
    within(PATIENCE * 3, "load balancer", || {
        for transport in TRANSPORTS {
            load_balancer_over(transport);
        }
    });
}

/// One client asking one request at a time: the least recently ready worker gets each, so
/// the workers take turns in a fixed order.
#[test]
fn one_client_is_served_by_the_workers_in_turn() {
    within(PATIENCE, "workers in turn", || {
        let ctx = quick_ctx();
        let broker = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "inproc://lb-turns").unwrap();
        let (workers, _) = lb_workers(&ctx, broker.backend_endpoint(), WORKERS);
        broker.wait_for_workers(WORKERS, Some(PATIENCE)).unwrap();
        let mut req = patient(Req::new(&ctx).unwrap());
        req.connect(broker.frontend_endpoint()).unwrap();
        let mut order = Vec::new();
        for r in 0..3 * WORKERS {
            let (reply, ready) = req.send(format!("r{r}")).unwrap().recv().unwrap();
            let reply = reply.into_string().unwrap();
            order.push(reply.rsplit(' ').next().unwrap().to_string());
            req = ready;
        }
        let first_turn = &order[..WORKERS];
        let mut distinct = first_turn.to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), WORKERS, "{order:?}");
        for (r, worker) in order.iter().enumerate() {
            assert_eq!(worker, &first_turn[r % WORKERS], "{order:?}");
        }
        drop(broker);
        ctx.shutdown().unwrap();
        let served: Vec<u64> = workers.into_iter().map(|w| w.join().unwrap()).collect();
        assert_eq!(served, [3, 3, 3]);
    });
}

/// A hand-made worker (a DEALER speaking the REQ envelope) that holds each request until
/// told to reply, and records whether a request ever came while it held one.
struct HeldWorker {
    requests: mpsc::Receiver<String>,
    release: mpsc::Sender<()>,
    thread: JoinHandle<u64>,
}

fn held_worker(ctx: &Context, backend: &str, serve: usize) -> HeldWorker {
    let dealer = patient(Dealer::new(ctx).unwrap());
    // It closes its socket after its last reply: that reply must still go out.
    dealer.set_linger(Some(PATIENCE)).unwrap();
    dealer.connect(backend).unwrap();
    dealer.send(["", READY]).unwrap();
    let (got, requests) = mpsc::channel();
    let (release, released) = mpsc::channel::<()>();
    let thread = thread::spawn(move || {
        let mut most_at_once = 0;
        for _ in 0..serve {
            let request = dealer.recv().unwrap();
            // [][client id][][request]
            let (envelope, body) = request.split_envelope().unwrap();
            assert!(envelope.is_empty());
            let text = body.clone().split_envelope().unwrap().1.into_string();
            got.send(text.unwrap()).unwrap();
            released.recv_timeout(PATIENCE).unwrap();
            // Anything already here came while this worker was busy.
            let at_once = 1 + u64::from(dealer.try_recv().unwrap().is_some());
            most_at_once = most_at_once.max(at_once);
            let (client, request) = body.split_envelope().unwrap();
            let reply = Multipart::single(format!("{request} done"));
            dealer
                .send(Multipart::join_envelope(
                    Multipart::new(),
                    Multipart::join_envelope(client, reply),
                ))
                .unwrap();
        }
        most_at_once
    });
    HeldWorker {
        requests,
        release,
        thread,
    }
}

fn send_request(ctx: &Context, frontend: &str, text: &str) -> JoinHandle<String> {
    let req = patient(Req::new(ctx).unwrap());
    req.connect(frontend).unwrap();
    let req = req.send(text).unwrap();
    thread::spawn(move || req.recv().unwrap().0.into_string().unwrap())
}

/// With both workers busy, a third request waits for one to be free, and goes to the one
/// that became free, never to the one still busy.
#[test]
fn a_busy_worker_is_never_given_a_second_request() {
    within(PATIENCE * 2, "busy workers", || {
        for transport in TRANSPORTS {
            let ctx = quick_ctx();
            let broker = LoadBalancer::start(
                &ctx,
                &bind_endpoint(transport, "busy-front"),
                &bind_endpoint(transport, "busy-back"),
            )
            .unwrap();
            let backend = broker.backend_endpoint().to_string();
            let a = held_worker(&ctx, &backend, 1);
            broker.wait_for_workers(1, Some(PATIENCE)).unwrap();
            let b = held_worker(&ctx, &backend, 2);
            broker.wait_for_workers(2, Some(PATIENCE)).unwrap();
            let frontend = broker.frontend_endpoint().to_string();

            // a was ready first, so it gets the first request, b the second.
            let r1 = send_request(&ctx, &frontend, "r1");
            assert_eq!(a.requests.recv_timeout(PATIENCE).unwrap(), "r1");
            let r2 = send_request(&ctx, &frontend, "r2");
            assert_eq!(b.requests.recv_timeout(PATIENCE).unwrap(), "r2");
            let r3 = send_request(&ctx, &frontend, "r3");
            // b frees itself first: r3 is b's, not a's (still busy).
            b.release.send(()).unwrap();
            assert_eq!(r2.join().unwrap(), "r2 done");
            assert_eq!(b.requests.recv_timeout(PATIENCE).unwrap(), "r3");
            a.release.send(()).unwrap();
            b.release.send(()).unwrap();
            assert_eq!(r1.join().unwrap(), "r1 done");
            assert_eq!(r3.join().unwrap(), "r3 done");
            assert_eq!(a.thread.join().unwrap(), 1, "{transport:?}");
            assert_eq!(b.thread.join().unwrap(), 1, "{transport:?}");
            // READY twice, three replies.
            assert_eq!(
                broker.stop().unwrap(),
                counters(3, 3, 5, 3),
                "{transport:?}"
            );
        }
    });
}

/// A reply for a client that has gone never blocks the broker: it is dropped (and counted)
/// or, if the broker has not noticed the client go yet, sent into its closing connection.
/// Either way the next client is served.
#[test]
fn a_reply_for_a_client_that_has_gone_is_not_waited_for() {
    within(PATIENCE, "vanished client", || {
        for transport in TRANSPORTS {
            let ctx = quick_ctx();
            let broker = LoadBalancer::start(
                &ctx,
                &bind_endpoint(transport, "gone-front"),
                &bind_endpoint(transport, "gone-back"),
            )
            .unwrap();
            let worker = held_worker(&ctx, broker.backend_endpoint(), 2);
            broker.wait_for_workers(1, Some(PATIENCE)).unwrap();
            let frontend = broker.frontend_endpoint().to_string();
            let gone = abandoned_request(&ctx, &frontend);
            assert_eq!(worker.requests.recv_timeout(PATIENCE).unwrap(), "anyone?");
            drop(gone);
            worker.release.send(()).unwrap();
            let next = send_request(&ctx, &frontend, "next");
            assert_eq!(worker.requests.recv_timeout(PATIENCE).unwrap(), "next");
            worker.release.send(()).unwrap();
            assert_eq!(next.join().unwrap(), "next done");
            assert_eq!(worker.thread.join().unwrap(), 1);
            let counted = broker.stop().unwrap();
            assert_eq!(counted.frontend_out + counted.dropped, 2, "{transport:?}");
            assert_eq!(
                Counters {
                    frontend_out: 0,
                    dropped: 0,
                    ..counted
                },
                counters(2, 2, 3, 0),
                "{transport:?}"
            );
        }
    });
}

/// A correlating REQ (the Lazy Pirate client's) puts its request id in the envelope: the
/// worker hands it back, and the reply is accepted.
#[test]
fn a_correlating_client_is_answered() {
    within(PATIENCE, "correlating client", || {
        let ctx = quick_ctx();
        let broker =
            LoadBalancer::start(&ctx, "inproc://corr-front", "inproc://corr-back").unwrap();
        let (workers, _) = lb_workers(&ctx, broker.backend_endpoint(), 1);
        let req = patient(Req::new_relaxed(&ctx).unwrap());
        req.connect(broker.frontend_endpoint()).unwrap();
        let (reply, _req) = req.send("ping").unwrap().recv().unwrap();
        assert_eq!(reply, "ping by w0");
        drop(broker);
        ctx.shutdown().unwrap();
        assert_eq!(
            workers.into_iter().map(|w| w.join().unwrap()).sum::<u64>(),
            1
        );
    });
}

/// A request without an envelope (a DEALER that sent no delimiter) is dropped and counted;
/// the broker goes on.
#[test]
fn a_request_without_an_envelope_is_dropped() {
    within(PATIENCE, "malformed request", || {
        let ctx = quick_ctx();
        let broker = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "ipc://*").unwrap();
        let (workers, _) = lb_workers(&ctx, broker.backend_endpoint(), 1);
        broker.wait_for_workers(1, Some(PATIENCE)).unwrap();
        let dealer = patient(Dealer::new(&ctx).unwrap());
        dealer.connect(broker.frontend_endpoint()).unwrap();
        dealer.send("no envelope").unwrap();
        dealer.send(["", "fine"]).unwrap();
        // In order on one connection: the first was handled before this reply came.
        assert_eq!(dealer.recv().unwrap().to_vecs(), [v(""), v("fine by w0")]);
        let counted = broker.stop().unwrap();
        assert_eq!(
            counted,
            Counters {
                dropped: 1,
                ..counters(2, 1, 2, 1)
            }
        );
        ctx.shutdown().unwrap();
        assert_eq!(
            workers.into_iter().map(|w| w.join().unwrap()).sum::<u64>(),
            1
        );
    });
}

/// A worker with a limit stops after it, with its count.
#[test]
fn a_worker_stops_after_its_limit() {
    within(PATIENCE, "worker limit", || {
        let ctx = quick_ctx();
        let broker = LoadBalancer::start(&ctx, "inproc://lim-front", "inproc://lim-back").unwrap();
        let worker = LbWorker::connect(&ctx, broker.backend_endpoint()).unwrap();
        // It closes its socket after its last reply: that reply must still go out.
        worker.socket().set_linger(Some(PATIENCE)).unwrap();
        let worker = thread::spawn(move || worker.serve(Some(2), |request| request));
        let mut req = patient(Req::new(&ctx).unwrap());
        req.connect(broker.frontend_endpoint()).unwrap();
        for r in ["one", "two"] {
            let (reply, ready) = req.send(r).unwrap().recv().unwrap();
            assert_eq!(reply, r);
            req = ready;
        }
        assert_eq!(worker.join().unwrap().unwrap(), 2);
        let idle = LbWorker::connect(&ctx, broker.backend_endpoint()).unwrap();
        assert_eq!(idle.serve(Some(0), |request| request).unwrap(), 0);
        assert_eq!(broker.stop().unwrap(), counters(2, 2, 3, 2));
    });
}

/// A request whose reply nobody will wait for (the socket lingers not at all, so the
/// context's end does not wait for it either).
fn abandoned_request(ctx: &Context, frontend: &str) -> Req<AwaitingReply> {
    let req = Req::new(ctx).unwrap();
    req.set_linger(Some(Duration::ZERO)).unwrap();
    req.connect(frontend).unwrap();
    req.send("anyone?").unwrap()
}

/// Requests with no worker to take them wait in the clients' queues: stopping is prompt
/// all the same, and nothing was moved.
#[test]
fn brokers_without_workers_stop_at_once() {
    within(PATIENCE, "stop without workers", || {
        for transport in TRANSPORTS {
            let ctx = quick_ctx();
            let rr = RequestReplyBroker::start(
                &ctx,
                &bind_endpoint(transport, "idle-rr-front"),
                &bind_endpoint(transport, "idle-rr-back"),
            )
            .unwrap();
            let lb = LoadBalancer::start(
                &ctx,
                &bind_endpoint(transport, "idle-lb-front"),
                &bind_endpoint(transport, "idle-lb-back"),
            )
            .unwrap();
            let mut waiting = Vec::new();
            for frontend in [rr.frontend_endpoint(), lb.frontend_endpoint()] {
                waiting.push(abandoned_request(&ctx, frontend));
            }
            assert_eq!(rr.stop().unwrap(), Counters::default(), "{transport:?}");
            assert_eq!(lb.stop().unwrap(), Counters::default(), "{transport:?}");
        }
    });
}

/// Dropping a running broker stops it and returns, with clients and workers still
/// connected and a request in flight.
#[test]
fn dropping_running_brokers_returns() {
    within(PATIENCE, "drop", || {
        let ctx = quick_ctx();
        let rr = RequestReplyBroker::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let lb = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let rep = Rep::new(&ctx).unwrap();
        rep.connect(rr.backend_endpoint()).unwrap();
        let lb_worker = Dealer::new(&ctx).unwrap();
        lb_worker.connect(lb.backend_endpoint()).unwrap();
        lb_worker.send(["", READY]).unwrap();
        lb.wait_for_workers(1, Some(PATIENCE)).unwrap();
        let mut waiting = Vec::new();
        for frontend in [rr.frontend_endpoint(), lb.frontend_endpoint()] {
            waiting.push(abandoned_request(&ctx, frontend));
        }
        // Each worker holds its request: both brokers have moved one.
        let (request, _rep) = patient(rep).recv().unwrap();
        assert_eq!(request, "anyone?");
        assert_eq!(patient(lb_worker).recv().unwrap().len(), 4);
        drop(rr);
        drop(lb);
    });
}

/// After the context's shutdown, both brokers' threads have ended: counters, stop and drop
/// answer at once, with a terminated error.
#[test]
fn brokers_after_the_context_shutdown() {
    within(PATIENCE, "after shutdown", || {
        let ctx = quick_ctx();
        let rr = RequestReplyBroker::start(&ctx, "inproc://sd-rr-f", "inproc://sd-rr-b").unwrap();
        let lb = LoadBalancer::start(&ctx, "inproc://sd-lb-f", "inproc://sd-lb-b").unwrap();
        let dropped_rr = RequestReplyBroker::start(&ctx, "inproc://sd-f", "inproc://sd-b").unwrap();
        let dropped_lb = LoadBalancer::start(&ctx, "inproc://sd-f2", "inproc://sd-b2").unwrap();
        ctx.shutdown().unwrap();
        let error = lb.wait_for_workers(1, Some(PATIENCE)).unwrap_err();
        assert!(error.is_terminated(), "{error:?}");
        assert!(rr.counters().unwrap_err().is_terminated());
        assert!(lb.counters().unwrap_err().is_terminated());
        let error = rr.stop().unwrap_err();
        assert!(error.is_terminated(), "{error:?}");
        let error = lb.stop().unwrap_err();
        assert!(error.is_terminated(), "{error:?}");
        drop((dropped_rr, dropped_lb));
    });
}
