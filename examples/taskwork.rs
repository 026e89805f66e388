//! Task worker: the pipeline pattern's middle stage, on `patterns::pipeline::Worker`.
//!
//! Its PULL socket takes tasks from the ventilator, its PUSH socket passes each result on to
//! the sink. Workers connect to both, because they are the moving parts: add as many as the
//! work needs, and the ventilator's PUSH spreads the tasks over them.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::patterns::pipeline::Worker;

/// Does each task (sleeps its workload) and tells the sink.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The ventilator.
    #[arg(long, default_value = "tcp://localhost:5557")]
    connect: String,
    /// The sink.
    #[arg(long, default_value = "tcp://localhost:5558")]
    sink: String,
    /// Tasks to do before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let worker = Worker::connect(ctx, &args.connect, &args.sink)?;
        let limit = (args.count > 0).then_some(args.count);
        // Each task is a workload in milliseconds; its result, sent to the sink, is empty.
        // Ctrl-C ends the run too (it returns Ok, and the program exits 130).
        worker.run(limit, |task| {
            let workload = task.as_str().unwrap_or_default().trim();
            // A progress mark per task on stderr: the workload, then a dot.
            support::mark(format_args!("{workload}."));
            // Ctrl-C cuts the sleep short; sending the result then fails, and run() returns.
            support::sleep_ms(ctx, workload.parse().unwrap_or(0)).ok();
            ""
        })?;
        Ok(())
    })
}
