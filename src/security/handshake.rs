//! SKELETON: handshake failures in words a person can act on.

/// SKELETON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandshakeFailure {}

impl std::fmt::Display for HandshakeFailure {
    fn fmt(&self, _f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        unimplemented!()
    }
}

/// SKELETON.
pub struct HandshakeWatch {}
