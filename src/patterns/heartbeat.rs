//! Heartbeats: noticing a peer that has gone without saying so.
//!
//! # The problem
//! A peer that closes its socket, or whose process exits, is noticed at once: the kernel
//! closes its TCP connections. A peer that is frozen (stopped with SIGSTOP, swapped out, a
//! laptop lid closed) or cut off (a cable, a firewall dropping packets) is not: its
//! connections stay open on this side for as long as TCP's own timers allow (hours), and a
//! request sent to it waits for ever. Only traffic that is expected and does not come can
//! tell. Two levels of it are here:
//!
//! - [`ZmtpHeartbeat`]: libzmq's own heartbeats (ZMTP `PING`/`PONG` commands, invisible to
//!   the application), set on a socket with three options. A dead peer's connection is
//!   closed (a `ZMQ_EVENT_DISCONNECTED` on a [monitor](crate::Monitor)); a connecting
//!   socket then reconnects on its own. Nothing to write, but the application is not told
//!   (except through a monitor), and a ROUTER keeps no record of who left.
//! - [`Liveness`] and [`Backoff`]: the bookkeeping of application-level heartbeats, as the
//!   guide's Paranoid Pirate does them (messages the application sends and reads itself),
//!   for when the application must know: a queue that must stop giving work to a dead
//!   worker, a worker that must reconnect to a restarted queue.
//!   [`paranoid_pirate`](super::paranoid_pirate) is built on them.
//!
//! # ZMTP heartbeats in libzmq 4.3.4, exactly
//! Once a connection's handshake is done, libzmq sends a `PING` every `ZMQ_HEARTBEAT_IVL`.
//! When it sends one and no timeout is pending, it starts a timer of
//! `ZMQ_HEARTBEAT_TIMEOUT`; anything received on the connection (a message, a `PONG`)
//! cancels it; when it fires, the connection is closed. (`ZMQ_HEARTBEAT_TTL` is sent in each
//! `PING`: the peer closes the connection when nothing at all comes from this side for that
//! long after a `PING`; it matters only to a peer that sends no heartbeats of its own.) So a
//! peer that goes silent at time `t` is cut off by `t + IVL + TIMEOUT` at the latest: the
//! next `PING` leaves within one interval, and its timeout runs from there.
//! [`ZmtpHeartbeat`] sets `TIMEOUT = IVL × (liveness − 1)`, so that bound is exactly
//! `interval × liveness` ([`ZmtpHeartbeat::bound`]), the same rule as [`Liveness`].
//!
//! Limits: heartbeats are ZMTP 3.1 commands, so they run on `tcp://` and `ipc://`
//! connections, not `inproc://`; and the peer must speak ZMTP 3.1 (libzmq 4.2 or later,
//! which answers `PING` with `PONG` whether or not it sends heartbeats itself): an older
//! peer never answers, and its connection would be closed at every bound.
//!
//! # Application heartbeats
//! [`Liveness`] is pure logic over [`Instant`]s, with no sockets: the peer is alive until
//! `interval × liveness` has passed since it was last heard ([`Liveness::heard`]); a beat is
//! due every `interval` ([`Liveness::beat_due`], [`Liveness::beat_sent`]);
//! [`Liveness::next_deadline`] is the poll timeout that wakes the loop in time for both.
//! [`Backoff`] is the reconnection delay: one interval, doubling at each failure up to 32
//! intervals, back to one interval once the peer is heard again.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use zmq_typed::patterns::heartbeat::Liveness;
//!
//! let start = Instant::now();
//! let mut peer = Liveness::new(Duration::from_millis(100), 3, start)?;
//! assert!(!peer.expired(start + Duration::from_millis(299)));
//! assert!(peer.expired(start + Duration::from_millis(300)));
//! peer.heard(start + Duration::from_millis(250));
//! assert!(!peer.expired(start + Duration::from_millis(549)));
//! # Ok::<(), zmq_typed::Error>(())
//! ```

use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::socket_core::SocketCore;

/// The longest back-off, in intervals: the guide's 32.
pub const MAX_BACKOFF_INTERVALS: u32 = 32;

/// How far ahead a deadline can be: a hundred years, for "never" (an [`Instant`] cannot hold
/// `now + Duration::MAX`).
const FAR: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// `at + d`, or at most [`FAR`] ahead: huge intervals and liveness mean "never", not a
/// panic.
pub(crate) fn later(at: Instant, d: Duration) -> Instant {
    at.checked_add(d.min(FAR))
        .or_else(|| at.checked_add(FAR))
        .unwrap_or(at)
}

/// libzmq's longest `ZMQ_HEARTBEAT_TTL`: deciseconds in 16 bits.
const MAX_ZMTP_TTL: Duration = Duration::from_millis(6_553_500);

/// libzmq's ZMTP heartbeats, set simply: a peer silent for `interval × liveness` has its
/// connection closed. See [the module docs](self) for the exact semantics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZmtpHeartbeat {
    /// How often a `PING` is sent (`ZMQ_HEARTBEAT_IVL`).
    pub interval: Duration,
    /// How many intervals of silence close the connection; at least 2 (the `PING` goes out
    /// within one interval, the timeout is the rest).
    pub liveness: u32,
}

impl ZmtpHeartbeat {
    /// The heartbeat of `interval` and `liveness`.
    pub fn new(interval: Duration, liveness: u32) -> ZmtpHeartbeat {
        ZmtpHeartbeat { interval, liveness }
    }

    /// The longest a silent peer keeps its connection: `interval × liveness`.
    pub fn bound(&self) -> Duration {
        self.interval.saturating_mul(self.liveness)
    }

    /// Sets `ZMQ_HEARTBEAT_IVL` to the interval, `ZMQ_HEARTBEAT_TIMEOUT` to `interval ×
    /// (liveness − 1)` and `ZMQ_HEARTBEAT_TTL` to `interval × liveness`, before the socket
    /// connects or binds (libzmq reads them when a connection starts). A liveness below 2, a
    /// zero interval or a TTL over libzmq's 6553.5 s is refused ([`Error::OptionValue`]),
    /// and then none of the three options is set.
    ///
    /// Wraps `zmq_setsockopt` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn apply(&self, socket: &SocketCore) -> Result<()> {
        if self.liveness < 2 {
            return Err(Error::OptionValue {
                option: "ZMQ_HEARTBEAT_TIMEOUT",
                reason: format!(
                    "a liveness of {} leaves no time for the PONG: 2 at least",
                    self.liveness
                ),
            });
        }
        if self.interval < Duration::from_millis(1) {
            return Err(Error::OptionValue {
                option: "ZMQ_HEARTBEAT_IVL",
                reason: format!(
                    "an interval of {:?} turns heartbeats off: 1 ms at least",
                    self.interval
                ),
            });
        }
        // Checked before any option is set, so that a refused heartbeat leaves none of them.
        if self.bound() > MAX_ZMTP_TTL {
            return Err(Error::OptionValue {
                option: "ZMQ_HEARTBEAT_TTL",
                reason: format!(
                    "interval × liveness is {:?}, above libzmq's limit of 6553.5 s",
                    self.bound()
                ),
            });
        }
        socket.set_heartbeat_ivl(Some(self.interval))?;
        socket.set_heartbeat_timeout(Some(self.interval.saturating_mul(self.liveness - 1)))?;
        socket.set_heartbeat_ttl(Some(self.bound()))?;
        Ok(())
    }
}

/// Whether a peer is alive, from when it was last heard, and when the next beat to it is
/// due: application heartbeats' bookkeeping (pure logic, no sockets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Liveness {
    interval: Duration,
    liveness: u32,
    last_heard: Instant,
    next_beat: Instant,
}

impl Liveness {
    /// A peer heard at `now` (just connected), silent for at most `interval × liveness`, to
    /// which a beat is due every `interval` (the first one `interval` after `now`). A zero
    /// interval or a liveness of 0 is refused ([`Error::OptionValue`]). Huge values are
    /// fine: `interval × liveness` saturates, and a deadline more than a hundred years away
    /// is taken as a hundred years (never, in practice).
    ///
    /// Calls nothing: pure logic.
    pub fn new(interval: Duration, liveness: u32, now: Instant) -> Result<Liveness> {
        if interval.is_zero() {
            return Err(Error::OptionValue {
                option: "heartbeat interval",
                reason: "0 would beat without pause: 1 ms at least".into(),
            });
        }
        if liveness == 0 {
            return Err(Error::OptionValue {
                option: "liveness",
                reason: "0 would give the peer no time at all: 1 at least".into(),
            });
        }
        Ok(Liveness {
            interval,
            liveness,
            last_heard: now,
            next_beat: later(now, interval),
        })
    }

    /// The heartbeat interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// The silence allowed: `interval × liveness`.
    pub fn bound(&self) -> Duration {
        self.interval.saturating_mul(self.liveness)
    }

    /// The peer was heard at `now` (any message counts).
    pub fn heard(&mut self, now: Instant) {
        self.last_heard = self.last_heard.max(now);
    }

    /// When the peer expires unless heard before.
    pub fn expires_at(&self) -> Instant {
        later(self.last_heard, self.bound())
    }

    /// Whether the peer has been silent for `interval × liveness` or more at `now`.
    pub fn expired(&self, now: Instant) -> bool {
        now >= self.expires_at()
    }

    /// Whether a beat to the peer is due at `now`.
    pub fn beat_due(&self, now: Instant) -> bool {
        now >= self.next_beat
    }

    /// A beat was sent at `now`: the next is due one interval later (a late beat does not
    /// make the next ones come faster).
    pub fn beat_sent(&mut self, now: Instant) {
        self.next_beat = later(now, self.interval);
    }

    /// The earlier of the next beat and the expiry: when the loop must wake next.
    pub fn next_deadline(&self) -> Instant {
        self.next_beat.min(self.expires_at())
    }

    /// The time from `now` to [`Liveness::next_deadline`] (zero when it has passed): a poll
    /// timeout.
    pub fn until_next(&self, now: Instant) -> Duration {
        self.next_deadline().saturating_duration_since(now)
    }
}

/// The reconnection back-off of the Paranoid Pirate: one interval, then twice as long at each
/// failure up to [`MAX_BACKOFF_INTERVALS`] intervals, and one interval again after
/// [`Backoff::reset`] (the peer was heard).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    interval: Duration,
    next: Duration,
}

impl Backoff {
    /// A back-off starting at `interval`.
    pub fn new(interval: Duration) -> Backoff {
        Backoff {
            interval,
            next: interval,
        }
    }

    /// The delay to wait now; the one after will be twice as long (at most
    /// `32 × interval`).
    pub fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        let max = self.interval.saturating_mul(MAX_BACKOFF_INTERVALS);
        self.next = delay.saturating_mul(2).min(max);
        delay
    }

    /// Back to one interval.
    pub fn reset(&mut self) {
        self.next = self.interval;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    #[test]
    fn liveness_expires_after_the_bound_and_heard_moves_it() {
        let t0 = Instant::now();
        let mut l = Liveness::new(100 * MS, 3, t0).unwrap();
        assert_eq!(l.bound(), 300 * MS);
        assert!(!l.expired(t0 + 299 * MS));
        assert!(l.expired(t0 + 300 * MS));
        l.heard(t0 + 100 * MS);
        assert_eq!(l.expires_at(), t0 + 400 * MS);
        l.heard(t0 + 50 * MS); // older news changes nothing
        assert_eq!(l.expires_at(), t0 + 400 * MS);
    }

    #[test]
    fn beats_and_the_next_deadline() {
        let t0 = Instant::now();
        let mut l = Liveness::new(100 * MS, 3, t0).unwrap();
        assert!(!l.beat_due(t0 + 99 * MS));
        assert!(l.beat_due(t0 + 100 * MS));
        assert_eq!(l.until_next(t0), 100 * MS);
        l.beat_sent(t0 + 120 * MS);
        assert_eq!(l.next_deadline(), t0 + 220 * MS);
        l.beat_sent(t0 + 280 * MS);
        assert_eq!(l.next_deadline(), t0 + 300 * MS); // expiry first
        assert_eq!(l.until_next(t0 + 400 * MS), Duration::ZERO);
    }

    #[test]
    fn zero_is_refused() {
        let t0 = Instant::now();
        assert!(matches!(
            Liveness::new(Duration::ZERO, 3, t0),
            Err(Error::OptionValue { .. })
        ));
        assert!(matches!(
            Liveness::new(MS, 0, t0),
            Err(Error::OptionValue { .. })
        ));
    }

    #[test]
    fn backoff_doubles_up_to_32_intervals_and_resets() {
        let mut b = Backoff::new(10 * MS);
        let delays: Vec<_> = (0..8).map(|_| b.next_delay()).collect();
        assert_eq!(
            delays,
            [10, 20, 40, 80, 160, 320, 320, 320]
                .map(|n| n * MS)
                .to_vec()
        );
        b.reset();
        assert_eq!(b.next_delay(), 10 * MS);
    }

    #[test]
    fn huge_values_saturate_instead_of_panicking() {
        let t0 = Instant::now();
        let mut l = Liveness::new(Duration::MAX, u32::MAX, t0).unwrap();
        assert_eq!(l.bound(), Duration::MAX);
        assert!(!l.expired(t0 + 3600 * 1000 * MS));
        assert!(!l.beat_due(t0 + 3600 * 1000 * MS));
        assert_eq!(l.until_next(t0), FAR);
        l.heard(t0 + MS);
        l.beat_sent(t0 + MS);
        assert_eq!(l.expires_at(), t0 + MS + FAR);
        let mut b = Backoff::new(Duration::MAX);
        assert_eq!([b.next_delay(), b.next_delay()], [Duration::MAX; 2]);
        let big = Duration::from_secs(u64::MAX / 8);
        let mut b = Backoff::new(big);
        assert_eq!(
            [
                b.next_delay(),
                b.next_delay(),
                b.next_delay(),
                b.next_delay()
            ],
            [big, big * 2, big * 4, big * 8]
        );
        assert_eq!(b.next_delay(), Duration::MAX); // doubling saturates
    }
}
