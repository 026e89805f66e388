//! `Failed`: a typed operation that did not happen, with the socket handed back in the state
//! it is really in, and whatever was not sent.

use std::fmt;

use crate::error::Error;
use crate::socket::SendError;
use crate::unshared::Unshared;

/// A failed operation of a typed socket: the error, the socket in the state it is really
/// in, and what was not sent (`()` for a receive).
///
/// A failure never loses the socket: a receive that timed out gives back the
/// `Req<AwaitingReply>` it was called on, so the caller can wait again, or recover (see
/// [`Req::abandon`](crate::Req::abandon)).
///
/// It is an [`std::error::Error`] that is `Send + Sync + 'static`, and converts into the
/// crate's [`Error`]: `?` works in functions returning [`crate::Result`],
/// `Box<dyn std::error::Error>` or `anyhow::Result` (the socket is then dropped). The socket
/// and the message are only reachable by value ([`Failed::into_parts`]), never through a
/// shared reference, which is what makes the failure `Sync` although sockets are not.
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{Context, Error, Rep, Req};
/// let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let endpoint = rep.bind("inproc://failed-doc")?;
/// let req = Req::new(&ctx)?;
/// req.connect(&endpoint)?;
/// let req = req.send("ping")?;
///
/// // Nobody replies yet: the receive times out, and the socket comes back still waiting.
/// let failed = req.recv_timeout(Duration::from_millis(10)).unwrap_err();
/// assert!(matches!(failed.error(), Error::TimedOut(_)));
/// let req = failed.into_socket();
///
/// let (request, rep) = rep.recv()?;
/// assert_eq!(request, "ping");
/// rep.send("pong")?;
/// let (reply, _req) = req.recv()?;
/// assert_eq!(reply, "pong");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Failed<S, M = ()> {
    error: Error,
    socket: Unshared<S>,
    unsent: Unshared<M>,
}

impl<S, M> Failed<S, M> {
    pub(crate) fn new(error: Error, socket: S, unsent: M) -> Failed<S, M> {
        Failed {
            error,
            socket: Unshared::new(socket),
            unsent: Unshared::new(unsent),
        }
    }

    /// A send that failed: its error and unsent message, with the socket handed back.
    pub(crate) fn send(failed: SendError<M>, socket: S) -> Failed<S, M> {
        let (error, unsent) = failed.into_parts();
        Failed::new(error, socket, unsent)
    }

    /// Why the operation failed.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// Whether it failed because a timeout ran out ([`Error::TimedOut`] or
    /// [`Error::WouldBlock`]).
    pub fn is_timeout(&self) -> bool {
        self.error.is_timeout()
    }

    /// The error, the socket (in the state it is really in) and what was not sent.
    pub fn into_parts(self) -> (Error, S, M) {
        (
            self.error,
            self.socket.into_inner(),
            self.unsent.into_inner(),
        )
    }

    /// The socket, in the state it is really in; the error and the unsent message are
    /// dropped.
    pub fn into_socket(self) -> S {
        self.socket.into_inner()
    }

    /// The error alone; the socket is closed.
    pub fn into_error(self) -> Error {
        self.error
    }
}

impl<S, M> fmt::Debug for Failed<S, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only the type of the socket: reading the socket through &self would defeat Unshared.
        f.debug_struct("Failed")
            .field("error", &self.error)
            .field("socket", &std::any::type_name::<S>())
            .finish_non_exhaustive()
    }
}

impl<S, M> fmt::Display for Failed<S, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (socket handed back as {})",
            self.error,
            short_type_name::<S>()
        )
    }
}

impl<S, M> std::error::Error for Failed<S, M> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<S, M> From<Failed<S, M>> for Error {
    fn from(failed: Failed<S, M>) -> Error {
        failed.error
    }
}

/// `zmq_typed::typed::req::Req<zmq_typed::typed::req::Ready>` -> `Req<Ready>`.
pub(crate) fn short_type_name<T>() -> String {
    let full = std::any::type_name::<T>();
    let mut short = String::with_capacity(full.len());
    let mut segment_start = 0;
    for (i, c) in full.char_indices() {
        if !(c.is_alphanumeric() || c == '_' || c == ':') {
            short.push_str(last_segment(&full[segment_start..i]));
            short.push(c);
            segment_start = i + c.len_utf8();
        }
    }
    short.push_str(last_segment(&full[segment_start..]));
    short
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn type_names_lose_their_paths() {
        assert_eq!(
            short_type_name::<std::collections::HashMap<std::string::String, ()>>(),
            "HashMap<String, ()>"
        );
        assert_eq!(short_type_name::<u8>(), "u8");
    }
}
