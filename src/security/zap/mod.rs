//! SKELETON: the ZAP authenticator.

use crate::context::Context;
use crate::error::Result;

/// SKELETON.
pub struct Authenticator {}

/// SKELETON.
pub struct AuthenticatorBuilder {}

impl Authenticator {
    /// SKELETON.
    pub fn builder() -> AuthenticatorBuilder {
        unimplemented!()
    }
    /// SKELETON: whether its thread still serves ZAP.
    pub fn is_running(&self) -> bool {
        unimplemented!()
    }
    /// SKELETON: the context it serves, to check a socket belongs to it.
    pub(crate) fn context_ptr(&self) -> *mut std::ffi::c_void {
        unimplemented!()
    }
}

impl AuthenticatorBuilder {
    /// SKELETON.
    pub fn start(self, _ctx: &Context) -> Result<Authenticator> {
        unimplemented!()
    }
}
