//! `Sendable`: what every send takes, a frame or a whole message.

use crate::error::Error;
use crate::message::Message;
use crate::multipart::Multipart;
use crate::send_error::SendError;

/// Anything a send takes: one frame (anything that converts into a [`Message`]: `&str`,
/// `String`, `&[u8]`, `&[u8; N]`, `Vec<u8>`, `&Vec<u8>`, `Box<[u8]>`, `Message`,
/// `&Message`), or a whole message of several frames ([`Multipart`], `&Multipart`, a
/// vector `Vec<M>` or an array `[M; N]` of frames, a ROUTER's [`Routed`](crate::Routed)).
///
/// So what was received can be sent back as it is (`rep.send(request)?`), and a broker
/// forwards whole messages (`backend.send(frontend.recv()?)?`).
///
/// A message goes out as a [`Multipart`], which holds a single frame inline: sending one
/// frame allocates nothing more than the frame itself.
///
/// Implement it for a type of your own to send it directly; [`Sendable::Shape`] says
/// whether it is always exactly one frame ([`OneFrame`]) or may be several ([`Frames`]).
///
/// ```
/// use zmq_typed::{Context, Multipart, Pull, Push};
/// let ctx = Context::new()?;
/// let pull = Pull::new(&ctx)?;
/// let endpoint = pull.bind("inproc://sendable-doc")?;
/// let push = Push::new(&ctx)?;
/// push.connect(&endpoint)?;
///
/// let buffer = vec![1u8, 2, 3];
/// push.send(&buffer)?;                      // one frame, copied; `buffer` is kept
/// push.send(["key", "value"])?;             // one message of two frames
/// assert_eq!(pull.recv()?, &buffer[..]);
/// let message = pull.recv()?;
/// assert_eq!(message.len(), 2);
/// push.send(&message)?;                     // sent again, frames shared, not copied
/// assert_eq!(pull.recv()?, message);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub trait Sendable {
    /// [`OneFrame`] when the message is always exactly one frame, [`Frames`] when it may
    /// have several. A [`Req`](crate::Req) uses it to say, in the type, in which state a
    /// failed send leaves it: a single frame fails before anything went out, several may
    /// fail part-way.
    type Shape: MessageShape;

    /// The frames of the message, in order.
    fn into_multipart(self) -> Multipart;

    /// The message as its one frame when it has exactly one (`Ok`), else its frames
    /// (`Err`): the send path for one frame then goes without a [`Multipart`] in between.
    /// The default goes through [`Sendable::into_multipart`]; there is no need to override it.
    #[inline]
    fn into_frame(self) -> Result<Message, Multipart>
    where
        Self: Sized,
    {
        self.into_multipart().into_single()
    }
}

/// The [`Sendable::Shape`] of a message that is always exactly one frame.
///
/// Uninhabited: a marker type, never a value.
#[derive(Debug)]
pub enum OneFrame {}

/// The [`Sendable::Shape`] of a message that may have several frames.
///
/// Uninhabited: a marker type, never a value.
#[derive(Debug)]
pub enum Frames {}

pub(crate) mod sealed {
    /// Implemented by [`super::OneFrame`] and [`super::Frames`] only.
    pub trait Shape {
        /// Whether the message is exactly one frame.
        const ONE_FRAME: bool;
    }
}

/// The two shapes a message may have: [`OneFrame`] and [`Frames`]. Sealed.
pub trait MessageShape: sealed::Shape {
    /// The state a [`Req`](crate::Req) in state `S` is really in after a failed send of a
    /// message of this shape: `S` for one frame (nothing was sent), [`Sending`](crate::Sending)
    /// for several (some frames may have gone out: sending the rest completes the request).
    type ReqState<S>;
}

impl sealed::Shape for OneFrame {
    const ONE_FRAME: bool = true;
}

impl MessageShape for OneFrame {
    type ReqState<S> = S;
}

impl sealed::Shape for Frames {
    const ONE_FRAME: bool = false;
}

impl MessageShape for Frames {
    type ReqState<S> = crate::typed::Sending;
}

/// The frames of a message that did not come as one frame, refused when its shape says it
/// is one ([`OneFrame`]), so that the typed state a failed send reports is the real one even
/// for a type of the user's whose `into_multipart` breaks its word.
pub(crate) fn check_shape<M: Sendable>(frames: Multipart) -> Result<Multipart, SendError> {
    if <M::Shape as sealed::Shape>::ONE_FRAME && frames.len() != 1 {
        let error = Error::Malformed(format!(
            "a message of shape OneFrame has {} frames",
            frames.len()
        ));
        return Err(SendError::new(error, frames));
    }
    Ok(frames)
}

impl<T: Into<Message>> Sendable for T {
    type Shape = OneFrame;

    #[inline]
    fn into_multipart(self) -> Multipart {
        Multipart::single(self)
    }

    #[inline]
    fn into_frame(self) -> Result<Message, Multipart> {
        Ok(self.into())
    }
}

impl Sendable for Multipart {
    type Shape = Frames;

    #[inline]
    fn into_multipart(self) -> Multipart {
        self
    }
}

/// The frames are shared with the original (no copy of their bytes); the list of frames
/// is allocated for a message of several.
impl Sendable for &Multipart {
    type Shape = Frames;

    fn into_multipart(self) -> Multipart {
        self.clone()
    }
}

/// A vector of frames: `Vec<Message>` (which becomes the message's frame list without
/// copying), `Vec<&str>`, `Vec<String>`, `Vec<Vec<u8>>`... (A `Vec<u8>` is one frame.)
impl<M: Into<Message>> Sendable for Vec<M> {
    type Shape = Frames;

    fn into_multipart(self) -> Multipart {
        // For `Vec<Message>` the standard library collects in place: no new allocation.
        Multipart::from_frames(self.into_iter().map(Into::into).collect())
    }
}

impl<M: Into<Message>, const N: usize> Sendable for [M; N] {
    type Shape = Frames;

    fn into_multipart(self) -> Multipart {
        if N == 1 {
            return self.into_iter().collect();
        }
        let mut frames = Vec::with_capacity(N);
        frames.extend(self.into_iter().map(Into::into));
        Multipart::from_frames(frames)
    }
}
