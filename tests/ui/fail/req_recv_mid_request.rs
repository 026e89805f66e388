use zmq_typed::{Context, Req};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let sending = Req::new(&ctx)?.send_more("first frame")?;
    let _ = sending.recv();
    Ok(())
}
