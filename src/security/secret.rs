//! The CURVE secret key: 32 bytes kept in one heap allocation, wiped on drop, hidden from
//! `Debug`, compared in constant time.

use std::fmt;
use std::os::raw::{c_char, c_int, c_void};

use zeroize::{Zeroize, Zeroizing};

use crate::error::{check, Detail, Error, Result};
use crate::security::keys::{z85_decode_into, Reveal};
use crate::security::CurveKey;
use crate::socket_core::SocketCore;

/// A CURVE secret key (32 bytes).
///
/// The bytes live in one heap allocation that moves never copy and that is wiped (zeroed
/// with writes the compiler may not remove) when the key is dropped. The key is not `Copy`,
/// has no `Display`, and its `Debug` prints `SecretKey(<hidden>)`; equality is checked in
/// constant time. Its Z85 text ([`SecretKey::to_z85`]) comes in a string that is wiped on
/// drop too.
///
/// What the crate cannot wipe: copies the caller made before handing the bytes over (the
/// array given to [`SecretKey::from_bytes`], the text given to [`SecretKey::from_z85`]) and
/// libzmq's own copy inside a socket that was given the key.
///
/// ```
/// use zmq_typed::{CurveKeyPair, SecretKey};
/// let secret = SecretKey::from_z85("D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")?;
/// assert_eq!(format!("{secret:?}"), "SecretKey(<hidden>)");
/// let pair = CurveKeyPair::from_secret(&secret)?;
/// assert_eq!(pair.public.to_z85(), "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID");
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// Not `Copy` (each copy would be one more to wipe):
///
/// ```compile_fail
/// let key = zmq_typed::SecretKey::from_bytes([7; 32]);
/// let a = key;
/// let b = key;
/// ```
///
/// and not `Display`:
///
/// ```compile_fail
/// let key = zmq_typed::SecretKey::from_bytes([7; 32]);
/// println!("{key}");
/// ```
#[derive(Clone)]
pub struct SecretKey(Box<[u8; 32]>);

impl SecretKey {
    /// The key from 32 raw bytes (the caller's array is the caller's to wipe).
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        SecretKey(Box::new(bytes))
    }

    /// The key from its 40-character Z85 text; errors never quote the text.
    ///
    /// Wraps `zmq_z85_decode` ([man zmq_z85_decode](http://api.zeromq.org/4-3:zmq-z85-decode));
    /// the NUL-terminated copy of the text handed to libzmq is wiped.
    pub fn from_z85(text: &str) -> Result<SecretKey> {
        if text.len() != 40 {
            return Err(Error::Z85(format!(
                "a CURVE secret key is 40 Z85 characters, not {}",
                text.len()
            )));
        }
        let mut key = SecretKey(Box::new([0u8; 32]));
        z85_decode_into(text, &mut key.0[..], Reveal::Nothing)?;
        Ok(key)
    }

    /// The 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 40-character Z85 text, in a string wiped on drop.
    ///
    /// Wraps `zmq_z85_encode` ([man zmq_z85_encode](http://api.zeromq.org/4-3:zmq-z85-encode));
    /// the buffer libzmq writes into is wiped too.
    pub fn to_z85(&self) -> Zeroizing<String> {
        let mut buf = Zeroizing::new([0 as c_char; 41]);
        // SAFETY: buf has room for 32 * 5 / 4 = 40 characters plus the NUL; the key is 32
        // readable bytes, a multiple of 4, so libzmq cannot refuse it.
        let rc = unsafe { zmq_ffi::zmq_z85_encode(buf.as_mut_ptr(), self.0.as_ptr(), 32) };
        // Capacity for the 40 ASCII characters: pushing them never reallocates (which would
        // leave an unwiped copy behind).
        let mut text = Zeroizing::new(String::with_capacity(40));
        if !rc.is_null() {
            for &c in buf.iter().take(40) {
                text.push(char::from(c as u8));
            }
        }
        text
    }

    /// Whether every byte is zero (libzmq's value for "no key set").
    pub(crate) fn is_unset(&self) -> bool {
        self.0.iter().fold(0u8, |acc, &b| acc | b) == 0
    }
}

impl Drop for SecretKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The key wipes itself on drop (a marker for code that checks with the `zeroize` crate).
impl zeroize::ZeroizeOnDrop for SecretKey {}

impl PartialEq for SecretKey {
    /// Constant time: the comparison reads all 32 bytes whatever they hold.
    fn eq(&self, other: &SecretKey) -> bool {
        let diff = self
            .0
            .iter()
            .zip(other.0.iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        // Keep the compiler from shortcutting the fold.
        std::hint::black_box(diff) == 0
    }
}

impl Eq for SecretKey {}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<hidden>)")
    }
}

impl TryFrom<&str> for SecretKey {
    type Error = Error;
    /// 40 Z85 characters.
    fn try_from(text: &str) -> Result<SecretKey> {
        SecretKey::from_z85(text)
    }
}

impl TryFrom<&String> for SecretKey {
    type Error = Error;
    /// 40 Z85 characters.
    fn try_from(text: &String) -> Result<SecretKey> {
        SecretKey::from_z85(text)
    }
}

impl TryFrom<&Zeroizing<String>> for SecretKey {
    type Error = Error;
    /// 40 Z85 characters, as [`SecretKey::to_z85`] gives them.
    fn try_from(text: &Zeroizing<String>) -> Result<SecretKey> {
        SecretKey::from_z85(text)
    }
}

impl TryFrom<&[u8]> for SecretKey {
    type Error = Error;
    /// 32 raw bytes, or 40 bytes of Z85 text.
    fn try_from(bytes: &[u8]) -> Result<SecretKey> {
        match bytes.len() {
            32 => {
                let mut key = SecretKey(Box::new([0u8; 32]));
                key.0.copy_from_slice(bytes);
                Ok(key)
            }
            40 => {
                // Z85 is ASCII: anything else is not a key (and is not quoted).
                let text = std::str::from_utf8(bytes).map_err(|e| {
                    Error::Z85(format!(
                        "the byte at position {} is not a Z85 character",
                        e.valid_up_to()
                    ))
                })?;
                SecretKey::from_z85(text)
            }
            n => Err(Error::Z85(format!(
                "a CURVE secret key is 32 bytes or 40 Z85 characters, not {n} bytes"
            ))),
        }
    }
}

impl TryFrom<[u8; 32]> for SecretKey {
    type Error = Error;
    fn try_from(bytes: [u8; 32]) -> Result<SecretKey> {
        Ok(SecretKey::from_bytes(bytes))
    }
}

impl TryFrom<&[u8; 32]> for SecretKey {
    type Error = Error;
    fn try_from(bytes: &[u8; 32]) -> Result<SecretKey> {
        Ok(SecretKey::from_bytes(*bytes))
    }
}

impl TryFrom<&SecretKey> for SecretKey {
    type Error = Error;
    fn try_from(key: &SecretKey) -> Result<SecretKey> {
        Ok(key.clone())
    }
}

impl TryFrom<CurveKey> for SecretKey {
    type Error = Error;
    /// A key typed as a [`CurveKey`] used as a secret key: allowed, they are the caller's
    /// bytes (older code kept secret keys as `CurveKey`).
    fn try_from(key: CurveKey) -> Result<SecretKey> {
        Ok(SecretKey::from_bytes(*key.as_bytes()))
    }
}

impl TryFrom<&CurveKey> for SecretKey {
    type Error = Error;
    /// As for a [`CurveKey`] by value.
    fn try_from(key: &CurveKey) -> Result<SecretKey> {
        Ok(SecretKey::from_bytes(*key.as_bytes()))
    }
}

impl SocketCore {
    /// Reads a CURVE secret key option straight into a [`SecretKey`]'s own buffer.
    pub(crate) fn get_secret_key(&self, option: c_int, name: &'static str) -> Result<SecretKey> {
        let mut key = SecretKey(Box::new([0u8; 32]));
        let mut len: usize = 32;
        // SAFETY: the key's buffer is writable for `len` bytes; libzmq writes at most that
        // and updates len.
        let rc = unsafe {
            zmq_ffi::zmq_getsockopt(
                self.as_ptr(),
                option,
                key.0.as_mut_ptr() as *mut c_void,
                &mut len,
            )
        };
        check(rc, || Detail::new(name))?;
        if len != 32 {
            return Err(Error::OptionValue {
                option: name,
                reason: format!("libzmq returned {len} bytes, not 32"),
            });
        }
        Ok(key)
    }

    /// Reads a CURVE secret key option as Z85 text, through buffers wiped on drop.
    pub(crate) fn get_secret_key_z85(
        &self,
        option: c_int,
        name: &'static str,
    ) -> Result<Zeroizing<String>> {
        let mut buf = Zeroizing::new([0u8; 41]);
        let mut len: usize = 41;
        // SAFETY: buf is writable for `len` bytes; libzmq writes at most that (a 41-byte
        // buffer asks for the Z85 text plus its NUL) and updates len.
        let rc = unsafe {
            zmq_ffi::zmq_getsockopt(
                self.as_ptr(),
                option,
                buf.as_mut_ptr() as *mut c_void,
                &mut len,
            )
        };
        check(rc, || Detail::new(name))?;
        let text = buf.get(..len.min(41)).unwrap_or_default();
        let text = text.strip_suffix(&[0]).unwrap_or(text);
        let mut out = Zeroizing::new(String::with_capacity(text.len()));
        for &b in text {
            if !b.is_ascii() {
                return Err(Error::OptionValue {
                    option: name,
                    reason: "libzmq returned text that is not Z85".into(),
                });
            }
            out.push(char::from(b));
        }
        Ok(out)
    }
}
