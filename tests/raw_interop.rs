//! Raw interop: the socket pointer out (`as_raw`, `into_raw`) and back in (`from_raw`), the
//! descriptor (`AsFd`/`AsRawFd` from `ZMQ_FD`), explicit `close` and `Context::terminate`
//! reporting what happened, and a context that handed out a raw socket never hanging.

use std::os::fd::{AsFd, AsRawFd};
use std::time::{Duration, Instant};

use zmq_typed::context::TERMINATE_GRACE;
use zmq_typed::{
    zmq_ffi, Context, Error, Pair, PollEvents, Pub, Pull, Push, Rep, Req, Socket, SocketType,
};

const PATIENCE: Duration = Duration::from_secs(10);

fn patient(socket: &zmq_typed::SocketCore) {
    socket.set_rcvtimeo(Some(PATIENCE)).unwrap();
    socket.set_sndtimeo(Some(PATIENCE)).unwrap();
}

#[test]
fn as_raw_is_the_libzmq_socket() {
    let ctx = Context::new().unwrap();
    let push = Push::new(&ctx).unwrap();
    assert_eq!(push.as_raw(), push.as_ptr());
    let mut kind: i32 = 0;
    let mut len = std::mem::size_of::<i32>();
    // SAFETY: a valid socket used by this thread only; kind is a writable int.
    let rc = unsafe {
        zmq_ffi::zmq_getsockopt(
            push.as_raw(),
            zmq_ffi::ZMQ_TYPE,
            &mut kind as *mut i32 as *mut std::os::raw::c_void,
            &mut len,
        )
    };
    assert_eq!((rc, kind), (0, zmq_ffi::ZMQ_PUSH));
}

#[test]
fn into_raw_then_from_raw_keeps_the_socket_and_its_connections() {
    let ctx = Context::new().unwrap();
    let a = Socket::new(&ctx, SocketType::Pair).unwrap();
    let endpoint = a.bind("inproc://raw-round-trip").unwrap();
    let b = Socket::new(&ctx, SocketType::Pair).unwrap();
    patient(&b);
    b.connect(&endpoint).unwrap();
    let fd_before = a.as_raw_fd();

    let (ptr, ctx2) = a.into_raw();
    // SAFETY: ptr came from into_raw on ctx's context; nothing else uses it.
    let a = unsafe { Socket::from_raw(&ctx2, ptr) }.unwrap();
    assert_eq!(a.socket_type(), SocketType::Pair);
    assert_eq!(a.as_raw(), ptr);
    assert_eq!(a.as_raw_fd(), fd_before);
    patient(&a);

    a.send("still connected").unwrap();
    assert_eq!(b.recv().unwrap(), "still connected");
    b.send("both ways").unwrap();
    assert_eq!(a.recv().unwrap(), "both ways");
}

#[test]
fn from_raw_refuses_null_and_adopts_a_socket_made_in_c() {
    let ctx = Context::new().unwrap();
    // SAFETY: NULL is checked before anything reads it.
    let err = unsafe { Socket::from_raw(&ctx, std::ptr::null_mut()) }.unwrap_err();
    assert!(matches!(err, Error::NotSocket(_)), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "Socket operation on non-socket (Socket::from_raw: a NULL socket)"
    );

    // A PUB made by "C code": adopted with the crate's subscription bound, linger untouched.
    // SAFETY: the context pointer is valid while ctx lives.
    let raw = unsafe { zmq_ffi::zmq_socket(ctx.as_ptr(), zmq_ffi::ZMQ_PUB) };
    assert!(!raw.is_null());
    // SAFETY: raw is an open socket of ctx's context, handed over here and used by nobody else.
    let publisher = unsafe { Socket::from_raw(&ctx, raw) }.unwrap();
    assert_eq!(publisher.socket_type(), SocketType::Pub);
    assert_eq!(
        publisher.max_msg_size().unwrap(),
        Some(zmq_typed::limits::SUBSCRIPTION_MSG_MAX)
    );
    assert_eq!(
        publisher.linger().unwrap(),
        None,
        "libzmq's own default stays"
    );
    publisher.set_linger(Some(Duration::ZERO)).unwrap();
    publisher.close().unwrap();
    ctx.terminate().unwrap();
}

#[test]
fn the_descriptor_is_zmq_fd_and_wakes_an_event_loop() {
    let ctx = Context::new().unwrap();
    let pull = Pull::new(&ctx).unwrap();
    let endpoint = pull.bind("inproc://raw-fd").unwrap();
    let push = Push::new(&ctx).unwrap();
    push.connect(&endpoint).unwrap();

    // The same descriptor through every door.
    let fd = pull.as_raw_fd();
    assert_eq!(pull.as_fd().as_raw_fd(), fd);
    assert_eq!(pull.fd().unwrap().as_raw_fd(), fd);
    assert_eq!((*pull).as_raw_fd(), fd);
    let socket = Socket::new(&ctx, SocketType::Pair).unwrap();
    assert_eq!(socket.as_fd().as_raw_fd(), socket.fd().unwrap().as_raw_fd());
    assert_ne!(socket.as_raw_fd(), fd);

    for text in ["one", "two", "three"] {
        zmq_typed::SendSocket::send(&push, text).unwrap();
    }
    // Edge-triggered: wait on the descriptor, then drain while events() says IN.
    let mut received = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while received.len() < 3 {
        assert!(Instant::now() < deadline, "got only {received:?}");
        let mut fds = [libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), 1, 100) };
        assert!(n >= 0);
        while pull.events().unwrap().contains(PollEvents::IN) {
            received.push(zmq_typed::RecvSocket::recv(&pull).unwrap());
        }
    }
    assert_eq!(received, ["one", "two", "three"]);
}

#[test]
fn close_reports_success_and_gives_back_the_context_handle() {
    let ctx = Context::new().unwrap();
    let socket = Socket::new(&ctx, SocketType::Push).unwrap();
    let req = Req::new(&ctx).unwrap();
    let rep = Rep::new(&ctx).unwrap();

    // Three sockets and `ctx` still use the context: terminate says so and does nothing.
    let err = ctx.clone().terminate().unwrap_err();
    assert!(err.is_wrong_state());
    assert_eq!(
        err.to_string(),
        "Operation cannot be accomplished in current state (Context::terminate: 4 sockets or \
         other handles of the context still use it; it terminates when the last is dropped)"
    );

    socket.close().unwrap();
    req.close().unwrap();
    let err = ctx.clone().terminate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Operation cannot be accomplished in current state (Context::terminate: 2 sockets or \
         other handles of the context still use it; it terminates when the last is dropped)"
    );
    let only = rep.context().clone();
    drop(ctx);
    let err = only.terminate().unwrap_err();
    assert_eq!(
        err.to_string(),
        "Operation cannot be accomplished in current state (Context::terminate: 1 socket or \
         other handle of the context still uses it; it terminates when the last is dropped)"
    );
    let ctx = rep.context().clone();
    rep.close().unwrap();
    ctx.terminate().unwrap();
}

#[test]
fn a_raw_socket_closed_in_time_lets_the_context_terminate() {
    let ctx = Context::new().unwrap();
    let pair = Pair::new(&ctx).unwrap();
    let (ptr, ctx2) = pair.into_raw();
    drop(ctx);
    // SAFETY: ptr is an open socket that nothing else uses; closed once.
    assert_eq!(unsafe { zmq_ffi::zmq_close(ptr) }, 0);
    let started = Instant::now();
    ctx2.terminate().unwrap();
    assert!(started.elapsed() < PATIENCE);
}

#[test]
fn a_raw_socket_left_open_makes_terminate_time_out_not_hang() {
    let ctx = Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    let publisher = Pub::new(&ctx).unwrap();
    drop(ctx);
    let (ptr, ctx) = publisher.into_raw();

    let started = Instant::now();
    let err = ctx.terminate().unwrap_err();
    let waited = started.elapsed();
    assert!(err.is_timeout(), "{err:#?}");
    assert_eq!(
        err.to_string(),
        format!(
            "operation timed out (zmq_ctx_term was still waiting after {TERMINATE_GRACE:?} \
             (the default linger and TERMINATE_GRACE): a socket handed out by into_raw may \
             still be open, a socket's descriptor may have been read, or a socket's linger is \
             longer than the default; the termination goes on in the background)"
        )
    );
    assert!(waited >= TERMINATE_GRACE, "{waited:?}");
    assert!(waited < TERMINATE_GRACE + PATIENCE, "{waited:?}");
    // The owner closes it late: the termination in the background can finish.
    // SAFETY: the context is terminating, not terminated (it waits for this very socket).
    assert_eq!(unsafe { zmq_ffi::zmq_close(ptr) }, 0);
}

#[test]
fn dropping_a_context_with_a_raw_socket_open_does_not_hang() {
    let ctx = Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    let push = Push::new(&ctx).unwrap();
    drop(ctx);
    let (ptr, ctx) = push.into_raw();
    let started = Instant::now();
    drop(ctx);
    let waited = started.elapsed();
    assert!(
        waited >= TERMINATE_GRACE && waited < TERMINATE_GRACE + PATIENCE,
        "{waited:?}"
    );
    // SAFETY: as above: the context still waits for this socket.
    assert_eq!(unsafe { zmq_ffi::zmq_close(ptr) }, 0);
}

#[test]
fn reading_the_lent_descriptor_cannot_hang_the_contexts_drop() {
    use std::io::Read;
    // Safe code can read a duplicate of the descriptor, eating libzmq's wake-ups (the docs
    // say never to): the context's termination is then bounded, as for a raw socket.
    let ctx = Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    let pull = Pull::new(&ctx).unwrap();
    let endpoint = pull.bind("inproc://raw-read-fd").unwrap();
    let push = Push::new(&ctx).unwrap();
    push.connect(&endpoint).unwrap();
    push.send("hello").unwrap();
    let dup = pull.as_fd().try_clone_to_owned().unwrap();
    // SAFETY: dup is an open descriptor this test owns.
    assert_ne!(
        unsafe { libc::fcntl(dup.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) },
        -1
    );
    let _ = std::fs::File::from(dup).read(&mut [0u8; 8]);
    drop((push, pull));
    let started = Instant::now();
    drop(ctx);
    assert!(started.elapsed() < TERMINATE_GRACE + PATIENCE);
}

#[test]
fn a_descriptor_lent_by_the_dynamic_socket_bounds_the_termination_too() {
    // A socket whose linger outlasts the bound, with a message queued for nobody: once its
    // descriptor has been lent (here through Socket's AsRawFd), terminate gives up at the
    // bound rather than wait the whole linger, or for ever if the descriptor was read.
    let ctx = Context::builder()
        .default_linger(Some(Duration::ZERO))
        .build()
        .unwrap();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.set_linger(Some(Duration::from_secs(60))).unwrap();
    push.connect("tcp://127.0.0.1:1").unwrap();
    let _ = push.try_send("queued");
    assert!(push.as_raw_fd() >= 0);
    drop(push);
    let started = Instant::now();
    let result = ctx.terminate();
    let waited = started.elapsed();
    assert!(result.as_ref().is_err_and(Error::is_timeout), "{result:?}");
    assert!(waited < TERMINATE_GRACE + PATIENCE, "{waited:?}");
}
