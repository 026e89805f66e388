//! `local_thr` on the raw C API (`zmq_ffi`), line for line like libzmq 4.3.4's
//! `perf/local_thr.cpp`: the baseline the safe `local_thr` is measured against. Same
//! arguments and output (see `perf_support`, which reads the arguments and prints).
//!
//! Run: `cargo run --release --example raw_local_thr -- tcp://127.0.0.1:5555 1 1000000`.

mod perf_support;

use std::ffi::CString;
use std::os::raw::c_int;

use perf_support::{curve, fail, zmq_error};
use zmq_ffi::*;

const USAGE: &str =
    "usage: raw_local_thr <bind-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    let args = perf_support::args(USAGE, 3, 1);
    let bind_to = perf_support::c_string(USAGE, "<bind-to>", &args[0]);
    let message_size = perf_support::size(USAGE, &args[1]);
    let message_count = perf_support::count(USAGE, "<message-count>", &args[2]);
    let curve = perf_support::enable_curve(USAGE, args.get(3));
    // With its NUL, as the C program passes `sizeof (server_prvkey)`.
    let server_prvkey = CString::new(curve::SERVER_SECRET).unwrap_or_default();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_init/zmq_socket, are checked for NULL, and are used only before the
    // zmq_close/zmq_ctx_term below; `msg` is initialised by zmq_msg_init before any other
    // zmq_msg_* call and closed once; every buffer passed with its length is a live value of
    // at least that length (the key with its NUL, the option's int).
    unsafe {
        let ctx = zmq_init(1);
        if ctx.is_null() {
            fail("zmq_init", zmq_error());
        }

        let s = zmq_socket(ctx, ZMQ_PULL);
        if s.is_null() {
            fail("zmq_socket", zmq_error());
        }

        if curve {
            let key = server_prvkey.as_bytes_with_nul();
            let rc = zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, key.as_ptr().cast(), key.len());
            if rc != 0 {
                fail("zmq_setsockopt", zmq_error());
            }
            let server: c_int = 1;
            let rc = zmq_setsockopt(
                s,
                ZMQ_CURVE_SERVER,
                (&server as *const c_int).cast(),
                std::mem::size_of::<c_int>(),
            );
            if rc != 0 {
                fail("zmq_setsockopt", zmq_error());
            }
        }

        let rc = zmq_bind(s, bind_to.as_ptr());
        if rc != 0 {
            fail("zmq_bind", zmq_error());
        }

        let mut msg = zmq_msg_t::default();
        let rc = zmq_msg_init(&mut msg);
        if rc != 0 {
            fail("zmq_msg_init", zmq_error());
        }

        let rc = zmq_recvmsg(s, &mut msg, 0);
        if rc < 0 {
            fail("zmq_recvmsg", zmq_error());
        }
        if zmq_msg_size(&msg) != message_size {
            perf_support::wrong_size();
        }

        let watch = zmq_stopwatch_start();

        for _ in 1..message_count {
            let rc = zmq_recvmsg(s, &mut msg, 0);
            if rc < 0 {
                fail("zmq_recvmsg", zmq_error());
            }
            if zmq_msg_size(&msg) != message_size {
                perf_support::wrong_size();
            }
        }

        let mut elapsed = zmq_stopwatch_stop(watch) as u64;
        if elapsed == 0 {
            elapsed = 1;
        }

        let rc = zmq_msg_close(&mut msg);
        if rc != 0 {
            fail("zmq_msg_close", zmq_error());
        }

        perf_support::print_size(message_size);
        perf_support::print_message_count(message_count);
        perf_support::print_throughput(
            message_count,
            message_size,
            elapsed,
            perf_support::Rate::Exact,
        );

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
