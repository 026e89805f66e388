//! Blocking calls keep their deadline when signals interrupt them: a thread that receives a
//! signal every 20 ms still sees its 100 ms timeout, whether it comes from `ZMQ_RCVTIMEO`,
//! `ZMQ_SNDTIMEO` or a `*_timeout` call. (libzmq restarts its own timeout after `EINTR`; a
//! crate that simply retried would block for as long as the signals keep coming.)

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::signals::under_signals;
use common::*;
use zmq_typed::{Error, Socket, SocketType};

/// Signals every 20 ms, five times in a 100 ms timeout.
fn under_signals_20ms<T: Send + 'static>(
    what: &str,
    call: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    under_signals(what, Duration::from_millis(20), call)
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
fn rcvtimeo_expires_under_signals_20ms() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    pull.set_rcvtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals_20ms("recv with RCVTIMEO", move || pull.recv());
    assert_timed_out("recv with RCVTIMEO", result, took);
}

#[test]
fn recv_frame_buf_and_recv_keep_rcvtimeo_under_signals_20ms() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    pull.set_rcvtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals_20ms("recv_frame_buf with RCVTIMEO", move || {
        let mut buf = [0u8; 16];
        let first = pull.recv_frame_buf(&mut buf);
        (first, pull.recv().map(|m| m.len()))
    });
    assert_timed_out("recv_frame_buf", result.0, took);
    assert!(
        matches!(result.1, Err(Error::TimedOut(_))),
        "{:?}",
        result.1
    );
}

#[test]
fn recv_timeout_expires_under_signals_20ms() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let (result, took) = under_signals_20ms("recv_timeout", move || {
        pull.recv_timeout(Duration::from_millis(100))
    });
    assert_timed_out("recv_timeout", result, took);
}

#[test]
fn sndtimeo_expires_under_signals_20ms() {
    let ctx = ctx();
    // A PUSH with no peer cannot queue anything: send blocks until its timeout.
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.set_sndtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals_20ms("send with SNDTIMEO", move || {
        push.send("nobody").map_err(Error::from)
    });
    assert_timed_out("send with SNDTIMEO", result, took);
}

#[test]
fn send_timeout_expires_under_signals_and_hands_the_message_back() {
    let ctx = ctx();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    let (result, took) = under_signals_20ms("send_timeout", move || {
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
fn typed_recv_with_rcvtimeo_expires_under_signals_20ms() {
    let ctx = ctx();
    let rep = zmq_typed::Rep::new(&ctx).unwrap();
    rep.bind("tcp://127.0.0.1:*").unwrap();
    rep.set_rcvtimeo(Some(Duration::from_millis(100))).unwrap();
    let (result, took) = under_signals_20ms("Rep::recv", move || {
        rep.recv().map(|_| ()).map_err(|failed| failed.into_error())
    });
    assert_timed_out("Rep::recv", result, took);
}

#[test]
fn a_message_arriving_during_signals_is_received() {
    // No timeout at all: libzmq's own blocking receive, restarted after every signal, still
    // returns the message when it comes (the watchdog of under_signals bounds the test).
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    assert_eq!(pull.rcvtimeo().unwrap(), None);
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.connect(&ep).unwrap();
    let sender = thread::spawn(move || {
        thread::sleep(Duration::from_millis(150));
        push.send("late").unwrap();
        push
    });
    let (result, _) = under_signals_20ms("recv of a late message", move || pull.recv());
    assert_eq!(result.unwrap(), "late");
    drop(sender.join().unwrap());
}

#[test]
fn a_send_waiting_for_room_with_no_timeout_survives_signals() {
    // No timeout: the send waits in libzmq; every signal interrupts that wait, which
    // starts again, until the receiver makes room (the watchdog of under_signals bounds the
    // test).
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.set_rcvhwm(Some(1)).unwrap();
    let ep = pull.bind("inproc://blocked-send-under-signals").unwrap();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.set_sndhwm(Some(1)).unwrap();
    push.connect(&ep).unwrap();
    assert_eq!(push.sndtimeo().unwrap(), None);
    let mut queued = 0usize;
    while push.try_send("early").unwrap().is_none() {
        queued += 1;
        assert!(
            queued < 100,
            "a high-water mark of 1 let {queued} messages in"
        );
    }
    let receiver = thread::spawn(move || {
        thread::sleep(Duration::from_millis(150));
        let got: Vec<String> = (0..=queued).map(|_| pull.recv_string().unwrap()).collect();
        got
    });
    let (result, _) = under_signals_20ms("send_from waiting for room", move || {
        let mut msg = zmq_typed::Message::from_slice(b"late");
        push.send_from(&mut msg).map(|()| msg.len())
    });
    assert_eq!(result.unwrap(), 0, "the sent message is left empty");
    let mut want = vec!["early".to_string(); queued];
    want.push("late".to_string());
    assert_eq!(receiver.join().unwrap(), want);
}

/// CPU time this thread has used.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: ts is a valid timespec to write.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0);
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Runs a call that must wait `WAIT` and time out, and checks that it slept rather than
/// spun: a spinning wait uses about all of its 500 ms of CPU; a sleeping one, next to none.
fn sleeps_while_waiting(what: &str, call: impl FnOnce() -> Result<(), Error>) {
    let cpu = thread_cpu_time();
    let start = Instant::now();
    let result = call();
    let took = start.elapsed();
    let used = thread_cpu_time() - cpu;
    assert!(
        matches!(result, Err(Error::TimedOut(_))),
        "{what}: {result:?}"
    );
    assert!(took >= WAIT, "{what}: returned after {took:?}");
    assert!(
        used < WAIT / 5,
        "{what}: used {used:?} of CPU in {took:?} of waiting: it spins"
    );
}

const WAIT: Duration = Duration::from_millis(500);

#[test]
fn a_timed_send_on_a_full_xpub_nodrop_sleeps() {
    // ZMQ_POLLOUT is always set on an XPUB, even when NODROP makes the send fail: waiting on
    // it would spin.
    let ctx = ctx();
    let xpub = zmq_typed::XPub::new(&ctx).unwrap();
    xpub.set_sndhwm(Some(1)).unwrap();
    xpub.set_xpub_nodrop(true).unwrap();
    xpub.set_rcvtimeo(Some(PATIENCE)).unwrap();
    let ep = xpub.bind("inproc://full-xpub").unwrap();
    let sub = zmq_typed::Sub::new(&ctx).unwrap();
    sub.set_rcvhwm(Some(1)).unwrap();
    sub.subscribe("").unwrap();
    sub.connect(&ep).unwrap();
    assert!(xpub.recv_subscription().unwrap().is_subscribe());
    let mut sent = 0;
    while xpub.try_send("fill").unwrap().is_none() {
        sent += 1;
        assert!(sent < 10_000, "the queue never filled");
    }
    sleeps_while_waiting("XPub::send_timeout", || {
        xpub.send_timeout("more", WAIT).map_err(Error::from)
    });
    xpub.set_sndtimeo(Some(WAIT)).unwrap();
    sleeps_while_waiting("XPub::send with SNDTIMEO", || {
        xpub.send("more").map_err(Error::from)
    });
}

#[test]
fn a_timed_send_on_a_full_mandatory_router_sleeps() {
    let ctx = ctx();
    let router = Socket::new(&ctx, SocketType::Router).unwrap();
    router.set_router_mandatory(true).unwrap();
    router.set_sndhwm(Some(1)).unwrap();
    let ep = router.bind("inproc://full-router").unwrap();
    let dealer = Socket::new(&ctx, SocketType::Dealer).unwrap();
    dealer.set_routing_id("d").unwrap();
    dealer.set_rcvhwm(Some(1)).unwrap();
    dealer.connect(&ep).unwrap();
    let mut sent = 0;
    loop {
        match router.send_with(
            "d",
            zmq_typed::SendFlags::MORE | zmq_typed::SendFlags::DONTWAIT,
        ) {
            Ok(()) => router.send("fill").unwrap(),
            Err(e) if e.is_timeout() => break,
            // The dealer's pipe is not attached yet: the id is unknown.
            Err(e) if matches!(e.error(), Error::HostUnreachable(_)) => {}
            Err(e) => panic!("{e}"),
        }
        sent += 1;
        assert!(sent < 100_000, "the queue never filled");
    }
    router.set_sndtimeo(Some(WAIT)).unwrap();
    sleeps_while_waiting("Router send with SNDTIMEO", || {
        router
            .send_with("d", zmq_typed::SendFlags::MORE)
            .map_err(Error::from)
    });
}
