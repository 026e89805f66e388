use zmq_typed::{Context, Push};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let push = Push::new(&ctx)?;
    let _ = push.recv();
    Ok(())
}
