//! SKELETON: one-call set-up of CURVE and PLAIN servers and clients.

use crate::security::Authenticator;

/// SKELETON: who a CURVE or PLAIN server lets in.
pub enum Admission<'a> {
    /// Every client is checked by this authenticator (which must run on the socket's context).
    CheckedBy(&'a Authenticator),
    /// No check.
    AllowAnyClient,
}
