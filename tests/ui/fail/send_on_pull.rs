use zmq_typed::{Context, Pull};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let pull = Pull::new(&ctx)?;
    pull.send("hello")?;
    Ok(())
}
