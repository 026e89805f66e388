//! The address lists, over real tcp connections and with requests written by hand; and
//! what the authenticator answers to requests that do not follow RFC 27.

use super::*;
use zmq_typed::security::zap::{Mechanism, STATUS_DENIED, ZAP_ENDPOINT};
use zmq_typed::{Error, Message};

/// A REQ connected to the context's ZAP endpoint, as libzmq's own ZAP client is.
fn zap_peer(ctx: &Context) -> Socket {
    let req = socket(ctx, SocketType::Req);
    req.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    req.connect(ZAP_ENDPOINT).unwrap();
    req
}

/// Sends `frames` as one request and returns the reply's frames.
fn ask(req: &Socket, frames: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    req.send_multipart(frames.into_iter().map(Message::from_vec))
        .unwrap();
    req.recv().unwrap().to_vecs()
}

fn request(address: &str, mechanism: &str, credentials: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut frames = vec![
        v("1.0"),
        v("42"),
        v("global"),
        v(address),
        v(""),
        v(mechanism),
    ];
    frames.extend(credentials.iter().map(|c| c.to_vec()));
    frames
}

#[test]
fn the_deny_list_beats_the_allow_list_over_tcp() {
    let ctx = ctx();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .allow_ip("127.0.0.1")
            .deny_ip("127.0.0.0/8"),
    );
    let (server, ep) = null_server(&ctx);
    let client = null_client(&ctx, &ep);
    client.send("x").unwrap();
    let d = decisions.next();
    assert_refused(
        &d,
        STATUS_DENIED,
        "address 127.0.0.1 is in the deny list (127.0.0.0/8)",
    );
    assert_eq!(d.mechanism, Some(Mechanism::Null));
    assert_eq!(d.domain, "global");
    assert!(server.try_recv().unwrap().is_none());
}

#[test]
fn an_allow_list_lets_in_its_addresses_only() {
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().allow_ip("10.0.0.0/8"));
    let (_server, ep) = null_server(&ctx);
    let client = null_client(&ctx, &ep);
    client.send("x").unwrap();
    assert_refused(
        &decisions.next(),
        STATUS_DENIED,
        "address 127.0.0.1 is not in the allow list",
    );
    drop(client);

    let ctx = super::ctx();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .allow_ip("10.0.0.0/8")
            .allow_ip(" 127.0.0.1 "),
    );
    let (server, ep) = null_server(&ctx);
    let client = null_client(&ctx, &ep);
    client.send("in").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"in");
    let d = decisions.next();
    assert!(d.allowed && d.user_id.is_empty(), "{d:?}");
}

#[test]
fn address_lists_with_addresses_written_by_hand() {
    let ctx = ctx();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .allow_ip("10.0.0.0/8")
            .allow_ip("fd00::/8")
            .deny_ip("10.6.6.6"),
    );
    let req = zap_peer(&ctx);
    for (address, status, why) in [
        ("10.1.2.3", "200", "NULL"),
        ("10.6.6.6", "400", "in the deny list"),
        ("11.1.2.3", "400", "not in the allow list"),
        ("fd12::7", "200", "NULL"),
        ("::ffff:10.1.2.3", "200", "NULL"),
        ("", "400", "not an IP address"),
    ] {
        let reply = ask(&req, request(address, "NULL", &[]));
        assert_eq!(reply[0], b"1.0");
        assert_eq!(reply[1], b"42");
        assert_eq!(reply[2], status.as_bytes(), "{address}: {reply:?}");
        let d = decisions.next();
        assert!(d.reason.contains(why), "{address}: {}", d.reason);
        assert_eq!(d.address, address);
    }
}

#[test]
fn a_bad_address_is_an_error_at_start() {
    let ctx = ctx();
    for bad in ["localhost", "10.0.0.0/33", "1.2.3.4/", "::1/200", "1.2.3"] {
        let err = Authenticator::builder()
            .deny_ip(bad)
            .start(&ctx)
            .unwrap_err();
        assert!(
            matches!(&err, Error::SecuritySetup(text) if text.contains(bad)),
            "{bad}: {err:?}"
        );
    }
}

#[test]
fn a_well_formed_request_by_hand_gets_a_reply_of_six_frames() {
    let ctx = ctx();
    let key = CurveKeyPair::generate().unwrap().public;
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .curve_keys([key])
            .plain_passwords([("u", "p")]),
    );
    let req = zap_peer(&ctx);
    let reply = ask(&req, request("127.0.0.1", "CURVE", &[key.as_bytes()]));
    let z85 = key.to_z85();
    assert_eq!(reply.len(), 6);
    assert_eq!(reply[..3], [v("1.0"), v("42"), v("200")]);
    assert_eq!(reply[4], z85.as_bytes(), "the user id");
    assert_eq!(reply[5], b"", "no metadata");
    assert!(decisions.next().allowed);

    let reply = ask(&req, request("127.0.0.1", "PLAIN", &[b"u", b"p"]));
    assert_eq!(reply[2], b"200");
    assert_eq!(reply[4], b"u");
    let reply = ask(&req, request("127.0.0.1", "GSSAPI", &[b"someone@REALM"]));
    assert_eq!(reply[2], b"400");
    assert_eq!(reply[3], b"no GSSAPI policy configured");
}

#[test]
fn malformed_requests_are_answered_500_counted_and_reported() {
    let ctx = ctx();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder().curve_any_key());
    let req = zap_peer(&ctx);
    let mut too_many = request("127.0.0.1", "NULL", &[]);
    too_many.extend((0..100).map(|i| v(&i.to_string())));
    let mut huge = request("127.0.0.1", "PLAIN", &[b"u", b"p"]);
    huge[6] = vec![b'u'; 1 << 20];
    let mut bad_version = request("127.0.0.1", "NULL", &[]);
    bad_version[0] = v("2.0");
    let mut bad_domain = request("127.0.0.1", "NULL", &[]);
    bad_domain[2] = vec![0xff, 0xfe];
    // (frames, the request id echoed, why)
    type Case = (Vec<Vec<u8>>, &'static [u8], &'static str);
    let cases: Vec<Case> = vec![
        (vec![v("hello")], b"", "fewer than the 6"),
        (vec![v("1.0"), v("9")], b"9", "fewer than the 6"),
        (bad_version, b"42", "not \"1.0\""),
        (
            request("127.0.0.1", "CURVE", &[b"short key"]),
            b"42",
            "not 32",
        ),
        (
            request("127.0.0.1", "CURVE", &[]),
            b"42",
            "0 credential frames for CURVE",
        ),
        (
            request("127.0.0.1", "PLAIN", &[b"only the user"]),
            b"42",
            "for PLAIN",
        ),
        (request("127.0.0.1", "NULL", &[b"extra"]), b"42", "for NULL"),
        (
            request("127.0.0.1", "KERBEROS9", &[]),
            b"42",
            "unknown mechanism",
        ),
        (too_many, b"42", "106 frames"),
        (huge, b"42", "frame 7 is 1048576 bytes long"),
        (bad_domain, b"42", "domain is not UTF-8"),
    ];
    let n = cases.len() as u64;
    for (frames, id, why) in cases {
        let reply = ask(&req, frames);
        assert_eq!(reply.len(), 6, "{why}: {reply:?}");
        assert_eq!(reply[0], b"1.0");
        assert_eq!(reply[1], id, "{why}: the request id is echoed");
        assert_eq!(reply[2], b"500", "{why}");
        let d = decisions.next();
        assert!(d.malformed && !d.allowed && d.status == 500, "{d:?}");
        assert!(d.reason.contains(why), "{:?} lacks {why:?}", d.reason);
    }
    assert_eq!(auth.stats().malformed, n);
    assert_eq!(auth.stats().denied, 0);
    // Still serving: a real client gets in.
    let server_keys = CurveKeyPair::generate().unwrap();
    let (server, ep) = curve_server(&ctx, &server_keys);
    let client = curve_client(&ctx, &ep, &server_keys, &CurveKeyPair::generate().unwrap());
    client.send("still here").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"still here");
}

#[test]
fn a_dealer_that_skips_the_envelope_is_ignored_and_the_next_request_answered() {
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder());
    let dealer = socket(&ctx, SocketType::Dealer);
    dealer.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    dealer.connect(ZAP_ENDPOINT).unwrap();
    // No empty frame anywhere, so no envelope delimiter: REP drops it without a request
    // to answer.
    let mut frames = request("127.0.0.1", "NULL", &[]);
    frames[4] = v("routing-id");
    dealer
        .send_multipart(frames.into_iter().map(Message::from_vec))
        .unwrap();
    let req = zap_peer(&ctx);
    let reply = ask(&req, request("127.0.0.1", "NULL", &[]));
    assert_eq!(reply[2], b"200");
    assert!(decisions.next().allowed);
    assert!(decisions.none_waiting());
}

#[test]
fn an_allow_list_refuses_ipc_clients_which_have_no_ip_address() {
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().allow_ip("127.0.0.1"));
    let server = socket(&ctx, SocketType::Pull);
    server.set_zap_domain("global").unwrap();
    let ep = server.bind("ipc://*").unwrap();
    let client = null_client(&ctx, &ep);
    client.send("x").unwrap();
    // libzmq 4.3 gives "localhost:<uid>:<gid>:<pid>" for an IPC peer.
    let d = decisions.next();
    assert_refused(
        &d,
        STATUS_DENIED,
        "is not an IP address, and an allow list is set",
    );
    assert!(d.address.starts_with("localhost:"), "{d:?}");
}

/// libzmq runs no security handshake over inproc: a CURVE server bound there takes any
/// inproc peer, and the authenticator is never asked (the module docs say so).
#[test]
fn inproc_peers_are_never_asked_about() {
    let ctx = ctx();
    let (auth, decisions) = hooked(&ctx, Authenticator::builder());
    let keys = CurveKeyPair::generate().unwrap();
    let server = socket(&ctx, SocketType::Pull);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&keys.secret).unwrap();
    server.bind("inproc://zap-never-asked").unwrap();
    let client = socket(&ctx, SocketType::Push);
    client.connect("inproc://zap-never-asked").unwrap();
    client.send("no keys at all").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"no keys at all");
    assert!(decisions.none_waiting());
    assert_eq!(auth.stats(), Default::default());
}

/// A dual-stack server (`ZMQ_IPV6` on `tcp://*`) sees an IPv4 client as `::ffff:127.0.0.1`,
/// and the decisions print it so: a rule written in that form matches the client, as its
/// IPv4 form does (before, an IPv4-mapped rule never matched anything, and a deny list
/// written from a decision's address let the client in).
#[test]
fn an_ipv4_mapped_rule_matches_the_ipv4_client() {
    for rule in ["::ffff:127.0.0.1", "::ffff:127.0.0.0/104", "127.0.0.1"] {
        let ctx = ctx();
        let (_auth, decisions) = hooked(&ctx, Authenticator::builder().deny_ip(rule));
        let server = socket(&ctx, SocketType::Pull);
        server.set_ipv6(true).unwrap();
        server.set_zap_domain("global").unwrap();
        let port = server.bind("tcp://*:*").unwrap().to_string();
        let port = port.rsplit(':').next().unwrap().to_string();
        let client = null_client(&ctx, &format!("tcp://127.0.0.1:{port}").parse().unwrap());
        client.send("x").unwrap();
        let d = decisions.next();
        assert_eq!(d.address, "::ffff:127.0.0.1", "{rule}: {d:?}");
        assert_refused(&d, STATUS_DENIED, "address 127.0.0.1 is in the deny list");
        assert!(server.try_recv().unwrap().is_none());
    }
    // Over a plain IPv4 socket too, and in an allow list.
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().allow_ip("::ffff:127.0.0.1"));
    let (server, ep) = null_server(&ctx);
    let client = null_client(&ctx, &ep);
    client.send("x").unwrap();
    assert!(decisions.next().allowed);
    assert_eq!(server.recv().unwrap().to_vecs(), vec![v("x")]);
}
