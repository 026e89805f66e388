//! `inproc_thr` on the raw C API (`zmq_ffi`), line for line like libzmq 4.3.4's
//! `perf/inproc_thr.cpp` (a `std::thread` where it has a pthread): the baseline the safe
//! `inproc_thr` is measured against. Same arguments and output (see `perf_support`).
//!
//! Run: `cargo run --release --example raw_inproc_thr -- 1 1000000`.

mod perf_support;

use std::os::raw::c_void;

use perf_support::{fail, worker_fail, zmq_error};
use zmq_ffi::*;

const USAGE: &str = "usage: raw_inproc_thr <message-size> <message-count>";

/// The context pointer, handed to the worker thread as the C program's `void *ctx_`.
struct Ctx(*mut c_void);

// SAFETY: a libzmq context is thread safe; the pointer stays valid until zmq_ctx_term, which
// the main thread calls only after joining the worker.
unsafe impl Send for Ctx {}

fn worker(ctx: Ctx, message_size: usize, message_count: usize) {
    // SAFETY: the C API used as documented: `ctx.0` is a live context (see `Ctx`); the
    // socket pointer comes from zmq_socket, is checked for NULL and used only by this
    // thread, before its zmq_close; `msg` is initialised by zmq_msg_init_size (with
    // `message_size` writable bytes at zmq_msg_data, filled from `payload` of that length)
    // before it is sent and closed once per message.
    unsafe {
        let s = zmq_socket(ctx.0, ZMQ_PUSH);
        if s.is_null() {
            worker_fail("zmq_socket", zmq_error());
        }

        let rc = zmq_connect(s, c"inproc://thr_test".as_ptr());
        if rc != 0 {
            worker_fail("zmq_connect", zmq_error());
        }

        let payload = vec![0u8; message_size];
        let mut msg = zmq_msg_t::default();
        for _ in 0..message_count {
            let rc = zmq_msg_init_size(&mut msg, message_size);
            if rc != 0 {
                worker_fail("zmq_msg_init_size", zmq_error());
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
                worker_fail("zmq_sendmsg", zmq_error());
            }
            let rc = zmq_msg_close(&mut msg);
            if rc != 0 {
                worker_fail("zmq_msg_close", zmq_error());
            }
        }

        let rc = zmq_close(s);
        if rc != 0 {
            worker_fail("zmq_close", zmq_error());
        }
    }
}

fn main() {
    let args = perf_support::args(USAGE, 2, 0);
    let message_size = perf_support::size(USAGE, &args[0]);
    let message_count = perf_support::count(USAGE, "<message-count>", &args[1]);

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_init/zmq_socket, are checked for NULL, and are used only before the
    // zmq_close/zmq_ctx_term below (the worker is joined before); `msg` is initialised by
    // zmq_msg_init before any other zmq_msg_* call and closed once.
    unsafe {
        let ctx = zmq_init(1);
        if ctx.is_null() {
            fail("zmq_init", zmq_error());
        }

        let s = zmq_socket(ctx, ZMQ_PULL);
        if s.is_null() {
            fail("zmq_socket", zmq_error());
        }

        let rc = zmq_bind(s, c"inproc://thr_test".as_ptr());
        if rc != 0 {
            fail("zmq_bind", zmq_error());
        }

        let worker_ctx = Ctx(ctx);
        let local_thread = match std::thread::Builder::new()
            .spawn(move || worker(worker_ctx, message_size, message_count))
        {
            Ok(handle) => handle,
            Err(e) => fail("thread spawn", e),
        };

        let mut msg = zmq_msg_t::default();
        let rc = zmq_msg_init(&mut msg);
        if rc != 0 {
            fail("zmq_msg_init", zmq_error());
        }

        perf_support::print_size(message_size);
        perf_support::print_message_count(message_count);

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

        if local_thread.join().is_err() {
            fail("thread join", "the worker thread panicked");
        }

        let rc = zmq_close(s);
        if rc != 0 {
            fail("zmq_close", zmq_error());
        }

        let rc = zmq_ctx_term(ctx);
        if rc != 0 {
            fail("zmq_ctx_term", zmq_error());
        }

        perf_support::print_throughput(
            message_count,
            message_size,
            elapsed,
            perf_support::Rate::Truncated,
        );
    }
}
