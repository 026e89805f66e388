//! The pipeline's end: [`Sink`].

use std::cell::Cell;
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::multipart::Multipart;
use crate::typed::{Pull, Subscription, XPub};

use super::super::time_left;
use super::{BATCH_START, KILL};

/// The most results a collect reserves room for up front: the count is the caller's, and a
/// huge one must not ask the allocator for all of it at once (the vector grows as needed).
const RESERVE_MAX: usize = 1024;

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
/// socket that publishes [`KILL`] to them. See [the module docs](super).
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
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
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
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
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
    /// ([`Stopped::Killed`](super::Stopped::Killed)). [`Error::WrongState`] without a control socket.
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
    /// [`Ventilator::start_batch`](super::Ventilator::start_batch)), and starts the clock. [`Error::Malformed`] when it is
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
    /// start ([`Sink::recv_batch_start`]), or from this call when none was received. An
    /// error part-way (the receive timeout of [`Sink::set_timeout`], the context's
    /// shutdown) loses the results read so far: to keep them, collect one at a time.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn collect_results(&self, tasks: usize) -> Result<Batch> {
        let started = self.started.take().unwrap_or_else(Instant::now);
        let mut results = Vec::with_capacity(tasks.min(RESERVE_MAX));
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
    /// same bytes, so the results are the same. An error part-way (a receive timeout, the
    /// context's shutdown) loses the messages read so far.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn collect(&self, tasks: usize) -> Result<Batch> {
        self.started.set(None);
        let first = self.results.recv()?;
        let started = Instant::now();
        let mut start_seen = first == BATCH_START;
        let mut results = Vec::with_capacity(tasks.min(RESERVE_MAX));
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
