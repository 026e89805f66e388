//! Socket monitoring: a socket's connection events as typed values
//! ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
//!
//! # Why a relay thread
//! libzmq sends monitor events from its own threads (the I/O thread, and the reaper when the
//! monitored socket closes) with a *blocking* send on an internal PAIR socket. Once nobody
//! reads that PAIR, the send blocks, and with it every tcp/ipc socket of the context: a
//! monitor dropped unread stalls the context within a few events, one kept but never read
//! after about a thousand. So [`SocketCore::monitor`] starts a small thread of this crate
//! (`zmq-typed-monitor`) that reads libzmq's events as they come into a bounded queue that the
//! [`Monitor`] handle reads. A full queue drops its *oldest* event (counted by
//! [`Monitor::dropped`]); a dropped handle makes the relay discard what it reads. Either way
//! libzmq never waits on this crate's user.
//!
//! The relay ends when libzmq says the monitoring is over (`ZMQ_EVENT_MONITOR_STOPPED`: the
//! monitored socket closed, [`SocketCore::stop_monitor`], or a second
//! [`SocketCore::monitor`] replaced this one) or when the context is shut down or terminated.
//! It holds no [`crate::Context`] handle, so it never delays the context's termination.

use std::fmt;
use std::os::fd::AsFd;
use std::os::raw::c_int;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use crate::condvar_wait::wait_for;
use crate::error::{check, cstring, Detail, Error, Result};
use crate::poll::{AsPollable, Pollable};
use crate::socket_core::SocketCore;

mod event;
mod relay;

pub use event::{Event, EventKind, EventMask, ProtocolError};
use relay::{relay, RelaySocket, Shared, State, RELAY_STACK};

/// How many events a [`Monitor`] keeps for its reader by default ([`SocketCore::monitor`]);
/// past that the oldest are dropped.
pub const DEFAULT_QUEUE_LEN: usize = 1024;

/// The receiving end of a socket's monitor: a stream of [`Event`]s.
///
/// The events are read from libzmq, as they happen, by a thread of this crate
/// (`zmq-typed-monitor`, see [the module docs](self)) into a queue of at most
/// [`DEFAULT_QUEUE_LEN`] events (or the capacity given to
/// [`SocketCore::monitor_with_capacity`]); when it is full the *oldest* event is dropped and
/// counted ([`Monitor::dropped`]), so an unread monitor costs bounded memory and never stalls
/// the context. Dropping the `Monitor` never blocks: the relay goes on reading and discarding
/// until the monitoring ends.
///
/// The monitoring ends when the socket is closed, [`SocketCore::stop_monitor`] is called,
/// another [`SocketCore::monitor`] call replaces this monitor, or the context is shut down
/// or terminated. Then, once the events queued before are read, [`EventKind::MonitorStopped`]
/// comes (when the mask asked for it, and unless the context ended first), and after it every
/// receive returns [`Error::Terminated`] instead of waiting.
///
/// A `Monitor` can be polled ([`AsPollable`]): it is readable while events are queued, or
/// once the monitoring has ended.
///
/// ```
/// use zmq_typed::{Context, EventKind, EventMask, Socket, SocketType};
/// let ctx = Context::new()?;
/// let rep = Socket::new(&ctx, SocketType::Rep)?;
/// let monitor = rep.monitor(EventMask::ALL)?;
/// let ep = rep.bind("tcp://127.0.0.1:*")?;
/// let event = monitor.recv()?;
/// assert!(matches!(event.kind, EventKind::Listening { .. }));
/// assert_eq!(event.endpoint, ep.to_string());
///
/// drop(rep); // the monitoring ends with the socket: its listener closes, then it stops
/// assert!(matches!(monitor.recv()?.kind, EventKind::Closed { .. }));
/// assert_eq!(monitor.recv()?.kind, EventKind::MonitorStopped);
/// assert!(matches!(monitor.recv(), Err(zmq_typed::Error::Terminated(_))));
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[must_use = "a monitor that is never read only costs a thread and a queue; read it or drop it"]
pub struct Monitor {
    shared: Arc<Shared>,
}

impl fmt::Debug for Monitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.shared.lock();
        f.debug_struct("Monitor")
            .field("queued", &state.queue.len())
            .field("capacity", &state.capacity)
            .field("dropped", &state.dropped)
            .field("ended", &state.ended.is_some())
            .finish()
    }
}

impl SocketCore {
    /// Starts monitoring this socket for the events in `mask`, queueing at most
    /// [`DEFAULT_QUEUE_LEN`] of them: see [`SocketCore::monitor_with_capacity`].
    ///
    /// Wraps `zmq_socket_monitor` ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    #[doc(alias("zmq_socket_monitor", "get_monitor_socket"))]
    pub fn monitor(&self, mask: EventMask) -> Result<Monitor> {
        self.monitor_with_capacity(mask, DEFAULT_QUEUE_LEN)
    }

    /// Starts monitoring this socket for the events in `mask`; the events arrive on the
    /// returned [`Monitor`], which keeps at most `capacity` (at least 1) of them unread,
    /// dropping the oldest past that. Only one monitor per socket: a second call ends the
    /// first (which then receives [`EventKind::MonitorStopped`] if it asked for it).
    ///
    /// Starts the monitor's relay thread ([`Error::ThreadSpawn`] when it cannot) and asks
    /// libzmq for `ZMQ_EVENT_MONITOR_STOPPED` in any case, so that the relay knows when to
    /// end, and for the handshake events, which it counts ([`Monitor::wait_for_handshakes`]);
    /// the `Monitor` only delivers those when `mask` has them.
    ///
    /// Wraps `zmq_socket_monitor` ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    pub fn monitor_with_capacity(&self, mask: EventMask, capacity: usize) -> Result<Monitor> {
        let endpoint = crate::inproc_name::unique("monitor");
        let c_endpoint = cstring("monitor endpoint", &endpoint)?;
        let shared = Arc::new(Shared::new(capacity)?);

        // The thread first, so that nothing needs undoing when it cannot start; it waits
        // for its socket, and ends at once if the sender is dropped instead.
        let (hand_over, socket_rx) = mpsc::sync_channel::<RelaySocket>(1);
        let relay_shared = Arc::clone(&shared);
        let deliver = mask;
        std::thread::Builder::new()
            .name("zmq-typed-monitor".into())
            .stack_size(RELAY_STACK)
            .spawn(move || relay(socket_rx, relay_shared, deliver))
            .map_err(|e| Error::ThreadSpawn {
                what: "monitor",
                reason: e.to_string(),
            })?;

        // Connect before libzmq binds (inproc allows it): when zmq_socket_monitor fails,
        // there is no monitor to undo, and when it succeeds, its PAIR has a reader from its
        // first event on.
        let socket = RelaySocket::open(self, &c_endpoint)?;
        let counted = EventMask::MONITOR_STOPPED | EventMask::HANDSHAKE;
        let events = c_int::from((mask | counted).0);
        // SAFETY: valid socket, used by this thread only (&self of a !Sync socket);
        // c_endpoint is NUL-terminated.
        let rc = unsafe { zmq_ffi::zmq_socket_monitor(self.as_ptr(), c_endpoint.as_ptr(), events) };
        check(rc, || Detail::new(format!("zmq_socket_monitor {endpoint}")))?;
        if let Err(mpsc::SendError(socket)) = hand_over.send(socket) {
            // The relay died before taking its socket (it cannot, short of a panic). Stop the
            // monitor while our PAIR is still connected and has room for the stop event, so
            // that libzmq's send cannot block.
            let _ = self.stop_monitor();
            drop(socket);
            return Err(Error::ThreadPanicked { what: "monitor" });
        }
        Ok(Monitor { shared })
    }

    /// A monitor of this socket's ZMTP handshakes, to wait until its peers are ready
    /// ([`Monitor::wait_for_handshakes`]): make it **before** the socket binds or connects,
    /// so that it counts every peer. [`Error::WrongState`] on a socket that has already
    /// bound or connected (the handshakes before the monitor would never be counted: waiting
    /// for them would time out).
    ///
    /// A peer is ready once its handshake has completed, not when its connection is made:
    /// `Accepted` and `Connected` come before the handshake, and a PUSH that starts sending
    /// then gives every message to the first peer whose handshake completes.
    /// (inproc peers have no handshake: they are ready once `connect` returns.)
    ///
    /// **Publishers: a completed handshake does not mean the subscriptions have arrived.**
    /// A SUB sends its subscriptions just after its handshake, so a PUB that publishes as
    /// soon as `wait_for_handshakes` returns can still lose its first messages (the "slow
    /// joiner" of the ZeroMQ guide). For a publisher, wait for the subscriptions themselves:
    /// make it an [`XPub`](crate::XPub) and read one [`XPub::recv_subscription`](crate::XPub::recv_subscription)
    /// per subscriber (or have subscribers say they are ready over another socket).
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq_typed::{Context, Pull, Push};
    /// let ctx = Context::new()?;
    /// let ventilator = Push::new(&ctx)?;
    /// let peers = ventilator.monitor_handshakes()?;   // first: then bind
    /// let endpoint = ventilator.bind("tcp://127.0.0.1:*")?;
    /// let workers = (0..3)
    ///     .map(|_| {
    ///         let worker = Pull::new(&ctx)?;
    ///         worker.connect(&endpoint)?;
    ///         Ok(worker)
    ///     })
    ///     .collect::<zmq_typed::Result<Vec<_>>>()?;
    /// peers.wait_for_handshakes(3, Duration::from_secs(5))?; // the three are ready
    /// for task in 0..30 {
    ///     ventilator.send(task.to_string())?;
    /// }
    /// for worker in &workers {
    ///     for _ in 0..10 {
    ///         worker.recv()?;                        // ten tasks each, round robin
    ///     }
    /// }
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    ///
    /// Monitors [`EventMask::HANDSHAKE`] (and [`EventMask::MONITOR_STOPPED`]): the monitor's
    /// queue holds the handshakes' outcomes, to read or to leave (it is bounded). Only one
    /// monitor per socket: see [`SocketCore::monitor_with_capacity`].
    ///
    /// Wraps `zmq_socket_monitor` ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    pub fn monitor_handshakes(&self) -> Result<Monitor> {
        let last = self.last_endpoint()?;
        if !last.is_empty() {
            return Err(Error::WrongState(Detail::new(format!(
                "monitor_handshakes on a socket that has already bound or connected (to \
                 {last}): the handshakes before it would not be counted; make the monitor \
                 before the first bind or connect"
            ))));
        }
        self.monitor(EventMask::HANDSHAKE | EventMask::MONITOR_STOPPED)
    }

    /// Stops monitoring: the monitor receives [`EventKind::MonitorStopped`] (if its mask
    /// asked for it) after the events before, and then [`Error::Terminated`].
    ///
    /// Wraps `zmq_socket_monitor` with a NULL endpoint.
    /// ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor))
    pub fn stop_monitor(&self) -> Result<()> {
        // SAFETY: valid socket; NULL endpoint means "stop".
        let rc = unsafe { zmq_ffi::zmq_socket_monitor(self.as_ptr(), std::ptr::null(), 0) };
        check(rc, || Detail::new("zmq_socket_monitor stop")).map(|_| ())
    }
}

impl Monitor {
    /// Waits on the relay's condition until `ready` has an answer from the shared state,
    /// or `deadline` passes (`None`: for ever), when `timed_out` says why.
    fn wait_until<T>(
        &self,
        deadline: Option<Instant>,
        ready: impl FnMut(&mut State) -> Option<Result<T>>,
        timed_out: impl FnOnce(&State) -> Error,
    ) -> Result<T> {
        match wait_for(self.shared.lock(), &self.shared.changed, deadline, ready) {
            Ok(answer) => answer,
            Err(state) => Err(timed_out(&state)),
        }
    }

    /// The next event, waiting until `deadline` (`None`: for ever).
    fn next(&self, deadline: Option<Instant>) -> Result<Event> {
        self.wait_until(
            deadline,
            |state| {
                if let Some(event) = state.queue.pop_front() {
                    self.shared.update_ready(state);
                    return Some(Ok(event));
                }
                state.ended.clone().map(Err)
            },
            |_| Error::TimedOut(Detail::new("receive on a monitor")),
        )
    }

    /// The next event, blocking until one comes. [`Error::Terminated`] once the monitoring
    /// has ended and every event before has been read (it never waits for ever on a monitor
    /// that has ended); [`crate::Context::shutdown`] ends it from another thread.
    ///
    /// Reads the queue that the relay fills with `zmq_msg_recv` on libzmq's monitor socket
    /// ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    pub fn recv(&self) -> Result<Event> {
        self.next(None)
    }

    /// The next event, waiting at most `timeout` ([`Error::TimedOut`]), however often the
    /// wait wakes up early. [`Error::Terminated`] as for [`Monitor::recv`].
    ///
    /// Reads the queue that the relay fills with `zmq_msg_recv`.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Event> {
        // A timeout too far away to represent is no timeout.
        self.next(Instant::now().checked_add(timeout))
    }

    /// The next event if one is queued: `Ok(None)` when none is, [`Error::Terminated`] when
    /// none is and the monitoring has ended.
    ///
    /// Reads the queue that the relay fills with `zmq_msg_recv`.
    pub fn try_recv(&self) -> Result<Option<Event>> {
        match self.next(Some(Instant::now())) {
            Ok(event) => Ok(Some(event)),
            Err(Error::TimedOut(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Waits (at most `timeout` for each event) until an event matches `pred`, and returns
    /// it; the events before it are dropped.
    ///
    /// Reads the queue that the relay fills with `zmq_msg_recv`.
    pub fn wait_for(
        &self,
        timeout: Duration,
        mut pred: impl FnMut(&EventKind) -> bool,
    ) -> Result<Event> {
        loop {
            let event = self.recv_timeout(timeout)?;
            if pred(&event.kind) {
                return Ok(event);
            }
        }
    }

    /// Waits until `peers` ZMTP handshakes in all have completed on the monitored socket
    /// since this monitor was made (`HandshakeSucceeded`), that is until that many peers are
    /// ready to exchange messages; at most `timeout` in all. Returns at once when they
    /// already have: the monitor's relay counts the handshakes as libzmq reports them,
    /// whether or not they are read, whatever the mask. So the monitor must be made before
    /// the socket binds or connects ([`SocketCore::monitor_handshakes`] makes sure of it).
    ///
    /// [`Error::TimedOut`] when fewer have completed in time (its detail says how many, and
    /// the last handshake failure if any: a wrong CURVE key, a mechanism mismatch...);
    /// [`Error::Terminated`] when the monitoring ends first (the socket closed, the
    /// context's shutdown).
    ///
    /// It counts handshakes, not live peers: a peer that disconnects stays counted, and one
    /// that reconnects counts again.
    ///
    /// inproc peers have no handshake (libzmq reports no event for them): they are ready as
    /// soon as `connect` returns, and are never counted here.
    ///
    /// Reads the counts that the relay keeps from `zmq_msg_recv` on libzmq's monitor socket
    /// ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    pub fn wait_for_handshakes(&self, peers: usize, timeout: Duration) -> Result<()> {
        // A timeout too far away to represent is no timeout.
        let deadline = Instant::now().checked_add(timeout);
        self.wait_until(
            deadline,
            |state| {
                if state.handshakes >= peers as u64 {
                    return Some(Ok(()));
                }
                state.ended.clone().map(Err)
            },
            |state| {
                let failures = match (&state.last_failure, state.handshake_failures) {
                    (Some(last), n) => format!(
                        "; {n} failed, the last with {:?} on {}",
                        last.kind, last.endpoint
                    ),
                    (None, _) => String::new(),
                };
                let inproc = if state.handshakes == 0 {
                    " (inproc peers have none, and are never counted)"
                } else {
                    ""
                };
                Error::TimedOut(Detail::new(format!(
                    "{} of {peers} peers completed their ZMTP handshake within \
                     {timeout:?}{inproc}{failures}",
                    state.handshakes
                )))
            },
        )
    }

    /// How many ZMTP handshakes have completed on the monitored socket since this monitor
    /// was made (whatever its mask, whether or not the events were read).
    pub fn handshakes(&self) -> u64 {
        self.shared.lock().handshakes
    }

    /// How many ZMTP handshakes have failed on the monitored socket since this monitor was
    /// made (whatever its mask, whether or not the events were read).
    pub fn handshake_failures(&self) -> u64 {
        self.shared.lock().handshake_failures
    }

    /// The last ZMTP handshake failure on the monitored socket since this monitor was made
    /// (whatever its mask, whether or not the event was read): for
    /// [`HandshakeWatch::failure`](crate::security::HandshakeWatch::failure).
    pub(crate) fn last_handshake_failure(&self) -> Option<Event> {
        self.shared.lock().last_failure.clone()
    }

    /// How many events were dropped, oldest first, because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.shared.lock().dropped
    }

    /// How many events are queued, unread.
    pub fn len(&self) -> usize {
        self.shared.lock().queue.len()
    }

    /// Whether no event is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The most events the queue keeps.
    pub fn capacity(&self) -> usize {
        self.shared.lock().capacity
    }

    /// Whether the monitoring has ended (the relay has finished; events may still be
    /// queued).
    pub fn has_ended(&self) -> bool {
        self.shared.lock().ended.is_some()
    }
}

/// A poll-only view: a descriptor that is readable while events are queued or once the
/// monitoring has ended (then a receive returns at once). Receiving is done with
/// [`Monitor::recv`] and its kin; the monitor's socket itself is never exposed, so a
/// receive cannot take half of an event. The descriptor is the monitor's own: poll it, never
/// read it (a read would eat the wake-up, and a poll would then miss queued events until the
/// next one arrives; `recv` and its kin still see every event).
impl AsPollable for Monitor {
    fn as_pollable(&self) -> Pollable<'_> {
        Pollable::Fd(self.shared.ready_read.as_fd())
    }
}

impl Drop for Monitor {
    fn drop(&mut self) {
        // Never blocks: the relay sees `detached` and discards from now on, until the
        // monitoring ends.
        let mut state = self.shared.lock();
        state.detached = true;
        state.queue.clear();
        self.shared.update_ready(&mut state);
    }
}
