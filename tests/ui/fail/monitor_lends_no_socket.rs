// A monitor's socket would let a receive take half of a two-frame event: it is never lent.
use zmq_typed::{Context, EventMask, Socket, SocketType};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let rep = Socket::new(&ctx, SocketType::Rep)?;
    let monitor = rep.monitor(EventMask::ALL)?;
    let _ = monitor.socket().recv()?;
    Ok(())
}
