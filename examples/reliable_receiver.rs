//! The durable outbox's receiver: ACKs every envelope (duplicates too: the sender sends
//! again only when it missed an ACK), drops duplicates by sequence number, counts gaps, and
//! reports a message that is not an envelope, then goes on.
//!
//! `cargo run --example reliable_receiver -- --expect 10`, then `reliable_sender`.
//!
//! What it has seen is kept in memory only: exactly once holds for the receiver's lifetime.
//! Restarted in the middle of a stream, it takes the messages re-sent to it for new (a
//! message it had, whose ACK was lost, comes twice), and never sees again the ones
//! already ACKed, so it cannot reach `--expect` then. It takes one stream: two senders
//! (two journals) both number from 1, and the second one's messages are taken for
//! duplicates of the first one's, ACKed and dropped. Give each sender its own receiver.
//!
//! Stdout: `received <N> unique, <D> duplicates dropped, <G> gaps` once messages 1 to N
//! have all come. Stderr: each message (`new 3 "message 3"`, `duplicate 3`,
//! `gap 4-6`, `malformed: ...`).

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use serde_json::Value;
use zmq_typed::patterns::outbox::{DedupReceiver, Received};

/// How long the receiver keeps ACKing after the last message it needed, waiting for a
/// quiet moment: longer than the sender's re-send interval (1 s), so that a sender whose
/// last ACK was lost sends again and gets it.
const QUIET: Duration = Duration::from_millis(1200);
/// The most the end of the stream takes, however busy the socket.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);
/// How long closing waits for the last ACKs to leave.
const LINGER: Duration = Duration::from_secs(2);

/// Receives `{"seq":n,"data":...}` envelopes, ACKs each with `{"ack":n}`, drops duplicates;
/// prints `received <N> unique, <D> duplicates dropped, <G> gaps` once 1..=N have come.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the ROUTER binds.
    #[arg(long, default_value = "tcp://*:5565")]
    bind: String,
    /// The stream's length: exit once messages 1 to N have all come (0: no limit).
    #[arg(long)]
    expect: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let mut receiver: DedupReceiver<Value> = DedupReceiver::bind(ctx, &args.bind)?;
        receiver.socket().set_linger(Some(LINGER))?;
        while args.expect == 0 || receiver.through() < args.expect {
            match receiver.recv()? {
                Received::Message { seq, data, gap } => {
                    if let Some((first, last)) = gap {
                        support::note(format_args!("gap {first}-{last}"));
                    }
                    support::note(format_args!("new {seq} {data}"));
                }
                Received::Duplicate { seq } => support::note(format_args!("duplicate {seq}")),
                Received::Malformed { error, .. } => {
                    support::note(format_args!("malformed: {error}"))
                }
                Received::Refused { seq } => support::note(format_args!("refused {seq}")),
                _ => {}
            }
        }
        let stats = receiver.stats();
        // Messages 1..=N are all here, each once; a number past N (a sender with a longer
        // stream, or a stray) is new too, but not one of the N.
        // (The loop ends only with --expect from 1: 0 runs until Ctrl-C.)
        let unique = args.expect;
        if stats.unique > unique {
            support::note(format_args!(
                "also {} message(s) numbered past {}",
                stats.unique - unique,
                args.expect
            ));
        }
        support::say(format_args!(
            "received {unique} unique, {} duplicates dropped, {} gaps",
            stats.duplicates, stats.gaps
        ))?;
        // The sender may not have the last ACKs yet: answer what it sends again for a
        // while, then let the linger flush what is queued.
        receiver.drain(QUIET, DRAIN_LIMIT)?;
        Ok(())
    })
}
