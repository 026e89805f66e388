//! The ACK on the wire: one frame of JSON, `{"ack":<seq>}`, from the receiver to the sender.

use serde_json::Value;

/// The ACK for message `seq`: `{"ack":<seq>}`.
pub fn ack_frame(seq: u64) -> String {
    format!("{{\"ack\":{seq}}}")
}

/// The number an ACK acknowledges, or why the bytes are not an ACK. Unknown fields are
/// ignored.
pub fn parse_ack(bytes: &[u8]) -> Result<u64, String> {
    let value: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("an ACK that is not JSON: {e}"))?;
    match value.get("ack").and_then(Value::as_u64) {
        Some(seq) if seq >= 1 => Ok(seq),
        _ => Err(format!(
            "an ACK without a whole \"ack\" number from 1: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(48)])
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_round_trip_and_garbage_is_refused() {
        assert_eq!(ack_frame(42), r#"{"ack":42}"#);
        assert_eq!(parse_ack(ack_frame(42).as_bytes()), Ok(42));
        assert_eq!(parse_ack(br#"{"ack":7,"extra":true}"#), Ok(7));
        for bad in [
            &b"nope"[..],
            b"{}",
            br#"{"ack":0}"#,
            br#"{"ack":"3"}"#,
            b"[1]",
        ] {
            assert!(parse_ack(bad).is_err(), "{bad:?}");
        }
    }
}
