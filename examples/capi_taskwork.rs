//! Task worker, written against the raw C API (`zmq_ffi`), line for line like the guide's
//! `taskwork.c`. The safe twin is `examples/taskwork.rs`; each C call below names the safe
//! call that does its job. A PULL socket connects to the ventilator for tasks, a PUSH
//! socket connects to the sink for results: workers are the parts that come and go, so
//! they connect.
//!
//! Run: `cargo run --example capi_taskwork -- [--connect tcp://localhost:5557] [--sink tcp://localhost:5558] [--count 0]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{c_endpoint, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Task worker (PULL connects; PUSH connects to the sink) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Endpoint of the ventilator.
    #[arg(long, default_value = "tcp://localhost:5557")]
    connect: String,
    /// Endpoint of the sink.
    #[arg(long, default_value = "tcp://localhost:5558")]
    sink: String,
    /// Tasks to do before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

fn main() {
    let args = Args::parse();
    let (tasks, sink) = (c_endpoint(&args.connect), c_endpoint(&args.sink));
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        //  Socket to receive messages on
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_PULL): Socket::new(&ctx, SocketType::Pull), or Pull::new(&ctx)
        let receiver = zmq_socket(context, ZMQ_PULL);
        // zmq_connect(): SocketCore::connect
        if zmq_connect(receiver, tasks.as_ptr()) != 0 {
            capi_support::endpoint_failed("connect", &args.connect);
        }

        //  Socket to send messages to
        // zmq_socket(ZMQ_PUSH): Socket::new(&ctx, SocketType::Push), or Push::new(&ctx)
        let sender = zmq_socket(context, ZMQ_PUSH);
        if zmq_connect(sender, sink.as_ptr()) != 0 {
            capi_support::endpoint_failed("connect", &args.sink);
        }

        //  Process tasks forever (or --count of them)
        let mut done = 0u64;
        while capi_support::more_to_do(done, args.count) {
            let mut buffer = [0u8; 32];
            // zmq_recv(): Socket::recv_frame_buf (truncated as here); whole messages: Pull::recv
            let size = zmq_recv(
                receiver,
                buffer.as_mut_ptr().cast::<c_void>(),
                buffer.len(),
                0,
            );
            if size == -1 {
                stop_unless_interrupted("zmq_recv");
                break;
            }
            let string = capi_support::text(&buffer[..(size as usize).min(buffer.len())]);
            //  Show progress, then do the work: atoi(string) milliseconds (0 for anything
            //  that is not a number)
            capi_support::mark(format_args!("{string}."));
            capi_support::s_sleep(string.trim().parse().unwrap_or(0));
            if s_interrupted() {
                break;
            }
            //  Send results to sink: an empty message
            // zmq_send(): Socket::send(""), or Push::send
            if zmq_send(sender, std::ptr::null(), 0, 0) == -1 {
                stop_unless_interrupted("zmq_send");
                break;
            }
            done += 1;
        }

        //  After a signal close at once; else queued messages get the safe twins' linger
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(receiver, ZMQ_LINGER, linger_ptr, 4);
        zmq_setsockopt(sender, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(receiver);
        zmq_close(sender);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
