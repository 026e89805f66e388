//! [`ProxyFailed`]: a stopped proxy's error, with its sockets.

use std::fmt;

use crate::error::Error;
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
pub struct ProxyFailed<F = Socket, B = Socket, C = Socket> {
    error: Error,
    sockets: Unshared<Option<ProxySockets<F, B, C>>>,
}

impl<F, B, C> ProxyFailed<F, B, C> {
    pub(super) fn new(error: Error, sockets: Option<ProxySockets<F, B, C>>) -> Self {
        ProxyFailed {
            error,
            sockets: Unshared::new(sockets),
        }
    }

    /// Why the proxy stopped: libzmq's error (`ENOTSUP` for a capture socket that cannot
    /// send...), or [`Error::ThreadPanicked`]. (The context's shutdown is a normal stop,
    /// not a failure.)
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The error and the sockets (frontend, backend, capture), with the types they went in
    /// with; no sockets when the thread panicked.
    pub fn into_parts(self) -> (Error, Option<ProxySockets<F, B, C>>) {
        (self.error, self.sockets.into_inner())
    }

    /// The sockets alone.
    pub fn into_sockets(self) -> Option<ProxySockets<F, B, C>> {
        self.sockets.into_inner()
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl<F, B, C> fmt::Debug for ProxyFailed<F, B, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyFailed")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<F, B, C> fmt::Display for ProxyFailed<F, B, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the proxy failed: {}", self.error)
    }
}

impl<F, B, C> std::error::Error for ProxyFailed<F, B, C> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<F, B, C> From<ProxyFailed<F, B, C>> for Error {
    fn from(e: ProxyFailed<F, B, C>) -> Error {
        e.error
    }
}
