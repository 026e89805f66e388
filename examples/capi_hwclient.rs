//! Hello World client, written against the raw C API (`zmq_ffi`), line for line like the
//! guide's `hwclient.c`. The safe twin is `examples/hwclient.rs`; each C call below names
//! the safe call that does its job. A REQ socket connects to the server (the stable end),
//! sends `Hello` and waits for each `World` before the next request.
//! One change: the reply is read whole, frame by frame with `zmq_msg_recv` (the C
//! program's `zmq_recv` into a small buffer cuts a long one short), and printed as the safe
//! twin prints it.
//!
//! Run: `cargo run --example capi_hwclient -- [--connect tcp://localhost:5555] [--count 10]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{
    c_endpoint, recv_frames, s_catch_signals, s_interrupted, stop_unless_interrupted,
};
use clap::Parser;
use zmq_ffi::*;

/// Hello World client (REQ connects) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Endpoint of the server.
    #[arg(long, default_value = "tcp://localhost:5555")]
    connect: String,
    /// Requests to send.
    #[arg(long, default_value_t = 10)]
    count: u64,
}

fn main() {
    let args = Args::parse();
    let endpoint = c_endpoint(&args.connect);
    s_catch_signals();

    capi_support::note(format_args!("Connecting to hello world server..."));
    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_REQ): Socket::new(&ctx, SocketType::Req), or Req::new(&ctx)
        let requester = zmq_socket(context, ZMQ_REQ);
        // zmq_connect(): SocketCore::connect
        if zmq_connect(requester, endpoint.as_ptr()) != 0 {
            capi_support::endpoint_failed("connect", &args.connect);
        }

        let mut request_nbr = 0u64;
        while request_nbr < args.count && !s_interrupted() {
            capi_support::note(format_args!("Sending Hello {request_nbr}..."));
            // zmq_send(): Socket::send("Hello"), or Req::send (Req<Ready> -> Req<AwaitingReply>)
            if zmq_send(requester, b"Hello".as_ptr().cast::<c_void>(), 5, 0) == -1 {
                stop_unless_interrupted("zmq_send");
                break;
            }
            //  Every frame of the reply: zmq_msg_recv, as the safe twin's Req::recv
            let Some(reply) = recv_frames(requester) else {
                stop_unless_interrupted("zmq_msg_recv");
                break;
            };
            let reply = capi_support::shown(&reply);
            capi_support::say(format_args!("Received {reply} {request_nbr}"));
            request_nbr += 1;
        }

        //  After a signal close at once; else queued messages get the safe twins' linger
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(requester, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(requester);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
