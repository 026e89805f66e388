//! # zmq-typed
//!
//! Safe, typed Rust bindings to the **system libzmq** (ZeroMQ 4.3), with the raw C API one
//! layer down in [`zmq_ffi`].
//!
//! - [`Context`], [`Socket`] (any of the twelve stable [`SocketType`]s), [`Message`] and
//!   [`Multipart`], every stable socket option typed ([`options`]), [`poll`](mod@poll),
//!   [`Timers`], the [`proxy`](mod@proxy), the socket [`Monitor`], CURVE keys and Z85
//!   ([`security`]), capabilities ([`has`], [`version`]) and one [`Error`] type.
//! - [Typed sockets](typed): one type per socket type ([`Req`], [`Rep`], [`Router`],
//!   [`Pub`], [`Sub`]...), each with only what its type can do, and REQ/REP with their state
//!   machine in the type, so sending twice on a REQ or receiving on a PUB does not compile.
//!   A failed typed operation hands the socket back in its real state ([`Failed`]).
//! - Errors, never panics: bad endpoints, option values out of range, text that is not UTF-8
//!   are typed errors; every errno libzmq reports maps to a named [`Error`] variant or to
//!   [`Error::Other`].
//! - Dropping never hangs for ever: see [the linger policy](context#linger-and-drop).
//!
//! Every function that wraps a libzmq call names it (`Wraps zmq_msg_send`) and links its
//! man page, so these docs double as a map of the C API.
//!
//! ```
//! use zmq_typed::{Context, Socket, SocketType};
//!
//! let ctx = Context::new()?;
//! let rep = Socket::new(&ctx, SocketType::Rep)?;
//! let endpoint = rep.bind("tcp://127.0.0.1:*")?;
//! let req = Socket::new(&ctx, SocketType::Req)?;
//! req.connect(&endpoint)?;
//!
//! req.send("Hello")?;
//! assert_eq!(rep.recv()?, "Hello");
//! rep.send("World")?;
//! assert_eq!(req.recv_string()?, "World");
//! # Ok::<(), zmq_typed::Error>(())
//! ```
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod blocking;
pub mod capability;
mod condvar_wait;
pub mod context;
mod duration;
pub mod endpoint;
pub mod error;
pub mod fd_headroom;
mod inproc_name;
mod interfaces;
pub mod limits;
pub mod message;
pub mod monitor;
mod multicast_guard;
pub mod multipart;
pub mod options;
pub mod patterns;
pub mod poll;
pub mod proxy;
pub mod raw;
pub mod security;
mod send_error;
pub mod sendable;
pub mod signals;
mod sockaddr;
pub mod socket;
pub mod socket_core;
pub mod socket_type;
mod thread_headroom;
pub mod timers;
pub mod typed;
mod unshared;
mod use_fd;

pub use zmq_ffi;

pub use capability::{has, version, Capability, Version};
pub use context::{Context, ContextBuilder, ShutdownHandle};
pub use endpoint::{Endpoint, EndpointError, EndpointErrorKind, ToEndpoint};
pub use error::{Detail, Error, Result};
pub use message::Message;
pub use monitor::{Event, EventKind, EventMask, Monitor, ProtocolError};
pub use multipart::Multipart;
pub use options::{GssapiNameType, Mechanism, PollEvents, TcpKeepalive};
pub use poll::{poll, AsPollable, Pollable, Poller};
pub use proxy::{
    proxy, proxy_with_capture, ProxyFailed, ProxySocket, ProxyStats, SideStats, SteerableProxy,
};
pub use security::{
    z85_decode, z85_encode, Admission, Authenticator, Certificate, CurveKey, CurveKeyPair,
    HandshakeCause, HandshakeFailure, HandshakeSide, HandshakeWatch, SecretKey, Zeroizing,
};
pub use sendable::{Frames, MessageShape, OneFrame, Sendable};
pub use signals::SignalShutdown;
pub use socket::{pgm_permitted, SendError, SendFlags, Socket};
pub use socket_core::SocketCore;
pub use socket_type::SocketType;
pub use timers::{TimerId, Timers};
pub use typed::{
    AnyRep, AnyReq, AwaitingReply, AwaitsReply, Dealer, Failed, Pair, Pub, Pull, Push, Ready,
    ReadyToSend, ReceivesRequest, Receiving, RecvSocket, Rep, Replies, Replying, Req,
    ReqAfterFailure, Routed, Router, RoutingId, SendSocket, Sending, Stream, Sub, Subscription,
    XPub, XSub,
};
pub use typed::{RepSlot, ReqSlot};

/// The traits for generic code over sockets: `use zmq_typed::prelude::*`. Calling `send`
/// and `recv` on a socket needs no import (they are inherent methods).
pub mod prelude {
    pub use crate::poll::AsPollable;
    pub use crate::sendable::Sendable;
    pub use crate::typed::{RecvSocket, SendSocket};
}

/// The README's examples, compiled and run as doc tests (`cargo test --doc`).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
