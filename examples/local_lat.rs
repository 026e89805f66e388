//! Latency, answering side: a REP socket binds and sends each of `<roundtrip-count>`
//! requests of `<message-size>` bytes back. Argument-compatible with libzmq's
//! `perf/local_lat` (its peer is `remote_lat`, ours or libzmq's, which prints the result);
//! it prints nothing. `raw_local_lat` is the same program on the raw C API.
//!
//! One [`Message`] received into ([`Socket::recv_frame_into`]) and sent back as it is
//! ([`Socket::send_from`], which leaves it empty, as libzmq leaves a sent `zmq_msg_t`): one
//! libzmq call each way, as in C.
//!
//! Run: `cargo run --release --example local_lat -- tcp://127.0.0.1:5555 1 10000`, then
//! `remote_lat tcp://127.0.0.1:5555 1 10000` beside it.

mod perf_support;

use std::time::Duration;

use perf_support::ok;
use zmq_typed::{Context, Message, Socket, SocketType};

const USAGE: &str = "usage: local_lat <bind-to> <message-size> <roundtrip-count>";

fn main() {
    let args = perf_support::args(USAGE, 3, 0);
    let bind_to = args[0].as_str();
    let message_size = perf_support::size(USAGE, &args[1]);
    let roundtrip_count = perf_support::count(USAGE, "<roundtrip-count>", &args[2]);

    let ctx = ok(Context::new(), "Context::new");
    let s = ok(Socket::new(&ctx, SocketType::Rep), "Socket::new");
    ok(s.bind(bind_to), "bind");

    let mut msg = Message::new();
    for _ in 0..roundtrip_count {
        ok(s.recv_frame_into(&mut msg), "recv_frame_into");
        if msg.len() != message_size {
            perf_support::wrong_size();
        }
        ok(s.send_from(&mut msg), "send_from");
    }
    drop(msg);

    // As libzmq's program: a second for the last reply to leave before the socket closes.
    std::thread::sleep(Duration::from_secs(1));

    ok(s.close(), "close");
    ok(ctx.terminate(), "Context::terminate");
}
