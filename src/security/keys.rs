//! Z85 and CURVE keys ([man zmq_z85_encode](http://api.zeromq.org/4-3:zmq-z85-encode),
//! [zmq_curve_keypair](http://api.zeromq.org/4-3:zmq-curve-keypair),
//! [zmq_curve](http://api.zeromq.org/4-3:zmq-curve)).

use std::fmt;
use std::os::raw::c_char;

use crate::error::{cstring, last_error, Detail, Error, Result};

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
    if text.len() % 5 != 0 {
        return Err(Error::Z85(format!(
            "text must be a multiple of 5 characters long, not {}",
            text.len()
        )));
    }
    const ALPHABET: &[u8] =
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| !c.is_ascii() || !ALPHABET.contains(&(*c as u8)))
    {
        return Err(Error::Z85(format!(
            "{c:?} at position {i} is not a Z85 character"
        )));
    }
    let c = cstring("Z85 text", text)?;
    let mut out = vec![0u8; text.len() / 5 * 4];
    // SAFETY: out has room for len*4/5 bytes; c is NUL-terminated and its length a multiple
    // of 5.
    let rc = unsafe { zmq_ffi::zmq_z85_decode(out.as_mut_ptr(), c.as_ptr()) };
    if rc.is_null() {
        return Err(Error::Z85(format!(
            "`{text}` does not decode (a value out of range)"
        )));
    }
    Ok(out)
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
    pub fn from_z85(text: &str) -> Result<CurveKey> {
        if text.len() != 40 {
            return Err(Error::Z85(format!(
                "a CURVE key is 40 Z85 characters, not {}",
                text.len()
            )));
        }
        let bytes = z85_decode(text)?;
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes);
        Ok(CurveKey(key))
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 40-character Z85 text.
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

/// A CURVE key pair.
#[derive(Clone, PartialEq, Eq)]
pub struct CurveKeyPair {
    /// The public key, to give to peers.
    pub public: CurveKey,
    /// The secret key, to keep.
    pub secret: CurveKey,
}

impl fmt::Debug for CurveKeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CurveKeyPair")
            .field("public", &self.public)
            .field("secret", &"<hidden>")
            .finish()
    }
}

impl CurveKeyPair {
    /// A new random key pair; [`Error::NotSupported`] when libzmq has no CURVE.
    ///
    /// Wraps `zmq_curve_keypair` ([man zmq_curve_keypair](http://api.zeromq.org/4-3:zmq-curve-keypair)).
    pub fn generate() -> Result<CurveKeyPair> {
        let mut public = [0 as c_char; 41];
        let mut secret = [0 as c_char; 41];
        // SAFETY: both buffers hold 40 characters plus the NUL, as the man page requires.
        let rc = unsafe { zmq_ffi::zmq_curve_keypair(public.as_mut_ptr(), secret.as_mut_ptr()) };
        if rc != 0 {
            return Err(last_error(|| Detail::new("zmq_curve_keypair")));
        }
        Ok(CurveKeyPair {
            public: key_from_c(&public)?,
            secret: key_from_c(&secret)?,
        })
    }

    /// The pair whose secret key is `secret`, deriving the public key.
    ///
    /// Wraps `zmq_curve_public` ([man zmq_curve_public](http://api.zeromq.org/4-3:zmq-curve-public)).
    pub fn from_secret(secret: CurveKey) -> Result<CurveKeyPair> {
        let secret_z85 = cstring("CURVE secret key", &secret.to_z85())?;
        let mut public = [0 as c_char; 41];
        // SAFETY: public holds 41 characters; secret_z85 is the 40-character key plus NUL.
        let rc = unsafe { zmq_ffi::zmq_curve_public(public.as_mut_ptr(), secret_z85.as_ptr()) };
        if rc != 0 {
            return Err(last_error(|| Detail::new("zmq_curve_public")));
        }
        Ok(CurveKeyPair {
            public: key_from_c(&public)?,
            secret,
        })
    }
}

fn key_from_c(buf: &[c_char; 41]) -> Result<CurveKey> {
    let bytes: Vec<u8> = buf[..40].iter().map(|&c| c as u8).collect();
    CurveKey::try_from(bytes.as_slice())
}

/// SKELETON: a CURVE secret key, wiped on drop, hidden from `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl SecretKey {
    /// SKELETON.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}
