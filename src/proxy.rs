//! libzmq's built-in proxy, plain and steerable
//! ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy),
//! [zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
//!
//! # Stack
//! A proxy between an XPUB and an XSUB keeps its subscriptions in libzmq's tries, on the
//! thread that runs it, and libzmq adds and removes a subscription *recursively*, one stack
//! frame (about 64 bytes) per byte of topic: a remote subscriber with a long topic can
//! overflow that thread's stack, which kills the process. [`SteerableProxy`] therefore runs
//! on a thread with a [`PROXY_STACK_SIZE`] stack (virtual memory: only the pages touched cost
//! anything), and the XPUB and PUB sockets of this crate refuse subscriptions longer than
//! [`crate::limits::SUBSCRIPTION_MSG_MAX`] to begin with. [`proxy()`] runs on the calling
//! thread, with that thread's stack.

use std::cell::RefCell;
use std::fmt;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use crate::context::Context;
use crate::error::{last_errno, last_error, Detail, Error, Result};
use crate::options::PollEvents;
use crate::socket::Socket;
use crate::socket_type::SocketType;
use crate::unshared::Unshared;

/// Runs the proxy in this thread: every message from `frontend` goes to `backend` and back,
/// with a copy of each to `capture` when given. Returns only when the context is shut down
/// or terminated ([`Error::Terminated`]), or on another error of libzmq's (a capture socket
/// that cannot send, for one). Signals do not stop it: `EINTR` is retried.
///
/// With XPUB/XSUB sockets, see [the stack note](self#stack).
///
/// Wraps `zmq_proxy` ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy)).
pub fn proxy(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    let capture = capture.map_or(std::ptr::null_mut(), |s| s.as_ptr());
    loop {
        // SAFETY: the sockets are valid and borrowed (so used by no other code) for the call.
        let rc = unsafe { zmq_ffi::zmq_proxy(frontend.as_ptr(), backend.as_ptr(), capture) };
        if rc == 0 {
            return Ok(());
        }
        // A plain proxy has no state worth keeping: starting it again after a signal is
        // exactly going on.
        if last_errno() != libc::EINTR {
            return Err(last_error(|| Detail::new("zmq_proxy")));
        }
    }
}

/// Message and byte counts of one side of a proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SideStats {
    /// Messages (frames) received on this side.
    pub messages_in: u64,
    /// Bytes received on this side.
    pub bytes_in: u64,
    /// Messages (frames) sent on this side.
    pub messages_out: u64,
    /// Bytes sent on this side.
    pub bytes_out: u64,
}

/// The eight counters the `STATISTICS` command returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// The frontend's counts.
    pub frontend: SideStats,
    /// The backend's counts.
    pub backend: SideStats,
}

/// The sockets a stopped proxy gives back: frontend, backend and capture.
pub type ProxySockets = (Socket, Socket, Option<Socket>);

/// The stack of a [`SteerableProxy`]'s thread: 64 MiB, enough to remove a 1 MiB
/// subscription (see [the stack note](self#stack)). Virtual memory: a proxy that never sees
/// a long topic touches a few pages of it.
pub const PROXY_STACK_SIZE: usize = 64 << 20;

/// How long a command waits at a time before checking again whether the proxy has stopped.
const SLICE: Duration = Duration::from_millis(10);

/// How long a command that met the context's shutdown waits for the proxy to report its
/// own error (it stops at once: it sees the same shutdown).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// How long dropping a running proxy waits for its thread to finish after `TERMINATE`.
pub const DROP_GRACE: Duration = Duration::from_secs(2);

/// What the proxy thread returns: how the proxy ended, and the sockets.
type Outcome = (Result<()>, ProxySockets);

/// Where the proxy thread is.
enum Run {
    /// Running, or finished and not joined yet.
    Running(JoinHandle<Outcome>),
    /// Finished on `error`, joined; `sockets` is `None` when the thread panicked.
    Stopped {
        error: Error,
        sockets: Option<ProxySockets>,
    },
    /// Handed over by `terminate` or `drop`.
    Gone,
}

impl Run {
    fn joined(joined: std::thread::Result<Outcome>) -> Run {
        match joined {
            Ok((Ok(()), sockets)) => Run::Stopped {
                error: Error::ProxyStopped {
                    reason: "it was terminated".into(),
                },
                sockets: Some(sockets),
            },
            Ok((Err(error), sockets)) => Run::Stopped {
                error,
                sockets: Some(sockets),
            },
            Err(_) => Run::Stopped {
                error: Error::ThreadPanicked { what: "proxy" },
                sockets: None,
            },
        }
    }
}

/// A proxy that stopped on an error, handed back by [`SteerableProxy::terminate`]: the error
/// and the sockets it ran on (none when its thread panicked).
///
/// A `Send + Sync` [`std::error::Error`] (the sockets are reachable by value only, through
/// [`ProxyFailed::into_parts`]), so `?` takes it into the crate's [`Error`] (the proxy's own
/// error), `anyhow::Error` or `Box<dyn Error + Send + Sync>`, closing the sockets.
pub struct ProxyFailed {
    error: Error,
    sockets: Unshared<Option<ProxySockets>>,
}

impl ProxyFailed {
    fn new(error: Error, sockets: Option<ProxySockets>) -> ProxyFailed {
        ProxyFailed {
            error,
            sockets: Unshared::new(sockets),
        }
    }

    /// Why the proxy stopped: libzmq's error (`ENOTSUP` for a capture socket that cannot
    /// send, [`Error::Terminated`] after the context's shutdown...), or
    /// [`Error::ThreadPanicked`].
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error and the sockets (frontend, backend, capture); no sockets when the thread
    /// panicked.
    pub fn into_parts(self) -> (Error, Option<ProxySockets>) {
        (self.error, self.sockets.into_inner())
    }

    /// The sockets alone.
    pub fn into_sockets(self) -> Option<ProxySockets> {
        self.sockets.into_inner()
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl fmt::Debug for ProxyFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyFailed")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ProxyFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the proxy failed: {}", self.error)
    }
}

impl std::error::Error for ProxyFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl From<ProxyFailed> for Error {
    fn from(e: ProxyFailed) -> Error {
        e.error
    }
}

/// A steerable proxy running on its own thread (`zmq-typed-proxy`, with a
/// [`PROXY_STACK_SIZE`] stack). Dropping the handle terminates it.
///
/// No call on the handle waits for ever on a proxy that has stopped: once the proxy has
/// failed (a capture socket that cannot send, the context's shutdown...), every command
/// returns [`Error::ProxyStopped`] with the proxy's own error, [`SteerableProxy::terminate`]
/// returns that error *with* the sockets ([`ProxyFailed`]), and dropping returns at once.
///
/// ```
/// use zmq_typed::{Context, Socket, SocketType, SteerableProxy};
/// let ctx = Context::new()?;
/// let front = Socket::new(&ctx, SocketType::Pull)?;
/// let front_ep = front.bind("inproc://proxy-doc-in")?;
/// let back = Socket::new(&ctx, SocketType::Push)?;
/// let back_ep = back.bind("inproc://proxy-doc-out")?;
/// let proxy = SteerableProxy::start(&ctx, front, back, None)?;
///
/// let producer = Socket::new(&ctx, SocketType::Push)?;
/// producer.connect(&front_ep)?;
/// let consumer = Socket::new(&ctx, SocketType::Pull)?;
/// consumer.connect(&back_ep)?;
/// producer.send("through the proxy")?;
/// assert_eq!(consumer.recv()?, "through the proxy");
/// assert_eq!(proxy.statistics()?.frontend.messages_in, 1);
/// let (front, back, capture) = proxy.terminate()?;
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
///
/// `terminate` takes the proxy, so it cannot be terminated twice:
///
/// ```compile_fail,E0382
/// # use zmq_typed::{Context, Socket, SocketType, SteerableProxy};
/// # let ctx = Context::new()?;
/// # let front = Socket::new(&ctx, SocketType::Pull)?;
/// # let back = Socket::new(&ctx, SocketType::Push)?;
/// let proxy = SteerableProxy::start(&ctx, front, back, None)?;
/// let _ = proxy.terminate();
/// let _ = proxy.terminate(); // error[E0382]: use of moved value: `proxy`
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct SteerableProxy {
    control: Socket,
    run: RefCell<Run>,
    /// Disconnected once the thread is done (it drops the sender as it returns).
    done: mpsc::Receiver<()>,
}

impl fmt::Debug for SteerableProxy {
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

impl SteerableProxy {
    /// Starts `zmq_proxy_steerable` on a new thread with the given sockets (moved to it) and
    /// a control socket of its own. [`Error::ThreadSpawn`] when the thread cannot start (the
    /// sockets are then closed).
    ///
    /// Wraps `zmq_proxy_steerable` ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start(
        ctx: &Context,
        frontend: Socket,
        backend: Socket,
        capture: Option<Socket>,
    ) -> Result<SteerableProxy> {
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
                    .map_or(std::ptr::null_mut(), |s| s.as_ptr());
                let result = loop {
                    // SAFETY: the four sockets are owned by this thread for the whole call.
                    let rc = unsafe {
                        zmq_ffi::zmq_proxy_steerable(
                            frontend.as_ptr(),
                            backend.as_ptr(),
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
            done,
        })
    }

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
                reason: error.to_string(),
            }),
            Run::Gone => Some(Error::ProxyStopped {
                reason: "it was terminated".into(),
            }),
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
            reason: "the context was shut down".into(),
        })
    }

    /// Waits at most one slice for the control socket to be ready for `events`.
    fn wait_control(&self, events: PollEvents) -> Result<()> {
        match crate::poll::poll(&[(&self.control, events, ())], Some(SLICE)) {
            Ok(_) => Ok(()),
            Err(Error::Terminated(_)) => Err(self.stopped_by_shutdown()),
            Err(e) => Err(e),
        }
    }

    /// Sends a command without ever blocking on a proxy that has stopped: the proxy's end of
    /// the control pair goes away with it, after which a send could never complete.
    fn command(&self, cmd: &'static str) -> Result<()> {
        loop {
            if let Some(stopped) = self.stopped_error() {
                return Err(stopped);
            }
            match self.control.try_send(cmd) {
                Ok(None) => return Ok(()),
                Ok(Some(_)) => self.wait_control(PollEvents::OUT)?,
                Err(Error::Terminated(_)) => return Err(self.stopped_by_shutdown()),
                Err(e) => return Err(e),
            }
        }
    }

    /// Stops forwarding until [`SteerableProxy::resume`] (`PAUSE`). [`Error::ProxyStopped`]
    /// when the proxy has stopped.
    ///
    /// Wraps `zmq_msg_send` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn pause(&self) -> Result<()> {
        self.command("PAUSE")
    }

    /// Forwards again (`RESUME`). [`Error::ProxyStopped`] when the proxy has stopped.
    ///
    /// Wraps `zmq_msg_send` on the proxy's control socket.
    pub fn resume(&self) -> Result<()> {
        self.command("RESUME")
    }

    /// The proxy's counters (`STATISTICS`). [`Error::ProxyStopped`], with the proxy's error,
    /// when the proxy has stopped, before or while answering.
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn statistics(&self) -> Result<ProxyStats> {
        self.command("STATISTICS")?;
        let reply = loop {
            match self.control.try_recv_multipart() {
                Ok(Some(reply)) => break reply,
                Ok(None) => {
                    if let Some(stopped) = self.stopped_error() {
                        return Err(stopped);
                    }
                    self.wait_control(PollEvents::IN)?;
                }
                Err(Error::Terminated(_)) => return Err(self.stopped_by_shutdown()),
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
    fn send_terminate(&self) -> Result<()> {
        loop {
            if self.thread_done() {
                return Ok(());
            }
            match self.control.try_send("TERMINATE") {
                Ok(None) | Err(Error::Terminated(_)) => return Ok(()),
                Ok(Some(_)) => {
                    match crate::poll::poll(&[(&self.control, PollEvents::OUT, ())], Some(SLICE)) {
                        Ok(_) => {}
                        Err(Error::Terminated(_)) => return Ok(()),
                        Err(e) => return Err(e),
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Stops the proxy (`TERMINATE`), waits for its thread and gives the sockets back,
    /// whether the proxy was running or had already failed; in the second case the error
    /// comes with the sockets ([`ProxyFailed`]; `?` turns it into the proxy's own
    /// [`Error`]). A running proxy stops as soon as it reads the command (it waits for
    /// nothing else, unless libzmq is blocked forwarding to a peer that does not read).
    ///
    /// Wraps `zmq_msg_send` on the proxy's control socket
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn terminate(mut self) -> Result<ProxySockets, ProxyFailed> {
        match std::mem::replace(self.run.get_mut(), Run::Gone) {
            Run::Running(handle) => {
                if let Err(e) = self.send_terminate() {
                    // The command could not be given (the control socket failed): the
                    // proxy may never stop, so it is left to finish on its own.
                    return Err(ProxyFailed::new(e, None));
                }
                match handle.join() {
                    Ok((Ok(()), sockets)) => Ok(sockets),
                    Ok((Err(error), sockets)) => Err(ProxyFailed::new(error, Some(sockets))),
                    Err(_) => Err(ProxyFailed::new(
                        Error::ThreadPanicked { what: "proxy" },
                        None,
                    )),
                }
            }
            Run::Stopped { error, sockets } => Err(ProxyFailed::new(error, sockets)),
            Run::Gone => Err(ProxyFailed::new(
                Error::ProxyStopped {
                    reason: "it was terminated".into(),
                },
                None,
            )),
        }
    }
}

impl Drop for SteerableProxy {
    /// Terminates a running proxy and waits at most [`DROP_GRACE`] for its thread (it stops
    /// at once unless libzmq is blocked forwarding to a peer that does not read; it is then
    /// left to finish on its own, which it does on reading the command or on the context's
    /// shutdown). Returns at once for a proxy that has stopped.
    fn drop(&mut self) {
        if let Run::Running(handle) = std::mem::replace(self.run.get_mut(), Run::Gone) {
            let done = match self.send_terminate() {
                Ok(()) => matches!(
                    self.done.recv_timeout(DROP_GRACE),
                    Err(mpsc::RecvTimeoutError::Disconnected)
                ),
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
