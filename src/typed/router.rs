//! `Router`: the ROUTER socket, which names the peer of every message by its routing id
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_ROUTER").

use std::time::Duration;

use crate::error::{Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::socket::{SendError, SendFlags};
use crate::typed::{stateless_socket, RoutingId};

stateless_socket!(
    /// A ROUTER socket: receives each message with the routing id of the peer it came from,
    /// and sends to a peer by its id. Its peers are [`crate::Req`], [`crate::Dealer`] and
    /// other routers.
    ///
    /// From a [`crate::Req`] peer the rest of the message starts with the empty delimiter
    /// (`[][body]`); [`Multipart::split_envelope`] and [`Multipart::join_envelope`] take
    /// envelopes apart and put them back.
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
    /// let (id, request) = router.recv()?;
    /// assert_eq!(request.to_vecs(), [b"".to_vec(), b"hi".to_vec()]);  // [delimiter][body]
    /// router.send_multipart_to(&id, ["", "hello"])?;
    /// let (reply, _req) = req.recv()?;
    /// assert_eq!(reply, "hello");
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    Router = Router, "ROUTER"
);

impl Router {
    fn split_id(mut message: Multipart) -> Result<(RoutingId, Multipart)> {
        let id = message.pop_front().ok_or_else(|| {
            Error::Malformed("a ROUTER message without its routing id frame".into())
        })?;
        if message.is_empty() {
            return Err(Error::Malformed(
                "a ROUTER message with a routing id and nothing else".into(),
            ));
        }
        Ok((RoutingId::from(id), message))
    }

    /// Receives the next message, blocking: the routing id of the peer it came from, and the
    /// rest of its frames.
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&self) -> Result<(RoutingId, Multipart)> {
        Self::split_id(self.socket.recv_multipart()?)
    }

    /// Receives the next message, waiting at most `timeout` for it.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<(RoutingId, Multipart)> {
        Self::split_id(self.socket.recv_multipart_timeout(timeout)?)
    }

    /// Receives the next message if one is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT`.
    pub fn try_recv(&self) -> Result<Option<(RoutingId, Multipart)>> {
        self.socket
            .try_recv_multipart()?
            .map(Self::split_id)
            .transpose()
    }

    /// Sends a one-frame message to the peer `id`. An unknown peer is dropped silently,
    /// unless [`Router::set_router_mandatory`] is on: then it is
    /// [`Error::HostUnreachable`], with the message handed back.
    ///
    /// Wraps `zmq_msg_send` (the id with `ZMQ_SNDMORE`, then the frame).
    pub fn send_to(
        &self,
        id: &RoutingId,
        msg: impl Into<Message>,
    ) -> Result<(), SendError<Message>> {
        id.send_with(&self.socket, msg)
    }

    /// Sends a message of every frame of `frames` (at least one) to the peer `id`; on failure
    /// the frames not sent come back. See [`Router::send_to`] for unknown peers.
    ///
    /// Wraps `zmq_msg_send`.
    pub fn send_multipart_to<I>(
        &self,
        id: &RoutingId,
        frames: I,
    ) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        let mut frames = frames.into_iter().peekable();
        if frames.peek().is_none() {
            return Err(SendError::new(Error::EmptyMessage, Multipart::new()));
        }
        if let Err(e) = self.socket.send_with(id.to_frame(), SendFlags::MORE) {
            return Err(SendError::new(e.into_error(), frames.collect()));
        }
        self.socket.send_multipart(frames)
    }

    /// Sends a message whose first frame is the routing id, as forwarding brokers do with
    /// the messages they received.
    ///
    /// Wraps `zmq_msg_send`.
    pub fn send_multipart<I>(&self, frames: I) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        self.socket.send_multipart(frames)
    }
}
