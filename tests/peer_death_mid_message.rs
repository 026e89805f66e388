//! A peer that goes away half-way through a message never makes the rest of it arrive
//! elsewhere alone: libzmq drops what is left of a message whose pipe died (the frames
//! already written died with the pipe), and the crate must not send the dropped frame
//! again as a message of its own to the next peer.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{Socket, SocketType};

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
