//! The subscribing side: [`SyncSubscriber`].

use std::cell::RefCell;
use std::collections::HashSet;
use std::time::Duration;

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::monitor::Monitor;
use crate::multipart::Multipart;
use crate::typed::{ReqSlot, Sub};

use super::super::time_left;
use super::{deadline, describe_timeout, is_token, refuse_multicast, sync_token};

/// The subscribing side: a SUB that connects for updates, a REQ that connects for the sync
/// request. See [the module docs](super).
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
    /// docs](super)), and connects to the publisher's updates socket at `updates` and its
    /// sync socket at `sync`. [`Error::InvalidArgument`] for no topic at all (such a
    /// subscriber would receive nothing), for a topic that holds
    /// [`SYNC_TOKEN_MARK`](super::SYNC_TOKEN_MARK) (the publisher would take it for a
    /// token) and for a multicast endpoint; [`Error::TopicTooLong`] for a topic over
    /// [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN). (When the greatest topic is too long
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
        if distinct.iter().any(|topic| is_token(topic)) {
            return Err(Error::InvalidArgument(Detail::new(
                "a sync subscriber's topic cannot hold SYNC_TOKEN_MARK: the publisher would \
                 take its subscription for a sync token",
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
    /// returns, a [`SyncPublisher`](super::SyncPublisher) has counted this subscriber (the sync token stays
    /// subscribed until this subscriber closes: its departure tells the publisher that it
    /// has left). Calling it again sends a new request,
    /// which a publisher answers in its next [`SyncPublisher::wait_for_subscribers`](super::SyncPublisher::wait_for_subscribers) and
    /// does not count twice.
    ///
    /// [`Error::TimedOut`] when the time runs out: calling `sync` again goes on waiting for
    /// the same reply (the request is not sent twice; a connection that broke with the
    /// request on it loses it, and the reply with it: then only a new subscriber helps).
    /// [`Error::Terminated`] on the context's shutdown.
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` on the REQ socket
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn sync(&self, timeout: Option<Duration>) -> Result<()> {
        let deadline = deadline(timeout);
        let what = || {
            format!(
                "no reply to the sync request within {}",
                describe_timeout(timeout)
            )
        };
        if let Some(updates) = &self.updates_peer {
            let left = time_left(deadline, what)?;
            updates.wait_for_handshakes(1, left.unwrap_or(Duration::MAX))?;
        }
        let mut req = self.sync.borrow_mut();
        if req.is_ready() {
            req.send(self.request.as_slice())?;
        }
        let reply = match time_left(deadline, what)? {
            None => req.recv(),
            Some(left) => req.recv_timeout(left),
        };
        match reply {
            Err(e) if e.is_timeout() => return Err(Error::TimedOut(Detail::new(what()))),
            other => other?,
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
