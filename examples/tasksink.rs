//! Task sink: the pipeline pattern's end, collecting every worker's results, on
//! `patterns::pipeline::Sink`.
//!
//! Its PULL socket fair-queues the results of all the workers. It binds, as the stable end
//! of the pipeline that the workers and the ventilator connect to.
//!
//! Start this first, then a few taskwork, then taskvent.

mod support;

use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use zmq_typed::patterns::pipeline::Sink;

/// Waits for a batch and reports how long its tasks took.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the workers and the ventilator connect (PULL binds).
    #[arg(long, default_value = "tcp://*:5558")]
    bind: String,
    /// Results in the batch.
    #[arg(long, default_value_t = 100)]
    tasks: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let sink = Sink::bind(ctx, &args.bind)?;
        // The first message starts the batch and the clock: the ventilator's "0". It comes
        // over another connection than the results, so nothing orders it strictly before
        // them; whichever comes first, the batch is the start and `tasks` results.
        sink.collect_results(1)?;
        let started = Instant::now();
        for task in 0..args.tasks {
            sink.collect_results(1)?;
            // Progress on stderr (unbuffered): a colon every ten results (the first one
            // included, as in the guide), a dot otherwise.
            support::mark(if task % 10 == 0 { ":" } else { "." });
        }
        support::note("");
        support::say(format_args!(
            "Total elapsed time: {} msec",
            started.elapsed().as_millis()
        ))
    })
}
