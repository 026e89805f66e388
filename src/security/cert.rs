//! SKELETON: CURVE certificates in the ZPL files czmq and pyzmq write.

use std::path::Path;

use crate::error::Result;
use crate::security::{CurveKey, SecretKey};

/// SKELETON: a CURVE certificate.
pub struct Certificate {}

impl Certificate {
    /// SKELETON.
    pub fn load(_path: impl AsRef<Path>) -> Result<Certificate> {
        unimplemented!()
    }
    /// SKELETON: a certificate that must hold the secret key.
    pub fn load_secret(_path: impl AsRef<Path>) -> Result<Certificate> {
        unimplemented!()
    }
    /// SKELETON: the public certificates of a directory.
    pub fn load_dir(_dir: impl AsRef<Path>) -> Result<Vec<Certificate>> {
        unimplemented!()
    }
    /// SKELETON.
    pub fn public_key(&self) -> &CurveKey {
        unimplemented!()
    }
    /// SKELETON.
    pub fn secret_key(&self) -> Option<&SecretKey> {
        unimplemented!()
    }
}
