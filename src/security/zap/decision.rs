//! What a check closure answers ([`Verdict`]), what the authenticator decided and reports
//! ([`Decision`]), and its counts ([`AuthStats`]).

use crate::security::CurveKey;
use std::fmt;

use super::request::Mechanism;

/// A ZAP status code (RFC 27): 200 allowed.
pub const STATUS_OK: u16 = 200;
/// A ZAP status code (RFC 27): 300, a temporary failure (libzmq closes the connection
/// without telling the client why; it reconnects and asks again).
pub const STATUS_TEMPORARY: u16 = 300;
/// A ZAP status code (RFC 27): 400, the client is refused.
pub const STATUS_DENIED: u16 = 400;
/// A ZAP status code (RFC 27): 500, the handler failed (a malformed request, a check that
/// panicked, a policy file that cannot be read).
pub const STATUS_INTERNAL: u16 = 500;

/// What a [`check`](super::AuthenticatorBuilder::check) closure answers for a request that
/// the built-in policies let through.
///
/// ```
/// use zmq_typed::security::zap::Verdict;
/// let v = Verdict::allow().user_id("alice").metadata("Role", "admin");
/// assert!(v.is_allow());
/// assert!(!Verdict::deny("not on Sundays").is_allow());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// Let the client in (status 200).
    Allow {
        /// The `User-Id` its messages carry; `None` keeps the default (the PLAIN user name,
        /// the Z85 CURVE client key, nothing for NULL).
        user_id: Option<String>,
        /// Metadata properties its messages carry (`Message::property(name)`). Names are
        /// 1 to 255 letters, digits, `-`, `_`, `.`, `+`, and not one libzmq sets itself
        /// (`User-Id`, `Socket-Type`, `Identity`, `Routing-Id`, `Peer-Address`); a bad name
        /// turns the answer into a denial with status 500 that says why.
        metadata: Vec<(String, String)>,
    },
    /// Refuse the client (status 400), with the reason reported to the hook and sent to the
    /// client as the status text.
    Deny {
        /// Why.
        reason: String,
    },
    /// Refuse the client for now (status 300): libzmq drops the connection without an
    /// error message, and the client tries again later.
    TryLater {
        /// Why.
        reason: String,
    },
}

impl Verdict {
    /// Let the client in with the default user id and no metadata.
    pub fn allow() -> Verdict {
        Verdict::Allow {
            user_id: None,
            metadata: Vec::new(),
        }
    }

    /// Refuse the client (status 400) because of `reason`.
    pub fn deny(reason: impl Into<String>) -> Verdict {
        Verdict::Deny {
            reason: reason.into(),
        }
    }

    /// Refuse the client for now (status 300) because of `reason`.
    pub fn try_later(reason: impl Into<String>) -> Verdict {
        Verdict::TryLater {
            reason: reason.into(),
        }
    }

    /// The same verdict with `User-Id` set to `id` (only meaningful on `Allow`; a denial is
    /// left as it is).
    pub fn user_id(mut self, id: impl Into<String>) -> Verdict {
        if let Verdict::Allow { user_id, .. } = &mut self {
            *user_id = Some(id.into());
        }
        self
    }

    /// The same verdict with one more metadata property (only meaningful on `Allow`).
    pub fn metadata(mut self, name: impl Into<String>, value: impl Into<String>) -> Verdict {
        if let Verdict::Allow { metadata, .. } = &mut self {
            metadata.push((name.into(), value.into()));
        }
        self
    }

    /// Whether the verdict lets the client in.
    pub fn is_allow(&self) -> bool {
        matches!(self, Verdict::Allow { .. })
    }
}

/// One decision of the authenticator, as reported to the
/// [`on_decision`](super::AuthenticatorBuilder::on_decision) hook. Never holds a password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decision {
    /// Whether the client was let in (status 200).
    pub allowed: bool,
    /// The ZAP status code sent: 200, 300, 400 or 500.
    pub status: u16,
    /// The mechanism of the connection (`None` for a request too malformed to say).
    pub mechanism: Option<Mechanism>,
    /// The server socket's ZAP domain.
    pub domain: String,
    /// The client's address as libzmq gives it (the IP address of a TCP peer).
    pub address: String,
    /// The user id sent (empty when denied).
    pub user_id: String,
    /// The CURVE client key, for CURVE.
    pub client_key: Option<CurveKey>,
    /// The PLAIN user name (lossily decoded when not UTF-8), for PLAIN.
    pub username: Option<String>,
    /// Why, in words: which policy let the client in or kept it out.
    pub reason: String,
    /// Whether the request did not follow RFC 27 (it was answered 500).
    pub malformed: bool,
}

/// What an authenticator has decided so far ([`super::Authenticator::stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct AuthStats {
    /// Requests answered 200.
    pub allowed: u64,
    /// Well-formed requests refused (status 300, 400 or 500).
    pub denied: u64,
    /// Requests that did not follow RFC 27, answered 500 (not counted in `denied`).
    pub malformed: u64,
}

impl fmt::Display for Decision {
    /// One line for a log: `denied CURVE client at 127.0.0.1 (key Yne@...): the key has no
    /// certificate in /etc/curve (status 400)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.allowed { "allowed" } else { "denied" };
        f.write_str(verdict)?;
        match &self.mechanism {
            Some(mechanism) => write!(f, " {mechanism} client")?,
            None => f.write_str(" malformed request")?,
        }
        if !self.address.is_empty() {
            write!(f, " at {}", self.address)?;
        }
        // The key or user name, unless the reason names it already.
        if let Some(key) = &self.client_key {
            let key = key.to_z85();
            if !self.reason.contains(&key) {
                write!(f, " (key {key})")?;
            }
        } else if let Some(user) = &self.username {
            if !self.reason.contains(user.as_str()) {
                write!(f, " (user {user:?})")?;
            }
        }
        write!(f, ": {} (status {})", self.reason, self.status)
    }
}
