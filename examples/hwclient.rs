//! Hello World client: the request-reply pattern's client side.
//!
//! A REQ socket sends one request, then must wait for its reply before sending the next.
//! The client connects because it is the transient end: it finds the server at a known
//! address, and libzmq keeps retrying in the background if the server is not there yet.
//!
//! `cargo run --example hwserver` and then `cargo run --example hwclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Req;

/// Sends `Hello` and prints `Received World <i>` after each reply.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The server to connect to.
    #[arg(long, default_value = "tcp://localhost:5555")]
    connect: String,
    /// Requests to send.
    #[arg(long, default_value_t = 10)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let mut req = Req::new(ctx)?;
        req.connect(&args.connect)?;
        for i in 0..args.count {
            // send() gives a Req<AwaitingReply>: the only thing it can do is receive.
            let (reply, ready) = req.send("Hello")?.recv()?;
            support::say(format_args!("Received {reply} {i}"))?;
            req = ready;
        }
        Ok(())
    })
}
