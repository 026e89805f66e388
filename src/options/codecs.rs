//! How each option's typed value maps to the raw integer libzmq takes and gives: one
//! [`Codec`] per domain (a flag, a timeout with -1 for "infinite", a high-water mark with 0
//! for "no limit"...).

use std::os::raw::c_int;
use std::time::Duration;

use crate::duration::{from_ms as ms, ms_checked, secs_checked};
use crate::error::{Error, Result};
use crate::socket_type::SocketType;

use super::values::{GssapiNameType, Mechanism, PollEvents, TcpKeepalive};

fn int_checked(option: &'static str, n: u32) -> Result<c_int> {
    c_int::try_from(n).map_err(|_| out_of_range(option, format!("{n} is above {}", i32::MAX)))
}

fn out_of_range(option: &'static str, reason: impl Into<String>) -> Error {
    Error::OptionValue {
        option,
        reason: reason.into(),
    }
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
