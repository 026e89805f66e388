//! Task ventilator: the pipeline pattern's source, in the "divide and conquer" shape, on
//! `patterns::pipeline::Ventilator`.
//!
//! Its PUSH socket hands each task to one worker, round robin over the workers connected
//! and ready. It binds, as the stable start of the pipeline that workers connect to; it
//! connects to the sink (the stable end) only to tell it that a batch starts.
//!
//! Start tasksink and a few taskwork, then this; press Enter once the workers are up (a
//! worker that connects late gets no share of the tasks sent before), or give `--workers N`
//! to wait until N of them have connected.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::patterns::pipeline::Ventilator;

/// Sends a batch of tasks (pretend workloads in milliseconds) to the workers.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the workers connect (PUSH binds).
    #[arg(long, default_value = "tcp://*:5557")]
    bind: String,
    /// The sink, told when the batch starts.
    #[arg(long, default_value = "tcp://localhost:5558")]
    sink: String,
    /// Tasks in the batch.
    #[arg(long, default_value_t = 100)]
    tasks: u64,
    /// The largest workload, in milliseconds (each is drawn from 1 to this).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    max_ms: u32,
    /// Start at once, without waiting for Enter.
    #[arg(long)]
    no_wait: bool,
    /// Wait until this many worker connections, and the sink's, have completed their
    /// handshake before starting, instead of asking for Enter, so that the tasks are
    /// spread over all of them (a worker that connected and left still counts).
    #[arg(long, default_value_t = 0)]
    workers: usize,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let ventilator = Ventilator::bind(ctx, &args.bind, &args.sink)?;
        if args.workers > 0 {
            // No time limit: Ctrl-C ends the wait.
            ventilator.wait_for_workers(args.workers, Duration::MAX)?;
            ventilator.wait_for_sink(Duration::MAX)?;
        }
        if !args.no_wait && args.workers == 0 {
            support::wait_for_enter(ctx, "Press Enter when the workers are ready: ")?;
        }
        support::note("Sending tasks to workers...");

        // The first message, "0", tells the sink to start its clock.
        ventilator.start_batch()?;
        let mut random = support::Random::seeded();
        let mut total_msec = 0;
        for _ in 0..args.tasks {
            let workload = random.below(args.max_ms) + 1;
            total_msec += u64::from(workload);
            ventilator.send_task(workload.to_string())?;
        }
        support::say(format_args!("Total expected cost: {total_msec} msec"))
        // Closing the sockets waits (a bounded linger) for the tasks to leave.
    })
}
