//! `OrderedReceiver`: receives envelopes from a socket and hands them on in order, per
//! stream.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::envelope::{Envelope, EnvelopeError};
use super::reorder::{Event, ReorderBuffer, ReorderStats};
use crate::error::Result;
use crate::multipart::Multipart;
use crate::typed::RecvSocket;

/// The most streams an [`OrderedReceiver`] keeps by default.
pub const DEFAULT_MAX_STREAMS: usize = 64;

/// What an [`OrderedReceiver`] hands on: a message in order, or what happened instead.
/// `stream` is the envelope's stream name (`None`: the default stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received<T = Value> {
    /// The next message of its stream, in order.
    Message {
        /// Its stream.
        stream: Option<String>,
        /// Its sequence number.
        seq: u64,
        /// Its payload.
        data: T,
    },
    /// Messages of the stream never received and given up: `first..=last`.
    Gap {
        /// Its stream.
        stream: Option<String>,
        /// The first missing number.
        first: u64,
        /// The last missing number.
        last: u64,
    },
    /// A copy of a message already handed on or held: dropped.
    Duplicate {
        /// Its stream.
        stream: Option<String>,
        /// Its sequence number.
        seq: u64,
    },
    /// A message that came after its number was given up in a gap: dropped.
    Late {
        /// Its stream.
        stream: Option<String>,
        /// Its sequence number.
        seq: u64,
    },
    /// A message that is not an envelope (not one frame, not JSON, no `seq`, a `seq` that
    /// is not a number from 1, `data` not of type `T`...): dropped.
    Malformed {
        /// What is wrong with it.
        error: EnvelopeError,
    },
    /// An envelope of a new stream when the receiver already keeps its
    /// [maximum](OrderedReceiver::max_streams) of streams: dropped.
    StreamRefused {
        /// The stream it names (empty for the default stream: a stream named `""` looks
        /// the same here).
        stream: String,
        /// Its sequence number.
        seq: u64,
    },
}

/// Receives [`Envelope`]s on a socket and hands them on in order, one
/// [`ReorderBuffer`] per stream: a message when its turn comes, a gap when numbers are
/// given up, and every duplicate, late copy or malformed message as a value
/// ([`Received`]), never as an error: the receiver always goes on with the next message.
/// Errors are the socket's only (a timeout, the context shut down).
///
/// Memory is bounded whatever the peers send: at most `window` messages held per stream,
/// and at most [`max_streams`](OrderedReceiver::max_streams) streams (an envelope for one
/// more is [`Received::StreamRefused`]).
///
/// ```
/// use zmq_typed::patterns::ordering::{OrderedReceiver, Received};
/// use zmq_typed::{Context, Pull, Push};
///
/// let ctx = Context::new()?;
/// let pull = Pull::new(&ctx)?;
/// pull.bind("inproc://ordered-doc")?;
/// let push = Push::new(&ctx)?;
/// push.connect("inproc://ordered-doc")?;
/// for text in [r#"{"seq":2,"data":"b"}"#, "garbage", r#"{"seq":1,"data":"a"}"#] {
///     push.send(text)?;
/// }
///
/// let mut receiver: OrderedReceiver<Pull, String> = OrderedReceiver::new(pull, 16)?;
/// assert!(matches!(receiver.recv()?, Received::Malformed { .. }));
/// let first = receiver.recv()?;
/// assert_eq!(first, Received::Message { stream: None, seq: 1, data: "a".to_string() });
/// assert!(matches!(receiver.recv()?, Received::Message { seq: 2, .. }));
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[derive(Debug)]
pub struct OrderedReceiver<S, T = Value> {
    socket: S,
    window: usize,
    max_streams: usize,
    streams: HashMap<Option<String>, ReorderBuffer<T>>,
    pending: VecDeque<Received<T>>,
}

impl<S: RecvSocket, T: DeserializeOwned> OrderedReceiver<S, T> {
    /// Receives on `socket`, holding at most `window` messages per stream;
    /// [`crate::Error::InvalidArgument`] when `window` is 0.
    pub fn new(socket: S, window: usize) -> Result<OrderedReceiver<S, T>> {
        ReorderBuffer::<T>::new(window)?;
        Ok(OrderedReceiver {
            socket,
            window,
            max_streams: DEFAULT_MAX_STREAMS,
            streams: HashMap::new(),
            pending: VecDeque::new(),
        })
    }

    /// Keeps at most `max` streams (the default stream counts as one; at least 1).
    pub fn with_max_streams(mut self, max: usize) -> OrderedReceiver<S, T> {
        self.max_streams = max.max(1);
        self
    }

    /// The most streams kept ([`DEFAULT_MAX_STREAMS`] unless set).
    pub fn max_streams(&self) -> usize {
        self.max_streams
    }

    /// Blocks until there is something to hand on (or the socket's receive timeout runs
    /// out: [`crate::Error::TimedOut`]).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&mut self) -> Result<Received<T>> {
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Ok(next);
            }
            let message = self.socket.recv()?;
            self.take(message);
        }
    }

    /// As [`OrderedReceiver::recv`], waiting at most `timeout` in all
    /// ([`crate::Error::TimedOut`] then; what was held stays held). A zero timeout still
    /// reads a message already waiting.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)),
    /// with `ZMQ_RCVTIMEO` set to the time left while it waits.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Result<Received<T>> {
        let deadline = Instant::now().checked_add(timeout);
        let mut first_read = true;
        loop {
            if let Some(next) = self.pending.pop_front() {
                return Ok(next);
            }
            let left = super::super::time_left(deadline, || {
                format!("an ordered message within {timeout:?}")
            });
            let message = match left {
                Ok(Some(left)) => self.socket.recv_timeout(left)?,
                Ok(None) => self.socket.recv()?,
                // Out of time (a zero timeout): what is there already is still read, once.
                Err(timed_out) if first_read => match self.socket.try_recv()? {
                    Some(message) => message,
                    None => return Err(timed_out),
                },
                Err(timed_out) => return Err(timed_out),
            };
            first_read = false;
            self.take(message);
        }
    }

    /// Ends every stream: what is still to hand on, then, stream by stream (the default
    /// stream first, then by name), every hole given up as a gap and every held message in
    /// order. The streams then wait for the number after the last one handed on.
    pub fn flush(&mut self) -> Vec<Received<T>> {
        let mut out: Vec<Received<T>> = self.pending.drain(..).collect();
        let mut names: Vec<Option<String>> = self.streams.keys().cloned().collect();
        names.sort();
        for name in names {
            if let Some(buffer) = self.streams.get_mut(&name) {
                for event in buffer.flush() {
                    out.push(received(&name, event));
                }
            }
        }
        out
    }

    /// Ends one stream and forgets it, making room under the
    /// [cap](OrderedReceiver::with_max_streams): its holes given up as gaps and its held
    /// messages in order (as [`OrderedReceiver::flush`] does for every stream). Events of it
    /// still to hand on stay first in line for [`OrderedReceiver::recv`]. A later envelope
    /// naming it starts a new stream, expecting 1 (a sender that goes on numbering shows
    /// a gap from 1). Empty when the stream is not kept.
    pub fn end_stream(&mut self, stream: Option<&str>) -> Vec<Received<T>> {
        let key = stream.map(str::to_string);
        let Some(mut buffer) = self.streams.remove(&key) else {
            return Vec::new();
        };
        buffer.flush().map(|event| received(&key, event)).collect()
    }

    /// The counts of the stream `stream` (`None`: the default stream), if it has been seen.
    pub fn stats(&self, stream: Option<&str>) -> Option<ReorderStats> {
        let key = stream.map(str::to_string);
        self.streams.get(&key).map(ReorderBuffer::stats)
    }

    /// How many streams are kept.
    pub fn stream_count(&self) -> usize {
        self.streams.len()
    }

    /// Messages held, in all streams, waiting for holes before them.
    pub fn held(&self) -> usize {
        self.streams.values().map(ReorderBuffer::held).sum()
    }

    /// The socket, for its options.
    pub fn socket(&self) -> &S {
        &self.socket
    }

    /// The socket back (what is held is lost).
    pub fn into_inner(self) -> S {
        self.socket
    }

    /// One message from the wire, into the stream it names.
    fn take(&mut self, message: Multipart) {
        let envelope = match decode::<T>(message) {
            Ok(envelope) => envelope,
            Err(error) => {
                self.pending.push_back(Received::Malformed { error });
                return;
            }
        };
        let Envelope { seq, stream, data } = envelope;
        if !self.streams.contains_key(&stream) {
            if self.streams.len() >= self.max_streams {
                self.pending.push_back(Received::StreamRefused {
                    stream: stream.unwrap_or_default(),
                    seq,
                });
                return;
            }
            match ReorderBuffer::new(self.window) {
                Ok(buffer) => self.streams.insert(stream.clone(), buffer),
                // `new` checked the window.
                Err(_) => return,
            };
        }
        if let Some(buffer) = self.streams.get_mut(&stream) {
            for event in buffer.push(seq, data) {
                self.pending.push_back(received(&stream, event));
            }
        }
    }
}

/// The envelope in a one-frame message.
fn decode<T: DeserializeOwned>(message: Multipart) -> Result<Envelope<T>, EnvelopeError> {
    let count = message.len();
    let frame = message
        .into_single()
        .map_err(|_| EnvelopeError::SeveralFrames { count })?;
    Envelope::from_json(frame.data())
}

/// A buffer's event, for the stream `stream`.
fn received<T>(stream: &Option<String>, event: Event<T>) -> Received<T> {
    let stream = stream.clone();
    match event {
        Event::Deliver { seq, data } => Received::Message { stream, seq, data },
        Event::Gap { first, last } => Received::Gap {
            stream,
            first,
            last,
        },
        Event::Duplicate { seq } => Received::Duplicate { stream, seq },
        Event::Late { seq } => Received::Late { stream, seq },
    }
}
