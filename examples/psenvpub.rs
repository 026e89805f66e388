//! Pub-sub message envelopes: the publisher puts the topic in a frame of its own.
//!
//! Subscriptions match the start of the first frame, so with the key alone in that frame a
//! subscriber matches it exactly and the data that follows never gets in the way. The
//! publisher binds, as publishers do: it is the stable source.
//!
//! `cargo run --example psenvpub` and then `cargo run --example psenvsub`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Pub;

/// Sends `[A][We don't want to see this]` and `[B][We would like to see this]` each round.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the PUB socket binds.
    #[arg(long, default_value = "tcp://*:5563")]
    bind: String,
    /// Rounds before exiting, each an A and a B message (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
    /// The pause after each round, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    interval_ms: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let publisher = Pub::new(ctx)?;
        publisher.bind(&args.bind)?;
        for _ in support::counted(args.count) {
            // Two frames, sent as one message: the envelope (the key) and the contents.
            publisher.send(["A", "We don't want to see this"])?;
            publisher.send(["B", "We would like to see this"])?;
            support::sleep_ms(ctx, args.interval_ms)?;
        }
        Ok(())
    })
}
