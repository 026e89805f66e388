//! Ordering: sequence numbers on every message, and a receiver that puts them back in order.
//! (Being written: issue 10.)

mod envelope;

pub use envelope::{Envelope, EnvelopeError};
