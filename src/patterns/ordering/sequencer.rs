//! `Sequencer` numbers messages per stream; `SequencedSender` sends them as envelopes.

use std::collections::HashMap;

use serde::Serialize;

use super::envelope::{Envelope, EnvelopeError};
use crate::error::Result;
use crate::typed::SendSocket;

/// Numbers messages `1, 2, 3...`, separately in each stream: the default stream (no name)
/// and any number of named streams.
///
/// ```
/// use zmq_typed::patterns::ordering::Sequencer;
///
/// let mut numbers = Sequencer::new();
/// assert_eq!(numbers.seal("a")?.seq, 1);
/// assert_eq!(numbers.seal("b")?.seq, 2);
/// let priced = numbers.seal_in("prices", 9.5)?;
/// assert_eq!((priced.seq, priced.stream.as_deref()), (1, Some("prices")));
/// # Ok::<(), zmq_typed::patterns::ordering::EnvelopeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Sequencer {
    /// The next number of the default stream (`None`: `u64::MAX` has been used).
    next: Option<u64>,
    /// The next number of each named stream that has been used.
    named: HashMap<String, Option<u64>>,
}

impl Default for Sequencer {
    fn default() -> Sequencer {
        Sequencer::new()
    }
}

impl Sequencer {
    /// Every stream starts at 1.
    pub fn new() -> Sequencer {
        Sequencer {
            next: Some(1),
            named: HashMap::new(),
        }
    }

    /// The default stream goes on from `next` (to resume a stream after a restart; 0 is
    /// taken as 1). Named streams start at 1 unless [`Sequencer::resume`] says otherwise.
    pub fn starting_at(next: u64) -> Sequencer {
        Sequencer {
            next: Some(next.max(1)),
            named: HashMap::new(),
        }
    }

    /// The named stream `stream` goes on from `next` (0 is taken as 1).
    pub fn resume(&mut self, stream: impl Into<String>, next: u64) {
        self.named.insert(stream.into(), Some(next.max(1)));
    }

    /// The number the next message of `stream` (`None`: the default stream) will get,
    /// without using it; `None` when the stream has used `u64::MAX`.
    pub fn peek(&self, stream: Option<&str>) -> Option<u64> {
        match stream {
            None => self.next,
            Some(name) => self.named.get(name).copied().unwrap_or(Some(1)),
        }
    }

    /// Uses the next number of `stream`: the one [`Sequencer::peek`] gave.
    fn advance(&mut self, stream: Option<&str>) {
        let slot = match stream {
            None => &mut self.next,
            Some(name) => match self.named.get_mut(name) {
                Some(slot) => slot,
                None => self.named.entry(name.to_string()).or_insert(Some(1)),
            },
        };
        *slot = slot.and_then(|n| n.checked_add(1));
    }

    /// The next number of `stream`, or the error saying the stream has no number left.
    fn number(&self, stream: Option<&str>) -> Result<u64, EnvelopeError> {
        self.peek(stream).ok_or_else(|| EnvelopeError::Encode {
            reason: format!(
                "the stream {} has used every sequence number up to 2^64 - 1",
                stream.map_or("(default)".to_string(), |s| format!("{s:?}"))
            ),
        })
    }

    /// `data` in an envelope with the next number of the default stream (the number is
    /// used). An error only once the stream has used `u64::MAX`.
    pub fn seal<T>(&mut self, data: T) -> Result<Envelope<T>, EnvelopeError> {
        let seq = self.number(None)?;
        self.advance(None);
        Ok(Envelope::new(seq, data))
    }

    /// `data` in an envelope with the next number of the stream `stream` (the number is
    /// used).
    pub fn seal_in<T>(&mut self, stream: &str, data: T) -> Result<Envelope<T>, EnvelopeError> {
        let seq = self.number(Some(stream))?;
        self.advance(Some(stream));
        Ok(Envelope::in_stream(seq, stream, data))
    }
}

/// A socket that sends every message as a numbered [`Envelope`], one JSON frame
/// (`{"seq":n,"data":...}`), numbering each stream from 1 with a [`Sequencer`].
///
/// A send that fails (a timeout, a full queue with [`SequencedSender::try_send`], a value
/// serde cannot write) does not use the number: the next message gets it, so the receiver
/// sees no gap that was never sent.
///
/// ```
/// use zmq_typed::patterns::ordering::SequencedSender;
/// use zmq_typed::{Context, Pull, Push};
///
/// let ctx = Context::new()?;
/// let pull = Pull::new(&ctx)?;
/// pull.bind("inproc://sequenced-doc")?;
/// let push = Push::new(&ctx)?;
/// push.connect("inproc://sequenced-doc")?;
///
/// let mut sender = SequencedSender::new(push);
/// assert_eq!(sender.send(&"first")?, 1);
/// assert_eq!(sender.send_in("audit", &42)?, 1);
/// assert_eq!(sender.send(&"second")?, 2);
/// assert_eq!(pull.recv()?, r#"{"seq":1,"data":"first"}"#);
/// assert_eq!(pull.recv()?, r#"{"seq":1,"stream":"audit","data":42}"#);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[derive(Debug)]
pub struct SequencedSender<S> {
    socket: S,
    numbers: Sequencer,
}

impl<S: SendSocket> SequencedSender<S> {
    /// Numbers from 1 in every stream.
    pub fn new(socket: S) -> SequencedSender<S> {
        SequencedSender::with_sequencer(socket, Sequencer::new())
    }

    /// Numbers with `numbers` (to resume streams after a restart).
    pub fn with_sequencer(socket: S, numbers: Sequencer) -> SequencedSender<S> {
        SequencedSender { socket, numbers }
    }

    /// Sends `data` as the next message of the default stream, blocking until it is queued
    /// (or the socket's send timeout runs out); the number it was sent with.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<u64> {
        self.send_on(None, data)
    }

    /// Sends `data` as the next message of the stream `stream`; the number it was sent with.
    ///
    /// Wraps `zmq_msg_send` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn send_in<T: Serialize + ?Sized>(&mut self, stream: &str, data: &T) -> Result<u64> {
        self.send_on(Some(stream), data)
    }

    /// Sends `data` as the next message of the default stream without blocking:
    /// `Ok(None)` when the socket's queue is full (nothing sent, no number used).
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn try_send<T: Serialize + ?Sized>(&mut self, data: &T) -> Result<Option<u64>> {
        self.try_send_on(None, data)
    }

    /// Sends `data` as the next message of the stream `stream` without blocking:
    /// `Ok(None)` when the socket's queue is full (nothing sent, no number used).
    ///
    /// Wraps `zmq_msg_send` with `ZMQ_DONTWAIT` ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send)).
    pub fn try_send_in<T: Serialize + ?Sized>(
        &mut self,
        stream: &str,
        data: &T,
    ) -> Result<Option<u64>> {
        self.try_send_on(Some(stream), data)
    }

    fn try_send_on<T: Serialize + ?Sized>(
        &mut self,
        stream: Option<&str>,
        data: &T,
    ) -> Result<Option<u64>> {
        let (seq, bytes) = self.encode(stream, data)?;
        match self.socket.try_send(bytes).map_err(|e| e.into_error())? {
            Some(_) => Ok(None),
            None => {
                self.numbers.advance(stream);
                Ok(Some(seq))
            }
        }
    }

    fn encode<T: Serialize + ?Sized>(
        &self,
        stream: Option<&str>,
        data: &T,
    ) -> Result<(u64, Vec<u8>), EnvelopeError> {
        let seq = self.numbers.number(stream)?;
        let envelope = Envelope {
            seq,
            stream: stream.map(str::to_string),
            data,
        };
        Ok((seq, envelope.to_json()?))
    }

    fn send_on<T: Serialize + ?Sized>(&mut self, stream: Option<&str>, data: &T) -> Result<u64> {
        let (seq, bytes) = self.encode(stream, data)?;
        self.socket.send(bytes).map_err(|e| e.into_error())?;
        self.numbers.advance(stream);
        Ok(seq)
    }

    /// The numbers, to save where each stream is.
    pub fn sequencer(&self) -> &Sequencer {
        &self.numbers
    }

    /// The socket, for its options.
    pub fn socket(&self) -> &S {
        &self.socket
    }

    /// The socket back.
    pub fn into_inner(self) -> S {
        self.socket
    }
}
