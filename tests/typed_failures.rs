//! Failures of the typed sockets: the socket comes back in the state it is really in (a
//! timed-out receive, a send with no room, a multipart send that fails part-way), REQ
//! recovers from a lost reply, ROUTER mandatory hands back the unroutable message, and the
//! failure converts into the crate's error.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{
    AwaitingReply, Error, Failed, Multipart, Ready, Rep, Req, Router, RoutingId, SendError,
    Sending, SocketCore,
};

#[test]
fn a_receive_timeout_hands_the_socket_back_and_the_exchange_completes() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let rep = patient(Rep::new(&ctx).unwrap());
        let req = patient(Req::new(&ctx).unwrap());
        wire(&rep, &req, t, "typed-timeout");
        let waiting = req.send("slow question").unwrap();

        // With an explicit timeout...
        let failed: Failed<Req<AwaitingReply>> =
            waiting.recv_timeout(Duration::from_millis(5)).unwrap_err();
        assert!(matches!(failed.error(), Error::TimedOut(_)), "{t:?}");
        assert!(failed.is_timeout());
        assert!(
            failed.to_string().contains("Req<AwaitingReply>"),
            "{failed}"
        );
        let waiting = failed.into_socket();
        // ...and with the socket's own receive timeout.
        waiting
            .set_rcvtimeo(Some(Duration::from_millis(5)))
            .unwrap();
        let (error, waiting, ()) = waiting.recv().unwrap_err().into_parts();
        assert!(matches!(error, Error::TimedOut(_)));
        waiting.set_rcvtimeo(Some(PATIENCE)).unwrap();

        // The REP side times out too, and is still receiving.
        let (request, replying) = rep.recv().unwrap();
        assert_eq!(request, "slow question");
        let receiving = replying.send("late answer").unwrap();
        let failed = receiving.recv_timeout(Duration::ZERO).unwrap_err();
        assert!(failed.is_timeout());
        let _rep = failed.into_socket();

        let (reply, _ready) = waiting.recv().unwrap();
        assert_eq!(reply, "late answer");
    }
}

#[test]
fn a_relaxed_req_recovers_after_its_server_died_and_came_back() {
    for t in [Transport::Ipc, Transport::Tcp] {
        let ctx = ctx();
        let req = patient(Req::new_relaxed(&ctx).unwrap());
        assert!(req.is_relaxed());
        let first = patient(Rep::new(&ctx).unwrap());
        // A path of our own for ipc: libzmq removes the folder of an `ipc://*` endpoint
        // when its socket closes, and the second server needs the same path.
        let asked = match t {
            Transport::Ipc => format!(
                "ipc://{}/zmq-typed-recover-{}.ipc",
                std::env::temp_dir().display(),
                std::process::id()
            ),
            _ => bind_endpoint(t, "typed-recover"),
        };
        let ep = first.bind(asked).unwrap();
        req.connect(&ep).unwrap();

        let waiting = req.send("request 1").unwrap();
        let (request, _dies_before_replying) = first.recv().unwrap();
        assert_eq!(request, "request 1");
        drop(_dies_before_replying);

        let lost = waiting.recv_timeout(Duration::from_millis(20)).unwrap_err();
        assert!(lost.is_timeout(), "{t:?}");
        let req: Req<Ready> = lost.into_socket().abandon().unwrap();

        // The server comes back on the same endpoint; the REQ reconnects by itself.
        let second = patient(Rep::new(&ctx).unwrap());
        second.bind(&ep).unwrap();
        let waiting = req.send("request 2").unwrap();
        let (request, replying) = second.recv().unwrap();
        assert_eq!(request, "request 2", "{t:?}");
        let _rep = replying.send("reply 2").unwrap();
        let (reply, _req) = waiting.recv().unwrap();
        assert_eq!(reply, "reply 2");
    }
}

#[test]
fn a_late_reply_to_an_abandoned_request_is_dropped() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new_relaxed(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "typed-late");
    let waiting = req.send("1").unwrap();
    let req = waiting.abandon().unwrap();
    let waiting = req.send("2").unwrap();
    // The REP answers both, in order; only the answer to "2" reaches the REQ.
    let (r1, replying) = rep.recv().unwrap();
    let rep = replying
        .send(format!("answer {}", r1.as_str().unwrap()))
        .unwrap();
    let (r2, replying) = rep.recv().unwrap();
    let _rep = replying
        .send(format!("answer {}", r2.as_str().unwrap()))
        .unwrap();
    let (reply, _req) = waiting.recv().unwrap();
    assert_eq!(reply, "answer 2");
}

#[test]
fn a_strict_req_refuses_to_abandon_and_hands_itself_back() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    assert!(!req.is_relaxed());
    wire(&rep, &req, Transport::Inproc, "typed-strict");
    let waiting = req.send("q").unwrap();
    let (error, waiting, ()) = waiting.abandon().unwrap_err().into_parts();
    assert!(matches!(error, Error::WrongState(_)), "{error}");
    let (_, replying) = rep.recv().unwrap();
    let _rep = replying.send("a").unwrap();
    assert_eq!(waiting.recv().unwrap().0, "a");
}

#[test]
fn a_send_that_finds_no_room_gives_back_the_socket_and_the_message() {
    let ctx = ctx();
    let req = Req::new(&ctx).unwrap();
    req.set_sndtimeo(Some(Duration::ZERO)).unwrap();
    // No peer: nothing can be queued.
    let (error, req, message): (Error, Req<Ready>, _) =
        req.send("undelivered").unwrap_err().into_parts();
    assert!(error.is_timeout(), "{error}");
    assert_eq!(message, "undelivered");

    // A send of several frames that fails comes back as Req<Sending> (the type says so:
    // it could have failed part-way) with every frame not sent; completing the request
    // from there works once a peer is there.
    let failed: Failed<Req<Sending>, Multipart> = req.send(["a", "b", "c"]).unwrap_err();
    let (error, req, unsent) = failed.into_parts();
    assert!(error.is_timeout());
    assert_eq!(frames(&unsent), [v("a"), v("b"), v("c")]);
    let failed: Failed<Req<Sending>, Multipart> = req.send_multipart(unsent).unwrap_err();
    let (error, sending, unsent) = failed.into_parts();
    assert!(error.is_timeout());
    assert_eq!(frames(&unsent), [v("a"), v("b"), v("c")]);
    let rep = patient(Rep::new(&ctx).unwrap());
    wire(&rep, &sending, Transport::Inproc, "typed-no-room");
    sending.set_sndtimeo(Some(PATIENCE)).unwrap();
    let waiting = sending.send_multipart(unsent).unwrap();
    let (request, replying) = rep.recv().unwrap();
    assert_eq!(frames(&request), [v("a"), v("b"), v("c")]);
    let _rep = replying.send("ok").unwrap();
    assert_eq!(waiting.recv().unwrap().0, "ok");
}

/// The frames, with the context shut down while the third is produced. A multipart send
/// looks one frame ahead (to know whether more follow), so that is after the first frame was
/// queued and before the second is sent, which fails with ETERM. A socket notices a shutdown
/// when it next processes its commands, which a send does at most once a millisecond;
/// reading ZMQ_EVENTS makes it do so at once.
fn shut_down_at_third_frame<'a>(
    ctx: &'a zmq_typed::Context,
    socket: &SocketCore,
    frames: [&'static str; 3],
) -> impl Iterator<Item = &'static str> + 'a {
    let raw = socket.as_ptr() as usize;
    frames.into_iter().enumerate().map(move |(i, f)| {
        if i == 2 {
            ctx.shutdown().unwrap();
            let mut events: std::os::raw::c_int = 0;
            let mut len = std::mem::size_of_val(&events);
            // SAFETY: `raw` is the socket being sent on, alive (owned by the send running on
            // this very thread, which is not inside libzmq while the iterator runs); events
            // and len are valid for the call.
            let rc = unsafe {
                zmq_typed::zmq_ffi::zmq_getsockopt(
                    raw as *mut std::os::raw::c_void,
                    zmq_typed::zmq_ffi::ZMQ_EVENTS,
                    &mut events as *mut _ as *mut std::os::raw::c_void,
                    &mut len,
                )
            };
            assert_eq!(rc, -1, "the socket has seen the shutdown");
        }
        f
    })
}

#[test]
fn a_multipart_send_that_fails_part_way_leaves_the_request_open() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "typed-part-way");
    let frames_in = shut_down_at_third_frame(&ctx, &req, ["first", "second", "third"]);
    let failed: Failed<Req<Sending>, Multipart> = req.send_multipart(frames_in).unwrap_err();
    let (error, sending, unsent) = failed.into_parts();
    assert!(matches!(error, Error::Terminated(_)), "{error}");
    assert_eq!(frames(&unsent), [v("second"), v("third")]);
    // The context is gone: the socket says so, whatever is tried.
    assert!(matches!(
        sending.send("again").unwrap_err().into_error(),
        Error::Terminated(_)
    ));
}

#[test]
fn router_mandatory_returns_the_unroutable_message() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    router.bind("inproc://typed-mandatory").unwrap();
    let nobody = RoutingId::from("nobody");
    // Without mandatory, dropped silently.
    router.send_to(&nobody, "lost").unwrap();
    router.set_router_mandatory(true).unwrap();
    let (error, message) = router.send_to(&nobody, "hello").unwrap_err().into_parts();
    assert!(matches!(error, Error::HostUnreachable(_)), "{error}");
    assert_eq!(message, "hello");
    let (error, message) = router
        .send_to(&nobody, ["a", "b"])
        .unwrap_err()
        .into_parts();
    assert!(matches!(error, Error::HostUnreachable(_)));
    assert_eq!(frames(&message), [v("a"), v("b")]);
}

#[test]
fn failures_are_send_sync_errors_that_convert() {
    fn assert_error<T: std::error::Error + Send + Sync + 'static>() {}
    assert_error::<Failed<Req<AwaitingReply>>>();
    assert_error::<SendError>();
    assert_error::<SendError<Multipart>>();
    assert_error::<Failed<Req<Sending>, Multipart>>();
    assert_error::<Failed<Rep<zmq_typed::Replying>, zmq_typed::Message>>();

    let ctx = ctx();
    let rep = Rep::new(&ctx).unwrap();
    let failed = rep.recv_timeout(Duration::ZERO).unwrap_err();
    // `{:?}` is a sentence with the real state; `{:#?}` the structure.
    assert_eq!(
        format!("{failed:?}"),
        "operation timed out (receive on REP); the socket comes back as Rep<Receiving>"
    );
    let debug = format!("{failed:#?}");
    assert!(
        debug.contains("TimedOut") && debug.contains("Rep<Receiving>"),
        "{debug}"
    );
    let source = std::error::Error::source(&failed).map(|e| e.to_string());
    assert_eq!(source, Some(failed.error().to_string()));
    let error: Error = failed.into();
    assert!(error.is_timeout());
}

#[test]
fn a_multipart_reply_that_fails_part_way_leaves_the_rep_replying() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "typed-rep-part-way");
    let _waiting = req.send("q").unwrap();
    let (_, replying) = rep.recv().unwrap();
    let frames_in = shut_down_at_third_frame(&ctx, &replying, ["r1", "r2", "r3"]);
    let failed: Failed<Rep<zmq_typed::Replying>, Multipart> =
        replying.send_multipart(frames_in).unwrap_err();
    let (error, _replying, unsent) = failed.into_parts();
    assert!(matches!(error, Error::Terminated(_)), "{error}");
    assert_eq!(frames(&unsent), [v("r2"), v("r3")]);
}

#[test]
fn a_relaxed_req_without_correlation_refuses_to_abandon() {
    // Without ZMQ_REQ_CORRELATE, libzmq would hand the late reply to the abandoned request
    // out as the next request's: abandon refuses, and the socket keeps waiting.
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    req.set_req_relaxed(true).unwrap();
    assert!(req.is_relaxed());
    wire(&rep, &req, Transport::Inproc, "typed-relaxed-uncorrelated");
    let waiting = req.send("first").unwrap();
    let (error, waiting, ()) = waiting.abandon().unwrap_err().into_parts();
    assert!(error.is_wrong_state(), "{error}");
    assert!(error.to_string().contains("ZMQ_REQ_CORRELATE"), "{error}");
    let (request, replying) = rep.recv().unwrap();
    assert_eq!(request, "first");
    let _rep = replying.send("reply to first").unwrap();
    assert_eq!(waiting.recv().unwrap().0, "reply to first");
    // Correlated too, it may.
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "typed-relaxed-correlated");
    req.set_req_relaxed(true).unwrap();
    req.set_req_correlate(true).unwrap();
    assert!(req.send("x").unwrap().abandon().is_ok());
}
