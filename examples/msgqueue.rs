//! The request-reply broker of rrbroker, ready-made: `patterns::broker::RequestReplyBroker`
//! runs libzmq's built-in proxy on a thread of its own.
//!
//! A ROUTER binds for the clients, a DEALER binds for the workers (the broker is the stable
//! point both sides know), and the proxy moves every message, every frame of it, both ways.
//!
//! `cargo run --example msgqueue`, a few `cargo run --example rrworker`, then
//! `cargo run --example rrclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::patterns::broker::RequestReplyBroker;

/// Forwards requests from clients to workers and replies back, with the built-in proxy.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where clients connect (ROUTER binds).
    #[arg(long, default_value = "tcp://*:5559")]
    frontend: String,
    /// Where workers connect (DEALER binds).
    #[arg(long, default_value = "tcp://*:5560")]
    backend: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let broker = RequestReplyBroker::start(ctx, &args.frontend, &args.backend)?;
        support::note(format_args!(
            "msgqueue: frontend (ROUTER, for clients) bound at {}, backend (DEALER, for \
             workers) at {}",
            broker.frontend_endpoint(),
            broker.backend_endpoint()
        ));
        // The broker runs until Ctrl-C shuts the context down; meanwhile its counters say it
        // is still running.
        support::wait_for_shutdown(ctx, || broker.counters().map(drop))
    })
}
