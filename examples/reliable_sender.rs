//! The durable outbox's sender: every message goes to a journal on disk before it is sent,
//! and is done only when the receiver ACKs it, so that killing this program at any moment
//! (SIGKILL included) and starting it again on the same journal loses nothing; the
//! receiver (`reliable_receiver`) drops the duplicates.
//!
//! `cargo run --features durable --example reliable_receiver -- --expect 10` and then
//! `cargo run --features durable --example reliable_sender -- --journal out.db --count 10`.
//!
//! It waits for its ACKs as long as it takes: started again after the receiver has gone
//! (its last messages sent but their ACKs never recorded), it keeps re-sending until a
//! receiver is there, or Ctrl-C. One journal is one stream, numbered from 1: deleting it
//! starts a new stream, which a receiver that remembers the old one takes for duplicates.
//!
//! Stdout: `acked <N>` once messages 1 to N are all ACKed. Stderr: what it does, message by
//! message (`sent 3`, `resent 3`, `acked 3`).

mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use zmq_typed::patterns::outbox::{DurableSender, Journal, SenderEvent, SenderSettings};
use zmq_typed::Error;

/// Sends `message 1` ... `message N` as `{"seq":n,"data":"message n"}`, each journalled
/// first, until all are ACKed; prints `acked <N>`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the receiver is (the DEALER connects).
    #[arg(long, default_value = "tcp://localhost:5565")]
    connect: String,
    /// The journal file (created when missing; its folder must exist). Start again with
    /// the same journal after a crash: what was never ACKed is sent again.
    #[arg(long)]
    journal: PathBuf,
    /// The stream's total number of messages; a restart may give a larger one, and the
    /// stream goes on where it stopped.
    #[arg(long)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let journal = Journal::open(&args.journal)?;
        let appended = journal.appended();
        if appended > args.count {
            return Err(Error::Journal {
                path: args.journal.clone(),
                reason: format!(
                    "it holds a stream of {appended} messages already, more than --count {}",
                    args.count
                ),
            });
        }
        support::note(format_args!(
            "journal {}: {appended} message(s) so far, {} not ACKed",
            args.journal.display(),
            journal.pending()?
        ));
        let mut sender =
            DurableSender::connect(ctx, &args.connect, journal, SenderSettings::default())?;
        sender.on_event(|event| match event {
            SenderEvent::Sent { seq } => support::note(format_args!("sent {seq}")),
            SenderEvent::Resent { seq } => support::note(format_args!("resent {seq}")),
            SenderEvent::Acked { seq } => support::note(format_args!("acked {seq}")),
            SenderEvent::BadAck { reason } => support::note(format_args!("ignored: {reason}")),
            _ => {}
        });
        for n in appended + 1..=args.count {
            sender.send(&format!("message {n}"))?;
        }
        sender.wait_all_acked(None)?;
        support::say(format_args!("acked {}", args.count))
    })
}
