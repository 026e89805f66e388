//! Throughput, sending side: a PUSH socket connects and sends `<message-count>` messages of
//! `<message-size>` bytes, then waits until all of them are gone. Argument-compatible with
//! libzmq's `perf/remote_thr` (its peer is `local_thr`, ours or libzmq's); it prints
//! nothing. `raw_remote_thr` is the same program on the raw C API.
//!
//! Each message is a new frame copied from one borrowed buffer (`s.send(&payload[..])`):
//! the same work as libzmq's program (a `zmq_msg_t` of that size per message, sent and
//! closed) plus writing its bytes, which the C program leaves uninitialised.
//!
//! Run: `cargo run --release --example remote_thr -- tcp://127.0.0.1:5555 1 1000000`. A
//! non-zero fourth argument switches CURVE on (with libzmq's programs' keys).

mod perf_support;

use perf_support::{curve, ok};
use zmq_typed::{Context, Socket, SocketType};

const USAGE: &str =
    "usage: remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    let args = perf_support::args(USAGE, 3, 1);
    let connect_to = args[0].as_str();
    let message_size = perf_support::size(USAGE, &args[1]);
    let message_count = perf_support::count(USAGE, "<message-count>", &args[2]);
    let curve = perf_support::enable_curve(USAGE, args.get(3));

    // libzmq's default linger (for ever), which its program relies on: terminating the
    // context waits until every message queued has gone to the peer.
    let ctx = ok(
        Context::builder().default_linger(None).build(),
        "Context::build",
    );
    let s = ok(Socket::new(&ctx, SocketType::Push), "Socket::new");
    if curve {
        ok(
            s.set_curve_secretkey(curve::CLIENT_SECRET),
            "set_curve_secretkey",
        );
        ok(
            s.set_curve_publickey(curve::CLIENT_PUBLIC),
            "set_curve_publickey",
        );
        ok(
            s.set_curve_serverkey(curve::SERVER_PUBLIC),
            "set_curve_serverkey",
        );
    }
    ok(s.connect(connect_to), "connect");

    let payload = vec![0u8; message_size];
    for _ in 0..message_count {
        ok(s.send(&payload[..]), "send");
    }

    ok(s.close(), "close");
    ok(ctx.terminate(), "Context::terminate");
}
