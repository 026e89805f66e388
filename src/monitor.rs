//! Socket monitoring: a socket's connection events as typed values
//! ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).

use std::time::Duration;

use crate::error::{check, Error, Result};
use crate::socket::{cstring, Socket};
use crate::socket_core::SocketCore;
use crate::socket_type::SocketType;

/// Which events to monitor (`ZMQ_EVENT_*` bits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMask(pub u16);

impl EventMask {
    /// Every event (`ZMQ_EVENT_ALL`).
    pub const ALL: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_ALL as u16);
}

impl std::ops::BitOr for EventMask {
    type Output = EventMask;
    fn bitor(self, rhs: EventMask) -> EventMask {
        EventMask(self.0 | rhs.0)
    }
}

/// Why a ZMTP handshake failed on protocol grounds (`ZMQ_PROTOCOL_ERROR_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// `ZMTP_UNSPECIFIED`.
    ZmtpUnspecified,
    /// `ZMTP_UNEXPECTED_COMMAND`.
    ZmtpUnexpectedCommand,
    /// `ZMTP_INVALID_SEQUENCE`.
    ZmtpInvalidSequence,
    /// `ZMTP_KEY_EXCHANGE`.
    ZmtpKeyExchange,
    /// `ZMTP_MALFORMED_COMMAND_UNSPECIFIED`.
    ZmtpMalformedCommandUnspecified,
    /// `ZMTP_MALFORMED_COMMAND_MESSAGE`.
    ZmtpMalformedCommandMessage,
    /// `ZMTP_MALFORMED_COMMAND_HELLO`.
    ZmtpMalformedCommandHello,
    /// `ZMTP_MALFORMED_COMMAND_INITIATE`.
    ZmtpMalformedCommandInitiate,
    /// `ZMTP_MALFORMED_COMMAND_ERROR`.
    ZmtpMalformedCommandError,
    /// `ZMTP_MALFORMED_COMMAND_READY`.
    ZmtpMalformedCommandReady,
    /// `ZMTP_MALFORMED_COMMAND_WELCOME`.
    ZmtpMalformedCommandWelcome,
    /// `ZMTP_INVALID_METADATA`.
    ZmtpInvalidMetadata,
    /// `ZMTP_CRYPTOGRAPHIC`: decryption failed (a wrong key, usually).
    ZmtpCryptographic,
    /// `ZMTP_MECHANISM_MISMATCH`: the peers use different security mechanisms.
    ZmtpMechanismMismatch,
    /// `ZAP_UNSPECIFIED`.
    ZapUnspecified,
    /// `ZAP_MALFORMED_REPLY`.
    ZapMalformedReply,
    /// `ZAP_BAD_REQUEST_ID`.
    ZapBadRequestId,
    /// `ZAP_BAD_VERSION`.
    ZapBadVersion,
    /// `ZAP_INVALID_STATUS_CODE`.
    ZapInvalidStatusCode,
    /// `ZAP_INVALID_METADATA`.
    ZapInvalidMetadata,
    /// `WS_UNSPECIFIED`.
    WsUnspecified,
    /// A code this crate does not know.
    Unknown(u32),
}

impl ProtocolError {
    /// Decodes a `ZMQ_PROTOCOL_ERROR_*` value.
    pub fn from_raw(value: u32) -> ProtocolError {
        use ProtocolError::*;
        match value as i32 {
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED => ZmtpUnspecified,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND => ZmtpUnexpectedCommand,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE => ZmtpInvalidSequence,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE => ZmtpKeyExchange,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED => {
                ZmtpMalformedCommandUnspecified
            }
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE => {
                ZmtpMalformedCommandMessage
            }
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO => ZmtpMalformedCommandHello,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE => {
                ZmtpMalformedCommandInitiate
            }
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR => ZmtpMalformedCommandError,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY => ZmtpMalformedCommandReady,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME => {
                ZmtpMalformedCommandWelcome
            }
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA => ZmtpInvalidMetadata,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC => ZmtpCryptographic,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH => ZmtpMechanismMismatch,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED => ZapUnspecified,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY => ZapMalformedReply,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID => ZapBadRequestId,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION => ZapBadVersion,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE => ZapInvalidStatusCode,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA => ZapInvalidMetadata,
            zmq_ffi::ZMQ_PROTOCOL_ERROR_WS_UNSPECIFIED => WsUnspecified,
            _ => Unknown(value),
        }
    }
}

/// What happened, with the event's value decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EventKind {
    /// `ZMQ_EVENT_CONNECTED`: a connection was made (the new fd).
    Connected {
        /// The connection's file descriptor.
        fd: i32,
    },
    /// `ZMQ_EVENT_CONNECT_DELAYED`: a connect is pending (refused or in progress).
    ConnectDelayed,
    /// `ZMQ_EVENT_CONNECT_RETRIED`: a reconnect is scheduled after `interval`.
    ConnectRetried {
        /// When the next try comes.
        interval: Duration,
    },
    /// `ZMQ_EVENT_LISTENING`: bound and listening (the listening fd).
    Listening {
        /// The listening socket's file descriptor.
        fd: i32,
    },
    /// `ZMQ_EVENT_BIND_FAILED`.
    BindFailed {
        /// Why.
        errno: i32,
    },
    /// `ZMQ_EVENT_ACCEPTED`: a connection was accepted (the new fd).
    Accepted {
        /// The connection's file descriptor.
        fd: i32,
    },
    /// `ZMQ_EVENT_ACCEPT_FAILED`.
    AcceptFailed {
        /// Why.
        errno: i32,
    },
    /// `ZMQ_EVENT_CLOSED`: a connection or listener was closed.
    Closed {
        /// The closed file descriptor.
        fd: i32,
    },
    /// `ZMQ_EVENT_CLOSE_FAILED`.
    CloseFailed {
        /// Why.
        errno: i32,
    },
    /// `ZMQ_EVENT_DISCONNECTED`: a session broke.
    Disconnected {
        /// The connection's file descriptor.
        fd: i32,
    },
    /// `ZMQ_EVENT_MONITOR_STOPPED`: the monitored socket closed or stopped monitoring.
    MonitorStopped,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    HandshakeFailedNoDetail {
        /// Why.
        errno: i32,
    },
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`.
    HandshakeSucceeded,
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`, with the protocol error.
    HandshakeFailedProtocol(ProtocolError),
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`, with the ZAP status code (400, 500...).
    HandshakeFailedAuth {
        /// The ZAP status code.
        status: u32,
    },
    /// An event this crate does not know.
    Unknown {
        /// The event bit.
        event: u16,
        /// Its value.
        value: u32,
    },
}

impl EventKind {
    /// Decodes the event number and value of a monitor message.
    pub fn from_raw(event: u16, value: u32) -> EventKind {
        let fd = value as i32;
        match i32::from(event) {
            zmq_ffi::ZMQ_EVENT_CONNECTED => EventKind::Connected { fd },
            zmq_ffi::ZMQ_EVENT_CONNECT_DELAYED => EventKind::ConnectDelayed,
            zmq_ffi::ZMQ_EVENT_CONNECT_RETRIED => EventKind::ConnectRetried {
                interval: Duration::from_millis(u64::from(value)),
            },
            zmq_ffi::ZMQ_EVENT_LISTENING => EventKind::Listening { fd },
            zmq_ffi::ZMQ_EVENT_BIND_FAILED => EventKind::BindFailed { errno: fd },
            zmq_ffi::ZMQ_EVENT_ACCEPTED => EventKind::Accepted { fd },
            zmq_ffi::ZMQ_EVENT_ACCEPT_FAILED => EventKind::AcceptFailed { errno: fd },
            zmq_ffi::ZMQ_EVENT_CLOSED => EventKind::Closed { fd },
            zmq_ffi::ZMQ_EVENT_CLOSE_FAILED => EventKind::CloseFailed { errno: fd },
            zmq_ffi::ZMQ_EVENT_DISCONNECTED => EventKind::Disconnected { fd },
            zmq_ffi::ZMQ_EVENT_MONITOR_STOPPED => EventKind::MonitorStopped,
            zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL => {
                EventKind::HandshakeFailedNoDetail { errno: fd }
            }
            zmq_ffi::ZMQ_EVENT_HANDSHAKE_SUCCEEDED => EventKind::HandshakeSucceeded,
            zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL => {
                EventKind::HandshakeFailedProtocol(ProtocolError::from_raw(value))
            }
            zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH => {
                EventKind::HandshakeFailedAuth { status: value }
            }
            _ => EventKind::Unknown { event, value },
        }
    }
}

/// One monitor event: what happened, and on which endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// The endpoint it happened on (`tcp://127.0.0.1:5555`).
    pub endpoint: String,
}

/// The receiving end of a socket's monitor: a stream of [`Event`]s.
///
/// ```
/// use zmq_typed::{Context, EventKind, EventMask, Socket, SocketType};
/// let ctx = Context::new()?;
/// let rep = Socket::new(&ctx, SocketType::Rep)?;
/// let monitor = rep.monitor(EventMask::ALL)?;
/// let ep = rep.bind("tcp://127.0.0.1:*")?;
/// let event = monitor.recv()?;
/// assert!(matches!(event.kind, EventKind::Listening { .. }));
/// assert_eq!(event.endpoint, ep.to_string());
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct Monitor {
    pair: Socket,
}

impl SocketCore {
    /// Starts monitoring this socket for the events in `mask`; the events arrive on the
    /// returned [`Monitor`]. Only one monitor per socket: a second call replaces the first.
    ///
    /// Wraps `zmq_socket_monitor` ([man zmq_socket_monitor](http://api.zeromq.org/4-3:zmq-socket-monitor)).
    pub fn monitor(&self, mask: EventMask) -> Result<Monitor> {
        let endpoint = crate::inproc_name::unique("monitor");
        let c = cstring("monitor endpoint", &endpoint)?;
        // SAFETY: valid socket; c is NUL-terminated.
        let rc =
            unsafe { zmq_ffi::zmq_socket_monitor(self.as_ptr(), c.as_ptr(), i32::from(mask.0)) };
        check(rc, || {
            crate::error::Detail::new(format!("zmq_socket_monitor {endpoint}"))
        })?;
        let pair = Socket::new(self.context(), SocketType::Pair)?;
        pair.set_linger(Some(Duration::ZERO))?;
        pair.connect(endpoint.as_str())?;
        Ok(Monitor { pair })
    }

    /// Stops monitoring (the monitor receives [`EventKind::MonitorStopped`]).
    ///
    /// Wraps `zmq_socket_monitor` with a NULL endpoint.
    pub fn stop_monitor(&self) -> Result<()> {
        // SAFETY: valid socket; NULL endpoint means "stop".
        let rc = unsafe { zmq_ffi::zmq_socket_monitor(self.as_ptr(), std::ptr::null(), 0) };
        check(rc, || crate::error::Detail::new("zmq_socket_monitor stop")).map(|_| ())
    }
}

impl Monitor {
    fn decode(&self, first: crate::Message) -> Result<Event> {
        let data = first.data();
        if data.len() != 6 || !first.more() {
            return Err(Error::Malformed(format!(
                "monitor event frame has {} bytes, expected 6 followed by the endpoint",
                data.len()
            )));
        }
        let event = u16::from_ne_bytes([data[0], data[1]]);
        let value = u32::from_ne_bytes([data[2], data[3], data[4], data[5]]);
        let endpoint = self.pair.recv()?;
        let endpoint = String::from_utf8_lossy(endpoint.data()).into_owned();
        Ok(Event {
            kind: EventKind::from_raw(event, value),
            endpoint,
        })
    }

    /// The next event, blocking.
    pub fn recv(&self) -> Result<Event> {
        let first = self.pair.recv()?;
        self.decode(first)
    }

    /// The next event, waiting at most `timeout` ([`Error::TimedOut`]).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Event> {
        let first = self.pair.recv_timeout(timeout)?;
        self.decode(first)
    }

    /// The next event if there is one.
    pub fn try_recv(&self) -> Result<Option<Event>> {
        match self.pair.try_recv()? {
            Some(first) => self.decode(first).map(Some),
            None => Ok(None),
        }
    }

    /// Waits (at most `timeout` for each event) until an event matches `pred`, and returns
    /// it; the events before it are dropped.
    pub fn wait_for(
        &self,
        timeout: Duration,
        mut pred: impl FnMut(&EventKind) -> bool,
    ) -> Result<Event> {
        loop {
            let event = self.recv_timeout(timeout)?;
            if pred(&event.kind) {
                return Ok(event);
            }
        }
    }

    /// The monitor's own PAIR socket, for polling.
    pub fn socket(&self) -> &Socket {
        &self.pair
    }
}
