//! The relay thread (see [the module docs](super#why-a-relay-thread)): the relay's PAIR
//! socket ([`RelaySocket`]), and the bounded queue it shares with the
//! [`Monitor`](super::Monitor) handle ([`Shared`], [`State`], and the readiness pipe that
//! makes a `Monitor` pollable).

use std::collections::VecDeque;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::raw::{c_int, c_void};
use std::sync::{mpsc, Arc, Condvar, Mutex, MutexGuard, PoisonError};

use super::event::{Event, EventKind, EventMask};
use crate::error::{check, last_errno, last_error, Detail, Error, Result};
use crate::message::Message;
use crate::socket_core::SocketCore;

/// The relay thread's stack: it only receives small messages and decodes them.
pub(super) const RELAY_STACK: usize = 64 * 1024;

/// What the relay and the [`Monitor`](super::Monitor) handle share.
pub(super) struct Shared {
    state: Mutex<State>,
    /// Signalled whenever an event is queued or the relay ends.
    pub(super) changed: Condvar,
    /// Readable while `state.signalled` (events queued, or the relay has ended).
    pub(super) ready_read: OwnedFd,
    ready_write: OwnedFd,
}

pub(super) struct State {
    pub(super) queue: VecDeque<Event>,
    pub(super) capacity: usize,
    pub(super) dropped: u64,
    /// Why the relay ended, once it has.
    pub(super) ended: Option<Error>,
    /// The handle was dropped: the relay discards what it reads.
    pub(super) detached: bool,
    /// ZMTP handshakes completed since the monitoring started (whatever the mask).
    pub(super) handshakes: u64,
    /// ZMTP handshakes failed since the monitoring started (whatever the mask), and the
    /// last failure.
    pub(super) handshake_failures: u64,
    pub(super) last_failure: Option<Event>,
    /// Whether the readiness pipe holds its one byte.
    signalled: bool,
}

/// A non-blocking, close-on-exec pipe: (read end, write end).
fn ready_pipe() -> Result<(OwnedFd, OwnedFd)> {
    let mut fds: [c_int; 2] = [-1, -1];
    let pipe_error = || {
        let errno = crate::error::os_errno();
        Error::from_errno(errno, Detail::new("pipe for the monitor's readiness"))
    };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: fds is a valid array of two ints for pipe2 to fill.
        if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) } != 0 {
            return Err(pipe_error());
        }
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    {
        // SAFETY: fds is a valid array of two ints for pipe to fill.
        if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
            return Err(pipe_error());
        }
        for fd in fds {
            // SAFETY: fd is one of the descriptors pipe just opened, owned here.
            unsafe {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
                libc::fcntl(fd, libc::F_SETFL, libc::O_NONBLOCK);
            }
        }
    }
    // SAFETY: pipe(2) succeeded: both descriptors are open and owned by nobody else.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    Ok((read, write))
}

impl Shared {
    pub(super) fn new(capacity: usize) -> Result<Shared> {
        let (ready_read, ready_write) = ready_pipe()?;
        Ok(Shared {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                capacity: capacity.max(1),
                dropped: 0,
                ended: None,
                detached: false,
                handshakes: 0,
                handshake_failures: 0,
                last_failure: None,
                signalled: false,
            }),
            changed: Condvar::new(),
            ready_read,
            ready_write,
        })
    }

    /// The state; no code of the crate's users ever runs under this lock, so a poisoned lock
    /// (a panic in this module) still holds consistent data.
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Makes the readiness pipe readable exactly while events are queued or the relay has
    /// ended. Called with the lock held, after every change of either.
    pub(super) fn update_ready(&self, state: &mut State) {
        let want = !state.queue.is_empty() || state.ended.is_some();
        if want == state.signalled {
            return;
        }
        let mut byte = [1u8];
        loop {
            // SAFETY: the descriptors are open while self lives; byte is one valid byte. Both
            // ends are non-blocking, and the pipe holds at most this one byte, so neither
            // call waits.
            let rc = unsafe {
                if want {
                    libc::write(self.ready_write.as_raw_fd(), byte.as_ptr().cast(), 1)
                } else {
                    libc::read(self.ready_read.as_raw_fd(), byte.as_mut_ptr().cast(), 1)
                }
            };
            if rc >= 0 || crate::error::os_errno() != libc::EINTR {
                break;
            }
        }
        state.signalled = want;
    }

    /// Counts a handshake's outcome, and queues the event for the handle when `deliver`,
    /// dropping the oldest when the queue is full.
    fn push(&self, event: Event, deliver: bool) {
        let mut state = self.lock();
        if state.detached {
            return;
        }
        if event.kind == EventKind::HandshakeSucceeded {
            state.handshakes += 1;
        } else if EventMask::HANDSHAKE_FAILED.contains(event.kind.mask()) {
            state.handshake_failures += 1;
            state.last_failure = Some(event.clone());
        }
        if deliver {
            if state.queue.len() >= state.capacity {
                state.queue.pop_front();
                state.dropped += 1;
            }
            state.queue.push_back(event);
            self.update_ready(&mut state);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// The relay has ended, for `why`.
    fn end(&self, why: Error) {
        let mut state = self.lock();
        state.ended = Some(why);
        self.update_ready(&mut state);
        drop(state);
        self.changed.notify_all();
    }
}

/// The relay's PAIR socket, made with the raw API so that the relay holds no
/// [`crate::Context`] handle: the context's termination (`zmq_ctx_term`) sends it `ETERM`,
/// the relay then closes it, and the termination goes on.
pub(super) struct RelaySocket(*mut c_void);

// SAFETY: a libzmq socket may move to another thread (a full memory barrier separates the
// uses, which moving a value through a channel provides); this one is used by one thread at a
// time: the caller of `monitor` until it hands it over, then only the relay.
unsafe impl Send for RelaySocket {}

impl Drop for RelaySocket {
    fn drop(&mut self) {
        // SAFETY: the pointer came from zmq_socket and is closed exactly once, here.
        unsafe { zmq_ffi::zmq_close(self.0) };
    }
}

impl RelaySocket {
    /// A PAIR socket of `owner`'s context with no linger, connected to `endpoint`.
    pub(super) fn open(owner: &SocketCore, endpoint: &std::ffi::CStr) -> Result<RelaySocket> {
        // SAFETY: the context is alive: `owner` holds it.
        let ptr = unsafe { zmq_ffi::zmq_socket(owner.context().as_ptr(), zmq_ffi::ZMQ_PAIR) };
        if ptr.is_null() {
            return Err(last_error(|| Detail::new("zmq_socket(PAIR) for a monitor")));
        }
        let socket = RelaySocket(ptr);
        let linger: c_int = 0;
        // SAFETY: valid socket; the value is a c_int of the size given.
        let rc = unsafe {
            zmq_ffi::zmq_setsockopt(
                socket.0,
                zmq_ffi::ZMQ_LINGER,
                (&linger as *const c_int).cast(),
                std::mem::size_of::<c_int>(),
            )
        };
        check(rc, || Detail::new("ZMQ_LINGER on a monitor's PAIR"))?;
        loop {
            // SAFETY: valid socket; endpoint is NUL-terminated.
            let rc = unsafe { zmq_ffi::zmq_connect(socket.0, endpoint.as_ptr()) };
            if rc == 0 {
                return Ok(socket);
            }
            if last_errno() != libc::EINTR {
                return Err(last_error(|| Detail::new("zmq_connect for a monitor")));
            }
        }
    }

    /// One frame, blocking, EINTR retried.
    fn recv_frame(&self) -> Result<Message> {
        let mut msg = Message::new();
        loop {
            // SAFETY: valid socket, used by this thread only; msg is an initialised message
            // whose old content zmq_msg_recv releases.
            let rc = unsafe { zmq_ffi::zmq_msg_recv(msg.as_mut_ptr(), self.0, 0) };
            if rc >= 0 {
                return Ok(msg);
            }
            match last_errno() {
                libc::EINTR => continue,
                errno => {
                    return Err(Error::from_errno(
                        errno,
                        Detail::new("receive in the monitor's relay"),
                    ))
                }
            }
        }
    }

    /// The next event; `Ok(None)` for a message that is not one (skipped whole).
    fn next_event(&self) -> Result<Option<Event>> {
        let first = self.recv_frame()?;
        if !first.more() {
            return Ok(None);
        }
        let second = self.recv_frame()?;
        let mut more = second.more();
        let well_formed = !more && first.len() == 6;
        while more {
            more = self.recv_frame()?.more();
        }
        if !well_formed {
            return Ok(None);
        }
        let data = first.data();
        let event = u16::from_ne_bytes([data[0], data[1]]);
        let value = u32::from_ne_bytes([data[2], data[3], data[4], data[5]]);
        Ok(Some(Event {
            kind: EventKind::from_raw(event, value),
            endpoint: String::from_utf8_lossy(second.data()).into_owned(),
        }))
    }
}

/// The relay thread: waits for its socket, then moves every event into the queue until the
/// monitoring stops or the context ends.
/// `deliver` is the mask the handle asked for: the relay also gets the events that it
/// counts (the stop, the handshakes) and queues only those of `deliver`.
pub(super) fn relay(socket: mpsc::Receiver<RelaySocket>, shared: Arc<Shared>, deliver: EventMask) {
    let Ok(socket) = socket.recv() else {
        shared.end(Error::Terminated(Detail::new(
            "the monitor could not start",
        )));
        return;
    };
    let why = loop {
        match socket.next_event() {
            Ok(Some(event)) if event.kind == EventKind::MonitorStopped => {
                let wanted = deliver.contains(EventMask::MONITOR_STOPPED);
                shared.push(event, wanted);
                break Error::Terminated(Detail::new(
                    "the monitor has stopped: its socket was closed, or stop_monitor or \
                     another monitor call ended it",
                ));
            }
            Ok(Some(event)) => {
                let wanted = deliver.intersects(event.kind.mask());
                shared.push(event, wanted);
            }
            Ok(None) => {}
            Err(e) => break e,
        }
    };
    // Close the socket before saying so: once a reader sees the end, the relay no longer
    // holds anything of the context's.
    drop(socket);
    shared.end(why);
}
