//! Blocking calls keep their deadline when signals interrupt them: a thread that receives a
//! signal every 20 ms still sees its 100 ms timeout, whether it comes from `ZMQ_RCVTIMEO`,
//! `ZMQ_SNDTIMEO` or a `*_timeout` call. (libzmq restarts its own timeout after `EINTR`; a
//! crate that simply retried would block for as long as the signals keep coming.)

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::*;
use zmq_typed::{Error, Socket, SocketType};

static HANDLED: AtomicUsize = AtomicUsize::new(0);

extern "C" fn count_signal(_: libc::c_int) {
    HANDLED.fetch_add(1, Ordering::Relaxed);
}

/// Installs a counting SIGUSR1 handler without `SA_RESTART`, as a profiler would.
fn install_handler() {
    // SAFETY: a zeroed sigaction with a handler that only touches an atomic (async-signal
    // safe); sigemptyset initialises the mask.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = count_signal as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
}

/// Runs `call` on a thread that is sent SIGUSR1 every 20 ms, and returns what it returned;
/// fails the test when it has not returned within 10 s (it would block for ever without the
/// deadline being carried through the retries).
fn under_signals<T: Send + 'static>(
    what: &str,
    call: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    install_handler();
    let before = HANDLED.load(Ordering::Relaxed);
    let (tid_tx, tid_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        // SAFETY: pthread_self has no preconditions.
        tid_tx.send(unsafe { libc::pthread_self() }).unwrap();
        let start = Instant::now();
        let result = call();
        let _ = done_tx.send((result, start.elapsed()));
    });
    let tid = tid_rx.recv().unwrap();
    let watchdog = Instant::now() + Duration::from_secs(10);
    loop {
        match done_rx.recv_timeout(Duration::from_millis(20)) {
            Ok((result, took)) => {
                assert!(
                    HANDLED.load(Ordering::Relaxed) > before,
                    "{what}: no signal reached the blocked thread, the test proves nothing"
                );
                return (result, took);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                assert!(
                    Instant::now() < watchdog,
                    "{what}: still blocked after 10 s of signals every 20 ms"
                );
                // SAFETY: the thread is alive until it has sent its result (it has not yet);
                // SIGUSR1 has a handler installed.
                unsafe { libc::pthread_kill(tid, libc::SIGUSR1) };
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: the thread panicked"),
        }
    }
}

fn assert_timed_out<T: std::fmt::Debug>(what: &str, result: Result<T, Error>, took: Duration) {
    match result {
        Err(Error::TimedOut(_)) => {}
        other => panic!("{what}: expected TimedOut, got {other:?}"),
    }
    // The deadline is a lower bound too: the wait is not cut short by a signal.
    assert!(
        took >= Duration::from_millis(100),
        "{what}: returned after {took:?}"
    );
}

#[test]
fn rcvtimeo_expires_under_signals() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    pull.set_rcvtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals("recv with RCVTIMEO", move || pull.recv());
    assert_timed_out("recv with RCVTIMEO", result, took);
}

#[test]
fn recv_buf_and_multipart_keep_rcvtimeo_under_signals() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    pull.set_rcvtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals("recv_buf with RCVTIMEO", move || {
        let mut buf = [0u8; 16];
        let first = pull.recv_buf(&mut buf);
        (first, pull.recv_multipart().map(|m| m.len()))
    });
    assert_timed_out("recv_buf", result.0, took);
    assert!(
        matches!(result.1, Err(Error::TimedOut(_))),
        "{:?}",
        result.1
    );
}

#[test]
fn recv_timeout_expires_under_signals() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let (result, took) = under_signals("recv_timeout", move || {
        pull.recv_timeout(Duration::from_millis(100))
    });
    assert_timed_out("recv_timeout", result, took);
}

#[test]
fn sndtimeo_expires_under_signals() {
    let ctx = ctx();
    // A PUSH with no peer cannot queue anything: send blocks until its timeout.
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.set_sndtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals("send with SNDTIMEO", move || push.send("nobody"));
    assert_timed_out("send with SNDTIMEO", result, took);
}

#[test]
fn send_timeout_expires_under_signals_and_hands_the_message_back() {
    let ctx = ctx();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    let (result, took) = under_signals("send_timeout", move || {
        push.send_timeout("kept", Duration::from_millis(100))
            .map_err(|e| {
                let (error, message) = e.into_parts();
                (error, message.to_vec())
            })
    });
    match result {
        Err((Error::TimedOut(_), message)) => assert_eq!(message, b"kept"),
        other => panic!("send_timeout: expected TimedOut, got {other:?}"),
    }
    assert!(
        took >= Duration::from_millis(100),
        "returned after {took:?}"
    );
}

#[test]
fn typed_recv_with_rcvtimeo_expires_under_signals() {
    let ctx = ctx();
    let rep = zmq_typed::Rep::new(&ctx).unwrap();
    rep.bind("tcp://127.0.0.1:*").unwrap();
    rep.set_rcvtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals("Rep::recv", move || {
        rep.recv().map(|_| ()).map_err(|failed| failed.into_error())
    });
    assert_timed_out("Rep::recv", result, took);
}

#[test]
fn a_message_arriving_during_signals_is_received() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    pull.set_rcvtimeo(Some(PATIENCE)).unwrap();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.connect(&ep).unwrap();
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(150));
        push.send("late").unwrap();
        push
    });
    let (result, _) = under_signals("recv of a late message", move || pull.recv());
    assert_eq!(result.unwrap(), "late");
    drop(sender.join().unwrap());
}
