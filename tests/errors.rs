//! Errors that read well: `Debug` is a sentence (what `fn main() -> Result` prints), `{:#?}`
//! the variant, the `is_*` questions on `Error`, `SendError`, `Failed`, a `Failed` names the
//! socket's real state, and the failure types stay one pointer wide.

use std::time::Duration;

use zmq_typed::{
    AwaitingReply, Context, Detail, Error, Failed, Message, Multipart, ProxyFailed, Ready,
    Receiving, Rep, Req, Router, RoutingId, SendError, SendFlags, Socket, SocketType,
};

const SHORT: Duration = Duration::from_millis(20);

/// What `fn main() -> zmq_typed::Result<()>` prints when it fails: `Error: {:?}`.
fn as_main_prints(err: &Error) -> String {
    format!("Error: {err:?}")
}

#[test]
fn a_failed_bind_prints_a_sentence_and_the_variant_on_request() {
    let ctx = Context::new().unwrap();
    let first = Socket::new(&ctx, SocketType::Pull).unwrap();
    let endpoint = first.bind("tcp://127.0.0.1:*").unwrap();
    let second = Socket::new(&ctx, SocketType::Pull).unwrap();
    let err = second.bind(&endpoint).unwrap_err();

    assert_eq!(
        as_main_prints(&err),
        format!("Error: Address already in use (bind {endpoint})")
    );
    // The variant, for tests and logs: the alternate form.
    assert_eq!(
        format!("{err:#?}"),
        format!("AddressInUse(\n    \"bind {endpoint}\",\n)")
    );
    assert!(matches!(err, Error::AddressInUse(_)));
}

#[test]
fn debug_of_every_shape_is_plain() {
    let cases: [(Error, &str, &str); 6] = [
        (
            Error::from_errno(libc::EAGAIN, Detail::NONE),
            "Resource temporarily unavailable",
            "WouldBlock",
        ),
        (
            Error::TimedOut(Detail::new("receive on PULL")),
            "operation timed out (receive on PULL)",
            "TimedOut(\n    \"receive on PULL\",\n)",
        ),
        (
            Error::from_errno(12345, Detail::new("zmq_x")),
            "Unknown error 12345 (zmq_x) (errno 12345)",
            "Other(\n    12345,\n    \"zmq_x\",\n)",
        ),
        (
            Error::EmptyMessage,
            "a message needs at least one frame",
            "EmptyMessage",
        ),
        (
            Error::TopicTooLong { len: 9, max: 8 },
            "a subscription topic of 9 bytes is longer than the limit of 8 bytes (libzmq \
             removes subscriptions recursively, one stack frame per byte)",
            "TopicTooLong {\n    len: 9,\n    max: 8,\n}",
        ),
        // The cause is part of the sentence already: not repeated as "Caused by".
        (
            Error::ProxyStopped {
                cause: Some(Box::new(Error::Terminated(Detail::NONE))),
            },
            "the proxy has stopped: Context was terminated",
            "ProxyStopped {\n    cause: Some(\n        Terminated,\n    ),\n}",
        ),
    ];
    for (err, sentence, structure) in cases {
        assert_eq!(format!("{err:?}"), sentence);
        assert_eq!(err.to_string(), sentence);
        assert_eq!(format!("{err:#?}"), structure);
    }
    assert_eq!(format!("{:?}", Detail::new("bind x")), "\"bind x\"");
    assert_eq!(format!("{:?}", Detail::NONE), "Detail::NONE");
}

#[test]
fn is_terminated_after_shutdown_on_error_send_error_and_failed() {
    let ctx = Context::new().unwrap();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    let rep = Rep::new(&ctx).unwrap();
    ctx.shutdown().unwrap();

    let err = pull.recv().unwrap_err();
    assert!(err.is_terminated());
    assert!(!err.is_timeout() && !err.is_would_block() && !err.is_wrong_state());
    assert_eq!(
        format!("{err:?}"),
        "Context was terminated (receive on PULL)"
    );

    let send = push.send_with("x", SendFlags::NONE).unwrap_err();
    assert!(send.is_terminated());
    assert_eq!(
        format!("{send:?}"),
        "send failed: Context was terminated (send on PUSH)"
    );

    let failed: Failed<Rep<Receiving>> = rep.recv().unwrap_err();
    assert!(failed.is_terminated());
    assert_eq!(
        format!("{failed:?}"),
        "Context was terminated (receive on REP); the socket comes back as Rep<Receiving>"
    );
}

#[test]
fn would_block_and_timeouts_are_told_apart() {
    let ctx = Context::new().unwrap();
    // A PUSH with no peer has no room for a message.
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    let e: SendError<_> = push.send_with("x", SendFlags::DONTWAIT).unwrap_err();
    assert!(e.is_would_block() && e.is_timeout());
    assert!(!e.is_terminated() && !e.is_host_unreachable() && !e.is_interrupted());
    assert_eq!(
        e.to_string(),
        "send failed: Resource temporarily unavailable (send on PUSH)"
    );
    assert_eq!(format!("{e:?}"), e.to_string());

    let timed_out = push.send_timeout("x", SHORT).unwrap_err();
    assert!(timed_out.is_timeout() && !timed_out.is_would_block());
    assert_eq!(
        timed_out.to_string(),
        "send failed: operation timed out (send on PUSH)"
    );
}

#[test]
fn host_unreachable_and_wrong_state() {
    let ctx = Context::new().unwrap();
    let router = Router::new(&ctx).unwrap();
    router.set_router_mandatory(true).unwrap();
    let nobody = RoutingId::from("nobody");
    let e = router.send_to(&nobody, "x").unwrap_err();
    assert!(e.is_host_unreachable());
    assert!(!e.is_timeout());

    // libzmq's own EFSM: a dynamic REQ that receives before sending.
    let req = Socket::new(&ctx, SocketType::Req).unwrap();
    let err = req.recv_timeout(SHORT).unwrap_err();
    assert!(err.is_wrong_state(), "{err:#?}");
    assert_eq!(
        err.to_string(),
        "Operation cannot be accomplished in current state (receive on REQ)"
    );

    // The typed API's own: abandoning a strict REQ.
    let rep = Rep::new(&ctx).unwrap();
    let endpoint = rep.bind("inproc://errors-wrong-state").unwrap();
    let strict = Req::new(&ctx).unwrap();
    strict.connect(&endpoint).unwrap();
    let waiting = strict.send("q").unwrap();
    let failed: Failed<Req<AwaitingReply>> = waiting.abandon().unwrap_err();
    assert!(failed.is_wrong_state());
    assert_eq!(
        failed.to_string(),
        "Operation cannot be accomplished in current state (abandon on a strict REQ socket: \
         make it with Req::new_relaxed); the socket comes back as Req<AwaitingReply>"
    );

    assert!(Error::from_errno(libc::EINTR, Detail::NONE).is_interrupted());
}

#[test]
fn failed_names_the_state_the_socket_is_really_in() {
    let ctx = Context::new().unwrap();
    // Default type parameters (`Req<Ready>`, `Rep<Receiving>`) are named too.
    let req = Req::new(&ctx).unwrap();
    req.set_sndtimeo(Some(SHORT)).unwrap();
    let failed: Failed<Req<Ready>, _> = req.send("nobody listens").unwrap_err();
    assert!(failed.is_timeout());
    assert_eq!(
        failed.to_string(),
        "operation timed out (send on REQ); the socket comes back as Req<Ready>"
    );
    assert_eq!(
        format!("{failed:#?}"),
        "Failed {\n    error: TimedOut(\n        \"send on REQ\",\n    ),\n    socket: Req<Ready>,\n    ..\n}"
    );
    let (_, req, unsent) = failed.into_parts();
    assert_eq!(unsent, "nobody listens");
    assert_eq!(format!("{req:?}").split(' ').next(), Some("Req<Ready>"));

    let rep = Rep::new(&ctx).unwrap();
    let failed = rep.recv_timeout(SHORT).unwrap_err();
    assert_eq!(
        failed.to_string(),
        "operation timed out (receive on REP); the socket comes back as Rep<Receiving>"
    );
}

#[test]
fn the_failure_types_are_one_pointer_wide_and_shareable() {
    const POINTER: usize = std::mem::size_of::<usize>();
    assert_eq!(std::mem::size_of::<SendError>(), POINTER);
    assert_eq!(std::mem::size_of::<SendError<Message>>(), POINTER);
    assert_eq!(
        std::mem::size_of::<Failed<Req<Ready>, Multipart>>(),
        POINTER
    );
    assert_eq!(std::mem::size_of::<Failed<Rep<Receiving>>>(), POINTER);
    assert_eq!(std::mem::size_of::<ProxyFailed>(), POINTER);
    // The success path pays nothing: the error's niche holds `Ok`.
    assert_eq!(std::mem::size_of::<Result<(), SendError>>(), POINTER);
    // Error itself stays well below clippy's 128-byte `large-error-threshold`.
    assert!(std::mem::size_of::<Error>() < 128);

    fn send_sync_static<T: Send + Sync + 'static>() {}
    send_sync_static::<SendError>();
    send_sync_static::<Failed<Req<Ready>, Multipart>>();
    send_sync_static::<ProxyFailed>();
}

#[test]
fn failures_convert_into_error_and_keep_the_variant() {
    fn run(ctx: &Context) -> zmq_typed::Result<()> {
        let req = Req::new(ctx)?;
        req.set_sndtimeo(Some(SHORT))?;
        req.send("x")?;
        Ok(())
    }
    let ctx = Context::new().unwrap();
    let err = run(&ctx).unwrap_err();
    assert!(matches!(err, Error::TimedOut(_)));
    assert_eq!(
        as_main_prints(&err),
        "Error: operation timed out (send on REQ)"
    );

    let boxed: Box<dyn std::error::Error + Send + Sync> = {
        let req = Req::new(&ctx).unwrap();
        req.set_sndtimeo(Some(SHORT)).unwrap();
        req.send("x").unwrap_err().into()
    };
    assert_eq!(
        boxed.to_string(),
        "operation timed out (send on REQ); the socket comes back as Req<Ready>"
    );
    assert_eq!(
        boxed.source().map(|s| s.to_string()),
        Some("operation timed out (send on REQ)".to_string())
    );
}
