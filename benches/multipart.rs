//! Multipart send and receive: messages of 3 and 10 frames of 16 bytes, PUSH/PULL over
//! inproc, one iteration a batch of messages received on a thread of its own (as in the
//! throughput bench). Each frame count is a group with the same exchange written four ways:
//!
//! - `raw`: directly on `zmq_ffi`: a `ZMQ_SNDMORE` loop of `zmq_msg_init_size`, fill,
//!   `zmq_msg_send`; the receiver holds the whole message, one reused `zmq_msg_t` per frame,
//!   `zmq_msg_more` telling when it ends;
//! - `dynamic`: the dynamic [`Socket`]: `send` of a [`Multipart`] collected from the frames,
//!   `recv_into` a reused [`Multipart`];
//! - `typed`: [`Push`] and [`Pull`], doing exactly what `dynamic` does;
//! - `dynamic_iter`: `send_multipart` of the frames straight from an iterator (no
//!   `Multipart` built), received as in `dynamic`.
//!
//! `cargo bench --bench multipart`; reports land in `target/criterion`.

mod common;

use common::{link, raw_recv, raw_send_copy, RawMsg, Sink, Transport};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use zmq_typed::{zmq_ffi, Context, Multipart, Pull, Push, Socket, SocketType};

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

const FRAME_LEN: usize = 16;
const FRAME_COUNTS: [usize; 2] = [3, 10];
/// Messages per iteration.
const BATCH: u64 = 500;

fn dynamic_pair(ctx: &Context) -> (Socket, Socket) {
    let pull = Socket::new(ctx, SocketType::Pull).expect("pull");
    let push = Socket::new(ctx, SocketType::Push).expect("push");
    link(&pull, &push, Transport::Inproc);
    (push, pull)
}

fn raw(group: &mut Group<'_>, ctx: &Context, frames: usize, frame: &[u8]) {
    let (push, pull) = dynamic_pair(ctx);
    let mut parts: Vec<RawMsg> = (0..frames).map(|_| RawMsg::new()).collect();
    // The raw code uses only the sockets' handles, each on the thread that owns the socket.
    let sink = Sink::spawn(move || {
        let mut received = 0;
        loop {
            let slot = parts.get_mut(received).expect("no more frames than sent");
            received += 1;
            if !raw_recv(pull.as_ptr(), slot) {
                break;
            }
        }
        assert_eq!(received, frames, "frames received");
    });
    let socket = push.as_ptr();
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| {
            sink.time(iters * BATCH, || {
                for i in 1..=frames {
                    let flags = if i < frames { zmq_ffi::ZMQ_SNDMORE } else { 0 };
                    raw_send_copy(socket, frame, flags);
                }
            })
        })
    });
}

fn dynamic(group: &mut Group<'_>, ctx: &Context, frames: usize, frame: &[u8]) {
    let (push, pull) = dynamic_pair(ctx);
    let mut parts = Multipart::new();
    let sink = Sink::spawn(move || pull.recv_into(&mut parts).expect("recv_into"));
    group.bench_function("dynamic", |b| {
        b.iter_custom(|iters| {
            sink.time(iters * BATCH, || {
                let msg: Multipart = (0..frames).map(|_| frame).collect();
                push.send(msg).expect("send")
            })
        })
    });
}

fn typed(group: &mut Group<'_>, ctx: &Context, frames: usize, frame: &[u8]) {
    let pull = Pull::new(ctx).expect("pull");
    let push = Push::new(ctx).expect("push");
    link(&pull, &push, Transport::Inproc);
    let mut parts = Multipart::new();
    let sink = Sink::spawn(move || pull.recv_into(&mut parts).expect("recv_into"));
    group.bench_function("typed", |b| {
        b.iter_custom(|iters| {
            sink.time(iters * BATCH, || {
                let msg: Multipart = (0..frames).map(|_| frame).collect();
                push.send(msg).expect("send")
            })
        })
    });
}

fn dynamic_iter(group: &mut Group<'_>, ctx: &Context, frames: usize, frame: &[u8]) {
    let (push, pull) = dynamic_pair(ctx);
    let mut parts = Multipart::new();
    let sink = Sink::spawn(move || pull.recv_into(&mut parts).expect("recv_into"));
    group.bench_function("dynamic_iter", |b| {
        b.iter_custom(|iters| {
            sink.time(iters * BATCH, || {
                push.send_multipart((0..frames).map(|_| frame))
                    .expect("send_multipart")
            })
        })
    });
}

fn multipart(c: &mut Criterion) {
    let ctx = Context::new().expect("context");
    let frame = common::payload(FRAME_LEN);
    for frames in FRAME_COUNTS {
        let mut group = c.benchmark_group(format!("multipart_{frames}x{FRAME_LEN}B"));
        group.throughput(Throughput::Elements(BATCH));
        raw(&mut group, &ctx, frames, &frame);
        dynamic(&mut group, &ctx, frames, &frame);
        typed(&mut group, &ctx, frames, &frame);
        dynamic_iter(&mut group, &ctx, frames, &frame);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = multipart
}
criterion_main!(benches);
