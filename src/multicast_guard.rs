//! Checks made before libzmq sees a multicast endpoint (`pgm://`, `epgm://`, `norm://`):
//! libzmq accepts such endpoints in `zmq_connect`/`zmq_bind` and sets the transport up later
//! on its I/O thread, where a failure is an assertion that aborts the whole process.

use std::os::raw::c_int;

use crate::endpoint::{Endpoint, Multicast};
use crate::error::{Error, Result};
use crate::socket_type::SocketType;

/// Whether this process may open the raw sockets that `pgm://` needs. libzmq aborts the
/// process from its I/O thread when it cannot, so this is checked before libzmq sees a
/// `pgm://` endpoint.
pub fn pgm_permitted() -> bool {
    const IPPROTO_PGM: c_int = 113;
    // SAFETY: a plain socket(2) call; the descriptor is closed right away.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_RAW, IPPROTO_PGM) };
    if fd >= 0 {
        // SAFETY: fd is a descriptor we own.
        unsafe { libc::close(fd) };
        return true;
    }
    let errno = std::io::Error::last_os_error().raw_os_error().unwrap_or(0);
    !matches!(errno, libc::EPERM | libc::EACCES)
}

/// Refuses a multicast endpoint that libzmq would accept and then abort on, for a socket of
/// type `kind`. Other endpoints pass.
pub(crate) fn check(ep: &Endpoint, kind: SocketType) -> Result<()> {
    let Some(transport) = ep.multicast() else {
        return Ok(());
    };
    if !kind.allows_multicast() {
        return Err(Error::TransportNotForType {
            endpoint: ep.to_string(),
            transport: transport.name(),
            socket_type: kind.name(),
        });
    }
    if transport == Multicast::Pgm && !pgm_permitted() {
        return Err(Error::PgmPermission {
            endpoint: ep.to_string(),
        });
    }
    if let Endpoint::Multicast {
        interface: Some(interface),
        ..
    } = ep
    {
        // NORM aborts the process from its I/O thread on an interface the host lacks; its
        // interface part may carry a node id (`id,iface`).
        let iface = interface
            .split_once(',')
            .map_or(interface.as_str(), |(_, i)| i);
        if transport == Multicast::Norm && !iface.is_empty() && !crate::interfaces::host_has(iface)
        {
            return Err(Error::UnknownInterface {
                endpoint: ep.to_string(),
                interface: iface.to_string(),
            });
        }
    }
    Ok(())
}
