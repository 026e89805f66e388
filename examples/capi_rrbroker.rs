//! Simple request-reply broker, written against the raw C API (`zmq_ffi`), line for line
//! like the guide's `rrbroker.c`. The safe twin is `examples/rrbroker.rs`; each C call below
//! names the safe call that does its job. Clients' REQ sockets connect to the ROUTER
//! frontend, workers' REP sockets connect to the DEALER backend; both bind here, since the
//! broker is the one stable address. `zmq_poll` waits on both, and every frame of every
//! message moves across, the ROUTER's routing-id frame with it so the reply finds its way.
//!
//! Run: `cargo run --example capi_rrbroker -- [--frontend tcp://*:5559] [--backend tcp://*:5560]`

mod capi_support;

use std::os::raw::{c_int, c_void};

use capi_support::{c_endpoint, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Request-reply broker (ROUTER and DEALER bind, zmq_poll loop) over the raw C API.
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

/// Moves one whole message, frame by frame, from `from` to `to`. False when a call failed
/// (interrupted by a signal: the caller stops).
///
/// # Safety
/// `from` and `to` are open sockets of one live context.
unsafe fn forward(from: *mut c_void, to: *mut c_void) -> bool {
    loop {
        //  Process all parts of the message
        // SAFETY: zmq_msg_t is plain data that zmq_msg_init initialises; `message` lives
        // until zmq_msg_close; the sockets are open (the function's contract).
        unsafe {
            let mut message: zmq_msg_t = std::mem::zeroed();
            // zmq_msg_init(): Message::new()
            zmq_msg_init(&mut message);
            // zmq_msg_recv(): Socket::recv_frame (Socket::recv takes every frame at once)
            if zmq_msg_recv(&mut message, from, 0) == -1 {
                zmq_msg_close(&mut message);
                stop_unless_interrupted("zmq_msg_recv");
                return false;
            }
            // zmq_msg_more(): Message::more
            let more = zmq_msg_more(&message);
            // zmq_msg_send(ZMQ_SNDMORE): Socket::send_more (Socket::send for the last frame)
            let flags = if more != 0 { ZMQ_SNDMORE } else { 0 };
            if zmq_msg_send(&mut message, to, flags) == -1 {
                zmq_msg_close(&mut message);
                stop_unless_interrupted("zmq_msg_send");
                return false;
            }
            // zmq_msg_close(): dropping the Message
            zmq_msg_close(&mut message);
            if more == 0 {
                return true; //  Last message part
            }
        }
    }
}

fn main() {
    let args = Args::parse();
    let (front, back) = (c_endpoint(&args.frontend), c_endpoint(&args.backend));
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // the poll items array, whose sockets stay open while it is polled, lives across the
    // zmq_poll call that gets its length.
    unsafe {
        //  Prepare our context and sockets
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_ROUTER): Socket::new(&ctx, SocketType::Router), or Router::new(&ctx)
        let frontend = zmq_socket(context, ZMQ_ROUTER);
        // zmq_socket(ZMQ_DEALER): Socket::new(&ctx, SocketType::Dealer), or Dealer::new(&ctx)
        let backend = zmq_socket(context, ZMQ_DEALER);
        // zmq_bind(): SocketCore::bind
        if zmq_bind(frontend, front.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.frontend);
        }
        if zmq_bind(backend, back.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.backend);
        }

        //  Initialize poll set
        // zmq_pollitem_t: Poller::add(&socket, PollEvents::IN) gives a Token per item
        let mut items = [
            zmq_pollitem_t {
                socket: frontend,
                fd: 0,
                events: ZMQ_POLLIN as i16,
                revents: 0,
            },
            zmq_pollitem_t {
                socket: backend,
                fd: 0,
                events: ZMQ_POLLIN as i16,
                revents: 0,
            },
        ];
        //  Switch messages between sockets
        while !s_interrupted() {
            // zmq_poll(-1): Poller::poll(None) (or zmq_typed::poll)
            if zmq_poll(items.as_mut_ptr(), items.len() as c_int, -1) == -1 {
                stop_unless_interrupted("zmq_poll");
                break;
            }
            // revents & ZMQ_POLLIN: poll::Readiness::is_readable(token)
            if items[0].revents & ZMQ_POLLIN as i16 != 0 && !forward(frontend, backend) {
                break;
            }
            if items[1].revents & ZMQ_POLLIN as i16 != 0 && !forward(backend, frontend) {
                break;
            }
        }

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
