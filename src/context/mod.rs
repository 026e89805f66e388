//! The libzmq context: the owner of the I/O threads and of every socket made from it.
//!
//! See [man zmq_ctx_new](http://api.zeromq.org/4-3:zmq-ctx-new),
//! [zmq_ctx_set](http://api.zeromq.org/4-3:zmq-ctx-set) and
//! [zmq_ctx_term](http://api.zeromq.org/4-3:zmq-ctx-term).
//!
//! # Linger and drop
//! libzmq's default linger is infinite: terminating a context waits for ever for messages
//! queued to a peer that never comes. This crate instead gives every socket it creates a
//! linger of [`DEFAULT_LINGER`] (2 seconds) unless the context was built with another
//! ([`ContextBuilder::default_linger`]) or the socket sets its own
//! ([`crate::SocketCore::set_linger`]). So dropping the last handle of a context never hangs for
//! ever: it returns as soon as every queued message has been handed to the network, or after
//! the linger bound, whichever comes first; a connected peer that reads within the bound gets
//! every message. Closing a socket never blocks; only the context's termination waits.
//!
//! Sockets keep their context alive: the context is terminated (`zmq_ctx_term`) when the last
//! [`Context`] clone *and* the last socket made from it are gone, so termination never waits
//! for a socket that is still in use, and never frees what a live socket uses.
//!
//! A socket handed out raw ([`crate::Socket::into_raw`]) is the one the crate cannot close:
//! libzmq's termination waits for ever until its owner closes it. A context that handed one
//! out therefore waits for its termination at most its default linger plus
//! [`TERMINATE_GRACE`]; past that, dropping returns silently and [`Context::terminate`] returns
//! [`Error::TimedOut`], and the termination finishes in the background once the socket is
//! closed. [`Context::terminate`] also reports, instead of waiting, that sockets or other
//! handles still use the context.
//!
//! # Scheduling options are checked when the context is built
//! libzmq applies [`ContextBuilder::thread_sched_policy`], [`ContextBuilder::thread_priority`]
//! and [`ContextBuilder::thread_affinity_cpu`] in each of its threads (the reaper and every I/O
//! thread) when they start, that is at the context's first socket, and *aborts the whole
//! process* when the operating system refuses them (`posix_assert`/`errno_assert` in
//! `applySchedulingParameters`, `thread.cpp`), although `zmq_ctx_set` accepted them: an unknown
//! policy, a priority outside the policy's range, a CPU this process may not run on, a priority
//! or nice value the process may not set. So [`ContextBuilder::build`], when any of these
//! options is given, runs a short-lived probe thread that does exactly what libzmq 4.3.4 does
//! (`pthread_getschedparam`, the policy override, priority 0 and `nice(-20)` for a priority
//! with a non-real-time policy, `pthread_setschedparam`, `pthread_setaffinity_np`) and
//! returns the first refusal as [`Error::OptionValue`] (what is wrong with which option) or
//! [`Error::NotPermitted`] (what this process may not do). A CPU number of `CPU_SETSIZE`
//! (1024) or more is refused before that: a `cpu_set_t` cannot name it.
//!
//! The probe answers for the thread that builds the context, now. libzmq's threads are
//! started later by the thread that creates the first socket and inherit *its* scheduling: a
//! program that changes its own scheduling, privileges or CPU set in between can still make
//! libzmq abort.
//!
//! # Descriptors and threads for the first socket
//! The first socket of a context starts libzmq's reaper and I/O threads, which need 2
//! descriptors each (an eventfd mailbox and an epoll instance), and libzmq aborts when it cannot
//! open the epoll instance. Creating that socket therefore first checks that
//! 3 + 2 × [`Context::io_threads`] descriptors can be opened and returns
//! [`Error::TooManyOpenFiles`] otherwise; see [`crate::fd_headroom`].
//!
//! libzmq also aborts (`thread.cpp:269`, `Resource temporarily unavailable`) when it cannot
//! start one of those 1 + [`Context::io_threads`] threads: `RLIMIT_NPROC` (which counts every
//! thread of the user, in every process, and binds every user but root), the `pids` limit of
//! a control group, the system's thread limit, or memory for a thread's stack. So that socket
//! is also preceded by a probe that starts as many threads, all at once and with the same
//! default attributes (stack size) as libzmq's, lets them exit and waits until the system has
//! released them; when they cannot all be started, [`Error::ThreadSpawn`] says so (with the
//! operating system's reason, usually `EAGAIN`) before libzmq starts any.
//!
//! What stays unguarded: the probe answers for the moment it runs. Another thread of the
//! process, or another process of the same user, that starts a thread or a process between
//! the probe and libzmq's own `pthread_create` takes a slot the probe counted, and libzmq can
//! still abort; so can a limit lowered in between. Keep a margin under `RLIMIT_NPROC`.
//!
//! # Signals
//! [`Context::shutdown`] and [`ShutdownHandle::shutdown`] are for other *threads*; they are not
//! async-signal-safe. To shut a context down on Ctrl-C or `SIGTERM`, use
//! [`Context::shutdown_on_signals`] or [`Context::shutdown_on_ctrl_c`] ([`crate::signals`]).

mod scheduling;
mod terminate;

pub use terminate::TERMINATE_GRACE;

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::error::{check, last_error, Detail, Error, Result};
use scheduling::Scheduling;

/// The linger given to sockets whose context did not choose another: 2 seconds.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(2);

pub(crate) struct RawContext {
    ptr: *mut c_void,
    default_linger: Option<Duration>,
    thread_priority: Option<i32>,
    /// Whether a socket was created, that is whether libzmq started its threads.
    started: AtomicBool,
    /// Whether a socket was handed out raw (`into_raw`): its owner may not close it before
    /// the termination, which would then wait for ever, so the termination is bounded.
    raw_sockets: AtomicBool,
}

// SAFETY: a libzmq context is thread safe: every zmq_ctx_* call and zmq_socket may be made
// from any thread concurrently (man zmq_ctx_new: "thread safe").
unsafe impl Send for RawContext {}
// SAFETY: as above; the Rust fields are immutable after construction, but for an atomic.
unsafe impl Sync for RawContext {}

/// A libzmq context. Cheap to clone (a reference count); `Send + Sync`.
///
/// Wraps `zmq_ctx_new`, `zmq_ctx_set`, `zmq_ctx_get`, `zmq_ctx_shutdown` and `zmq_ctx_term`
/// ([man zmq_ctx_new](http://api.zeromq.org/4-3:zmq-ctx-new)).
///
/// ```
/// let ctx = zmq_typed::Context::builder().io_threads(2).build()?;
/// assert_eq!(ctx.io_threads()?, 2);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[derive(Clone)]
pub struct Context {
    pub(crate) raw: Arc<RawContext>,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("ptr", &self.raw.ptr)
            .finish()
    }
}

/// Options for a new [`Context`], applied before its first socket exists.
///
/// Wraps `zmq_ctx_set` ([man zmq_ctx_set](http://api.zeromq.org/4-3:zmq-ctx-set)).
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ContextBuilder {
    ints: Vec<(c_int, &'static str, c_int)>,
    default_linger: Option<Option<Duration>>,
    thread_priority: Option<i32>,
}

impl ContextBuilder {
    fn int(mut self, option: c_int, name: &'static str, value: c_int) -> Self {
        self.ints.push((option, name, value));
        self
    }

    /// Number of I/O threads (`ZMQ_IO_THREADS`, default 1).
    pub fn io_threads(self, n: u16) -> Self {
        self.int(zmq_ffi::ZMQ_IO_THREADS, "ZMQ_IO_THREADS", c_int::from(n))
    }

    /// Maximum number of sockets (`ZMQ_MAX_SOCKETS`, default 1023).
    pub fn max_sockets(self, n: u32) -> Self {
        self.int(
            zmq_ffi::ZMQ_MAX_SOCKETS,
            "ZMQ_MAX_SOCKETS",
            n.min(c_int::MAX as u32) as c_int,
        )
    }

    /// Whether sockets use IPv6 (`ZMQ_IPV6`, default off).
    pub fn ipv6(self, on: bool) -> Self {
        self.int(zmq_ffi::ZMQ_IPV6, "ZMQ_IPV6", c_int::from(on))
    }

    /// libzmq's own `ZMQ_BLOCKY` flag (default on): whether `zmq_ctx_term` applies libzmq's
    /// infinite default linger. Sockets of this crate always get an explicit linger, so this
    /// only matters to sockets made through the raw API.
    pub fn blocky(self, on: bool) -> Self {
        self.int(zmq_ffi::ZMQ_BLOCKY, "ZMQ_BLOCKY", c_int::from(on))
    }

    /// Scheduling priority of the I/O threads (`ZMQ_THREAD_PRIORITY`); needs a real-time
    /// scheduling policy and, usually, privileges.
    pub fn thread_priority(mut self, priority: i32) -> Self {
        self.thread_priority = Some(priority);
        self.int(
            zmq_ffi::ZMQ_THREAD_PRIORITY,
            "ZMQ_THREAD_PRIORITY",
            priority,
        )
    }

    /// Scheduling policy of the I/O threads (`ZMQ_THREAD_SCHED_POLICY`, a `SCHED_*` value).
    pub fn thread_sched_policy(self, policy: i32) -> Self {
        self.int(
            zmq_ffi::ZMQ_THREAD_SCHED_POLICY,
            "ZMQ_THREAD_SCHED_POLICY",
            policy,
        )
    }

    /// Pins the I/O threads to `cpu` (`ZMQ_THREAD_AFFINITY_CPU_ADD`); may be given repeatedly.
    pub fn thread_affinity_cpu(self, cpu: u16) -> Self {
        self.int(
            zmq_ffi::ZMQ_THREAD_AFFINITY_CPU_ADD,
            "ZMQ_THREAD_AFFINITY_CPU_ADD",
            c_int::from(cpu),
        )
    }

    /// A number libzmq puts in front of its threads' names (`ZMQ_THREAD_NAME_PREFIX`; an
    /// integer in libzmq 4.3).
    pub fn thread_name_prefix(self, prefix: i32) -> Self {
        self.int(
            zmq_ffi::ZMQ_THREAD_NAME_PREFIX,
            "ZMQ_THREAD_NAME_PREFIX",
            prefix,
        )
    }

    /// Largest message accepted by any socket (`ZMQ_MAX_MSGSZ`, default `i32::MAX`).
    pub fn max_msgsz(self, bytes: i32) -> Self {
        self.int(zmq_ffi::ZMQ_MAX_MSGSZ, "ZMQ_MAX_MSGSZ", bytes)
    }

    /// The linger given to each new socket: `None` waits for ever (libzmq's default,
    /// which can hang the context's termination), `Some(Duration::ZERO)` drops pending
    /// messages at once. The default is [`DEFAULT_LINGER`].
    pub fn default_linger(mut self, linger: Option<Duration>) -> Self {
        self.default_linger = Some(linger);
        self
    }

    /// Creates the context and applies the options in the order given.
    ///
    /// When a scheduling option is given ([`thread_sched_policy`](Self::thread_sched_policy),
    /// [`thread_priority`](Self::thread_priority),
    /// [`thread_affinity_cpu`](Self::thread_affinity_cpu)), a short-lived probe thread first
    /// applies them as libzmq's threads would, so that a value the system refuses is an error
    /// here ([`Error::OptionValue`], [`Error::NotPermitted`]) instead of an abort of the process
    /// at the first socket; see [the module docs](self#scheduling-options-are-checked-when-the-context-is-built).
    ///
    /// Wraps `zmq_ctx_new` and `zmq_ctx_set`
    /// ([man zmq_ctx_set](http://api.zeromq.org/4-3:zmq-ctx-set)).
    ///
    /// ```
    /// use zmq_typed::{Context, Error};
    /// // 99 is no scheduling policy: libzmq would abort the process at the first socket.
    /// let err = Context::builder().thread_sched_policy(99).build().unwrap_err();
    /// assert!(matches!(err, Error::OptionValue { option: "ZMQ_THREAD_SCHED_POLICY", .. }));
    /// ```
    pub fn build(self) -> Result<Context> {
        let scheduling = Scheduling::of(&self.ints);
        // SAFETY: zmq_ctx_new takes no arguments; NULL is checked below.
        let ptr = unsafe { zmq_ffi::zmq_ctx_new() };
        if ptr.is_null() {
            return Err(last_error(|| Detail::new("zmq_ctx_new")));
        }
        let ctx = Context {
            raw: Arc::new(RawContext {
                ptr,
                default_linger: self.default_linger.unwrap_or(Some(DEFAULT_LINGER)),
                thread_priority: self.thread_priority,
                started: AtomicBool::new(false),
                raw_sockets: AtomicBool::new(false),
            }),
        };
        for (option, name, value) in self.ints {
            ctx.set(option, name, value)?;
        }
        // After zmq_ctx_set, so that libzmq's own checks (negative values) keep their errors.
        scheduling.check()?;
        Ok(ctx)
    }
}

/// The descriptors libzmq opens when a context with `io_threads` I/O threads creates its first
/// socket: an eventfd mailbox and an epoll instance for the reaper and for each I/O thread, and
/// the socket's own mailbox (measured on libzmq 4.3.4).
pub(crate) fn first_socket_descriptors(io_threads: usize) -> usize {
    2 + 2 * io_threads + 1
}

/// The threads libzmq starts when a context with `io_threads` I/O threads creates its first
/// socket: the reaper and each I/O thread.
pub(crate) fn first_socket_threads(io_threads: usize) -> usize {
    1 + io_threads
}

impl Context {
    /// A context with libzmq's defaults (one I/O thread) and this crate's linger policy.
    ///
    /// Wraps `zmq_ctx_new` ([man zmq_ctx_new](http://api.zeromq.org/4-3:zmq-ctx-new)).
    #[doc(alias("zmq_ctx_new"))]
    pub fn new() -> Result<Context> {
        ContextBuilder::default().build()
    }

    /// A builder for a context with options.
    pub fn builder() -> ContextBuilder {
        ContextBuilder::default()
    }

    /// The raw `void *` context, for calls into [`zmq_ffi`]. It stays valid while `self` lives.
    pub fn as_ptr(&self) -> *mut c_void {
        self.raw.ptr
    }

    pub(crate) fn default_linger(&self) -> Option<Duration> {
        self.raw.default_linger
    }

    /// Before a socket is created: when it is the context's first, checks that the descriptors
    /// libzmq's threads need can be opened (libzmq aborts when it cannot open their epoll
    /// instance), then that the threads themselves can be started (libzmq aborts when
    /// `pthread_create` fails). Later sockets need one descriptor, which libzmq reports itself
    /// (`EMFILE`), and no thread.
    pub(crate) fn check_socket_headroom(&self, what: &dyn std::fmt::Display) -> Result<()> {
        if self.raw.started.load(Ordering::Acquire) {
            return Ok(());
        }
        let io_threads = usize::try_from(self.io_threads()?).unwrap_or(0);
        let doing = format!(
            "creating the first socket of a context ({what}), which starts libzmq's reaper \
             and {io_threads} I/O thread{s},",
            s = if io_threads == 1 { "" } else { "s" }
        );
        crate::fd_headroom::ensure(first_socket_descriptors(io_threads), &doing)?;
        crate::thread_headroom::ensure_threads(
            first_socket_threads(io_threads),
            "libzmq reaper or I/O",
            &doing,
        )
    }

    /// After a socket was created: libzmq's threads are running.
    pub(crate) fn socket_created(&self) {
        self.raw.started.store(true, Ordering::Release);
    }

    /// A socket was handed out raw (`into_raw`), or its descriptor lent (`AsFd`, which safe
    /// code can read, eating the wake-ups libzmq's reaper waits for): bound the termination's
    /// wait.
    pub(crate) fn raw_socket_handed_out(&self) {
        self.raw.raw_sockets.store(true, Ordering::Release);
    }

    /// Terminates the context now and reports how that went, which dropping the last handle
    /// does silently: `zmq_ctx_term`, which returns once every queued message has been handed
    /// to the network or the sockets' linger has run out ([see the linger policy](self#linger-and-drop)).
    ///
    /// Never hangs for ever (unless a socket was given an infinite linger, which asks for
    /// exactly that):
    /// - When sockets or other `Context` handles still use the context, it is not
    ///   terminated: this handle is dropped and [`Error::WrongState`] says how many others
    ///   are left; the context terminates when the last of them is dropped. (Waiting for
    ///   them here could wait for ever, for a socket owned by this very thread.)
    /// - When a socket was handed out raw ([`crate::Socket::into_raw`]) and is still open,
    ///   `zmq_ctx_term` would wait for ever: after the default linger plus
    ///   [`TERMINATE_GRACE`], [`Error::TimedOut`] says so, and the termination finishes in the
    ///   background once that socket is closed.
    ///
    /// Wraps `zmq_ctx_term` ([man zmq_ctx_term](http://api.zeromq.org/4-3:zmq-ctx-term)).
    ///
    /// ```
    /// use zmq_typed::{Context, Socket, SocketType};
    /// let ctx = Context::new()?;
    /// let socket = Socket::new(&ctx, SocketType::Push)?;
    /// // The socket still uses the context: not terminated, and said so.
    /// assert!(ctx.clone().terminate().unwrap_err().is_wrong_state());
    /// socket.close()?;
    /// ctx.terminate()?;
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    #[doc(alias("zmq_ctx_term"))]
    pub fn terminate(self) -> Result<()> {
        match Arc::try_unwrap(self.raw) {
            Ok(raw) => {
                let raw = std::mem::ManuallyDrop::new(raw);
                // SAFETY: the last handle, taken out of its Arc: no socket of this crate is
                // left, and ManuallyDrop keeps RawContext's Drop from terminating again. The
                // other fields own nothing that needs dropping.
                unsafe { raw.terminate_bounded() }
            }
            Err(shared) => {
                // This handle and its count in the message; `shared` drops at the end.
                let others = Arc::strong_count(&shared) - 1;
                Err(Error::WrongState(Detail::new(format!(
                    "Context::terminate: {others} socket{s} or other handle{s} of the context \
                     still use{v} it; it terminates when the last is dropped",
                    s = if others == 1 { "" } else { "s" },
                    v = if others == 1 { "s" } else { "" },
                ))))
            }
        }
    }

    fn set(&self, option: c_int, name: &'static str, value: c_int) -> Result<()> {
        // SAFETY: the context pointer is valid while self lives; zmq_ctx_set validates the
        // option and value itself.
        let rc = unsafe { zmq_ffi::zmq_ctx_set(self.raw.ptr, option, value) };
        check(rc, || Detail::new(format!("{name} = {value}"))).map(|_| ())
    }

    fn get(&self, option: c_int, name: &'static str) -> Result<c_int> {
        // SAFETY: the context pointer is valid while self lives.
        let rc = unsafe { zmq_ffi::zmq_ctx_get(self.raw.ptr, option) };
        check(rc, || Detail::new(name))
    }

    /// Number of I/O threads. Wraps `zmq_ctx_get(ZMQ_IO_THREADS)`.
    pub fn io_threads(&self) -> Result<i32> {
        self.get(zmq_ffi::ZMQ_IO_THREADS, "ZMQ_IO_THREADS")
    }

    /// Maximum number of sockets. Wraps `zmq_ctx_get(ZMQ_MAX_SOCKETS)`.
    pub fn max_sockets(&self) -> Result<i32> {
        self.get(zmq_ffi::ZMQ_MAX_SOCKETS, "ZMQ_MAX_SOCKETS")
    }

    /// Sets the maximum number of sockets. Wraps `zmq_ctx_set(ZMQ_MAX_SOCKETS)`.
    pub fn set_max_sockets(&self, n: u32) -> Result<()> {
        self.set(
            zmq_ffi::ZMQ_MAX_SOCKETS,
            "ZMQ_MAX_SOCKETS",
            n.min(c_int::MAX as u32) as c_int,
        )
    }

    /// The largest `max_sockets` this libzmq allows. Wraps `zmq_ctx_get(ZMQ_SOCKET_LIMIT)`.
    pub fn socket_limit(&self) -> Result<i32> {
        self.get(zmq_ffi::ZMQ_SOCKET_LIMIT, "ZMQ_SOCKET_LIMIT")
    }

    /// Whether new sockets use IPv6. Wraps `zmq_ctx_get(ZMQ_IPV6)`.
    pub fn ipv6(&self) -> Result<bool> {
        self.get(zmq_ffi::ZMQ_IPV6, "ZMQ_IPV6").map(|v| v != 0)
    }

    /// Makes new sockets use IPv6 or not. Wraps `zmq_ctx_set(ZMQ_IPV6)`.
    pub fn set_ipv6(&self, on: bool) -> Result<()> {
        self.set(zmq_ffi::ZMQ_IPV6, "ZMQ_IPV6", c_int::from(on))
    }

    /// libzmq's `ZMQ_BLOCKY` flag. Wraps `zmq_ctx_get(ZMQ_BLOCKY)`.
    pub fn blocky(&self) -> Result<bool> {
        self.get(zmq_ffi::ZMQ_BLOCKY, "ZMQ_BLOCKY").map(|v| v != 0)
    }

    /// Sets libzmq's `ZMQ_BLOCKY` flag. Wraps `zmq_ctx_set(ZMQ_BLOCKY)`.
    pub fn set_blocky(&self, on: bool) -> Result<()> {
        self.set(zmq_ffi::ZMQ_BLOCKY, "ZMQ_BLOCKY", c_int::from(on))
    }

    /// Largest message size. Wraps `zmq_ctx_get(ZMQ_MAX_MSGSZ)`.
    pub fn max_msgsz(&self) -> Result<i32> {
        self.get(zmq_ffi::ZMQ_MAX_MSGSZ, "ZMQ_MAX_MSGSZ")
    }

    /// `sizeof(zmq_msg_t)` of the libzmq in use. Wraps `zmq_ctx_get(ZMQ_MSG_T_SIZE)`.
    pub fn msg_t_size(&self) -> Result<i32> {
        self.get(zmq_ffi::ZMQ_MSG_T_SIZE, "ZMQ_MSG_T_SIZE")
    }

    /// The thread name prefix. Wraps `zmq_ctx_get(ZMQ_THREAD_NAME_PREFIX)`.
    pub fn thread_name_prefix(&self) -> Result<i32> {
        self.get(zmq_ffi::ZMQ_THREAD_NAME_PREFIX, "ZMQ_THREAD_NAME_PREFIX")
    }

    /// The I/O threads' scheduling policy, `None` for the operating system's default.
    ///
    /// Wraps `zmq_ctx_get(ZMQ_THREAD_SCHED_POLICY)`. libzmq returns -1 both for the default
    /// and for an error; on a valid context only the former can happen, so -1 reads as `None`.
    pub fn thread_sched_policy(&self) -> Option<i32> {
        // SAFETY: the context pointer is valid while self lives.
        let v = unsafe { zmq_ffi::zmq_ctx_get(self.raw.ptr, zmq_ffi::ZMQ_THREAD_SCHED_POLICY) };
        (v != -1).then_some(v)
    }

    /// The I/O threads' priority as set with [`ContextBuilder::thread_priority`].
    ///
    /// Not read through `zmq_ctx_get`: in libzmq 4.3.4 `ZMQ_THREAD_PRIORITY` shares its value
    /// with `ZMQ_SOCKET_LIMIT`, so reading it returns the socket limit (65535).
    pub fn thread_priority(&self) -> Option<i32> {
        self.raw.thread_priority
    }

    /// Shuts the context down: every blocking call on its sockets, in any thread, returns
    /// [`Error::Terminated`], and so does every later call except closing. Safe to call from
    /// another thread, repeatedly; this is how a blocked receiver is woken.
    ///
    /// The shutdown reaches each socket the next time libzmq processes that socket's
    /// commands: a blocking call returns [`Error::Terminated`] at once, but a call that does
    /// not wait (a send that finds room in the queue, a `try_recv`) may still succeed once
    /// before it does. A loop that must stop promptly should wait in a blocking call or a
    /// poll, which always see the shutdown.
    ///
    /// Not from a signal handler: `zmq_ctx_shutdown` takes a mutex and may allocate. For
    /// signals, see [`Context::shutdown_on_signals`].
    ///
    /// Wraps `zmq_ctx_shutdown` ([man zmq_ctx_shutdown](http://api.zeromq.org/4-3:zmq-ctx-shutdown)).
    #[doc(alias("zmq_ctx_shutdown"))]
    pub fn shutdown(&self) -> Result<()> {
        // SAFETY: the context pointer is valid while self lives; shutdown is thread safe.
        let rc = unsafe { zmq_ffi::zmq_ctx_shutdown(self.raw.ptr) };
        check(rc, || Detail::new("zmq_ctx_shutdown")).map(|_| ())
    }

    /// A handle that another thread can use to shut this context down, without keeping the
    /// context alive (a watchdog, a supervisor, the thread that handles signals).
    ///
    /// It is **not** for signal handlers: `zmq_ctx_shutdown` takes a recursive mutex that the
    /// interrupted thread may hold (inside `zmq_socket` or `zmq_close`) and may allocate, so
    /// from a handler it can deadlock or corrupt libzmq's state; and dropping the handle's
    /// temporary reference could terminate the context inside the handler. Signals go through
    /// [`Context::shutdown_on_signals`], which calls it from a thread.
    pub fn shutdown_handle(&self) -> ShutdownHandle {
        ShutdownHandle {
            raw: Arc::downgrade(&self.raw),
        }
    }
}

/// Shuts a [`Context`] down from another thread, without keeping it alive. See
/// [`Context::shutdown`] and [`Context::shutdown_handle`]; not for signal handlers (see
/// [`Context::shutdown_on_signals`]).
#[derive(Clone, Debug)]
pub struct ShutdownHandle {
    raw: std::sync::Weak<RawContext>,
}

impl ShutdownHandle {
    /// Shuts the context down if it still exists; returns whether it did. Not
    /// async-signal-safe (see [`Context::shutdown_handle`]).
    ///
    /// Wraps `zmq_ctx_shutdown` ([man zmq_ctx_shutdown](http://api.zeromq.org/4-3:zmq-ctx-shutdown)).
    pub fn shutdown(&self) -> bool {
        match self.raw.upgrade() {
            Some(raw) => {
                // SAFETY: the upgraded Arc keeps the context alive during the call.
                unsafe { zmq_ffi::zmq_ctx_shutdown(raw.ptr) == 0 }
            }
            None => false,
        }
    }
}
