//! Messages: zero-copy buffers freed exactly once, mutable access rules, shared copies,
//! properties, multipart and envelopes.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use zmq_typed::{Message, Multipart, SocketType::*};

/// Counts how often the block at WATCHED is freed. Once its address is handed out again by
/// a new allocation, it stops being watched, so reuse never counts as a second free; a real
/// double free (two frees with no allocation between) would.
struct Counting;
static WATCHED: AtomicUsize = AtomicUsize::new(0);
static FREES: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        let _ = WATCHED.compare_exchange(ptr as usize, 0, Ordering::SeqCst, Ordering::SeqCst);
        ptr
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ptr as usize == WATCHED.load(Ordering::SeqCst) {
            FREES.fetch_add(1, Ordering::SeqCst);
        }
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// A buffer whose address is watched; returns it with its address.
fn watched(len: usize) -> (Vec<u8>, usize) {
    let mut v = Vec::with_capacity(len + 7); // capacity != length on purpose
    v.extend((0..len).map(|i| i as u8));
    let addr = v.as_ptr() as usize;
    FREES.store(0, Ordering::SeqCst);
    WATCHED.store(addr, Ordering::SeqCst);
    (v, addr)
}

#[test]
fn zero_copy_buffers_are_freed_exactly_once() {
    // One test, in sequence, since the counter is global.
    let ctx = ctx();
    for t in TRANSPORTS {
        let pull = socket(&ctx, Pull);
        let push = socket(&ctx, Push);
        wire(&pull, &push, t, "zero-copy");

        // Dropped without sending.
        let (v, addr) = watched(1000);
        let msg = Message::from_vec(v);
        assert_eq!(msg.as_ptr() as usize, addr, "not copied");
        drop(msg);
        assert_eq!(FREES.load(Ordering::SeqCst), 1);

        // Sent, received and dropped: libzmq frees it (over inproc the receiver gets the
        // very same buffer).
        let (v, addr) = watched(4096);
        let msg = Message::from_vec(v);
        push.send(msg).unwrap();
        let got = pull.recv_frame().unwrap();
        assert_eq!(got.len(), 4096);
        assert_eq!(got[4095], (4095 % 256) as u8);
        if t == Transport::Inproc {
            assert_eq!(got.as_ptr() as usize, addr);
        }
        drop(got);
        drop(push);
        drop(pull);
        // The I/O thread frees it for tcp/ipc once written: wait for that without sleeping
        // blindly, bounded.
        let deadline = std::time::Instant::now() + PATIENCE;
        while FREES.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        assert_eq!(FREES.load(Ordering::SeqCst), 1, "{t:?}");

        // Shared copies: freed once, after the last copy.
        let (v, _addr) = watched(100);
        let a = Message::from_box(v.into_boxed_slice());
        WATCHED.store(a.as_ptr() as usize, Ordering::SeqCst);
        FREES.store(0, Ordering::SeqCst);
        let b = a.clone();
        assert_eq!(a.as_ptr(), b.as_ptr());
        drop(a);
        assert_eq!(FREES.load(Ordering::SeqCst), 0);
        drop(b);
        assert_eq!(FREES.load(Ordering::SeqCst), 1);
    }
    WATCHED.store(0, Ordering::SeqCst);
}

#[test]
fn mutable_access_only_to_own_bytes() {
    let mut own = Message::with_size(40).unwrap();
    own.data_mut().unwrap()[0] = 7;
    assert_eq!(own[0], 7);
    let mut from_vec = Message::from_vec(vec![1; 100]);
    from_vec.data_mut().unwrap()[99] = 2;
    assert_eq!(from_vec[99], 2);
    let mut shared = from_vec.clone();
    assert!(shared.is_shared());
    assert!(shared.data_mut().is_none());
    let mut from_static = Message::from_static(&[9; 64]);
    assert!(from_static.data_mut().is_none());
    assert_eq!(from_static.len(), 64);
    let small = Message::from_static(b"tiny");
    assert_eq!(small, "tiny");
    assert_eq!(Message::new().len(), 0);
    assert!(Message::from(String::from("x")).as_str().is_ok());
    assert!(matches!(
        Message::from(&[0xff, 0xfe][..]).as_str(),
        Err(zmq_typed::Error::Utf8 { .. })
    ));
}

#[test]
fn properties_over_tcp_not_inproc() {
    let ctx = ctx();
    let pull = socket(&ctx, Pull);
    let push = socket(&ctx, Push);
    wire(&pull, &push, Transport::Tcp, "props");
    push.send("x").unwrap();
    let msg = pull.recv_frame().unwrap();
    assert_eq!(msg.socket_type_property().unwrap(), Some("PUSH"));
    assert_eq!(msg.peer_address().unwrap(), Some("127.0.0.1"));
    assert_eq!(
        msg.routing_id_property().unwrap(),
        None,
        "PUSH sends no routing id"
    );
    assert_eq!(msg.property("No-Such-Property").unwrap(), None);
    assert!(matches!(
        msg.property("a\0b"),
        Err(zmq_typed::Error::Nul { .. })
    ));

    let dealer = socket(&ctx, Dealer);
    dealer.set_routing_id("dealer-7").unwrap();
    let router = socket(&ctx, Router);
    wire(&router, &dealer, Transport::Tcp, "props2");
    dealer.send("y").unwrap();
    let parts = router.recv().unwrap();
    assert_eq!(parts[1].routing_id_property().unwrap(), Some("dealer-7"));

    let a = socket(&ctx, Pair);
    let b = socket(&ctx, Pair);
    wire(&a, &b, Transport::Inproc, "props3");
    b.send("z").unwrap();
    let msg = a.recv_frame().unwrap();
    assert_eq!(
        msg.socket_type_property().unwrap(),
        None,
        "no metadata over inproc"
    );
}

#[test]
fn multipart_round_trips_and_envelopes() {
    let ctx = ctx();
    for t in TRANSPORTS {
        let a = socket(&ctx, Dealer);
        let b = socket(&ctx, Dealer);
        wire(&a, &b, t, "multipart");
        let frames: Vec<Vec<u8>> = vec![b"one".to_vec(), vec![], vec![0u8; 5000], b"last".to_vec()];
        b.send_multipart(frames.clone()).unwrap();
        let got = a.recv().unwrap();
        assert_eq!(got.to_vecs(), frames);
        assert!(got[0].more() && got[1].more() && got[2].more() && !got[3].more());
        assert!(a.try_recv().unwrap().is_none());
        let empty = b.send_multipart(Vec::<Vec<u8>>::new()).unwrap_err();
        assert!(matches!(empty.error(), zmq_typed::Error::EmptyMessage));
    }
    let mut m = Multipart::from(vec!["id", "", "a", "b"]);
    let (env, body) = m.clone().split_envelope().unwrap();
    assert_eq!(env.to_vecs(), vec![b"id".to_vec()]);
    assert_eq!(body.to_vecs(), vec![b"a".to_vec(), b"b".to_vec()]);
    assert_eq!(Multipart::join_envelope(env, body), m);
    assert_eq!(m.unwrap_address().unwrap(), "id");
    assert_eq!(m.to_vecs(), vec![b"a".to_vec(), b"b".to_vec()]);
    m.wrap("x");
    assert_eq!(m.len(), 4);
    let no_delimiter = Multipart::from(vec!["no", "delimiter"]);
    assert_eq!(
        no_delimiter.clone().split_envelope().unwrap_err(),
        no_delimiter
    );
    let (env, body) = Multipart::from(vec!["", "body"]).split_envelope().unwrap();
    assert!(env.is_empty(), "the delimiter first: an empty envelope");
    assert_eq!(body, "body");
    assert_eq!(
        Multipart::join_envelope(env, body).to_vecs(),
        [vec![], b"body".to_vec()],
        "the delimiter is put back in front of an empty envelope too"
    );
}

#[test]
fn receive_variants() {
    let ctx = ctx();
    let a = socket(&ctx, Pair);
    let b = socket(&ctx, Pair);
    wire(&a, &b, Transport::Inproc, "variants");
    assert!(a.try_recv().unwrap().is_none());
    assert!(matches!(
        a.recv_timeout(std::time::Duration::from_millis(5)),
        Err(zmq_typed::Error::TimedOut(_))
    ));
    a.set_rcvtimeo(Some(std::time::Duration::from_millis(5)))
        .unwrap();
    let err = a.recv().unwrap_err();
    assert!(matches!(err, zmq_typed::Error::TimedOut(_)), "{err:?}");
    assert_eq!(
        std::io::Error::from(err).kind(),
        std::io::ErrorKind::TimedOut
    );
    b.send("0123456789").unwrap();
    let mut buf = [0u8; 4];
    assert_eq!(
        a.recv_frame_buf(&mut buf).unwrap(),
        10,
        "full length reported"
    );
    assert_eq!(&buf, b"0123");
    b.send(vec![0xffu8, 0xfe]).unwrap();
    assert!(matches!(
        a.recv_string(),
        Err(zmq_typed::Error::Utf8 { .. })
    ));
    b.send("bytes").unwrap();
    assert_eq!(a.recv_bytes().unwrap(), b"bytes");
    let mut reuse = Message::new();
    b.send("into").unwrap();
    a.recv_frame_into(&mut reuse).unwrap();
    assert_eq!(reuse, "into");
}
