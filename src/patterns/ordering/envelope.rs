//! The sequenced envelope: `{"seq": n, "data": ...}` as JSON, with an optional `"stream"`
//! naming the stream the number belongs to.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The longest piece of a peer's JSON quoted in an [`EnvelopeError`].
const QUOTE_MAX: usize = 48;

/// One message with its sequence number, as it travels: the JSON object
/// `{"seq": 1, "data": ...}`, or `{"seq": 1, "stream": "prices", "data": ...}` when the
/// sender numbers several streams. Numbers start at 1 in each stream; `data` is any value
/// serde can write as JSON (`T` defaults to [`serde_json::Value`], which takes anything).
///
/// Unknown fields are ignored when reading, so a peer may add its own.
///
/// ```
/// use zmq_typed::patterns::ordering::Envelope;
///
/// let bytes = Envelope::new(7, "message 7").to_json()?;
/// assert_eq!(bytes, br#"{"seq":7,"data":"message 7"}"#);
/// let back: Envelope<String> = Envelope::from_json(&bytes)?;
/// assert_eq!((back.seq, back.data.as_str()), (7, "message 7"));
/// # Ok::<(), zmq_typed::patterns::ordering::EnvelopeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope<T = Value> {
    /// The message's number in its stream, from 1.
    pub seq: u64,
    /// The stream the number belongs to (`None`: the sender's only stream; then the field is
    /// left out of the JSON).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream: Option<String>,
    /// The payload.
    pub data: T,
}

/// Why bytes are not an [`Envelope`] (or an envelope could not be written). A receiver
/// reports these as values and goes on with the next message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvelopeError {
    /// The bytes are not JSON (or not UTF-8).
    #[error("not a JSON envelope: {reason}")]
    NotJson {
        /// What the JSON parser said.
        reason: String,
    },
    /// JSON, but not an object.
    #[error("the envelope is a JSON {found}, not an object")]
    NotAnObject {
        /// The JSON type found (`array`, `string`, ...).
        found: &'static str,
    },
    /// The object has no `seq` field.
    #[error("the envelope has no \"seq\" field")]
    MissingSeq,
    /// `seq` is not a whole number from 1 to 2^64 - 1.
    #[error("the envelope's \"seq\" is not a whole number from 1 up: {found}")]
    BadSeq {
        /// The value found, as JSON (cut short when long).
        found: String,
    },
    /// `stream` is present but is not a string.
    #[error("the envelope's \"stream\" is not a string: {found}")]
    BadStream {
        /// The value found, as JSON (cut short when long).
        found: String,
    },
    /// The object has no `data` field.
    #[error("the envelope has no \"data\" field")]
    MissingData,
    /// `data` does not have the shape the receiver asked for.
    #[error("the envelope's \"data\" does not have the expected shape: {reason}")]
    BadData {
        /// What serde said.
        reason: String,
    },
    /// The message has several frames: an envelope is one frame.
    #[error("an envelope is one frame, not {count}")]
    SeveralFrames {
        /// How many frames the message had.
        count: usize,
    },
    /// The envelope could not be written as JSON (a `seq` of 0, or data serde cannot
    /// write, such as a map with non-string keys).
    #[error("could not write the envelope as JSON: {reason}")]
    Encode {
        /// Why.
        reason: String,
    },
}

impl From<EnvelopeError> for crate::Error {
    fn from(e: EnvelopeError) -> crate::Error {
        crate::Error::Malformed(e.to_string())
    }
}

impl<T> Envelope<T> {
    /// An envelope with no stream name.
    pub fn new(seq: u64, data: T) -> Envelope<T> {
        Envelope {
            seq,
            stream: None,
            data,
        }
    }

    /// An envelope numbered in the stream `stream`.
    pub fn in_stream(seq: u64, stream: impl Into<String>, data: T) -> Envelope<T> {
        Envelope {
            seq,
            stream: Some(stream.into()),
            data,
        }
    }
}

impl<T: Serialize> Envelope<T> {
    /// The envelope as compact JSON bytes (`{"seq":1,"data":...}`), ready to send as one
    /// frame. A `seq` of 0 is refused: numbers start at 1.
    pub fn to_json(&self) -> Result<Vec<u8>, EnvelopeError> {
        if self.seq == 0 {
            return Err(EnvelopeError::Encode {
                reason: "seq is 0; sequence numbers start at 1".into(),
            });
        }
        serde_json::to_vec(self).map_err(|e| EnvelopeError::Encode {
            reason: e.to_string(),
        })
    }
}

impl<T: DeserializeOwned> Envelope<T> {
    /// Reads an envelope from JSON bytes, saying precisely what is wrong when they are not
    /// one: not JSON, not an object, no `seq` or a `seq` that is not a whole number from 1,
    /// a `stream` that is not a string, no `data` or `data` not of type `T`. Never panics,
    /// whatever the bytes (serde_json limits nesting, so deep input is an error too).
    pub fn from_json(bytes: &[u8]) -> Result<Envelope<T>, EnvelopeError> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| EnvelopeError::NotJson {
            reason: e.to_string(),
        })?;
        let Value::Object(mut fields) = value else {
            return Err(EnvelopeError::NotAnObject {
                found: json_type(&value),
            });
        };
        let seq = match fields.get("seq") {
            None => return Err(EnvelopeError::MissingSeq),
            Some(v) => match v.as_u64() {
                Some(n) if n >= 1 => n,
                _ => return Err(EnvelopeError::BadSeq { found: quote(v) }),
            },
        };
        let stream = match fields.get("stream") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => return Err(EnvelopeError::BadStream { found: quote(v) }),
        };
        let data = fields.remove("data").ok_or(EnvelopeError::MissingData)?;
        let data = T::deserialize(data).map_err(|e| EnvelopeError::BadData {
            reason: e.to_string(),
        })?;
        Ok(Envelope { seq, stream, data })
    }
}

/// The JSON type of `v`, in words.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `v` as JSON text (control characters escaped), cut to [`QUOTE_MAX`] characters.
fn quote(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(QUOTE_MAX) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_and_without_stream() {
        let plain = Envelope::new(3, vec![1, 2]).to_json().unwrap();
        assert_eq!(plain, br#"{"seq":3,"data":[1,2]}"#);
        let named = Envelope::in_stream(4, "s", "x").to_json().unwrap();
        assert_eq!(named, br#"{"seq":4,"stream":"s","data":"x"}"#);
        let back: Envelope<String> = Envelope::from_json(&named).unwrap();
        assert_eq!(back, Envelope::in_stream(4, "s", "x".to_string()));
    }

    #[test]
    fn every_malformation_has_its_error() {
        let bad = |b: &[u8]| Envelope::<String>::from_json(b).unwrap_err();
        assert!(matches!(bad(b"not json"), EnvelopeError::NotJson { .. }));
        assert!(matches!(bad(b"\xff\xfe"), EnvelopeError::NotJson { .. }));
        assert!(matches!(bad(b""), EnvelopeError::NotJson { .. }));
        assert_eq!(bad(b"[1]"), EnvelopeError::NotAnObject { found: "array" });
        assert_eq!(bad(br#"{"data":"x"}"#), EnvelopeError::MissingSeq);
        assert_eq!(
            bad(br#"{"seq":"7","data":"x"}"#),
            EnvelopeError::BadSeq {
                found: r#""7""#.into()
            }
        );
        for seq in ["0", "-1", "1.5", "18446744073709551616", "null"] {
            let text = format!(r#"{{"seq":{seq},"data":"x"}}"#);
            assert!(
                matches!(bad(text.as_bytes()), EnvelopeError::BadSeq { .. }),
                "{seq}"
            );
        }
        assert!(matches!(
            bad(br#"{"seq":1,"stream":5,"data":"x"}"#),
            EnvelopeError::BadStream { .. }
        ));
        assert_eq!(bad(br#"{"seq":1}"#), EnvelopeError::MissingData);
        assert!(matches!(
            bad(br#"{"seq":1,"data":5}"#),
            EnvelopeError::BadData { .. }
        ));
        let deep = "[".repeat(100_000);
        assert!(matches!(
            bad(deep.as_bytes()),
            EnvelopeError::NotJson { .. }
        ));
        let long = format!(r#"{{"seq":"{}","data":1}}"#, "a".repeat(10_000));
        let EnvelopeError::BadSeq { found } = bad(long.as_bytes()) else {
            panic!("not BadSeq")
        };
        assert!(found.chars().count() <= QUOTE_MAX + 3, "{found}");
    }

    #[test]
    fn seq_zero_is_refused_when_writing() {
        assert!(matches!(
            Envelope::new(0, "x").to_json(),
            Err(EnvelopeError::Encode { .. })
        ));
    }
}
