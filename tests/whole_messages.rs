//! A receive is the whole message on every socket, dynamic or typed, and every send takes a
//! frame or a whole message, so what was received is sent on as it is. Written as a user of
//! the crate would: the public API only, no prelude import.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::limits::MAX_TOPIC_LEN;
use zmq_typed::{
    Error, Message, Multipart, Pair, Pull, Push, Rep, Req, SendFlags, SocketType, XPub, XSub,
};

#[test]
fn recv_is_the_whole_message_on_dynamic_and_typed_sockets_alike() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let (a, b) = (
            socket(&ctx, SocketType::Pair),
            socket(&ctx, SocketType::Pair),
        );
        wire(&a, &b, t, "whole-dynamic");
        b.send(["one", "two", "three"]).unwrap();
        assert_eq!(frames(&a.recv().unwrap()), [v("one"), v("two"), v("three")]);

        // Giving up the typing does not change what `recv` means.
        let (a, b) = (
            patient(Pair::new(&ctx).unwrap()),
            patient(Pair::new(&ctx).unwrap()),
        );
        wire(&a, &b, t, "whole-typed");
        b.send(["x", "y"]).unwrap();
        assert_eq!(frames(&a.recv().unwrap()), [v("x"), v("y")], "{t:?}");
        let a = a.into_dynamic();
        b.send(["x", "y"]).unwrap();
        assert_eq!(frames(&a.recv().unwrap()), [v("x"), v("y")], "{t:?}");
    }
}

#[test]
fn recv_frame_takes_one_frame_and_recv_the_rest_of_its_message() {
    let ctx = ctx();
    let (a, b) = (
        patient(Pair::new(&ctx).unwrap()),
        patient(Pair::new(&ctx).unwrap()),
    );
    wire(&a, &b, Transport::Inproc, "frame-by-frame");
    b.send(["head", "body 1", "body 2"]).unwrap();
    let head = a.recv_frame().unwrap();
    assert_eq!((head.data(), head.more()), (&b"head"[..], true));
    assert_eq!(frames(&a.recv().unwrap()), [v("body 1"), v("body 2")]);

    assert!(a.try_recv_frame().unwrap().is_none());
    assert!(matches!(
        a.recv_frame_timeout(Duration::from_millis(5)),
        Err(Error::TimedOut(_))
    ));
    b.send("late").unwrap();
    assert_eq!(a.recv_frame_timeout(PATIENCE).unwrap(), "late");
}

#[test]
fn the_single_frame_readers_refuse_several_frames_and_consume_them() {
    let ctx = ctx();
    let (a, b) = (
        socket(&ctx, SocketType::Pair),
        socket(&ctx, SocketType::Pair),
    );
    wire(&a, &b, Transport::Inproc, "single-frame-readers");
    b.send(["two", "frames"]).unwrap();
    assert!(matches!(a.recv_string(), Err(Error::Malformed(m)) if m.contains("2 frames")));
    b.send(["two", "frames"]).unwrap();
    assert!(matches!(a.recv_bytes(), Err(Error::Malformed(_))));
    // Both messages were consumed: the next read is the next message.
    b.send("next").unwrap();
    assert_eq!(a.recv_string().unwrap(), "next");
    b.send(vec![0xffu8, 0]).unwrap();
    assert_eq!(a.recv_bytes().unwrap(), [0xff, 0]);
    b.send(vec![0xffu8, 0]).unwrap();
    assert!(matches!(a.recv_string(), Err(Error::Utf8 { .. })));
}

#[test]
fn every_kind_of_frame_and_message_sends_and_borrowed_ones_stay_with_the_caller() {
    let ctx = ctx();
    let pull = patient(Pull::new(&ctx).unwrap());
    let push = patient(Push::new(&ctx).unwrap());
    wire(&pull, &push, Transport::Inproc, "every-kind");
    let owned = vec![1u8, 2, 3];
    let text = String::from("text");
    let frame = Message::from("frame");
    let message = Multipart::from(["m1", "m2"]);

    push.send(&owned).unwrap();
    push.send(&text).unwrap();
    push.send(&frame).unwrap();
    push.send(b"array").unwrap();
    push.send(&owned[..2]).unwrap();
    push.send(&message).unwrap();
    push.send(vec![Message::from("v1"), Message::from("v2")])
        .unwrap();
    push.send([owned.clone(), text.clone().into_bytes()])
        .unwrap();
    push.send(vec!["s1", "s2"]).unwrap();
    push.send(vec![String::from("t1")]).unwrap();
    // The borrowed values are still the caller's; the owned ones go.
    push.send(owned).unwrap();
    push.send(text).unwrap();
    push.send(frame).unwrap();
    push.send(message).unwrap();

    let expected: [&[&[u8]]; 14] = [
        &[&[1, 2, 3]],
        &[b"text"],
        &[b"frame"],
        &[b"array"],
        &[&[1, 2]],
        &[b"m1", b"m2"],
        &[b"v1", b"v2"],
        &[&[1, 2, 3], b"text"],
        &[b"s1", b"s2"],
        &[b"t1"],
        &[&[1, 2, 3]],
        &[b"text"],
        &[b"frame"],
        &[b"m1", b"m2"],
    ];
    for want in expected {
        let want: Vec<Vec<u8>> = want.iter().map(|f| f.to_vec()).collect();
        assert_eq!(frames(&pull.recv().unwrap()), want);
    }
}

#[test]
fn send_more_and_the_more_flag_carry_the_message_on() {
    let ctx = ctx();
    let pull = socket(&ctx, SocketType::Pull);
    let push = socket(&ctx, SocketType::Push);
    wire(&pull, &push, Transport::Inproc, "carry-on");
    push.send_more(["a", "b"]).unwrap();
    push.send_with("c", SendFlags::MORE).unwrap();
    push.send_with(["d", "e"], SendFlags::MORE).unwrap();
    push.send_multipart(["f"]).unwrap();
    assert_eq!(
        frames(&pull.recv().unwrap()),
        [v("a"), v("b"), v("c"), v("d"), v("e"), v("f")]
    );
}

#[test]
fn a_request_is_echoed_whole_by_a_typed_or_dynamic_rep() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let rep = patient(Rep::new(&ctx).unwrap());
        let req = patient(Req::new(&ctx).unwrap());
        wire(&rep, &req, t, "echo-typed");
        let waiting = req.send(["GET", "", "/index"]).unwrap();
        let (request, replying) = rep.recv().unwrap();
        let rep = replying.send(request).unwrap();
        let (reply, req) = waiting.recv().unwrap();
        assert_eq!(frames(&reply), [v("GET"), v(""), v("/index")], "{t:?}");

        let rep = rep.into_dynamic();
        let req = req.send("again").unwrap();
        rep.send(rep.recv().unwrap()).unwrap();
        assert_eq!(req.recv().unwrap().0, "again");
    }
}

#[test]
fn a_send_that_cannot_be_queued_hands_the_whole_message_back() {
    let ctx = ctx();
    // A PUSH with no peer can queue nothing.
    let push = Push::new(&ctx).unwrap();
    let unsent = push.try_send(["a", "b"]).unwrap().expect("handed back");
    assert_eq!(frames(&unsent), [v("a"), v("b")]);
    assert_eq!(push.try_send("one").unwrap().expect("handed back"), "one");

    let (error, unsent) = push
        .send_timeout(["a", "b"], Duration::from_millis(5))
        .unwrap_err()
        .into_parts();
    assert!(matches!(error, Error::TimedOut(_)), "{error}");
    assert_eq!(frames(&unsent), [v("a"), v("b")]);

    let (error, unsent) = push
        .send_with(unsent, SendFlags::DONTWAIT)
        .unwrap_err()
        .into_parts();
    assert!(matches!(error, Error::WouldBlock(_)), "{error}");
    assert_eq!(frames(&unsent), [v("a"), v("b")]);

    let empty = push.send(Multipart::new()).unwrap_err();
    assert!(matches!(empty.error(), Error::EmptyMessage));
    let empty = push.send(Vec::<Message>::new()).unwrap_err();
    assert!(matches!(empty.error(), Error::EmptyMessage));
}

#[test]
fn an_xsub_checks_every_subscription_frame_before_the_first_goes_out() {
    let ctx = ctx();
    let xpub = patient(XPub::new(&ctx).unwrap());
    let xsub = patient(XSub::new(&ctx).unwrap());
    wire(&xpub, &xsub, Transport::Inproc, "xsub-checks");
    let mut long = vec![1u8];
    long.resize(MAX_TOPIC_LEN + 2, b'x');
    let message = || Multipart::from([b"\x01fine".to_vec(), long.clone()]);
    let too_long =
        |e: &Error| matches!(e, Error::TopicTooLong { len, .. } if *len == MAX_TOPIC_LEN + 1);

    let failed = xsub.send(message()).unwrap_err();
    assert!(too_long(failed.error()), "{failed}");
    assert_eq!(failed.into_message(), message(), "nothing was sent");
    assert!(too_long(xsub.try_send(message()).unwrap_err().error()));
    assert!(too_long(xsub.send_more(message()).unwrap_err().error()));
    assert!(too_long(
        xsub.send_with(message(), SendFlags::NONE)
            .unwrap_err()
            .error()
    ));
    assert!(too_long(
        xsub.send_timeout(message(), PATIENCE).unwrap_err().error()
    ));
    assert!(too_long(
        xsub.send_multipart(message()).unwrap_err().error()
    ));
    assert!(too_long(xsub.send(long.clone()).unwrap_err().error()));
    let dynamic = xsub.into_dynamic();
    assert!(too_long(dynamic.send(message()).unwrap_err().error()));

    // Nothing of the refused messages went out: the next thing the XPUB sees is this.
    dynamic.send(b"\x01next").unwrap();
    let first = xpub.recv_subscription().unwrap();
    assert_eq!((first.is_subscribe(), first.topic()), (true, &b"next"[..]));
}

#[test]
fn recv_into_replaces_what_the_multipart_held() {
    let ctx = ctx();
    let (a, b) = (
        socket(&ctx, SocketType::Pair),
        socket(&ctx, SocketType::Pair),
    );
    wire(&a, &b, Transport::Inproc, "recv-into");
    let mut parts = Multipart::from(["old", "frames", "here"]);
    b.send(["new", "ones"]).unwrap();
    a.recv_into(&mut parts).unwrap();
    assert_eq!(frames(&parts), [v("new"), v("ones")]);
    b.send("one").unwrap();
    a.recv_into(&mut parts).unwrap();
    assert_eq!(parts, "one");
    a.set_rcvtimeo(Some(Duration::from_millis(5))).unwrap();
    assert!(matches!(a.recv_into(&mut parts), Err(Error::TimedOut(_))));
    assert!(parts.is_empty(), "cleared before the receive");
}

#[test]
fn a_typed_receiver_reads_a_frame_into_a_buffer() {
    let ctx = ctx();
    let pull = patient(zmq_typed::Pull::new(&ctx).unwrap());
    let push = patient(zmq_typed::Push::new(&ctx).unwrap());
    wire(&pull, &push, Transport::Inproc, "frame-buf");
    push.send(["hij", "klmnopqrstu"]).unwrap();
    let mut buf = [0u8; 8];
    assert_eq!(pull.recv_frame_buf(&mut buf).unwrap(), 3);
    assert_eq!(&buf[..3], b"hij");
    assert!(pull.has_more().unwrap());
    // A longer frame is cut to the buffer; its full length says so.
    assert_eq!(pull.recv_frame_buf(&mut buf).unwrap(), 11);
    assert_eq!(&buf, b"klmnopqr");
    assert!(!pull.has_more().unwrap());
}

#[test]
fn recv_into_reuses_the_frames_it_holds_whatever_the_lengths() {
    // Each frame lands in the Message the list holds at its place: longer messages add
    // frames, shorter ones close the extra, and no frame keeps anything of the last message.
    for t in TRANSPORTS {
        let ctx = ctx();
        let (a, b) = (
            socket(&ctx, SocketType::Pair),
            socket(&ctx, SocketType::Pair),
        );
        wire(&a, &b, t, "recv-into-reuse");
        let mut parts = Multipart::new();
        for (round, len) in [3usize, 5, 1, 4, 2, 5, 1, 1, 6].into_iter().enumerate() {
            let sent: Vec<Vec<u8>> = (0..len)
                .map(|i| format!("r{round}f{i}{}", "x".repeat(i * 10)).into_bytes())
                .collect();
            b.send_multipart(sent.iter().map(|f| Message::from(&f[..])))
                .unwrap();
            a.recv_into(&mut parts).unwrap();
            assert_eq!(frames(&parts), sent, "{t:?}, round {round}");
            assert!(!parts.iter().last().unwrap().more());
        }
    }
}
