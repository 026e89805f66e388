//! A ROUTER receives and sends whole routed messages ([`Routed`]: the routing id, then the
//! body), so a broker forwards symmetrically, an echo is `router.send(router.recv()?)`, and
//! `reply` adds the delimiter a REQ peer needs. The public API only, no prelude import.

mod common;

use std::collections::BTreeSet;

use common::*;
use zmq_typed::{Dealer, Error, Multipart, Rep, Req, Routed, Router, RoutingId};

#[test]
fn a_router_echoes_what_it_received_whole() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let router = patient(Router::new(&ctx).unwrap());
        let dealer = patient(Dealer::new(&ctx).unwrap());
        dealer.set_routing_id("d1").unwrap();
        wire(&router, &dealer, t, "routed-echo");
        dealer.send(["a", "b"]).unwrap();
        let routed = router.recv().unwrap();
        assert_eq!(routed.id, RoutingId::from("d1"));
        assert_eq!(frames(&routed.body), [v("a"), v("b")]);
        assert_eq!(routed.to_string(), "d1: [a][b]");
        router.send(routed).unwrap();
        assert_eq!(frames(&dealer.recv().unwrap()), [v("a"), v("b")], "{t:?}");
    }
}

#[test]
fn reply_puts_back_the_delimiter_a_req_needs() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&router, &req, Transport::Inproc, "routed-reply");
    let waiting = req.send("question").unwrap();
    let request = router.recv().unwrap();
    let (envelope, body) = request.body.split_envelope().unwrap();
    assert!(envelope.is_empty(), "a REQ's request: [][body]");
    assert_eq!(body, "question");
    router.reply(&request.id, ["answer", "in two"]).unwrap();
    let (reply, _req) = waiting.recv().unwrap();
    assert_eq!(frames(&reply), [v("answer"), v("in two")]);
}

#[test]
fn send_to_takes_a_frame_or_a_whole_body() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    let dealer = patient(Dealer::new(&ctx).unwrap());
    dealer.set_routing_id("d").unwrap();
    wire(&router, &dealer, Transport::Inproc, "routed-send-to");
    dealer.send("hello").unwrap();
    let id = router.recv().unwrap().id;
    router.send_to(&id, "one").unwrap();
    router
        .send_to(&id, Multipart::from(["two", "frames"]))
        .unwrap();
    router
        .send(Routed::new(id.clone(), ["built", "here"]))
        .unwrap();
    assert_eq!(dealer.recv().unwrap(), "one");
    assert_eq!(frames(&dealer.recv().unwrap()), [v("two"), v("frames")]);
    assert_eq!(frames(&dealer.recv().unwrap()), [v("built"), v("here")]);
}

#[test]
fn a_routed_message_without_a_body_is_refused_not_dropped() {
    let ctx = ctx();
    let router = Router::new(&ctx).unwrap();
    let failed = router.send(Multipart::single("id-only")).unwrap_err();
    assert!(matches!(failed.error(), Error::Malformed(_)), "{failed}");
    assert_eq!(failed.into_message(), "id-only");
    let failed = router.send(Multipart::new()).unwrap_err();
    assert!(matches!(
        failed.error(),
        Error::Malformed(_) | Error::EmptyMessage
    ));
    let failed = router
        .send_to(&RoutingId::from("x"), Multipart::new())
        .unwrap_err();
    assert!(matches!(failed.error(), Error::EmptyMessage));
}

/// A broker: REQ clients on a ROUTER frontend, REP workers on a DEALER backend, each
/// message forwarded whole, both ways, without touching its envelope.
#[test]
fn a_broker_of_typed_sockets_forwards_symmetrically() {
    for t in TRANSPORTS {
        let ctx = ctx();
        let frontend = patient(Router::new(&ctx).unwrap());
        let backend = patient(Dealer::new(&ctx).unwrap());
        let clients_ep = frontend.bind(bind_endpoint(t, "broker-front")).unwrap();
        let workers_ep = backend.bind(bind_endpoint(t, "broker-back")).unwrap();

        let worker = std::thread::spawn({
            let ctx = ctx.clone();
            move || {
                let rep = patient(Rep::new(&ctx).unwrap());
                rep.connect(&workers_ep).unwrap();
                let mut rep = rep;
                for _ in 0..3 {
                    let (request, replying) = rep.recv().unwrap();
                    rep = replying.send(format!("{request} done")).unwrap();
                }
            }
        });
        let clients: Vec<_> = (0..3)
            .map(|i| {
                let req = patient(Req::new(&ctx).unwrap());
                req.connect(&clients_ep).unwrap();
                req.send(format!("job {i}")).unwrap()
            })
            .collect();

        for _ in 0..3 {
            backend.send(frontend.recv().unwrap()).unwrap();
            frontend.send(backend.recv().unwrap()).unwrap();
        }
        let replies: BTreeSet<String> = clients
            .into_iter()
            .map(|waiting| waiting.recv().unwrap().0.into_string().unwrap())
            .collect();
        let expected: BTreeSet<String> = (0..3).map(|i| format!("job {i} done")).collect();
        assert_eq!(replies, expected, "{t:?}");
        worker.join().unwrap();
    }
}

#[test]
fn reply_with_keeps_the_envelope_of_a_correlating_req() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    let req = patient(Req::new_relaxed(&ctx).unwrap());
    wire(&router, &req, Transport::Tcp, "routed-reply-with");
    let waiting = req.send("ping").unwrap();
    let request = router.recv().unwrap();
    // [request id][][body]: a correlating REQ drops a reply without its request id.
    assert_eq!(request.body.len(), 3);
    let reply = request.reply_with(["pong", "!"]);
    assert_eq!(reply.id, request.id);
    assert_eq!(reply.body[..2], request.body[..2]);
    router.send(reply).unwrap();
    let (reply, _ready) = waiting.recv().unwrap();
    assert_eq!(frames(&reply), [v("pong"), v("!")]);
    // From a DEALER (no delimiter), the reply is the body alone.
    let dealer = patient(Dealer::new(&ctx).unwrap());
    dealer.set_routing_id("plain").unwrap();
    wire(
        &router,
        &dealer,
        Transport::Inproc,
        "routed-reply-with-dealer",
    );
    dealer.send("hi").unwrap();
    let request = router.recv().unwrap();
    router.send(request.reply_with("there")).unwrap();
    assert_eq!(dealer.recv().unwrap(), "there");
}

#[test]
fn a_router_has_the_send_and_receive_forms_of_the_other_sockets() {
    let ctx = ctx();
    let router = patient(Router::new(&ctx).unwrap());
    let dealer = patient(Dealer::new(&ctx).unwrap());
    dealer.set_routing_id("d").unwrap();
    wire(&router, &dealer, Transport::Inproc, "routed-forms");
    let mut reused = Multipart::new();
    for n in 0..3 {
        dealer.send(["x", &n.to_string()]).unwrap();
        router.recv_into(&mut reused).unwrap();
        assert_eq!(frames(&reused), [v("d"), v("x"), v(&n.to_string())]);
        // Forwarded as it came: id first.
        assert_eq!(router.try_send(&reused).unwrap(), None);
    }
    for n in 0..3 {
        assert_eq!(frames(&dealer.recv().unwrap()), [v("x"), v(&n.to_string())]);
    }
    router
        .send_timeout(Routed::new(RoutingId::from("d"), "timed"), PATIENCE)
        .unwrap();
    assert_eq!(dealer.recv().unwrap(), "timed");

    // An unknown peer with ROUTER_MANDATORY: every send hands the message back.
    router.set_router_mandatory(true).unwrap();
    let lost = Routed::new(RoutingId::from("nobody"), ["a", "b"]);
    let failed = router.try_send(lost.clone()).unwrap_err();
    assert!(failed.is_host_unreachable(), "{failed:?}");
    assert_eq!(
        frames(&failed.into_message()),
        [v("nobody"), v("a"), v("b")]
    );
    let failed = router.send_timeout(lost, PATIENCE).unwrap_err();
    assert!(failed.is_host_unreachable(), "{failed:?}");
    // A routing id alone is refused before libzmq (which would drop it silently).
    let alone = router.try_send(Multipart::from(["d"])).unwrap_err();
    assert!(matches!(alone.error(), Error::Malformed(_)));
}
