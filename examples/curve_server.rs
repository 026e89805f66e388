//! CURVE server: the Hello World server, encrypted, letting in only the clients it knows.
//!
//! The REP socket is a CURVE server with the secret certificate given by `--cert`. Which
//! clients get in is decided by a ZAP authenticator running on the same context: only those
//! whose public key has a certificate in the `--allow` directory (files as czmq's
//! `zcert_save`, pyzmq's `zmq.auth.create_certificates` or `curve_keygen` write them; the
//! directory is read again when it changes). Each request carries the client's key as its
//! `User-Id`, which the server prints. Every client turned away is logged on stderr with
//! the reason.
//!
//! ```text
//! cargo run --example curve_keygen -- --dir certs --name server --name alice
//! mkdir -p allowed && cp certs/alice.key allowed/
//! cargo run --example curve_server -- --cert certs/server.key_secret --allow allowed
//! cargo run --example curve_client -- --cert certs/alice.key_secret --server-key certs/server.key
//! ```

mod support;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Admission, Authenticator, Certificate, Rep};

/// A CURVE REP server that answers `World` to the clients whose certificates are in DIR.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the REP socket binds.
    #[arg(long, default_value = "tcp://*:5555")]
    bind: String,
    /// The server's secret certificate (a `NAME.key_secret` file).
    #[arg(long, value_name = "FILE")]
    cert: PathBuf,
    /// The directory of the public certificates of the clients let in.
    #[arg(long, value_name = "DIR")]
    allow: PathBuf,
    /// Requests to answer before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let cert = Certificate::load_secret(&args.cert)?;
        // The authenticator runs before the socket binds: no connection escapes its check.
        let auth = Authenticator::builder()
            .curve_cert_dir(&args.allow)
            .on_decision(|decision| {
                if !decision.allowed {
                    support::note(format_args!("W: {decision}"));
                }
            })
            .start(ctx)?;
        let mut rep = Rep::new(ctx)?;
        rep.setup_curve_server(&cert, Admission::CheckedBy(&auth))?;
        rep.bind(&args.bind)?;
        for _ in support::counted(args.count) {
            let (request, replying) = rep.recv()?;
            let client = match request.first() {
                Some(frame) => frame.user_id()?.unwrap_or("?").to_string(),
                None => "?".to_string(),
            };
            support::say(format_args!("Received {request} from {client}"))?;
            rep = replying.send("World")?;
        }
        Ok(())
    })
}
