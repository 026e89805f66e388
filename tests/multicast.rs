//! Multicast for real: PUB/SUB over epgm://, pgm:// and norm:// inside a fresh network
//! namespace whose loopback carries multicast; and pgm:// without raw-socket permission
//! returning an error instead of aborting the process.
//!
//! The parent tests re-run this test binary in a child process (under `unshare -n`, or
//! `unshare -rn` when not root; under `setpriv` without CAP_NET_RAW), which runs the
//! `*_child` test. Without the permissions to do that, the tests skip loudly, unless
//! `ZMQ_TYPED_REQUIRE_ALL` is set (CI), where a skip is a failure.

mod common;

use std::time::{Duration, Instant};

use common::child;
use common::*;
use zmq_typed::{Error, Socket, SocketType};

/// The test that runs in the child in a network namespace.
const NAMESPACE_CHILD: &str = "multicast_child";
/// The test that runs in the child without CAP_NET_RAW.
const PGM_CHILD: &str = "pgm_child";

#[test]
fn multicast_pub_sub_in_a_network_namespace() {
    let Some(wrapper) = child::namespace_wrapper() else {
        skip(
            "multicast_pub_sub_in_a_network_namespace",
            child::NO_NAMESPACE,
        );
        return;
    };
    let out = child::run(wrapper, NAMESPACE_CHILD, Duration::from_secs(300));
    child::check(NAMESPACE_CHILD, &out);
}

/// Publishes until the subscriber has the first message (multicast has no handshake to
/// wait on: a joining receiver misses what was sent before it joined), then checks that a
/// numbered run of messages arrives in order.
fn exchange(pub_ep: &str, sub_ep: &str) {
    let ctx = zmq_typed::Context::new().unwrap();
    let sub = Socket::new(&ctx, SocketType::Sub).unwrap();
    sub.subscribe("").unwrap();
    sub.connect(sub_ep)
        .unwrap_or_else(|e| panic!("sub connect {sub_ep}: {e}"));
    let publisher = Socket::new(&ctx, SocketType::Pub).unwrap();
    publisher.set_linger(Some(Duration::ZERO)).unwrap();
    publisher
        .connect(pub_ep)
        .unwrap_or_else(|e| panic!("pub connect {pub_ep}: {e}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        publisher.send("hello").unwrap();
        if let Ok(m) = sub.recv_timeout(Duration::from_millis(100)) {
            assert_eq!(m, "hello");
            break;
        }
        assert!(Instant::now() < deadline, "{pub_ep}: nothing arrived");
    }
    while sub.try_recv().unwrap().is_some() {}
    for i in 0..20 {
        publisher.send(format!("msg {i}")).unwrap();
    }
    let mut got = Vec::new();
    while got.len() < 20 {
        let m = sub
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|e| panic!("{pub_ep}: {e} after {got:?}"));
        let text = m.as_str().unwrap().to_string();
        if text != "hello" {
            got.push(text);
        }
    }
    assert_eq!(
        got,
        (0..20).map(|i| format!("msg {i}")).collect::<Vec<_>>(),
        "{pub_ep}"
    );
    eprintln!("{pub_ep}: 20 messages in order");
}

#[test]
fn multicast_child() {
    if !child::is_child(NAMESPACE_CHILD) {
        return;
    }
    child::multicast_loopback();
    exchange(
        "epgm://127.0.0.1;239.192.1.1:5555",
        "epgm://127.0.0.1;239.192.1.1:5555",
    );
    // Inside the namespace we are root (or mapped to it): raw sockets are allowed.
    assert!(
        zmq_typed::pgm_permitted(),
        "pgm should be permitted in the namespace"
    );
    exchange(
        "pgm://127.0.0.1;239.192.1.2:5556",
        "pgm://127.0.0.1;239.192.1.2:5556",
    );
    exchange(
        "norm://127.0.0.1;239.192.1.3:5557",
        "norm://127.0.0.1;239.192.1.3:5557",
    );
    // NORM node ids, with and without an interface (the route to 224.0.0.0/4 leads there).
    exchange(
        "norm://1,127.0.0.1;239.192.1.4:5558",
        "norm://2,127.0.0.1;239.192.1.4:5558",
    );
    exchange("norm://3,239.192.1.5:5559", "norm://4,239.192.1.5:5559");
}

#[test]
fn pgm_without_raw_socket_permission_is_an_error() {
    if !zmq_typed::pgm_permitted() {
        pgm_refused();
        return;
    }
    let wrapper = ["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw"];
    if let Err(why) = child::probe(&wrapper) {
        skip(
            "pgm_without_raw_socket_permission_is_an_error",
            &format!("setpriv cannot drop CAP_NET_RAW here: {why}"),
        );
        return;
    }
    let out = child::run(&wrapper, PGM_CHILD, Duration::from_secs(120));
    child::check(PGM_CHILD, &out);
}

fn pgm_refused() {
    let ctx = zmq_typed::Context::new().unwrap();
    let s = Socket::new(&ctx, SocketType::Pub).unwrap();
    match s.connect("pgm://127.0.0.1;239.192.1.1:5555") {
        Err(e @ Error::PgmPermission { .. }) => {
            assert!(e.to_string().contains("raw sockets"), "{e}");
        }
        other => panic!("expected PgmPermission, got {other:?}"),
    }
    // The process lives on and the socket still works.
    s.bind("inproc://still-alive").unwrap();
}

#[test]
fn pgm_child() {
    if !child::is_child(PGM_CHILD) {
        return;
    }
    assert!(!zmq_typed::pgm_permitted(), "CAP_NET_RAW should be gone");
    pgm_refused();
}
