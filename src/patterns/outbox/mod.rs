//! Persistence: the durable outbox ([`DurableSender`] and its [`Journal`], feature
//! `durable`) and the de-duplicating receiver ([`DedupReceiver`]), which together deliver
//! every message exactly once, though the sender may be killed at any moment and restarted.
//!
//! # What it solves
//! ZeroMQ queues messages in memory: a sender that dies loses everything still in its
//! queues, and nothing tells it which of its messages arrived. The outbox writes each
//! message to disk *before* sending it, forgets it only when the receiver acknowledges it,
//! and after a restart sends again every message never acknowledged. That makes delivery
//! at least once; the receiver drops what it has already seen, by sequence number, which
//! makes it exactly once.
//!
//! # The wire format
//! - Sender to receiver (a DEALER connected to a ROUTER): one frame, the JSON
//!   [`Envelope`](crate::patterns::ordering::Envelope) `{"seq":<n>,"data":<data>}`, numbers
//!   from 1, in the order the messages were journalled.
//! - Receiver to sender: one frame, `{"ack":<n>}`, for every envelope received, a
//!   duplicate's included (the sender sends again only because it missed an ACK). Unknown
//!   fields are ignored by both sides, so a peer may add its own.
//!
//! A message that is not an envelope is reported by the receiver as
//! [`Received::Malformed`] and skipped (no ACK: it has no number); a message from the
//! receiver that is not an ACK is ignored by the sender ([`SenderEvent::BadAck`]).
//!
//! # The journal and what it guarantees
//! The [`Journal`] is an SQLite database (through `rusqlite`, SQLite compiled in), in WAL
//! mode with `synchronous = FULL`:
//! - [`Journal::append`] returns once the message is committed and synced to disk. A
//!   process killed at any moment (SIGKILL included) leaves every message whose `append`
//!   returned in the journal, and none half-written: SQLite recovers the journal on the next
//!   open from its write-ahead log. With `synchronous = FULL` the log is synced at every
//!   commit, so a power loss or a kernel crash loses nothing committed either (as far as
//!   the disk honours its flushes).
//! - An ACK deletes the message's row, in one transaction per batch of ACKs. A crash before
//!   that commit means the message is sent again after the restart, and the receiver drops
//!   the duplicate: the only cost.
//! - Growth: only unacknowledged messages are kept, so the journal's content is bounded by
//!   the sender's window, not by the stream's length; one row keeps the last number given,
//!   so numbering goes on after every row was deleted. SQLite reuses the freed pages; the
//!   file never shrinks by itself (nothing here runs `VACUUM`), so its size is its
//!   high-water mark. Its write-ahead log (`PATH-wal`) grows by a page or two per
//!   message and per batch of ACKs until SQLite's automatic checkpoint (at 1000 pages,
//!   about 4 MB with small messages), and is then reused from its start.
//! - The file is checked when opened: SQLite's header, the `application_id` of a journal
//!   (`ZQOB`, [`journal::APPLICATION_ID`]) and its schema version (`user_version`,
//!   [`journal::SCHEMA_VERSION`]), and `PRAGMA quick_check`. A garbage file, another
//!   application's SQLite database, a truncated or corrupt journal, an empty file, a folder
//!   or a file this process cannot write is refused at once with an [`Error::Journal`]
//!   saying which and why, as is a missing file for [`Journal::open_existing`] or a missing
//!   folder for [`Journal::open`].
//! - One sender per journal: it is held with an exclusive lock while open, so a second
//!   process gets [`Error::Journal`] ("in use") instead of numbering the same messages
//!   twice. The kernel releases the lock when the process dies.
//! - The file `PATH-wal` beside the journal is part of it: after a crash it holds the
//!   latest messages and numbering. Copy, move or delete the two together. A journal whose
//!   file was deleted without its log is refused (the log is not replayed into a new
//!   journal, nor deleted: it may hold messages never ACKed). A journal deleted or replaced
//!   while open takes no more messages or ACKs ([`Error::Journal`]).
//! - Deleting a journal (and its log) starts a new stream, numbered from 1 again: a
//!   receiver that still remembers the old stream takes the new messages for duplicates,
//!   ACKs them and drops them. A new stream needs a new receiver.
//!
//! # The sender
//! [`DurableSender::send`] journals the message, then hands it to the socket. At most
//! [`SenderSettings::window`] messages are unacknowledged at once (`send` waits for ACKs
//! beyond); a message without its ACK after [`SenderSettings::resend_after`] is sent again,
//! for as long as it takes: a sender whose receiver has gone keeps re-sending (at most the
//! window each time, into the socket's bounded queue) until the receiver is back, or the
//! context is shut down (Ctrl-C: [`Error::is_terminated`]). Made on a journal with
//! unacknowledged messages, it sends those first, in order.
//!
//! # The receiver
//! [`DedupReceiver`] binds a ROUTER, ACKs every envelope, and says for each message
//! whether it is new ([`Received::Message`], with the gap it jumped over, if any), a
//! duplicate (dropped), malformed or refused. It remembers the numbers seen in bounded
//! memory: the contiguous prefix `1..=n` as one number, plus the numbers above it, at most a
//! cap (a new message beyond the cap is [`Received::Refused`], not ACKed, so an honest
//! sender sends it again once the hole below it is filled).
//!
//! # Limits
//! - The receiver's record of what it has seen is in memory: exactly once holds for the
//!   receiver's lifetime. A receiver that restarts sees re-sent messages as new (it would
//!   persist its prefix and set, in the same transaction as its own effects, to do better).
//! - One receiver, one stream: numbers are per journal, so two senders with journals of
//!   their own both number from 1. Give each its own receiver (its own endpoint).
//! - The receiver is trusted: an ACK is taken as the truth, so a receiver that ACKs a
//!   message it never had loses that message.
//! - Any peer that can connect is a sender: whoever sends a number first has its data
//!   delivered, and a later copy is dropped as a duplicate. Restrict who may connect
//!   (CURVE with ZAP) when that matters. A message numbered far ahead (say 2^60) is
//!   taken as new, and counted as a gap; it costs one number of the receiver's
//!   memory, and gaps are counted past the highest number seen, so later holes below it
//!   are not counted (they are still filled as the sender re-sends). A peer may send
//!   messages of any size: bound them with `ZMQ_MAXMSGSIZE`, set on a ROUTER before it
//!   binds ([`DedupReceiver::on_router`]; a listener keeps the options of its bind). (The
//!   sender trusts its receiver, the size of its ACKs included.) A peer over the limit
//!   is disconnected, and what it sent behind that message on the connection is lost
//!   with it: a message too large for its receiver is sent again and again, never
//!   delivered, and slows the messages after it.
//! - The receiver ACKs a message when it receives it, before the application has handled
//!   it: a receiver that crashes in between loses it.
//! - At the end of a stream, the receiver's last ACKs must reach the sender before the
//!   receiver goes: [`DedupReceiver::drain`] keeps ACKing for a quiet moment, and the
//!   socket's linger then flushes what is queued. A sender that restarts after the receiver
//!   has gone waits (re-sending) until a receiver is there again.
//!
//! # Example
//! ```
//! # #[cfg(feature = "durable")] {
//! use std::time::Duration;
//! use zmq_typed::patterns::outbox::{DedupReceiver, DurableSender, Journal, Received, SenderSettings};
//! use zmq_typed::Context;
//!
//! let dir = std::env::temp_dir().join(format!("outbox-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("journal.db");
//! # let _ = std::fs::remove_file(&path);
//! let ctx = Context::new()?;
//! let mut receiver: DedupReceiver<String> = DedupReceiver::bind(&ctx, "tcp://127.0.0.1:*")?;
//! let journal = Journal::open(&path)?;
//! let mut sender = DurableSender::connect(&ctx, receiver.endpoint(), journal, SenderSettings::default())?;
//! assert_eq!(sender.send("hello")?, 1);
//! match receiver.recv_timeout(Duration::from_secs(10))? {
//!     Received::Message { seq, data, .. } => assert_eq!((seq, data.as_str()), (1, "hello")),
//!     other => panic!("{other:?}"),
//! }
//! sender.wait_all_acked(Some(Duration::from_secs(10)))?;
//! assert_eq!(sender.journal().acked()?, 1);
//! # drop(sender);
//! # std::fs::remove_dir_all(&dir)?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```
//!
//! [`Error::Journal`]: crate::Error::Journal
//! [`Error::is_terminated`]: crate::Error::is_terminated

// The sender and the journal exist only with the feature `durable`: without it, the links
// above to them have nothing to point at (the docs are meant to be built with it).
#![cfg_attr(not(feature = "durable"), allow(rustdoc::broken_intra_doc_links))]

mod ack;
#[cfg(feature = "durable")]
pub mod journal;
mod receiver;
mod seen;
#[cfg(feature = "durable")]
mod sender;

pub use ack::{ack_frame, parse_ack};
#[cfg(feature = "durable")]
pub use journal::{Entry, Journal};
pub use receiver::{DedupReceiver, DedupStats, Received, DEFAULT_SPARSE_CAP};
pub use seen::{Seen, SeenSet};
#[cfg(feature = "durable")]
pub use sender::{DurableSender, SenderEvent, SenderSettings, SenderStats};
