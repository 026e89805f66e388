//! The pipeline: a ventilator hands out tasks, workers do them, a sink collects the results
//! (the ZeroMQ guide's `taskvent`, `taskwork` and `tasksink`, with the kill signal of its
//! `taskwork2`).
//!
//! ```text
//!                 tasks: PUSH binds                   results: PULL binds
//!   Ventilator ─────────────────────► Worker × N ─────────────────────► Sink
//!        │        round robin          (connect)       fair queued       ▲ │
//!        └──────────────────── batch start "0" ──────────────────────────┘ │
//!                                  Worker × N ◄──── "KILL": XPUB binds ────┘
//! ```
//!
//! # What it is for
//!
//! Spreading independent tasks over any number of workers and gathering what they produce,
//! with no broker: the [`Ventilator`]'s PUSH socket deals each task to the next worker in
//! turn, each [`Worker`] does one task at a time and pushes its result to the [`Sink`],
//! whose PULL socket takes results from every worker fairly. Adding a worker adds capacity;
//! nothing else changes.
//!
//! # Who binds, and why
//!
//! The ventilator and the sink are the stable points of the topology, one of each, at
//! addresses everyone knows ([`TASKS_ENDPOINT`], [`RESULTS_ENDPOINT`],
//! [`CONTROL_ENDPOINT`]), so they bind. Workers come and go, so they connect, to both: a
//! worker needs no address of its own, and starting one more needs no change anywhere else.
//! The ventilator connects to the sink too, to send it the batch start.
//!
//! # The guarantees, and what makes them hold
//!
//! - **Tasks reach every ready worker.** A PUSH deals each message among the peers attached
//!   *when it is sent*: a ventilator that starts at once gives the first tasks to whichever
//!   worker connected first (the guide's warning). [`Ventilator::wait_for_workers`] waits
//!   until `n` workers have completed their ZMTP handshake (counted by a monitor made before
//!   the bind, so none is missed), then makes the socket take in those connections, so the
//!   first task already goes round all `n`. Over `inproc` there is no handshake to count: a
//!   worker is attached once its `connect` has returned, and `wait_for_workers` only takes
//!   those connections in.
//! - **The batch start comes first.** The sink takes its first message as the start of the
//!   batch and starts its clock. [`Ventilator::wait_for_sink`] waits until the connection
//!   to the sink is up, so that [`Ventilator::start_batch`] puts the start on the wire ahead
//!   of every task. The start and the results still come over different connections, so
//!   nothing orders them strictly: where the order must be certain (a test), take the start
//!   on the sink ([`Sink::recv_batch_start`]) before sending the tasks, then
//!   [`Sink::collect_results`].
//! - **Every result is counted once.** [`Sink::collect`] takes the batch start
//!   ([`BATCH_START`]) and exactly `tasks` results, in whatever order they arrive (results
//!   that overtake the start are kept), and returns the results in order of arrival, with
//!   the time they took; [`Error::Malformed`](crate::Error::Malformed) when none of those messages is the start.
//!   [`Sink::recv_batch_start`] and [`Sink::collect_results`] do the same in two steps,
//!   where the start must come first.
//! - **KILL reaches every worker that subscribed.** A publisher drops what it sends to a
//!   subscriber whose subscription has not reached it yet. The sink's control socket is an
//!   XPUB that reports every subscription, so [`Sink::wait_for_control_subscribers`] knows
//!   when `n` workers are listening; [`Sink::stop_workers`] sent after it reaches each of
//!   them. A worker looks at its control socket before its next task, so it stops promptly
//!   even with tasks queued.
//! - **Shutdown stops everything.** On the context's shutdown (Ctrl-C through
//!   [`Context::shutdown_on_ctrl_c`](crate::Context::shutdown_on_ctrl_c)), [`Worker::run`]
//!   returns `Ok` with [`Stopped::Shutdown`], and every other blocking call returns an error
//!   whose [`Error::is_terminated`](crate::Error::is_terminated) is true.
//!
//! ```
//! use std::time::Duration;
//! use zmq_typed::patterns::pipeline::{Sink, Stopped, Ventilator, Worker};
//! use zmq_typed::Context;
//!
//! let ctx = Context::new()?;
//! let sink = Sink::bind(&ctx, "inproc://doc-results")?.with_control("inproc://doc-control")?;
//! let ventilator = Ventilator::bind(&ctx, "inproc://doc-tasks", sink.endpoint())?;
//! let mut workers = Vec::new();
//! for _ in 0..3 {
//!     let worker = Worker::connect(&ctx, ventilator.endpoint(), sink.endpoint())?
//!         .with_control("inproc://doc-control")?;
//!     workers.push(std::thread::spawn(move || {
//!         worker.run(None, |task| format!("squared {}", task.as_str().unwrap_or("?")))
//!     }));
//! }
//! let patience = Duration::from_secs(10);
//! ventilator.wait_for_workers(3, patience)?;
//! sink.wait_for_control_subscribers(3, patience)?;
//!
//! ventilator.start_batch()?;
//! sink.recv_batch_start()?;               // the start, surely before any result
//! for n in 0..30 {
//!     ventilator.send_task(n.to_string())?;
//! }
//! let batch = sink.collect_results(30)?;
//! assert_eq!(batch.results.len(), 30);
//!
//! sink.stop_workers()?;                   // KILL
//! let mut done = 0;
//! for worker in workers {
//!     let report = worker.join().expect("worker thread")?;
//!     assert_eq!(report.stopped, Stopped::Killed);
//!     done += report.tasks;
//! }
//! assert_eq!(done, 30);
//! # Ok::<(), zmq_typed::Error>(())
//! ```

use crate::error::Result;
use crate::monitor::Monitor;
use crate::socket_core::SocketCore;

/// Where the ventilator binds its tasks socket by default (the guide's port 5557).
pub const TASKS_ENDPOINT: &str = "tcp://*:5557";
/// Where the sink binds its results socket by default (the guide's port 5558).
pub const RESULTS_ENDPOINT: &str = "tcp://*:5558";
/// Where the sink binds its control socket by default (the guide's port 5559, `taskwork2`).
pub const CONTROL_ENDPOINT: &str = "tcp://*:5559";
/// Where workers connect for tasks by default, on the same machine.
pub const TASKS_CONNECT: &str = "tcp://localhost:5557";
/// Where workers and the ventilator connect to the sink by default, on the same machine.
pub const RESULTS_CONNECT: &str = "tcp://localhost:5558";
/// Where workers connect for the kill signal by default, on the same machine.
pub const CONTROL_CONNECT: &str = "tcp://localhost:5559";
/// The message the ventilator sends the sink to start a batch (the guide's `"0"`).
pub const BATCH_START: &str = "0";
/// The message the sink publishes to stop the workers.
pub const KILL: &str = "KILL";

/// A monitor of the handshakes of `socket`, about to bind or connect to `endpoint`; none
/// over inproc, which has no handshake (and so no need for the monitor's thread).
fn handshakes(socket: &SocketCore, endpoint: &str) -> Result<Option<Monitor>> {
    if endpoint.starts_with("inproc://") {
        return Ok(None);
    }
    socket.monitor_handshakes().map(Some)
}

mod sink;
mod ventilator;
mod worker;

pub use sink::{Batch, Sink};
pub use ventilator::Ventilator;
pub use worker::{Stopped, Worker, WorkerReport};
