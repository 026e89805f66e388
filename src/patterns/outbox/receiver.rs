//! [`DedupReceiver`]: the outbox's receiving end. A ROUTER that ACKs every envelope, drops
//! duplicates by sequence number and counts gaps.

use std::marker::PhantomData;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::context::Context;
use crate::error::Result;
use crate::patterns::ordering::{Envelope, EnvelopeError};
use crate::typed::{Routed, Router, RoutingId};

use super::ack_frame;
use super::seen::{Seen, SeenSet};

/// How many numbers a [`DedupReceiver`] holds above its contiguous prefix by default.
pub const DEFAULT_SPARSE_CAP: usize = 100_000;

/// What [`DedupReceiver::recv`] got.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Received<T = Value> {
    /// A message seen for the first time (ACKed).
    Message {
        /// Its number.
        seq: u64,
        /// Its data.
        data: T,
        /// The numbers it jumped over (first, last, inclusive), when it is more than one
        /// past the highest number seen before: a gap, counted in [`DedupStats::gaps`]. The
        /// sender re-sends them until they are ACKed, so they normally come later.
        gap: Option<(u64, u64)>,
    },
    /// A message already seen: dropped, but ACKed again (the sender missed the first ACK).
    Duplicate {
        /// Its number.
        seq: u64,
    },
    /// A message that is not an envelope: reported, not ACKed (it has no number to ACK),
    /// skipped. An envelope whose data is not a `T` is one too, and is not ACKed either
    /// (it was not delivered): a [`DurableSender`](super::DurableSender) sends it again and
    /// again, and the messages after it, delivered past the hole, fill the receiver's
    /// memory of numbers up to its cap. `T` must match what the senders send
    /// (`serde_json::Value` takes anything).
    Malformed {
        /// The peer that sent it.
        from: RoutingId,
        /// What is wrong with it.
        error: EnvelopeError,
    },
    /// A new message refused because the receiver already holds its maximum of numbers
    /// above the contiguous prefix (a hostile or badly broken sender): not recorded, not
    /// ACKed, so an honest sender sends it again later.
    Refused {
        /// Its number.
        seq: u64,
    },
}

/// What a [`DedupReceiver`] has seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DedupStats {
    /// Messages delivered (seen for the first time).
    pub unique: u64,
    /// Duplicates dropped.
    pub duplicates: u64,
    /// Gaps opened: messages that came more than one past the highest number seen before.
    pub gaps: u64,
    /// Messages that were not envelopes.
    pub malformed: u64,
    /// New messages refused because the sparse set was full.
    pub refused: u64,
}

/// The receiving end of the durable outbox: a ROUTER bound where
/// [`DurableSender`](super::DurableSender)s connect. Every envelope is ACKed, duplicates
/// included (the sender re-sends until it has an ACK); a duplicate is dropped; a malformed
/// message is reported as a value and skipped. See [the module docs](super).
///
/// The numbers seen are kept in memory: all of `1..=n` as one number, plus the numbers
/// above it (at most a cap, [`DEFAULT_SPARSE_CAP`] by default). They are not persisted:
/// a receiver that restarts sees the messages the sender re-sends as new.
#[derive(Debug)]
pub struct DedupReceiver<T = Value> {
    router: Router,
    endpoint: String,
    seen: SeenSet,
    stats: DedupStats,
    data: PhantomData<fn() -> T>,
}

impl<T: DeserializeOwned> DedupReceiver<T> {
    /// Binds a ROUTER on `endpoint` (a wildcard is fine: [`DedupReceiver::endpoint`] says
    /// where).
    ///
    /// Wraps `zmq_socket` and `zmq_bind` ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind(ctx: &Context, endpoint: &str) -> Result<DedupReceiver<T>> {
        DedupReceiver::bind_with_cap(ctx, endpoint, DEFAULT_SPARSE_CAP)
    }

    /// [`DedupReceiver::bind`], holding at most `cap` numbers above the contiguous prefix
    /// (a new message beyond is [`Received::Refused`]).
    ///
    /// Wraps `zmq_socket` and `zmq_bind` ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind_with_cap(ctx: &Context, endpoint: &str, cap: usize) -> Result<DedupReceiver<T>> {
        let router = Router::new(ctx)?;
        let endpoint = router.bind(endpoint)?.to_string();
        Ok(DedupReceiver {
            router,
            endpoint,
            seen: SeenSet::new(cap),
            stats: DedupStats::default(),
            data: PhantomData,
        })
    }

    /// A receiver on a ROUTER made, configured and bound (or connected) by the caller,
    /// holding at most `cap` numbers above the contiguous prefix: for the options a
    /// listener takes when it binds, which setting them on [`DedupReceiver::socket`]
    /// afterwards does not change for the peers it accepts (`ZMQ_MAXMSGSIZE` to bound what
    /// a peer may send, `ZMQ_RCVHWM`, ...).
    ///
    /// Reads `ZMQ_LAST_ENDPOINT` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    pub fn on_router(router: Router, cap: usize) -> Result<DedupReceiver<T>> {
        let endpoint = router.last_endpoint()?;
        Ok(DedupReceiver {
            router,
            endpoint,
            seen: SeenSet::new(cap),
            stats: DedupStats::default(),
            data: PhantomData,
        })
    }

    /// Where the ROUTER is bound (`ZMQ_LAST_ENDPOINT`, read once after the bind).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The ROUTER, for options (linger, high-water marks) and polling.
    pub fn socket(&self) -> &Router {
        &self.router
    }

    /// Waits for the next message, ACKs it when it is an envelope, and says what it was.
    ///
    /// Wraps `zmq_msg_recv`, then `zmq_msg_send` for the ACK
    /// ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&mut self) -> Result<Received<T>> {
        let routed = self.router.recv()?;
        self.take(routed)
    }

    /// [`DedupReceiver::recv`], waiting at most `timeout` ([`crate::Error::TimedOut`]
    /// after).
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_RCVTIMEO`, then `zmq_msg_send` for the ACK
    /// ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Received<T>> {
        let routed = self.router.recv_timeout(timeout)?;
        self.take(routed)
    }

    /// Keeps ACKing (and dropping) what comes for `quiet` after the last message, at most
    /// `limit` in all: for the end of a stream, so that a sender whose last ACK was lost,
    /// and who re-sends, still gets it. Returns how many messages came meanwhile (each
    /// also counted in [`DedupReceiver::stats`]).
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_RCVTIMEO` and `zmq_msg_send`.
    pub fn drain(&mut self, quiet: Duration, limit: Duration) -> Result<u64> {
        // `None`: a limit too far to say as an instant (`Duration::MAX`), so none.
        let end = Instant::now().checked_add(limit);
        let mut n = 0;
        loop {
            let left = end.map_or(limit, |end| end.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                return Ok(n);
            }
            match self.recv_timeout(quiet.min(left)) {
                Ok(_) => n += 1,
                Err(e) if e.is_timeout() => return Ok(n),
                Err(e) => return Err(e),
            }
        }
    }

    /// What was seen so far.
    pub fn stats(&self) -> DedupStats {
        self.stats
    }

    /// The largest `n` such that every message of `1..=n` has come.
    pub fn through(&self) -> u64 {
        self.seen.through()
    }

    /// Whether message `seq` has come.
    pub fn contains(&self, seq: u64) -> bool {
        self.seen.contains(seq)
    }

    fn take(&mut self, routed: Routed) -> Result<Received<T>> {
        let Routed { id, body } = routed;
        if body.len() != 1 {
            self.stats.malformed += 1;
            return Ok(Received::Malformed {
                from: id,
                error: EnvelopeError::SeveralFrames { count: body.len() },
            });
        }
        let parsed = body
            .first()
            .map_or(Err(EnvelopeError::MissingSeq), |frame| {
                Envelope::<T>::from_json(&frame[..])
            });
        let envelope = match parsed {
            Ok(envelope) => envelope,
            Err(error) => {
                self.stats.malformed += 1;
                return Ok(Received::Malformed { from: id, error });
            }
        };
        let seq = envelope.seq;
        let outcome = match self.seen.insert(seq) {
            Seen::Full => {
                self.stats.refused += 1;
                return Ok(Received::Refused { seq });
            }
            Seen::Duplicate => {
                self.stats.duplicates += 1;
                Received::Duplicate { seq }
            }
            Seen::New { gap } => {
                self.stats.unique += 1;
                if gap.is_some() {
                    self.stats.gaps += 1;
                }
                Received::Message {
                    seq,
                    data: envelope.data,
                    gap,
                }
            }
        };
        // The message is recorded as seen, so it is delivered whatever becomes of its ACK:
        // a lost ACK only means the sender sends it again, and that copy is ACKed as a
        // duplicate. (A ROUTER drops a message for a peer that has gone, or whose queue is
        // full, without blocking; a failure here is the context's shutdown, which the next
        // receive reports.)
        let _ = self.router.send_to(&id, ack_frame(seq));
        Ok(outcome)
    }
}
