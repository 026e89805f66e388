//! Weather update server: the publish-subscribe pattern's publisher.
//!
//! A PUB socket sends every update to every subscriber whose subscription matches its start,
//! and never waits for anyone: with no subscriber the updates are simply dropped. It binds
//! because it is the one stable source that many subscribers connect to.
//!
//! `cargo run --example wuserver` and then `cargo run --example wuclient`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::Pub;

/// Publishes `<zip> <temperature> <relative humidity>` updates as fast as it can.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Where the PUB socket binds; repeat it to bind several (given once or more, it replaces
    /// both defaults).
    #[arg(long, default_values = ["tcp://*:5556", "ipc://weather.ipc"])]
    bind: Vec<String>,
    /// Updates to publish before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
    /// Zip codes are drawn from 0 to this, excluded (fewer make a subscriber's zip come up
    /// more often).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    zips: u32,
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let publisher = Pub::new(ctx)?;
        for endpoint in &args.bind {
            publisher.bind(endpoint)?;
        }
        let mut random = support::Random::seeded();
        for _ in support::counted(args.count) {
            let zipcode = random.below(args.zips);
            let temperature = i64::from(random.below(215)) - 80;
            let relhumidity = random.below(50) + 10;
            publisher.send(format!("{zipcode:05} {temperature} {relhumidity}"))?;
        }
        Ok(())
    })
}
