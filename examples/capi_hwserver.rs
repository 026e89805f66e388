//! Hello World server, written against the raw C API (`zmq_ffi`), line for line like the
//! guide's `hwserver.c`. The safe twin is `examples/hwserver.rs`; each C call below names
//! the safe call that does its job. A REP socket binds, because the server is the stable
//! end that clients come and go to; each request gets `World` back.
//! One change: the request is read whole, frame by frame with `zmq_msg_recv` (the C
//! program's `zmq_recv` into a small buffer cuts a long one short), and printed as the safe
//! twin prints it.
//!
//! Run: `cargo run --example capi_hwserver -- [--bind tcp://*:5555] [--delay-ms 1000] [--count 0]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{
    c_endpoint, recv_frames, s_catch_signals, s_interrupted, stop_unless_interrupted,
};
use clap::Parser;
use zmq_ffi::*;

/// Hello World server (REP binds) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Endpoint to bind.
    #[arg(long, default_value = "tcp://*:5555")]
    bind: String,
    /// Pause before each reply, in milliseconds.
    #[arg(long, default_value_t = 1000)]
    delay_ms: u64,
    /// Requests to answer before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
}

fn main() {
    let args = Args::parse();
    let endpoint = c_endpoint(&args.bind);
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_REP): Socket::new(&ctx, SocketType::Rep), or Rep::new(&ctx)
        let responder = zmq_socket(context, ZMQ_REP);
        // zmq_bind(): SocketCore::bind (returns the endpoint actually bound)
        if zmq_bind(responder, endpoint.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.bind);
        }

        let mut answered = 0u64;
        while capi_support::more_to_do(answered, args.count) {
            //  Every frame of the request: zmq_msg_recv, as the safe twin's Rep::recv
            let Some(request) = recv_frames(responder) else {
                stop_unless_interrupted("zmq_msg_recv");
                break;
            };
            capi_support::say(format_args!("Received {}", capi_support::shown(&request)));
            capi_support::s_sleep(args.delay_ms); //  Do some 'work'
            if s_interrupted() {
                break;
            }
            // zmq_send(): Socket::send("World"), or Rep::send
            if zmq_send(responder, b"World".as_ptr().cast::<c_void>(), 5, 0) == -1 {
                stop_unless_interrupted("zmq_send");
                break;
            }
            answered += 1;
        }

        //  After a signal close at once; else queued messages get the safe twins' linger
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(responder, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(responder);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
