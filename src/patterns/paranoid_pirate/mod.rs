//! The Paranoid Pirate: a queue and workers that heartbeat each other, so that the queue
//! stops giving work to a dead worker and a worker reconnects to a restarted queue.
//!
//! # The problem
//! A broker that hands requests to workers must know which workers are alive. One that has
//! crashed is noticed by the kernel, but one that is frozen (SIGSTOP), swapped out or cut
//! off keeps its connection, and a request given to it is lost until someone notices. The
//! other way round, a worker connected to a queue that was restarted does not know the new
//! queue has never heard of it. Heartbeats both ways tell each side, within a known bound.
//!
//! # The wire (the guide's `ppqueue`/`ppworker`, byte for byte)
//! - A worker is a DEALER connected to the queue's backend ROUTER. On each new connection it
//!   sends the one-frame message [`READY`] (`\x01`), then [`HEARTBEAT`] (`\x02`) every
//!   interval, whatever it is doing.
//! - Clients are REQ sockets (e.g. the [Lazy Pirate](super::lazy_pirate)) connected to the
//!   queue's frontend ROUTER. A request reaches a worker as `[client id][][request...]` and
//!   the worker sends the reply back the same way, `[client id][][reply...]`. Whatever
//!   else comes before the delimiter (a REQ with `ZMQ_REQ_CORRELATE` puts its request id
//!   there, a proxy in between its own hop) is envelope too: it goes to the worker and comes
//!   back with the reply, as with the guide's C queue and worker.
//! - The queue sends [`HEARTBEAT`] to each idle worker every interval.
//! - Any message proves its sender alive. Each side gives the other up after `interval ×
//!   liveness` of silence: the queue forgets the worker, the worker prints the guide's
//!   `W: heartbeat failure, can't reach queue`, waits a back-off (one interval, doubling up
//!   to 32), and starts over on a fresh socket (a new routing id, a new `READY`).
//!
//! # The queue's guarantees ([`PpQueue`])
//! - A request goes to the least recently ready idle worker; the frontend is read only
//!   while a worker is idle (requests wait in the clients' queues meanwhile).
//! - A worker silent for `interval × liveness` is forgotten within that bound (plus the time
//!   to run the loop); one whose connection is gone is forgotten at the first message sent
//!   to it (`ZMQ_ROUTER_MANDATORY`), and the request goes to the next idle worker.
//! - Hostile peers cannot crash or wedge it: a one-frame message from a worker that is
//!   neither `READY` nor `HEARTBEAT`, a reply for a client that has gone, a client message
//!   with no envelope delimiter or nothing after it: each is dropped, counted and reported
//!   as a [`QueueEvent`].
//!
//! # Limits
//! A request given to a worker that then dies is lost: the client's retry (the Lazy Pirate)
//! recovers it, so a request may run twice. So is a request whose every idle worker turns
//! out to have gone when the queue sends it. A busy worker is not heartbeated by the queue
//! (the guide's rule: the worker counts its own reply as news from the queue), and is not
//! watched either: one that dies while busy stays on the queue's books (one routing id)
//! until the queue stops.
//!
//! ```
//! use std::time::Duration;
//! use zmq_typed::patterns::lazy_pirate::LazyPirate;
//! use zmq_typed::patterns::paranoid_pirate::{PpQueue, PpSettings, PpWorker};
//! use zmq_typed::Context;
//!
//! let ctx = Context::new()?;
//! let settings = PpSettings::new(Duration::from_millis(100), 3)?;
//! let queue = PpQueue::start(&ctx, "inproc://pp-doc-front", "inproc://pp-doc-back", settings)?;
//! let mut worker = PpWorker::connect(&ctx, queue.backend_endpoint(), settings)?;
//! let worker = std::thread::spawn(move || worker.serve(Some(1), |request| request));
//! queue.wait_for_workers(1, Some(Duration::from_secs(10)))?;
//! let mut client = LazyPirate::new(&ctx, [queue.frontend_endpoint()])?;
//! assert_eq!(client.request("1")?, "1");
//! assert_eq!(worker.join().expect("worker thread")?, 1);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

mod queue;
mod worker;

use std::time::Duration;

pub use queue::{PpQueue, QueueEvent};
pub use worker::{PpWorker, WorkerEvent};

use crate::error::{Error, Result};

/// What a worker sends once per connection: the one byte `\x01`.
pub const READY: &[u8] = b"\x01";

/// What both sides send every interval: the one byte `\x02`.
pub const HEARTBEAT: &[u8] = b"\x02";

/// The guide's interval (1 s) and liveness (3), shared by queue and worker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PpSettings {
    interval: Duration,
    liveness: u32,
}

impl Default for PpSettings {
    fn default() -> PpSettings {
        PpSettings {
            interval: Duration::from_secs(1),
            liveness: 3,
        }
    }
}

impl PpSettings {
    /// A heartbeat every `interval`; a peer silent for `interval × liveness` is dead. A zero
    /// interval or liveness is refused ([`Error::OptionValue`]).
    pub fn new(interval: Duration, liveness: u32) -> Result<PpSettings> {
        if interval.is_zero() || liveness == 0 {
            return Err(Error::OptionValue {
                option: "heartbeat settings",
                reason: format!(
                    "interval {interval:?} and liveness {liveness}: both must be above zero"
                ),
            });
        }
        Ok(PpSettings { interval, liveness })
    }

    /// The heartbeat interval.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Intervals of silence that make a peer dead.
    pub fn liveness(&self) -> u32 {
        self.liveness
    }

    /// The silence allowed: `interval × liveness`.
    pub fn bound(&self) -> Duration {
        self.interval.saturating_mul(self.liveness)
    }
}
