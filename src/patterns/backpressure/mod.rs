//! Backpressure: what happens when a producer is faster than its consumer. High-water marks
//! made explicit ([`QueueBounds`], [`AtHwm`]), `try_send` that reports a full queue as a
//! value, and credit-based flow control ([`CreditSender`], [`CreditReceiver`]), where the
//! consumer decides how much may be in flight.
//!
//! # High-water marks
//! Every ZeroMQ connection has two queues, the sender's (`ZMQ_SNDHWM` messages) and the
//! receiver's (`ZMQ_RCVHWM`). When they are full the socket is "mute", and what a send does
//! then depends on the socket type ([`AtHwm`]): PUSH, DEALER, REQ and PAIR wait (so the
//! producer is slowed down, and nothing is lost), PUB and ROUTER drop (so the producer is
//! never held up by a slow peer, and the slow peer loses messages).
//!
//! A send that must not wait says so: `try_send` on any typed socket returns
//! `Ok(Some(message))` with the message handed back, unchanged, when the queue is full, so
//! the producer can keep it, retry it later, or count it:
//!
//! ```
//! use zmq_typed::patterns::backpressure::QueueBounds;
//! use zmq_typed::{Context, Pull, Push};
//!
//! let ctx = Context::new()?;
//! let pull = Pull::new(&ctx)?;
//! QueueBounds::new(Some(2), Some(2)).apply(&pull)?;
//! pull.bind("inproc://backpressure-doc")?;
//! let push = Push::new(&ctx)?;
//! QueueBounds::new(Some(3), Some(3)).apply(&push)?;
//! push.connect("inproc://backpressure-doc")?;
//!
//! // Over inproc the queue holds the sender's mark plus the receiver's: 3 + 2.
//! for n in 0..5 {
//!     assert_eq!(push.try_send(format!("job {n}"))?, None);
//! }
//! let refused = push.try_send("job 5")?.expect("the queue is full");
//! assert_eq!(refused, "job 5");
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//!
//! # Why a high-water mark does not bound memory exactly
//! - It counts messages, not bytes: 1000 messages of 1 MB are 1 GB.
//! - It is per connection: a socket with 100 peers can hold 100 times its mark.
//! - There are two queues per connection, one on each side, and over inproc their marks
//!   add up (the queue holds `sndhwm + rcvhwm`).
//! - Over tcp and ipc, libzmq's I/O thread moves messages from the queue into the
//!   kernel's socket buffers and its own batches as fast as it can, so many more messages
//!   than the mark may be "sent" before a send waits: how many depends on their size and
//!   the buffer sizes (`ZMQ_SNDBUF`, `ZMQ_RCVBUF`), not on the mark.
//! - A queue's room is given back in batches as the reader reads, not message by message.
//!
//! So the mark is a safety net against a runaway queue, not a measure. When the number of
//! messages in flight matters (a consumer that must not be flooded, memory that must stay
//! within a budget, work that must not pile up where it cannot be taken back), the
//! consumer should say how much it can take: credit.
//!
//! # Credit-based flow control
//! The consumer ([`CreditReceiver`], a ROUTER that binds) grants each producer
//! ([`CreditSender`], a DEALER that connects) a window of `window` messages. The producer
//! sends only while it has credit, and the consumer gives one message of credit back for
//! each message its application takes. So at any moment each producer has at most `window`
//! messages in flight (sent, not yet taken), wherever they are: in its queue, the kernel's,
//! the consumer's, or in the consumer's hands. A slow consumer slows its producers down to
//! its own pace, exactly, over any transport.
//!
//! ## The wire format
//! Every frame is ASCII; numbers are decimal text (`"0"`, `"42"`).
//!
//! | Direction | Frames | Meaning |
//! |---|---|---|
//! | producer → consumer | `[HELLO][sent]` | a greeting: "I have sent `sent` messages in all"; sent on connecting (`sent` = 0), and again every probe interval while the producer is without credit (checked in each `send`, `send_timeout` and `try_send`) |
//! | producer → consumer | `[DATA][payload...]` | one message: the payload is one frame or more |
//! | consumer → producer | `[CREDIT][allowance][window]` | "you may have sent `allowance` messages in all"; `allowance` = messages taken + `window` |
//!
//! The allowance is cumulative, so grants are idempotent: a grant lost or read late
//! changes nothing once a later one arrives, and the producer keeps the largest it has
//! seen. The consumer answers every greeting with a grant, and grants again each time its
//! application has taken `batch` more messages ([`CreditReceiver::with_batch`]).
//!
//! ## Guarantees
//! - A producer that follows the protocol never has more than `window` messages in flight.
//! - A producer that does not (sends beyond its allowance, or sends without greeting) is
//!   not believed: the excess is dropped and counted ([`CreditStats::excess`]), so the
//!   consumer's own queue never holds more than `window` messages of any producer (ahead
//!   of it, libzmq's receive queue holds up to `ZMQ_RCVHWM` messages per connection until
//!   they are read and dropped).
//! - At most [`CreditReceiver::with_max_producers`] producers are kept; a greeting from
//!   one more is refused and counted, and that producer gets no credit until a known
//!   producer that is gone makes room for it (it greets again every probe; see Limits).
//! - A lost grant, or messages lost with a broken connection, do not stall a producer:
//!   its next greeting says how many it sent, the consumer counts the ones it never got as
//!   lost ([`CreditStats::lost`]) and gives their credit back.
//!
//! ## Limits
//! - Credit bounds messages, not bytes: bound sizes too when bytes matter. libzmq's
//!   `ZMQ_MAXMSGSIZE` (set on the consumer's ROUTER before it binds:
//!   [`CreditReceiver::bind_router`]) bounds each frame, not the number of frames of a
//!   message, and a peer that breaks it is disconnected; a hostile producer can still send
//!   one message of very many small frames, so a consumer open to untrusted peers bounds
//!   those too (an authenticating transport, or a proxy that counts frames).
//! - The consumer only grants while it reads (in [`CreditReceiver::recv`],
//!   [`CreditReceiver::service`]): a new producer waits for its first credit until then.
//! - A producer is known by its routing id, so one that starts again (a new
//!   [`CreditSender`]) is a new producer. Producers are kept while there is room; at the
//!   cap, a new producer's greeting makes the consumer look at one known producer, in
//!   turn, and forget it if it is gone (no connection left, nothing waiting to be taken:
//!   [`CreditStats::forgotten`]), so producers that come and go do not fill the cap for
//!   good; a producer forgotten while its connection was broken is a new producer when it
//!   greets again (what it sent meanwhile is dropped as excess, as after a consumer
//!   restart). Producers that stay connected are never forgotten: up to the cap, they are
//!   all served, the rest refused.
//! - A consumer that starts again does not know its producers: the messages they send on
//!   the credit the old consumer gave are dropped as excess, at most a window's worth each,
//!   until they run out of credit and greet the new consumer.
//! - One consumer per producer: the producer's DEALER must not be connected anywhere else
//!   (its credit is one consumer's).
//! - After a reconnection, a message of the old connection still unread when the new
//!   connection's greeting is read is counted as lost, then dropped as excess when it comes.
//! - Messages are taken in the order they were read, across producers: fairness is
//!   libzmq's fair queueing of the ROUTER.
//! - Make the window at most the high-water marks, or the marks apply first.
//!
//! ```
//! use std::time::Duration;
//! use zmq_typed::patterns::backpressure::{CreditReceiver, CreditSender};
//! use zmq_typed::Context;
//!
//! let ctx = Context::new()?;
//! let mut consumer = CreditReceiver::bind(&ctx, "inproc://credit-doc", 2)?;
//! let mut producer = CreditSender::connect(&ctx, "inproc://credit-doc")?;
//! consumer.wait_for_producers(1, Duration::from_secs(10))?;   // answers the greeting
//!
//! producer.send("a")?;
//! producer.send("b")?;
//! let refused = producer.try_send("c")?.expect("no credit left");
//! assert_eq!((producer.in_flight(), refused.to_string()), (2, "c".to_string()));
//!
//! assert_eq!(consumer.recv()?.body, "a");          // taking it grants one more
//! producer.send(refused)?;                          // waits for that grant
//! assert_eq!(consumer.recv()?.body, "b");
//! assert_eq!(consumer.recv()?.body, "c");
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

mod hwm;
mod receiver;
mod sender;
pub mod wire;

pub use hwm::{at_hwm, AtHwm, QueueBounds};
pub use receiver::{CreditReceiver, CreditStats, DEFAULT_MAX_PRODUCERS, SERVICE_BURST};
pub use sender::{CreditSender, DEFAULT_PROBE};
