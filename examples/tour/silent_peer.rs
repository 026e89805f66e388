//! The heartbeat row: a peer that goes silent without closing its connection (a frozen
//! process, a cable pulled out) is found out by ZMTP heartbeats alone. The peer is written
//! by hand on a plain TCP socket: it speaks just enough ZMTP 3 (greeting, READY, one
//! message) and then never reads nor answers a PING again, which no libzmq peer in this
//! process could be made to do.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _, Result};
use zmq_typed::patterns::ZmtpHeartbeat;
use zmq_typed::{Context, EventKind, EventMask, Router};

use crate::cases::PATIENCE;
use crate::transport::Endpoints;

/// A ROUTER with heartbeats every 100 ms, liveness 3: the silent peer's message arrives,
/// then the ROUTER cuts the peer off within 300 ms of silence (the row allows one more
/// second for a loaded machine).
pub fn silent_peer(ctx: &Context, ep: &mut Endpoints) -> Result<u64> {
    let heartbeat = ZmtpHeartbeat::new(Duration::from_millis(100), 3);
    let router = Router::new(ctx)?;
    heartbeat.apply(&router)?;
    let monitor = router.monitor(EventMask::ALL)?;
    let at = router.bind(ep.bind("router"))?.to_string();
    let address = at.strip_prefix("tcp://").context("a tcp endpoint")?;
    let mut peer = TcpStream::connect(address)?;
    peer.set_read_timeout(Some(PATIENCE))?;
    // Greeting: signature, version 3.0, mechanism NULL, not as-server.
    let mut greeting = [0u8; 64];
    greeting[0] = 0xFF;
    greeting[9] = 0x7F;
    greeting[10] = 3;
    greeting[12..16].copy_from_slice(b"NULL");
    peer.write_all(&greeting)?;
    let mut theirs = [0u8; 64];
    peer.read_exact(&mut theirs)?;
    ensure!(
        theirs[0] == 0xFF && theirs[10] >= 3,
        "not a ZMTP 3 greeting"
    );
    // READY, as a DEALER (a command frame: flags 0x04, then its length).
    let ready = b"\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER";
    peer.write_all(&[0x04, ready.len() as u8])?;
    peer.write_all(ready)?;
    // One message (a last frame: flags 0x00), then silence.
    peer.write_all(&[0x00, 5])?;
    peer.write_all(b"hello")?;
    let message = router.recv_timeout(PATIENCE)?;
    ensure!(message.body == "hello", "the ROUTER got {}", message.body);
    let silent_since = Instant::now();
    monitor.wait_for(PATIENCE, |kind| {
        matches!(kind, EventKind::Disconnected { .. })
    })?;
    let took = silent_since.elapsed();
    if took > heartbeat.bound() + Duration::from_secs(1) {
        bail!(
            "the silent peer was cut off after {took:?}, the bound is {:?}",
            heartbeat.bound()
        );
    }
    Ok(1)
}
