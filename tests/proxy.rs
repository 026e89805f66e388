//! The built-in proxy, with capture, and every steerable command.

mod common;

use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::proxy::ProxyFailed; // re-exported at the root once lib.rs has it
use zmq_typed::{proxy, Detail, Error, SocketType::*, SteerableProxy};

/// The error text of a proxy that failed with `error`.
fn stopped_because(error: Error) -> String {
    error
        .with_detail(Detail::new("zmq_proxy_steerable"))
        .to_string()
}

fn assert_stopped<T: std::fmt::Debug>(result: zmq_typed::Result<T>, reason: &str) {
    match result {
        Err(Error::ProxyStopped { reason: got }) => assert_eq!(got, reason),
        other => panic!("expected ProxyStopped({reason}), got {other:?}"),
    }
}

#[test]
fn plain_proxy_forwards_and_captures_until_shutdown() {
    let ctx = zmq_typed::Context::new().unwrap();
    let front = socket(&ctx, Router);
    let back = socket(&ctx, Dealer);
    let capture = socket(&ctx, Push);
    let front_ep = front.bind("tcp://127.0.0.1:*").unwrap();
    let back_ep = back.bind("tcp://127.0.0.1:*").unwrap();
    let cap_ep = capture.bind("inproc://capture").unwrap();
    let tap = socket(&ctx, Pull);
    tap.connect(&cap_ep).unwrap();
    let handle = std::thread::spawn(move || proxy(&front, &back, Some(&capture)));

    let client = socket(&ctx, Req);
    client.connect(&front_ep).unwrap();
    let worker = socket(&ctx, Rep);
    worker.connect(&back_ep).unwrap();
    client.send("question").unwrap();
    assert_eq!(worker.recv_string().unwrap(), "question");
    worker.send("answer").unwrap();
    assert_eq!(client.recv_string().unwrap(), "answer");
    // The capture saw every frame both ways: [id][][question] and [id][][answer].
    let mut captured = Vec::new();
    for _ in 0..6 {
        captured.push(tap.recv().unwrap().to_vec());
    }
    assert_eq!(captured[2], b"question");
    assert_eq!(captured[5], b"answer");

    ctx.shutdown().unwrap();
    let result = handle.join().unwrap();
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
}

#[test]
fn steerable_proxy_pause_resume_statistics_terminate() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    let front_ep = front.bind("inproc://steer-in").unwrap();
    let back_ep = back.bind("inproc://steer-out").unwrap();
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    let producer = socket(&ctx, Push);
    producer.connect(&front_ep).unwrap();
    let consumer = socket(&ctx, Pull);
    consumer.connect(&back_ep).unwrap();

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
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    front.bind("inproc://drop-in").unwrap();
    back.bind("inproc://drop-out").unwrap();
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    drop(proxy); // joins the thread; a hang would time the test out
}

/// A PULL as capture: libzmq's proxy fails (ENOTSUP) on the first message it copies there,
/// and its thread drops its end of the control pair. Commands, terminate and drop used to
/// block for ever on it.
#[test]
fn a_proxy_that_failed_answers_every_call_at_once() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    let capture = socket(&ctx, Pull);
    let front_ep = front.bind("inproc://failing-in").unwrap();
    back.bind("inproc://failing-out").unwrap();
    let proxy = SteerableProxy::start(&ctx, front, back, Some(capture)).unwrap();
    let producer = socket(&ctx, Push);
    producer.connect(&front_ep).unwrap();
    producer.send("boom").unwrap();

    let (front, back, capture, error) = within(PATIENCE, "calls on a failed proxy", move || {
        // Whichever the proxy reads first, the message or this command, it copies it to the
        // capture and fails: the answer is its error, whatever the timing.
        let enotsup = stopped_because(Error::NotSupported(Detail::NONE));
        assert_stopped(proxy.statistics(), &enotsup);
        assert_stopped(proxy.pause(), &enotsup);
        assert_stopped(proxy.resume(), &enotsup);
        assert_stopped(proxy.statistics(), &enotsup);
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
    let proxy = SteerableProxy::start(&ctx, front, back, Some(capture)).unwrap();
    within(PATIENCE, "dropping a failed proxy", move || {
        assert_stopped(
            proxy.statistics(),
            &stopped_because(Error::NotSupported(Detail::NONE)),
        );
        drop(proxy);
    });
}

/// After the context's shutdown the proxy has stopped (ETERM): commands say so with its
/// error, and dropping it returns.
#[test]
fn a_proxy_after_the_context_shutdown() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    front.bind("inproc://shutdown-in").unwrap();
    back.bind("inproc://shutdown-out").unwrap();
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    // Running: it answers.
    assert_eq!(proxy.statistics().unwrap().frontend.messages_in, 0);
    ctx.shutdown().unwrap();
    within(PATIENCE, "calls after shutdown", move || {
        let eterm = stopped_because(Error::Terminated(Detail::NONE));
        assert_stopped(proxy.statistics(), &eterm);
        assert_stopped(proxy.pause(), &eterm);
        drop(proxy);
    });
}

/// terminate after the shutdown: the error (ETERM) and the sockets.
#[test]
fn terminate_after_the_context_shutdown_hands_the_sockets_back() {
    let ctx = ctx();
    let front = socket(&ctx, Router);
    let back = socket(&ctx, Dealer);
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    ctx.shutdown().unwrap();
    let failed = within(PATIENCE, "terminate after shutdown", move || {
        proxy.terminate().unwrap_err()
    });
    assert!(matches!(failed.error(), Error::Terminated(_)), "{failed:?}");
    let (front, back, capture) = failed.into_sockets().expect("the sockets come back");
    assert_eq!(front.socket_type(), Router);
    assert_eq!(back.socket_type(), Dealer);
    assert!(capture.is_none());
}

/// Dropping a paused proxy stops it too (the control socket is served while paused).
#[test]
fn dropping_a_paused_proxy_returns() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    proxy.pause().unwrap();
    within(PATIENCE, "dropping a paused proxy", move || drop(proxy));
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
        let proxy = SteerableProxy::start(
            ctx,
            socket(ctx, Pull),
            socket(ctx, Push),
            Some(socket(ctx, Pull)),
        )?;
        let _ = proxy.statistics();
        proxy.terminate()?;
        Ok(())
    }
    fn through_box(
        ctx: &zmq_typed::Context,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let proxy = SteerableProxy::start(
            ctx,
            socket(ctx, Pull),
            socket(ctx, Push),
            Some(socket(ctx, Pull)),
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
            stopped_because(Error::NotSupported(Detail::NONE))
        )
    );
}
