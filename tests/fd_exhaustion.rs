//! Running out of file descriptors is an error, never an abort: libzmq 4.3.4 aborts the
//! process when the first socket of a context cannot open the epoll instances of its threads
//! (`epoll.cpp:65`) and when a tcp bind cannot open the netlink socket of `getifaddrs`
//! (`ip_resolver.cpp`); this crate checks first (`zmq_typed::fd_headroom`).
//!
//! Each sweep runs in a child process (this test binary re-run with `--exact` and an
//! environment variable), so that a regression fails one test with the child's output instead
//! of aborting the whole suite. In the child, for k = 0..=12, `RLIMIT_NOFILE` is set so that
//! exactly k descriptors can still be opened (the lowest k free descriptor numbers; counting
//! the descriptors in `/proc/self/fd` is not enough, as the limit bounds descriptor *numbers*
//! and the numbers in use can have holes), and the steps run until the first failure, which
//! must be `Error::TooManyOpenFiles` at exactly the step that runs out.

mod common;

use common::child::run_or_check;
use common::*;
use zmq_typed::{Context, Error, Socket, SocketType};

fn nofile() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    limit
}

fn set_nofile(limit: libc::rlimit) {
    // SAFETY: setrlimit reads the struct we own.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) };
    assert_eq!(rc, 0, "setrlimit(RLIMIT_NOFILE, {})", limit.rlim_cur);
}

fn is_open(fd: i32) -> bool {
    // SAFETY: F_GETFD on any number only reads; EBADF means the number is free.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// Lowers the soft RLIMIT_NOFILE so that exactly `k` more descriptors can be opened: to the
/// (k+1)-th free descriptor number.
fn leave_free(k: usize, original: libc::rlimit) {
    let mut free = 0;
    let mut limit = 0;
    loop {
        if !is_open(limit) {
            if free == k {
                break;
            }
            free += 1;
        }
        limit += 1;
    }
    assert!(
        (limit as libc::rlim_t) < original.rlim_cur,
        "not enough descriptors for the sweep"
    );
    set_nofile(libc::rlimit {
        rlim_cur: limit as libc::rlim_t,
        rlim_max: original.rlim_max,
    });
    assert_eq!(
        zmq_typed::fd_headroom::available(64).unwrap(),
        k,
        "the limit leaves {k} descriptors"
    );
}

/// The step at which a round failed (with its error), or None when every step passed.
type Failure = Option<(&'static str, Error)>;

/// Context, first socket, bind on `endpoint`, second socket; stops at the first error.
fn round(io_threads: u16, endpoint: &str) -> Failure {
    let ctx = match Context::builder().io_threads(io_threads).build() {
        Ok(ctx) => ctx,
        Err(e) => return Some(("context", e)),
    };
    let first = match Socket::new(&ctx, SocketType::Pull) {
        Ok(s) => s,
        Err(e) => return Some(("first socket", e)),
    };
    if let Err(e) = first.bind(endpoint) {
        return Some(("bind", e));
    }
    if let Err(e) = Socket::new(&ctx, SocketType::Push) {
        return Some(("second socket", e));
    }
    None
}

/// For k = 0..=12 free descriptors, the step that fails; checked to be exactly the one that
/// runs out, with `TooManyOpenFiles`. A bind on `endpoint` needs `bind_needs` descriptors.
fn sweep(endpoint: &str, io_thread_counts: &[u16], bind_needs: usize) {
    let original = nofile();
    for &io_threads in io_thread_counts {
        // libzmq's reaper and each I/O thread: an eventfd and an epoll instance; the socket:
        // an eventfd.
        let first_socket = 3 + 2 * io_threads as usize;
        for k in 0..=12usize {
            leave_free(k, original);
            let failure = round(io_threads, endpoint);
            set_nofile(original);
            let expected = match k {
                0 => Some("context"),
                k if k < 1 + first_socket => Some("first socket"),
                k if k < 1 + first_socket + bind_needs => Some("bind"),
                k if k == 1 + first_socket + bind_needs => Some("second socket"),
                _ => None,
            };
            let step = failure.as_ref().map(|(step, _)| *step);
            assert_eq!(
                step, expected,
                "{endpoint}, {io_threads} I/O threads, {k} descriptors free: {failure:?}"
            );
            if let Some((step, error)) = failure {
                assert!(
                    matches!(error, Error::TooManyOpenFiles(_)),
                    "{endpoint}, {io_threads} I/O threads, {k} free, {step}: {error:?}"
                );
                if step == "first socket" {
                    // Refused by this crate's check, before libzmq started a thread.
                    assert_eq!(
                        error.to_string(),
                        format!(
                            "Too many open files (creating the first socket of a context \
                             (PULL), which starts libzmq's reaper and {io_threads} I/O \
                             thread{s}, needs {first_socket} file descriptors, but only {free} \
                             can be opened now (RLIMIT_NOFILE soft limit {limit}); refused \
                             before libzmq, which would abort the process)",
                            s = if io_threads == 1 { "" } else { "s" },
                            free = k - 1,
                            limit = error_limit(&error),
                        )
                    );
                }
            }
            eprintln!("{endpoint}, {io_threads} I/O threads, {k} free: {step:?}");
        }
    }
}

/// The soft limit quoted in a TooManyOpenFiles detail (it depends on the descriptors the test
/// harness holds).
fn error_limit(error: &Error) -> String {
    let text = error.to_string();
    let start = text.find("soft limit ").expect("limit in the message") + "soft limit ".len();
    text[start..]
        .split(')')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn first_socket_without_descriptors_is_an_error_not_an_abort() {
    // inproc binds open no descriptor; 0 I/O threads is a context with only the reaper.
    run_or_check(
        "first_socket_without_descriptors_is_an_error_not_an_abort",
        || sweep("inproc://fd-sweep", &[0, 1, 2], 0),
    );
}

#[test]
fn ipc_bind_without_descriptors_is_an_error_not_an_abort() {
    // ipc binds need no check of this crate: libzmq reports EMFILE itself.
    run_or_check(
        "ipc_bind_without_descriptors_is_an_error_not_an_abort",
        || sweep("ipc://*", &[1, 2], 1),
    );
}

#[test]
fn tcp_bind_without_descriptors_is_an_error_not_an_abort() {
    // Needs the check before tcp binds in SocketCore::bind (libzmq aborts in ip_resolver.cpp).
    run_or_check(
        "tcp_bind_without_descriptors_is_an_error_not_an_abort",
        || sweep("tcp://127.0.0.1:*", &[1, 2], 1),
    );
}

#[test]
fn later_sockets_report_emfile_from_libzmq() {
    run_or_check("later_sockets_report_emfile_from_libzmq", || {
        let original = nofile();
        let ctx = Context::new().unwrap();
        let _first = Socket::new(&ctx, SocketType::Pair).unwrap();
        leave_free(0, original);
        let second = Socket::new(&ctx, SocketType::Pair);
        set_nofile(original);
        match second {
            Err(Error::TooManyOpenFiles(detail)) => {
                assert_eq!(detail.as_str(), Some("zmq_socket(PAIR)"))
            }
            other => panic!("expected TooManyOpenFiles, got {other:?}"),
        }
        // With descriptors again, the context goes on working.
        let a = Socket::new(&ctx, SocketType::Pair).unwrap();
        a.bind("inproc://after-emfile").unwrap();
        let b = Socket::new(&ctx, SocketType::Pair).unwrap();
        b.connect("inproc://after-emfile").unwrap();
        b.send("still here").unwrap();
        a.set_rcvtimeo(Some(PATIENCE)).unwrap();
        assert_eq!(a.recv().unwrap(), "still here");
    });
}
