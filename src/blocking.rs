//! The one way this crate blocks on a socket: with a deadline that survives signals.
//!
//! libzmq restarts nothing itself: a signal makes a blocking `zmq_msg_recv`/`zmq_msg_send`
//! return `EINTR`, and calling it again starts `ZMQ_RCVTIMEO`/`ZMQ_SNDTIMEO` from zero. A
//! thread that receives a signal more often than its timeout (a profiler's timer, a burst of
//! `SIGCHLD`) would then never time out. So every blocking call of the crate goes through
//! [`SocketCore::blocking`]: it first tries the call without waiting (the fast path, one libzmq
//! call when a message is ready), and only when that would block does it compute a deadline
//! (from the socket's own timeout, or the caller's) and wait with `zmq_poll` for the time
//! *left*, however often a signal interrupts it. Without a timeout it makes libzmq's own
//! blocking call, which a signal may restart without harm.

use std::os::raw::{c_int, c_long};
use std::time::{Duration, Instant};

use crate::error::{last_errno, Detail, Error, Result};
use crate::options::timeout_ms;
use crate::socket_core::SocketCore;

/// How long a blocking call may wait.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Wait {
    /// Not at all (`ZMQ_DONTWAIT`): "would block" is `Ok(None)` at once.
    Never,
    /// As long as the socket's own timeout says (`ZMQ_SNDTIMEO` or `ZMQ_RCVTIMEO`).
    SocketTimeout,
    /// At most this long.
    For(Duration),
}

/// Which way a blocking call goes: what it waits for, and which timeout applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A send: waits for `ZMQ_POLLOUT`, bounded by `ZMQ_SNDTIMEO`.
    Send,
    /// A receive: waits for `ZMQ_POLLIN`, bounded by `ZMQ_RCVTIMEO`.
    Recv,
}

impl Direction {
    fn events(self) -> i16 {
        match self {
            Direction::Send => zmq_ffi::ZMQ_POLLOUT as i16,
            Direction::Recv => zmq_ffi::ZMQ_POLLIN as i16,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Direction::Send => "send",
            Direction::Recv => "receive",
        }
    }
}

/// The outcome of one non-blocking attempt.
enum Attempt {
    Done(c_int),
    WouldBlock,
}

impl SocketCore {
    fn call_error(&self, dir: Direction, errno: c_int) -> Error {
        Error::from_errno(
            errno,
            Detail::new(format!("{} on {}", dir.name(), self.socket_type())),
        )
    }

    fn attempt(
        &self,
        dir: Direction,
        call: &mut impl FnMut(c_int) -> c_int,
        flags: c_int,
    ) -> Result<Attempt> {
        loop {
            let rc = call(flags | zmq_ffi::ZMQ_DONTWAIT);
            if rc >= 0 {
                return Ok(Attempt::Done(rc));
            }
            match last_errno() {
                libc::EINTR => continue,
                libc::EAGAIN => return Ok(Attempt::WouldBlock),
                e => return Err(self.call_error(dir, e)),
            }
        }
    }

    /// The deadline of a call that started `now`: `None` for no limit, `Some(now)` for
    /// "do not wait".
    fn deadline(&self, dir: Direction, wait: Wait, now: Instant) -> Result<Option<Instant>> {
        let limit = match wait {
            Wait::Never => Some(Duration::ZERO),
            Wait::For(d) => Some(d),
            Wait::SocketTimeout => {
                let (option, name) = match dir {
                    Direction::Send => (zmq_ffi::ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO"),
                    Direction::Recv => (zmq_ffi::ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO"),
                };
                let ms = self.get_int::<c_int>(option, name)?;
                (ms >= 0).then(|| Duration::from_millis(ms as u64))
            }
        };
        // A limit too far away to represent is no limit.
        Ok(limit.and_then(|d| now.checked_add(d)))
    }

    /// Runs `call` (a libzmq send or receive taking flags, returning -1 and errno on
    /// failure) until it succeeds, fails, or `wait` runs out: `Ok(Some(rc))` when it
    /// succeeded, `Ok(None)` when it would still block at the deadline. `EINTR` is retried
    /// with the time left, never from the start.
    ///
    /// `flags` must not contain `ZMQ_DONTWAIT`: say [`Wait::Never`] for that.
    pub(crate) fn blocking(
        &self,
        dir: Direction,
        wait: Wait,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
    ) -> Result<Option<c_int>> {
        if let Attempt::Done(rc) = self.attempt(dir, &mut call, flags)? {
            return Ok(Some(rc));
        }
        let deadline = self.deadline(dir, wait, Instant::now())?;
        if deadline.is_none() {
            // No limit: libzmq's own blocking call, restarted after a signal, is exact.
            loop {
                let rc = call(flags);
                if rc >= 0 {
                    return Ok(Some(rc));
                }
                match last_errno() {
                    libc::EINTR => continue,
                    e => return Err(self.call_error(dir, e)),
                }
            }
        }
        loop {
            if !self.wait_until(dir.events(), deadline)? {
                return Ok(None);
            }
            if let Attempt::Done(rc) = self.attempt(dir, &mut call, flags)? {
                return Ok(Some(rc));
            }
        }
    }

    /// Waits until the socket is ready for `events` or `deadline` passes (`None`: no limit).
    /// `Ok(false)` when the deadline passed first. Signals are retried with the time left.
    ///
    /// Wraps `zmq_poll` ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)) on one item.
    pub(crate) fn wait_until(&self, events: i16, deadline: Option<Instant>) -> Result<bool> {
        let mut item = zmq_ffi::zmq_pollitem_t {
            socket: self.as_ptr(),
            fd: 0,
            events,
            revents: 0,
        };
        loop {
            let ms: c_long = match deadline {
                None => -1,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(false);
                    }
                    c_long::from(timeout_ms(left))
                }
            };
            item.revents = 0;
            // SAFETY: one valid poll item for a valid socket, borrowed for the call.
            let rc = unsafe { zmq_ffi::zmq_poll(&mut item, 1, ms) };
            if rc > 0 {
                return Ok(true);
            }
            if rc < 0 && last_errno() != libc::EINTR {
                return Err(crate::error::last_error(|| {
                    Detail::new(format!("poll on {}", self.socket_type()))
                }));
            }
            // Interrupted, or woken before the deadline: wait again for the time left.
        }
    }
}
