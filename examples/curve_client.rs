//! CURVE client: the Hello World client, encrypted, proving who it is with its certificate.
//!
//! The REQ socket is a CURVE client with its own secret certificate (`--cert`) and the
//! server's public certificate (`--server-key`). A CURVE handshake that fails never reaches
//! the application as an error (libzmq retries in the background, and the request simply
//! gets no reply), so the client watches its handshakes: when no reply comes within
//! `--timeout-ms` it says why on stderr (the server key is probably wrong, the server
//! refused this client) before `E: no reply`.
//!
//! See `curve_server` for a session from key generation to the first reply.

mod support;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use zmq_typed::{Certificate, Req};

/// Sends `Hello` over CURVE and prints `Received World <i>` after each reply.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The server to connect to.
    #[arg(long, default_value = "tcp://localhost:5555")]
    connect: String,
    /// The client's secret certificate (a `NAME.key_secret` file).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// The server's public certificate (its `NAME.key` file).
    #[arg(long, value_name = "FILE")]
    server_key: PathBuf,
    /// Requests to send.
    #[arg(long, default_value_t = 1)]
    count: u64,
    /// How long to wait for each reply, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    timeout_ms: u64,
}

/// The exit code when a reply did not come in time.
const NO_REPLY: u8 = 1;

fn main() -> ExitCode {
    let args = Args::parse();
    let mut no_reply = false;
    let code = support::run(|ctx| {
        let mine = Certificate::load_secret(&args.cert)?;
        let server = Certificate::load(&args.server_key)?;
        let mut req = Req::new(ctx)?;
        req.setup_curve_client(&mine, server.public_key())?;
        // A request still queued when the client gives up is not worth waiting for.
        req.set_linger(Some(Duration::ZERO))?;
        let watch = req.watch_handshakes()?;
        req.connect(&args.connect)?;
        let timeout = Duration::from_millis(args.timeout_ms);
        for i in 0..args.count {
            match req.send("Hello")?.recv_timeout(timeout) {
                Ok((reply, ready)) => {
                    support::say(format_args!("Received {reply} {i}"))?;
                    req = ready;
                }
                Err(failed) if failed.error().is_timeout() => {
                    if let Some(failure) = watch.failure() {
                        support::note(format_args!("W: {failure}"));
                    }
                    support::say("E: no reply")?;
                    no_reply = true;
                    return Ok(());
                }
                Err(failed) => return Err(failed.into_error()),
            }
        }
        Ok(())
    });
    if no_reply {
        ExitCode::from(NO_REPLY)
    } else {
        code
    }
}
