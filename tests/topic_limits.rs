//! Subscription topics that would overflow a stack when libzmq removes them (it walks its
//! trie recursively, one frame per byte) are refused before libzmq sees them, and PUB/XPUB
//! sockets refuse such subscriptions from remote peers (`ZMQ_MAXMSGSIZE`).

mod common;

use std::thread;

use common::*;
use zmq_typed::limits::{MAX_TOPIC_LEN, SUBSCRIPTION_MSG_MAX};
use zmq_typed::{Error, Pub, Socket, SocketType, Sub, XPub, XSub};

fn too_long(what: &str, result: Result<(), Error>) {
    match result {
        Err(Error::TopicTooLong { len, max }) => {
            assert_eq!((len, max), (MAX_TOPIC_LEN + 1, MAX_TOPIC_LEN), "{what}");
        }
        other => panic!("{what}: expected TopicTooLong, got {other:?}"),
    }
}

#[test]
fn long_local_topics_are_refused_everywhere() {
    let ctx = ctx();
    let long = vec![b't'; MAX_TOPIC_LEN + 1];
    let sub = Sub::new(&ctx).unwrap();
    too_long("Sub::subscribe", sub.subscribe(&long));
    too_long("Sub::unsubscribe", sub.unsubscribe(&long));
    let dynamic = Socket::new(&ctx, SocketType::Sub).unwrap();
    too_long("Socket::subscribe", dynamic.subscribe(&long));
    too_long("Socket::unsubscribe", dynamic.unsubscribe(&long));
    let xsub = XSub::new(&ctx).unwrap();
    too_long("XSub::subscribe", xsub.subscribe(&long));
    too_long("XSub::unsubscribe", xsub.unsubscribe(&long));
    let xpub = XPub::new(&ctx).unwrap();
    xpub.set_xpub_manual(true).unwrap();
    too_long("XPub::subscribe", xpub.subscribe(&long));
    too_long("XPub::unsubscribe", xpub.unsubscribe(&long));

    // An XSUB's raw frames starting with 1 or 0 are (un)subscriptions too; the message comes
    // back with the error, and other frames are not limited.
    let raw = Socket::new(&ctx, SocketType::XSub).unwrap();
    for flag in [1u8, 0] {
        let mut frame = vec![flag];
        frame.extend_from_slice(&long);
        let (error, message) = raw
            .send_with(frame.clone(), zmq_typed::SendFlags::NONE)
            .unwrap_err()
            .into_parts();
        too_long("XSUB raw frame", Err(error));
        assert_eq!(message.to_vec(), frame);
    }
    // In a multipart message every frame is checked before the first goes out: nothing is
    // left half sent, and the next message goes through whole.
    let mut bad = vec![1u8];
    bad.extend_from_slice(&long);
    let parts = vec![b"\x01short".to_vec(), bad.clone()];
    let (error, unsent) = raw.send_multipart(parts.clone()).unwrap_err().into_parts();
    too_long("XSUB multipart", Err(error));
    assert_eq!(unsent.to_vecs(), parts);
    raw.send("\x01fine").unwrap();
    let mut data = vec![2u8];
    data.extend_from_slice(&long);
    raw.send(data)
        .expect("a frame that is not a subscription has no limit");
}

#[test]
fn a_topic_that_overflowed_the_main_thread_is_refused() {
    // 128 KiB subscribed then unsubscribed used to kill the main thread's 8 MiB stack: in a
    // child, so that a regression fails this test only.
    child::run_or_check("a_topic_that_overflowed_the_main_thread_is_refused", || {
        let ctx = ctx();
        let sub = Sub::new(&ctx).unwrap();
        let topic = vec![b'x'; 128 * 1024];
        too_long_any(sub.subscribe(&topic));
        too_long_any(sub.unsubscribe(&topic));
        let xsub = XSub::new(&ctx).unwrap();
        too_long_any(xsub.subscribe(&topic));
        too_long_any(xsub.unsubscribe(&topic));
        sub.subscribe("still works").unwrap();
        drop(sub);
        drop(xsub);
    });
}

fn too_long_any(result: Result<(), Error>) {
    assert!(
        matches!(result, Err(Error::TopicTooLong { len: 131072, .. })),
        "{result:?}"
    );
}

#[test]
fn the_longest_topic_allowed_is_safe_on_a_small_thread() {
    // Half of Rust's default thread stack: a topic of the maximum length subscribes,
    // matches, unsubscribes and closes (each a recursive walk) with room to spare.
    let handle = thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let ctx = ctx();
            let topic = vec![b'k'; MAX_TOPIC_LEN];
            let publisher = Pub::new(&ctx).unwrap();
            let ep = publisher.bind("inproc://longest-topic").unwrap();
            let sub = patient(Sub::new(&ctx).unwrap());
            sub.subscribe(&topic).unwrap();
            sub.connect(&ep).unwrap();
            let mut message = topic.clone();
            message.extend_from_slice(b" payload");
            publisher.send(message.clone()).unwrap();
            assert_eq!(sub.recv().unwrap().into_single().unwrap().to_vec(), message);
            sub.unsubscribe(&topic).unwrap();
            sub.subscribe(&topic).unwrap();
            drop(sub); // closing removes it once more
            drop(publisher);
        })
        .unwrap();
    handle.join().expect("the thread survived");
}

#[test]
fn pub_and_xpub_refuse_long_subscriptions_from_peers_by_default() {
    let ctx = ctx();
    assert_eq!(
        Pub::new(&ctx).unwrap().max_msg_size().unwrap(),
        Some(SUBSCRIPTION_MSG_MAX)
    );
    assert_eq!(
        XPub::new(&ctx).unwrap().max_msg_size().unwrap(),
        Some(SUBSCRIPTION_MSG_MAX)
    );
    for kind in [SocketType::Pub, SocketType::XPub] {
        let s = Socket::new(&ctx, kind).unwrap();
        assert_eq!(
            s.max_msg_size().unwrap(),
            Some(SUBSCRIPTION_MSG_MAX),
            "{kind}"
        );
    }
    for kind in [
        SocketType::Sub,
        SocketType::XSub,
        SocketType::Pull,
        SocketType::Router,
    ] {
        let s = Socket::new(&ctx, kind).unwrap();
        assert_eq!(s.max_msg_size().unwrap(), None, "{kind}");
    }
    assert_eq!(SUBSCRIPTION_MSG_MAX, MAX_TOPIC_LEN as u64 + 10);
}

#[test]
fn a_subscription_of_the_maximum_length_crosses_tcp() {
    // The cap on the publisher lets the longest topic allowed through (flag byte included).
    let ctx = ctx();
    let publisher = XPub::new(&ctx).unwrap();
    let ep = publisher.bind("tcp://127.0.0.1:*").unwrap();
    publisher.set_rcvtimeo(Some(PATIENCE)).unwrap();
    let sub = patient(Sub::new(&ctx).unwrap());
    let topic = vec![b'm'; MAX_TOPIC_LEN];
    sub.subscribe(&topic).unwrap();
    sub.connect(&ep).unwrap();
    let subscription = publisher.recv_subscription().unwrap();
    assert!(subscription.is_subscribe());
    assert_eq!(subscription.topic(), &topic[..]);
}
