//! Typed sockets cost what dynamic ones cost: the same exchanges timed on the raw C API
//! (`zmq_ffi`), the dynamic `Socket`, and the typed sockets, over the same libzmq.
//!
//! A receive takes a whole message, so the dynamic socket is timed both ways:
//! `dynamic_frame` (`recv_frame`, one `zmq_msg_recv` into a new message, which is what `raw`
//! does on the C API) and `dynamic_message` (`recv`, the same work as the typed receive:
//! `typed` is to be read against `dynamic_message`).
//!
//! Everything here runs on one thread, send then receive, with no batch: the per-call cost
//! without thread hand-offs. The `throughput`, `latency` and `multipart` targets time the
//! same against a peer on another thread.
//!
//! `cargo bench --bench typed`; reports land in `target/criterion`.

mod common;

use std::os::raw::c_void;

use common::{raw_recv, raw_send_copy, RawMsg};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use zmq_typed::{zmq_ffi, Context, Pull, Push, Rep, Req, Socket, SocketType};

const PAYLOAD: &[u8] = b"0123456789abcdef";
const ENDPOINTS: [(&str, &str); 2] = [("inproc", "inproc://bench-%"), ("tcp", "tcp://127.0.0.1:*")];

fn endpoint(template: &str, name: &str) -> String {
    template.replace('%', name)
}

/// One request and its reply on raw REQ/REP handles, as `dynamic_frame` does it: the
/// request copied into a new message, received into a new one that is sent back as it is,
/// the reply received into a new one.
fn raw_round_trip(req: *mut c_void, rep: *mut c_void) -> RawMsg {
    raw_send_copy(req, PAYLOAD, 0);
    let mut request = RawMsg::new();
    raw_recv(rep, &mut request);
    // SAFETY: `rep` is a live socket used by this thread only; `request` is initialised and
    // stays so (emptied by the send; closed by its Drop).
    let rc = unsafe { zmq_ffi::zmq_msg_send(request.as_mut_ptr(), rep, 0) };
    assert!(rc >= 0, "zmq_msg_send");
    let mut reply = RawMsg::new();
    raw_recv(req, &mut reply);
    reply
}

/// One message from PUSH to PULL on raw handles, as `dynamic_frame` does it.
fn raw_push_pull(push: *mut c_void, pull: *mut c_void) -> RawMsg {
    raw_send_copy(push, PAYLOAD, 0);
    let mut msg = RawMsg::new();
    raw_recv(pull, &mut msg);
    msg
}

fn req_rep(c: &mut Criterion) {
    let ctx = Context::new().expect("context");
    let mut group = c.benchmark_group("req_rep_round_trip");
    group.throughput(Throughput::Elements(1));
    for (transport, template) in ENDPOINTS {
        // Raw C API, on sockets this crate made (only their handles are used).
        let rep = Socket::new(&ctx, SocketType::Rep).expect("rep");
        let req = Socket::new(&ctx, SocketType::Req).expect("req");
        let ep = rep.bind(endpoint(template, "raw")).expect("bind");
        req.connect(&ep).expect("connect");
        group.bench_function(BenchmarkId::new("raw", transport), |b| {
            b.iter(|| raw_round_trip(req.as_ptr(), rep.as_ptr()))
        });

        // The dynamic socket, a frame at a time and a message at a time.
        let rep = Socket::new(&ctx, SocketType::Rep).expect("rep");
        let req = Socket::new(&ctx, SocketType::Req).expect("req");
        let ep = rep.bind(endpoint(template, "dynamic")).expect("bind");
        req.connect(&ep).expect("connect");
        group.bench_function(BenchmarkId::new("dynamic_frame", transport), |b| {
            b.iter(|| {
                req.send(PAYLOAD).expect("send");
                let request = rep.recv_frame().expect("recv");
                rep.send(request).expect("send");
                req.recv_frame().expect("recv")
            })
        });
        group.bench_function(BenchmarkId::new("dynamic_message", transport), |b| {
            b.iter(|| {
                req.send(PAYLOAD).expect("send");
                let request = rep.recv().expect("recv");
                rep.send(request).expect("send");
                req.recv().expect("recv")
            })
        });

        // The typed sockets, moving through their states.
        let rep = Rep::new(&ctx).expect("rep");
        let req = Req::new(&ctx).expect("req");
        let ep = rep.bind(endpoint(template, "typed")).expect("bind");
        req.connect(&ep).expect("connect");
        let mut pair = Some((req, rep));
        group.bench_function(BenchmarkId::new("typed", transport), |b| {
            b.iter(|| {
                let (req, rep) = pair.take().expect("sockets");
                let waiting = req.send(PAYLOAD).expect("send");
                let (request, replying) = rep.recv().expect("recv");
                let rep = replying.send(request).expect("send");
                let (reply, req) = waiting.recv().expect("recv");
                pair = Some((req, rep));
                reply
            })
        });
    }
    group.finish();
}

fn push_pull(c: &mut Criterion) {
    let ctx = Context::new().expect("context");
    let mut group = c.benchmark_group("push_pull_message");
    group.throughput(Throughput::Elements(1));
    for (transport, template) in ENDPOINTS {
        // Raw C API, on sockets this crate made (only their handles are used).
        let pull = Socket::new(&ctx, SocketType::Pull).expect("pull");
        let push = Socket::new(&ctx, SocketType::Push).expect("push");
        let ep = pull.bind(endpoint(template, "pp-raw")).expect("bind");
        push.connect(&ep).expect("connect");
        group.bench_function(BenchmarkId::new("raw", transport), |b| {
            b.iter(|| raw_push_pull(push.as_ptr(), pull.as_ptr()))
        });

        let pull = Socket::new(&ctx, SocketType::Pull).expect("pull");
        let push = Socket::new(&ctx, SocketType::Push).expect("push");
        let ep = pull.bind(endpoint(template, "pp-dynamic")).expect("bind");
        push.connect(&ep).expect("connect");
        group.bench_function(BenchmarkId::new("dynamic_frame", transport), |b| {
            b.iter(|| {
                push.send(PAYLOAD).expect("send");
                pull.recv_frame().expect("recv")
            })
        });
        group.bench_function(BenchmarkId::new("dynamic_message", transport), |b| {
            b.iter(|| {
                push.send(PAYLOAD).expect("send");
                pull.recv().expect("recv")
            })
        });

        let pull = Pull::new(&ctx).expect("pull");
        let push = Push::new(&ctx).expect("push");
        let ep = pull.bind(endpoint(template, "pp-typed")).expect("bind");
        push.connect(&ep).expect("connect");
        group.bench_function(BenchmarkId::new("typed", transport), |b| {
            b.iter(|| {
                push.send(PAYLOAD).expect("send");
                pull.recv().expect("recv")
            })
        });
        group.bench_function(BenchmarkId::new("typed_frame", transport), |b| {
            b.iter(|| {
                push.send(PAYLOAD).expect("send");
                pull.recv_frame().expect("recv")
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = req_rep, push_pull
}
criterion_main!(benches);
