//! The request-reply broker of rrbroker in one library call.
//!
//! A ROUTER binds for the clients, a DEALER binds for the workers, and the built-in proxy
//! moves every message, every frame of it, both ways until the context shuts down.
//!
//! `cargo run --example msgqueue`, a few `cargo run --example rrworker`, then
//! `cargo run --example rrclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{proxy, Dealer, Router};

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
        let frontend = Router::new(ctx)?;
        frontend.bind(&args.frontend)?;
        let backend = Dealer::new(ctx)?;
        backend.bind(&args.backend)?;
        // Runs until the context shuts down (Ctrl-C).
        proxy(&frontend, &backend)
    })
}
