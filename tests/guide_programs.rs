//! The six classic ZeroMQ guide programs of issue 8, written again as a new user would on the
//! public API alone: no `use zmq_typed::prelude::*`, typed sockets, endpoints as `bind`
//! returns them, no sleeps (peers are synchronised by replies, by `monitor_handshakes()` +
//! `wait_for_handshakes`, or by inproc), exact assertions.

use std::collections::BTreeMap;
use std::thread;
use std::time::Duration;

use zmq_typed::{
    proxy, AnyRep, Context, Dealer, Endpoint, Failed, Multipart, PollEvents, Poller, Pub, Pull,
    Push, Rep, Req, ReqSlot, Router, RoutingId, Sub,
};

/// The bound on every wait that should never run out (a failure, not a synchronisation).
const PATIENCE: Duration = Duration::from_secs(10);

// 1. Hello world: a REQ in a loop, a REP echoing what it received, then the same server with
//    `Rep::serve` stopping normally on `Context::shutdown`.

#[test]
fn hello_world_req_in_a_loop_rep_echoes_the_request() -> zmq_typed::Result<()> {
    const N: usize = 20;
    let ctx = Context::new()?;
    let rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("tcp://127.0.0.1:*")?;
    let server = thread::spawn(move || -> zmq_typed::Result<Vec<String>> {
        let mut rep = rep;
        let mut seen = Vec::new();
        for _ in 0..N {
            let (request, replying) = rep.recv()?;
            seen.push(request.to_string());
            rep = replying.send(request)?; // echoes the whole message
        }
        Ok(seen)
    });

    let mut req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    for i in 0..N {
        let (reply, ready) = req.send(format!("Hello {i}"))?.recv()?;
        assert_eq!(reply, format!("Hello {i}"));
        req = ready;
    }
    let seen = server.join().expect("the server thread")?;
    assert_eq!(
        seen,
        (0..N).map(|i| format!("Hello {i}")).collect::<Vec<_>>()
    );
    Ok(())
}

#[test]
fn hello_world_server_with_serve_stops_normally_on_shutdown() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("tcp://127.0.0.1:*")?;
    let server = thread::spawn(move || rep.serve(|request| format!("World ({request})")));

    let mut req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    for i in 0..10 {
        let (reply, ready) = req.send(format!("Hello {i}"))?.recv()?;
        assert_eq!(reply.into_string()?, format!("World (Hello {i})"));
        req = ready;
    }
    ctx.shutdown()?;
    let stopped = server.join().expect("the server thread");
    assert!(stopped.is_ok(), "serve did not stop normally: {stopped:?}");
    Ok(())
}

// 2. Weather updates: typed Pub/Sub, `subscribe`, filtering checked exactly.

#[test]
fn weather_pub_sub_filters_exactly_one_zip_code() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let publisher = Pub::new(&ctx)?;
    let endpoint = publisher.bind("tcp://127.0.0.1:*")?;
    // The subscriber says on this channel when it has seen the first probe: from then on its
    // subscription is in force at the publisher (the slow joiner, without a sleep).
    let acks = Pull::new(&ctx)?;
    let acks_endpoint = acks.bind("inproc://weather-acks")?;

    let subscriber = Sub::new(&ctx)?;
    subscriber.connect(&endpoint)?;
    subscriber.subscribe("10001 ")?;
    let ack = Push::new(&ctx)?;
    ack.connect(&acks_endpoint)?;
    let client = thread::spawn(move || -> zmq_typed::Result<Vec<String>> {
        let mut updates = Vec::new();
        let mut acked = false;
        loop {
            let update = subscriber.recv()?.into_string()?;
            if update == "10001 probe" {
                if !acked {
                    ack.send("subscribed")?;
                    acked = true;
                }
                continue;
            }
            if update == "10001 end" {
                return Ok(updates);
            }
            updates.push(update);
        }
    });

    // Probe until the subscriber has seen a probe (a timed wait for its answer, no sleep).
    let ack = loop {
        publisher.send("10001 probe")?;
        match acks.recv_timeout(Duration::from_millis(20)) {
            Ok(ack) => break ack,
            Err(e) if e.is_timeout() => continue,
            Err(e) => return Err(e),
        }
    };
    assert_eq!(ack, "subscribed");
    let zips = [10000, 10001, 10002, 100010];
    for n in 0..40 {
        let zip = zips[n % zips.len()];
        publisher.send(format!("{zip} {} {}", n % 35, n % 7))?;
    }
    publisher.send("10001 end")?;

    let updates = client.join().expect("the subscriber thread")?;
    let expected: Vec<String> = (0..40)
        .filter(|n| n % zips.len() == 1)
        .map(|n| format!("10001 {} {}", n % 35, n % 7))
        .collect();
    assert_eq!(updates.len(), 10);
    assert_eq!(updates, expected);
    Ok(())
}

// 3. Ventilator, three workers and a sink: typed Push/Pull; the ventilator starts only when
//    the three workers have completed their handshake, so each gets exactly its share.

#[test]
fn ventilator_three_workers_sink_each_worker_gets_its_share() -> zmq_typed::Result<()> {
    const WORKERS: usize = 3;
    const TASKS: usize = 30;
    let ctx = Context::new()?;
    let ventilator = Push::new(&ctx)?;
    let handshakes = ventilator.monitor_handshakes()?; // before bind, so it counts every peer
    let tasks = ventilator.bind("tcp://127.0.0.1:*")?;
    let sink = Pull::new(&ctx)?;
    let results = sink.bind("tcp://127.0.0.1:*")?;

    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (ctx, tasks, results) = (ctx.clone(), tasks.clone(), results.clone());
            thread::spawn(move || -> zmq_typed::Result<usize> {
                let receiver = Pull::new(&ctx)?;
                receiver.connect(&tasks)?;
                let sender = Push::new(&ctx)?;
                sender.connect(&results)?;
                let mut done = 0;
                loop {
                    let task = receiver.recv()?.into_string()?;
                    if task == "end" {
                        return Ok(done);
                    }
                    sender.send(format!("{w} {task}"))?;
                    done += 1;
                }
            })
        })
        .collect();

    handshakes.wait_for_handshakes(WORKERS, PATIENCE)?;
    for task in 0..TASKS {
        ventilator.send(task.to_string())?;
    }
    for _ in 0..WORKERS {
        ventilator.send("end")?; // round robin: one each
    }

    let mut per_worker: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for _ in 0..TASKS {
        let result = sink.recv_string()?;
        let (worker, task) = result.split_once(' ').expect("`worker task`");
        per_worker
            .entry(worker.parse().unwrap())
            .or_default()
            .push(task.parse().unwrap());
    }
    for (w, worker) in workers.into_iter().enumerate() {
        assert_eq!(
            worker.join().expect("a worker thread")?,
            TASKS / WORKERS,
            "worker {w}"
        );
    }
    assert_eq!(per_worker.len(), WORKERS);
    let mut all: Vec<usize> = per_worker.values().flatten().copied().collect();
    all.sort();
    assert_eq!(all, (0..TASKS).collect::<Vec<_>>());
    for (w, tasks) in &per_worker {
        assert_eq!(tasks.len(), TASKS / WORKERS, "worker {w} got {tasks:?}");
        // Round robin: each worker's tasks are TASKS/WORKERS apart.
        assert!(
            tasks.windows(2).all(|t| t[1] - t[0] == WORKERS),
            "{tasks:?}"
        );
    }
    Ok(())
}

// 4. A broker between REQ clients and REP workers: a ROUTER in front, a DEALER behind, once
//    with a Poller (each socket registered once), once with the typed proxy.

const CLIENTS: usize = 3;
const REQUESTS: usize = 5;

/// REQ clients that each send `REQUESTS` requests through `endpoint` and check the replies.
fn clients(ctx: &Context, endpoint: &Endpoint) -> Vec<thread::JoinHandle<zmq_typed::Result<()>>> {
    (0..CLIENTS)
        .map(|c| {
            let (ctx, endpoint) = (ctx.clone(), endpoint.clone());
            thread::spawn(move || {
                let mut req = Req::new(&ctx)?;
                req.connect(&endpoint)?;
                for r in 0..REQUESTS {
                    let (reply, ready) = req.send(format!("client {c} request {r}"))?.recv()?;
                    assert_eq!(reply, format!("done: client {c} request {r}"));
                    req = ready;
                }
                Ok(())
            })
        })
        .collect()
}

/// A REP worker's thread: `Rep::serve`'s result.
type Worker = thread::JoinHandle<Result<(), Failed<AnyRep>>>;

/// REP workers serving until the context shuts down.
fn workers(ctx: &Context, endpoint: &Endpoint) -> zmq_typed::Result<Vec<Worker>> {
    (0..2)
        .map(|_| {
            let rep = Rep::new(ctx)?;
            rep.connect(endpoint)?;
            Ok(thread::spawn(move || {
                rep.serve(|request| format!("done: {request}"))
            }))
        })
        .collect()
}

#[test]
fn broker_with_a_poller_forwards_whole_messages_both_ways() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let frontend = Router::new(&ctx)?;
    let clients_endpoint = frontend.bind("tcp://127.0.0.1:*")?;
    let backend = Dealer::new(&ctx)?;
    let workers_endpoint = backend.bind("inproc://poll-broker-workers")?;
    let workers = workers(&ctx, &workers_endpoint)?;
    let clients = clients(&ctx, &clients_endpoint);

    let mut poller = Poller::new();
    let from_clients = poller.add(&frontend, PollEvents::IN);
    let from_workers = poller.add(&backend, PollEvents::IN);
    let (mut requests, mut replies) = (0, 0);
    while replies < CLIENTS * REQUESTS {
        let ready = poller.poll(Some(PATIENCE))?;
        assert!(
            !ready.is_empty(),
            "the broker waited {PATIENCE:?} for nothing"
        );
        if ready.is_readable(from_clients) {
            backend.send(frontend.recv()?)?;
            requests += 1;
        }
        if ready.is_readable(from_workers) {
            frontend.send(backend.recv()?)?;
            replies += 1;
        }
    }
    assert_eq!(
        (requests, replies),
        (CLIENTS * REQUESTS, CLIENTS * REQUESTS)
    );
    for client in clients {
        client.join().expect("a client thread")?;
    }
    ctx.shutdown()?;
    for worker in workers {
        assert!(worker.join().expect("a worker thread").is_ok());
    }
    Ok(())
}

#[test]
fn broker_with_the_typed_proxy_stops_normally_on_shutdown() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let frontend = Router::new(&ctx)?;
    let clients_endpoint = frontend.bind("tcp://127.0.0.1:*")?;
    let backend = Dealer::new(&ctx)?;
    let workers_endpoint = backend.bind("inproc://proxy-broker-workers")?;
    let workers = workers(&ctx, &workers_endpoint)?;
    let broker = thread::spawn(move || proxy(&frontend, &backend));

    for client in clients(&ctx, &clients_endpoint) {
        client.join().expect("a client thread")?;
    }
    ctx.shutdown()?;
    assert_eq!(broker.join().expect("the broker thread"), Ok(()));
    for worker in workers {
        assert!(worker.join().expect("a worker thread").is_ok());
    }
    Ok(())
}

// 5. Lazy Pirate: a relaxed REQ, kept in a struct as a `ReqSlot` and used through
//    `&mut self`, times out, abandons its request and retries; the server answers the first
//    request only after the client gave up, so that late reply must be dropped.

struct LazyPirate {
    req: ReqSlot,
    retries: usize,
    /// Told of every timeout (the test's window on the client).
    gave_up: Push,
}

impl LazyPirate {
    /// Sends `body` until a reply comes, waiting each of `timeouts` in turn (a short first
    /// wait, then a patient one: no retry can depend on the machine's speed). A `&mut self`
    /// method with `?` on every step: whatever fails, the slot keeps the socket, in the
    /// state it is really in.
    fn request(&mut self, body: &str, timeouts: &[Duration]) -> zmq_typed::Result<Multipart> {
        for timeout in timeouts {
            match self.req.request(body, Some(*timeout)) {
                Ok(reply) => return Ok(reply),
                Err(e) if e.is_timeout() => {
                    self.retries += 1;
                    self.gave_up.send(body)?;
                    self.req.abandon()?;
                }
                Err(e) => return Err(e),
            }
        }
        Err(zmq_typed::Error::TimedOut(Default::default()))
    }
}

#[test]
fn lazy_pirate_times_out_abandons_and_retries() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("tcp://127.0.0.1:*")?;
    let gave_up = Pull::new(&ctx)?;
    let gave_up_endpoint = gave_up.bind("inproc://lazy-pirate-gave-up")?;
    let server = thread::spawn(move || -> zmq_typed::Result<Vec<String>> {
        let (first, replying) = rep.recv()?;
        gave_up.recv()?; // the client has timed out: this reply comes too late
        let rep = replying.send(format!("late reply to {first}"))?;
        let (second, replying) = rep.recv()?;
        replying.send(format!("reply to {second}"))?;
        Ok(vec![first.into_string()?, second.into_string()?])
    });

    let mut client = LazyPirate {
        req: ReqSlot::new_relaxed(&ctx)?,
        retries: 0,
        gave_up: Push::new(&ctx)?,
    };
    client.req.connect(&endpoint)?;
    client.gave_up.connect(&gave_up_endpoint)?;
    let reply = client.request("work", &[Duration::from_millis(50), PATIENCE])?;
    assert_eq!(reply, "reply to work");
    assert_eq!(client.retries, 1);
    assert!(client.req.is_ready());
    assert_eq!(server.join().expect("the server thread")?, ["work", "work"]);
    Ok(())
}

// 6. A ROUTER reading identities: peers name themselves with `set_routing_id`, the router
//    replies with `reply(&id, ..)` and shows the ids with Display.

#[test]
fn router_reads_the_identities_its_peers_set() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let router = Router::new(&ctx)?;
    let endpoint = router.bind("tcp://127.0.0.1:*")?;

    let mut seen = Vec::new();
    for name in ["alice", "bob", ""] {
        let req = Req::new(&ctx)?;
        if !name.is_empty() {
            req.set_routing_id(name)?;
        }
        req.connect(&endpoint)?;
        let req = req.send(format!("hello from {name}"))?;
        let request = router.recv()?;
        assert_eq!(
            request.body,
            Multipart::from(["", &format!("hello from {name}")])
        );
        router.reply(&request.id, format!("hello, {}", request.id))?;
        let (reply, _req) = req.recv()?;
        assert_eq!(reply, format!("hello, {}", request.id));
        seen.push(request.to_string());
    }
    assert_eq!(seen[0], "alice: [][hello from alice]");
    assert_eq!(seen[1], "bob: [][hello from bob]");
    // An id libzmq made up: five bytes, the first zero, shown in hex.
    let (id, rest) = seen[2].split_once(": ").unwrap();
    assert!(id.starts_with("0x00") && id.len() == 2 + 10, "{id}");
    assert_eq!(rest, "[][hello from ]");
    assert_eq!(RoutingId::from("alice").to_string(), "alice");
    Ok(())
}
