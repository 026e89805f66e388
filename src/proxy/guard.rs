//! The forwarding guard: the stack a proxy's XSUB may take, and the refusal to feed an XSUB
//! from a socket without a small enough `ZMQ_MAXMSGSIZE` (see
//! [the stack note](super#stack-what-a-proxy-forwards-into-an-xsub)).

use crate::error::{Error, Result};
use crate::socket::Socket;
use crate::socket_type::SocketType;

/// The stack of a [`SteerableProxy`]'s thread: 64 MiB. Virtual memory: a proxy that never
/// sees a long topic touches a few pages of it. Removing a subscription from an XSUB takes
/// about 80 bytes of it per byte of topic (measured: 800 000 bytes fit, 900 000 do not); see
/// [the stack note](super#stack-what-a-proxy-forwards-into-an-xsub).
///
/// [`SteerableProxy`]: super::SteerableProxy
pub const PROXY_STACK_SIZE: usize = 64 << 20;

/// The stack budgeted per byte of topic: 128 bytes, with a margin over the 80 measured for
/// the deepest of libzmq's recursive walks (removal), and 48 for freeing the trie.
const STACK_PER_TOPIC_BYTE: usize = 128;

/// The stack assumed for libzmq's reaper thread, which frees an XSUB's trie when the XSUB is
/// closed: the usual default thread stack (`ulimit -s` of 8 MiB).
const REAPER_STACK: usize = 8 << 20;

/// The largest `ZMQ_MAXMSGSIZE` that [`SteerableProxy::start`] accepts on a socket whose
/// messages it forwards into an XSUB: 64 KiB. It is the smaller stack of the two threads that
/// walk the XSUB's subscriptions recursively, the proxy's ([`PROXY_STACK_SIZE`], 64 MiB) and
/// libzmq's reaper (which frees them on close, with the process's default thread stack,
/// assumed to be 8 MiB), divided by 128 bytes of stack per byte (80 measured at most). Its
/// walks then take at most 5 MiB of the proxy's stack and 3 MiB of the reaper's.
///
/// A socket of the crate's own whose messages go into an XSUB must have it set before it
/// binds or connects; see [the stack note](super#stack-what-a-proxy-forwards-into-an-xsub).
///
/// [`SteerableProxy::start`]: super::SteerableProxy::start
pub const PROXY_MAX_FORWARDED_MSG_SIZE: u64 = {
    let stack = if PROXY_STACK_SIZE < REAPER_STACK {
        PROXY_STACK_SIZE
    } else {
        REAPER_STACK
    };
    (stack / STACK_PER_TOPIC_BYTE) as u64
};

/// Refuses a proxy that would forward into an XSUB the messages of a socket whose peers may
/// send frames longer than `max` (`ZMQ_MAXMSGSIZE` unset or larger): the XSUB would handle
/// them recursively, one stack frame per byte, on `stack` (a thread's stack, in words).
pub(super) fn check_forwarding(
    frontend: &Socket,
    backend: &Socket,
    capture: Option<&Socket>,
    max: u64,
    stack: &str,
) -> Result<()> {
    let mut routes = vec![
        ("frontend", frontend, "backend", backend),
        ("backend", backend, "frontend", frontend),
    ];
    if let Some(capture) = capture {
        routes.push(("frontend", frontend, "capture", capture));
        routes.push(("backend", backend, "capture", capture));
    }
    for (from_name, from, to_name, to) in routes {
        let from_type = from.socket_type();
        // PUB and PUSH receive nothing: nothing of theirs is forwarded.
        if to.socket_type() != SocketType::XSub
            || matches!(from_type, SocketType::Pub | SocketType::Push)
        {
            continue;
        }
        let limit = from.max_msg_size()?;
        if limit.is_some_and(|n| n <= max) {
            continue;
        }
        let limit = match limit {
            Some(n) => format!("is {n} bytes"),
            None => "is unlimited".to_string(),
        };
        return Err(Error::OptionValue {
            option: "ZMQ_MAXMSGSIZE",
            reason: format!(
                "the {from_name} ({from_type})'s limit {limit}, and the proxy would forward \
                 what its peers send into the {to_name} XSUB, which takes every frame \
                 starting with 1 or 0 as a subscription and walks it recursively (about 80 \
                 bytes of stack per byte), so a peer could overflow {stack}, killing the \
                 process; call set_max_msg_size(Some(n)) with n <= {max} on the \
                 {from_name} before it binds or connects (libzmq applies the limit to the \
                 endpoints made after it)"
            ),
        });
    }
    Ok(())
}
