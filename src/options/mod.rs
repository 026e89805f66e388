//! Every stable socket option of libzmq 4.3.4, typed after its real domain
//! ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt),
//! [man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
//!
//! - Times are [`Duration`]s; sub-millisecond values round *up* (never to 0, which would
//!   make a timeout non-blocking). Where libzmq uses -1 for "infinite" or "never" (linger,
//!   timeouts, reconnect) the type is `Option<Duration>` with `None` for that; where it uses 0
//!   for "off" (heartbeats, handshake, connect timeout) likewise.
//! - High-water marks are `Option<u32>`: `None` is libzmq's 0, "no limit".
//! - `ZMQ_TCP_KEEPALIVE` is the tri-state [`TcpKeepalive`]; `ZMQ_HEARTBEAT_TTL` is rounded up
//!   to the decisecond libzmq keeps it in.
//! - Options that `zmq_getsockopt` rejects (router mandatory/handover/raw, probe router, REQ
//!   relaxed/correlate, the XPUB family, stream notify, connect routing id, subscribe) have
//!   only a setter; read-only ones (type, RCVMORE, FD, EVENTS, last endpoint, mechanism,
//!   thread safe) only a getter. String getters drop libzmq's trailing NUL.
//! - CURVE keys are 32 raw bytes or 40 Z85 characters ([`CurveKey`]).

mod values;

use std::os::raw::{c_int, c_void};
use std::time::Duration;

pub(crate) use values::timeout_ms;
use values::*;
pub(crate) use values::{Bool, Codec};
pub use values::{GssapiNameType, Mechanism, PollEvents, TcpKeepalive};

use crate::error::{check, Detail, Error, Result};
use crate::security::CurveKey;
use crate::socket::Socket;
use crate::socket_core::SocketCore;
use crate::socket_type::SocketType;

/// A raw option value type that libzmq reads and writes as a fixed-size integer.
pub(crate) trait RawInt: Copy + Default {}
impl RawInt for c_int {}
impl RawInt for i64 {}
impl RawInt for u64 {}

impl SocketCore {
    fn detail(option: &'static str) -> impl FnOnce() -> Detail {
        move || Detail::new(option)
    }

    pub(crate) fn get_int<T: RawInt>(&self, option: c_int, name: &'static str) -> Result<T> {
        let mut value = T::default();
        let mut len = std::mem::size_of::<T>();
        // SAFETY: value is a writable T of `len` bytes; libzmq checks len against the option.
        let rc = unsafe {
            zmq_ffi::zmq_getsockopt(
                self.as_ptr(),
                option,
                &mut value as *mut T as *mut c_void,
                &mut len,
            )
        };
        check(rc, Self::detail(name))?;
        Ok(value)
    }

    pub(crate) fn set_int<T: RawInt>(
        &self,
        option: c_int,
        name: &'static str,
        value: T,
    ) -> Result<()> {
        // SAFETY: value is a readable T of size_of::<T>() bytes.
        let rc = unsafe {
            zmq_ffi::zmq_setsockopt(
                self.as_ptr(),
                option,
                &value as *const T as *const c_void,
                std::mem::size_of::<T>(),
            )
        };
        check(rc, Self::detail(name)).map(|_| ())
    }

    pub(crate) fn get_bytes(
        &self,
        option: c_int,
        name: &'static str,
        max: usize,
    ) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; max];
        let mut len = max;
        // SAFETY: buf is writable for `len` bytes; libzmq writes at most that and updates len.
        let rc = unsafe {
            zmq_ffi::zmq_getsockopt(
                self.as_ptr(),
                option,
                buf.as_mut_ptr() as *mut c_void,
                &mut len,
            )
        };
        check(rc, Self::detail(name))?;
        buf.truncate(len.min(max));
        Ok(buf)
    }

    pub(crate) fn set_bytes(&self, option: c_int, name: &'static str, value: &[u8]) -> Result<()> {
        // libzmq reads "empty" as a NULL pointer with length 0 (a non-NULL pointer with
        // length 0 is EINVAL for string options).
        let ptr = if value.is_empty() {
            std::ptr::null()
        } else {
            value.as_ptr() as *const c_void
        };
        // SAFETY: ptr is readable for value.len() bytes, or NULL with length 0.
        let rc = unsafe { zmq_ffi::zmq_setsockopt(self.as_ptr(), option, ptr, value.len()) };
        check(rc, Self::detail(name)).map(|_| ())
    }

    fn get_string(&self, option: c_int, name: &'static str) -> Result<String> {
        self.get_string_max(option, name, 1024)
    }

    fn get_string_max(&self, option: c_int, name: &'static str, max: usize) -> Result<String> {
        let mut bytes = self.get_bytes(option, name, max)?;
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(nul);
        }
        String::from_utf8(bytes).map_err(|e| Error::Utf8 {
            what: name,
            source: e.utf8_error(),
        })
    }

    fn set_string(&self, option: c_int, name: &'static str, value: &str) -> Result<()> {
        if let Some(position) = value.bytes().position(|b| b == 0) {
            return Err(Error::Nul {
                what: name,
                position,
            });
        }
        self.set_bytes(option, name, value.as_bytes())
    }

    /// Sets an integer option by its raw `ZMQ_*` number: an escape hatch for options this
    /// crate does not type (libzmq validates option and value).
    ///
    /// Wraps `zmq_setsockopt` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    ///
    /// # Safety
    /// Some options hand libzmq resources it then owns or trusts: `ZMQ_USE_FD` makes libzmq
    /// close (and abort on) a descriptor the caller may still own. The caller must uphold
    /// what `man zmq_setsockopt` requires of the option; [`SocketCore::bind_fd`] is the safe
    /// form of `ZMQ_USE_FD`.
    pub unsafe fn set_option_raw_int(&self, option: c_int, value: c_int) -> Result<()> {
        self.set_int(option, "raw option", value)
    }

    /// Reads an integer option by its raw `ZMQ_*` number.
    ///
    /// Wraps `zmq_getsockopt` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    pub fn option_raw_int(&self, option: c_int) -> Result<c_int> {
        self.get_int(option, "raw option")
    }

    /// Sets a binary option by its raw `ZMQ_*` number.
    ///
    /// Wraps `zmq_setsockopt` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    ///
    /// # Safety
    /// As for [`SocketCore::set_option_raw_int`]: four bytes given for `ZMQ_USE_FD` hand
    /// libzmq a descriptor, so the caller must uphold what `man zmq_setsockopt` requires of
    /// the option.
    pub unsafe fn set_option_raw_bytes(&self, option: c_int, value: &[u8]) -> Result<()> {
        self.set_bytes(option, "raw option", value)
    }

    /// Reads a binary option by its raw `ZMQ_*` number, up to `max` bytes. Wraps
    /// `zmq_getsockopt`.
    pub fn option_raw_bytes(&self, option: c_int, max: usize) -> Result<Vec<u8>> {
        self.get_bytes(option, "raw option", max)
    }
}

macro_rules! getter {
    ($codec:ident: $ty:ty, $zmq:ident, $get:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).")]
        pub fn $get(&self) -> $crate::error::Result<$ty> {
            let raw = self.get_int::<<$codec as Codec>::Raw>(zmq_ffi::$zmq, stringify!($zmq))?;
            Ok($codec::decode(raw))
        }
    };
}

macro_rules! setter {
    ($codec:ident: $ty:ty, $zmq:ident, $set:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, value: $ty) -> $crate::error::Result<()> {
            let raw = $codec::encode(stringify!($zmq), value)?;
            self.set_int(zmq_ffi::$zmq, stringify!($zmq), raw)
        }
    };
}

/// `opt!(rw|ro|wo Codec: Type, ZMQ_NAME, getter, setter, "doc")`.
macro_rules! opt {
    (rw $codec:ident: $ty:ty, $zmq:ident, $get:ident, $set:ident, $doc:literal) => {
        getter!($codec: $ty, $zmq, $get, $doc);
        setter!($codec: $ty, $zmq, $set, $doc);
    };
    (ro $codec:ident: $ty:ty, $zmq:ident, $get:ident, $doc:literal) => {
        getter!($codec: $ty, $zmq, $get, $doc);
    };
    (wo $codec:ident: $ty:ty, $zmq:ident, $set:ident, $doc:literal) => {
        setter!($codec: $ty, $zmq, $set, $doc);
    };
}

macro_rules! str_opt {
    (rw $zmq:ident, $get:ident, $set:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_getsockopt` with `", stringify!($zmq), "` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)); the trailing NUL is dropped.")]
        pub fn $get(&self) -> $crate::error::Result<String> {
            self.get_string(zmq_ffi::$zmq, stringify!($zmq))
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, value: &str) -> $crate::error::Result<()> {
            self.set_string(zmq_ffi::$zmq, stringify!($zmq), value)
        }
    };
}

macro_rules! bytes_opt {
    (wo $zmq:ident, $set:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, value: impl AsRef<[u8]>) -> $crate::error::Result<()> {
            self.set_bytes(zmq_ffi::$zmq, stringify!($zmq), value.as_ref())
        }
    };
}

macro_rules! curve_key_opt {
    ($zmq:ident, $get:ident, $get_z85:ident, $set:ident, $doc:literal) => {
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("The 32-byte key. Wraps `zmq_getsockopt` with `", stringify!($zmq), "`.")]
        pub fn $get(&self) -> $crate::error::Result<[u8; 32]> {
            let bytes = self.get_bytes(zmq_ffi::$zmq, stringify!($zmq), 32)?;
            bytes.try_into().map_err(|b: Vec<u8>| Error::OptionValue {
                option: stringify!($zmq),
                reason: format!("libzmq returned {} bytes, not 32", b.len()),
            })
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("The key as 40 Z85 characters. Wraps `zmq_getsockopt` with `", stringify!($zmq), "` and a 41-byte buffer.")]
        pub fn $get_z85(&self) -> $crate::error::Result<String> {
            self.get_string_max(zmq_ffi::$zmq, stringify!($zmq), 41)
        }
        #[doc = $doc]
        #[doc = ""]
        #[doc = concat!("Takes 32 raw bytes or 40 Z85 characters. Wraps `zmq_setsockopt` with `", stringify!($zmq), "` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).")]
        pub fn $set(&self, key: impl TryInto<CurveKey, Error = Error>) -> $crate::error::Result<()> {
            let key = key.try_into()?;
            self.set_bytes(zmq_ffi::$zmq, stringify!($zmq), key.as_bytes())
        }
    };
}

pub(crate) use {bytes_opt, getter, opt, setter};

/// General options.
impl SocketCore {
    opt!(ro TypeCodec: Option<SocketType>, ZMQ_TYPE, socket_type_option, "The socket's type as libzmq reports it (`None` for a DRAFT type).");
    opt!(ro Bool: bool, ZMQ_RCVMORE, has_more, "Whether the last frame received has more frames following.");
    opt!(ro EventsCodec: PollEvents, ZMQ_EVENTS, events, "Whether a message can be received (`IN`) or sent (`OUT`) now, without blocking. Reading it also resets the edge of [`SocketCore::fd`].");
    opt!(ro Bool: bool, ZMQ_THREAD_SAFE, thread_safe, "Whether the socket is thread safe (never, for the stable types).");
    opt!(rw U64: u64, ZMQ_AFFINITY, affinity, set_affinity, "Bitmask of the I/O threads new connections are handled by.");
    opt!(rw Int: i32, ZMQ_BACKLOG, backlog, set_backlog, "Maximum length of the queue of pending connections.");
    opt!(rw MillisOrInfinite: Option<Duration>, ZMQ_LINGER, linger, set_linger, "How long closing waits for queued messages (`None`: for ever, `Some(ZERO)`: not at all). This crate's default is [`crate::context::DEFAULT_LINGER`].");
    opt!(rw MaxMsgSize: Option<u64>, ZMQ_MAXMSGSIZE, max_msg_size, set_max_msg_size, "Largest inbound message accepted (`None`: no limit); a peer sending a larger one is disconnected.");
    opt!(rw Hwm: Option<u32>, ZMQ_SNDHWM, sndhwm, set_sndhwm, "High-water mark of outbound messages per peer (`None`: no limit; default 1000).");
    opt!(rw Hwm: Option<u32>, ZMQ_RCVHWM, rcvhwm, set_rcvhwm, "High-water mark of inbound messages per peer (`None`: no limit; default 1000).");
    opt!(rw MillisOrInfinite: Option<Duration>, ZMQ_RCVTIMEO, rcvtimeo, set_rcvtimeo, "Receive timeout of the blocking calls (`None`: wait for ever; `Some(ZERO)`: do not wait).");
    opt!(rw MillisOrInfinite: Option<Duration>, ZMQ_SNDTIMEO, sndtimeo, set_sndtimeo, "Send timeout of the blocking calls (`None`: wait for ever; `Some(ZERO)`: do not wait).");
    opt!(rw OrDefault: Option<u32>, ZMQ_SNDBUF, sndbuf, set_sndbuf, "Kernel send buffer size, bytes (`None`: the operating system's default).");
    opt!(rw OrDefault: Option<u32>, ZMQ_RCVBUF, rcvbuf, set_rcvbuf, "Kernel receive buffer size, bytes (`None`: the operating system's default).");
    opt!(rw Bool: bool, ZMQ_IMMEDIATE, immediate, set_immediate, "Queue messages only to completed connections.");
    opt!(rw Bool: bool, ZMQ_IPV6, ipv6, set_ipv6, "Use IPv6 as well as IPv4.");
    opt!(ro Int: i32, ZMQ_USE_FD, use_fd, "The descriptor the next bind will use (-1: none). There is no setter: libzmq takes the descriptor over, so [`SocketCore::bind_fd`] does it with an `OwnedFd`.");
    opt!(rw Int: i32, ZMQ_TOS, tos, set_tos, "IP type-of-service of outgoing packets.");
}

/// Reconnection, handshakes and heartbeats.
impl SocketCore {
    opt!(rw MillisOrInfinite: Option<Duration>, ZMQ_RECONNECT_IVL, reconnect_ivl, set_reconnect_ivl, "Initial interval between reconnection attempts (`None`: never reconnect; default 100 ms).");
    opt!(rw MillisOrOff: Option<Duration>, ZMQ_RECONNECT_IVL_MAX, reconnect_ivl_max, set_reconnect_ivl_max, "Maximum reconnection interval for exponential backoff (`None`: no backoff).");
    opt!(rw MillisOrOff: Option<Duration>, ZMQ_CONNECT_TIMEOUT, connect_timeout, set_connect_timeout, "How long a TCP connect may take (`None`: the system's default).");
    opt!(rw MillisOrOff: Option<Duration>, ZMQ_HANDSHAKE_IVL, handshake_ivl, set_handshake_ivl, "How long the ZMTP handshake may take (`None`: no limit; default 30 s).");
    opt!(rw MillisOrOff: Option<Duration>, ZMQ_HEARTBEAT_IVL, heartbeat_ivl, set_heartbeat_ivl, "Interval between ZMTP heartbeat PINGs (`None`: no heartbeats).");
    opt!(rw MillisOrOff: Option<Duration>, ZMQ_HEARTBEAT_TIMEOUT, heartbeat_timeout, set_heartbeat_timeout, "How long to wait for traffic after a PING before closing the connection (`None`: the heartbeat interval).");
    opt!(rw HeartbeatTtl: Option<Duration>, ZMQ_HEARTBEAT_TTL, heartbeat_ttl, set_heartbeat_ttl, "Time-to-live the peer is told to apply to this side's PINGs; rounded up to libzmq's decisecond (`None`: none).");
    opt!(rw MillisOrOff: Option<Duration>, ZMQ_TCP_MAXRT, tcp_maxrt, set_tcp_maxrt, "TCP maximum retransmit timeout (`TCP_USER_TIMEOUT`; `None`: the system's default).");
}

/// TCP and network.
impl SocketCore {
    opt!(rw Keepalive: TcpKeepalive, ZMQ_TCP_KEEPALIVE, tcp_keepalive, set_tcp_keepalive, "TCP keepalive (`SO_KEEPALIVE`).");
    opt!(rw OrDefault: Option<u32>, ZMQ_TCP_KEEPALIVE_CNT, tcp_keepalive_cnt, set_tcp_keepalive_cnt, "TCP keepalive probes before dropping (`None`: the system's default).");
    opt!(rw SecondsOrDefault: Option<Duration>, ZMQ_TCP_KEEPALIVE_IDLE, tcp_keepalive_idle, set_tcp_keepalive_idle, "Idle time before the first keepalive probe, whole seconds rounded up (`None`: the system's default).");
    opt!(rw SecondsOrDefault: Option<Duration>, ZMQ_TCP_KEEPALIVE_INTVL, tcp_keepalive_intvl, set_tcp_keepalive_intvl, "Interval between keepalive probes, whole seconds rounded up (`None`: the system's default).");
    opt!(rw Int: i32, ZMQ_MULTICAST_HOPS, multicast_hops, set_multicast_hops, "Multicast TTL (hops).");
    opt!(rw NonNegative: u32, ZMQ_RATE, rate, set_rate, "Multicast data rate, kilobits per second.");
    opt!(rw Millis: Duration, ZMQ_RECOVERY_IVL, recovery_ivl, set_recovery_ivl, "Multicast recovery interval.");
    opt!(rw NonNegative: u32, ZMQ_MULTICAST_MAXTPDU, multicast_maxtpdu, set_multicast_maxtpdu, "Largest multicast transport data unit, bytes.");
    str_opt!(rw ZMQ_SOCKS_PROXY, socks_proxy, set_socks_proxy, "SOCKS5 proxy (`host:port`) for outgoing TCP connections; empty for none.");
    str_opt!(rw ZMQ_BINDTODEVICE, bindtodevice, set_bindtodevice, "Network interface all TCP traffic of the socket is bound to (`SO_BINDTODEVICE`, needs `CAP_NET_RAW`).");
    opt!(rw Bool: bool, ZMQ_IPV4ONLY, ipv4only, set_ipv4only, "Deprecated inverse of `ZMQ_IPV6`.");
    bytes_opt!(wo ZMQ_TCP_ACCEPT_FILTER, set_tcp_accept_filter, "Deprecated (use ZAP): accept TCP connections only from this address; an empty value clears the list.");
    opt!(wo Int: i32, ZMQ_IPC_FILTER_PID, set_ipc_filter_pid, "Deprecated (use ZAP): accept IPC connections only from this process id.");
    opt!(wo Int: i32, ZMQ_IPC_FILTER_UID, set_ipc_filter_uid, "Deprecated (use ZAP): accept IPC connections only from this user id.");
    opt!(wo Int: i32, ZMQ_IPC_FILTER_GID, set_ipc_filter_gid, "Deprecated (use ZAP): accept IPC connections only from this group id.");
}

/// Identity and routing.
impl SocketCore {
    /// The routing id (identity) of this socket, as seen by ROUTER peers.
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_ROUTING_ID`.
    pub fn routing_id(&self) -> Result<Vec<u8>> {
        self.get_bytes(zmq_ffi::ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", 255)
    }

    /// Sets the routing id: 1 to 255 bytes, not starting with a zero byte (libzmq keeps
    /// those for the ids it generates).
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_ROUTING_ID`.
    pub fn set_routing_id(&self, id: impl AsRef<[u8]>) -> Result<()> {
        let id = id.as_ref();
        check_routing_id("ZMQ_ROUTING_ID", id)?;
        self.set_bytes(zmq_ffi::ZMQ_ROUTING_ID, "ZMQ_ROUTING_ID", id)
    }
}

/// Options that only make sense for some socket types. The typed sockets have each of them
/// on the types it applies to only; the dynamic [`Socket`] has them all.
impl Socket {
    /// ROUTER/STREAM: the routing id to give the peer of the next `connect`.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_CONNECT_ROUTING_ID`.
    pub fn set_connect_routing_id(&self, id: impl AsRef<[u8]>) -> Result<()> {
        let id = id.as_ref();
        check_routing_id("ZMQ_CONNECT_ROUTING_ID", id)?;
        self.set_bytes(
            zmq_ffi::ZMQ_CONNECT_ROUTING_ID,
            "ZMQ_CONNECT_ROUTING_ID",
            id,
        )
    }

    opt!(rw Bool: bool, ZMQ_CONFLATE, conflate, set_conflate, "Keep only the last message in the queues (PULL, PUSH, SUB, PUB, DEALER; single-frame messages only).");
    opt!(rw Bool: bool, ZMQ_INVERT_MATCHING, invert_matching, set_invert_matching, "PUB/SUB/XPUB/XSUB: deliver messages that do *not* match the subscriptions.");
    /// SUB (and XPUB in manual mode): receive messages starting with this prefix (empty:
    /// everything). A topic longer than [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) is
    /// [`Error::TopicTooLong`]: libzmq removes subscriptions recursively, one stack frame per
    /// byte.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_SUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn set_subscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        crate::limits::check_topic(topic.as_ref())?;
        self.set_bytes(zmq_ffi::ZMQ_SUBSCRIBE, "ZMQ_SUBSCRIBE", topic.as_ref())
    }

    /// SUB: remove one subscription made with this prefix. A topic longer than
    /// [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) cannot have been subscribed, and is
    /// [`Error::TopicTooLong`] too.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_UNSUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn set_unsubscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        crate::limits::check_topic(topic.as_ref())?;
        self.set_bytes(zmq_ffi::ZMQ_UNSUBSCRIBE, "ZMQ_UNSUBSCRIBE", topic.as_ref())
    }
    opt!(wo Bool: bool, ZMQ_ROUTER_MANDATORY, set_router_mandatory, "ROUTER: fail (`EHOSTUNREACH`) on an unroutable message instead of dropping it.");
    opt!(wo Bool: bool, ZMQ_ROUTER_HANDOVER, set_router_handover, "ROUTER: a new peer with a routing id already in use takes it over.");
    opt!(wo Bool: bool, ZMQ_ROUTER_RAW, set_router_raw, "Deprecated (use STREAM): ROUTER in raw TCP mode.");
    opt!(wo Bool: bool, ZMQ_PROBE_ROUTER, set_probe_router, "ROUTER/DEALER/REQ: send an empty message to the peer on connecting.");
    opt!(wo Bool: bool, ZMQ_REQ_CORRELATE, set_req_correlate, "REQ: match replies to requests with a request id.");
    opt!(wo Bool: bool, ZMQ_REQ_RELAXED, set_req_relaxed, "REQ: allow a new request without waiting for the reply.");
    opt!(wo Bool: bool, ZMQ_XPUB_VERBOSE, set_xpub_verbose, "XPUB: pass every subscription up, duplicates included.");
    opt!(wo Bool: bool, ZMQ_XPUB_VERBOSER, set_xpub_verboser, "XPUB: pass every subscription and unsubscription up.");
    opt!(wo Bool: bool, ZMQ_XPUB_NODROP, set_xpub_nodrop, "XPUB/PUB: fail (`EAGAIN`) at the high-water mark instead of dropping.");
    opt!(wo Bool: bool, ZMQ_XPUB_MANUAL, set_xpub_manual, "XPUB: subscriptions are applied by the application (with `set_subscribe`).");
    bytes_opt!(wo ZMQ_XPUB_WELCOME_MSG, set_xpub_welcome_msg, "XPUB: message sent to each new subscriber (empty: none).");
    opt!(wo Bool: bool, ZMQ_STREAM_NOTIFY, set_stream_notify, "STREAM: deliver empty messages on connect and disconnect (default on).");
}

/// Security.
impl SocketCore {
    opt!(ro MechanismCodec: Mechanism, ZMQ_MECHANISM, mechanism, "The security mechanism in use.");
    str_opt!(rw ZMQ_ZAP_DOMAIN, zap_domain, set_zap_domain, "ZAP domain for authentication requests.");
    opt!(rw Bool: bool, ZMQ_PLAIN_SERVER, plain_server, set_plain_server, "Act as PLAIN server.");
    str_opt!(rw ZMQ_PLAIN_USERNAME, plain_username, set_plain_username, "PLAIN client user name (setting it selects PLAIN).");
    str_opt!(rw ZMQ_PLAIN_PASSWORD, plain_password, set_plain_password, "PLAIN client password (setting it selects PLAIN).");
    opt!(rw Bool: bool, ZMQ_CURVE_SERVER, curve_server, set_curve_server, "Act as CURVE server (needs the secret key set).");
    curve_key_opt!(
        ZMQ_CURVE_PUBLICKEY,
        curve_publickey,
        curve_publickey_z85,
        set_curve_publickey,
        "This side's long-term CURVE public key."
    );
    curve_key_opt!(
        ZMQ_CURVE_SECRETKEY,
        curve_secretkey,
        curve_secretkey_z85,
        set_curve_secretkey,
        "This side's long-term CURVE secret key."
    );
    curve_key_opt!(
        ZMQ_CURVE_SERVERKEY,
        curve_serverkey,
        curve_serverkey_z85,
        set_curve_serverkey,
        "CURVE client: the server's public key (setting it makes this a CURVE client)."
    );
    opt!(rw Bool: bool, ZMQ_GSSAPI_SERVER, gssapi_server, set_gssapi_server, "Act as GSSAPI server.");
    str_opt!(rw ZMQ_GSSAPI_PRINCIPAL, gssapi_principal, set_gssapi_principal, "This side's GSSAPI principal name.");
    str_opt!(rw ZMQ_GSSAPI_SERVICE_PRINCIPAL, gssapi_service_principal, set_gssapi_service_principal, "GSSAPI client: the server's principal name.");
    opt!(rw Bool: bool, ZMQ_GSSAPI_PLAINTEXT, gssapi_plaintext, set_gssapi_plaintext, "GSSAPI without encryption.");
    opt!(rw NameType: GssapiNameType, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, gssapi_principal_nametype, set_gssapi_principal_nametype, "How `ZMQ_GSSAPI_PRINCIPAL` is to be read.");
    opt!(rw NameType: GssapiNameType, ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, gssapi_service_principal_nametype, set_gssapi_service_principal_nametype, "How `ZMQ_GSSAPI_SERVICE_PRINCIPAL` is to be read.");
}

/// VMCI transport options. libzmq refuses them ([`Error::InvalidArgument`]) when it was
/// built without VMCI, as distributions' packages are: [`crate::has`] with
/// [`crate::Capability::Vmci`] tells.
impl SocketCore {
    opt!(rw U64: u64, ZMQ_VMCI_BUFFER_SIZE, vmci_buffer_size, set_vmci_buffer_size, "VMCI buffer size.");
    opt!(rw U64: u64, ZMQ_VMCI_BUFFER_MIN_SIZE, vmci_buffer_min_size, set_vmci_buffer_min_size, "VMCI minimum buffer size.");
    opt!(rw U64: u64, ZMQ_VMCI_BUFFER_MAX_SIZE, vmci_buffer_max_size, set_vmci_buffer_max_size, "VMCI maximum buffer size.");
    opt!(rw Int: i32, ZMQ_VMCI_CONNECT_TIMEOUT, vmci_connect_timeout, set_vmci_connect_timeout, "VMCI connect timeout, milliseconds.");
}

impl SocketCore {
    /// The endpoint of the last bind or connect, as libzmq resolved it (`tcp://127.0.0.1:41234`
    /// for `tcp://127.0.0.1:*`).
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_LAST_ENDPOINT`; the trailing NUL is dropped. libzmq
    /// wants a buffer as long as the endpoint (inproc names have no limit) and says only
    /// `EINVAL` when it is shorter: the buffer grows until it fits.
    pub fn last_endpoint(&self) -> Result<String> {
        let mut max = 256;
        loop {
            match self.get_string_max(zmq_ffi::ZMQ_LAST_ENDPOINT, "ZMQ_LAST_ENDPOINT", max) {
                Err(Error::InvalidArgument(_)) if max < 1 << 26 => max *= 4,
                other => return other,
            }
        }
    }

    /// The file descriptor that signals, edge-triggered, that [`SocketCore::events`] may have
    /// changed. It is *not* readable data: when it polls readable, read `events()` (which
    /// resets the edge) and receive or send until that says no more; only then wait on the
    /// fd again, or a pending message can go unnoticed.
    ///
    /// The descriptor belongs to libzmq, which keeps it open until the socket is closed: it
    /// is lent for as long as the socket is borrowed, and must not be closed or read.
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_FD`.
    pub fn fd(&self) -> Result<std::os::fd::BorrowedFd<'_>> {
        let fd = self.get_int::<c_int>(zmq_ffi::ZMQ_FD, "ZMQ_FD")?;
        if fd < 0 {
            return Err(Error::from_errno(libc::EBADF, Detail::new("ZMQ_FD")));
        }
        // SAFETY: ZMQ_FD is the socket's mailbox descriptor, which libzmq opens with the
        // socket and closes only in zmq_close, i.e. after the borrow of self has ended.
        Ok(unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) })
    }
}

fn check_routing_id(option: &'static str, id: &[u8]) -> Result<()> {
    if id.is_empty() || id.len() > 255 {
        return Err(Error::OptionValue {
            option,
            reason: format!("a routing id has 1 to 255 bytes, not {}", id.len()),
        });
    }
    if id[0] == 0 {
        return Err(Error::OptionValue {
            option,
            reason: "a routing id must not start with a zero byte (libzmq keeps those for generated ids)".into(),
        });
    }
    Ok(())
}
