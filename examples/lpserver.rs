//! Lazy Pirate server: echoes each request, and can crash on purpose.
//!
//! With `--crash-after N` it answers N requests, and when the next one comes it exits at
//! once, without replying and without closing its socket (`std::process::exit`): a crash,
//! as the client sees it. (It waits for that request so that the N-th reply has left: a
//! REQ client sends its next request only once it has the reply.)
//!
//! `cargo run --example lpserver` and then `cargo run --example lpclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Rep;

/// Echoes each request unchanged.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the REP socket binds.
    #[arg(long, default_value = "tcp://*:5555")]
    bind: String,
    /// Replies before crashing (0: never).
    #[arg(long, default_value_t = 0)]
    crash_after: u64,
    /// Requests to answer before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

/// The exit code of the simulated crash.
const CRASHED: i32 = 1;

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let mut rep = Rep::new(ctx)?;
        rep.bind(&args.bind)?;
        for replied in support::counted(args.count) {
            let (request, replying) = rep.recv()?;
            if args.crash_after != 0 && replied == args.crash_after {
                support::note("I: simulating a crash");
                std::process::exit(CRASHED);
            }
            support::note(format_args!("I: normal request ({request})"));
            rep = replying.send(request)?;
        }
        Ok(())
    })
}
