//! The proxies refuse to feed an XSUB from a socket whose message size is not limited enough:
//! libzmq removes an XSUB's subscriptions recursively, one stack frame per topic byte, on
//! the thread that owns it and on its reaper, so a remote peer could overflow either.

mod common;

use common::watchdog::within;
use common::*;
use zmq_typed::limits::SUBSCRIPTION_MSG_MAX;
use zmq_typed::proxy::PROXY_MAX_FORWARDED_MSG_SIZE;
use zmq_typed::{
    proxy, proxy_with_capture, Context, Error, Pull, Socket, SocketType, SocketType::*,
    SteerableProxy, XPub, XSub,
};

/// What `proxy()` and `SteerableProxy::start` say when `from` would feed an XSUB.
fn refusal(
    from: &str,
    from_type: SocketType,
    limit: Option<u64>,
    to: &str,
    max: u64,
    stack: &str,
) -> Error {
    let limit = match limit {
        Some(n) => format!("is {n} bytes"),
        None => "is unlimited".to_string(),
    };
    Error::OptionValue {
        option: "ZMQ_MAXMSGSIZE",
        reason: format!(
            "the {from} ({from_type})'s limit {limit}, and the proxy would forward what its \
             peers send into the {to} XSUB, which takes every frame starting with 1 or 0 as \
             a subscription and walks it recursively (about 80 bytes of stack per byte), so a \
             peer could overflow {stack}, killing the process; call \
             set_max_msg_size(Some(n)) with n <= {max} on the {from} before it binds or \
             connects (libzmq applies the limit to the endpoints made after it)"
        ),
    }
}

const STEERABLE: &str = "the proxy thread's stack, or that of libzmq's reaper thread when it \
                         frees the XSUB's subscriptions";
const PLAIN: &str = "the stack of the calling thread, which the crate cannot know";

/// A socket of `kind` with `ZMQ_MAXMSGSIZE` set to `limit`.
fn limited(ctx: &Context, kind: SocketType, limit: Option<u64>) -> Socket {
    let s = socket(ctx, kind);
    s.set_max_msg_size(limit).unwrap();
    s
}

fn start(front: Socket, back: Socket, capture: Option<Socket>) -> zmq_typed::Result<()> {
    match capture {
        None => SteerableProxy::start(front, back)?.terminate()?,
        Some(capture) => SteerableProxy::start_with_capture(front, back, capture)?.terminate()?,
    };
    Ok(())
}

/// The steerable proxy refuses every route into an XSUB from a socket without a low enough
/// limit, and accepts the limit itself.
#[test]
fn a_steerable_proxy_refuses_to_feed_an_xsub_without_a_limit() {
    let ctx = ctx();
    let max = PROXY_MAX_FORWARDED_MSG_SIZE;
    assert_eq!(max, 64 * 1024);
    // A PULL without limit into an XSUB backend: the hostile-peer reproduction.
    assert_eq!(
        start(socket(&ctx, Pull), socket(&ctx, XSub), None),
        Err(refusal("frontend", Pull, None, "backend", max, STEERABLE))
    );
    // One byte over.
    assert_eq!(
        start(limited(&ctx, Pull, Some(max + 1)), socket(&ctx, XSub), None),
        Err(refusal(
            "frontend",
            Pull,
            Some(max + 1),
            "backend",
            max,
            STEERABLE
        ))
    );
    // An XPUB whose limit was lifted.
    assert_eq!(
        start(limited(&ctx, XPub, None), socket(&ctx, XSub), None),
        Err(refusal("frontend", XPub, None, "backend", max, STEERABLE))
    );
    // The other way round: an XSUB frontend fed by the backend.
    assert_eq!(
        start(socket(&ctx, XSub), socket(&ctx, Router), None),
        Err(refusal("backend", Router, None, "frontend", max, STEERABLE))
    );
    // An XSUB capture gets copies from both sides: the backend DEALER has no limit.
    assert_eq!(
        start(
            limited(&ctx, Pull, Some(max)),
            socket(&ctx, Dealer),
            Some(socket(&ctx, XSub))
        ),
        Err(refusal("backend", Dealer, None, "capture", max, STEERABLE))
    );

    // Accepted: the limit itself; the crate's XPUB as it is; a PUSH backend (it receives
    // nothing) beside an XSUB capture; no XSUB at all.
    start(limited(&ctx, Pull, Some(max)), socket(&ctx, XSub), None).unwrap();
    start(socket(&ctx, XPub), socket(&ctx, XSub), None).unwrap();
    start(
        limited(&ctx, Pull, Some(max)),
        socket(&ctx, Push),
        Some(socket(&ctx, XSub)),
    )
    .unwrap();
    start(socket(&ctx, Pull), socket(&ctx, Push), None).unwrap();
}

/// `proxy()` runs on the caller's thread: the limit is SUBSCRIPTION_MSG_MAX, and it refuses
/// before running.
#[test]
fn the_plain_proxy_refuses_to_feed_an_xsub_without_a_limit() {
    let ctx = ctx();
    let max = SUBSCRIPTION_MSG_MAX;
    let front = socket(&ctx, Pull);
    let back = socket(&ctx, XSub);
    assert_eq!(
        proxy(&front, &back),
        Err(refusal("frontend", Pull, None, "backend", max, PLAIN))
    );
    // Within the steerable proxy's limit but over this one.
    let front = limited(&ctx, Pull, Some(max + 1));
    assert_eq!(
        proxy(&front, &back),
        Err(refusal(
            "frontend",
            Pull,
            Some(max + 1),
            "backend",
            max,
            PLAIN
        ))
    );
    let capture = socket(&ctx, XSub);
    let front = limited(&ctx, Pull, Some(max));
    let back = socket(&ctx, Router);
    assert_eq!(
        proxy_with_capture(&front, &back, &capture),
        Err(refusal("backend", Router, None, "capture", max, PLAIN))
    );
}

/// The guard reads the typed sockets' limits too: a typed PULL without a limit cannot feed
/// a typed XSUB; with one, it can.
#[test]
fn typed_sockets_are_guarded_alike() {
    let ctx = ctx();
    let max = PROXY_MAX_FORWARDED_MSG_SIZE;
    let refused = SteerableProxy::start(Pull::new(&ctx).unwrap(), XSub::new(&ctx).unwrap());
    assert_eq!(
        refused.map(|_| ()),
        Err(refusal("frontend", Pull, None, "backend", max, STEERABLE))
    );
    let front = Pull::new(&ctx).unwrap();
    front.set_max_msg_size(Some(max)).unwrap();
    let steerable = SteerableProxy::start(front, XSub::new(&ctx).unwrap()).unwrap();
    let (_front, _back, _): (Pull, XSub, _) = steerable.terminate().unwrap();
    assert_eq!(
        proxy(&Pull::new(&ctx).unwrap(), &XSub::new(&ctx).unwrap()),
        Err(refusal(
            "frontend",
            Pull,
            None,
            "backend",
            SUBSCRIPTION_MSG_MAX,
            PLAIN
        ))
    );
}

/// The usual forwarder, XPUB to XSUB with the crate's XPUB as it is (typed), runs under
/// `proxy()` and forwards both ways until the shutdown, a normal stop.
#[test]
fn the_plain_xpub_xsub_forwarder_runs() {
    let ctx = ctx();
    let front = patient(XPub::new(&ctx).unwrap());
    let back = patient(XSub::new(&ctx).unwrap());
    let front_ep = front.bind("inproc://forwarder-front").unwrap();
    let back_ep = back.bind("inproc://forwarder-back").unwrap();
    let handle = std::thread::spawn(move || proxy(&front, &back));
    let publisher = connected(&ctx, XPub, &back_ep);
    let subscriber = patient(zmq_typed::Sub::new(&ctx).unwrap());
    subscriber.subscribe(b"news").unwrap();
    subscriber.connect(&front_ep).unwrap();
    // The subscription travels through the proxy to the publisher.
    assert_eq!(publisher.recv().unwrap().to_vec(), b"\x01news");
    publisher.send("news: on time").unwrap();
    assert_eq!(subscriber.recv_string().unwrap(), "news: on time");
    ctx.shutdown().unwrap();
    let result = within(PATIENCE, "the forwarder's end", move || {
        handle.join().unwrap()
    });
    assert_eq!(result, Ok(()));
}
