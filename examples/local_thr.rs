//! Throughput, receiving side: a PULL socket binds, receives `<message-count>` messages of
//! `<message-size>` bytes, and prints the rate measured from the first message to the last.
//! Argument- and output-compatible with libzmq's `perf/local_thr` (its peer is `remote_thr`,
//! ours or libzmq's); `raw_local_thr` is the same program on the raw C API.
//!
//! Written as the library's docs recommend for a hot loop: one [`Message`] received into
//! again and again ([`Socket::recv_frame_into`]), so the loop allocates nothing of its own.
//!
//! Run: `cargo run --release --example local_thr -- tcp://127.0.0.1:5555 1 1000000`, then
//! `remote_thr tcp://127.0.0.1:5555 1 1000000` beside it. A non-zero fourth argument
//! switches CURVE on (with libzmq's programs' keys).

mod perf_support;

use std::time::Instant;

use perf_support::{curve, ok, Rate};
use zmq_typed::{Context, Message, Socket, SocketType};

const USAGE: &str = "usage: local_thr <bind-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    let args = perf_support::args(USAGE, 3, 1);
    let bind_to = args[0].as_str();
    let message_size = perf_support::size(USAGE, &args[1]);
    let message_count = perf_support::count(USAGE, "<message-count>", &args[2]);
    let curve = perf_support::enable_curve(USAGE, args.get(3));

    let ctx = ok(Context::new(), "Context::new");
    let s = ok(Socket::new(&ctx, SocketType::Pull), "Socket::new");
    if curve {
        ok(
            s.set_curve_secretkey(curve::SERVER_SECRET),
            "set_curve_secretkey",
        );
        ok(s.set_curve_server(true), "set_curve_server");
    }
    ok(s.bind(bind_to), "bind");

    let mut msg = Message::new();
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

    perf_support::print_size(message_size);
    perf_support::print_message_count(message_count);
    perf_support::print_throughput(message_count, message_size, elapsed, Rate::Exact);

    ok(s.close(), "close");
    ok(ctx.terminate(), "Context::terminate");
}
