//! Simple message queuing broker, written against the raw C API (`zmq_ffi`), line for line
//! like the guide's `msgqueue.c`. The safe twin is `examples/msgqueue.rs`; each C call below
//! names the safe call that does its job. The same as `capi_rrbroker`, but libzmq's built-in
//! proxy moves the messages instead of a hand-written `zmq_poll` loop.
//!
//! Run: `cargo run --example capi_msgqueue -- [--frontend tcp://*:5559] [--backend tcp://*:5560]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{c_endpoint, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Message queue (ROUTER and DEALER bind, zmq_proxy) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Endpoint the clients (REQ) connect to.
    #[arg(long, default_value = "tcp://*:5559")]
    frontend: String,
    /// Endpoint the workers (REP) connect to.
    #[arg(long, default_value = "tcp://*:5560")]
    backend: String,
}

fn main() {
    let args = Args::parse();
    let (front, back) = (c_endpoint(&args.frontend), c_endpoint(&args.backend));
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below.
    unsafe {
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();

        //  Socket facing clients
        // zmq_socket(ZMQ_ROUTER): Socket::new(&ctx, SocketType::Router), or Router::new(&ctx)
        let frontend = zmq_socket(context, ZMQ_ROUTER);
        // zmq_bind(): SocketCore::bind
        if zmq_bind(frontend, front.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.frontend);
        }

        //  Socket facing services
        // zmq_socket(ZMQ_DEALER): Socket::new(&ctx, SocketType::Dealer), or Dealer::new(&ctx)
        let backend = zmq_socket(context, ZMQ_DEALER);
        if zmq_bind(backend, back.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.backend);
        }

        //  Start the proxy: it runs until the context ends or a signal interrupts it
        // zmq_proxy(): zmq_typed::proxy(&frontend, &backend), or SteerableProxy::start
        zmq_proxy(frontend, backend, std::ptr::null_mut());
        stop_unless_interrupted("zmq_proxy");

        //  We never get here unless interrupted: close at once, dropping what is queued
        // zmq_setsockopt(ZMQ_LINGER, 0): SocketCore::set_linger(Some(Duration::ZERO))
        let linger: i32 = 0;
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(frontend, ZMQ_LINGER, linger_ptr, 4);
        zmq_setsockopt(backend, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(frontend);
        zmq_close(backend);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
