//! Waiting on several sockets and file descriptors at once
//! ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
//!
//! For an event loop of your own, [`crate::SocketCore::fd`] gives the socket's edge-triggered
//! notification descriptor instead.

use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::os::raw::c_long;
use std::time::{Duration, Instant};

use crate::duration::timeout_ms;
use crate::error::{last_errno, last_error, Detail, Result};
use crate::options::PollEvents;
use crate::socket::Socket;
use crate::socket_core::SocketCore;

/// Something [`PollSet::poll`] can wait on: a socket or a raw file descriptor.
#[derive(Debug, Clone, Copy)]
pub enum Pollable<'a> {
    /// A libzmq socket, seen through its [`SocketCore`]: it can be polled, not used to
    /// send or receive.
    Socket(&'a SocketCore),
    /// A plain file descriptor (a pipe, a TCP socket of another library...), borrowed for
    /// as long as the poll entry lives, so it cannot be closed while it is polled.
    Fd(BorrowedFd<'a>),
}

/// Types that can be polled: the dynamic [`Socket`], and the poll-only views of typed
/// sockets (which cannot send or receive, so they cannot bypass a typed state).
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

/// A reusable poll set: the sockets and descriptors to wait on are borrowed for one call of
/// [`PollSet::poll`] only, and the result reports readiness by the caller's tokens.
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{Context, PollEvents, PollSet, Socket, SocketType};
/// let ctx = Context::new()?;
/// let a = Socket::new(&ctx, SocketType::Pull)?;
/// let ep = a.bind("inproc://poll-doc")?;
/// let b = Socket::new(&ctx, SocketType::Push)?;
/// b.connect(&ep)?;
/// b.send("x")?;
///
/// let mut set = PollSet::new();
/// let ready: Vec<_> = set
///     .poll(&[(&a, PollEvents::IN, "a")], Some(Duration::from_secs(5)))?
///     .collect();
/// assert_eq!(ready, vec![("a", PollEvents::IN)]);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct PollSet<T> {
    items: Vec<zmq_ffi::zmq_pollitem_t>,
    tokens: Vec<T>,
}

impl<T> Default for PollSet<T> {
    fn default() -> Self {
        PollSet {
            items: Vec::new(),
            tokens: Vec::new(),
        }
    }
}

impl<T: Copy> PollSet<T> {
    /// An empty set.
    pub fn new() -> PollSet<T> {
        PollSet::default()
    }

    /// Each entry is `(target, events, token)`. The targets of one call share a type: `&socket`
    /// when they are all alike, `x.as_pollable()` to mix typed sockets of different types,
    /// dynamic sockets and file descriptors.
    ///
    /// Waits until one of `entries` is ready for the events asked, or `timeout` passes
    /// (`None`: wait for ever; `Some(ZERO)`: just look). Returns `(token, events)` for each
    /// ready entry, in the order given; nothing when the time ran out. EINTR is retried with
    /// the time left.
    ///
    /// Wraps `zmq_poll` ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn poll<P: AsPollable>(
        &mut self,
        entries: &[(P, PollEvents, T)],
        timeout: Option<Duration>,
    ) -> Result<impl Iterator<Item = (T, PollEvents)> + '_> {
        self.items.clear();
        self.tokens.clear();
        for (target, events, token) in entries {
            let (socket, fd) = match target.as_pollable() {
                Pollable::Socket(s) => (s.as_ptr(), 0),
                Pollable::Fd(fd) => (std::ptr::null_mut(), fd.as_raw_fd()),
            };
            self.items.push(zmq_ffi::zmq_pollitem_t {
                socket,
                fd,
                events: events.bits(),
                revents: 0,
            });
            self.tokens.push(*token);
        }
        // A timeout too far away to represent is no timeout.
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        loop {
            let ms: c_long = match deadline {
                None => -1,
                Some(d) => c_long::from(timeout_ms(d.saturating_duration_since(Instant::now()))),
            };
            // SAFETY: items is a valid array of pollitems whose sockets are borrowed (through
            // `entries`) for the whole call.
            let rc =
                unsafe { zmq_ffi::zmq_poll(self.items.as_mut_ptr(), self.items.len() as i32, ms) };
            if rc >= 0 {
                break;
            }
            if last_errno() != libc::EINTR {
                return Err(last_error(|| Detail::new("zmq_poll")));
            }
        }
        Ok(self
            .items
            .iter()
            .zip(self.tokens.iter())
            .filter(|(item, _)| item.revents != 0)
            .map(|(item, token)| (*token, PollEvents::from_bits(item.revents))))
    }
}

/// Polls once and returns the ready `(token, events)` pairs: [`PollSet::poll`] without a
/// reusable set.
pub fn poll<P: AsPollable, T: Copy>(
    entries: &[(P, PollEvents, T)],
    timeout: Option<Duration>,
) -> Result<Vec<(T, PollEvents)>> {
    let mut set = PollSet::new();
    let ready = set.poll(entries, timeout)?.collect();
    Ok(ready)
}
