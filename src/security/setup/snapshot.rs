//! All or none: the security options a set-up changes are read first and put back when
//! one of the changes fails; secrets read back from the socket are wiped after use.

use std::os::raw::c_int;
use std::sync::atomic::{compiler_fence, Ordering};

use crate::error::{Error, Result};
use crate::options::Mechanism;
use crate::socket_core::SocketCore;

/// Overwrites `bytes` with zeros in a way the compiler does not remove.
pub(super) fn wipe(bytes: &mut [u8]) {
    for byte in bytes.iter_mut() {
        // SAFETY: `byte` is a valid, exclusive reference to one initialised u8.
        unsafe { std::ptr::write_volatile(byte, 0) };
    }
    compiler_fence(Ordering::SeqCst);
}

/// Bytes that are wiped when dropped: secret keys and passwords read back from the socket.
pub(super) struct Wiped(pub(super) Vec<u8>);

impl Drop for Wiped {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// What the set-up methods change, read before they change it, to put back on a failure.
struct Snapshot {
    mechanism: Mechanism,
    as_server: bool,
    /// The three CURVE keys (public, secret, server's), when libzmq has CURVE.
    curve: Option<([u8; 32], Wiped, [u8; 32])>,
    username: String,
    password: Wiped,
    domain: String,
}

fn key32(bytes: &[u8]) -> [u8; 32] {
    let mut key = [0u8; 32];
    if bytes.len() == 32 {
        key.copy_from_slice(bytes);
    }
    key
}

impl SocketCore {
    fn security_snapshot(&self) -> Result<Snapshot> {
        let mechanism = self.mechanism()?;
        let as_server = match mechanism {
            Mechanism::Null => false,
            Mechanism::Plain => self.plain_server()?,
            Mechanism::Curve => self.curve_server()?,
            Mechanism::Gssapi => self.gssapi_server()?,
        };
        let curve = if crate::has(crate::Capability::Curve) {
            let public = self.get_bytes(zmq_ffi::ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", 32)?;
            let secret =
                Wiped(self.get_bytes(zmq_ffi::ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", 32)?);
            let server = self.get_bytes(zmq_ffi::ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", 32)?;
            Some((key32(&public), secret, key32(&server)))
        } else {
            None
        };
        let password = self.plain_password()?.into_bytes();
        Ok(Snapshot {
            mechanism,
            as_server,
            curve,
            username: self.plain_username()?,
            password: Wiped(password),
            domain: self.zap_domain()?,
        })
    }

    pub(super) fn set_flag(&self, option: c_int, name: &'static str, on: bool) -> Result<()> {
        self.set_int(option, name, c_int::from(on))
    }

    /// Puts back what `snapshot` read. Each CURVE key selects CURVE (the server's key also
    /// makes the socket a client), a PLAIN name or password selects a PLAIN client: so the
    /// keys and names first, the mechanism and role last.
    fn restore_security(&self, snapshot: &Snapshot) -> Result<()> {
        if let Some((public, secret, server)) = &snapshot.curve {
            self.set_bytes(zmq_ffi::ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", public)?;
            self.set_bytes(
                zmq_ffi::ZMQ_CURVE_SECRETKEY,
                "ZMQ_CURVE_SECRETKEY",
                &secret.0,
            )?;
            self.set_bytes(zmq_ffi::ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", server)?;
        }
        // An empty name or password cannot be set back (libzmq reads "empty" as "NULL
        // mechanism" and keeps the old text); it only matters to a PLAIN client, whose
        // mechanism is put back below.
        if !snapshot.username.is_empty() {
            self.set_plain_username(&snapshot.username)?;
        }
        if !snapshot.password.0.is_empty() {
            self.set_bytes(
                zmq_ffi::ZMQ_PLAIN_PASSWORD,
                "ZMQ_PLAIN_PASSWORD",
                &snapshot.password.0,
            )?;
        }
        // libzmq 4.3 cannot clear a domain (an empty one is EINVAL): the set-ups set it
        // last, so that it never needs putting back from empty.
        if !snapshot.domain.is_empty() {
            self.set_zap_domain(&snapshot.domain)?;
        }
        if snapshot.mechanism == Mechanism::Plain && !snapshot.as_server {
            let stuck = |was: &[u8], now: String| was.is_empty() && !now.is_empty();
            if stuck(snapshot.username.as_bytes(), self.plain_username()?)
                || stuck(&snapshot.password.0, self.plain_password()?)
            {
                return Err(Error::SecuritySetup(
                    "this PLAIN client had an empty user name or password, which libzmq \
                     cannot set back"
                        .into(),
                ));
            }
        }
        match (snapshot.mechanism, snapshot.as_server) {
            (Mechanism::Null, _) => {
                self.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", false)
            }
            (Mechanism::Plain, true) => {
                self.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", true)
            }
            (Mechanism::Plain, false) => {
                if !snapshot.username.is_empty() {
                    self.set_plain_username(&snapshot.username)
                } else {
                    self.set_bytes(
                        zmq_ffi::ZMQ_PLAIN_PASSWORD,
                        "ZMQ_PLAIN_PASSWORD",
                        &snapshot.password.0,
                    )
                }
            }
            (Mechanism::Curve, true) => {
                self.set_flag(zmq_ffi::ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", true)
            }
            (Mechanism::Curve, false) => match &snapshot.curve {
                Some((_, _, server)) => {
                    self.set_bytes(zmq_ffi::ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", server)
                }
                None => Ok(()),
            },
            (Mechanism::Gssapi, server) => {
                self.set_flag(zmq_ffi::ZMQ_GSSAPI_SERVER, "ZMQ_GSSAPI_SERVER", server)
            }
        }
    }

    /// Runs `apply` with every security option read first; when it fails, puts them back
    /// and returns its error (with a note when they could not all be put back).
    pub(super) fn set_all_or_none(&self, apply: impl FnOnce() -> Result<()>) -> Result<()> {
        let snapshot = self.security_snapshot()?;
        match apply() {
            Ok(()) => Ok(()),
            Err(error) => match self.restore_security(&snapshot) {
                Ok(()) => Err(error),
                Err(restore) => Err(Error::SecuritySetup(format!(
                    "{error}; and the socket's security options could not be put back as \
                     they were ({restore}): do not use this socket"
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Context, Socket, SocketType};

    type State = (Mechanism, bool, bool, Vec<Vec<u8>>, String, String, String);

    fn state(s: &SocketCore) -> State {
        let key = |option, name| s.get_bytes(option, name, 32).unwrap();
        (
            s.mechanism().unwrap(),
            s.curve_server().unwrap(),
            s.plain_server().unwrap(),
            vec![
                key(zmq_ffi::ZMQ_CURVE_PUBLICKEY, "public"),
                key(zmq_ffi::ZMQ_CURVE_SECRETKEY, "secret"),
                key(zmq_ffi::ZMQ_CURVE_SERVERKEY, "server"),
            ],
            s.plain_username().unwrap(),
            s.plain_password().unwrap(),
            s.zap_domain().unwrap(),
        )
    }

    /// Changes everything a set-up can change, then fails.
    fn clobber_then_fail(s: &SocketCore) -> Result<()> {
        s.set_bytes(zmq_ffi::ZMQ_CURVE_PUBLICKEY, "public", &[7; 32])?;
        s.set_bytes(zmq_ffi::ZMQ_CURVE_SECRETKEY, "secret", &[8; 32])?;
        s.set_bytes(zmq_ffi::ZMQ_CURVE_SERVERKEY, "server", &[9; 32])?;
        s.set_plain_username("clobbered")?;
        s.set_plain_password("clobbered")?;
        s.set_flag(zmq_ffi::ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", true)?;
        // As the set-ups do: a domain is only changed when there is one (one cannot be
        // cleared).
        if !s.zap_domain()?.is_empty() {
            s.set_zap_domain("clobbered")?;
        }
        Err(Error::SecuritySetup("failed midway".into()))
    }

    /// From every starting point a set-up can meet, a failure midway leaves the socket's
    /// security options as they were (an empty PLAIN name or password stays as libzmq keeps
    /// it: it only matters to a PLAIN client).
    #[test]
    fn a_failure_midway_puts_every_security_option_back() {
        let ctx = Context::new().unwrap();
        type Prepare = fn(&SocketCore) -> Result<()>;
        let starts: [(&str, Prepare); 7] = [
            ("fresh", |_| Ok(())),
            ("curve server", |s| {
                s.set_bytes(zmq_ffi::ZMQ_CURVE_PUBLICKEY, "p", &[1; 32])?;
                s.set_bytes(zmq_ffi::ZMQ_CURVE_SECRETKEY, "s", &[2; 32])?;
                s.set_zap_domain("d1")?;
                s.set_flag(zmq_ffi::ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", true)
            }),
            ("curve client", |s| {
                s.set_bytes(zmq_ffi::ZMQ_CURVE_PUBLICKEY, "p", &[1; 32])?;
                s.set_bytes(zmq_ffi::ZMQ_CURVE_SECRETKEY, "s", &[2; 32])?;
                s.set_bytes(zmq_ffi::ZMQ_CURVE_SERVERKEY, "k", &[3; 32])
            }),
            ("plain client", |s| {
                s.set_plain_username("user")?;
                s.set_plain_password("pass")
            }),
            ("plain client, password only", |s| {
                s.set_plain_password("pass")
            }),
            ("plain server", |s| {
                s.set_zap_domain("d2")?;
                s.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", true)
            }),
            ("null with a domain, after a curve client", |s| {
                s.set_bytes(zmq_ffi::ZMQ_CURVE_SERVERKEY, "k", &[3; 32])?;
                s.set_zap_domain("d3")?;
                s.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", false)
            }),
        ];
        for (name, prepare) in starts {
            let socket = Socket::new(&ctx, SocketType::Dealer).unwrap();
            prepare(&socket).unwrap();
            let before = state(&socket);
            match socket.set_all_or_none(|| clobber_then_fail(&socket)) {
                Err(Error::SecuritySetup(text)) if name == "plain client, password only" => {
                    assert!(text.contains("could not be put back"), "{text}");
                    continue;
                }
                Err(Error::SecuritySetup(text)) => assert_eq!(text, "failed midway", "{name}"),
                other => panic!("{name}: {other:?}"),
            }
            let mut after = state(&socket);
            // An empty PLAIN name or password cannot be set back (libzmq keeps the text
            // and only switches the mechanism): it does not matter unless the socket is a
            // PLAIN client, and then its mechanism says PLAIN with the old texts.
            if before.4.is_empty() {
                after.4.clear();
            }
            if before.5.is_empty() {
                after.5.clear();
            }
            assert_eq!(after, before, "{name}");
            // libzmq 4.3 cannot clear a domain: known, and why the set-ups set it last.
            assert!(matches!(
                socket.set_zap_domain(""),
                Err(Error::InvalidArgument(_))
            ));
            // And a success keeps what it set.
            socket
                .set_all_or_none(|| socket.set_zap_domain("kept"))
                .unwrap();
            assert_eq!(socket.zap_domain().unwrap(), "kept", "{name}");
        }
    }

    #[test]
    fn wipe_zeroes_every_byte() {
        let mut secret = Wiped(vec![0xAA; 40]);
        wipe(&mut secret.0);
        assert!(secret.0.iter().all(|&b| b == 0));
    }
}
