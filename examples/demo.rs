//! The main demo: a short tour of the typed API over real TCP sockets on 127.0.0.1 with ports
//! chosen by the system. Run it with `./dev.sh demo`.

use std::thread;

use zmq_typed::{Context, Pull, Push, Rep, Req, Sub, XPub};

fn main() {
    match run() {
        Ok(()) => {}
        // Ctrl-C (or SIGTERM) shut the context down: every blocked call returned Terminated.
        Err(e) if e.is_terminated() => {
            eprintln!("interrupted: shut down cleanly");
            std::process::exit(130);
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}

fn run() -> zmq_typed::Result<()> {
    let v = zmq_typed::version();
    println!("libzmq {v}");
    let ctx = Context::new()?;
    // Ctrl-C wakes every blocked call with Error::Terminated (a second Ctrl-C kills).
    let _ctrl_c = ctx.shutdown_on_ctrl_c()?;

    // Request-reply: a REP server thread and a REQ client, their state machines in their
    // types (sending twice on the REQ would not compile).
    let rep = Rep::new(&ctx)?;
    // The monitor goes first, so that it sees every peer's handshake.
    let peers = rep.monitor_handshakes()?;
    let endpoint = rep.bind("tcp://127.0.0.1:*")?;
    println!("REP bound at {endpoint}");
    let server = thread::spawn(move || -> zmq_typed::Result<()> {
        let mut rep = rep;
        for _ in 0..3 {
            let (request, replying) = rep.recv()?;
            println!("server: Received {request}");
            rep = replying.send("World")?;
        }
        Ok(())
    });
    let mut req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    for i in 0..3 {
        let (reply, ready) = req.send("Hello")?.recv()?;
        println!("client: Received {reply} {i}");
        req = ready;
    }
    server.join().expect("server thread")?;
    // (The monitor's relay may count it a moment after the messages flowed.)
    peers.wait_for_handshakes(1, std::time::Duration::from_secs(5))?;
    println!("monitor: the client completed its handshake");

    // Pipeline: a PUSH ventilator fans 30 tasks out to 3 PULL workers, round robin over the
    // peers that are ready. It waits until all three have completed the ZeroMQ handshake:
    // a connection that is only accepted is not ready yet, and a ventilator that started
    // then would give every task to the first worker.
    let ventilator = Push::new(&ctx)?;
    let workers_ready = ventilator.monitor_handshakes()?; // before the bind: sees them all
    let ep = ventilator.bind("tcp://127.0.0.1:*")?;
    let mut workers = Vec::new();
    for _ in 0..3 {
        let worker = Pull::new(&ctx)?;
        worker.connect(&ep)?;
        workers.push(worker);
    }
    workers_ready.wait_for_handshakes(3, std::time::Duration::from_secs(5))?;
    for task in 1..=30 {
        ventilator.send(task.to_string())?;
    }
    let mut total = 0;
    for (n, worker) in workers.iter().enumerate() {
        for _ in 0..10 {
            total += worker.recv_string()?.parse::<u32>().unwrap_or(0);
        }
        println!("pipeline: worker {n} got its 10 tasks");
    }
    println!("pipeline: sum of tasks = {total}");

    // Publish-subscribe: the XPUB sees the subscription, so nothing is lost to the "slow
    // joiner" problem.
    let xpub = XPub::new(&ctx)?;
    let ep = xpub.bind("tcp://127.0.0.1:*")?;
    let sub = Sub::new(&ctx)?;
    sub.connect(&ep)?;
    sub.subscribe("10001 ")?;
    let subscription = xpub.recv_subscription()?;
    println!(
        "pubsub: publisher saw subscription {:?}",
        String::from_utf8_lossy(subscription.topic())
    );
    xpub.send("10002 15 40")?;
    xpub.send("10001 21 55")?;
    println!("pubsub: subscriber got {}", sub.recv_string()?);

    // CURVE keys.
    let keys = zmq_typed::CurveKeyPair::generate()?;
    println!("curve: public key {}", keys.public);
    println!("Demo complete.");
    Ok(())
}
