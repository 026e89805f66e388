//! Limits the crate enforces before libzmq sees a value that would kill the process.
//!
//! libzmq keeps subscriptions in a trie that it walks *recursively*, one stack frame per byte
//! of topic, when a subscription is removed (an unsubscribe, a subscriber disconnecting, a
//! socket closing). A long enough topic overflows the stack of whatever thread does it, and a
//! stack overflow kills the whole process. About 80 bytes of stack go to each byte of topic
//! (measured with libzmq 4.3.4 on x86-64), so a 32 KiB topic overflows a 2 MiB thread (Rust's
//! default for spawned threads) and a 128 KiB one the 8 MiB main thread.
//!
//! - Local topics ([`crate::Sub::subscribe`], [`crate::XSub::subscribe`],
//!   [`crate::Socket::subscribe`], an XSUB's `\x01topic` message) longer than
//!   [`MAX_TOPIC_LEN`] are refused with [`crate::Error::TopicTooLong`].
//! - PUB and XPUB sockets made by this crate refuse inbound messages longer than
//!   [`SUBSCRIPTION_MSG_MAX`] (`ZMQ_MAXMSGSIZE`, set when the socket is made, because libzmq
//!   copies options into each listener and connection when it binds or connects). What a PUB
//!   receives is its subscribers' (un)subscriptions; an XPUB also receives whatever else an
//!   XSUB peer sends upstream, which the cap limits too (raise it for such a design). An XPUB
//!   in a proxy forwards what it receives into an XSUB, whose trie is the recursive one
//!   (libzmq 4.3.4's XPUB side walks its own iteratively): with the cap, a remote subscriber
//!   cannot send a topic that would overflow the proxy's stack; libzmq drops that peer's
//!   connection instead. Raise it with [`crate::SocketCore::set_max_msg_size`] (before
//!   binding or connecting) only where the XSUB it feeds runs on a thread with a stack to
//!   match; the crate's proxies refuse to feed an XSUB from a socket whose limit is above
//!   what their thread can take ([`mod@crate::proxy`]).

/// The longest subscription topic, in bytes, that this crate lets a socket subscribe to:
/// 4 KiB, which needs about 330 KiB of stack to remove: room to spare on any thread with
/// Rust's default 2 MiB stack.
pub const MAX_TOPIC_LEN: usize = 4096;

/// The `ZMQ_MAXMSGSIZE` given to every PUB and XPUB socket this crate makes: the longest
/// encoding of a subscription to a topic of [`MAX_TOPIC_LEN`] bytes. ZMTP 3.1 peers (libzmq
/// 4.3) send it as a `SUBSCRIBE` command, whose name adds 10 bytes (`\x09SUBSCRIBE`) that
/// libzmq counts against the limit; ZMTP 3.0 peers as a message with one flag byte.
pub const SUBSCRIPTION_MSG_MAX: u64 = MAX_TOPIC_LEN as u64 + 10;

/// Refuses a topic longer than [`MAX_TOPIC_LEN`].
pub(crate) fn check_topic(topic: &[u8]) -> crate::Result<()> {
    if topic.len() > MAX_TOPIC_LEN {
        return Err(crate::Error::TopicTooLong {
            len: topic.len(),
            max: MAX_TOPIC_LEN,
        });
    }
    Ok(())
}
