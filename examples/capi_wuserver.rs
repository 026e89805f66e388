//! Weather update server, written against the raw C API (`zmq_ffi`), line for line like the
//! guide's `wuserver.c`. The safe twin is `examples/wuserver.rs`; each C call below names
//! the safe call that does its job. A PUB socket binds (the publisher is the stable end;
//! subscribers come and go) and publishes random weather updates `"%05d %d %d"` (zip code,
//! temperature, relative humidity) as fast as it can.
//!
//! Run: `cargo run --example capi_wuserver -- [--bind EP]... [--count 0]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{c_endpoint, randof, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Weather update server (PUB binds) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Endpoint to bind, repeatable; given once or more it replaces both defaults
    /// (tcp://*:5556 and ipc://weather.ipc).
    #[arg(long, default_values = ["tcp://*:5556", "ipc://weather.ipc"])]
    bind: Vec<String>,
    /// Updates to publish before exiting (0: no limit).
    #[arg(long, default_value_t = 0)]
    count: u64,
    /// Zip codes are drawn from 0..zips (fewer makes a client's zip come up more often).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    zips: u32,
}

fn main() {
    let args = Args::parse();
    let endpoints: Vec<_> = args.bind.iter().map(|e| c_endpoint(e)).collect();
    s_catch_signals();

    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        //  Prepare our context and publisher
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_PUB): Socket::new(&ctx, SocketType::Pub), or Pub::new(&ctx)
        let publisher = zmq_socket(context, ZMQ_PUB);
        //  What a PUB receives is its subscribers' subscriptions: refuse huge ones, as the
        //  safe twin's Pub does (the connection of a peer that sends one is dropped)
        // zmq_setsockopt(ZMQ_MAXMSGSIZE): SocketCore::set_max_msg_size; Pub::new sets
        // limits::SUBSCRIPTION_MSG_MAX (4096 + 10) itself
        let max_msg_size: i64 = 4096 + 10;
        let max_ptr = (&max_msg_size as *const i64).cast::<c_void>();
        if zmq_setsockopt(publisher, ZMQ_MAXMSGSIZE, max_ptr, 8) != 0 {
            capi_support::failed("zmq_setsockopt ZMQ_MAXMSGSIZE");
        }
        for (endpoint, text) in endpoints.iter().zip(&args.bind) {
            // zmq_bind(): SocketCore::bind
            if zmq_bind(publisher, endpoint.as_ptr()) != 0 {
                capi_support::endpoint_failed("bind", text);
            }
        }

        //  Initialize random number generator
        capi_support::seed_random();
        let mut update_nbr = 0u64;
        while capi_support::more_to_do(update_nbr, args.count) {
            //  Get values that will fool the boss
            let zipcode = randof(args.zips);
            let temperature = i64::from(randof(215)) - 80;
            let relhumidity = randof(50) + 10;

            //  Send message to all subscribers
            let update = format!("{zipcode:05} {temperature} {relhumidity}");
            // zmq_send(): Socket::send(update), or Pub::send
            let rc = zmq_send(publisher, update.as_ptr().cast::<c_void>(), update.len(), 0);
            if rc == -1 {
                stop_unless_interrupted("zmq_send");
                break;
            }
            update_nbr += 1;
        }

        //  After a signal close at once; else queued messages get the safe twins' linger
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(publisher, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(publisher);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
