//! The tour: every pattern of the library end to end, in one process, over every transport
//! it runs on, with a table of what happened. Run it with `./dev.sh demo` (or
//! `cargo run --example tour`).
//!
//! Each row is one pattern over one transport, set up from scratch on a context of its own:
//! the sockets bind and connect, messages move, and every message is checked where it lands
//! (each reply at the client that asked, each task done exactly once, each update at every
//! subscriber). A row that takes too long has its context shut down, which wakes every call
//! it had blocked, and counts as failed. The exit code is 0 when every row passed.

mod cases;
mod reliability;
mod security;
mod silent_peer;
#[path = "../support/mod.rs"]
mod support;
mod table;
mod transport;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use clap::Parser;
use zmq_typed::Context;

use table::{Outcome, Row};
use transport::{Endpoints, Transport};

/// Runs every pattern end to end over inproc, ipc, tcp (and epgm when the loopback carries
/// multicast) and prints a table of the results.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Run only the patterns whose name contains this text, in any case (e.g. `broker`).
    #[arg(long)]
    only: Option<String>,
    /// Fail, rather than skip, when multicast is not available on the loopback.
    #[arg(long)]
    require_multicast: bool,
    /// Seconds a row may take before it is stopped and counted as failed.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..))]
    row_timeout: u64,
}

/// A pattern the tour runs: its name, its sockets, and how to run it over one transport.
struct Case {
    pattern: &'static str,
    sockets: &'static str,
    transports: &'static [Transport],
    run: fn(&Context, &mut Endpoints) -> anyhow::Result<u64>,
}

const ALL: &[Transport] = &[Transport::Inproc, Transport::Ipc, Transport::Tcp];

fn cases() -> Vec<Case> {
    vec![
        Case {
            pattern: "request-reply",
            sockets: "REQ -> REP",
            transports: ALL,
            run: |ctx, ep| cases::request_reply(ctx, ep, 100),
        },
        Case {
            pattern: "pub-sub, synced",
            sockets: "XPUB+ROUTER -> 3 SUB+REQ",
            transports: ALL,
            run: |ctx, ep| cases::pub_sub(ctx, ep, 3, 1000),
        },
        Case {
            pattern: "pub-sub, multicast",
            sockets: "PUB -> SUB",
            transports: &[Transport::Epgm],
            run: |ctx, ep| cases::multicast(ctx, ep, 100),
        },
        Case {
            pattern: "pipeline",
            sockets: "PUSH -> 3 PULL -> PULL",
            transports: ALL,
            run: |ctx, ep| cases::pipeline(ctx, ep, 3, 90),
        },
        Case {
            pattern: "request-reply broker",
            sockets: "3 REQ -> ROUTER|DEALER -> 2 REP",
            transports: ALL,
            run: |ctx, ep| cases::broker(ctx, ep, 3, 20),
        },
        Case {
            pattern: "load-balancing broker",
            sockets: "3 REQ -> ROUTER|ROUTER -> 3 REQ",
            transports: ALL,
            run: |ctx, ep| cases::load_balancer(ctx, ep, 3, 20),
        },
        Case {
            pattern: "pub-sub forwarder",
            sockets: "XPUB -> XSUB|XPUB -> 3 SUB",
            transports: ALL,
            run: |ctx, ep| cases::forwarder(ctx, ep, 3, 200),
        },
        Case {
            pattern: "ordering",
            sockets: "PUSH -> PULL, shuffled",
            transports: ALL,
            run: |ctx, ep| reliability::ordering(ctx, ep, 100),
        },
        Case {
            pattern: "backpressure, credit",
            sockets: "DEALER -> ROUTER, window 8",
            transports: ALL,
            run: |ctx, ep| reliability::credit(ctx, ep, 200),
        },
        Case {
            pattern: "failover, lazy pirate",
            sockets: "REQ -> silent ROUTER, then REP",
            transports: &[Transport::Tcp],
            run: |ctx, ep| reliability::lazy_pirate(ctx, ep, 20),
        },
        Case {
            pattern: "heartbeat, silent peer",
            sockets: "ROUTER <- raw ZMTP peer",
            transports: &[Transport::Tcp],
            run: silent_peer::silent_peer,
        },
        Case {
            pattern: "failover, paranoid pirate",
            sockets: "REQ -> ROUTER|ROUTER -> 2 DEALER",
            transports: &[Transport::Tcp],
            run: |ctx, ep| reliability::paranoid_pirate(ctx, ep, 20),
        },
        #[cfg(feature = "durable")]
        Case {
            pattern: "durable outbox",
            sockets: "DEALER -> ROUTER, SQLite journal",
            transports: &[Transport::Tcp],
            run: |ctx, ep| reliability::outbox(ctx, ep, 30, 20),
        },
        Case {
            pattern: "security, CURVE + ZAP",
            sockets: "REQ -> REP, 2 intruders kept out",
            transports: &[Transport::Ipc, Transport::Tcp],
            run: |ctx, ep| security::curve(ctx, ep, 20),
        },
        Case {
            pattern: "exclusive pair relay",
            sockets: "PAIR -> PAIR -> PAIR",
            transports: &[Transport::Inproc],
            run: cases::pair,
        },
    ]
}

fn main() -> ExitCode {
    let args = Args::parse();
    // OpenPGM's warnings would go to stdout, into the table.
    support::quiet_pgm();
    raise_descriptor_limit();
    let mut runs: Vec<(&Case, Transport)> = Vec::new();
    let cases = cases();
    let only = args.only.as_deref().map(str::to_lowercase);
    for case in &cases {
        if only.as_deref().is_some_and(|o| !case.pattern.contains(o)) {
            continue;
        }
        for &t in case.transports {
            runs.push((case, t));
        }
    }
    if runs.is_empty() {
        let names: Vec<&str> = cases.iter().map(|c| c.pattern).collect();
        support::note(format_args!(
            "error: no pattern matches {:?}; the patterns are: {}",
            args.only.unwrap_or_default(),
            names.join(", ")
        ));
        return ExitCode::from(2);
    }
    let limit = Duration::from_secs(args.row_timeout);
    let progress = std::io::stderr().is_terminal();
    let mut rows = Vec::new();
    for (i, (case, transport)) in runs.iter().enumerate() {
        let line = format!(
            "[{}/{}] {} over {transport} ...",
            i + 1,
            runs.len(),
            case.pattern
        );
        if progress {
            support::mark(format_args!("\r\x1b[K{line}"));
        } else {
            support::note(format_args!("{line}"));
        }
        let outcome = match run_row(case, *transport, limit) {
            // Multicast that does not reach this machine's loopback is the machine's
            // limit, not a failure (unless asked for).
            Outcome::Failed(why, _) if why.starts_with(NO_DELIVERY) && !args.require_multicast => {
                let hint = transport::multicast_on_loopback()
                    .err()
                    .map_or(String::new(), |e| format!(": {e}"));
                Outcome::Skipped(format!(
                    "{why}{hint} (run it in a network namespace: see README)"
                ))
            }
            outcome => outcome,
        };
        let interrupted = matches!(outcome, Outcome::Interrupted(..));
        rows.push(Row {
            pattern: case.pattern,
            sockets: case.sockets,
            transport: *transport,
            outcome,
        });
        if interrupted {
            break;
        }
    }
    if progress {
        support::mark(format_args!("\r\x1b[K"));
    }
    // A closed stdout (`tour | head -1`) ends the table, not the process with a panic.
    if let Err(e) = table::print(&rows) {
        support::note(format_args!("error: {e} (writing to stdout)"));
        return ExitCode::FAILURE;
    }
    if rows
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Interrupted(..)))
    {
        support::note(format_args!("interrupted"));
        ExitCode::from(130)
    } else if rows
        .iter()
        .any(|r| matches!(r.outcome, Outcome::Failed(..)))
    {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// How a multicast row's error starts when nothing reached the subscriber: the machine does
/// not deliver multicast on its loopback (the row is skipped, unless `--require-multicast`).
const NO_DELIVERY: &str = cases::NO_DELIVERY;

/// Raises the soft limit on open descriptors to the hard one: each row opens sockets,
/// connections and libzmq's own descriptors, and libzmq aborts (rather than fails) when
/// some of those run out on its threads.
fn raise_descriptor_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit read and write the rlimit struct passed by pointer,
    // which lives on this stack frame for both calls.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            let _ = libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// Runs one case over one transport on a context of its own, on a thread, for at most
/// `limit`; past it the context is shut down, which wakes whatever the case is blocked in.
/// Ctrl-C or SIGTERM shuts it down too, and the row is `Interrupted`.
fn run_row(case: &Case, transport: Transport, limit: Duration) -> Outcome {
    let ctx = match Context::new() {
        Ok(ctx) => ctx,
        Err(e) => return Outcome::Failed(format!("no context: {e}"), Duration::ZERO),
    };
    let signals = match ctx.shutdown_on_ctrl_c() {
        Ok(signals) => signals,
        Err(e) => return Outcome::Failed(format!("no signal handling: {e}"), Duration::ZERO),
    };
    let (done, result) = mpsc::channel();
    let run = case.run;
    let tag = format!("{}-{transport}", case.pattern.replace([' ', ','], ""));
    let worker_ctx = ctx.clone();
    let started = Instant::now();
    let spawned = thread::Builder::new().name(tag.clone()).spawn(move || {
        let mut endpoints = Endpoints::new(transport, &tag);
        let _ = done.send(run(&worker_ctx, &mut endpoints));
    });
    if let Err(e) = spawned {
        return Outcome::Failed(format!("no thread: {e}"), Duration::ZERO);
    }
    let outcome = match result.recv_timeout(limit) {
        _ if signals.received().is_some() => Outcome::Interrupted(started.elapsed()),
        Ok(Ok(moved)) => Outcome::Passed(moved, started.elapsed()),
        Ok(Err(e)) => Outcome::Failed(format!("{e:#}"), started.elapsed()),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            Outcome::Failed("the row's thread panicked".into(), started.elapsed())
        }
        Err(mpsc::RecvTimeoutError::Timeout) => {
            let _ = ctx.shutdown();
            Outcome::Failed(format!("did not finish in {limit:?}"), started.elapsed())
        }
    };
    // A case that was stopped gets a moment to unwind; a thread still stuck is left behind
    // (the process is about to end), never waited on for ever.
    let _ = result.recv_timeout(Duration::from_secs(2));
    outcome
}
