//! Shutting a context down on a signal (Ctrl-C, `SIGTERM`), correctly.
//!
//! ```no_run
//! use zmq_typed::{Context, Error, Socket, SocketType};
//!
//! fn main() -> zmq_typed::Result<()> {
//!     let ctx = Context::new()?;
//!     let signals = ctx.shutdown_on_ctrl_c()?; // SIGINT and SIGTERM
//!     let pull = Socket::new(&ctx, SocketType::Pull)?;
//!     pull.bind("tcp://127.0.0.1:5555")?;
//!     loop {
//!         match pull.recv() {
//!             Ok(msg) => println!("{} bytes", msg.len()),
//!             Err(Error::Terminated(_)) => break, // Ctrl-C: every blocked call wakes up
//!             Err(e) => return Err(e),
//!         }
//!     }
//!     drop(pull);
//!     if let Some(sig) = signals.received() {
//!         std::process::exit(128 + sig); // what a shell reports for a death by that signal
//!     }
//!     Ok(())
//! }
//! ```
//!
//! # Why not call `zmq_ctx_shutdown` from a signal handler
//! A signal handler may run at any instruction of the thread it interrupts, and may only call
//! async-signal-safe functions. `zmq_ctx_shutdown` is not one: it takes the context's recursive
//! mutex and may allocate. If the handler interrupts a thread that is inside `zmq_socket` or
//! `zmq_close` of the same context, it re-enters libzmq's locked state (the recursive mutex lets
//! the same thread in) or, on another thread's lock, waits for ever; an allocation inside
//! `malloc` corrupts the heap. Setting a flag in the handler and checking it does not work
//! either: blocking calls of this crate retry `EINTR` (as they must, for timeouts to hold), so
//! a call blocked in `recv` never returns to look at the flag.
//!
//! # What this module does
//! [`Context::shutdown_on_signals`] registers, through the [`signal_hook`] crate, handlers that
//! do only async-signal-safe things:
//! - write one byte to a self-pipe (signal-hook's iterator), which wakes a helper thread of this
//!   crate, named `zmq-typed-sig`; that thread calls `zmq_ctx_shutdown` through a
//!   [`ShutdownHandle`] (a weak reference: it does not keep the context alive). Every blocked
//!   call on the context's sockets, in any thread, then returns [`Error::Terminated`], and so
//!   does every later one;
//! - store the signal number in an atomic, read by [`SignalShutdown::received`], so that the
//!   program can exit with `128 + signal` as a shell expects;
//! - mark the signal as seen (an atomic swap); when **the same signal arrives a second time**,
//!   run the signal's default action ([`signal_hook::low_level::emulate_default_handler`]:
//!   `sigaction(SIG_DFL)`, `sigprocmask`, `raise`, all async-signal-safe): a program that hangs
//!   after the first Ctrl-C (a computation that does not look at its sockets, a context waiting
//!   for its linger) still dies at the second, of `SIGINT`, as if it had no handler. A different
//!   signal of the set after the first (a `SIGTERM` after a `SIGINT`) is one more shutdown
//!   request, which changes nothing.
//!
//! libzmq's own threads block every signal, so a signal interrupts a thread of the program or
//! the helper thread; an interrupted blocking call of this crate retries and is woken by the
//! shutdown.
//!
//! # Dropping the guard
//! Dropping the [`SignalShutdown`] unregisters its handlers, closes the self-pipe's iterator,
//! which wakes the helper thread, and joins that thread, waiting at most 2 seconds (the thread
//! only ever waits inside `zmq_ctx_shutdown`; past that it is left to finish on its own).
//! The signals then get back the disposition they had before the first guard of the process:
//! signal-hook cannot uninstall the handler it put in the kernel, so for a signal whose
//! disposition was the default one this crate keeps a small action that runs the default
//! action while no guard covers the signal (`SIGTERM` then terminates the process again; a
//! signal that was ignored stays ignored; a handler installed before, outside signal-hook,
//! keeps being called by signal-hook). A program that registers its *own* signal-hook actions
//! for the same signals after dropping a guard should know that this default action runs too.

use std::os::raw::c_int;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use signal_hook::iterator::{Handle, Signals};
use signal_hook::low_level;
use signal_hook::SigId;

use crate::context::{Context, ShutdownHandle};
#[cfg(doc)]
use crate::error::Error;
use crate::error::{Detail, Error as E, Result};

/// Signal numbers handled: 1 to 127 (signal-hook's own bound).
const MAX_SIGNAL: usize = 128;

/// How long dropping a guard waits for the helper thread.
const JOIN_PATIENCE: Duration = Duration::from_secs(2);

/// For each signal number, how many live guards cover it (read by the fallback action).
static ACTIVE: [AtomicUsize; MAX_SIGNAL] = [const { AtomicUsize::new(0) }; MAX_SIGNAL];

/// For each signal number, whether the fallback action is registered. Guarded by a mutex so
/// that two guards set up at once register it once.
static FALLBACK: Mutex<[bool; MAX_SIGNAL]> = Mutex::new([false; MAX_SIGNAL]);

/// The state one guard shares with its signal handlers.
struct State {
    /// The first signal received, 0 for none.
    received: AtomicI32,
    /// Per signal number: whether it was received once.
    seen: [AtomicBool; MAX_SIGNAL],
}

/// Runs the default action of `sig` from a signal handler. Async-signal-safe.
fn default_action(sig: c_int) {
    if low_level::emulate_default_handler(sig).is_err() {
        // A signal signal-hook does not know (a real-time one): their default is to terminate;
        // _exit is async-signal-safe.
        low_level::exit(128 + sig);
    }
}

/// The handler (or `SIG_DFL`, `SIG_IGN`) installed for `sig`; errno when it is no signal.
fn disposition(sig: c_int) -> std::result::Result<libc::sighandler_t, i32> {
    // SAFETY: an all-zero sigaction is a valid value for sigaction to overwrite.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a query only (no new action); old is ours to write.
    let rc = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
    if rc == 0 {
        Ok(old.sa_sigaction)
    } else {
        Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EINVAL))
    }
}

/// Keeps the disposition a signal had before the first guard while no guard covers it.
fn install_fallback(sig: c_int) -> Result<()> {
    let mut installed = FALLBACK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let slot = sig as usize;
    if installed[slot] {
        return Ok(());
    }
    let old = disposition(sig)
        .map_err(|errno| E::from_errno(errno, Detail::new(format!("sigaction({sig}) query"))))?;
    // Only the default disposition needs an action: signal-hook already ignores a signal
    // that was ignored when no action runs, and chain-calls a handler installed before it.
    if old == libc::SIG_DFL {
        // SAFETY: the action is async-signal-safe: an atomic load and the default action.
        let registered = unsafe {
            low_level::register(sig, move || {
                if ACTIVE[slot].load(Ordering::SeqCst) == 0 {
                    default_action(sig);
                }
            })
        };
        registered.map_err(|e| io_error(e, sig))?;
    }
    installed[slot] = true;
    Ok(())
}

fn io_error(e: std::io::Error, sig: c_int) -> E {
    E::from_errno(
        e.raw_os_error().unwrap_or(libc::EINVAL),
        Detail::new(format!("registering a handler for signal {sig}")),
    )
}

/// The name of a signal (`SIGINT`), or its number.
fn name(sig: c_int) -> String {
    low_level::signal_name(sig)
        .map(str::to_string)
        .unwrap_or_else(|| format!("signal {sig}"))
}

/// Shuts a [`Context`] down when one of some signals arrives; made by
/// [`Context::shutdown_on_signals`]. See [the module docs](self) for how, and for what a
/// second signal and dropping the guard do.
///
/// Keep it alive as long as the signals should shut the context down: dropping it unregisters
/// the handlers and stops its helper thread.
#[must_use = "dropping the guard unregisters the signal handlers at once"]
pub struct SignalShutdown {
    signals: Vec<c_int>,
    state: Arc<State>,
    ids: Vec<SigId>,
    handle: Handle,
    thread: Option<JoinHandle<()>>,
    /// Told when the helper thread ends (in a mutex only to make the guard `Sync`).
    done: Mutex<mpsc::Receiver<()>>,
}

impl std::fmt::Debug for SignalShutdown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignalShutdown")
            .field("signals", &self.signals)
            .field("received", &self.received())
            .finish()
    }
}

impl SignalShutdown {
    /// The first of the signals that arrived, if one did (`Some(libc::SIGINT)` after Ctrl-C).
    /// Set by the signal handler itself, before the context is shut down, so it is already
    /// there when a blocked call returns [`Error::Terminated`].
    pub fn received(&self) -> Option<i32> {
        match self.state.received.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig),
        }
    }

    /// The signals this guard handles.
    pub fn signals(&self) -> &[i32] {
        &self.signals
    }
}

impl Drop for SignalShutdown {
    fn drop(&mut self) {
        // First no longer covered, so that a signal arriving from now on gets its earlier
        // disposition rather than being lost.
        for &sig in &self.signals {
            ACTIVE[sig as usize].fetch_sub(1, Ordering::SeqCst);
        }
        for id in self.ids.drain(..) {
            low_level::unregister(id);
        }
        // Wakes the helper thread, whose iterator then ends; its signal-hook actions are
        // unregistered when the iterator and this handle are gone.
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let done = self
                .done
                .get_mut()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match done.recv_timeout(JOIN_PATIENCE) {
                Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let _ = thread.join();
                }
                // Still inside zmq_ctx_shutdown: let it finish on its own.
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// Sends on drop: tells the guard that the helper thread has finished, even by a panic.
struct Done(mpsc::Sender<()>);

impl Drop for Done {
    fn drop(&mut self) {
        let _ = self.0.send(());
    }
}

impl Context {
    /// Shuts this context down when one of `signals` arrives: every blocked call on its
    /// sockets returns [`Error::Terminated`]. A second arrival of the same signal runs its
    /// default action (a second Ctrl-C kills a program that hangs). The guard tells which
    /// signal came ([`SignalShutdown::received`]); dropping it unregisters the handlers and
    /// gives the signals back their earlier disposition. See [`crate::signals`] for how this
    /// stays async-signal-safe.
    ///
    /// A signal the process was ignoring (`SIG_IGN`, as `nohup` arranges for `SIGHUP` and a
    /// shell for `SIGINT` in a background job) is handled too while the guard lives, and its
    /// second arrival then runs the *default* action, which ends the process. A program that
    /// wants to keep such a signal ignored leaves it out of the list.
    ///
    /// Errors: [`Error::InvalidArgument`] for an empty list, a number that is no signal, or a
    /// signal that cannot be handled (`SIGKILL`, `SIGSTOP`, `SIGILL`, `SIGFPE`, `SIGSEGV`);
    /// [`Error::ThreadSpawn`] when the helper thread cannot start.
    ///
    /// Wraps `zmq_ctx_shutdown`, called from the helper thread when a signal arrives
    /// ([man zmq_ctx_shutdown](http://api.zeromq.org/4-3:zmq-ctx-shutdown)), through the
    /// `signal-hook` crate.
    pub fn shutdown_on_signals(&self, signals: &[i32]) -> Result<SignalShutdown> {
        let mut sigs: Vec<c_int> = Vec::with_capacity(signals.len());
        for &sig in signals {
            if sig <= 0 || sig as usize >= MAX_SIGNAL || disposition(sig).is_err() {
                return Err(E::InvalidArgument(Detail::new(format!(
                    "{sig} is not a signal number"
                ))));
            }
            if signal_hook::consts::FORBIDDEN.contains(&sig) {
                return Err(E::InvalidArgument(Detail::new(format!(
                    "{} cannot be handled: it cannot be caught, or it is a fault that a \
                     handler must not return from",
                    name(sig)
                ))));
            }
            if !sigs.contains(&sig) {
                sigs.push(sig);
            }
        }
        if sigs.is_empty() {
            return Err(E::InvalidArgument(Detail::new(
                "shutdown_on_signals needs at least one signal",
            )));
        }
        for &sig in &sigs {
            install_fallback(sig)?;
        }

        // The self-pipe first: from the moment the recording actions below are in place, a
        // signal also reaches the helper thread (buffered in the pipe until it starts), so
        // none is recorded without shutting the context down.
        let mut iterator = Signals::new(&sigs).map_err(|e| io_error(e, sigs[0]))?;
        let state = Arc::new(State {
            received: AtomicI32::new(0),
            seen: [const { AtomicBool::new(false) }; MAX_SIGNAL],
        });
        let mut guard = Partial {
            signals: Vec::new(),
            ids: Vec::new(),
        };
        for &sig in &sigs {
            ACTIVE[sig as usize].fetch_add(1, Ordering::SeqCst);
            guard.signals.push(sig);
            let state = Arc::clone(&state);
            // SAFETY: the action is async-signal-safe: atomic operations on memory the Arc
            // keeps alive until the action is unregistered, and the default action.
            let id = unsafe {
                low_level::register(sig, move || {
                    let _ =
                        state
                            .received
                            .compare_exchange(0, sig, Ordering::SeqCst, Ordering::SeqCst);
                    if state.seen[sig as usize].swap(true, Ordering::SeqCst) {
                        default_action(sig);
                    }
                })
            }
            .map_err(|e| io_error(e, sig))?;
            guard.ids.push(id);
        }

        let handle = iterator.handle();
        let shutdown: ShutdownHandle = self.shutdown_handle();
        let (done_tx, done) = mpsc::channel();
        let recorded = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("zmq-typed-sig".into())
            .spawn(move || {
                let _done = Done(done_tx);
                for signal in iterator.forever() {
                    // The recording action may still be running in another thread (the
                    // self-pipe's action runs first): record the signal here too, before the
                    // shutdown, so that a call woken by the shutdown always finds it in
                    // `received()`. The first one recorded stays.
                    let _ = recorded.received.compare_exchange(
                        0,
                        signal,
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                    shutdown.shutdown();
                }
            })
            .map_err(|e| E::ThreadSpawn {
                what: "signal listener",
                reason: e.to_string(),
            })?;
        Ok(SignalShutdown {
            signals: std::mem::take(&mut guard.signals),
            state,
            ids: std::mem::take(&mut guard.ids),
            handle,
            thread: Some(thread),
            done: Mutex::new(done),
        })
    }

    /// [`Context::shutdown_on_signals`] for `SIGINT` (Ctrl-C) and `SIGTERM` (`kill`, service
    /// managers).
    ///
    /// Wraps `zmq_ctx_shutdown`, called from the helper thread when a signal arrives.
    /// ([man zmq_ctx_shutdown](http://api.zeromq.org/4-3:zmq-ctx-shutdown))
    pub fn shutdown_on_ctrl_c(&self) -> Result<SignalShutdown> {
        self.shutdown_on_signals(&[libc::SIGINT, libc::SIGTERM])
    }
}

/// What a half-made guard has registered, undone if the rest fails.
struct Partial {
    signals: Vec<c_int>,
    ids: Vec<SigId>,
}

impl Drop for Partial {
    fn drop(&mut self) {
        for &sig in &self.signals {
            ACTIVE[sig as usize].fetch_sub(1, Ordering::SeqCst);
        }
        for id in self.ids.drain(..) {
            low_level::unregister(id);
        }
    }
}
