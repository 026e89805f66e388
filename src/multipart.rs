//! `Multipart`: the frames of one logical message, with the envelope helpers of the
//! request-reply patterns.

use std::collections::VecDeque;
use std::ops::{Deref, DerefMut};

use crate::message::Message;

/// The frames of one multipart message, in order.
///
/// An owned list of [`Message`]s with the envelope helpers that ROUTER-based patterns use: a
/// ROUTER receives `[routing id][empty delimiter][body...]` from a REQ peer and must send the
/// envelope back in front of the reply.
///
/// ```
/// use zmq_typed::Multipart;
/// let mut msg = Multipart::from(vec!["body"]);
/// msg.wrap("client-1");                       // [client-1][][body]
/// assert_eq!(msg.len(), 3);
/// assert_eq!(msg.unwrap_address().unwrap(), "client-1");  // back to [body]
/// assert_eq!(msg.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Multipart {
    frames: VecDeque<Message>,
}

impl Multipart {
    /// No frames.
    pub fn new() -> Multipart {
        Multipart::default()
    }

    /// Appends a frame.
    pub fn push_back(&mut self, frame: impl Into<Message>) {
        self.frames.push_back(frame.into());
    }

    /// Puts a frame in front.
    pub fn push_front(&mut self, frame: impl Into<Message>) {
        self.frames.push_front(frame.into());
    }

    /// Takes the first frame.
    pub fn pop_front(&mut self) -> Option<Message> {
        self.frames.pop_front()
    }

    /// Takes the last frame.
    pub fn pop_back(&mut self) -> Option<Message> {
        self.frames.pop_back()
    }

    /// Puts `address` and an empty delimiter in front: `[address][][frames...]`.
    pub fn wrap(&mut self, address: impl Into<Message>) {
        self.frames.push_front(Message::new());
        self.frames.push_front(address.into());
    }

    /// Takes the first frame (an address) and the empty delimiter after it, if there is one.
    pub fn unwrap_address(&mut self) -> Option<Message> {
        let address = self.frames.pop_front()?;
        if self.frames.front().is_some_and(|f| f.is_empty()) {
            self.frames.pop_front();
        }
        Some(address)
    }

    /// Splits at the first empty delimiter frame: the envelope (the frames before it, without
    /// the delimiter) and the body (the frames after it). Without a delimiter, the envelope
    /// is empty and the body is every frame.
    pub fn split_envelope(mut self) -> (Multipart, Multipart) {
        match self.frames.iter().position(|f| f.is_empty()) {
            Some(i) => {
                let mut body = self.frames.split_off(i);
                body.pop_front();
                (self, Multipart { frames: body })
            }
            None => (Multipart::new(), self),
        }
    }

    /// Joins an envelope and a body with an empty delimiter between them: the inverse of
    /// [`Multipart::split_envelope`] for an envelope that is not empty.
    pub fn join_envelope(envelope: Multipart, body: Multipart) -> Multipart {
        let mut frames = envelope.frames;
        if !frames.is_empty() {
            frames.push_back(Message::new());
        }
        frames.extend(body.frames);
        Multipart { frames }
    }

    /// The frames as a vector.
    pub fn into_vec(self) -> Vec<Message> {
        self.frames.into()
    }

    /// Each frame's bytes, copied.
    pub fn to_vecs(&self) -> Vec<Vec<u8>> {
        self.frames.iter().map(Message::to_vec).collect()
    }
}

impl Deref for Multipart {
    type Target = VecDeque<Message>;
    fn deref(&self) -> &VecDeque<Message> {
        &self.frames
    }
}

impl DerefMut for Multipart {
    fn deref_mut(&mut self) -> &mut VecDeque<Message> {
        &mut self.frames
    }
}

impl<M: Into<Message>> From<Vec<M>> for Multipart {
    fn from(frames: Vec<M>) -> Multipart {
        frames.into_iter().collect()
    }
}

impl<M: Into<Message>> FromIterator<M> for Multipart {
    fn from_iter<I: IntoIterator<Item = M>>(iter: I) -> Multipart {
        Multipart {
            frames: iter.into_iter().map(Into::into).collect(),
        }
    }
}

impl<M: Into<Message>> Extend<M> for Multipart {
    fn extend<I: IntoIterator<Item = M>>(&mut self, iter: I) {
        self.frames.extend(iter.into_iter().map(Into::into));
    }
}

impl IntoIterator for Multipart {
    type Item = Message;
    type IntoIter = std::collections::vec_deque::IntoIter<Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.frames.into_iter()
    }
}

impl<'a> IntoIterator for &'a Multipart {
    type Item = &'a Message;
    type IntoIter = std::collections::vec_deque::Iter<'a, Message>;
    fn into_iter(self) -> Self::IntoIter {
        self.frames.iter()
    }
}
