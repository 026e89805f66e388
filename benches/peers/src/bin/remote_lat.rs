//! `remote_lat <connect-to> <message-size> <roundtrip-count>` on rust-zmq: a REQ socket that
//! times `<roundtrip-count>` requests to a `local_lat` and prints half the mean roundtrip.

use peers::{finish, latency_line, size_line, zmq_call, Args, Spec};
use std::process::ExitCode;

const SPEC: Spec = Spec {
    usage: "usage: remote_lat <connect-to> <message-size> <roundtrip-count>",
    endpoint: true,
    count_name: "<roundtrip-count>",
    curve: false,
};

fn main() -> ExitCode {
    match SPEC.parse(std::env::args().skip(1)) {
        Ok(args) => finish(run(&args)),
        Err(usage) => usage.report(),
    }
}

fn run(args: &Args) -> Result<(), peers::Failure> {
    let ctx = zmq::Context::new();
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::REQ))?;
    zmq_call(
        "zmq_connect",
        socket.connect(args.endpoint.as_deref().unwrap_or_default()),
    )?;

    let elapsed = peers::roundtrips(&socket, args.size, args.count)?;

    println!("{}", size_line(args.size));
    println!("roundtrip count: {}", args.count);
    println!("{}", latency_line(args.count, elapsed));
    Ok(())
}
