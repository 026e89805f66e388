//! `Multipart`: the frames of one logical message, with the envelope helpers of the
//! request-reply patterns.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::error::{Error, Result};
use crate::message::Message;

/// The frames of one multipart message, in order.
///
/// An owned list of [`Message`]s with the envelope helpers that ROUTER-based patterns use: a
/// ROUTER receives `[routing id][empty delimiter][body...]` from a REQ peer and must send the
/// envelope back in front of the reply. It dereferences to a slice of frames (`parts[0]`,
/// `parts.len()`, `parts.iter()`, `parts.first()`).
///
/// A message of a single frame, by far the most common, is kept without a heap allocation
/// of its own: receiving one costs what receiving the bare [`Message`] costs.
///
/// ```
/// use zmq_typed::Multipart;
/// let mut msg = Multipart::from(vec!["body"]);
/// msg.wrap("client-1");                       // [client-1][][body]
/// assert_eq!(msg.len(), 3);
/// assert_eq!(msg.unwrap_address().unwrap(), "client-1");  // back to [body]
/// assert_eq!(msg, "body");                    // one frame compares with its content
/// ```
#[derive(Clone)]
pub struct Multipart {
    repr: Repr,
}

#[derive(Clone)]
enum Repr {
    /// Exactly one frame, held inline.
    One(Message),
    /// Any other number of frames.
    Many(Vec<Message>),
}

impl Default for Multipart {
    fn default() -> Multipart {
        Multipart {
            repr: Repr::Many(Vec::new()),
        }
    }
}

impl Multipart {
    /// No frames.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// A message of one frame (no allocation besides the frame's own).
    pub fn single(frame: impl Into<Message>) -> Multipart {
        Multipart {
            repr: Repr::One(frame.into()),
        }
    }

    /// The frames as a vector, converting the single-frame form when needed.
    fn vec_mut(&mut self) -> &mut Vec<Message> {
        if let Repr::One(_) = self.repr {
            let Repr::One(only) = std::mem::replace(&mut self.repr, Repr::Many(Vec::new())) else {
                unreachable!("checked just above")
            };
            // Room for a typical envelope and body at once: one allocation, not several.
            let mut frames = Vec::with_capacity(4);
            frames.push(only);
            self.repr = Repr::Many(frames);
        }
        match &mut self.repr {
            Repr::Many(frames) => frames,
            Repr::One(_) => unreachable!("converted just above"),
        }
    }

    /// Appends a frame.
    pub fn push_back(&mut self, frame: impl Into<Message>) {
        match &mut self.repr {
            Repr::Many(frames) if frames.is_empty() => self.repr = Repr::One(frame.into()),
            _ => self.vec_mut().push(frame.into()),
        }
    }

    /// Puts a frame in front.
    pub fn push_front(&mut self, frame: impl Into<Message>) {
        match &mut self.repr {
            Repr::Many(frames) if frames.is_empty() => self.repr = Repr::One(frame.into()),
            _ => self.vec_mut().insert(0, frame.into()),
        }
    }

    /// Takes the first frame.
    pub fn pop_front(&mut self) -> Option<Message> {
        match std::mem::take(self).repr {
            Repr::One(only) => Some(only),
            Repr::Many(mut frames) => {
                let first = (!frames.is_empty()).then(|| frames.remove(0));
                self.repr = Repr::Many(frames);
                first
            }
        }
    }

    /// Takes the last frame.
    pub fn pop_back(&mut self) -> Option<Message> {
        match std::mem::take(self).repr {
            Repr::One(only) => Some(only),
            Repr::Many(mut frames) => {
                let last = frames.pop();
                self.repr = Repr::Many(frames);
                last
            }
        }
    }

    /// Puts `address` and an empty delimiter in front: `[address][][frames...]`.
    pub fn wrap(&mut self, address: impl Into<Message>) {
        let frames = self.vec_mut();
        frames.splice(0..0, [address.into(), Message::new()]);
    }

    /// Takes the first frame (an address) and the empty delimiter after it, if there is one.
    pub fn unwrap_address(&mut self) -> Option<Message> {
        let address = self.pop_front()?;
        if self.first().is_some_and(|f| f.is_empty()) {
            self.pop_front();
        }
        Some(address)
    }

    /// Splits at the first empty delimiter frame: the envelope (the frames before it, without
    /// the delimiter) and the body (the frames after it). Without a delimiter, the envelope
    /// is empty and the body is every frame.
    pub fn split_envelope(mut self) -> (Multipart, Multipart) {
        match self.iter().position(|f| f.is_empty()) {
            Some(i) => {
                let frames = self.vec_mut();
                let body: Multipart = frames.drain(i + 1..).collect();
                frames.truncate(i);
                (self, body)
            }
            None => (Multipart::new(), self),
        }
    }

    /// Joins an envelope and a body with an empty delimiter between them: the inverse of
    /// [`Multipart::split_envelope`] for an envelope that is not empty.
    pub fn join_envelope(envelope: Multipart, body: Multipart) -> Multipart {
        if envelope.is_empty() {
            return body;
        }
        let mut joined = envelope;
        joined.push_back(Message::new());
        joined.extend(body);
        joined
    }

    /// The frames as a vector.
    pub fn into_vec(self) -> Vec<Message> {
        match self.repr {
            Repr::One(only) => vec![only],
            Repr::Many(frames) => frames,
        }
    }

    /// Each frame's bytes, copied.
    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        self.iter().map(Message::to_vec).collect()
    }

    /// The only frame of a single-frame message; the message itself back in `Err` when it
    /// has no frame or several.
    pub fn into_single(self) -> std::result::Result<Message, Multipart> {
        match self.repr {
            Repr::One(only) => Ok(only),
            Repr::Many(mut frames) if frames.len() == 1 => Ok(frames.remove(0)),
            repr => Err(Multipart { repr }),
        }
    }

    /// The text of a single-frame message: [`Error::Malformed`] when the message has another
    /// number of frames, [`Error::Utf8`] when the frame is not UTF-8.
    pub fn as_str(&self) -> Result<&str> {
        match &**self {
            [only] => only.as_str(),
            frames => Err(Error::Malformed(format!(
                "expected a message of one frame, got {} frames",
                frames.len()
            ))),
        }
    }
}

impl Deref for Multipart {
    type Target = [Message];
    fn deref(&self) -> &[Message] {
        match &self.repr {
            Repr::One(only) => std::slice::from_ref(only),
            Repr::Many(frames) => frames,
        }
    }
}

impl DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut [Message] {
        match &mut self.repr {
            Repr::One(only) => std::slice::from_mut(only),
            Repr::Many(frames) => frames,
        }
    }
}

impl fmt::Debug for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Multipart {
    fn eq(&self, other: &Multipart) -> bool {
        **self == **other
    }
}

impl Eq for Multipart {}

/// A message equals a text when it has exactly one frame, holding that text.
impl PartialEq<str> for Multipart {
    fn eq(&self, other: &str) -> bool {
        matches!(&**self, [only] if only == other)
    }
}

impl PartialEq<&str> for Multipart {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

/// A message equals bytes when it has exactly one frame, holding those bytes.
impl PartialEq<[u8]> for Multipart {
    fn eq(&self, other: &[u8]) -> bool {
        matches!(&**self, [only] if only == other)
    }
}

impl PartialEq<&[u8]> for Multipart {
    fn eq(&self, other: &&[u8]) -> bool {
        *self == **other
    }
}

impl From<Message> for Multipart {
    fn from(frame: Message) -> Multipart {
        Multipart::single(frame)
    }
}

impl<M: Into<Message>> From<Vec<M>> for Multipart {
    fn from(frames: Vec<M>) -> Multipart {
        frames.into_iter().collect()
    }
}

impl<M: Into<Message>, const N: usize> From<[M; N]> for Multipart {
    fn from(frames: [M; N]) -> Multipart {
        frames.into_iter().collect()
    }
}

impl<M: Into<Message>> FromIterator<M> for Multipart {
    fn from_iter<I: IntoIterator<Item = M>>(iter: I) -> Multipart {
        let mut parts = Multipart::new();
        parts.extend(iter);
        parts
    }
}

impl<M: Into<Message>> Extend<M> for Multipart {
    fn extend<I: IntoIterator<Item = M>>(&mut self, iter: I) {
        for frame in iter {
            self.push_back(frame);
        }
    }
}

/// The owning iterator over a [`Multipart`]'s frames.
pub struct IntoIter(IntoIterRepr);

enum IntoIterRepr {
    One(std::option::IntoIter<Message>),
    Many(std::vec::IntoIter<Message>),
}

impl Iterator for IntoIter {
    type Item = Message;
    fn next(&mut self) -> Option<Message> {
        match &mut self.0 {
            IntoIterRepr::One(it) => it.next(),
            IntoIterRepr::Many(it) => it.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            IntoIterRepr::One(it) => it.size_hint(),
            IntoIterRepr::Many(it) => it.size_hint(),
        }
    }
}

impl ExactSizeIterator for IntoIter {}

impl IntoIterator for Multipart {
    type Item = Message;
    type IntoIter = IntoIter;
    fn into_iter(self) -> IntoIter {
        IntoIter(match self.repr {
            Repr::One(only) => IntoIterRepr::One(Some(only).into_iter()),
            Repr::Many(frames) => IntoIterRepr::Many(frames.into_iter()),
        })
    }
}

impl<'a> IntoIterator for &'a Multipart {
    type Item = &'a Message;
    type IntoIter = std::slice::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
