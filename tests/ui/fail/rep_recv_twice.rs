use zmq_typed::{Context, Rep};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let (_request, rep) = Rep::new(&ctx)?.recv()?;
    let _ = rep.recv();
    Ok(())
}
