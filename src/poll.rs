//! Waiting on several sockets and file descriptors at once
//! ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
//!
//! [`Poller`] is the registration API: add each socket, [`Monitor`](crate::Monitor) or file
//! descriptor once (a typed socket as it is), keep the [`Token`] it returns, then poll as
//! often as needed and ask the result which tokens are ready. [`poll()`] is the one-shot
//! form, for a list that changes on every call.
//!
//! For an event loop of your own, [`crate::SocketCore::fd`] gives the socket's edge-triggered
//! notification descriptor instead.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::raw::{c_int, c_long};
use std::time::{Duration, Instant};

use crate::duration::timeout_ms;
use crate::error::{last_errno, last_error, Detail, Error, Result};
use crate::options::PollEvents;
use crate::socket::Socket;
use crate::socket_core::SocketCore;

mod poller;

pub use poller::{Poller, Readiness, ReadinessIter, Token};

/// Something a [`Poller`] or [`poll()`] can wait on: a socket or a raw file descriptor.
#[derive(Debug, Clone, Copy)]
pub enum Pollable<'a> {
    /// A libzmq socket, seen through its [`SocketCore`]: it can be polled, not used to
    /// send or receive.
    Socket(&'a SocketCore),
    /// A plain file descriptor (a pipe, a TCP socket of another library...), borrowed for
    /// as long as the poll entry lives, so it cannot be closed while it is polled.
    Fd(BorrowedFd<'a>),
}

/// Types that can be polled: the dynamic [`Socket`], every typed socket, [`SocketCore`],
/// a [`Monitor`](crate::Monitor), and file descriptors. Polling lends nothing that could send
/// or receive, so it cannot bypass a typed socket's state.
pub trait AsPollable {
    /// The pollable thing.
    fn as_pollable(&self) -> Pollable<'_>;
}

impl AsPollable for SocketCore {
    fn as_pollable(&self) -> Pollable<'_> {
        Pollable::Socket(self)
    }
}

impl AsPollable for Socket {
    fn as_pollable(&self) -> Pollable<'_> {
        Pollable::Socket(self)
    }
}

impl AsPollable for BorrowedFd<'_> {
    fn as_pollable(&self) -> Pollable<'_> {
        Pollable::Fd(self.as_fd())
    }
}

impl AsPollable for std::os::fd::OwnedFd {
    fn as_pollable(&self) -> Pollable<'_> {
        Pollable::Fd(self.as_fd())
    }
}

impl<T: AsPollable + ?Sized> AsPollable for &T {
    fn as_pollable(&self) -> Pollable<'_> {
        (**self).as_pollable()
    }
}

impl<'a> AsPollable for Pollable<'a> {
    fn as_pollable(&self) -> Pollable<'_> {
        *self
    }
}

/// The `zmq_pollitem_t` for `target`, waiting for `events`.
fn item(target: Pollable<'_>, events: PollEvents) -> zmq_ffi::zmq_pollitem_t {
    let (socket, fd) = match target {
        Pollable::Socket(s) => (s.as_ptr(), 0),
        Pollable::Fd(fd) => (std::ptr::null_mut(), fd.as_raw_fd()),
    };
    zmq_ffi::zmq_pollitem_t {
        socket,
        fd,
        events: events.bits(),
        revents: 0,
    }
}

/// Calls `zmq_poll` on `items` until something is ready or `timeout` passes (`None`: no
/// limit), retrying EINTR with the time left; returns how many items are ready.
///
/// # Safety
/// Every socket pointer of `items` must be a live socket that no other thread uses during
/// the call, and every fd an open descriptor: the callers hold borrows of what they came
/// from for the whole call.
unsafe fn poll_items(
    items: &mut [zmq_ffi::zmq_pollitem_t],
    timeout: Option<Duration>,
) -> Result<usize> {
    for item in items.iter_mut() {
        item.revents = 0;
    }
    // A timeout too far away to represent is no timeout.
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    if items.is_empty() {
        // libzmq sleeps for the timeout; for ever, it would sleep 71 minutes (usleep of
        // -1000 µs): say so instead.
        let Some(deadline) = deadline else {
            return Err(Error::InvalidArgument(Detail::new(
                "zmq_poll with nothing to poll and no timeout would never return",
            )));
        };
        let left = deadline.saturating_duration_since(Instant::now());
        std::thread::sleep(left);
        return Ok(0);
    }
    let count = c_int::try_from(items.len()).map_err(|_| {
        Error::InvalidArgument(Detail::new("zmq_poll: more items than an int can count"))
    })?;
    loop {
        let ms: c_long = match deadline {
            None => -1,
            Some(d) => c_long::from(timeout_ms(d.saturating_duration_since(Instant::now()))),
        };
        // SAFETY: items is a valid array of `count` pollitems whose sockets and fds are
        // alive and used by this thread only (the caller's contract).
        let rc = unsafe { zmq_ffi::zmq_poll(items.as_mut_ptr(), count, ms) };
        if rc >= 0 {
            return Ok(rc as usize);
        }
        if last_errno() != libc::EINTR {
            return Err(last_error(|| Detail::new("zmq_poll")));
        }
    }
}

/// Polls `entries` once and returns the ready `(token, events)` pairs, in the order given;
/// nothing when `timeout` ran out first (`None`: wait for ever; `Some(ZERO)`: just look).
/// EINTR is retried with the time left. For the same sockets polled again and again, a
/// [`Poller`] registers them once.
///
/// The targets of one call share a type: `&socket` when they are all alike,
/// `x.as_pollable()` to mix typed sockets of different types, dynamic sockets and file
/// descriptors.
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{poll, Context, PollEvents, Socket, SocketType};
/// let ctx = Context::new()?;
/// let a = Socket::new(&ctx, SocketType::Pull)?;
/// let ep = a.bind("inproc://poll-doc")?;
/// let b = Socket::new(&ctx, SocketType::Push)?;
/// b.connect(&ep)?;
/// b.send("x")?;
/// let ready = poll(&[(&a, PollEvents::IN, "a")], Some(Duration::from_secs(5)))?;
/// assert_eq!(ready, vec![("a", PollEvents::IN)]);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// Wraps `zmq_poll` ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
pub fn poll<P: AsPollable, T: Copy>(
    entries: &[(P, PollEvents, T)],
    timeout: Option<Duration>,
) -> Result<Vec<(T, PollEvents)>> {
    let mut items: Vec<_> = entries
        .iter()
        .map(|(target, events, _)| item(target.as_pollable(), *events))
        .collect();
    // SAFETY: the sockets and fds are borrowed through `entries` for the whole call, and
    // sockets are !Sync, so no other thread uses them meanwhile.
    unsafe { poll_items(&mut items, timeout)? };
    Ok(items
        .iter()
        .zip(entries)
        .filter(|(item, _)| item.revents != 0)
        .map(|(item, (_, _, token))| (*token, PollEvents::from_bits(item.revents)))
        .collect())
}
