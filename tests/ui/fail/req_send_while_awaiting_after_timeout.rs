use std::time::Duration;
use zmq_typed::{Context, Req};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let waiting = Req::new(&ctx)?.send("ping")?;
    let req = waiting.recv_timeout(Duration::ZERO).unwrap_err().into_socket();
    let _ = req.send("ping again");
    Ok(())
}
