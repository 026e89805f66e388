//! Request-reply client talking to a broker: the same REQ socket as hwclient, connected to
//! the broker's frontend instead of to a server. It neither knows nor cares how many
//! workers sit behind the broker.
//!
//! `cargo run --example rrbroker`, a few `cargo run --example rrworker`, then this.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Req;

/// Sends `Hello` through the broker and prints `Received reply <i> [<reply>]`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The broker's frontend.
    #[arg(long, default_value = "tcp://localhost:5559")]
    connect: String,
    /// Requests to send.
    #[arg(long, default_value_t = 10)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let mut req = Req::new(ctx)?;
        req.connect(&args.connect)?;
        for i in 0..args.count {
            let (reply, ready) = req.send("Hello")?.recv()?;
            support::say(format_args!("Received reply {i} [{reply}]"))?;
            req = ready;
        }
        Ok(())
    })
}
