//! The classic ZeroMQ topologies, ready to use, built only on the [typed sockets](crate::typed)
//! and the core: the pipeline (ventilator, workers, sink), publish-subscribe without the slow
//! joiner, the request-reply and load-balancing brokers, and the pub-sub forwarder.

pub mod broker;
pub mod forwarder;
pub mod handle;
pub mod load_balancer;
pub mod pipeline;
pub mod sync_pubsub;

pub use broker::RequestReplyBroker;
pub use forwarder::Forwarder;
pub use handle::Counters;
pub use load_balancer::{LbWorker, LoadBalancer};
pub use pipeline::{Batch, Sink, Stopped, Ventilator, Worker, WorkerReport};
pub use sync_pubsub::{SyncPublisher, SyncSubscriber};
