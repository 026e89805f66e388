//! The Lazy Pirate client over real sockets: replies, retries on fresh sockets, failover to
//! the next endpoint, the next request starting where the last answer came from, and the
//! error when every endpoint has used its tries.

mod common;

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use common::PATIENCE;
use zmq_typed::patterns::lazy_pirate::LazyPirate;
use zmq_typed::{Context, Multipart, Rep, Router};

/// Short enough for tests; a reply from a live echo server comes in far less, even on a
/// loaded machine (a late one would count as a retry, and the tests count retries exactly).
const TIMEOUT: Duration = Duration::from_millis(500);

/// A REP that echoes `n` requests on `endpoint`, on a thread.
fn echo(ctx: &Context, endpoint: &str, n: usize) -> thread::JoinHandle<()> {
    let mut rep = Rep::new(ctx).unwrap();
    rep.bind(endpoint).unwrap();
    thread::spawn(move || {
        for _ in 0..n {
            let (request, replying) = rep.recv_timeout(PATIENCE).unwrap();
            rep = replying.send(request).unwrap();
        }
    })
}

/// A ROUTER bound on `endpoint` that takes requests and never answers.
fn silent(ctx: &Context, endpoint: &str) -> Router {
    let router = Router::new(ctx).unwrap();
    router.bind(endpoint).unwrap();
    router
}

/// Every request the silent ROUTER has received by now: (routing id, body).
fn drain(router: &Router) -> Vec<(Vec<u8>, Multipart)> {
    let mut got = Vec::new();
    while let Some(m) = router.try_recv().unwrap() {
        got.push((m.id.as_bytes().to_vec(), m.body));
    }
    got
}

#[test]
fn replies_come_back_and_the_endpoint_stays() {
    let ctx = Context::new().unwrap();
    let server = echo(&ctx, "inproc://lp-echo", 3);
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-echo"])
        .unwrap()
        .timeout(PATIENCE);
    for n in 1..=3 {
        assert_eq!(
            client.request(n.to_string().as_str()).unwrap(),
            n.to_string().as_str()
        );
        assert_eq!(client.endpoint(), "inproc://lp-echo");
    }
    server.join().unwrap();
}

#[test]
fn a_server_that_never_answers_is_left_for_the_next_after_its_tries() {
    let ctx = Context::new().unwrap();
    let dead = silent(&ctx, "inproc://lp-silent-1");
    let server = echo(&ctx, "inproc://lp-live-1", 2);
    let retries = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&retries);
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-silent-1", "inproc://lp-live-1"])
        .unwrap()
        .timeout(TIMEOUT)
        .retries(3)
        .unwrap()
        .on_retry(move |r| {
            seen.lock().unwrap().push((
                r.endpoint.to_string(),
                r.attempt,
                r.next_endpoint.to_string(),
            ))
        });
    assert_eq!(client.endpoint(), "inproc://lp-silent-1");
    assert_eq!(client.request("1").unwrap(), "1");
    assert_eq!(client.endpoint(), "inproc://lp-live-1");
    let s = |t: &str| t.to_string();
    assert_eq!(
        *retries.lock().unwrap(),
        [
            (s("inproc://lp-silent-1"), 1, s("inproc://lp-silent-1")),
            (s("inproc://lp-silent-1"), 2, s("inproc://lp-silent-1")),
            (s("inproc://lp-silent-1"), 3, s("inproc://lp-live-1")),
        ]
    );
    // Three tries, each on a fresh socket: three routing ids, the same request each time.
    let tries = drain(&dead);
    assert_eq!(tries.len(), 3);
    let mut ids: Vec<_> = tries.iter().map(|(id, _)| id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "not three fresh sockets: {tries:?}");
    for (_, body) in &tries {
        assert_eq!(body.to_vecs(), [b"".to_vec(), b"1".to_vec()]);
    }

    // The next request starts where the answer came from: nothing more for the silent one.
    assert_eq!(client.request("2").unwrap(), "2");
    assert_eq!(retries.lock().unwrap().len(), 3);
    server.join().unwrap();
    assert!(drain(&dead).is_empty());
}

#[test]
fn all_endpoints_silent_is_a_timeout_naming_them() {
    let ctx = Context::new().unwrap();
    let first = silent(&ctx, "inproc://lp-silent-a");
    let second = silent(&ctx, "inproc://lp-silent-b");
    let calls = Arc::new(Mutex::new(0));
    let counted = Arc::clone(&calls);
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-silent-a", "inproc://lp-silent-b"])
        .unwrap()
        .timeout(TIMEOUT)
        .retries(2)
        .unwrap()
        .on_retry(move |_| *counted.lock().unwrap() += 1);
    let error = client.request("1").unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    let text = error.to_string();
    assert!(
        text.contains("inproc://lp-silent-a, inproc://lp-silent-b") && text.contains("2 tries"),
        "{text}"
    );
    // 2 tries on each; the hook after each but the very last.
    assert_eq!(*calls.lock().unwrap(), 3);
    // Nobody answered: the next request starts where it started.
    assert_eq!(client.endpoint(), "inproc://lp-silent-a");
    assert_eq!(drain(&first).len(), 2);
    assert_eq!(drain(&second).len(), 2);
}

#[test]
fn the_contexts_shutdown_ends_a_wait_at_once() {
    let ctx = Context::new().unwrap();
    let _dead = silent(&ctx, "inproc://lp-silent-shutdown");
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-silent-shutdown"])
        .unwrap()
        .timeout(PATIENCE * 10);
    let waiting = thread::spawn(move || client.request("1"));
    // The request is in flight once the silent ROUTER has it; then shut down.
    let router = _dead;
    let got = router.recv_timeout(PATIENCE).unwrap();
    assert_eq!(got.body.to_vecs(), [b"".to_vec(), b"1".to_vec()]);
    ctx.shutdown().unwrap();
    let error = waiting.join().unwrap().unwrap_err();
    assert!(error.is_terminated(), "{error:?}");
}

#[test]
fn bad_settings_are_refused_at_once() {
    let ctx = Context::new().unwrap();
    let none: [&str; 0] = [];
    assert!(LazyPirate::new(&ctx, none).is_err());
    assert!(LazyPirate::new(&ctx, ["tcp://localhost:5555", "not an endpoint"]).is_err());
    let error = LazyPirate::new(&ctx, ["tcp://localhost:5555"])
        .unwrap()
        .retries(0)
        .unwrap_err();
    assert!(error.to_string().contains("retries"), "{error}");
}

#[test]
fn a_late_reply_to_an_earlier_try_or_a_duplicate_reply_is_never_taken() {
    let ctx = Context::new().unwrap();
    let server = silent(&ctx, "inproc://lp-late");
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-late"])
        .unwrap()
        .timeout(TIMEOUT)
        .retries(5)
        .unwrap();
    // Request 2 waits until the hostile duplicate below has been sent: libzmq's REQ drops
    // the replies that reached it before a new request goes out (processing its pending
    // commands first), and cannot tell one still on its way from the new request's reply
    // (that would take ZMQ_REQ_CORRELATE).
    let (go, wait_for_go) = std::sync::mpsc::channel::<()>();
    let asking = thread::spawn(move || {
        let first = client.request("1").unwrap();
        wait_for_go.recv().unwrap();
        let second = client.request("2").unwrap();
        (first, second)
    });
    // Two tries of request 1 (the first timed out), each on its own socket.
    let try1 = server.recv_timeout(PATIENCE).unwrap();
    let try2 = server.recv_timeout(PATIENCE).unwrap();
    assert_ne!(try1.id, try2.id);
    // The first try's reply comes late: its socket is closed, it goes nowhere.
    let _ = server.send_to(&try1.id, ["", "late reply to try 1"]);
    server.send_to(&try2.id, ["", "1"]).unwrap();
    // A hostile server answers twice: the extra reply is not taken for request 2's.
    server.send_to(&try2.id, ["", "duplicate of 1"]).unwrap();
    go.send(()).unwrap();
    let request2 = server.recv_timeout(PATIENCE).unwrap();
    assert_eq!(
        request2.id, try2.id,
        "request 2 reuses the socket that answered"
    );
    assert_eq!(request2.body.to_vecs(), [b"".to_vec(), b"2".to_vec()]);
    server.send_to(&request2.id, ["", "2"]).unwrap();
    let (first, second) = asking.join().unwrap();
    assert_eq!(first, "1");
    assert_eq!(second, "2");
}

#[test]
fn multi_frame_replies_come_back_whole() {
    let ctx = Context::new().unwrap();
    let server = silent(&ctx, "inproc://lp-multi");
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-multi"])
        .unwrap()
        .timeout(PATIENCE);
    let asking = thread::spawn(move || client.request(["a", "", "b"]));
    let got = server.recv_timeout(PATIENCE).unwrap();
    assert_eq!(
        got.body.to_vecs(),
        [b"".to_vec(), b"a".to_vec(), b"".to_vec(), b"b".to_vec()]
    );
    server.send_to(&got.id, ["", "x", "", "y"]).unwrap();
    let reply = asking.join().unwrap().unwrap();
    assert_eq!(
        reply.to_vecs(),
        [b"x".to_vec(), b"".to_vec(), b"y".to_vec()]
    );
}

#[test]
fn extreme_timeouts_and_tries_neither_panic_nor_overflow() {
    let ctx = Context::new().unwrap();
    let server = echo(&ctx, "inproc://lp-extreme", 1);
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-extreme"])
        .unwrap()
        .timeout(Duration::MAX)
        .retries(u32::MAX)
        .unwrap();
    assert_eq!(client.request("1").unwrap(), "1");
    server.join().unwrap();
    // Zero waits for nothing: one try, at once a timeout.
    let _dead = silent(&ctx, "inproc://lp-zero");
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-zero"])
        .unwrap()
        .timeout(Duration::ZERO)
        .retries(1)
        .unwrap();
    assert!(client.request("1").unwrap_err().is_timeout());
}

#[test]
fn a_server_that_closed_its_socket_is_a_timeout_not_a_hang() {
    let ctx = Context::new().unwrap();
    let server = echo(&ctx, "inproc://lp-closed", 1);
    let mut client = LazyPirate::new(&ctx, ["inproc://lp-closed"])
        .unwrap()
        .timeout(TIMEOUT)
        .retries(2)
        .unwrap();
    assert_eq!(client.request("1").unwrap(), "1");
    // The server's REP is closed: the kept socket has no peer left, and a REQ with no peer
    // blocks in send (inproc keeps no pipe for a peer that has gone).
    server.join().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(client.request("2"));
    });
    let error = rx
        .recv_timeout(PATIENCE)
        .expect("request hung on a closed server")
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
}
