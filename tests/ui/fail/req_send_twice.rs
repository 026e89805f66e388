use zmq_typed::{Context, Req};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let req = Req::new(&ctx)?.send("one")?;
    let _ = req.send("two");
    Ok(())
}
