//! A typed failure goes through `?` into the crate's error, `Box<dyn Error>` and anyhow, and
//! is Send + Sync + 'static although sockets are not Sync.
use std::time::Duration;
use zmq_typed::{AwaitingReply, Context, Failed, Pull, Push, Rep, Req, SendError};

fn assert_send_sync<T: Send + Sync + 'static>() {}

/// A REQ connected to a REP that never answers.
fn unanswered(ctx: &Context, name: &str) -> zmq_typed::Result<(Rep, Req)> {
    let rep = Rep::new(ctx)?;
    let endpoint = rep.bind(format!("inproc://{name}"))?;
    let req = Req::new(ctx)?;
    req.connect(&endpoint)?;
    Ok((rep, req))
}

fn crate_result(ctx: &Context) -> zmq_typed::Result<()> {
    let (_rep, req) = unanswered(ctx, "crate")?;
    let waiting = req.send("x")?;
    waiting.recv_timeout(Duration::ZERO)?;
    Ok(())
}

fn boxed(ctx: &Context) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (_rep, req) = unanswered(ctx, "boxed")?;
    let waiting = req.send("x")?;
    waiting.recv_timeout(Duration::ZERO)?;
    Ok(())
}

fn with_anyhow(ctx: &Context) -> anyhow::Result<()> {
    // A SendError (which hands back a message, not Sync) goes through `?` as well.
    let pull = Pull::new(ctx)?;
    let push = Push::new(ctx)?;
    push.connect(pull.bind("inproc://anyhow-push")?)?;
    push.send_multipart(["a", "b"])?;
    assert_eq!(pull.recv()?.len(), 2);
    let (_rep, req) = unanswered(ctx, "anyhow")?;
    let waiting = req.send("x")?;
    waiting.recv_timeout(Duration::ZERO)?;
    Ok(())
}

fn main() {
    assert_send_sync::<Failed<Req<AwaitingReply>>>();
    assert_send_sync::<SendError<zmq_typed::Multipart>>();
    let ctx = Context::new().expect("context");
    assert!(crate_result(&ctx).expect_err("no peer").is_timeout());
    assert!(boxed(&ctx).is_err());
    assert!(with_anyhow(&ctx).is_err());
}
