//! Synchronised subscriber: subscribes, tells the publisher it is listening (one request on
//! a REQ socket), then counts the updates until `END`; on
//! `patterns::sync_pubsub::SyncSubscriber`.
//!
//! Both its sockets connect: the publisher is the stable point. It subscribes last to a
//! token of its own and sends that token as its request: our syncpub then waits until the
//! token has arrived as a subscription, so this subscriber's subscription is in place
//! before the first update. (The guide's C syncpub reads the request and ignores it.)
//!
//! Start syncpub, then this (as many as syncpub's `--subscribers`).

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::patterns::sync_pubsub::SyncSubscriber;

/// Counts the updates of a synchronised publisher; prints `Received <N> updates`.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The publisher's updates socket.
    #[arg(long, default_value = "tcp://localhost:5561")]
    connect: String,
    /// The publisher's sync socket.
    #[arg(long, default_value = "tcp://localhost:5562")]
    sync: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        // Every message (the empty prefix).
        let subscriber = SyncSubscriber::connect(ctx, &args.connect, &args.sync, &[""])?;
        // A subscriber has nothing to deliver when it leaves. Without this, once the
        // publisher has gone (it exits after END), the SUB would wait its linger (2 s) at
        // exit, trying to send its subscription again.
        subscriber.subscriber().set_linger(Some(Duration::ZERO))?;
        subscriber.sync(None)?;
        let mut updates: u64 = 0;
        while subscriber.recv()? != "END" {
            updates += 1;
        }
        support::say(format_args!("Received {updates} updates"))
    })
}
