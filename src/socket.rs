//! `Socket`: a libzmq socket of any type, with bind/connect and send/receive
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).

use std::fmt;
use std::ops::Deref;
use std::os::raw::{c_int, c_void};
use std::time::Duration;

use crate::blocking::{Direction, Wait};
use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::socket_core::SocketCore;
use crate::socket_type::SocketType;

pub use crate::multicast_guard::pgm_permitted;
pub use crate::send_error::SendError;

/// Flags for [`Socket::send_with`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SendFlags(c_int);

impl SendFlags {
    /// Blocking, last frame.
    pub const NONE: SendFlags = SendFlags(0);
    /// More frames of the same message follow (`ZMQ_SNDMORE`).
    pub const MORE: SendFlags = SendFlags(zmq_ffi::ZMQ_SNDMORE);
    /// Do not block (`ZMQ_DONTWAIT`): [`Error::WouldBlock`] when the message cannot be queued.
    pub const DONTWAIT: SendFlags = SendFlags(zmq_ffi::ZMQ_DONTWAIT);

    /// The raw flag bits.
    pub fn bits(self) -> c_int {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: SendFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for SendFlags {
    type Output = SendFlags;
    fn bitor(self, rhs: SendFlags) -> SendFlags {
        SendFlags(self.0 | rhs.0)
    }
}

/// Every frame an XSUB sends that starts with 1 or 0 is a (un)subscription: its topic is
/// held to [`crate::limits::MAX_TOPIC_LEN`].
fn check_xsub_frame(frame: &Message) -> Result<()> {
    match frame.first() {
        Some(0 | 1) => crate::limits::check_topic(&frame[1..]),
        _ => Ok(()),
    }
}

/// A libzmq socket of any of the twelve stable types, chosen at run time: it can do
/// everything its type allows, checked by libzmq at run time. The typed sockets
/// ([`crate::typed`]) check the same at compile time.
///
/// It dereferences to [`SocketCore`] for bind, connect, options, monitor.
///
/// `Send` (it may move to another thread) but not `Sync` (libzmq sockets must not be used
/// from two threads at once). Closing (drop) never blocks; the socket keeps its [`Context`]
/// alive, and the context's termination waits at most the socket's linger for queued
/// messages (see [the context module](crate::context#linger-and-drop)).
///
/// Blocking calls retry `EINTR` themselves, with the time left of their timeout (never from
/// the start again, so signals cannot stretch a timeout for ever);
/// [`Context::shutdown`] is how another thread wakes them, and
/// [`Context::shutdown_on_signals`] how Ctrl-C does (they then return [`Error::Terminated`]). A blocking call that runs into a receive or
/// send timeout returns [`Error::TimedOut`]; the `try_*` calls return `Ok(None)` when nothing
/// is ready.
///
/// ```
/// use zmq_typed::{Context, Socket, SocketType};
/// let ctx = Context::new()?;
/// let pull = Socket::new(&ctx, SocketType::Pull)?;
/// let endpoint = pull.bind("tcp://127.0.0.1:*")?;   // the port actually bound
/// let push = Socket::new(&ctx, SocketType::Push)?;
/// push.connect(&endpoint)?;
/// push.send("hello")?;
/// assert_eq!(pull.recv()?, "hello");
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct Socket {
    pub(crate) core: SocketCore,
}

impl Deref for Socket {
    type Target = SocketCore;
    fn deref(&self) -> &SocketCore {
        &self.core
    }
}

impl fmt::Debug for Socket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Socket")
            .field("type", &self.socket_type())
            .field("ptr", &self.as_ptr())
            .finish()
    }
}

impl Socket {
    /// A new socket of `kind`, with the context's default linger; PUB and XPUB sockets
    /// also get a `ZMQ_MAXMSGSIZE` of [`SUBSCRIPTION_MSG_MAX`](crate::limits::SUBSCRIPTION_MSG_MAX)
    /// (see [`crate::limits`]).
    ///
    /// Wraps `zmq_socket` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).
    pub fn new(ctx: &Context, kind: SocketType) -> Result<Socket> {
        let core = SocketCore::open(ctx, kind)?;
        if matches!(kind, SocketType::Pub | SocketType::XPub) {
            // What a PUB or XPUB receives is its subscribers' subscriptions: refuse those
            // that would overflow a stack when removed (see crate::limits).
            core.set_max_msg_size(Some(crate::limits::SUBSCRIPTION_MSG_MAX))?;
        }
        Ok(Socket { core })
    }

    /// Sends one frame, waiting as `wait` says (signals never restart the wait).
    /// `Ok(true)`: queued; `Ok(false)`: no room before the deadline.
    fn send_raw(&self, msg: &mut Message, flags: c_int, wait: Wait) -> Result<bool> {
        if self.socket_type() == SocketType::XSub {
            check_xsub_frame(msg)?;
        }
        let sent = self.blocking(Direction::Send, wait, flags, |flags| {
            // SAFETY: socket and message are valid; on success libzmq takes the content and
            // leaves msg empty (still to be closed by its Drop), on failure msg is unchanged.
            unsafe { zmq_ffi::zmq_msg_send(msg.as_mut_ptr(), self.as_ptr(), flags) }
        })?;
        Ok(sent.is_some())
    }

    /// Receives one frame into `msg`, waiting as `wait` says. `Ok(false)`: nothing came
    /// before the deadline.
    fn recv_raw(&self, msg: &mut Message, wait: Wait) -> Result<bool> {
        let received = self.blocking(Direction::Recv, wait, 0, |flags| {
            // SAFETY: socket and message are valid; zmq_msg_recv releases msg's old content.
            unsafe { zmq_ffi::zmq_msg_recv(msg.as_mut_ptr(), self.as_ptr(), flags) }
        })?;
        Ok(received.is_some())
    }

    fn timed_out(&self, what: &str) -> Error {
        Error::TimedOut(Detail::new(format!("{what} on {}", self.socket_type())))
    }

    /// Sends one frame with `flags`, handing the message back on failure.
    ///
    /// Without [`SendFlags::DONTWAIT`] it blocks until the message is queued, or until the
    /// send timeout (`ZMQ_SNDTIMEO`) runs out ([`Error::TimedOut`]); with it, a full queue is
    /// [`Error::WouldBlock`].
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_with(
        &self,
        msg: impl Into<Message>,
        flags: SendFlags,
    ) -> Result<(), SendError<Message>> {
        let wait = if flags.contains(SendFlags::DONTWAIT) {
            Wait::Never
        } else {
            Wait::SocketTimeout
        };
        self.send_waiting(msg.into(), flags.bits() & !zmq_ffi::ZMQ_DONTWAIT, wait)
    }

    /// Sends one frame, waiting as `wait` says, handing the message back on failure.
    fn send_waiting(
        &self,
        mut message: Message,
        flags: c_int,
        wait: Wait,
    ) -> Result<(), SendError<Message>> {
        match self.send_raw(&mut message, flags, wait) {
            Ok(true) => Ok(()),
            Ok(false) => {
                let error = match wait {
                    Wait::Never => {
                        Error::WouldBlock(Detail::new(format!("send on {}", self.socket_type())))
                    }
                    _ => self.timed_out("send"),
                };
                Err(SendError::new(error, message))
            }
            Err(error) => Err(SendError::new(error, message)),
        }
    }

    /// Sends one frame (the last of its message), blocking.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send(&self, msg: impl Into<Message>) -> Result<()> {
        Ok(self.send_with(msg, SendFlags::NONE)?)
    }

    /// Sends one frame with more to follow (`ZMQ_SNDMORE`), blocking.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE`.
    pub fn send_more(&self, msg: impl Into<Message>) -> Result<()> {
        Ok(self.send_with(msg, SendFlags::MORE)?)
    }

    /// Sends one frame without blocking: `Ok(None)` when it was queued, `Ok(Some(message))`
    /// (the message handed back) when the queue is full or no peer is there to take it.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT`.
    pub fn try_send(&self, msg: impl Into<Message>) -> Result<Option<Message>> {
        match self.send_with(msg, SendFlags::DONTWAIT) {
            Ok(()) => Ok(None),
            Err(e) => match e.into_parts() {
                (Error::WouldBlock(_), message) => Ok(Some(message)),
                (error, _) => Err(error),
            },
        }
    }

    /// Sends one frame, waiting at most `timeout` for room; [`Error::TimedOut`] (with the
    /// message handed back) when there was none.
    ///
    /// Wraps `zmq_msg_send`, with `ZMQ_SNDTIMEO` set to the time left while it waits (the
    /// socket's own value is put back after).
    pub fn send_timeout(
        &self,
        msg: impl Into<Message>,
        timeout: Duration,
    ) -> Result<(), SendError<Message>> {
        self.send_waiting(msg.into(), 0, Wait::For(timeout))
    }

    /// Sends every frame of `frames` as one message (all but the last with `ZMQ_SNDMORE`).
    /// An empty list is an error: a message has at least one frame. On failure the frames
    /// not sent (the failing one first) come back in the error; libzmq delivers a message
    /// whole or not at all, but a message it has started stays open until its last frame.
    ///
    /// Wraps `zmq_msg_send`.
    pub fn send_multipart<I>(&self, frames: I) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        if self.socket_type() == SocketType::XSub {
            // Check every (un)subscription frame before the first goes out, so that a refused
            // frame never leaves a message half sent.
            let frames: Multipart = frames.into_iter().map(Into::into).collect();
            if let Some(error) = frames.iter().find_map(|f| check_xsub_frame(f).err()) {
                return Err(SendError::new(error, frames));
            }
            return self.send_frames(frames);
        }
        self.send_frames(frames)
    }

    fn send_frames<I>(&self, frames: I) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut iter = frames.into_iter().peekable();
        if iter.peek().is_none() {
            return Err(SendError::new(Error::EmptyMessage, Multipart::new()));
        }
        while let Some(frame) = iter.next() {
            let flags = if iter.peek().is_some() {
                SendFlags::MORE
            } else {
                SendFlags::NONE
            };
            if let Err(e) = self.send_with(frame, flags) {
                let (error, message) = e.into_parts();
                let mut unsent = Multipart::single(message);
                unsent.extend(iter);
                return Err(SendError::new(error, unsent));
            }
        }
        Ok(())
    }

    /// Receives one frame, blocking; [`Error::TimedOut`] when the receive timeout
    /// (`ZMQ_RCVTIMEO`) runs out.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&self) -> Result<Message> {
        let mut msg = Message::new();
        self.recv_into(&mut msg)?;
        Ok(msg)
    }

    /// Receives one frame into `msg` (reusing it), blocking.
    ///
    /// Wraps `zmq_msg_recv`.
    pub fn recv_into(&self, msg: &mut Message) -> Result<()> {
        if self.recv_raw(msg, Wait::SocketTimeout)? {
            Ok(())
        } else {
            Err(self.timed_out("receive"))
        }
    }

    /// Receives one frame if one is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT`.
    pub fn try_recv(&self) -> Result<Option<Message>> {
        let mut msg = Message::new();
        Ok(self.recv_raw(&mut msg, Wait::Never)?.then_some(msg))
    }

    /// Receives one frame, waiting at most `timeout`; [`Error::TimedOut`] when none came.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits (the
    /// socket's own value is put back after).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Message> {
        let mut msg = Message::new();
        if self.recv_raw(&mut msg, Wait::For(timeout))? {
            Ok(msg)
        } else {
            Err(self.timed_out("receive"))
        }
    }

    /// Receives one frame's bytes.
    pub fn recv_bytes(&self) -> Result<Vec<u8>> {
        self.recv().map(|m| m.to_vec())
    }

    /// Receives one frame as UTF-8 text; [`Error::Utf8`] when it is not.
    pub fn recv_string(&self) -> Result<String> {
        let msg = self.recv()?;
        msg.as_str().map(str::to_owned)
    }

    /// Receives one frame into `buf`, returning the frame's full length: a length larger
    /// than `buf.len()` means the frame was truncated to fit.
    ///
    /// Wraps `zmq_recv` ([man zmq_recv](http://api.zeromq.org/4-3:zmq-recv)).
    pub fn recv_buf(&self, buf: &mut [u8]) -> Result<usize> {
        let len = self.blocking(Direction::Recv, Wait::SocketTimeout, 0, |flags| {
            // SAFETY: buf is valid for buf.len() writable bytes.
            unsafe {
                zmq_ffi::zmq_recv(
                    self.as_ptr(),
                    buf.as_mut_ptr() as *mut c_void,
                    buf.len(),
                    flags,
                )
            }
        })?;
        match len {
            Some(n) => Ok(n as usize),
            None => Err(self.timed_out("receive")),
        }
    }

    /// The remaining frames of a message whose first frame is `first`.
    fn rest_of(&self, first: Message) -> Result<Multipart> {
        if !first.more() {
            return Ok(Multipart::single(first));
        }
        let mut parts = Multipart::new();
        let mut more = first.more();
        parts.push_back(first);
        while more {
            // The frames of one message arrive together: these never wait.
            let frame = self.recv()?;
            more = frame.more();
            parts.push_back(frame);
        }
        Ok(parts)
    }

    /// Receives every frame of one message, blocking.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more`.
    pub fn recv_multipart(&self) -> Result<Multipart> {
        let first = self.recv()?;
        self.rest_of(first)
    }

    /// Receives every frame of one message if one is ready: `Ok(None)` when none is.
    pub fn try_recv_multipart(&self) -> Result<Option<Multipart>> {
        match self.try_recv()? {
            Some(first) => self.rest_of(first).map(Some),
            None => Ok(None),
        }
    }

    /// Receives every frame of one message, waiting at most `timeout` for the first.
    pub fn recv_multipart_timeout(&self, timeout: Duration) -> Result<Multipart> {
        let first = self.recv_timeout(timeout)?;
        self.rest_of(first)
    }
}
