//! Request-reply worker behind a broker: a REP socket like hwserver's, but it connects to
//! the broker's backend instead of binding. The broker is the stable address; workers can
//! be added or removed while it runs.
//!
//! `cargo run --example rrbroker`, a few of these, then `cargo run --example rrclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Rep;

/// Prints `Received request: [<text>]` and replies `World`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The broker's backend.
    #[arg(long, default_value = "tcp://localhost:5560")]
    connect: String,
    /// The pretend work per request, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    delay_ms: u64,
    /// Requests to answer before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let mut rep = Rep::new(ctx)?;
        rep.connect(&args.connect)?;
        for _ in support::counted(args.count) {
            let (request, replying) = rep.recv()?;
            support::say(format_args!("Received request: [{request}]"))?;
            support::sleep_ms(ctx, args.delay_ms)?;
            rep = replying.send("World")?;
        }
        Ok(())
    })
}
