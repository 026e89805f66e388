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
//!   has read them all, what it sends next matches them. Each subscriber's sync request
//!   says how many subscriptions it made (an empty request, the guide's, means one); the
//!   publisher waits until `n` subscribers have sent theirs **and** that many
//!   subscriptions have arrived.
//! - **Nothing is dropped on the way.** A publisher drops messages for a subscriber whose
//!   queue is at its high-water mark; the updates socket has no high-water mark
//!   (`ZMQ_SNDHWM` 0), so a subscriber that reads slowly makes the queue grow instead.
//! - **Each subscriber learns that it was counted**: the publisher answers each sync request
//!   (with an empty frame) as it reads it, so [`SyncSubscriber::sync`] returns once the
//!   publisher knows about it.
//!
//! It works with the guide's C programs both ways: a `syncsub` (subscribes to everything,
//! sends an empty request) counts as one subscriber with one subscription, and a
//! [`SyncSubscriber`] with one topic sends the guide's empty request to a `syncpub`. (A
//! `syncpub` is a plain PUB that does not count subscriptions: [`SyncSubscriber::sync`]
//! waits until its connection for updates is up before it sends its request, which narrows
//! the race but cannot close it.)
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

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::message::Message;
use crate::monitor::Monitor;
use crate::multipart::Multipart;
use crate::options::PollEvents;
use crate::poll::Poller;
use crate::sendable::Sendable;
use crate::typed::{ReqSlot, Router, Sub, Subscription, XPub};

/// The deadline `timeout` from now (`None`: none, as for a timeout too far to represent).
fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|timeout| Instant::now().checked_add(timeout))
}

/// The time left before `deadline` (`None`: no deadline), or [`Error::TimedOut`] with the
/// detail `what` makes.
fn time_left(deadline: Option<Instant>, what: impl FnOnce() -> String) -> Result<Option<Duration>> {
    let Some(deadline) = deadline else {
        return Ok(None);
    };
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return Err(Error::TimedOut(Detail::new(what())));
    }
    Ok(Some(left))
}

/// How many subscriptions a sync request announces: an empty request (the guide's) one, a
/// decimal number that many. Anything else is taken for one too: what matters to such a
/// peer is the reply.
fn announced(request: &Multipart) -> u64 {
    let Some(last) = request.last() else {
        return 1;
    };
    if last.is_empty() {
        return 1;
    }
    std::str::from_utf8(last)
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(1)
}

/// The publishing side: an XPUB that binds for updates and counts the subscriptions, a
/// ROUTER that binds for the sync requests. See [the module docs](self).
#[derive(Debug)]
pub struct SyncPublisher {
    updates: XPub,
    updates_endpoint: String,
    sync: Router,
    sync_endpoint: String,
    /// The subscriptions that have arrived.
    subscriptions: Cell<u64>,
    /// The subscriptions the synchronised subscribers announced, in all.
    announced: Cell<u64>,
    /// The routing ids of the subscribers that sent a sync request (a retry counts once).
    synced: RefCell<HashSet<Vec<u8>>>,
}

impl SyncPublisher {
    /// Binds the updates socket on `updates` and the sync socket on `sync`
    /// (`tcp://127.0.0.1:*` picks a port: [`SyncPublisher::updates_endpoint`] and
    /// [`SyncPublisher::sync_endpoint`] say which). The updates socket reports every
    /// subscription (`ZMQ_XPUB_VERBOSE`) and has no send high-water mark (`ZMQ_SNDHWM` 0),
    /// so it drops nothing.
    ///
    /// Wraps `zmq_socket` (XPUB, ROUTER), `zmq_setsockopt` and `zmq_bind`
    /// ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind(ctx: &Context, updates: &str, sync: &str) -> Result<SyncPublisher> {
        let publisher = XPub::new(ctx)?;
        publisher.set_xpub_verbose(true)?;
        publisher.set_sndhwm(None)?;
        let updates_endpoint = publisher.bind(updates)?.to_string();
        let router = Router::new(ctx)?;
        let sync_endpoint = router.bind(sync)?.to_string();
        Ok(SyncPublisher {
            updates: publisher,
            updates_endpoint,
            sync: router,
            sync_endpoint,
            subscriptions: Cell::new(0),
            announced: Cell::new(0),
            synced: RefCell::new(HashSet::new()),
        })
    }

    /// The endpoint the updates socket is bound to, as libzmq reports it
    /// (`ZMQ_LAST_ENDPOINT`): the one subscribers connect their SUB to.
    pub fn updates_endpoint(&self) -> &str {
        &self.updates_endpoint
    }

    /// The endpoint the sync socket is bound to, as libzmq reports it
    /// (`ZMQ_LAST_ENDPOINT`): the one subscribers connect their REQ to.
    pub fn sync_endpoint(&self) -> &str {
        &self.sync_endpoint
    }

    /// How many subscribers have sent their sync request so far.
    pub fn synchronised(&self) -> usize {
        self.synced.borrow().len()
    }

    /// Waits until `n` subscribers in all have sent their sync request **and** the
    /// subscriptions they announced have reached the publisher, answering each request as
    /// it comes; from then on every message sent reaches each of them. `timeout` bounds the
    /// whole wait (`None`: no limit): [`Error::TimedOut`] when it runs out (its detail says
    /// how far it got), [`Error::Terminated`] on the context's shutdown.
    ///
    /// Counts since the bind: a second call with a larger `n` waits for the new ones only.
    /// A subscriber's sync request counts once however often it is sent, but a subscriber
    /// whose connection breaks and comes back sends its subscriptions again, and they
    /// count again.
    ///
    /// Wraps `zmq_poll`, then `zmq_msg_recv` on both sockets and `zmq_msg_send` for each
    /// reply ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn wait_for_subscribers(&self, n: usize, timeout: Option<Duration>) -> Result<()> {
        let deadline = deadline(timeout);
        let mut poller = Poller::new();
        let subscriptions = poller.add(&self.updates, PollEvents::IN);
        let requests = poller.add(&self.sync, PollEvents::IN);
        loop {
            if self.synchronised() >= n && self.subscriptions.get() >= self.announced.get() {
                return Ok(());
            }
            let left = time_left(deadline, || {
                format!(
                    "{} of {n} subscribers synchronised, {} of the {} subscriptions they \
                     announced arrived, within {timeout:?}",
                    self.synchronised(),
                    self.subscriptions.get(),
                    self.announced.get()
                )
            })?;
            let (subscribed, requested) = {
                let ready = poller.poll(left)?;
                (
                    ready.is_readable(subscriptions),
                    ready.is_readable(requests),
                )
            };
            if subscribed {
                while let Some(message) = self.updates.try_recv()? {
                    self.count_subscription(message);
                }
            }
            if requested {
                while let Some(request) = self.sync.try_recv()? {
                    self.sync.send(request.reply_with(Message::new()))?;
                    if self
                        .synced
                        .borrow_mut()
                        .insert(request.id.as_bytes().to_vec())
                    {
                        let more = announced(&request.body);
                        self.announced
                            .set(self.announced.get().saturating_add(more));
                    }
                }
            }
        }
    }

    /// Counts a subscription (not an unsubscription, nor anything else an XSUB peer sent).
    fn count_subscription(&self, message: Multipart) {
        if let Ok(subscription) = Subscription::parse(message) {
            if subscription.is_subscribe() {
                self.subscriptions.set(self.subscriptions.get() + 1);
            }
        }
    }

    /// Publishes a message (a frame or a whole message: the first frame is what
    /// subscriptions match) to every subscriber whose subscriptions match it. Never drops
    /// it for a slow subscriber: the queue grows instead.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send(&self, msg: impl Sendable) -> Result<()> {
        self.updates.send(msg)?;
        Ok(())
    }
}

/// The subscribing side: a SUB that connects for updates, a REQ that connects for the sync
/// request. See [the module docs](self).
#[derive(Debug)]
pub struct SyncSubscriber {
    sub: Sub,
    /// The SUB's handshakes, to send the sync request once its connection is up (none over
    /// inproc, which has no handshake).
    updates_peer: Option<Monitor>,
    sync: RefCell<ReqSlot>,
    /// The sync request: empty for one subscription, else their number.
    request: String,
}

impl SyncSubscriber {
    /// Subscribes to `topics` (each a prefix of the messages to receive; `""` is every
    /// message; duplicates count once) and connects to the publisher's updates socket at
    /// `updates` and its sync socket at `sync`. [`Error::InvalidArgument`] for no topic at
    /// all (such a subscriber would receive nothing); [`Error::TopicTooLong`] for a topic
    /// over [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN).
    ///
    /// Wraps `zmq_socket` (SUB, REQ), `zmq_setsockopt` with `ZMQ_SUBSCRIBE`,
    /// `zmq_socket_monitor` and `zmq_connect`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn connect<T: AsRef<[u8]>>(
        ctx: &Context,
        updates: &str,
        sync: &str,
        topics: &[T],
    ) -> Result<SyncSubscriber> {
        let distinct: HashSet<&[u8]> = topics.iter().map(AsRef::as_ref).collect();
        if distinct.is_empty() {
            return Err(Error::InvalidArgument(Detail::new(
                "a sync subscriber with no topic would receive nothing: pass [\"\"] for \
                 every message",
            )));
        }
        let sub = Sub::new(ctx)?;
        for topic in &distinct {
            sub.subscribe(topic)?;
        }
        let updates_peer = if updates.starts_with("inproc://") {
            None
        } else {
            Some(sub.monitor_handshakes()?)
        };
        sub.connect(updates)?;
        let req = ReqSlot::new(ctx)?;
        req.connect(sync)?;
        let request = match distinct.len() {
            1 => String::new(),
            more => more.to_string(),
        };
        Ok(SyncSubscriber {
            sub,
            updates_peer,
            sync: RefCell::new(req),
            request,
        })
    }

    /// Tells the publisher that this subscriber is listening, and waits for its reply (at
    /// most `timeout` in all; `None`: no limit). Over tcp or ipc it first waits until the
    /// connection for updates is up, so that the subscriptions are on their way. Once it
    /// returns, a [`SyncPublisher`] has counted this subscriber.
    ///
    /// [`Error::TimedOut`] when the time runs out: calling `sync` again goes on waiting for
    /// the same reply (the request is not sent twice). [`Error::Terminated`] on the
    /// context's shutdown.
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` on the REQ socket
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn sync(&self, timeout: Option<Duration>) -> Result<()> {
        let deadline = deadline(timeout);
        let what = || format!("no reply to the sync request within {timeout:?}");
        if let Some(updates) = &self.updates_peer {
            let left = time_left(deadline, what)?;
            updates.wait_for_handshakes(1, left.unwrap_or(Duration::MAX))?;
        }
        let mut req = self.sync.borrow_mut();
        if req.is_ready() {
            req.send(self.request.as_str())?;
        }
        match time_left(deadline, what)? {
            None => req.recv()?,
            Some(left) => req.recv_timeout(left)?,
        };
        Ok(())
    }

    /// Receives the next update, every frame of it, blocking.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&self) -> Result<Multipart> {
        self.sub.recv()
    }

    /// Receives the next update, waiting at most `timeout` ([`Error::TimedOut`]).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// with `ZMQ_RCVTIMEO` set to the time left while it waits.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Multipart> {
        self.sub.recv_timeout(timeout)
    }

    /// The SUB socket, to receive, poll, or subscribe to more (a subscription made after
    /// [`SyncSubscriber::sync`] is not covered by it).
    pub fn subscriber(&self) -> &Sub {
        &self.sub
    }
}
