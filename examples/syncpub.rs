//! Synchronised publisher: publish-subscribe where no subscriber misses the first messages,
//! on `patterns::sync_pubsub::SyncPublisher`.
//!
//! A publisher drops what it sends before a subscriber's subscription has reached it (the
//! "slow joiner"). So this one waits until every expected subscriber has asked, over a
//! second, request-reply socket, to start, and until their subscriptions have arrived;
//! then it publishes, with no high-water mark, so that it drops nothing, and stays until
//! the subscribers have read to the end and left (closing earlier can cut the last updates
//! off for a subscriber still reading). It binds both sockets: it is the stable point that
//! the subscribers connect to.
//!
//! Its updates socket is an XPUB (a PUB that also sees the subscriptions) and its sync socket
//! a ROUTER (answering the REQ requests as a REP would): on the wire they are the guide's PUB
//! and REP, so the guide's own syncsub works with it too.
//!
//! Start this, then `--subscribers` times `cargo run --example syncsub`.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::patterns::sync_pubsub::SyncPublisher;

/// Waits for the subscribers, then sends `Rhubarb` `--count` times and `END`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the subscribers' SUB sockets connect.
    #[arg(long, default_value = "tcp://*:5561")]
    bind: String,
    /// Where the subscribers' sync requests come.
    #[arg(long, default_value = "tcp://*:5562")]
    sync: String,
    /// Subscribers to wait for.
    #[arg(long, default_value_t = 10)]
    subscribers: usize,
    /// Updates to send.
    #[arg(long, default_value_t = 1_000_000)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let publisher = SyncPublisher::bind(ctx, &args.bind, &args.sync)?;
        support::note(format_args!("Waiting for {} subscribers", args.subscribers));
        // No time limit: Ctrl-C ends the wait.
        publisher.wait_for_subscribers(args.subscribers, None)?;
        for _ in 0..args.count {
            publisher.send("Rhubarb")?;
        }
        publisher.send("END")?;
        support::say(format_args!("Sent {} updates", args.count))?;
        // Closing the socket would cut the last updates off for a subscriber still reading
        // them: stay until every subscriber has read to END and left (at most 10 s).
        match publisher.wait_for_departures(Some(Duration::from_secs(10))) {
            Err(e) if e.is_timeout() => {
                support::note(format_args!(
                    "closing with subscribers still connected: {e}"
                ));
                Ok(())
            }
            other => other,
        }
    })
}
