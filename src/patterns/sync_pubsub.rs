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
//! decimal number announces that many), so there any subscription, even a stranger's, may
//! stand for a `syncsub`'s: keep the subscribers of such a publisher to the synchronised
//! ones. A `syncpub` takes the [`SyncSubscriber`]'s token as the guide's request (it reads
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

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicU64, Ordering};

use crate::context::Context;
use crate::endpoint::Endpoint;
use crate::error::{Detail, Error, Result};
use crate::limits::MAX_TOPIC_LEN;
use crate::message::Message;
use crate::monitor::Monitor;
use crate::multipart::Multipart;
use crate::options::PollEvents;
use crate::poll::Poller;
use crate::sendable::Sendable;
use crate::typed::{ReqSlot, Router, Sub, Subscription, XPub};

use super::time_left;

/// The deadline `timeout` from now (`None`: none, as for a timeout too far to represent).
fn deadline(timeout: Option<Duration>) -> Option<Instant> {
    timeout.and_then(|timeout| Instant::now().checked_add(timeout))
}

/// What marks a sync token: a [`SyncSubscriber`]'s request, and the subscription it makes
/// last, are its greatest topic, then these bytes, then an id unique to it.
pub const SYNC_TOKEN_MARK: &[u8] = b"\xffzmq-typed-sync:";

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

/// The publishing side: an XPUB that binds for updates and counts the subscriptions, a
/// ROUTER that binds for the sync requests. See [the module docs](self).
#[derive(Debug)]
pub struct SyncPublisher {
    updates: XPub,
    updates_endpoint: String,
    sync: Router,
    sync_endpoint: String,
    /// The subscriptions without a token that have arrived.
    subscriptions: Cell<u64>,
    /// The subscriptions the synchronised subscribers without a token announced, in all.
    announced: Cell<u64>,
    /// The subscribers that sent a sync request: their token, or (without one) their
    /// routing id (a retry counts once).
    synced: RefCell<HashSet<Vec<u8>>>,
    /// The tokens of synchronised subscribers that have not arrived as subscriptions yet.
    awaited: RefCell<HashSet<Vec<u8>>>,
    /// The tokens that arrived as subscriptions before their sync request.
    arrived: RefCell<HashSet<Vec<u8>>>,
    /// The tokens of synchronised subscribers that have left (unsubscribed as their
    /// connection closed).
    departed: RefCell<HashSet<Vec<u8>>>,
    /// The unsubscriptions without a token (a guide's `syncsub` leaving).
    unsubscriptions: Cell<u64>,
}

impl SyncPublisher {
    /// Binds the updates socket on `updates` and the sync socket on `sync`
    /// (`tcp://127.0.0.1:*` picks a port: [`SyncPublisher::updates_endpoint`] and
    /// [`SyncPublisher::sync_endpoint`] say which). The updates socket reports every
    /// subscription and unsubscription (`ZMQ_XPUB_VERBOSER`) and has no send high-water
    /// mark (`ZMQ_SNDHWM` 0), so it drops nothing.
    ///
    /// Wraps `zmq_socket` (XPUB, ROUTER), `zmq_setsockopt` and `zmq_bind`
    /// ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind(ctx: &Context, updates: &str, sync: &str) -> Result<SyncPublisher> {
        refuse_multicast(updates)?;
        let publisher = XPub::new(ctx)?;
        publisher.set_xpub_verbose(true)?;
        // Also every unsubscription, those libzmq makes when a subscriber's connection
        // closes included: how `wait_for_departures` sees each subscriber leave.
        publisher.set_xpub_verboser(true)?;
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
            awaited: RefCell::new(HashSet::new()),
            arrived: RefCell::new(HashSet::new()),
            departed: RefCell::new(HashSet::new()),
            unsubscriptions: Cell::new(0),
        })
    }

    /// The endpoint the updates socket is bound to, as libzmq reports it
    /// (`ZMQ_LAST_ENDPOINT`): the one subscribers connect their SUB to.
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn updates_endpoint(&self) -> &str {
        &self.updates_endpoint
    }

    /// The endpoint the sync socket is bound to, as libzmq reports it
    /// (`ZMQ_LAST_ENDPOINT`): the one subscribers connect their REQ to.
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn sync_endpoint(&self) -> &str {
        &self.sync_endpoint
    }

    /// How many subscribers have sent their sync request so far (read by
    /// [`SyncPublisher::wait_for_subscribers`]). Calls nothing.
    pub fn synchronised(&self) -> usize {
        self.synced.borrow().len()
    }

    /// Waits until `n` subscribers in all have sent their sync request **and** their
    /// subscriptions have reached the publisher (each [`SyncSubscriber`]'s own sync token;
    /// for a guide's `syncsub`, as many subscriptions as announced, counted in all),
    /// answering each request as it comes; from then on every message sent reaches each of
    /// them. `timeout` bounds the whole wait (`None`: no limit): [`Error::TimedOut`] when
    /// it runs out (its detail says how far it got), [`Error::Terminated`] on the context's
    /// shutdown. `n` of 0 returns at once, having read nothing.
    ///
    /// Counts since the bind: a second call with a larger `n` waits for the new ones only.
    /// A subscriber's sync request counts once however often it is sent (a
    /// [`SyncSubscriber`] by its token; a guide's `syncsub` by its connection, so one that
    /// reconnects counts again, and so do its subscriptions). Subscribers beyond `n`
    /// whose requests arrive meanwhile are answered and counted, and waited for.
    ///
    /// A sync request is taken at its word: one whose subscriptions never come (a peer
    /// that sends a token and never subscribes, or announces more than it makes) holds
    /// the wait until `timeout`.
    ///
    /// Wraps `zmq_poll`, then `zmq_msg_recv` on both sockets and `zmq_msg_send` for each
    /// reply ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn wait_for_subscribers(&self, n: usize, timeout: Option<Duration>) -> Result<()> {
        self.pump(
            timeout,
            || {
                self.synchronised() >= n
                    && self.awaited.borrow().is_empty()
                    && self.subscriptions.get() >= self.announced.get()
            },
            || {
                format!(
                    "{} of {n} subscribers synchronised, {} of them still awaiting their \
                     subscriptions, {} of the {} subscriptions announced without a token \
                     arrived, within {timeout:?}",
                    self.synchronised(),
                    self.awaited.borrow().len(),
                    self.subscriptions.get(),
                    self.announced.get()
                )
            },
        )
    }

    /// Waits until every synchronised subscriber has left (its connection closed), keeping
    /// the updates socket open meanwhile; call it after the last message, before dropping
    /// the publisher. Closing a socket does not wait for everything sent to reach a peer
    /// that reads slowly: libzmq's linger covers the messages still queued in the socket,
    /// but the last batch already handed to the connection (up to 8 KiB of messages) is
    /// cut off when the socket closes. A subscriber that reads to the end and then leaves
    /// has had everything.
    ///
    /// Counts a [`SyncSubscriber`] by its token (which it keeps subscribed until it
    /// closes), a guide's `syncsub` by its subscriptions going away (the same count as
    /// they arrived). `timeout` bounds the wait (`None`: no limit): [`Error::TimedOut`]
    /// says how many are still connected; [`Error::Terminated`] on the context's shutdown.
    /// Sync requests that arrive meanwhile are answered and counted.
    ///
    /// Wraps `zmq_poll` and `zmq_msg_recv` on the updates socket, where libzmq reports
    /// each unsubscription (`ZMQ_XPUB_VERBOSER`)
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn wait_for_departures(&self, timeout: Option<Duration>) -> Result<()> {
        let tokens = || self.synced.borrow().iter().filter(|t| is_token(t)).count();
        self.pump(
            timeout,
            || {
                self.departed.borrow().len() >= tokens()
                    && self.unsubscriptions.get() >= self.announced.get()
            },
            || {
                format!(
                    "{} of {} synchronised subscribers still connected, {} of the {} \
                     subscriptions without a token still there, after {timeout:?}",
                    tokens().saturating_sub(self.departed.borrow().len()),
                    self.synchronised(),
                    self.announced
                        .get()
                        .saturating_sub(self.unsubscriptions.get()),
                    self.announced.get()
                )
            },
        )
    }

    /// Reads subscriptions and answers sync requests until `done`, at most `timeout` in
    /// all ([`Error::TimedOut`] with `describe`'s detail).
    fn pump(
        &self,
        timeout: Option<Duration>,
        done: impl Fn() -> bool,
        describe: impl Fn() -> String,
    ) -> Result<()> {
        let deadline = deadline(timeout);
        let mut poller = Poller::new();
        let subscriptions = poller.add(&self.updates, PollEvents::IN);
        let requests = poller.add(&self.sync, PollEvents::IN);
        loop {
            if done() {
                return Ok(());
            }
            let left = time_left(deadline, &describe)?;
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
                    self.count_request(&request);
                }
            }
        }
    }

    /// Counts a subscription: a sync token is awaited no more (or has arrived ahead of its
    /// request), any other subscription counts for the subscribers without a token; and an
    /// unsubscription: a synchronised subscriber's token has left, any other counts for
    /// the subscribers without a token. Anything else an XSUB peer sent is ignored.
    fn count_subscription(&self, message: Multipart) {
        let Ok(subscription) = Subscription::parse(message) else {
            return;
        };
        let topic = subscription.topic();
        if !subscription.is_subscribe() {
            if !is_token(topic) {
                self.unsubscriptions
                    .set(self.unsubscriptions.get().saturating_add(1));
            } else if self.synced.borrow().contains(topic) {
                self.departed.borrow_mut().insert(topic.to_vec());
            }
            return;
        }
        if is_token(topic) {
            if !self.awaited.borrow_mut().remove(topic) {
                self.arrived.borrow_mut().insert(topic.to_vec());
            }
        } else {
            self.subscriptions
                .set(self.subscriptions.get().saturating_add(1));
        }
    }

    /// Counts a sync request, once per subscriber: one with a token awaits it as a
    /// subscription (unless it came first); one without announces a number of
    /// subscriptions.
    fn count_request(&self, request: &crate::typed::Routed) {
        let last = request.body.last().map_or(&[][..], |frame| &frame[..]);
        if is_token(last) {
            if self.synced.borrow_mut().insert(last.to_vec())
                && !self.arrived.borrow_mut().remove(last)
            {
                self.awaited.borrow_mut().insert(last.to_vec());
            }
        } else if self
            .synced
            .borrow_mut()
            .insert(request.id.as_bytes().to_vec())
        {
            self.announced
                .set(self.announced.get().saturating_add(announced(last)));
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
    /// The sync request: the sync token (also subscribed to, last); without one (the
    /// greatest topic is too long to extend), empty for one subscription, else their number.
    request: Vec<u8>,
}

impl SyncSubscriber {
    /// Subscribes to `topics` (each a prefix of the messages to receive; `""` is every
    /// message; duplicates count once), then to its sync token (see [the module
    /// docs](self)), and connects to the publisher's updates socket at `updates` and its
    /// sync socket at `sync`. [`Error::InvalidArgument`] for no topic at all (such a
    /// subscriber would receive nothing); [`Error::TopicTooLong`] for a topic over
    /// [`MAX_TOPIC_LEN`]. (When the greatest topic is too long
    /// to extend into a token, the request says how many topics there are instead, as
    /// for a guide's `syncsub`.)
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
        refuse_multicast(updates)?;
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
        let token = sync_token(&distinct);
        if let Some(token) = &token {
            sub.subscribe(token)?;
        }
        let updates_peer = if updates.starts_with("inproc://") {
            None
        } else {
            Some(sub.monitor_handshakes()?)
        };
        sub.connect(updates)?;
        let req = ReqSlot::new(ctx)?;
        req.connect(sync)?;
        let request = match (token, distinct.len()) {
            (Some(token), _) => token,
            (None, 1) => Vec::new(),
            (None, more) => more.to_string().into_bytes(),
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
    /// returns, a [`SyncPublisher`] has counted this subscriber (the sync token stays
    /// subscribed until this subscriber closes: its departure tells the publisher that it
    /// has left). Calling it again sends a new request,
    /// which a publisher answers in its next [`SyncPublisher::wait_for_subscribers`] and
    /// does not count twice.
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
            req.send(self.request.as_slice())?;
        }
        match time_left(deadline, what)? {
            None => req.recv()?,
            Some(left) => req.recv_timeout(left)?,
        };
        // The token stays subscribed (it brings no message the greatest topic does not):
        // libzmq unsubscribes it when this subscriber closes, which tells the publisher
        // that it has left (`SyncPublisher::wait_for_departures`).
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

    /// The SUB socket, to receive, poll, or subscribe to more: a subscription made through
    /// it (before [`SyncSubscriber::sync`] or after) is not covered by the sync, which
    /// vouches only for the topics given to [`SyncSubscriber::connect`]. Calls nothing.
    pub fn subscriber(&self) -> &Sub {
        &self.sub
    }
}
