//! Signals shut a context down through `Context::shutdown_on_signals`: a blocked receive, a
//! receive with a timeout and a send on a full queue all return `Error::Terminated` at the
//! first SIGINT; the guard tells which signal came; the process exits normally; a second
//! identical signal kills; dropping the guard gives the signals their default action back.
//!
//! Signals act on the whole process, so every test runs in a child process (this test binary
//! re-run with `--exact` and an environment variable naming the test), under a watchdog; the
//! parent checks how the child ended (normally, or killed by which signal).

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use common::child::run_or_check;
use common::*;
use zmq_typed::{Context, Error, Socket, SocketType};

/// Runs `body` in a child that must be killed by `signal` after printing `marker`.
fn dies_of(test: &str, signal: i32, marker: &str, body: impl FnOnce()) {
    use std::os::unix::process::ExitStatusExt;
    if child::is_child(test) {
        body();
        return;
    }
    let out = child::run(&[], test, PATIENCE * 3);
    assert_eq!(
        out.status.signal(),
        Some(signal),
        "{test}: the child should have been killed by signal {signal}, but {}:\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(marker),
        "{test}: the child died before `{marker}`:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn raise(signal: i32) {
    // SAFETY: kill on our own pid with a valid signal number.
    let rc = unsafe { libc::kill(libc::getpid(), signal) };
    assert_eq!(rc, 0, "kill({signal})");
}

fn gettid() -> i32 {
    // SAFETY: gettid has no preconditions.
    unsafe { libc::gettid() }
}

/// Waits until thread `tid` of this process has been asleep in the kernel for a while (so it
/// is blocked in the call it was started for).
fn wait_until_blocked(tid: i32) {
    let stat = format!("/proc/self/task/{tid}/stat");
    let deadline = Instant::now() + PATIENCE;
    let mut asleep = 0;
    while asleep < 5 {
        assert!(Instant::now() < deadline, "thread {tid} never blocked");
        let text = std::fs::read_to_string(&stat).unwrap_or_default();
        // The state follows the command name in parentheses: "tid (comm) S ...".
        let state = text
            .rsplit(')')
            .next()
            .and_then(|rest| rest.trim().chars().next());
        asleep = if state == Some('S') { asleep + 1 } else { 0 };
        thread::sleep(Duration::from_millis(10));
    }
}

/// Whether a thread of this process is named `name`.
fn thread_named(name: &str) -> bool {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .filter_map(|t| t.ok())
        .any(|t| std::fs::read_to_string(t.path().join("comm")).is_ok_and(|c| c.trim_end() == name))
}

/// Starts `call` on a thread; returns its thread id once it runs, and what it returns.
fn blocked<T: Send + 'static>(
    call: impl FnOnce() -> T + Send + 'static,
) -> (i32, mpsc::Receiver<T>) {
    let (tid_tx, tid_rx) = mpsc::channel();
    let (result_tx, result_rx) = mpsc::channel();
    thread::spawn(move || {
        tid_tx.send(gettid()).unwrap();
        let _ = result_tx.send(call());
    });
    let tid = tid_rx.recv_timeout(PATIENCE).expect("thread started");
    (tid, result_rx)
}

#[test]
fn sigint_wakes_every_blocked_call_with_terminated() {
    run_or_check("sigint_wakes_every_blocked_call_with_terminated", || {
        // A guard made and dropped before does not get in the way of a new one.
        let earlier = Context::new().unwrap();
        drop(earlier.shutdown_on_ctrl_c().unwrap());
        drop(earlier);
        assert!(
            !thread_named("zmq-typed-sig"),
            "the helper thread was joined"
        );

        let ctx = Context::new().unwrap();
        let guard = ctx.shutdown_on_ctrl_c().unwrap();
        assert_eq!(guard.signals(), &[libc::SIGINT, libc::SIGTERM]);
        assert_eq!(guard.received(), None);
        // The thread names itself when it starts.
        let deadline = Instant::now() + PATIENCE;
        while !thread_named("zmq-typed-sig") {
            assert!(Instant::now() < deadline, "no zmq-typed-sig thread");
            thread::sleep(Duration::from_millis(5));
        }

        // A REP waiting for ever.
        let rep = Socket::new(&ctx, SocketType::Rep).unwrap();
        rep.bind("inproc://signals-rep").unwrap();
        // A PULL waiting with a long receive timeout.
        let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
        pull.set_rcvtimeo(Some(Duration::from_secs(600))).unwrap();
        pull.bind("inproc://signals-pull").unwrap();
        // A PUSH whose queue is full: no room at either end of the pipe.
        let sink = Socket::new(&ctx, SocketType::Pull).unwrap();
        sink.set_rcvhwm(Some(1)).unwrap();
        sink.bind("inproc://signals-sink").unwrap();
        let push = Socket::new(&ctx, SocketType::Push).unwrap();
        push.set_sndhwm(Some(1)).unwrap();
        push.connect("inproc://signals-sink").unwrap();
        let mut queued = 0;
        while push.try_send("filler").unwrap().is_none() {
            queued += 1;
            assert!(queued < 100, "the queue never filled");
        }

        let started = Instant::now();
        let (rep_tid, rep_result) = blocked(move || rep.recv());
        let (pull_tid, pull_result) = blocked(move || pull.recv());
        let (push_tid, push_result) =
            blocked(move || push.send("one too many").map_err(Error::from));
        for tid in [rep_tid, pull_tid, push_tid] {
            wait_until_blocked(tid);
        }
        assert_eq!(guard.received(), None);

        // One SIGINT, from this thread, while the three others are blocked.
        let signalled = Instant::now();
        raise(libc::SIGINT);
        let rep_result = rep_result.recv_timeout(PATIENCE).expect("REP woke up");
        let pull_result = pull_result.recv_timeout(PATIENCE).expect("PULL woke up");
        let push_result = push_result.recv_timeout(PATIENCE).expect("PUSH woke up");
        assert!(
            matches!(rep_result, Err(Error::Terminated(_))),
            "{rep_result:?}"
        );
        assert!(
            matches!(pull_result, Err(Error::Terminated(_))),
            "{pull_result:?}"
        );
        assert!(
            matches!(push_result, Err(Error::Terminated(_))),
            "{push_result:?}"
        );
        assert_eq!(guard.received(), Some(libc::SIGINT));
        // "Promptly": far from the receive timeout, and within the test's patience.
        assert!(signalled.elapsed() < PATIENCE, "{:?}", signalled.elapsed());
        eprintln!(
            "woken {:?} after the signal ({:?} after the calls started)",
            signalled.elapsed(),
            started.elapsed()
        );
        // Later calls too.
        assert!(matches!(
            Socket::new(&ctx, SocketType::Pair),
            Err(Error::Terminated(_))
        ));
        drop(sink);
        drop(guard);
        assert!(
            !thread_named("zmq-typed-sig"),
            "the helper thread was joined"
        );
        drop(ctx);
        // Returning from here is the child exiting normally, not dying of SIGINT.
    });
}

#[test]
fn the_guard_does_not_keep_the_context_alive() {
    run_or_check("the_guard_does_not_keep_the_context_alive", || {
        let ctx = Context::new().unwrap();
        let guard = ctx.shutdown_on_signals(&[libc::SIGUSR1]).unwrap();
        let handle = ctx.shutdown_handle();
        drop(ctx);
        // Gone: the guard holds only a weak reference.
        assert!(!handle.shutdown());
        // A signal now is harmless: there is nothing to shut down.
        raise(libc::SIGUSR1);
        let deadline = Instant::now() + PATIENCE;
        while guard.received().is_none() {
            assert!(Instant::now() < deadline, "SIGUSR1 never arrived");
            thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(guard.received(), Some(libc::SIGUSR1));
    });
}

#[test]
fn a_second_identical_signal_kills() {
    dies_of(
        "a_second_identical_signal_kills",
        libc::SIGINT,
        "first SIGINT handled",
        || {
            let ctx = Context::new().unwrap();
            let guard = ctx.shutdown_on_ctrl_c().unwrap();
            let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
            pull.bind("inproc://second-signal").unwrap();
            raise(libc::SIGINT);
            assert!(matches!(pull.recv(), Err(Error::Terminated(_))));
            assert_eq!(guard.received(), Some(libc::SIGINT));
            // A different signal of the set is one more shutdown request, not fatal.
            raise(libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_millis(200);
            while Instant::now() < deadline {
                thread::sleep(Duration::from_millis(10));
            }
            println!("first SIGINT handled");
            // The same signal again: its default action, death by SIGINT.
            raise(libc::SIGINT);
            thread::sleep(PATIENCE);
            println!("survived a second SIGINT");
        },
    );
}

#[test]
fn dropping_the_guard_restores_the_default_action() {
    dies_of(
        "dropping_the_guard_restores_the_default_action",
        libc::SIGTERM,
        "guard dropped",
        || {
            let ctx = Context::new().unwrap();
            let guard = ctx.shutdown_on_signals(&[libc::SIGTERM]).unwrap();
            drop(guard);
            println!("guard dropped");
            raise(libc::SIGTERM);
            thread::sleep(PATIENCE);
            println!("survived SIGTERM after the guard was dropped");
        },
    );
}

#[test]
fn the_guard_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<zmq_typed::SignalShutdown>();
}

#[test]
fn signals_that_cannot_be_handled_are_refused() {
    // Refused before anything is registered: safe in this process.
    let ctx = Context::new().unwrap();
    for (signals, text) in [
        (&[][..], "shutdown_on_signals needs at least one signal"),
        (&[libc::SIGKILL][..], "SIGKILL cannot be handled"),
        (
            &[libc::SIGINT, libc::SIGSEGV][..],
            "SIGSEGV cannot be handled",
        ),
        (&[0][..], "0 is not a signal number"),
        (&[-3][..], "-3 is not a signal number"),
        (&[500][..], "500 is not a signal number"),
        // Below signal-hook's bound, above the last real-time signal.
        (&[100][..], "100 is not a signal number"),
    ] {
        match ctx.shutdown_on_signals(signals) {
            Err(Error::InvalidArgument(detail)) => {
                let d = detail.as_str().unwrap_or_default();
                assert!(d.starts_with(text), "{signals:?}: {d}");
            }
            other => panic!("{signals:?}: expected InvalidArgument, got {other:?}"),
        }
    }
}
