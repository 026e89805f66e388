//! `ZMQ_USE_FD` with ownership in the type: `bind_fd` takes an `OwnedFd`, refuses what libzmq
//! would abort on, and switches the option off after the bind.

mod common;

use std::fs::File;
use std::io::{Read, Seek, Write};
use std::net::{TcpListener, UdpSocket};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixListener;

use common::*;
use zmq_typed::{Error, Socket, SocketType};

fn round_trip(pull: &Socket, endpoint: &str, text: &str) {
    let push = socket(pull.context(), SocketType::Push);
    push.connect(endpoint).unwrap();
    push.send(text).unwrap();
    assert_eq!(pull.recv().unwrap(), text);
}

#[test]
fn bind_fd_serves_a_tcp_listener_and_resets_use_fd() {
    let ctx = ctx();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let pull = socket(&ctx, SocketType::Pull);
    let ep = pull.bind_fd(listener).unwrap();
    assert_eq!(ep.to_string(), format!("tcp://{addr}"));
    assert_eq!(pull.use_fd().unwrap(), -1, "ZMQ_USE_FD is off again");
    round_trip(&pull, &ep.to_string(), "over the application's listener");

    // A second bind makes its own listener rather than reusing (and later closing twice)
    // the first descriptor.
    let second = pull.bind("tcp://127.0.0.1:*").unwrap();
    assert_ne!(second, ep);
    round_trip(&pull, &second.to_string(), "over libzmq's own listener");
}

#[test]
fn bind_fd_serves_a_unix_listener() {
    let ctx = ctx();
    let dir = std::env::temp_dir().join(format!("zmq-typed-usefd-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("listener.sock");
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path).unwrap();
    let pull = socket(&ctx, SocketType::Pull);
    let ep = pull.bind_fd(listener).unwrap();
    assert_eq!(ep.to_string(), format!("ipc://{}", path.display()));
    round_trip(&pull, &ep.to_string(), "over a unix listener");
    drop(pull);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn descriptors_libzmq_would_abort_on_are_refused() {
    // In a child: libzmq aborts on each of these, so a regression must fail this test only.
    child::run_or_check(
        "descriptors_libzmq_would_abort_on_are_refused",
        refuses_what_libzmq_would_abort_on,
    );
}

fn refuses_what_libzmq_would_abort_on() {
    let ctx = ctx();
    let pull = socket(&ctx, SocketType::Pull);

    // A regular file: libzmq used to abort in epoll.cpp.
    let file = tempfile("not-a-socket");
    match pull.bind_fd(file) {
        Err(Error::NotSocket(d)) => assert!(d.to_string().contains("not a socket"), "{d}"),
        other => panic!("expected NotSocket, got {other:?}"),
    }

    // A UDP socket, and a TCP socket that is not listening.
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    match pull.bind_fd(udp) {
        Err(
            e @ Error::OptionValue {
                option: "ZMQ_USE_FD",
                ..
            },
        ) => {
            assert!(e.to_string().contains("stream socket"), "{e}")
        }
        other => panic!("expected OptionValue, got {other:?}"),
    }
    // SAFETY: a plain socket(2) call; the descriptor is owned right away.
    let raw = unsafe { libc::socket(libc::AF_INET, libc::SOCK_STREAM, 0) };
    assert!(raw >= 0);
    // SAFETY: raw is a fresh descriptor owned by nobody else.
    let not_listening = unsafe { <OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(raw) };
    match pull.bind_fd(not_listening) {
        Err(e @ Error::OptionValue { .. }) => {
            assert!(e.to_string().contains("not listening"), "{e}")
        }
        other => panic!("expected OptionValue, got {other:?}"),
    }

    // The socket is unharmed and its option is off.
    assert_eq!(pull.use_fd().unwrap(), -1);
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    round_trip(&pull, &ep.to_string(), "still fine");
}

fn tempfile(tag: &str) -> File {
    let path = std::env::temp_dir().join(format!("zmq-typed-{tag}-{}", std::process::id()));
    let file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    let _ = std::fs::remove_file(&path);
    file
}

#[test]
fn a_descriptor_reused_after_the_socket_closes_is_not_closed_under_its_new_owner() {
    // The reproduction of the unsoundness: bind over a listener, close the socket, open a
    // file (it may get the same descriptor number). With a raw, safe USE_FD the listener was
    // still owned by the application, whose drop then closed the file's descriptor under it.
    // Now the listener is moved into the socket, so nothing is left to close twice.
    let ctx = ctx();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let pull = socket(&ctx, SocketType::Pull);
    let ep = pull.bind_fd(listener).unwrap();
    round_trip(&pull, &ep.to_string(), "before");
    drop(pull);
    drop(ctx); // the listener is closed once the context has reaped the socket
    let mut file = tempfile("reuse");
    file.write_all(b"intact").unwrap();
    file.rewind().unwrap();
    let mut back = String::new();
    file.read_to_string(&mut back).unwrap();
    assert_eq!(back, "intact");
}

#[test]
fn a_listener_libzmq_has_taken_is_never_closed_by_the_crate() {
    // An abstract Unix name that is not UTF-8: libzmq binds (and owns the descriptor), but
    // the endpoint cannot be a Rust string. The crate refuses it before binding, closing the
    // descriptor itself, rather than after, when closing it would pull it from under libzmq
    // (which then aborted with "Bad file descriptor" in epoll.cpp).
    child::run_or_check(
        "a_listener_libzmq_has_taken_is_never_closed_by_the_crate",
        || {
            use std::os::linux::net::SocketAddrExt;
            let ctx = ctx();
            let name = b"\xffzmq-typed-not-utf8";
            let addr = std::os::unix::net::SocketAddr::from_abstract_name(name).unwrap();
            let listener = UnixListener::bind_addr(&addr).unwrap();
            let pull = socket(&ctx, SocketType::Pull);
            match pull.bind_fd(listener) {
                Err(Error::Utf8 { .. }) => {}
                other => panic!("expected Utf8, got {other:?}"),
            }
            // The socket is unharmed: a listener of its own works, and dropping everything
            // (which would abort on a stolen descriptor) returns.
            let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
            round_trip(&pull, &ep.to_string(), "after the refusal");
            drop(pull);
            drop(ctx);
        },
    );
}

#[test]
fn bind_fd_needs_no_free_descriptor() {
    // A bind over a listener opens nothing: it must not be refused (and the listener
    // closed) for want of descriptors the way a tcp bind by address is.
    child::run_or_check("bind_fd_needs_no_free_descriptor", || {
        let ctx = ctx();
        let pull = socket(&ctx, SocketType::Pull);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        // Leave no descriptor free: lower the limit to just above the highest descriptor in
        // use, then fill every hole below it.
        let highest = std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u64>().ok())
            .max()
            .unwrap();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit/setrlimit with a valid struct; this child process only.
        unsafe {
            assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
            limit.rlim_cur = (highest + 1) as libc::rlim_t;
            assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
        }
        let mut hold = Vec::new();
        while let Ok(f) = File::open("/dev/null") {
            hold.push(f);
        }
        let ep = pull.bind_fd(listener).unwrap();
        assert_eq!(ep.to_string(), format!("tcp://{addr}"));
        assert!(matches!(
            pull.bind("tcp://127.0.0.1:*"),
            Err(Error::TooManyOpenFiles(_))
        ));
    });
}
