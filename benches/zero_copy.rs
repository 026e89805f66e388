//! Copying versus zero-copy sends of owned buffers of 64 KiB and 1 MiB, PUSH/PULL over
//! inproc. Every message starts as a fresh owned buffer (allocated and written), in every
//! function, so that both ways pay for their allocation; only the hand-over differs:
//!
//! - `raw_copy`: `zmq_msg_init_size` + memcpy from the buffer, which is then freed;
//! - `raw_zero_copy`: `zmq_msg_init_data` over the buffer, with a free function that libzmq
//!   calls when the receiver is done with it;
//! - `copy`: the dynamic [`Socket`]'s `send(&buf[..])` (a copy, the buffer freed after);
//! - `zero_copy`: `send(buf)`, the `Vec<u8>` moved into a [`Message`] without copying
//!   ([`Message::from_vec`]).
//!
//! The receiver, on its own thread, takes each message into a reused message and so releases
//! it (`zmq_msg_recv` into a reused `zmq_msg_t` for the raw functions, `recv_frame_into` a
//! reused [`Message`] for the others).
//!
//! `cargo bench --bench zero_copy`; reports land in `target/criterion`.

mod common;

use std::os::raw::c_void;

use common::{link, raw_recv, raw_send_copy, RawMsg, Sink, Transport};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};
use zmq_typed::{zmq_ffi, Context, Message, Socket, SocketType};

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// Buffer sizes, labels, and messages per iteration.
const CASES: [(usize, &str, u64); 2] = [(64 * 1024, "64KiB", 50), (1024 * 1024, "1MiB", 10)];

/// Both ends' high-water mark: a full queue holds a bounded amount of memory.
const HWM: u32 = 50;

/// A fresh owned buffer of `len` bytes, allocated and written (not lazily zeroed pages).
/// Opaque to the optimiser: a copy out of a buffer it has just seen filled with one byte
/// can become a second fill (LLVM's memcpy-from-memset rewrite), which made the raw copy,
/// inlined here, write without reading while the crate's copy read and wrote.
fn fresh(len: usize) -> Vec<u8> {
    std::hint::black_box(vec![0xa5; len])
}

fn pair(ctx: &Context) -> (Socket, Socket) {
    let pull = Socket::new(ctx, SocketType::Pull).expect("pull");
    let push = Socket::new(ctx, SocketType::Push).expect("push");
    pull.set_rcvhwm(Some(HWM)).expect("rcvhwm");
    push.set_sndhwm(Some(HWM)).expect("sndhwm");
    link(&pull, &push, Transport::Inproc);
    (push, pull)
}

/// A sink that receives raw, into one reused `zmq_msg_t`.
fn raw_sink(pull: Socket) -> Sink {
    let mut msg = RawMsg::new();
    Sink::spawn(move || {
        raw_recv(pull.as_ptr(), &mut msg);
    })
}

/// A sink that receives frames into one reused [`Message`].
fn safe_sink(pull: Socket) -> Sink {
    let mut msg = Message::new();
    Sink::spawn(move || pull.recv_frame_into(&mut msg).expect("recv_frame_into"))
}

/// libzmq's free function for a buffer handed over by [`raw_send_owned`]: `hint` is its
/// capacity.
unsafe extern "C" fn free_vec(data: *mut c_void, hint: *mut c_void) {
    // SAFETY: `data` is the pointer of a Vec<u8> of capacity `hint` whose ownership
    // raw_send_owned gave to libzmq, which calls this once; a length of 0 is fine for u8.
    drop(unsafe { Vec::from_raw_parts(data.cast::<u8>(), 0, hint as usize) });
}

/// The raw zero-copy send: the buffer handed to `zmq_msg_init_data` with a free function.
fn raw_send_owned(socket: *mut c_void, buf: Vec<u8>) {
    let mut buf = std::mem::ManuallyDrop::new(buf);
    let (ptr, len, cap) = (buf.as_mut_ptr(), buf.len(), buf.capacity());
    let mut msg = zmq_ffi::zmq_msg_t::default();
    // SAFETY: `socket` is a live socket used by this thread only; ptr/len are the buffer's
    // initialised bytes and libzmq owns them from here (free_vec frees them, once); the
    // message is closed once, whether the send took its content or not.
    unsafe {
        let rc = zmq_ffi::zmq_msg_init_data(
            &mut msg,
            ptr.cast(),
            len,
            Some(free_vec),
            cap as *mut c_void,
        );
        assert_eq!(rc, 0, "zmq_msg_init_data");
        let rc = zmq_ffi::zmq_msg_send(&mut msg, socket, 0);
        zmq_ffi::zmq_msg_close(&mut msg);
        assert!(rc >= 0, "zmq_msg_send");
    }
}

fn cases(group: &mut Group<'_>, ctx: &Context, size: usize, batch: u64) {
    let (push, pull) = pair(ctx);
    let sink = raw_sink(pull);
    let socket = push.as_ptr();
    group.bench_function("raw_copy", |b| {
        b.iter_custom(|iters| sink.time(iters * batch, || raw_send_copy(socket, &fresh(size), 0)))
    });
    group.bench_function("raw_zero_copy", |b| {
        b.iter_custom(|iters| sink.time(iters * batch, || raw_send_owned(socket, fresh(size))))
    });
    drop(sink);

    let (push, pull) = pair(ctx);
    let sink = safe_sink(pull);
    group.bench_function("copy", |b| {
        b.iter_custom(|iters| {
            sink.time(iters * batch, || push.send(&fresh(size)[..]).expect("send"))
        })
    });
    group.bench_function("zero_copy", |b| {
        b.iter_custom(|iters| sink.time(iters * batch, || push.send(fresh(size)).expect("send")))
    });
}

fn zero_copy(c: &mut Criterion) {
    // glibc serves large blocks with mmap until one such block is freed, after which it
    // raises its threshold and serves them from the heap: freeing one block larger than any
    // here first, every function starts in that steady state, whatever the order they run in.
    drop(std::hint::black_box(fresh(4 * 1024 * 1024)));
    let ctx = Context::new().expect("context");
    for (size, label, batch) in CASES {
        let mut group = c.benchmark_group(format!("send_owned_{label}"));
        group.throughput(Throughput::Bytes(batch * size as u64));
        cases(&mut group, &ctx, size, batch);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = zero_copy
}
criterion_main!(benches);
