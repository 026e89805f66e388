//! The monitor's event types: which events to ask for ([`EventMask`]) and what arrives
//! ([`Event`], [`EventKind`], [`ProtocolError`]).

use std::time::Duration;

/// Which events to monitor (`ZMQ_EVENT_*` bits); combine them with `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventMask(pub u16);

impl EventMask {
    /// No event at all (the monitor then only learns that it stopped).
    pub const NONE: EventMask = EventMask(0);
    /// Every event (`ZMQ_EVENT_ALL`).
    pub const ALL: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_ALL as u16);
    /// `ZMQ_EVENT_CONNECTED`.
    pub const CONNECTED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_CONNECTED as u16);
    /// `ZMQ_EVENT_CONNECT_DELAYED`.
    pub const CONNECT_DELAYED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_CONNECT_DELAYED as u16);
    /// `ZMQ_EVENT_CONNECT_RETRIED`.
    pub const CONNECT_RETRIED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_CONNECT_RETRIED as u16);
    /// `ZMQ_EVENT_LISTENING`.
    pub const LISTENING: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_LISTENING as u16);
    /// `ZMQ_EVENT_BIND_FAILED`.
    pub const BIND_FAILED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_BIND_FAILED as u16);
    /// `ZMQ_EVENT_ACCEPTED`.
    pub const ACCEPTED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_ACCEPTED as u16);
    /// `ZMQ_EVENT_ACCEPT_FAILED`.
    pub const ACCEPT_FAILED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_ACCEPT_FAILED as u16);
    /// `ZMQ_EVENT_CLOSED`.
    pub const CLOSED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_CLOSED as u16);
    /// `ZMQ_EVENT_CLOSE_FAILED`.
    pub const CLOSE_FAILED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_CLOSE_FAILED as u16);
    /// `ZMQ_EVENT_DISCONNECTED`.
    pub const DISCONNECTED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_DISCONNECTED as u16);
    /// `ZMQ_EVENT_MONITOR_STOPPED`: delivered as [`EventKind::MonitorStopped`], the last
    /// event of a monitor.
    pub const MONITOR_STOPPED: EventMask = EventMask(zmq_ffi::ZMQ_EVENT_MONITOR_STOPPED as u16);
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL`.
    pub const HANDSHAKE_FAILED_NO_DETAIL: EventMask =
        EventMask(zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL as u16);
    /// `ZMQ_EVENT_HANDSHAKE_SUCCEEDED`.
    pub const HANDSHAKE_SUCCEEDED: EventMask =
        EventMask(zmq_ffi::ZMQ_EVENT_HANDSHAKE_SUCCEEDED as u16);
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL`.
    pub const HANDSHAKE_FAILED_PROTOCOL: EventMask =
        EventMask(zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL as u16);
    /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`.
    pub const HANDSHAKE_FAILED_AUTH: EventMask =
        EventMask(zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH as u16);

    /// The three handshake failures: [`HANDSHAKE_FAILED_NO_DETAIL`](Self::HANDSHAKE_FAILED_NO_DETAIL)
    /// (the connection broke during it), [`HANDSHAKE_FAILED_PROTOCOL`](Self::HANDSHAKE_FAILED_PROTOCOL)
    /// (mechanism mismatch, wrong CURVE key...), [`HANDSHAKE_FAILED_AUTH`](Self::HANDSHAKE_FAILED_AUTH)
    /// (refused by ZAP).
    pub const HANDSHAKE_FAILED: EventMask = EventMask(
        Self::HANDSHAKE_FAILED_NO_DETAIL.0
            | Self::HANDSHAKE_FAILED_PROTOCOL.0
            | Self::HANDSHAKE_FAILED_AUTH.0,
    );
    /// Every outcome of a ZMTP handshake: [`HANDSHAKE_SUCCEEDED`](Self::HANDSHAKE_SUCCEEDED)
    /// (the peer is ready: messages flow) and [`HANDSHAKE_FAILED`](Self::HANDSHAKE_FAILED).
    pub const HANDSHAKE: EventMask =
        EventMask(Self::HANDSHAKE_SUCCEEDED.0 | Self::HANDSHAKE_FAILED.0);
    /// A connection's life at the transport level: [`CONNECTED`](Self::CONNECTED),
    /// [`ACCEPTED`](Self::ACCEPTED), [`DISCONNECTED`](Self::DISCONNECTED),
    /// [`CLOSED`](Self::CLOSED). Connected and Accepted come *before* the handshake: the
    /// peer is not ready yet (see [`HANDSHAKE`](Self::HANDSHAKE)).
    pub const CONNECTION: EventMask =
        EventMask(Self::CONNECTED.0 | Self::ACCEPTED.0 | Self::DISCONNECTED.0 | Self::CLOSED.0);
    /// The connecting side's attempts: [`CONNECTED`](Self::CONNECTED),
    /// [`CONNECT_DELAYED`](Self::CONNECT_DELAYED), [`CONNECT_RETRIED`](Self::CONNECT_RETRIED).
    pub const CONNECTING: EventMask =
        EventMask(Self::CONNECTED.0 | Self::CONNECT_DELAYED.0 | Self::CONNECT_RETRIED.0);
    /// The listening side: [`LISTENING`](Self::LISTENING), [`BIND_FAILED`](Self::BIND_FAILED),
    /// [`ACCEPTED`](Self::ACCEPTED), [`ACCEPT_FAILED`](Self::ACCEPT_FAILED).
    pub const LISTENER: EventMask = EventMask(
        Self::LISTENING.0 | Self::BIND_FAILED.0 | Self::ACCEPTED.0 | Self::ACCEPT_FAILED.0,
    );
    /// Every failure: [`BIND_FAILED`](Self::BIND_FAILED), [`ACCEPT_FAILED`](Self::ACCEPT_FAILED),
    /// [`CLOSE_FAILED`](Self::CLOSE_FAILED) and [`HANDSHAKE_FAILED`](Self::HANDSHAKE_FAILED).
    pub const FAILED: EventMask = EventMask(
        Self::BIND_FAILED.0
            | Self::ACCEPT_FAILED.0
            | Self::CLOSE_FAILED.0
            | Self::HANDSHAKE_FAILED.0,
    );

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: EventMask) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any bit of `other` is set.
    pub fn intersects(self, other: EventMask) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// These events but those of `other`: `EventMask::ALL.without(EventMask::MONITOR_STOPPED)`.
    pub fn without(self, other: EventMask) -> EventMask {
        EventMask(self.0 & !other.0)
    }
}

impl std::ops::BitAnd for EventMask {
    type Output = EventMask;
    fn bitand(self, rhs: EventMask) -> EventMask {
        EventMask(self.0 & rhs.0)
    }
}

impl std::ops::BitOr for EventMask {
    type Output = EventMask;
    fn bitor(self, rhs: EventMask) -> EventMask {
        EventMask(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for EventMask {
    fn bitor_assign(&mut self, rhs: EventMask) {
        self.0 |= rhs.0;
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
    /// The event's bit, to test it against a mask:
    /// `EventMask::HANDSHAKE_FAILED.contains(kind.mask())`.
    pub fn mask(&self) -> EventMask {
        let bits = match self {
            EventKind::Connected { .. } => zmq_ffi::ZMQ_EVENT_CONNECTED,
            EventKind::ConnectDelayed => zmq_ffi::ZMQ_EVENT_CONNECT_DELAYED,
            EventKind::ConnectRetried { .. } => zmq_ffi::ZMQ_EVENT_CONNECT_RETRIED,
            EventKind::Listening { .. } => zmq_ffi::ZMQ_EVENT_LISTENING,
            EventKind::BindFailed { .. } => zmq_ffi::ZMQ_EVENT_BIND_FAILED,
            EventKind::Accepted { .. } => zmq_ffi::ZMQ_EVENT_ACCEPTED,
            EventKind::AcceptFailed { .. } => zmq_ffi::ZMQ_EVENT_ACCEPT_FAILED,
            EventKind::Closed { .. } => zmq_ffi::ZMQ_EVENT_CLOSED,
            EventKind::CloseFailed { .. } => zmq_ffi::ZMQ_EVENT_CLOSE_FAILED,
            EventKind::Disconnected { .. } => zmq_ffi::ZMQ_EVENT_DISCONNECTED,
            EventKind::MonitorStopped => zmq_ffi::ZMQ_EVENT_MONITOR_STOPPED,
            EventKind::HandshakeFailedNoDetail { .. } => {
                zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
            }
            EventKind::HandshakeSucceeded => zmq_ffi::ZMQ_EVENT_HANDSHAKE_SUCCEEDED,
            EventKind::HandshakeFailedProtocol(_) => zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
            EventKind::HandshakeFailedAuth { .. } => zmq_ffi::ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
            EventKind::Unknown { event, .. } => i32::from(*event),
        };
        EventMask(bits as u16)
    }

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
