//! libzmq's built-in proxy, plain and steerable
//! ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy),
//! [zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
//!
//! # Stack: what a proxy forwards into an XSUB
//! An XSUB treats every frame sent to it that starts with `1` or `0` as a subscription or an
//! unsubscription, and libzmq keeps its subscriptions in a trie that it walks *recursively*,
//! one stack frame per byte of topic (measured with libzmq 4.3.4 on x86-64):
//!
//! - about 80 bytes of stack per byte to remove a subscription, or to replay the
//!   subscriptions to a new upstream peer, on the thread that uses the XSUB: the proxy's;
//! - about 48 bytes per byte to free the trie when the XSUB is closed, on libzmq's reaper
//!   thread, whose stack is the process's default thread stack (`ulimit -s`, usually 8 MiB).
//!
//! A frame that a proxy forwards into an XSUB longer than those stacks can take kills the
//! process (a stack overflow). So [`proxy()`] and [`SteerableProxy::start`] refuse, with
//! [`Error::OptionValue`] for `ZMQ_MAXMSGSIZE`, to forward into an XSUB (backend, frontend,
//! or capture) from a socket whose `ZMQ_MAXMSGSIZE` ([`crate::SocketCore::max_msg_size`]) is
//! `None` or larger than:
//!
//! - [`PROXY_MAX_FORWARDED_MSG_SIZE`] (64 KiB) for a [`SteerableProxy`], whose thread has a
//!   [`PROXY_STACK_SIZE`] stack;
//! - [`crate::limits::SUBSCRIPTION_MSG_MAX`] for [`proxy()`], which runs on the calling
//!   thread, whose stack the crate cannot know.
//!
//! PUB and PUSH sockets receive nothing and are not checked. The XPUB sockets of this crate
//! have a `ZMQ_MAXMSGSIZE` of `SUBSCRIPTION_MSG_MAX` from the start, so the usual XPUB/XSUB
//! forwarder passes as it is. For another socket (a PULL, a ROUTER...), call
//! `set_max_msg_size(Some(n))` **before** it binds or connects: libzmq copies a socket's
//! options into each endpoint as the endpoint is made, so a limit set later does not apply to
//! the endpoints already there, and the proxy cannot tell (it reads the socket's current
//! value).
//!
//! `ZMQ_MAXMSGSIZE` limits what peers on the network transports (tcp, ipc...) send. It does
//! not apply to inproc peers, which are the program's own code: a long frame starting with
//! `1` or `0` that the program sends into such a proxy over inproc overflows a stack like any
//! long local subscription.
//!
//! The XSUB that [`SteerableProxy::terminate`] hands back may hold subscriptions as long as
//! [`PROXY_MAX_FORWARDED_MSG_SIZE`]: keep using it only on a thread with a stack of 8 MiB or
//! more (a new upstream peer makes it replay them, recursively). Dropping it is always safe.

mod failed;
mod guard;
mod steerable;

pub use failed::ProxyFailed;
pub use guard::{PROXY_MAX_FORWARDED_MSG_SIZE, PROXY_STACK_SIZE};
pub use steerable::{SteerableProxy, DROP_GRACE};

#[cfg(doc)]
use crate::error::Error;
use crate::error::{last_errno, last_error, Detail, Result};
use crate::socket::Socket;

use guard::check_forwarding;

/// Runs the proxy in this thread: every message from `frontend` goes to `backend` and back,
/// with a copy of each to `capture` when given. Returns only when the context is shut down
/// or terminated ([`Error::Terminated`]), or on another error of libzmq's (a capture socket
/// that cannot send, for one). Signals do not stop it: `EINTR` is retried.
///
/// Refuses at once, with [`Error::OptionValue`] for `ZMQ_MAXMSGSIZE`, to forward into an
/// XSUB from a socket whose `ZMQ_MAXMSGSIZE` is `None` or larger than
/// [`crate::limits::SUBSCRIPTION_MSG_MAX`]: this thread's stack is unknown, and an XSUB
/// handles what it is sent recursively (see [the stack note](self#stack-what-a-proxy-forwards-into-an-xsub)).
/// An XPUB made by this crate passes as it is.
///
/// Wraps `zmq_proxy` ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy)).
pub fn proxy(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    check_forwarding(
        frontend,
        backend,
        capture,
        crate::limits::SUBSCRIPTION_MSG_MAX,
        "the stack of the calling thread, which the crate cannot know",
    )?;
    let capture = capture.map_or(std::ptr::null_mut(), |s| s.as_ptr());
    loop {
        // SAFETY: the sockets are valid and borrowed (so used by no other code) for the call.
        let rc = unsafe { zmq_ffi::zmq_proxy(frontend.as_ptr(), backend.as_ptr(), capture) };
        if rc == 0 {
            return Ok(());
        }
        // A plain proxy has no state worth keeping: starting it again after a signal is
        // exactly going on.
        if last_errno() != libc::EINTR {
            return Err(last_error(|| Detail::new("zmq_proxy")));
        }
    }
}

/// Message and byte counts of one side of a proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SideStats {
    /// Messages (frames) received on this side.
    pub messages_in: u64,
    /// Bytes received on this side.
    pub bytes_in: u64,
    /// Messages (frames) sent on this side.
    pub messages_out: u64,
    /// Bytes sent on this side.
    pub bytes_out: u64,
}

/// The eight counters the `STATISTICS` command returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// The frontend's counts.
    pub frontend: SideStats,
    /// The backend's counts.
    pub backend: SideStats,
}

/// The sockets a stopped proxy gives back: frontend, backend and capture.
pub type ProxySockets = (Socket, Socket, Option<Socket>);
