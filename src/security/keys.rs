//! Z85 and CURVE keys ([man zmq_z85_encode](http://api.zeromq.org/4-3:zmq-z85-encode),
//! [zmq_curve_keypair](http://api.zeromq.org/4-3:zmq-curve-keypair),
//! [zmq_curve](http://api.zeromq.org/4-3:zmq-curve)).

use std::fmt;
use std::os::raw::c_char;

use zeroize::{Zeroize, Zeroizing};

use crate::error::{last_error, Detail, Error, Result};
use crate::security::SecretKey;

/// Encodes `data` (a multiple of 4 bytes long) as Z85 text.
///
/// Wraps `zmq_z85_encode` ([man zmq_z85_encode](http://api.zeromq.org/4-3:zmq-z85-encode)).
///
/// ```
/// let text = zmq_typed::z85_encode(&[0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])?;
/// assert_eq!(text, "HelloWorld");
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub fn z85_encode(data: &[u8]) -> Result<String> {
    if data.len() % 4 != 0 {
        return Err(Error::Z85(format!(
            "binary input must be a multiple of 4 bytes long, not {}",
            data.len()
        )));
    }
    let mut out = vec![0u8; data.len() / 4 * 5 + 1];
    // SAFETY: out has room for len*5/4 characters plus the NUL; data is readable for its
    // length, which is a multiple of 4 as checked above.
    let rc = unsafe {
        zmq_ffi::zmq_z85_encode(out.as_mut_ptr() as *mut c_char, data.as_ptr(), data.len())
    };
    if rc.is_null() {
        return Err(Error::Z85("libzmq refused to encode".into()));
    }
    out.pop();
    // Z85's alphabet is ASCII.
    String::from_utf8(out).map_err(|e| Error::Z85(e.to_string()))
}

/// Decodes Z85 `text` (a multiple of 5 characters long, from the Z85 alphabet).
///
/// Wraps `zmq_z85_decode` ([man zmq_z85_decode](http://api.zeromq.org/4-3:zmq-z85-decode)).
pub fn z85_decode(text: &str) -> Result<Vec<u8>> {
    if text.is_empty() {
        // The encoding of no bytes (as `z85_encode(&[])` gives): libzmq itself says NULL.
        return Ok(Vec::new());
    }
    let mut out = vec![0u8; text.len() / 5 * 4];
    z85_decode_into(text, &mut out, Reveal::Text)?;
    Ok(out)
}

/// Whether an error about bad Z85 text may quote the text (not when it is a secret key).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reveal {
    /// Quote the text and the offending character.
    Text,
    /// Say where, never what.
    Nothing,
}

/// The Z85 alphabet, in value order.
const ALPHABET: &[u8] =
    b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/// Decodes non-empty `text` into `out`, which must be exactly `text.len() / 5 * 4` bytes;
/// the NUL-terminated copy handed to libzmq is wiped afterwards.
pub(crate) fn z85_decode_into(text: &str, out: &mut [u8], reveal: Reveal) -> Result<()> {
    if text.is_empty() || text.len() % 5 != 0 {
        return Err(Error::Z85(format!(
            "text must be a multiple of 5 characters long (and not empty), not {}",
            text.len()
        )));
    }
    if out.len() != text.len() / 5 * 4 {
        return Err(Error::Z85(format!(
            "{} characters decode to {} bytes, not {}",
            text.len(),
            text.len() / 5 * 4,
            out.len()
        )));
    }
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii() || !ALPHABET.contains(&(*c as u8)))
    {
        return Err(Error::Z85(match reveal {
            Reveal::Text => format!("{c:?} at position {i} is not a Z85 character"),
            Reveal::Nothing => format!("the character at position {i} is not a Z85 character"),
        }));
    }
    // Every character is ASCII from the alphabet, so there is no NUL inside.
    let mut c = Zeroizing::new(Vec::with_capacity(text.len() + 1));
    c.extend_from_slice(text.as_bytes());
    c.push(0);
    // SAFETY: out has room for len*4/5 bytes (checked above); c is NUL-terminated, has no
    // other NUL, and its length before the NUL is a multiple of 5.
    let rc = unsafe { zmq_ffi::zmq_z85_decode(out.as_mut_ptr(), c.as_ptr() as *const c_char) };
    if rc.is_null() {
        out.zeroize();
        return Err(Error::Z85(match reveal {
            Reveal::Text => format!("`{text}` does not decode (a value out of range)"),
            Reveal::Nothing => "the text does not decode (a value out of range)".to_string(),
        }));
    }
    Ok(())
}

/// A 32-byte CURVE key (public or secret).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct CurveKey([u8; 32]);

impl CurveKey {
    /// The key from 32 raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> CurveKey {
        CurveKey(bytes)
    }

    /// The key from its 40-character Z85 text.
    ///
    /// Wraps `zmq_z85_decode` ([man zmq_z85_decode](http://api.zeromq.org/4-3:zmq-z85-decode)).
    pub fn from_z85(text: &str) -> Result<CurveKey> {
        if text.len() != 40 {
            return Err(Error::Z85(format!(
                "a CURVE key is 40 Z85 characters, not {}",
                text.len()
            )));
        }
        let mut key = [0u8; 32];
        z85_decode_into(text, &mut key, Reveal::Text)?;
        Ok(CurveKey(key))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 40-character Z85 text.
    ///
    /// Wraps `zmq_z85_encode` ([man zmq_z85_encode](http://api.zeromq.org/4-3:zmq-z85-encode)).
    pub fn to_z85(&self) -> String {
        // 32 bytes is a multiple of 4: encoding cannot fail.
        z85_encode(&self.0).unwrap_or_default()
    }
}

impl fmt::Debug for CurveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CurveKey({})", self.to_z85())
    }
}

impl fmt::Display for CurveKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_z85())
    }
}

impl TryFrom<&str> for CurveKey {
    type Error = Error;
    fn try_from(text: &str) -> Result<CurveKey> {
        CurveKey::from_z85(text)
    }
}

impl TryFrom<&String> for CurveKey {
    type Error = Error;
    fn try_from(text: &String) -> Result<CurveKey> {
        CurveKey::from_z85(text)
    }
}

impl TryFrom<&[u8]> for CurveKey {
    type Error = Error;
    /// 32 raw bytes, or 40 bytes of Z85 text.
    fn try_from(bytes: &[u8]) -> Result<CurveKey> {
        match bytes.len() {
            32 => {
                let mut key = [0u8; 32];
                key.copy_from_slice(bytes);
                Ok(CurveKey(key))
            }
            40 => {
                let text = std::str::from_utf8(bytes).map_err(|source| Error::Utf8 {
                    what: "Z85 CURVE key",
                    source,
                })?;
                CurveKey::from_z85(text)
            }
            n => Err(Error::Z85(format!(
                "a CURVE key is 32 bytes or 40 Z85 characters, not {n} bytes"
            ))),
        }
    }
}

impl TryFrom<[u8; 32]> for CurveKey {
    type Error = Error;
    fn try_from(bytes: [u8; 32]) -> Result<CurveKey> {
        Ok(CurveKey(bytes))
    }
}

impl TryFrom<&[u8; 32]> for CurveKey {
    type Error = Error;
    fn try_from(bytes: &[u8; 32]) -> Result<CurveKey> {
        Ok(CurveKey(*bytes))
    }
}

impl TryFrom<&CurveKey> for CurveKey {
    type Error = Error;
    fn try_from(key: &CurveKey) -> Result<CurveKey> {
        Ok(*key)
    }
}

/// A CURVE key pair: the public key to give to peers, the secret key to keep.
///
/// Not `Copy`: the secret key is wiped from memory when the pair is dropped, and `Debug`
/// shows only the public key.
#[derive(Clone, PartialEq, Eq)]
pub struct CurveKeyPair {
    /// The public key, to give to peers.
    pub public: CurveKey,
    /// The secret key, to keep.
    pub secret: SecretKey,
}

impl fmt::Debug for CurveKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurveKeyPair")
            .field("public", &self.public)
            .field("secret", &self.secret)
            .finish()
    }
}

impl CurveKeyPair {
    /// A new random key pair; [`Error::NotSupported`] when libzmq has no CURVE.
    ///
    /// Wraps `zmq_curve_keypair` ([man zmq_curve_keypair](http://api.zeromq.org/4-3:zmq-curve-keypair));
    /// the buffers libzmq writes the keys' text into are wiped.
    pub fn generate() -> Result<CurveKeyPair> {
        let mut public = [0 as c_char; 41];
        let mut secret = Zeroizing::new([0 as c_char; 41]);
        // SAFETY: both buffers hold 40 characters plus the NUL, as the man page requires.
        let rc = unsafe { zmq_ffi::zmq_curve_keypair(public.as_mut_ptr(), secret.as_mut_ptr()) };
        if rc != 0 {
            return Err(last_error(|| Detail::new("zmq_curve_keypair")));
        }
        Ok(CurveKeyPair {
            public: CurveKey::from_z85(&text_of(&public))?,
            secret: SecretKey::from_z85(&text_of(&secret))?,
        })
    }

    /// The pair whose secret key is `secret` (a [`SecretKey`], 32 raw bytes, 40 Z85
    /// characters, ...), deriving the public key.
    ///
    /// Wraps `zmq_curve_public` ([man zmq_curve_public](http://api.zeromq.org/4-3:zmq-curve-public));
    /// the secret key's text handed to libzmq is wiped.
    pub fn from_secret(secret: impl TryInto<SecretKey, Error = Error>) -> Result<CurveKeyPair> {
        let secret = secret.try_into()?;
        let public = public_of(&secret)?;
        Ok(CurveKeyPair { public, secret })
    }
}

/// The public key that belongs to `secret`.
///
/// Wraps `zmq_curve_public` ([man zmq_curve_public](http://api.zeromq.org/4-3:zmq-curve-public)).
pub(crate) fn public_of(secret: &SecretKey) -> Result<CurveKey> {
    let text = secret.to_z85();
    let mut c = Zeroizing::new(Vec::with_capacity(41));
    c.extend_from_slice(text.as_bytes());
    c.push(0);
    let mut public = [0 as c_char; 41];
    // SAFETY: public holds 41 characters; c is the 40-character key plus NUL.
    let rc = unsafe { zmq_ffi::zmq_curve_public(public.as_mut_ptr(), c.as_ptr() as *const c_char) };
    if rc != 0 {
        return Err(last_error(|| Detail::new("zmq_curve_public")));
    }
    CurveKey::from_z85(&text_of(&public))
}

/// The 40 characters before the NUL of a key buffer libzmq filled, in a string that is
/// wiped on drop (non-ASCII bytes, which libzmq never writes, become U+FFFD and then fail Z85).
fn text_of(buf: &[c_char; 41]) -> Zeroizing<String> {
    let mut text = Zeroizing::new(String::with_capacity(40 * 3));
    for &c in buf.iter().take(40) {
        let b = c as u8;
        text.push(if b.is_ascii() {
            b as char
        } else {
            char::REPLACEMENT_CHARACTER
        });
    }
    text
}
