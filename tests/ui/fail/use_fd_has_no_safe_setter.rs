// The safe way to give libzmq a listener is bind_fd with an OwnedFd; a raw number is refused.
use zmq_typed::{Context, Socket, SocketType};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let s = Socket::new(&ctx, SocketType::Pull)?;
    s.bind_fd(3)?;
    Ok(())
}
