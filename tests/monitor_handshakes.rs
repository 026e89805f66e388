//! "Peers are ready": a monitor made before the bind or connect counts the ZMTP handshakes
//! its socket completes, and `wait_for_handshakes` returns once enough have, however early
//! they came. A PUSH that waits for its workers' handshakes deals its tasks evenly.

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::{
    Context, CurveKeyPair, Error, EventKind, EventMask, PollEvents, Poller, ProtocolError, Pull,
    Push,
};

/// `n` PULL workers connected to `endpoint`.
fn workers(ctx: &Context, endpoint: &zmq_typed::Endpoint, n: usize) -> Vec<Pull> {
    (0..n)
        .map(|_| {
            let worker = patient(Pull::new(ctx).unwrap());
            worker.connect(endpoint).unwrap();
            worker
        })
        .collect()
}

/// Sends 30 tasks and returns how many each worker got (reading until all 30 are in).
fn deal_30(push: &Push, workers: &[Pull]) -> Vec<usize> {
    for task in 0..30 {
        push.send(task.to_string()).unwrap();
    }
    let mut counts = vec![0; workers.len()];
    let mut got = 0;
    while got < 30 {
        let mut poller = Poller::new();
        let tokens: Vec<_> = workers
            .iter()
            .map(|w| poller.add(w, PollEvents::IN))
            .collect();
        let ready = poller.poll(Some(PATIENCE)).unwrap();
        assert!(!ready.is_empty(), "only {got} of 30 tasks arrived");
        for (i, token) in tokens.iter().enumerate() {
            if ready.is_readable(*token) {
                while workers[i].try_recv().unwrap().is_some() {
                    counts[i] += 1;
                    got += 1;
                }
            }
        }
    }
    counts
}

/// The ventilator: a PUSH that waits until its three workers have completed their
/// handshake, then sends 30 tasks, gives exactly 10 to each (round robin over ready peers).
/// Bound PUSH, connecting workers, over tcp.
#[test]
fn a_push_that_waits_for_three_handshakes_deals_ten_tasks_to_each_worker() {
    for round in 0..5 {
        let ctx = ctx();
        let push = patient(Push::new(&ctx).unwrap());
        let peers = push.monitor_handshakes().unwrap();
        let ep = push.bind("tcp://127.0.0.1:*").unwrap();
        let workers = workers(&ctx, &ep, 3);
        peers.wait_for_handshakes(3, PATIENCE).unwrap();
        assert_eq!(peers.handshakes(), 3);
        assert_eq!(deal_30(&push, &workers), [10, 10, 10], "round {round}");
    }
}

/// The same with the PUSH connecting to three bound workers.
#[test]
fn a_connecting_push_waits_for_its_three_workers_too() {
    let ctx = ctx();
    let workers: Vec<Pull> = (0..3).map(|_| patient(Pull::new(&ctx).unwrap())).collect();
    let endpoints: Vec<_> = workers
        .iter()
        .map(|w| w.bind("tcp://127.0.0.1:*").unwrap())
        .collect();
    let push = patient(Push::new(&ctx).unwrap());
    let peers = push.monitor_handshakes().unwrap();
    for ep in &endpoints {
        push.connect(ep).unwrap();
    }
    peers.wait_for_handshakes(3, PATIENCE).unwrap();
    assert_eq!(deal_30(&push, &workers), [10, 10, 10]);
}

/// Handshakes that completed before the call, even read from the queue already, count: the
/// relay counts them as they come, whether or not they are read.
#[test]
fn handshakes_before_the_call_count() {
    let ctx = ctx();
    let push = patient(Push::new(&ctx).unwrap());
    let peers = push.monitor_handshakes().unwrap();
    let ep = push.bind("tcp://127.0.0.1:*").unwrap();
    let workers = workers(&ctx, &ep, 3);
    // Read the three events first: the wait then has nothing left to read.
    for _ in 0..3 {
        let event = peers
            .wait_for(PATIENCE, |k| *k == EventKind::HandshakeSucceeded)
            .unwrap();
        assert_eq!(event.endpoint, ep.to_string());
    }
    assert!(peers.is_empty());
    let start = std::time::Instant::now();
    peers.wait_for_handshakes(3, Duration::ZERO).unwrap();
    peers.wait_for_handshakes(2, Duration::ZERO).unwrap();
    assert!(start.elapsed() < PATIENCE);
    assert_eq!(deal_30(&push, &workers), [10, 10, 10]);

    // A monitor whose mask has no handshake event counts them all the same.
    let pull = patient(Pull::new(&ctx).unwrap());
    let listening = pull.monitor(EventMask::LISTENING).unwrap();
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    let pusher = patient(Push::new(&ctx).unwrap());
    pusher.connect(&ep).unwrap();
    listening.wait_for_handshakes(1, PATIENCE).unwrap();
    assert!(matches!(
        listening.try_recv().unwrap().map(|e| e.kind),
        Some(EventKind::Listening { .. })
    ));
    assert!(
        listening.try_recv().unwrap().is_none(),
        "only Listening is queued"
    );
}

/// Too few peers in time: TimedOut, saying how many; a failed handshake is named.
#[test]
fn too_few_handshakes_time_out_with_the_count_and_the_last_failure() {
    let ctx = ctx();
    let push = patient(Push::new(&ctx).unwrap());
    let peers = push.monitor_handshakes().unwrap();
    let ep = push.bind("tcp://127.0.0.1:*").unwrap();
    let _workers = workers(&ctx, &ep, 1);
    peers.wait_for_handshakes(1, PATIENCE).unwrap();
    let timeout = Duration::from_millis(50);
    let start = std::time::Instant::now();
    match peers.wait_for_handshakes(2, timeout) {
        Err(Error::TimedOut(d)) => assert_eq!(
            d.as_str(),
            Some("1 of 2 peers completed their ZMTP handshake within 50ms")
        ),
        other => panic!("expected TimedOut, got {other:?}"),
    }
    assert!(start.elapsed() >= timeout);

    // A CURVE server and a plain client: the failure is counted and named.
    let keys = CurveKeyPair::generate().unwrap();
    let server = patient(Pull::new(&ctx).unwrap());
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&keys.secret).unwrap();
    let peers = server.monitor_handshakes().unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = patient(Push::new(&ctx).unwrap());
    client.connect(&ep).unwrap();
    let failure = peers
        .wait_for(PATIENCE, |k| EventMask::HANDSHAKE_FAILED.contains(k.mask()))
        .unwrap();
    assert_eq!(
        failure.kind,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
    );
    assert!(peers.handshake_failures() >= 1);
    match peers.wait_for_handshakes(1, Duration::from_millis(1)) {
        Err(Error::TimedOut(d)) => {
            let text = d.as_str().unwrap_or_default();
            assert!(
                text.starts_with(
                    "0 of 1 peers completed their ZMTP handshake within 1ms (inproc peers have \
                     none, and are never counted); "
                ),
                "{text}"
            );
            assert!(
                text.contains(&format!(
                    "failed, the last with HandshakeFailedProtocol(ZmtpMechanismMismatch) on {ep}"
                )),
                "{text}"
            );
        }
        other => panic!("expected TimedOut, got {other:?}"),
    }
}

/// The wait ends when the monitoring does (the socket closed, the context shut down): it
/// never sits out its timeout on a monitor that can count no more.
#[test]
fn the_wait_ends_with_the_monitoring() {
    let ctx = ctx();
    let push = Push::new(&ctx).unwrap();
    let peers = push.monitor_handshakes().unwrap();
    push.bind("tcp://127.0.0.1:*").unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        started_tx.send(()).unwrap();
        peers.wait_for_handshakes(1, Duration::from_secs(3600))
    });
    started_rx.recv().unwrap();
    drop(push);
    let result = within(PATIENCE, "a wait whose socket closed", move || {
        waiter.join().unwrap()
    });
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");

    let pull = Pull::new(&ctx).unwrap();
    let peers = pull.monitor_handshakes().unwrap();
    let waiter = thread::spawn(move || peers.wait_for_handshakes(1, Duration::from_secs(3600)));
    ctx.shutdown().unwrap();
    let result = within(PATIENCE, "a wait after the shutdown", move || {
        waiter.join().unwrap()
    });
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
    drop(pull);
}

/// A handshake monitor made after the socket has bound or connected would miss what came
/// before: it is refused, with the reason.
#[test]
fn a_late_handshake_monitor_is_refused() {
    let ctx = ctx();
    let bound = Push::new(&ctx).unwrap();
    let ep = bound.bind("tcp://127.0.0.1:*").unwrap();
    let connected = Pull::new(&ctx).unwrap();
    connected.connect(&ep).unwrap();
    let inproc = Pull::new(&ctx).unwrap();
    inproc.bind("inproc://late-monitor").unwrap();
    for (what, result) in [
        ("bound", bound.monitor_handshakes()),
        ("connected", connected.monitor_handshakes()),
        ("bound on inproc", inproc.monitor_handshakes()),
    ] {
        match result {
            Err(Error::WrongState(d)) => {
                let text = d.as_str().unwrap_or_default();
                assert!(
                    text.starts_with(
                        "monitor_handshakes on a socket that has already bound or connected"
                    ),
                    "{what}: {text}"
                );
                assert!(text.contains("make the monitor before the first bind or connect"));
            }
            other => panic!("{what}: expected WrongState, got {other:?}"),
        }
    }
}

/// inproc peers have no ZMTP handshake (nor any monitor event): they are ready once
/// `connect` returns, and a wait for their handshakes says why it cannot end.
#[test]
fn inproc_peers_are_ready_at_connect_and_never_counted() {
    let ctx = ctx();
    let push = patient(Push::new(&ctx).unwrap());
    let peers = push.monitor_handshakes().unwrap();
    let ep = push.bind("inproc://ready-at-connect").unwrap();
    let workers = workers(&ctx, &ep, 3);
    assert_eq!(deal_30(&push, &workers), [10, 10, 10]);
    match peers.wait_for_handshakes(1, Duration::from_millis(1)) {
        Err(Error::TimedOut(d)) => assert_eq!(
            d.as_str(),
            Some(
                "0 of 1 peers completed their ZMTP handshake within 1ms (inproc peers have \
                 none, and are never counted)"
            )
        ),
        other => panic!("expected TimedOut, got {other:?}"),
    }
    assert_eq!(peers.handshakes(), 0);
    assert!(peers.try_recv().unwrap().is_none());
}
