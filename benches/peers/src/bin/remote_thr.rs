//! `remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]` on rust-zmq: a
//! PUSH socket that sends the messages a `local_thr` times.
//!
//! Each message is sent the way rust-zmq's API offers for a byte slice, `send(&buf[..], 0)`,
//! which builds one `zmq_msg_t` per message as the C program does (plus a copy of the
//! `<message-size>` bytes, which C leaves uninitialised).

use peers::{curve_keys, finish, zmq_call, Args, Spec};
use std::process::ExitCode;

const SPEC: Spec = Spec {
    usage: "usage: remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]",
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
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::PUSH))?;
    if args.curve {
        peers::require_curve()?;
        let key = |z85: &str| zmq::z85_decode(z85).unwrap_or_default();
        let secret = key(curve_keys::CLIENT_SECRET);
        let public = key(curve_keys::CLIENT_PUBLIC);
        let server = key(curve_keys::SERVER_PUBLIC);
        zmq_call("zmq_setsockopt", socket.set_curve_secretkey(&secret))?;
        zmq_call("zmq_setsockopt", socket.set_curve_publickey(&public))?;
        zmq_call("zmq_setsockopt", socket.set_curve_serverkey(&server))?;
    }
    zmq_call(
        "zmq_connect",
        socket.connect(args.endpoint.as_deref().unwrap_or_default()),
    )?;

    let buf = vec![0u8; args.size];
    for _ in 0..args.count {
        zmq_call("zmq_sendmsg", socket.send(&buf[..], 0))?;
    }
    Ok(())
}
