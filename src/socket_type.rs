//! The twelve stable socket types of libzmq ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).

use std::fmt;
use std::os::raw::c_int;

/// A socket type. The DRAFT types (CLIENT, SERVER, RADIO, DISH, ...) are not here: the
/// system libzmq does not export them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SocketType {
    /// `ZMQ_PAIR`: exclusive pair.
    Pair,
    /// `ZMQ_PUB`: publisher.
    Pub,
    /// `ZMQ_SUB`: subscriber.
    Sub,
    /// `ZMQ_REQ`: requester, strict send/receive alternation.
    Req,
    /// `ZMQ_REP`: replier, strict receive/send alternation.
    Rep,
    /// `ZMQ_DEALER`: asynchronous request/reply, load-balanced.
    Dealer,
    /// `ZMQ_ROUTER`: asynchronous request/reply, addressed by routing id.
    Router,
    /// `ZMQ_PULL`: pipeline downstream.
    Pull,
    /// `ZMQ_PUSH`: pipeline upstream.
    Push,
    /// `ZMQ_XPUB`: publisher that sees subscriptions.
    XPub,
    /// `ZMQ_XSUB`: subscriber that sends subscriptions as messages.
    XSub,
    /// `ZMQ_STREAM`: raw TCP.
    Stream,
}

impl SocketType {
    /// Every stable socket type.
    pub const ALL: [SocketType; 12] = [
        SocketType::Pair,
        SocketType::Pub,
        SocketType::Sub,
        SocketType::Req,
        SocketType::Rep,
        SocketType::Dealer,
        SocketType::Router,
        SocketType::Pull,
        SocketType::Push,
        SocketType::XPub,
        SocketType::XSub,
        SocketType::Stream,
    ];

    /// The `ZMQ_*` value.
    pub fn raw(self) -> c_int {
        match self {
            SocketType::Pair => zmq_ffi::ZMQ_PAIR,
            SocketType::Pub => zmq_ffi::ZMQ_PUB,
            SocketType::Sub => zmq_ffi::ZMQ_SUB,
            SocketType::Req => zmq_ffi::ZMQ_REQ,
            SocketType::Rep => zmq_ffi::ZMQ_REP,
            SocketType::Dealer => zmq_ffi::ZMQ_DEALER,
            SocketType::Router => zmq_ffi::ZMQ_ROUTER,
            SocketType::Pull => zmq_ffi::ZMQ_PULL,
            SocketType::Push => zmq_ffi::ZMQ_PUSH,
            SocketType::XPub => zmq_ffi::ZMQ_XPUB,
            SocketType::XSub => zmq_ffi::ZMQ_XSUB,
            SocketType::Stream => zmq_ffi::ZMQ_STREAM,
        }
    }

    /// The type for a `ZMQ_*` value, `None` for an unknown or DRAFT one.
    pub fn from_raw(raw: c_int) -> Option<SocketType> {
        SocketType::ALL.into_iter().find(|t| t.raw() == raw)
    }

    /// The name libzmq uses (`"REQ"`, `"XPUB"`), as in the `Socket-Type` message property.
    pub fn name(self) -> &'static str {
        match self {
            SocketType::Pair => "PAIR",
            SocketType::Pub => "PUB",
            SocketType::Sub => "SUB",
            SocketType::Req => "REQ",
            SocketType::Rep => "REP",
            SocketType::Dealer => "DEALER",
            SocketType::Router => "ROUTER",
            SocketType::Pull => "PULL",
            SocketType::Push => "PUSH",
            SocketType::XPub => "XPUB",
            SocketType::XSub => "XSUB",
            SocketType::Stream => "STREAM",
        }
    }

    /// Whether this type may use the multicast transports (`pgm://`, `epgm://`, `norm://`).
    pub fn allows_multicast(self) -> bool {
        matches!(
            self,
            SocketType::Pub | SocketType::Sub | SocketType::XPub | SocketType::XSub
        )
    }

    /// The peer types this type can talk to, per the compatibility table of `man zmq_socket`.
    pub fn compatible_peers(self) -> &'static [SocketType] {
        use SocketType::*;
        match self {
            Pair => &[Pair],
            Pub | XPub => &[Sub, XSub],
            Sub | XSub => &[Pub, XPub],
            Req => &[Rep, Router],
            Rep => &[Req, Dealer],
            Dealer => &[Rep, Dealer, Router],
            Router => &[Req, Dealer, Router],
            Pull => &[Push],
            Push => &[Pull],
            Stream => &[],
        }
    }
}

impl fmt::Display for SocketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
