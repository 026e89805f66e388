//! ZMTP heartbeats (`ZmtpHeartbeat`) against real processes and real faults: a peer process
//! that is killed (SIGKILL: the kernel closes its connection) and one that is frozen
//! (SIGSTOP: the kernel keeps its connection open and answers TCP, so only the missing
//! PONGs can tell) are both cut off within `interval × liveness` of the signal, reported by
//! the socket's monitor as `Disconnected`; a live peer is never cut off.
//!
//! The detections are measured, and may come later than the bound by [`SLACK`] at most:
//! time for a loaded machine to run the threads that notice and report. A frozen peer is
//! never cut off without heartbeats (TCP keeps its connection for hours), so any bound
//! proves they did the work; the slack does not depend on the interval.

mod common;

use std::time::{Duration, Instant};

use common::programs::{self, Program};
use common::PATIENCE;
use zmq_typed::patterns::heartbeat::ZmtpHeartbeat;
use zmq_typed::{Context, Error, EventKind, EventMask, Monitor, Router};

/// Long enough for a loaded machine's libzmq to answer each PING well in time (its PONG
/// may take up to `interval × (liveness − 1)`, 400 ms), short enough for quick tests.
const INTERVAL: Duration = Duration::from_millis(200);
const LIVENESS: u32 = 3;

/// How much later than the bound a detection may be measured: scheduling on a loaded
/// machine, not heartbeats.
const SLACK: Duration = Duration::from_secs(1);

/// A ROUTER with heartbeats, bound on a free port, its monitor, and an `hwclient` process
/// connected to it whose `Hello` has arrived (so its connection is up, and it now waits for
/// a reply that never comes: it sends nothing more).
fn router_with_a_peer_process(ctx: &Context) -> (Router, Monitor, Program) {
    let router = Router::new(ctx).unwrap();
    ZmtpHeartbeat::new(INTERVAL, LIVENESS)
        .apply(&router)
        .unwrap();
    let monitor = router.monitor(EventMask::ALL).unwrap();
    let endpoint = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let peer = programs::spawn("hwclient", &["--connect", &endpoint, "--count", "1"]);
    let hello = router.recv_timeout(PATIENCE).unwrap();
    assert_eq!(hello.body.to_vecs(), [b"".to_vec(), b"Hello".to_vec()]);
    monitor.wait_for_handshakes(1, PATIENCE).unwrap();
    (router, monitor, peer)
}

/// Waits for the monitor's `Disconnected`; the time it took since `since`.
fn disconnected_after(monitor: &Monitor, since: Instant) -> Duration {
    monitor
        .wait_for(PATIENCE, |kind| {
            matches!(kind, EventKind::Disconnected { .. })
        })
        .unwrap();
    let took = since.elapsed();
    eprintln!("Disconnected {took:?} after the signal");
    took
}

#[test]
fn a_frozen_peer_is_cut_off_within_interval_times_liveness() {
    let ctx = Context::new().unwrap();
    let (_router, monitor, peer) = router_with_a_peer_process(&ctx);
    let stopped = Instant::now();
    peer.signal(libc::SIGSTOP);
    let took = disconnected_after(&monitor, stopped);
    let bound = ZmtpHeartbeat::new(INTERVAL, LIVENESS).bound();
    assert!(
        took <= bound + SLACK,
        "a frozen peer was cut off {took:?} after SIGSTOP; the bound is {bound:?}"
    );
    drop(peer); // SIGKILL works on a stopped process
}

#[test]
fn a_killed_peer_is_cut_off_within_interval_times_liveness() {
    let ctx = Context::new().unwrap();
    let (_router, monitor, peer) = router_with_a_peer_process(&ctx);
    let killed = Instant::now();
    peer.signal(libc::SIGKILL);
    let took = disconnected_after(&monitor, killed);
    let bound = ZmtpHeartbeat::new(INTERVAL, LIVENESS).bound();
    assert!(took <= bound + SLACK, "cut off {took:?} after SIGKILL");
}

#[test]
fn a_live_peer_answers_the_pings_and_stays() {
    let ctx = Context::new().unwrap();
    let (_router, monitor, _peer) = router_with_a_peer_process(&ctx);
    // Three bounds of heartbeats: the peer's libzmq answers each PING with a PONG.
    let watch = ZmtpHeartbeat::new(INTERVAL, LIVENESS).bound() * 3;
    let deadline = Instant::now() + watch;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        match monitor.recv_timeout(left) {
            Err(e) if e.is_timeout() => break,
            Ok(event) => assert!(
                !matches!(
                    event.kind,
                    EventKind::Disconnected { .. } | EventKind::Closed { .. }
                ),
                "a live peer was cut off: {event:?}"
            ),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn apply_sets_the_three_options() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    ZmtpHeartbeat::new(Duration::from_millis(250), 4)
        .apply(&router)
        .unwrap();
    assert_eq!(
        router.heartbeat_ivl().unwrap(),
        Some(Duration::from_millis(250))
    );
    assert_eq!(
        router.heartbeat_timeout().unwrap(),
        Some(Duration::from_millis(750))
    );
    assert_eq!(
        router.heartbeat_ttl().unwrap(),
        Some(Duration::from_millis(1000))
    );
}

#[test]
fn a_liveness_below_two_or_a_zero_interval_is_refused() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    for bad in [
        ZmtpHeartbeat::new(INTERVAL, 1),
        ZmtpHeartbeat::new(INTERVAL, 0),
        ZmtpHeartbeat::new(Duration::ZERO, 3),
        // A TTL of 10000 s, over libzmq's 6553.5 s: refused before the interval is set.
        ZmtpHeartbeat::new(Duration::from_secs(1), 10_000),
        ZmtpHeartbeat::new(Duration::MAX, u32::MAX),
    ] {
        let error = bad.apply(&router).unwrap_err();
        assert!(matches!(error, Error::OptionValue { .. }), "{error:?}");
    }
    assert_eq!(router.heartbeat_ivl().unwrap(), None);
}
