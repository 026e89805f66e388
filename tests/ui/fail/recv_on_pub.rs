use zmq_typed::{Context, Pub};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let publisher = Pub::new(&ctx)?;
    let _ = publisher.recv();
    Ok(())
}
