//! `local_lat <bind-to> <message-size> <roundtrip-count>` on rust-zmq: a REP socket that sends
//! every request of a `remote_lat` back as it came.

use peers::{finish, zmq_call, Args, Spec};
use std::process::ExitCode;

const SPEC: Spec = Spec {
    usage: "usage: local_lat <bind-to> <message-size> <roundtrip-count>",
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
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::REP))?;
    zmq_call(
        "zmq_bind",
        socket.bind(args.endpoint.as_deref().unwrap_or_default()),
    )?;

    peers::echo(&socket, Some(args.size), args.count)?;
    // The C program sleeps a second here; the default linger of the socket already delivers
    // the last reply before the context ends.
    Ok(())
}
