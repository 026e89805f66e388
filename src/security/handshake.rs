//! Handshake failures in words a person can act on: [`HandshakeWatch`] reads a socket's
//! handshake events from the monitor and turns each failure into a [`HandshakeFailure`]
//! that says with whom, with which mechanism, from which side, and the probable cause.
//!
//! # What libzmq 4.3.4 reports (checked by `tests/security_handshake.rs`)
//! - a CURVE client with a wrong server key: the client sees `HandshakeFailedNoDetail`
//!   (`EPIPE` or `ECONNRESET`: the server hung up) and reconnects for ever; the server sees
//!   `HandshakeFailedProtocol(ZmtpCryptographic)`;
//! - a client refused by the server's ZAP handler (400, 500): both see
//!   `HandshakeFailedAuth { status }`; with 300 (a temporary failure) only the server does:
//!   the client sees nothing (the connection stays open) or, at times, what it sees with a
//!   wrong server key;
//! - NULL against CURVE (any two mechanisms): both see
//!   `HandshakeFailedProtocol(ZmtpMechanismMismatch)`;
//! - a PLAIN server with no ZAP handler: the server sees `HandshakeFailedNoDetail(EFAULT)`;
//!   the client `HandshakeFailedNoDetail(EPIPE)` and reconnects, or nothing at all (seen
//!   when the server's monitor asks for handshake events only: libzmq then leaves the
//!   connection open).
//!
//! The endpoint of an event is the one the socket used: the connect string on the
//! connecting side (as given, `tcp://localhost:5555` stays so), the bound endpoint on the
//! listening side. The listening side's events do not say which client failed: a server
//! with many clients learns only that one of them did (the [`Authenticator`]'s decisions
//! name the client's address).
//!
//! [`Authenticator`]: crate::security::Authenticator

use std::fmt;
use std::time::{Duration, Instant};

use crate::error::{Detail, Error, Result};
use crate::monitor::{Event, EventKind, Monitor, ProtocolError};
use crate::options::Mechanism;
use crate::socket_core::SocketCore;

/// Which end of the handshake a socket is: the one that is checked (client) or the one that
/// checks (server). For CURVE, PLAIN and GSSAPI it is the socket's security role (a CURVE
/// server may connect); a NULL socket is a server when it has a ZAP domain (libzmq then asks
/// the ZAP handler about its peers), a client otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandshakeSide {
    /// The side that proves who it is.
    Client,
    /// The side that checks (through ZAP).
    Server,
}

/// The probable cause of a failed handshake, read from libzmq's event and the socket's role.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum HandshakeCause {
    /// CURVE client: the server closed the connection during the handshake, which is what a
    /// CURVE server does when the client's HELLO does not decrypt, that is when the server
    /// key the client was given is not the server's (`HandshakeFailedNoDetail` with
    /// `errno`, usually `EPIPE` or `ECONNRESET`).
    ///
    /// A guess, the likeliest one: a server that was killed mid-handshake looks the same,
    /// and so, at times, does a server whose ZAP handler answered 300 (a temporary failure,
    /// which libzmq does not tell the client). The server's side knows which it was.
    ServerKeyProbablyWrong {
        /// The errno libzmq reported.
        errno: i32,
    },
    /// Client: the server's ZAP handler refused this client (`HandshakeFailedAuth`): 400
    /// refused, 300 a temporary failure, 500 an error in the handler.
    DeniedByServer {
        /// The ZAP status code.
        status: u32,
    },
    /// Server: this socket's ZAP handler refused the client (`HandshakeFailedAuth`).
    ClientDenied {
        /// The ZAP status code.
        status: u32,
    },
    /// CURVE server: the client's handshake did not decrypt (`ZmtpCryptographic`): it
    /// was given a wrong server key, or its own key pair's halves do not belong together.
    ClientKeyProbablyWrong,
    /// The two ends use different security mechanisms (`ZmtpMechanismMismatch`).
    MechanismMismatch,
    /// Server: no ZAP handler runs on the socket's context, and the mechanism needs one
    /// (libzmq 4.3 refuses every PLAIN client then: `HandshakeFailedNoDetail` with `EFAULT`).
    NoZapHandler,
    /// Another protocol error (`HandshakeFailedProtocol`).
    Protocol(ProtocolError),
    /// The connection broke during the handshake for another reason
    /// (`HandshakeFailedNoDetail`).
    Unspecified {
        /// The errno libzmq reported.
        errno: i32,
    },
}

/// A failed ZMTP handshake: with whom, which mechanism, which side, and why.
///
/// Its `Display` is a sentence to log or show:
/// `CURVE handshake with tcp://127.0.0.1:5555 failed: the server key is probably wrong
/// (the server closed the connection during the handshake)`, or on the server side
/// `CURVE handshake from a client on tcp://127.0.0.1:5555 failed: the ZAP handler refused
/// the client (ZAP status 400)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeFailure {
    /// The endpoint of the event: the connect string on the connecting side, the bound
    /// endpoint on the listening side (which does not say which client it was).
    pub endpoint: String,
    /// The socket's security mechanism when the watch was made.
    pub mechanism: Mechanism,
    /// The socket's side when the watch was made.
    pub side: HandshakeSide,
    /// The probable cause.
    pub cause: HandshakeCause,
    /// The monitor event it was read from, as libzmq reported it.
    pub event: EventKind,
}

impl HandshakeFailure {
    /// The failure that `event` reports on a socket of `mechanism` and `side`; `None` when
    /// the event is no handshake failure.
    pub fn from_event(event: &Event, mechanism: Mechanism, side: HandshakeSide) -> Option<Self> {
        let cause = match (&event.kind, side) {
            (EventKind::HandshakeFailedNoDetail { errno }, HandshakeSide::Client)
                if mechanism == Mechanism::Curve
                    && (*errno == libc::EPIPE || *errno == libc::ECONNRESET) =>
            {
                HandshakeCause::ServerKeyProbablyWrong { errno: *errno }
            }
            (EventKind::HandshakeFailedNoDetail { errno }, HandshakeSide::Server)
                if *errno == libc::EFAULT =>
            {
                HandshakeCause::NoZapHandler
            }
            (EventKind::HandshakeFailedNoDetail { errno }, _) => {
                HandshakeCause::Unspecified { errno: *errno }
            }
            (EventKind::HandshakeFailedAuth { status }, HandshakeSide::Client) => {
                HandshakeCause::DeniedByServer { status: *status }
            }
            (EventKind::HandshakeFailedAuth { status }, HandshakeSide::Server) => {
                HandshakeCause::ClientDenied { status: *status }
            }
            (EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch), _) => {
                HandshakeCause::MechanismMismatch
            }
            (
                EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpCryptographic),
                HandshakeSide::Server,
            ) if mechanism == Mechanism::Curve => HandshakeCause::ClientKeyProbablyWrong,
            (EventKind::HandshakeFailedProtocol(error), _) => HandshakeCause::Protocol(*error),
            _ => return None,
        };
        Some(HandshakeFailure {
            endpoint: event.endpoint.clone(),
            mechanism,
            side,
            cause,
            event: event.kind.clone(),
        })
    }
}

fn mechanism_name(mechanism: Mechanism) -> &'static str {
    match mechanism {
        Mechanism::Null => "NULL",
        Mechanism::Plain => "PLAIN",
        Mechanism::Curve => "CURVE",
        Mechanism::Gssapi => "GSSAPI",
    }
}

fn status_meaning(status: u32) -> &'static str {
    match status {
        300 => ", a temporary failure",
        400 => "",
        500 => ", an error in the ZAP handler",
        _ => ", not a ZAP status code",
    }
}

impl fmt::Display for HandshakeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mechanism = mechanism_name(self.mechanism);
        match self.side {
            HandshakeSide::Client => {
                write!(f, "{mechanism} handshake with {} failed: ", self.endpoint)?
            }
            HandshakeSide::Server => write!(
                f,
                "{mechanism} handshake from a client on {} failed: ",
                self.endpoint
            )?,
        }
        match &self.cause {
            HandshakeCause::ServerKeyProbablyWrong { .. } => f.write_str(
                "the server key is probably wrong (the server closed the connection during \
                 the handshake)",
            ),
            HandshakeCause::DeniedByServer { status } => write!(
                f,
                "the server refused this client (ZAP status {status}{})",
                status_meaning(*status)
            ),
            HandshakeCause::ClientDenied { status } => write!(
                f,
                "the ZAP handler refused the client (ZAP status {status}{})",
                status_meaning(*status)
            ),
            HandshakeCause::ClientKeyProbablyWrong => f.write_str(
                "the client's handshake does not decrypt: it probably has a wrong server key \
                 (or a key pair whose halves do not belong together)",
            ),
            HandshakeCause::MechanismMismatch => write!(
                f,
                "the peer uses another security mechanism than {mechanism}"
            ),
            HandshakeCause::NoZapHandler => write!(
                f,
                "no ZAP handler runs on the socket's context, and libzmq refuses every \
                 {mechanism} client without one (start an authenticator)"
            ),
            HandshakeCause::Protocol(error) => write!(f, "ZMTP protocol error {error:?}"),
            HandshakeCause::Unspecified { errno } => write!(
                f,
                "the connection broke during the handshake ({}, errno {errno})",
                crate::error::strerror(*errno)
            ),
        }
    }
}

impl std::error::Error for HandshakeFailure {}

/// A watch on a socket's ZMTP handshakes that reports their outcomes, failures with their
/// probable cause ([`HandshakeFailure`]), made by [`SocketCore::watch_handshakes`].
///
/// [`wait`](Self::wait) returns the outcomes one by one, in the order they happened; on a
/// socket with several peers (a server, a client connected to several endpoints) each call
/// is the next handshake, whichever peer it was with. A CURVE client with a wrong server
/// key reconnects and fails again and again: each failure is one outcome.
///
/// inproc connections have no handshake (and CURVE or PLAIN do nothing over inproc): a watch
/// sees nothing of them.
///
/// The monitor keeps at most [`DEFAULT_QUEUE_LEN`](crate::monitor::DEFAULT_QUEUE_LEN)
/// outcomes unread; past that the oldest are dropped (the counts
/// [`successes`](Self::successes) and [`failures`](Self::failures) and
/// [`failure`](Self::failure) still see them).
///
/// It holds the socket's monitor (one per socket: a later [`SocketCore::monitor`] ends the
/// watch, whose `wait` then returns [`Error::Terminated`]), not the socket.
pub struct HandshakeWatch {
    monitor: Monitor,
    mechanism: Mechanism,
    side: HandshakeSide,
}

impl fmt::Debug for HandshakeWatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeWatch")
            .field("mechanism", &self.mechanism)
            .field("side", &self.side)
            .field("succeeded", &self.monitor.handshakes())
            .field("failed", &self.monitor.handshake_failures())
            .finish()
    }
}

impl SocketCore {
    /// A watch on this socket's handshakes ([`HandshakeWatch`]): make it after the security
    /// set-up (it records the socket's mechanism and side then) and **before** the socket
    /// binds or connects, so that it sees every handshake: [`Error::WrongState`] on a socket
    /// that has already bound or connected.
    ///
    /// ```
    /// use std::time::Duration;
    /// use zmq_typed::{Admission, Context, CurveKeyPair, Error, Rep, Req};
    /// let ctx = Context::new()?;
    /// let server_keys = CurveKeyPair::generate()?;
    /// let server = Rep::new(&ctx)?;
    /// server.setup_curve_server_keys(&server_keys, Admission::AllowAnyClient)?;
    /// let endpoint = server.bind("tcp://127.0.0.1:*")?;
    ///
    /// let client = Req::new(&ctx)?;
    /// let wrong = CurveKeyPair::generate()?.public; // not the server's key
    /// client.setup_curve_client_keys(&CurveKeyPair::generate()?, &wrong)?;
    /// let watch = client.watch_handshakes()?;
    /// client.connect(&endpoint)?;
    /// match watch.wait(Duration::from_secs(10)) {
    ///     Err(Error::Handshake(failure)) => assert!(
    ///         failure.to_string().ends_with("failed: the server key is probably wrong \
    ///          (the server closed the connection during the handshake)"),
    ///         "{failure}"
    ///     ),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    ///
    /// Wraps `zmq_socket_monitor`
    /// ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)) through
    /// [`SocketCore::monitor_handshakes`], and reads `ZMQ_MECHANISM`,
    /// `ZMQ_CURVE_SERVER`, `ZMQ_PLAIN_SERVER`, `ZMQ_GSSAPI_SERVER` and `ZMQ_ZAP_DOMAIN`.
    pub fn watch_handshakes(&self) -> Result<HandshakeWatch> {
        let mechanism = self.mechanism()?;
        let server = match mechanism {
            Mechanism::Null => !self.zap_domain()?.is_empty(),
            Mechanism::Plain => self.plain_server()?,
            Mechanism::Curve => self.curve_server()?,
            Mechanism::Gssapi => self.gssapi_server()?,
        };
        let side = if server {
            HandshakeSide::Server
        } else {
            HandshakeSide::Client
        };
        let monitor = self.monitor_handshakes()?;
        Ok(HandshakeWatch {
            monitor,
            mechanism,
            side,
        })
    }
}

impl HandshakeWatch {
    fn is_outcome(kind: &EventKind) -> bool {
        matches!(
            kind,
            EventKind::HandshakeSucceeded
                | EventKind::HandshakeFailedNoDetail { .. }
                | EventKind::HandshakeFailedProtocol(_)
                | EventKind::HandshakeFailedAuth { .. }
        )
    }

    /// Waits for the next handshake outcome (one not returned before): `Ok(())` when a
    /// handshake succeeded (the peer is ready), [`Error::Handshake`] with the
    /// [`HandshakeFailure`] when one failed, [`Error::TimedOut`] when none came within
    /// `timeout`, [`Error::Terminated`] when the monitoring has ended (the socket closed,
    /// another monitor replaced the watch, the context was shut down).
    ///
    /// Reads the monitor's queue, which its relay fills with `zmq_msg_recv` on libzmq's
    /// monitor socket ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    pub fn wait(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now().checked_add(timeout);
        loop {
            let event = match deadline {
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match self.monitor.recv_timeout(left) {
                        Err(Error::TimedOut(_)) => {
                            return Err(Error::TimedOut(Detail::new(format!(
                                "no ZMTP handshake succeeded or failed within {timeout:?} \
                                 ({} succeeded and {} failed before; inproc connections have \
                                 none)",
                                self.monitor.handshakes(),
                                self.monitor.handshake_failures()
                            ))))
                        }
                        other => other?,
                    }
                }
                None => self.monitor.recv()?,
            };
            if Self::is_outcome(&event.kind) {
                return match HandshakeFailure::from_event(&event, self.mechanism, self.side) {
                    None => Ok(()),
                    Some(failure) => Err(Error::Handshake(Box::new(failure))),
                };
            }
        }
    }

    /// The last handshake failure since the watch was made, without waiting and whether or
    /// not [`wait`](Self::wait) has returned it; `None` when none has failed.
    pub fn failure(&self) -> Option<HandshakeFailure> {
        let event = self.monitor.last_handshake_failure()?;
        HandshakeFailure::from_event(&event, self.mechanism, self.side)
    }

    /// Whether a handshake has succeeded since the watch was made (whether or not
    /// [`wait`](Self::wait) has returned it).
    pub fn succeeded(&self) -> bool {
        self.monitor.handshakes() > 0
    }

    /// How many handshakes have succeeded since the watch was made.
    pub fn successes(&self) -> u64 {
        self.monitor.handshakes()
    }

    /// How many handshakes have failed since the watch was made.
    pub fn failures(&self) -> u64 {
        self.monitor.handshake_failures()
    }

    /// The socket's mechanism when the watch was made.
    pub fn mechanism(&self) -> Mechanism {
        self.mechanism
    }

    /// The socket's side when the watch was made.
    pub fn side(&self) -> HandshakeSide {
        self.side
    }
}
