use zmq_typed::{Context, Req};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let req = Req::new(&ctx)?;
    let _waiting = req.send("one")?;
    req.connect("inproc://x")?;
    Ok(())
}
