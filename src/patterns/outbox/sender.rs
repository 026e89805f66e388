//! [`DurableSender`]: journal first, then send; done only on the receiver's ACK
//! (feature `durable`).

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::patterns::ordering::Envelope;
use crate::typed::Dealer;

use super::ack::parse_ack;
use super::journal::Journal;

/// The most messages from the receiver taken in one batch of ACKs (one transaction).
const MAX_ACK_BATCH: usize = 1024;

/// How a [`DurableSender`] paces itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SenderSettings {
    /// The most messages unacknowledged at once (journalled and not yet ACKed):
    /// [`DurableSender::send`] waits for an ACK when there are this many. At least 1.
    pub window: usize,
    /// How long a message waits for its ACK before it is sent again: more than zero
    /// (`Duration::MAX`: never again in this process, only after a restart).
    pub resend_after: Duration,
}

impl Default for SenderSettings {
    /// A window of 64 messages, re-sent after 1 second without an ACK.
    fn default() -> SenderSettings {
        SenderSettings {
            window: 64,
            resend_after: Duration::from_secs(1),
        }
    }
}

/// What a [`DurableSender`] just did, for a log ([`DurableSender::on_event`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SenderEvent {
    /// Message `seq` was handed to the socket, for the first time in this process.
    Sent {
        /// Its number.
        seq: u64,
    },
    /// Message `seq` was handed to the socket again: no ACK came in time.
    Resent {
        /// Its number.
        seq: u64,
    },
    /// Message `seq` was ACKed and is done (deleted from the journal).
    Acked {
        /// Its number.
        seq: u64,
    },
    /// A message from the receiver that is not an ACK: ignored.
    BadAck {
        /// Why.
        reason: String,
    },
}

/// Counts of what a [`DurableSender`] did in this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SenderStats {
    /// Messages sent for the first time in this process (after a restart, the journal's
    /// unacknowledged messages count here once).
    pub sent: u64,
    /// Messages sent again after no ACK came in time.
    pub resent: u64,
    /// ACKs that marked a message done.
    pub acked: u64,
    /// ACKs for messages already done (or never journalled), and messages that were not
    /// ACKs: ignored.
    pub ignored: u64,
}

/// The hook [`DurableSender::on_event`] installs.
type EventHook = Box<dyn FnMut(&SenderEvent) + Send>;

/// A message sent (or to send) and not yet ACKed: its envelope, and when it was last sent.
struct Flight {
    frame: Vec<u8>,
    sent_at: Option<Instant>,
}

/// The durable outbox's sender: every message is written to the [`Journal`] before it is
/// sent, as an [`Envelope`] over a DEALER connected to a
/// [`DedupReceiver`](super::DedupReceiver), and is done only when its ACK comes. Made on a
/// journal that holds unacknowledged messages (after a crash), it sends those first. See
/// [the module docs](super).
pub struct DurableSender {
    dealer: Dealer,
    journal: Journal,
    settings: SenderSettings,
    /// Messages handed out in this process (or about to be) and not yet ACKed.
    flights: BTreeMap<u64, Flight>,
    /// The highest number taken from the journal into `flights`.
    cursor: u64,
    /// Messages in the journal not yet ACKed.
    pending: u64,
    stats: SenderStats,
    on_event: Option<EventHook>,
}

impl fmt::Debug for DurableSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DurableSender")
            .field("journal", &self.journal)
            .field("settings", &self.settings)
            .field("in_flight", &self.flights.len())
            .field("pending", &self.pending)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl DurableSender {
    /// Connects a DEALER to `endpoint` (where the receiver binds) and takes `journal`: its
    /// unacknowledged messages, if any, are the first to go, at the first
    /// [`DurableSender::send`] or [`DurableSender::wait_all_acked`]. A window of 0, or a
    /// `resend_after` of 0, is [`Error::OptionValue`].
    ///
    /// Wraps `zmq_socket` and `zmq_connect` ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    pub fn connect(
        ctx: &Context,
        endpoint: &str,
        journal: Journal,
        settings: SenderSettings,
    ) -> Result<DurableSender> {
        if settings.window == 0 {
            return Err(Error::OptionValue {
                option: "SenderSettings::window",
                reason: "the window must be at least 1 message".into(),
            });
        }
        if settings.resend_after.is_zero() {
            return Err(Error::OptionValue {
                option: "SenderSettings::resend_after",
                reason: "0 would send the whole window again at every turn, without a pause".into(),
            });
        }
        let pending = journal.pending()?;
        let dealer = Dealer::new(ctx)?;
        // Every message queued is in the journal too: closing need not wait for any.
        dealer.set_linger(Some(Duration::ZERO))?;
        dealer.connect(endpoint)?;
        // Nothing is sent yet: the journal's messages go at the first `send` or
        // `wait_all_acked`, once the caller has had the chance to install its hook.
        Ok(DurableSender {
            dealer,
            journal,
            settings,
            flights: BTreeMap::new(),
            cursor: 0,
            pending,
            stats: SenderStats::default(),
            on_event: None,
        })
    }

    /// Calls `hook` for everything the sender does from now on (sent, re-sent, ACKed, a bad
    /// ACK): for a log.
    pub fn on_event(&mut self, hook: impl FnMut(&SenderEvent) + Send + 'static) {
        self.on_event = Some(Box::new(hook));
    }

    /// Journals `data` (as JSON) as the next message, then sends it as
    /// `{"seq":<n>,"data":<data>}`; returns its number. When the window is full it first
    /// waits for ACKs (re-sending what waits too long), for ever if no ACK comes: the
    /// context's shutdown (Ctrl-C) ends the wait ([`Error::is_terminated`]). `Ok` means the
    /// message is on disk: it is sent, again after a restart if need be, until it is ACKed
    /// (a failure of the socket after the journal took it is not this call's error: the
    /// message waits in the journal, and the next call reports the failure, before it
    /// journals anything). `Err` means it was not journalled, and may be given again.
    ///
    /// Wraps `zmq_msg_send` (without waiting) and `zmq_msg_recv` for ACKs
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<u64> {
        let payload = serde_json::to_vec(data)
            .map_err(|e| Error::Malformed(format!("the message cannot be written as JSON: {e}")))?;
        // A look at the socket first, so that a failure met after the last message was
        // journalled is reported here, before another is.
        self.pump(Some(Duration::ZERO))?;
        while self.pending >= self.settings.window as u64 {
            self.pump(None)?;
        }
        let seq = self.journal.append(&payload)?;
        self.pending += 1;
        // From here on the message is the journal's: `Err` would tell the caller it was not
        // taken, and a caller that tries again would journal it twice, under two numbers.
        // A failure to send it now (the context's shutdown, a full disk while recording an
        // ACK) leaves it to be sent later, and the next call meets the same failure.
        let _ = self.pump(Some(Duration::ZERO));
        Ok(seq)
    }

    /// Waits until every journalled message is ACKed, re-sending what waits too long, at
    /// most `timeout` (`None`: no limit; [`Error::TimedOut`] after).
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn wait_all_acked(&mut self, timeout: Option<Duration>) -> Result<()> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        while self.pending > 0 {
            let left = match deadline {
                None => None,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Error::TimedOut(Detail::new(format!(
                            "waiting for the ACKs of {} message(s)",
                            self.pending
                        ))));
                    }
                    Some(left)
                }
            };
            self.pump(left)?;
        }
        Ok(())
    }

    /// Messages journalled and not yet ACKed.
    pub fn pending(&self) -> u64 {
        self.pending
    }

    /// Messages handed to the socket in this process and not yet ACKed.
    pub fn in_flight(&self) -> usize {
        self.flights
            .values()
            .filter(|f| f.sent_at.is_some())
            .count()
    }

    /// What the sender did so far.
    pub fn stats(&self) -> SenderStats {
        self.stats
    }

    /// The journal.
    pub fn journal(&self) -> &Journal {
        &self.journal
    }

    /// The DEALER, for options.
    pub fn socket(&self) -> &Dealer {
        &self.dealer
    }

    /// Closes the socket (at once: its linger is 0, as every message it holds is in the
    /// journal) and gives the journal back.
    pub fn into_journal(self) -> Journal {
        self.journal
    }

    fn emit(&mut self, event: SenderEvent) {
        if let Some(hook) = self.on_event.as_mut() {
            hook(&event);
        }
    }

    /// One round: takes new messages from the journal into the window, sends what is due,
    /// then waits at most `wait` (`None`: until something is due) for ACKs and records
    /// them.
    fn pump(&mut self, wait: Option<Duration>) -> Result<()> {
        self.fill()?;
        let blocked = self.transmit()?;
        let due = if blocked {
            // The socket's queue is full (no peer reading): look again soon.
            Some(Duration::from_millis(20))
        } else {
            self.flights
                .values()
                .filter_map(|f| f.sent_at)
                .min()
                .map(|t| self.settings.resend_after.saturating_sub(t.elapsed()))
        };
        let wait = match (wait, due) {
            (Some(w), Some(d)) => w.min(d),
            (w, d) => w.or(d).unwrap_or(self.settings.resend_after),
        };
        self.receive_acks(wait)
    }

    /// Takes journalled messages past the cursor into the window.
    fn fill(&mut self) -> Result<()> {
        let room = self.settings.window.saturating_sub(self.flights.len());
        if room == 0 || self.cursor >= self.journal.appended() {
            return Ok(());
        }
        for entry in self.journal.unacked_after(self.cursor, room)? {
            let data: Value =
                serde_json::from_slice(&entry.payload).map_err(|e| Error::Journal {
                    path: self.journal.path().to_path_buf(),
                    reason: format!("corrupt: message {} is not JSON: {e}", entry.seq),
                })?;
            let frame = Envelope::new(entry.seq, data).to_json()?;
            self.cursor = entry.seq;
            self.flights.insert(
                entry.seq,
                Flight {
                    frame,
                    sent_at: None,
                },
            );
        }
        Ok(())
    }

    /// Sends, in order, every message of the window never sent or waiting too long;
    /// `true` when the socket's queue was full.
    fn transmit(&mut self) -> Result<bool> {
        let now = Instant::now();
        let resend_after = self.settings.resend_after;
        let due: Vec<u64> = self
            .flights
            .iter()
            .filter(|(_, f)| {
                f.sent_at
                    .is_none_or(|t| now.duration_since(t) >= resend_after)
            })
            .map(|(&seq, _)| seq)
            .collect();
        for seq in due {
            let Some(flight) = self.flights.get_mut(&seq) else {
                continue;
            };
            if self.dealer.try_send(flight.frame.clone())?.is_some() {
                return Ok(true);
            }
            let first = flight.sent_at.replace(Instant::now()).is_none();
            if first {
                self.stats.sent += 1;
                self.emit(SenderEvent::Sent { seq });
            } else {
                self.stats.resent += 1;
                self.emit(SenderEvent::Resent { seq });
            }
        }
        Ok(false)
    }

    /// Waits at most `wait` for a first ACK, takes every other one already there, and
    /// records them in the journal in one transaction.
    fn receive_acks(&mut self, wait: Duration) -> Result<()> {
        let first = if wait.is_zero() {
            self.dealer.try_recv()?
        } else {
            match self.dealer.recv_timeout(wait) {
                Ok(m) => Some(m),
                Err(e) if e.is_timeout() => None,
                Err(e) => return Err(e),
            }
        };
        let Some(first) = first else {
            return Ok(());
        };
        let mut acks = Vec::new();
        let mut next = Some(first);
        let mut taken = 0;
        while let Some(message) = next {
            taken += 1;
            let parsed = match message.first() {
                Some(frame) if message.len() == 1 => parse_ack(&frame[..]),
                _ => Err(format!(
                    "an ACK of {} frames; an ACK is one frame",
                    message.len()
                )),
            };
            match parsed {
                Ok(seq) => acks.push(seq),
                Err(reason) => {
                    self.stats.ignored += 1;
                    self.emit(SenderEvent::BadAck { reason });
                }
            }
            // A batch ends when the queue is empty, or at its cap: a receiver that floods
            // (ACKs or garbage) must not keep this loop, or its list, growing for ever.
            next = if taken < MAX_ACK_BATCH {
                self.dealer.try_recv()?
            } else {
                None
            };
        }
        acks.sort_unstable();
        acks.dedup();
        let done = self.journal.ack_all(acks.iter().copied())?;
        self.pending = self.pending.saturating_sub(done as u64);
        for seq in acks {
            // Done now, or already: either way no longer in flight.
            if self.flights.remove(&seq).is_some() {
                self.stats.acked += 1;
                self.emit(SenderEvent::Acked { seq });
            } else {
                self.stats.ignored += 1;
            }
        }
        Ok(())
    }
}
