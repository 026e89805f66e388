//! `Routed`: a message as a ROUTER sees it, the routing id of its peer and the body.

use std::fmt;

use crate::multipart::Multipart;
use crate::sendable::{Frames, Sendable};
use crate::typed::RoutingId;

/// A message as a [`Router`](crate::Router) receives and sends it: the routing id of the
/// peer it came from (or goes to), and the frames after it. Sending it sends `[id][body...]`,
/// so what a ROUTER received can be forwarded, or echoed, whole:
/// `router.send(router.recv()?)?`.
///
/// From a [`Req`](crate::Req) peer the body starts with the empty delimiter (`[][request]`);
/// [`Router::reply`](crate::Router::reply) puts it back in front of a reply.
///
/// ```
/// use zmq_typed::{Multipart, Routed, RoutingId};
/// let routed = Routed::from((RoutingId::from("worker-1"), Multipart::single("ready")));
/// assert_eq!(routed.to_string(), "worker-1: ready");
/// let (id, body) = routed.into_parts();
/// assert_eq!((id.as_bytes(), body), (&b"worker-1"[..], Multipart::single("ready")));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Routed {
    /// The routing id of the peer.
    pub id: RoutingId,
    /// The frames after the routing id.
    pub body: Multipart,
}

impl Routed {
    /// A message for the peer `id`.
    pub fn new(id: RoutingId, body: impl Sendable) -> Routed {
        Routed {
            id,
            body: body.into_multipart(),
        }
    }

    /// The routing id and the body.
    pub fn into_parts(self) -> (RoutingId, Multipart) {
        (self.id, self.body)
    }

    /// The reply to this request: the same peer and the same envelope (every frame of the
    /// body up to and including its first empty delimiter), then `body`. So it reaches any
    /// REQ peer, a correlating one ([`Req::new_relaxed`](crate::Req::new_relaxed): `[request
    /// id][]`) or one behind other brokers (`[hop id][]`) alike, and `router.send(request.reply_with(body))`
    /// answers it. A request without a delimiter (from a DEALER) gets `body` alone.
    ///
    /// Builds a message; calls nothing.
    ///
    /// ```
    /// use zmq_typed::{Context, Req, Router};
    /// let ctx = Context::new()?;
    /// let router = Router::new(&ctx)?;
    /// let endpoint = router.bind("inproc://reply-with-doc")?;
    /// let req = Req::new_relaxed(&ctx)?;             // correlates: [request id][][body]
    /// req.connect(&endpoint)?;
    /// let req = req.send("ping")?;
    ///
    /// let request = router.recv()?;
    /// assert_eq!(request.body.len(), 3);
    /// router.send(request.reply_with("pong"))?;
    /// let (reply, _req) = req.recv()?;
    /// assert_eq!(reply, "pong");
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    pub fn reply_with(&self, body: impl Sendable) -> Routed {
        let envelope = self
            .body
            .iter()
            .position(|frame| frame.is_empty())
            .map_or(0, |delimiter| delimiter + 1);
        let mut reply: Multipart = self.body[..envelope].iter().collect();
        reply.extend(body.into_multipart());
        Routed {
            id: self.id.clone(),
            body: reply,
        }
    }
}

impl From<(RoutingId, Multipart)> for Routed {
    fn from((id, body): (RoutingId, Multipart)) -> Routed {
        Routed { id, body }
    }
}

impl From<Routed> for (RoutingId, Multipart) {
    fn from(routed: Routed) -> (RoutingId, Multipart) {
        routed.into_parts()
    }
}

/// `[id][body...]`: the routing id first, as a ROUTER sends it.
impl Sendable for Routed {
    type Shape = Frames;

    fn into_multipart(self) -> Multipart {
        let mut frames = self.body;
        frames.push_front(self.id.into_message());
        frames
    }
}

impl fmt::Debug for Routed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Routed")
            .field("id", &self.id)
            .field("body", &self.body)
            .finish()
    }
}

/// `id: body`, each as its own `Display` writes it.
impl fmt::Display for Routed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.id, self.body)
    }
}
