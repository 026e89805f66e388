//! What the bench targets share: transports and endpoints, the criterion settings, the
//! receiving thread of the throughput benches ([`Sink`]), and the raw `zmq_ffi` steps the
//! `raw` functions are written with.
//!
//! Every bench target includes this module and uses part of it.
#![allow(dead_code)]

use std::os::raw::{c_int, c_void};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use criterion::Criterion;
use zmq_typed::zmq_ffi;
use zmq_typed::SocketCore;

/// The two transports every socket bench runs over.
#[derive(Debug, Clone, Copy)]
pub enum Transport {
    Inproc,
    Tcp,
}

impl Transport {
    pub const ALL: [Transport; 2] = [Transport::Inproc, Transport::Tcp];

    pub fn name(self) -> &'static str {
        match self {
            Transport::Inproc => "inproc",
            Transport::Tcp => "tcp",
        }
    }

    /// An endpoint to bind: a fresh inproc name, or an ephemeral port on the loopback.
    pub fn endpoint(self) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        match self {
            Transport::Inproc => {
                format!("inproc://bench-{}", NEXT.fetch_add(1, Ordering::Relaxed))
            }
            Transport::Tcp => "tcp://127.0.0.1:*".to_owned(),
        }
    }
}

/// Binds `bound` and connects `connecting` to it over `transport`.
pub fn link(bound: &SocketCore, connecting: &SocketCore, transport: Transport) {
    let ep = bound.bind(transport.endpoint()).expect("bind");
    connecting.connect(&ep).expect("connect");
}

/// The criterion settings of every target: short warm-up and measurement, few samples,
/// so that the whole `cargo bench` stays within a few minutes on a 2-core machine.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(700))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20)
        .configure_from_args()
}

/// The receiving end of a throughput bench, on a thread of its own: told how many messages
/// to take, it takes them (one `recv_one` call each) and says when it is done. Dropping it
/// ends the thread (and so closes the socket that `recv_one` owns).
pub struct Sink {
    count: Option<mpsc::Sender<u64>>,
    done: mpsc::Receiver<()>,
    thread: Option<JoinHandle<()>>,
}

impl Sink {
    /// A thread that calls `recv_one` (which receives one whole message) as often as told.
    pub fn spawn(mut recv_one: impl FnMut() + Send + 'static) -> Sink {
        let (count_tx, count_rx) = mpsc::channel::<u64>();
        let (done_tx, done_rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("bench-sink".into())
            .spawn(move || {
                while let Ok(n) = count_rx.recv() {
                    for _ in 0..n {
                        recv_one();
                    }
                    if done_tx.send(()).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn the sink thread");
        Sink {
            count: Some(count_tx),
            done: done_rx,
            thread: Some(thread),
        }
    }

    /// Times `n` calls of `send_one` (each sends one whole message) until the sink has
    /// received all `n` messages. The queue between them is bounded by the high-water marks,
    /// so a long batch measures steady-state throughput, not a growing queue.
    pub fn time(&self, n: u64, mut send_one: impl FnMut()) -> Duration {
        self.count
            .as_ref()
            .expect("sink running")
            .send(n)
            .expect("sink thread alive");
        let start = Instant::now();
        for _ in 0..n {
            send_one();
        }
        self.done.recv().expect("sink thread finished its batch");
        start.elapsed()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        // No more counts: the thread's loop ends.
        self.count = None;
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() && !std::thread::panicking() {
                panic!("the sink thread panicked");
            }
        }
    }
}

/// A `zmq_msg_t` initialised empty and closed on drop: the one reused message of the raw
/// receivers.
pub struct RawMsg(zmq_ffi::zmq_msg_t);

impl RawMsg {
    pub fn new() -> RawMsg {
        let mut msg = RawMsg(zmq_ffi::zmq_msg_t::default());
        // SAFETY: the pointer is to a zmq_msg_t owned by `msg`; zmq_msg_init cannot fail.
        unsafe { zmq_ffi::zmq_msg_init(&mut msg.0) };
        msg
    }

    pub fn as_mut_ptr(&mut self) -> *mut zmq_ffi::zmq_msg_t {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        // SAFETY: the message is initialised for as long as self lives.
        unsafe { zmq_ffi::zmq_msg_size(&self.0) }
    }
}

impl Drop for RawMsg {
    fn drop(&mut self) {
        // SAFETY: initialised in `new`, closed once, here.
        unsafe { zmq_ffi::zmq_msg_close(&mut self.0) };
    }
}

/// The raw send of C code that sends a borrowed buffer: a new message of the buffer's size
/// (`zmq_msg_init_size`), filled, sent with `flags`.
pub fn raw_send_copy(socket: *mut c_void, bytes: &[u8], flags: c_int) {
    let mut msg = zmq_ffi::zmq_msg_t::default();
    // SAFETY: `socket` is a live socket used by this thread only; `msg` is initialised by
    // zmq_msg_init_size with bytes.len() writable bytes at zmq_msg_data, which cannot overlap
    // `bytes`; a sent message is emptied by libzmq and closing it is still required, a
    // message that failed to go is closed the same way.
    unsafe {
        let rc = zmq_ffi::zmq_msg_init_size(&mut msg, bytes.len());
        assert_eq!(rc, 0, "zmq_msg_init_size");
        std::ptr::copy_nonoverlapping(
            bytes.as_ptr(),
            zmq_ffi::zmq_msg_data(&mut msg) as *mut u8,
            bytes.len(),
        );
        let rc = zmq_ffi::zmq_msg_send(&mut msg, socket, flags);
        zmq_ffi::zmq_msg_close(&mut msg);
        assert!(rc >= 0, "zmq_msg_send");
    }
}

/// The raw receive into a reused message: `zmq_msg_recv` (which releases the old content
/// itself); whether more frames follow (`zmq_msg_more`).
pub fn raw_recv(socket: *mut c_void, msg: &mut RawMsg) -> bool {
    // SAFETY: `socket` is a live socket used by this thread only; `msg` is initialised.
    unsafe {
        let rc = zmq_ffi::zmq_msg_recv(msg.as_mut_ptr(), socket, 0);
        assert!(rc >= 0, "zmq_msg_recv");
        zmq_ffi::zmq_msg_more(msg.as_mut_ptr()) == 1
    }
}

/// `len` bytes of a pattern, never all zero (the pages are really written).
pub fn payload(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8 + 1).collect()
}
