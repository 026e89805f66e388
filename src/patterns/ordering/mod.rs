//! Ordering: a sequence number on every message, and a receiver that puts messages back in
//! order, drops duplicates and reports what never came.
//!
//! # What for
//! ZeroMQ keeps the order of the messages of one connection, and nothing more: messages
//! of several senders (or of one sender over a reconnection, or through several paths)
//! arrive interleaved, and a message dropped at a high-water mark or lost with a
//! connection leaves no trace. An application that needs order numbers its messages and
//! lets the receiver sort them out; this kit does both halves.
//!
//! # The parts
//! - [`Envelope`]: the message on the wire, one frame of JSON.
//! - [`Sequencer`]: numbers from 1 per stream; [`SequencedSender`]: a socket that sends each
//!   message in an envelope with the next number.
//! - [`ReorderBuffer`]: the ordering logic, without sockets (use it on any transport).
//! - [`OrderedReceiver`]: a socket read through one reorder buffer per stream.
//!
//! # The wire format
//! One frame per message, compact JSON:
//!
//! ```text
//! {"seq":1,"data":"any JSON value"}
//! {"seq":1,"stream":"prices","data":{"bid":9.5}}
//! ```
//!
//! `seq` is a whole number from 1 to 2^64 - 1, counting separately in each stream;
//! `stream` is left out for the default stream; unknown fields are ignored, so a peer may
//! add its own. Any program that writes this JSON is a valid sender.
//!
//! # Guarantees
//! Per stream, the receiver hands on each number at most once and in increasing order.
//! Every number up to the highest one seen is accounted for: handed on as a
//! [`Received::Message`], or given up in exactly one [`Received::Gap`] (after
//! [`OrderedReceiver::flush`], or as soon as a message comes more than `window` numbers
//! ahead of a hole). Copies are [`Received::Duplicate`] (or [`Received::Late`] when their
//! number had been given up), bad input is [`Received::Malformed`]: values, never errors, and
//! the receiver goes on.
//!
//! # Limits
//! - Memory is bounded, not free: `window` messages per stream, a capped number of
//!   streams ([`OrderedReceiver::with_max_streams`]). The bound is in messages and stream
//!   names, not bytes: against untrusted peers, bound frame sizes with `ZMQ_MAXMSGSIZE`
//!   on the receiving socket (a stream name is kept as long as its stream). Streams are
//!   kept until [`OrderedReceiver::end_stream`] forgets one: a peer that opens
//!   `max_streams` streams first leaves no room for later ones (the default stream
//!   included). A hole waits for at most `window`
//!   later messages: a larger window tolerates more reordering, and costs memory and
//!   latency (nothing after a hole is handed on until it fills or is given up).
//! - A hole at the end of a stream is only known when the stream ends:
//!   call [`OrderedReceiver::flush`] then (the receiver cannot know on its own).
//! - Numbers are per sender: two senders writing the same stream name make one stream of
//!   clashing numbers. Give each sender its own stream name.
//! - Ordering is not delivery: a gap is reported, not repaired. For messages that must
//!   arrive, see the durable [outbox](super::outbox), which resends until acknowledged.
//!
//! ```
//! use zmq_typed::patterns::ordering::{OrderedReceiver, Received, SequencedSender};
//! use zmq_typed::{Context, Pull, Push};
//!
//! let ctx = Context::new()?;
//! let pull = Pull::new(&ctx)?;
//! let endpoint = pull.bind("tcp://127.0.0.1:*")?;
//! let push = Push::new(&ctx)?;
//! push.connect(&endpoint)?;
//!
//! let mut sender = SequencedSender::new(push);
//! for word in ["one", "two", "three"] {
//!     sender.send(word)?;
//! }
//! let mut receiver: OrderedReceiver<Pull, String> = OrderedReceiver::new(pull, 32)?;
//! for (n, word) in [(1, "one"), (2, "two"), (3, "three")] {
//!     let expected = Received::Message { stream: None, seq: n, data: word.to_string() };
//!     assert_eq!(receiver.recv()?, expected);
//! }
//! # Ok::<(), zmq_typed::Error>(())
//! ```

mod envelope;
mod receiver;
mod reorder;
mod sequencer;

pub use envelope::{Envelope, EnvelopeError};
pub use receiver::{OrderedReceiver, Received, DEFAULT_MAX_STREAMS};
pub use reorder::{Event, ReorderBuffer, ReorderStats};
pub use sequencer::{SequencedSender, Sequencer};
