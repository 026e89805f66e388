//! `RoutingId`: the first frame a ROUTER or STREAM socket adds to every message, naming the
//! peer it came from.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use crate::error::Error;
use crate::message::Message;
use crate::sendable::Sendable;
use crate::socket::{SendError, Socket};

/// The routing id of a peer of a [`crate::Router`] or [`crate::Stream`] socket: what
/// [`crate::Router::recv`] yields apart from the rest of the message (in a
/// [`crate::Routed`]), and what [`crate::Router::send_to`] and [`crate::Router::reply`]
/// take to address a reply.
///
/// It keeps the frame it was received in (libzmq's generated ids are 5 bytes, held inline
/// without allocating), compares, orders and hashes by its bytes, and clones cheaply, so it
/// can be kept in maps and queues of workers.
///
/// ```
/// use zmq_typed::RoutingId;
/// let id = RoutingId::from("worker-1");
/// assert_eq!(id.as_bytes(), b"worker-1");
/// assert_eq!(id.to_string(), "worker-1");
/// assert_eq!(RoutingId::from(&[0u8, 0x6b, 0x8b, 0x45, 0x67][..]).to_string(), "0x006b8b4567");
/// ```
#[derive(Clone)]
pub struct RoutingId(Message);

impl RoutingId {
    /// The id's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        self.0.data()
    }

    /// The id as a frame to send.
    pub(crate) fn to_frame(&self) -> Message {
        Message::from_slice(self.as_bytes())
    }

    /// Sends `[self][body...]` on a ROUTER or STREAM socket, with the empty delimiter
    /// between them when `delimiter` is set; on failure the body comes back.
    pub(crate) fn send_with(
        &self,
        socket: &Socket,
        delimiter: bool,
        body: impl Sendable,
    ) -> Result<(), SendError> {
        let body = body.into_multipart();
        if body.is_empty() {
            return Err(SendError::new(Error::EmptyMessage, body));
        }
        if let Err(e) = socket.send_more(self.to_frame()) {
            return Err(SendError::new(e.into_error(), body));
        }
        if delimiter {
            if let Err(e) = socket.send_more(Message::new()) {
                return Err(SendError::new(e.into_error(), body));
            }
        }
        socket.send(body)
    }

    /// The frame the id came in.
    pub fn into_message(self) -> Message {
        self.0
    }
}

impl From<Message> for RoutingId {
    fn from(frame: Message) -> RoutingId {
        RoutingId(frame)
    }
}

impl From<&[u8]> for RoutingId {
    fn from(bytes: &[u8]) -> RoutingId {
        RoutingId(Message::from_slice(bytes))
    }
}

impl From<&str> for RoutingId {
    fn from(text: &str) -> RoutingId {
        RoutingId::from(text.as_bytes())
    }
}

impl From<Vec<u8>> for RoutingId {
    fn from(bytes: Vec<u8>) -> RoutingId {
        RoutingId(Message::from(bytes))
    }
}

impl PartialEq for RoutingId {
    fn eq(&self, other: &RoutingId) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for RoutingId {}

impl PartialOrd for RoutingId {
    fn partial_cmp(&self, other: &RoutingId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RoutingId {
    fn cmp(&self, other: &RoutingId) -> Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for RoutingId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl AsRef<[u8]> for RoutingId {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

/// Printable ASCII as it is; anything else in hex (`0x006b8b4567`).
impl fmt::Display for RoutingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.as_bytes();
        if !bytes.is_empty() && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            // Checked: every byte is ASCII.
            f.write_str(&String::from_utf8_lossy(bytes))
        } else {
            f.write_str("0x")?;
            bytes.iter().try_for_each(|b| write!(f, "{b:02x}"))
        }
    }
}

impl fmt::Debug for RoutingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RoutingId({self})")
    }
}
