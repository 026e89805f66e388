//! `inproc_thr <message-size> <message-count>` on rust-zmq: a worker thread's PUSH socket sends
//! the messages over inproc to the main thread's PULL socket, which times them from the first
//! to the last.

use peers::{check_size, finish, inproc_throughput_lines, join, size_line, zmq_call, Args, Spec};
use std::process::ExitCode;

const SPEC: Spec = Spec {
    usage: "usage: inproc_thr <message-size> <message-count>",
    endpoint: false,
    count_name: "<message-count>",
    curve: false,
};

const ENDPOINT: &str = "inproc://thr_test";

fn main() -> ExitCode {
    match SPEC.parse(std::env::args().skip(1)) {
        Ok(args) => finish(run(&args)),
        Err(usage) => usage.report(),
    }
}

/// The worker: sends `count` messages of `size` bytes as `remote_thr` does.
fn worker(ctx: &zmq::Context, size: usize, count: u32) -> Result<(), peers::Failure> {
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::PUSH))?;
    zmq_call("zmq_connect", socket.connect(ENDPOINT))?;
    let buf = vec![0u8; size];
    for _ in 0..count {
        zmq_call("zmq_sendmsg", socket.send(&buf[..], 0))?;
    }
    Ok(())
}

fn run(args: &Args) -> Result<(), peers::Failure> {
    let ctx = zmq::Context::new();
    let socket = zmq_call("zmq_socket", ctx.socket(zmq::PULL))?;
    zmq_call("zmq_bind", socket.bind(ENDPOINT))?;

    let (size, count) = (args.size, args.count);
    let worker_ctx = ctx.clone();
    let handle = std::thread::Builder::new()
        .name("worker".into())
        .spawn(move || worker(&worker_ctx, size, count))
        .map_err(|e| peers::Failure::Other(format!("error in thread spawn: {e}")))?;

    println!("{}", size_line(size));
    println!("message count: {count}");

    let mut msg = zmq::Message::new();
    zmq_call("zmq_recvmsg", socket.recv(&mut msg, 0))?;
    check_size(size, msg.len())?;
    let watch = peers::Stopwatch::start();
    for _ in 1..count {
        zmq_call("zmq_recvmsg", socket.recv(&mut msg, 0))?;
        check_size(size, msg.len())?;
    }
    let elapsed = watch.stop();
    join(handle)?;

    for line in inproc_throughput_lines(size, count, elapsed) {
        println!("{line}");
    }
    Ok(())
}
