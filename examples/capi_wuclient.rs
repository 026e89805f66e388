//! Weather update client, written against the raw C API (`zmq_ffi`), line for line like the
//! guide's `wuclient.c`. The safe twin is `examples/wuclient.rs`; each C call below names
//! the safe call that does its job. A SUB socket connects to the publisher, subscribes to
//! one zip code (`"<zip> "`, so that 10001 does not also match 100010...) and averages the
//! temperatures of the updates it receives.
//!
//! Run: `cargo run --example capi_wuclient -- [ZIP] [--connect tcp://localhost:5556] [--count 100]`

mod capi_support;

use std::os::raw::c_void;

use capi_support::{c_endpoint, s_catch_signals, s_interrupted, stop_unless_interrupted};
use clap::Parser;
use zmq_ffi::*;

/// Weather update client (SUB connects) over the raw C API.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The zip code whose updates to average: five digits, as wuserver writes them.
    #[arg(default_value = "10001", value_parser = zip_code)]
    zipcode: String,
    /// Endpoint of the weather server.
    #[arg(long, default_value = "tcp://localhost:5556")]
    connect: String,
    /// Updates to average.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    count: u64,
}

/// A zip code as the updates spell it (`%05d`): any other filter would match none of them,
/// and the program would wait for ever (the same check as wuclient's).
fn zip_code(text: &str) -> Result<String, String> {
    if text.len() == 5 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text.to_string())
    } else {
        Err("a zip code is five digits (00000 to 99999)".to_string())
    }
}

fn main() {
    let args = Args::parse();
    let endpoint = c_endpoint(&args.connect);
    s_catch_signals();

    //  Socket to talk to server
    capi_support::note(format_args!("Collecting updates from weather server..."));
    // SAFETY: the C API used as documented: the context and socket pointers come from
    // zmq_ctx_new/zmq_socket (NULL after a failure: libzmq checks for it and the next call
    // fails with an error) and are used only before the zmq_close/zmq_ctx_term below;
    // every buffer passed with its length is a live local of at least that length.
    unsafe {
        // zmq_ctx_new(): Context::new()
        let context = zmq_ctx_new();
        // zmq_socket(ZMQ_SUB): Socket::new(&ctx, SocketType::Sub), or Sub::new(&ctx)
        let subscriber = zmq_socket(context, ZMQ_SUB);
        // zmq_connect(): SocketCore::connect
        if zmq_connect(subscriber, endpoint.as_ptr()) != 0 {
            capi_support::endpoint_failed("connect", &args.connect);
        }

        //  Subscribe to zipcode, default is NYC, 10001
        let filter = format!("{} ", args.zipcode);
        // zmq_setsockopt(ZMQ_SUBSCRIBE): Sub::subscribe (or Socket::subscribe)
        let rc = zmq_setsockopt(
            subscriber,
            ZMQ_SUBSCRIBE,
            filter.as_ptr().cast::<c_void>(),
            filter.len(),
        );
        if rc != 0 {
            capi_support::failed("zmq_setsockopt ZMQ_SUBSCRIBE");
        }

        //  Process updates
        let mut update_nbr = 0u64;
        let mut total_temp: i64 = 0;
        while update_nbr < args.count && !s_interrupted() {
            let mut buffer = [0u8; 64];
            // zmq_recv(): Socket::recv_frame_buf (truncated as here); as text: Sub::recv_string
            let size = zmq_recv(
                subscriber,
                buffer.as_mut_ptr().cast::<c_void>(),
                buffer.len(),
                0,
            );
            if size == -1 {
                stop_unless_interrupted("zmq_recv");
                break;
            }
            let size = (size as usize).min(buffer.len());
            // sscanf(string, "%d %d %d", &zipcode, &temperature, &relhumidity)
            let update = capi_support::text(&buffer[..size]);
            let Some(temperature) = update.split(' ').nth(1).and_then(|t| t.parse::<i64>().ok())
            else {
                capi_support::note(format_args!(
                    "error: malformed message: not a weather update: {update:?}"
                ));
                std::process::exit(1);
            };
            total_temp += temperature;
            update_nbr += 1;
        }
        if !s_interrupted() {
            capi_support::say(format_args!(
                "Average temperature for zipcode '{}' was {}F",
                args.zipcode,
                total_temp / update_nbr as i64
            ));
        }

        //  After a signal close at once; else queued messages get the safe twins' linger
        // zmq_setsockopt(ZMQ_LINGER): SocketCore::set_linger (the safe crate's default is
        // context::DEFAULT_LINGER, 2 s; libzmq's is for ever)
        let linger: i32 = if s_interrupted() { 0 } else { 2000 };
        let linger_ptr = (&linger as *const i32).cast::<c_void>();
        zmq_setsockopt(subscriber, ZMQ_LINGER, linger_ptr, 4);
        // zmq_close(): Socket::close (or dropping the Socket)
        zmq_close(subscriber);
        // zmq_ctx_term(): Context::terminate (or dropping the last Context)
        zmq_ctx_term(context);
    }
    if s_interrupted() {
        capi_support::exit_interrupted();
    }
}
