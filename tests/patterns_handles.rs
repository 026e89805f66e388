//! The brokers' handles in every order with their context: the context dropped first (the
//! handles and the sockets keep it), the context shut down while the brokers are under
//! load, counters read live while requests flow; and workers that die or panic mid-request.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::patterns::broker::RequestReplyBroker;
use zmq_typed::patterns::forwarder::Forwarder;
use zmq_typed::patterns::handle::Counters;
use zmq_typed::patterns::load_balancer::{LbWorker, LoadBalancer, READY};
use zmq_typed::patterns::pipeline::{Sink, Stopped, Ventilator, Worker};
use zmq_typed::{Context, Dealer, Multipart, Rep, Req, Sub, XPub};

fn quick_ctx() -> Context {
    Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap()
}

fn both_ways(n: u64) -> Counters {
    Counters {
        frontend_in: n,
        frontend_out: n,
        backend_in: n,
        backend_out: n,
        dropped: 0,
    }
}

/// Every broker goes on working, and stops exactly, after the last `Context` is dropped:
/// its sockets keep the context alive. Dropping a handle after that returns too.
#[test]
fn brokers_outlive_the_dropped_context() {
    within(PATIENCE, "context dropped first", || {
        for stop in [true, false] {
            let ctx = quick_ctx();
            let rr = RequestReplyBroker::start(&ctx, "inproc://o-rr-f", "inproc://o-rr-b").unwrap();
            let lb = LoadBalancer::start(&ctx, "inproc://o-lb-f", "inproc://o-lb-b").unwrap();
            let publisher = patient(XPub::new(&ctx).unwrap());
            publisher.bind("inproc://o-up").unwrap();
            let fwd = Forwarder::start(&ctx, "inproc://o-up", "inproc://o-down").unwrap();
            let rep = Rep::new(&ctx).unwrap();
            rep.connect(rr.backend_endpoint()).unwrap();
            let rep = thread::spawn(move || rep.serve(|r| format!("{r} rr")));
            let lb_worker = LbWorker::connect(&ctx, lb.backend_endpoint()).unwrap();
            let lb_worker = thread::spawn(move || lb_worker.serve(None, |r| format!("{r} lb")));
            let rr_client = patient(Req::new(&ctx).unwrap());
            rr_client.connect(rr.frontend_endpoint()).unwrap();
            let lb_client = patient(Req::new(&ctx).unwrap());
            lb_client.connect(lb.frontend_endpoint()).unwrap();
            let sub = patient(Sub::new(&ctx).unwrap());
            sub.subscribe("").unwrap();
            sub.connect(fwd.downstream_endpoint()).unwrap();
            let shutdown = ctx.shutdown_handle();
            drop(ctx);

            assert_eq!(rr_client.send("a").unwrap().recv().unwrap().0, "a rr");
            assert_eq!(lb_client.send("b").unwrap().recv().unwrap().0, "b lb");
            assert!(publisher.recv_subscription().unwrap().is_subscribe());
            publisher.send("c").unwrap();
            assert_eq!(sub.recv().unwrap(), "c");
            if stop {
                assert_eq!(rr.stop().unwrap(), both_ways(1));
                let lb_counted = lb.stop().unwrap();
                assert_eq!((lb_counted.frontend_in, lb_counted.backend_in), (1, 2));
                assert_eq!(fwd.stop().unwrap(), both_ways(1));
            } else {
                drop((rr, lb, fwd));
            }
            assert!(shutdown.shutdown());
            assert!(rep.join().unwrap().is_ok());
            assert_eq!(lb_worker.join().unwrap().unwrap(), 1);
        }
    });
}

/// The context shut down while clients keep both request brokers busy, and a publisher
/// the forwarder: every client, worker and broker thread ends, and the handles say the
/// context was shut down.
#[test]
fn a_shutdown_under_load_ends_everything() {
    within(PATIENCE, "shutdown under load", || {
        let ctx = quick_ctx();
        let rr = RequestReplyBroker::start(&ctx, "tcp://127.0.0.1:*", "ipc://*").unwrap();
        let lb = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "ipc://*").unwrap();
        let mut workers = Vec::new();
        for _ in 0..2 {
            let rep = Rep::new(&ctx).unwrap();
            rep.connect(rr.backend_endpoint()).unwrap();
            workers.push(thread::spawn(move || rep.serve(|r| r).is_ok()));
            let worker = LbWorker::connect(&ctx, lb.backend_endpoint()).unwrap();
            workers.push(thread::spawn(move || worker.serve(None, |r| r).is_ok()));
        }
        let mut clients = Vec::new();
        lb.wait_for_workers(2, Some(PATIENCE)).unwrap();
        let (served, counted) = std::sync::mpsc::channel();
        for frontend in [rr.frontend_endpoint(), lb.frontend_endpoint()] {
            for _ in 0..2 {
                let mut req = Req::new(&ctx).unwrap();
                req.connect(frontend).unwrap();
                let served = served.clone();
                clients.push(thread::spawn(move || -> zmq_typed::Result<()> {
                    loop {
                        let waiting = req.send("load").map_err(|f| f.into_error())?;
                        let (_, ready) = waiting.recv().map_err(|f| f.into_error())?;
                        req = ready;
                        let _ = served.send(());
                    }
                }));
            }
        }
        // And the forwarder: a publisher that never stops, a subscriber that reads.
        let publisher = XPub::new(&ctx).unwrap();
        let upstream = publisher.bind("tcp://127.0.0.1:*").unwrap().to_string();
        let fwd = Forwarder::start(&ctx, &upstream, "ipc://*").unwrap();
        let sub = Sub::new(&ctx).unwrap();
        sub.subscribe("").unwrap();
        sub.connect(fwd.downstream_endpoint()).unwrap();
        publisher.recv_subscription().unwrap();
        clients.push(thread::spawn(move || loop {
            publisher.send("update")?;
        }));
        let forwarded = served.clone();
        clients.push(thread::spawn(move || loop {
            sub.recv()?;
            let _ = forwarded.send(());
        }));
        // Under load: some replies and updates have come through.
        for _ in 0..50 {
            counted.recv_timeout(PATIENCE).unwrap();
        }
        let live = lb.counters().unwrap();
        assert!(live.frontend_in >= 1, "{live:?}");
        ctx.shutdown().unwrap();
        // Workers end their serve loop normally, clients with the shutdown's error.
        for worker in workers {
            assert!(worker.join().unwrap());
        }
        for client in clients {
            let error = client.join().unwrap().unwrap_err();
            assert!(error.is_terminated(), "{error:?}");
        }
        assert!(fwd.counters().unwrap_err().is_terminated());
        assert!(fwd.stop().unwrap_err().is_terminated());
        assert!(rr.stop().unwrap_err().is_terminated());
        assert!(lb.stop().unwrap_err().is_terminated());
    });
}

/// A load-balancer worker that dies with a request: that request is lost (its client
/// waits), and the next requests go to a worker that is alive.
#[test]
fn a_worker_killed_mid_request_is_not_given_more() {
    within(PATIENCE, "killed worker", || {
        let ctx = quick_ctx();
        let lb = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
        let doomed = patient(Dealer::new(&ctx).unwrap());
        doomed.connect(lb.backend_endpoint()).unwrap();
        doomed.send(["", READY]).unwrap();
        lb.wait_for_workers(1, Some(PATIENCE)).unwrap();
        let lost = Req::new(&ctx).unwrap();
        lost.connect(lb.frontend_endpoint()).unwrap();
        let _lost = lost.send("lost").unwrap();
        assert_eq!(doomed.recv().unwrap().len(), 4);
        drop(doomed);
        let alive = LbWorker::connect(&ctx, lb.backend_endpoint()).unwrap();
        let alive = thread::spawn(move || alive.serve(None, |r| format!("{r} served")));
        let mut req = patient(Req::new(&ctx).unwrap());
        req.connect(lb.frontend_endpoint()).unwrap();
        for n in 0..3 {
            let (reply, ready) = req.send(format!("r{n}")).unwrap().recv().unwrap();
            assert_eq!(reply, format!("r{n} served"));
            req = ready;
        }
        let counted = lb.stop().unwrap();
        assert_eq!((counted.frontend_in, counted.backend_out), (4, 4));
        assert_eq!((counted.backend_in, counted.frontend_out), (5, 3));
        ctx.shutdown().unwrap();
        assert_eq!(alive.join().unwrap().unwrap(), 3);
    });
}

/// A pipeline worker whose closure panics: the panic comes out of `run`, that task is
/// lost, and the worker is as it was: it runs again, and its next result reaches the sink.
#[test]
fn a_panicking_task_leaves_the_worker_usable() {
    within(PATIENCE, "panicking task", || {
        let ctx = Context::new().unwrap();
        let sink = Sink::bind(&ctx, "inproc://panic-results").unwrap();
        sink.set_timeout(Some(PATIENCE)).unwrap();
        let ventilator = Ventilator::bind(&ctx, "inproc://panic-tasks", sink.endpoint()).unwrap();
        let worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint()).unwrap();
        ventilator.wait_for_workers(1, PATIENCE).unwrap();
        for task in ["boom", "fine"] {
            ventilator.send_task(task).unwrap();
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            worker.run(None, |task: Multipart| {
                assert_ne!(task, "boom", "the task panics");
                task
            })
        }));
        assert!(outcome.is_err());
        let report = worker.run(Some(1), |task| task).unwrap();
        assert_eq!((report.tasks, report.stopped), (1, Stopped::Limit));
        assert_eq!(sink.collect_results(1).unwrap().results, ["fine"]);
    });
}

/// Right after the context's shutdown, before the broker threads may have noticed it,
/// every handle already says so: counters, waits and stop.
#[test]
fn right_after_the_shutdown_the_handles_say_so() {
    within(PATIENCE * 3, "at once after shutdown", || {
        for _ in 0..50 {
            let ctx = quick_ctx();
            let rr =
                RequestReplyBroker::start(&ctx, "inproc://now-rr-f", "inproc://now-rr-b").unwrap();
            let lb = LoadBalancer::start(&ctx, "inproc://now-lb-f", "inproc://now-lb-b").unwrap();
            let fwd =
                Forwarder::start_binding(&ctx, "inproc://now-up", "inproc://now-down").unwrap();
            ctx.shutdown().unwrap();
            let lb_counters = lb.counters();
            assert!(
                lb_counters.as_ref().unwrap_err().is_terminated(),
                "{lb_counters:?}"
            );
            let e = lb.wait_for_workers(1, None).unwrap_err();
            assert!(e.is_terminated(), "{e:?}");
            assert!(rr.counters().unwrap_err().is_terminated());
            assert!(fwd.counters().unwrap_err().is_terminated());
            assert!(lb.stop().unwrap_err().is_terminated());
            assert!(rr.stop().unwrap_err().is_terminated());
            assert!(fwd.stop().unwrap_err().is_terminated());
        }
    });
}
