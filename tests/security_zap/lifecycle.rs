//! One authenticator per context; stop, drop and the context's shutdown, also with a check
//! closure that never returns; hooks that panic.

use std::sync::mpsc;
use std::time::Duration;

use super::*;
use common::watchdog::within;
use zmq_typed::security::zap::{Verdict, ZAP_ENDPOINT};
use zmq_typed::{Error, Message};

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn an_authenticator_is_send_and_sync() {
    assert_send_sync::<Authenticator>();
}

#[test]
fn a_second_authenticator_on_the_same_context_is_refused() {
    let ctx = ctx();
    let first = Authenticator::builder().start(&ctx).unwrap();
    let err = Authenticator::builder().start(&ctx).unwrap_err();
    assert!(matches!(err, Error::ZapHandlerRunning), "{err:?}");
    // Another context has its own.
    let other = super::ctx();
    let _theirs = Authenticator::builder().start(&other).unwrap();
    // Once stopped, or dropped, the endpoint is free again.
    first.stop().unwrap();
    let second = Authenticator::builder().start(&ctx).unwrap();
    drop(second);
    // At once, every time: the endpoint is unbound before stop and drop return.
    for _ in 0..50 {
        Authenticator::builder()
            .start(&ctx)
            .unwrap()
            .stop()
            .unwrap();
        drop(Authenticator::builder().start(&ctx).unwrap());
    }
}

#[test]
fn stop_returns_the_final_counts_and_ends_the_service() {
    let ctx = ctx();
    let auth = Authenticator::builder().start(&ctx).unwrap();
    assert!(auth.is_running());
    let req = socket(&ctx, SocketType::Req);
    req.set_linger(Some(Duration::ZERO)).unwrap();
    req.connect(ZAP_ENDPOINT).unwrap();
    req.send_multipart(["1.0", "1", "", "127.0.0.1", "", "NULL"].map(Message::from))
        .unwrap();
    assert_eq!(req.recv().unwrap().to_vecs()[2], b"200");
    let stats = auth.stop().unwrap();
    assert_eq!((stats.allowed, stats.denied, stats.malformed), (1, 0, 0));
}

#[test]
fn a_panicking_hook_is_caught_and_the_service_goes_on() {
    let ctx = ctx();
    let (seen_tx, seen) = mpsc::channel();
    let auth = Authenticator::builder()
        .on_decision(move |d| {
            let _ = seen_tx.send(d.status);
            panic!("hook bug");
        })
        .start(&ctx)
        .unwrap();
    let req = socket(&ctx, SocketType::Req);
    req.set_linger(Some(Duration::ZERO)).unwrap();
    req.connect(ZAP_ENDPOINT).unwrap();
    for id in ["1", "2"] {
        req.send_multipart(["1.0", id, "", "127.0.0.1", "", "NULL"].map(Message::from))
            .unwrap();
        let reply = req.recv().unwrap().to_vecs();
        assert_eq!((&reply[1][..], &reply[2][..]), (id.as_bytes(), &b"200"[..]));
        assert_eq!(seen.recv_timeout(PATIENCE).unwrap(), 200);
    }
    assert!(auth.is_running());
    assert_eq!(auth.stop().unwrap().allowed, 2);
}

/// An authenticator whose closure blocks until `release` is dropped, and a PLAIN client
/// already waiting on it (the closure has been entered when this returns).
fn stuck(ctx: &Context) -> (Authenticator, mpsc::Sender<()>, Socket, Socket) {
    let (entered_tx, entered) = mpsc::channel();
    let (release, wait) = mpsc::channel::<()>();
    let wait = std::sync::Mutex::new(wait);
    let auth = Authenticator::builder()
        .check(move |_| {
            let _ = entered_tx.send(());
            let _ = wait.lock().map(|w| w.recv());
            Verdict::allow()
        })
        .start(ctx)
        .unwrap();
    let (server, ep) = plain_server(ctx);
    let client = plain_client(ctx, &ep, "u", "p");
    entered
        .recv_timeout(PATIENCE)
        .expect("the closure is asked");
    (auth, release, server, client)
}

#[test]
fn stop_with_a_stuck_closure_gives_up_after_the_grace() {
    let ctx = ctx();
    let (auth, release, _server, _client) = stuck(&ctx);
    let err = within(Duration::from_secs(30), "stop", move || {
        auth.stop().unwrap_err()
    });
    assert!(err.is_timeout(), "{err:?}");
    assert!(
        err.to_string().contains("left to finish on its own"),
        "{err}"
    );
    drop(release);
}

#[test]
fn drop_with_a_stuck_closure_returns() {
    let ctx = ctx();
    let (auth, release, _server, _client) = stuck(&ctx);
    within(Duration::from_secs(30), "drop", move || drop(auth));
    drop(release);
}

#[test]
fn the_context_shutdown_ends_it_at_once() {
    let ctx = ctx();
    let auth = Authenticator::builder()
        .curve_any_key()
        .start(&ctx)
        .unwrap();
    assert!(auth.is_running());
    ctx.shutdown().unwrap();
    assert!(
        !auth.is_running(),
        "not running as soon as the context is shut down"
    );
    let stats = within(Duration::from_secs(30), "stop", move || auth.stop());
    assert_eq!(stats.unwrap(), Default::default());
    // A shut-down context takes no new authenticator.
    assert!(Authenticator::builder()
        .start(&ctx)
        .unwrap_err()
        .is_terminated());
}

#[test]
fn dropping_the_context_first_is_fine() {
    let ctx = ctx();
    let auth = Authenticator::builder().start(&ctx).unwrap();
    drop(ctx);
    assert!(auth.is_running());
    within(Duration::from_secs(30), "drop", move || drop(auth));
}
