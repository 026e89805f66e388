//! One-call set-up of CURVE, PLAIN and NULL servers and clients: the socket options of each
//! role set together, checked first, and put back as they were when one of them fails.
//!
//! # What libzmq 4.3 does with ZAP
//! libzmq asks the ZAP handler of the socket's *own context* (whatever is bound on
//! `inproc://zeromq.zap.01` there, such as an [`Authenticator`]) about:
//! - every CURVE client, whatever the socket's `ZMQ_ZAP_DOMAIN`; when no handler runs, it lets
//!   in every client that knows the server's public key;
//! - every PLAIN client, whatever the domain; when no handler runs, it refuses them all;
//! - NULL clients only when the socket has a ZAP domain; when no handler runs, it lets them in.
//!
//! So a CURVE server is only as strict as the handler running on its context, and a stopped
//! authenticator opens the door. [`Admission`] makes the caller say which of the two is meant.

use std::fmt;
use std::os::raw::{c_char, c_int};
use std::sync::atomic::{compiler_fence, Ordering};

use crate::error::{Error, Result};
use crate::options::Mechanism;
use crate::security::{Authenticator, Certificate, CurveKey, CurveKeyPair};
use crate::socket_core::SocketCore;

/// Who a CURVE, PLAIN or NULL server lets in: the answer the set-up methods
/// ([`SocketCore::setup_curve_server`] and its kin) require, so that a server that lets
/// everyone in is a choice written in the code, never an accident.
#[derive(Clone, Copy)]
pub enum Admission<'a> {
    /// Every client is checked by this authenticator, which must be running on the socket's
    /// context (libzmq only asks the ZAP handler of the socket's own context). The set-up
    /// gives the socket the ZAP domain `global` unless it has one already (the domain is
    /// passed to the authenticator with each request).
    CheckedBy(&'a Authenticator),
    /// **No check: every client is let in.**
    ///
    /// - CURVE: any client that knows the server's *public* key gets in (its traffic is
    ///   encrypted, but nobody checks who it is). Anyone who can read the public key (it is
    ///   meant to be handed out) can connect.
    /// - NULL: any client at all; the socket's ZAP domain is cleared so that libzmq asks no
    ///   handler.
    /// - PLAIN: refused at set-up ([`Error::SecuritySetup`]): libzmq 4.3 fails every PLAIN
    ///   handshake when no ZAP handler runs, so a PLAIN server that lets everyone in
    ///   cannot be had without one.
    ///
    /// libzmq asks whatever ZAP handler runs on the context about every CURVE client
    /// anyway: if an [`Authenticator`] runs there, it decides for this socket too.
    AllowAnyClient,
}

impl fmt::Debug for Admission<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Admission::CheckedBy(_) => f.write_str("CheckedBy(Authenticator)"),
            Admission::AllowAnyClient => f.write_str("AllowAnyClient"),
        }
    }
}

/// The ZAP domain a checked server gets when it has none.
const DEFAULT_DOMAIN: &str = "global";

/// Overwrites `bytes` with zeros in a way the compiler does not remove.
fn wipe(bytes: &mut [u8]) {
    for byte in bytes.iter_mut() {
        // SAFETY: `byte` is a valid, exclusive reference to one initialised u8.
        unsafe { std::ptr::write_volatile(byte, 0) };
    }
    compiler_fence(Ordering::SeqCst);
}

/// Bytes that are wiped when dropped: secret keys and passwords read back from the socket.
struct Wiped(Vec<u8>);

impl Drop for Wiped {
    fn drop(&mut self) {
        wipe(&mut self.0);
    }
}

/// The public key that belongs to the 32-byte CURVE `secret`.
///
/// Wraps `zmq_z85_encode` and `zmq_curve_public`
/// ([man zmq_curve_public](http://api.zeromq.org/4-3:zmq-curve-public)); the buffers that
/// held the secret are wiped.
fn public_of(secret: &[u8; 32]) -> Result<CurveKey> {
    let mut secret_z85 = [0 as c_char; 41];
    let mut public_z85 = [0 as c_char; 41];
    // SAFETY: secret_z85 has room for 40 characters plus the NUL; secret is 32 readable
    // bytes, a multiple of 4.
    let encoded =
        unsafe { zmq_ffi::zmq_z85_encode(secret_z85.as_mut_ptr(), secret.as_ptr(), secret.len()) };
    let rc = if encoded.is_null() {
        -1
    } else {
        // SAFETY: public_z85 has room for 41 characters; secret_z85 is a NUL-terminated
        // 40-character key.
        unsafe { zmq_ffi::zmq_curve_public(public_z85.as_mut_ptr(), secret_z85.as_ptr()) }
    };
    for c in secret_z85.iter_mut() {
        // SAFETY: `c` is a valid, exclusive reference to one initialised c_char.
        unsafe { std::ptr::write_volatile(c, 0) };
    }
    compiler_fence(Ordering::SeqCst);
    if rc != 0 {
        return Err(Error::SecuritySetup(
            "libzmq could not derive the public key from the secret key (zmq_curve_public \
             failed: is CURVE available in this libzmq?)"
                .into(),
        ));
    }
    let text: Vec<u8> = public_z85.iter().take(40).map(|&c| c as u8).collect();
    CurveKey::try_from(text.as_slice())
}

fn is_zero(key: &[u8; 32]) -> bool {
    key.iter().all(|&b| b == 0)
}

/// Checks that `public` is the public key of `secret` (a hand-made pair whose halves do not
/// belong together fails every handshake with a cryptographic error on the far side).
fn check_pair(role: &str, public: &CurveKey, secret: &[u8; 32]) -> Result<()> {
    if is_zero(secret) {
        return Err(Error::SecuritySetup(format!(
            "a CURVE {role} needs its secret key: the one given is all zeros"
        )));
    }
    let derived = public_of(secret)?;
    if &derived != public {
        return Err(Error::SecuritySetup(format!(
            "the CURVE {role}'s public key {public} does not belong to its secret key (whose \
             public key is {derived}): the two halves come from different key pairs"
        )));
    }
    Ok(())
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

    fn set_flag(&self, option: c_int, name: &'static str, on: bool) -> Result<()> {
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
        self.set_zap_domain(&snapshot.domain)?;
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
    fn set_all_or_none(&self, apply: impl FnOnce() -> Result<()>) -> Result<()> {
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

    /// The checks of [`Admission::CheckedBy`]: the authenticator runs, on this context.
    fn check_admission(&self, admission: &Admission<'_>, server: &str) -> Result<()> {
        if let Admission::CheckedBy(auth) = admission {
            if !auth.is_running() {
                return Err(Error::SecuritySetup(format!(
                    "the authenticator given to check this {server}'s clients has stopped: \
                     with no ZAP handler, libzmq lets in every CURVE client that knows the \
                     server key and every NULL client, and refuses every PLAIN one; start a \
                     new authenticator"
                )));
            }
            if auth.context_ptr() != self.context().as_ptr() {
                return Err(Error::SecuritySetup(format!(
                    "the authenticator given to check this {server}'s clients runs on \
                     another context than the socket's: libzmq only asks the ZAP handler of \
                     the socket's own context, so nobody would check these clients; start the \
                     authenticator on the socket's context"
                )));
            }
        }
        Ok(())
    }

    /// For [`Admission::CheckedBy`]: the ZAP domain `global` unless the socket has one.
    fn set_checked_domain(&self) -> Result<()> {
        if self.zap_domain()?.is_empty() {
            self.set_zap_domain(DEFAULT_DOMAIN)?;
        }
        Ok(())
    }

    /// Makes this socket a CURVE server with the key pair of `cert`, which must hold the
    /// secret key (a certificate read with [`Certificate::load_secret`], or made with
    /// [`Certificate::generate`]); `admission` says who gets in (see [`Admission`]).
    ///
    /// Refused with [`Error::SecuritySetup`], changing nothing, when the certificate has no
    /// secret key, when its halves do not belong together, or when the authenticator of
    /// [`Admission::CheckedBy`] has stopped or runs on another context. Either every option
    /// is set or none: on a failure midway the socket's security options are put back.
    ///
    /// Set it before [`bind`](SocketCore::bind): libzmq allows it later, but then it only
    /// applies to connections made afterwards.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY`,
    /// `ZMQ_ZAP_DOMAIN` and `ZMQ_CURVE_SERVER`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt),
    /// [man zmq_curve](http://api.zeromq.org/4-3:zmq-curve)).
    pub fn setup_curve_server(&self, cert: &Certificate, admission: Admission<'_>) -> Result<()> {
        let public = cert.public_key();
        let Some(secret) = cert.secret_key() else {
            return Err(Error::SecuritySetup(format!(
                "a CURVE server needs its secret key: this certificate (public key {public}) \
                 holds only the public key; read the secret certificate (the `_secret` file) \
                 with Certificate::load_secret"
            )));
        };
        self.curve_server_from(public, secret.as_bytes(), admission)
    }

    /// [`SocketCore::setup_curve_server`] from a key pair instead of a certificate.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY`,
    /// `ZMQ_ZAP_DOMAIN` and `ZMQ_CURVE_SERVER`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn setup_curve_server_keys(
        &self,
        keys: &CurveKeyPair,
        admission: Admission<'_>,
    ) -> Result<()> {
        self.curve_server_from(&keys.public, keys.secret.as_bytes(), admission)
    }

    fn curve_server_from(
        &self,
        public: &CurveKey,
        secret: &[u8; 32],
        admission: Admission<'_>,
    ) -> Result<()> {
        check_pair("server", public, secret)?;
        self.check_admission(&admission, "CURVE server")?;
        self.set_all_or_none(|| {
            self.set_bytes(
                zmq_ffi::ZMQ_CURVE_PUBLICKEY,
                "ZMQ_CURVE_PUBLICKEY",
                public.as_bytes(),
            )?;
            self.set_bytes(zmq_ffi::ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", secret)?;
            if let Admission::CheckedBy(_) = admission {
                self.set_checked_domain()?;
            }
            self.set_flag(zmq_ffi::ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", true)
        })
    }

    /// Makes this socket a CURVE client with its own key pair from `mine` (which must hold
    /// the secret key), talking to the server whose public key is `server_key`.
    ///
    /// Refused with [`Error::SecuritySetup`], changing nothing, when `mine` has no secret
    /// key, when its halves do not belong together, or when `server_key` is all zeros. Either
    /// every option is set or none. Set it before [`connect`](SocketCore::connect): later, it
    /// only applies to connections made afterwards (reconnections included).
    ///
    /// A wrong `server_key` is not detected here (any 32 bytes are a key): the handshake then
    /// fails, which a [`HandshakeWatch`](crate::security::HandshakeWatch) reports as
    /// "the server key is probably wrong".
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY` and
    /// `ZMQ_CURVE_SERVERKEY` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn setup_curve_client(&self, mine: &Certificate, server_key: &CurveKey) -> Result<()> {
        let public = mine.public_key();
        let Some(secret) = mine.secret_key() else {
            return Err(Error::SecuritySetup(format!(
                "a CURVE client needs its own secret key: this certificate (public key \
                 {public}) holds only the public key; read the secret certificate (the \
                 `_secret` file) with Certificate::load_secret"
            )));
        };
        self.curve_client_from(public, secret.as_bytes(), server_key)
    }

    /// [`SocketCore::setup_curve_client`] from a key pair instead of a certificate.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY` and
    /// `ZMQ_CURVE_SERVERKEY` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn setup_curve_client_keys(
        &self,
        mine: &CurveKeyPair,
        server_key: &CurveKey,
    ) -> Result<()> {
        self.curve_client_from(&mine.public, mine.secret.as_bytes(), server_key)
    }

    fn curve_client_from(
        &self,
        public: &CurveKey,
        secret: &[u8; 32],
        server_key: &CurveKey,
    ) -> Result<()> {
        check_pair("client", public, secret)?;
        if is_zero(server_key.as_bytes()) {
            return Err(Error::SecuritySetup(
                "the CURVE server key given to this client is all zeros".into(),
            ));
        }
        self.set_all_or_none(|| {
            self.set_bytes(
                zmq_ffi::ZMQ_CURVE_PUBLICKEY,
                "ZMQ_CURVE_PUBLICKEY",
                public.as_bytes(),
            )?;
            self.set_bytes(zmq_ffi::ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", secret)?;
            // Last: it makes the socket a CURVE client (and not a server).
            self.set_bytes(
                zmq_ffi::ZMQ_CURVE_SERVERKEY,
                "ZMQ_CURVE_SERVERKEY",
                server_key.as_bytes(),
            )
        })
    }

    /// Makes this socket a PLAIN server whose clients `admission` checks. Only
    /// [`Admission::CheckedBy`] is accepted: libzmq 4.3 fails every PLAIN handshake when
    /// no ZAP handler runs on the context, so [`Admission::AllowAnyClient`] is refused with
    /// [`Error::SecuritySetup`] (let an authenticator decide instead). PLAIN sends passwords
    /// in clear: use it on trusted networks only, or prefer CURVE.
    ///
    /// Either every option is set or none. Set it before [`bind`](SocketCore::bind): later,
    /// it only applies to connections made afterwards.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_ZAP_DOMAIN` and `ZMQ_PLAIN_SERVER`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt),
    /// [man zmq_plain](http://api.zeromq.org/4-3:zmq-plain)).
    pub fn setup_plain_server(&self, admission: Admission<'_>) -> Result<()> {
        if let Admission::AllowAnyClient = admission {
            return Err(Error::SecuritySetup(
                "a PLAIN server cannot let any client in without a ZAP handler: libzmq 4.3 \
                 fails every PLAIN handshake when none runs on the context; use \
                 Admission::CheckedBy with an authenticator (with a PLAIN policy, or a check \
                 that allows everyone)"
                    .into(),
            ));
        }
        self.check_admission(&admission, "PLAIN server")?;
        self.set_all_or_none(|| {
            self.set_checked_domain()?;
            self.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", true)
        })
    }

    /// Makes this socket a PLAIN client that logs in as `username` with `password` (each at
    /// most 255 bytes, without NUL; the name must not be empty). PLAIN sends both in clear.
    ///
    /// An empty password is refused when the socket already has a password (libzmq cannot
    /// clear one). Either every option is set or none. Set it before
    /// [`connect`](SocketCore::connect): later, it only applies to connections made
    /// afterwards.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_PLAIN_USERNAME` and `ZMQ_PLAIN_PASSWORD`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn setup_plain_client(&self, username: &str, password: &str) -> Result<()> {
        for (what, text) in [("user name", username), ("password", password)] {
            if text.len() > 255 {
                return Err(Error::SecuritySetup(format!(
                    "a PLAIN {what} is at most 255 bytes, not {}",
                    text.len()
                )));
            }
            if let Some(position) = text.bytes().position(|b| b == 0) {
                return Err(Error::SecuritySetup(format!(
                    "a PLAIN {what} cannot hold a NUL byte (one is at byte {position})"
                )));
            }
        }
        if username.is_empty() {
            return Err(Error::SecuritySetup(
                "a PLAIN client needs a user name: the one given is empty".into(),
            ));
        }
        if password.is_empty() && !Wiped(self.plain_password()?.into_bytes()).0.is_empty() {
            return Err(Error::SecuritySetup(
                "an empty PLAIN password cannot replace the socket's password (libzmq cannot \
                 clear it): use a new socket"
                    .into(),
            ));
        }
        self.set_all_or_none(|| {
            self.set_plain_username(username)?;
            if !password.is_empty() {
                self.set_plain_password(password)?;
            }
            Ok(())
        })
    }

    /// Makes this socket a server without encryption (NULL) whose clients `admission`
    /// checks: with [`Admission::CheckedBy`], the socket gets a ZAP domain (`global` unless
    /// it has one), which is what makes libzmq ask the authenticator about NULL clients (to
    /// filter them by IP address); with [`Admission::AllowAnyClient`] its ZAP domain is
    /// cleared and everyone gets in, unchecked and unencrypted.
    ///
    /// Either every option is set or none. Set it before [`bind`](SocketCore::bind): later,
    /// it only applies to connections made afterwards.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_ZAP_DOMAIN` and `ZMQ_PLAIN_SERVER` = 0 (which selects
    /// NULL) ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt),
    /// [man zmq_null](http://api.zeromq.org/4-3:zmq-null)).
    pub fn setup_null_server(&self, admission: Admission<'_>) -> Result<()> {
        self.check_admission(&admission, "NULL server")?;
        self.set_all_or_none(|| {
            match admission {
                Admission::CheckedBy(_) => self.set_checked_domain()?,
                Admission::AllowAnyClient => self.set_zap_domain("")?,
            }
            self.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", false)
        })
    }
}
