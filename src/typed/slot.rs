//! `ReqSlot` and `RepSlot`: a REQ or REP socket kept in one place behind `&mut self` (a
//! field of a struct, an entry of an event loop), stepped through the typed API, with the
//! order of calls checked at run time.

use std::fmt;
use std::ops::Deref;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::multipart::Multipart;
use crate::poll::{AsPollable, Pollable};
use crate::sendable::Sendable;
use crate::socket::{SendError, Socket};
use crate::socket_core::SocketCore;
use crate::typed::{
    AnyRep, AnyReq, AwaitingReply, Failed, Ready, ReadyToSend, Receiving, Rep, Replying, Req,
    Sending,
};

/// A [`Req`] in whichever state, kept in one place and used through `&mut self`: the field
/// of a client struct, an entry of an event loop. Every call returns a `Result` and leaves
/// the socket in the slot, in the state it is really in, so a `?` never loses it.
///
/// **The trade.** The typed [`Req<S>`](Req) checks the order of calls at compile time, and
/// every step moves it into a value of a new type, which code that must keep the socket in
/// one place cannot do behind `&mut`. A slot checks the same order at run time, cheaply and
/// before libzmq is called: a call in the wrong state returns [`Error::WrongState`] with a
/// sentence saying what to call instead, leaves the socket as it was, and hands a send's
/// message back in the [`SendError`]. The steps themselves are the typed API's: the slot
/// takes the socket out, makes the typed step, and puts back the socket it returns (the next
/// state, or after a failure the state the [`Failed`] says). [`ReqSlot::into_any`] gives
/// back the [`AnyReq`], to `match` the typed socket out of it where the compile-time check
/// is wanted again; `From` puts any of them back into a slot.
///
/// | State ([`ReqSlot::state`]) | Allowed | [`Error::WrongState`] |
/// |---|---|---|
/// | `Ready` | `send`, `send_more`, `request` | `recv`, `abandon` |
/// | `Sending` (after `send_more`) | `send`, `send_more` | `recv`, `request`, `abandon` |
/// | `AwaitingReply` | `recv`, `abandon` (relaxed socket) | `send`, `send_more`, `request` |
///
/// A failed send of one frame leaves the slot where it was (nothing went out); of several,
/// `Sending` (sending what came back completes the request), as for the typed socket. It
/// dereferences to [`SocketCore`] (bind, connect, options) and can be polled
/// ([`AsPollable`]), like a [`Req`], by a [`Poller`](crate::Poller) made for that wait or by
/// [`poll()`](crate::poll()): a poller borrows what it polls, and the steps need `&mut`.
///
/// The Lazy Pirate client (ZeroMQ guide, chapter 4), a struct with a `&mut self` method that
/// uses `?` freely:
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{Context, Detail, Error, Rep, ReqSlot};
///
/// struct Client {
///     req: ReqSlot,
///     tries: u32,
/// }
///
/// impl Client {
///     /// Sends `body` and waits `timeout` for the reply, `tries` times at most.
///     fn request(&mut self, body: &str, timeout: Duration) -> zmq_typed::Result<String> {
///         for _ in 0..self.tries {
///             match self.req.request(body, Some(timeout)) {
///                 Ok(reply) => return reply.into_string(),
///                 // The slot kept the socket, awaiting the reply: give it up and retry.
///                 Err(e) if e.is_timeout() => self.req.abandon()?,
///                 Err(e) => return Err(e),
///             }
///         }
///         Err(Error::TimedOut(Detail::new("no reply from the server")))
///     }
/// }
///
/// let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let endpoint = rep.bind("tcp://127.0.0.1:*")?;
/// let mut client = Client { req: ReqSlot::new_relaxed(&ctx)?, tries: 3 };
/// client.req.connect(&endpoint)?;
///
/// // Nobody serves yet: every try times out, and the socket is still there, ready.
/// let err = client.request("hello", Duration::from_millis(10)).unwrap_err();
/// assert!(err.is_timeout());
/// assert_eq!(client.req.state(), "Ready");
///
/// // The server comes: the requests abandoned are answered too, and those late replies
/// // are dropped by libzmq (`ZMQ_REQ_CORRELATE`).
/// let server = std::thread::spawn(move || rep.serve(|request| format!("re: {request}")));
/// assert_eq!(client.request("hello", Duration::from_secs(10))?, "re: hello");
///
/// drop(client);
/// ctx.shutdown()?;
/// assert!(server.join().unwrap().is_ok());
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// # Panics
///
/// The slot is empty only while one of its own steps runs, and runs no code of the user's
/// meanwhile (a message is made a [`Multipart`] before the socket is taken out). If a panic
/// inside the crate ever left it empty, the methods that return a `Result` return
/// [`Error::WrongState`]; `Deref`, `AsPollable`, `AsFd`, `into_any` and `into_dynamic`, which
/// cannot, panic.
pub struct ReqSlot {
    any: Option<AnyReq>,
}

/// A [`Rep`] in either state, kept in one place and used through `&mut self`: see
/// [`ReqSlot`] for the trade against the typed socket. [`Rep::serve`] is simpler when the
/// thread does nothing else than serve.
///
/// | State ([`RepSlot::state`]) | Allowed | [`Error::WrongState`] |
/// |---|---|---|
/// | `Receiving` | `recv` | `send`, `send_more` |
/// | `Replying` | `send`, `send_more` | `recv` |
///
/// A failed receive leaves the slot receiving, a failed send replying (with the frames not
/// sent handed back: sending them completes the reply).
///
/// ```
/// use zmq_typed::{Context, RepSlot, Req};
///
/// /// A server that counts what it answered.
/// struct Counter { rep: RepSlot, answered: u64 }
///
/// impl Counter {
///     fn answer_one(&mut self) -> zmq_typed::Result<()> {
///         let request = self.rep.recv()?;
///         self.answered += 1;
///         self.rep.send(format!("{request} #{}", self.answered))?;
///         Ok(())
///     }
/// }
///
/// let ctx = Context::new()?;
/// let mut server = Counter { rep: RepSlot::new(&ctx)?, answered: 0 };
/// let req = Req::new(&ctx)?;
/// req.connect(&server.rep.bind("inproc://rep-slot-doc")?)?;
/// let waiting = req.send("ping")?;
/// server.answer_one()?;
/// assert_eq!(waiting.recv()?.0, "ping #1");
/// assert_eq!(server.rep.state(), "Receiving");
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// # Panics
///
/// As [`ReqSlot`]'s: only after a panic inside the crate emptied it.
pub struct RepSlot {
    any: Option<AnyRep>,
}

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

/// A send on a REQ that may send, through the typed API. One frame goes as a
/// [`Message`](crate::Message), whose failure hands back `Req<S>` (nothing went out); several as a
/// [`Multipart`], whose failure hands back `Req<Sending>`. So the state follows the real
/// number of frames, whatever the user's type says its shape is. An empty message is refused
/// as the socket refuses it, without moving the REQ to `Sending`.
fn send_req<S: ReadyToSend>(
    req: Req<S>,
    msg: Multipart,
    more: bool,
) -> (AnyReq, Result<(), SendError>)
where
    Req<S>: Into<AnyReq>,
{
    if msg.is_empty() {
        return (req.into(), Err(SendError::new(Error::EmptyMessage, msg)));
    }
    match msg.into_single() {
        Ok(frame) if more => settle_send(req.send_more(frame)),
        Ok(frame) => settle_send(req.send(frame)),
        Err(frames) if more => settle_send(req.send_more(frames)),
        Err(frames) => settle_send(req.send(frames)),
    }
}

// What a call in the wrong state is told: what to call instead.
const SEND_AWAITING: &str = "send on a REQ awaiting its reply: call recv() first, or abandon() \
     the request on a relaxed socket (ReqSlot::new_relaxed); nothing was sent";
const RECV_READY: &str =
    "recv on a REQ with no request open: call send() first; nothing was received";
const RECV_SENDING: &str = "recv on a REQ whose request is still open: send() its last frame \
     first; nothing was received";
const REQUEST_SENDING: &str = "request on a REQ whose request is still open: send() its last \
     frame, then recv() the reply; nothing was sent";
const REQUEST_AWAITING: &str = "request on a REQ awaiting the reply to an earlier request: \
     recv() it, or abandon() it on a relaxed socket (ReqSlot::new_relaxed); nothing was sent";
const ABANDON_READY: &str = "abandon on a REQ with no request open: nothing to abandon";
const ABANDON_SENDING: &str =
    "abandon on a REQ whose request is still open: send() its last frame first";
const REP_SEND_RECEIVING: &str =
    "send on a REP with no request to reply to: call recv() first; nothing was sent";
const REP_RECV_REPLYING: &str =
    "recv on a REP that has not replied yet: send() the reply first; nothing was received";

/// A call refused in the wrong state: the socket as it was, and what to call instead.
fn refuse<Any, T>(any: Any, text: &'static str) -> (Any, Result<T>) {
    (any, Err(wrong(text)))
}

impl ReqSlot {
    /// A new REQ socket, strict as libzmq makes it, in state `Ready`.
    ///
    /// Wraps `zmq_socket` with `ZMQ_REQ` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).
    pub fn new(ctx: &Context) -> Result<ReqSlot> {
        Req::new(ctx).map(ReqSlot::from)
    }

    /// A new REQ socket with `ZMQ_REQ_RELAXED` and `ZMQ_REQ_CORRELATE` on, so that
    /// [`ReqSlot::abandon`] can give up a lost reply (the Lazy Pirate pattern); see
    /// [`Req::new_relaxed`].
    ///
    /// Wraps `zmq_socket` and `zmq_setsockopt` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn new_relaxed(ctx: &Context) -> Result<ReqSlot> {
        Req::new_relaxed(ctx).map(ReqSlot::from)
    }

    /// Whether no request is open: `send` or `request` starts one. Calls nothing.
    pub fn is_ready(&self) -> bool {
        matches!(self.any, Some(AnyReq::Ready(_)))
    }

    /// Whether the request was sent and its reply is still to receive: `recv` (or
    /// `abandon`) is next. Calls nothing.
    pub fn is_awaiting_reply(&self) -> bool {
        matches!(self.any, Some(AnyReq::AwaitingReply(_)))
    }

    /// Whether [`ReqSlot::abandon`] is allowed ([`ReqSlot::new_relaxed`]). Calls nothing.
    pub fn is_relaxed(&self) -> bool {
        match &self.any {
            Some(AnyReq::Ready(req)) => req.is_relaxed(),
            Some(AnyReq::Sending(req)) => req.is_relaxed(),
            Some(AnyReq::AwaitingReply(req)) => req.is_relaxed(),
            None => false,
        }
    }

    /// Sends a frame or a whole message ([`Sendable`]) as the request, or as the rest of the
    /// open one: the slot then awaits the reply. In state `AwaitingReply`,
    /// [`Error::WrongState`] before libzmq is called, with the message handed back. On
    /// failure the frames not sent come back, and the slot stays `Ready` for one frame
    /// (nothing went out), `Sending` for several (sending them completes the request).
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on every frame but the last, through [`Req::send`].
    pub fn send(&mut self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_step(msg.into_multipart(), false)
    }

    /// Sends a frame or a whole message as part of the request, with more to follow: the
    /// slot is then `Sending` until [`ReqSlot::send`] sends the last frame. Wrong state and
    /// failures as for [`ReqSlot::send`].
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// through [`Req::send_more`].
    pub fn send_more(&mut self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_step(msg.into_multipart(), true)
    }

    fn send_step(&mut self, msg: Multipart, more: bool) -> Result<(), SendError> {
        let empty = |msg: Multipart| SendError::new(lost(), msg);
        step(&mut self.any, msg, empty, |any, msg| match any {
            AnyReq::Ready(req) => send_req(req, msg, more),
            AnyReq::Sending(req) => send_req(req, msg, more),
            waiting @ AnyReq::AwaitingReply(_) => {
                (waiting, Err(SendError::new(wrong(SEND_AWAITING), msg)))
            }
        })
    }

    /// Receives the whole reply, blocking until it comes or the receive timeout
    /// (`ZMQ_RCVTIMEO`) runs out; the slot is then `Ready`. On failure (a timeout, say) it
    /// still awaits the reply. In state `Ready` or `Sending`, [`Error::WrongState`] before
    /// libzmq is called.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// through [`Req::recv`].
    pub fn recv(&mut self) -> Result<Multipart> {
        self.recv_step(None)
    }

    /// Receives the whole reply, waiting at most `timeout` for it (`Duration::ZERO` only
    /// takes a reply already there); as [`ReqSlot::recv`] otherwise.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)), with
    /// `ZMQ_RCVTIMEO` set to the time left while it waits, through [`Req::recv_timeout`].
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Multipart> {
        self.recv_step(Some(timeout))
    }

    fn recv_step(&mut self, timeout: Option<Duration>) -> Result<Multipart> {
        self.run(|any| match any {
            AnyReq::AwaitingReply(req) => settle_recv(match timeout {
                Some(timeout) => req.recv_timeout(timeout),
                None => req.recv(),
            }),
            ready @ AnyReq::Ready(_) => refuse(ready, RECV_READY),
            sending @ AnyReq::Sending(_) => refuse(sending, RECV_SENDING),
        })
    }

    /// One exchange: sends the request, then receives the whole reply, waiting at most
    /// `timeout` for it (`None`: the receive timeout, `ZMQ_RCVTIMEO`). Only in state
    /// `Ready`: otherwise [`Error::WrongState`] before libzmq is called.
    ///
    /// On a timeout ([`Error::is_timeout`]) the slot is left awaiting the reply: wait again
    /// with [`ReqSlot::recv`], or give the request up with [`ReqSlot::abandon`] (relaxed
    /// socket) and request again: the Lazy Pirate loop (see the type's docs). A failed send
    /// leaves the slot as [`ReqSlot::send`] says (its message is dropped).
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send),
    /// [man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn request(&mut self, msg: impl Sendable, timeout: Option<Duration>) -> Result<Multipart> {
        let refused = match &self.any {
            Some(AnyReq::Ready(_)) => None,
            Some(AnyReq::Sending(_)) => Some(REQUEST_SENDING),
            Some(AnyReq::AwaitingReply(_)) => Some(REQUEST_AWAITING),
            None => return Err(lost()),
        };
        if let Some(text) = refused {
            return Err(wrong(text));
        }
        self.send(msg)?;
        self.recv_step(timeout)
    }

    /// Gives up waiting for the reply (it was lost, or is late): the slot is `Ready` for a
    /// new request, and libzmq drops the old reply if it still comes. Only for a relaxed
    /// socket ([`ReqSlot::new_relaxed`]) awaiting a reply; otherwise [`Error::WrongState`],
    /// the slot unchanged.
    ///
    /// Relies on `ZMQ_REQ_RELAXED` and `ZMQ_REQ_CORRELATE`; calls nothing itself (through
    /// [`Req::abandon`]).
    pub fn abandon(&mut self) -> Result<()> {
        self.run(|any| match any {
            AnyReq::AwaitingReply(req) => match req.abandon() {
                Ok(ready) => (ready.into(), Ok(())),
                Err(failed) => {
                    let (error, req, ()) = failed.into_parts();
                    (req.into(), Err(error))
                }
            },
            ready @ AnyReq::Ready(_) => refuse(ready, ABANDON_READY),
            sending @ AnyReq::Sending(_) => refuse(sending, ABANDON_SENDING),
        })
    }
}

impl RepSlot {
    /// A new REP socket, in state `Receiving`.
    ///
    /// Wraps `zmq_socket` with `ZMQ_REP` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).
    pub fn new(ctx: &Context) -> Result<RepSlot> {
        Rep::new(ctx).map(RepSlot::from)
    }

    /// Whether the slot waits for a request: `recv` is next. Calls nothing.
    pub fn is_receiving(&self) -> bool {
        matches!(self.any, Some(AnyRep::Receiving(_)))
    }

    /// Whether a request was received and its reply is still to send: `send` is next.
    /// Calls nothing.
    pub fn is_replying(&self) -> bool {
        matches!(self.any, Some(AnyRep::Replying(_)))
    }

    /// Receives the whole next request, blocking until one comes or the receive timeout
    /// (`ZMQ_RCVTIMEO`) runs out; the slot is then `Replying`. On failure it is still
    /// `Receiving`. In state `Replying`, [`Error::WrongState`] before libzmq is called.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// through [`Rep::recv`].
    pub fn recv(&mut self) -> Result<Multipart> {
        self.recv_step(None)
    }

    /// Receives the whole next request, waiting at most `timeout` for it; as
    /// [`RepSlot::recv`] otherwise.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)), with
    /// `ZMQ_RCVTIMEO` set to the time left while it waits, through [`Rep::recv_timeout`].
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Multipart> {
        self.recv_step(Some(timeout))
    }

    fn recv_step(&mut self, timeout: Option<Duration>) -> Result<Multipart> {
        self.run(|any| match any {
            AnyRep::Receiving(rep) => settle_recv(match timeout {
                Some(timeout) => rep.recv_timeout(timeout),
                None => rep.recv(),
            }),
            replying @ AnyRep::Replying(_) => refuse(replying, REP_RECV_REPLYING),
        })
    }

    /// Sends the reply, a frame or a whole message ([`Sendable`]: `slot.send(request)?`
    /// echoes): the slot is then `Receiving`. On failure it is still `Replying`, with the
    /// frames not sent handed back. In state `Receiving`, [`Error::WrongState`] before libzmq
    /// is called, with the message handed back.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on every frame but the last, through [`Rep::send`].
    pub fn send(&mut self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_step(msg.into_multipart(), false)
    }

    /// Sends a frame or a whole message as part of the reply, with more to follow: the slot
    /// stays `Replying` until [`RepSlot::send`] sends the last frame.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// through [`Rep::send_more`].
    pub fn send_more(&mut self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_step(msg.into_multipart(), true)
    }

    fn send_step(&mut self, msg: Multipart, more: bool) -> Result<(), SendError> {
        let empty = |msg: Multipart| SendError::new(lost(), msg);
        step(&mut self.any, msg, empty, |any, msg| match any {
            AnyRep::Replying(rep) if more => settle_send(rep.send_more(msg)),
            AnyRep::Replying(rep) => settle_send(rep.send(msg)),
            receiving @ AnyRep::Receiving(_) => (
                receiving,
                Err(SendError::new(wrong(REP_SEND_RECEIVING), msg)),
            ),
        })
    }
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
