//! High-water marks made explicit: [`QueueBounds`] and what a socket does at its mark
//! ([`AtHwm`]).

use crate::error::Result;
use crate::socket_core::SocketCore;
use crate::socket_type::SocketType;

/// A socket's two high-water marks, in messages, per connection: `send` (`ZMQ_SNDHWM`)
/// and `recv` (`ZMQ_RCVHWM`); `None` is no limit. libzmq's default is 1000 each.
///
/// Set them before `bind` or `connect`: a connection takes the marks the socket has when it
/// is made, and keeps them.
///
/// ```
/// use zmq_typed::patterns::backpressure::QueueBounds;
/// use zmq_typed::{Context, Push};
///
/// let ctx = Context::new()?;
/// let push = Push::new(&ctx)?;
/// QueueBounds::new(Some(10), Some(10)).apply(&push)?;
/// assert_eq!(QueueBounds::read(&push)?, QueueBounds { send: Some(10), recv: Some(10) });
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueBounds {
    /// The send high-water mark (`ZMQ_SNDHWM`), `None`: no limit.
    pub send: Option<u32>,
    /// The receive high-water mark (`ZMQ_RCVHWM`), `None`: no limit.
    pub recv: Option<u32>,
}

impl QueueBounds {
    /// libzmq's defaults: 1000 messages each way.
    pub const LIBZMQ_DEFAULT: QueueBounds = QueueBounds {
        send: Some(1000),
        recv: Some(1000),
    };

    /// Both marks (`Some(0)` is refused by [`QueueBounds::apply`]: write `None` for no
    /// limit).
    pub fn new(send: Option<u32>, recv: Option<u32>) -> QueueBounds {
        QueueBounds { send, recv }
    }

    /// Sets both marks on `socket` (any socket: typed sockets dereference to
    /// [`SocketCore`]).
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_SNDHWM` and `ZMQ_RCVHWM`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn apply(&self, socket: &SocketCore) -> Result<()> {
        socket.set_sndhwm(self.send)?;
        socket.set_rcvhwm(self.recv)
    }

    /// The marks `socket` has now.
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_SNDHWM` and `ZMQ_RCVHWM`
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    pub fn read(socket: &SocketCore) -> Result<QueueBounds> {
        Ok(QueueBounds {
            send: socket.sndhwm()?,
            recv: socket.rcvhwm()?,
        })
    }
}

/// What a send does when the socket is at its high-water mark (libzmq's "mute state",
/// [man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtHwm {
    /// The send waits for room (up to the send timeout); `try_send` hands the message
    /// back (`Ok(Some(message))`). Nothing is lost: the producer is slowed down.
    Blocks,
    /// The send succeeds and the message is dropped, silently, for the peers that are full
    /// (a ROUTER's one peer, a publisher's slow subscribers). The producer is never slowed;
    /// the slow consumer loses messages.
    Drops,
    /// The socket type cannot send (PULL, SUB).
    CannotSend,
}

impl AtHwm {
    /// The behaviour of `socket_type`. `no_drop` says whether the option that turns
    /// dropping into blocking is set: `ZMQ_ROUTER_MANDATORY` on a ROUTER, `ZMQ_XPUB_NODROP`
    /// on a PUB or XPUB (ignored for other types).
    ///
    /// | Type | At the mark |
    /// |---|---|
    /// | PUSH, DEALER, REQ, PAIR, STREAM | blocks |
    /// | PUB, XPUB | drops (blocks with `ZMQ_XPUB_NODROP`) |
    /// | ROUTER | drops (blocks with `ZMQ_ROUTER_MANDATORY`) |
    /// | REP, XSUB | drops (a REP's reply to a full peer, an XSUB's subscription) |
    /// | PULL, SUB | cannot send |
    ///
    /// Where `man zmq_socket` says "EAGAIN" (STREAM) or `ZMQ_ROUTER_MANDATORY` and
    /// `ZMQ_XPUB_NODROP` say so, that is what a `try_send` gets (the message handed back);
    /// a blocking send waits for room, as for the other blocking types.
    ///
    /// A PUSH, DEALER or REQ blocks when every peer is full, or when it has no connection
    /// at all (a socket that has only bound, with no peer yet; or one with
    /// `ZMQ_IMMEDIATE` whose connections are not complete).
    pub fn of(socket_type: SocketType, no_drop: bool) -> AtHwm {
        match socket_type {
            SocketType::Push
            | SocketType::Dealer
            | SocketType::Req
            | SocketType::Pair
            | SocketType::Stream => AtHwm::Blocks,
            SocketType::Pub | SocketType::XPub | SocketType::Router if no_drop => AtHwm::Blocks,
            SocketType::Pub
            | SocketType::XPub
            | SocketType::Router
            | SocketType::Rep
            | SocketType::XSub => AtHwm::Drops,
            SocketType::Pull | SocketType::Sub => AtHwm::CannotSend,
        }
    }
}

/// What `socket` does at its high-water mark, as made: with `ZMQ_ROUTER_MANDATORY` and
/// `ZMQ_XPUB_NODROP` off. libzmq cannot report these two options (they are write-only), so
/// a socket that has set one is described by [`AtHwm::of`]`(type, true)`.
///
/// Calls nothing: the type is the one the socket was made with.
///
/// ```
/// use zmq_typed::patterns::backpressure::{at_hwm, AtHwm};
/// use zmq_typed::{Context, Pub, Push};
///
/// let ctx = Context::new()?;
/// let (push, publisher) = (Push::new(&ctx)?, Pub::new(&ctx)?);
/// assert_eq!(at_hwm(&push), AtHwm::Blocks);
/// assert_eq!(at_hwm(&publisher), AtHwm::Drops);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub fn at_hwm(socket: &SocketCore) -> AtHwm {
    AtHwm::of(socket.socket_type(), false)
}
