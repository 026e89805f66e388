//! `norm://` endpoints that NORM cannot use are errors, never aborts: libzmq 4.3.4 accepts
//! them in `zmq_connect`/`zmq_bind` and aborts the process from its I/O thread when NORM fails
//! to set the session up (`session_base.cpp:755` for a PUB, `766` for a SUB).
//!
//! The test runs in a child process in a fresh network namespace (`unshare -n`, or
//! `unshare -rn` when not root), whose loopback it takes through the states that matter:
//! down without an address (as a fresh namespace has it), up, up without addresses, down with
//! an address, up with multicast and a multicast route. Without the permission to make a
//! namespace the test skips loudly, unless `ZMQ_TYPED_REQUIRE_ALL` is set (CI), where a skip
//! is a failure. Every accepted endpoint is connected and bound by a PUB and by a SUB, each in
//! a context of its own that is dropped at once: its termination waits until libzmq's I/O
//! thread has set the session up, which is where libzmq would abort.

mod common;

use std::time::Duration;

use common::child::{self, ip};
use common::*;
use zmq_typed::{Context, Error, Socket, SocketType};

const TEST: &str = "norm_endpoints_norm_cannot_use_are_errors_not_aborts";

const KINDS: [SocketType; 2] = [SocketType::Pub, SocketType::Sub];

/// Connects or binds `socket` to `endpoint`.
fn attach(socket: &Socket, bind: bool, endpoint: &str) -> Result<(), Error> {
    if bind {
        socket.bind(endpoint).map(drop)
    } else {
        socket.connect(endpoint).map(drop)
    }
}

/// Connect and bind on `endpoint`, by a PUB and by a SUB, are all refused with the same error,
/// which is returned; the sockets go on working.
fn refused(endpoint: &str) -> Error {
    let ctx = Context::new().unwrap();
    let mut errors = Vec::new();
    for kind in KINDS {
        for bind in [false, true] {
            let socket = Socket::new(&ctx, kind).unwrap();
            match attach(&socket, bind, endpoint) {
                Err(e) => errors.push(e),
                Ok(()) => panic!("{endpoint}: {kind} (bind {bind}) accepted"),
            }
            // The process is alive and the socket usable.
            socket
                .bind(format!("inproc://still-alive-{}", errors.len()))
                .unwrap();
        }
    }
    let first = errors[0].clone();
    assert!(errors.iter().all(|e| *e == first), "{endpoint}: {errors:?}");
    eprintln!("refused: {first}");
    first
}

/// Connect and bind on `endpoint`, by a PUB and by a SUB, each in a context of its own, are
/// accepted, and libzmq sets the session up without aborting.
fn accepted(endpoint: &str) {
    for kind in KINDS {
        for bind in [false, true] {
            let ctx = Context::new().unwrap();
            let socket = Socket::new(&ctx, kind).unwrap();
            socket.set_linger(Some(Duration::ZERO)).unwrap();
            attach(&socket, bind, endpoint)
                .unwrap_or_else(|e| panic!("{endpoint}: {kind} (bind {bind}): {e:?}"));
            drop(socket);
            drop(ctx);
        }
    }
    eprintln!("accepted: {endpoint}");
}

fn unusable(endpoint: &str, reason: &str) -> Error {
    Error::MulticastUnusable {
        endpoint: endpoint.to_string(),
        reason: reason.to_string(),
    }
}

fn unknown(endpoint: &str, interface: &str) -> Error {
    Error::UnknownInterface {
        endpoint: endpoint.to_string(),
        interface: interface.to_string(),
    }
}

const NO_ROUTE: &str = "no interface is named and no route leads to 239.192.1.1 (Network is \
    unreachable (os error 101)), so NORM cannot join the group; libzmq would abort the process \
    (name an interface, or add a route to 224.0.0.0/4)";

fn body() {
    // A fresh namespace: lo is down and has no address at all.
    let lo_down = "interface `lo` has no IPv4 address (it is down), so NORM cannot join the \
                   group on it; libzmq would abort the process";
    for ep in ["norm://lo;239.192.1.1:5555", "norm://7,lo;239.192.1.1:5555"] {
        assert_eq!(refused(ep), unusable(ep, lo_down));
    }
    let ep = "norm://127.0.0.1;239.192.1.1:5555";
    assert_eq!(refused(ep), unknown(ep, "127.0.0.1"));
    for ep in ["norm://239.192.1.1:5555", "norm://7,239.192.1.1:5555"] {
        assert_eq!(refused(ep), unusable(ep, NO_ROUTE));
    }
    assert_eq!(
        refused("norm://lo;239.192.1.1:5555").to_string(),
        format!("norm://lo;239.192.1.1:5555: {lo_down}")
    );

    // lo up: 127.0.0.1 and ::1, but neither the multicast flag nor a multicast route, which a
    // NORM endpoint that names its interface does not need.
    ip(&["link", "set", "lo", "up"]);
    accepted("norm://lo;239.192.1.2:5556");
    accepted("norm://7,lo;239.192.1.2:5556");
    accepted("norm://127.0.0.1;239.192.1.2:5556");
    // An IPv6 address stands for its interface, whose IPv4 address NORM joins on.
    accepted("norm://::1;239.192.1.2:5556");
    for ep in ["norm://239.192.1.1:5555", "norm://7,239.192.1.1:5555"] {
        assert_eq!(refused(ep), unusable(ep, NO_ROUTE));
    }
    // An alias that does not exist (the kernel's if_nametoindex would strip `:1`; NORM does
    // not).
    let ep = "norm://lo:1;239.192.1.1:5555";
    assert_eq!(refused(ep), unknown(ep, "lo:1"));
    let ep = "norm://[::1];239.192.1.1:5555";
    assert_eq!(
        refused(ep),
        unusable(
            ep,
            "NORM reads an interface address without brackets (`::1`), not `[::1]`; libzmq \
             would abort the process"
        )
    );
    let ep = "norm://lo;[ff0e::1]:5555";
    assert_eq!(
        refused(ep),
        unusable(
            ep,
            "libzmq hands NORM the group as written, in brackets (`[ff0e::1]`), which NORM \
             cannot read; libzmq would abort the process"
        )
    );
    // An alias that exists.
    ip(&["addr", "add", "127.0.0.2/8", "dev", "lo", "label", "lo:0"]);
    accepted("norm://lo:0;239.192.1.2:5556");
    accepted("norm://127.0.0.2;239.192.1.2:5556");

    // lo up without any address.
    ip(&["addr", "flush", "dev", "lo"]);
    let ep = "norm://lo;239.192.1.1:5555";
    assert_eq!(
        refused(ep),
        unusable(
            ep,
            "interface `lo` has no IPv4 address, so NORM cannot join the group on it; libzmq \
             would abort the process"
        )
    );
    let ep = "norm://::1;239.192.1.1:5555";
    assert_eq!(refused(ep), unknown(ep, "::1"));

    // lo down, keeping its address: NORM joins on it, so it is not refused.
    ip(&["addr", "add", "127.0.0.1/8", "dev", "lo"]);
    ip(&["link", "set", "lo", "down"]);
    accepted("norm://lo;239.192.1.2:5556");
    accepted("norm://127.0.0.1;239.192.1.2:5556");

    // lo up with multicast and a multicast route (as tests/multicast.rs sets it up): an
    // endpoint without an interface has a route to its group.
    child::multicast_loopback();
    accepted("norm://239.192.1.1:5555");
    accepted("norm://7,239.192.1.1:5555");
    accepted("norm://lo;239.192.1.1:5555");
}

#[test]
fn norm_endpoints_norm_cannot_use_are_errors_not_aborts() {
    if child::is_child(TEST) {
        body();
        return;
    }
    let Some(wrapper) = child::namespace_wrapper() else {
        skip(TEST, child::NO_NAMESPACE);
        return;
    };
    let out = child::run(wrapper, TEST, Duration::from_secs(120));
    child::check(TEST, &out);
}
