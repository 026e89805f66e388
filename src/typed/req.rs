//! `Req`: the REQ socket with its state machine in the type
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_REQ").

use std::cell::Cell;
use std::marker::PhantomData;
use std::time::Duration;

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::sendable::{check_shape, MessageShape, Sendable};
use crate::socket::{SendFlags, Socket};
use crate::socket_type::SocketType;
use crate::typed::{typed_common, Failed};

/// `Req<Ready>`: no request open; the next send starts one.
#[derive(Debug)]
pub enum Ready {}

/// `Req<Sending>`: a request has been started with `send_more`; its last frame is still to
/// be sent.
#[derive(Debug)]
pub enum Sending {}

/// `Req<AwaitingReply>`: the request has been sent; the next operation is receiving the
/// reply.
#[derive(Debug)]
pub enum AwaitingReply {}

/// A REQ socket, in state `S`: [`Ready`] → [`AwaitingReply`] (by `send`, or by `send_more`
/// through [`Sending`]) → [`Ready`] (by `recv`). Its peers are [`crate::Rep`] and
/// [`crate::Router`].
///
/// Each step consumes the socket and returns it in its next state, so sending twice, or
/// receiving before sending, does not compile: `send`, `send_more` and `send_multipart`
/// exist in the states that may send ([`ReadyToSend`]: `Ready` and `Sending`), `recv` in
/// `AwaitingReply` only. A failed step returns a [`Failed`] holding
/// the socket in the state it is really in:
///
/// | Call | On success | On failure, the socket is |
/// |---|---|---|
/// | `Req<Ready>::send(frame)` | `Req<AwaitingReply>` | `Req<Ready>` (nothing sent) + the frame |
/// | `Req<Ready>::send_more(frame)` | `Req<Sending>` | `Req<Ready>` (nothing sent) + the frame |
/// | `Req<Sending>::send_more(frame)` | `Req<Sending>` | `Req<Sending>` + the frame |
/// | `Req<Sending>::send(frame)` | `Req<AwaitingReply>` | `Req<Sending>` + the frame |
/// | `send(message)`, `send_more(message)`, `send_multipart` (either state) | `Req<AwaitingReply>` (`Req<Sending>` for `send_more`) | `Req<Sending>` + the frames not sent |
/// | `Req<AwaitingReply>::recv` | (reply, `Req<Ready>`) | `Req<AwaitingReply>` |
///
/// A frame is anything that converts into a [`Message`]; a message, a [`Multipart`], an
/// array of frames... ([`Sendable`], whose `Shape` decides the failure state at compile
/// time). A message of several frames that fails part-way leaves the request open in libzmq
/// (a message it started ends only with its last frame, and is delivered whole or not at
/// all), so the socket comes back as `Req<Sending>` with the frames not sent: sending them
/// completes the request. When not even the first frame went out, `Req<Sending>` is still
/// right: completing a request from there starts it afresh, exactly as from `Req<Ready>`.
/// Every failed send hands the unsent frames back as a [`Multipart`].
///
/// A lost reply (the server died) is recovered without a new socket when the socket was
/// made with [`Req::new_relaxed`]: [`Req::abandon`] turns `Req<AwaitingReply>` back into
/// `Req<Ready>`, and a late reply to the abandoned request is dropped by libzmq.
///
/// ```
/// use zmq_typed::{Context, Rep, Req};
/// let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let endpoint = rep.bind("inproc://req-doc")?;
/// let req = Req::new(&ctx)?;
/// req.connect(&endpoint)?;
///
/// // A request of two frames, a frame at a time.
/// let req = req.send_more("GET")?.send("/index")?;
/// let (request, rep) = rep.recv()?;
/// assert_eq!(request.to_vecs(), [b"GET".to_vec(), b"/index".to_vec()]);
/// let rep = rep.send(["200", "<html>"])?;     // a whole message at once
/// let (reply, req) = req.recv()?;
/// assert_eq!(reply.to_string(), "[200][<html>]");
/// # drop((req, rep));
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct Req<S = Ready> {
    pub(crate) socket: Socket,
    /// Whether `ZMQ_REQ_RELAXED` is on (libzmq cannot be asked: the option is write-only).
    pub(crate) relaxed: Cell<bool>,
    /// Whether `ZMQ_REQ_CORRELATE` is on (write-only too).
    pub(crate) correlated: Cell<bool>,
    pub(crate) _state: PhantomData<S>,
}

typed_common!(Req<S>);

impl<S> Req<S> {
    #[inline]
    fn into_state<T>(self) -> Req<T> {
        Req {
            socket: self.socket,
            relaxed: self.relaxed,
            correlated: self.correlated,
            _state: PhantomData,
        }
    }

    /// Sends a message (its last frame with `last`) and moves to state `T`; on failure
    /// comes back in the state the shape of the message says (see [`MessageShape`]).
    #[inline]
    fn step<T, M: Sendable>(
        self,
        msg: M,
        last: SendFlags,
    ) -> Result<Req<T>, Failed<ReqAfterFailure<M, S>, Multipart>> {
        // One frame goes straight to libzmq; several after the check of their shape. The
        // same calls as the dynamic socket's `send` and `send_more`.
        let send = |msg: Multipart| {
            if last.contains(SendFlags::MORE) {
                self.socket.send_more(msg)
            } else {
                self.socket.send(msg)
            }
        };
        let sent = match msg.into_frame() {
            Ok(frame) if last.contains(SendFlags::MORE) => self.socket.send_more(frame),
            Ok(frame) => self.socket.send(frame),
            Err(frames) => check_shape::<M>(frames).and_then(send),
        };
        match sent {
            Ok(()) => Ok(self.into_state()),
            Err(e) => Err(Failed::send(e, self.into_state())),
        }
    }

    /// Whether a lost reply can be abandoned ([`Req::new_relaxed`], or
    /// [`Req::set_req_relaxed`] with `true`).
    pub fn is_relaxed(&self) -> bool {
        self.relaxed.get()
    }

    /// Allows a new request without the reply to the last one (libzmq then drops that reply
    /// if it comes late, provided `ZMQ_REQ_CORRELATE` is on too). The typed API still
    /// alternates strictly: this only enables [`Req::abandon`].
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_REQ_RELAXED` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn set_req_relaxed(&self, relaxed: bool) -> Result<()> {
        self.socket.set_req_relaxed(relaxed)?;
        self.relaxed.set(relaxed);
        Ok(())
    }

    /// Prefixes each request with a request id and accepts only the reply that carries it
    /// back, so that a late reply to an abandoned request is dropped, not taken for the
    /// next one's: [`Req::abandon`] needs it (with `ZMQ_REQ_RELAXED`). Changes the envelope
    /// a ROUTER peer sees (`[id][request id][][body]`): see [`Routed::reply_with`](crate::Routed::reply_with).
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_REQ_CORRELATE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn set_req_correlate(&self, correlate: bool) -> Result<()> {
        self.socket.set_req_correlate(correlate)?;
        self.correlated.set(correlate);
        Ok(())
    }
}

impl Req<Ready> {
    /// A new REQ socket, with the context's default linger: strict, as libzmq makes it.
    ///
    /// Wraps `zmq_socket` with `ZMQ_REQ` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).
    pub fn new(ctx: &Context) -> Result<Req<Ready>> {
        Ok(Req {
            socket: Socket::new(ctx, SocketType::Req)?,
            relaxed: Cell::new(false),
            correlated: Cell::new(false),
            _state: PhantomData,
        })
    }

    /// A new REQ socket with `ZMQ_REQ_RELAXED` and `ZMQ_REQ_CORRELATE` on, so that
    /// [`Req::abandon`] can recover from a lost reply (the Lazy Pirate pattern). Correlation
    /// adds a request-id frame in front of the envelope: fine with REP peers, which echo it,
    /// but a ROUTER peer sees it.
    ///
    /// Wraps `zmq_socket` and `zmq_setsockopt`.
    /// ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket))
    pub fn new_relaxed(ctx: &Context) -> Result<Req<Ready>> {
        let req = Req::new(ctx)?;
        req.set_req_correlate(true)?;
        req.set_req_relaxed(true)?;
        Ok(req)
    }
}

mod sealed {
    pub trait State {}
    impl State for super::Ready {}
    impl State for super::Sending {}
    impl State for super::AwaitingReply {}
}

/// The states a REQ socket may send in: [`Ready`] (the send starts a request) and
/// [`Sending`] (the send continues the open one). Sealed.
#[diagnostic::on_unimplemented(
    message = "a REQ socket in state `{Self}` cannot send",
    label = "`Req<{Self}>` has no `send`",
    note = "a REQ awaiting its reply cannot send: call recv() first, which returns the reply and a `Req<Ready>`",
    note = "a REQ sends in `Req<Ready>` (a new request) and `Req<Sending>` (the rest of an open one) only"
)]
pub trait ReadyToSend: sealed::State {}
impl ReadyToSend for Ready {}
impl ReadyToSend for Sending {}

/// The REQ socket a failed send of `M` from `Req<S>` hands back: `Req<S>` when `M` is one
/// frame (nothing was sent), `Req<Sending>` when it may be several (see
/// [`MessageShape::ReqState`]). `Failed<ReqAfterFailure<&str, Ready>, Multipart>` is
/// `Failed<Req<Ready>, Multipart>`.
pub type ReqAfterFailure<M, S> = Req<<<M as Sendable>::Shape as MessageShape>::ReqState<S>>;

// The bound is on each method, not on the impl: only then does rustc report a send in the
// wrong state as an unmet bound (E0277), with ReadyToSend's `on_unimplemented` text, instead
// of "method exists but its trait bounds were not satisfied" (E0599).
impl<S> Req<S> {
    /// Sends a frame or a whole message ([`Sendable`]) as the request, or as the rest of the
    /// open one, and waits for the reply next. On failure the socket comes back in the state
    /// it is really in, with the frames not sent: `Req<S>` for one frame (nothing went
    /// out), `Req<Sending>` for a message of several (sending what came back completes
    /// the request).
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on every frame but the last.
    #[inline]
    pub fn send<M: Sendable>(
        self,
        msg: M,
    ) -> Result<Req<AwaitingReply>, Failed<ReqAfterFailure<M, S>, Multipart>>
    where
        S: ReadyToSend,
    {
        self.step(msg, SendFlags::NONE)
    }

    /// Sends a frame or a whole message as part of the request, with more to follow: the
    /// request is then open (`Req<Sending>`) until its last frame is sent. Failures as for
    /// [`Req::send`].
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_more<M: Sendable>(
        self,
        msg: M,
    ) -> Result<Req<Sending>, Failed<ReqAfterFailure<M, S>, Multipart>>
    where
        S: ReadyToSend,
    {
        self.step(msg, SendFlags::MORE)
    }

    /// Sends the frames an iterator yields (at least one) as the request, or as the rest of
    /// the open one, without collecting them first. On failure the socket comes back as
    /// `Req<Sending>` with the frames not sent (see the type's docs).
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on all frames but the last.
    pub fn send_multipart<I>(
        self,
        frames: I,
    ) -> Result<Req<AwaitingReply>, Failed<Req<Sending>, Multipart>>
    where
        S: ReadyToSend,
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        match self.socket.send_multipart(frames) {
            Ok(()) => Ok(self.into_state()),
            Err(e) => Err(Failed::send(e, self.into_state())),
        }
    }
}

/// The state a REQ receives its reply in: [`AwaitingReply`] only. Sealed.
#[diagnostic::on_unimplemented(
    message = "a REQ socket in state `{Self}` cannot receive",
    label = "`Req<{Self}>` has no `recv`",
    note = "a REQ receives only the reply to a request it sent: call send() first, which returns a `Req<AwaitingReply>`",
    note = "in `Req<Sending>` the request is still open: send() its last frame first"
)]
pub trait AwaitsReply: sealed::State {}
impl AwaitsReply for AwaitingReply {}

// As for sending: the bound on each method makes rustc show AwaitsReply's text.
impl<S> Req<S> {
    /// Receives the whole reply, every frame of it, blocking until it comes or the receive
    /// timeout (`ZMQ_RCVTIMEO`) runs out; on timeout the socket comes back still waiting.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    #[inline]
    pub fn recv(self) -> Result<(Multipart, Req<Ready>), Failed<Req<S>>>
    where
        S: AwaitsReply,
    {
        match self.socket.recv() {
            Ok(reply) => Ok((reply, self.into_state())),
            Err(error) => Err(Failed::new(error, self, ())),
        }
    }

    /// Receives the whole reply, waiting at most `timeout` for it; on timeout the socket
    /// comes back still waiting. `Duration::ZERO` only takes a reply already there.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits.
    /// ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv))
    pub fn recv_timeout(self, timeout: Duration) -> Result<(Multipart, Req<Ready>), Failed<Req<S>>>
    where
        S: AwaitsReply,
    {
        match self.socket.recv_timeout(timeout) {
            Ok(reply) => Ok((reply, self.into_state())),
            Err(error) => Err(Failed::new(error, self, ())),
        }
    }
}

impl Req<AwaitingReply> {
    /// Gives up waiting for the reply (it was lost, or is late): the socket is ready for a
    /// new request, and libzmq drops the old reply if it still comes. Only for a socket
    /// both relaxed and correlated ([`Req::new_relaxed`]); any other comes back in the error
    /// ([`Error::WrongState`]), and recovering it takes a new socket: a strict one cannot
    /// send again, and a relaxed one without correlation would take the late reply for the
    /// next request's.
    ///
    /// Relies on `ZMQ_REQ_RELAXED` and `ZMQ_REQ_CORRELATE`; calls nothing itself.
    pub fn abandon(self) -> Result<Req<Ready>, Failed<Req<AwaitingReply>>> {
        let refused = match (self.relaxed.get(), self.correlated.get()) {
            (true, true) => return Ok(self.into_state()),
            (false, _) => "abandon on a strict REQ socket: make it with Req::new_relaxed",
            (true, false) => {
                "abandon on a relaxed REQ socket without ZMQ_REQ_CORRELATE: the late reply \
                 would be taken for the next request's; make it with Req::new_relaxed"
            }
        };
        Err(Failed::new(
            Error::WrongState(Detail::new(refused)),
            self,
            (),
        ))
    }
}
