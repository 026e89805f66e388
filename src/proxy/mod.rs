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
//! process (a stack overflow). So [`proxy()`], [`proxy_with_capture`] and [`SteerableProxy::start`] refuse, with
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
mod socket;
mod steerable;

pub use failed::ProxyFailed;
pub use guard::{PROXY_MAX_FORWARDED_MSG_SIZE, PROXY_STACK_SIZE};
pub use socket::ProxySocket;
pub use steerable::{SteerableProxy, DROP_GRACE};

#[cfg(doc)]
use crate::error::Error;
use crate::error::{last_errno, last_error, Detail, Result};
use crate::socket::Socket;

use guard::check_forwarding;
pub(crate) use socket::raw;

/// Runs the proxy in this thread: every message from `frontend` goes to `backend` and back.
/// The sockets are any [`ProxySocket`]s: typed ([`crate::Router`], [`crate::Dealer`],
/// [`crate::XPub`], [`crate::XSub`]...) or dynamic ([`Socket`]), of any mix.
///
/// Returns `Ok(())` when the context is shut down or terminated: that is how a proxy is
/// stopped ([`crate::Context::shutdown`] or a [`crate::ShutdownHandle`] from another thread,
/// [`crate::Context::shutdown_on_ctrl_c`]). Any other error of libzmq's is returned as it is.
/// Signals do not stop it: `EINTR` is retried.
///
/// Refuses at once, with [`Error::OptionValue`] for `ZMQ_MAXMSGSIZE`, to forward into an
/// XSUB from a socket whose `ZMQ_MAXMSGSIZE` is `None` or larger than
/// [`crate::limits::SUBSCRIPTION_MSG_MAX`]: this thread's stack is unknown, and an XSUB
/// handles what it is sent recursively (see [the stack note](self#stack-what-a-proxy-forwards-into-an-xsub)).
/// An XPUB made by this crate passes as it is.
///
/// ```
/// use zmq_typed::{proxy, Context, Dealer, Router};
/// let ctx = Context::new()?;
/// let frontend = Router::new(&ctx)?;
/// frontend.bind("tcp://127.0.0.1:*")?;
/// let backend = Dealer::new(&ctx)?;
/// backend.bind("tcp://127.0.0.1:*")?;
/// let stop = ctx.shutdown_handle();
/// let broker = std::thread::spawn(move || proxy(&frontend, &backend));
/// // ... clients and workers connect and talk through it, until:
/// stop.shutdown();
/// broker.join().expect("the broker thread")?; // a normal stop
/// # Ok::<(), zmq_typed::Error>(())
/// ```
///
/// Wraps `zmq_proxy` ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy)).
#[doc(alias("zmq_proxy"))]
pub fn proxy<F: ProxySocket, B: ProxySocket>(frontend: &F, backend: &B) -> Result<()> {
    run(raw(frontend), raw(backend), None)
}

/// [`proxy()`], with a copy of every message, both ways, sent to `capture` (a PUSH, PUB,
/// DEALER or PAIR whose reader must keep up: libzmq sends the copies with a blocking send).
/// Returns `Ok(())` when the context is shut down or terminated; a capture socket that
/// cannot send (a PULL, a SUB) stops it with [`Error::NotSupported`] at the first message.
///
/// Refuses, as [`proxy()`] does, to forward into an XSUB capture from a socket without a
/// small enough `ZMQ_MAXMSGSIZE`.
///
/// Wraps `zmq_proxy` ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy)).
#[doc(alias("zmq_proxy"))]
pub fn proxy_with_capture<F: ProxySocket, B: ProxySocket, C: ProxySocket>(
    frontend: &F,
    backend: &B,
    capture: &C,
) -> Result<()> {
    run(raw(frontend), raw(backend), Some(raw(capture)))
}

/// `zmq_proxy` until it stops; the context's end is a normal stop.
fn run(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    check_forwarding(
        frontend,
        backend,
        capture,
        crate::limits::SUBSCRIPTION_MSG_MAX,
        "the stack of the calling thread, which the crate cannot know",
    )?;
    let capture = capture.map_or(std::ptr::null_mut(), |s| s.as_ptr());
    loop {
        // SAFETY: the sockets are valid and borrowed (so used by no other code: they are
        // !Sync) for the call.
        let rc = unsafe { zmq_ffi::zmq_proxy(frontend.as_ptr(), backend.as_ptr(), capture) };
        if rc == 0 {
            return Ok(());
        }
        // A plain proxy has no state worth keeping: starting it again after a signal is
        // exactly going on.
        match last_errno() {
            libc::EINTR => continue,
            zmq_ffi::ETERM => return Ok(()),
            _ => return Err(last_error(|| Detail::new("zmq_proxy"))),
        }
    }
}

/// Message and byte counts of one side of a proxy. libzmq 4.3 counts a message of several
/// frames once (`proxy.cpp`: "a multipart message counts as 1 packet"); libzmq's later
/// development versions count each frame.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SideStats {
    /// Messages received on this side (whole messages with libzmq 4.3).
    pub messages_in: u64,
    /// Bytes received on this side.
    pub bytes_in: u64,
    /// Messages sent on this side (whole messages with libzmq 4.3).
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

/// The sockets a stopped [`SteerableProxy`] gives back, as typed as they went in: frontend,
/// backend and capture (`None` without one).
pub type ProxySockets<F = Socket, B = Socket, C = Socket> = (F, B, Option<C>);
