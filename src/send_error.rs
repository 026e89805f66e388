//! `SendError`: a failed send, with what was not sent handed back.

use std::fmt;

use crate::error::Error;
use crate::multipart::Multipart;
use crate::unshared::Unshared;

/// A failed send, with the message handed back so that nothing is lost: the frames not sent,
/// as a [`Multipart`] (a one-frame message stays one frame, held without allocating).
///
/// A `Send + Sync` [`std::error::Error`] (the message is reachable by value only, through
/// [`SendError::into_parts`]), so `?` takes it into the crate's [`Error`], `anyhow::Error` or
/// `Box<dyn Error + Send + Sync>`, dropping the message.
pub struct SendError<M = Multipart> {
    error: Error,
    message: Unshared<M>,
}

impl<M> SendError<M> {
    pub(crate) fn new(error: Error, message: M) -> SendError<M> {
        SendError {
            error,
            message: Unshared::new(message),
        }
    }

    /// Why the send failed.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Whether a timeout ran out (or the queue was full without waiting).
    pub fn is_timeout(&self) -> bool {
        self.error.is_timeout()
    }

    /// The error and what was not sent.
    pub fn into_parts(self) -> (Error, M) {
        (self.error, self.message.into_inner())
    }

    /// What was not sent.
    pub fn into_message(self) -> M {
        self.message.into_inner()
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl<M> fmt::Debug for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "send failed: {}", self.error)
    }
}

impl<M> std::error::Error for SendError<M> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<M> From<SendError<M>> for Error {
    fn from(e: SendError<M>) -> Error {
        e.error
    }
}
