//! This host's network interfaces, looked up the way NORM looks them up: checked before
//! libzmq sees a `norm://` endpoint, because libzmq sets NORM up later on its I/O thread and
//! aborts the process when NORM cannot use the interface.
//!
//! NORM 1.5 (protolib's `ProtoSocket::JoinGroup` and `ProtoNet::GetInterfaceAddressList`)
//! joins an IPv4 group on the *first IPv4 address* of the interface it was given, read with
//! `getifaddrs`:
//!
//! - a name matches the entries of that name; a name without `:` also matches its aliases
//!   (`eth0` matches `eth0:1`), a name with `:` only itself;
//! - a text that names no interface but is an IP address (written without brackets) stands
//!   for the interface that holds that address;
//! - an interface without an IPv4 address (a loopback that is down in a fresh network
//!   namespace, an interface never given one) fails the join, and libzmq aborts. Whether the
//!   interface is up (`IFF_UP`) or multicast-capable (`IFF_MULTICAST`) does not matter to
//!   the join: a down interface that keeps its address is accepted (measured), so it is not
//!   refused here either;
//! - without an interface, the kernel picks the one its route to the group leads to, and the
//!   join fails (`ENODEV`) when no route leads there.

use std::ffi::CStr;
use std::net::{IpAddr, Ipv4Addr, UdpSocket};

/// One `getifaddrs` entry: the interface (or alias) name, its address when it has an IP one,
/// and whether the interface is up.
struct Entry {
    name: String,
    addr: Option<IpAddr>,
    up: bool,
}

/// The `getifaddrs` entries of this host, or the errno of a failed `getifaddrs`.
fn entries() -> Result<Vec<Entry>, i32> {
    let mut head: *mut libc::ifaddrs = std::ptr::null_mut();
    // SAFETY: getifaddrs writes a list head we free with freeifaddrs below.
    if unsafe { libc::getifaddrs(&mut head) } != 0 {
        return Err(std::io::Error::last_os_error()
            .raw_os_error()
            .unwrap_or(libc::EIO));
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
            // SAFETY: ifa_addr points to a sockaddr of the length its family says, owned by
            // the list.
            unsafe { crate::sockaddr::ip_and_port(node.ifa_addr) }.map(|a| a.ip())
        };
        let up = node.ifa_flags & libc::IFF_UP as libc::c_uint != 0;
        found.push(Entry { name, addr, up });
        cursor = node.ifa_next;
    }
    // SAFETY: head came from getifaddrs and is freed once; no node is used after this.
    unsafe { libc::freeifaddrs(head) };
    Ok(found)
}

/// Whether the `getifaddrs` entry `entry` belongs to the interface NORM means by `name`.
fn name_matches(name: &str, entry: &str) -> bool {
    if name.contains(':') {
        entry == name
    } else {
        entry.split(':').next() == Some(name)
    }
}

/// What NORM would make of the interface part of a `norm://` endpoint (an IPv4 group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NormInterface {
    /// NORM finds an IPv4 address to join the group on.
    Usable,
    /// No interface has this name, and none holds this address.
    Unknown,
    /// The interface (`name`, the one that holds the address given) exists but has no IPv4
    /// address; `up` says whether it is up.
    NoIpv4Address {
        /// The interface.
        name: String,
        /// Whether it is up (`IFF_UP`).
        up: bool,
    },
}

/// Looks `interface` (a name, or an IP address without brackets) up as NORM does; the
/// errno of `getifaddrs` when the list cannot be read.
pub(crate) fn norm_interface(interface: &str) -> Result<NormInterface, i32> {
    let list = entries()?;
    Ok(classify(&list, interface))
}

fn classify(list: &[Entry], interface: &str) -> NormInterface {
    let of_name: Vec<&Entry> = list
        .iter()
        .filter(|e| name_matches(interface, &e.name))
        .collect();
    if !of_name.is_empty() {
        if of_name
            .iter()
            .any(|e| matches!(e.addr, Some(IpAddr::V4(_))))
        {
            return NormInterface::Usable;
        }
        return NormInterface::NoIpv4Address {
            name: interface.to_string(),
            up: of_name.iter().any(|e| e.up),
        };
    }
    // Not a name: NORM then reads the text as an address and asks for the interface that
    // holds it (by its exact entry name, aliases included).
    let Ok(ip) = interface.parse::<IpAddr>() else {
        return NormInterface::Unknown;
    };
    match list.iter().find(|e| e.addr == Some(ip)) {
        Some(owner) if owner.name != interface => classify(list, &owner.name),
        _ => NormInterface::Unknown,
    }
}

/// Whether the kernel has a route to the IPv4 multicast `group` (what a group join without
/// an interface needs): a UDP socket is connected to it, which looks the route up without
/// sending anything, and closed again. `Ok(Err(e))` is the connect's refusal (no route);
/// `Err` a failure to open the socket.
pub(crate) fn route_to(group: Ipv4Addr, port: u16) -> std::io::Result<std::io::Result<()>> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))?;
    Ok(socket.connect((group, port)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(name: &str, addr: Option<&str>, up: bool) -> Entry {
        Entry {
            name: name.to_string(),
            addr: addr.map(|a| a.parse().unwrap()),
            up,
        }
    }

    #[test]
    fn interfaces_are_looked_up_as_norm_does() {
        let list = [
            entry("lo", None, false),
            entry("eth0", None, true),
            entry("eth0", Some("192.0.2.2"), true),
            entry("eth0", Some("fd00::2"), true),
            entry("eth0:1", Some("192.0.2.3"), true),
            entry("v6only", None, true),
            entry("v6only", Some("fd00::9"), true),
            entry("gone", Some("10.0.0.1"), false),
        ];
        let c = |text| classify(&list, text);
        assert_eq!(c("eth0"), NormInterface::Usable);
        assert_eq!(c("eth0:1"), NormInterface::Usable);
        assert_eq!(c("192.0.2.2"), NormInterface::Usable);
        assert_eq!(c("192.0.2.3"), NormInterface::Usable);
        // An IPv6 address stands for its interface, which has an IPv4 address.
        assert_eq!(c("fd00::2"), NormInterface::Usable);
        // Down, but with an address: NORM joins on it.
        assert_eq!(c("gone"), NormInterface::Usable);
        assert_eq!(c("10.0.0.1"), NormInterface::Usable);
        let lo = NormInterface::NoIpv4Address {
            name: "lo".into(),
            up: false,
        };
        assert_eq!(c("lo"), lo);
        let v6 = NormInterface::NoIpv4Address {
            name: "v6only".into(),
            up: true,
        };
        assert_eq!(c("v6only"), v6);
        assert_eq!(c("fd00::9"), v6);
        for unknown in ["eth0:2", "eth", "nosuchif0", "192.0.2.77", "[fd00::2]", ""] {
            assert_eq!(c(unknown), NormInterface::Unknown, "{unknown}");
        }
    }
}
