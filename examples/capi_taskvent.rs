//! Task ventilator, written against the raw C API (`zmq_ffi`), line for line like the
//! guide's `taskvent.c`. The safe twin is `examples/taskvent.rs`; each C call below names
//! the safe call that does its job. A PUSH socket binds and deals tasks out to the workers
//! (each task to one worker, round robin); a second PUSH connects to the sink to tell it
//! that the batch starts (`0`).
//!
//! Run: `cargo run --example capi_taskvent -- [--bind tcp://*:5557] [--sink tcp://localhost:5558] [--tasks 100] [--max-ms 100] [--no-wait]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{c_endpoint, randof, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Task ventilator (PUSH binds; PUSH connects to the sink) over the raw C API.
#[derive(Parser)]
struct Args {
    /// Endpoint the workers connect to.
    #[arg(long, default_value = "tcp://*:5557")]
    bind: String,
    /// Endpoint of the sink.
    #[arg(long, default_value = "tcp://localhost:5558")]
    sink: String,
    /// Tasks in the batch.
    #[arg(long, default_value_t = 100)]
    tasks: u64,
    /// Largest workload of a task, in milliseconds (each is 1..=max-ms).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(i32).range(1..))]
    max_ms: i32,
    /// Do not wait for Enter before sending.
    #[arg(long)]
    no_wait: bool,
}

fn main() {
    let args = Args::parse();
    let (bind, sink_endpoint) = (c_endpoint(&args.bind), c_endpoint(&args.sink));
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();

        //  Socket to send messages on
        // zmq_socket(ZMQ_PUSH): Socket::new(&ctx, SocketType::Push), or Push::new(&ctx)
        let sender = zmq_socket(context, ZMQ_PUSH);
        // zmq_bind(): SocketCore::bind
        if zmq_bind(sender, bind.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.bind);
        }

        //  Socket to send start of batch message on
        let sink = zmq_socket(context, ZMQ_PUSH);
        // zmq_connect(): SocketCore::connect
        if zmq_connect(sink, sink_endpoint.as_ptr()) != 0 {
            capi_support::endpoint_failed("connect", &args.sink);
        }

        if !args.no_wait {
            eprint!("Press Enter when the workers are ready: ");
            // getchar() returns at Enter, at end of input, or when a signal interrupts it.
            libc::getchar();
        }
        let mut total_msec: i64 = 0; //  Total expected cost in msecs
        if !s_interrupted() {
            eprintln!("Sending tasks to workers...");
            //  The first message is "0" and signals start of batch
            // zmq_send(): Socket::send("0"), or Push::send
            if zmq_send(sink, b"0".as_ptr().cast::<c_void>(), 1, 0) == -1 {
                stop_unless_interrupted("zmq_send");
            }

            //  Initialize random number generator
            capi_support::seed_random();

            //  Send tasks
            let mut task_nbr = 0;
            while task_nbr < args.tasks && !s_interrupted() {
                //  Random workload from 1 to max-ms msecs
                let workload = randof(args.max_ms) + 1;
                total_msec += i64::from(workload);
                let string = workload.to_string();
                // zmq_send(): Socket::send(string), or Push::send (blocks until a worker is there)
                if zmq_send(sender, string.as_ptr().cast::<c_void>(), string.len(), 0) == -1 {
                    stop_unless_interrupted("zmq_send");
                    break;
                }
                task_nbr += 1;
            }
        }
        if !s_interrupted() {
            capi_support::say(format_args!("Total expected cost: {total_msec} msec"));
        }

        if s_interrupted() {
            // zmq_setsockopt(ZMQ_LINGER, 0): SocketCore::set_linger(Some(Duration::ZERO))
            let linger: i32 = 0;
            let linger_ptr = (&linger as *const i32).cast::<c_void>();
            zmq_setsockopt(sink, ZMQ_LINGER, linger_ptr, 4);
            zmq_setsockopt(sender, ZMQ_LINGER, linger_ptr, 4);
        }
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(sink);
        zmq_close(sender);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context); with the
        // default linger it first delivers the tasks still queued, as the C program does.
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
