//! Paranoid Pirate worker: echoes requests, heartbeats the queue, and reconnects when the
//! queue goes silent.
//!
//! It sends `\x01` (READY) on each connection and `\x02` (HEARTBEAT) every interval. When
//! nothing comes from the queue for liveness × interval it prints `W: heartbeat failure,
//! can't reach queue`, waits (one interval, doubling up to 32) and starts over on a fresh
//! socket. With `--crash-after N` it answers N requests, and when the next one comes it
//! exits at once, without replying or closing anything: a crash.
//!
//! `cargo run --example ppqueue`, then `cargo run --example ppworker`.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::patterns::paranoid_pirate::{PpSettings, PpWorker, WorkerEvent};

/// Echoes each request; heartbeats both ways.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the queue's backend is.
    #[arg(long, default_value = "tcp://localhost:5556")]
    connect: String,
    /// The heartbeat interval, in milliseconds.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    heartbeat_ms: u64,
    /// Intervals of silence after which the queue is given up.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    liveness: u32,
    /// Replies before crashing (0: never).
    #[arg(long, default_value_t = 0)]
    crash_after: u64,
    /// Replies before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

/// The exit code of the simulated crash.
const CRASHED: i32 = 1;

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let settings = PpSettings::new(Duration::from_millis(args.heartbeat_ms), args.liveness)?;
        let mut worker = PpWorker::connect(ctx, &args.connect, settings)?.on_event(|event| {
            if matches!(event, WorkerEvent::Replied) {
                // Stdout: the line scripts count. A closed stdout ends nothing here.
                let _ = support::say(event);
            } else {
                support::note(event);
            }
        });
        let limit = (args.count != 0).then_some(args.count);
        let mut taken = 0u64;
        worker.serve(limit, |request| {
            if args.crash_after != 0 && taken == args.crash_after {
                support::note("I: simulating a crash");
                std::process::exit(CRASHED);
            }
            taken += 1;
            request
        })?;
        Ok(())
    })
}
