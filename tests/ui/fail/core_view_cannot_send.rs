use zmq_typed::{Context, Req, SocketCore};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let waiting = Req::new(&ctx)?.send("ping")?;
    let core: &SocketCore = &waiting;
    core.send("sneaked past the state")?;
    Ok(())
}
