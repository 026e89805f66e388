//! Throughput within one process: a worker thread's PUSH sends `<message-count>` messages of
//! `<message-size>` bytes over `inproc://` to the main thread's PULL, which prints the rate
//! measured from the first message to the last. Argument- and output-compatible with
//! libzmq's `perf/inproc_thr`; `raw_inproc_thr` is the same program on the raw C API.
//!
//! The receiver reuses one [`Message`] ([`Socket::recv_frame_into`]); the sender sends a new
//! frame copied from one borrowed buffer per message (`s.send(&payload[..])`).
//!
//! Run: `cargo run --release --example inproc_thr -- 1 1000000`.

mod perf_support;

use std::time::Instant;

use perf_support::{ok, worker_ok, Rate};
use zmq_typed::{Context, Message, Socket, SocketType};

const USAGE: &str = "usage: inproc_thr <message-size> <message-count>";

/// The sending thread: connects, sends, closes its socket.
fn worker(ctx: Context, message_size: usize, message_count: usize) {
    let s = worker_ok(Socket::new(&ctx, SocketType::Push), "Socket::new");
    worker_ok(s.connect("inproc://thr_test"), "connect");
    let payload = vec![0u8; message_size];
    for _ in 0..message_count {
        worker_ok(s.send(&payload[..]), "send");
    }
    worker_ok(s.close(), "close");
}

fn main() {
    let args = perf_support::args(USAGE, 2, 0);
    let message_size = perf_support::size(USAGE, &args[0]);
    let message_count = perf_support::count(USAGE, "<message-count>", &args[1]);

    let ctx = ok(Context::new(), "Context::new");
    let s = ok(Socket::new(&ctx, SocketType::Pull), "Socket::new");
    ok(s.bind("inproc://thr_test"), "bind");

    let worker_ctx = ctx.clone();
    let local_thread = ok(
        std::thread::Builder::new().spawn(move || worker(worker_ctx, message_size, message_count)),
        "thread spawn",
    );

    let mut msg = Message::new();
    perf_support::print_size(message_size);
    perf_support::print_message_count(message_count);

    ok(s.recv_frame_into(&mut msg), "recv_frame_into");
    if msg.len() != message_size {
        perf_support::wrong_size();
    }

    let watch = Instant::now();
    for _ in 1..message_count {
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
    ok(s.close(), "close");
    ok(ctx.terminate(), "Context::terminate");

    perf_support::print_throughput(message_count, message_size, elapsed, Rate::Truncated);
}
