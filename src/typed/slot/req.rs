//! `ReqSlot`: a REQ socket kept behind `&mut self`.

use std::time::Duration;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::multipart::Multipart;
use crate::sendable::Sendable;
use crate::socket::SendError;
use crate::typed::{AnyReq, ReadyToSend, Req};

use super::{lost, refuse, settle_recv, settle_send, step, wrong};
#[cfg(doc)]
use crate::{poll::AsPollable, socket_core::SocketCore, typed::Failed};

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
    pub(super) any: Option<AnyReq>,
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
