//! The publishing side: [`SyncPublisher`].

use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::time::Duration;

use crate::context::Context;
use crate::error::Result;
use crate::message::Message;
use crate::multipart::Multipart;
use crate::options::PollEvents;
use crate::poll::Poller;
use crate::sendable::Sendable;
use crate::typed::{Router, Subscription, XPub};

use super::super::time_left;
use super::{announced, deadline, describe_timeout, is_token, refuse_multicast};

/// The publishing side: an XPUB that binds for updates and counts the subscriptions, a
/// ROUTER that binds for the sync requests. See [the module docs](super).
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
    /// subscriptions have reached the publisher (each [`SyncSubscriber`](super::SyncSubscriber)'s own sync token;
    /// for a guide's `syncsub`, as many subscriptions as announced, counted in all),
    /// answering each request as it comes; from then on every message sent reaches each of
    /// them. `timeout` bounds the whole wait (`None`: no limit): [`Error::TimedOut`](crate::Error::TimedOut) when
    /// it runs out (its detail says how far it got), [`Error::Terminated`](crate::Error::Terminated) on the context's
    /// shutdown. `n` of 0 returns at once, having read nothing.
    ///
    /// Counts since the bind: a second call with a larger `n` waits for the new ones only.
    /// A subscriber's sync request counts once however often it is sent (a
    /// [`SyncSubscriber`](super::SyncSubscriber) by its token; a guide's `syncsub` by its connection, so one that
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
                     arrived, within {}",
                    self.synchronised(),
                    self.awaited.borrow().len(),
                    self.subscriptions.get(),
                    self.announced.get(),
                    describe_timeout(timeout)
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
    /// Counts a [`SyncSubscriber`](super::SyncSubscriber) by its token (which it keeps subscribed until it
    /// closes), a guide's `syncsub` by its subscriptions going away (the same count as
    /// they arrived). `timeout` bounds the wait (`None`: no limit): [`Error::TimedOut`](crate::Error::TimedOut)
    /// says how many are still connected; [`Error::Terminated`](crate::Error::Terminated) on the context's shutdown.
    /// Sync requests that arrive meanwhile are answered and counted.
    ///
    /// Wraps `zmq_poll` and `zmq_msg_recv` on the updates socket, where libzmq reports
    /// each unsubscription (`ZMQ_XPUB_VERBOSER`)
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn wait_for_departures(&self, timeout: Option<Duration>) -> Result<()> {
        // The synchronised subscribers with a token that are still connected.
        let connected = || {
            let departed = self.departed.borrow();
            self.synced
                .borrow()
                .iter()
                .filter(|t| is_token(t) && !departed.contains(*t))
                .count()
        };
        let with_token = || self.synced.borrow().iter().filter(|t| is_token(t)).count();
        self.pump(
            timeout,
            || connected() == 0 && self.unsubscriptions.get() >= self.announced.get(),
            || {
                format!(
                    "{} of the {} synchronised subscribers with a token still connected, {} of \
                     the {} subscriptions of those without one still there, after {}",
                    connected(),
                    with_token(),
                    self.announced
                        .get()
                        .saturating_sub(self.unsubscriptions.get()),
                    self.announced.get(),
                    describe_timeout(timeout)
                )
            },
        )
    }

    /// Reads subscriptions and answers sync requests until `done`, at most `timeout` in
    /// all ([`Error::TimedOut`](crate::Error::TimedOut) with `describe`'s detail).
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
            if is_token(topic) {
                // Whether or not its request was read yet: a subscriber can leave before.
                self.departed.borrow_mut().insert(topic.to_vec());
            } else {
                self.unsubscriptions
                    .set(self.unsubscriptions.get().saturating_add(1));
            }
            return;
        }
        if is_token(topic) {
            // Subscribed again: a subscriber whose connection came back is here again.
            self.departed.borrow_mut().remove(topic);
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
