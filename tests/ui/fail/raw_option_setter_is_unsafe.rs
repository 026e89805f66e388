// ZMQ_USE_FD through the raw setter hands libzmq a descriptor it will close: only `unsafe`.
use zmq_typed::{Context, Socket, SocketType};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let s = Socket::new(&ctx, SocketType::Pull)?;
    s.set_option_raw_int(zmq_typed::zmq_ffi::ZMQ_USE_FD, 3)?;
    Ok(())
}
