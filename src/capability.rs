//! What the libzmq in use can do ([man zmq_has](http://api.zeromq.org/4-3:zmq-has),
//! [zmq_version](http://api.zeromq.org/4-3:zmq-version)).

use std::fmt;

/// A capability libzmq may have been built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `ipc://`.
    Ipc,
    /// `pgm://` and `epgm://` (libzmq reports EPGM under this one).
    Pgm,
    /// `tipc://`.
    Tipc,
    /// `norm://`.
    Norm,
    /// The CURVE security mechanism.
    Curve,
    /// The GSSAPI security mechanism.
    Gssapi,
    /// `vmci://`.
    Vmci,
    /// The DRAFT API.
    Draft,
}

impl Capability {
    /// The name `zmq_has` takes.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Ipc => "ipc",
            Capability::Pgm => "pgm",
            Capability::Tipc => "tipc",
            Capability::Norm => "norm",
            Capability::Curve => "curve",
            Capability::Gssapi => "gssapi",
            Capability::Vmci => "vmci",
            Capability::Draft => "draft",
        }
    }
}

/// Whether libzmq has `capability`.
///
/// Wraps `zmq_has` ([man zmq_has](http://api.zeromq.org/4-3:zmq-has)).
pub fn has(capability: Capability) -> bool {
    let name: &'static [u8] = match capability {
        Capability::Ipc => b"ipc\0",
        Capability::Pgm => b"pgm\0",
        Capability::Tipc => b"tipc\0",
        Capability::Norm => b"norm\0",
        Capability::Curve => b"curve\0",
        Capability::Gssapi => b"gssapi\0",
        Capability::Vmci => b"vmci\0",
        Capability::Draft => b"draft\0",
    };
    // SAFETY: name is a NUL-terminated static string.
    unsafe { zmq_ffi::zmq_has(name.as_ptr() as *const std::os::raw::c_char) == 1 }
}

/// A libzmq version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// Major.
    pub major: i32,
    /// Minor.
    pub minor: i32,
    /// Patch.
    pub patch: i32,
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// The version of the libzmq loaded at run time.
///
/// Wraps `zmq_version` ([man zmq_version](http://api.zeromq.org/4-3:zmq-version)).
pub fn version() -> Version {
    let (mut major, mut minor, mut patch) = (0, 0, 0);
    // SAFETY: three valid out-pointers.
    unsafe { zmq_ffi::zmq_version(&mut major, &mut minor, &mut patch) };
    Version {
        major,
        minor,
        patch,
    }
}
