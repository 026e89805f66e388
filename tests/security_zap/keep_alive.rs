//! A server set up with `Admission::CheckedBy` keeps its authenticator running: dropping the
//! handle first leaves the clients checked, the thread ends with the last socket, `stop` is
//! refused while servers depend on it, and no drop order hangs.
//!
//! How the tests see the thread end, without sleeps: once it has ended, its hook (which
//! holds the decisions' sender) is dropped, so the decisions channel is disconnected; and the
//! ZAP endpoint is free again, so a new authenticator starts on the context.

use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

use super::*;
use common::watchdog::within;
use zmq_typed::security::zap::{Verdict, STATUS_DENIED, STATUS_OK};
use zmq_typed::{Admission, Error};

/// How long stopping waits at most for a busy thread (`proxy::DROP_GRACE`).
const GRACE: Duration = Duration::from_secs(2);

/// A CURVE PULL server with `keys` checked by `auth`, bound on tcp 127.0.0.1.
fn checked_server(ctx: &Context, keys: &CurveKeyPair, auth: &Authenticator) -> (Socket, Endpoint) {
    let server = socket(ctx, SocketType::Pull);
    server
        .setup_curve_server_keys(keys, Admission::CheckedBy(auth))
        .unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    (server, ep)
}

/// Waits until the authenticator's thread has ended (its hook, and so the decisions'
/// sender, dropped); the decisions made before are skipped.
#[track_caller]
fn thread_ended(decisions: &Decisions) {
    loop {
        match decisions.0.recv_timeout(PATIENCE) {
            Ok(_) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => return,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("the authenticator still runs"),
        }
    }
}

/// Whether the ZAP endpoint of `ctx` is served (a new authenticator is refused).
fn zap_served(ctx: &Context) -> bool {
    match Authenticator::builder().start(ctx) {
        Ok(auth) => {
            auth.stop().unwrap();
            false
        }
        Err(Error::ZapHandlerRunning) => true,
        Err(other) => panic!("{other:?}"),
    }
}

/// The hole this closes: with the handle dropped, the server still refuses an unknown key
/// and admits a known one; the thread ends when the server is closed, and not before.
#[test]
fn a_checked_server_keeps_checking_after_the_handle_is_dropped() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let (good, stranger) = (
        CurveKeyPair::generate().unwrap(),
        CurveKeyPair::generate().unwrap(),
    );
    let (auth, decisions) = hooked(&ctx, Authenticator::builder().curve_keys([good.public]));
    let (server, ep) = checked_server(&ctx, &server_keys, &auth);
    assert_eq!(auth.sockets(), 1);
    drop(auth);
    assert!(zap_served(&ctx), "the thread stopped with the handle");

    let intruder = curve_client(&ctx, &ep, &server_keys, &stranger);
    intruder.send("let me in").unwrap();
    let d = decisions.next();
    assert_refused(&d, STATUS_DENIED, "is not allowed");
    assert_eq!(d.client_key, Some(stranger.public));

    let friend = curve_client(&ctx, &ep, &server_keys, &good);
    friend.send("hello").unwrap();
    let msg = server.recv_frame().unwrap();
    assert_eq!(msg.data(), b"hello");
    assert_eq!(msg.user_id().unwrap(), Some(good.public.to_z85().as_str()));
    assert!(
        server.try_recv().unwrap().is_none(),
        "the intruder's message never arrives"
    );
    assert!(zap_served(&ctx));

    drop((intruder, friend));
    // The last reference: the drop waits for the thread, which frees the endpoint first.
    drop(server);
    assert!(!zap_served(&ctx), "the thread outlived its last server");
    thread_ended(&decisions);
}

/// Socket first, then the handle: the handle alone keeps it running, then stops it.
#[test]
fn a_closed_server_lets_the_handle_stop_it() {
    let ctx = ctx();
    let keys = CurveKeyPair::generate().unwrap();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder());
    let (server, _ep) = checked_server(&ctx, &keys, &auth);
    drop(server);
    assert_eq!(auth.sockets(), 0);
    assert!(auth.is_running());
    within(PATIENCE, "drop the handle", move || drop(auth));
    assert!(!zap_served(&ctx));
    thread_ended(&decisions);

    // `Socket::close` releases it too, and so does `into_raw` (documented: the raw socket
    // no longer keeps it).
    let (auth, decisions) = hooked(&ctx, Authenticator::builder());
    let (closed, _) = checked_server(&ctx, &keys, &auth);
    let (raw, _) = checked_server(&ctx, &keys, &auth);
    assert_eq!(auth.sockets(), 2);
    closed.close().unwrap();
    assert_eq!(auth.sockets(), 1);
    let (ptr, _raw_ctx) = raw.into_raw();
    assert_eq!(auth.sockets(), 0);
    // SAFETY: ptr is the open socket just given up, which nothing else uses or closes.
    assert_eq!(unsafe { zmq_typed::zmq_ffi::zmq_close(ptr) }, 0);
    auth.stop().unwrap();
    thread_ended(&decisions);
}

/// A set-up that is refused, or repeated, holds nothing more: only a socket set up with
/// `CheckedBy` counts, once.
#[test]
fn only_a_successful_set_up_holds_the_authenticator_once() {
    let ctx = ctx();
    let other = super::ctx();
    let foreign = Authenticator::builder().start(&other).unwrap();
    let s = socket(&ctx, SocketType::Rep);
    let keys = CurveKeyPair::generate().unwrap();
    assert!(s
        .setup_curve_server_keys(&keys, Admission::CheckedBy(&foreign))
        .is_err());
    assert_eq!(foreign.sockets(), 0);
    foreign.stop().unwrap();

    let auth = Authenticator::builder().start(&ctx).unwrap();
    let mismatched = CurveKeyPair {
        public: CurveKeyPair::generate().unwrap().public,
        secret: keys.secret.clone(),
    };
    assert!(s
        .setup_curve_server_keys(&mismatched, Admission::CheckedBy(&auth))
        .is_err());
    assert_eq!(auth.sockets(), 0);
    s.setup_curve_server_keys(&keys, Admission::CheckedBy(&auth))
        .unwrap();
    s.setup_curve_server_keys(&keys, Admission::CheckedBy(&auth))
        .unwrap();
    s.setup_null_server(Admission::CheckedBy(&auth)).unwrap();
    assert_eq!(auth.sockets(), 1);
    drop(s);
    assert_eq!(auth.stop().unwrap().allowed, 0);
}

/// `stop` is refused while a checked server is open; the handle is consumed and the thread
/// goes on checking until the server is closed.
#[test]
fn stop_is_refused_while_a_checked_server_is_open() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let stranger = CurveKeyPair::generate().unwrap();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder());
    let (server, ep) = checked_server(&ctx, &server_keys, &auth);
    let err = auth.stop().unwrap_err();
    assert!(
        matches!(err, Error::AuthenticatorInUse { sockets: 1 }),
        "{err:#?}"
    );
    assert!(
        err.to_string().contains("close those sockets first"),
        "{err}"
    );
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::ResourceBusy
    );

    let intruder = curve_client(&ctx, &ep, &server_keys, &stranger);
    intruder.send("let me in").unwrap();
    assert_refused(&decisions.next(), STATUS_DENIED, "no CURVE policy");
    assert!(zap_served(&ctx));
    drop(intruder);
    drop(server);
    assert!(!zap_served(&ctx));
    thread_ended(&decisions);
}

/// The context's shutdown ends the thread at once, whatever depends on it; `stop` then
/// reports the counts (nothing is left to protect), and the later drops do not hang.
#[test]
fn the_context_shutdown_ends_it_whatever_depends_on_it() {
    // With the handle kept: is_running turns false, and stop is not refused.
    let ctx = ctx();
    let keys = CurveKeyPair::generate().unwrap();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder());
    let (server, _) = checked_server(&ctx, &keys, &auth);
    ctx.shutdown().unwrap();
    thread_ended(&decisions);
    assert!(!auth.is_running());
    assert_eq!(auth.sockets(), 1);
    let stats = within(PATIENCE, "stop after the shutdown", move || auth.stop());
    assert_eq!(stats.unwrap().allowed, 0);
    within(PATIENCE, "drop the server", move || drop(server));

    // With the handle dropped first: the server holds the last reference.
    let ctx = super::ctx();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder());
    let (server, _) = checked_server(&ctx, &keys, &auth);
    drop(auth);
    ctx.shutdown().unwrap();
    thread_ended(&decisions);
    within(PATIENCE, "drop the last server", move || drop(server));
}

/// The last reference dropped on the authenticator's own thread (the check closure closes
/// the server it checks): the drop does not wait for itself (no grace spent, no panic), the
/// request is decided by the closure, and the thread ends after it.
#[test]
fn a_checked_server_dropped_in_the_check_closure_ends_the_thread() {
    let ctx = ctx();
    let server_keys = CurveKeyPair::generate().unwrap();
    let client_keys = CurveKeyPair::generate().unwrap();
    let slot: Arc<Mutex<Option<Socket>>> = Arc::new(Mutex::new(None));
    let (took, drop_time) = mpsc::channel::<Duration>();
    let in_closure = slot.clone();
    let (auth, decisions) = hooked(
        &ctx,
        Authenticator::builder().curve_any_key().check(move |_| {
            let server = in_closure.lock().unwrap().take();
            if let Some(server) = server {
                let start = Instant::now();
                drop(server);
                let _ = took.send(start.elapsed());
            }
            Verdict::allow()
        }),
    );
    let (server, ep) = checked_server(&ctx, &server_keys, &auth);
    *slot.lock().unwrap() = Some(server);
    drop(auth);

    let client = curve_client(&ctx, &ep, &server_keys, &client_keys);
    client.send("hello").unwrap();
    let spent = drop_time.recv_timeout(PATIENCE).unwrap();
    assert!(
        spent < GRACE,
        "the drop waited {spent:?} for its own thread"
    );
    let d = decisions.next();
    assert!(d.allowed, "{d:?}");
    assert_eq!(d.status, STATUS_OK);
    thread_ended(&decisions);
    assert!(!zap_served(&ctx));
    drop(client);
}
