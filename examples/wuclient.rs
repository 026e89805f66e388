//! Weather update client: the publish-subscribe pattern's subscriber.
//!
//! A SUB socket receives only the updates that start with one of its subscriptions; the
//! filtering happens at the publisher. It connects to the publisher's known address. It
//! misses whatever was published before its subscription reached the publisher (the "slow
//! joiner"), which does not matter for a stream of weather updates.
//!
//! `cargo run --example wuserver` and then `cargo run --example wuclient -- 10001`.

mod support;

use std::process::ExitCode;

use clap::Parser;
use zmq_typed::{Error, Sub};

/// Collects updates for one zip code and prints their average temperature.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The zip code whose updates to average: five digits, as wuserver writes them.
    #[arg(default_value = "10001", value_parser = zip_code)]
    zipcode: String,
    /// The weather server to connect to.
    #[arg(long, default_value = "tcp://localhost:5556")]
    connect: String,
    /// Updates to average.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    count: u64,
}

/// A zip code as the updates spell it (`%05d`): any other filter would match none of them,
/// and the program would wait for ever.
fn zip_code(text: &str) -> Result<String, String> {
    if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_string())
    } else {
        Err("a zip code is five digits (00000 to 99999)".to_string())
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    support::run(|ctx| {
        let subscriber = Sub::new(ctx)?;
        subscriber.connect(&args.connect)?;
        // The trailing space makes "10001" not match "100010".
        subscriber.subscribe(format!("{} ", args.zipcode))?;
        let mut total_temp: i64 = 0;
        for _ in 0..args.count {
            let update = subscriber.recv_string()?;
            let temperature = update
                .split(' ')
                .nth(1)
                .and_then(|t| t.parse::<i64>().ok())
                .ok_or_else(|| Error::Malformed(format!("not a weather update: {update:?}")))?;
            total_temp += temperature;
        }
        // An integer average, as the guide's C program computes it.
        let average = total_temp / args.count as i64;
        support::say(format_args!(
            "Average temperature for zipcode '{}' was {average}F",
            args.zipcode
        ))
    })
}
