//! `RepSlot`: a REP socket kept behind `&mut self`.

use std::time::Duration;

use crate::context::Context;
use crate::error::Result;
use crate::multipart::Multipart;
use crate::sendable::Sendable;
use crate::socket::SendError;
use crate::typed::{AnyRep, Rep};

#[cfg(doc)]
use super::ReqSlot;
use super::{lost, refuse, settle_recv, settle_send, step, wrong};
#[cfg(doc)]
use crate::{error::Error, poll::AsPollable, socket_core::SocketCore};

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
    pub(super) any: Option<AnyRep>,
}

const REP_SEND_RECEIVING: &str =
    "send on a REP with no request to reply to: call recv() first; nothing was sent";
const REP_RECV_REPLYING: &str =
    "recv on a REP that has not replied yet: send() the reply first; nothing was received";

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
