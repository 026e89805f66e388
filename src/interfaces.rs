//! Whether this host has a network interface, by name or by address: checked before libzmq
//! sees a `norm://` endpoint, whose I/O thread would abort the process on an unknown one.

use std::ffi::{CStr, CString};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The names and addresses of this host's interfaces (`getifaddrs`), or `None` when they
/// cannot be read.
fn interfaces() -> Option<Vec<(String, Option<IpAddr>)>> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free with freeifaddrs below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return None;
    }
    let mut found = Vec::new();
    let mut cursor = head;
    while !cursor.is_null() {
        // SAFETY: cursor is a node of the list getifaddrs made, alive until freeifaddrs.
        let node = unsafe { &*cursor };
        let name = if node.ifa_name.is_null() {
            String::new()
        } else {
            // SAFETY: ifa_name is a NUL-terminated string owned by the list.
            unsafe { CStr::from_ptr(node.ifa_name) }
                .to_string_lossy()
                .into_owned()
        };
        let addr = if node.ifa_addr.is_null() {
            None
        } else {
            // SAFETY: ifa_addr points to a sockaddr whose family says how long it is.
            match i32::from(unsafe { (*node.ifa_addr).sa_family }) {
                libc::AF_INET => {
                    // SAFETY: the family says this is a sockaddr_in.
                    let sin = unsafe { &*(node.ifa_addr as *const libc::sockaddr_in) };
                    Some(IpAddr::V4(Ipv4Addr::from(u32::from_be(
                        sin.sin_addr.s_addr,
                    ))))
                }
                libc::AF_INET6 => {
                    // SAFETY: the family says this is a sockaddr_in6.
                    let sin6 = unsafe { &*(node.ifa_addr as *const libc::sockaddr_in6) };
                    Some(IpAddr::V6(Ipv6Addr::from(sin6.sin6_addr.s6_addr)))
                }
                _ => None,
            }
        };
        found.push((name, addr));
        cursor = node.ifa_next;
    }
    // SAFETY: head came from getifaddrs and is freed once; no node is used after this.
    unsafe { libc::freeifaddrs(head) };
    Some(found)
}

/// Whether `interface` (a name such as `eth0`, or an IP address, possibly in brackets) is
/// one of this host's. When the list cannot be read, the name is looked up by index alone.
pub(crate) fn host_has(interface: &str) -> bool {
    let text = interface
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(interface);
    if let Ok(ip) = text.parse::<IpAddr>() {
        return interfaces().is_some_and(|list| list.iter().any(|(_, a)| *a == Some(ip)));
    }
    match CString::new(text) {
        // SAFETY: a NUL-terminated name; if_nametoindex only reads it.
        Ok(name) => unsafe { libc::if_nametoindex(name.as_ptr()) != 0 },
        Err(_) => false,
    }
}
