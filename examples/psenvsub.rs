//! Pub-sub message envelopes: the subscriber matches the key frame.
//!
//! It subscribes to `B`, so the publisher never even sends it the `A` messages. It connects
//! to the publisher's known address.
//!
//! `cargo run --example psenvpub` and then `cargo run --example psenvsub`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Error, Sub};

/// Prints `[<key>] <contents>` for each `B` message.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The publisher to connect to.
    #[arg(long, default_value = "tcp://localhost:5563")]
    connect: String,
    /// Messages to print before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let subscriber = Sub::new(ctx)?;
        subscriber.connect(&args.connect)?;
        subscriber.subscribe("B")?;
        for _ in support::counted(args.count) {
            let message = subscriber.recv()?;
            let [address, contents] = &message[..] else {
                return Err(Error::Malformed(format!(
                    "expected [key][contents], got {message}"
                )));
            };
            support::say(format_args!(
                "[{}] {}",
                address.as_str()?,
                contents.as_str()?
            ))?;
        }
        Ok(())
    })
}
