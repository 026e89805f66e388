//! Binding to a listening socket the application made: `ZMQ_USE_FD` with its ownership in the
//! type ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt), "ZMQ_USE_FD").
//!
//! libzmq takes a descriptor given with `ZMQ_USE_FD` over: it closes it when the listener
//! closes, whoever else still holds it, and it aborts the process from its I/O thread when
//! the descriptor is not a listening socket. So the raw option has no safe setter here;
//! [`SocketCore::bind_fd`] takes an [`OwnedFd`] (a `TcpListener` or `UnixListener` converts
//! into one), checks that it is a listening stream socket, binds, and switches `ZMQ_USE_FD`
//! off again so that a later bind makes its own listener instead of closing the same
//! descriptor twice.

use std::ffi::CStr;
use std::mem::{size_of, MaybeUninit};
use std::os::fd::{AsRawFd, IntoRawFd, OwnedFd};
use std::os::raw::c_int;

use crate::endpoint::Endpoint;
use crate::error::{Detail, Error, Result};
use crate::socket_core::SocketCore;

fn refused(reason: impl Into<String>) -> Error {
    Error::OptionValue {
        option: "ZMQ_USE_FD",
        reason: reason.into(),
    }
}

/// Reads an `int` socket option of `fd` at `SOL_SOCKET`.
fn sockopt_int(fd: &OwnedFd, option: c_int) -> std::io::Result<c_int> {
    let mut value: c_int = 0;
    let mut len = size_of::<c_int>() as libc::socklen_t;
    // SAFETY: fd is an open descriptor we own; value and len describe a writable int.
    let rc = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::SOL_SOCKET,
            option,
            &mut value as *mut c_int as *mut libc::c_void,
            &mut len,
        )
    };
    if rc == 0 {
        Ok(value)
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The endpoint libzmq will report for a listening socket: from its own address.
fn local_endpoint(fd: &OwnedFd) -> Result<String> {
    let mut storage = MaybeUninit::<libc::sockaddr_storage>::zeroed();
    let mut len = size_of::<libc::sockaddr_storage>() as libc::socklen_t;
    // SAFETY: storage is writable for len bytes; getsockname writes at most that.
    let rc = unsafe {
        libc::getsockname(
            fd.as_raw_fd(),
            storage.as_mut_ptr() as *mut libc::sockaddr,
            &mut len,
        )
    };
    if rc != 0 {
        return Err(refused(format!(
            "cannot read the socket's address: {}",
            std::io::Error::last_os_error()
        )));
    }
    // SAFETY: getsockname filled (part of) the zeroed storage; zeroed is a valid value.
    let storage = unsafe { storage.assume_init() };
    // SAFETY: getsockname wrote a valid address of the family it gives, into storage that is
    // large enough for any family.
    if let Some(addr) = unsafe { crate::sockaddr::ip_and_port(&storage as *const _ as *const _) } {
        return Ok(format!("tcp://{addr}"));
    }
    match c_int::from(storage.ss_family) {
        libc::AF_UNIX => {
            // SAFETY: the family says the storage holds a sockaddr_un.
            let sun = unsafe { &*(&storage as *const _ as *const libc::sockaddr_un) };
            let path: Vec<u8> = sun.sun_path.iter().map(|&c| c as u8).collect();
            let path_len = (len as usize).saturating_sub(size_of::<libc::sa_family_t>());
            let path = &path[..path_len.min(path.len())];
            match path.first() {
                None | Some(0) if path.iter().all(|&b| b == 0) => {
                    Err(refused("the Unix socket has no path (bind it first)"))
                }
                // An abstract name: libzmq writes it with a leading '@'.
                Some(0) => {
                    let name = std::str::from_utf8(&path[1..]).map_err(|source| Error::Utf8 {
                        what: "the Unix socket's abstract name",
                        source,
                    })?;
                    Ok(format!("ipc://@{}", name.trim_end_matches('\0')))
                }
                _ => {
                    let text = CStr::from_bytes_until_nul(path)
                        .map(|c| c.to_bytes())
                        .unwrap_or(path);
                    let text = std::str::from_utf8(text).map_err(|source| Error::Utf8 {
                        what: "the Unix socket's path",
                        source,
                    })?;
                    Ok(format!("ipc://{text}"))
                }
            }
        }
        other => Err(refused(format!(
            "address family {other} is neither IPv4, IPv6 nor Unix"
        ))),
    }
}

impl SocketCore {
    /// Binds to a listening socket the application made (a `std::net::TcpListener` or
    /// `std::os::unix::net::UnixListener`, converted into an [`OwnedFd`]), and returns the
    /// endpoint it listens on (`tcp://127.0.0.1:5555`, `ipc:///tmp/x.sock`). libzmq owns the
    /// descriptor from then on and closes it with the socket.
    ///
    /// The descriptor must be a stream socket that is listening: anything else (a file, a
    /// UDP socket, a socket without `listen`) is refused with an error, since libzmq would
    /// abort the process. `ZMQ_USE_FD` is switched off again after the bind, so that a later
    /// bind makes a listener of its own. On error the descriptor is closed.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_USE_FD` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt))
    /// and `zmq_bind` ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind_fd(&self, fd: impl Into<OwnedFd>) -> Result<Endpoint> {
        let fd: OwnedFd = fd.into();
        let kind = sockopt_int(&fd, libc::SO_TYPE).map_err(|e| match e.raw_os_error() {
            Some(libc::ENOTSOCK) => Error::NotSocket(Detail::new(
                "bind_fd: the descriptor is not a socket (a file, a pipe...)",
            )),
            _ => refused(format!("cannot read the descriptor's socket type: {e}")),
        })?;
        if kind != libc::SOCK_STREAM {
            return Err(refused(
                "only a stream socket (TCP or Unix) can be a ZeroMQ listener",
            ));
        }
        if sockopt_int(&fd, libc::SO_ACCEPTCONN).unwrap_or(0) != 1 {
            return Err(refused(
                "the socket is not listening (call listen on it first)",
            ));
        }
        let endpoint: Endpoint = local_endpoint(&fd)?.parse()?;
        self.set_int(zmq_ffi::ZMQ_USE_FD, "ZMQ_USE_FD", fd.as_raw_fd())?;
        // zmq_bind and nothing else between setting and resetting the option: once it
        // returns 0, the descriptor is libzmq's whatever happens next.
        let bound = self.bind_checked(&endpoint);
        // Whatever happened, the next bind must not reuse this descriptor.
        let reset = self.set_int(zmq_ffi::ZMQ_USE_FD, "ZMQ_USE_FD", -1 as c_int);
        match bound {
            Ok(asked) => {
                // libzmq's listener owns the descriptor now and closes it.
                let _ = fd.into_raw_fd();
                reset?;
                Ok(self.bound_endpoint(asked))
            }
            // libzmq takes the descriptor only once the listener exists, which is the last
            // step of a successful bind: on failure it is still ours, and `fd` closes it.
            Err(e) => Err(e),
        }
    }
}
