//! Multithreaded Hello World server: hwclient talks to it as to hwserver.
//!
//! A ROUTER binds the public address for the clients, a DEALER binds an inproc address for
//! the worker threads, and the library's proxy moves every message between the two. Each
//! worker is a plain REP, like hwserver's, that connects to the inproc address: REP is not
//! thread-safe, so each thread has its own socket, and inproc is the fast in-process pipe.
//!
//! `cargo run --example mtserver` and then `cargo run --example hwclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{proxy, Context, Dealer, Rep, Result, Router};

/// Answers `World` to each request, from several worker threads.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where clients connect (ROUTER binds).
    #[arg(long, default_value = "tcp://*:5555")]
    bind: String,
    /// Worker threads.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    workers: u32,
    /// The pretend work per request, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    delay_ms: u64,
}

/// The workers' address, inside this process.
const WORKERS: &str = "inproc://workers";

/// One worker thread: its REP serves requests until the context shuts down.
fn worker(ctx: &Context, mut rep: Rep, delay_ms: u64) -> Result<()> {
    loop {
        let (request, replying) = rep.recv()?;
        support::say(format_args!("Received request: [{request}]"))?;
        support::sleep_ms(ctx, delay_ms)?;
        rep = replying.send("World")?;
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let clients = Router::new(ctx)?;
        clients.bind(&args.bind)?;
        let workers = Dealer::new(ctx)?;
        workers.bind(WORKERS)?;

        let mut threads = Vec::new();
        for _ in 0..args.workers {
            // Made here, so that running out of sockets is an error at once; a socket may
            // move to another thread (it is used by one thread at a time).
            let rep = Rep::new(ctx)?;
            rep.connect(WORKERS)?;
            let (ctx, delay_ms) = (ctx.clone(), args.delay_ms);
            threads.push(support::spawn("worker", move || {
                let outcome = worker(&ctx, rep, delay_ms);
                // A worker that fails (stdout closed) stops the server, which says why.
                if outcome.as_ref().is_err_and(|e| !e.is_terminated()) {
                    ctx.shutdown()?;
                }
                outcome
            })?);
        }
        // Runs until the context shuts down (Ctrl-C).
        let proxied = proxy(&clients, &workers);
        for thread in threads {
            match support::join(thread, "worker") {
                Err(e) if !e.is_terminated() => return Err(e),
                _ => {}
            }
        }
        proxied
    })
}
