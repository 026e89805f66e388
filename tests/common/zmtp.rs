//! A tiny ZMTP 3.0 peer over a plain `TcpStream`, for tests that need a peer libzmq itself
//! would never be: one that sends whatever it likes (a 4 MiB subscription...).
//!
//! Only what those tests need: the NULL mechanism, the READY command with a `Socket-Type`
//! property, and message frames (ZMTP 3.0, rfc.zeromq.org/spec/23).

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// Frame flag: more frames follow.
pub const MORE: u8 = 0x01;
/// Frame flag: the size is 8 bytes (big-endian), not 1.
pub const LONG: u8 = 0x02;
/// Frame flag: a command, not a message frame.
pub const COMMAND: u8 = 0x04;

/// A raw ZMTP 3.0 peer that has done the NULL handshake.
pub struct RawPeer {
    stream: TcpStream,
}

/// Our greeting: signature `FF 00*8 7F`, version 3.0, mechanism "NULL" padded to 20 bytes,
/// as-server 0, 31 zero bytes of filler.
fn greeting() -> [u8; 64] {
    let mut g = [0u8; 64];
    g[0] = 0xFF;
    g[9] = 0x7F;
    g[10] = 3; // major
    g[11] = 0; // minor
    g[12..16].copy_from_slice(b"NULL");
    // g[32] = 0: as-server; g[33..64]: filler
    g
}

fn protocol_error(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// Runs `read` (a read or a peek of the stream, under its read timeout) until it is not
/// interrupted: the bytes it read (0: the peer closed the connection), or None when the
/// timeout passed first.
fn before_timeout(mut read: impl FnMut() -> io::Result<usize>) -> io::Result<Option<usize>> {
    loop {
        match read() {
            Ok(n) => return Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(e),
        }
    }
}

/// The header of a frame of `len` bytes with `flags` (LONG added when needed).
fn header(flags: u8, len: usize) -> Vec<u8> {
    if len <= 255 {
        vec![flags & !LONG, len as u8]
    } else {
        let mut h = vec![flags | LONG];
        h.extend_from_slice(&(len as u64).to_be_bytes());
        h
    }
}

impl RawPeer {
    /// Connects to `endpoint` (`tcp://host:port`), exchanges greetings and READY commands
    /// (announcing `socket_type`), and checks the peer's.
    pub fn connect(endpoint: &str, socket_type: &str) -> io::Result<RawPeer> {
        let address = endpoint
            .strip_prefix("tcp://")
            .ok_or_else(|| protocol_error(format!("not a tcp endpoint: {endpoint}")))?;
        let stream = TcpStream::connect(address)?;
        stream.set_read_timeout(Some(super::PATIENCE))?;
        stream.set_write_timeout(Some(super::PATIENCE))?;
        stream.set_nodelay(true)?;
        let mut peer = RawPeer { stream };

        peer.stream.write_all(&greeting())?;
        let mut theirs = [0u8; 64];
        peer.stream.read_exact(&mut theirs)?;
        if theirs[0] != 0xFF || theirs[9] & 1 != 1 || theirs[10] < 3 {
            return Err(protocol_error(format!(
                "not a ZMTP 3 greeting: {:02x?}",
                &theirs[..12]
            )));
        }
        if &theirs[12..16] != b"NULL" || theirs[16..32].iter().any(|&b| b != 0) {
            return Err(protocol_error(format!(
                "the peer's mechanism is not NULL: {:02x?}",
                &theirs[12..32]
            )));
        }

        let mut ready = b"\x05READY".to_vec();
        ready.push(11);
        ready.extend_from_slice(b"Socket-Type");
        ready.extend_from_slice(&(socket_type.len() as u32).to_be_bytes());
        ready.extend_from_slice(socket_type.as_bytes());
        peer.send_raw(COMMAND, &ready)?;

        let (flags, body) = peer.recv_raw()?;
        if flags & COMMAND == 0 || !body.starts_with(b"\x05READY") {
            return Err(protocol_error(format!(
                "expected READY, got flags {flags:#04x} and {:02x?}",
                &body[..body.len().min(16)]
            )));
        }
        Ok(peer)
    }

    fn send_raw(&mut self, flags: u8, body: &[u8]) -> io::Result<()> {
        self.stream.write_all(&header(flags, body.len()))?;
        self.stream.write_all(body)?;
        self.stream.flush()
    }

    /// Reads one frame (command or message): its flags and body.
    fn recv_raw(&mut self) -> io::Result<(u8, Vec<u8>)> {
        let mut flags = [0u8; 1];
        self.stream.read_exact(&mut flags)?;
        let len = if flags[0] & LONG != 0 {
            let mut size = [0u8; 8];
            self.stream.read_exact(&mut size)?;
            u64::from_be_bytes(size)
        } else {
            let mut size = [0u8; 1];
            self.stream.read_exact(&mut size)?;
            u64::from(size[0])
        };
        let len =
            usize::try_from(len).map_err(|_| protocol_error(format!("frame of {len} bytes")))?;
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body)?;
        Ok((flags[0], body))
    }

    /// Sends one message frame (`more`: others of the same message follow).
    pub fn send_frame(&mut self, body: &[u8], more: bool) -> io::Result<()> {
        self.send_raw(if more { MORE } else { 0 }, body)
    }

    /// Receives one message frame: its body and whether more follow.
    pub fn recv_frame(&mut self) -> io::Result<(Vec<u8>, bool)> {
        loop {
            let (flags, body) = self.recv_raw()?;
            if flags & COMMAND == 0 {
                return Ok((body, flags & MORE != 0));
            }
            // A command (PING...): not for these tests.
        }
    }

    /// Receives one message frame if one starts within `wait` (once it has started, the
    /// rest of it may take up to PATIENCE): `Ok(None)` when none did.
    pub fn recv_frame_within(&mut self, wait: Duration) -> io::Result<Option<(Vec<u8>, bool)>> {
        self.stream.set_read_timeout(Some(wait))?;
        let mut first = [0u8; 1];
        let started = match before_timeout(|| self.stream.peek(&mut first))? {
            Some(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the peer closed the connection",
                ))
            }
            Some(_) => true,
            None => false,
        };
        self.stream.set_read_timeout(Some(super::PATIENCE))?;
        if started {
            self.recv_frame().map(Some)
        } else {
            Ok(None)
        }
    }

    /// A ZMTP 3.0 (un)subscription: one message, the flag byte then the topic.
    fn subscription(&mut self, flag: u8, topic: &[u8]) -> io::Result<()> {
        let mut body = Vec::with_capacity(topic.len() + 1);
        body.push(flag);
        body.extend_from_slice(topic);
        self.send_frame(&body, false)
    }

    /// Subscribes as an XSUB does under ZMTP 3.0: a message `\x01topic`.
    pub fn subscribe(&mut self, topic: &[u8]) -> io::Result<()> {
        self.subscription(1, topic)
    }

    /// Unsubscribes: a message `\x00topic`.
    pub fn unsubscribe(&mut self, topic: &[u8]) -> io::Result<()> {
        self.subscription(0, topic)
    }

    /// Waits at most `timeout` for the peer to close the connection (what it sends before is
    /// discarded): `true` when it did.
    pub fn closed_by_peer(&mut self, timeout: Duration) -> bool {
        if self.stream.set_read_timeout(Some(timeout)).is_err() {
            return true;
        }
        let mut buf = [0u8; 4096];
        loop {
            match before_timeout(|| self.stream.read(&mut buf)) {
                Ok(Some(0)) => return true,
                Ok(Some(_)) => continue,
                Ok(None) => return false,
                Err(_) => return true, // reset
            }
        }
    }
}
