//! `ReqSlot` and `RepSlot`: a REQ or REP socket kept in one place behind `&mut self` (a
//! field of a struct, an entry of an event loop), stepped through the typed API, with the
//! order of calls checked at run time.

mod rep;
mod req;

pub use rep::RepSlot;
pub use req::ReqSlot;

use std::fmt;
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};

use crate::error::{Detail, Error, Result};
use crate::multipart::Multipart;
use crate::poll::{AsPollable, Pollable};
use crate::socket::{SendError, Socket};
use crate::socket_core::SocketCore;
use crate::typed::{
    AnyRep, AnyReq, AwaitingReply, Failed, Ready, Receiving, Rep, Replying, Req, Sending,
};

/// The error of a slot found empty (a panic inside one of its steps).
fn lost() -> Error {
    Error::WrongState(Detail::new(
        "the slot lost its socket to a panic inside an earlier step; nothing was called",
    ))
}

/// What the calls that cannot return an error do on a slot found empty.
fn lost_panic(slot: &str) -> ! {
    panic!("{slot} lost its socket to a panic inside an earlier step")
}

/// A call in the wrong state, with what to call instead.
fn wrong(text: &'static str) -> Error {
    Error::WrongState(Detail::new(text))
}

/// One step of a slot: takes the socket out, runs `f` on it and `arg` (the crate's code
/// only), and puts back the socket `f` returns. A slot found empty gives `empty(arg)`.
fn step<Any, A, T, E>(
    slot: &mut Option<Any>,
    arg: A,
    empty: impl FnOnce(A) -> E,
    f: impl FnOnce(Any, A) -> (Any, Result<T, E>),
) -> Result<T, E> {
    let Some(any) = slot.take() else {
        return Err(empty(arg));
    };
    let (any, result) = f(any, arg);
    *slot = Some(any);
    result
}

/// The socket a typed send leaves, with its outcome.
fn settle_send<Any, A: Into<Any>, B: Into<Any>>(
    sent: Result<A, Failed<B, Multipart>>,
) -> (Any, Result<(), SendError>) {
    match sent {
        Ok(next) => (next.into(), Ok(())),
        Err(failed) => {
            let (error, socket, unsent) = failed.into_parts();
            (socket.into(), Err(SendError::new(error, unsent)))
        }
    }
}

/// The socket a typed receive leaves, with what it received.
fn settle_recv<Any, A: Into<Any>, B: Into<Any>>(
    received: Result<(Multipart, A), Failed<B>>,
) -> (Any, Result<Multipart>) {
    match received {
        Ok((message, next)) => (next.into(), Ok(message)),
        Err(failed) => {
            let (error, socket, ()) = failed.into_parts();
            (socket.into(), Err(error))
        }
    }
}

/// A call refused in the wrong state: the socket as it was, and what to call instead.
fn refuse<Any, T>(any: Any, text: &'static str) -> (Any, Result<T>) {
    (any, Err(wrong(text)))
}

/// What both slots share: `From` each typed state (and its failure) and the enum,
/// `into_any`, `state`, `into_dynamic`, `close`, `Deref`, `AsPollable`, `AsFd`, `AsRawFd`,
/// `Debug`.
macro_rules! slot_common {
    ($slot:ident, $any:ident { $($typed:ty),* }) => {
        $(
            impl From<$typed> for $slot {
                fn from(socket: $typed) -> $slot {
                    $slot { any: Some(socket.into()) }
                }
            }

            /// The socket of a failed operation, in the state it is really in.
            impl<M> From<Failed<$typed, M>> for $slot {
                fn from(failed: Failed<$typed, M>) -> $slot {
                    $slot { any: Some(failed.into()) }
                }
            }
        )*

        impl From<$any> for $slot {
            fn from(any: $any) -> $slot {
                $slot { any: Some(any) }
            }
        }

        impl $slot {
            /// One step that sends nothing: see [`step`].
            fn run<T>(&mut self, f: impl FnOnce($any) -> ($any, Result<T>)) -> Result<T> {
                step(&mut self.any, (), |()| lost(), |any, ()| f(any))
            }

            /// The socket held; panics on a slot emptied by a panic (see the type's docs).
            fn held(&self) -> &$any {
                self.any.as_ref().unwrap_or_else(|| lost_panic(stringify!($slot)))
            }

            #[doc = concat!("The [`", stringify!($any), "`] held: `match` it to get the typed socket ")]
            /// back, with the compile-time check of its state; `From` puts any state back
            /// into a slot. Calls nothing. Panics only on a slot emptied by a panic (see the
            /// type's docs).
            pub fn into_any(self) -> $any {
                self.any.unwrap_or_else(|| lost_panic(stringify!($slot)))
            }

            /// The name of the state the socket is in (`"Empty"` only after a panic inside
            /// one of the slot's steps). Calls nothing.
            pub fn state(&self) -> &'static str {
                self.any.as_ref().map_or("Empty", $any::state)
            }

            /// Gives up the typing: the dynamic socket, which checks at run time only in
            /// libzmq. Calls nothing. Panics only on a slot emptied by a panic.
            pub fn into_dynamic(self) -> Socket {
                self.into_any().into_dynamic()
            }

            /// Closes the socket and reports `zmq_close`'s error, which dropping it ignores;
            /// see [`Socket::close`].
            ///
            /// Wraps `zmq_close` ([man zmq_close](http://api.zeromq.org/4-3:zmq-close)).
            pub fn close(self) -> Result<()> {
                match self.any {
                    Some(any) => any.into_dynamic().close(),
                    None => Err(lost()),
                }
            }
        }

        impl Deref for $slot {
            type Target = SocketCore;
            fn deref(&self) -> &SocketCore {
                self.held()
            }
        }

        impl AsPollable for $slot {
            fn as_pollable(&self) -> Pollable<'_> {
                self.held().as_pollable()
            }
        }

        impl AsFd for $slot {
            /// The socket's `ZMQ_FD` (edge-triggered): see [`SocketCore`]'s.
            fn as_fd(&self) -> BorrowedFd<'_> {
                (**self).as_fd()
            }
        }

        impl AsRawFd for $slot {
            /// The socket's `ZMQ_FD` (edge-triggered): see [`SocketCore`]'s.
            fn as_raw_fd(&self) -> RawFd {
                (**self).as_raw_fd()
            }
        }

        impl fmt::Debug for $slot {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match &self.any {
                    Some(any) => f.debug_tuple(stringify!($slot)).field(any).finish(),
                    None => f.write_str(concat!(stringify!($slot), "(empty)")),
                }
            }
        }
    };
}

slot_common!(ReqSlot, AnyReq { Req<Ready>, Req<Sending>, Req<AwaitingReply> });
slot_common!(RepSlot, AnyRep { Rep<Receiving>, Rep<Replying> });

#[cfg(test)]
mod tests {
    use super::{RepSlot, ReqSlot};
    use crate::Error;

    /// A slot emptied by a panic inside a step (which the crate's code never does): every
    /// call that returns a `Result` says so, and calls nothing.
    #[test]
    fn an_empty_slot_answers_wrong_state_without_panicking() {
        let (mut req, mut rep) = (ReqSlot { any: None }, RepSlot { any: None });
        assert_eq!((req.state(), rep.state()), ("Empty", "Empty"));
        assert!(!req.is_ready() && !req.is_awaiting_reply() && !req.is_relaxed());
        assert_eq!(format!("{req:?} {rep:?}"), "ReqSlot(empty) RepSlot(empty)");
        let (error, unsent) = req.send("kept").unwrap_err().into_parts();
        assert_eq!(unsent, "kept");
        let errors = [
            error,
            req.send_more("x").unwrap_err().into_error(),
            req.recv().unwrap_err(),
            req.request("x", None).unwrap_err(),
            req.abandon().unwrap_err(),
            req.close().unwrap_err(),
            rep.recv().unwrap_err(),
            rep.send("x").unwrap_err().into_error(),
            rep.close().unwrap_err(),
        ];
        for error in errors {
            assert!(matches!(error, Error::WrongState(_)), "{error:#?}");
            assert_eq!(
                error.to_string(),
                "Operation cannot be accomplished in current state (the slot lost its socket \
                 to a panic inside an earlier step; nothing was called)"
            );
        }
    }
}
