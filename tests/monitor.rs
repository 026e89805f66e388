//! Monitor events: listening, connected, accepted, handshake, disconnected, and a handshake
//! failure with its decoded reason.

mod common;

use common::*;
use zmq_typed::{CurveKeyPair, EventKind, EventMask, ProtocolError, SocketType::*};

#[test]
fn lifecycle_events() {
    let ctx = ctx();
    let server = socket(&ctx, Rep);
    let server_mon = server.monitor(EventMask::ALL).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let ev = server_mon.recv_timeout(PATIENCE).unwrap();
    assert!(
        matches!(ev.kind, EventKind::Listening { fd } if fd >= 0),
        "{ev:?}"
    );
    assert_eq!(ev.endpoint, ep.to_string());

    let client = socket(&ctx, Req);
    let client_mon = client.monitor(EventMask::ALL).unwrap();
    client.connect(&ep).unwrap();
    let ev = client_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::Connected { .. }))
        .unwrap();
    assert_eq!(ev.endpoint, ep.to_string());
    client_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::HandshakeSucceeded))
        .unwrap();
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::Accepted { .. }))
        .unwrap();
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::HandshakeSucceeded))
        .unwrap();

    drop(client);
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::Disconnected { .. }))
        .unwrap();
    server.stop_monitor().unwrap();
    server_mon
        .wait_for(PATIENCE, |k| matches!(k, EventKind::MonitorStopped))
        .unwrap();
}

#[test]
fn handshake_failures_carry_their_reason() {
    let ctx = ctx();
    // A CURVE server and a plain (NULL) client: mechanism mismatch.
    let keys = CurveKeyPair::generate().unwrap();
    let server = socket(&ctx, Rep);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&keys.secret).unwrap();
    let mon = server.monitor(EventMask::ALL).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, Req);
    client.connect(&ep).unwrap();
    let ev = mon
        .wait_for(PATIENCE, |k| {
            matches!(k, EventKind::HandshakeFailedProtocol(_))
        })
        .unwrap();
    assert_eq!(
        ev.kind,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMechanismMismatch)
    );

    // A CURVE client that has the wrong server key: the server cannot decrypt its HELLO.
    let server2 = socket(&ctx, Rep);
    server2.set_curve_server(true).unwrap();
    server2.set_curve_secretkey(&keys.secret).unwrap();
    let mon2 = server2.monitor(EventMask::ALL).unwrap();
    let ep2 = server2.bind("tcp://127.0.0.1:*").unwrap();
    let wrong = CurveKeyPair::generate().unwrap();
    let mine = CurveKeyPair::generate().unwrap();
    let client2 = socket(&ctx, Req);
    client2.set_curve_serverkey(&wrong.public).unwrap();
    client2.set_curve_publickey(&mine.public).unwrap();
    client2.set_curve_secretkey(&mine.secret).unwrap();
    client2.connect(&ep2).unwrap();
    let ev = mon2
        .wait_for(PATIENCE, |k| {
            matches!(k, EventKind::HandshakeFailedProtocol(_))
        })
        .unwrap();
    assert_eq!(
        ev.kind,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpCryptographic)
    );
}

#[test]
fn raw_event_decoding() {
    assert_eq!(
        EventKind::from_raw(0x0004, 200),
        EventKind::ConnectRetried {
            interval: std::time::Duration::from_millis(200)
        }
    );
    assert_eq!(
        EventKind::from_raw(0x4000, 400),
        EventKind::HandshakeFailedAuth { status: 400 }
    );
    assert_eq!(
        EventKind::from_raw(0x8000, 1),
        EventKind::Unknown {
            event: 0x8000,
            value: 1
        }
    );
    assert_eq!(
        ProtocolError::from_raw(0x2000_0002),
        ProtocolError::ZapBadRequestId
    );
    assert_eq!(ProtocolError::from_raw(7), ProtocolError::Unknown(7));
}
