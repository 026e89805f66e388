//! CURVE certificates: a public key, maybe its secret key, and metadata, stored in the ZPL
//! files that czmq's `zcert_save` and pyzmq's `zmq.auth.create_certificates` write, so that
//! keys move freely between the three.
//!
//! A certificate is two files: `NAME` holds the public key (give it to peers), `NAME_secret`
//! holds both keys (keep it; it is written with mode 0600). pyzmq calls them `NAME.key` and
//! `NAME.key_secret` ([`Certificate::create`] does too):
//!
//! ```text
//! #   ****  Generated on 2026-11-28 22:00:00 by zmq-typed  ****
//! #   ZeroMQ CURVE **Secret** Certificate
//! #   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.
//!
//! metadata
//!     name = "server"
//! curve
//!     public-key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
//!     secret-key = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs"
//! ```

mod files;

use std::fmt;
use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::security::zpl;
use crate::security::{CurveKey, CurveKeyPair, SecretKey};

/// A CURVE certificate: a public key, maybe the secret key that belongs to it, and ordered
/// metadata (name → value).
///
/// Read with [`load`](Certificate::load), [`load_secret`](Certificate::load_secret) and
/// [`load_dir`](Certificate::load_dir); written with [`save`](Certificate::save),
/// [`save_public`](Certificate::save_public), [`save_secret`](Certificate::save_secret) and
/// [`create`](Certificate::create). `Debug` never shows the secret key, which is wiped from
/// memory when the certificate is dropped.
///
/// ```
/// use zmq_typed::Certificate;
/// let mut cert = Certificate::generate()?;
/// cert.set_metadata("name", "my server")?;
/// assert!(cert.secret_key().is_some());
/// assert_eq!(cert.metadata_value("name"), Some("my server"));
/// assert!(!format!("{cert:?}").contains(cert.secret_key().unwrap().to_z85().as_str()));
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Certificate {
    public: CurveKey,
    secret: Option<SecretKey>,
    metadata: Vec<(String, String)>,
}

impl Certificate {
    /// A certificate with a new random key pair and no metadata.
    ///
    /// Wraps `zmq_curve_keypair` ([man zmq_curve_keypair](http://api.zeromq.org/4-3:zmq-curve-keypair))
    /// through [`CurveKeyPair::generate`].
    pub fn generate() -> Result<Certificate> {
        Ok(Certificate::from_pair(CurveKeyPair::generate()?))
    }

    /// The certificate of a key pair (with its secret key), no metadata.
    pub fn from_pair(pair: CurveKeyPair) -> Certificate {
        Certificate {
            public: pair.public,
            secret: Some(pair.secret),
            metadata: Vec::new(),
        }
    }

    /// A public certificate (a peer's key), no metadata.
    pub fn from_public(public: CurveKey) -> Certificate {
        Certificate {
            public,
            secret: None,
            metadata: Vec::new(),
        }
    }

    /// The public key.
    pub fn public_key(&self) -> &CurveKey {
        &self.public
    }

    /// The secret key, when this certificate has it (one read from a secret file, or made
    /// from a key pair).
    pub fn secret_key(&self) -> Option<&SecretKey> {
        self.secret.as_ref()
    }

    /// The key pair, when this certificate has the secret key.
    pub fn key_pair(&self) -> Option<CurveKeyPair> {
        self.secret.as_ref().map(|secret| CurveKeyPair {
            public: self.public,
            secret: secret.clone(),
        })
    }

    /// The metadata, in file (or insertion) order.
    pub fn metadata(&self) -> &[(String, String)] {
        &self.metadata
    }

    /// The value of metadata `name`.
    pub fn metadata_value(&self, name: &str) -> Option<&str> {
        self.metadata
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets metadata `name` to `value` (replacing a value it had, in place; otherwise added
    /// at the end).
    ///
    /// The name must be a ZPL name (letters, digits and `$-_@.&+/`), the value one line
    /// without both kinds of quote (ZPL has no escapes): otherwise [`Error::Certificate`]
    /// (with an empty path) saying why.
    pub fn set_metadata(&mut self, name: &str, value: &str) -> Result<()> {
        let refuse = |why: String| Error::Certificate {
            path: PathBuf::new(),
            reason: format!("metadata {name:?}: {why}"),
        };
        zpl::check_name(name).map_err(refuse)?;
        zpl::check_value(value).map_err(refuse)?;
        self.put_metadata(name, value);
        Ok(())
    }

    /// Sets metadata already checked (or read from a file).
    fn put_metadata(&mut self, name: &str, value: &str) {
        match self.metadata.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.metadata.push((name.to_string(), value.to_string())),
        }
    }
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("public", &self.public)
            .field("secret", &self.secret)
            .field("metadata", &self.metadata)
            .finish()
    }
}
