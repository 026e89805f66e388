//! The pipeline pattern (`zmq_typed::patterns::pipeline`) over inproc, ipc and tcp: every
//! task done exactly once, spread over every worker, the results counted, KILL and the
//! context's shutdown stopping the workers, and the errors of a bad batch start.

mod common;

use std::collections::BTreeMap;
use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::{bind_endpoint, Transport, PATIENCE};
use zmq_typed::patterns::pipeline::{
    Sink, Stopped, Ventilator, Worker, WorkerReport, BATCH_START, KILL,
};
use zmq_typed::{Context, Error, Multipart, Push, XPub};

const WORKERS: usize = 3;
const TASKS: usize = 90;

/// A sink (with a control socket when `control`), a ventilator and `WORKERS` workers, all
/// connected over `transport`; each worker's results are `[worker name][task]`.
struct Pipeline {
    ctx: Context,
    sink: Sink,
    ventilator: Ventilator,
    workers: Vec<thread::JoinHandle<zmq_typed::Result<WorkerReport>>>,
}

fn pipeline(transport: Transport, control: bool) -> Pipeline {
    let ctx = Context::new().unwrap();
    let mut sink = Sink::bind(&ctx, &bind_endpoint(transport, "results")).unwrap();
    if control {
        sink = sink
            .with_control(&bind_endpoint(transport, "control"))
            .unwrap();
    }
    sink.set_timeout(Some(PATIENCE)).unwrap();
    let ventilator =
        Ventilator::bind(&ctx, &bind_endpoint(transport, "tasks"), sink.endpoint()).unwrap();
    let workers = (0..WORKERS)
        .map(|n| {
            let mut worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint()).unwrap();
            if let Some(control) = sink.control_endpoint() {
                worker = worker.with_control(control).unwrap();
            }
            thread::spawn(move || {
                let name = format!("worker {n}");
                worker.run(None, |task| vec![name.clone(), task.into_string().unwrap()])
            })
        })
        .collect();
    if control {
        sink.wait_for_control_subscribers(WORKERS, PATIENCE)
            .unwrap();
    }
    ventilator.wait_for_workers(WORKERS, PATIENCE).unwrap();
    ventilator.wait_for_sink(PATIENCE).unwrap();
    Pipeline {
        ctx,
        sink,
        ventilator,
        workers,
    }
}

/// Runs a batch of `TASKS` tasks (`"0"`, `"1"`...) and checks that every one was done
/// exactly once, and that every worker did some.
fn run_batch(p: &Pipeline) {
    p.ventilator.start_batch().unwrap();
    p.sink.recv_batch_start().unwrap();
    for task in 0..TASKS {
        p.ventilator.send_task(task.to_string()).unwrap();
    }
    assert_eq!(p.ventilator.tasks_sent(), TASKS as u64);
    let batch = p.sink.collect_results(TASKS).unwrap();
    assert_eq!(batch.results.len(), TASKS);

    let mut per_task = BTreeMap::new();
    let mut per_worker = BTreeMap::new();
    for result in &batch.results {
        let [worker, task] = <[Vec<u8>; 2]>::try_from(result.to_vecs()).unwrap();
        let task: usize = String::from_utf8(task).unwrap().parse().unwrap();
        *per_task.entry(task).or_insert(0) += 1;
        *per_worker
            .entry(String::from_utf8(worker).unwrap())
            .or_insert(0) += 1;
    }
    let once: BTreeMap<usize, i32> = (0..TASKS).map(|task| (task, 1)).collect();
    assert_eq!(per_task, once, "every task done exactly once");
    let names: Vec<String> = (0..WORKERS).map(|n| format!("worker {n}")).collect();
    assert_eq!(per_worker.keys().cloned().collect::<Vec<_>>(), names);
    assert!(
        per_worker.values().all(|&done| done >= 1),
        "every worker got tasks: {per_worker:?}"
    );
}

/// Joins the workers, at most `PATIENCE` in all.
fn join(workers: Vec<thread::JoinHandle<zmq_typed::Result<WorkerReport>>>) -> Vec<WorkerReport> {
    within(PATIENCE, "the workers stop", move || {
        workers
            .into_iter()
            .map(|w| w.join().unwrap().unwrap())
            .collect()
    })
}

fn every_task_once_then_shutdown(transport: Transport) {
    let p = pipeline(transport, false);
    run_batch(&p);
    p.ctx.shutdown().unwrap();
    let reports = join(p.workers);
    assert!(reports.iter().all(|r| r.stopped == Stopped::Shutdown));
    assert_eq!(reports.iter().map(|r| r.tasks).sum::<u64>(), TASKS as u64);
}

fn kill_stops_every_worker(transport: Transport) {
    let p = pipeline(transport, true);
    run_batch(&p);
    p.sink.stop_workers().unwrap();
    let reports = join(p.workers);
    assert_eq!(
        reports.iter().map(|r| r.stopped).collect::<Vec<_>>(),
        [Stopped::Killed; WORKERS]
    );
    assert_eq!(reports.iter().map(|r| r.tasks).sum::<u64>(), TASKS as u64);
}

/// KILL sent as soon as the sink has counted the subscriptions, before any task: it
/// reaches every worker all the same.
fn kill_right_after_the_subscriptions(transport: Transport) {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, &bind_endpoint(transport, "results"))
        .unwrap()
        .with_control(&bind_endpoint(transport, "control"))
        .unwrap();
    let control = sink.control_endpoint().unwrap().to_string();
    let tasks = bind_endpoint(transport, "tasks");
    let ventilator = Ventilator::bind(&ctx, &tasks, sink.endpoint()).unwrap();
    let workers = (0..WORKERS)
        .map(|_| {
            let worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint())
                .unwrap()
                .with_control(&control)
                .unwrap();
            thread::spawn(move || worker.run(None, |task| task))
        })
        .collect();
    sink.wait_for_control_subscribers(WORKERS, PATIENCE)
        .unwrap();
    sink.stop_workers().unwrap();
    let killed = WorkerReport {
        tasks: 0,
        stopped: Stopped::Killed,
    };
    assert_eq!(join(workers), [killed; WORKERS]);
}

/// Once `wait_for_workers` has returned, the very first tasks go round every worker: as
/// many tasks as workers, one each.
fn the_first_tasks_go_round_every_worker(transport: Transport) {
    let p = pipeline(transport, false);
    p.ventilator.start_batch().unwrap();
    p.sink.recv_batch_start().unwrap();
    for task in 0..WORKERS {
        p.ventilator.send_task(task.to_string()).unwrap();
    }
    let batch = p.sink.collect_results(WORKERS).unwrap();
    let mut workers: Vec<Vec<u8>> = batch
        .results
        .iter()
        .map(|result| result.to_vecs().remove(0))
        .collect();
    workers.sort();
    workers.dedup();
    assert_eq!(workers.len(), WORKERS, "{transport:?}: {:?}", batch.results);
    p.ctx.shutdown().unwrap();
    join(p.workers);
}

macro_rules! over_every_transport {
    ($($name:ident),* $(,)?) => {
        mod inproc { $( #[test] fn $name() { super::$name(super::Transport::Inproc) } )* }
        mod ipc { $( #[test] fn $name() { super::$name(super::Transport::Ipc) } )* }
        mod tcp { $( #[test] fn $name() { super::$name(super::Transport::Tcp) } )* }
    };
}

over_every_transport!(
    the_first_tasks_go_round_every_worker,
    every_task_once_then_shutdown,
    kill_stops_every_worker,
    kill_right_after_the_subscriptions,
);

#[test]
fn collect_takes_the_start_then_every_result() {
    // One pusher sends the start and the results over one connection: they arrive in order.
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "tcp://127.0.0.1:*").unwrap();
    sink.set_timeout(Some(PATIENCE)).unwrap();
    let push = Push::new(&ctx).unwrap();
    push.connect(sink.endpoint()).unwrap();
    push.send(BATCH_START).unwrap();
    for result in ["r1", "r2", "r3"] {
        push.send(result).unwrap();
    }
    let batch = sink.collect(3).unwrap();
    assert_eq!(batch.results, ["r1", "r2", "r3"].map(Multipart::single));
}

/// Results that overtake the batch start (they come over other connections) are kept:
/// the start is taken wherever it comes among the batch's messages, and a batch without
/// one is malformed.
#[test]
fn collect_keeps_results_that_overtake_the_start() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "inproc://overtaken").unwrap();
    sink.set_timeout(Some(PATIENCE)).unwrap();
    let push = Push::new(&ctx).unwrap();
    push.connect(sink.endpoint()).unwrap();
    for message in ["r1", "r2", BATCH_START, "r3", BATCH_START, "r4"] {
        push.send(message).unwrap();
    }
    let batch = sink.collect(3).unwrap();
    assert_eq!(batch.results, ["r1", "r2", "r3"].map(Multipart::single));
    // The second start is this batch's, wherever it comes; a result "0" is a result.
    push.send(BATCH_START).unwrap();
    let batch = sink.collect(2).unwrap();
    assert_eq!(batch.results, ["r4", BATCH_START].map(Multipart::single));
    for message in ["a", "b"] {
        push.send(message).unwrap();
    }
    match sink.collect(1) {
        Err(Error::Malformed(detail)) => assert!(detail.contains("none of the 2"), "{detail}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
}

#[test]
fn a_worker_stops_at_its_limit() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "inproc://limit-results").unwrap();
    sink.set_timeout(Some(PATIENCE)).unwrap();
    let ventilator = Ventilator::bind(&ctx, "inproc://limit-tasks", sink.endpoint()).unwrap();
    let worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint()).unwrap();
    ventilator.wait_for_workers(1, PATIENCE).unwrap();
    for task in ["a", "b", "c"] {
        ventilator.send_task(task).unwrap();
    }
    let report = worker.run(Some(2), |task| task).unwrap();
    assert_eq!(
        report,
        WorkerReport {
            tasks: 2,
            stopped: Stopped::Limit
        }
    );
    let batch = sink.collect_results(2).unwrap();
    assert_eq!(
        batch.results,
        [Multipart::single("a"), Multipart::single("b")]
    );
    assert_eq!(worker.run(Some(0), |task| task).unwrap().tasks, 0);
}

#[test]
fn a_bad_batch_start_is_malformed() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "tcp://127.0.0.1:*").unwrap();
    sink.set_timeout(Some(PATIENCE)).unwrap();
    let push = Push::new(&ctx).unwrap();
    push.connect(sink.endpoint()).unwrap();
    push.send("1").unwrap();
    push.send(BATCH_START).unwrap();
    match sink.collect(0) {
        Err(Error::Malformed(detail)) => assert!(detail.contains("\"0\""), "{detail}"),
        other => panic!("expected Malformed, got {other:?}"),
    }
    // The right start comes next: the batch then starts.
    assert_eq!(sink.collect(0).unwrap().results, Vec::<Multipart>::new());
}

#[test]
fn a_longer_message_than_kill_does_not_stop_a_worker() {
    // All over inproc, where a send is in the peer's queue when it returns: the worker sees
    // "KILLER" before the task sent after it.
    let ctx = Context::new().unwrap();
    let control = XPub::new(&ctx).unwrap();
    control.set_rcvtimeo(Some(PATIENCE)).unwrap();
    control.bind("inproc://killer-control").unwrap();
    let sink = Sink::bind(&ctx, "inproc://killer-results").unwrap();
    sink.set_timeout(Some(PATIENCE)).unwrap();
    let ventilator = Ventilator::bind(&ctx, "inproc://killer-tasks", sink.endpoint()).unwrap();
    let worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint())
        .unwrap()
        .with_control("inproc://killer-control")
        .unwrap();
    assert_eq!(
        control.recv_subscription().unwrap().topic(),
        KILL.as_bytes()
    );
    let running = thread::spawn(move || worker.run(None, |task| task));

    control.send("KILLER").unwrap(); // matches the subscription, is not the signal
    ventilator.send_task("after").unwrap();
    assert_eq!(sink.collect_results(1).unwrap().results, ["after"]);
    control.send(KILL).unwrap();
    assert_eq!(
        join(vec![running]),
        [WorkerReport {
            tasks: 1,
            stopped: Stopped::Killed
        }]
    );
}

/// A KILL waiting is seen before the next task, however many are queued (all over inproc,
/// where a send is in the peer's queue when it returns).
#[test]
fn a_waiting_kill_comes_before_the_queued_tasks() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "inproc://queued-results")
        .unwrap()
        .with_control("inproc://queued-control")
        .unwrap();
    let ventilator = Ventilator::bind(&ctx, "inproc://queued-tasks", sink.endpoint()).unwrap();
    let worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint())
        .unwrap()
        .with_control("inproc://queued-control")
        .unwrap();
    ventilator.wait_for_workers(1, PATIENCE).unwrap();
    sink.wait_for_control_subscribers(1, PATIENCE).unwrap();
    for task in 0..100 {
        ventilator.send_task(task.to_string()).unwrap();
    }
    sink.stop_workers().unwrap();
    let report = worker.run(None, |task| task).unwrap();
    assert_eq!(
        report,
        WorkerReport {
            tasks: 0,
            stopped: Stopped::Killed
        }
    );
}

#[test]
fn control_calls_without_a_control_socket_are_wrong_state() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "inproc://no-control").unwrap();
    assert_eq!(sink.control_endpoint(), None);
    assert!(sink.stop_workers().unwrap_err().is_wrong_state());
    assert!(sink
        .wait_for_control_subscribers(1, PATIENCE)
        .unwrap_err()
        .is_wrong_state());
}

#[test]
fn waits_that_run_out_are_timeouts() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "tcp://127.0.0.1:*")
        .unwrap()
        .with_control("tcp://127.0.0.1:*")
        .unwrap();
    let ventilator = Ventilator::bind(&ctx, "tcp://127.0.0.1:*", sink.endpoint()).unwrap();
    let short = Duration::from_millis(50);
    let e = sink.wait_for_control_subscribers(1, short).unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    assert!(e.to_string().contains("0 of 1 workers"), "{e}");
    let e = ventilator.wait_for_workers(1, short).unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    sink.set_timeout(Some(short)).unwrap();
    assert!(sink.collect(1).unwrap_err().is_timeout());
}

#[test]
fn shutdown_ends_every_blocked_call() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "tcp://127.0.0.1:*")
        .unwrap()
        .with_control("tcp://127.0.0.1:*")
        .unwrap();
    let control = sink.control_endpoint().unwrap().to_string();
    let ventilator = Ventilator::bind(&ctx, "tcp://127.0.0.1:*", sink.endpoint()).unwrap();
    let plain = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint()).unwrap();
    let controlled = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint())
        .unwrap()
        .with_control(&control)
        .unwrap();
    ventilator.wait_for_workers(2, PATIENCE).unwrap();
    sink.wait_for_control_subscribers(1, PATIENCE).unwrap();

    let long = Duration::from_secs(3600);
    let collecting = thread::spawn(move || {
        let collected = sink.collect(1).map(drop);
        let waited = sink.wait_for_control_subscribers(2, long);
        (collected, waited)
    });
    let waiting = thread::spawn(move || ventilator.wait_for_workers(3, long));
    let workers = [plain, controlled].map(|w| thread::spawn(move || w.run(None, |t| t)));
    ctx.shutdown().unwrap();

    let (collected, waited) = within(PATIENCE, "collect returns", move || {
        collecting.join().unwrap()
    });
    assert!(collected.unwrap_err().is_terminated());
    assert!(waited.unwrap_err().is_terminated());
    let waited = within(PATIENCE, "wait_for_workers returns", move || {
        waiting.join().unwrap()
    });
    assert!(waited.unwrap_err().is_terminated());
    let reports = join(Vec::from(workers));
    assert_eq!(
        reports,
        [WorkerReport {
            tasks: 0,
            stopped: Stopped::Shutdown
        }; 2]
    );
}

/// A count the caller typed, however huge, is no panic: the sink reserves a bounded room
/// up front and collects until the count or an error (here its receive timeout).
#[test]
fn a_huge_count_is_no_panic() {
    let ctx = Context::new().unwrap();
    let sink = Sink::bind(&ctx, "inproc://pipeline-huge-count").unwrap();
    sink.set_timeout(Some(Duration::from_millis(20))).unwrap();
    assert!(sink.collect_results(usize::MAX).unwrap_err().is_timeout());
    assert!(sink.collect(usize::MAX).unwrap_err().is_timeout());
}
