//! The pipeline's source: [`Ventilator`].

use std::cell::Cell;
use std::time::Duration;

use crate::context::Context;
use crate::error::Result;
use crate::monitor::Monitor;
use crate::sendable::Sendable;
use crate::typed::Push;

use super::{handshakes, BATCH_START};

/// The ventilator: binds a PUSH socket that deals tasks to the workers, round robin, and
/// connects a PUSH socket to the sink for the batch start. See [the module docs](super).
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
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// Waits until `n` workers in all have completed their ZMTP handshake with the tasks
    /// socket (at most `timeout`), then makes the socket take in their connections, so that
    /// the next task already goes round all of them. [`Error::TimedOut`](crate::Error::TimedOut) when fewer came in
    /// time (its detail says how many); [`Error::Terminated`](crate::Error::Terminated) on the context's shutdown.
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
    /// ([`Monitor::wait_for_handshakes`]: the events of `zmq_socket_monitor`,
    /// [man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
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
