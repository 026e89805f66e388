//! PUSH/PULL throughput over inproc and tcp, for 1 B, 1 KiB and 64 KiB messages: each
//! transport and size is a group, with the same exchange written five ways:
//!
//! - `raw`: directly on `zmq_ffi`, as C code does (`zmq_msg_init_size`, fill, `zmq_msg_send`;
//!   `zmq_msg_recv` into one reused `zmq_msg_t`);
//! - `dynamic`: the dynamic [`Socket`]: `send(&buf[..])`, `recv_into` a reused [`Multipart`];
//! - `typed`: [`Push`] and [`Pull`], doing exactly what `dynamic` does;
//! - `dynamic_frame`: the dynamic socket receiving frames into a reused [`Message`]
//!   (`recv_frame_into`), the closest twin of `raw`;
//! - `typed_frame`: [`Push`] and [`Pull`] doing what `dynamic_frame` does.
//!
//! One iteration is a batch of messages: the sender sends them from the bench thread and the
//! timer stops when the receiver, on its own thread, has them all. The high-water marks bound
//! the queue in between, so this is steady-state throughput.
//!
//! `cargo bench --bench throughput`; reports land in `target/criterion`.

mod common;

use common::{link, raw_recv, raw_send_copy, RawMsg, Sink, Transport};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use zmq_typed::{Context, Message, Multipart, Pull, Push, Socket, SocketType};

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// A message size, its label, and how many messages one iteration sends.
struct Case {
    size: usize,
    label: &'static str,
    batch: u64,
}

const CASES: [Case; 3] = [
    Case {
        size: 1,
        label: "1B",
        batch: 1000,
    },
    Case {
        size: 1024,
        label: "1KiB",
        batch: 1000,
    },
    Case {
        size: 64 * 1024,
        label: "64KiB",
        batch: 50,
    },
];

/// The high-water mark of both ends: libzmq's default, but 100 for large messages, so that a
/// full queue holds megabytes rather than hundreds of them.
fn hwm(case: &Case) -> u32 {
    if case.size >= 64 * 1024 {
        100
    } else {
        1000
    }
}

/// A PUSH/PULL pair of dynamic sockets, linked, with the case's high-water marks.
fn dynamic_pair(ctx: &Context, transport: Transport, case: &Case) -> (Socket, Socket) {
    let pull = Socket::new(ctx, SocketType::Pull).expect("pull");
    let push = Socket::new(ctx, SocketType::Push).expect("push");
    pull.set_rcvhwm(Some(hwm(case))).expect("rcvhwm");
    push.set_sndhwm(Some(hwm(case))).expect("sndhwm");
    link(&pull, &push, transport);
    (push, pull)
}

fn raw(group: &mut Group<'_>, ctx: &Context, transport: Transport, case: &Case, data: &[u8]) {
    let (push, pull) = dynamic_pair(ctx, transport, case);
    let mut msg = RawMsg::new();
    // The raw code uses only the sockets' handles, each on the thread that owns the socket.
    let sink = Sink::spawn(move || {
        raw_recv(pull.as_ptr(), &mut msg);
    });
    let socket = push.as_ptr();
    group.bench_function("raw", |b| {
        b.iter_custom(|iters| sink.time(iters * case.batch, || raw_send_copy(socket, data, 0)))
    });
}

fn dynamic(group: &mut Group<'_>, ctx: &Context, transport: Transport, case: &Case, data: &[u8]) {
    let (push, pull) = dynamic_pair(ctx, transport, case);
    let mut parts = Multipart::new();
    let sink = Sink::spawn(move || pull.recv_into(&mut parts).expect("recv_into"));
    group.bench_function("dynamic", |b| {
        b.iter_custom(|iters| sink.time(iters * case.batch, || push.send(data).expect("send")))
    });
}

fn dynamic_frame(
    group: &mut Group<'_>,
    ctx: &Context,
    transport: Transport,
    case: &Case,
    data: &[u8],
) {
    let (push, pull) = dynamic_pair(ctx, transport, case);
    let mut msg = Message::new();
    let sink = Sink::spawn(move || pull.recv_frame_into(&mut msg).expect("recv_frame_into"));
    group.bench_function("dynamic_frame", |b| {
        b.iter_custom(|iters| sink.time(iters * case.batch, || push.send(data).expect("send")))
    });
}

fn typed(group: &mut Group<'_>, ctx: &Context, transport: Transport, case: &Case, data: &[u8]) {
    let pull = Pull::new(ctx).expect("pull");
    let push = Push::new(ctx).expect("push");
    pull.set_rcvhwm(Some(hwm(case))).expect("rcvhwm");
    push.set_sndhwm(Some(hwm(case))).expect("sndhwm");
    link(&pull, &push, transport);
    let mut parts = Multipart::new();
    let sink = Sink::spawn(move || pull.recv_into(&mut parts).expect("recv_into"));
    group.bench_function("typed", |b| {
        b.iter_custom(|iters| sink.time(iters * case.batch, || push.send(data).expect("send")))
    });
}

fn typed_frame(
    group: &mut Group<'_>,
    ctx: &Context,
    transport: Transport,
    case: &Case,
    data: &[u8],
) {
    let pull = Pull::new(ctx).expect("pull");
    let push = Push::new(ctx).expect("push");
    pull.set_rcvhwm(Some(hwm(case))).expect("rcvhwm");
    push.set_sndhwm(Some(hwm(case))).expect("sndhwm");
    link(&pull, &push, transport);
    let mut msg = Message::new();
    let sink = Sink::spawn(move || pull.recv_frame_into(&mut msg).expect("recv_frame_into"));
    group.bench_function("typed_frame", |b| {
        b.iter_custom(|iters| sink.time(iters * case.batch, || push.send(data).expect("send")))
    });
}

fn push_pull(c: &mut Criterion) {
    let ctx = Context::new().expect("context");
    for transport in Transport::ALL {
        for case in &CASES {
            let data = common::payload(case.size);
            let mut group = c.benchmark_group(format!("thr_{}_{}", transport.name(), case.label));
            group.throughput(if case.size == 1 {
                Throughput::Elements(case.batch)
            } else {
                Throughput::Bytes(case.batch * case.size as u64)
            });
            raw(&mut group, &ctx, transport, case, &data);
            dynamic(&mut group, &ctx, transport, case, &data);
            typed(&mut group, &ctx, transport, case, &data);
            dynamic_frame(&mut group, &ctx, transport, case, &data);
            typed_frame(&mut group, &ctx, transport, case, &data);
            group.finish();
        }
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = push_pull
}
criterion_main!(benches);
