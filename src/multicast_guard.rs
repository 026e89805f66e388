//! Checks made before libzmq sees a multicast endpoint (`pgm://`, `epgm://`, `norm://`):
//! libzmq accepts such endpoints in `zmq_connect`/`zmq_bind` and sets the transport up later
//! on its I/O thread (`session_base_t::start_connecting`), where a failure is an
//! `errno_assert` that aborts the whole process (`session_base.cpp:723`/`734` for PGM,
//! `755`/`766` for NORM). Measured on libzmq 4.3.4 with OpenPGM 5.3 and NORM 1.5.9; PUB and
//! SUB sockets (and XPUB, XSUB) alike, `bind` as `connect`:
//!
//! | what goes wrong | `pgm://`, `epgm://` | `norm://` | checked here |
//! |---|---|---|---|
//! | no raw-socket permission | **abort** | (UDP) | [`Error::PgmPermission`] |
//! | too few free descriptors (see [`pgm_descriptors`], [`norm_descriptors`]) | **abort** (with none, `EINVAL` from `zmq_connect`) | **abort** | [`Error::TooManyOpenFiles`] |
//! | no thread can be started | (no thread) | **abort** (NORM runs a thread per session) | [`Error::ThreadSpawn`] |
//! | an interface (name or address) the host lacks | `EINVAL` from `zmq_connect` | **abort** | [`Error::UnknownInterface`] |
//! | an interface without an IPv4 address (a down `lo` in a fresh network namespace, an interface never given one) | `EINVAL` | **abort** | [`Error::MulticastUnusable`] |
//! | no interface, and no route to the group | (interface required) | **abort** (`ENODEV`) | [`Error::MulticastUnusable`] |
//! | an IPv6 group: libzmq hands NORM `[ff0e::1]` with its brackets | accepted | **abort** | [`Error::MulticastUnusable`] |
//! | an IPv6 interface address in brackets (`[::1]`) | accepted | **abort** | [`Error::MulticastUnusable`] |
//! | an interface that is down but keeps its address; no `IFF_MULTICAST`; no multicast route when an interface is named | accepted | accepted | not refused |
//!
//! What stays unguarded: the checks answer for the moment they run. Descriptors or threads
//! taken (by this process or, for threads, any process of the same user) between the check and
//! the moment libzmq's I/O thread sets the session up, or an interface that loses its address
//! or a route that goes away in between, can still make libzmq abort.

use std::net::IpAddr;
use std::os::raw::c_int;

use crate::endpoint::{Endpoint, Multicast};
use crate::error::{Detail, Error, Result};
use crate::interfaces::{norm_interface, NormInterface};
use crate::socket_type::SocketType;

/// Whether this process may open the raw sockets that `pgm://` needs. libzmq aborts the
/// process from its I/O thread when it cannot, so this is checked before libzmq sees a
/// `pgm://` endpoint.
///
/// Wraps no libzmq function: `socket(2)` (`AF_INET`, `SOCK_RAW`, `IPPROTO_PGM`), closed at
/// once.
pub fn pgm_permitted() -> bool {
    const IPPROTO_PGM: c_int = 113;
    // SAFETY: a plain socket(2) call; the descriptor is closed right away.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_RAW, IPPROTO_PGM) };
    if fd >= 0 {
        // SAFETY: fd is a descriptor we own.
        unsafe { libc::close(fd) };
        return true;
    }
    let errno = crate::error::os_errno();
    !matches!(errno, libc::EPERM | libc::EACCES)
}

/// Whether a socket of type `kind` sends on a multicast transport (PUB, XPUB) rather than
/// receives (SUB, XSUB): libzmq sets up a sender or a receiver accordingly.
fn is_sender(kind: SocketType) -> bool {
    matches!(kind, SocketType::Pub | SocketType::XPub)
}

/// The descriptors a `pgm://` or `epgm://` session opens on libzmq's I/O thread, at most at
/// once (measured, libzmq 4.3.4 with OpenPGM 5.3): a sender 6 (3 sockets, 2 notification
/// eventfds and a transient one to look the interface up), a receiver 5. With fewer, libzmq
/// aborts (`session_base.cpp:723`/`734`).
pub(crate) fn pgm_descriptors(kind: SocketType) -> usize {
    if is_sender(kind) {
        6
    } else {
        5
    }
}

/// The descriptors a `norm://` session opens on libzmq's I/O thread, at most at once
/// (measured, libzmq 4.3.4 with NORM 1.5.9): 8 with an interface (the NORM instance's pipe,
/// eventfd and epoll instance, its sockets, and transient ones to look up the host's and the
/// interface's addresses), 7 without. With fewer, libzmq aborts (`session_base.cpp:755`/`766`).
pub(crate) fn norm_descriptors(has_interface: bool) -> usize {
    if has_interface {
        8
    } else {
        7
    }
}

/// Refuses a multicast endpoint that libzmq would accept and then abort on, for a socket of
/// type `kind`. Other endpoints pass.
pub(crate) fn check(ep: &Endpoint, kind: SocketType) -> Result<()> {
    let Endpoint::Multicast {
        transport,
        interface,
        group,
        port,
    } = ep
    else {
        return Ok(());
    };
    let transport = *transport;
    if !kind.allows_multicast() {
        return Err(Error::TransportNotForType {
            endpoint: ep.to_string(),
            transport: transport.name(),
            socket_type: kind.name(),
        });
    }
    // The interface part of a NORM endpoint may carry a node id (`id,iface`); an empty one
    // (`id,;group:port`) is no interface.
    let norm_interface_text = interface
        .as_deref()
        .map(|i| i.split_once(',').map_or(i, |(_, iface)| iface))
        .filter(|i| !i.is_empty());
    // Descriptors first: looking the interface up needs one, and without it the answer
    // would be a false "unknown interface".
    let needed = match transport {
        Multicast::Pgm | Multicast::Epgm => pgm_descriptors(kind),
        Multicast::Norm => norm_descriptors(norm_interface_text.is_some()),
    };
    crate::fd_headroom::ensure(
        needed,
        &format!(
            "setting up the {transport}:// {role} of a {kind} socket ({ep}) on libzmq's I/O \
             thread",
            transport = transport.name(),
            role = if is_sender(kind) {
                "sender"
            } else {
                "receiver"
            },
        ),
    )?;
    match transport {
        Multicast::Pgm if !pgm_permitted() => Err(Error::PgmPermission {
            endpoint: ep.to_string(),
        }),
        Multicast::Pgm | Multicast::Epgm => Ok(()),
        Multicast::Norm => check_norm(ep, *group, *port, norm_interface_text),
    }
}

/// The checks of a `norm://` endpoint, past the descriptors: see the module docs.
fn check_norm(ep: &Endpoint, group: IpAddr, port: u16, interface: Option<&str>) -> Result<()> {
    let unusable = |reason: String| {
        Err(Error::MulticastUnusable {
            endpoint: ep.to_string(),
            reason,
        })
    };
    let IpAddr::V4(group) = group else {
        return unusable(format!(
            "libzmq hands NORM the group as written, in brackets (`[{group}]`), which NORM \
             cannot read; libzmq would abort the process"
        ));
    };
    match interface {
        Some(text) => {
            if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
                if inner.parse::<IpAddr>().is_ok() {
                    return unusable(format!(
                        "NORM reads an interface address without brackets (`{inner}`), not \
                         `{text}`; libzmq would abort the process"
                    ));
                }
            }
            match norm_interface(text) {
                Ok(NormInterface::Usable) => {}
                Ok(NormInterface::Unknown) => {
                    return Err(Error::UnknownInterface {
                        endpoint: ep.to_string(),
                        interface: text.to_string(),
                    })
                }
                Ok(NormInterface::NoIpv4Address { name, up }) => {
                    let which = if name == text {
                        format!("interface `{name}`")
                    } else {
                        format!("interface `{name}` (which holds `{text}`)")
                    };
                    return unusable(format!(
                        "{which} has no IPv4 address{down}, so NORM cannot join the group on \
                         it; libzmq would abort the process",
                        down = if up { "" } else { " (it is down)" },
                    ));
                }
                Err(errno) => {
                    return Err(Error::from_errno(
                        errno,
                        Detail::new(format!(
                            "getifaddrs, to look up the interface of {ep} before libzmq, which \
                             would abort the process on an interface NORM cannot use"
                        )),
                    ))
                }
            }
        }
        None => match crate::interfaces::route_to(group, port) {
            Ok(Ok(())) => {}
            Ok(Err(no_route)) => {
                return unusable(format!(
                    "no interface is named and no route leads to {group} ({no_route}), so NORM \
                     cannot join the group; libzmq would abort the process (name an interface, \
                     or add a route to 224.0.0.0/4)"
                ))
            }
            Err(e) => {
                return Err(Error::from_errno(
                    e.raw_os_error().unwrap_or(libc::EIO),
                    Detail::new(format!(
                        "opening a UDP socket to look up the route of {ep} before libzmq, \
                         which would abort the process without one"
                    )),
                ))
            }
        },
    }
    // NORM starts a thread for each session (its instance's dispatcher); libzmq aborts when
    // it cannot.
    crate::thread_headroom::ensure_threads(
        1,
        "NORM",
        &format!("a norm:// session ({ep}), whose NORM instance runs a thread of its own,"),
    )
}
