//! `Router`: the ROUTER socket, which names the peer of every message by its routing id
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_ROUTER").

use std::time::Duration;

use crate::error::{Error, Result};
use crate::multipart::Multipart;
use crate::sendable::{Frames, Sendable};

use crate::socket::SendError;
use crate::typed::{stateless_socket, Routed, RoutingId};

stateless_socket!(
    /// A ROUTER socket: receives each message with the routing id of the peer it came from,
    /// and sends to a peer by its id. Its peers are [`crate::Req`], [`crate::Dealer`] and
    /// other routers.
    ///
    /// Every message comes in and goes out as a [`Routed`]: the routing id, then the body.
    /// From a [`crate::Req`] peer the body starts with the empty delimiter (`[][request]`);
    /// [`Router::reply`] puts it back in front of a reply, and
    /// [`Multipart::split_envelope`] and [`Multipart::join_envelope`] take longer envelopes
    /// apart and put them back.
    ///
    /// ```
    /// use zmq_typed::{Context, Req, Router};
    /// let ctx = Context::new()?;
    /// let router = Router::new(&ctx)?;
    /// let endpoint = router.bind("inproc://router-doc")?;
    /// let req = Req::new(&ctx)?;
    /// req.connect(&endpoint)?;
    /// let req = req.send("hi")?;
    ///
    /// let request = router.recv()?;
    /// assert_eq!(request.body.to_string(), "[][hi]");  // [delimiter][body]
    /// router.reply(&request.id, "hello")?;            // [id][][hello]
    /// let (reply, _req) = req.recv()?;
    /// assert_eq!(reply, "hello");
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    ///
    /// A broker between REQ clients and REP workers forwards whole messages both ways, with
    /// a [`Dealer`](crate::Dealer) in front of the workers:
    ///
    /// ```
    /// use zmq_typed::{Context, Dealer, Rep, Req, Router};
    /// let ctx = Context::new()?;
    /// let frontend = Router::new(&ctx)?;
    /// let clients = frontend.bind("inproc://broker-front")?;
    /// let backend = Dealer::new(&ctx)?;
    /// let workers = backend.bind("inproc://broker-back")?;
    ///
    /// let (client, worker) = (Req::new(&ctx)?, Rep::new(&ctx)?);
    /// client.connect(&clients)?;
    /// worker.connect(&workers)?;
    /// let client = client.send("job")?;
    ///
    /// backend.send(frontend.recv()?)?;                 // [client id][][job] on
    /// let (job, worker) = worker.recv()?;
    /// worker.send(format!("{job} done"))?;
    /// frontend.send(backend.recv()?)?;                 // [client id][][job done] back
    /// let (reply, _client) = client.recv()?;
    /// assert_eq!(reply, "job done");
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    Router = Router, "ROUTER"
);

impl Router {
    fn split_id(mut message: Multipart) -> Result<Routed> {
        let id = message.pop_front().ok_or_else(|| {
            Error::Malformed("a ROUTER message without its routing id frame".into())
        })?;
        if message.is_empty() {
            return Err(Error::Malformed(
                "a ROUTER message with a routing id and nothing else".into(),
            ));
        }
        Ok(Routed {
            id: RoutingId::from(id),
            body: message,
        })
    }

    /// Receives the next message, blocking: the routing id of the peer it came from, and
    /// the rest of its frames.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&self) -> Result<Routed> {
        Self::split_id(self.socket.recv()?)
    }

    /// Receives the next message, waiting at most `timeout` for it.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// with `ZMQ_RCVTIMEO` set to the time left while it waits.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Routed> {
        Self::split_id(self.socket.recv_timeout(timeout)?)
    }

    /// Receives the next message if one is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn try_recv(&self) -> Result<Option<Routed>> {
        self.socket.try_recv()?.map(Self::split_id).transpose()
    }

    /// Receives the next message whole into `parts`, routing id first (`[id][body...]`, as
    /// [`Router::send`] takes it back), reusing the storage of `parts`: the allocation-free
    /// form of [`Router::recv`] for a broker's hot loop. `parts` is cleared first.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv_into(&self, parts: &mut Multipart) -> Result<()> {
        self.socket.recv_into(parts)?;
        if parts.len() < 2 {
            let frames = parts.len();
            parts.clear();
            return Err(Error::Malformed(format!(
                "a ROUTER message has a routing id and a body, not {frames} frame(s)"
            )));
        }
        Ok(())
    }

    /// Sends a whole routed message: its first frame is the routing id of the peer, the
    /// rest the body (a [`Routed`], or the frames a DEALER received from a ROUTER
    /// upstream), so forwarding is symmetric: `router.send(router.recv()?)?`. A message
    /// of the routing id alone is [`Error::Malformed`] (libzmq would drop it silently); a
    /// single frame does not compile. An unknown peer is dropped silently, unless
    /// [`Router::set_router_mandatory`] is on: then it is [`Error::HostUnreachable`], with
    /// the message handed back.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDMORE` on every frame but the last.
    pub fn send(&self, msg: impl RoutedMessage) -> Result<(), SendError> {
        self.socket.send(Self::routed_frames(msg)?)
    }

    /// Sends a whole routed message (as [`Router::send`]) without blocking: `Ok(None)` when
    /// it was queued, `Ok(Some(message))` (handed back, nothing of it sent) when it could not
    /// be (with `set_router_mandatory`, a peer whose queue is full).
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn try_send(&self, msg: impl RoutedMessage) -> Result<Option<Multipart>, SendError> {
        self.socket.try_send(Self::routed_frames(msg)?)
    }

    /// Sends a whole routed message (as [`Router::send`]), waiting at most `timeout` for
    /// room; [`Error::TimedOut`] (with the message handed back) when there was none.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)),
    /// with `ZMQ_SNDTIMEO` set to the time left while it waits.
    pub fn send_timeout(
        &self,
        msg: impl RoutedMessage,
        timeout: Duration,
    ) -> Result<(), SendError> {
        self.socket.send_timeout(Self::routed_frames(msg)?, timeout)
    }

    /// The frames of a routed message: a routing id and a body (libzmq would drop a routing
    /// id sent alone, silently).
    fn routed_frames(msg: impl RoutedMessage) -> Result<Multipart, SendError> {
        let frames = msg.into_multipart();
        if frames.len() < 2 {
            let error =
                Error::Malformed("a routed message needs a body after its routing id".into());
            return Err(SendError::new(error, frames));
        }
        Ok(frames)
    }

    /// Sends `body`, a frame or a whole message, to the peer `id` (`[id][body...]`). See
    /// [`Router::send`] for unknown peers.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)):
    /// the id with `ZMQ_SNDMORE`, then the body.
    pub fn send_to(&self, id: &RoutingId, body: impl Sendable) -> Result<(), SendError> {
        id.send_with(&self.socket, false, body)
    }

    /// Replies to a [`Req`](crate::Req) peer: sends `body` to the peer `id` after the empty
    /// delimiter a REQ expects (`[id][][body...]`). See [`Router::send`] for unknown peers.
    ///
    /// For a plain REQ, directly connected. A correlating REQ ([`Req::new_relaxed`](crate::Req::new_relaxed))
    /// puts a request id before the delimiter and drops a reply without it, and a REQ behind
    /// another broker has more envelope: answer those with
    /// `router.send(request.reply_with(body))` ([`Routed::reply_with`]), which keeps the
    /// request's envelope.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)):
    /// the id and the delimiter with `ZMQ_SNDMORE`, then the body.
    pub fn reply(&self, id: &RoutingId, body: impl Sendable) -> Result<(), SendError> {
        id.send_with(&self.socket, true, body)
    }
}

/// What [`Router::send`] takes: a whole routed message, routing id first (a [`Routed`], a
/// [`Multipart`] received from a ROUTER, an array or vector of frames): any [`Sendable`] of
/// shape [`Frames`]. A single frame is not one: it would have no routing id.
pub trait RoutedMessage: Sendable {}

impl<T: Sendable> RoutedMessage for T where T::Shape: RoutedShape {}

/// The shape of a [`RoutedMessage`]: [`Frames`] only (a routing id and a body). Sealed.
#[diagnostic::on_unimplemented(
    message = "a ROUTER sends a whole routed message (routing id first), not a message of shape `{Self}`",
    label = "one frame: no routing id and body",
    note = "to send one frame or a body to a peer, name the peer: `router.send_to(&id, body)`, or `router.reply(&id, body)` for a REQ peer (it adds the empty delimiter)",
    note = "`router.send(msg)` forwards what `recv` returned: a `Routed`, or a `Multipart` whose first frame is the routing id"
)]
pub trait RoutedShape: crate::sendable::MessageShape {}

impl RoutedShape for Frames {}
