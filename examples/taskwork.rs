//! Task worker: the pipeline pattern's middle stage.
//!
//! A PULL socket takes tasks from the ventilator, a PUSH socket passes each result on to the
//! sink. Workers connect to both, because they are the moving parts: add as many as the
//! work needs, and the ventilator's PUSH spreads the tasks over them.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Pull, Push};

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
        let receiver = Pull::new(ctx)?;
        receiver.connect(&args.connect)?;
        let sender = Push::new(ctx)?;
        sender.connect(&args.sink)?;
        for _ in support::counted(args.count) {
            let task = receiver.recv_string()?;
            // A progress mark per task on stderr: the workload, then a dot.
            eprint!("{task}.");
            support::sleep_ms(task.trim().parse().unwrap_or(0));
            sender.send("")?;
        }
        Ok(())
    })
}
