//! The one way this crate blocks on a socket: with a deadline that survives signals.
//!
//! libzmq restarts nothing itself: a signal makes a blocking `zmq_msg_recv`/`zmq_msg_send`
//! return `EINTR`, and calling it again starts `ZMQ_RCVTIMEO`/`ZMQ_SNDTIMEO` from zero. A
//! thread that receives a signal more often than its timeout (a profiler's timer, a burst of
//! `SIGCHLD`) would then never time out. So every blocking call of the crate goes through
//! [`SocketCore::blocking`]: with the socket's own timeout it makes libzmq's own blocking call,
//! one call as in C, and reads the clock first only when that timeout is finite; with a
//! caller's timeout it computes a deadline and waits with it as the socket's timeout (a
//! receive, and a REQ's send, try without waiting first). After a signal it calls again
//! with the time *left* as the socket's timeout, never from the start.
//!
//! libzmq's blocking call, not `zmq_poll`: for some sockets `ZMQ_POLLOUT` says "ready" while
//! a send still cannot proceed (an XPUB with `ZMQ_XPUB_NODROP` at a subscriber's high-water
//! mark, a ROUTER with `ZMQ_ROUTER_MANDATORY` whose one peer is full), and waiting on it would
//! spin. libzmq's own wait sleeps until the socket's state really changes. The time left is
//! set as the socket's timeout for that one call and the socket's own value put back after.

use std::os::raw::c_int;
use std::time::{Duration, Instant};

use crate::duration::timeout_ms;
use crate::error::{last_errno, Detail, Error, Result};
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

/// Which way a blocking call goes, and so which timeout applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// A send, bounded by `ZMQ_SNDTIMEO`.
    Send,
    /// A receive, bounded by `ZMQ_RCVTIMEO`.
    Recv,
}

impl Direction {
    fn name(self) -> &'static str {
        match self {
            Direction::Send => "send",
            Direction::Recv => "receive",
        }
    }

    fn timeout_option(self) -> (c_int, &'static str) {
        match self {
            Direction::Send => (zmq_ffi::ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO"),
            Direction::Recv => (zmq_ffi::ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO"),
        }
    }
}

/// The outcome of one call: done (its return value), or it would block / timed out.
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

    /// One call with `flags`, as many times as signals interrupt it when it does not wait
    /// (`ZMQ_DONTWAIT`); once when it does, so that the caller recomputes the time left.
    /// `Ok(None)`: interrupted while waiting.
    fn attempt(
        &self,
        dir: Direction,
        call: &mut impl FnMut(c_int) -> c_int,
        flags: c_int,
    ) -> Result<Option<Attempt>> {
        loop {
            let rc = call(flags);
            if rc >= 0 {
                return Ok(Some(Attempt::Done(rc)));
            }
            match last_errno() {
                libc::EINTR if flags & zmq_ffi::ZMQ_DONTWAIT != 0 => continue,
                libc::EINTR => return Ok(None),
                libc::EAGAIN => return Ok(Some(Attempt::WouldBlock)),
                e => return Err(self.call_error(dir, e)),
            }
        }
    }

    /// Runs `call` (a libzmq send or receive taking flags, returning -1 and errno on
    /// failure) until it succeeds, fails, or `wait` runs out: `Ok(Some(rc))` when it
    /// succeeded, `Ok(None)` when it would still block at the deadline. `EINTR` is retried
    /// with the time left, never from the start.
    ///
    /// `flags` must not contain `ZMQ_DONTWAIT`: say [`Wait::Never`] for that.
    ///
    /// The socket's own timeout ([`Wait::SocketTimeout`], what `send` and `recv` use) costs
    /// one libzmq call, as in C (a REQ's send whose queue is full, two: see
    /// [`SocketCore::tries_first`]): libzmq applies the timeout itself. Only a signal that
    /// interrupts the wait makes it read the option and the clock; the clock is read before
    /// the call only when the socket has a finite timeout (known from
    /// [`SocketCore::timeouts`]), so that the wait never starts over.
    #[inline(always)]
    pub(crate) fn blocking(
        &self,
        dir: Direction,
        wait: Wait,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
    ) -> Result<Option<c_int>> {
        if let Wait::SocketTimeout = wait {
            // The common case, inlined where the call is made: with no finite timeout (none
            // at all, or zero) no clock is needed, and a first try that succeeds is the
            // whole of it. Anything else goes out of line.
            if self.timeouts.get()[usize::from(dir == Direction::Recv)] <= 0 {
                let first = self.tries_first(dir);
                let rc = call(if first {
                    flags | zmq_ffi::ZMQ_DONTWAIT
                } else {
                    flags
                });
                if rc >= 0 {
                    return Ok(Some(rc));
                }
                return self.after_first_try(dir, flags, call, first);
            }
        }
        self.waiting(dir, wait, flags, call)
    }

    /// Whether a call tries without waiting before it waits: a send on a REQ. A blocking
    /// `zmq_msg_send` whose pipe dies half-way through a message drops the message and
    /// reports success (libzmq 4.3's `socket_base.cpp`, the -2 case of `lb.cpp`). For a REQ
    /// that is a request it never entered its reply state for (its next receive is
    /// `EFSM`); with `ZMQ_DONTWAIT` the same case is `EAGAIN`, and the blocking call after
    /// it completes the request, so that the REQ waits for a reply (which its timeout, or
    /// Lazy Pirate, bounds: the next peer's REP discards the rest, which came without its
    /// delimiter). Every other socket sends as C does, blocking at once: there, trying
    /// first would send the frame libzmq dropped again, alone, as a message of its own, to
    /// the next peer (half a message).
    #[inline(always)]
    fn tries_first(&self, dir: Direction) -> bool {
        dir == Direction::Send && self.socket_type() == crate::SocketType::Req
    }

    /// The first try of a call with no finite timeout failed: a REQ's send that did not
    /// wait now waits; any other call (which did wait) ran out, was interrupted, or failed.
    #[inline(never)]
    fn after_first_try(
        &self,
        dir: Direction,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
        tried_first: bool,
    ) -> Result<Option<c_int>> {
        if !tried_first {
            return self.after_failed_wait(dir, flags, call, None);
        }
        match last_errno() {
            libc::EAGAIN => {
                let rc = call(flags);
                if rc >= 0 {
                    return Ok(Some(rc));
                }
                self.after_failed_wait(dir, flags, call, None)
            }
            // Interrupted before it could wait: from the start.
            libc::EINTR => self.waiting(dir, Wait::SocketTimeout, flags, call),
            e => Err(self.call_error(dir, e)),
        }
    }

    /// Every wait but the common case of [`SocketCore::blocking`].
    #[inline(never)]
    fn waiting(
        &self,
        dir: Direction,
        wait: Wait,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
    ) -> Result<Option<c_int>> {
        match wait {
            Wait::SocketTimeout => {
                let cached = self.timeouts.get()[usize::from(dir == Direction::Recv)];
                let started = (cached > 0).then(Instant::now);
                // A REQ's send tries without waiting first: see `tries_first`.
                if self.tries_first(dir) {
                    if let Some(Attempt::Done(rc)) =
                        self.attempt(dir, &mut call, flags | zmq_ffi::ZMQ_DONTWAIT)?
                    {
                        return Ok(Some(rc));
                    }
                }
                let rc = call(flags);
                if rc >= 0 {
                    return Ok(Some(rc));
                }
                self.after_failed_wait(dir, flags, call, started)
            }
            Wait::Never => self.without_waiting(dir, flags, call),
            Wait::For(d) => self.waiting_for(dir, flags, call, d),
        }
    }

    /// A call with the socket's own timeout failed: it ran out (`EAGAIN`), a signal came
    /// (`EINTR`: wait for what is left, from `started`), or an error.
    #[inline(never)]
    fn after_failed_wait(
        &self,
        dir: Direction,
        flags: c_int,
        call: impl FnMut(c_int) -> c_int,
        started: Option<Instant>,
    ) -> Result<Option<c_int>> {
        match last_errno() {
            // libzmq's own timeout ran out (or it is 0).
            libc::EAGAIN => Ok(None),
            libc::EINTR => self.wait_after_signal(dir, flags, call, started),
            e => Err(self.call_error(dir, e)),
        }
    }

    /// One try with `ZMQ_DONTWAIT` (`attempt` retries `EINTR` itself).
    #[inline(never)]
    fn without_waiting(
        &self,
        dir: Direction,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
    ) -> Result<Option<c_int>> {
        match self.attempt(dir, &mut call, flags | zmq_ffi::ZMQ_DONTWAIT)? {
            Some(Attempt::Done(rc)) => Ok(Some(rc)),
            _ => Ok(None),
        }
    }

    /// At most `d`, whatever the socket's own timeout. A receive, and a REQ's send, try
    /// without waiting first (no option to set when something is ready); any other send
    /// waits at once, with the time left as the socket's timeout, for the reason in
    /// [`SocketCore::tries_first`]: after a try that failed because the pipe died half-way
    /// through a message, the wait would send the frame libzmq dropped, alone, to the next
    /// peer.
    #[inline(never)]
    fn waiting_for(
        &self,
        dir: Direction,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
        d: Duration,
    ) -> Result<Option<c_int>> {
        let tried = dir == Direction::Recv || self.tries_first(dir);
        if tried {
            if let Some(Attempt::Done(rc)) =
                self.attempt(dir, &mut call, flags | zmq_ffi::ZMQ_DONTWAIT)?
            {
                return Ok(Some(rc));
            }
        }
        let (option, name) = dir.timeout_option();
        let own = self.get_int::<c_int>(option, name)?;
        // A limit too far away to represent is no limit.
        let deadline = Instant::now().checked_add(d);
        self.wait_until(dir, flags, &mut call, own, deadline, tried)
    }

    /// After a signal interrupted a wait bounded by the socket's own timeout: the rest of
    /// that timeout, counted from `started` (from now when the clock was not read, which
    /// only happens when the timeout was set behind the crate's back).
    #[cold]
    fn wait_after_signal(
        &self,
        dir: Direction,
        flags: c_int,
        mut call: impl FnMut(c_int) -> c_int,
        started: Option<Instant>,
    ) -> Result<Option<c_int>> {
        let (option, name) = dir.timeout_option();
        let own = self.get_int::<c_int>(option, name)?;
        // A deadline too far away to represent is no limit.
        let deadline = if own < 0 {
            None
        } else {
            started
                .unwrap_or_else(Instant::now)
                .checked_add(Duration::from_millis(own as u64))
        };
        self.wait_until(dir, flags, &mut call, own, deadline, true)
    }

    /// Calls until done, an error, or `deadline` (none: no limit), with the socket's timeout
    /// set to the time left for each call (`own`, the socket's value, is put back after).
    /// `called`: a call was made already; if not, one is made even when the deadline has
    /// passed (with a zero timeout: one try).
    fn wait_until(
        &self,
        dir: Direction,
        flags: c_int,
        call: &mut impl FnMut(c_int) -> c_int,
        own: c_int,
        deadline: Option<Instant>,
        mut called: bool,
    ) -> Result<Option<c_int>> {
        let (option, name) = dir.timeout_option();
        loop {
            let ms = match deadline {
                None => -1,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() && called {
                        return Ok(None);
                    }
                    timeout_ms(left)
                }
            };
            called = true;
            let outcome =
                self.with_timeout(option, name, own, ms, || self.attempt(dir, call, flags))?;
            match outcome {
                Some(Attempt::Done(rc)) => return Ok(Some(rc)),
                // libzmq's own timeout ran out with no deadline of ours: the socket's value
                // was in force (a zero or a value set behind the crate's back).
                Some(Attempt::WouldBlock) if deadline.is_none() => return Ok(None),
                // Timed out or interrupted: the loop computes what is left.
                Some(Attempt::WouldBlock) | None => {}
            }
        }
    }

    /// Runs `f` with the socket's timeout `option` set to `ms`, and puts `own` back after
    /// (nothing to do when they are the same).
    fn with_timeout<T>(
        &self,
        option: c_int,
        name: &'static str,
        own: c_int,
        ms: c_int,
        f: impl FnOnce() -> Result<T>,
    ) -> Result<T> {
        if ms == own {
            return f();
        }
        self.set_int(option, name, ms)?;
        let result = f();
        // Puts the socket's own value back; a failure here (the context was shut down
        // meanwhile) changes nothing the caller could act on, and `result` says more.
        let _ = self.set_int(option, name, own);
        result
    }
}
