//! `Rep`: the REP socket with its state machine in the type
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_REP").

use std::marker::PhantomData;
use std::time::Duration;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::sendable::Sendable;
use crate::socket::Socket;
use crate::socket_type::SocketType;
use crate::typed::{typed_common, AnyRep, Failed};

/// `Rep<Receiving>`: waiting for a request.
#[derive(Debug)]
pub enum Receiving {}

/// `Rep<Replying>`: a request has been received; the next operation is sending its reply.
#[derive(Debug)]
pub enum Replying {}

/// A REP socket, in state `S`: [`Receiving`] → [`Replying`] (by `recv`, which takes the
/// whole request) → [`Receiving`] (by `send`, which sends the reply, a frame or a whole
/// message). Its peers are [`crate::Req`] and [`crate::Dealer`]. [`Rep::serve`] runs the
/// loop of a server; [`AnyRep`] holds a REP in either state.
///
/// Replying before receiving, or receiving twice, does not compile. A failure hands the
/// socket back in the state it is really in: a failed receive leaves `Rep<Receiving>`, a
/// failed send `Rep<Replying>` (libzmq keeps a REP in its replying state until the last
/// frame of the reply is sent, so frames already sent are completed by sending the rest).
///
/// ```
/// use zmq_typed::{Context, Rep, Req};
/// let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let endpoint = rep.bind("inproc://rep-doc")?;
/// let req = Req::new(&ctx)?;
/// req.connect(&endpoint)?;
/// let req = req.send("2+2")?;
///
/// let (question, rep) = rep.recv()?;
/// assert_eq!(question.as_str()?, "2+2");
/// let _rep = rep.send("4")?;
/// let (answer, _req) = req.recv()?;
/// assert_eq!(answer, "4");
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct Rep<S = Receiving> {
    pub(crate) socket: Socket,
    pub(crate) _state: PhantomData<S>,
}

typed_common!(Rep<S>);

impl<S> Rep<S> {
    #[inline]
    fn into_state<T>(self) -> Rep<T> {
        Rep {
            socket: self.socket,
            _state: PhantomData,
        }
    }
}

impl Rep<Receiving> {
    /// A new REP socket, with the context's default linger.
    ///
    /// Wraps `zmq_socket` with `ZMQ_REP` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).
    pub fn new(ctx: &Context) -> Result<Rep<Receiving>> {
        Ok(Rep {
            socket: Socket::new(ctx, SocketType::Rep)?,
            _state: PhantomData,
        })
    }

    /// Serves requests for ever: receives each one, replies with what `handler` returns for
    /// it (a frame or a whole message, [`Sendable`]), and waits for the next.
    ///
    /// Returns `Ok(())` when the context is shut down ([`Error::Terminated`]: the normal
    /// stop, from [`Context::shutdown`](crate::Context::shutdown) or a signal), and any other
    /// failure with the socket in the state it is really in ([`AnyRep`]): `Receiving` after
    /// a failed receive (a receive timeout, say), `Replying` after a failed reply (whose
    /// frames are then lost). Matching the socket back out of the [`AnyRep`] resumes.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_send` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv),
    /// [man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    ///
    /// ```
    /// use zmq_typed::{Context, Rep, Req};
    /// let ctx = Context::new()?;
    /// let rep = Rep::new(&ctx)?;
    /// let endpoint = rep.bind("inproc://serve-doc")?;
    /// let server = std::thread::spawn(move || rep.serve(|request| format!("re: {request}")));
    ///
    /// let req = Req::new(&ctx)?;
    /// req.connect(&endpoint)?;
    /// let (reply, req) = req.send("hi")?.recv()?;
    /// assert_eq!(reply, "re: hi");
    ///
    /// drop(req);
    /// ctx.shutdown()?;                             // the normal stop
    /// assert!(server.join().unwrap().is_ok());
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    pub fn serve<R, F>(self, mut handler: F) -> Result<(), Failed<AnyRep>>
    where
        F: FnMut(Multipart) -> R,
        R: Sendable,
    {
        let mut rep = self;
        loop {
            let (request, replying) = match rep.recv() {
                Ok(received) => received,
                Err(failed) => return serve_stop(failed, AnyRep::from),
            };
            rep = match replying.send(handler(request)) {
                Ok(receiving) => receiving,
                Err(failed) => return serve_stop(failed, AnyRep::from),
            };
        }
    }
}

/// How [`Rep::serve`] ends: a normal stop on the context's shutdown, the failure otherwise.
fn serve_stop<S, M>(
    failed: Failed<S, M>,
    any: impl FnOnce(S) -> AnyRep,
) -> Result<(), Failed<AnyRep>> {
    let (error, socket, _) = failed.into_parts();
    match error {
        Error::Terminated(_) => Ok(()),
        error => Err(Failed::new(error, any(socket), ())),
    }
}

mod sealed {
    pub trait State {}
    impl State for super::Receiving {}
    impl State for super::Replying {}
}

/// The state a REP receives a request in: [`Receiving`] only. Sealed.
#[diagnostic::on_unimplemented(
    message = "a REP socket in state `{Self}` cannot receive",
    label = "`Rep<{Self}>` has no `recv`",
    note = "a REP that received a request must reply before it receives the next: call send() first, which returns a `Rep<Receiving>`"
)]
pub trait ReceivesRequest: sealed::State {}
impl ReceivesRequest for Receiving {}

/// The state a REP replies in: [`Replying`] only. Sealed.
#[diagnostic::on_unimplemented(
    message = "a REP socket in state `{Self}` cannot send",
    label = "`Rep<{Self}>` has no `send`",
    note = "a REP replies only to a request it received: call recv() first, which returns the request and a `Rep<Replying>`"
)]
pub trait Replies: sealed::State {}
impl Replies for Replying {}

// The bounds are on each method, not on the impl: only then does rustc report a call in the
// wrong state as an unmet bound (E0277) with the traits' `on_unimplemented` text.
impl<S> Rep<S> {
    /// Receives the whole next request, every frame of it, blocking until one comes or the
    /// receive timeout (`ZMQ_RCVTIMEO`) runs out.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    #[inline]
    pub fn recv(self) -> Result<(Multipart, Rep<Replying>), Failed<Rep<S>>>
    where
        S: ReceivesRequest,
    {
        match self.socket.recv() {
            Ok(request) => Ok((request, self.into_state())),
            Err(error) => Err(Failed::new(error, self, ())),
        }
    }

    /// Receives the whole next request, waiting at most `timeout` for it.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits.
    /// ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv))
    pub fn recv_timeout(
        self,
        timeout: Duration,
    ) -> Result<(Multipart, Rep<Replying>), Failed<Rep<S>>>
    where
        S: ReceivesRequest,
    {
        match self.socket.recv_timeout(timeout) {
            Ok(request) => Ok((request, self.into_state())),
            Err(error) => Err(Failed::new(error, self, ())),
        }
    }

    /// Sends the reply, a frame or a whole message ([`Sendable`]: `rep.send(request)?`
    /// echoes), or the rest of it after [`Rep::send_more`]. On failure the socket comes
    /// back still replying, with the frames not sent (libzmq keeps a REP in its replying
    /// state until the last frame of the reply, so sending them completes it).
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on every frame but the last.
    #[inline]
    pub fn send(self, msg: impl Sendable) -> Result<Rep<Receiving>, Failed<Rep<S>, Multipart>>
    where
        S: Replies,
    {
        match self.socket.send(msg) {
            Ok(()) => Ok(self.into_state()),
            Err(e) => Err(Failed::send(e, self)),
        }
    }

    /// Sends a frame or a whole message as part of the reply, with more to follow.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_more(self, msg: impl Sendable) -> Result<Rep<Replying>, Failed<Rep<S>, Multipart>>
    where
        S: Replies,
    {
        match self.socket.send_more(msg) {
            Ok(()) => Ok(self.into_state()),
            Err(e) => Err(Failed::send(e, self)),
        }
    }

    /// Sends the frames an iterator yields (at least one) as the reply, without collecting
    /// them first; on failure the frames not sent come back with the socket, still replying.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on all frames but the last.
    pub fn send_multipart<I>(self, frames: I) -> Result<Rep<Receiving>, Failed<Rep<S>, Multipart>>
    where
        S: Replies,
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        match self.socket.send_multipart(frames) {
            Ok(()) => Ok(self.into_state()),
            Err(e) => Err(Failed::send(e, self)),
        }
    }
}
