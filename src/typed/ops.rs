//! `SendSocket` and `RecvSocket`: the operations of the typed sockets that have no state
//! machine (every type but REQ and REP), written once: as inherent methods of each type
//! (the macros below), and as sealed traits for generic code.

use std::time::Duration;

use crate::error::Result;
use crate::message::Message;
use crate::multipart::Multipart;
use crate::sendable::Sendable;
use crate::socket::{SendError, SendFlags, Socket};

pub(crate) mod sealed {
    /// Proof of being inside this crate: it cannot be built outside, so the methods that
    /// take it cannot be called from outside, even through a generic bound.
    pub struct Token(pub(super) ());

    /// Implemented by the typed sockets and the dynamic `Socket` only: the dynamic socket
    /// underneath, for this crate's use (the traits of the typed sockets, the proxies).
    pub trait Typed {
        /// The dynamic socket underneath.
        fn raw(&self, token: Token) -> &crate::Socket;
    }

    impl Typed for crate::Socket {
        fn raw(&self, _: Token) -> &crate::Socket {
            self
        }
    }
}

/// The dynamic socket under a typed one (or a `Socket` itself).
pub(crate) fn raw<T: sealed::Typed + ?Sized>(typed: &T) -> &Socket {
    typed.raw(sealed::Token(()))
}

/// The send methods of a typed socket that may send at any time, inherent (no trait to
/// import), each forwarding to the [`Socket`] method of the same name. The docs are written
/// once, in [`send_docs!`].
macro_rules! send_methods {
    ($name:ident) => {
        impl $name {
            $crate::typed::ops::send_docs! { send
            #[inline]
            pub fn send(
                &self,
                msg: impl $crate::sendable::Sendable,
            ) -> ::std::result::Result<(), $crate::socket::SendError> {
                self.socket.send(msg)
            }}

            $crate::typed::ops::send_docs! { send_from
            #[inline]
            #[doc(alias("zmq_msg_send", "zmq_sendmsg"))]
            pub fn send_from(
                &self,
                msg: &mut $crate::message::Message,
            ) -> $crate::error::Result<()> {
                self.socket.send_from(msg)
            }}

            $crate::typed::ops::send_docs! { send_more
            #[inline]
            pub fn send_more(
                &self,
                msg: impl $crate::sendable::Sendable,
            ) -> ::std::result::Result<(), $crate::socket::SendError> {
                self.socket.send_more(msg)
            }}

            $crate::typed::ops::send_docs! { send_with
            #[inline]
            pub fn send_with(
                &self,
                msg: impl $crate::sendable::Sendable,
                flags: $crate::socket::SendFlags,
            ) -> ::std::result::Result<(), $crate::socket::SendError> {
                self.socket.send_with(msg, flags)
            }}

            $crate::typed::ops::send_docs! { try_send
            #[inline]
            pub fn try_send(
                &self,
                msg: impl $crate::sendable::Sendable,
            ) -> ::std::result::Result<Option<$crate::multipart::Multipart>, $crate::send_error::SendError> {
                self.socket.try_send(msg)
            }}

            $crate::typed::ops::send_docs! { send_timeout
            #[inline]
            pub fn send_timeout(
                &self,
                msg: impl $crate::sendable::Sendable,
                timeout: ::std::time::Duration,
            ) -> ::std::result::Result<(), $crate::socket::SendError> {
                self.socket.send_timeout(msg, timeout)
            }}

            $crate::typed::ops::send_docs! { send_multipart
            #[inline]
            pub fn send_multipart<I>(
                &self,
                frames: I,
            ) -> ::std::result::Result<(), $crate::socket::SendError>
            where
                I: IntoIterator,
                I::Item: Into<$crate::message::Message>,
            {
                self.socket.send_multipart(frames)
            }}
        }
    };
}

/// The docs of each send method, shared by the inherent methods and [`SendSocket`].
macro_rules! send_docs {
    (send $item:item) => {
        /// Sends a frame or a whole message ([`Sendable`](crate::Sendable)), blocking until
        /// it is queued or the send timeout runs out ([`crate::Error::TimedOut`]); on
        /// failure the frames not sent come back in the [`SendError`](crate::SendError).
        ///
        /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)), with `ZMQ_SNDMORE` on every frame but the last.
        $item
    };
    (send_from $item:item) => {
        /// Sends `msg` as a message of one frame and leaves it empty, as libzmq leaves the
        /// `zmq_msg_t` it sends, ready to be received into or replaced: with
        /// `recv_frame_into`, one libzmq call per send and per receive. On failure `msg`
        /// keeps its bytes, but not always the rest: libzmq clears its `more` flag and drops
        /// its metadata (properties) before it tries to queue it.
        ///
        /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
        $item
    };
    (send_more $item:item) => {
        /// Sends a frame or a whole message as the first part of a longer one: every frame
        /// with `ZMQ_SNDMORE`, so the message goes on with the next send.
        ///
        /// Wraps `zmq_msg_send` with `ZMQ_SNDMORE` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
        $item
    };
    (send_with $item:item) => {
        /// Sends a frame or a whole message with `flags` ([`SendFlags::MORE`](crate::SendFlags::MORE)
        /// applies to its last frame too), handing it back on failure.
        ///
        /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
        $item
    };
    (try_send $item:item) => {
        /// Sends a frame or a whole message without blocking: `Ok(Some(message))` (handed
        /// back, nothing of it sent) when it could not be queued; any other failure hands it
        /// back in the [`SendError`](crate::SendError).
        ///
        /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
        $item
    };
    (send_timeout $item:item) => {
        /// Sends a frame or a whole message, waiting at most `timeout` for room.
        ///
        /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)), with `ZMQ_SNDTIMEO` set to the time left while it waits.
        $item
    };
    (send_multipart $item:item) => {
        /// Sends the frames an iterator yields as one message, without collecting them
        /// first; on failure the frames not sent come back in the error.
        ///
        /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
        $item
    };
}

/// The receive methods of a typed socket that may receive at any time, inherent, each
/// forwarding to the [`Socket`] method of the same name.
macro_rules! recv_methods {
    ($name:ident) => {
        impl $name {
            $crate::typed::ops::recv_docs! { recv
            #[inline]
            #[doc(alias("recv_multipart", "zmq_msg_recv"))]
            pub fn recv(&self) -> $crate::error::Result<$crate::multipart::Multipart> {
                self.socket.recv()
            }}

            $crate::typed::ops::recv_docs! { recv_into
            #[inline]
            pub fn recv_into(
                &self,
                parts: &mut $crate::multipart::Multipart,
            ) -> $crate::error::Result<()> {
                self.socket.recv_into(parts)
            }}

            $crate::typed::ops::recv_docs! { try_recv
            #[inline]
            pub fn try_recv(
                &self,
            ) -> $crate::error::Result<Option<$crate::multipart::Multipart>> {
                self.socket.try_recv()
            }}

            $crate::typed::ops::recv_docs! { recv_timeout
            #[inline]
            pub fn recv_timeout(
                &self,
                timeout: ::std::time::Duration,
            ) -> $crate::error::Result<$crate::multipart::Multipart> {
                self.socket.recv_timeout(timeout)
            }}

            $crate::typed::ops::recv_docs! { recv_frame
            #[inline]
            #[doc(alias("recv_msg", "zmq_msg_recv"))]
            pub fn recv_frame(&self) -> $crate::error::Result<$crate::message::Message> {
                self.socket.recv_frame()
            }}

            $crate::typed::ops::recv_docs! { recv_frame_into
            #[inline]
            pub fn recv_frame_into(
                &self,
                msg: &mut $crate::message::Message,
            ) -> $crate::error::Result<()> {
                self.socket.recv_frame_into(msg)
            }}

            $crate::typed::ops::recv_docs! { try_recv_frame
            #[inline]
            pub fn try_recv_frame(
                &self,
            ) -> $crate::error::Result<Option<$crate::message::Message>> {
                self.socket.try_recv_frame()
            }}

            $crate::typed::ops::recv_docs! { recv_frame_timeout
            #[inline]
            pub fn recv_frame_timeout(
                &self,
                timeout: ::std::time::Duration,
            ) -> $crate::error::Result<$crate::message::Message> {
                self.socket.recv_frame_timeout(timeout)
            }}

            $crate::typed::ops::recv_docs! { recv_string
            #[inline]
            pub fn recv_string(&self) -> $crate::error::Result<String> {
                self.socket.recv_string()
            }}

            $crate::typed::ops::recv_docs! { recv_bytes
            #[inline]
            pub fn recv_bytes(&self) -> $crate::error::Result<Vec<u8>> {
                self.socket.recv_bytes()
            }}

            $crate::typed::ops::recv_docs! { recv_frame_buf
            #[inline]
            #[doc(alias("zmq_recv"))]
            pub fn recv_frame_buf(&self, buf: &mut [u8]) -> $crate::error::Result<usize> {
                self.socket.recv_frame_buf(buf)
            }}
        }
    };
}

/// The docs of each receive method, shared by the inherent methods and [`RecvSocket`].
macro_rules! recv_docs {
    (recv $item:item) => {
        /// Receives one whole message, every frame of it, blocking until one comes or the
        /// receive timeout runs out ([`crate::Error::TimedOut`]). A one-frame message is held
        /// without an allocation of its own.
        ///
        /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (recv_into $item:item) => {
        /// Receives one whole message into `parts`, cleared first, keeping the storage of its
        /// frame list (for loops that should not allocate).
        ///
        /// Wraps `zmq_msg_recv` and `zmq_msg_more` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (try_recv $item:item) => {
        /// Receives one whole message if one is ready: `Ok(None)` when none is.
        ///
        /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (recv_timeout $item:item) => {
        /// Receives one whole message, waiting at most `timeout` for it.
        ///
        /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)), with `ZMQ_RCVTIMEO` set to the time left while it waits.
        $item
    };
    (recv_frame $item:item) => {
        /// Receives one frame: the rest of its message, if any, is read by the next calls
        /// ([`Message::more`](crate::Message::more) tells).
        ///
        /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (recv_frame_into $item:item) => {
        /// Receives one frame into `msg`, reusing it (libzmq releases its old content): the
        /// cheapest receive, one `zmq_msg_recv` and nothing else, for hot loops. The rest of
        /// its message, if any, is read by the next calls
        /// ([`Message::more`](crate::Message::more) tells).
        ///
        /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (try_recv_frame $item:item) => {
        /// Receives one frame if one is ready: `Ok(None)` when none is.
        ///
        /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (recv_frame_timeout $item:item) => {
        /// Receives one frame, waiting at most `timeout` for it.
        ///
        /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)), with `ZMQ_RCVTIMEO` set to the time left while it waits.
        $item
    };
    (recv_string $item:item) => {
        /// Receives one whole message, which must be a single frame of UTF-8 text:
        /// [`crate::Error::Malformed`] when it has several frames (they are consumed),
        /// [`crate::Error::Utf8`] when it is not text.
        ///
        /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (recv_bytes $item:item) => {
        /// Receives one whole message, which must be a single frame, as its bytes:
        /// [`crate::Error::Malformed`] when it has several frames (they are consumed).
        ///
        /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
        $item
    };
    (recv_frame_buf $item:item) => {
        /// Receives one frame into `buf`, returning the frame's full length: a length larger
        /// than `buf.len()` means the frame was truncated to fit (the buffer form of
        /// rust-zmq's and pyzmq's `recv_into`). The rest of its message, if any, is read by
        /// the next calls.
        ///
        /// Wraps `zmq_recv` ([man zmq_recv](http://api.zeromq.org/4-3:zmq-recv)).
        $item
    };
}

pub(crate) use {recv_docs, recv_methods, send_docs, send_methods};

/// Sending on the typed sockets whose type may send at any time, for generic code:
/// [`Pub`](crate::Pub), [`XPub`](crate::XPub), [`XSub`](crate::XSub), [`Push`](crate::Push),
/// [`Dealer`](crate::Dealer), [`Pair`](crate::Pair). Sealed: only this crate implements it.
///
/// Each of these types has the same methods inherent, so calling them needs no import;
/// every method forwards to the [`Socket`] method of the same name, so it costs the same.
pub trait SendSocket: sealed::Typed {
    send_docs! { send
    #[inline]
    fn send(&self, msg: impl Sendable) -> Result<(), SendError> {
        raw(self).send(msg)
    }}

    send_docs! { send_from
    #[inline]
    fn send_from(&self, msg: &mut Message) -> Result<()> {
        raw(self).send_from(msg)
    }}

    send_docs! { send_more
    #[inline]
    fn send_more(&self, msg: impl Sendable) -> Result<(), SendError> {
        raw(self).send_more(msg)
    }}

    send_docs! { send_with
    #[inline]
    fn send_with(&self, msg: impl Sendable, flags: SendFlags) -> Result<(), SendError> {
        raw(self).send_with(msg, flags)
    }}

    send_docs! { try_send
    #[inline]
    fn try_send(&self, msg: impl Sendable) -> Result<Option<Multipart>, SendError> {
        raw(self).try_send(msg)
    }}

    send_docs! { send_timeout
    #[inline]
    fn send_timeout(&self, msg: impl Sendable, timeout: Duration) -> Result<(), SendError> {
        raw(self).send_timeout(msg, timeout)
    }}

    send_docs! { send_multipart
    #[inline]
    fn send_multipart<I>(&self, frames: I) -> Result<(), SendError>
    where
        I: IntoIterator,
        I::Item: Into<Message>,
    {
        raw(self).send_multipart(frames)
    }}
}

/// Receiving on the typed sockets whose type may receive at any time, for generic code:
/// [`Sub`](crate::Sub), [`XPub`](crate::XPub), [`XSub`](crate::XSub), [`Pull`](crate::Pull),
/// [`Dealer`](crate::Dealer), [`Pair`](crate::Pair). Sealed: only this crate implements it.
///
/// Each of these types has the same methods inherent, so calling them needs no import. A
/// receive takes a whole message, every frame of it, as a [`Multipart`], which holds a
/// single-frame message without allocating; [`RecvSocket::recv_frame`] takes one frame.
pub trait RecvSocket: sealed::Typed {
    recv_docs! { recv
    #[inline]
    fn recv(&self) -> Result<Multipart> {
        raw(self).recv()
    }}

    recv_docs! { recv_into
    #[inline]
    fn recv_into(&self, parts: &mut Multipart) -> Result<()> {
        raw(self).recv_into(parts)
    }}

    recv_docs! { try_recv
    #[inline]
    fn try_recv(&self) -> Result<Option<Multipart>> {
        raw(self).try_recv()
    }}

    recv_docs! { recv_timeout
    #[inline]
    fn recv_timeout(&self, timeout: Duration) -> Result<Multipart> {
        raw(self).recv_timeout(timeout)
    }}

    recv_docs! { recv_frame
    #[inline]
    fn recv_frame(&self) -> Result<Message> {
        raw(self).recv_frame()
    }}

    recv_docs! { recv_frame_into
    #[inline]
    fn recv_frame_into(&self, msg: &mut Message) -> Result<()> {
        raw(self).recv_frame_into(msg)
    }}

    recv_docs! { try_recv_frame
    #[inline]
    fn try_recv_frame(&self) -> Result<Option<Message>> {
        raw(self).try_recv_frame()
    }}

    recv_docs! { recv_frame_timeout
    #[inline]
    fn recv_frame_timeout(&self, timeout: Duration) -> Result<Message> {
        raw(self).recv_frame_timeout(timeout)
    }}

    recv_docs! { recv_string
    #[inline]
    fn recv_string(&self) -> Result<String> {
        raw(self).recv_string()
    }}

    recv_docs! { recv_bytes
    #[inline]
    fn recv_bytes(&self) -> Result<Vec<u8>> {
        raw(self).recv_bytes()
    }}

    recv_docs! { recv_frame_buf
    #[inline]
    fn recv_frame_buf(&self, buf: &mut [u8]) -> Result<usize> {
        raw(self).recv_frame_buf(buf)
    }}
}
