//! Poll over sockets and raw fds (the registration API, `Poller`, and the one-shot `poll`),
//! and the socket fd.

mod common;

use std::collections::HashSet;
use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use common::signals::under_signals;
use common::watchdog::within;
use common::*;
use zmq_typed::poll::Token;
use zmq_typed::{
    poll, Dealer, Error, EventMask, PollEvents, Pollable, Poller, Pull, Push, Rep, Req, Router,
    SocketCore, SocketType::*, Sub, XPub,
};

#[test]
fn the_free_poll_reports_ready_sockets_and_fds_by_token() {
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
    let none = poll(&[(&a, PollEvents::IN, T::A)], Some(Duration::ZERO)).unwrap();
    assert!(none.is_empty());

    pb.send("to b").unwrap();
    let ready = poll(
        &[
            (Pollable::Socket(&a), PollEvents::IN, T::A),
            (Pollable::Socket(&b), PollEvents::IN, T::B),
            (Pollable::Fd(fd), PollEvents::IN, T::Fd),
        ],
        Some(PATIENCE),
    )
    .unwrap();
    assert_eq!(ready, vec![(T::B, PollEvents::IN)]);
    assert_eq!(b.recv_string().unwrap(), "to b");

    std::io::Write::write_all(&mut writer, b"x").unwrap();
    pa.send("to a").unwrap();
    // Wait until both are ready (the tcp message may take a moment).
    let mut seen = Vec::new();
    while seen.len() < 2 {
        for (token, ev) in poll(
            &[
                (Pollable::Socket(&a), PollEvents::IN, T::A),
                (Pollable::Fd(fd), PollEvents::IN, T::Fd),
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

/// Typed sockets of every kind, a dynamic socket, a socket's core, a monitor and a file
/// descriptor, registered once each, as they are; each poll names exactly the ready ones.
#[test]
fn a_poller_takes_typed_sockets_monitors_and_fds_as_they_are() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    let client = patient(Dealer::new(&ctx).unwrap());
    wire(&router, &client, Transport::Tcp, "poller-router");
    let pull = patient(Pull::new(&ctx).unwrap());
    let push = patient(Push::new(&ctx).unwrap());
    wire(&pull, &push, Transport::Inproc, "poller-pull");
    let sub = patient(Sub::new(&ctx).unwrap());
    sub.subscribe("").unwrap();
    let publisher = patient(XPub::new(&ctx).unwrap());
    wire(&publisher, &sub, Transport::Inproc, "poller-sub");
    let dynamic = socket(&ctx, Pull);
    let dynamic_push = socket(&ctx, Push);
    wire(&dynamic, &dynamic_push, Transport::Ipc, "poller-dynamic");
    let core_pull = socket(&ctx, Pull);
    let core_push = socket(&ctx, Push);
    wire(&core_pull, &core_push, Transport::Inproc, "poller-core");
    let watched = socket(&ctx, Pull);
    let monitor = watched.monitor(EventMask::LISTENING).unwrap();
    let (reader, mut writer) = std::os::unix::net::UnixStream::pair().unwrap();

    let mut poller = Poller::new();
    let t_router = poller.add(&router, PollEvents::IN);
    let t_pull = poller.add(&pull, PollEvents::IN);
    let t_sub = poller.add(&sub, PollEvents::IN);
    let t_xpub = poller.add(&publisher, PollEvents::IN);
    let t_dynamic = poller.add(&dynamic, PollEvents::IN);
    let t_core = poller.add::<SocketCore>(&core_pull, PollEvents::IN);
    let t_monitor = poller.add(&monitor, PollEvents::IN);
    let t_fd = poller.add_fd(&reader, PollEvents::IN);
    assert_eq!(poller.len(), 8);
    let tokens = [
        t_router, t_pull, t_sub, t_xpub, t_dynamic, t_core, t_monitor, t_fd,
    ];
    assert_eq!(
        tokens.iter().collect::<HashSet<_>>().len(),
        8,
        "tokens are distinct"
    );

    // The XPUB has its SUB's subscription to read: it alone is ready.
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().into_iter().collect();
    assert_eq!(ready, [(t_xpub, PollEvents::IN)]);
    assert!(publisher.recv_subscription().unwrap().is_subscribe());
    assert!(poller.poll(Some(Duration::ZERO)).unwrap().is_empty());

    // One event on each target, in turn: exactly that target is ready, until it is read.
    type Act<'s> = Box<dyn Fn() -> String + 's>;
    let rounds: Vec<(Token, Act, Act)> = vec![
        (
            t_router,
            Box::new(|| format!("{:?}", client.send("to router"))),
            // (The routed message's shape is the typed Router's business: read it whole.)
            Box::new(|| {
                let _routed = router.recv().unwrap();
                "to router".into()
            }),
        ),
        (
            t_pull,
            Box::new(|| format!("{:?}", push.send("to pull"))),
            Box::new(|| pull.recv_string().unwrap()),
        ),
        (
            t_sub,
            Box::new(|| format!("{:?}", publisher.send("to sub"))),
            Box::new(|| sub.recv_string().unwrap()),
        ),
        (
            t_dynamic,
            Box::new(|| format!("{:?}", dynamic_push.send("to dynamic"))),
            Box::new(|| dynamic.recv_string().unwrap()),
        ),
        (
            t_core,
            Box::new(|| format!("{:?}", core_push.send("to core"))),
            Box::new(|| core_pull.recv_string().unwrap()),
        ),
        (
            t_monitor,
            Box::new(|| format!("{:?}", watched.bind("tcp://127.0.0.1:*").map(|_| ()))),
            Box::new(|| format!("{:?}", monitor.try_recv().unwrap().map(|e| e.kind.mask()))),
        ),
    ];
    let mut taken = Vec::new();
    for (token, make, take) in &rounds {
        assert_eq!(make(), "Ok(())");
        let ready = poller.poll(Some(PATIENCE)).unwrap();
        assert_eq!(ready.len(), 1, "{ready:?}");
        assert!(ready.is_readable(*token), "{ready:?}");
        assert!(!ready.is_writable(*token));
        assert_eq!(ready.events(*token), PollEvents::IN);
        for other in tokens.iter().filter(|t| *t != token) {
            assert_eq!(ready.events(*other), PollEvents::NONE);
        }
        taken.push(take());
        assert!(poller.poll(Some(Duration::ZERO)).unwrap().is_empty());
    }
    assert_eq!(
        taken,
        [
            "to router".to_string(),
            "to pull".into(),
            "to sub".into(),
            "to dynamic".into(),
            "to core".into(),
            format!("{:?}", Some(EventMask::LISTENING)),
        ]
    );
    drop(rounds);
    std::io::Write::write_all(&mut writer, b"x").unwrap();
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().iter().collect();
    assert_eq!(ready, [(t_fd, PollEvents::IN)]);
    let mut byte = [0u8; 1];
    std::io::Read::read_exact(&mut &reader, &mut byte).unwrap();
    assert!(poller.poll(Some(Duration::ZERO)).unwrap().is_empty());
}

/// set_interest switches what a registration waits for; remove stops it; a removed token, or
/// another poller's, is refused (never taken for another registration).
#[test]
fn tokens_change_events_are_removed_and_never_mistaken() {
    let ctx = ctx();
    let push = patient(Push::new(&ctx).unwrap());
    let pull = patient(Pull::new(&ctx).unwrap());
    let mut poller = Poller::new();
    let t_push = poller.add(&push, PollEvents::OUT);
    let t_pull = poller.add(&pull, PollEvents::IN);
    assert_eq!(poller.interest(t_push).unwrap(), PollEvents::OUT);
    // A PUSH without a peer cannot send.
    assert!(poller.poll(Some(Duration::ZERO)).unwrap().is_empty());
    wire(&pull, &push, Transport::Inproc, "poller-events");
    let ready = poller.poll(Some(PATIENCE)).unwrap();
    assert!(ready.is_writable(t_push) && !ready.is_readable(t_pull));
    assert_eq!(
        ready.iter().collect::<Vec<_>>(),
        [(t_push, PollEvents::OUT)]
    );

    // Waiting for nothing: registered, never ready.
    poller.set_interest(t_push, PollEvents::NONE).unwrap();
    assert!(poller.poll(Some(Duration::ZERO)).unwrap().is_empty());
    push.send("x").unwrap();
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().iter().collect();
    assert_eq!(ready, [(t_pull, PollEvents::IN)]);

    // Both ways on one registration of a socket registered twice.
    poller.set_interest(t_push, PollEvents::OUT).unwrap();
    let t_pull_again = poller.add(&pull, PollEvents::IN | PollEvents::OUT);
    assert_ne!(t_pull_again, t_pull);
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().iter().collect();
    // In the order they were added; a PULL is never writable.
    assert_eq!(
        ready,
        [
            (t_push, PollEvents::OUT),
            (t_pull, PollEvents::IN),
            (t_pull_again, PollEvents::IN)
        ]
    );

    // Removed: gone from the answers, and refused from then on.
    poller.remove(t_pull).unwrap();
    assert!(!poller.contains(t_pull));
    assert_eq!(poller.len(), 2);
    let ready = poller.poll(Some(PATIENCE)).unwrap();
    assert_eq!(ready.events(t_pull), PollEvents::NONE);
    assert_eq!(
        ready.iter().collect::<Vec<_>>(),
        [(t_push, PollEvents::OUT), (t_pull_again, PollEvents::IN)]
    );
    for refused in [
        poller.remove(t_pull),
        poller.set_interest(t_pull, PollEvents::IN),
        poller.interest(t_pull).map(|_| ()),
    ] {
        assert!(
            matches!(refused, Err(Error::InvalidArgument(_))),
            "{refused:?}"
        );
    }
    // Its slot is reused under a new token: the old one still names nothing.
    let t_new = poller.add(&pull, PollEvents::IN);
    assert_ne!(t_new, t_pull);
    assert!(!poller.contains(t_pull) && poller.contains(t_new));
    assert_eq!(poller.len(), 3);

    // Another poller's tokens mean nothing here, even at the same place.
    let mut other = Poller::new();
    let foreign = other.add(&push, PollEvents::OUT);
    assert!(!poller.contains(foreign));
    assert!(matches!(
        poller.set_interest(foreign, PollEvents::IN),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        poller.poll(Some(PATIENCE)).unwrap().events(foreign),
        PollEvents::NONE
    );
    assert_eq!(pull.recv().unwrap(), "x");
}

/// An empty poller sleeps for its timeout, and refuses to wait for ever (libzmq would sleep
/// 71 minutes).
#[test]
fn an_empty_poller_never_waits_for_ever() {
    let mut poller = Poller::new();
    assert!(poller.is_empty());
    let start = Instant::now();
    assert!(poller
        .poll(Some(Duration::from_millis(20)))
        .unwrap()
        .is_empty());
    assert!(start.elapsed() >= Duration::from_millis(20));
    match poller.poll(None) {
        Err(Error::InvalidArgument(d)) => assert_eq!(
            d.as_str(),
            Some("zmq_poll with nothing to poll and no timeout would never return")
        ),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
    assert!(matches!(
        poll::<&Pollable, ()>(&[], None),
        Err(Error::InvalidArgument(_))
    ));
}

/// The context's shutdown wakes a poll blocked without a timeout.
#[test]
fn the_shutdown_wakes_a_blocked_poller() {
    let ctx = ctx();
    let pull = Pull::new(&ctx).unwrap();
    pull.bind("inproc://poller-shutdown").unwrap();
    let stop = ctx.shutdown_handle();
    let (started_tx, started_rx) = std::sync::mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let mut poller = Poller::new();
        poller.add(&pull, PollEvents::IN);
        started_tx.send(()).unwrap();
        poller.poll(None).map(|ready| ready.len())
    });
    started_rx.recv().unwrap();
    stop.shutdown();
    let result = within(PATIENCE, "a poll after the shutdown", move || {
        waiter.join().unwrap()
    });
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
}

/// Signals every 5 ms neither cut a poll short nor make it wait longer than its timeout:
/// EINTR is retried with the time left.
#[test]
fn signals_neither_cut_a_poll_short_nor_stretch_it() {
    let ctx = ctx();
    let pull = Pull::new(&ctx).unwrap();
    pull.bind("tcp://127.0.0.1:*").unwrap();
    let timeout = Duration::from_millis(150);
    let (ready, took) = under_signals("a poll", Duration::from_millis(5), move || {
        let mut poller = Poller::new();
        poller.add(&pull, PollEvents::IN);
        poller.poll(Some(timeout)).map(|ready| ready.len())
    });
    assert_eq!(ready, Ok(0));
    assert!(took >= timeout, "returned after {took:?}");
    assert!(took < PATIENCE, "waited {took:?}");
}

/// What a poller holds stays borrowed: a registered socket cannot be dropped, or moved into
/// another type (a REQ's send), while the poller lives; the socket can still be used
/// through shared references meanwhile.
#[test]
fn a_poller_lends_its_sockets_back_for_shared_use() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "poller-req");
    let req = req.send("ping").unwrap();
    // A REQ/REP changes type with each operation: a poller per wait.
    let ready = {
        let mut poller = Poller::new();
        let t = poller.add(&rep, PollEvents::IN);
        let ready = poller.poll(Some(PATIENCE)).unwrap().is_readable(t);
        ready
    };
    assert!(ready);
    let (request, rep) = rep.recv().unwrap();
    assert_eq!(request, "ping");
    let _rep = rep.send("pong").unwrap();
    let mut poller = Poller::new();
    let t = poller.add(&req, PollEvents::IN);
    assert!(poller.poll(Some(PATIENCE)).unwrap().is_readable(t));
    drop(poller);
    let (reply, _req) = req.recv().unwrap();
    assert_eq!(reply, "pong");
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
