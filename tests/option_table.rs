//! The option table (`src/options/table.rs`): every option of some socket types only is a
//! method of the dynamic `Socket` and of each typed socket the table lists (the calls below
//! compile), libzmq accepts it on each of those types, and the readable ones read back what
//! was set. The options of every type are `SocketCore`'s, reached from each typed socket.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{
    Context, Dealer, Error, Pair, Pub, Pull, Push, Rep, Req, Router, Socket, SocketType, Stream,
    Sub, XPub, XSub,
};

/// Sets the flag both ways on each socket and reads it back.
macro_rules! round_trips {
    ($get:ident, $set:ident: $($s:expr),+ $(,)?) => {
        $(
            let s = $s;
            for value in [true, false, true] {
                s.$set(value).unwrap_or_else(|e| {
                    panic!("{}({value}) on {}: {e}", stringify!($set), stringify!($s))
                });
                assert_eq!(s.$get().unwrap(), value, "{} on {}", stringify!($get), stringify!($s));
            }
        )+
    };
}

/// Sets a write-only option on each socket: libzmq accepts it.
macro_rules! accepted {
    ($set:ident($value:expr): $($s:expr),+ $(,)?) => {
        $(
            $s.$set($value).unwrap_or_else(|e| {
                panic!("{} on {}: {e}", stringify!($set), stringify!($s))
            });
        )+
    };
}

fn dynamic(ctx: &Context, kind: SocketType) -> Socket {
    Socket::new(ctx, kind).unwrap()
}

#[test]
fn conflate_is_on_pub_sub_push_pull_dealer() {
    let ctx = ctx();
    for kind in [
        SocketType::Pub,
        SocketType::Sub,
        SocketType::Push,
        SocketType::Pull,
        SocketType::Dealer,
    ] {
        round_trips!(conflate, set_conflate: dynamic(&ctx, kind));
    }
    round_trips!(
        conflate,
        set_conflate: Pub::new(&ctx).unwrap(),
        Sub::new(&ctx).unwrap(),
        Push::new(&ctx).unwrap(),
        Pull::new(&ctx).unwrap(),
        Dealer::new(&ctx).unwrap(),
    );
}

#[test]
fn invert_matching_is_on_pub_sub_xpub_xsub() {
    let ctx = ctx();
    for kind in [
        SocketType::Pub,
        SocketType::Sub,
        SocketType::XPub,
        SocketType::XSub,
    ] {
        round_trips!(invert_matching, set_invert_matching: dynamic(&ctx, kind));
    }
    round_trips!(
        invert_matching,
        set_invert_matching: Pub::new(&ctx).unwrap(),
        Sub::new(&ctx).unwrap(),
        XPub::new(&ctx).unwrap(),
        XSub::new(&ctx).unwrap(),
    );
}

/// `man zmq_setsockopt` does not list XSUB for `ZMQ_INVERT_MATCHING`, but libzmq's XSUB
/// (whose matching SUB's is) honours it: an inverted XSUB subscribed to "a" receives "b1",
/// which it would drop otherwise. Also: `Socket::subscribe` on an XSUB sends `\x01topic`.
#[test]
fn an_inverted_xsub_receives_what_does_not_match() {
    let ctx = ctx();
    let xpub = socket(&ctx, SocketType::XPub);
    let xsub = socket(&ctx, SocketType::XSub);
    xpub.set_invert_matching(true).unwrap();
    xsub.set_invert_matching(true).unwrap();
    wire(&xpub, &xsub, Transport::Inproc, "inverted-xsub");
    xsub.subscribe("a").unwrap();
    // The subscription has reached the XPUB's filter once the XPUB has received it.
    assert!(xpub.recv().unwrap() == b"\x01a"[..]);
    xpub.send("a1").unwrap();
    xpub.send("b1").unwrap();
    assert!(xsub.recv().unwrap() == "b1");
}

#[test]
fn probe_router_is_on_router_dealer_req() {
    let ctx = ctx();
    for kind in [SocketType::Router, SocketType::Dealer, SocketType::Req] {
        accepted!(set_probe_router(true): dynamic(&ctx, kind));
    }
    accepted!(
        set_probe_router(true): Router::new(&ctx).unwrap(),
        Dealer::new(&ctx).unwrap(),
        Req::new(&ctx).unwrap(),
    );
}

#[test]
fn connect_routing_id_is_on_router_and_stream_and_checked() {
    let ctx = ctx();
    let router = Router::new(&ctx).unwrap();
    let stream = Stream::new(&ctx).unwrap();
    accepted!(
        set_connect_routing_id("peer-1"): dynamic(&ctx, SocketType::Router),
        dynamic(&ctx, SocketType::Stream),
        router,
        stream,
    );
    for bad in [&b""[..], &[0u8, 1][..], &[b'x'; 256][..]] {
        assert!(matches!(
            router.set_connect_routing_id(bad),
            Err(Error::OptionValue {
                option: "ZMQ_CONNECT_ROUTING_ID",
                ..
            })
        ));
    }
}

#[test]
fn router_options_are_on_router() {
    let ctx = ctx();
    let router = Router::new(&ctx).unwrap();
    let socket = dynamic(&ctx, SocketType::Router);
    accepted!(set_router_mandatory(true): socket, router);
    accepted!(set_router_handover(true): socket, router);
    // Deprecated, and on the dynamic socket only: the typed API has `Stream`.
    accepted!(set_router_raw(true): dynamic(&ctx, SocketType::Router));
}

#[test]
fn req_options_are_on_req() {
    let ctx = ctx();
    accepted!(
        set_req_correlate(true): dynamic(&ctx, SocketType::Req),
        Req::new(&ctx).unwrap()
    );
    accepted!(set_req_relaxed(true): dynamic(&ctx, SocketType::Req));
    // By hand on `Req`: `&self`, and it keeps the flag `abandon` reads.
    let req = Req::new(&ctx).unwrap();
    assert!(!req.is_relaxed());
    req.set_req_relaxed(true).unwrap();
    assert!(req.is_relaxed());
    req.set_req_relaxed(false).unwrap();
    assert!(!req.is_relaxed());
}

#[test]
fn xpub_options_are_on_xpub_and_nodrop_on_pub_too() {
    let ctx = ctx();
    let xpub = XPub::new(&ctx).unwrap();
    let socket = dynamic(&ctx, SocketType::XPub);
    accepted!(set_xpub_verbose(true): socket, xpub);
    accepted!(set_xpub_verboser(true): socket, xpub);
    accepted!(set_xpub_manual(true): socket, xpub);
    accepted!(set_xpub_welcome_msg("welcome"): socket, xpub);
    accepted!(set_xpub_welcome_msg(""): socket, xpub);
    accepted!(
        set_xpub_nodrop(true): socket,
        xpub,
        dynamic(&ctx, SocketType::Pub),
        Pub::new(&ctx).unwrap(),
    );
}

#[test]
fn stream_notify_is_on_stream() {
    let ctx = ctx();
    accepted!(
        set_stream_notify(false): dynamic(&ctx, SocketType::Stream),
        Stream::new(&ctx).unwrap()
    );
}

/// The options of every type are `SocketCore`'s: each typed socket reaches them.
#[test]
fn every_typed_socket_has_the_general_options() {
    let ctx = ctx();
    let ms = Duration::from_millis(1234);
    macro_rules! general {
        ($($s:expr),+ $(,)?) => {
            $(
                let s = $s;
                s.set_linger(Some(ms)).unwrap();
                assert_eq!(s.linger().unwrap(), Some(ms), "{}", stringify!($s));
                s.set_rcvhwm(Some(7)).unwrap();
                assert_eq!(s.rcvhwm().unwrap(), Some(7), "{}", stringify!($s));
            )+
        };
    }
    general!(
        dynamic(&ctx, SocketType::Pair),
        Pair::new(&ctx).unwrap(),
        Dealer::new(&ctx).unwrap(),
        Router::new(&ctx).unwrap(),
        Req::new(&ctx).unwrap(),
        Rep::new(&ctx).unwrap(),
        Pub::new(&ctx).unwrap(),
        Sub::new(&ctx).unwrap(),
        XPub::new(&ctx).unwrap(),
        XSub::new(&ctx).unwrap(),
        Push::new(&ctx).unwrap(),
        Pull::new(&ctx).unwrap(),
        Stream::new(&ctx).unwrap(),
    );
}
