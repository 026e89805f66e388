//! Every stateless type does what its type allows, and typed sockets of mixed types poll
//! together through their poll-only views.
use std::time::Duration;
use zmq_typed::{Context, Dealer, Pair, PollEvents, Poller, Pub, Pull, Push, Router, Sub, XPub, XSub};

/// Every typed socket may move to another thread (it is `Send`; `!Sync` is checked by a
/// compile-fail case).
fn assert_send<T: Send>() {}

fn main() -> zmq_typed::Result<()> {
    assert_send::<zmq_typed::Req<zmq_typed::Ready>>();
    assert_send::<zmq_typed::Req<zmq_typed::Sending>>();
    assert_send::<zmq_typed::Req<zmq_typed::AwaitingReply>>();
    assert_send::<zmq_typed::Rep<zmq_typed::Receiving>>();
    assert_send::<zmq_typed::Rep<zmq_typed::Replying>>();
    assert_send::<(Dealer, Router, Pub, Sub, XPub, XSub, Push, Pull, Pair, zmq_typed::Stream)>();
    let ctx = Context::new()?;

    let pull = Pull::new(&ctx)?;
    let ep = pull.bind("inproc://pass-pipeline")?;
    let push = Push::new(&ctx)?;
    push.connect(&ep)?;
    push.send("task")?;

    let xpub = XPub::new(&ctx)?;
    let ep = xpub.bind("inproc://pass-xpub")?;
    let sub = Sub::new(&ctx)?;
    sub.subscribe("")?;
    sub.connect(&ep)?;

    let mut poller = Poller::new();
    let pulled = poller.add(&pull, PollEvents::IN);
    let subscribed = poller.add(&xpub, PollEvents::IN);
    let ready = poller.poll(Some(Duration::from_secs(10)))?;
    assert!(ready.is_readable(pulled) && ready.is_readable(subscribed));
    drop(poller);
    assert_eq!(pull.recv()?, "task");
    let subscription = xpub.recv_subscription()?;
    assert!(subscription.is_subscribe() && subscription.topic().is_empty());

    let publisher = Pub::new(&ctx)?;
    let ep = publisher.bind("inproc://pass-pub")?;
    let xsub = XSub::new(&ctx)?;
    xsub.connect(&ep)?;
    xsub.subscribe("x")?;

    let router = Router::new(&ctx)?;
    let ep = router.bind("inproc://pass-router")?;
    let dealer = Dealer::new(&ctx)?;
    dealer.connect(&ep)?;
    dealer.send("hi")?;
    let request = router.recv()?;
    router.send_to(&request.id, request.body)?;
    assert_eq!(dealer.recv()?, "hi");

    let a = Pair::new(&ctx)?;
    let ep = a.bind("inproc://pass-pair")?;
    let b = Pair::new(&ctx)?;
    b.connect(&ep)?;
    b.send("ping")?;
    assert_eq!(a.recv_string()?, "ping");

    let _dynamic: zmq_typed::Socket = a.into_dynamic();
    Ok(())
}
