//! The classic ZeroMQ topologies, ready to use, built only on the [typed sockets](crate::typed)
//! and the core: the pipeline (ventilator, workers, sink), publish-subscribe without the slow
//! joiner, the request-reply and load-balancing brokers, and the pub-sub forwarder.
//!
//! Then the reliability kits: what brokerless ZeroMQ leaves to the application, each usable
//! alone.
//!
//! | need | kit | what it gives |
//! |---|---|---|
//! | ordering | [`ordering`] | sequence numbers in a JSON [`Envelope`], a receiver that delivers in order within a window, drops duplicates and reports gaps |
//! | backpressure | [`backpressure`] | high-water marks made explicit, `try_send` as a value, credit-based flow control |
//! | failover | [`lazy_pirate`], [`heartbeat`], [`paranoid_pirate`] | a client that retries on fresh sockets and moves down a list of servers; ZMTP and application heartbeats that find a dead peer within `interval × liveness` |
//! | persistence | [`outbox`] | a journal on disk (SQLite, feature `durable`), re-sending until ACKed, and a receiver that de-duplicates: exactly once, end to end |

pub mod backpressure;
pub mod broker;
pub mod forwarder;
pub mod handle;
pub mod heartbeat;
pub mod lazy_pirate;
pub mod load_balancer;
pub mod ordering;
pub mod outbox;
pub mod paranoid_pirate;
pub mod pipeline;
pub mod sync_pubsub;

pub use backpressure::{at_hwm, AtHwm, CreditReceiver, CreditSender, QueueBounds};
pub use broker::RequestReplyBroker;
pub use forwarder::Forwarder;
pub use handle::Counters;
pub use heartbeat::{Backoff, Liveness, ZmtpHeartbeat};
pub use lazy_pirate::LazyPirate;
pub use load_balancer::{LbWorker, LoadBalancer};
pub use ordering::{
    Envelope, EnvelopeError, OrderedReceiver, Received, ReorderBuffer, SequencedSender, Sequencer,
};
pub use outbox::DedupReceiver;
#[cfg(feature = "durable")]
pub use outbox::{DurableSender, Journal};
pub use paranoid_pirate::{PpQueue, PpSettings, PpWorker, QueueEvent, WorkerEvent};
pub use pipeline::{Batch, Sink, Stopped, Ventilator, Worker, WorkerReport};
pub use sync_pubsub::{SyncPublisher, SyncSubscriber};

use std::time::{Duration, Instant};

use crate::error::{Detail, Error, Result};

/// The time left before `deadline` (`None`: no deadline), or [`Error::TimedOut`] with the
/// detail `what` makes.
fn time_left(deadline: Option<Instant>, what: impl FnOnce() -> String) -> Result<Option<Duration>> {
    let Some(deadline) = deadline else {
        return Ok(None);
    };
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::TimedOut(Detail::new(what())));
    }
    Ok(Some(left))
}
