//! Reading the IP address and port out of a C `sockaddr`, for the places that get one from
//! the system (`getsockname`, `getifaddrs`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The IP address and port of an `AF_INET` or `AF_INET6` socket address; `None` for any
/// other family. An IPv6 scope id or flow label is not kept.
///
/// # Safety
/// `addr` must point to a valid, initialised `sockaddr` at least as long as its family
/// (`sa_family`) says: a `sockaddr_in` for `AF_INET`, a `sockaddr_in6` for `AF_INET6`.
pub(crate) unsafe fn ip_and_port(addr: *const libc::sockaddr) -> Option<SocketAddr> {
    // SAFETY: the caller guarantees a valid sockaddr; its family field is always there.
    match libc::c_int::from(unsafe { (*addr).sa_family }) {
        libc::AF_INET => {
            // SAFETY: the family says this is a sockaddr_in (caller's guarantee).
            let sin = unsafe { &*(addr as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(u32::from_be(sin.sin_addr.s_addr));
            Some(SocketAddr::new(IpAddr::V4(ip), u16::from_be(sin.sin_port)))
        }
        libc::AF_INET6 => {
            // SAFETY: the family says this is a sockaddr_in6 (caller's guarantee).
            let sin6 = unsafe { &*(addr as *const libc::sockaddr_in6) };
            let ip = Ipv6Addr::from(sin6.sin6_addr.s6_addr);
            Some(SocketAddr::new(
                IpAddr::V6(ip),
                u16::from_be(sin6.sin6_port),
            ))
        }
        _ => None,
    }
}
