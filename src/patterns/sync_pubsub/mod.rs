//! Publish-subscribe that loses none of the first messages: a publisher that waits until
//! its subscribers are listening before it publishes (the ZeroMQ guide's `syncpub` and
//! `syncsub`), without the guide's sleep.
//!
//! ```text
//!                      updates: XPUB binds (verbose)
//!   SyncPublisher ──────────────────────────────────► SyncSubscriber × N  (SUB connects)
//!         ▲  ▲             subscriptions ◄─────────────────┘
//!         │  └─ sync: ROUTER binds ◄── one request ─────── (REQ connects)
//!         └────────────────────────── one reply ──────────►
//! ```
//!
//! # What it is for
//!
//! A plain publisher loses what it sends before a subscriber's subscription reaches it: the
//! subscriber connects, the connection completes, and only then does its subscription
//! travel to the publisher, which until then has no one to send to (the guide's "slow
//! joiner"). That is fine for a stream where any message is as good as the next (weather
//! updates), and wrong for a fixed set of messages that each subscriber must see whole (a
//! snapshot, a batch, a test). A [`SyncPublisher`] knows how many subscribers to expect,
//! waits until each is really listening ([`SyncPublisher::wait_for_subscribers`]), and only
//! then publishes.
//!
//! # Who binds, and why
//!
//! The publisher binds both sockets: it is the one stable point, at an address everyone
//! knows; subscribers come and go, and each connects to both. The updates socket is an
//! XPUB, which sees the subscriptions arrive; the sync socket is a ROUTER, which answers a
//! REQ as a REP would, for any number of subscribers at once, with no state to carry
//! between calls.
//!
//! # Why none of the first messages is lost
//!
//! - **The publisher counts the subscriptions themselves.** The guide's subscriber says it
//!   is ready over a REQ socket, but that request travels on another connection than its
//!   subscription and may overtake it (so the guide's subscriber sleeps a second first).
//!   Here the updates socket is an XPUB with `ZMQ_XPUB_VERBOSE`: it reports every
//!   subscription of every subscriber, after libzmq has applied it, so once the publisher
//!   has read them all, what it sends next matches them.
//! - **Each subscriber's own subscriptions, not anyone's.** A [`SyncSubscriber`] subscribes
//!   last to a *sync token* of its own (its greatest topic, then [`SYNC_TOKEN_MARK`], then
//!   an id unique to it) and sends that token as its sync request. A SUB sends its
//!   subscriptions in order, and those it made before it connected in byte order (a topic
//!   before its extensions), so the token, greater than every topic, comes after them all:
//!   once the publisher has seen the token arrive as a subscription, every topic of that
//!   subscriber has arrived too. The publisher waits until `n` subscribers have sent their
//!   request **and** each one's token has arrived, so a subscription of a subscriber that
//!   does not synchronise (a plain SUB, one more than expected) never stands for one that
//!   does. The token extends a topic the subscriber already has, so it brings it no
//!   message it would not have received anyway, and stays until the subscriber closes.
//! - **Nothing is cut off at the end.** Closing a socket does not wait for what was already
//!   handed to a connection (libzmq's linger covers the socket's queue, not the last batch
//!   of up to 8 KiB in the connection's buffer), so a publisher that closes right after its
//!   last message can cut the end off for a subscriber that reads slowly.
//!   [`SyncPublisher::wait_for_departures`] keeps it open until every synchronised
//!   subscriber has left (libzmq unsubscribes a subscriber's topics, its token among them,
//!   when its connection closes).
//! - **Nothing is dropped on the way.** A publisher drops messages for a subscriber whose
//!   queue is at its high-water mark; the updates socket has no high-water mark
//!   (`ZMQ_SNDHWM` 0), so a subscriber that reads slowly makes the queue grow instead
//!   (in the publisher's memory, without bound, while the subscriber stays connected; a
//!   subscriber that disconnects takes its queue with it). Over inproc, libzmq limits the
//!   queue again if the subscriber's `ZMQ_RCVHWM` is set after it connected (through
//!   [`SyncSubscriber::subscriber`]): leave it alone.
//! - **Each subscriber learns that it was counted**: the publisher answers each sync request
//!   (with an empty frame) as it reads it, so [`SyncSubscriber::sync`] returns once the
//!   publisher knows about it.
//!
//! It works with the guide's C programs both ways. A `syncsub` (subscribes to everything,
//! sends an empty request) counts as one subscriber with one subscription; with no token
//! to tell whose subscription is whose, those are counted in all (a request that is a
//! decimal number announces that many), so there any other subscription (a stranger's, or
//! a [`SyncSubscriber`]'s topics besides its token) may stand for a `syncsub`'s, and any
//! other unsubscription for its departure: for the guarantee, do not mix guide `syncsub`s
//! with other subscribers on one publisher. A `syncpub` takes the [`SyncSubscriber`]'s token as the guide's request (it reads
//! one frame and ignores it); it is a plain PUB that does not count subscriptions:
//! [`SyncSubscriber::sync`] waits until its connection for updates is up before it sends
//! its request, which narrows the race but cannot close it.
//!
//! Multicast (`pgm://`, `epgm://`, `norm://`) carries no subscription back to the publisher
//! and has no handshake, so it cannot be synchronised this way: [`SyncPublisher::bind`] and
//! [`SyncSubscriber::connect`] refuse it ([`Error::InvalidArgument`]) rather than wait for
//! ever.
//!
//! On the context's shutdown every blocking call returns an error whose
//! [`Error::is_terminated`] is true.
//!
//! ```
//! use std::time::Duration;
//! use zmq_typed::patterns::sync_pubsub::{SyncPublisher, SyncSubscriber};
//! use zmq_typed::Context;
//!
//! let ctx = Context::new()?;
//! let publisher = SyncPublisher::bind(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*")?;
//! let mut subscribers = Vec::new();
//! for _ in 0..2 {
//!     let subscriber = SyncSubscriber::connect(
//!         &ctx,
//!         publisher.updates_endpoint(),
//!         publisher.sync_endpoint(),
//!         &[""],                          // every message
//!     )?;
//!     subscribers.push(std::thread::spawn(move || {
//!         subscriber.sync(Some(Duration::from_secs(10)))?;
//!         let mut received = Vec::new();
//!         loop {
//!             let update = subscriber.recv()?.into_string()?;
//!             if update == "END" {
//!                 return Ok::<_, zmq_typed::Error>(received);
//!             }
//!             received.push(update);
//!         }
//!     }));
//! }
//!
//! publisher.wait_for_subscribers(2, Some(Duration::from_secs(10)))?;
//! for n in 0..100 {
//!     publisher.send(format!("update {n}"))?;   // the very first reaches both
//! }
//! publisher.send("END")?;
//! for subscriber in subscribers {
//!     let received = subscriber.join().expect("subscriber thread")?;
//!     assert_eq!(received.len(), 100);
//!     assert_eq!(received[0], "update 0");
//! }
//! # Ok::<(), zmq_typed::Error>(())
//! ```

use std::collections::HashSet;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::endpoint::Endpoint;
use crate::error::{Detail, Error, Result};
use crate::limits::MAX_TOPIC_LEN;

/// The deadline `timeout` from now (`None`: none, as for a timeout too far to represent).
fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|timeout| Instant::now().checked_add(timeout))
}

/// What marks a sync token: a [`SyncSubscriber`]'s request, and the subscription it makes
/// last, are its greatest topic, then these bytes, then an id unique to it.
pub const SYNC_TOKEN_MARK: &[u8] = b"\xffzmq-typed-sync:";

/// A wait's bound as a sentence ends it: "100ms", or "no time limit".
fn describe_timeout(timeout: Option<Duration>) -> String {
    timeout.map_or_else(|| "no time limit".to_string(), |t| format!("{t:?}"))
}

/// Whether `bytes` is a sync token (it holds [`SYNC_TOKEN_MARK`]).
fn is_token(bytes: &[u8]) -> bool {
    bytes
        .windows(SYNC_TOKEN_MARK.len())
        .any(|window| window == SYNC_TOKEN_MARK)
}

/// A sync token for a subscriber of `topics`: the greatest topic (in byte order, the one a
/// SUB sends last), [`SYNC_TOKEN_MARK`], and an id unique to this subscriber (the process,
/// a count, the time). `None` when it would be longer than [`MAX_TOPIC_LEN`].
fn sync_token(topics: &HashSet<&[u8]>) -> Option<Vec<u8>> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let greatest = topics.iter().max()?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_nanos());
    let id = format!(
        "{:x}-{:x}-{nanos:x}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut token = greatest.to_vec();
    token.extend_from_slice(SYNC_TOKEN_MARK);
    token.extend_from_slice(id.as_bytes());
    (token.len() <= MAX_TOPIC_LEN).then_some(token)
}

/// How many subscriptions a sync request without a token announces: an empty request (the
/// guide's) one, a decimal number that many. Anything else is taken for one too: what
/// matters to such a peer is the reply.
fn announced(request: &[u8]) -> u64 {
    if request.is_empty() {
        return 1;
    }
    std::str::from_utf8(request)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1)
}

/// Refuses a multicast endpoint (`pgm://`, `epgm://`, `norm://`) for the updates: multicast
/// carries no subscription back to the publisher and has no handshake, so neither side
/// could tell when a subscriber listens, and a wait for it would never end.
fn refuse_multicast(updates: &str) -> Result<()> {
    match updates.parse::<Endpoint>() {
        Ok(endpoint) if endpoint.multicast().is_some() => {
            Err(Error::InvalidArgument(Detail::new(format!(
                "synchronised publish-subscribe cannot use {updates}: {} carries no subscription \
                 back to the publisher, so it could never tell that a subscriber listens \
                 (use tcp, ipc or inproc)",
                endpoint.transport()
            ))))
        }
        // Anything else is for bind or connect to accept or refuse.
        _ => Ok(()),
    }
}
mod publisher;
mod subscriber;

pub use publisher::SyncPublisher;
pub use subscriber::SyncSubscriber;
