use zmq_typed::{Context, Sub};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let sub = Sub::new(&ctx)?;
    sub.send("hello")?;
    Ok(())
}
