use zmq_typed::{Context, Router};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let router = Router::new(&ctx)?;
    let bytes = vec![1u8, 2, 3];
    router.send(&bytes)?;
    Ok(())
}
