use zmq_typed::{Context, Rep};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let rep = Rep::new(&ctx)?;
    let _ = rep.send("reply");
    Ok(())
}
