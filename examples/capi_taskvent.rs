//! Task ventilator, written against the raw C API (`zmq_ffi`), line for line like the
//! guide's `taskvent.c`. The safe twin is `examples/taskvent.rs`; each C call below names
//! the safe call that does its job. A PUSH socket binds and deals tasks out to the workers
//! (each task to one worker, round robin); a second PUSH connects to the sink to tell it
//! that the batch starts (`0`).
//!
//! Where the guide asks for Enter "when the workers are ready", `--workers N` waits for N
//! workers' handshakes (and the sink's), watched with `zmq_socket_monitor`: a ventilator that
//! starts sending before its workers have connected gives every task to the first one.
//!
//! Run: `cargo run --example capi_taskvent -- [--bind tcp://*:5557] [--sink tcp://localhost:5558] [--tasks 100] [--max-ms 100] [--no-wait] [--workers 0]`

mod capi_support;

use std::ffi::CStr;
use std::os::raw::c_void;

use capi_support::{c_endpoint, randof, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Task ventilator (PUSH binds; PUSH connects to the sink) over the raw C API.
#[derive(Parser)]
#[command(version)]
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
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    max_ms: u32,
    /// Do not wait for Enter before sending.
    #[arg(long)]
    no_wait: bool,
    /// Wait until this many worker connections, and the sink's, have completed their
    /// handshake before starting, instead of asking for Enter, so that the tasks are
    /// spread over all of them (a worker that connected and left still counts).
    #[arg(long, default_value_t = 0)]
    workers: usize,
}

/// Starts watching `socket`'s completed handshakes: `zmq_socket_monitor` publishes its
/// events on `address` (an inproc PAIR), and the returned PAIR socket reads them.
///
/// # Safety
/// `context` is live and `socket` is an open socket of it.
unsafe fn watch_handshakes(
    context: *mut c_void,
    socket: *mut c_void,
    address: &CStr,
) -> *mut c_void {
    // SAFETY: the function's contract; `address` is a NUL-terminated string.
    unsafe {
        // zmq_socket_monitor(): SocketCore::monitor_handshakes (or SocketCore::monitor)
        if zmq_socket_monitor(socket, address.as_ptr(), ZMQ_EVENT_HANDSHAKE_SUCCEEDED) != 0 {
            capi_support::failed("zmq_socket_monitor");
        }
        // zmq_socket(ZMQ_PAIR) + zmq_connect(): what SocketCore::monitor does for you; the
        // Monitor it returns reads the events
        let watcher = zmq_socket(context, ZMQ_PAIR);
        if zmq_connect(watcher, address.as_ptr()) != 0 {
            capi_support::failed("zmq_connect to the monitor");
        }
        watcher
    }
}

/// Reads `n` events from a watcher of [`watch_handshakes`]. False when interrupted.
///
/// # Safety
/// `watcher` is an open socket from [`watch_handshakes`].
unsafe fn wait_for_handshakes(watcher: *mut c_void, n: usize) -> bool {
    // Monitor::wait_for_handshakes(n, timeout) does this loop.
    for _ in 0..n {
        //  Each event is two frames: 2 bytes of event number and 4 of value, then the endpoint
        let mut event = [0u8; 6];
        let mut endpoint = [0u8; 256];
        // SAFETY: the function's contract; both buffers are live locals of the given lengths.
        // zmq_recv() of the two frames: Monitor::recv (-> an Event)
        unsafe {
            if zmq_recv(watcher, event.as_mut_ptr().cast::<c_void>(), event.len(), 0) == -1
                || zmq_recv(
                    watcher,
                    endpoint.as_mut_ptr().cast::<c_void>(),
                    endpoint.len(),
                    0,
                ) == -1
            {
                stop_unless_interrupted("zmq_recv from the monitor");
                return false;
            }
        }
    }
    true
}

fn main() {
    let args = Args::parse();
    let (bind, sink_endpoint) = (c_endpoint(&args.bind), c_endpoint(&args.sink));
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();

        //  Socket to send messages on
        // zmq_socket(ZMQ_PUSH): Socket::new(&ctx, SocketType::Push), or Push::new(&ctx)
        let sender = zmq_socket(context, ZMQ_PUSH);
        //  Socket to send start of batch message on
        let sink = zmq_socket(context, ZMQ_PUSH);
        //  Watch the handshakes before binding and connecting, so that none is missed
        let mut watchers = Vec::new();
        if args.workers > 0 {
            watchers.push(watch_handshakes(
                context,
                sender,
                c"inproc://capi-taskvent-workers",
            ));
            watchers.push(watch_handshakes(
                context,
                sink,
                c"inproc://capi-taskvent-sink",
            ));
        }

        // zmq_bind(): SocketCore::bind
        if zmq_bind(sender, bind.as_ptr()) != 0 {
            capi_support::endpoint_failed("bind", &args.bind);
        }
        // zmq_connect(): SocketCore::connect
        if zmq_connect(sink, sink_endpoint.as_ptr()) != 0 {
            capi_support::endpoint_failed("connect", &args.sink);
        }

        if let [workers, sink_watcher] = watchers[..] {
            let _ =
                wait_for_handshakes(workers, args.workers) && wait_for_handshakes(sink_watcher, 1);
        }
        if !args.no_wait && args.workers == 0 && !s_interrupted() {
            capi_support::mark(format_args!("Press Enter when the workers are ready: "));
            // getchar() returns at Enter, at end of input, or when a signal interrupts it.
            libc::getchar();
        }
        let mut total_msec: u64 = 0; //  Total expected cost in msecs
        if !s_interrupted() {
            capi_support::note(format_args!("Sending tasks to workers..."));
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
                total_msec += u64::from(workload);
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

        // zmq_setsockopt(ZMQ_LINGER, 0): SocketCore::set_linger(Some(Duration::ZERO))
        let no_linger: i32 = 0;
        let no_linger_ptr = (&no_linger as *const i32).cast::<c_void>();
        for watcher in watchers {
            zmq_setsockopt(watcher, ZMQ_LINGER, no_linger_ptr, 4);
            zmq_close(watcher);
        }
        //  After a signal close at once; else the tasks still queued get the safe twins'
        //  linger to leave (a sink or worker that is gone must not hang the ventilator)
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(sink, ZMQ_LINGER, linger_ptr, 4);
        zmq_setsockopt(sender, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(sink);
        zmq_close(sender);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context); it first
        // delivers the tasks still queued, for at most the linger.
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
