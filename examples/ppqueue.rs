//! Paranoid Pirate queue: a load-balancing queue that heartbeats its workers.
//!
//! Clients (lpclient) connect to the frontend, workers (ppworker, or the guide's C
//! ppworker) to the backend. A worker says `\x01` (READY) once, then `\x02` (HEARTBEAT)
//! every interval; the queue heartbeats idle workers the same way, forgets a worker silent
//! for liveness × interval, and gives each request to the least recently ready worker. It
//! logs to stderr only.
//!
//! `cargo run --example ppqueue`, some `cargo run --example ppworker`, then
//! `cargo run --example lpclient`.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::patterns::paranoid_pirate::{PpQueue, PpSettings};

/// The queue between Lazy Pirate clients and Paranoid Pirate workers.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where clients connect (ROUTER binds).
    #[arg(long, default_value = "tcp://*:5555")]
    frontend: String,
    /// Where workers connect (ROUTER binds).
    #[arg(long, default_value = "tcp://*:5556")]
    backend: String,
    /// The heartbeat interval, in milliseconds.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    heartbeat_ms: u64,
    /// Intervals of silence after which a worker is forgotten.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    liveness: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let settings = PpSettings::new(Duration::from_millis(args.heartbeat_ms), args.liveness)?;
        PpQueue::run(ctx, &args.frontend, &args.backend, settings, |event| {
            support::note(event)
        })
    })
}
