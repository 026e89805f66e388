//! Lazy Pirate client: reliable request-reply from the client side alone.
//!
//! A REQ socket that gets no reply waits for ever. This client waits at most `--timeout-ms`
//! for each reply; on a timeout it closes the socket, opens a fresh one and sends the request
//! again, `--retries` times on one endpoint, then on the next endpoint of the `--connect`
//! list. The library's `LazyPirate` does all of that; this program numbers the requests and
//! checks the replies.
//!
//! `cargo run --example lpserver` and then `cargo run --example lpclient`.

mod support;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::patterns::lazy_pirate::LazyPirate;
use zmq_typed::Error;

/// Sends 1, 2, 3... and expects each back; retries on fresh sockets, fails over in order.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where a server is, repeatable: the fallback list, tried in order.
    #[arg(long = "connect", default_value = "tcp://localhost:5555")]
    connect: Vec<String>,
    /// How long to wait for each reply, in milliseconds (1 at least: 0 would give up on
    /// every request at once).
    #[arg(long, default_value_t = 2500, value_parser = clap::value_parser!(u64).range(1..))]
    timeout_ms: u64,
    /// Tries of one request on one endpoint, the first included.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    retries: u32,
    /// Requests to send before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

/// The exit code when the servers seem to be offline.
const OFFLINE: u8 = 1;

fn main() -> ExitCode {
    let args = Args::parse();
    let mut offline = false;
    let code = support::run(|ctx| {
        let mut client = LazyPirate::new(ctx, &args.connect)?
            .timeout(Duration::from_millis(args.timeout_ms))
            .retries(args.retries)?
            .on_retry(|_| support::note("W: no response from server, retrying..."));
        for seq in support::counted(args.count).map(|i| i + 1) {
            let request = seq.to_string();
            match client.request(request.as_str()) {
                Ok(reply) if reply == request.as_str() => {
                    support::say(format_args!("I: server replied OK ({seq})"))?;
                }
                Ok(reply) => {
                    return Err(Error::Malformed(format!(
                        "malformed reply from server: {reply}"
                    )));
                }
                Err(e) if e.is_timeout() => {
                    support::say("E: server seems to be offline, abandoning")?;
                    offline = true;
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    });
    if offline {
        ExitCode::from(OFFLINE)
    } else {
        code
    }
}
