//! The Paranoid Pirate queue and worker over real sockets, each against a hand-written peer
//! that sends exactly the guide's frames (a DEALER worker saying `\x01` and `\x02`; a ROUTER
//! queue), so that both are wire-compatible with the guide's C `ppqueue` and `ppworker`;
//! the queue's choice of worker, its forgetting a silent worker within the bound, and
//! hostile workers and clients that neither crash nor wedge it.

mod common;

use std::sync::mpsc::{channel, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use common::PATIENCE;
use zmq_typed::patterns::paranoid_pirate::{
    PpQueue, PpSettings, PpWorker, QueueEvent, HEARTBEAT, READY,
};
use zmq_typed::{Context, Dealer, Multipart, Req, Router, RoutingId};

/// A queue on two free TCP ports whose events come out of the receiver.
fn queue(ctx: &Context, settings: PpSettings) -> (PpQueue, Receiver<(Instant, QueueEvent)>) {
    let (tx, rx) = channel();
    let queue = PpQueue::start_with_events(
        ctx,
        "tcp://127.0.0.1:*",
        "tcp://127.0.0.1:*",
        settings,
        move |event| {
            let _ = tx.send((Instant::now(), event.clone()));
        },
    )
    .unwrap();
    (queue, rx)
}

fn next_event(events: &Receiver<(Instant, QueueEvent)>) -> (Instant, QueueEvent) {
    events.recv_timeout(PATIENCE).expect("a queue event")
}

/// A hand-written worker: a DEALER that has said READY, and its routing id as the queue
/// reported it.
fn hand_worker(
    ctx: &Context,
    queue: &PpQueue,
    events: &Receiver<(Instant, QueueEvent)>,
) -> (Dealer, RoutingId) {
    let worker = Dealer::new(ctx).unwrap();
    worker.connect(queue.backend_endpoint()).unwrap();
    worker.send(READY).unwrap();
    match next_event(events).1 {
        QueueEvent::WorkerReady { worker: id } => (worker, id),
        other => panic!("expected WorkerReady, got {other:?}"),
    }
}

/// The next message that is not a heartbeat (each heartbeat is exactly one `\x02` frame).
fn next_non_heartbeat(socket: &Dealer) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let frames = socket.recv_timeout(left).unwrap().to_vecs();
        if frames != [HEARTBEAT.to_vec()] {
            return frames;
        }
    }
}

fn client(ctx: &Context, queue: &PpQueue) -> Req {
    let req = Req::new(ctx).unwrap();
    req.connect(queue.frontend_endpoint()).unwrap();
    req
}

/// How much later than its bound an expiry may be measured: scheduling on a loaded
/// machine (the queue's thread must run to notice), independent of the interval.
const SLACK: Duration = Duration::from_secs(1);

/// Heartbeats every 50 ms, but 20 s of silence before a peer is dead: the hand-written
/// peers never heartbeat, and must not expire while a test runs on a loaded machine.
fn quick() -> PpSettings {
    PpSettings::new(Duration::from_millis(50), 400).unwrap()
}

#[test]
fn the_queue_speaks_the_guides_wire_to_a_hand_written_worker() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let (worker, _) = hand_worker(&ctx, &queue, &events);
    // Idle, it is heartbeated: exactly the one frame \x02.
    let beat = worker.recv_timeout(PATIENCE).unwrap();
    assert_eq!(beat.to_vecs(), [b"\x02".to_vec()]);

    let req = client(&ctx, &queue).send("hello").unwrap();
    let request = next_non_heartbeat(&worker);
    assert_eq!(request.len(), 3, "{request:?}");
    assert_eq!(&request[1..], [b"".to_vec(), b"hello".to_vec()]);
    worker
        .send([request[0].clone(), Vec::new(), b"world".to_vec()])
        .unwrap();
    let (reply, _) = req.recv_timeout(PATIENCE).unwrap();
    assert_eq!(reply, "world");
    let counters = queue.stop().unwrap();
    assert_eq!((counters.frontend_in, counters.frontend_out), (1, 1));
    assert_eq!(counters.dropped, 0);
}

#[test]
fn the_worker_speaks_the_guides_wire_to_a_hand_written_queue() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    let endpoint = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let mut worker = PpWorker::connect(&ctx, &endpoint, quick()).unwrap();
    let serving = thread::spawn(move || worker.serve(Some(1), |request| request));

    let ready = router.recv_timeout(PATIENCE).unwrap();
    assert_eq!(ready.body.to_vecs(), [b"\x01".to_vec()]);
    let id = ready.id;
    // Then \x02 every interval, from the same peer.
    let beat = router.recv_timeout(PATIENCE).unwrap();
    assert_eq!(
        (&beat.id, beat.body.to_vecs()),
        (&id, vec![b"\x02".to_vec()])
    );

    router.send_to(&id, ["client-7", "", "ping"]).unwrap();
    let deadline = Instant::now() + PATIENCE;
    let reply = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let got = router.recv_timeout(left).unwrap();
        assert_eq!(got.id, id);
        if got.body.to_vecs() != [b"\x02".to_vec()] {
            break got.body;
        }
    };
    assert_eq!(
        reply.to_vecs(),
        [b"client-7".to_vec(), b"".to_vec(), b"ping".to_vec()]
    );
    assert_eq!(serving.join().unwrap().unwrap(), 1);
}

#[test]
fn a_silent_worker_is_forgotten_within_interval_times_liveness() {
    let ctx = Context::new().unwrap();
    let settings = PpSettings::new(Duration::from_millis(100), 3).unwrap();
    let (queue, events) = queue(&ctx, settings);
    let worker = Dealer::new(&ctx).unwrap();
    worker.connect(queue.backend_endpoint()).unwrap();
    let said_ready = Instant::now();
    worker.send(READY).unwrap();
    let (_, ready) = next_event(&events);
    let QueueEvent::WorkerReady { worker: id } = ready else {
        panic!("{ready:?}")
    };
    // It never speaks again (it reads nothing either).
    let (at, expired) = next_event(&events);
    assert_eq!(expired, QueueEvent::WorkerExpired { worker: id });
    let took = at - said_ready;
    // Never before the bound (it was heard when READY arrived, after `said_ready`).
    assert!(
        took >= settings.bound() && took <= settings.bound() + SLACK,
        "forgotten {took:?} after its last word; the bound is {:?}",
        settings.bound()
    );
    assert_eq!(queue.idle_workers(), 0);
}

#[test]
fn requests_go_to_the_least_recently_ready_worker() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let (a, _) = hand_worker(&ctx, &queue, &events);
    let (b, _) = hand_worker(&ctx, &queue, &events);
    let answer = |w: &Dealer, expect: &str| {
        let request = next_non_heartbeat(w);
        assert_eq!(request[2], expect.as_bytes(), "{request:?}");
        w.send([request[0].clone(), Vec::new(), request[2].clone()])
            .unwrap();
    };
    let one = client(&ctx, &queue).send("1").unwrap();
    answer(&a, "1");
    let two = client(&ctx, &queue).send("2").unwrap();
    answer(&b, "2");
    assert_eq!(one.recv_timeout(PATIENCE).unwrap().0, "1");
    assert_eq!(two.recv_timeout(PATIENCE).unwrap().0, "2");
    // A was ready again before B: A next.
    let three = client(&ctx, &queue).send("3").unwrap();
    answer(&a, "3");
    assert_eq!(three.recv_timeout(PATIENCE).unwrap().0, "3");
}

#[test]
fn hostile_workers_and_clients_neither_crash_nor_wedge_the_queue() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let (good, _) = hand_worker(&ctx, &queue, &events);

    let hostile = Dealer::new(&ctx).unwrap();
    hostile.connect(queue.backend_endpoint()).unwrap();
    let garbage: Vec<Multipart> = vec![
        Multipart::single(&b"\x07"[..]),
        Multipart::single(&b""[..]),
        Multipart::single(&b"\x01\x02garbage"[..]),
        Multipart::from(["x", "y"]),
        Multipart::from(["client", "", "a reply nobody asked for"]),
    ];
    let reasons = [
        "a one-frame message that is neither READY nor HEARTBEAT",
        "a one-frame message that is neither READY nor HEARTBEAT",
        "a one-frame message that is neither READY nor HEARTBEAT",
        "not [client id][][reply...]",
        "a reply from a worker that was given no request",
    ];
    for message in garbage {
        hostile.send(message).unwrap();
    }
    for reason in reasons {
        match next_event(&events).1 {
            QueueEvent::BadWorkerMessage { reason: r, .. } => assert_eq!(r, reason),
            other => panic!("expected BadWorkerMessage({reason}), got {other:?}"),
        }
    }

    // A client that is not a REQ and sends no delimiter.
    let rude = Dealer::new(&ctx).unwrap();
    rude.connect(queue.frontend_endpoint()).unwrap();
    rude.send("no delimiter").unwrap();
    assert!(matches!(
        next_event(&events).1,
        QueueEvent::BadClientMessage { .. }
    ));

    // A busy worker whose reply names a client that does not exist.
    let req = client(&ctx, &queue).send("real").unwrap();
    let request = next_non_heartbeat(&good);
    good.send(["nobody", "", "lost"]).unwrap();
    assert_eq!(
        next_event(&events).1,
        QueueEvent::ReplyDropped {
            client: RoutingId::from(b"nobody".to_vec())
        }
    );
    // The good worker is idle again, and the queue still serves.
    drop(req);
    let again = client(&ctx, &queue).send("again").unwrap();
    let request2 = next_non_heartbeat(&good);
    assert_eq!(request2[2], b"again");
    assert_ne!(request[0], request2[0]);
    good.send([request2[0].clone(), Vec::new(), b"served".to_vec()])
        .unwrap();
    assert_eq!(again.recv_timeout(PATIENCE).unwrap().0, "served");
    let counters = queue.stop().unwrap();
    assert_eq!(counters.dropped, 7);
}

#[test]
fn the_contexts_shutdown_ends_the_queue() {
    let ctx = Context::new().unwrap();
    let (queue, _events) = queue(&ctx, quick());
    ctx.shutdown().unwrap();
    assert!(queue.stop().unwrap_err().is_terminated());
}

#[test]
fn zero_settings_are_refused() {
    assert!(PpSettings::new(Duration::ZERO, 3).is_err());
    assert!(PpSettings::new(Duration::from_millis(1), 0).is_err());
}

#[test]
fn the_worker_backs_off_and_starts_over_on_fresh_sockets_while_the_queue_is_silent() {
    use zmq_typed::patterns::paranoid_pirate::WorkerEvent;
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    let endpoint = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let ms = Duration::from_millis;
    let settings = PpSettings::new(ms(20), 2).unwrap();
    let (tx, events) = channel();
    let mut worker = PpWorker::connect(&ctx, &endpoint, settings)
        .unwrap()
        .on_event(move |e| {
            let _ = tx.send(e.clone());
        });
    let serving = thread::spawn(move || worker.serve(None, |request| request));
    // The router reads (so the worker's messages arrive) but never answers.
    let mut failures = Vec::new();
    let mut reconnections = 0;
    while failures.len() < 4 || reconnections < 3 {
        match events.recv_timeout(PATIENCE).unwrap() {
            WorkerEvent::HeartbeatFailure { backoff } => failures.push(backoff),
            WorkerEvent::Reconnected => reconnections += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(failures, [ms(20), ms(40), ms(80), ms(160)]);
    // Each socket said READY once, each with its own routing id.
    let mut readies = Vec::new();
    while readies.len() < 4 {
        let m = router.recv_timeout(PATIENCE).unwrap();
        if m.body.to_vecs() == [b"\x01".to_vec()] {
            readies.push(m.id);
        } else {
            assert_eq!(m.body.to_vecs(), [b"\x02".to_vec()]);
        }
    }
    readies.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    readies.dedup();
    assert_eq!(readies.len(), 4);
    ctx.shutdown().unwrap();
    assert!(serving.join().unwrap().unwrap_err().is_terminated());
}

#[test]
fn a_correlating_client_is_served_and_its_whole_envelope_comes_back() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let (worker, _) = hand_worker(&ctx, &queue, &events);
    let mut real = PpWorker::connect(&ctx, queue.backend_endpoint(), quick()).unwrap();
    let serving = thread::spawn(move || real.serve(Some(1), |request| request));
    assert!(matches!(
        next_event(&events).1,
        QueueEvent::WorkerReady { .. }
    ));
    // A REQ with ZMQ_REQ_CORRELATE puts a request id in front of the delimiter.
    let req = Req::new(&ctx).unwrap();
    req.set_req_correlate(true).unwrap();
    req.connect(queue.frontend_endpoint()).unwrap();
    let waiting = req.send("first").unwrap();
    // The hand worker, ready first, gets it: [client id][request id][][first].
    let request = next_non_heartbeat(&worker);
    assert_eq!(request.len(), 4, "{request:?}");
    assert_eq!(&request[2..], [b"".to_vec(), b"first".to_vec()]);
    worker.send(request.clone()).unwrap();
    let (reply, req) = waiting.recv_timeout(PATIENCE).unwrap();
    assert_eq!(reply, "first");
    // The library worker (least recently ready now) echoes the same envelope.
    let (reply, _) = req.send("second").unwrap().recv_timeout(PATIENCE).unwrap();
    assert_eq!(reply, "second");
    assert_eq!(serving.join().unwrap().unwrap(), 1);
    assert_eq!(queue.stop().unwrap().dropped, 0);
}

#[test]
fn ready_twice_is_one_worker() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let (worker, _) = hand_worker(&ctx, &queue, &events);
    worker.send(READY).unwrap();
    // A bad frame after it: its event says the second READY was read (one pipe, in order).
    worker.send(&b"\x09"[..]).unwrap();
    assert!(matches!(
        next_event(&events).1,
        QueueEvent::BadWorkerMessage { .. }
    ));
    assert_eq!(queue.idle_workers(), 1);
    let one = client(&ctx, &queue).send("1").unwrap();
    let request = next_non_heartbeat(&worker);
    assert_eq!(request[2], b"1");
    worker.send(request).unwrap();
    assert_eq!(one.recv_timeout(PATIENCE).unwrap().0, "1");
}

#[test]
fn a_hundred_workers_that_vanish_leave_the_queue_serving() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let crowd: Vec<(Dealer, RoutingId)> = (0..100)
        .map(|_| hand_worker(&ctx, &queue, &events))
        .collect();
    assert_eq!(queue.idle_workers(), 100);
    drop(crowd);
    let mut real = PpWorker::connect(&ctx, queue.backend_endpoint(), quick()).unwrap();
    let serving = thread::spawn(move || real.serve(Some(1), |request| request));
    // Every vanished worker is forgotten (its heartbeat or a request finds it gone); the
    // real one is ready.
    let (mut gone, mut ready) = (0, 0);
    while gone < 100 || ready < 1 {
        match next_event(&events).1 {
            QueueEvent::WorkerGone { .. } | QueueEvent::WorkerExpired { .. } => gone += 1,
            QueueEvent::WorkerReady { .. } => ready += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((gone, ready), (100, 1));
    let (reply, _) = client(&ctx, &queue)
        .send("served")
        .unwrap()
        .recv_timeout(PATIENCE)
        .unwrap();
    assert_eq!(reply, "served");
    assert_eq!(serving.join().unwrap().unwrap(), 1);
}

#[test]
fn huge_settings_neither_panic_nor_stop_the_serving() {
    let ctx = Context::new().unwrap();
    let huge = PpSettings::new(Duration::MAX, u32::MAX).unwrap();
    assert_eq!(huge.bound(), Duration::MAX);
    let (queue, events) = queue(&ctx, huge);
    let mut worker = PpWorker::connect(&ctx, queue.backend_endpoint(), huge).unwrap();
    let serving = thread::spawn(move || worker.serve(Some(1), |request| request));
    assert!(matches!(
        next_event(&events).1,
        QueueEvent::WorkerReady { .. }
    ));
    let (reply, _) = client(&ctx, &queue)
        .send("1")
        .unwrap()
        .recv_timeout(PATIENCE)
        .unwrap();
    assert_eq!(reply, "1");
    assert_eq!(serving.join().unwrap().unwrap(), 1);
    queue.stop().unwrap();
}

#[test]
fn the_handles_and_the_context_drop_in_any_order_without_hanging() {
    type Dropper = fn(Context, PpQueue, PpWorker);
    let orders: [(&str, Dropper); 4] = [
        ("context, worker, queue", |c, q, w| {
            drop(c);
            drop(w);
            drop(q);
        }),
        ("queue, context, worker", |c, q, w| {
            drop(q);
            drop(c);
            drop(w);
        }),
        ("worker, queue, context", |c, q, w| {
            drop(w);
            drop(q);
            drop(c);
        }),
        ("shutdown, then queue, worker, context", |c, q, w| {
            c.shutdown().unwrap();
            drop(q);
            drop(w);
            drop(c);
        }),
    ];
    for (name, order) in orders {
        let ctx = Context::new().unwrap();
        let (queue, events) = queue(&ctx, quick());
        let worker = PpWorker::connect(&ctx, queue.backend_endpoint(), quick()).unwrap();
        assert!(matches!(
            next_event(&events).1,
            QueueEvent::WorkerReady { .. }
        ));
        let (tx, rx) = channel();
        thread::spawn(move || {
            order(ctx, queue, worker);
            let _ = tx.send(());
        });
        rx.recv_timeout(PATIENCE)
            .unwrap_or_else(|_| panic!("dropping {name} hung"));
    }
}

#[test]
fn an_empty_reply_reaches_the_client_as_one_empty_frame() {
    let ctx = Context::new().unwrap();
    let (queue, events) = queue(&ctx, quick());
    let mut worker = PpWorker::connect(&ctx, queue.backend_endpoint(), quick()).unwrap();
    let serving = thread::spawn(move || {
        worker.serve(Some(2), |request| {
            if request == "nothing" {
                Multipart::new()
            } else {
                request
            }
        })
    });
    assert!(matches!(
        next_event(&events).1,
        QueueEvent::WorkerReady { .. }
    ));
    let req = client(&ctx, &queue);
    let (reply, req) = req.send("nothing").unwrap().recv_timeout(PATIENCE).unwrap();
    assert_eq!(reply.to_vecs(), [Vec::<u8>::new()]);
    // The worker is free again at once: the queue took the reply.
    let (reply, _) = req.send("more").unwrap().recv_timeout(PATIENCE).unwrap();
    assert_eq!(reply, "more");
    assert_eq!(serving.join().unwrap().unwrap(), 2);
    assert_eq!(queue.stop().unwrap().dropped, 0);
}
