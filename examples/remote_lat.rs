//! Latency, asking side: a REQ socket connects, sends a message of `<message-size>` bytes
//! and waits for it to come back, `<roundtrip-count>` times, and prints half the mean round
//! trip. Argument- and output-compatible with libzmq's `perf/remote_lat` (its peer is
//! `local_lat`, ours or libzmq's); `raw_remote_lat` is the same program on the raw C API.
//!
//! One [`Message`] goes back and forth: sent ([`Socket::send_from`], which leaves it empty,
//! as libzmq leaves a sent `zmq_msg_t`) and received into again
//! ([`Socket::recv_frame_into`]): one libzmq call each way, as in C.
//!
//! Run: `cargo run --release --example remote_lat -- tcp://127.0.0.1:5555 1 10000`.

mod perf_support;

use std::time::Instant;

use perf_support::ok;
use zmq_typed::{Context, Message, Socket, SocketType};

const USAGE: &str = "usage: remote_lat <connect-to> <message-size> <roundtrip-count>";

fn main() {
    let args = perf_support::args(USAGE, 3, 0);
    let connect_to = args[0].as_str();
    let message_size = perf_support::size(USAGE, &args[1]);
    let roundtrip_count = perf_support::count(USAGE, "<roundtrip-count>", &args[2]);

    let ctx = ok(Context::new(), "Context::new");
    let s = ok(Socket::new(&ctx, SocketType::Req), "Socket::new");
    ok(s.connect(connect_to), "connect");

    // Zeroed, as libzmq's program memsets it.
    let mut msg = ok(Message::with_size(message_size), "Message::with_size");

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

    perf_support::print_size(message_size);
    perf_support::print_roundtrip_count(roundtrip_count);
    perf_support::print_latency(roundtrip_count, elapsed);

    ok(s.close(), "close");
    ok(ctx.terminate(), "Context::terminate");
}
