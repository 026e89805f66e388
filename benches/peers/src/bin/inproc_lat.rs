//! `inproc_lat <message-size> <roundtrip-count>` on rust-zmq: the main thread's REQ socket
//! times `<roundtrip-count>` requests over inproc to a worker thread's REP socket, which sends
//! each back; prints half the mean roundtrip.

use peers::{finish, join, latency_line, size_line, zmq_call, Args, Spec};
use std::process::ExitCode;

const SPEC: Spec = Spec {
    usage: "usage: inproc_lat <message-size> <roundtrip-count>",
    endpoint: false,
    count_name: "<roundtrip-count>",
    curve: false,
};

const ENDPOINT: &str = "inproc://lat_test";

fn main() -> ExitCode {
    match SPEC.parse(std::env::args().skip(1)) {
        Ok(args) => finish(run(&args)),
        Err(usage) => usage.report(),
    }
}

/// The worker: a REP socket sending `count` requests back, as `local_lat` does.
fn worker(ctx: &zmq::Context, count: u32) -> Result<(), peers::Failure> {
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::REP))?;
    zmq_call("zmq_connect", socket.connect(ENDPOINT))?;
    peers::echo(&socket, None, count)
}

fn run(args: &Args) -> Result<(), peers::Failure> {
    let ctx = zmq::Context::new();
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::REQ))?;
    zmq_call("zmq_bind", socket.bind(ENDPOINT))?;

    let count = args.count;
    let worker_ctx = ctx.clone();
    let handle = std::thread::Builder::new()
        .name("worker".into())
        .spawn(move || worker(&worker_ctx, count))
        .map_err(|e| peers::Failure::Other(format!("error in thread spawn: {e}")))?;

    println!("{}", size_line(args.size));
    println!("roundtrip count: {count}");

    let elapsed = peers::roundtrips(&socket, args.size, count)?;
    join(handle)?;

    println!("{}", latency_line(count, elapsed));
    Ok(())
}
