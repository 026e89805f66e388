//! Makes CURVE certificates: for each `--name NAME`, a new key pair written as `NAME.key`
//! (the public certificate, to give to peers) and `NAME.key_secret` (both keys, mode 0600,
//! to keep), in the ZPL shape czmq and pyzmq read; prints the two paths, one a line.
//!
//! Files that exist are not replaced unless `--force` is given (then each is replaced
//! atomically); with several names, nothing is written when any would be refused.
//!
//! `cargo run --example curve_keygen -- --dir certs --name server --name client`

mod support;

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Certificate, Error};

/// Writes NAME.key and NAME.key_secret for each name, and prints their paths.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The folder the files go into (made, with its parents, when missing).
    #[arg(long, default_value = ".")]
    dir: PathBuf,
    /// A certificate's name (repeat for several): NAME.key and NAME.key_secret.
    #[arg(long, required = true)]
    name: Vec<String>,
    /// Replace certificate files that exist.
    #[arg(long)]
    force: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|_ctx| {
        let mut seen = HashSet::new();
        for name in &args.name {
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
                return Err(Error::Certificate {
                    path: args.dir.clone(),
                    reason: format!("{name:?} is not a plain file name for a certificate"),
                });
            }
            if !seen.insert(name) {
                return Err(Error::Certificate {
                    path: args.dir.join(format!("{name}.key")),
                    reason: format!("the name {name:?} is given twice"),
                });
            }
        }
        if !args.force {
            // All refusals before any write.
            for name in &args.name {
                for path in [
                    args.dir.join(format!("{name}.key")),
                    args.dir.join(format!("{name}.key_secret")),
                ] {
                    if path.symlink_metadata().is_ok() {
                        return Err(Error::Certificate {
                            path,
                            reason: "already exists (--force replaces it)".into(),
                        });
                    }
                }
            }
        }
        std::fs::create_dir_all(&args.dir).map_err(|e| Error::Certificate {
            path: args.dir.clone(),
            reason: format!("cannot make the folder: {e}"),
        })?;
        for name in &args.name {
            let (public, secret) = if args.force {
                let public = args.dir.join(format!("{name}.key"));
                let secret = args.dir.join(format!("{name}.key_secret"));
                let mut cert = Certificate::generate()?;
                cert.set_metadata("name", name)?;
                cert.save(&public)?;
                (public, secret)
            } else {
                Certificate::create(&args.dir, name)?
            };
            support::say(public.display())?;
            support::say(secret.display())?;
        }
        Ok(())
    })
}
