//! Reading and writing an option as libzmq stores it: a fixed-size integer, bytes, a
//! string. The typed accessors of [the table](super::table) are written on these; the
//! `*_raw_*` methods are the public escape hatch for options this crate does not type.

use std::os::raw::{c_int, c_void};

use crate::error::{check, Detail, Error, Result};
use crate::socket_core::SocketCore;

/// A raw option value type that libzmq reads and writes as a fixed-size integer.
pub(crate) trait RawInt: Copy + Default {
    /// The value when it is a C `int` (the type of the timeout options).
    fn as_c_int(self) -> Option<c_int> {
        None
    }
}
impl RawInt for c_int {
    fn as_c_int(self) -> Option<c_int> {
        Some(self)
    }
}
impl RawInt for i64 {}
impl RawInt for u64 {}

impl SocketCore {
    fn detail(option: &'static str) -> impl FnOnce() -> Detail {
        move || Detail::new(option)
    }

    pub(crate) fn get_int<T: RawInt>(&self, option: c_int, name: &'static str) -> Result<T> {
        let mut value = T::default();
        let mut len = std::mem::size_of::<T>();
        // SAFETY: value is a writable T of `len` bytes; libzmq checks len against the option.
        let rc = unsafe {
            zmq_ffi::zmq_getsockopt(
                self.as_ptr(),
                option,
                &mut value as *mut T as *mut c_void,
                &mut len,
            )
        };
        check(rc, Self::detail(name))?;
        Ok(value)
    }

    pub(crate) fn set_int<T: RawInt>(
        &self,
        option: c_int,
        name: &'static str,
        value: T,
    ) -> Result<()> {
        // SAFETY: value is a readable T of size_of::<T>() bytes.
        let rc = unsafe {
            zmq_ffi::zmq_setsockopt(
                self.as_ptr(),
                option,
                &value as *const T as *const c_void,
                std::mem::size_of::<T>(),
            )
        };
        check(rc, Self::detail(name)).map(|_| ())?;
        if option == zmq_ffi::ZMQ_SNDTIMEO || option == zmq_ffi::ZMQ_RCVTIMEO {
            if let Some(ms) = value.as_c_int() {
                self.remember_timeout(option, ms);
            }
        }
        Ok(())
    }

    pub(crate) fn get_bytes(
        &self,
        option: c_int,
        name: &'static str,
        max: usize,
    ) -> Result<Vec<u8>> {
        let mut buf = vec![0u8; max];
        let mut len = max;
        // SAFETY: buf is writable for `len` bytes; libzmq writes at most that and updates len.
        let rc = unsafe {
            zmq_ffi::zmq_getsockopt(
                self.as_ptr(),
                option,
                buf.as_mut_ptr() as *mut c_void,
                &mut len,
            )
        };
        check(rc, Self::detail(name))?;
        buf.truncate(len.min(max));
        Ok(buf)
    }

    pub(crate) fn set_bytes(&self, option: c_int, name: &'static str, value: &[u8]) -> Result<()> {
        // libzmq reads "empty" as a NULL pointer with length 0 (a non-NULL pointer with
        // length 0 is EINVAL for string options).
        let ptr = if value.is_empty() {
            std::ptr::null()
        } else {
            value.as_ptr() as *const c_void
        };
        // SAFETY: ptr is readable for value.len() bytes, or NULL with length 0.
        let rc = unsafe { zmq_ffi::zmq_setsockopt(self.as_ptr(), option, ptr, value.len()) };
        check(rc, Self::detail(name)).map(|_| ())?;
        if option == zmq_ffi::ZMQ_SNDTIMEO || option == zmq_ffi::ZMQ_RCVTIMEO {
            // libzmq took it, so it is an int's bytes (the raw escape hatch).
            if let Ok(bytes) = <[u8; 4]>::try_from(value) {
                self.remember_timeout(option, c_int::from_ne_bytes(bytes));
            }
        }
        Ok(())
    }

    /// Keeps what `ZMQ_SNDTIMEO` or `ZMQ_RCVTIMEO` was set to (see [`SocketCore::timeouts`]).
    fn remember_timeout(&self, option: c_int, ms: c_int) {
        let mut timeouts = self.timeouts.get();
        timeouts[usize::from(option == zmq_ffi::ZMQ_RCVTIMEO)] = ms;
        self.timeouts.set(timeouts);
    }

    pub(crate) fn get_string(&self, option: c_int, name: &'static str) -> Result<String> {
        self.get_string_max(option, name, 1024)
    }

    pub(crate) fn get_string_max(
        &self,
        option: c_int,
        name: &'static str,
        max: usize,
    ) -> Result<String> {
        let mut bytes = self.get_bytes(option, name, max)?;
        if let Some(nul) = bytes.iter().position(|&b| b == 0) {
            bytes.truncate(nul);
        }
        String::from_utf8(bytes).map_err(|e| Error::Utf8 {
            what: name,
            source: e.utf8_error(),
        })
    }

    pub(crate) fn set_string(&self, option: c_int, name: &'static str, value: &str) -> Result<()> {
        if let Some(position) = value.bytes().position(|b| b == 0) {
            return Err(Error::Nul {
                what: name,
                position,
            });
        }
        self.set_bytes(option, name, value.as_bytes())
    }

    /// Sets an integer option by its raw `ZMQ_*` number: an escape hatch for options this
    /// crate does not type (libzmq validates option and value).
    ///
    /// Wraps `zmq_setsockopt` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    ///
    /// # Safety
    /// Some options hand libzmq resources it then owns or trusts: `ZMQ_USE_FD` makes libzmq
    /// close (and abort on) a descriptor the caller may still own. The caller must uphold
    /// what `man zmq_setsockopt` requires of the option; [`SocketCore::bind_fd`] is the safe
    /// form of `ZMQ_USE_FD`.
    pub unsafe fn set_option_raw_int(&self, option: c_int, value: c_int) -> Result<()> {
        self.set_int(option, "raw option", value)
    }

    /// Reads an integer option by its raw `ZMQ_*` number.
    ///
    /// Wraps `zmq_getsockopt` ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    pub fn option_raw_int(&self, option: c_int) -> Result<c_int> {
        self.get_int(option, "raw option")
    }

    /// Sets a binary option by its raw `ZMQ_*` number.
    ///
    /// Wraps `zmq_setsockopt` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    ///
    /// # Safety
    /// As for [`SocketCore::set_option_raw_int`]: four bytes given for `ZMQ_USE_FD` hand
    /// libzmq a descriptor, so the caller must uphold what `man zmq_setsockopt` requires of
    /// the option.
    pub unsafe fn set_option_raw_bytes(&self, option: c_int, value: &[u8]) -> Result<()> {
        self.set_bytes(option, "raw option", value)
    }

    /// Reads a binary option by its raw `ZMQ_*` number, up to `max` bytes. Wraps
    /// `zmq_getsockopt`.
    pub fn option_raw_bytes(&self, option: c_int, max: usize) -> Result<Vec<u8>> {
        self.get_bytes(option, "raw option", max)
    }
}
