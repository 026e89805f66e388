//! Every socket option that can be both set and read round-trips; every read-only one
//! reads; every write-only one is accepted; out-of-range values are typed errors.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{Error, GssapiNameType, Mechanism, PollEvents, Socket, SocketType, TcpKeepalive};

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// set_x(v) then x() == expected, for each (v, expected).
macro_rules! round_trip {
    ($s:expr, $get:ident, $set:ident, [$(($v:expr, $want:expr)),+ $(,)?]) => {
        $(
            $s.$set($v).unwrap_or_else(|e| panic!("{}({}): {e}", stringify!($set), stringify!($v)));
            assert_eq!($s.$get().unwrap(), $want, "{} after {}({})", stringify!($get), stringify!($set), stringify!($v));
        )+
    };
}

#[test]
fn general_options_round_trip() {
    let ctx = ctx();
    let s = Socket::new(&ctx, SocketType::Dealer).unwrap();
    round_trip!(s, affinity, set_affinity, [(3u64, 3u64), (0, 0)]);
    round_trip!(s, backlog, set_backlog, [(50, 50), (100, 100)]);
    round_trip!(
        s,
        linger,
        set_linger,
        [
            (None, None),
            (Some(Duration::ZERO), Some(Duration::ZERO)),
            (Some(ms(1500)), Some(ms(1500)))
        ]
    );
    // Sub-millisecond values round up, never down to 0 (which would mean "do not wait").
    round_trip!(
        s,
        linger,
        set_linger,
        [
            (Some(Duration::from_micros(10)), Some(ms(1))),
            (Some(Duration::from_micros(1001)), Some(ms(2)))
        ]
    );
    round_trip!(
        s,
        max_msg_size,
        set_max_msg_size,
        [(Some(4096u64), Some(4096u64)), (None, None)]
    );
    round_trip!(
        s,
        sndhwm,
        set_sndhwm,
        [(Some(10u32), Some(10u32)), (None, None)]
    );
    round_trip!(
        s,
        rcvhwm,
        set_rcvhwm,
        [(Some(20u32), Some(20u32)), (None, None)]
    );
    round_trip!(
        s,
        rcvtimeo,
        set_rcvtimeo,
        [
            (Some(ms(250)), Some(ms(250))),
            (Some(Duration::ZERO), Some(Duration::ZERO)),
            (None, None)
        ]
    );
    round_trip!(
        s,
        sndtimeo,
        set_sndtimeo,
        [(Some(ms(250)), Some(ms(250))), (None, None)]
    );
    round_trip!(
        s,
        sndbuf,
        set_sndbuf,
        [(Some(65536u32), Some(65536u32)), (None, None)]
    );
    round_trip!(
        s,
        rcvbuf,
        set_rcvbuf,
        [(Some(65536u32), Some(65536u32)), (None, None)]
    );
    round_trip!(s, immediate, set_immediate, [(true, true), (false, false)]);
    round_trip!(s, ipv6, set_ipv6, [(true, true), (false, false)]);
    round_trip!(s, conflate, set_conflate, [(true, true), (false, false)]);
    assert_eq!(s.use_fd().unwrap(), -1);
    round_trip!(s, tos, set_tos, [(0x10, 0x10)]);
    round_trip!(s, ipv4only, set_ipv4only, [(false, false), (true, true)]);
    let pub_ = Socket::new(&ctx, SocketType::Pub).unwrap();
    round_trip!(
        pub_,
        invert_matching,
        set_invert_matching,
        [(true, true), (false, false)]
    );
}

#[test]
fn connection_options_round_trip() {
    let ctx = ctx();
    let s = Socket::new(&ctx, SocketType::Dealer).unwrap();
    round_trip!(
        s,
        reconnect_ivl,
        set_reconnect_ivl,
        [(Some(ms(250)), Some(ms(250))), (None, None)]
    );
    round_trip!(
        s,
        reconnect_ivl_max,
        set_reconnect_ivl_max,
        [(Some(ms(5000)), Some(ms(5000))), (None, None)]
    );
    round_trip!(
        s,
        connect_timeout,
        set_connect_timeout,
        [(Some(ms(700)), Some(ms(700))), (None, None)]
    );
    round_trip!(
        s,
        handshake_ivl,
        set_handshake_ivl,
        [(Some(ms(900)), Some(ms(900))), (None, None)]
    );
    round_trip!(
        s,
        heartbeat_ivl,
        set_heartbeat_ivl,
        [(Some(ms(100)), Some(ms(100))), (None, None)]
    );
    round_trip!(
        s,
        heartbeat_timeout,
        set_heartbeat_timeout,
        [(Some(ms(300)), Some(ms(300)))]
    );
    // libzmq keeps the TTL in deciseconds: 150 ms rounds up to 200 ms, 1 ms to 100 ms.
    round_trip!(
        s,
        heartbeat_ttl,
        set_heartbeat_ttl,
        [
            (Some(ms(2000)), Some(ms(2000))),
            (Some(ms(150)), Some(ms(200))),
            (Some(ms(1)), Some(ms(100))),
            (None, None)
        ]
    );
    round_trip!(
        s,
        tcp_maxrt,
        set_tcp_maxrt,
        [(Some(ms(3000)), Some(ms(3000))), (None, None)]
    );
    round_trip!(
        s,
        tcp_keepalive,
        set_tcp_keepalive,
        [
            (TcpKeepalive::On, TcpKeepalive::On),
            (TcpKeepalive::Off, TcpKeepalive::Off),
            (TcpKeepalive::SystemDefault, TcpKeepalive::SystemDefault)
        ]
    );
    round_trip!(
        s,
        tcp_keepalive_cnt,
        set_tcp_keepalive_cnt,
        [(Some(5u32), Some(5u32)), (None, None)]
    );
    round_trip!(
        s,
        tcp_keepalive_idle,
        set_tcp_keepalive_idle,
        [
            (Some(Duration::from_secs(60)), Some(Duration::from_secs(60))),
            (Some(ms(1500)), Some(Duration::from_secs(2))),
            (None, None)
        ]
    );
    round_trip!(
        s,
        tcp_keepalive_intvl,
        set_tcp_keepalive_intvl,
        [
            (Some(Duration::from_secs(5)), Some(Duration::from_secs(5))),
            (None, None)
        ]
    );
    round_trip!(
        s,
        socks_proxy,
        set_socks_proxy,
        [("127.0.0.1:1080", "127.0.0.1:1080"), ("", "")]
    );
    round_trip!(s, bindtodevice, set_bindtodevice, [("lo", "lo")]);
    round_trip!(
        s,
        routing_id,
        set_routing_id,
        [
            ("worker-1", b"worker-1".to_vec()),
            (&[1u8, 2, 3][..], vec![1u8, 2, 3])
        ]
    );

    let m = Socket::new(&ctx, SocketType::Pub).unwrap();
    round_trip!(m, multicast_hops, set_multicast_hops, [(4, 4)]);
    round_trip!(m, rate, set_rate, [(1000u32, 1000u32)]);
    round_trip!(m, recovery_ivl, set_recovery_ivl, [(ms(5000), ms(5000))]);
    round_trip!(
        m,
        multicast_maxtpdu,
        set_multicast_maxtpdu,
        [(1400u32, 1400u32)]
    );
}

#[test]
fn security_options_round_trip() {
    let ctx = ctx();
    let s = Socket::new(&ctx, SocketType::Rep).unwrap();
    assert_eq!(s.mechanism().unwrap(), Mechanism::Null);
    round_trip!(s, zap_domain, set_zap_domain, [("global", "global")]);
    round_trip!(s, plain_server, set_plain_server, [(true, true)]);
    assert_eq!(s.mechanism().unwrap(), Mechanism::Plain);
    round_trip!(s, plain_username, set_plain_username, [("admin", "admin")]);
    round_trip!(
        s,
        plain_password,
        set_plain_password,
        [("secret", "secret")]
    );

    let keys = zmq_typed::CurveKeyPair::generate().unwrap();
    let c = Socket::new(&ctx, SocketType::Req).unwrap();
    c.set_curve_secretkey(&keys.secret).unwrap();
    c.set_curve_publickey(keys.public.to_z85().as_str())
        .unwrap();
    c.set_curve_serverkey(keys.public.as_bytes()).unwrap();
    assert_eq!(c.mechanism().unwrap(), Mechanism::Curve);
    assert_eq!(&c.curve_publickey().unwrap(), keys.public.as_bytes());
    assert_eq!(c.curve_secretkey().unwrap(), keys.secret);
    assert_eq!(c.curve_serverkey_z85().unwrap(), keys.public.to_z85());
    assert_eq!(c.curve_publickey_z85().unwrap(), keys.public.to_z85());
    assert_eq!(c.curve_secretkey_z85().unwrap(), keys.secret.to_z85());
    let srv = Socket::new(&ctx, SocketType::Rep).unwrap();
    round_trip!(srv, curve_server, set_curve_server, [(true, true)]);

    let g = Socket::new(&ctx, SocketType::Dealer).unwrap();
    round_trip!(
        g,
        gssapi_server,
        set_gssapi_server,
        [(true, true), (false, false)]
    );
    round_trip!(g, gssapi_plaintext, set_gssapi_plaintext, [(true, true)]);
    round_trip!(
        g,
        gssapi_principal,
        set_gssapi_principal,
        [("zmq/host@REALM", "zmq/host@REALM")]
    );
    round_trip!(
        g,
        gssapi_service_principal,
        set_gssapi_service_principal,
        [("svc@host", "svc@host")]
    );
    round_trip!(
        g,
        gssapi_principal_nametype,
        set_gssapi_principal_nametype,
        [
            (GssapiNameType::UserName, GssapiNameType::UserName),
            (GssapiNameType::Krb5Principal, GssapiNameType::Krb5Principal),
            (GssapiNameType::HostBased, GssapiNameType::HostBased)
        ]
    );
    round_trip!(
        g,
        gssapi_service_principal_nametype,
        set_gssapi_service_principal_nametype,
        [(GssapiNameType::Krb5Principal, GssapiNameType::Krb5Principal)]
    );
    assert_eq!(g.mechanism().unwrap(), Mechanism::Gssapi);
}

#[test]
fn read_only_options_read() {
    let ctx = ctx();
    for kind in SocketType::ALL {
        let s = Socket::new(&ctx, kind).unwrap();
        assert_eq!(s.socket_type_option().unwrap(), Some(kind));
        assert!(!s.thread_safe().unwrap());
        assert!(!s.has_more().unwrap());
        assert!(std::os::fd::AsRawFd::as_raw_fd(&s.fd().unwrap()) >= 0);
        assert_eq!(s.mechanism().unwrap(), Mechanism::Null);
        assert_eq!(s.last_endpoint().unwrap(), "");
    }
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    assert_eq!(pull.last_endpoint().unwrap(), ep.to_string());
    assert!(!pull.events().unwrap().contains(PollEvents::IN));
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.connect("inproc://ro-events").unwrap_or(());
    let pair_a = Socket::new(&ctx, SocketType::Pair).unwrap();
    let pair_b = Socket::new(&ctx, SocketType::Pair).unwrap();
    pair_a.bind("inproc://ro-events-pair").unwrap();
    pair_b.connect("inproc://ro-events-pair").unwrap();
    pair_b.send_multipart(["a", "b"]).unwrap();
    let first = pair_a.recv_frame().unwrap();
    assert!(first.more());
    assert!(pair_a.has_more().unwrap());
    assert!(pair_a.events().unwrap().contains(PollEvents::IN));
    assert!(pair_a.events().unwrap().contains(PollEvents::OUT));
}

#[test]
fn write_only_options_are_accepted() {
    let ctx = ctx();
    let router = Socket::new(&ctx, SocketType::Router).unwrap();
    router.set_router_mandatory(true).unwrap();
    router.set_router_handover(true).unwrap();
    router.set_probe_router(true).unwrap();
    router.set_connect_routing_id("peer-1").unwrap();
    let raw = Socket::new(&ctx, SocketType::Router).unwrap();
    raw.set_router_raw(true).unwrap();
    let req = Socket::new(&ctx, SocketType::Req).unwrap();
    req.set_req_correlate(true).unwrap();
    req.set_req_relaxed(true).unwrap();
    let xpub = Socket::new(&ctx, SocketType::XPub).unwrap();
    xpub.set_xpub_verbose(true).unwrap();
    xpub.set_xpub_verboser(true).unwrap();
    xpub.set_xpub_nodrop(true).unwrap();
    xpub.set_xpub_manual(true).unwrap();
    xpub.set_xpub_welcome_msg("welcome").unwrap();
    let stream = Socket::new(&ctx, SocketType::Stream).unwrap();
    stream.set_stream_notify(false).unwrap();
    let sub = Socket::new(&ctx, SocketType::Sub).unwrap();
    sub.subscribe("a").unwrap();
    sub.unsubscribe("a").unwrap();
    let tcp = Socket::new(&ctx, SocketType::Rep).unwrap();
    tcp.set_tcp_accept_filter("127.0.0.1").unwrap();
    tcp.set_tcp_accept_filter("").unwrap();
    tcp.set_ipc_filter_pid(std::process::id() as i32).unwrap();
    tcp.set_ipc_filter_uid(0).unwrap();
    tcp.set_ipc_filter_gid(0).unwrap();
}

#[test]
fn out_of_range_values_are_typed_errors() {
    let ctx = ctx();
    let s = Socket::new(&ctx, SocketType::Dealer).unwrap();
    let option_value = |r: zmq_typed::Result<()>, name: &str| match r {
        Err(Error::OptionValue { option, .. }) => assert_eq!(option, name),
        other => panic!("{name}: expected OptionValue, got {other:?}"),
    };
    option_value(s.set_sndhwm(Some(0)), "ZMQ_SNDHWM");
    option_value(s.set_rcvhwm(Some(u32::MAX)), "ZMQ_RCVHWM");
    option_value(
        s.set_linger(Some(Duration::from_secs(10_000_000))),
        "ZMQ_LINGER",
    );
    option_value(
        s.set_heartbeat_ivl(Some(Duration::ZERO)),
        "ZMQ_HEARTBEAT_IVL",
    );
    option_value(
        s.set_heartbeat_ttl(Some(Duration::from_secs(700_000))),
        "ZMQ_HEARTBEAT_TTL",
    );
    // libzmq's limit is 6553.5 s (deciseconds in 16 bits): 6554 s is the crate's range
    // error, not libzmq's EINVAL; the limit itself is accepted and reads back.
    option_value(
        s.set_heartbeat_ttl(Some(Duration::from_secs(6554))),
        "ZMQ_HEARTBEAT_TTL",
    );
    option_value(
        s.set_heartbeat_ttl(Some(Duration::from_millis(6_553_501))),
        "ZMQ_HEARTBEAT_TTL",
    );
    s.set_heartbeat_ttl(Some(Duration::from_millis(6_553_500)))
        .unwrap();
    assert_eq!(
        s.heartbeat_ttl().unwrap(),
        Some(Duration::from_millis(6_553_500))
    );
    option_value(s.set_routing_id(""), "ZMQ_ROUTING_ID");
    option_value(s.set_routing_id([0u8, 1]), "ZMQ_ROUTING_ID");
    option_value(s.set_routing_id(vec![b'x'; 256]), "ZMQ_ROUTING_ID");
    assert!(matches!(
        s.set_socks_proxy("a\0b"),
        Err(Error::Nul { position: 1, .. })
    ));
    // Values only libzmq can judge come back as its errno, named.
    assert!(matches!(
        s.set_multicast_hops(-5),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        s.set_curve_serverkey("too short"),
        Err(Error::Z85(_))
    ));
    // An option libzmq does not know: EINVAL through the raw escape hatch.
    assert!(matches!(
        s.option_raw_int(9999),
        Err(Error::InvalidArgument(_))
    ));
    assert_eq!(
        s.option_raw_int(zmq_typed::zmq_ffi::ZMQ_SNDHWM).unwrap(),
        1000
    );
}

#[test]
fn default_linger_is_the_crates_policy() {
    let ctx = ctx();
    let s = Socket::new(&ctx, SocketType::Push).unwrap();
    assert_eq!(
        s.linger().unwrap(),
        Some(zmq_typed::context::DEFAULT_LINGER)
    );
    let ctx2 = zmq_typed::Context::builder()
        .default_linger(None)
        .build()
        .unwrap();
    assert_eq!(
        Socket::new(&ctx2, SocketType::Push)
            .unwrap()
            .linger()
            .unwrap(),
        None
    );
}

#[test]
fn vmci_options_exist_and_libzmq_without_vmci_refuses_them() {
    let ctx = ctx();
    let s = Socket::new(&ctx, SocketType::Pair).unwrap();
    let result = s.set_vmci_buffer_size(65536);
    if zmq_typed::has(zmq_typed::Capability::Vmci) {
        result.unwrap();
        assert_eq!(s.vmci_buffer_size().unwrap(), 65536);
    } else {
        assert!(
            matches!(result, Err(Error::InvalidArgument(_))),
            "{result:?}"
        );
    }
}
