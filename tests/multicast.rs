//! Multicast for real: PUB/SUB over epgm://, pgm:// and norm:// inside a fresh network
//! namespace whose loopback carries multicast; and pgm:// without raw-socket permission
//! returning an error instead of aborting the process.
//!
//! The parent tests re-run this test binary in a child process (under `unshare -n`, or
//! `unshare -rn` when not root; under `setpriv` without CAP_NET_RAW), which runs the
//! `*_child` test. Without the permissions to do that, the tests skip loudly, unless
//! `ZMQ_TYPED_REQUIRE_ALL` is set (CI), where a skip is a failure.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use zmq_typed::{Error, Socket, SocketType};

const CHILD_ENV: &str = "ZMQ_TYPED_MULTICAST_CHILD";

fn in_child() -> bool {
    std::env::var_os(CHILD_ENV).is_some()
}

/// Runs `test` of this binary in a child under `wrapper`; returns None when the wrapper
/// itself could not run (missing permission or tool).
fn run_child(wrapper: &[&str], test: &str) -> Option<std::process::Output> {
    let exe = std::env::current_exe().expect("test binary path");
    let probe = Command::new(wrapper[0])
        .args(&wrapper[1..])
        .arg("true")
        .output()
        .ok()?;
    if !probe.status.success() {
        eprintln!(
            "{} cannot run here: {}",
            wrapper.join(" "),
            String::from_utf8_lossy(&probe.stderr).trim()
        );
        return None;
    }
    Command::new(wrapper[0])
        .args(&wrapper[1..])
        .arg(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, "1")
        .output()
        .ok()
}

fn check_child(name: &str, out: std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{name} failed in the child:\n{stdout}\n{stderr}"
    );
}

#[test]
fn multicast_pub_sub_in_a_network_namespace() {
    if in_child() {
        return;
    }
    let wrapper: &[&str] = if is_root() {
        &["unshare", "-n"]
    } else {
        &["unshare", "-rn"]
    };
    match run_child(wrapper, "multicast_child") {
        Some(out) => check_child("multicast_child", out),
        None => skip(
            "multicast_pub_sub_in_a_network_namespace",
            "cannot create a network namespace (needs root or unprivileged user namespaces)",
        ),
    }
}

fn sh(args: &[&str]) {
    let st = Command::new(args[0])
        .args(&args[1..])
        .status()
        .expect("run ip");
    assert!(st.success(), "{args:?} failed");
}

/// Publishes until the subscriber has the first message (multicast has no handshake to
/// wait on: a joining receiver misses what was sent before it joined), then checks that a
/// numbered run of messages arrives in order.
fn exchange(pub_ep: &str, sub_ep: &str) {
    let ctx = zmq_typed::Context::new().unwrap();
    let sub = Socket::new(&ctx, SocketType::Sub).unwrap();
    sub.set_subscribe("").unwrap();
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
    if !in_child() {
        return;
    }
    sh(&["ip", "link", "set", "lo", "up"]);
    sh(&["ip", "link", "set", "lo", "multicast", "on"]);
    sh(&["ip", "route", "add", "224.0.0.0/4", "dev", "lo"]);
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
}

#[test]
fn pgm_without_raw_socket_permission_is_an_error() {
    if in_child() {
        return;
    }
    if !zmq_typed::pgm_permitted() {
        pgm_refused();
        return;
    }
    match run_child(
        &["setpriv", "--inh-caps=-net_raw", "--bounding-set=-net_raw"],
        "pgm_child",
    ) {
        Some(out) => check_child("pgm_child", out),
        None => skip(
            "pgm_without_raw_socket_permission_is_an_error",
            "setpriv cannot drop CAP_NET_RAW here",
        ),
    }
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
    if !in_child() {
        return;
    }
    assert!(!zmq_typed::pgm_permitted(), "CAP_NET_RAW should be gone");
    pgm_refused();
}
