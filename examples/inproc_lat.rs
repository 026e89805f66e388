//! Latency within one process: the main thread's REQ sends a message of `<message-size>`
//! bytes over `inproc://` to a worker thread's REP, which sends it back, `<roundtrip-count>`
//! times; prints half the mean round trip. Argument- and output-compatible with libzmq's
//! `perf/inproc_lat`; `raw_inproc_lat` is the same program on the raw C API.
//!
//! On both sides one [`Message`] goes back and forth: sent ([`Socket::send_from`], which
//! leaves it empty, as libzmq leaves a sent `zmq_msg_t`) and received into again
//! ([`Socket::recv_frame_into`]): one libzmq call each way, as in C.
//!
//! Run: `cargo run --release --example inproc_lat -- 1 100000`.

mod perf_support;

use std::time::Instant;

use perf_support::{ok, worker_ok};
use zmq_typed::{Context, Message, Socket, SocketType};

const USAGE: &str = "usage: inproc_lat <message-size> <roundtrip-count>";

/// The answering thread: connects, sends every request back, closes its socket.
fn worker(ctx: Context, roundtrip_count: usize) {
    let s = worker_ok(Socket::new(&ctx, SocketType::Rep), "Socket::new");
    worker_ok(s.connect("inproc://lat_test"), "connect");
    let mut msg = Message::new();
    for _ in 0..roundtrip_count {
        worker_ok(s.recv_frame_into(&mut msg), "recv_frame_into");
        worker_ok(s.send_from(&mut msg), "send_from");
    }
    drop(msg);
    worker_ok(s.close(), "close");
}

fn main() {
    let args = perf_support::args(USAGE, 2, 0);
    let message_size = perf_support::size(USAGE, &args[0]);
    let roundtrip_count = perf_support::count(USAGE, "<roundtrip-count>", &args[1]);

    let ctx = ok(Context::new(), "Context::new");
    let s = ok(Socket::new(&ctx, SocketType::Req), "Socket::new");
    ok(s.bind("inproc://lat_test"), "bind");

    let worker_ctx = ctx.clone();
    let local_thread = ok(
        std::thread::Builder::new().spawn(move || worker(worker_ctx, roundtrip_count)),
        "thread spawn",
    );

    // Zeroed, as libzmq's program memsets it.
    let mut msg = ok(Message::with_size(message_size), "Message::with_size");
    perf_support::print_size(message_size);
    perf_support::print_roundtrip_count(roundtrip_count);

    let watch = Instant::now();
    for _ in 0..roundtrip_count {
        ok(s.send_from(&mut msg), "send_from");
        ok(s.recv_frame_into(&mut msg), "recv_frame_into");
        if msg.len() != message_size {
            perf_support::wrong_size();
        }
    }
    let elapsed = perf_support::micros(watch.elapsed());
    drop(msg);

    if local_thread.join().is_err() {
        perf_support::fail("thread join", "the worker thread panicked");
    }
    perf_support::print_latency(roundtrip_count, elapsed);

    ok(s.close(), "close");
    ok(ctx.terminate(), "Context::terminate");
}
