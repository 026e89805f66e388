//! `SendSocket` and `RecvSocket`: the operations of the typed sockets that have no state
//! machine (every type but REQ and REP), written once.

use std::time::Duration;

use crate::error::Result;
use crate::message::Message;
use crate::multipart::Multipart;
use crate::socket::{SendError, SendFlags, Socket};

pub(crate) mod sealed {
    /// Proof of being inside this crate: it cannot be built outside, so the methods that
    /// take it cannot be called from outside, even through a generic bound.
    pub struct Token(pub(super) ());

    /// Implemented by the typed sockets only: their dynamic socket, for this crate's use.
    pub trait Typed {
        /// The dynamic socket underneath.
        fn raw(&self, token: Token) -> &crate::Socket;
    }
}

fn raw<T: sealed::Typed + ?Sized>(typed: &T) -> &Socket {
    typed.raw(sealed::Token(()))
}

/// Sending on the typed sockets whose type may send at any time: [`Pub`](crate::Pub),
/// [`XPub`](crate::XPub), [`XSub`](crate::XSub), [`Push`](crate::Push),
/// [`Dealer`](crate::Dealer), [`Pair`](crate::Pair). Sealed: only this crate implements it.
///
/// Each method forwards to the [`Socket`] method of the same name, so it costs the same.
pub trait SendSocket: sealed::Typed {
    /// Sends one frame (the last of its message), blocking until it is queued or the send
    /// timeout runs out ([`crate::Error::TimedOut`]).
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    #[inline]
    fn send(&self, msg: impl Into<Message>) -> Result<()> {
        raw(self).send(msg)
    }

    /// Sends one frame with more to follow (`ZMQ_SNDMORE`).
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE`.
    #[inline]
    fn send_more(&self, frame: impl Into<Message>) -> Result<()> {
        raw(self).send_more(frame)
    }

    /// Sends one frame with `flags`, handing the frame back on failure.
    ///
    /// Wraps `zmq_msg_send`.
    #[inline]
    fn send_with(
        &self,
        msg: impl Into<Message>,
        flags: SendFlags,
    ) -> Result<(), SendError<Message>> {
        raw(self).send_with(msg, flags)
    }

    /// Sends one frame without blocking: `Ok(Some(frame))` (handed back) when it could not be
    /// queued.
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT`.
    #[inline]
    fn try_send(&self, msg: impl Into<Message>) -> Result<Option<Message>> {
        raw(self).try_send(msg)
    }

    /// Sends one frame, waiting at most `timeout` for room.
    ///
    /// Wraps `zmq_msg_send`, with `ZMQ_SNDTIMEO` set to the time left while it waits.
    #[inline]
    fn send_timeout(
        &self,
        msg: impl Into<Message>,
        timeout: Duration,
    ) -> Result<(), SendError<Message>> {
        raw(self).send_timeout(msg, timeout)
    }

    /// Sends every frame of `frames` as one message; on failure the frames not sent come
    /// back in the error.
    ///
    /// Wraps `zmq_msg_send`.
    #[inline]
    fn send_multipart<I>(&self, frames: I) -> Result<(), SendError<Multipart>>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        raw(self).send_multipart(frames)
    }
}

/// Receiving on the typed sockets whose type may receive at any time: [`Sub`](crate::Sub),
/// [`XPub`](crate::XPub), [`XSub`](crate::XSub), [`Pull`](crate::Pull),
/// [`Dealer`](crate::Dealer), [`Pair`](crate::Pair). Sealed: only this crate implements it.
///
/// A receive takes a whole message, every frame of it, as a [`Multipart`], which holds a
/// single-frame message without allocating; [`RecvSocket::recv_frame`] takes one frame.
pub trait RecvSocket: sealed::Typed {
    /// Receives one whole message, blocking until one comes or the receive timeout runs out
    /// ([`crate::Error::TimedOut`]).
    ///
    /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    #[inline]
    fn recv(&self) -> Result<Multipart> {
        raw(self).recv_multipart()
    }

    /// Receives one whole message, waiting at most `timeout` for it.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits.
    #[inline]
    fn recv_timeout(&self, timeout: Duration) -> Result<Multipart> {
        raw(self).recv_multipart_timeout(timeout)
    }

    /// Receives one whole message if one is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT`.
    #[inline]
    fn try_recv(&self) -> Result<Option<Multipart>> {
        raw(self).try_recv_multipart()
    }

    /// Receives one frame: the rest of its message, if any, is read by the next calls
    /// ([`crate::SocketCore::has_more`] tells).
    ///
    /// Wraps `zmq_msg_recv`.
    #[inline]
    fn recv_frame(&self) -> Result<Message> {
        raw(self).recv()
    }

    /// Receives one message of a single frame as UTF-8 text: [`crate::Error::Malformed`]
    /// when it has several frames (they are consumed), [`crate::Error::Utf8`] when it is not
    /// text.
    ///
    /// Wraps `zmq_msg_recv`.
    fn recv_string(&self) -> Result<String> {
        self.recv()?.as_str().map(str::to_owned)
    }
}
