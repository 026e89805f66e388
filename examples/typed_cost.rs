//! What the typed sockets cost over the dynamic one: the same exchange, `<count>` times on
//! one thread over `inproc://`, written on `Socket` (`dynamic`) or on the typed sockets
//! (`typed`), so that `perf/compare.sh --instructions` can count both (the typed methods
//! forward to the dynamic ones: the counts should be the same).
//!
//! - `req-rep`: a REQ sends a 1-byte request, the REP receives it whole and sends it back,
//!   the REQ receives the reply (the typed REQ and REP move through their states);
//! - `push-pull`: a PUSH sends a 1-byte message, the PULL receives it into one reused
//!   `Message`.
//!
//! Prints `round trips: N` or `messages: N` and the time taken, `elapsed: X [us]`.
//!
//! Run: `cargo run --release --example typed_cost -- typed req-rep 100000`.

mod perf_support;

use std::time::Instant;

use perf_support::ok;
use zmq_typed::{Context, Message, Pull, Push, Rep, Req, Socket, SocketType};

const USAGE: &str = "usage: typed_cost <dynamic|typed> <req-rep|push-pull> <count>";
const PAYLOAD: &[u8] = b"x";

fn dynamic_req_rep(ctx: &Context, count: usize) {
    let rep = ok(Socket::new(ctx, SocketType::Rep), "Socket::new");
    let req = ok(Socket::new(ctx, SocketType::Req), "Socket::new");
    ok(rep.bind("inproc://typed-cost"), "bind");
    ok(req.connect("inproc://typed-cost"), "connect");
    for _ in 0..count {
        ok(req.send(PAYLOAD), "send");
        let request = ok(rep.recv(), "recv");
        ok(rep.send(request), "send");
        if ok(req.recv(), "recv") != PAYLOAD {
            perf_support::wrong_size();
        }
    }
}

fn typed_req_rep(ctx: &Context, count: usize) {
    let mut rep = ok(Rep::new(ctx), "Rep::new");
    let mut req = ok(Req::new(ctx), "Req::new");
    ok(rep.bind("inproc://typed-cost"), "bind");
    ok(req.connect("inproc://typed-cost"), "connect");
    for _ in 0..count {
        let waiting = ok(req.send(PAYLOAD).map_err(|f| f.into_error()), "send");
        let (request, replying) = ok(rep.recv().map_err(|f| f.into_error()), "recv");
        rep = ok(replying.send(request).map_err(|f| f.into_error()), "send");
        let (reply, ready) = ok(waiting.recv().map_err(|f| f.into_error()), "recv");
        if reply != PAYLOAD {
            perf_support::wrong_size();
        }
        req = ready;
    }
}

fn dynamic_push_pull(ctx: &Context, count: usize) {
    let pull = ok(Socket::new(ctx, SocketType::Pull), "Socket::new");
    let push = ok(Socket::new(ctx, SocketType::Push), "Socket::new");
    ok(pull.bind("inproc://typed-cost"), "bind");
    ok(push.connect("inproc://typed-cost"), "connect");
    let mut msg = Message::new();
    for _ in 0..count {
        ok(push.send(PAYLOAD), "send");
        ok(pull.recv_frame_into(&mut msg), "recv_frame_into");
        if msg.len() != PAYLOAD.len() {
            perf_support::wrong_size();
        }
    }
}

fn typed_push_pull(ctx: &Context, count: usize) {
    let pull = ok(Pull::new(ctx), "Pull::new");
    let push = ok(Push::new(ctx), "Push::new");
    ok(pull.bind("inproc://typed-cost"), "bind");
    ok(push.connect("inproc://typed-cost"), "connect");
    let mut msg = Message::new();
    for _ in 0..count {
        ok(push.send(PAYLOAD), "send");
        ok(pull.recv_frame_into(&mut msg), "recv_frame_into");
        if msg.len() != PAYLOAD.len() {
            perf_support::wrong_size();
        }
    }
}

fn main() {
    let args = perf_support::args(USAGE, 3, 0);
    let count = perf_support::count(USAGE, "<count>", &args[2]);
    let run: fn(&Context, usize) = match (args[0].as_str(), args[1].as_str()) {
        ("dynamic", "req-rep") => dynamic_req_rep,
        ("typed", "req-rep") => typed_req_rep,
        ("dynamic", "push-pull") => dynamic_push_pull,
        ("typed", "push-pull") => typed_push_pull,
        _ => {
            println!("{USAGE}");
            eprintln!(
                "error: the sockets are `dynamic` or `typed`, the exchange `req-rep` or \
                 `push-pull`, not `{} {}`",
                args[0], args[1]
            );
            std::process::exit(1)
        }
    };
    let ctx = ok(Context::new(), "Context::new");
    let watch = Instant::now();
    run(&ctx, count);
    let elapsed = perf_support::micros(watch.elapsed());
    if args[1] == "req-rep" {
        println!("round trips: {count}");
    } else {
        println!("messages: {count}");
    }
    println!("elapsed: {elapsed} [us]");
    ok(ctx.terminate(), "Context::terminate");
}
