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
//!   the time they took; [`Error::Malformed`] when none of those messages is the start.
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
//!   whose [`Error::is_terminated`] is true.
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

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::monitor::Monitor;
use crate::multipart::Multipart;
use crate::options::PollEvents;
use crate::poll::Poller;
use crate::sendable::Sendable;
use crate::socket_core::SocketCore;
use crate::typed::{Pull, Push, Sub, Subscription, XPub};

use super::time_left;

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

/// The ventilator: binds a PUSH socket that deals tasks to the workers, round robin, and
/// connects a PUSH socket to the sink for the batch start. See [the module docs](self).
#[derive(Debug)]
pub struct Ventilator {
    tasks: Push,
    endpoint: String,
    /// The handshakes of the workers (none over inproc, which has none).
    workers: Option<Monitor>,
    sink: Push,
    /// The handshake of the sink (none over inproc).
    sink_peer: Option<Monitor>,
    sent: Cell<u64>,
}

impl Ventilator {
    /// Binds the tasks socket on `tasks` (`tcp://127.0.0.1:*` picks a port:
    /// [`Ventilator::endpoint`] says which) and connects to the sink at `sink`. Both
    /// sockets are monitored from before they bind or connect, so
    /// [`Ventilator::wait_for_workers`] and [`Ventilator::wait_for_sink`] count every peer.
    ///
    /// Wraps `zmq_socket` (PUSH, twice), `zmq_socket_monitor`, `zmq_bind` and `zmq_connect`
    /// ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind(ctx: &Context, tasks: &str, sink: &str) -> Result<Ventilator> {
        let socket = Push::new(ctx)?;
        let workers = handshakes(&socket, tasks)?;
        let endpoint = socket.bind(tasks)?.to_string();
        let to_sink = Push::new(ctx)?;
        let sink_peer = handshakes(&to_sink, sink)?;
        to_sink.connect(sink)?;
        Ok(Ventilator {
            tasks: socket,
            endpoint,
            workers,
            sink: to_sink,
            sink_peer,
            sent: Cell::new(0),
        })
    }

    /// The endpoint the tasks socket is bound to, as libzmq reports it
    /// (`ZMQ_LAST_ENDPOINT`): the one workers connect to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Waits until `n` workers in all have completed their ZMTP handshake with the tasks
    /// socket (at most `timeout`), then makes the socket take in their connections, so that
    /// the next task already goes round all of them. [`Error::TimedOut`] when fewer came in
    /// time (its detail says how many); [`Error::Terminated`] on the context's shutdown.
    ///
    /// Over `inproc` there is no handshake to count: every worker whose `connect` has
    /// returned is taken in, and `n` is not checked.
    ///
    /// Reads the handshakes counted by the socket's monitor
    /// ([`Monitor::wait_for_handshakes`]), then `ZMQ_EVENTS` with `zmq_getsockopt`, which
    /// makes libzmq process the connections waiting for the socket
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    pub fn wait_for_workers(&self, n: usize, timeout: Duration) -> Result<()> {
        if let Some(workers) = &self.workers {
            workers.wait_for_handshakes(n, timeout)?;
        }
        self.tasks.events().map(drop)
    }

    /// Waits (at most `timeout`) until the connection to the sink is up: its ZMTP handshake
    /// has completed, so [`Ventilator::start_batch`] goes out at once, ahead of the tasks.
    /// Over `inproc` the connection is up as soon as the sink has bound: returns at once.
    ///
    /// Reads the handshakes counted by the sink socket's monitor
    /// ([`Monitor::wait_for_handshakes`]).
    pub fn wait_for_sink(&self, timeout: Duration) -> Result<()> {
        match &self.sink_peer {
            Some(sink) => sink.wait_for_handshakes(1, timeout),
            None => Ok(()),
        }
    }

    /// Tells the sink that the batch starts: sends it [`BATCH_START`].
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn start_batch(&self) -> Result<()> {
        self.sink.send(BATCH_START)?;
        Ok(())
    }

    /// Sends one task, a frame or a whole message, to the next worker in turn; blocks while
    /// no worker is connected (or every one has its queue full).
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_task(&self, task: impl Sendable) -> Result<()> {
        self.tasks.send(task)?;
        self.sent.set(self.sent.get() + 1);
        Ok(())
    }

    /// How many tasks were sent. Calls nothing (counted by [`Ventilator::send_task`]).
    pub fn tasks_sent(&self) -> u64 {
        self.sent.get()
    }
}

/// How a [`Worker::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stopped {
    /// The sink sent [`KILL`].
    Killed,
    /// The worker did as many tasks as it was asked to.
    Limit,
    /// The context was shut down.
    Shutdown,
}

/// What a [`Worker::run`] did: how many tasks it completed (their results sent), and why it
/// stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerReport {
    /// The tasks done, each with its result sent to the sink.
    pub tasks: u64,
    /// Why it stopped.
    pub stopped: Stopped,
}

/// A worker: a PULL socket connected to the ventilator for tasks, a PUSH socket connected to
/// the sink for results, and optionally a SUB socket connected to the sink's control socket
/// for [`KILL`]. See [the module docs](self).
#[derive(Debug)]
pub struct Worker {
    tasks: Pull,
    results: Push,
    control: Option<Sub>,
}

impl Worker {
    /// Connects to the ventilator at `tasks` and to the sink at `sink`.
    ///
    /// Wraps `zmq_socket` (PULL, PUSH) and `zmq_connect`
    /// ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    pub fn connect(ctx: &Context, tasks: &str, sink: &str) -> Result<Worker> {
        let pull = Pull::new(ctx)?;
        pull.connect(tasks)?;
        let push = Push::new(ctx)?;
        push.connect(sink)?;
        Ok(Worker {
            tasks: pull,
            results: push,
            control: None,
        })
    }

    /// Also listens for [`KILL`] on the sink's control socket at `control`: a SUB socket
    /// subscribed to `KILL`, polled with the tasks.
    ///
    /// Wraps `zmq_socket` (SUB), `zmq_setsockopt` with `ZMQ_SUBSCRIBE` and `zmq_connect`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn with_control(mut self, control: &str) -> Result<Worker> {
        let sub = Sub::new(self.tasks.context())?;
        sub.subscribe(KILL)?;
        sub.connect(control)?;
        self.control = Some(sub);
        Ok(self)
    }

    /// Does tasks: receives each, calls `f` with it, and sends what `f` returns (a frame or
    /// a whole message) to the sink, until it has done `limit` tasks (`None`: no limit), the
    /// sink sends [`KILL`] (with [`Worker::with_control`]), or the context is shut down. All
    /// three are `Ok`, and the report says which ([`Stopped`]) and how many tasks were done.
    /// A `KILL` waiting is seen before the next task, however many are queued.
    ///
    /// Any other failure is an `Err`. A panic in `f` comes out of `run`: that task is lost
    /// (no result is sent for it: a sink collecting the batch waits for it until its
    /// [`Sink::set_timeout`]), and the worker is as it was, ready to run again.
    ///
    /// Wraps `zmq_poll` (with a control socket), `zmq_msg_recv` and `zmq_msg_send`
    /// ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn run<F, R>(&self, limit: Option<u64>, mut f: F) -> Result<WorkerReport>
    where
        F: FnMut(Multipart) -> R,
        R: Sendable,
    {
        let mut done = 0;
        let report = |done, stopped| {
            Ok(WorkerReport {
                tasks: done,
                stopped,
            })
        };
        let mut poller = Poller::new();
        let wait = match &self.control {
            Some(control) => {
                let killed = poller.add(control, PollEvents::IN);
                let tasks = poller.add(&self.tasks, PollEvents::IN);
                Some((control, killed, tasks))
            }
            None => None,
        };
        loop {
            if limit.is_some_and(|limit| done >= limit) {
                return report(done, Stopped::Limit);
            }
            let next = match wait {
                None => self.tasks.recv().map(Some),
                Some((control, killed, tasks)) => {
                    next_task(&mut poller, control, killed, &self.tasks, tasks)
                }
            };
            let task = match next {
                Ok(Some(task)) => task,
                Ok(None) => return report(done, Stopped::Killed),
                Err(e) if e.is_terminated() => return report(done, Stopped::Shutdown),
                Err(e) => return Err(e),
            };
            match self.results.send(f(task)) {
                Ok(()) => done += 1,
                Err(e) if e.error().is_terminated() => return report(done, Stopped::Shutdown),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The next task, or `None` on [`KILL`]: waits for either, the kill signal first.
fn next_task(
    poller: &mut Poller<'_>,
    control: &Sub,
    killed: crate::poll::Token,
    tasks: &Pull,
    task: crate::poll::Token,
) -> Result<Option<Multipart>> {
    loop {
        let (kill_ready, task_ready) = {
            let ready = poller.poll(None)?;
            (ready.is_readable(killed), ready.is_readable(task))
        };
        if kill_ready {
            if control.recv()? == KILL {
                return Ok(None);
            }
            // A longer message that starts with KILL: not the signal.
            continue;
        }
        if task_ready {
            return tasks.recv().map(Some);
        }
    }
}

/// What [`Sink::collect`] gathered: every result, in order of arrival, and the time from the
/// batch start to the last result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The results, in the order they arrived.
    pub results: Vec<Multipart>,
    /// From the batch start (for [`Sink::collect`], the first message of the batch,
    /// whichever it is) to the last result.
    pub elapsed: Duration,
}

/// The sink: binds a PULL socket that collects the workers' results, and optionally an XPUB
/// socket that publishes [`KILL`] to them. See [the module docs](self).
#[derive(Debug)]
pub struct Sink {
    results: Pull,
    endpoint: String,
    control: Option<Control>,
    started: Cell<Option<Instant>>,
}

/// The sink's control socket, and the workers counted as listening on it.
#[derive(Debug)]
struct Control {
    socket: XPub,
    endpoint: String,
    listening: Cell<usize>,
}

impl Sink {
    /// Binds the results socket on `results` (`tcp://127.0.0.1:*` picks a port:
    /// [`Sink::endpoint`] says which).
    ///
    /// Wraps `zmq_socket` (PULL) and `zmq_bind` ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind(ctx: &Context, results: &str) -> Result<Sink> {
        let pull = Pull::new(ctx)?;
        let endpoint = pull.bind(results)?.to_string();
        Ok(Sink {
            results: pull,
            endpoint,
            control: None,
            started: Cell::new(None),
        })
    }

    /// The endpoint the results socket is bound to, as libzmq reports it
    /// (`ZMQ_LAST_ENDPOINT`): the one workers and the ventilator connect to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Also binds a control socket on `control`, to stop the workers with
    /// [`Sink::stop_workers`]: an XPUB that reports each subscription (`ZMQ_XPUB_VERBOSE`),
    /// so that [`Sink::wait_for_control_subscribers`] can count the workers listening.
    ///
    /// Wraps `zmq_socket` (XPUB), `zmq_setsockopt` with `ZMQ_XPUB_VERBOSE` and `zmq_bind`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn with_control(mut self, control: &str) -> Result<Sink> {
        let socket = XPub::new(self.results.context())?;
        socket.set_xpub_verbose(true)?;
        let endpoint = socket.bind(control)?.to_string();
        self.control = Some(Control {
            socket,
            endpoint,
            listening: Cell::new(0),
        });
        Ok(self)
    }

    /// The endpoint the control socket is bound to, as libzmq reported it when it bound
    /// (`ZMQ_LAST_ENDPOINT`); `None` without [`Sink::with_control`].
    pub fn control_endpoint(&self) -> Option<&str> {
        self.control.as_ref().map(|c| c.endpoint.as_str())
    }

    fn control(&self, what: &str) -> Result<&Control> {
        self.control.as_ref().ok_or_else(|| {
            Error::WrongState(Detail::new(format!(
                "{what} on a sink without a control socket: call with_control first"
            )))
        })
    }

    /// Waits (at most `timeout` in all) until `n` workers in all are subscribed to [`KILL`]
    /// on the control socket: from then on, [`Sink::stop_workers`] reaches each of them.
    /// Counts every subscription that matches `KILL` (`KILL` itself, or a prefix of it such
    /// as the empty one of the guide's `taskwork2`), one per worker connection.
    /// [`Error::TimedOut`] when fewer came in time, [`Error::Terminated`] on the context's
    /// shutdown, [`Error::WrongState`] without a control socket.
    ///
    /// Wraps `zmq_msg_recv` on the XPUB ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_XPUB").
    pub fn wait_for_control_subscribers(&self, n: usize, timeout: Duration) -> Result<()> {
        let control = self.control("wait_for_control_subscribers")?;
        let deadline = Instant::now().checked_add(timeout);
        while control.listening.get() < n {
            let left = time_left(deadline, || {
                format!(
                    "{} of {n} workers subscribed to KILL within {timeout:?}",
                    control.listening.get()
                )
            })?;
            let message = match left {
                None => control.socket.recv(),
                Some(left) => control.socket.recv_timeout(left),
            };
            let message = match message {
                Err(e) if e.is_timeout() => continue,
                other => other?,
            };
            // Anything but a subscription (an XSUB peer may send others) is not counted.
            if let Ok(subscription) = Subscription::parse(message) {
                if subscription.is_subscribe() && KILL.as_bytes().starts_with(subscription.topic())
                {
                    control.listening.set(control.listening.get() + 1);
                }
            }
        }
        Ok(())
    }

    /// Publishes [`KILL`] on the control socket: every worker subscribed stops
    /// ([`Stopped::Killed`]). [`Error::WrongState`] without a control socket.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn stop_workers(&self) -> Result<()> {
        self.control("stop_workers")?.socket.send(KILL)?;
        Ok(())
    }

    /// Makes every receive of the sink wait at most `timeout` (`None`: for ever, the
    /// default): past it, [`Sink::collect`] and its kin return [`Error::TimedOut`].
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_RCVTIMEO` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<()> {
        self.results.set_rcvtimeo(timeout)
    }

    /// Waits for the batch start, the first message (the ventilator's
    /// [`Ventilator::start_batch`]), and starts the clock. [`Error::Malformed`] when it is
    /// not [`BATCH_START`] (the clock then does not start).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv_batch_start(&self) -> Result<()> {
        let start = self.results.recv()?;
        if start != BATCH_START {
            return Err(Error::Malformed(format!(
                "the batch start is {BATCH_START:?}, not {start}"
            )));
        }
        self.started.set(Some(Instant::now()));
        Ok(())
    }

    /// Collects `tasks` results, in order of arrival; the elapsed time runs from the batch
    /// start ([`Sink::recv_batch_start`]), or from this call when none was received.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn collect_results(&self, tasks: usize) -> Result<Batch> {
        let started = self.started.take().unwrap_or_else(Instant::now);
        let mut results = Vec::with_capacity(tasks);
        for _ in 0..tasks {
            results.push(self.results.recv()?);
        }
        Ok(Batch {
            results,
            elapsed: started.elapsed(),
        })
    }

    /// Collects a batch: the batch start and `tasks` results, in whatever order they
    /// arrive (the start and the results come over different connections, so results can
    /// overtake the start). The clock starts at the first of them, as the guide's sink's
    /// does. Of those `tasks + 1` messages, the first that is [`BATCH_START`] is the start,
    /// the others are the results, in order of arrival; none at all is
    /// [`Error::Malformed`] (the messages are then consumed). A result that is itself
    /// `"0"` and comes before the start is taken for it, and the start for a result: the
    /// same bytes, so the results are the same.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn collect(&self, tasks: usize) -> Result<Batch> {
        self.started.set(None);
        let first = self.results.recv()?;
        let started = Instant::now();
        let mut start_seen = first == BATCH_START;
        let mut results = Vec::with_capacity(tasks);
        if !start_seen {
            results.push(first);
        }
        for _ in 0..tasks {
            let message = self.results.recv()?;
            if !start_seen && message == BATCH_START {
                start_seen = true;
            } else {
                results.push(message);
            }
        }
        if !start_seen {
            return Err(Error::Malformed(format!(
                "none of the {} messages of the batch was its start, {BATCH_START:?}",
                tasks + 1
            )));
        }
        Ok(Batch {
            results,
            elapsed: started.elapsed(),
        })
    }
}
