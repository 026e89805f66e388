//! ZAP requests and replies as RFC 27 (ZAP 1.0) frames them
//! ([rfc.zeromq.org/spec/27](https://rfc.zeromq.org/spec/27/)).
//!
//! A request, after the REP socket has removed the envelope: `1.0`, the request id, the
//! domain, the peer's address, its routing id, the mechanism, then the mechanism's
//! credentials (none for NULL; user name and password for PLAIN; the 32-byte client public
//! key for CURVE; the principal for GSSAPI). A reply: `1.0`, the same request id, a status
//! code (`200`, `300`, `400`, `500`), a status text, the user id and the metadata in the
//! ZMTP property encoding.

use std::fmt;

use crate::message::Message;
use crate::security::CurveKey;

/// The most frames of a request kept; a request with more is malformed (the rest are
/// received and dropped).
pub(crate) const MAX_FRAMES: usize = 16;

/// The longest frame of a request accepted (64 KiB): longer is malformed.
pub(crate) const MAX_FRAME_LEN: usize = 64 * 1024;

/// The longest metadata value a verdict may give (the whole reply stays small).
pub(crate) const MAX_METADATA_LEN: usize = 64 * 1024;

/// The security mechanism of a ZMTP connection, as a ZAP request names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mechanism {
    /// No security; the ZAP handler sees it only on sockets with a ZAP domain.
    Null,
    /// User name and password, in clear.
    Plain,
    /// CurveZMQ: the client proves it holds the secret key of its public key.
    Curve,
    /// Kerberos through GSSAPI.
    Gssapi,
    /// A name ZAP 1.0 does not define (only in a malformed request's [`super::Decision`]).
    Unknown(String),
}

impl Mechanism {
    fn from_frame(frame: &[u8]) -> Mechanism {
        match frame {
            b"NULL" => Mechanism::Null,
            b"PLAIN" => Mechanism::Plain,
            b"CURVE" => Mechanism::Curve,
            b"GSSAPI" => Mechanism::Gssapi,
            other => Mechanism::Unknown(String::from_utf8_lossy(clip(other, 64)).into_owned()),
        }
    }
}

impl fmt::Display for Mechanism {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mechanism::Null => f.write_str("NULL"),
            Mechanism::Plain => f.write_str("PLAIN"),
            Mechanism::Curve => f.write_str("CURVE"),
            Mechanism::Gssapi => f.write_str("GSSAPI"),
            Mechanism::Unknown(name) => write!(f, "{name:?}"),
        }
    }
}

/// What a client presented, by mechanism.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Credentials {
    /// NULL: nothing.
    Null,
    /// PLAIN: the user name and the password, as bytes (ZMTP does not say they are text).
    Plain {
        /// The user name.
        username: Vec<u8>,
        /// The password (never shown by `Debug`).
        password: Vec<u8>,
    },
    /// CURVE: the client's long-term public key.
    Curve(CurveKey),
    /// GSSAPI: the client's principal.
    Gssapi {
        /// The principal, as bytes.
        principal: Vec<u8>,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Null => f.write_str("Null"),
            Credentials::Plain { username, .. } => f
                .debug_struct("Plain")
                .field("username", &String::from_utf8_lossy(username))
                .field("password", &"<hidden>")
                .finish(),
            Credentials::Curve(key) => f.debug_tuple("Curve").field(key).finish(),
            Credentials::Gssapi { principal } => f
                .debug_struct("Gssapi")
                .field("principal", &String::from_utf8_lossy(principal))
                .finish(),
        }
    }
}

/// One ZAP request: who connects, from where, with which mechanism and credentials. Given
/// to the [`check`](super::AuthenticatorBuilder::check) closure.
#[derive(Clone, PartialEq, Eq)]
pub struct ZapRequest {
    pub(crate) request_id: Vec<u8>,
    pub(crate) domain: String,
    pub(crate) address: String,
    pub(crate) routing_id: Vec<u8>,
    pub(crate) mechanism: Mechanism,
    pub(crate) credentials: Credentials,
}

impl fmt::Debug for ZapRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZapRequest")
            .field("domain", &self.domain)
            .field("address", &self.address)
            .field("mechanism", &self.mechanism)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl ZapRequest {
    /// The ZAP domain of the server socket (`ZMQ_ZAP_DOMAIN`; empty when it has none).
    pub fn domain(&self) -> &str {
        &self.domain
    }

    /// The client's address as libzmq gives it: the IP address of a TCP peer (`127.0.0.1`,
    /// `::1`), empty for transports without one.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The routing id of the server socket (libzmq sends its own `ZMQ_ROUTING_ID`, usually
    /// empty).
    pub fn routing_id(&self) -> &[u8] {
        &self.routing_id
    }

    /// The mechanism.
    pub fn mechanism(&self) -> &Mechanism {
        &self.mechanism
    }

    /// The credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The PLAIN user name, when the mechanism is PLAIN.
    pub fn username(&self) -> Option<&[u8]> {
        match &self.credentials {
            Credentials::Plain { username, .. } => Some(username),
            _ => None,
        }
    }

    /// The CURVE client key, when the mechanism is CURVE.
    pub fn client_key(&self) -> Option<&CurveKey> {
        match &self.credentials {
            Credentials::Curve(key) => Some(key),
            _ => None,
        }
    }
}

/// A request that does not follow RFC 27: what can still be said about it, and why.
#[derive(Debug)]
pub(crate) struct Malformed {
    /// The request id frame, to echo (empty when there was none).
    pub(crate) request_id: Vec<u8>,
    /// The mechanism frame, when there was one.
    pub(crate) mechanism: Option<Mechanism>,
    pub(crate) domain: String,
    pub(crate) address: String,
    pub(crate) reason: String,
}

/// The first `max` bytes of `bytes`.
fn clip(bytes: &[u8], max: usize) -> &[u8] {
    bytes.get(..max).unwrap_or(bytes)
}

fn text(frame: Option<&Message>) -> String {
    frame
        .map(|f| String::from_utf8_lossy(clip(f.data(), 256)).into_owned())
        .unwrap_or_default()
}

/// Parses the frames of one request (the envelope already removed). `total` is how many
/// frames the message had (only `frames.len()` of them, at most [`MAX_FRAMES`], were kept).
pub(crate) fn parse(frames: &[Message], total: usize) -> Result<ZapRequest, Box<Malformed>> {
    let request_id = frames.get(1).map(|f| f.to_vec()).unwrap_or_default();
    let malformed = |reason: String| {
        Box::new(Malformed {
            request_id: clip(&request_id, MAX_FRAME_LEN).to_vec(),
            mechanism: frames.get(5).map(|f| Mechanism::from_frame(f.data())),
            domain: text(frames.get(2)),
            address: text(frames.get(3)),
            reason,
        })
    };
    if total > MAX_FRAMES {
        return Err(malformed(format!(
            "{total} frames, more than any ZAP 1.0 request has"
        )));
    }
    if let Some((i, f)) = frames
        .iter()
        .enumerate()
        .find(|(_, f)| f.len() > MAX_FRAME_LEN)
    {
        return Err(malformed(format!(
            "frame {} is {} bytes long, more than the {MAX_FRAME_LEN} accepted",
            i + 1,
            f.len()
        )));
    }
    let [version, _id, domain, address, routing_id, mechanism, credentials @ ..] = frames else {
        return Err(malformed(format!(
            "{} frames, fewer than the 6 of a ZAP 1.0 request",
            frames.len()
        )));
    };
    if version.data() != b"1.0" {
        return Err(malformed(format!(
            "version {:?}, not \"1.0\"",
            String::from_utf8_lossy(clip(version.data(), 16))
        )));
    }
    let utf8 = |frame: &Message, what: &str| {
        std::str::from_utf8(frame.data())
            .map(str::to_owned)
            .map_err(|_| malformed(format!("the {what} is not UTF-8")))
    };
    let domain = utf8(domain, "domain")?;
    let address = utf8(address, "address")?;
    let mechanism = Mechanism::from_frame(mechanism.data());
    let credentials = match (&mechanism, credentials) {
        (Mechanism::Null, []) => Credentials::Null,
        (Mechanism::Plain, [username, password]) => Credentials::Plain {
            username: username.to_vec(),
            password: password.to_vec(),
        },
        (Mechanism::Curve, [key]) => match <[u8; 32]>::try_from(key.data()) {
            Ok(bytes) => Credentials::Curve(CurveKey::from_bytes(bytes)),
            Err(_) => {
                return Err(malformed(format!(
                    "the CURVE client key is {} bytes long, not 32",
                    key.len()
                )))
            }
        },
        (Mechanism::Gssapi, [principal]) => Credentials::Gssapi {
            principal: principal.to_vec(),
        },
        (Mechanism::Unknown(name), _) => {
            return Err(malformed(format!("unknown mechanism {name:?}")));
        }
        (known, creds) => {
            return Err(malformed(format!(
                "{} credential frames for {known}, which has {}",
                creds.len(),
                match known {
                    Mechanism::Null => 0,
                    Mechanism::Plain => 2,
                    _ => 1,
                }
            )))
        }
    };
    Ok(ZapRequest {
        request_id,
        domain,
        address,
        routing_id: routing_id.to_vec(),
        mechanism,
        credentials,
    })
}

/// Whether `name` can be a metadata property name: 1 to 255 bytes of the ZMTP property
/// alphabet (letters, digits, `-`, `_`, `.`, `+`), and none of the names libzmq keeps for
/// itself (`Socket-Type`, `Identity`, `Routing-Id`, `User-Id`, `Peer-Address`).
pub(crate) fn check_metadata_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 255 {
        return Err(format!(
            "metadata name {name:?} must be 1 to 255 bytes long"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+')))
    {
        return Err(format!(
            "metadata name {name:?} has {c:?}: names are letters, digits, '-', '_', '.', '+'"
        ));
    }
    const RESERVED: [&str; 5] = [
        "Socket-Type",
        "Identity",
        "Routing-Id",
        "User-Id",
        "Peer-Address",
    ];
    if RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(format!("metadata name {name:?} is one libzmq sets itself"));
    }
    Ok(())
}

/// The ZMTP property encoding of `metadata` (names checked by the caller): per property, the
/// name's length in one byte, the name, the value's length in 4 bytes big-endian, the value.
pub(crate) fn encode_metadata(metadata: &[(String, String)]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    for (name, value) in metadata {
        check_metadata_name(name)?;
        if value.len() > MAX_METADATA_LEN {
            return Err(format!(
                "metadata value of {name:?} is {} bytes, more than {MAX_METADATA_LEN}",
                value.len()
            ));
        }
        // Checked above: both fit.
        out.push(name.len() as u8);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(value.len() as u32).to_be_bytes());
        out.extend_from_slice(value.as_bytes());
    }
    Ok(out)
}

/// The reply frames: `1.0`, the request id, the status code and text, the user id, the
/// metadata.
pub(crate) fn reply(
    request_id: &[u8],
    status: u16,
    text: &str,
    user_id: &str,
    metadata: Vec<u8>,
) -> Vec<Message> {
    vec![
        Message::from_static(b"1.0"),
        Message::from_slice(request_id),
        Message::from_vec(status.to_string().into_bytes()),
        Message::from_slice(clip(text.as_bytes(), 255)),
        Message::from_slice(user_id.as_bytes()),
        Message::from_vec(metadata),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(parts: &[&[u8]]) -> Vec<Message> {
        parts.iter().map(|p| Message::from_slice(p)).collect()
    }

    #[test]
    fn a_curve_request_parses() {
        let key = [7u8; 32];
        let f = frames(&[b"1.0", b"1", b"global", b"127.0.0.1", b"", b"CURVE", &key]);
        let r = parse(&f, f.len()).unwrap();
        assert_eq!(r.mechanism, Mechanism::Curve);
        assert_eq!(r.client_key(), Some(&CurveKey::from_bytes(key)));
        assert_eq!(r.domain(), "global");
        assert_eq!(r.address(), "127.0.0.1");
    }

    #[test]
    fn debug_never_shows_the_password() {
        let f = frames(&[b"1.0", b"1", b"", b"", b"", b"PLAIN", b"admin", b"hunter2"]);
        let r = parse(&f, f.len()).unwrap();
        assert_eq!(r.username(), Some(&b"admin"[..]));
        let shown = format!("{r:?}");
        assert!(
            shown.contains("admin") && !shown.contains("hunter2"),
            "{shown}"
        );
    }

    #[test]
    fn malformed_requests_say_why() {
        let cases: Vec<(Vec<Message>, &str)> = vec![
            (frames(&[b"1.0"]), "fewer than the 6"),
            (
                frames(&[b"2.0", b"1", b"", b"", b"", b"NULL"]),
                "not \"1.0\"",
            ),
            (
                frames(&[b"1.0", b"1", b"", b"", b"", b"CURVE", b"short"]),
                "not 32",
            ),
            (
                frames(&[b"1.0", b"1", b"", b"", b"", b"PLAIN", b"u"]),
                "1 credential frames for PLAIN",
            ),
            (
                frames(&[b"1.0", b"1", b"", b"", b"", b"NULL", b"x"]),
                "for NULL",
            ),
            (
                frames(&[b"1.0", b"1", b"", b"", b"", b"BOGUS"]),
                "unknown mechanism",
            ),
            (
                frames(&[b"1.0", b"1", b"\xff", b"", b"", b"NULL"]),
                "domain is not UTF-8",
            ),
        ];
        for (f, why) in cases {
            let err = parse(&f, f.len()).unwrap_err();
            assert!(err.reason.contains(why), "{} lacks {why}", err.reason);
        }
        let f = frames(&[b"1.0", b"7", b"", b"", b"", b"NULL"]);
        assert!(parse(&f, 40).unwrap_err().reason.contains("40 frames"));
        assert_eq!(parse(&f, 40).unwrap_err().request_id, b"7");
    }

    #[test]
    fn metadata_is_zmtp_encoded_and_names_are_checked() {
        let m = encode_metadata(&[("Role".into(), "admin".into())]).unwrap();
        assert_eq!(m, b"\x04Role\x00\x00\x00\x05admin");
        assert!(encode_metadata(&[("User-Id".into(), "x".into())]).is_err());
        assert!(encode_metadata(&[("a b".into(), "x".into())]).is_err());
        assert!(encode_metadata(&[(String::new(), "x".into())]).is_err());
        assert!(encode_metadata(&[("n".repeat(256), "x".into())]).is_err());
    }
}
