use zmq_typed::{Context, Push};

fn main() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let push = Push::new(&ctx)?;
    std::thread::scope(|s| {
        s.spawn(|| push.send("from a thread"));
    });
    Ok(())
}
