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
//! authenticator opens the door. [`Admission`] makes the caller say which of the two is meant,
//! and a server set up with [`Admission::CheckedBy`] keeps its authenticator running for as
//! long as it is open: dropping the [`Authenticator`] handle first does not stop it, and
//! [`Authenticator::stop`] is refused ([`Error::AuthenticatorInUse`]) until the server is
//! closed. The authenticator stops only after the socket is closed, so no handshake of it
//! runs unchecked. (A ZAP domain set by hand, with no `CheckedBy`, keeps nothing running;
//! nor does a socket given up with [`Socket::into_raw`](crate::Socket::into_raw).)

use std::fmt;
use std::os::raw::c_char;
use std::sync::atomic::{compiler_fence, Ordering};

use crate::error::{Error, Result};
use crate::security::{Authenticator, Certificate, CurveKey, CurveKeyPair};
use crate::socket_core::SocketCore;

mod snapshot;

use snapshot::Wiped;

/// Who a CURVE, PLAIN or NULL server lets in: the answer the set-up methods
/// ([`SocketCore::setup_curve_server`] and its kin) require, so that a server that lets
/// everyone in is a choice written in the code, never an accident.
#[derive(Clone, Copy)]
pub enum Admission<'a> {
    /// Every client is checked by this authenticator, which must be running on the socket's
    /// context (libzmq only asks the ZAP handler of the socket's own context). The set-up
    /// gives the socket the ZAP domain `global` unless it has one already (the domain is
    /// passed to the authenticator with each request).
    ///
    /// The socket then keeps the authenticator running until it is closed, whatever becomes
    /// of the [`Authenticator`] handle: a dropped handle does not stop it, and
    /// [`Authenticator::stop`] is refused while the socket is open. Only the context's
    /// shutdown ends it sooner (the socket is then dead too).
    CheckedBy(&'a Authenticator),
    /// **No check: every client is let in.**
    ///
    /// - CURVE: any client that knows the server's *public* key gets in (its traffic is
    ///   encrypted, but nobody checks who it is). Anyone who can read the public key (it is
    ///   meant to be handed out) can connect.
    /// - NULL: any client at all (the set-up gives the socket no ZAP domain, so libzmq asks
    ///   no handler; a domain it already has stays: libzmq 4.3 cannot clear one).
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

impl SocketCore {
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

    /// For [`Admission::CheckedBy`], once a set-up has succeeded: the socket keeps the
    /// authenticator running until it is closed.
    fn hold_checker(&self, admission: &Admission<'_>) {
        if let Admission::CheckedBy(auth) = admission {
            self.keep_alive.hold(auth.keep_alive());
        }
    }

    /// For [`Admission::CheckedBy`]: the ZAP domain `global` unless the socket has one.
    /// Always the last step of a set-up: libzmq 4.3 cannot clear a domain once set, so a
    /// failure after it could not be undone.
    fn set_checked_domain(&self) -> Result<()> {
        if self.zap_domain()?.is_empty() {
            self.set_zap_domain(DEFAULT_DOMAIN)?;
        }
        Ok(())
    }

    /// Makes this socket a CURVE server with the key pair of `cert`, which must hold the
    /// secret key (a certificate read with [`Certificate::load_secret`], or made with
    /// `Certificate::generate`); `admission` says who gets in (see [`Admission`]).
    ///
    /// Refused with [`Error::SecuritySetup`], changing nothing, when the certificate has no
    /// secret key, when its halves do not belong together, or when the authenticator of
    /// [`Admission::CheckedBy`] has stopped or runs on another context. Either every option
    /// is set or none: on a failure midway the socket's security options are put back.
    ///
    /// Set it before [`bind`](SocketCore::bind): libzmq allows it later, but a
    /// listener keeps the options it was bound with, so it only applies to later binds (a
    /// bind made before goes on accepting clients as it did).
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
            self.set_flag(zmq_ffi::ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", true)?;
            if let Admission::CheckedBy(_) = admission {
                self.set_checked_domain()?;
            }
            Ok(())
        })?;
        self.hold_checker(&admission);
        Ok(())
    }

    /// Makes this socket a CURVE client with its own key pair from `mine` (which must hold
    /// the secret key), talking to the server whose public key is `server_key`.
    ///
    /// Refused with [`Error::SecuritySetup`], changing nothing, when `mine` has no secret key,
    /// when its halves do not belong together, or when `server_key` is all zeros. Either every
    /// option is set or none. Set it before [`connect`](SocketCore::connect): libzmq allows it
    /// later, but a connection keeps the options it was made with, reconnections included, so
    /// it only applies to later connects.
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
    /// Either every option is set or none. Set it before [`bind`](SocketCore::bind): libzmq
    /// allows it later, but a listener keeps the options it was bound with, so it only applies
    /// to later binds (a bind made before goes on accepting clients as it did).
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
            self.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", true)?;
            self.set_checked_domain()
        })?;
        self.hold_checker(&admission);
        Ok(())
    }

    /// Makes this socket a PLAIN client that logs in as `username` with `password` (each at
    /// most 255 bytes, without NUL; the name must not be empty). PLAIN sends both in clear.
    ///
    /// An empty password is refused when the socket already has a password (libzmq cannot clear
    /// one). Either every option is set or none. Set it before
    /// [`connect`](SocketCore::connect): libzmq allows it later, but a connection keeps the
    /// options it was made with, reconnections included, so it only applies to later connects.
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
    /// filter them by IP address); with [`Admission::AllowAnyClient`] everyone gets in,
    /// unchecked and unencrypted, as long as the socket has no ZAP domain: one it already
    /// has stays (libzmq 4.3 cannot clear a ZAP domain), and then a ZAP handler running on
    /// the context is asked about its clients.
    ///
    /// Either every option is set or none. Set it before [`bind`](SocketCore::bind): libzmq
    /// allows it later, but a listener keeps the options it was bound with, so it only applies
    /// to later binds (a bind made before goes on accepting clients as it did).
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_ZAP_DOMAIN` and `ZMQ_PLAIN_SERVER` = 0 (which selects
    /// NULL) ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt),
    /// [man zmq_null](http://api.zeromq.org/4-3:zmq-null)).
    pub fn setup_null_server(&self, admission: Admission<'_>) -> Result<()> {
        self.check_admission(&admission, "NULL server")?;
        self.set_all_or_none(|| {
            self.set_flag(zmq_ffi::ZMQ_PLAIN_SERVER, "ZMQ_PLAIN_SERVER", false)?;
            match admission {
                Admission::CheckedBy(_) => self.set_checked_domain(),
                Admission::AllowAnyClient => Ok(()),
            }
        })?;
        self.hold_checker(&admission);
        Ok(())
    }
}
