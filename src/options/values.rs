//! The value types of socket options, and how each maps to libzmq's raw integers.

use std::os::raw::c_int;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::socket_type::SocketType;

/// Milliseconds for libzmq, rounded *up* so that a sub-millisecond timeout never becomes 0
/// (which libzmq reads as "do not wait"); saturates at `i32::MAX`.
pub(crate) fn timeout_ms(d: Duration) -> i32 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    ms.min(i32::MAX as u128) as i32
}

fn ms_checked(option: &'static str, d: Duration) -> Result<c_int> {
    let ms = d.as_nanos().div_ceil(1_000_000);
    if ms > i32::MAX as u128 {
        return Err(Error::OptionValue {
            option,
            reason: format!("{d:?} is longer than libzmq's limit of {} ms", i32::MAX),
        });
    }
    Ok(ms as c_int)
}

fn secs_checked(option: &'static str, d: Duration) -> Result<c_int> {
    let s = d.as_nanos().div_ceil(1_000_000_000);
    if s > i32::MAX as u128 {
        return Err(Error::OptionValue {
            option,
            reason: format!("{d:?} is too long"),
        });
    }
    Ok(s as c_int)
}

fn int_checked(option: &'static str, n: u32) -> Result<c_int> {
    c_int::try_from(n).map_err(|_| out_of_range(option, format!("{n} is above {}", i32::MAX)))
}

fn out_of_range(option: &'static str, reason: impl Into<String>) -> Error {
    Error::OptionValue {
        option,
        reason: reason.into(),
    }
}

fn ms(raw: c_int) -> Duration {
    Duration::from_millis(raw.max(0) as u64)
}

/// How an option's typed value maps to the raw value libzmq takes and gives.
pub(crate) trait Codec {
    /// The typed value.
    type Value;
    /// The raw value (`c_int`, `i64` or `u64`).
    type Raw;
    fn encode(option: &'static str, value: Self::Value) -> Result<Self::Raw>;
    fn decode(raw: Self::Raw) -> Self::Value;
}

macro_rules! codec {
    ($name:ident, $value:ty, $raw:ty, |$o:ident, $v:ident| $enc:expr, |$r:ident| $dec:expr) => {
        pub(crate) struct $name;
        impl Codec for $name {
            type Value = $value;
            type Raw = $raw;
            #[allow(unused_variables)]
            fn encode($o: &'static str, $v: $value) -> Result<$raw> {
                $enc
            }
            fn decode($r: $raw) -> $value {
                $dec
            }
        }
    };
}

codec!(Bool, bool, c_int, |o, v| Ok(c_int::from(v)), |r| r != 0);
codec!(Int, i32, c_int, |o, v| Ok(v), |r| r);
codec!(
    NonNegative,
    u32,
    c_int,
    |o, v| int_checked(o, v),
    |r| r.max(0) as u32
);
// -1 means "the operating system's default".
codec!(
    OrDefault,
    Option<u32>,
    c_int,
    |o, v| match v {
        None => Ok(-1),
        Some(n) => int_checked(o, n),
    },
    |r| (r >= 0).then_some(r as u32)
);
// 0 means "no limit".
codec!(
    Hwm,
    Option<u32>,
    c_int,
    |o, v| match v {
        None => Ok(0),
        Some(0) => Err(out_of_range(
            o,
            "0 is libzmq's \"no limit\": write None for that"
        )),
        Some(n) => int_checked(o, n),
    },
    |r| (r > 0).then_some(r as u32)
);
codec!(Millis, Duration, c_int, |o, v| ms_checked(o, v), |r| ms(r));
// -1 means "infinite" (linger, timeouts) or "never" (reconnect).
codec!(
    MillisOrInfinite,
    Option<Duration>,
    c_int,
    |o, v| match v {
        None => Ok(-1),
        Some(d) => ms_checked(o, d),
    },
    |r| (r >= 0).then(|| ms(r))
);
// 0 means "off" / "the system's default".
codec!(
    MillisOrOff,
    Option<Duration>,
    c_int,
    |o, v| match v {
        None => Ok(0),
        Some(d) if d.is_zero() => Err(out_of_range(
            o,
            "a zero duration means \"off\" here: write None for that"
        )),
        Some(d) => ms_checked(o, d),
    },
    |r| (r > 0).then(|| ms(r))
);
// Seconds, -1 for the operating system's default (TCP keepalive idle and interval).
codec!(
    SecondsOrDefault,
    Option<Duration>,
    c_int,
    |o, v| match v {
        None => Ok(-1),
        Some(d) => secs_checked(o, d),
    },
    |r| (r >= 0).then(|| Duration::from_secs(r as u64))
);
// Heartbeat TTL: set in milliseconds, kept by libzmq in deciseconds (it truncates, so a
// TTL under 100 ms would silently become 0 = "off"): round up to the decisecond here.
codec!(
    HeartbeatTtl,
    Option<Duration>,
    c_int,
    |o, v| match v {
        None => Ok(0),
        Some(d) => {
            let ds = d.as_nanos().div_ceil(100_000_000);
            if ds == 0 {
                return Err(out_of_range(
                    o,
                    "a zero TTL means \"off\": write None for that",
                ));
            }
            // libzmq keeps the TTL in deciseconds in 16 bits: at most 6553.5 s.
            if ds > u128::from(u16::MAX) {
                return Err(out_of_range(
                    o,
                    format!("{d:?} is above libzmq's limit of 6553.5 s (deciseconds in 16 bits)"),
                ));
            }
            Ok((ds * 100) as c_int)
        }
    },
    |r| (r > 0).then(|| ms(r))
);
codec!(
    MaxMsgSize,
    Option<u64>,
    i64,
    |o, v| match v {
        None => Ok(-1),
        Some(n) =>
            i64::try_from(n).map_err(|_| out_of_range(o, format!("{n} is above {}", i64::MAX))),
    },
    |r| (r >= 0).then_some(r as u64)
);
codec!(U64, u64, u64, |o, v| Ok(v), |r| r);
codec!(
    Keepalive,
    TcpKeepalive,
    c_int,
    |o, v| Ok(match v {
        TcpKeepalive::SystemDefault => -1,
        TcpKeepalive::Off => 0,
        TcpKeepalive::On => 1,
    }),
    |r| match r {
        0 => TcpKeepalive::Off,
        1 => TcpKeepalive::On,
        _ => TcpKeepalive::SystemDefault,
    }
);
codec!(
    NameType,
    GssapiNameType,
    c_int,
    |o, v| Ok(match v {
        GssapiNameType::HostBased => zmq_ffi::ZMQ_GSSAPI_NT_HOSTBASED,
        GssapiNameType::UserName => zmq_ffi::ZMQ_GSSAPI_NT_USER_NAME,
        GssapiNameType::Krb5Principal => zmq_ffi::ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
    }),
    |r| match r {
        zmq_ffi::ZMQ_GSSAPI_NT_USER_NAME => GssapiNameType::UserName,
        zmq_ffi::ZMQ_GSSAPI_NT_KRB5_PRINCIPAL => GssapiNameType::Krb5Principal,
        _ => GssapiNameType::HostBased,
    }
);
codec!(
    MechanismCodec,
    Mechanism,
    c_int,
    |o, v| Ok(v as c_int),
    |r| match r {
        zmq_ffi::ZMQ_PLAIN => Mechanism::Plain,
        zmq_ffi::ZMQ_CURVE => Mechanism::Curve,
        zmq_ffi::ZMQ_GSSAPI => Mechanism::Gssapi,
        _ => Mechanism::Null,
    }
);
codec!(
    TypeCodec,
    Option<SocketType>,
    c_int,
    |o, v| Ok(v.map_or(-1, SocketType::raw)),
    |r| SocketType::from_raw(r)
);
codec!(
    EventsCodec,
    PollEvents,
    c_int,
    |o, v| Ok(c_int::from(v.bits())),
    |r| PollEvents::from_bits(r as i16)
);

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
