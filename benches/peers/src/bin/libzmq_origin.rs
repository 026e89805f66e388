//! `libzmq_origin`: prints which libzmq the peer programs of this build run on, e.g.
//! `libzmq 4.3.4 (shared: /usr/lib/x86_64-linux-gnu/libzmq.so.5.2.4)` for the build linked to
//! the system libzmq, or `libzmq 4.3.4 (static: linked into the binary)` for rust-zmq's
//! vendored one.

fn main() {
    println!("{}", peers::libzmq_origin());
}
