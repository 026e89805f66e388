//! Typed sockets: one type per socket type, exposing only what that type can do, with the
//! REQ and REP state machines in the type. The mistakes libzmq reports at run time become
//! compile errors.
//!
//! | Type | Can | Valid peers | Turned into a compile error |
//! |---|---|---|---|
//! | [`Req<Ready>`](Req) | `send` (a frame or a whole message) → `Req<AwaitingReply>`; `send_more` → `Req<Sending>` | [`Rep`], [`Router`] | send twice, receive first: `EFSM` |
//! | [`Req<Sending>`](Req) | `send_more`, `send` (the rest) → `Req<AwaitingReply>` | | receive mid-request: `EFSM` |
//! | [`Req<AwaitingReply>`](Req) | `recv` → (reply, `Req<Ready>`); `abandon` (relaxed) | | send before the reply: `EFSM` |
//! | [`Rep<Receiving>`](Rep) | `recv` → (request, `Rep<Replying>`); `serve(handler)` | [`Req`], [`Dealer`] | send before a request: `EFSM` |
//! | [`Rep<Replying>`](Rep) | `send_more`, `send` (a frame or a whole message) → `Rep<Receiving>` | | receive twice: `EFSM` |
//! | [`Dealer`] | send, receive | [`Rep`], [`Dealer`], [`Router`] | |
//! | [`Router`] | `recv` → [`Routed`] (routing id, body); `send` (a routed message), `send_to(&id, ..)`, `reply(&id, ..)` | [`Req`], [`Dealer`], [`Router`] | a routed message without its body |
//! | [`Pub`] | send | [`Sub`], [`XSub`] | receive: `ENOTSUP`; subscribe |
//! | [`Sub`] | receive, `subscribe` | [`Pub`], [`XPub`] | send: `ENOTSUP` |
//! | [`XPub`] | send, receive subscriptions, `subscribe` (manual mode) | [`Sub`], [`XSub`] | |
//! | [`XSub`] | receive, send, `subscribe` (a message) | [`Pub`], [`XPub`] | `ZMQ_SUBSCRIBE` option: `EINVAL` |
//! | [`Push`] | send | [`Pull`] | receive: `ENOTSUP`; subscribe |
//! | [`Pull`] | receive | [`Push`] | send: `ENOTSUP` |
//! | [`Pair`] | send, receive | [`Pair`] | |
//! | [`Stream`] | `recv` → (routing id, data), `send_to`, `close_peer` | TCP peers | |
//!
//! Options that only make sense for some types are on those types only (router mandatory on
//! [`Router`], correlate and relaxed on [`Req`], the XPUB family on [`XPub`], conflate on the
//! types that support it...). Every typed socket dereferences to [`SocketCore`], which binds,
//! connects, sets the general options and can be polled, but neither sends nor receives, so
//! it cannot bypass the state in the type. [`AsPollable`] gives the same poll-only view, so
//! sockets of mixed types wait together in one [`crate::Poller`]. `into_dynamic` gives up the
//! typing for the dynamic [`Socket`].
//!
//! Sockets with no state machine have their send and receive methods inherent, the same as
//! the dynamic [`Socket`]'s (no import needed); the sealed traits [`SendSocket`] and
//! [`RecvSocket`] give the same methods to generic code. A receive takes a whole message,
//! every frame of it, as a [`crate::Multipart`], which holds a single-frame message without
//! an allocation of its own; a send takes a frame or a whole message
//! ([`crate::Sendable`]). The typed calls forward to the dynamic ones, with no extra
//! allocation or system call per message (`benches/typed.rs` measures it).
//!
//! A REQ or REP kept in a struct or an event loop: see
//! [below](#keeping-a-req-or-rep-in-a-struct). [`Rep::serve`] runs the whole receive-reply
//! loop.
//!
//! A failed operation of [`Req`] or [`Rep`] hands the socket back, in the state it is really
//! in, inside a [`Failed`]:
//!
//! ```
//! use zmq_typed::{Context, Rep, Req};
//!
//! let ctx = Context::new()?;
//! let rep = Rep::new(&ctx)?;                  // Rep<Receiving>
//! let endpoint = rep.bind("tcp://127.0.0.1:*")?;
//! let req = Req::new(&ctx)?;                  // Req<Ready>
//! req.connect(&endpoint)?;
//!
//! let req = req.send("Hello")?;               // Req<AwaitingReply>
//! let (request, rep) = rep.recv()?;           // the whole request, Rep<Replying>
//! assert_eq!(request, "Hello");
//! let rep = rep.send("World")?;               // Rep<Receiving>
//! let (reply, req) = req.recv()?;             // the whole reply, Req<Ready>
//! assert_eq!(reply, "World");
//! # drop((req, rep));
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//!
//! In a loop, each step hands the socket on in its next state; a chain reads as the
//! exchange does:
//!
//! ```
//! # use zmq_typed::{Context, Rep, Req};
//! # let ctx = Context::new()?;
//! # let rep = Rep::new(&ctx)?;
//! # let endpoint = rep.bind("inproc://typed-loop-doc")?;
//! # std::thread::spawn(move || rep.serve(|request| request));
//! let mut req = Req::new(&ctx)?;
//! req.connect(&endpoint)?;
//! for n in 0..3 {
//!     let (reply, ready) = req.send(n.to_string())?.recv()?;
//!     assert_eq!(reply, n.to_string());
//!     req = ready;
//! }
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//!
//! Sending twice does not compile, because the first send consumed the `Req<Ready>`:
//!
//! ```compile_fail
//! # use zmq_typed::{Context, Req};
//! # let ctx = Context::new()?;
//! let req = Req::new(&ctx)?;
//! let waiting = req.send("a")?;
//! waiting.send("b")?;       // no `send` on Req<AwaitingReply>
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//!
//! # Keeping a REQ or REP in a struct
//!
//! Each step of a [`Req`] or [`Rep`] moves it, so a socket kept in one place (a field, an
//! event loop's table) needs one of three things, from the most checked to the handiest:
//!
//! - **Rebinding**, as in the loop above: the socket lives in a local `let mut`, each step
//!   hands it on. Every order is checked at compile time; it suits a function that owns the
//!   socket for the whole exchange.
//! - **[`AnyReq`] / [`AnyRep`]**, an enum over the typed states: a struct holds it, and
//!   `match` gives the typed socket back, with the compile-time check of its state, for a
//!   method that takes `self` by value and returns the struct (a [`Failed`] converts into
//!   it, with the socket in its real state).
//! - **[`ReqSlot`] / [`RepSlot`]**, for a method that has only `&mut self`: the slot steps
//!   through the typed API and checks the order at run time, before libzmq is called (a call
//!   in the wrong state is [`Error::WrongState`](crate::Error::WrongState), saying what to
//!   call instead), and keeps the socket whatever fails, so `?` is free to use. `into_any`
//!   goes back to the enum, and so to the typed socket.

mod any_state;
mod failed;
pub(crate) mod ops;
mod options;
mod pair;
mod pipeline;
mod pubsub;
mod rep;
mod req;
mod routed;
mod router;
mod routing_id;
mod slot;
mod stream;

pub use any_state::{AnyRep, AnyReq};
pub use failed::Failed;
pub use ops::{RecvSocket, SendSocket};
pub use pair::{Dealer, Pair};
pub use pipeline::{Pull, Push};
pub use pubsub::{Pub, Sub, Subscription, XPub, XSub};
pub use rep::{ReceivesRequest, Receiving, Rep, Replies, Replying};
pub use req::{AwaitingReply, AwaitsReply, Ready, ReadyToSend, Req, ReqAfterFailure, Sending};
pub use routed::Routed;
pub use router::{RoutedMessage, RoutedShape, Router};
pub use routing_id::RoutingId;
pub use slot::{RepSlot, ReqSlot};
pub use stream::Stream;

#[cfg(doc)]
use crate::{poll::AsPollable, socket::Socket, socket_core::SocketCore};

/// What every typed socket has: the dynamic socket in a field `socket`, a view of its core,
/// a poll-only view, `into_dynamic`, `Debug`.
macro_rules! typed_common {
    ($name:ident $(<$g:ident>)?) => {
        impl$(<$g>)? std::ops::Deref for $name$(<$g>)? {
            type Target = $crate::socket_core::SocketCore;
            fn deref(&self) -> &$crate::socket_core::SocketCore {
                &self.socket
            }
        }

        impl$(<$g>)? $crate::poll::AsPollable for $name$(<$g>)? {
            fn as_pollable(&self) -> $crate::poll::Pollable<'_> {
                $crate::poll::Pollable::Socket(&self.socket)
            }
        }

        impl$(<$g>)? $crate::typed::ops::sealed::Typed for $name$(<$g>)? {
            fn raw(&self, _: $crate::typed::ops::sealed::Token) -> &$crate::socket::Socket {
                &self.socket
            }
        }

        impl$(<$g>)? $crate::typed::failed::Named for $name$(<$g>)? {
            fn socket_name(&self) -> $crate::typed::failed::SocketName {
                $crate::typed::failed::SocketName {
                    socket: stringify!($name),
                    state: None$(.or(Some($crate::typed::failed::state_name::<$g>())))?,
                }
            }
        }

        impl$(<$g>)? std::fmt::Debug for $name$(<$g>)? {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                use $crate::typed::failed::Named;
                f.debug_struct(&self.socket_name().to_string())
                    .field("ptr", &self.socket.as_ptr())
                    .finish()
            }
        }

        impl$(<$g>)? $name$(<$g>)? {
            /// Gives up the typing: the dynamic socket, which checks at run time only. The
            /// socket stays open and connected; nothing is lost.
            pub fn into_dynamic(self) -> $crate::socket::Socket {
                self.socket
            }
        }

        impl$(<$g>)? From<$name$(<$g>)?> for $crate::socket::Socket {
            fn from(typed: $name$(<$g>)?) -> $crate::socket::Socket {
                typed.socket
            }
        }
    };
}

/// A typed socket with no state machine: the struct, `new`, and [`typed_common!`].
macro_rules! stateless_socket {
    ($(#[$meta:meta])* $name:ident = $kind:ident, $c_name:literal) => {
        $(#[$meta])*
        pub struct $name {
            pub(crate) socket: $crate::socket::Socket,
        }

        impl $name {
            #[doc = concat!("A new ", $c_name, " socket, with the context's default linger.")]
            ///
            #[doc = concat!("Wraps `zmq_socket` with `ZMQ_", $c_name, "` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).")]
            pub fn new(ctx: &$crate::context::Context) -> $crate::error::Result<$name> {
                Ok($name {
                    socket: $crate::socket::Socket::new(
                        ctx,
                        $crate::socket_type::SocketType::$kind,
                    )?,
                })
            }
        }

        $crate::typed::typed_common!($name);
    };
}

/// Gives stateless sockets their send or receive methods: inherent, and through the sealed
/// traits for generic code.
macro_rules! can {
    (send: $($name:ident),*) => {
        $(
            impl $crate::typed::ops::SendSocket for $name {}
            $crate::typed::ops::send_methods!($name);
        )*
    };
    (recv: $($name:ident),*) => {
        $(
            impl $crate::typed::ops::RecvSocket for $name {}
            $crate::typed::ops::recv_methods!($name);
        )*
    };
}

pub(crate) use {can, stateless_socket, typed_common};
