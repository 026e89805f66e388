//! `SendError`: a failed send, with what was not sent handed back.

use std::fmt;

use crate::error::{error_questions, write_sentence, Error};
use crate::multipart::Multipart;
use crate::unshared::Unshared;

/// A failed send, with what was not sent handed back so that nothing is lost: the frames
/// not sent, as a [`Multipart`] by default.
///
/// A `Send + Sync` [`std::error::Error`] (the message is reachable by value only, through
/// [`SendError::into_parts`]), so `?` takes it into the crate's [`Error`], `anyhow::Error` or
/// `Box<dyn Error + Send + Sync>`, dropping the message.
///
/// It is one pointer wide (the error and the message live in one `Box`), so a function
/// returning `Result<_, SendError>` stays under clippy's `result_large_err` threshold, and
/// the successful path moves no more than a pointer.
pub struct SendError<M = Multipart> {
    inner: Box<Inner<M>>,
}

struct Inner<M> {
    error: Error,
    message: Unshared<M>,
}

impl<M> SendError<M> {
    pub(crate) fn new(error: Error, message: M) -> SendError<M> {
        SendError {
            inner: Box::new(Inner {
                error,
                message: Unshared::new(message),
            }),
        }
    }

    /// Why the send failed.
    pub fn error(&self) -> &Error {
        &self.inner.error
    }

    error_questions!();

    /// The error and what was not sent.
    pub fn into_parts(self) -> (Error, M) {
        let inner = *self.inner;
        (inner.error, inner.message.into_inner())
    }

    /// What was not sent.
    pub fn into_message(self) -> M {
        self.inner.message.into_inner()
    }

    /// The error alone.
    pub fn into_error(self) -> Error {
        self.inner.error
    }
}

impl<M> fmt::Debug for SendError<M> {
    /// `{:?}` reads like a sentence, as [`Error`]'s does; `{:#?}` is the structure (the
    /// message is left out: reading it through `&self` would defeat `Unshared`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.alternate() {
            f.debug_struct("SendError")
                .field("error", &self.inner.error)
                .finish_non_exhaustive()
        } else {
            write_sentence(f, self, Some(&self.inner.error))
        }
    }
}

impl<M> fmt::Display for SendError<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "send failed: {}", self.inner.error)
    }
}

impl<M> std::error::Error for SendError<M> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner.error)
    }
}

impl<M> From<SendError<M>> for Error {
    fn from(e: SendError<M>) -> Error {
        e.inner.error
    }
}

#[cfg(test)]
mod sentence_tests {
    //! `write_sentence` (src/error.rs), which every failure type's `Debug` uses.

    use std::fmt;

    /// An error with a message and an optional cause, to build chains.
    #[derive(Debug)]
    struct Link(&'static str, Option<Box<Link>>);

    impl fmt::Display for Link {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Link {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    struct Sentence(Link);

    impl fmt::Debug for Sentence {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            crate::error::write_sentence(f, &self.0, std::error::Error::source(&self.0))
        }
    }

    fn chain(links: &[&'static str]) -> Link {
        let mut next = None;
        for text in links.iter().rev() {
            next = Some(Box::new(Link(text, next)));
        }
        *next.unwrap()
    }

    #[test]
    fn causes_are_lines_as_anyhow_writes_them() {
        assert_eq!(format!("{:?}", Sentence(chain(&["alone"]))), "alone");
        assert_eq!(
            format!("{:?}", Sentence(chain(&["outer", "inner"]))),
            "outer\n\nCaused by:\n    inner"
        );
        assert_eq!(
            format!("{:?}", Sentence(chain(&["outer", "middle", "inner"]))),
            "outer\n\nCaused by:\n    0: middle\n    1: inner"
        );
        // A cause the line above already shows is not repeated; its own cause still is.
        assert_eq!(
            format!(
                "{:?}",
                Sentence(chain(&["send failed: middle", "middle", "inner"]))
            ),
            "send failed: middle\n\nCaused by:\n    inner"
        );
    }
}
