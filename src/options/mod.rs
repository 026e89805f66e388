//! Every stable socket option of libzmq 4.3.4, typed after its real domain
//! ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt),
//! [man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
//!
//! - Each option is declared once, in one table (`src/options/table.rs`), with the socket
//!   types that accept it: the options of every type are methods of [`SocketCore`] (so of
//!   [`Socket`] and every typed socket, which dereference to it); those of some types only
//!   (conflate, router mandatory, the XPUB family...) are methods of the dynamic [`Socket`]
//!   and of the typed sockets of those types, and of no other:
//!
//! ```
//! # let ctx = zmq_typed::Context::new()?;
//! let dealer = zmq_typed::Dealer::new(&ctx)?;
//! dealer.set_conflate(true)?;       // PUB, SUB, PUSH, PULL, DEALER accept ZMQ_CONFLATE
//! dealer.set_linger(None)?;         // every type accepts ZMQ_LINGER
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//!
//! ```compile_fail
//! # let ctx = zmq_typed::Context::new()?;
//! let pair = zmq_typed::Pair::new(&ctx)?;
//! pair.set_conflate(true)?;         // no such method: PAIR does not accept ZMQ_CONFLATE
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//! - Times are [`Duration`]s; sub-millisecond values round *up* (never to 0, which would
//!   make a timeout non-blocking). Where libzmq uses -1 for "infinite" or "never" (linger,
//!   timeouts, reconnect) the type is `Option<Duration>` with `None` for that; where it uses 0
//!   for "off" (heartbeats, handshake, connect timeout) likewise.
//! - High-water marks are `Option<u32>`: `None` is libzmq's 0, "no limit".
//! - `ZMQ_TCP_KEEPALIVE` is the tri-state [`TcpKeepalive`]; `ZMQ_HEARTBEAT_TTL` is rounded up
//!   to the decisecond libzmq keeps it in.
//! - Options that `zmq_getsockopt` rejects (router mandatory/handover/raw, probe router, REQ
//!   relaxed/correlate, the XPUB family, stream notify, connect routing id) have only a
//!   setter; read-only ones (type, RCVMORE, FD, EVENTS, last endpoint, mechanism, thread
//!   safe) only a getter. String getters drop libzmq's trailing NUL.
//! - CURVE keys are 32 raw bytes or 40 Z85 characters ([`CurveKey`](crate::CurveKey)).
//! - Subscribing is an action, not an option: [`Socket::subscribe`] and
//!   [`Socket::unsubscribe`] (and the same on [`crate::Sub`], [`crate::XSub`], [`crate::XPub`]).

mod codecs;
mod expand;
mod raw;
mod table;
mod values;

use std::os::raw::c_int;
use std::time::Duration;

pub(crate) use codecs::*;
pub(crate) use expand::{expand_group, expand_groups, expand_impls, expand_rows};
pub(crate) use table::option_table;
pub use values::{GssapiNameType, Mechanism, PollEvents, TcpKeepalive};

use crate::error::{Error, Result};
use crate::socket::Socket;
use crate::socket_core::SocketCore;
use crate::socket_type::SocketType;

// The groups of the table on `SocketCore`; `crate::typed::options` expands the others.
option_table!(core);

/// Subscriptions: actions, not options, although libzmq takes them as options.
impl Socket {
    /// Receives the messages whose first frame starts with `topic` (empty: every message);
    /// subscriptions add up, each needs its own `unsubscribe`. A SUB (or an XPUB with
    /// `set_xpub_manual`) takes it as the `ZMQ_SUBSCRIBE` option; an XSUB, which has no such
    /// option, sends the subscription message `\x01topic` to its publishers. A topic longer
    /// than [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) is [`Error::TopicTooLong`]:
    /// libzmq removes subscriptions recursively, one stack frame per byte.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_SUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)),
    /// or `zmq_msg_send` on an XSUB.
    #[doc(alias("set_subscribe", "ZMQ_SUBSCRIBE"))]
    pub fn subscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.subscription(zmq_ffi::ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", topic.as_ref())
    }

    /// Removes one subscription made with this prefix (on an XSUB, sends `\x00topic`). A
    /// topic longer than [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) cannot have been
    /// subscribed, and is [`Error::TopicTooLong`] too.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_UNSUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)),
    /// or `zmq_msg_send` on an XSUB.
    #[doc(alias("set_unsubscribe", "ZMQ_UNSUBSCRIBE"))]
    pub fn unsubscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.subscription(zmq_ffi::ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", topic.as_ref())
    }

    fn subscription(&self, option: c_int, name: &'static str, topic: &[u8]) -> Result<()> {
        crate::limits::check_topic(topic)?;
        if self.socket_type() != SocketType::XSub {
            return self.set_bytes(option, name, topic);
        }
        let mut frame = Vec::with_capacity(topic.len() + 1);
        frame.push(u8::from(option == zmq_ffi::ZMQ_SUBSCRIBE));
        frame.extend_from_slice(topic);
        Ok(self.send_with(frame, crate::socket::SendFlags::NONE)?)
    }
}

impl SocketCore {
    /// The endpoint of the last bind or connect, as libzmq resolved it (`tcp://127.0.0.1:41234`
    /// for `tcp://127.0.0.1:*`).
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_LAST_ENDPOINT`; the trailing NUL is dropped. libzmq
    /// wants a buffer as long as the endpoint (inproc names have no limit) and says only
    /// `EINVAL` when it is shorter: the buffer grows until it fits.
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt))
    pub fn last_endpoint(&self) -> Result<String> {
        let mut max = 256;
        loop {
            match self.get_string_max(zmq_ffi::ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT", max) {
                Err(Error::InvalidArgument(_)) if max < 1 << 26 => max *= 4,
                other => return other,
            }
        }
    }

    /// The file descriptor that signals, edge-triggered, that [`SocketCore::events`] may have
    /// changed. It is *not* readable data: when it polls readable, read `events()` (which
    /// resets the edge) and receive or send until that says no more; only then wait on the
    /// fd again, or a pending message can go unnoticed.
    ///
    /// The descriptor belongs to libzmq, which keeps it open until the socket is closed: it
    /// is lent for as long as the socket is borrowed, and must not be closed or read. The
    /// same as the socket's `AsFd` (the value of `ZMQ_FD` read when the socket was opened).
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_FD` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    pub fn fd(&self) -> Result<std::os::fd::BorrowedFd<'_>> {
        Ok(std::os::fd::AsFd::as_fd(self))
    }
}

/// A routing id is 1 to 255 bytes, not starting with a zero byte.
pub(crate) fn check_routing_id(option: &'static str, id: &[u8]) -> Result<()> {
    if id.is_empty() || id.len() > 255 {
        return Err(Error::OptionValue {
            option,
            reason: format!("a routing id has 1 to 255 bytes, not {}", id.len()),
        });
    }
    if id[0] == 0 {
        return Err(Error::OptionValue {
            option,
            reason: "a routing id must not start with a zero byte (libzmq keeps those for generated ids)".into(),
        });
    }
    Ok(())
}
