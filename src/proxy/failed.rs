//! [`ProxyFailed`]: a stopped proxy's error, with its sockets.

use std::fmt;

use crate::error::{error_questions, write_sentence, Error};
use crate::unshared::Unshared;

use super::ProxySockets;
use crate::socket::Socket;

/// A proxy that stopped on an error, handed back by [`SteerableProxy::terminate`]: the error
/// and the sockets it ran on (none when its thread panicked).
///
/// A `Send + Sync` [`std::error::Error`] (the sockets are reachable by value only, through
/// [`ProxyFailed::into_parts`]), so `?` takes it into the crate's [`Error`] (the proxy's own
/// error), `anyhow::Error` or `Box<dyn Error + Send + Sync>`, closing the sockets.
///
/// [`SteerableProxy::terminate`]: super::SteerableProxy::terminate
///
/// One pointer wide (its content is boxed), like [`crate::Failed`].
pub struct ProxyFailed<F = Socket, B = Socket, C = Socket> {
    inner: Box<Inner<F, B, C>>,
}

struct Inner<F, B, C> {
    error: Error,
    sockets: Unshared<Option<ProxySockets<F, B, C>>>,
}

impl<F, B, C> ProxyFailed<F, B, C> {
    pub(super) fn new(error: Error, sockets: Option<ProxySockets<F, B, C>>) -> Self {
        ProxyFailed {
            inner: Box::new(Inner {
                error,
                sockets: Unshared::new(sockets),
            }),
        }
    }

    /// Why the proxy stopped: libzmq's error (`ENOTSUP` for a capture socket that cannot
    /// send...), or [`Error::ThreadPanicked`]. (The context's shutdown is a normal stop,
    /// not a failure.)
    pub fn error(&self) -> &Error {
        &self.inner.error
    }

    error_questions!();

    /// The error and the sockets (frontend, backend, capture), with the types they went in
    /// with; no sockets when the thread panicked.
    pub fn into_parts(self) -> (Error, Option<ProxySockets<F, B, C>>) {
        let inner = *self.inner;
        (inner.error, inner.sockets.into_inner())
    }

    /// The sockets alone.
    pub fn into_sockets(self) -> Option<ProxySockets<F, B, C>> {
        self.inner.sockets.into_inner()
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.inner.error
    }
}

impl<F, B, C> fmt::Debug for ProxyFailed<F, B, C> {
    /// `{:?}` reads like a sentence, as [`Error`]'s does; `{:#?}` is the structure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("ProxyFailed")
                .field("error", &self.inner.error)
                .finish_non_exhaustive()
        } else {
            write_sentence(f, self, Some(&self.inner.error))
        }
    }
}

impl<F, B, C> fmt::Display for ProxyFailed<F, B, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the proxy failed: {}", self.inner.error)
    }
}

impl<F, B, C> std::error::Error for ProxyFailed<F, B, C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner.error)
    }
}

impl<F, B, C> From<ProxyFailed<F, B, C>> for Error {
    fn from(e: ProxyFailed<F, B, C>) -> Error {
        e.inner.error
    }
}
