//! `CreditReceiver`: the consumer's side of credit-based flow control.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::wire::{self, CREDIT, DATA, HELLO};
use crate::context::Context;
use crate::endpoint::{Endpoint, ToEndpoint};
use crate::error::{Detail, Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::typed::{Routed, Router, RoutingId};

/// The most producers a [`CreditReceiver`] keeps by default.
pub const DEFAULT_MAX_PRODUCERS: usize = 1024;

/// The most wire messages one [`CreditReceiver::service`] call reads.
pub const SERVICE_BURST: usize = 1024;

/// What a [`CreditReceiver`] counted since it was bound.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CreditStats {
    /// Producers known (each said `HELLO`).
    pub producers: usize,
    /// Messages received within their producer's credit.
    pub received: u64,
    /// Messages handed to the application.
    pub taken: u64,
    /// Messages received beyond their producer's credit (or from a producer that never
    /// said `HELLO`): dropped.
    pub excess: u64,
    /// Messages a producer said it sent that never came (lost with a connection): their
    /// credit is given back.
    pub lost: u64,
    /// Greetings of new producers refused because [`CreditReceiver::with_max_producers`]
    /// producers are known already (and none of them could be forgotten).
    pub refused: u64,
    /// Producers forgotten to make room for new ones: gone (no connection left) with
    /// nothing waiting to be taken.
    pub forgotten: u64,
    /// Messages that are not of the protocol: dropped.
    pub malformed: u64,
}

/// One producer's books.
#[derive(Debug, Default)]
struct Producer {
    /// Messages received from it within its credit, plus those it said were lost.
    received: u64,
    /// Of those, taken by the application (or lost).
    taken: u64,
    /// The allowance last granted: it may have sent this many messages in all.
    granted: u64,
}

/// The consumer's side of credit-based flow control: a ROUTER that grants each producer
/// ([`super::CreditSender`]) `window` messages, and grants one more for each message the
/// application takes. So each producer has at most `window` messages in flight (sent, not
/// yet taken), whatever the speeds; the module docs give the wire format.
///
/// Memory: at most `max_producers` producers, and of each producer that follows the
/// protocol at most `window` messages (in libzmq's queues and this receiver's). A producer
/// that sends beyond its credit has the excess dropped and counted
/// ([`CreditStats::excess`]), so this receiver's own queue never holds more than `window`
/// of its messages; but what it sends sits in libzmq's receive queue until it is read and
/// dropped, up to `ZMQ_RCVHWM` messages per connection (and any peer may connect, greeting
/// or not): against untrusted peers, set the ROUTER's receive mark and `ZMQ_MAXMSGSIZE`
/// before it binds ([`CreditReceiver::bind_router`]), and keep reading. One more producer than the cap is
/// refused ([`CreditStats::refused`]) while every known producer is still connected.
///
/// Credit is given back as messages are taken, so a consumer that does not call
/// [`recv`](CreditReceiver::recv) stops its producers, which is the point. It answers
/// greetings only while it reads, too: [`CreditReceiver::service`] and
/// [`CreditReceiver::wait_for_producers`] read the wire without taking messages.
#[derive(Debug)]
pub struct CreditReceiver {
    router: Router,
    endpoint: Endpoint,
    window: u64,
    batch: u64,
    max_producers: usize,
    producers: HashMap<RoutingId, Producer>,
    ready: VecDeque<Routed>,
    stats: CreditStats,
    /// Which known producer [`CreditReceiver::forget_one_gone`] looks at next.
    forget_turn: usize,
}

impl CreditReceiver {
    /// Binds a ROUTER on `endpoint`, granting each producer `window` messages (0 is
    /// [`Error::InvalidArgument`]). The ROUTER hands a producer's routing id over to its new
    /// connection when it reconnects (`ZMQ_ROUTER_HANDOVER`), so its credit follows it.
    ///
    /// Wraps `zmq_socket`, `zmq_setsockopt` (`ZMQ_ROUTER_HANDOVER`) and `zmq_bind`
    /// ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind(ctx: &Context, endpoint: impl ToEndpoint, window: usize) -> Result<CreditReceiver> {
        CreditReceiver::bind_router(Router::new(ctx)?, endpoint, window)
    }

    /// As [`CreditReceiver::bind`], on a ROUTER made by the caller: to set the options that
    /// a listening socket's connections take when it binds (`ZMQ_RCVHWM`,
    /// `ZMQ_MAXMSGSIZE`, security...), which setting them on [`CreditReceiver::socket`]
    /// afterwards would not change. `ZMQ_ROUTER_HANDOVER` and `ZMQ_ROUTER_MANDATORY` are
    /// set on it here.
    ///
    /// ```
    /// use zmq_typed::patterns::backpressure::CreditReceiver;
    /// use zmq_typed::{Context, Router};
    ///
    /// let ctx = Context::new()?;
    /// let router = Router::new(&ctx)?;
    /// router.set_max_msg_size(Some(64 * 1024))?;   // a larger frame disconnects its peer
    /// router.set_rcvhwm(Some(64))?;
    /// let consumer = CreditReceiver::bind_router(router, "tcp://127.0.0.1:*", 16)?;
    /// assert_eq!(consumer.socket().max_msg_size()?, Some(64 * 1024));
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    ///
    /// Wraps `zmq_setsockopt` (`ZMQ_ROUTER_HANDOVER`, `ZMQ_ROUTER_MANDATORY`) and
    /// `zmq_bind` ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)).
    pub fn bind_router(
        router: Router,
        endpoint: impl ToEndpoint,
        window: usize,
    ) -> Result<CreditReceiver> {
        if window == 0 {
            return Err(Error::InvalidArgument(Detail::new(
                "a credit window of 0 messages: no producer could ever send",
            )));
        }
        router.set_router_handover(true)?;
        // Grants to a full producer are handed back (EAGAIN) rather than dropped, which
        // changes nothing here; a grant to a producer with no connection left fails
        // (EHOSTUNREACH), which tells when a producer is gone.
        router.set_router_mandatory(true)?;
        let endpoint = router.bind(endpoint)?;
        Ok(CreditReceiver {
            router,
            endpoint,
            window: window as u64,
            batch: 1,
            max_producers: DEFAULT_MAX_PRODUCERS,
            producers: HashMap::new(),
            ready: VecDeque::new(),
            stats: CreditStats::default(),
            forget_turn: 0,
        })
    }

    /// Grants credit back in batches of `batch` messages taken (1 by default: after every
    /// message; clamped to 1..=window). Larger batches send fewer grants; a producer then
    /// sees its credit come back in steps.
    pub fn with_batch(mut self, batch: usize) -> CreditReceiver {
        self.batch = (batch as u64).clamp(1, self.window);
        self
    }

    /// Keeps at most `max` producers ([`DEFAULT_MAX_PRODUCERS`] unless set; at least 1). At
    /// the cap, a producer that is gone is forgotten to make room for a new one (see
    /// [`CreditStats::forgotten`]).
    pub fn with_max_producers(mut self, max: usize) -> CreditReceiver {
        self.max_producers = max.max(1);
        self
    }

    /// Where it is bound (the port chosen, for `tcp://...:*`).
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// The window each producer is granted.
    pub fn window(&self) -> usize {
        self.window as usize
    }

    /// The counts so far.
    pub fn stats(&self) -> CreditStats {
        CreditStats {
            producers: self.producers.len(),
            ..self.stats
        }
    }

    /// Messages read from the wire and not taken yet.
    pub fn queued(&self) -> usize {
        self.ready.len()
    }

    /// The ROUTER, for its options.
    pub fn socket(&self) -> &Router {
        &self.router
    }

    /// The next message, in the order they were read, with the routing id of its producer
    /// (the body is the payload the producer sent); blocks until one comes (or the
    /// ROUTER's receive timeout runs out). Taking it grants its producer credit back.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// and `zmq_msg_send` for the grants.
    pub fn recv(&mut self) -> Result<Routed> {
        self.recv_until(None)
    }

    /// As [`CreditReceiver::recv`], waiting at most `timeout` ([`Error::TimedOut`]). A zero
    /// timeout still reads a message already waiting.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// with `ZMQ_RCVTIMEO` set to the time left while it waits.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Routed> {
        self.recv_until(Instant::now().checked_add(timeout))
    }

    fn recv_until(&mut self, deadline: Option<Instant>) -> Result<Routed> {
        let mut first_read = true;
        loop {
            if let Some(message) = self.ready.pop_front() {
                self.taken(&message.id);
                return Ok(message);
            }
            let message =
                match super::super::time_left(deadline, || "a credited message".to_string()) {
                    Ok(Some(left)) => self.router.recv_timeout(left)?,
                    Ok(None) => self.router.recv()?,
                    // Out of time (a zero timeout): what is there already is still read, once.
                    Err(timed_out) if first_read => match self.router.try_recv()? {
                        Some(message) => message,
                        None => return Err(timed_out),
                    },
                    Err(timed_out) => return Err(timed_out),
                };
            first_read = false;
            self.handle(message)?;
        }
    }

    /// Reads what the wire has (waiting up to `timeout` for the first message) without
    /// handing anything to the application: greetings are answered, messages queued.
    /// How many wire messages were read (0 when none came in time): at most
    /// [`SERVICE_BURST`] per call, so that peers that never stop sending cannot keep it
    /// reading.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn service(&mut self, timeout: Duration) -> Result<usize> {
        let first = match self.router.recv_timeout(timeout) {
            Ok(message) => message,
            Err(e) if e.is_timeout() => return Ok(0),
            Err(e) => return Err(e),
        };
        self.handle(first)?;
        let mut read = 1;
        while read < SERVICE_BURST {
            let Some(message) = self.router.try_recv()? else {
                break;
            };
            self.handle(message)?;
            read += 1;
        }
        Ok(read)
    }

    /// Reads the wire (as [`CreditReceiver::service`]) until `n` producers are known, for
    /// at most `timeout` ([`Error::TimedOut`]).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// and `zmq_msg_send` for the grants.
    pub fn wait_for_producers(&mut self, n: usize, timeout: Duration) -> Result<()> {
        let deadline = Instant::now().checked_add(timeout);
        while self.producers.len() < n {
            let left = super::super::time_left(deadline, || {
                format!("{n} credit producers (have {})", self.producers.len())
            })?;
            self.service(left.unwrap_or(Duration::MAX))?;
        }
        Ok(())
    }

    /// One message from the wire.
    fn handle(&mut self, message: Routed) -> Result<()> {
        let Routed { id, body } = message;
        if wire::is(&body, HELLO) {
            match body.get(1).and_then(wire::parse_number) {
                Some(sent) if body.len() == 2 => self.hello(id, sent),
                _ => {
                    self.stats.malformed += 1;
                    Ok(())
                }
            }
        } else if wire::is(&body, DATA) && body.len() >= 2 {
            self.data(id, body);
            Ok(())
        } else {
            self.stats.malformed += 1;
            Ok(())
        }
    }

    /// A greeting: `sent` is how many messages the producer has sent in all.
    fn hello(&mut self, id: RoutingId, sent: u64) -> Result<()> {
        if !self.producers.contains_key(&id)
            && self.producers.len() >= self.max_producers
            && !self.forget_one_gone()?
        {
            self.stats.refused += 1;
            return Ok(());
        }
        let producer = self.producers.entry(id.clone()).or_default();
        // Messages sent before this greeting came on the same connection, and so have come
        // already: those that have not were lost with an older connection.
        if sent > producer.received {
            let lost = sent - producer.received;
            producer.received = sent;
            producer.taken = producer.taken.saturating_add(lost);
            self.stats.lost = self.stats.lost.saturating_add(lost);
        }
        self.grant(&id, true)
    }

    /// At the cap, makes room for a new producer: looks at one known producer (the next in
    /// turn), and forgets it when it has nothing waiting to be taken and the ROUTER no longer
    /// has a connection with its routing id (its grant, sent again as a probe, is
    /// `EHOSTUNREACH`). One look per refused greeting, so a flood of greetings costs one
    /// grant each, as any greeting does. Whether one was forgotten.
    fn forget_one_gone(&mut self) -> Result<bool> {
        if self.producers.is_empty() {
            return Ok(false);
        }
        let turn = self.forget_turn % self.producers.len();
        self.forget_turn = self.forget_turn.wrapping_add(1);
        let Some((id, producer)) = self.producers.iter().nth(turn) else {
            return Ok(false);
        };
        if producer.received > producer.taken {
            return Ok(false);
        }
        let probe = [
            Message::from_slice(id.as_bytes()),
            CREDIT.into(),
            wire::number_frame(producer.granted),
            wire::number_frame(self.window),
        ];
        let id = id.clone();
        match self.router.try_send(probe) {
            Err(e) if e.error().is_host_unreachable() => {
                self.producers.remove(&id);
                self.stats.forgotten += 1;
                Ok(true)
            }
            Err(e) if e.error().is_terminated() => Err(e.into_error()),
            _ => Ok(false),
        }
    }

    fn data(&mut self, id: RoutingId, mut body: Multipart) {
        let Some(producer) = self.producers.get_mut(&id) else {
            self.stats.excess += 1;
            return;
        };
        if producer.received >= producer.granted {
            self.stats.excess += 1;
            return;
        }
        producer.received += 1;
        self.stats.received += 1;
        body.pop_front();
        self.ready.push_back(Routed { id, body });
    }

    /// The application took a message of `id`: credit back, in batches. The message is
    /// handed on whatever happens to the grant: a grant that fails because the context is
    /// shutting down is reported by the next receive.
    fn taken(&mut self, id: &RoutingId) {
        self.stats.taken += 1;
        if let Some(producer) = self.producers.get_mut(id) {
            producer.taken += 1;
        }
        let _ = self.grant(id, false);
    }

    /// Sends `id` its allowance, when it has grown by a batch (or always, with `force`).
    /// A grant that cannot be queued is dropped: the next one supersedes it, and a
    /// producer left without credit greets again.
    fn grant(&mut self, id: &RoutingId, force: bool) -> Result<()> {
        let Some(producer) = self.producers.get_mut(id) else {
            return Ok(());
        };
        let allowance = producer.taken.saturating_add(self.window);
        if !force && allowance < producer.granted.saturating_add(self.batch) {
            return Ok(());
        }
        producer.granted = allowance;
        let grant = [
            Message::from_slice(id.as_bytes()),
            CREDIT.into(),
            wire::number_frame(allowance),
            wire::number_frame(self.window),
        ];
        match self.router.try_send(grant) {
            Ok(_) => Ok(()),
            Err(e) if e.error().is_terminated() => Err(e.into_error()),
            Err(_) => Ok(()),
        }
    }
}
