//! Monitor events: listening, connected, accepted, handshake, disconnected, and a handshake
//! failure with its decoded reason; the named masks; and the monitor's relay: a monitor
//! dropped or never read never stalls the context, polling gives whole events, and no order
//! of dropping the context, the socket and the monitor hangs. (Waiting until peers have
//! completed their handshake: tests/monitor_handshakes.rs.)

mod common;

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::{
    Context, CurveKeyPair, Error, Event, EventKind, EventMask, Monitor, PollEvents, Poller,
    ProtocolError, Socket, SocketType::*,
};

/// Reads events until the monitor ends; returns them and the error that ended them.
fn drain(mon: &Monitor) -> (Vec<Event>, Error) {
    let mut events = Vec::new();
    loop {
        match mon.recv_timeout(PATIENCE) {
            Ok(event) => events.push(event),
            Err(e) => return (events, e),
        }
    }
}

/// Waits (bounded) until the monitor's relay has ended: from then on its queue no longer
/// changes but for what is read, so what is read is exactly what it kept.
fn wait_until_ended(mon: &Monitor) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while !mon.has_ended() {
        assert!(
            std::time::Instant::now() < deadline,
            "the monitor did not end within {PATIENCE:?}"
        );
        thread::sleep(Duration::from_millis(1));
    }
}

fn kinds(events: &[Event]) -> Vec<EventKind> {
    events.iter().map(|e| e.kind.clone()).collect()
}

#[test]
fn lifecycle_events() {
    let ctx = ctx();
    let server = socket(&ctx, Rep);
    let server_mon = server.monitor(EventMask::ALL).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let ev = server_mon.recv_timeout(PATIENCE).unwrap();
    assert!(
        matches!(ev.kind, EventKind::Listening { fd } if fd >= 0),
        "{ev:?}"
    );
    assert_eq!(ev.endpoint, ep.to_string());

    let client = socket(&ctx, Req);
    let client_mon = client.monitor(EventMask::ALL).unwrap();
    client.connect(&ep).unwrap();
    let ev = client_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::Connected { .. }))
        .unwrap();
    assert_eq!(ev.endpoint, ep.to_string());
    client_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::HandshakeSucceeded))
        .unwrap();
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::Accepted { .. }))
        .unwrap();
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::HandshakeSucceeded))
        .unwrap();

    drop(client);
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::Disconnected { .. }))
        .unwrap();
    server.stop_monitor().unwrap();
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::MonitorStopped))
        .unwrap();
    // Nothing comes after the stop: the monitor says it has ended instead of waiting.
    assert!(matches!(server_mon.recv(), Err(Error::Terminated(_))));
    assert!(matches!(server_mon.try_recv(), Err(Error::Terminated(_))));
    assert!(server_mon.has_ended());
}

#[test]
fn handshake_failures_carry_their_reason() {
    let ctx = ctx();
    // A CURVE server and a plain (NULL) client: mechanism mismatch.
    let keys = CurveKeyPair::generate().unwrap();
    let server = socket(&ctx, Rep);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&keys.secret).unwrap();
    let mon = server.monitor(EventMask::ALL).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, Req);
    client.connect(&ep).unwrap();
    let ev = mon
        .wait_for(PATIENCE, |k| {
            matches!(k, EventKind::HandshakeFailedProtocol(_))
        })
        .unwrap();
    assert_eq!(
        ev.kind,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
    );

    // A CURVE client that has the wrong server key: the server cannot decrypt its HELLO.
    let server2 = socket(&ctx, Rep);
    server2.set_curve_server(true).unwrap();
    server2.set_curve_secretkey(&keys.secret).unwrap();
    let mon2 = server2.monitor(EventMask::ALL).unwrap();
    let ep2 = server2.bind("tcp://127.0.0.1:*").unwrap();
    let wrong = CurveKeyPair::generate().unwrap();
    let mine = CurveKeyPair::generate().unwrap();
    let client2 = socket(&ctx, Req);
    client2.set_curve_serverkey(&wrong.public).unwrap();
    client2.set_curve_publickey(&mine.public).unwrap();
    client2.set_curve_secretkey(&mine.secret).unwrap();
    client2.connect(&ep2).unwrap();
    let ev = mon2
        .wait_for(PATIENCE, |k| {
            matches!(k, EventKind::HandshakeFailedProtocol(_))
        })
        .unwrap();
    assert_eq!(
        ev.kind,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpCryptographic)
    );
}

#[test]
fn raw_event_decoding() {
    assert_eq!(
        EventKind::from_raw(0x0004, 200),
        EventKind::ConnectRetried {
            interval: std::time::Duration::from_millis(200)
        }
    );
    assert_eq!(
        EventKind::from_raw(0x4000, 400),
        EventKind::HandshakeFailedAuth { status: 400 }
    );
    assert_eq!(
        EventKind::from_raw(0x8000, 1),
        EventKind::Unknown {
            event: 0x8000,
            value: 1
        }
    );
    assert_eq!(
        ProtocolError::from_raw(0x2000_0002),
        ProtocolError::ZapBadRequestId
    );
    assert_eq!(ProtocolError::from_raw(7), ProtocolError::Unknown(7));
    assert!(EventMask::ALL.contains(EventMask::ACCEPTED | EventMask::MONITOR_STOPPED));
    assert!(!EventMask::ACCEPTED.contains(EventMask::MONITOR_STOPPED));
}

/// One round: a fresh PUSH connects over tcp, sends, and the PULL receives it.
fn round(ctx: &Context, pull: &Socket, ep: &zmq_typed::Endpoint, i: usize) {
    let push = socket(ctx, Push);
    push.connect(ep).unwrap();
    push.send(i.to_string()).unwrap();
    match pull.recv_string() {
        Ok(text) => assert_eq!(text, i.to_string()),
        Err(e) => panic!("round {i}: {e}"),
    }
}

/// libzmq's I/O thread sends monitor events with a blocking send: without the relay, a
/// monitor dropped unread stalled every tcp socket of the context within ten connections.
#[test]
fn a_dropped_monitor_never_stalls_the_context() {
    within(Duration::from_secs(60), "100 connections", || {
        let ctx = ctx();
        let pull = socket(&ctx, Pull);
        let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
        let mon = pull.monitor(EventMask::ALL).unwrap();
        drop(mon);
        for i in 0..100 {
            round(&ctx, &pull, &ep, i);
        }
    });
}

/// A monitor kept but never read stalled the context at about 660 connections; now it
/// keeps the newest events, in order, and counts the others.
#[test]
fn an_unread_monitor_keeps_the_newest_events_and_never_stalls() {
    const ROUNDS: usize = 1500;
    within(Duration::from_secs(120), "1500 connections", || {
        let ctx = ctx();
        let pull = socket(&ctx, Pull);
        let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
        let mask =
            EventMask::ACCEPTED | EventMask::HANDSHAKE_SUCCEEDED | EventMask::MONITOR_STOPPED;
        let mon = pull.monitor(mask).unwrap();
        assert_eq!(mon.capacity(), zmq_typed::monitor::DEFAULT_QUEUE_LEN);
        // Each round makes exactly two events, Accepted then HandshakeSucceeded, both
        // before its message can arrive; the next round starts after.
        for i in 0..ROUNDS {
            round(&ctx, &pull, &ep, i);
        }
        // The stop event comes after every event before it, and ends the relay: once it has
        // ended, the queue holds the newest events and the count is final.
        pull.stop_monitor().unwrap();
        wait_until_ended(&mon);
        let (events, end) = drain(&mon);
        assert!(matches!(end, Error::Terminated(_)), "{end:?}");
        let capacity = zmq_typed::monitor::DEFAULT_QUEUE_LEN;
        let total = 2 * ROUNDS + 1;
        assert_eq!(events.len(), capacity);
        assert_eq!(mon.dropped(), (total - capacity) as u64);
        // What is left is the newest events, whole and in order: the tail of
        // Accepted, HandshakeSucceeded, Accepted, ..., then MonitorStopped.
        let (last, rest) = events.split_last().unwrap();
        assert_eq!(last.kind, EventKind::MonitorStopped);
        let first_index = 2 * ROUNDS - rest.len();
        for (n, event) in rest.iter().enumerate() {
            let accepted = (first_index + n) % 2 == 0;
            if accepted {
                assert!(
                    matches!(event.kind, EventKind::Accepted { fd } if fd >= 0),
                    "event {n}: {event:?}"
                );
            } else {
                assert_eq!(event.kind, EventKind::HandshakeSucceeded, "event {n}");
            }
            assert_eq!(event.endpoint, ep.to_string(), "event {n}");
        }
    });
}

/// The queue bound can be chosen; past it the oldest events go.
#[test]
fn a_small_queue_drops_the_oldest() {
    let ctx = ctx();
    let pull = socket(&ctx, Pull);
    let mask = EventMask::LISTENING | EventMask::MONITOR_STOPPED;
    let mon = pull.monitor_with_capacity(mask, 2).unwrap();
    assert_eq!(mon.capacity(), 2);
    let endpoints: Vec<String> = (0..4)
        .map(|_| pull.bind("tcp://127.0.0.1:*").unwrap().to_string())
        .collect();
    pull.stop_monitor().unwrap();
    wait_until_ended(&mon);
    assert_eq!(mon.len(), 2);
    let (events, end) = drain(&mon);
    assert!(matches!(end, Error::Terminated(_)), "{end:?}");
    // Four Listening and the stop: the last Listening and the stop remain.
    assert_eq!(mon.dropped(), 3);
    assert_eq!(events.len(), 2);
    assert!(matches!(events[0].kind, EventKind::Listening { .. }));
    assert_eq!(events[0].endpoint, endpoints[3]);
    assert_eq!(events[1].kind, EventKind::MonitorStopped);
}

#[test]
fn a_polled_monitor_gives_whole_events() {
    let ctx = ctx();
    let pull = socket(&ctx, Pull);
    let mon = pull.monitor(EventMask::ALL).unwrap();
    // The monitor and a socket in one poller.
    let mut poller = Poller::new();
    let t_pull = poller.add(&pull, PollEvents::IN);
    let t_mon = poller.add(&mon, PollEvents::IN);
    // Nothing happened yet: not readable.
    let ready: Vec<_> = poller.poll(Some(Duration::ZERO)).unwrap().iter().collect();
    assert!(ready.is_empty(), "{ready:?}");

    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().iter().collect();
    assert_eq!(ready, vec![(t_mon, PollEvents::IN)]);
    assert!(!poller
        .poll(Some(Duration::ZERO))
        .unwrap()
        .is_readable(t_pull));
    let event = mon.try_recv().unwrap().expect("an event after POLLIN");
    assert!(
        matches!(event.kind, EventKind::Listening { fd } if fd >= 0),
        "{event:?}"
    );
    assert_eq!(event.endpoint, ep.to_string());
    // Drained: not readable any more.
    let ready: Vec<_> = poller.poll(Some(Duration::ZERO)).unwrap().iter().collect();
    assert!(ready.is_empty(), "{ready:?}");
    assert!(mon.is_empty());

    // The stop: readable, a whole MonitorStopped, and still readable once ended, so that a
    // poller wakes to find out.
    pull.stop_monitor().unwrap();
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().iter().collect();
    assert_eq!(ready, vec![(t_mon, PollEvents::IN)]);
    assert_eq!(mon.recv().unwrap().kind, EventKind::MonitorStopped);
    let ready: Vec<_> = poller.poll(Some(PATIENCE)).unwrap().iter().collect();
    assert_eq!(ready, vec![(t_mon, PollEvents::IN)]);
    assert!(matches!(mon.try_recv(), Err(Error::Terminated(_))));
}

/// Closing the monitored socket ends the monitor (the reaper sends the stop event); the
/// context then terminates at once, and the monitor says it has ended.
#[test]
fn closing_the_socket_then_the_context_ends_the_monitor() {
    for ask_stopped in [true, false] {
        let (events, end, ep) = within(PATIENCE * 2, "dropping socket then context", move || {
            let ctx = ctx();
            let pull = socket(&ctx, Pull);
            let mask = if ask_stopped {
                EventMask::ALL
            } else {
                EventMask::ALL.without(EventMask::MONITOR_STOPPED)
            };
            let mon = pull.monitor(mask).unwrap();
            let ep = pull.bind("tcp://127.0.0.1:*").unwrap().to_string();
            drop(pull);
            let (events, end) = drain(&mon);
            drop(ctx);
            // Still ended, and still without waiting, once the context is gone.
            assert!(matches!(mon.recv(), Err(Error::Terminated(_))));
            (events, end, ep)
        });
        assert!(matches!(end, Error::Terminated(_)), "{end:?}");
        let got = kinds(&events);
        assert_eq!(got.len(), if ask_stopped { 3 } else { 2 }, "{got:?}");
        let EventKind::Listening { fd } = got[0] else {
            panic!("{got:?}")
        };
        assert_eq!(got[1], EventKind::Closed { fd });
        if ask_stopped {
            assert_eq!(got[2], EventKind::MonitorStopped);
        }
        for event in &events[..2] {
            assert_eq!(event.endpoint, ep);
        }
    }
}

/// The same without reading in between: the context terminates while the relay may still
/// hold events. Whatever the relay got before the end, the monitor ends with Terminated.
#[test]
fn closing_the_socket_and_the_context_at_once_ends_the_monitor() {
    let (events, end) = within(PATIENCE * 2, "dropping socket and context", || {
        let ctx = ctx();
        let pull = socket(&ctx, Pull);
        let mon = pull.monitor(EventMask::ALL).unwrap();
        pull.bind("tcp://127.0.0.1:*").unwrap();
        drop(pull);
        drop(ctx);
        drain(&mon)
    });
    assert!(matches!(end, Error::Terminated(_)), "{end:?}");
    // Whatever arrived is, in order, some of Listening, Closed, MonitorStopped: the
    // termination may stop the monitor (libzmq then sends MonitorStopped) before the
    // listener closes, or end the relay before it reads what is left.
    let rank = |kind: &EventKind| match kind {
        EventKind::Listening { .. } => 0,
        EventKind::Closed { .. } => 1,
        EventKind::MonitorStopped => 2,
        other => panic!("unexpected {other:?}"),
    };
    let ranks: Vec<i32> = kinds(&events).iter().map(rank).collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{events:?}");
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Ctx,
    Sock,
    Mon,
}

/// Every order of dropping the context, the monitored socket (with a live connection) and
/// the monitor returns; a monitor that outlives the others ends with Terminated.
#[test]
fn every_drop_order_with_a_live_monitor_returns() {
    use Part::*;
    let orders = [
        [Ctx, Sock, Mon],
        [Ctx, Mon, Sock],
        [Sock, Ctx, Mon],
        [Sock, Mon, Ctx],
        [Mon, Ctx, Sock],
        [Mon, Sock, Ctx],
    ];
    for order in orders {
        within(
            PATIENCE * 2,
            &format!("dropping in the order {order:?}"),
            move || {
                let ctx = ctx();
                let pull = socket(&ctx, Pull);
                let mon = pull.monitor(EventMask::ALL).unwrap();
                let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
                // A live peer, so that dropping makes events too.
                let push = socket(&ctx, Push);
                push.connect(&ep).unwrap();
                push.send("x").unwrap();
                assert_eq!(pull.recv_string().unwrap(), "x");
                let mut ctx = Some(ctx);
                let mut pull = Some(pull);
                let mut mon = Some(mon);
                let mut push = Some(push);
                for part in order {
                    match part {
                        Ctx => drop(ctx.take()),
                        Sock => {
                            drop(push.take());
                            drop(pull.take());
                        }
                        Mon => {
                            let mon = mon.take().unwrap();
                            if ctx.is_none() && pull.is_none() {
                                let (_, end) = drain(&mon);
                                assert!(matches!(end, Error::Terminated(_)), "{end:?}");
                            }
                        }
                    }
                }
            },
        );
    }
}

/// A second monitor call ends the first one (which sees MonitorStopped, then the end); the
/// second goes on.
#[test]
fn a_second_monitor_replaces_the_first() {
    let ctx = ctx();
    let pull = socket(&ctx, Pull);
    let first = pull.monitor(EventMask::ALL).unwrap();
    let second = pull.monitor(EventMask::ALL).unwrap();
    let (events, end) = drain(&first);
    assert_eq!(kinds(&events), vec![EventKind::MonitorStopped]);
    assert!(matches!(end, Error::Terminated(_)), "{end:?}");
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    let event = second.recv_timeout(PATIENCE).unwrap();
    assert!(
        matches!(event.kind, EventKind::Listening { .. }),
        "{event:?}"
    );
    assert_eq!(event.endpoint, ep.to_string());
}

/// A monitor's blocking receive is woken by the context's shutdown, from another thread.
#[test]
fn shutdown_wakes_a_blocked_monitor_receive() {
    let ctx = ctx();
    let pull = socket(&ctx, Pull);
    let mon = pull.monitor(EventMask::ALL).unwrap();
    let (started_tx, started_rx) = mpsc::channel();
    let waiter = thread::spawn(move || {
        started_tx.send(()).unwrap();
        mon.recv()
    });
    started_rx.recv().unwrap();
    ctx.shutdown().unwrap();
    let result = within(
        PATIENCE,
        "the monitor's receive after shutdown",
        move || waiter.join().unwrap(),
    );
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
}

/// recv_timeout gives up after its timeout when nothing happens.
#[test]
fn a_timed_receive_times_out() {
    let ctx = ctx();
    let pull = socket(&ctx, Pull);
    let mon = pull.monitor(EventMask::ALL).unwrap();
    let start = std::time::Instant::now();
    let result = mon.recv_timeout(Duration::from_millis(50));
    assert!(matches!(result, Err(Error::TimedOut(_))), "{result:?}");
    assert!(start.elapsed() >= Duration::from_millis(50));
    assert!(matches!(mon.try_recv(), Ok(None)));
}

#[test]
fn monitor_is_send_and_sync() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Monitor>();
}

#[test]
fn the_named_groups_hold_their_events() {
    assert_eq!(
        EventMask::HANDSHAKE_FAILED,
        EventMask::HANDSHAKE_FAILED_NO_DETAIL
            | EventMask::HANDSHAKE_FAILED_PROTOCOL
            | EventMask::HANDSHAKE_FAILED_AUTH
    );
    assert_eq!(
        EventMask::HANDSHAKE,
        EventMask::HANDSHAKE_SUCCEEDED | EventMask::HANDSHAKE_FAILED
    );
    assert_eq!(
        EventMask::CONNECTION,
        EventMask::CONNECTED | EventMask::ACCEPTED | EventMask::DISCONNECTED | EventMask::CLOSED
    );
    assert_eq!(
        EventMask::CONNECTING,
        EventMask::CONNECTED | EventMask::CONNECT_DELAYED | EventMask::CONNECT_RETRIED
    );
    assert_eq!(
        EventMask::LISTENER,
        EventMask::LISTENING
            | EventMask::BIND_FAILED
            | EventMask::ACCEPTED
            | EventMask::ACCEPT_FAILED
    );
    assert_eq!(
        EventMask::FAILED,
        EventMask::BIND_FAILED
            | EventMask::ACCEPT_FAILED
            | EventMask::CLOSE_FAILED
            | EventMask::HANDSHAKE_FAILED
    );
    assert!(EventMask::ALL.contains(EventMask::FAILED | EventMask::CONNECTION));
    assert!(EventMask::CONNECTION.intersects(EventMask::LISTENER));
    assert_eq!(
        EventMask::CONNECTION & EventMask::LISTENER,
        EventMask::ACCEPTED
    );
    assert!(EventMask::HANDSHAKE
        .without(EventMask::HANDSHAKE_FAILED)
        .contains(EventMask::HANDSHAKE_SUCCEEDED));
    assert!((EventMask::HANDSHAKE & EventMask::LISTENER).is_empty());
    // Each kind names its own bit.
    let kinds = [
        (EventKind::Accepted { fd: 3 }, EventMask::ACCEPTED),
        (
            EventKind::HandshakeSucceeded,
            EventMask::HANDSHAKE_SUCCEEDED,
        ),
        (
            EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpCryptographic),
            EventMask::HANDSHAKE_FAILED_PROTOCOL,
        ),
        (
            EventKind::HandshakeFailedAuth { status: 400 },
            EventMask::HANDSHAKE_FAILED_AUTH,
        ),
        (EventKind::MonitorStopped, EventMask::MONITOR_STOPPED),
        (
            EventKind::Unknown {
                event: 0x8000,
                value: 0,
            },
            EventMask(0x8000),
        ),
    ];
    for (kind, mask) in kinds {
        assert_eq!(kind.mask(), mask, "{kind:?}");
        let raw = EventKind::from_raw(mask.0, 0);
        assert_eq!(raw.mask(), mask, "{raw:?}");
    }
}
