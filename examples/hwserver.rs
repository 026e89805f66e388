//! Hello World server: the request-reply pattern's server side.
//!
//! A REP socket answers each request with exactly one reply, in order. The server binds
//! because it is the stable end of the exchange: clients come and go and connect to it.
//!
//! `cargo run --example hwserver` and then `cargo run --example hwclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Rep;

/// Replies `World` to every request, printing `Received <request>`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the REP socket binds.
    #[arg(long, default_value = "tcp://*:5555")]
    bind: String,
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
        rep.bind(&args.bind)?;
        for _ in support::counted(args.count) {
            // The type moves on: a Rep<Replying> must send before it can receive again.
            let (request, replying) = rep.recv()?;
            support::say(format_args!("Received {request}"))?;
            support::sleep_ms(ctx, args.delay_ms)?;
            rep = replying.send("World")?;
        }
        Ok(())
    })
}
