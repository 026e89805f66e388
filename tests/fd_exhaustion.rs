//! Running out of file descriptors, or of threads, is an error, never an abort: libzmq 4.3.4
//! aborts the process when the first socket of a context cannot open the epoll instances of
//! its threads (`epoll.cpp:65`) or cannot start those threads (`thread.cpp:269`), when a tcp
//! bind cannot open the netlink socket of `getifaddrs` (`ip_resolver.cpp`), and when a PGM,
//! EPGM or NORM session cannot open its descriptors or (NORM) its thread on the I/O thread
//! (`session_base.cpp`); this crate checks first (`zmq_typed::fd_headroom`).
//!
//! Each sweep runs in a child process (this test binary re-run with `--exact` and an
//! environment variable), so that a regression fails one test with the child's output instead
//! of aborting the whole suite. In the child, for k = 0..=12, `RLIMIT_NOFILE` is set so that
//! exactly k descriptors can still be opened (the lowest k free descriptor numbers; counting
//! the descriptors in `/proc/self/fd` is not enough, as the limit bounds descriptor *numbers*
//! and the numbers in use can have holes), and the steps run until the first failure, which
//! must be `Error::TooManyOpenFiles` at exactly the step that runs out.

mod common;

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use common::child::{self, run_or_check};
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

// ---------------------------------------------------------------------------------------------
// Multicast sessions: libzmq sets them up on its I/O thread and aborts when a descriptor cannot
// be opened there (session_base.cpp:723/734 for PGM, 755/766 for NORM).

/// One connect or bind on `endpoint` with exactly `k` descriptors free, by a `kind` socket made
/// while descriptors were plenty. The socket and its context are dropped before the limit is
/// restored: the context's termination waits until libzmq's I/O thread has set the session up
/// (its plug command is queued before the termination), which is where libzmq aborts.
fn multicast_round(
    endpoint: &str,
    kind: SocketType,
    bind: bool,
    k: usize,
    original: libc::rlimit,
) -> Result<(), Error> {
    let ctx = Context::new().unwrap();
    let socket = Socket::new(&ctx, kind).unwrap();
    socket.set_linger(Some(Duration::ZERO)).unwrap();
    leave_free(k, original);
    let result = if bind {
        socket.bind(endpoint).map(drop)
    } else {
        socket.connect(endpoint).map(drop)
    };
    drop(socket);
    drop(ctx);
    set_nofile(original);
    result
}

/// Disconnecting and unbinding a multicast endpoint open nothing: with no descriptor free
/// they must still work (the set-up guards are for connect and bind only).
fn taking_down_needs_no_descriptor() {
    let original = nofile();
    for endpoint in [
        "epgm://127.0.0.1;239.192.1.6:5560",
        "norm://127.0.0.1;239.192.1.7:5561",
    ] {
        let ctx = Context::new().unwrap();
        let sub = Socket::new(&ctx, SocketType::Sub).unwrap();
        sub.set_linger(Some(Duration::ZERO)).unwrap();
        let publisher = Socket::new(&ctx, SocketType::Pub).unwrap();
        publisher.set_linger(Some(Duration::ZERO)).unwrap();
        sub.subscribe("").unwrap();
        sub.connect(endpoint).unwrap();
        publisher.bind(endpoint).unwrap();
        // The sessions are set up on libzmq's I/O thread after connect/bind return: wait until
        // a message has gone through (multicast has no handshake to wait on), so that nothing
        // is still opening descriptors when the limit drops to 0.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            publisher.send("up").unwrap();
            if sub.recv_timeout(Duration::from_millis(100)).is_ok() {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{endpoint}: nothing arrived"
            );
        }
        leave_free(0, original);
        let disconnected = sub.disconnect(endpoint);
        let unbound = publisher.unbind(endpoint);
        set_nofile(original);
        disconnected.unwrap_or_else(|e| panic!("disconnect {endpoint} with 0 free: {e}"));
        unbound.unwrap_or_else(|e| panic!("unbind {endpoint} with 0 free: {e}"));
        drop((sub, publisher));
        drop(ctx);
    }
}

/// For k = 0..=12 free descriptors, connect and bind on `endpoint` by a PUB and by a SUB: `Ok`
/// from `pub_needs` (PUB) or `sub_needs` (SUB) free descriptors on, `TooManyOpenFiles` below,
/// never an abort and never another error (a false `UnknownInterface` when the interface
/// cannot be looked up without a descriptor).
fn multicast_sweep(endpoint: &str, pub_needs: usize, sub_needs: usize) {
    let original = nofile();
    let transport = endpoint.split("://").next().unwrap_or_default();
    for (kind, role, needs) in [
        (SocketType::Pub, "sender", pub_needs),
        (SocketType::Sub, "receiver", sub_needs),
    ] {
        for bind in [false, true] {
            let op = if bind { "bind" } else { "connect" };
            for k in 0..=12usize {
                let result = multicast_round(endpoint, kind, bind, k, original);
                eprintln!("{endpoint}, {kind} {op}, {k} free: {result:?}");
                match result {
                    Ok(()) => assert!(
                        k >= needs,
                        "{endpoint}, {kind} {op}, {k} free: accepted below {needs}"
                    ),
                    Err(e @ Error::TooManyOpenFiles(_)) => {
                        assert!(k < needs, "{endpoint}, {kind} {op}, {k} free: refused: {e}");
                        assert_eq!(
                            e.to_string(),
                            format!(
                                "Too many open files (setting up the {transport}:// {role} \
                                 of a {kind} socket ({endpoint}) on libzmq's I/O thread needs \
                                 {needs} file descriptors, but only {k} can be opened now \
                                 (RLIMIT_NOFILE soft limit {limit}); refused before libzmq, \
                                 which would abort the process)",
                                limit = error_limit(&e),
                            )
                        );
                    }
                    Err(other) => {
                        panic!("{endpoint}, {kind} {op}, {k} free: {other:?}")
                    }
                }
            }
        }
    }
}

#[test]
fn multicast_sessions_without_descriptors_are_an_error_not_an_abort() {
    const TEST: &str = "multicast_sessions_without_descriptors_are_an_error_not_an_abort";
    if child::is_child(TEST) {
        // A fresh network namespace whose loopback carries multicast, as tests/multicast.rs
        // sets it up: no real network is touched.
        child::multicast_loopback();
        // Measured: a PGM sender holds up to 6 descriptors at once, a receiver 5; a NORM
        // session 8 with an interface, 7 without.
        multicast_sweep("epgm://127.0.0.1;239.192.1.1:5555", 6, 5);
        if zmq_typed::pgm_permitted() {
            multicast_sweep("pgm://127.0.0.1;239.192.1.2:5556", 6, 5);
        }
        multicast_sweep("norm://127.0.0.1;239.192.1.3:5557", 8, 8);
        multicast_sweep("norm://lo;239.192.1.4:5558", 8, 8);
        multicast_sweep("norm://239.192.1.5:5559", 7, 7);
        taking_down_needs_no_descriptor();
        return;
    }
    let Some(wrapper) = child::namespace_wrapper() else {
        skip(TEST, child::NO_NAMESPACE);
        return;
    };
    let out = child::run(wrapper, TEST, Duration::from_secs(300));
    child::check(TEST, &out);
}

// ---------------------------------------------------------------------------------------------
// Threads: libzmq aborts when it cannot start its reaper and I/O threads at the first socket
// (thread.cpp:269), and when NORM cannot start the thread of a session (session_base.cpp:766).

fn nproc() -> libc::rlimit {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct we own.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NPROC, &mut limit) },
        0
    );
    limit
}

fn set_nproc(soft: libc::rlim_t) {
    let limit = libc::rlimit {
        rlim_cur: soft,
        rlim_max: nproc().rlim_max,
    };
    // SAFETY: setrlimit reads the struct we own.
    let rc = unsafe { libc::setrlimit(libc::RLIMIT_NPROC, &limit) };
    assert_eq!(rc, 0, "setrlimit(RLIMIT_NPROC, {soft})");
}

fn tasks() -> usize {
    std::fs::read_dir("/proc/self/task")
        .expect("/proc/self/task")
        .count()
}

/// Waits until this process has `count` threads again: a joined thread still counts against
/// RLIMIT_NPROC until the kernel has released it.
fn settle(count: usize) {
    let deadline = Instant::now() + PATIENCE;
    while tasks() != count {
        assert!(Instant::now() < deadline, "threads did not exit");
        std::thread::sleep(Duration::from_millis(1));
    }
}

/// How many more threads (up to `at_most`) can run at once now; they are gone again when this
/// returns.
fn free_thread_slots(at_most: usize) -> usize {
    let baseline = tasks();
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let mut threads = Vec::new();
    for _ in 0..at_most {
        let gate = Arc::clone(&gate);
        let spawned = std::thread::Builder::new()
            .stack_size(64 * 1024)
            .spawn(move || {
                let (open, opened) = &*gate;
                let mut open = open.lock().unwrap();
                while !*open {
                    open = opened.wait(open).unwrap();
                }
            });
        match spawned {
            Ok(thread) => threads.push(thread),
            Err(_) => break,
        }
    }
    *gate.0.lock().unwrap() = true;
    gate.1.notify_all();
    let free = threads.len();
    for thread in threads {
        thread.join().unwrap();
    }
    settle(baseline);
    free
}

/// How many threads this user runs now, in every process: under a soft RLIMIT_NPROC of
/// `limit` (64, 128, ... up to the hard limit), `limit - used` more can run.
fn threads_of_this_user() -> libc::rlim_t {
    let hard = nproc().rlim_max;
    let mut limit: libc::rlim_t = hard.min(64);
    while limit <= hard {
        set_nproc(limit);
        let free = free_thread_slots(limit as usize);
        if free > 0 {
            return limit - free as libc::rlim_t;
        }
        limit *= 2;
    }
    panic!("this user runs more threads than its hard RLIMIT_NPROC ({hard}) lets a test count");
}

/// Sets the soft RLIMIT_NPROC so that exactly `k` more threads can run, and returns it. The
/// limit counts the threads of every process of the user: if another one starts or stops
/// threads meanwhile, the count is taken again.
fn leave_threads(k: usize) -> libc::rlim_t {
    for _ in 0..5 {
        let soft = threads_of_this_user() + k as libc::rlim_t;
        set_nproc(soft);
        if free_thread_slots(k + 1) == k {
            return soft;
        }
    }
    panic!("cannot leave exactly {k} threads: other processes of this user keep changing");
}

fn thread_error_text(
    doing: &str,
    thread: &str,
    needed: usize,
    k: usize,
    soft: libc::rlim_t,
) -> String {
    format!(
        "could not start the {thread} thread: {doing} needs {needed} thread{s}, but only {k} \
         could be started now (Resource temporarily unavailable (os error 11); RLIMIT_NPROC \
         soft limit {soft}); refused before libzmq, which would abort the process",
        s = if needed == 1 { "" } else { "s" },
    )
}

/// In the unprivileged child: for 0, 1 and 2 I/O threads and k free thread slots around what
/// libzmq needs (1 + I/O threads), the first socket is `ThreadSpawn` below and `Ok` from
/// there; then a NORM session, which starts a thread of its own, likewise.
fn thread_sweep() {
    assert!(!is_root(), "RLIMIT_NPROC does not bind root");
    let baseline = tasks();
    let original = nproc().rlim_cur;
    for io_threads in [0u16, 1, 2] {
        let needed = 1 + io_threads as usize;
        for k in 0..=needed + 1 {
            let soft = leave_threads(k);
            let ctx = Context::builder().io_threads(io_threads).build().unwrap();
            let result = Socket::new(&ctx, SocketType::Pull);
            eprintln!("{io_threads} I/O threads, {k} threads free: {result:?}");
            match result {
                Ok(socket) => {
                    assert!(k >= needed, "{io_threads} I/O threads, {k} free: accepted");
                    drop(socket);
                }
                Err(e @ Error::ThreadSpawn { .. }) => {
                    assert!(k < needed, "{io_threads} I/O threads, {k} free: {e}");
                    let doing = format!(
                        "creating the first socket of a context (PULL), which starts libzmq's \
                         reaper and {io_threads} I/O thread{s},",
                        s = if io_threads == 1 { "" } else { "s" }
                    );
                    assert_eq!(
                        e.to_string(),
                        thread_error_text(&doing, "libzmq reaper or I/O", needed, k, soft)
                    );
                    // The process lives on, and so does the context: with threads again, its
                    // first socket works.
                    set_nproc(original);
                    let s = Socket::new(&ctx, SocketType::Pair).unwrap();
                    s.bind("inproc://after-no-thread").unwrap();
                }
                Err(other) => panic!("{io_threads} I/O threads, {k} free: {other:?}"),
            }
            drop(ctx);
            set_nproc(original);
            settle(baseline);
        }
    }
    // NORM: after the first socket has taken libzmq's 2 threads, a session needs 1 more.
    let endpoint = "norm://127.0.0.1;239.192.1.1:5555";
    for k in [2, 3] {
        let soft = leave_threads(k);
        let ctx = Context::new().unwrap();
        let sub = Socket::new(&ctx, SocketType::Sub).unwrap();
        sub.set_linger(Some(Duration::ZERO)).unwrap();
        let result = sub.connect(endpoint);
        eprintln!("{endpoint}, {k} threads free: {result:?}");
        match (k, result) {
            (2, Err(e @ Error::ThreadSpawn { .. })) => assert_eq!(
                e.to_string(),
                thread_error_text(
                    &format!(
                        "a norm:// session ({endpoint}), whose NORM instance runs a thread of \
                         its own,"
                    ),
                    "NORM",
                    1,
                    0,
                    soft
                )
            ),
            (3, Ok(_)) => {}
            (k, other) => panic!("{endpoint}, {k} threads free: {other:?}"),
        }
        // Terminating the context waits for the I/O thread to have set the session up.
        drop(sub);
        drop(ctx);
        set_nproc(original);
        settle(baseline);
    }
}

#[test]
fn first_socket_without_threads_is_an_error_not_an_abort() {
    const TEST: &str = "first_socket_without_threads_is_an_error_not_an_abort";
    if child::is_child(TEST) {
        thread_sweep();
        return;
    }
    if !is_root() {
        // Every other process of this user would share the limit with the child.
        skip(
            TEST,
            "RLIMIT_NPROC counts the threads of every process of the user and does not bind \
             root: the test needs root, to run its child as user 65534",
        );
        return;
    }
    // RLIMIT_NPROC does not bind root: the child runs as user 65534.
    match child::run_unprivileged(TEST, Duration::from_secs(120)) {
        Ok(out) => child::check(TEST, &out),
        Err(why) => skip(
            TEST,
            &format!("setpriv cannot drop to user 65534 here: {why}"),
        ),
    }
}
