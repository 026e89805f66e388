//! Security: Z85, CURVE keys and certificates, the ZAP authenticator, and one-call set-up of
//! CURVE and PLAIN servers and clients.
//!
//! SKELETON (issue 11): the module docs are written when the pieces land.

mod cert;
mod handshake;
mod keys;
mod secret;
mod setup;
pub mod zap;
mod zpl;

pub use cert::Certificate;
pub use handshake::{HandshakeCause, HandshakeFailure, HandshakeSide, HandshakeWatch};
pub use keys::{z85_decode, z85_encode, CurveKey, CurveKeyPair};
pub use secret::SecretKey;
pub use setup::Admission;
pub use zap::{AuthStats, Authenticator, AuthenticatorBuilder, Decision, Verdict, ZapRequest};
/// The string type secret keys' Z85 text comes in: wiped on drop (from the `zeroize` crate).
pub use zeroize::Zeroizing;
