//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod zmtp;

pub mod child;
pub mod programs;
pub mod signals;
pub mod temp_dir;
pub mod watchdog;

use std::time::Duration;

use std::ops::Deref;

use zmq_typed::{Context, Endpoint, Multipart, Socket, SocketCore, SocketType};

/// Generous bound for anything that should happen at once: only reached when a test fails.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Whether skips of capability-dependent tests are failures (set by `.ci/run`).
pub fn require_all() -> bool {
    std::env::var_os("ZMQ_TYPED_REQUIRE_ALL").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Whether this process runs as root (effective user id 0).
pub fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// Says loudly that a test is skipped, or fails it when skips are not allowed.
pub fn skip(test: &str, why: &str) {
    let msg = format!("SKIPPED {test}: {why}");
    assert!(
        !require_all(),
        "{msg} (ZMQ_TYPED_REQUIRE_ALL forbids skipping)"
    );
    eprintln!("{msg}");
}

/// The transports every pair is tested over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Inproc,
    Ipc,
    Tcp,
}

pub const TRANSPORTS: [Transport; 3] = [Transport::Inproc, Transport::Ipc, Transport::Tcp];

/// A bind endpoint for `transport`, unique to this call.
pub fn bind_endpoint(transport: Transport, tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    match transport {
        Transport::Inproc => format!("inproc://{tag}-{n}"),
        // ipc://* makes libzmq pick a fresh path in a temporary folder.
        Transport::Ipc => "ipc://*".to_string(),
        Transport::Tcp => "tcp://127.0.0.1:*".to_string(),
    }
}

/// A context whose sockets linger briefly, so that a failing test never waits long.
pub fn ctx() -> Context {
    Context::new().expect("context")
}

/// A socket with a receive timeout so that a broken test fails instead of hanging.
pub fn socket(ctx: &Context, kind: SocketType) -> Socket {
    patient(Socket::new(ctx, kind).expect("socket"))
}

/// A patient `kind` socket connected to `endpoint`.
pub fn connected(ctx: &Context, kind: SocketType, endpoint: &Endpoint) -> Socket {
    let s = socket(ctx, kind);
    s.connect(endpoint).expect("connect");
    s
}

/// Binds `a` on `transport` and connects `b` to where it bound: dynamic or typed sockets,
/// through the core they share.
pub fn wire(a: &SocketCore, b: &SocketCore, transport: Transport, tag: &str) -> Endpoint {
    let ep = a.bind(bind_endpoint(transport, tag)).expect("bind");
    b.connect(&ep).expect("connect");
    ep
}

/// Gives a socket, dynamic or typed, generous timeouts, so that a broken test fails instead
/// of hanging.
pub fn patient<T: Deref<Target = SocketCore>>(socket: T) -> T {
    socket.set_rcvtimeo(Some(PATIENCE)).expect("rcvtimeo");
    socket.set_sndtimeo(Some(PATIENCE)).expect("sndtimeo");
    socket
}

pub fn frames(parts: &Multipart) -> Vec<Vec<u8>> {
    parts.to_vecs()
}

pub fn v(text: &str) -> Vec<u8> {
    text.as_bytes().to_vec()
}
