//! `AnyReq` and `AnyRep`: a REQ or REP socket in whichever state it is, for the places that
//! hold one across calls (a struct, an event loop), matched back to the typed socket to use
//! it.

use std::fmt;
use std::ops::Deref;

use crate::poll::{AsPollable, Pollable};
use crate::socket::Socket;
use crate::socket_core::SocketCore;
use crate::typed::{AwaitingReply, Failed, Ready, Receiving, Rep, Replying, Req, Sending};

/// A [`Req`] in any of its states: what a struct or an event loop holds between two
/// steps, instead of an `Option<Req<_>>` and `take()`. `From` each typed state; `match`
/// gives the typed socket back, with only the operations of its state, so the compile-time
/// check is kept. It dereferences to [`SocketCore`] (bind, connect, options) and can be
/// polled ([`AsPollable`]).
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{AnyReq, Context, Rep, Req};
///
/// /// A client that sends when it is free and reads the reply when it comes.
/// struct Client {
///     req: AnyReq,
/// }
///
/// impl Client {
///     fn on_tick(self) -> zmq_typed::Result<Client> {
///         let req = match self.req {
///             AnyReq::Ready(req) => req.send("tick")?.into(),
///             // Only a reply already there: the failure of a timeout is the socket
///             // handed back, still waiting.
///             AnyReq::AwaitingReply(req) => match req.recv_timeout(Duration::ZERO) {
///                 Ok((reply, ready)) => {
///                     assert_eq!(reply, "tock");
///                     ready.into()
///                 }
///                 Err(failed) if failed.is_timeout() => failed.into(),
///                 Err(failed) => return Err(failed.into()),
///             },
///             other => other,
///         };
///         Ok(Client { req })
///     }
/// }
///
/// let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let endpoint = rep.bind("inproc://any-req-doc")?;
/// let client = Client { req: Req::new(&ctx)?.into() };
/// client.req.connect(&endpoint)?;
///
/// let client = client.on_tick()?;                    // sends
/// assert!(matches!(client.req, AnyReq::AwaitingReply(_)));
/// let (_, rep) = rep.recv()?;
/// rep.send("tock")?;
/// # let mut client = client;
/// # while !matches!(client.req, AnyReq::Ready(_)) { client = client.on_tick()?; }
/// assert!(matches!(client.req, AnyReq::Ready(_)));   // the reply was read
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub enum AnyReq {
    /// No request open.
    Ready(Req<Ready>),
    /// A request started with `send_more`, its last frame still to send.
    Sending(Req<Sending>),
    /// The request sent, the reply still to receive.
    AwaitingReply(Req<AwaitingReply>),
}

/// A [`Rep`] in either of its states: see [`AnyReq`]. [`Rep::serve`] returns its failure
/// with the socket in one.
pub enum AnyRep {
    /// Waiting for a request.
    Receiving(Rep<Receiving>),
    /// A request received, its reply still to send.
    Replying(Rep<Replying>),
}

/// The `From` conversions, `Deref`, `AsPollable`, `Debug` and `into_dynamic` of an enum over
/// the typed states of one socket type.
macro_rules! any_state {
    ($any:ident { $($state:ident => $typed:ty),* }) => {
        $(
            impl From<$typed> for $any {
                fn from(socket: $typed) -> $any {
                    $any::$state(socket)
                }
            }

            /// The socket of a failed operation, in the state it is really in.
            impl<M> From<Failed<$typed, M>> for $any {
                fn from(failed: Failed<$typed, M>) -> $any {
                    $any::$state(failed.into_socket())
                }
            }
        )*

        impl Deref for $any {
            type Target = SocketCore;
            fn deref(&self) -> &SocketCore {
                match self {
                    $($any::$state(socket) => socket,)*
                }
            }
        }

        impl AsPollable for $any {
            fn as_pollable(&self) -> Pollable<'_> {
                match self {
                    $($any::$state(socket) => socket.as_pollable(),)*
                }
            }
        }

        impl fmt::Debug for $any {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $($any::$state(socket) => socket.fmt(f),)*
                }
            }
        }

        impl $any {
            /// The name of the state the socket is in.
            pub fn state(&self) -> &'static str {
                match self {
                    $($any::$state(_) => stringify!($state),)*
                }
            }

            /// Gives up the typing: the dynamic socket, which checks at run time only.
            pub fn into_dynamic(self) -> Socket {
                match self {
                    $($any::$state(socket) => socket.into_dynamic(),)*
                }
            }
        }

        impl From<$any> for Socket {
            fn from(any: $any) -> Socket {
                any.into_dynamic()
            }
        }
    };
}

any_state!(AnyReq {
    Ready => Req<Ready>,
    Sending => Req<Sending>,
    AwaitingReply => Req<AwaitingReply>
});

any_state!(AnyRep {
    Receiving => Rep<Receiving>,
    Replying => Rep<Replying>
});

impl crate::typed::failed::Named for AnyReq {
    fn socket_name(&self) -> crate::typed::failed::SocketName {
        match self {
            AnyReq::Ready(s) => s.socket_name(),
            AnyReq::Sending(s) => s.socket_name(),
            AnyReq::AwaitingReply(s) => s.socket_name(),
        }
    }
}

impl crate::typed::failed::Named for AnyRep {
    fn socket_name(&self) -> crate::typed::failed::SocketName {
        match self {
            AnyRep::Receiving(s) => s.socket_name(),
            AnyRep::Replying(s) => s.socket_name(),
        }
    }
}
