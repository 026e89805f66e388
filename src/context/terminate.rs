//! Terminating a context: `zmq_ctx_term`, bounded when a socket or its descriptor was handed
//! out of the crate's reach, so that no drop waits for ever.

use std::os::raw::c_void;
use std::sync::atomic::Ordering;
use std::time::Duration;

#[cfg(doc)]
use super::Context;
use super::{RawContext, DEFAULT_LINGER};
use crate::error::{last_error, Detail, Error, Result};

impl RawContext {
    /// Terminates the context: `zmq_ctx_term`, retried on `EINTR`. Returns when every
    /// socket is closed and its linger is over; a socket handed out raw and still open makes
    /// it wait for ever, hence [`RawContext::terminate_bounded`].
    ///
    /// # Safety
    /// Called once, when no socket of this crate holds the context any more.
    unsafe fn term(ptr: *mut c_void) -> Result<()> {
        loop {
            // SAFETY: ptr came from zmq_ctx_new and is terminated once (the caller's promise),
            // after every socket holding an Arc to this context has been closed.
            let rc = unsafe { zmq_ffi::zmq_ctx_term(ptr) };
            if rc == 0 {
                return Ok(());
            }
            if crate::error::last_errno() != libc::EINTR {
                return Err(last_error(|| Detail::new("zmq_ctx_term")));
            }
        }
    }

    /// How long a termination waits when a socket was handed out raw: the default linger
    /// (the bound of every queued message of this crate's sockets) and [`TERMINATE_GRACE`].
    fn term_bound(&self) -> Duration {
        self.default_linger.unwrap_or(DEFAULT_LINGER) + TERMINATE_GRACE
    }

    /// Terminates the context, in the calling thread, or, when a socket was handed out raw,
    /// in a thread of its own waited for at most [`RawContext::term_bound`]; past that,
    /// [`Error::TimedOut`] and the termination goes on in the background.
    ///
    /// # Safety
    /// As [`RawContext::term`]: once, with no socket of this crate left.
    pub(super) unsafe fn terminate_bounded(&self) -> Result<()> {
        if !self.raw_sockets.load(Ordering::Acquire) {
            // SAFETY: the caller's promise.
            return unsafe { RawContext::term(self.ptr) };
        }
        struct Ptr(*mut c_void);
        // SAFETY: a libzmq context may be terminated from any thread.
        unsafe impl Send for Ptr {}
        let ptr = Ptr(self.ptr);
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("zmq-typed terminate".into())
            .spawn(move || {
                let ptr = ptr;
                // SAFETY: the caller's promise, handed to this thread, the only one that
                // terminates the context.
                let _ = tx.send(unsafe { RawContext::term(ptr.0) });
            });
        if spawned.is_err() {
            // No thread: terminate here, as a context without raw sockets does.
            // SAFETY: the closure, which would have terminated, was dropped unrun.
            return unsafe { RawContext::term(self.ptr) };
        }
        let bound = self.term_bound();
        match rx.recv_timeout(bound) {
            Ok(result) => result,
            Err(_) => Err(Error::TimedOut(Detail::new(format!(
                "zmq_ctx_term was still waiting after {bound:?} (the default linger and \
                 TERMINATE_GRACE): a socket handed out by into_raw may still be open, a \
                 socket's descriptor may have been read, or a socket's linger is longer than \
                 the default; the termination goes on in the background"
            )))),
        }
    }
}

impl Drop for RawContext {
    fn drop(&mut self) {
        // SAFETY: dropped once, when the last Context and the last socket are gone.
        let _ = unsafe { self.terminate_bounded() };
    }
}

/// How much longer than the default linger a context that handed out a raw socket waits for
/// its termination (see [`Context::terminate`]).
pub const TERMINATE_GRACE: Duration = Duration::from_secs(1);
