//! `remote_lat` on the raw C API (`zmq_ffi`), line for line like libzmq 4.3.4's
//! `perf/remote_lat.cpp`: the baseline the safe `remote_lat` is measured against. Same
//! arguments and output (see `perf_support`, which reads the arguments and prints).
//!
//! Run: `cargo run --release --example raw_remote_lat -- tcp://127.0.0.1:5555 1 10000`.

mod perf_support;

use perf_support::{fail, zmq_error};
use zmq_ffi::*;

const USAGE: &str = "usage: raw_remote_lat <connect-to> <message-size> <roundtrip-count>";

fn main() {
    let args = perf_support::args(USAGE, 3, 0);
    let connect_to = perf_support::c_string(USAGE, "<connect-to>", &args[0]);
    let message_size = perf_support::size(USAGE, &args[1]);
    let roundtrip_count = perf_support::count(USAGE, "<roundtrip-count>", &args[2]);

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_init/zmq_socket, are checked for NULL, and are used only before the
    // zmq_close/zmq_ctx_term below; `msg` is initialised by zmq_msg_init_size before any
    // other zmq_msg_* call, its data is `message_size` writable bytes until it is first
    // sent, and it is closed once.
    unsafe {
        let ctx = zmq_init(1);
        if ctx.is_null() {
            fail("zmq_init", zmq_error());
        }

        let s = zmq_socket(ctx, ZMQ_REQ);
        if s.is_null() {
            fail("zmq_socket", zmq_error());
        }

        let rc = zmq_connect(s, connect_to.as_ptr());
        if rc != 0 {
            fail("zmq_connect", zmq_error());
        }

        let mut msg = zmq_msg_t::default();
        let rc = zmq_msg_init_size(&mut msg, message_size);
        if rc != 0 {
            fail("zmq_msg_init_size", zmq_error());
        }
        std::ptr::write_bytes(zmq_msg_data(&mut msg).cast::<u8>(), 0, message_size);

        let watch = zmq_stopwatch_start();

        for _ in 0..roundtrip_count {
            let rc = zmq_sendmsg(s, &mut msg, 0);
            if rc < 0 {
                fail("zmq_sendmsg", zmq_error());
            }
            let rc = zmq_recvmsg(s, &mut msg, 0);
            if rc < 0 {
                fail("zmq_recvmsg", zmq_error());
            }
            if zmq_msg_size(&msg) != message_size {
                perf_support::wrong_size();
            }
        }

        let elapsed = zmq_stopwatch_stop(watch) as u64;

        let rc = zmq_msg_close(&mut msg);
        if rc != 0 {
            fail("zmq_msg_close", zmq_error());
        }

        perf_support::print_size(message_size);
        perf_support::print_roundtrip_count(roundtrip_count);
        perf_support::print_latency(roundtrip_count, elapsed);

        let rc = zmq_close(s);
        if rc != 0 {
            fail("zmq_close", zmq_error());
        }

        let rc = zmq_ctx_term(ctx);
        if rc != 0 {
            fail("zmq_ctx_term", zmq_error());
        }
    }
}
