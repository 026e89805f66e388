//! How the crate's errors read: `{:?}` as a sentence with its causes (as `anyhow`'s do),
//! `{:#?}` as the structure, and the `is_*` questions every error type of the crate answers.

use std::fmt;

use super::Error;

impl fmt::Debug for Error {
    /// `{:?}`: the `Display` text and its causes, a line each; `{:#?}`: the structure.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            self.fmt_structure(f)
        } else {
            write_sentence(f, self, std::error::Error::source(self))
        }
    }
}

/// What the `Debug` of the crate's errors prints: `err`'s `Display`, then the chain of its
/// sources as `Caused by:` lines, as `anyhow` does. A source whose text the line before
/// already shows (`send failed: <the error>`, `... is not valid UTF-8: <the reason>`) is not
/// repeated.
pub(crate) fn write_sentence(
    f: &mut fmt::Formatter<'_>,
    text: &dyn fmt::Display,
    source: Option<&(dyn std::error::Error + 'static)>,
) -> fmt::Result {
    let mut shown = text.to_string();
    f.write_str(&shown)?;
    let mut causes = Vec::new();
    let mut next = source;
    while let Some(cause) = next {
        let text = cause.to_string();
        if !shown.contains(&text) {
            causes.push(text.clone());
        }
        shown = text;
        next = cause.source();
    }
    match causes.as_slice() {
        [] => Ok(()),
        [one] => write!(f, "\n\nCaused by:\n    {one}"),
        many => {
            f.write_str("\n\nCaused by:")?;
            for (i, cause) in many.iter().enumerate() {
                write!(f, "\n    {i}: {cause}")?;
            }
            Ok(())
        }
    }
}

/// The `is_*` questions of [`Error`], asked of the error a failure type carries (its
/// `error` field).
macro_rules! error_questions {
    () => {
        /// Whether a timeout ran out, or a non-blocking call found nothing to do
        /// ([`Error::is_timeout`]).
        pub fn is_timeout(&self) -> bool {
            self.error().is_timeout()
        }

        /// Whether the context was shut down or terminated ([`Error::is_terminated`]).
        pub fn is_terminated(&self) -> bool {
            self.error().is_terminated()
        }

        /// Whether a non-blocking call found nothing to do ([`Error::is_would_block`]).
        pub fn is_would_block(&self) -> bool {
            self.error().is_would_block()
        }

        /// Whether a signal interrupted the call ([`Error::is_interrupted`]).
        pub fn is_interrupted(&self) -> bool {
            self.error().is_interrupted()
        }

        /// Whether no peer could take the message ([`Error::is_host_unreachable`]).
        pub fn is_host_unreachable(&self) -> bool {
            self.error().is_host_unreachable()
        }

        /// Whether the call was not allowed in the current state ([`Error::is_wrong_state`]).
        pub fn is_wrong_state(&self) -> bool {
            self.error().is_wrong_state()
        }
    };
}
pub(crate) use error_questions;
