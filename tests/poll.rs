//! Poll over sockets and raw fds, the socket fd, and timers.

mod common;

use std::cell::RefCell;
use std::os::fd::{AsFd, AsRawFd};
use std::rc::Rc;
use std::time::Duration;

use common::*;
use zmq_typed::{poll, PollEvents, PollSet, SocketType::*, Timers};

#[test]
fn poll_reports_ready_sockets_and_fds_by_token() {
    let ctx = ctx();
    let a = socket(&ctx, Pull);
    let b = socket(&ctx, Pull);
    let pa = socket(&ctx, Push);
    let pb = socket(&ctx, Push);
    wire(&a, &pa, Transport::Tcp, "poll-a");
    wire(&b, &pb, Transport::Ipc, "poll-b");
    let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();
    let fd = reader.as_fd();

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum T {
        A,
        B,
        Fd,
    }
    let mut set = PollSet::new();
    let none: Vec<_> = set
        .poll(
            &[(&a.as_pollable_socket(), PollEvents::IN, T::A)],
            Some(Duration::ZERO),
        )
        .unwrap()
        .collect();
    assert!(none.is_empty());

    pb.send("to b").unwrap();
    let ready: Vec<_> = set
        .poll(
            &[
                (&zmq_typed::Pollable::Socket(&a), PollEvents::IN, T::A),
                (&zmq_typed::Pollable::Socket(&b), PollEvents::IN, T::B),
                (&zmq_typed::Pollable::Fd(fd), PollEvents::IN, T::Fd),
            ],
            Some(PATIENCE),
        )
        .unwrap()
        .collect();
    assert_eq!(ready, vec![(T::B, PollEvents::IN)]);
    assert_eq!(b.recv_string().unwrap(), "to b");

    std::io::Write::write_all(&mut writer, b"x").unwrap();
    pa.send("to a").unwrap();
    // Wait until both are ready (the tcp message may take a moment).
    let mut seen = Vec::new();
    while seen.len() < 2 {
        for (token, ev) in poll(
            &[
                (&zmq_typed::Pollable::Socket(&a), PollEvents::IN, T::A),
                (&zmq_typed::Pollable::Fd(fd), PollEvents::IN, T::Fd),
            ],
            Some(PATIENCE),
        )
        .unwrap()
        {
            assert!(ev.contains(PollEvents::IN));
            if !seen.contains(&token) {
                seen.push(token);
            }
        }
        assert!(!seen.is_empty(), "poll timed out");
        if seen.contains(&T::A) && a.try_recv().unwrap().is_some() {
            // consumed
        }
    }
    assert!(seen.contains(&T::A) && seen.contains(&T::Fd));

    // Timeout: nothing ready, returns empty after the timeout.
    let ready = poll(&[(&a, PollEvents::IN, 0)], Some(Duration::from_millis(10))).unwrap();
    assert!(ready.is_empty());
    // POLLOUT on a PUSH with a peer.
    let ready = poll(&[(&pa, PollEvents::OUT, 1)], Some(PATIENCE)).unwrap();
    assert_eq!(ready, vec![(1, PollEvents::OUT)]);
}

trait AsPollableSocket {
    fn as_pollable_socket(&self) -> zmq_typed::Pollable<'_>;
}
impl AsPollableSocket for zmq_typed::Socket {
    fn as_pollable_socket(&self) -> zmq_typed::Pollable<'_> {
        zmq_typed::Pollable::Socket(self)
    }
}

#[test]
fn socket_fd_signals_readiness() {
    let ctx = ctx();
    let a = socket(&ctx, Pull);
    let p = socket(&ctx, Push);
    wire(&a, &p, Transport::Tcp, "fd");
    let fd = a.fd().unwrap();
    p.send("edge").unwrap();
    // Wait on the raw fd with libc poll until ZMQ_EVENTS says a message is there.
    let deadline = std::time::Instant::now() + PATIENCE;
    while !a.events().unwrap().contains(PollEvents::IN) {
        let mut pfd = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        unsafe { libc::poll(&mut pfd, 1, 100) };
        assert!(std::time::Instant::now() < deadline);
    }
    assert_eq!(a.try_recv().unwrap().unwrap(), "edge");
}

#[test]
fn timers_fire_cancel_and_reset() {
    let mut timers = Timers::new().unwrap();
    assert_eq!(timers.timeout(), None);
    let log = Rc::new(RefCell::new(Vec::new()));
    let l1 = log.clone();
    let fast = timers
        .add(Duration::from_millis(1), move |id| {
            l1.borrow_mut().push(("fast", id))
        })
        .unwrap();
    let l2 = log.clone();
    let slow = timers
        .add(Duration::from_secs(3600), move |_| {
            l2.borrow_mut().push(("slow", fast))
        })
        .unwrap();
    assert!(timers.timeout().unwrap() <= Duration::from_millis(1));
    while log.borrow().is_empty() {
        std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
        timers.execute().unwrap();
    }
    assert_eq!(log.borrow()[0], ("fast", fast));
    timers.cancel(fast).unwrap();
    assert!(timers.timeout().unwrap() > Duration::from_secs(3000));
    timers.set_interval(slow, Duration::from_millis(2)).unwrap();
    timers.reset(slow).unwrap();
    while log.borrow().len() < 2 {
        std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
        timers.execute().unwrap();
    }
    assert_eq!(log.borrow()[1].0, "slow");
    assert!(matches!(
        timers.cancel(fast),
        Err(zmq_typed::Error::InvalidArgument(_))
    ));
}

#[test]
fn a_panicking_timer_callback_does_not_unwind_through_c() {
    let mut timers = Timers::new().unwrap();
    timers
        .add(Duration::from_millis(1), |_| panic!("boom"))
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loop {
        std::thread::sleep(Duration::from_millis(2));
        timers.execute().unwrap();
    }));
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
}

#[test]
fn a_cancelled_timer_cannot_be_changed_or_cancelled_again() {
    let mut timers = Timers::new().unwrap();
    let id = timers.add(Duration::from_secs(60), |_| {}).unwrap();
    timers.cancel(id).unwrap();
    // libzmq itself still knows the id until the next execute and would say yes.
    for result in [
        timers.set_interval(id, Duration::from_millis(5)),
        timers.reset(id),
        timers.cancel(id),
    ] {
        match result {
            Err(zmq_typed::Error::InvalidArgument(d)) => {
                assert!(d.to_string().contains("cancelled"), "{d}")
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }
    timers.execute().unwrap();
    assert_eq!(timers.timeout(), None);
}

#[test]
fn every_timer_callback_is_freed_exactly_once() {
    // Callbacks own a counter guard: each must be dropped once, whether cancelled, left to
    // the set's drop, or registered while the slot map grows (pointers stay put).
    struct Guard(Rc<RefCell<u32>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            *self.0.borrow_mut() += 1;
        }
    }
    let dropped = Rc::new(RefCell::new(0u32));
    let fired = Rc::new(RefCell::new(0u32));
    let mut timers = Timers::new().unwrap();
    let mut ids = Vec::new();
    for _ in 0..100 {
        let guard = Guard(dropped.clone());
        let fired = fired.clone();
        ids.push(
            timers
                .add(Duration::from_millis(1), move |_| {
                    let _ = &guard;
                    *fired.borrow_mut() += 1;
                })
                .unwrap(),
        );
    }
    while *fired.borrow() < 100 {
        std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
        timers.execute().unwrap();
    }
    for id in ids.iter().take(40) {
        timers.cancel(*id).unwrap();
    }
    assert_eq!(*dropped.borrow(), 40);
    drop(timers);
    assert_eq!(*dropped.borrow(), 100);
}

#[test]
fn the_longest_timeouts_wait_instead_of_panicking() {
    // Duration::MAX cannot be added to an Instant: it means "no limit", not a panic.
    let ctx = zmq_typed::Context::new().unwrap();
    let pull = zmq_typed::Socket::new(&ctx, Pull).unwrap();
    let ep = pull.bind("inproc://longest-timeout").unwrap();
    let push = zmq_typed::Socket::new(&ctx, Push).unwrap();
    push.connect(&ep).unwrap();
    push.send("now").unwrap();
    let ready = poll(&[(&pull, PollEvents::IN, 1)], Some(Duration::MAX)).unwrap();
    assert_eq!(ready, vec![(1, PollEvents::IN)]);
    assert_eq!(pull.recv_timeout(Duration::MAX).unwrap(), "now");
    push.send_timeout("again", Duration::MAX).unwrap();
    assert_eq!(pull.recv().unwrap(), "again");
    let monitor = pull.monitor(zmq_typed::EventMask::ALL).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let event = monitor.recv_timeout(Duration::MAX).unwrap();
    assert!(
        matches!(event.kind, zmq_typed::EventKind::Listening { .. }),
        "{event:?}"
    );
}

#[test]
fn of_several_panicking_timers_the_first_added_is_resumed_and_the_rest_dropped() {
    let mut timers = Timers::new().unwrap();
    let runs = Rc::new(RefCell::new(Vec::new()));
    for name in ["first", "second"] {
        let runs = runs.clone();
        timers
            .add(Duration::from_millis(1), move |_| {
                let n = runs.borrow().iter().filter(|r| **r == name).count();
                runs.borrow_mut().push(name);
                if n == 0 {
                    panic!("{name}");
                }
            })
            .unwrap();
    }
    // Wait until both are due, so that one execute runs them both.
    std::thread::sleep(Duration::from_millis(5));
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| timers.execute())).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("first")
    );
    assert_eq!(
        runs.borrow().len(),
        2,
        "both callbacks ran: {:?}",
        runs.borrow()
    );
    // The second panic was dropped, not kept for later: the next execute runs both again.
    std::thread::sleep(Duration::from_millis(5));
    timers.execute().unwrap();
    assert_eq!(runs.borrow().len(), 4, "{:?}", runs.borrow());
}
