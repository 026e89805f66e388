//! Task sink, written against the raw C API (`zmq_ffi`), line for line like the guide's
//! `tasksink.c`. The safe twin is `examples/tasksink.rs`; each C call below names the safe
//! call that does its job. A PULL socket binds and collects the workers' results (fair
//! queued from every worker); the first message is the ventilator's batch start.
//!
//! Run: `cargo run --example capi_tasksink -- [--bind tcp://*:5558] [--tasks 100]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{c_endpoint, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Task sink (PULL binds) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Endpoint the ventilator and the workers connect to.
    #[arg(long, default_value = "tcp://*:5558")]
    bind: String,
    /// Results to collect after the batch start.
    #[arg(long, default_value_t = 100)]
    tasks: u64,
}

fn main() {
    let args = Args::parse();
    let endpoint = c_endpoint(&args.bind);
    s_catch_signals();

    // SAFETY: the C API used as documented: the context, socket and stopwatch pointers come
    // from zmq_ctx_new/zmq_socket/zmq_stopwatch_start (a NULL context or socket, after a
    // failure, libzmq checks for and refuses with an error) and are used only before the
    // calls that free them below; every buffer passed with its length is a live local of
    // at least that length.
    unsafe {
        //  Prepare our context and socket
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_PULL): Socket::new(&ctx, SocketType::Pull), or Pull::new(&ctx)
        let receiver = zmq_socket(context, ZMQ_PULL);
        // zmq_bind(): SocketCore::bind
        if zmq_bind(receiver, endpoint.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.bind);
        }

        //  Wait for start of batch
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
        } else {
            // Any first message starts the batch, as in the C program and the safe twin: the
            // ventilator's "0" comes over its own connection, so a worker's first result may
            // come before it.
            //  Start our clock now
            // zmq_stopwatch_start(): std::time::Instant::now() (no wrapper: std has clocks)
            let watch = zmq_stopwatch_start();

            //  Process the confirmations
            let mut task_nbr = 0u64;
            while task_nbr < args.tasks && !s_interrupted() {
                // zmq_recv(): Socket::recv_frame_buf (truncated as here); whole: Pull::recv
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
                capi_support::mark(format_args!(
                    "{}",
                    if task_nbr % 10 == 0 { ":" } else { "." }
                ));
                task_nbr += 1;
            }
            //  Calculate and report duration of batch
            // zmq_stopwatch_stop(): Instant::elapsed (microseconds; also frees the watch)
            let elapsed_us = zmq_stopwatch_stop(watch);
            if !s_interrupted() {
                capi_support::note(format_args!(""));
                capi_support::say(format_args!(
                    "Total elapsed time: {} msec",
                    elapsed_us / 1000
                ));
            }
        }

        //  After a signal close at once; else queued messages get the safe twins' linger
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(receiver, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(receiver);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
