//! The built-in proxy, with capture, and every steerable command.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{proxy, Error, SocketType::*, SteerableProxy};

#[test]
fn plain_proxy_forwards_and_captures_until_shutdown() {
    let ctx = zmq_typed::Context::new().unwrap();
    let front = socket(&ctx, Router);
    let back = socket(&ctx, Dealer);
    let capture = socket(&ctx, Push);
    let front_ep = front.bind("tcp://127.0.0.1:*").unwrap();
    let back_ep = back.bind("tcp://127.0.0.1:*").unwrap();
    let cap_ep = capture.bind("inproc://capture").unwrap();
    let tap = socket(&ctx, Pull);
    tap.connect(&cap_ep).unwrap();
    let handle = std::thread::spawn(move || proxy(&front, &back, Some(&capture)));

    let client = socket(&ctx, Req);
    client.connect(&front_ep).unwrap();
    let worker = socket(&ctx, Rep);
    worker.connect(&back_ep).unwrap();
    client.send("question").unwrap();
    assert_eq!(worker.recv_string().unwrap(), "question");
    worker.send("answer").unwrap();
    assert_eq!(client.recv_string().unwrap(), "answer");
    // The capture saw every frame both ways: [id][][question] and [id][][answer].
    let mut captured = Vec::new();
    for _ in 0..6 {
        captured.push(tap.recv().unwrap().to_vec());
    }
    assert_eq!(captured[2], b"question");
    assert_eq!(captured[5], b"answer");

    ctx.shutdown().unwrap();
    let result = handle.join().unwrap();
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
}

#[test]
fn steerable_proxy_pause_resume_statistics_terminate() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    let front_ep = front.bind("inproc://steer-in").unwrap();
    let back_ep = back.bind("inproc://steer-out").unwrap();
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    let producer = socket(&ctx, Push);
    producer.connect(&front_ep).unwrap();
    let consumer = socket(&ctx, Pull);
    consumer.connect(&back_ep).unwrap();

    producer.send("1").unwrap();
    assert_eq!(consumer.recv_string().unwrap(), "1");

    proxy.pause().unwrap();
    // Statistics are answered while paused (the control socket is still served), so this
    // also proves the pause command has been processed before "2" is sent.
    let before = proxy.statistics().unwrap();
    producer.send("2").unwrap();
    assert!(matches!(
        consumer.recv_timeout(Duration::from_millis(100)),
        Err(Error::TimedOut(_))
    ));
    proxy.resume().unwrap();
    assert_eq!(consumer.recv_string().unwrap(), "2");

    let stats = proxy.statistics().unwrap();
    assert_eq!(before.frontend.messages_in, 1);
    assert_eq!(stats.frontend.messages_in, 2);
    assert_eq!(stats.frontend.bytes_in, 2);
    assert_eq!(stats.backend.messages_out, 2);
    assert_eq!(stats.backend.bytes_out, 2);
    assert_eq!(stats.frontend.messages_out, 0);
    assert_eq!(stats.backend.messages_in, 0);

    let (front, back, capture) = proxy.terminate().unwrap();
    assert_eq!(front.socket_type(), Pull);
    assert_eq!(back.socket_type(), Push);
    assert!(capture.is_none());
    // The sockets work again once given back.
    producer.send("3").unwrap();
    assert_eq!(front.recv_string().unwrap(), "3");
}

#[test]
fn dropping_a_steerable_proxy_stops_it() {
    let ctx = ctx();
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, Push);
    front.bind("inproc://drop-in").unwrap();
    back.bind("inproc://drop-out").unwrap();
    let proxy = SteerableProxy::start(&ctx, front, back, None).unwrap();
    drop(proxy); // joins the thread; a hang would time the test out
}
