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
    /// Any number of frames in a vector (one only when the vector's storage is kept for
    /// reuse, see [`Multipart::clear`]).
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

    /// A message of these frames, keeping the vector's storage.
    pub(crate) fn from_frames(frames: Vec<Message>) -> Multipart {
        Multipart {
            repr: Repr::Many(frames),
        }
    }

    /// Appends a frame.
    pub fn push_back(&mut self, frame: impl Into<Message>) {
        match &mut self.repr {
            // No storage to reuse: the frame is held inline.
            Repr::Many(frames) if frames.capacity() == 0 => self.repr = Repr::One(frame.into()),
            _ => self.vec_mut().push(frame.into()),
        }
    }

    /// Puts a frame in front.
    pub fn push_front(&mut self, frame: impl Into<Message>) {
        match &mut self.repr {
            Repr::Many(frames) if frames.capacity() == 0 => self.repr = Repr::One(frame.into()),
            _ => self.vec_mut().insert(0, frame.into()),
        }
    }

    /// Removes every frame, keeping the storage of the frame list for the next message, as
    /// [`Socket::recv_into`](crate::Socket::recv_into) does.
    pub fn clear(&mut self) {
        match &mut self.repr {
            Repr::One(_) => self.repr = Repr::Many(Vec::new()),
            Repr::Many(frames) => frames.clear(),
        }
    }

    /// The first frame's `Message`, made when there is none, to receive into: a receive then
    /// costs no `Message` of its own (libzmq releases the old content as it receives the
    /// new). The frames after it stay, for [`Multipart::reuse_frame`], until
    /// [`Multipart::keep`] says how many a message had.
    #[inline]
    pub(crate) fn reuse_first(&mut self) -> &mut Message {
        if let Repr::Many(frames) = &mut self.repr {
            if frames.is_empty() {
                if frames.capacity() == 0 {
                    self.repr = Repr::One(Message::new());
                } else {
                    frames.push(Message::new());
                }
            }
        }
        match &mut self.repr {
            Repr::One(only) => only,
            Repr::Many(frames) => &mut frames[0],
        }
    }

    /// The `Message` of frame `index` (at most the number of frames), made when there is
    /// none, to receive into.
    pub(crate) fn reuse_frame(&mut self, index: usize) -> &mut Message {
        let frames = self.vec_mut();
        if index == frames.len() {
            frames.push(Message::new());
        }
        &mut frames[index]
    }

    /// Keeps the first `len` frames and closes the rest.
    #[inline]
    pub(crate) fn keep(&mut self, len: usize) {
        if let Repr::Many(frames) = &mut self.repr {
            frames.truncate(len);
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

    /// Splits at the first empty delimiter frame: `Ok((envelope, body))`, the frames before
    /// the delimiter and the frames after it (the delimiter itself is dropped). The envelope
    /// is empty when the message starts with the delimiter, as a REQ peer's request does
    /// when a DEALER receives it. `Err(self)`, the message unchanged, when it has no
    /// delimiter at all.
    ///
    /// ```
    /// use zmq_typed::Multipart;
    /// let request = Multipart::from(["client-1", "", "GET"]);
    /// let (envelope, body) = request.split_envelope().unwrap();
    /// assert_eq!((envelope, body), (Multipart::single("client-1"), Multipart::single("GET")));
    ///
    /// let (envelope, body) = Multipart::from(["", "GET"]).split_envelope().unwrap();
    /// assert!(envelope.is_empty());
    /// assert_eq!(body, "GET");
    ///
    /// assert!(Multipart::from(["no", "delimiter"]).split_envelope().is_err());
    /// ```
    pub fn split_envelope(mut self) -> std::result::Result<(Multipart, Multipart), Multipart> {
        match self.iter().position(|f| f.is_empty()) {
            Some(i) => {
                let frames = self.vec_mut();
                let body: Multipart = frames.drain(i + 1..).collect();
                frames.truncate(i);
                Ok((self, body))
            }
            None => Err(self),
        }
    }

    /// Joins an envelope and a body with an empty delimiter between them (always, even when
    /// the envelope is empty): the exact inverse of [`Multipart::split_envelope`].
    pub fn join_envelope(envelope: Multipart, body: Multipart) -> Multipart {
        let mut joined = envelope;
        joined.push_back(Message::new());
        joined.extend(body);
        joined
    }

    /// The frames as a vector.
    pub fn into_frames(self) -> Vec<Message> {
        match self.repr {
            Repr::One(only) => vec![only],
            Repr::Many(frames) => frames,
        }
    }

    /// The bytes of every frame, concatenated: for a message of one frame, exactly its
    /// bytes (as [`Message::to_vec`]). [`Multipart::to_vecs`] keeps the frames apart.
    pub fn to_vec(&self) -> Vec<u8> {
        match &**self {
            [only] => only.to_vec(),
            frames => {
                let mut bytes = Vec::with_capacity(frames.iter().map(|f| f.len()).sum());
                frames.iter().for_each(|f| bytes.extend_from_slice(f));
                bytes
            }
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

    /// The only frame of a single-frame message: [`Error::Malformed`] otherwise.
    pub(crate) fn only(&self) -> Result<&Message> {
        match &**self {
            [only] => Ok(only),
            frames => Err(Error::Malformed(format!(
                "expected a message of one frame, got {} frames",
                frames.len()
            ))),
        }
    }

    /// The text of a single-frame message: [`Error::Malformed`] when the message has another
    /// number of frames, [`Error::Utf8`] when the frame is not UTF-8.
    pub fn as_str(&self) -> Result<&str> {
        self.only()?.as_str()
    }

    /// The text of a single-frame message, as an owned `String`: [`Error::Malformed`] when
    /// the message has another number of frames, [`Error::Utf8`] when the frame is not UTF-8.
    pub fn into_string(self) -> Result<String> {
        self.as_str().map(str::to_owned)
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

/// For people, not for parsing (`{:?}` is exact): the text of a one-frame UTF-8 message as
/// it is, so that `println!("{reply}")` prints what was sent. Any other message is written
/// frame by frame, each in brackets: printable text as it is, other bytes in hex (`0x..`),
/// a frame longer than 64 bytes cut after its first 32 with the count of the rest
/// (`[GET][0x00ff…(+992 bytes)]`). Text with control characters other than tab and newline
/// (a terminal escape sent by a peer, a NUL, a carriage return) or with Unicode direction
/// overrides is never written as it is: it is shown in hex. A one-frame text that starts
/// with `[` is framed too, so that it never reads like several frames. A message without
/// frames shows as `(no frames)`.
///
/// ```
/// use zmq_typed::Multipart;
/// assert_eq!(Multipart::single("World").to_string(), "World");
/// assert_eq!(Multipart::from(["GET", "", "/index"]).to_string(), "[GET][][/index]");
/// assert_eq!(Multipart::single(&[0u8, 0xff][..]).to_string(), "[0x00ff]");
/// assert_eq!(Multipart::single("\x1b[2J").to_string(), "[0x1b5b324a]");
/// assert_eq!(Multipart::new().to_string(), "(no frames)");
/// assert_eq!(Multipart::single("[a][b]").to_string(), "[[a][b]]");
/// ```
impl fmt::Display for Multipart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &**self {
            [] => return f.write_str(NO_FRAMES),
            [only] => {
                if let Ok(text) = only.as_str() {
                    // Text that starts like the framed form is framed too: `[a][b]` as one
                    // frame shows as `[[a][b]]`, never like the two frames `a` and `b`.
                    if printable(text) && !text.starts_with('[') && text != NO_FRAMES {
                        return f.write_str(text);
                    }
                }
            }
            _ => {}
        }
        for frame in self.iter() {
            f.write_str("[")?;
            write_frame(f, frame)?;
            f.write_str("]")?;
        }
        Ok(())
    }
}

/// A frame longer than this is cut in [`Multipart`]'s `Display`...
const DISPLAY_MAX: usize = 64;
/// ... after this many bytes.
const DISPLAY_CUT: usize = 32;

/// How a message without frames shows.
const NO_FRAMES: &str = "(no frames)";

/// Text that is safe to write as it is: no control characters but tab and newline (a
/// carriage return could overwrite a line), and none of Unicode's direction overrides
/// and isolates, which can make a terminal or a log show text other than what it holds.
fn printable(text: &str) -> bool {
    text.chars().all(|c| {
        (!c.is_control() || matches!(c, '\t' | '\n'))
            && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

fn write_frame(f: &mut fmt::Formatter<'_>, frame: &[u8]) -> fmt::Result {
    let cut = if frame.len() > DISPLAY_MAX {
        DISPLAY_CUT
    } else {
        frame.len()
    };
    let shown = match std::str::from_utf8(frame) {
        Ok(text) if printable(text) => {
            // Cut on a character boundary (at most 3 bytes back).
            let end = (0..=cut)
                .rev()
                .find(|&i| text.is_char_boundary(i))
                .unwrap_or(0);
            f.write_str(&text[..end])?;
            end
        }
        _ => {
            f.write_str("0x")?;
            frame[..cut].iter().try_for_each(|b| write!(f, "{b:02x}"))?;
            cut
        }
    };
    if frame.len() > shown {
        write!(f, "…(+{} bytes)", frame.len() - shown)?;
    }
    Ok(())
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

impl PartialEq<String> for Multipart {
    fn eq(&self, other: &String) -> bool {
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

/// The same comparisons the other way round: `"World" == reply`.
macro_rules! eq_reversed {
    ($($lhs:ty),*) => {$(
        impl PartialEq<Multipart> for $lhs {
            fn eq(&self, other: &Multipart) -> bool {
                other == self
            }
        }
    )*};
}

eq_reversed!(str, &str, String, [u8], &[u8]);

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
        let mut iter = iter.into_iter();
        let (at_least, _) = iter.size_hint();
        let Some(first) = iter.next() else {
            return;
        };
        if self.is_empty() && at_least <= 1 {
            // Maybe a single frame: held inline, no allocation, unless more follow.
            self.push_back(first);
        } else {
            // Room for all the frames the iterator promises, at once.
            let frames = self.vec_mut();
            frames.reserve(at_least);
            frames.push(first.into());
        }
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
