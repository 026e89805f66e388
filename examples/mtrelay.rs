//! Multithreaded relay: PAIR sockets over inproc as signals between threads.
//!
//! A PAIR socket talks to exactly one peer, which is what a thread handing a baton to the
//! next thread wants. Each step binds its own inproc address before starting the thread
//! that connects to it, so the connect always finds it there.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Context, Pair, Result};

/// Three threads pass a signal along; prints `Test successful!`.
#[derive(Parser)]
#[command(version)]
struct Args {}

/// The first step: tells step 2 it is ready.
fn step1(ctx: &Context) -> Result<()> {
    let xmitter = Pair::new(ctx)?;
    xmitter.connect("inproc://step2")?;
    support::note("Step 1 ready, signaling step 2");
    xmitter.send("READY")?;
    Ok(())
}

/// The second step: starts step 1, waits for it, then tells step 3.
fn step2(ctx: &Context) -> Result<()> {
    let receiver = Pair::new(ctx)?;
    receiver.bind("inproc://step2")?;
    let step1_ctx = ctx.clone();
    let first = support::spawn("step 1", move || step1(&step1_ctx))?;
    receiver.recv()?;
    support::join(first, "step 1")?;

    let xmitter = Pair::new(ctx)?;
    xmitter.connect("inproc://step3")?;
    support::note("Step 2 ready, signaling step 3");
    xmitter.send("READY")?;
    Ok(())
}

fn main() -> ExitCode {
    Args::parse();
    support::run(|ctx| {
        let receiver = Pair::new(ctx)?;
        receiver.bind("inproc://step3")?;
        let step2_ctx = ctx.clone();
        let second = support::spawn("step 2", move || step2(&step2_ctx))?;
        receiver.recv()?;
        support::join(second, "step 2")?;
        support::say("Test successful!")
    })
}
