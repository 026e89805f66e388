//! [`SteerableProxy`]: `zmq_proxy_steerable` on a thread of its own, and its handle.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::{last_errno, last_error, Detail, Error, Result};
use crate::options::PollEvents;
use crate::socket::Socket;
use crate::socket_type::SocketType;

use super::guard::{check_forwarding, PROXY_MAX_FORWARDED_MSG_SIZE, PROXY_STACK_SIZE};
use super::{raw, ProxyFailed, ProxySocket, ProxySockets, ProxyStats, SideStats};

/// How long a command waits at a time before checking again whether the proxy has stopped.
const SLICE: Duration = Duration::from_millis(10);

/// How long a command that met the context's shutdown waits for the proxy to report its
/// own error (it stops at once: it sees the same shutdown).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// How long dropping a running proxy waits for its thread to finish after `TERMINATE`.
pub const DROP_GRACE: Duration = Duration::from_secs(2);

/// What the proxy thread returns: how the proxy ended, and the sockets.
type Outcome<F, B, C> = (Result<()>, ProxySockets<F, B, C>);

/// Where the proxy thread is.
enum Run<F, B, C> {
    /// Running, or finished and not joined yet.
    Running(JoinHandle<Outcome<F, B, C>>),
    /// Finished, joined: on `error`, or by a `TERMINATE` command when `error` is `None`;
    /// `sockets` is `None` when the thread panicked.
    Stopped {
        error: Option<Error>,
        sockets: Option<ProxySockets<F, B, C>>,
    },
    /// Handed over by `terminate` or `drop`.
    Gone,
}

impl<F, B, C> Run<F, B, C> {
    fn joined(joined: std::thread::Result<Outcome<F, B, C>>) -> Run<F, B, C> {
        match joined {
            Ok((Ok(()), sockets)) => Run::Stopped {
                error: None,
                sockets: Some(sockets),
            },
            Ok((Err(error), sockets)) => Run::Stopped {
                error: Some(error),
                sockets: Some(sockets),
            },
            Err(_) => Run::Stopped {
                error: Some(Error::ThreadPanicked { what: "proxy" }),
                sockets: None,
            },
        }
    }
}

/// A steerable proxy running on its own thread (`zmq-typed-proxy`, with a
/// [`PROXY_STACK_SIZE`] stack). Dropping the handle terminates it.
///
/// No call on the handle waits for ever on a proxy that has stopped: once the proxy has
/// stopped on its own (a capture socket that cannot send, the context's shutdown...), every
/// command returns [`Error::ProxyStopped`] with the proxy's own error as its `cause`, and
/// dropping returns at once. [`SteerableProxy::terminate`] hands the sockets back: alone
/// after a normal stop (its `TERMINATE`, or the context's shutdown), with the error after a
/// failure ([`ProxyFailed`]).
///
/// # A proxy blocked in a send
/// A proxy that is alive but blocked inside libzmq, sending to a peer that does not read
/// (a capture socket without a reader, a backend whose peers are all full...), reads no
/// command and answers nothing until it can send: [`SteerableProxy::statistics`] and
/// [`SteerableProxy::terminate`] wait until then, [`SteerableProxy::pause`] and
/// [`SteerableProxy::resume`] only queue their command (or say the queue is full), dropping
/// gives up after [`DROP_GRACE`]. [`SteerableProxy::statistics_timeout`] gives up in time. The context's
/// shutdown ([`crate::Context::shutdown`], a [`crate::ShutdownHandle`]) unblocks it: its thread then
/// ends, and `terminate` hands the sockets back.
///
/// A capture socket needs a reader for as long as the proxy runs: libzmq copies every
/// message *and every control command* (`TERMINATE` included) to it with a blocking send, so
/// once its reader has gone, the proxy blocks before it can read `TERMINATE`.
///
/// A proxy whose sockets forward into an XSUB needs limits on them: see
/// [`SteerableProxy::start`].
///
/// The sockets are any [`ProxySocket`]s, typed or dynamic, and
/// [`SteerableProxy::terminate`] hands them back with the types they went in with:
///
/// ```
/// use zmq_typed::{Context, Pull, Push, SteerableProxy};
/// let ctx = Context::new()?;
/// let front = Pull::new(&ctx)?;
/// let front_ep = front.bind("inproc://proxy-doc-in")?;
/// let back = Push::new(&ctx)?;
/// let back_ep = back.bind("inproc://proxy-doc-out")?;
/// let proxy = SteerableProxy::start(front, back)?;
///
/// let producer = Push::new(&ctx)?;
/// producer.connect(&front_ep)?;
/// let consumer = Pull::new(&ctx)?;
/// consumer.connect(&back_ep)?;
/// producer.send("through the proxy")?;
/// assert_eq!(consumer.recv()?, "through the proxy");
/// assert_eq!(proxy.statistics()?.frontend.messages_in, 1);
/// let (front, back, _no_capture): (Pull, Push, _) = proxy.terminate()?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
///
/// `terminate` takes the proxy, so it cannot be terminated twice:
///
/// ```compile_fail,E0382
/// # use zmq_typed::{Context, Pull, Push, SteerableProxy};
/// # let ctx = Context::new()?;
/// # let front = Pull::new(&ctx)?;
/// # let back = Push::new(&ctx)?;
/// let proxy = SteerableProxy::start(front, back)?;
/// let _ = proxy.terminate();
/// let _ = proxy.terminate(); // error[E0382]: use of moved value: `proxy`
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct SteerableProxy<F = Socket, B = Socket, C = Socket> {
    control: Socket,
    run: RefCell<Run<F, B, C>>,
    /// `STATISTICS` replies the proxy owes, counting the one awaited: the replies to calls
    /// that timed out come first, and are discarded.
    owed: Cell<u64>,
    /// Disconnected once the thread is done (it drops the sender as it returns).
    done: mpsc::Receiver<()>,
}

impl<F, B, C> fmt::Debug for SteerableProxy<F, B, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.run.try_borrow().as_deref() {
            Ok(Run::Running(_)) => "running",
            Ok(Run::Stopped { .. }) => "stopped",
            Ok(Run::Gone) => "gone",
            Err(_) => "busy",
        };
        f.debug_struct("SteerableProxy")
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

/// How long to wait next: one [`SLICE`], and not past `deadline`; [`Error::TimedOut`] with
/// `timed_out` once the deadline has passed.
fn slice_until(deadline: Option<Instant>, timed_out: &'static str) -> Result<Duration> {
    match deadline {
        None => Ok(SLICE),
        Some(d) => match d.checked_duration_since(Instant::now()) {
            Some(left) if !left.is_zero() => Ok(left.min(SLICE)),
            _ => Err(Error::TimedOut(Detail::new(timed_out))),
        },
    }
}

/// Blocks the asynchronous signals on the calling thread, so that the kernel gives them to
/// another thread: a signal would make `zmq_proxy_steerable` return `EINTR`, and starting it
/// again would lose its pause state and counters. Faults (`SIGSEGV`...) stay unblocked.
fn block_async_signals() {
    // SAFETY: set is a local sigset_t initialised by sigfillset before any other use;
    // pthread_sigmask only changes this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for sig in [
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGILL,
            libc::SIGFPE,
            libc::SIGABRT,
            libc::SIGTRAP,
            libc::SIGSYS,
        ] {
            libc::sigdelset(&mut set, sig);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

impl<F: ProxySocket, B: ProxySocket> SteerableProxy<F, B> {
    /// Starts `zmq_proxy_steerable` on a new thread with the given sockets (moved to it;
    /// typed or dynamic, see [`ProxySocket`]) and a control socket of its own, made in the
    /// frontend's context. [`Error::ThreadSpawn`] when the thread cannot start (the sockets
    /// are then closed).
    ///
    /// Refuses, with [`Error::OptionValue`] for `ZMQ_MAXMSGSIZE` (the sockets are then
    /// closed), to forward into an XSUB (the backend, the frontend or the capture) from a
    /// socket whose `ZMQ_MAXMSGSIZE` is `None` or larger than
    /// [`PROXY_MAX_FORWARDED_MSG_SIZE`]: an XSUB walks what it is sent recursively, and a
    /// peer's long frame would overflow a stack. An XPUB made by this crate passes as it is;
    /// another socket needs `set_max_msg_size(Some(n))` before it binds or connects (see
    /// [the stack note](super#stack-what-a-proxy-forwards-into-an-xsub), which also says why
    /// inproc peers are not limited).
    ///
    /// ```
    /// use zmq_typed::{proxy::PROXY_MAX_FORWARDED_MSG_SIZE, Context, Error, Pull, XSub};
    /// use zmq_typed::SteerableProxy;
    /// let ctx = Context::new()?;
    /// // A PULL that feeds an XSUB: its limit goes first, then the bind.
    /// let front = Pull::new(&ctx)?;
    /// front.set_max_msg_size(Some(PROXY_MAX_FORWARDED_MSG_SIZE))?;
    /// front.bind("tcp://127.0.0.1:*")?;
    /// let back = XSub::new(&ctx)?;
    /// let proxy = SteerableProxy::start(front, back)?;
    /// proxy.terminate()?;
    ///
    /// // Without a limit, the proxy refuses to start.
    /// let front = Pull::new(&ctx)?;
    /// let back = XSub::new(&ctx)?;
    /// let refused = SteerableProxy::start(front, back).unwrap_err();
    /// assert!(matches!(refused, Error::OptionValue { option: "ZMQ_MAXMSGSIZE", .. }));
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    ///
    /// Wraps `zmq_proxy_steerable` ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start(frontend: F, backend: B) -> Result<SteerableProxy<F, B>> {
        SteerableProxy::spawn(frontend, backend, None)
    }
}

impl<F: ProxySocket, B: ProxySocket, C: ProxySocket> SteerableProxy<F, B, C> {
    /// [`SteerableProxy::start`], with a copy of every message (and of every control
    /// command: see [above](SteerableProxy#a-proxy-blocked-in-a-send)) sent to `capture`,
    /// which needs a reader for as long as the proxy runs.
    ///
    /// Wraps `zmq_proxy_steerable` ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start_with_capture(
        frontend: F,
        backend: B,
        capture: C,
    ) -> Result<SteerableProxy<F, B, C>> {
        SteerableProxy::spawn(frontend, backend, Some(capture))
    }

    fn spawn(frontend: F, backend: B, capture: Option<C>) -> Result<SteerableProxy<F, B, C>> {
        check_forwarding(
            raw(&frontend),
            raw(&backend),
            capture.as_ref().map(raw),
            PROXY_MAX_FORWARDED_MSG_SIZE,
            "the proxy thread's stack, or that of libzmq's reaper thread when it frees the \
             XSUB's subscriptions",
        )?;
        let ctx = raw(&frontend).context();
        let endpoint = crate::inproc_name::unique("proxy-control");
        let inner = Socket::new(ctx, SocketType::Pair)?;
        inner.set_linger(Some(Duration::ZERO))?;
        inner.bind(endpoint.as_str())?;
        let control = Socket::new(ctx, SocketType::Pair)?;
        control.set_linger(Some(Duration::ZERO))?;
        control.connect(endpoint.as_str())?;
        let (done_tx, done) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("zmq-typed-proxy".into())
            .stack_size(PROXY_STACK_SIZE)
            .spawn(move || {
                let _done = done_tx;
                block_async_signals();
                let capture_ptr = capture
                    .as_ref()
                    .map_or(std::ptr::null_mut(), |s| raw(s).as_ptr());
                let result = loop {
                    // SAFETY: the four sockets are owned by this thread for the whole call.
                    let rc = unsafe {
                        zmq_ffi::zmq_proxy_steerable(
                            raw(&frontend).as_ptr(),
                            raw(&backend).as_ptr(),
                            capture_ptr,
                            inner.as_ptr(),
                        )
                    };
                    if rc == 0 {
                        break Ok(());
                    }
                    // Signals are blocked on this thread; should one come through anyway,
                    // going on (unpaused, counters from zero) beats stopping.
                    if last_errno() != libc::EINTR {
                        break Err(last_error(|| Detail::new("zmq_proxy_steerable")));
                    }
                };
                // The control pair's far end goes first: later commands find no peer.
                drop(inner);
                (result, (frontend, backend, capture))
            })
            .map_err(|e| Error::ThreadSpawn {
                what: "proxy",
                reason: e.to_string(),
            })?;
        Ok(SteerableProxy {
            control,
            run: RefCell::new(Run::Running(thread)),
            owed: Cell::new(0),
            done,
        })
    }
}

impl<F, B, C> SteerableProxy<F, B, C> {
    /// Whether the proxy thread is done; joins it (promptly: it has returned) the first time.
    fn stopped_error(&self) -> Option<Error> {
        let mut run = self.run.borrow_mut();
        if matches!(&*run, Run::Running(_)) && self.thread_done() {
            if let Run::Running(handle) = std::mem::replace(&mut *run, Run::Gone) {
                *run = Run::joined(handle.join());
            }
        }
        match &*run {
            Run::Running(_) => None,
            Run::Stopped { error, .. } => Some(Error::ProxyStopped {
                cause: error.clone().map(Box::new),
            }),
            Run::Gone => Some(Error::ProxyStopped { cause: None }),
        }
    }

    /// Whether the proxy thread has returned (or is returning: it drops its end of `done`
    /// as its last step, so joining it then is prompt).
    fn thread_done(&self) -> bool {
        matches!(self.done.try_recv(), Err(mpsc::TryRecvError::Disconnected))
    }

    /// The error for a command that met the context's shutdown: the proxy's own, once it has
    /// stopped (it sees the same shutdown), waiting a little for it.
    fn stopped_by_shutdown(&self) -> Error {
        let _ = self.done.recv_timeout(SHUTDOWN_GRACE);
        self.stopped_error().unwrap_or_else(|| Error::ProxyStopped {
            cause: Some(Box::new(Error::Terminated(Detail::NONE))),
        })
    }

    /// Waits at most one slice, and not past `deadline`, for the control socket to be ready
    /// for `events`; [`Error::TimedOut`] once the deadline has passed.
    fn wait_control(&self, events: PollEvents, deadline: Option<Instant>) -> Result<()> {
        let timed_out = if events == PollEvents::OUT {
            "the proxy's control queue is full: the proxy is blocked in a send"
        } else {
            "the proxy did not answer in time"
        };
        let wait = slice_until(deadline, timed_out)?;
        match crate::poll::poll(&[(&self.control, events, ())], Some(wait)) {
            Ok(_) => Ok(()),
            Err(Error::Terminated(_)) => Err(self.stopped_by_shutdown()),
            Err(e) => Err(e),
        }
    }

    /// Sends a command without ever blocking on a proxy that has stopped: the proxy's end of
    /// the control pair goes away with it, after which a send could never complete.
    /// [`Error::TimedOut`] when it cannot be queued before `deadline`.
    fn command(&self, cmd: &'static str, deadline: Option<Instant>) -> Result<()> {
        loop {
            if let Some(stopped) = self.stopped_error() {
                return Err(stopped);
            }
            match self.control.try_send(cmd) {
                Ok(None) => return Ok(()),
                Ok(Some(_)) => self.wait_control(PollEvents::OUT, deadline)?,
                Err(e) if e.is_terminated() => return Err(self.stopped_by_shutdown()),
                Err(e) => return Err(e.into_error()),
            }
        }
    }

    /// Stops forwarding until [`SteerableProxy::resume`] (`PAUSE`). [`Error::ProxyStopped`]
    /// when the proxy has stopped.
    ///
    /// Returns once the command is queued: a proxy [blocked in a
    /// send](SteerableProxy#a-proxy-blocked-in-a-send) reads it only once it can send (or
    /// stops on the context's shutdown, which unblocks it). It never waits for room: when the
    /// control queue is full (the proxy has not read a thousand commands), it is
    /// [`Error::TimedOut`].
    ///
    /// Wraps `zmq_msg_send` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn pause(&self) -> Result<()> {
        // Never waits for room: a full control queue (a thousand commands unread) means the
        // proxy is blocked in a send.
        self.command("PAUSE", Some(Instant::now()))
    }

    /// Forwards again (`RESUME`). [`Error::ProxyStopped`] when the proxy has stopped.
    ///
    /// Returns once the command is queued: a proxy [blocked in a
    /// send](SteerableProxy#a-proxy-blocked-in-a-send) reads it only once it can send (or
    /// stops on the context's shutdown, which unblocks it). It never waits for room: when the
    /// control queue is full (the proxy has not read a thousand commands), it is
    /// [`Error::TimedOut`].
    ///
    /// Wraps `zmq_msg_send` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn resume(&self) -> Result<()> {
        // As for pause: never waits for room.
        self.command("RESUME", Some(Instant::now()))
    }

    /// The proxy's counters (`STATISTICS`). [`Error::ProxyStopped`], with the proxy's error,
    /// when the proxy has stopped, before or while answering.
    ///
    /// Waits as long as the proxy takes to answer: a proxy [blocked in a
    /// send](SteerableProxy#a-proxy-blocked-in-a-send) answers nothing until it can send, or
    /// until the context's shutdown unblocks it (this call then returns
    /// [`Error::ProxyStopped`] with [`Error::Terminated`]). Use
    /// [`SteerableProxy::statistics_timeout`] to bound the wait.
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn statistics(&self) -> Result<ProxyStats> {
        self.statistics_until(None)
    }

    /// The proxy's counters (`STATISTICS`), or [`Error::TimedOut`] when the proxy does not
    /// answer within `timeout` (a proxy [blocked in a
    /// send](SteerableProxy#a-proxy-blocked-in-a-send)). [`Error::ProxyStopped`], with the
    /// proxy's error, when the proxy has stopped, before or while answering.
    ///
    /// The proxy still answers a command that timed out, later: that stale answer is
    /// discarded, never taken for the answer to a later call.
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn statistics_timeout(&self, timeout: Duration) -> Result<ProxyStats> {
        // A timeout too long to add is no deadline at all.
        self.statistics_until(Instant::now().checked_add(timeout))
    }

    /// `STATISTICS`, waiting until `deadline` (for ever when `None`).
    fn statistics_until(&self, deadline: Option<Instant>) -> Result<ProxyStats> {
        self.command("STATISTICS", deadline)?;
        self.owed.set(self.owed.get().saturating_add(1));
        let reply = loop {
            match self.control.try_recv() {
                Ok(Some(reply)) => {
                    let owed = self.owed.get().saturating_sub(1);
                    self.owed.set(owed);
                    if owed == 0 {
                        break reply;
                    }
                    // The answer to a call that gave up: this one's comes after it.
                }
                Ok(None) => {
                    if let Some(stopped) = self.stopped_error() {
                        return Err(stopped);
                    }
                    self.wait_control(PollEvents::IN, deadline)?;
                }
                Err(e) if e.is_terminated() => return Err(self.stopped_by_shutdown()),
                Err(e) => return Err(e),
            }
        };
        if reply.len() != 8 {
            return Err(Error::Malformed(format!(
                "STATISTICS reply has {} frames, not 8",
                reply.len()
            )));
        }
        let mut values = [0u64; 8];
        for (value, frame) in values.iter_mut().zip(reply.iter()) {
            let bytes: [u8; 8] = frame.data().try_into().map_err(|_| {
                Error::Malformed(format!("STATISTICS frame has {} bytes, not 8", frame.len()))
            })?;
            *value = u64::from_ne_bytes(bytes);
        }
        let side = |v: &[u64]| SideStats {
            messages_in: v[0],
            bytes_in: v[1],
            messages_out: v[2],
            bytes_out: v[3],
        };
        Ok(ProxyStats {
            frontend: side(&values[..4]),
            backend: side(&values[4..]),
        })
    }

    /// Sends `TERMINATE` unless the thread is done. `Ok(())` when the proxy will stop (it
    /// has, it got the command, or the context is shut down, which stops it too).
    ///
    /// With a `deadline`, gives up then ([`Error::TimedOut`]): the control queue of a proxy
    /// blocked in a send can be full.
    fn send_terminate(&self, deadline: Option<Instant>) -> Result<()> {
        loop {
            if self.thread_done() {
                return Ok(());
            }
            match self.control.try_send("TERMINATE") {
                Ok(None) => return Ok(()),
                Err(e) if e.is_terminated() => return Ok(()),
                Ok(Some(_)) => {
                    let slice = slice_until(
                        deadline,
                        "TERMINATE could not be queued: the proxy is blocked",
                    )?;
                    match crate::poll::poll(&[(&self.control, PollEvents::OUT, ())], Some(slice)) {
                        Ok(_) => {}
                        Err(Error::Terminated(_)) => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e.into_error()),
            }
        }
    }

    /// Stops the proxy (`TERMINATE`), waits for its thread and gives the sockets back, with
    /// the types they went in with, whether the proxy was running or had already stopped. A
    /// running proxy stops as soon as it reads the command.
    ///
    /// `Ok` after a normal stop: this command, or the context's shutdown (or termination),
    /// which stops every proxy of the context. After a failure (a capture socket that cannot
    /// send...), the error comes with the sockets ([`ProxyFailed`]; `?` turns it into the
    /// proxy's own [`Error`]).
    ///
    /// A proxy [blocked in a send](SteerableProxy#a-proxy-blocked-in-a-send) reads the
    /// command only once it can send, and this call waits until then. The context's shutdown
    /// ([`crate::Context::shutdown`], from another thread, before or during this call) unblocks it:
    /// its thread ends, and this call returns the sockets.
    ///
    /// Wraps `zmq_msg_send` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn terminate(mut self) -> Result<ProxySockets<F, B, C>, ProxyFailed<F, B, C>> {
        match std::mem::replace(self.run.get_mut(), Run::Gone) {
            Run::Running(handle) => {
                if let Err(e) = self.send_terminate(None) {
                    // The command could not be given (the control socket failed): the
                    // proxy may never stop, so it is left to finish on its own.
                    return Err(ProxyFailed::new(e, None));
                }
                match handle.join() {
                    Ok((Ok(()) | Err(Error::Terminated(_)), sockets)) => Ok(sockets),
                    Ok((Err(error), sockets)) => Err(ProxyFailed::new(error, Some(sockets))),
                    Err(_) => Err(ProxyFailed::new(
                        Error::ThreadPanicked { what: "proxy" },
                        None,
                    )),
                }
            }
            Run::Stopped {
                error: None | Some(Error::Terminated(_)),
                sockets: Some(sockets),
            } => Ok(sockets),
            Run::Stopped { error, sockets } => Err(ProxyFailed::new(
                error.unwrap_or(Error::ProxyStopped { cause: None }),
                sockets,
            )),
            Run::Gone => Err(ProxyFailed::new(Error::ProxyStopped { cause: None }, None)),
        }
    }
}

impl<F, B, C> Drop for SteerableProxy<F, B, C> {
    /// Terminates a running proxy and waits at most [`DROP_GRACE`] for its thread. Returns
    /// at once for a proxy that has stopped.
    ///
    /// A proxy [blocked in a send](SteerableProxy#a-proxy-blocked-in-a-send) reads the
    /// command only once it can send: its thread is then left to finish on its own, holding
    /// the sockets (and so keeping their context alive) until it can send, or until the
    /// context's shutdown ([`crate::Context::shutdown`], a [`crate::ShutdownHandle`]) unblocks it; it
    /// then ends with [`Error::Terminated`] and closes the sockets.
    fn drop(&mut self) {
        if let Run::Running(handle) = std::mem::replace(self.run.get_mut(), Run::Gone) {
            // DROP_GRACE bounds the whole drop: queueing TERMINATE and waiting for the thread.
            let deadline = Instant::now().checked_add(DROP_GRACE);
            let done = match self.send_terminate(deadline) {
                Ok(()) => {
                    let left = deadline
                        .and_then(|d| d.checked_duration_since(Instant::now()))
                        .unwrap_or(Duration::ZERO);
                    matches!(
                        self.done.recv_timeout(left),
                        Err(mpsc::RecvTimeoutError::Disconnected)
                    )
                }
                Err(_) => self.thread_done(),
            };
            if done {
                // The thread has returned, or is returning: joining only collects its
                // outcome (and closes the sockets, which never blocks).
                let _ = handle.join();
            }
        }
    }
}
