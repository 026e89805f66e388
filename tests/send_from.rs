//! `send_from` sends a `Message` in place and leaves it empty, as libzmq leaves a sent
//! `zmq_msg_t`: with `recv_frame_into`, one message passed back and forth with one libzmq
//! call each way. Also what its speed rests on: a `Message` is exactly a `zmq_msg_t`, a sent
//! frame is not closed again, and static data stays read-only without a flag of its own.

mod common;

use std::thread;
use std::time::Duration;

use common::watchdog::within;
use common::*;
use zmq_typed::{Error, Message, Pull, Push, SendSocket, Socket, SocketType};

/// Sizes on both sides of libzmq's inline limit (33 bytes), and a large one.
const SIZES: [usize; 7] = [0, 1, 33, 34, 1024, 65536, 1 << 20];

fn pattern(size: usize, round: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 7 + round) as u8).collect()
}

/// An echo: the REP side receives into one Message and sends it back in place; the REQ
/// side does the same, checking every byte of every round trip.
fn echo_over(transport: Transport) {
    let ctx = ctx();
    // Default timeouts (none): the path a hot loop takes. The watchdog bounds the test.
    let rep = Socket::new(&ctx, SocketType::Rep).unwrap();
    let req = Socket::new(&ctx, SocketType::Req).unwrap();
    wire(&rep, &req, transport, "send-from-echo");
    let rounds = SIZES.len() * 20;
    within(Duration::from_secs(60), "echo with send_from", move || {
        let echo = thread::spawn(move || {
            let mut msg = Message::new();
            for _ in 0..rounds {
                rep.recv_frame_into(&mut msg).unwrap();
                rep.send_from(&mut msg).unwrap();
                assert_eq!(msg.len(), 0, "a sent message is left empty");
            }
        });
        for round in 0..rounds {
            let want = pattern(SIZES[round % SIZES.len()], round);
            let mut msg = Message::from_slice(&want);
            req.send_from(&mut msg).unwrap();
            assert!(msg.is_empty(), "a sent message is left empty");
            req.recv_frame_into(&mut msg).unwrap();
            assert_eq!(msg.data(), &want[..], "round {round}");
            assert!(!msg.more());
        }
        echo.join().unwrap();
    });
}

#[test]
fn an_echo_passes_one_message_back_and_forth() {
    for transport in TRANSPORTS {
        echo_over(transport);
    }
}

#[test]
fn a_failed_send_keeps_the_bytes() {
    let ctx = ctx();
    // No peer: nothing can be queued. A zero timeout fails at once, a finite one when it
    // runs out; either way the message is still there to send elsewhere.
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    for timeout in [Duration::ZERO, Duration::from_millis(20)] {
        push.set_sndtimeo(Some(timeout)).unwrap();
        let mut msg = Message::from_slice(b"kept");
        match push.send_from(&mut msg) {
            Err(Error::TimedOut(_)) => {}
            other => panic!("send_from with SNDTIMEO {timeout:?}: {other:?}"),
        }
        assert_eq!(msg, "kept");
    }

    // A REQ that already sent cannot send again: EFSM, and the bytes stay.
    let rep = socket(&ctx, SocketType::Rep);
    let req = socket(&ctx, SocketType::Req);
    wire(&rep, &req, Transport::Inproc, "send-from-efsm");
    req.send_from(&mut Message::from_slice(b"first")).unwrap();
    let mut second = Message::from_slice(b"second");
    match req.send_from(&mut second) {
        Err(Error::WrongState(_)) => {}
        other => panic!("a second send on REQ: {other:?}"),
    }
    assert_eq!(second, "second");
    assert_eq!(rep.recv_frame().unwrap(), "first");
}

#[test]
fn an_xsub_refuses_an_oversized_subscription_and_keeps_it() {
    let ctx = ctx();
    let xsub = socket(&ctx, SocketType::XSub);
    let mut frame = vec![1u8];
    frame.extend(std::iter::repeat_n(
        b't',
        zmq_typed::limits::MAX_TOPIC_LEN + 1,
    ));
    let mut msg = Message::from_slice(&frame);
    match xsub.send_from(&mut msg) {
        Err(Error::TopicTooLong { len, max }) => {
            assert_eq!(
                (len, max),
                (frame.len() - 1, zmq_typed::limits::MAX_TOPIC_LEN)
            );
        }
        other => panic!("an oversized subscription: {other:?}"),
    }
    assert_eq!(msg.data(), &frame[..]);
    // One within the limit goes.
    let mut ok = Message::from_slice(b"\x01topic");
    xsub.send_from(&mut ok).unwrap();
    assert!(ok.is_empty());
}

#[test]
fn a_send_waiting_for_room_with_no_timeout_completes() {
    // PUSH and PULL each hold one message: once both are full, a send with no timeout
    // waits in libzmq until the receiver makes room.
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.set_rcvhwm(Some(1)).unwrap();
    let push = Socket::new(&ctx, SocketType::Push).unwrap();
    push.set_sndhwm(Some(1)).unwrap();
    wire(&pull, &push, Transport::Inproc, "send-from-full");
    let mut queued = 0u32;
    while push
        .try_send(queued.to_be_bytes().as_slice())
        .unwrap()
        .is_none()
    {
        queued += 1;
        assert!(
            queued < 100,
            "a high-water mark of 1 let {queued} messages in"
        );
    }
    within(Duration::from_secs(30), "a blocked send_from", move || {
        let receiver = thread::spawn(move || {
            let mut msg = Message::new();
            (0..=queued)
                .map(|_| {
                    pull.recv_frame_into(&mut msg).unwrap();
                    u32::from_be_bytes(msg.data().try_into().unwrap())
                })
                .collect::<Vec<_>>()
        });
        let mut last = Message::from_slice(&queued.to_be_bytes());
        push.send_from(&mut last).unwrap();
        assert!(last.is_empty());
        assert_eq!(receiver.join().unwrap(), (0..=queued).collect::<Vec<_>>());
    });
}

#[test]
fn typed_sockets_send_in_place_too() {
    let ctx = ctx();
    let pull = Pull::new(&ctx).unwrap();
    let push = Push::new(&ctx).unwrap();
    let ep = pull.bind("inproc://send-from-typed").unwrap();
    push.connect(&ep).unwrap();
    let mut msg = Message::from_slice(b"inherent");
    push.send_from(&mut msg).unwrap();
    assert!(msg.is_empty());
    // Through the trait, for generic code.
    fn generic(socket: &impl SendSocket, msg: &mut Message) {
        socket.send_from(msg).unwrap();
    }
    let mut msg = Message::from_slice(b"generic");
    generic(&push, &mut msg);
    assert!(msg.is_empty());
    within(Duration::from_secs(30), "typed receives", move || {
        pull.recv_frame_into(&mut msg).unwrap();
        assert_eq!(msg, "inherent");
        pull.recv_frame_into(&mut msg).unwrap();
        assert_eq!(msg, "generic");
    });
}

#[test]
fn a_message_is_exactly_a_zmq_msg_t() {
    // Moving a Message costs what moving libzmq's struct costs: no field of the crate's own.
    assert_eq!(
        std::mem::size_of::<Message>(),
        std::mem::size_of::<zmq_ffi::zmq_msg_t>()
    );
}

#[test]
fn static_bytes_stay_read_only_until_received_over() {
    static BYTES: [u8; 64] = [5; 64];
    let ctx = ctx();
    let pull = socket(&ctx, SocketType::Pull);
    let push = socket(&ctx, SocketType::Push);
    wire(&pull, &push, Transport::Inproc, "send-from-static");

    // Static data is never handed out mutable (libzmq reports it as shared)...
    let mut msg = Message::from_static(&BYTES);
    assert!(msg.is_shared());
    assert!(msg.data_mut().is_none());
    // ...and a message of static data sent in place arrives whole.
    push.send_from(&mut msg).unwrap();
    let mut received = Message::from_static(&BYTES);
    pull.recv_frame_into(&mut received).unwrap();
    assert_eq!(received.data(), &BYTES[..]);

    // A message that held static data and is received into holds its own bytes after.
    push.send(vec![9u8; 64]).unwrap();
    let mut reused = Message::from_static(&BYTES);
    pull.recv_frame_into(&mut reused).unwrap();
    let bytes = reused
        .data_mut()
        .expect("received bytes are the message's own");
    bytes[0] = 1;
    assert_eq!(reused[0], 1);
    assert_eq!(reused[1], 9);
    assert_eq!(BYTES, [5; 64], "the static bytes were never written");
}

#[test]
fn a_failed_send_keeps_the_bytes_not_the_flags_or_properties() {
    // What the docs of send_from say: libzmq clears `more` and drops the metadata before it
    // tries to queue the frame, so a frame that failed to go keeps only its bytes.
    let ctx = ctx();
    let pull = socket(&ctx, SocketType::Pull);
    let push = socket(&ctx, SocketType::Push);
    wire(&pull, &push, Transport::Tcp, "send-from-metadata");
    push.send_more("first").unwrap();
    push.send("second").unwrap();
    let mut msg = Message::new();
    pull.recv_frame_into(&mut msg).unwrap();
    assert!(msg.more());
    assert_eq!(msg.peer_address().unwrap(), Some("127.0.0.1"));
    let lonely = Socket::new(&ctx, SocketType::Push).unwrap();
    lonely.set_sndtimeo(Some(Duration::ZERO)).unwrap();
    assert!(matches!(
        lonely.send_from(&mut msg),
        Err(Error::TimedOut(_))
    ));
    assert_eq!(msg, "first");
    assert!(!msg.more());
    assert_eq!(msg.peer_address().unwrap(), None);
}

#[test]
fn frames_received_over_tcp_are_their_own_static_ones_over_inproc_are_not() {
    // What the docs of is_shared say. Several frames sent at once arrive in one read, and
    // libzmq keeps their bytes in its read buffer: still each frame's own, so mutable.
    let ctx = ctx();
    let pull = socket(&ctx, SocketType::Pull);
    let push = socket(&ctx, SocketType::Push);
    wire(&pull, &push, Transport::Tcp, "send-from-batch");
    let frames: Vec<Vec<u8>> = (0..8u8).map(|i| vec![i; 200]).collect();
    for frame in &frames {
        push.send(frame).unwrap();
    }
    let mut received: Vec<Message> = frames.iter().map(|_| pull.recv_frame().unwrap()).collect();
    for (i, msg) in received.iter_mut().enumerate() {
        assert!(!msg.is_shared(), "frame {i}");
        msg.data_mut()
            .expect("a received frame's own bytes")
            .fill(0xee);
    }
    for (i, msg) in received.iter().enumerate() {
        assert_eq!(msg.data(), &[0xee; 200][..], "frame {i}");
    }

    // Static data keeps its static bytes over inproc, and stays read-only there.
    static BYTES: [u8; 64] = [3; 64];
    let pull = socket(&ctx, SocketType::Pull);
    let push = socket(&ctx, SocketType::Push);
    wire(&pull, &push, Transport::Inproc, "send-from-static-inproc");
    push.send_from(&mut Message::from_static(&BYTES)).unwrap();
    let mut msg = pull.recv_frame().unwrap();
    assert!(msg.is_shared());
    assert!(msg.data_mut().is_none());
    assert_eq!(msg.data().as_ptr(), BYTES.as_ptr(), "not copied");
}
