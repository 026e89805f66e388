//! Hostile peers against a CURVE server, written by hand over a `TcpStream`.

use super::*;

/// A ZMTP 3.0 greeting naming `mechanism`, as a client.
fn greeting(mechanism: &str) -> Vec<u8> {
    let mut g = vec![0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3, 0];
    let mut name = mechanism.as_bytes().to_vec();
    name.resize(20, 0);
    g.extend(name);
    g.push(0); // as-server
    g.extend([0u8; 31]);
    g
}

/// Hostile peers against a CURVE server: a malformed HELLO, and bytes that are no ZMTP at
/// all. The server's watch reports the first with its protocol error; neither stops it
/// serving a good client.
#[test]
fn hostile_peers_are_reported_and_the_server_keeps_serving() {
    use std::io::{Read, Write};
    let ctx = ctx();
    let (server, keys, server_watch, endpoint) = curve_server(&ctx);
    let address = endpoint
        .to_string()
        .trim_start_matches("tcp://")
        .to_string();

    let mut peer = std::net::TcpStream::connect(&address).unwrap();
    peer.set_read_timeout(Some(PATIENCE)).unwrap();
    peer.write_all(&greeting("CURVE")).unwrap();
    let mut theirs = [0u8; 64];
    peer.read_exact(&mut theirs).unwrap();
    // A HELLO command far too short.
    peer.write_all(&[0x04, 8, 5, b'H', b'E', b'L', b'L', b'O', 1, 0])
        .unwrap();
    let failure = next_failure(&server_watch);
    assert_eq!(
        failure.event,
        EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpMalformedCommandHello)
    );
    assert_eq!(
        failure.to_string(),
        format!(
            "CURVE handshake from a client on {endpoint} failed: ZMTP protocol error \
             ZmtpMalformedCommandHello"
        )
    );
    drop(peer);

    let mut junk = std::net::TcpStream::connect(&address).unwrap();
    junk.write_all(&[0x41; 200]).unwrap();
    drop(junk);

    let (good, good_watch) = curve_client(&ctx, &keys.public, &endpoint.to_string());
    good_watch.wait(PATIENCE).unwrap();
    exchange(good, server, "after the hostile ones");
}
