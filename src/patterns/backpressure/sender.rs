//! `CreditSender`: the producer's side of credit-based flow control.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::wire::{self, CREDIT, DATA, HELLO};
use crate::context::Context;
use crate::endpoint::ToEndpoint;
use crate::error::{Detail, Error, Result};
use crate::multipart::Multipart;
use crate::sendable::Sendable;
use crate::socket::SendError;
use crate::typed::Dealer;

/// How long a producer without credit waits before greeting again by default.
pub const DEFAULT_PROBE: Duration = Duration::from_secs(1);

/// The producer's side of credit-based flow control: a DEALER connected to a
/// [`super::CreditReceiver`], which sends only while it has credit, so it never has more
/// than the consumer's window in flight (sent, not yet taken by the consumer's
/// application).
///
/// [`send`](CreditSender::send) waits for credit, [`try_send`](CreditSender::try_send) hands
/// the message back when there is none, [`send_timeout`](CreditSender::send_timeout) waits
/// at most so long. While it has no credit, it greets the consumer again every
/// [`probe`](CreditSender::with_probe) (`[HELLO][sent]`), which recovers a lost grant, and
/// the credit of messages lost with a broken connection: the probe is counted across calls,
/// so a producer that only polls with `try_send`, or waits in `send_timeout`s shorter than
/// the probe, greets again too (from inside one of those calls, once a probe has passed).
#[derive(Debug)]
pub struct CreditSender {
    dealer: Dealer,
    /// Messages sent in all.
    sent: u64,
    /// The allowance granted: it may have sent this many in all.
    allowance: u64,
    /// The consumer's window, as it last said (0 before the first grant).
    window: u64,
    probe: Duration,
    /// When it last greeted while it had no credit (or, when credit had just run out, when
    /// it first saw so): the next greeting is due a probe later. `None` while it has credit.
    starved_since: Option<Instant>,
}

impl CreditSender {
    /// Connects a DEALER to the consumer at `endpoint` and greets it (`[HELLO][0]`). The
    /// DEALER gets a routing id of its own, so that the consumer knows it again after a
    /// reconnection. Credit comes when the consumer reads the greeting.
    ///
    /// Wraps `zmq_socket`, `zmq_setsockopt` (`ZMQ_ROUTING_ID`), `zmq_connect` and
    /// `zmq_msg_send` ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    pub fn connect(ctx: &Context, endpoint: impl ToEndpoint) -> Result<CreditSender> {
        CreditSender::connect_dealer(Dealer::new(ctx)?, endpoint)
    }

    /// As [`CreditSender::connect`], on a DEALER made by the caller: to set the options a
    /// connection takes when it is made (security keys, `ZMQ_SNDHWM`...). Its routing id is
    /// replaced by one of the producer's own (a consumer knows a producer by it).
    ///
    /// Wraps `zmq_setsockopt` (`ZMQ_ROUTING_ID`), `zmq_connect` and `zmq_msg_send`
    /// ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    pub fn connect_dealer(dealer: Dealer, endpoint: impl ToEndpoint) -> Result<CreditSender> {
        dealer.set_routing_id(unique_id().as_bytes())?;
        dealer.connect(endpoint)?;
        let sender = CreditSender {
            dealer,
            sent: 0,
            allowance: 0,
            window: 0,
            probe: DEFAULT_PROBE,
            starved_since: Some(Instant::now()),
        };
        sender.greet()?;
        Ok(sender)
    }

    /// Greets again after `probe` without credit ([`DEFAULT_PROBE`] unless set; at least
    /// 1 ms).
    pub fn with_probe(mut self, probe: Duration) -> CreditSender {
        self.probe = probe.max(Duration::from_millis(1));
        self
    }

    /// Messages it may send now, as far as it knows (the grants read so far).
    pub fn credit(&self) -> u64 {
        self.allowance.saturating_sub(self.sent)
    }

    /// Messages sent and not yet taken by the consumer's application, as far as it knows:
    /// never more than the window.
    pub fn in_flight(&self) -> u64 {
        self.sent
            .saturating_sub(self.allowance.saturating_sub(self.window))
    }

    /// Messages sent in all.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    /// The consumer's window, as it last said (0 before its first grant).
    pub fn window(&self) -> u64 {
        self.window
    }

    /// The DEALER, for its options.
    pub fn socket(&self) -> &Dealer {
        &self.dealer
    }

    /// Sends `msg` (a frame or a whole message), waiting for credit as long as it takes,
    /// then for room in the DEALER's queue (up to its send timeout).
    /// A message of no frame is [`Error::EmptyMessage`], as on any socket.
    ///
    /// Wraps `zmq_msg_recv` for the grants and `zmq_msg_send`
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send(&mut self, msg: impl Sendable) -> Result<(), SendError> {
        self.send_until(msg.into_multipart(), None)
    }

    /// Sends `msg`, waiting at most `timeout` for credit and room in all
    /// ([`Error::TimedOut`], with the message handed back).
    ///
    /// Wraps `zmq_msg_recv` for the grants and `zmq_msg_send`
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_timeout(&mut self, msg: impl Sendable, timeout: Duration) -> Result<(), SendError> {
        self.send_until(msg.into_multipart(), Instant::now().checked_add(timeout))
    }

    /// Sends `msg` if it can now: `Ok(Some(message))`, handed back unchanged, when there is
    /// no credit (or no room in the DEALER's queue).
    ///
    /// Wraps `zmq_msg_recv` for the grants and `zmq_msg_send` with `ZMQ_DONTWAIT`
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn try_send(&mut self, msg: impl Sendable) -> Result<Option<Multipart>, SendError> {
        let payload = msg.into_multipart();
        if payload.is_empty() {
            return Err(SendError::new(Error::EmptyMessage, payload));
        }
        if let Err(e) = self.read_grants() {
            return Err(SendError::new(e, payload));
        }
        if self.credit() == 0 {
            if let Err(e) = self.probe_due() {
                return Err(SendError::new(e, payload));
            }
            return Ok(Some(payload));
        }
        match self.dealer.try_send(framed(&payload)) {
            Ok(None) => {
                self.sent += 1;
                Ok(None)
            }
            Ok(Some(_)) => Ok(Some(payload)),
            Err(e) => Err(SendError::new(e.into_error(), payload)),
        }
    }

    fn send_until(
        &mut self,
        payload: Multipart,
        deadline: Option<Instant>,
    ) -> Result<(), SendError> {
        // `[DATA]` alone is not a message of the protocol: it would use credit that never
        // comes back.
        if payload.is_empty() {
            return Err(SendError::new(Error::EmptyMessage, payload));
        }
        if let Err(e) = self.wait_for_credit(deadline) {
            return Err(SendError::new(e, payload));
        }
        let sent = match deadline {
            None => self.dealer.send(framed(&payload)),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.dealer.send_timeout(framed(&payload), left)
            }
        };
        match sent {
            Ok(()) => {
                self.sent += 1;
                Ok(())
            }
            Err(e) => Err(SendError::new(e.into_error(), payload)),
        }
    }

    /// Waits until there is credit, greeting again every probe.
    fn wait_for_credit(&mut self, deadline: Option<Instant>) -> Result<()> {
        self.read_grants()?;
        while self.credit() == 0 {
            let next_probe = self.probe_due()?;
            let now = Instant::now();
            let left = deadline.map(|d| d.saturating_duration_since(now));
            if left.is_some_and(|l| l.is_zero()) {
                return Err(Error::TimedOut(Detail::new(format!(
                    "credit from the consumer ({} sent, allowance {})",
                    self.sent, self.allowance
                ))));
            }
            let until_probe = next_probe.map(|p| p.saturating_duration_since(now));
            let wait = match (left, until_probe) {
                (Some(l), Some(p)) => Some(l.min(p)),
                (l, p) => l.or(p),
            };
            let grant = match wait {
                Some(wait) => self.dealer.recv_timeout(wait),
                None => self.dealer.recv(),
            };
            match grant {
                Ok(message) => self.read_grant(&message),
                Err(e) if e.is_timeout() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Without credit: greets again when a probe has passed since it last greeted (or since
    /// it found itself without credit), whichever call it is in (`send`, `send_timeout`,
    /// `try_send`), so a producer that only polls recovers a lost grant too. When the next
    /// greeting is due (`None`: never, the probe is too long to count).
    fn probe_due(&mut self) -> Result<Option<Instant>> {
        let now = Instant::now();
        let since = *self.starved_since.get_or_insert(now);
        if now.saturating_duration_since(since) >= self.probe {
            self.greet()?;
            self.starved_since = Some(now);
            return Ok(now.checked_add(self.probe));
        }
        Ok(since.checked_add(self.probe))
    }

    /// Reads every grant waiting, without blocking.
    fn read_grants(&mut self) -> Result<()> {
        while let Some(message) = self.dealer.try_recv()? {
            self.read_grant(&message);
        }
        Ok(())
    }

    /// A grant `[CREDIT][allowance][window]` (anything else is ignored). Allowances only
    /// grow: an old grant arriving late changes nothing.
    fn read_grant(&mut self, message: &Multipart) {
        if message.len() != 3 || !wire::is(message, CREDIT) {
            return;
        }
        let (Some(allowance), Some(window)) = (
            wire::parse_number(&message[1]),
            wire::parse_number(&message[2]),
        ) else {
            return;
        };
        if allowance > self.allowance {
            self.allowance = allowance;
            self.starved_since = None;
        }
        self.window = window;
    }

    /// `[HELLO][sent]`, without waiting (a greeting that cannot be queued now is sent at
    /// the next probe).
    fn greet(&self) -> Result<()> {
        let hello = [HELLO.into(), wire::number_frame(self.sent)];
        match self.dealer.try_send(hello) {
            Ok(_) => Ok(()),
            Err(e) => Err(e.into_error()),
        }
    }
}

/// `[DATA][payload...]`, sharing the payload's frames (no copy of their bytes).
fn framed(payload: &Multipart) -> Multipart {
    let mut frames = payload.clone();
    frames.push_front(DATA);
    frames
}

/// A routing id no other producer has: this process, a counter, and the time.
fn unique_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("credit-{}-{n}-{nanos:x}", std::process::id())
}
