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
use crate::sendable::Sendable;
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
/// # Hot loops
/// A send or a receive costs what the C call costs: one `zmq_msg_send` or `zmq_msg_recv`,
/// with no allocation of the crate's own and no option read per call. To keep it so in a
/// loop:
/// - receive into one reused [`Message`] with [`Socket::recv_frame_into`] (or one reused
///   [`Multipart`] with [`Socket::recv_into`], which keeps its frame list): libzmq releases
///   the old content as it receives the new;
/// - send bytes you keep with `send(&buf[..])` (one `zmq_msg_init_size` and a copy, as C
///   does), bytes you give away with `send(vec)` or `send(boxed_slice)` (no copy at all: the
///   buffer becomes the message, freed by libzmq once sent), a received message back with
///   [`Socket::send_from`] (sent as it is and left empty, ready for the next
///   `recv_frame_into`, as C reuses one `zmq_msg_t`), and the same bytes to many with
///   `send(&msg)` (a shared reference, not a copy);
/// - one frame goes straight to libzmq; a [`Multipart`] costs a frame list.
///
/// `examples/inproc_thr.rs` and `examples/inproc_lat.rs` are written this way; `perf/compare.sh`
/// runs them side by side with the same programs on the raw C API (see the README).
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
    /// Boxed: a socket moves as one pointer, which the typed sockets do at every change of
    /// state (a REQ's send returns it in its next state). One load more per call.
    pub(crate) core: Box<SocketCore>,
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
    #[doc(alias("zmq_socket"))]
    pub fn new(ctx: &Context, kind: SocketType) -> Result<Socket> {
        let core = SocketCore::open(ctx, kind)?;
        if matches!(kind, SocketType::Pub | SocketType::XPub) {
            // What a PUB or XPUB receives is its subscribers' subscriptions: refuse those
            // that would overflow a stack when removed (see crate::limits).
            core.set_max_msg_size(Some(crate::limits::SUBSCRIPTION_MSG_MAX))?;
        }
        Ok(Socket {
            core: Box::new(core),
        })
    }

    /// Sends one frame, waiting as `wait` says (signals never restart the wait).
    /// `Ok(true)`: queued; `Ok(false)`: no room before the deadline. XSUB frames are
    /// checked by the callers, a whole message before its first frame goes out.
    #[inline]
    fn send_raw(&self, msg: &mut Message, flags: c_int, wait: Wait) -> Result<bool> {
        let sent = self.blocking(Direction::Send, wait, flags, |flags| {
            // SAFETY: socket and message are valid (msg initialised); on success libzmq takes
            // the content and leaves msg as zmq_msg_init does (closing it is then optional:
            // `sent` forgets it, `send_from` keeps it), on failure msg keeps its content.
            unsafe { zmq_ffi::zmq_msg_send(msg.as_mut_ptr(), self.as_ptr(), flags) }
        })?;
        Ok(sent.is_some())
    }

    /// Receives one frame into `msg`, waiting as `wait` says. `Ok(false)`: nothing came
    /// before the deadline.
    #[inline]
    fn recv_raw(&self, msg: &mut Message, wait: Wait) -> Result<bool> {
        let received = self.blocking(Direction::Recv, wait, 0, |flags| {
            // SAFETY: socket and message are valid; zmq_msg_recv releases msg's old content.
            unsafe { zmq_ffi::zmq_msg_recv(msg.as_mut_ptr(), self.as_ptr(), flags) }
        })?;
        Ok(received.is_some())
    }

    #[cold]
    fn timed_out(&self, what: &str) -> Error {
        Error::TimedOut(Detail::new(format!("{what} on {}", self.socket_type())))
    }

    /// Sends one frame, waiting as `wait` says, handing it back on failure.
    /// `started`: earlier frames of the same message are queued. On a PUSH or a DEALER such
    /// a frame is refused only when the pipe the message was going to died half-way (the -2
    /// case of libzmq's `lb.cpp`, returned as `EAGAIN` with a zero timeout): libzmq has
    /// dropped the message and drops the frames after it; this one is dropped too, as
    /// libzmq's blocking send drops it, instead of going to the next peer alone. Anywhere
    /// else the message is still open in libzmq and the refusal is an error like any other,
    /// with the frames not sent: a REQ's request (its `lb` has forgotten the message, its
    /// request state has not), a PAIR's (which keeps no message state), an XPUB's with
    /// `ZMQ_XPUB_NODROP` (which checks the high-water mark at every frame, and whose mark
    /// can go down half-way).
    fn send_frame(
        &self,
        mut frame: Message,
        flags: c_int,
        wait: Wait,
        started: bool,
    ) -> Result<(), SendError> {
        match self.send_raw(&mut frame, flags, wait) {
            Ok(true) => {
                sent(frame);
                Ok(())
            }
            Ok(false) if started && self.drops_dead_messages() => Ok(()),
            Ok(false) => Err(self.send_not_queued(frame, wait)),
            Err(error) => Err(SendError::new(error, Multipart::single(frame))),
        }
    }

    /// Whether libzmq drops the rest of a message whose pipe died half-way (its `lb.cpp`):
    /// a PUSH's or a DEALER's; a REQ's request stays open (see [`Socket::send_frame`]).
    fn drops_dead_messages(&self) -> bool {
        matches!(self.socket_type(), SocketType::Push | SocketType::Dealer)
    }

    /// Sends the frames of one message, every frame but the last with `ZMQ_SNDMORE`, the last
    /// with `last`; the first waits as `wait` says. On failure the frames not sent come back,
    /// the failing one first.
    fn send_frames(
        &self,
        frames: impl Iterator<Item = Message>,
        last: c_int,
        mut wait: Wait,
    ) -> Result<(), SendError> {
        let mut frames = frames.peekable();
        if frames.peek().is_none() {
            return Err(SendError::new(Error::EmptyMessage, Multipart::new()));
        }
        let mut started = false;
        while let Some(frame) = frames.next() {
            let flags = if frames.peek().is_some() {
                zmq_ffi::ZMQ_SNDMORE
            } else {
                last
            };
            if let Err(e) = self.send_frame(frame, flags, wait, started) {
                let (error, mut unsent) = e.into_parts();
                unsent.extend(frames);
                return Err(SendError::new(error, unsent));
            }
            // libzmq's high-water mark counts whole messages: once the first frame is queued,
            // the rest are refused for lack of room only when the mark went down half-way
            // (an XPUB with ZMQ_XPUB_NODROP), so they do not wait (a `try_send` that returns
            // "would block" has sent nothing). They go as C sends them, with the socket's
            // own timeout: never tried without waiting first (see `send_frame`).
            wait = Wait::SocketTimeout;
            started = true;
        }
        Ok(())
    }

    /// Sends a whole message (see [`Socket::send_frames`]); on an XSUB, every
    /// (un)subscription frame is checked before the first goes out, so that a refused frame
    /// never leaves a message half sent.
    fn send_message(&self, msg: Multipart, last: c_int, wait: Wait) -> Result<(), SendError> {
        if self.socket_type() == SocketType::XSub {
            if let Some(error) = msg.iter().find_map(|f| check_xsub_frame(f).err()) {
                return Err(SendError::new(error, msg));
            }
        }
        if msg.is_empty() {
            return Err(SendError::new(Error::EmptyMessage, msg));
        }
        // The count is known: no look-ahead per frame (see `send_frames` for the rules).
        let mut to_go = msg.len();
        let mut frames = msg.into_iter();
        let mut wait = wait;
        let mut started = false;
        while let Some(frame) = frames.next() {
            to_go -= 1;
            let flags = if to_go > 0 {
                zmq_ffi::ZMQ_SNDMORE
            } else {
                last
            };
            if let Err(e) = self.send_frame(frame, flags, wait, started) {
                let (error, mut unsent) = e.into_parts();
                unsent.extend(frames);
                return Err(SendError::new(error, unsent));
            }
            wait = Wait::SocketTimeout;
            started = true;
        }
        Ok(())
    }

    /// Sends what `msg` is: one frame straight to libzmq, several through
    /// [`Socket::send_message`].
    #[inline(always)]
    fn send_sendable(&self, msg: impl Sendable, last: c_int, wait: Wait) -> Result<(), SendError> {
        match msg.into_frame() {
            Ok(frame) => self.send_one(frame, last, wait),
            Err(frames) => self.send_message(frames, last, wait),
        }
    }

    /// Sends a message of one frame (checked first on an XSUB), handing it back on failure.
    #[inline(always)]
    fn send_one(&self, mut frame: Message, flags: c_int, wait: Wait) -> Result<(), SendError> {
        if self.socket_type() == SocketType::XSub {
            if let Err(error) = check_xsub_frame(&frame) {
                return Err(SendError::new(error, Multipart::single(frame)));
            }
        }
        match self.send_raw(&mut frame, flags, wait) {
            Ok(true) => {
                sent(frame);
                Ok(())
            }
            Ok(false) => Err(self.send_not_queued(frame, wait)),
            Err(error) => Err(SendError::new(error, Multipart::single(frame))),
        }
    }

    /// The error of a send that found no room before its deadline, with its frame.
    #[cold]
    fn send_not_queued(&self, frame: Message, wait: Wait) -> SendError {
        let error = match wait {
            Wait::Never => {
                Error::WouldBlock(Detail::new(format!("send on {}", self.socket_type())))
            }
            _ => self.timed_out("send"),
        };
        SendError::new(error, Multipart::single(frame))
    }

    /// Sends a frame or a whole message ([`Sendable`]), blocking until it is queued or the
    /// send timeout (`ZMQ_SNDTIMEO`) runs out ([`Error::TimedOut`]). On failure the frames
    /// not sent come back in the [`SendError`] (`?` turns it into an [`Error`]). libzmq
    /// delivers a message whole or not at all, but a message it has started stays open
    /// until its last frame: sending the frames handed back completes it.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on every frame but the last.
    #[doc(alias("zmq_msg_send", "zmq_send", "send_msg"))]
    pub fn send(&self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_sendable(msg, 0, Wait::SocketTimeout)
    }

    /// Sends `msg` as a message of one frame and leaves it empty, as libzmq leaves the
    /// `zmq_msg_t` it sends: ready to be received into ([`Socket::recv_frame_into`]) or
    /// replaced. With `recv_frame_into`, the cheapest way to pass one message back and forth
    /// (an echo, a relay): one libzmq call per send and per receive, no `Message` made or
    /// closed in between. Blocks like [`Socket::send`]; on failure `msg` keeps its bytes, but
    /// not always the rest: libzmq clears its `more` flag and drops its metadata
    /// ([`Message::property`]) before it tries to queue it.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    #[doc(alias("zmq_msg_send", "zmq_sendmsg"))]
    #[inline]
    pub fn send_from(&self, msg: &mut Message) -> Result<()> {
        if self.socket_type() == SocketType::XSub {
            check_xsub_frame(msg)?;
        }
        if self.send_raw(msg, 0, Wait::SocketTimeout)? {
            Ok(())
        } else {
            Err(self.timed_out("send"))
        }
    }

    /// Sends a frame or a whole message as the first part of a longer one: every frame with
    /// `ZMQ_SNDMORE`, so the message goes on with the next send.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_more(&self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_sendable(msg, zmq_ffi::ZMQ_SNDMORE, Wait::SocketTimeout)
    }

    /// Sends a frame or a whole message with `flags`: [`SendFlags::MORE`] applies to its
    /// last frame too (the message goes on with the next send); with
    /// [`SendFlags::DONTWAIT`], a full queue is [`Error::WouldBlock`] (and nothing was sent).
    /// Without it, it blocks as [`Socket::send`] does.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_with(&self, msg: impl Sendable, flags: SendFlags) -> Result<(), SendError> {
        let wait = if flags.contains(SendFlags::DONTWAIT) {
            Wait::Never
        } else {
            Wait::SocketTimeout
        };
        self.send_sendable(msg, flags.bits() & !zmq_ffi::ZMQ_DONTWAIT, wait)
    }

    /// Sends a frame or a whole message without blocking: `Ok(None)` when it was queued,
    /// `Ok(Some(message))` (handed back, nothing of it sent) when the queue is full or no
    /// peer is there to take it. Any other failure hands the message back too, in the
    /// [`SendError`], as every send does.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn try_send(&self, msg: impl Sendable) -> Result<Option<Multipart>, SendError> {
        match self.send_sendable(msg, 0, Wait::Never) {
            Ok(()) => Ok(None),
            Err(e) if e.is_would_block() => Ok(Some(e.into_message())),
            Err(e) => Err(e),
        }
    }

    /// Sends a frame or a whole message, waiting at most `timeout` for room;
    /// [`Error::TimedOut`] (with the message handed back) when there was none.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDTIMEO` set to the time left while it waits (the socket's own value is
    /// put back after).
    pub fn send_timeout(&self, msg: impl Sendable, timeout: Duration) -> Result<(), SendError> {
        self.send_sendable(msg, 0, Wait::For(timeout))
    }

    /// Sends the frames an iterator yields as one message (all but the last with
    /// `ZMQ_SNDMORE`), without collecting them first. An empty iterator is an error: a
    /// message has at least one frame. On failure the frames not sent (the failing one
    /// first) come back in the error.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_multipart<I>(&self, frames: I) -> Result<(), SendError>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        if self.socket_type() == SocketType::XSub {
            // Collected, so that every frame is checked before the first goes out.
            let frames: Multipart = frames.into_iter().map(Into::into).collect();
            return self.send_message(frames, 0, Wait::SocketTimeout);
        }
        self.send_frames(frames.into_iter().map(Into::into), 0, Wait::SocketTimeout)
    }

    /// Receives one whole message into `parts` (cleared first), waiting as `wait` says.
    /// `Ok(false)`: nothing came before the deadline.
    #[inline]
    fn recv_message(&self, parts: &mut Multipart, wait: Wait) -> Result<bool> {
        // Each frame lands in the Message the list already holds at its place, if any.
        let first = parts.reuse_first();
        match self.recv_raw(first, wait) {
            Ok(true) => {}
            outcome => {
                parts.clear();
                return outcome;
            }
        }
        if !first.more() {
            parts.keep(1);
            return Ok(true);
        }
        self.recv_rest(parts)
    }

    /// The frames after the first of a message of several, each received into the frame
    /// the list holds at its place (a new one past its end); the list keeps what arrived.
    fn recv_rest(&self, parts: &mut Multipart) -> Result<bool> {
        let mut received = 1;
        let outcome = loop {
            let frame = parts.reuse_frame(received);
            // The frames of one message arrive together: these never wait.
            match self.recv_raw(frame, Wait::SocketTimeout) {
                Ok(true) => {}
                Ok(false) => break Err(self.timed_out("receive")),
                Err(error) => break Err(error),
            }
            received += 1;
            if !frame.more() {
                break Ok(true);
            }
        };
        parts.keep(received);
        outcome
    }

    /// Receives one whole message, every frame of it, blocking until one comes or the
    /// receive timeout (`ZMQ_RCVTIMEO`) runs out ([`Error::TimedOut`]). A message of one
    /// frame costs no allocation besides libzmq's own.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    #[doc(alias("recv_multipart", "zmq_msg_recv"))]
    pub fn recv(&self) -> Result<Multipart> {
        let mut parts = Multipart::new();
        self.recv_into(&mut parts)?;
        Ok(parts)
    }

    /// Receives one whole message into `parts`, which is cleared first and keeps the storage
    /// of its frame list: a loop that receives into the same `Multipart` allocates nothing
    /// once it has seen its longest message.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv_into(&self, parts: &mut Multipart) -> Result<()> {
        if self.recv_message(parts, Wait::SocketTimeout)? {
            Ok(())
        } else {
            Err(self.timed_out("receive"))
        }
    }

    /// Receives one whole message if one is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn try_recv(&self) -> Result<Option<Multipart>> {
        let mut parts = Multipart::new();
        Ok(self.recv_message(&mut parts, Wait::Never)?.then_some(parts))
    }

    /// Receives one whole message, waiting at most `timeout` for it; [`Error::TimedOut`]
    /// when none came.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// with `ZMQ_RCVTIMEO` set to the time left while it waits (the socket's own value is
    /// put back after).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Multipart> {
        let mut parts = Multipart::new();
        if self.recv_message(&mut parts, Wait::For(timeout))? {
            Ok(parts)
        } else {
            Err(self.timed_out("receive"))
        }
    }

    /// Receives one whole message, which must be a single frame, as its bytes:
    /// [`Error::Malformed`] for a message of several frames (it is consumed).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv_bytes(&self) -> Result<Vec<u8>> {
        Ok(self.recv()?.only()?.to_vec())
    }

    /// Receives one whole message, which must be a single frame of UTF-8 text:
    /// [`Error::Malformed`] for a message of several frames (it is consumed),
    /// [`Error::Utf8`] for one that is not text.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv_string(&self) -> Result<String> {
        self.recv()?.into_string()
    }

    /// Receives one frame, blocking; [`Error::TimedOut`] when the receive timeout
    /// (`ZMQ_RCVTIMEO`) runs out. The rest of its message, if any, is read by the next
    /// calls ([`Message::more`] tells): a [`Socket::recv`] then returns those frames as a
    /// message.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    #[doc(alias("recv_msg", "zmq_msg_recv"))]
    pub fn recv_frame(&self) -> Result<Message> {
        let mut msg = Message::new();
        self.recv_frame_into(&mut msg)?;
        Ok(msg)
    }

    /// Receives one frame into `msg` (reusing it), blocking.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    #[inline]
    pub fn recv_frame_into(&self, msg: &mut Message) -> Result<()> {
        if self.recv_raw(msg, Wait::SocketTimeout)? {
            Ok(())
        } else {
            Err(self.timed_out("receive"))
        }
    }

    /// Receives one frame if one is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn try_recv_frame(&self) -> Result<Option<Message>> {
        let mut msg = Message::new();
        Ok(self.recv_raw(&mut msg, Wait::Never)?.then_some(msg))
    }

    /// Receives one frame, waiting at most `timeout`; [`Error::TimedOut`] when none came.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// with `ZMQ_RCVTIMEO` set to the time left while it waits (the socket's own value is
    /// put back after).
    pub fn recv_frame_timeout(&self, timeout: Duration) -> Result<Message> {
        let mut msg = Message::new();
        if self.recv_raw(&mut msg, Wait::For(timeout))? {
            Ok(msg)
        } else {
            Err(self.timed_out("receive"))
        }
    }

    /// Receives one frame into `buf`, returning the frame's full length: a length larger
    /// than `buf.len()` means the frame was truncated to fit.
    ///
    /// Wraps `zmq_recv` ([man zmq_recv](http://api.zeromq.org/4-3:zmq-recv)).
    #[doc(alias("zmq_recv"))]
    pub fn recv_frame_buf(&self, buf: &mut [u8]) -> Result<usize> {
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
}

/// A frame libzmq has taken: a successful `zmq_msg_send` leaves the `zmq_msg_t` empty (as
/// `zmq_msg_init` does), holding nothing, so there is nothing to close (man zmq_msg_send:
/// "You do not need to call zmq_msg_close() after a successful zmq_msg_send()").
#[inline(always)]
fn sent(frame: Message) {
    std::mem::forget(frame);
}
