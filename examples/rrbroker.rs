//! A request-reply broker written as a poll loop: the shape of every broker.
//!
//! Clients' REQ sockets connect to a ROUTER (the frontend); workers' REP sockets connect to a
//! DEALER (the backend). Both bind: the broker is the one fixed point, so clients and
//! workers can each scale on their own. The ROUTER puts the client's routing id in front of
//! each request; the DEALER spreads requests over the workers and gives back the replies,
//! with that id still in front, so the ROUTER sends each reply to the client that asked.
//!
//! msgqueue does the same in one library call.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Dealer, Error, PollEvents, Poller, Router};

/// Moves every message, every frame of it, from clients to workers and back.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where clients connect (ROUTER binds).
    #[arg(long, default_value = "tcp://*:5559")]
    frontend: String,
    /// Where workers connect (DEALER binds).
    #[arg(long, default_value = "tcp://*:5560")]
    backend: String,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let frontend = Router::new(ctx)?;
        frontend.bind(&args.frontend)?;
        let backend = Dealer::new(ctx)?;
        backend.bind(&args.backend)?;

        let mut poller = Poller::new();
        let from_clients = poller.add(&frontend, PollEvents::IN);
        let from_workers = poller.add(&backend, PollEvents::IN);
        loop {
            // Blocks until either side has a message (Ctrl-C ends it with an error).
            let ready = poller.poll(None)?;
            if ready.is_readable(from_clients) {
                // A whole message: the client's routing id, the empty delimiter, the request.
                let request = frontend.recv()?;
                backend.send(request)?;
            }
            if ready.is_readable(from_workers) {
                // The reply, with the same routing id in front: the ROUTER routes on it. A
                // worker's message with no routing id to go by is dropped (libzmq would drop
                // it silently), so that a broken worker cannot stop the broker.
                let reply = backend.recv()?;
                if let Err(e) = frontend.send(reply) {
                    if !matches!(e.error(), Error::Malformed(_)) {
                        return Err(e.into());
                    }
                    support::note(format_args!("dropped a reply: {}", e.error()));
                }
            }
        }
    })
}
