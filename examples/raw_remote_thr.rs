//! `remote_thr` on the raw C API (`zmq_ffi`), line for line like libzmq 4.3.4's
//! `perf/remote_thr.cpp`: the baseline the safe `remote_thr` is measured against. Same
//! arguments; prints nothing.
//!
//! Run: `cargo run --release --example raw_remote_thr -- tcp://127.0.0.1:5555 1 1000000`.

mod perf_support;

use std::ffi::CString;

use perf_support::{curve, fail, zmq_error};
use zmq_ffi::*;

const USAGE: &str =
    "usage: raw_remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]";

fn main() {
    let args = perf_support::args(USAGE, 3, 1);
    let connect_to = perf_support::c_string(USAGE, "<connect-to>", &args[0]);
    let message_size = perf_support::size(USAGE, &args[1]);
    let message_count = perf_support::count(USAGE, "<message-count>", &args[2]);
    let curve = perf_support::enable_curve(USAGE, args.get(3));
    // With their NUL, as the C program passes `sizeof (client_prvkey)` and so on.
    let keys = [
        (ZMQ_CURVE_SECRETKEY, curve::CLIENT_SECRET),
        (ZMQ_CURVE_PUBLICKEY, curve::CLIENT_PUBLIC),
        (ZMQ_CURVE_SERVERKEY, curve::SERVER_PUBLIC),
    ]
    .map(|(option, key)| (option, CString::new(key).unwrap_or_default()));

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_init/zmq_socket, are checked for NULL, and are used only before the
    // zmq_close/zmq_ctx_term below; `msg` is initialised by zmq_msg_init_size (with
    // `message_size` writable bytes at zmq_msg_data, filled from `payload` of that length)
    // before it is sent and closed once per message; every buffer passed with its length is a live value
    // of at least that length (each key with its NUL).
    unsafe {
        let ctx = zmq_init(1);
        if ctx.is_null() {
            fail("zmq_init", zmq_error());
        }

        let s = zmq_socket(ctx, ZMQ_PUSH);
        if s.is_null() {
            fail("zmq_socket", zmq_error());
        }

        if curve {
            for (option, key) in &keys {
                let key = key.as_bytes_with_nul();
                let rc = zmq_setsockopt(s, *option, key.as_ptr().cast(), key.len());
                if rc != 0 {
                    fail("zmq_setsockopt", zmq_error());
                }
            }
        }

        let rc = zmq_connect(s, connect_to.as_ptr());
        if rc != 0 {
            fail("zmq_connect", zmq_error());
        }

        let payload = vec![0u8; message_size];
        let mut msg = zmq_msg_t::default();
        for _ in 0..message_count {
            let rc = zmq_msg_init_size(&mut msg, message_size);
            if rc != 0 {
                fail("zmq_msg_init_size", zmq_error());
            }
            // Filled, as the safe program's `send(&payload[..])` fills it, so that both do
            // the same work (libzmq's C program sends the bytes uninitialised).
            std::ptr::copy_nonoverlapping(
                payload.as_ptr(),
                zmq_msg_data(&mut msg) as *mut u8,
                message_size,
            );
            let rc = zmq_sendmsg(s, &mut msg, 0);
            if rc < 0 {
                fail("zmq_sendmsg", zmq_error());
            }
            let rc = zmq_msg_close(&mut msg);
            if rc != 0 {
                fail("zmq_msg_close", zmq_error());
            }
        }

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
