//! The credit protocol's frames (see the module docs of [`super`]).

use crate::message::Message;
use crate::multipart::Multipart;

/// The first frame of a producer's greeting: `[HELLO][sent]`.
pub const HELLO: &str = "HELLO";
/// The first frame of a producer's message: `[DATA][payload...]`.
pub const DATA: &str = "DATA";
/// The first frame of a consumer's grant: `[CREDIT][allowance][window]`.
pub const CREDIT: &str = "CREDIT";

/// A whole number written as decimal text, as the protocol's frames hold them.
pub(crate) fn number_frame(n: u64) -> Message {
    Message::from_vec(n.to_string().into_bytes())
}

/// A frame of decimal text read as a number (digits only, no sign, no spaces).
pub(crate) fn parse_number(frame: &Message) -> Option<u64> {
    let text = std::str::from_utf8(frame.data()).ok()?;
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whether `body`'s first frame is `command`.
pub(crate) fn is(body: &Multipart, command: &str) -> bool {
    body.first().is_some_and(|f| f.data() == command.as_bytes())
}
