//! The public value types of socket options that are not plain numbers, flags or times.

/// The tri-state `ZMQ_TCP_KEEPALIVE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TcpKeepalive {
    /// Leave `SO_KEEPALIVE` as the operating system has it (-1, libzmq's default).
    #[default]
    SystemDefault,
    /// Switch keepalive off (0).
    Off,
    /// Switch keepalive on (1).
    On,
}

/// The security mechanism of a socket (`ZMQ_MECHANISM`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Mechanism {
    /// No security.
    Null = zmq_ffi::ZMQ_NULL,
    /// Clear-text user name and password.
    Plain = zmq_ffi::ZMQ_PLAIN,
    /// CurveZMQ encryption and authentication.
    Curve = zmq_ffi::ZMQ_CURVE,
    /// Kerberos through GSSAPI.
    Gssapi = zmq_ffi::ZMQ_GSSAPI,
}

/// How a GSSAPI principal name is to be read (`ZMQ_GSSAPI_*_NAMETYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GssapiNameType {
    /// `ZMQ_GSSAPI_NT_HOSTBASED` (`service@host`), the default.
    HostBased,
    /// `ZMQ_GSSAPI_NT_USER_NAME`.
    UserName,
    /// `ZMQ_GSSAPI_NT_KRB5_PRINCIPAL`.
    Krb5Principal,
}

/// Readiness flags (`ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`, `ZMQ_POLLPRI`), as in
/// `ZMQ_EVENTS` and [`crate::poll`](mod@crate::poll).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct PollEvents(i16);

impl PollEvents {
    /// None.
    pub const NONE: PollEvents = PollEvents(0);
    /// A message can be received (`ZMQ_POLLIN`).
    pub const IN: PollEvents = PollEvents(zmq_ffi::ZMQ_POLLIN as i16);
    /// A message can be sent (`ZMQ_POLLOUT`).
    pub const OUT: PollEvents = PollEvents(zmq_ffi::ZMQ_POLLOUT as i16);
    /// An error condition on a raw fd (`ZMQ_POLLERR`).
    pub const ERR: PollEvents = PollEvents(zmq_ffi::ZMQ_POLLERR as i16);
    /// Urgent data on a raw fd (`ZMQ_POLLPRI`).
    pub const PRI: PollEvents = PollEvents(zmq_ffi::ZMQ_POLLPRI as i16);

    /// From raw bits.
    pub fn from_bits(bits: i16) -> PollEvents {
        PollEvents(bits)
    }

    /// The raw bits.
    pub fn bits(self) -> i16 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: PollEvents) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any flag of `other` is set.
    pub fn intersects(self, other: PollEvents) -> bool {
        self.0 & other.0 != 0
    }

    /// Whether no flag is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl std::ops::BitOr for PollEvents {
    type Output = PollEvents;
    fn bitor(self, rhs: PollEvents) -> PollEvents {
        PollEvents(self.0 | rhs.0)
    }
}
