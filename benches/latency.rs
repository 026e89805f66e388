//! REQ/REP round-trip latency over inproc and tcp, 1-byte requests: the REP side echoes on a
//! thread of its own (as libzmq's `local_lat`/`inproc_lat` do), one iteration is one round
//! trip from the REQ side. Each transport is a group with the same exchange written five
//! ways, on both ends:
//!
//! - `raw`: directly on `zmq_ffi` (`zmq_msg_init_size`, fill, `zmq_msg_send`; `zmq_msg_recv`
//!   into a reused `zmq_msg_t`; the echo sends back the message it received);
//! - `raw_in_place`: `raw` with one `zmq_msg_t` on the REQ side too, sent and received into
//!   again, as libzmq's `inproc_lat`/`remote_lat` do: the twin of `in_place`;
//! - `dynamic`: the dynamic [`Socket`]: `send(&buf[..])`, `recv()`; the echo sends back the
//!   [`Multipart`](zmq_typed::Multipart) it received;
//! - `in_place`: the dynamic [`Socket`] as its docs say hot loops should be written: one
//!   [`Message`] on each side, sent with `send_from` (which leaves it empty) and received
//!   into with `recv_frame_into`, as `raw`'s echo reuses its `zmq_msg_t`;
//! - `typed`: [`Req`] and [`Rep`] moving through their states, doing what `dynamic` does.
//!
//! An empty request ends the echo thread.
//!
//! `cargo bench --bench latency`; reports land in `target/criterion`.

mod common;

use std::thread::JoinHandle;

use common::{link, raw_recv, raw_send_copy, RawMsg, Transport};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion};
use zmq_typed::{zmq_ffi, Context, Message, Rep, Req, Socket, SocketType};

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

const REQUEST: &[u8] = b"x";

fn spawn(name: &str, echo: impl FnOnce() + Send + 'static) -> JoinHandle<()> {
    std::thread::Builder::new()
        .name(name.into())
        .spawn(echo)
        .expect("spawn the echo thread")
}

fn join(echo: JoinHandle<()>) {
    echo.join().expect("the echo thread panicked");
}

fn dynamic_pair(ctx: &Context, transport: Transport) -> (Socket, Socket) {
    let rep = Socket::new(ctx, SocketType::Rep).expect("rep");
    let req = Socket::new(ctx, SocketType::Req).expect("req");
    link(&rep, &req, transport);
    (req, rep)
}

/// The raw echo: receives into one `zmq_msg_t` and sends it back, until an empty request.
fn raw_echo(name: &str, rep: Socket) -> JoinHandle<()> {
    spawn(name, move || {
        let mut msg = RawMsg::new();
        loop {
            raw_recv(rep.as_ptr(), &mut msg);
            let last = msg.len() == 0;
            // SAFETY: `rep` is a live socket owned by this thread; `msg` is initialised and
            // stays so (emptied by a successful send, unchanged by a failed one).
            let rc = unsafe { zmq_ffi::zmq_msg_send(msg.as_mut_ptr(), rep.as_ptr(), 0) };
            assert!(rc >= 0, "zmq_msg_send");
            if last {
                break;
            }
        }
    })
}

fn raw(group: &mut Group<'_>, ctx: &Context, transport: Transport) {
    let (req, rep) = dynamic_pair(ctx, transport);
    // The raw code uses only the sockets' handles, each on the thread that owns the socket.
    let echo = raw_echo("raw-echo", rep);
    let socket = req.as_ptr();
    let mut reply = RawMsg::new();
    group.bench_function("raw", |b| {
        b.iter(|| {
            raw_send_copy(socket, REQUEST, 0);
            raw_recv(socket, &mut reply);
        })
    });
    raw_send_copy(socket, b"", 0);
    raw_recv(socket, &mut reply);
    join(echo);
}

fn raw_in_place(group: &mut Group<'_>, ctx: &Context, transport: Transport) {
    let (req, rep) = dynamic_pair(ctx, transport);
    let echo = raw_echo("raw-in-place-echo", rep);
    let socket = req.as_ptr();
    // One message goes back and forth: the reply is the request, sent again.
    let mut msg = RawMsg::new();
    raw_send_copy(socket, REQUEST, 0);
    raw_recv(socket, &mut msg);
    group.bench_function("raw_in_place", |b| {
        b.iter(|| {
            // SAFETY: `socket` is a live socket used by this thread only; `msg` is
            // initialised (emptied by a successful send, then received into).
            let rc = unsafe { zmq_ffi::zmq_msg_send(msg.as_mut_ptr(), socket, 0) };
            assert!(rc >= 0, "zmq_msg_send");
            raw_recv(socket, &mut msg);
        })
    });
    raw_send_copy(socket, b"", 0);
    raw_recv(socket, &mut msg);
    join(echo);
}

fn dynamic(group: &mut Group<'_>, ctx: &Context, transport: Transport) {
    let (req, rep) = dynamic_pair(ctx, transport);
    let echo = spawn("dynamic-echo", move || loop {
        let request = rep.recv().expect("recv");
        let last = request.iter().all(|frame| frame.is_empty());
        rep.send(request).expect("send");
        if last {
            break;
        }
    });
    group.bench_function("dynamic", |b| {
        b.iter(|| {
            req.send(REQUEST).expect("send");
            req.recv().expect("recv")
        })
    });
    req.send(b"").expect("send");
    req.recv().expect("recv");
    join(echo);
}

fn in_place(group: &mut Group<'_>, ctx: &Context, transport: Transport) {
    let (req, rep) = dynamic_pair(ctx, transport);
    let echo = spawn("in-place-echo", move || {
        let mut msg = Message::new();
        loop {
            rep.recv_frame_into(&mut msg).expect("recv_frame_into");
            let last = msg.is_empty();
            rep.send_from(&mut msg).expect("send_from");
            if last {
                break;
            }
        }
    });
    // The reply is the request: the next round trip sends it again.
    let mut msg = Message::from_slice(REQUEST);
    group.bench_function("in_place", |b| {
        b.iter(|| {
            req.send_from(&mut msg).expect("send_from");
            req.recv_frame_into(&mut msg).expect("recv_frame_into");
        })
    });
    assert_eq!(msg, REQUEST, "the echo changed the request");
    req.send_from(&mut Message::new()).expect("send_from");
    req.recv_frame_into(&mut msg).expect("recv_frame_into");
    join(echo);
}

fn typed(group: &mut Group<'_>, ctx: &Context, transport: Transport) {
    let rep = Rep::new(ctx).expect("rep");
    let req = Req::new(ctx).expect("req");
    link(&rep, &req, transport);
    let echo = spawn("typed-echo", move || {
        let mut rep = rep;
        loop {
            let (request, replying) = rep.recv().expect("recv");
            let last = request.iter().all(|frame| frame.is_empty());
            rep = replying.send(request).expect("send");
            if last {
                break;
            }
        }
    });
    let mut ready = Some(req);
    group.bench_function("typed", |b| {
        b.iter(|| {
            let req = ready.take().expect("a REQ ready to send");
            let waiting = req.send(REQUEST).expect("send");
            let (reply, req) = waiting.recv().expect("recv");
            ready = Some(req);
            reply
        })
    });
    let req = ready.take().expect("a REQ ready to send");
    let (_, _req) = req.send(b"").expect("send").recv().expect("recv");
    join(echo);
}

fn req_rep(c: &mut Criterion) {
    let ctx = Context::new().expect("context");
    for transport in Transport::ALL {
        let mut group = c.benchmark_group(format!("lat_{}_1B", transport.name()));
        raw(&mut group, &ctx, transport);
        raw_in_place(&mut group, &ctx, transport);
        dynamic(&mut group, &ctx, transport);
        in_place(&mut group, &ctx, transport);
        typed(&mut group, &ctx, transport);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = req_rep
}
criterion_main!(benches);
