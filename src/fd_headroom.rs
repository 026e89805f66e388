//! Descriptor headroom: checking, before libzmq needs them, that the file descriptors it is
//! about to open can be opened, because in a few places libzmq 4.3.4 *aborts the process*
//! when it cannot open one instead of returning an error.
//!
//! # What libzmq does when descriptors run out (measured on libzmq 4.3.4, Linux, epoll)
//!
//! | call | descriptors it opens | with fewer |
//! |---|---|---|
//! | `zmq_ctx_new` | 1 (an eventfd: the termination mailbox) | `EMFILE`, cleanly |
//! | first `zmq_socket` of a context | 2 for the reaper thread (eventfd mailbox + epoll) + 2 per I/O thread (the same) + 1 for the socket's mailbox: 5 with one I/O thread | with none free, `EMFILE`; with 1 to 2 + 2 × I/O threads − 1 free, **abort** (`epoll.cpp:65`, an `errno_assert` when `epoll_create1` fails in the reaper's or an I/O thread's poller); with exactly 2 + 2 × I/O threads, `EMFILE` (the socket's mailbox) |
//! | later `zmq_socket` | 1 (the socket's mailbox) | `EMFILE`, cleanly |
//! | `zmq_bind` on `tcp://` (or `ws://`) with an address or interface name | 1 at a time: the netlink socket of `getifaddrs`, closed again, then the listening socket | **abort** (`ip_resolver.cpp`, `errno_assert` after `getifaddrs`) |
//! | `zmq_bind` on `tcp://*:port` | 1 (the listening socket) | `EMFILE`, cleanly |
//! | `zmq_bind` on `ipc://` | 1 (the listening socket) | `EMFILE`, cleanly |
//! | `zmq_connect`, `inproc://` | none in the calling thread | (connections are made by the I/O thread, see below) |
//! | `zmq_connect`/`zmq_bind` on `pgm://` or `epgm://` | 1 in the calling thread (resolving the interface); then, on the I/O thread, up to 6 at once for a sender (PUB, XPUB: 3 sockets, 2 eventfds, 1 transient), 5 for a receiver (SUB, XSUB) | with none free, `EINVAL`; with 1 to 5 (sender) or 1 to 4 (receiver) free, `zmq_connect` returns 0 and the I/O thread **aborts** (`session_base.cpp:723`/`734`) |
//! | `zmq_connect`/`zmq_bind` on `norm://` | on the I/O thread, up to 8 at once with an interface (the NORM instance's pipe, eventfd and epoll instance, its sockets, transient ones to look addresses up), 7 without | with fewer, even none, `zmq_connect` returns 0 and the I/O thread **aborts** (`session_base.cpp:755`/`766`) |
//!
//! [`crate::SocketCore`] therefore checks, before the first socket of a context, that
//! 3 + 2 × (I/O threads) descriptors can be opened, and returns
//! [`Error::TooManyOpenFiles`] when they cannot, before libzmq starts any thread. Binds on the
//! transports that abort check for the one descriptor they need, and connects and binds on
//! the multicast transports for the descriptors their session needs (the numbers above, for
//! the socket's type), before anything else about the endpoint is looked up.
//!
//! The check is exact, not an estimate from `/proc`: it really opens that many descriptors
//! (eventfds, close-on-exec) and closes them again, so whatever decides (the soft
//! `RLIMIT_NOFILE`, descriptor numbers already taken, the system-wide table) is what answers.
//!
//! # What cannot be guarded
//!
//! - **Races.** Between the check and libzmq's use, another thread of the process may open
//!   descriptors (or lower `RLIMIT_NOFILE`); libzmq then finds fewer than were checked and may
//!   still abort. Nothing outside libzmq can close that window: keep a margin of descriptors in
//!   programs that open them from many threads.
//! - **Descriptors libzmq opens later, on its I/O threads**: connections it accepts or makes,
//!   reconnections. libzmq handles running out there itself for tcp (an accept that fails
//!   with `EMFILE` is dropped, a connect is retried after the reconnect interval); the program
//!   sees missing connections, not an abort. **Not for `ipc://` listeners**: libzmq 4.3.4's
//!   ipc accept leaves `EMFILE` out of the errors it expects (`ipc_listener.cpp`, an
//!   `errno_assert`) and *aborts*, so any local process allowed to connect to the socket file
//!   can end a program by opening connections until its descriptors run out. Keep the
//!   socket file's folder private to the users who should connect, and `RLIMIT_NOFILE`
//!   high. PGM, EPGM and NORM sessions are the exception: they are
//!   also set up on the I/O thread, but libzmq *aborts* when that fails, so their descriptors
//!   are checked at connect/bind (above). What they open after the set-up (NORM's own
//!   sockets, for example) is not counted, and descriptors taken between the check and the
//!   set-up (which follows at once, on the I/O thread) can still make libzmq abort.
//! - **Sockets and options made through the raw API** ([`crate::Context::as_ptr`],
//!   [`crate::SocketCore::as_ptr`]) bypass every check of this crate.
//! - **Other descriptors a library opens on libzmq's behalf** (the resolver of a host name, the
//!   GSSAPI library) fail with errors that libzmq reports, as far as is known; only the places
//!   listed above abort.

use std::os::fd::{FromRawFd, OwnedFd};

use crate::error::{Detail, Error, Result};

/// How many more file descriptors this process can open right now, counting up to `at_most`.
///
/// Measured by opening them (close-on-exec eventfds on Linux, pipes elsewhere) and closing them
/// again before returning, so the answer is exact at the time of the call; another thread
/// that opens descriptors meanwhile changes it. Errors other than running out of descriptors
/// (`EMFILE`, `ENFILE`) are returned as they are.
///
/// Wraps no libzmq function: `eventfd(2)` (or `pipe(2)`) and `close(2)`.
pub fn available(at_most: usize) -> Result<usize> {
    let mut held: Vec<OwnedFd> = Vec::with_capacity(at_most);
    while held.len() < at_most {
        match open_one() {
            Ok(fds) => held.extend(fds),
            Err(errno) if errno == libc::EMFILE || errno == libc::ENFILE => break,
            Err(errno) => {
                return Err(Error::from_errno(
                    errno,
                    Detail::new("opening a descriptor to count free descriptors"),
                ))
            }
        }
    }
    Ok(held.len().min(at_most))
}

/// Checks that `needed` more descriptors can be opened now, for `what` (an operation, as in
/// "creating the first socket of a context"); [`Error::TooManyOpenFiles`] says what was being
/// done, how many descriptors it needs and how many are left when they cannot.
pub(crate) fn ensure(needed: usize, what: &str) -> Result<()> {
    let free = available(needed)?;
    if free >= needed {
        return Ok(());
    }
    Err(Error::TooManyOpenFiles(Detail::new(format!(
        "{what} needs {needed} file descriptor{s}, but only {free} can be opened now \
         (RLIMIT_NOFILE soft limit {limit}); refused before libzmq, which would abort the \
         process",
        s = if needed == 1 { "" } else { "s" },
        limit = soft_limit_text(libc::RLIMIT_NOFILE),
    ))))
}

/// The type `getrlimit` takes its resource as (glibc has a type of its own).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub(crate) type Resource = libc::__rlimit_resource_t;
/// The type `getrlimit` takes its resource as.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub(crate) type Resource = libc::c_int;

/// The soft limit of `resource` (`RLIMIT_NOFILE`, `RLIMIT_NPROC`) in words, for errors.
pub(crate) fn soft_limit_text(resource: Resource) -> String {
    // SAFETY: an all-zero rlimit is a valid value for getrlimit to overwrite.
    let mut limit: libc::rlimit = unsafe { std::mem::zeroed() };
    // SAFETY: getrlimit writes into the struct we own.
    let rc = unsafe { libc::getrlimit(resource, &mut limit) };
    if rc != 0 {
        "unknown".to_string()
    } else if limit.rlim_cur == libc::RLIM_INFINITY {
        "unlimited".to_string()
    } else {
        limit.rlim_cur.to_string()
    }
}

/// Opens one descriptor (two on systems without eventfd); returns errno on failure.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn open_one() -> std::result::Result<Vec<OwnedFd>, i32> {
    // SAFETY: eventfd takes no pointers; the result is checked.
    let fd = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
    if fd == -1 {
        return Err(crate::error::os_errno());
    }
    // SAFETY: fd is a descriptor just opened and owned by nobody else.
    Ok(vec![unsafe { OwnedFd::from_raw_fd(fd) }])
}

/// Opens one descriptor (two on systems without eventfd); returns errno on failure.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn open_one() -> std::result::Result<Vec<OwnedFd>, i32> {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: pipe writes two descriptors into the array we own.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } == -1 {
        return Err(crate::error::os_errno());
    }
    // SAFETY: both descriptors were just opened and are owned by nobody else.
    Ok(fds
        .iter()
        .map(|&fd| unsafe { OwnedFd::from_raw_fd(fd) })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_up_to_the_bound_and_closes_what_it_opened() {
        assert_eq!(available(0).unwrap(), 0);
        assert_eq!(available(8).unwrap(), 8);
        ensure(8, "a test").unwrap();
        // Nothing leaked: the same descriptors can be opened again and again.
        for _ in 0..100 {
            assert_eq!(available(8).unwrap(), 8);
        }
    }
}
