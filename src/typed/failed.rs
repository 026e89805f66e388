//! `Failed`: a typed operation that did not happen, with the socket handed back in the state
//! it is really in, and whatever was not sent.

use std::fmt;

use crate::error::{error_questions, write_sentence, Error};
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
/// shared reference, which is what makes the failure `Sync` although sockets are not. It is
/// one pointer wide (all of it lives in one `Box`), so returning it stays cheap and under
/// clippy's `result_large_err` threshold.
///
/// `Display` names the socket's type with its state: `operation timed out (receive on REQ);
/// the socket comes back as Req<AwaitingReply>`.
///
/// ```
/// use std::time::Duration;
/// use zmq_typed::{Context, Rep, Req};
/// let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let endpoint = rep.bind("inproc://failed-doc")?;
/// let req = Req::new(&ctx)?;
/// req.connect(&endpoint)?;
/// let req = req.send("ping")?;
///
/// // Nobody replies yet: the receive times out, and the socket comes back still waiting.
/// let failed = req.recv_timeout(Duration::from_millis(10)).unwrap_err();
/// assert!(failed.is_timeout());
/// assert_eq!(
///     failed.to_string(),
///     "operation timed out (receive on REQ); the socket comes back as Req<AwaitingReply>"
/// );
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
    inner: Box<Inner<S, M>>,
}

struct Inner<S, M> {
    error: Error,
    socket_name: SocketName,
    socket: Unshared<S>,
    unsent: Unshared<M>,
}

impl<S, M> Failed<S, M> {
    pub(crate) fn new(error: Error, socket: S, unsent: M) -> Failed<S, M>
    where
        S: Named,
    {
        Failed {
            inner: Box::new(Inner {
                error,
                socket_name: socket.socket_name(),
                socket: Unshared::new(socket),
                unsent: Unshared::new(unsent),
            }),
        }
    }

    /// A send that failed: its error and unsent message, with the socket handed back.
    pub(crate) fn send(failed: SendError<M>, socket: S) -> Failed<S, M>
    where
        S: Named,
    {
        let (error, unsent) = failed.into_parts();
        Failed::new(error, socket, unsent)
    }

    /// Why the operation failed.
    pub fn error(&self) -> &Error {
        &self.inner.error
    }

    error_questions!();

    /// The error, the socket (in the state it is really in) and what was not sent.
    pub fn into_parts(self) -> (Error, S, M) {
        let inner = *self.inner;
        (
            inner.error,
            inner.socket.into_inner(),
            inner.unsent.into_inner(),
        )
    }

    /// The socket, in the state it is really in; the error and the unsent message are
    /// dropped.
    pub fn into_socket(self) -> S {
        self.inner.socket.into_inner()
    }

    /// The error alone; the socket is closed.
    pub fn into_error(self) -> Error {
        self.inner.error
    }

    /// The same failure with the socket passed through `f`: into an enum over its states, or
    /// a struct that holds it. The error, what was not sent, and the name of the state the
    /// socket is in (shown by `Display`) are kept.
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq_typed::{Context, Failed, Rep, Receiving, Replying};
    ///
    /// /// A REP in whichever state, as an event loop keeps it.
    /// enum Server { Receiving(Rep<Receiving>), Replying(Rep<Replying>) }
    ///
    /// let ctx = Context::new()?;
    /// let rep = Rep::new(&ctx)?;
    /// let failed: Failed<Server> = rep
    ///     .recv_timeout(Duration::ZERO)
    ///     .unwrap_err()
    ///     .map_socket(Server::Receiving);
    /// assert_eq!(
    ///     failed.to_string(),
    ///     "operation timed out (receive on REP); the socket comes back as Rep<Receiving>"
    /// );
    /// assert!(matches!(failed.into_socket(), Server::Receiving(_)));
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    pub fn map_socket<T>(self, f: impl FnOnce(S) -> T) -> Failed<T, M> {
        let inner = *self.inner;
        Failed {
            inner: Box::new(Inner {
                error: inner.error,
                socket_name: inner.socket_name,
                socket: Unshared::new(f(inner.socket.into_inner())),
                unsent: inner.unsent,
            }),
        }
    }
}

impl<S, M> fmt::Debug for Failed<S, M> {
    /// `{:?}` reads like a sentence, as [`Error`]'s does; `{:#?}` is the structure, with the
    /// socket's type and state only (reading the socket through `&self` would defeat
    /// `Unshared`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("Failed")
                .field("error", &self.inner.error)
                .field("socket", &format_args!("{}", self.inner.socket_name))
                .finish_non_exhaustive()
        } else {
            write_sentence(f, self, Some(&self.inner.error))
        }
    }
}

impl<S, M> fmt::Display for Failed<S, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}; the socket comes back as {}",
            self.inner.error, self.inner.socket_name
        )
    }
}

impl<S, M> std::error::Error for Failed<S, M> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner.error)
    }
}

impl<S, M> From<Failed<S, M>> for Error {
    fn from(failed: Failed<S, M>) -> Error {
        failed.inner.error
    }
}

/// The name of a typed socket's type with its state, as written in Rust: `Req<Ready>`,
/// `Rep<Receiving>`, `Pub`. (`std::any::type_name` leaves default type parameters out, so
/// it would say `Req` for `Req<Ready>`.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SocketName {
    pub(crate) socket: &'static str,
    pub(crate) state: Option<&'static str>,
}

impl fmt::Display for SocketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.state {
            Some(state) => write!(f, "{}<{state}>", self.socket),
            None => f.write_str(self.socket),
        }
    }
}

/// A typed socket that can say its type and state (`typed_common!` implements it for every
/// typed socket; a type holding a socket in one of several states says the state it holds).
pub(crate) trait Named {
    /// `Req<Ready>`, `Pub`.
    fn socket_name(&self) -> SocketName;
}

/// The name of a state type (`Ready`, `Receiving`): the last segment of its path. Exact for
/// the states, which are plain enums with no parameters of their own.
pub(crate) fn state_name<S>() -> &'static str {
    let full = std::any::type_name::<S>();
    full.rsplit("::").next().unwrap_or(full)
}

#[cfg(test)]
mod tests {
    use super::{state_name, Named, SocketName};
    use crate::{AwaitingReply, Context, Pub, Ready, Receiving, Rep, Replying, Req, Sending};

    #[test]
    fn names_carry_the_state() -> crate::Result<()> {
        let ctx = Context::new()?;
        let req: Req<Ready> = Req::new(&ctx)?;
        assert_eq!(req.socket_name().to_string(), "Req<Ready>");
        let rep: Rep<Receiving> = Rep::new(&ctx)?;
        assert_eq!(rep.socket_name().to_string(), "Rep<Receiving>");
        assert_eq!(Pub::new(&ctx)?.socket_name().to_string(), "Pub");
        assert_eq!(
            SocketName {
                socket: "Req",
                state: Some(state_name::<AwaitingReply>())
            }
            .to_string(),
            "Req<AwaitingReply>"
        );
        let names = [
            state_name::<Ready>(),
            state_name::<Sending>(),
            state_name::<AwaitingReply>(),
            state_name::<Receiving>(),
            state_name::<Replying>(),
        ];
        assert_eq!(
            names,
            ["Ready", "Sending", "AwaitingReply", "Receiving", "Replying"]
        );
        Ok(())
    }
}
