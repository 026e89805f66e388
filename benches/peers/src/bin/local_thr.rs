//! `local_thr <bind-to> <message-size> <message-count> [<enable_curve>]` on rust-zmq: a PULL
//! socket that times the messages a `remote_thr` pushes, from the first to the last.

use peers::{check_size, curve_keys, finish, size_line, throughput_lines, zmq_call, Args, Spec};
use std::process::ExitCode;

const SPEC: Spec = Spec {
    usage: "usage: local_thr <bind-to> <message-size> <message-count> [<enable_curve>]",
    endpoint: true,
    count_name: "<message-count>",
    curve: true,
};

fn main() -> ExitCode {
    match SPEC.parse(std::env::args().skip(1)) {
        Ok(args) => finish(run(&args)),
        Err(usage) => usage.report(),
    }
}

fn run(args: &Args) -> Result<(), peers::Failure> {
    let ctx = zmq::Context::new();
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::PULL))?;
    if args.curve {
        peers::require_curve()?;
        let secret = zmq::z85_decode(curve_keys::SERVER_SECRET).unwrap_or_default();
        zmq_call("zmq_setsockopt", socket.set_curve_secretkey(&secret))?;
        zmq_call("zmq_setsockopt", socket.set_curve_server(true))?;
    }
    zmq_call(
        "zmq_bind",
        socket.bind(args.endpoint.as_deref().unwrap_or_default()),
    )?;

    let mut msg = zmq::Message::new();
    zmq_call("zmq_recvmsg", socket.recv(&mut msg, 0))?;
    check_size(args.size, msg.len())?;

    let watch = peers::Stopwatch::start();
    for _ in 1..args.count {
        zmq_call("zmq_recvmsg", socket.recv(&mut msg, 0))?;
        check_size(args.size, msg.len())?;
    }
    let elapsed = watch.stop();

    println!("{}", size_line(args.size));
    println!("message count: {}", args.count);
    for line in throughput_lines(args.size, args.count, elapsed) {
        println!("{line}");
    }
    Ok(())
}
