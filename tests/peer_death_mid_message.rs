//! A peer that goes away half-way through a message never makes the rest of it arrive
//! elsewhere alone: libzmq drops what is left of a message whose pipe died (the frames
//! already written died with the pipe), and the crate must not send the dropped frame
//! again as a message of its own to the next peer.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{Error, Rep, Req, Socket, SocketType};

/// PUSH to two PULLs; "a" (more follows) goes to the first, which is closed before "b".
/// Whatever the timing, the second PULL receives whole messages only: the sentinel, never
/// "b" alone. The pause after the close lets the pipe's end reach the PUSH, so that the send
/// of "b" finds its pipe dead before libzmq has removed it (the case that used to send "b"
/// on alone); the assertion does not depend on it: when the pipe is already gone, libzmq
/// drops "b" itself, and when the end has not arrived, "b" dies with the pipe.
fn the_rest_of_a_message_is_dropped_with_its_peer(sndtimeo: Option<Duration>, round: usize) {
    let ctx = ctx();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.set_sndtimeo(sndtimeo).unwrap();
    let first = socket(&ctx, SocketType::Pull);
    let second = socket(&ctx, SocketType::Pull);
    let tag = format!("peer-death-{round}-{}", sndtimeo.is_some());
    let first_ep = first.bind(format!("inproc://{tag}-1")).unwrap();
    let second_ep = second.bind(format!("inproc://{tag}-2")).unwrap();
    // Round-robin starts with the first peer connected.
    push.connect(&first_ep).unwrap();
    push.connect(&second_ep).unwrap();

    push.send_more("a").unwrap();
    drop(first);
    std::thread::sleep(Duration::from_millis(50));
    push.send("b").unwrap();
    push.send("sentinel").unwrap();
    let got = second.recv().unwrap();
    assert_eq!(
        frames(&got),
        [v("sentinel")],
        "round {round}, SNDTIMEO {sndtimeo:?}: the second peer got part of a message"
    );
}

#[test]
fn a_push_never_sends_the_rest_of_a_message_alone() {
    for round in 0..10 {
        for sndtimeo in [None, Some(Duration::from_secs(5))] {
            the_rest_of_a_message_is_dropped_with_its_peer(sndtimeo, round);
        }
    }
}

/// The same with `send_timeout` for the rest of the message: its peer's pipe ends (here by a
/// disconnect, which ends it at once, on this thread) after "a", and "b" must die with the
/// message, not go to the second peer alone. A send that tries without waiting first sees
/// libzmq's "pipe died half-way" as `EAGAIN` (libzmq's -2 case has then forgotten the
/// message), and the wait after it sends "b" as a message of its own.
#[test]
fn send_timeout_never_sends_the_rest_of_a_message_alone() {
    let ctx = ctx();
    let push = socket(&ctx, SocketType::Push);
    let first = socket(&ctx, SocketType::Pull);
    let second = socket(&ctx, SocketType::Pull);
    let first_ep = first.bind("inproc://peer-death-timeout-1").unwrap();
    let second_ep = second.bind("inproc://peer-death-timeout-2").unwrap();
    push.connect(&first_ep).unwrap();
    push.connect(&second_ep).unwrap();

    push.send_more("a").unwrap();
    push.disconnect(&first_ep).unwrap();
    push.send_timeout("b", PATIENCE).unwrap();
    push.send("sentinel").unwrap();
    assert_eq!(
        frames(&second.recv().unwrap()),
        [v("sentinel")],
        "the second peer got the rest of a message alone"
    );
}

/// The frames of `parts`, calling `between` once when the third is asked for (there may
/// be none): `send_multipart` looks one frame ahead (to know which is the last), so that is
/// after the first frame went out and before the second goes, half-way through a message.
fn with_between<'a>(
    parts: &'a [&'a str],
    between: impl FnOnce() + 'a,
) -> impl Iterator<Item = &'a str> + 'a {
    let mut between = Some(between);
    let mut taken = 0;
    std::iter::from_fn(move || {
        if taken == 2 {
            if let Some(between) = between.take() {
                between();
            }
        }
        let part = parts.get(taken).copied();
        taken += 1;
        part
    })
}

/// A frame after the first that libzmq refuses is not always a dropped message: a REQ whose
/// only peer goes away half-way through a request still has the request open (libzmq's REQ
/// waits for its last frame), and its send timeout runs out. The send must fail with the
/// frames not sent, the socket in `Req<Sending>`, not claim the request went out (the REQ
/// would then wait for a reply in a state libzmq refuses: its receive is `EFSM`).
#[test]
fn a_request_refused_half_way_comes_back_with_its_frames() {
    let ctx = ctx();
    let rep = Rep::new(&ctx).unwrap();
    let ep = rep.bind("inproc://refused-half-way-req").unwrap();
    let req = Req::new(&ctx).unwrap();
    req.set_sndtimeo(Some(Duration::from_millis(50))).unwrap();
    req.set_rcvtimeo(Some(PATIENCE)).unwrap();
    req.connect(&ep).unwrap();

    // The typed REQ is taken by its send: the disconnect goes through the raw socket.
    let raw = req.as_raw();
    let endpoint = std::ffi::CString::new(ep.to_string()).unwrap();
    let outcome = req.send_multipart(with_between(&["a", "b"], || {
        // SAFETY: the socket is open (its send is under way on this thread), the endpoint a
        // C string.
        let rc = unsafe { zmq_typed::zmq_ffi::zmq_disconnect(raw, endpoint.as_ptr()) };
        assert_eq!(rc, 0);
    }));
    let (error, _req, unsent) = match outcome {
        Ok(req) => panic!(
            "the request was reported sent; its reply state: {:?}",
            req.recv().map(|_| ()).map_err(|f| f.into_error())
        ),
        Err(failed) => failed.into_parts(),
    };
    assert!(matches!(error, Error::TimedOut(_)), "{error:#?}");
    assert_eq!(frames(&unsent), [v("b")]);
}

/// The same on a PAIR: libzmq keeps no message of its own there, so a refused frame after
/// the first is no dropped message; the send reports it, with the frames not sent.
#[test]
fn a_pair_frame_refused_half_way_comes_back() {
    let ctx = ctx();
    let b = socket(&ctx, SocketType::Pair);
    let ep = b.bind("inproc://refused-half-way-pair").unwrap();
    let a = socket(&ctx, SocketType::Pair);
    a.set_sndtimeo(Some(Duration::from_millis(50))).unwrap();
    a.connect(&ep).unwrap();

    let error = a
        .send_multipart(with_between(&["a", "b", "c", "d"], || {
            a.disconnect(&ep).unwrap()
        }))
        .expect_err("a message whose pipe ended half-way was reported sent");
    let (error, unsent) = error.into_parts();
    assert!(matches!(error, Error::TimedOut(_)), "{error:#?}");
    assert_eq!(frames(&unsent), [v("b"), v("c"), v("d")]);
}

/// An XPUB with `ZMQ_XPUB_NODROP` checks the high-water mark at every frame: a frame after
/// the first can find no room while the message is alive (here the mark goes down
/// half-way; a peer over inproc that changes its own mark does the same). The frames not
/// queued come back, and sending them completes the message: the subscriber gets it whole,
/// never with a frame missing or the next message's frames in its place.
#[test]
fn an_xpub_nodrop_frame_refused_half_way_comes_back_and_completes_the_message() {
    let ctx = ctx();
    let xpub = socket(&ctx, SocketType::XPub);
    xpub.set_xpub_nodrop(true).unwrap();
    xpub.set_sndhwm(Some(3)).unwrap();
    xpub.set_sndtimeo(Some(Duration::from_millis(50))).unwrap();
    let ep = xpub.bind("inproc://refused-half-way-xpub").unwrap();
    let sub = socket(&ctx, SocketType::Sub);
    sub.set_rcvhwm(Some(1)).unwrap();
    sub.connect(&ep).unwrap();
    sub.subscribe("").unwrap();
    assert_eq!(frames(&xpub.recv().unwrap()), [vec![1u8]]);

    xpub.send("m1").unwrap();
    xpub.send("m2").unwrap();
    let outcome = xpub.send_multipart(with_between(&["m3a", "m3b", "m3c"], || {
        xpub.set_sndhwm(Some(1)).unwrap()
    }));
    let error = outcome.expect_err("frames refused for want of room were reported sent");
    let (error, unsent) = error.into_parts();
    assert!(matches!(error, Error::TimedOut(_)), "{error:#?}");
    assert_eq!(frames(&unsent), [v("m3b"), v("m3c")]);

    xpub.set_sndhwm(Some(3)).unwrap();
    xpub.send_multipart(unsent.iter()).unwrap();
    xpub.send("m4").unwrap();
    for expected in [
        vec![v("m1")],
        vec![v("m2")],
        vec![v("m3a"), v("m3b"), v("m3c")],
        vec![v("m4")],
    ] {
        assert_eq!(frames(&sub.recv().unwrap()), expected);
    }
}
