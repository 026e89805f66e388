//! Zero cost, counted: a typed exchange makes exactly the heap allocations of the same
//! exchange on dynamic sockets, none for one-frame messages. (Speed is measured in
//! `benches/typed.rs`, not asserted here.)

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use zmq_typed::{Multipart, Pull, Push, Rep, Req, Socket, SocketType};

/// Counts the Rust heap allocations of the current thread (libzmq's own, made in C, are the
/// same on both sides of the comparison and are not seen here).
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: forwards to the system allocator; only counts, in a thread-local Cell that needs
// no allocation and has no destructor.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's layout is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: ptr came from System.alloc with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_in(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const ROUNDS: usize = 200;

#[test]
fn typed_req_rep_allocates_exactly_what_the_dynamic_one_does() {
    let ctx = ctx();
    let (rep, req) = (socket(&ctx, SocketType::Rep), socket(&ctx, SocketType::Req));
    wire(&rep, &req, Transport::Inproc, "alloc-dynamic");
    let mut typed_rep = Some(Rep::new(&ctx).unwrap());
    let mut typed_req = Some(Req::new(&ctx).unwrap());
    let ep = typed_rep
        .as_ref()
        .unwrap()
        .bind("inproc://alloc-typed")
        .unwrap();
    typed_req.as_ref().unwrap().connect(&ep).unwrap();

    let dynamic = |payload: &'static [u8]| {
        for _ in 0..ROUNDS {
            req.send(payload).unwrap();
            let request = rep.recv().unwrap();
            rep.send(request).unwrap(); // the whole message, echoed
            let reply = req.recv().unwrap();
            assert_eq!(reply, payload);
        }
    };
    let mut typed = |payload: &'static [u8]| {
        for _ in 0..ROUNDS {
            let waiting = typed_req.take().unwrap().send(payload).unwrap();
            let (request, replying) = typed_rep.take().unwrap().recv().unwrap();
            typed_rep = Some(replying.send(request).unwrap());
            let (reply, ready) = waiting.recv().unwrap();
            assert_eq!(reply, payload);
            typed_req = Some(ready);
        }
    };
    // Warm up (first connections, lazily made buffers), then count.
    dynamic(b"warm");
    typed(b"warm");
    for payload in [&b"small"[..], &[7u8; 1000][..]] {
        let d = allocations_in(|| dynamic(payload));
        let t = allocations_in(|| typed(payload));
        assert_eq!(d, 0, "dynamic REQ/REP, {} bytes", payload.len());
        assert_eq!(t, d, "typed REQ/REP, {} bytes", payload.len());
    }
}

#[test]
fn typed_push_pull_multipart_allocates_what_the_dynamic_one_does() {
    let ctx = ctx();
    let (pull, push) = (
        socket(&ctx, SocketType::Pull),
        socket(&ctx, SocketType::Push),
    );
    wire(&pull, &push, Transport::Inproc, "alloc-dynamic-pp");
    let typed_pull = Pull::new(&ctx).unwrap();
    let typed_push = Push::new(&ctx).unwrap();
    let ep = typed_pull.bind("inproc://alloc-typed-pp").unwrap();
    typed_push.connect(&ep).unwrap();

    let dynamic = |s: &Socket, r: &Socket| {
        for _ in 0..ROUNDS {
            s.send_multipart([&b"a"[..], b"b", b"c"]).unwrap();
            assert_eq!(r.recv().unwrap().len(), 3);
            s.send("one").unwrap();
            assert_eq!(r.recv().unwrap().len(), 1);
        }
    };
    let typed = || {
        for _ in 0..ROUNDS {
            typed_push.send_multipart([&b"a"[..], b"b", b"c"]).unwrap();
            assert_eq!(typed_pull.recv().unwrap().len(), 3);
            typed_push.send("one").unwrap();
            assert_eq!(typed_pull.recv().unwrap().len(), 1);
        }
    };
    dynamic(&push, &pull);
    typed();
    let d = allocations_in(|| dynamic(&push, &pull));
    let t = allocations_in(typed);
    assert_eq!(t, d);
    // A one-frame message costs nothing; a three-frame one its frame list, once.
    assert_eq!(
        d, ROUNDS as u64,
        "allocations for {ROUNDS} three-frame messages"
    );
}

#[test]
fn receiving_into_one_multipart_allocates_nothing_once_warm() {
    let ctx = ctx();
    let pull = Pull::new(&ctx).unwrap();
    let push = Push::new(&ctx).unwrap();
    let ep = pull.bind("inproc://alloc-recv-into").unwrap();
    push.connect(&ep).unwrap();
    let mut parts = Multipart::new();
    let mut exchange = || {
        for _ in 0..ROUNDS {
            push.send_multipart([&b"a"[..], b"b", b"c"]).unwrap();
            pull.recv_into(&mut parts).unwrap();
            assert_eq!(parts.len(), 3);
            push.send("one").unwrap();
            pull.recv_into(&mut parts).unwrap();
            assert_eq!(parts, "one");
        }
    };
    exchange();
    assert_eq!(allocations_in(exchange), 0, "the frame list is reused");
}

#[test]
fn one_frame_sends_of_every_kind_allocate_nothing() {
    let ctx = ctx();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    let push = Push::new(&ctx).unwrap();
    let ep = pull.bind("inproc://alloc-one-frame").unwrap();
    push.connect(&ep).unwrap();
    let owned = vec![7u8; 16];
    let exchange = || {
        for _ in 0..ROUNDS {
            push.send("text").unwrap();
            push.send(&owned).unwrap();
            push.send(zmq_typed::Message::from("frame")).unwrap();
            assert!(push.try_send(&b"bytes"[..]).unwrap().is_none());
            for _ in 0..4 {
                let message = pull.recv().unwrap();
                assert_eq!(message.len(), 1);
            }
        }
    };
    exchange();
    assert_eq!(allocations_in(exchange), 0);
}

#[test]
fn a_vector_of_frames_is_sent_without_a_copy_of_the_list() {
    let ctx = ctx();
    let pull = Pull::new(&ctx).unwrap();
    let push = Push::new(&ctx).unwrap();
    let ep = pull.bind("inproc://alloc-vec").unwrap();
    push.connect(&ep).unwrap();
    let mut parts = Multipart::new();
    for round in 0..3 {
        let frames: Vec<zmq_typed::Message> = vec!["a".into(), "b".into(), "c".into()];
        let sent = allocations_in(|| push.send(frames).unwrap());
        pull.recv_into(&mut parts).unwrap();
        assert_eq!(parts.len(), 3);
        if round > 0 {
            assert_eq!(sent, 0, "the vector became the frame list");
        }
    }
}
