//! The table of every typed socket option: each declared once, in a group with the socket
//! types that accept it (as cppzmq's `sockopt` values are), as `man zmq_setsockopt` lists
//! them under "Applicable socket types".
//!
//! - `[SocketCore]`: the options any socket may set; [`Socket`](crate::Socket) and every
//!   typed socket dereference to [`SocketCore`](crate::SocketCore), so all have them.
//! - Any other list: the options of some socket types only, on the dynamic
//!   [`Socket`](crate::Socket) (which has them all) and on the typed socket of each type
//!   that accepts them.
//!
//! Row syntax: see `expand_rows!` in `expand.rs`. Written by hand, outside the table:
//! `ZMQ_LAST_ENDPOINT` and `ZMQ_FD` (a growing buffer, a borrowed descriptor; in
//! `options/mod.rs`), `ZMQ_USE_FD`'s setter (`SocketCore::bind_fd`, which hands libzmq an
//! `OwnedFd`), and `ZMQ_SUBSCRIBE`/`ZMQ_UNSUBSCRIBE`, which are actions (`subscribe` and
//! `unsubscribe` on `Socket`, `Sub`, `XPub`).

/// The table, expanded by `option_table!(core)` in [`crate::options`] and
/// `option_table!(typed)` in `crate::typed::options` (see `expand.rs`).
macro_rules! option_table {
    ($site:ident) => {
        $crate::options::expand_groups! { $site;
            /// General options.
            [SocketCore] {
                ZMQ_TYPE: ro TypeCodec: Option<SocketType>, socket_type_option, "The socket's type as libzmq reports it (`None` for a DRAFT type).";
                ZMQ_RCVMORE: ro Bool: bool, has_more, "Whether the last frame received has more frames following.";
                ZMQ_EVENTS: ro EventsCodec: PollEvents, events, "Whether a message can be received (`IN`) or sent (`OUT`) now, without blocking. Reading it also resets the edge of [`SocketCore::fd`].";
                ZMQ_THREAD_SAFE: ro Bool: bool, thread_safe, "Whether the socket is thread safe (never, for the stable types).";
                ZMQ_AFFINITY: rw U64: u64, affinity, set_affinity, "Bitmask of the I/O threads new connections are handled by.";
                ZMQ_BACKLOG: rw Int: i32, backlog, set_backlog, "Maximum length of the queue of pending connections.";
                ZMQ_LINGER: rw MillisOrInfinite: Option<Duration>, linger, set_linger, "How long closing waits for queued messages (`None`: for ever, `Some(ZERO)`: not at all). This crate's default is [`crate::context::DEFAULT_LINGER`].";
                ZMQ_MAXMSGSIZE: rw MaxMsgSize: Option<u64>, max_msg_size, set_max_msg_size, "Largest inbound message accepted (`None`: no limit); a peer sending a larger one is disconnected.";
                ZMQ_SNDHWM: rw Hwm: Option<u32>, sndhwm, set_sndhwm, "High-water mark of outbound messages per peer (`None`: no limit; default 1000).";
                ZMQ_RCVHWM: rw Hwm: Option<u32>, rcvhwm, set_rcvhwm, "High-water mark of inbound messages per peer (`None`: no limit; default 1000).";
                ZMQ_RCVTIMEO: rw MillisOrInfinite: Option<Duration>, rcvtimeo, set_rcvtimeo, "Receive timeout of the blocking calls (`None`: wait for ever; `Some(ZERO)`: do not wait).";
                ZMQ_SNDTIMEO: rw MillisOrInfinite: Option<Duration>, sndtimeo, set_sndtimeo, "Send timeout of the blocking calls (`None`: wait for ever; `Some(ZERO)`: do not wait).";
                ZMQ_SNDBUF: rw OrDefault: Option<u32>, sndbuf, set_sndbuf, "Kernel send buffer size, bytes (`None`: the operating system's default).";
                ZMQ_RCVBUF: rw OrDefault: Option<u32>, rcvbuf, set_rcvbuf, "Kernel receive buffer size, bytes (`None`: the operating system's default).";
                ZMQ_IMMEDIATE: rw Bool: bool, immediate, set_immediate, "Queue messages only to completed connections.";
                ZMQ_IPV6: rw Bool: bool, ipv6, set_ipv6, "Use IPv6 as well as IPv4.";
                ZMQ_USE_FD: ro Int: i32, use_fd, "The descriptor the next bind will use (-1: none). There is no setter: libzmq takes the descriptor over, so [`SocketCore::bind_fd`] does it with an `OwnedFd`.";
                ZMQ_TOS: rw Int: i32, tos, set_tos, "IP type-of-service of outgoing packets.";
            }

            /// Reconnection, handshakes and heartbeats.
            [SocketCore] {
                ZMQ_RECONNECT_IVL: rw MillisOrInfinite: Option<Duration>, reconnect_ivl, set_reconnect_ivl, "Initial interval between reconnection attempts (`None`: never reconnect; default 100 ms).";
                ZMQ_RECONNECT_IVL_MAX: rw MillisOrOff: Option<Duration>, reconnect_ivl_max, set_reconnect_ivl_max, "Maximum reconnection interval for exponential backoff (`None`: no backoff).";
                ZMQ_CONNECT_TIMEOUT: rw MillisOrOff: Option<Duration>, connect_timeout, set_connect_timeout, "How long a TCP connect may take (`None`: the system's default).";
                ZMQ_HANDSHAKE_IVL: rw MillisOrOff: Option<Duration>, handshake_ivl, set_handshake_ivl, "How long the ZMTP handshake may take (`None`: no limit; default 30 s).";
                ZMQ_HEARTBEAT_IVL: rw MillisOrOff: Option<Duration>, heartbeat_ivl, set_heartbeat_ivl, "Interval between ZMTP heartbeat PINGs (`None`: no heartbeats).";
                ZMQ_HEARTBEAT_TIMEOUT: rw MillisOrOff: Option<Duration>, heartbeat_timeout, set_heartbeat_timeout, "How long to wait for traffic after a PING before closing the connection (`None`: the heartbeat interval).";
                ZMQ_HEARTBEAT_TTL: rw HeartbeatTtl: Option<Duration>, heartbeat_ttl, set_heartbeat_ttl, "Time-to-live the peer is told to apply to this side's PINGs; rounded up to libzmq's decisecond (`None`: none).";
                ZMQ_TCP_MAXRT: rw MillisOrOff: Option<Duration>, tcp_maxrt, set_tcp_maxrt, "TCP maximum retransmit timeout (`TCP_USER_TIMEOUT`; `None`: the system's default).";
            }

            /// TCP and network.
            [SocketCore] {
                ZMQ_TCP_KEEPALIVE: rw Keepalive: TcpKeepalive, tcp_keepalive, set_tcp_keepalive, "TCP keepalive (`SO_KEEPALIVE`).";
                ZMQ_TCP_KEEPALIVE_CNT: rw OrDefault: Option<u32>, tcp_keepalive_cnt, set_tcp_keepalive_cnt, "TCP keepalive probes before dropping (`None`: the system's default).";
                ZMQ_TCP_KEEPALIVE_IDLE: rw SecondsOrDefault: Option<Duration>, tcp_keepalive_idle, set_tcp_keepalive_idle, "Idle time before the first keepalive probe, whole seconds rounded up (`None`: the system's default).";
                ZMQ_TCP_KEEPALIVE_INTVL: rw SecondsOrDefault: Option<Duration>, tcp_keepalive_intvl, set_tcp_keepalive_intvl, "Interval between keepalive probes, whole seconds rounded up (`None`: the system's default).";
                ZMQ_MULTICAST_HOPS: rw Int: i32, multicast_hops, set_multicast_hops, "Multicast TTL (hops).";
                ZMQ_RATE: rw NonNegative: u32, rate, set_rate, "Multicast data rate, kilobits per second.";
                ZMQ_RECOVERY_IVL: rw Millis: Duration, recovery_ivl, set_recovery_ivl, "Multicast recovery interval.";
                ZMQ_MULTICAST_MAXTPDU: rw NonNegative: u32, multicast_maxtpdu, set_multicast_maxtpdu, "Largest multicast transport data unit, bytes.";
                ZMQ_SOCKS_PROXY: rw str, socks_proxy, set_socks_proxy, "SOCKS5 proxy (`host:port`) for outgoing TCP connections; empty for none.";
                ZMQ_BINDTODEVICE: rw str, bindtodevice, set_bindtodevice, "Network interface all TCP traffic of the socket is bound to (`SO_BINDTODEVICE`, needs `CAP_NET_RAW`).";
                ZMQ_IPV4ONLY: rw Bool: bool, ipv4only, set_ipv4only, "Deprecated inverse of `ZMQ_IPV6`.";
                ZMQ_TCP_ACCEPT_FILTER: wo bytes, set_tcp_accept_filter, "Deprecated (use ZAP): accept TCP connections only from this address; an empty value clears the list.";
                ZMQ_IPC_FILTER_PID: wo Int: i32, set_ipc_filter_pid, "Deprecated (use ZAP): accept IPC connections only from this process id.";
                ZMQ_IPC_FILTER_UID: wo Int: i32, set_ipc_filter_uid, "Deprecated (use ZAP): accept IPC connections only from this user id.";
                ZMQ_IPC_FILTER_GID: wo Int: i32, set_ipc_filter_gid, "Deprecated (use ZAP): accept IPC connections only from this group id.";
            }

            /// Identity. `man zmq_setsockopt` names REQ, REP, ROUTER and DEALER; libzmq
            /// accepts it on every type.
            [SocketCore] {
                ZMQ_ROUTING_ID: rw routing_id, routing_id, set_routing_id, "The routing id (identity) of this socket, as its ROUTER peers see it.";
            }

            /// Security.
            [SocketCore] {
                ZMQ_MECHANISM: ro MechanismCodec: Mechanism, mechanism, "The security mechanism in use.";
                ZMQ_ZAP_DOMAIN: rw str, zap_domain, set_zap_domain, "ZAP domain for authentication requests.";
                ZMQ_PLAIN_SERVER: rw Bool: bool, plain_server, set_plain_server, "Act as PLAIN server.";
                ZMQ_PLAIN_USERNAME: rw str, plain_username, set_plain_username, "PLAIN client user name (setting it selects PLAIN).";
                ZMQ_PLAIN_PASSWORD: rw str, plain_password, set_plain_password, "PLAIN client password (setting it selects PLAIN).";
                ZMQ_CURVE_SERVER: rw Bool: bool, curve_server, set_curve_server, "Act as CURVE server (needs the secret key set).";
                ZMQ_CURVE_PUBLICKEY: rw curve_key, curve_publickey / curve_publickey_z85, set_curve_publickey, "This side's long-term CURVE public key.";
                ZMQ_CURVE_SECRETKEY: rw curve_secret, curve_secretkey / curve_secretkey_z85, set_curve_secretkey, "This side's long-term CURVE secret key.";
                ZMQ_CURVE_SERVERKEY: rw curve_key, curve_serverkey / curve_serverkey_z85, set_curve_serverkey, "CURVE client: the server's public key (setting it makes this a CURVE client).";
                ZMQ_GSSAPI_SERVER: rw Bool: bool, gssapi_server, set_gssapi_server, "Act as GSSAPI server.";
                ZMQ_GSSAPI_PRINCIPAL: rw str, gssapi_principal, set_gssapi_principal, "This side's GSSAPI principal name.";
                ZMQ_GSSAPI_SERVICE_PRINCIPAL: rw str, gssapi_service_principal, set_gssapi_service_principal, "GSSAPI client: the server's principal name.";
                ZMQ_GSSAPI_PLAINTEXT: rw Bool: bool, gssapi_plaintext, set_gssapi_plaintext, "GSSAPI without encryption.";
                ZMQ_GSSAPI_PRINCIPAL_NAMETYPE: rw NameType: GssapiNameType, gssapi_principal_nametype, set_gssapi_principal_nametype, "How `ZMQ_GSSAPI_PRINCIPAL` is to be read.";
                ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE: rw NameType: GssapiNameType, gssapi_service_principal_nametype, set_gssapi_service_principal_nametype, "How `ZMQ_GSSAPI_SERVICE_PRINCIPAL` is to be read.";
            }

            /// VMCI transport options. libzmq refuses them ([`Error::InvalidArgument`](crate::Error::InvalidArgument))
            /// when it was built without VMCI, as distributions' packages are: [`crate::has`]
            /// with [`crate::Capability::Vmci`] tells.
            [SocketCore] {
                ZMQ_VMCI_BUFFER_SIZE: rw U64: u64, vmci_buffer_size, set_vmci_buffer_size, "VMCI buffer size.";
                ZMQ_VMCI_BUFFER_MIN_SIZE: rw U64: u64, vmci_buffer_min_size, set_vmci_buffer_min_size, "VMCI minimum buffer size.";
                ZMQ_VMCI_BUFFER_MAX_SIZE: rw U64: u64, vmci_buffer_max_size, set_vmci_buffer_max_size, "VMCI maximum buffer size.";
                ZMQ_VMCI_CONNECT_TIMEOUT: rw Int: i32, vmci_connect_timeout, set_vmci_connect_timeout, "VMCI connect timeout, milliseconds.";
            }

            // The options of some socket types only. `zmq_getsockopt` refuses most of them
            // (EINVAL): those have a setter only.

            /// `ZMQ_CONFLATE`: PUB, SUB, PUSH, PULL, DEALER.
            [Socket, Pub, Sub, Push, Pull, Dealer] {
                ZMQ_CONFLATE: rw Bool: bool, conflate, set_conflate, "Keeps only the last message in the queues (PUB, SUB, PUSH, PULL, DEALER; single-frame messages only).";
            }

            /// `ZMQ_INVERT_MATCHING`: PUB, XPUB, SUB, and XSUB (whose matching SUB's is).
            [Socket, Pub, Sub, XPub, XSub] {
                ZMQ_INVERT_MATCHING: rw Bool: bool, invert_matching, set_invert_matching, "Delivers the messages that do *not* match the subscriptions (PUB, XPUB, SUB, XSUB; publishers and subscribers need the same setting).";
            }

            /// `ZMQ_PROBE_ROUTER`: ROUTER, DEALER, REQ.
            [Socket, Router, Dealer, Req<S>] {
                ZMQ_PROBE_ROUTER: wo Bool: bool, set_probe_router, "Sends an empty message to a ROUTER peer on connecting (ROUTER, DEALER, REQ).";
            }

            /// `ZMQ_CONNECT_ROUTING_ID`: ROUTER, STREAM.
            [Socket, Router, Stream] {
                ZMQ_CONNECT_ROUTING_ID: wo routing_id, set_connect_routing_id, "The routing id to give the peer of the next `connect` (ROUTER, STREAM).";
            }

            /// The ROUTER options.
            [Socket, Router] {
                ZMQ_ROUTER_MANDATORY: wo Bool: bool, set_router_mandatory, "ROUTER: fails a send to an unknown peer with `EHOSTUNREACH` (and to a full peer with `EAGAIN`) instead of dropping the message.";
                ZMQ_ROUTER_HANDOVER: wo Bool: bool, set_router_handover, "ROUTER: a new peer with a routing id already in use takes it over from the old one.";
            }

            /// `ZMQ_ROUTER_RAW`, deprecated: the typed API has [`Stream`](crate::Stream).
            [Socket] {
                ZMQ_ROUTER_RAW: wo Bool: bool, set_router_raw, "Deprecated (use STREAM): ROUTER in raw TCP mode.";
            }

            /// `ZMQ_REQ_CORRELATE`: REQ. `Req::set_req_correlate` is written by hand: it
            /// also keeps the flag that `Req::abandon` reads.
            [Socket, Req<S> (by_hand)] {
                ZMQ_REQ_CORRELATE: wo Bool: bool, set_req_correlate, "REQ: prefixes each request with a request id and accepts only the reply that carries it back. Changes the envelope a ROUTER peer sees (`[id][request id][][body]`).";
            }

            /// `ZMQ_REQ_RELAXED`: REQ. `Req::set_req_relaxed` is written by hand: it also
            /// keeps the flag that `Req::abandon` reads.
            [Socket, Req<S> (by_hand)] {
                ZMQ_REQ_RELAXED: wo Bool: bool, set_req_relaxed, "REQ: allows a new request without waiting for the reply.";
            }

            /// The XPUB options.
            [Socket, XPub] {
                ZMQ_XPUB_VERBOSE: wo Bool: bool, set_xpub_verbose, "XPUB: passes every subscription up, duplicates included (not only the first of each topic).";
                ZMQ_XPUB_VERBOSER: wo Bool: bool, set_xpub_verboser, "XPUB: passes every subscription and unsubscription up, duplicates included.";
                ZMQ_XPUB_MANUAL: wo Bool: bool, set_xpub_manual, "XPUB: subscriptions are applied by the application (with `subscribe`), not by libzmq.";
                ZMQ_XPUB_WELCOME_MSG: wo bytes, set_xpub_welcome_msg, "XPUB: a message sent to each new subscriber on connecting (empty: none); subscribers must subscribe to it to see it.";
            }

            /// `ZMQ_XPUB_NODROP`: XPUB, PUB.
            [Socket, Pub, XPub] {
                ZMQ_XPUB_NODROP: wo Bool: bool, set_xpub_nodrop, "XPUB, PUB: at a subscriber's high-water mark, fails the send with `EAGAIN` instead of dropping the message.";
            }

            /// `ZMQ_STREAM_NOTIFY`: STREAM.
            [Socket, Stream] {
                ZMQ_STREAM_NOTIFY: wo Bool: bool, set_stream_notify, "STREAM: delivers an empty message when a peer connects or goes away (on by default).";
            }
        }
    };
}

pub(crate) use option_table;
