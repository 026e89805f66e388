//! The built-in proxy, with capture, and every steerable command; typed sockets in and
//! back out; the context's shutdown as a normal stop.

mod common;

use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::proxy::ProxyFailed;
use zmq_typed::{
    proxy, proxy_with_capture, Context, Detail, Endpoint, Error, Pull, Push, Rep, Req, Socket,
    SocketType::*, SteerableProxy,
};

/// The error of a proxy that failed with `error` (libzmq's errno, from its call).
fn proxy_error(error: Error) -> Error {
    error.with_detail(Detail::new("zmq_proxy_steerable"))
}

/// Asserts that a command on a stopped proxy gave `ProxyStopped` with exactly `cause`.
fn assert_stopped<T: std::fmt::Debug>(result: zmq_typed::Result<T>, cause: Option<Error>) {
    match result {
        Err(Error::ProxyStopped { cause: got }) => assert_eq!(got.map(|b| *b), cause),
        other => panic!("expected ProxyStopped({cause:?}), got {other:?}"),
    }
}

/// A PULL frontend bound on `inproc://{tag}-in` and a PUSH backend bound on
/// `inproc://{tag}-out`, with their endpoints.
fn pull_push(ctx: &Context, tag: &str) -> (Socket, Socket, Endpoint, Endpoint) {
    let front = socket(ctx, Pull);
    let back = socket(ctx, Push);
    let front_ep = front.bind(format!("inproc://{tag}-in")).unwrap();
    let back_ep = back.bind(format!("inproc://{tag}-out")).unwrap();
    (front, back, front_ep, back_ep)
}

/// Drops `proxy`, then `ctx`, within PATIENCE, and checks that this stopped the proxy's
/// thread, not only returned: once the proxy and the last context handle are gone, nothing
/// may hold the context (the thread's sockets would).
fn dropping_stops_the_thread<F, B, C>(ctx: Context, proxy: SteerableProxy<F, B, C>, what: &str)
where
    SteerableProxy<F, B, C>: Send + 'static,
{
    let context_alive = ctx.shutdown_handle();
    within(PATIENCE, &format!("dropping {what}"), move || {
        drop(proxy);
        drop(ctx);
    });
    assert!(
        !context_alive.shutdown(),
        "the thread of {what} still holds its sockets"
    );
}

/// The plain proxy on typed sockets: a ROUTER/DEALER broker with a PUSH capture; the
/// context's shutdown is a normal stop (`Ok`).
#[test]
fn plain_proxy_forwards_and_captures_until_shutdown() {
    let ctx = zmq_typed::Context::new().unwrap();
    let front = patient(zmq_typed::Router::new(&ctx).unwrap());
    let back = patient(zmq_typed::Dealer::new(&ctx).unwrap());
    let capture = patient(zmq_typed::Push::new(&ctx).unwrap());
    let front_ep = front.bind("tcp://127.0.0.1:*").unwrap();
    let back_ep = back.bind("tcp://127.0.0.1:*").unwrap();
    let cap_ep = capture.bind("inproc://capture").unwrap();
    let tap = connected(&ctx, Pull, &cap_ep);
    let handle = std::thread::spawn(move || proxy_with_capture(&front, &back, &capture));

    let client = connected(&ctx, Req, &front_ep);
    let worker = connected(&ctx, Rep, &back_ep);
    client.send("question").unwrap();
    assert_eq!(worker.recv_string().unwrap(), "question");
    worker.send("answer").unwrap();
    assert_eq!(client.recv_string().unwrap(), "answer");
    // The capture saw both messages whole, frame for frame: [id][][question] and
    // [id][][answer].
    let request = tap.recv().unwrap().to_vecs();
    let reply = tap.recv().unwrap().to_vecs();
    assert_eq!(request.len(), 3);
    assert_eq!(request[1..], [b"".to_vec(), b"question".to_vec()]);
    assert_eq!(reply[1..], [b"".to_vec(), b"answer".to_vec()]);
    assert_eq!(request[0], reply[0]);

    ctx.shutdown().unwrap();
    let result = within(PATIENCE, "the proxy's end", move || handle.join().unwrap());
    assert_eq!(result, Ok(()));
}

/// `proxy` without capture, on a typed ROUTER and DEALER, between typed REQ clients and a
/// typed REP worker: each request gets its answer; the shutdown returns Ok.
#[test]
fn a_typed_broker_runs_until_a_normal_stop() {
    let ctx = ctx();
    let frontend = patient(zmq_typed::Router::new(&ctx).unwrap());
    let backend = patient(zmq_typed::Dealer::new(&ctx).unwrap());
    let front_ep = frontend.bind("inproc://typed-broker-front").unwrap();
    let back_ep = backend.bind("tcp://127.0.0.1:*").unwrap();
    let broker = std::thread::spawn(move || proxy(&frontend, &backend));
    let mut worker = patient(Rep::new(&ctx).unwrap());
    worker.connect(&back_ep).unwrap();
    for i in 0..3 {
        let client = patient(Req::new(&ctx).unwrap());
        client.connect(&front_ep).unwrap();
        let waiting = client.send(format!("question {i}")).unwrap();
        let (request, replying) = worker.recv().unwrap();
        assert_eq!(request, format!("question {i}").as_str());
        worker = replying.send(format!("answer {i}")).unwrap();
        let (reply, _ready) = waiting.recv().unwrap();
        assert_eq!(reply, format!("answer {i}").as_str());
    }
    ctx.shutdown().unwrap();
    let result = within(PATIENCE, "the broker's end", move || broker.join().unwrap());
    assert_eq!(result, Ok(()));
}

/// Typed sockets go into a steerable proxy and come back with their types, working.
#[test]
fn a_steerable_proxy_hands_typed_sockets_back_typed() {
    let ctx = ctx();
    let front: Pull = patient(Pull::new(&ctx).unwrap());
    let back: Push = patient(Push::new(&ctx).unwrap());
    let capture = patient(Push::new(&ctx).unwrap());
    let front_ep = front.bind("inproc://typed-steer-in").unwrap();
    let back_ep = back.bind("inproc://typed-steer-out").unwrap();
    let cap_ep = capture.bind("inproc://typed-steer-capture").unwrap();
    let tap = patient(Pull::new(&ctx).unwrap());
    tap.connect(&cap_ep).unwrap();
    let proxy = SteerableProxy::start_with_capture(front, back, capture).unwrap();
    let producer = patient(Push::new(&ctx).unwrap());
    producer.connect(&front_ep).unwrap();
    let consumer = patient(Pull::new(&ctx).unwrap());
    consumer.connect(&back_ep).unwrap();
    producer.send("typed").unwrap();
    assert_eq!(consumer.recv().unwrap(), "typed");
    assert_eq!(tap.recv().unwrap(), "typed");
    assert_eq!(proxy.statistics().unwrap().frontend.messages_in, 1);
    assert_eq!(tap.recv().unwrap(), "STATISTICS");
    // The capture's reader stays until the proxy has stopped (it gets TERMINATE too).
    let (front, back, capture): (Pull, Push, Option<Push>) = proxy.terminate().unwrap();
    assert_eq!(tap.recv().unwrap(), "TERMINATE");
    producer.send("after").unwrap();
    assert_eq!(front.recv().unwrap(), "after");
    back.send("from the backend").unwrap();
    assert_eq!(consumer.recv().unwrap(), "from the backend");
    capture
        .expect("the capture comes back")
        .send("tapped")
        .unwrap();
    assert_eq!(tap.recv().unwrap(), "tapped");

    // A typed proxy that fails hands its typed sockets back with the error.
    let failing = SteerableProxy::start_with_capture(
        Pull::new(&ctx).unwrap(),
        Push::new(&ctx).unwrap(),
        Pull::new(&ctx).unwrap(),
    )
    .unwrap();
    let failed: ProxyFailed<Pull, Push, Pull> = within(PATIENCE, "a failing typed proxy", || {
        let _ = failing.statistics();
        failing.terminate().unwrap_err()
    });
    let (error, sockets) = failed.into_parts();
    assert!(matches!(error, Error::NotSupported(_)), "{error:?}");
    let (_front, _back, capture): (Pull, Push, Option<Pull>) = sockets.unwrap();
    assert!(capture.is_some());
}

#[test]
fn steerable_proxy_pause_resume_statistics_terminate() {
    let ctx = ctx();
    let (front, back, front_ep, back_ep) = pull_push(&ctx, "steer");
    let proxy = SteerableProxy::start(front, back).unwrap();
    let producer = connected(&ctx, Push, &front_ep);
    let consumer = connected(&ctx, Pull, &back_ep);

    producer.send("1").unwrap();
    assert_eq!(consumer.recv_string().unwrap(), "1");

    proxy.pause().unwrap();
    // Statistics are answered while paused (the control socket is still served), so this
    // also proves the pause command has been processed before "2" is sent.
    let before = proxy.statistics().unwrap();
    producer.send("2").unwrap();
    assert!(matches!(
        consumer.recv_timeout(Duration::from_millis(100)),
        Err(Error::TimedOut(_))
    ));
    proxy.resume().unwrap();
    assert_eq!(consumer.recv_string().unwrap(), "2");

    let stats = proxy.statistics().unwrap();
    assert_eq!(before.frontend.messages_in, 1);
    assert_eq!(stats.frontend.messages_in, 2);
    assert_eq!(stats.frontend.bytes_in, 2);
    assert_eq!(stats.backend.messages_out, 2);
    assert_eq!(stats.backend.bytes_out, 2);
    assert_eq!(stats.frontend.messages_out, 0);
    assert_eq!(stats.backend.messages_in, 0);

    let (front, back, capture) = proxy.terminate().unwrap();
    assert_eq!(front.socket_type(), Pull);
    assert_eq!(back.socket_type(), Push);
    assert!(capture.is_none());
    // The sockets work again once given back.
    producer.send("3").unwrap();
    assert_eq!(front.recv_string().unwrap(), "3");
}

#[test]
fn dropping_a_steerable_proxy_stops_it() {
    let ctx = ctx();
    let (front, back, _, _) = pull_push(&ctx, "drop");
    let proxy = SteerableProxy::start(front, back).unwrap();
    dropping_stops_the_thread(ctx, proxy, "a running proxy");
}

/// A PULL as capture: libzmq's proxy fails (ENOTSUP) on the first message it copies there,
/// and its thread drops its end of the control pair. Commands, terminate and drop used to
/// block for ever on it.
#[test]
fn a_proxy_that_failed_answers_every_call_at_once() {
    let ctx = ctx();
    let (front, back, front_ep, _) = pull_push(&ctx, "failing");
    let capture = socket(&ctx, Pull);
    let proxy = SteerableProxy::start_with_capture(front, back, capture).unwrap();
    let producer = connected(&ctx, Push, &front_ep);
    producer.send("boom").unwrap();

    let (front, back, capture, error) = within(PATIENCE, "calls on a failed proxy", move || {
        // Whichever the proxy reads first, the message or this command, it copies it to the
        // capture and fails: the answer is its error, whatever the timing.
        let enotsup = proxy_error(Error::NotSupported(Detail::NONE));
        assert_stopped(proxy.statistics(), Some(enotsup.clone()));
        assert_stopped(proxy.pause(), Some(enotsup.clone()));
        assert_stopped(proxy.resume(), Some(enotsup.clone()));
        assert_stopped(proxy.statistics(), Some(enotsup.clone()));
        assert_stopped(
            proxy.statistics_timeout(Duration::from_secs(1)),
            Some(enotsup),
        );
        // terminate hands the sockets back with the error.
        let failed = proxy.terminate().unwrap_err();
        let (error, sockets) = failed.into_parts();
        let (front, back, capture) = sockets.expect("the sockets come back");
        (front, back, capture, error)
    });
    assert!(matches!(error, Error::NotSupported(_)), "{error:?}");
    assert_eq!(front.socket_type(), Pull);
    assert_eq!(back.socket_type(), Push);
    assert_eq!(capture.map(|c| c.socket_type()), Some(Pull));
    // The frontend works again: "boom" is still there unless the proxy took it first.
    producer.send("after").unwrap();
    let mut got = vec![front.recv_string().unwrap()];
    if got[0] == "boom" {
        got.push(front.recv_string().unwrap());
    }
    assert_eq!(got.last().map(String::as_str), Some("after"));
}

/// The same failure, triggered by a command alone (copied to the capture too), then a drop.
#[test]
fn dropping_a_proxy_that_failed_returns() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    let capture = socket(&ctx, Pull);
    let proxy = SteerableProxy::start_with_capture(front, back, capture).unwrap();
    within(PATIENCE, "dropping a failed proxy", move || {
        assert_stopped(
            proxy.statistics(),
            Some(proxy_error(Error::NotSupported(Detail::NONE))),
        );
        drop(proxy);
    });
}

/// After the context's shutdown the proxy has stopped (ETERM): commands say so with its
/// error, and dropping it returns.
#[test]
fn a_proxy_after_the_context_shutdown() {
    let ctx = ctx();
    let (front, back, _, _) = pull_push(&ctx, "shutdown");
    let proxy = SteerableProxy::start(front, back).unwrap();
    // Running: it answers.
    assert_eq!(proxy.statistics().unwrap().frontend.messages_in, 0);
    ctx.shutdown().unwrap();
    within(PATIENCE, "calls after shutdown", move || {
        let eterm = proxy_error(Error::Terminated(Detail::NONE));
        assert_stopped(proxy.statistics(), Some(eterm.clone()));
        assert_stopped(proxy.pause(), Some(eterm));
        drop(proxy);
    });
}

/// terminate after the shutdown: a normal stop, the sockets (typed as they went in).
#[test]
fn terminate_after_the_context_shutdown_is_a_normal_stop() {
    let ctx = ctx();
    let front = zmq_typed::Router::new(&ctx).unwrap();
    let back = zmq_typed::Dealer::new(&ctx).unwrap();
    let proxy = SteerableProxy::start(front, back).unwrap();
    ctx.shutdown().unwrap();
    let (front, back, capture) = within(PATIENCE, "terminate after shutdown", move || {
        proxy.terminate().unwrap()
    });
    let (_, _): (zmq_typed::Router, zmq_typed::Dealer) = (front, back);
    assert!(capture.is_none());
}

/// Dropping a paused proxy stops it too (the control socket is served while paused).
#[test]
fn dropping_a_paused_proxy_returns() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    let proxy = SteerableProxy::start(front, back).unwrap();
    proxy.pause().unwrap();
    dropping_stops_the_thread(ctx, proxy, "a paused proxy");
}

/// ProxyFailed goes wherever errors go: into the crate's Error (the proxy's own error) and
/// into boxed errors, which need Send + Sync.
#[test]
fn proxy_failed_is_a_send_sync_error() {
    fn send_sync_error<T: Send + Sync + std::error::Error + 'static>() {}
    send_sync_error::<ProxyFailed>();
    fn send<T: Send>() {}
    send::<SteerableProxy>();

    fn through_crate_error(ctx: &zmq_typed::Context) -> zmq_typed::Result<()> {
        let proxy = SteerableProxy::start_with_capture(
            socket(ctx, Pull),
            socket(ctx, Push),
            socket(ctx, Pull),
        )?;
        let _ = proxy.statistics();
        proxy.terminate()?;
        Ok(())
    }
    fn through_box(
        ctx: &zmq_typed::Context,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let proxy = SteerableProxy::start_with_capture(
            socket(ctx, Pull),
            socket(ctx, Push),
            socket(ctx, Pull),
        )?;
        let _ = proxy.statistics();
        proxy.terminate()?;
        Ok(())
    }
    let ctx = ctx();
    let err = through_crate_error(&ctx).unwrap_err();
    assert!(matches!(err, Error::NotSupported(_)), "{err:?}");
    let err = through_box(&ctx).unwrap_err();
    let failed = err.downcast::<ProxyFailed>().expect("a ProxyFailed");
    assert!(
        matches!(failed.error(), Error::NotSupported(_)),
        "{failed:?}"
    );
    assert_eq!(
        failed.to_string(),
        format!(
            "the proxy failed: {}",
            proxy_error(Error::NotSupported(Detail::NONE))
        )
    );
}

/// ProxyStopped carries the typed cause: callers match it, and it reads well.
#[test]
fn proxy_stopped_carries_its_cause() {
    fn traits<T: Clone + PartialEq + Eq + Send + Sync + std::error::Error + 'static>() {}
    traits::<Error>();

    let eterm = proxy_error(Error::Terminated(Detail::NONE));
    let stopped = Error::ProxyStopped {
        cause: Some(Box::new(eterm.clone())),
    };
    assert!(matches!(
        &stopped,
        Error::ProxyStopped { cause: Some(c) } if matches!(**c, Error::Terminated(_))
    ));
    assert_eq!(
        stopped.to_string(),
        format!("the proxy has stopped: {eterm}")
    );
    let source = std::error::Error::source(&stopped).expect("the cause is the source");
    assert_eq!(source.to_string(), eterm.to_string());

    let terminated = Error::ProxyStopped { cause: None };
    assert_eq!(
        terminated.to_string(),
        "the proxy has stopped: it was terminated"
    );
    assert!(std::error::Error::source(&terminated).is_none());
    assert_eq!(
        std::io::Error::from(terminated).kind(),
        std::io::ErrorKind::BrokenPipe
    );
}

/// A proxy blocked in a send (a capture PUSH nobody reads) reads no command:
/// `statistics_timeout` gives up in time; the context's shutdown unblocks it, after which
/// commands say it stopped (ETERM) and terminate hands the sockets back: a normal stop.
#[test]
fn a_proxy_blocked_in_a_send_times_out_until_the_shutdown_frees_it() {
    let ctx = ctx();
    let (front, back, front_ep, back_ep) = pull_push(&ctx, "stuck");
    let capture = socket(&ctx, Push);
    capture.bind("inproc://stuck-capture").unwrap();
    let _consumer = connected(&ctx, Pull, &back_ep);
    let proxy = SteerableProxy::start_with_capture(front, back, capture).unwrap();
    let producer = connected(&ctx, Push, &front_ep);
    producer.send("stuck").unwrap();

    let shutdown = ctx.clone();
    let stopped = within(PATIENCE, "a proxy blocked in a send", move || {
        // However the proxy's reading of the message and of the command interleave, it
        // blocks copying one of them to the capture, before answering.
        let timeout = Duration::from_millis(200);
        let started = std::time::Instant::now();
        match proxy.statistics_timeout(timeout) {
            Err(Error::TimedOut(detail)) => {
                assert_eq!(detail.as_str(), Some("the proxy did not answer in time"))
            }
            other => panic!("expected TimedOut, got {other:?}"),
        }
        assert!(started.elapsed() >= timeout, "{:?}", started.elapsed());
        // A second call times out too (its answer would come after the first's).
        assert!(matches!(
            proxy.statistics_timeout(Duration::from_millis(50)),
            Err(Error::TimedOut(_))
        ));
        shutdown.shutdown().unwrap();
        // The commands say how it stopped; terminate takes it as a normal stop.
        assert_stopped(
            proxy.statistics(),
            Some(proxy_error(Error::Terminated(Detail::NONE))),
        );
        proxy.terminate().unwrap()
    });
    let (front, back, capture) = stopped;
    assert_eq!(front.socket_type(), Pull);
    assert_eq!(back.socket_type(), Push);
    assert_eq!(capture.map(|c| c.socket_type()), Some(Push));
}

/// A STATISTICS answer that comes after its call timed out is not taken for the answer to
/// the next call.
#[test]
fn a_late_statistics_answer_is_not_taken_for_the_next() {
    let ctx = ctx();
    let (front, back, front_ep, back_ep) = pull_push(&ctx, "late");
    let capture = socket(&ctx, Push);
    let cap_ep = capture.bind("inproc://late-capture").unwrap();
    let consumer = connected(&ctx, Pull, &back_ep);
    let proxy = SteerableProxy::start_with_capture(front, back, capture).unwrap();
    let producer = connected(&ctx, Push, &front_ep);

    let proxy = within(PATIENCE, "a late answer", move || {
        // The proxy blocks copying "1" (or the command, should it read that first) to the
        // capture: the command's answer waits behind it.
        producer.send("1").unwrap();
        assert!(matches!(
            proxy.statistics_timeout(Duration::from_millis(100)),
            Err(Error::TimedOut(_))
        ));
        // A reader on the capture unblocks it: it forwards "1", and reads STATISTICS (the
        // capture gets a copy, just before the answer goes) and answers it, late, with at
        // most 1 message in.
        let tap = connected(&ctx, Pull, &cap_ep);
        let mut copies = [tap.recv_string().unwrap(), tap.recv_string().unwrap()];
        copies.sort();
        assert_eq!(copies, ["1", "STATISTICS"]);
        assert_eq!(consumer.recv_string().unwrap(), "1");
        // Now a second message, then the next call: its answer counts 2, the stale one 1.
        producer.send("2").unwrap();
        assert_eq!(consumer.recv_string().unwrap(), "2");
        let stats = proxy.statistics_timeout(PATIENCE).unwrap();
        assert_eq!(stats.frontend.messages_in, 2);
        assert_eq!(stats.backend.messages_out, 2);
        // And the one after that is in step too.
        producer.send("3").unwrap();
        assert_eq!(consumer.recv_string().unwrap(), "3");
        assert_eq!(proxy.statistics().unwrap().frontend.messages_in, 3);
        // The tap stays until the proxy has stopped: libzmq copies every control command,
        // TERMINATE too, to the capture with a blocking send, so a capture without a reader
        // would keep the proxy from ever reading TERMINATE.
        (proxy, tap)
    });
    let (proxy, tap) = proxy;
    within(PATIENCE, "terminate", move || {
        let result = proxy.terminate().map(|_| ()).map_err(Error::from);
        drop(tap);
        result
    })
    .unwrap();
}

/// A proxy blocked in a send whose control queue has filled up (every timed-out STATISTICS
/// stays queued): pause and resume say so at once, and dropping still gives up after
/// DROP_GRACE rather than waiting for room to queue TERMINATE.
#[test]
fn a_full_control_queue_blocks_neither_commands_nor_drop() {
    let ctx = ctx();
    let (front, back, front_ep, _) = pull_push(&ctx, "full-control");
    let capture = socket(&ctx, Push);
    capture.bind("inproc://full-control-capture").unwrap();
    let proxy = SteerableProxy::start_with_capture(front, back, capture).unwrap();
    let producer = connected(&ctx, Push, &front_ep);
    producer.send("stuck").unwrap();
    let shutdown = ctx.clone();
    within(
        PATIENCE * 2,
        "a proxy with a full control queue",
        move || {
            // Fill the control queue: each timed-out call leaves its command queued.
            let mut queued = 0;
            loop {
                match proxy.statistics_timeout(Duration::from_millis(1)) {
                    Err(Error::TimedOut(d))
                        if d.as_str() == Some("the proxy did not answer in time") =>
                    {
                        queued += 1;
                        assert!(queued < 10_000, "the control queue never filled");
                    }
                    // The command itself could not be queued any more: full.
                    Err(Error::TimedOut(_)) => break,
                    other => panic!("expected TimedOut, got {other:?}"),
                }
            }
            assert!(matches!(proxy.pause(), Err(Error::TimedOut(_))));
            assert!(matches!(proxy.resume(), Err(Error::TimedOut(_))));
            let started = std::time::Instant::now();
            drop(proxy);
            assert!(
                started.elapsed() < PATIENCE,
                "drop waited {:?}",
                started.elapsed()
            );
            // Let the abandoned thread end, so that the context can terminate.
            shutdown.shutdown().unwrap();
        },
    );
}
