//! One function per pattern: each sets the pattern up over the endpoints it is given, moves
//! messages end to end, checks that every one arrived where it should, and returns how many
//! messages moved: each crossing of a connection counts once (a request through a broker
//! and its reply cross four), control messages (a batch start, a sync request) do not. Helper threads run inside a scope; when the case returns (done or failed)
//! its context is shut down, which wakes every call still blocked, so the scope always ends.

use std::thread;
use std::time::Duration;

use anyhow::{bail, ensure, Result};
use zmq_typed::patterns::{
    Counters, Forwarder, LbWorker, LoadBalancer, RequestReplyBroker, Sink, SyncPublisher,
    SyncSubscriber, Ventilator, Worker,
};
use zmq_typed::{Context, Pair, Pub, Rep, Req, Sub, XPub};

use crate::transport::Endpoints;

/// How long a case waits for a peer before it calls the run failed.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Shuts the context down when the case's scope body ends, so that helper threads blocked in
/// a call return `Terminated` and the scope can join them.
pub struct ShutdownOnExit<'a>(pub &'a Context);

impl Drop for ShutdownOnExit<'_> {
    fn drop(&mut self) {
        let _ = self.0.shutdown();
    }
}

/// Joins a helper thread of the scope, turning its panic into an error.
pub fn join<T>(handle: thread::ScopedJoinHandle<'_, Result<T>>, what: &str) -> Result<T> {
    match handle.join() {
        Ok(result) => result,
        Err(_) => bail!("the {what} thread panicked"),
    }
}

/// REQ/REP: a client sends `n` requests, the server echoes each; the client checks each reply.
pub fn request_reply(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    let rep = Rep::new(ctx)?;
    let at = rep.bind(ep.bind("rep"))?;
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        s.spawn(move || rep.serve(|request| request));
        let mut req = Req::new(ctx)?;
        req.connect(&at)?;
        for i in 0..n {
            let (reply, ready) = req.send(format!("Hello {i}"))?.recv()?;
            ensure!(reply == format!("Hello {i}"), "request {i} got {reply}");
            req = ready;
        }
        Ok(2 * n)
    })
}

/// PUB/SUB without the slow joiner: the publisher waits until each subscriber has synced and
/// its subscription arrived, then every subscriber gets every one of the `n` updates.
pub fn pub_sub(ctx: &Context, ep: &mut Endpoints, subscribers: usize, n: u64) -> Result<u64> {
    let publisher = SyncPublisher::bind(ctx, &ep.bind("updates"), &ep.bind("sync"))?;
    let (updates, sync) = (publisher.updates_endpoint(), publisher.sync_endpoint());
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let readers: Vec<_> = (0..subscribers)
            .map(|_| {
                s.spawn(move || -> Result<u64> {
                    let sub = SyncSubscriber::connect(ctx, updates, sync, &[b""])?;
                    sub.sync(Some(PATIENCE))?;
                    for i in 0..n {
                        let update = sub.recv()?;
                        ensure!(update == format!("update {i}"), "got {update}, not {i}");
                    }
                    ensure!(sub.recv()? == "END", "no END after the updates");
                    Ok(n)
                })
            })
            .collect();
        publisher.wait_for_subscribers(subscribers, Some(PATIENCE))?;
        for i in 0..n {
            publisher.send(format!("update {i}"))?;
        }
        publisher.send("END")?;
        let mut moved = 0;
        for reader in readers {
            moved += join(reader, "subscriber")?;
        }
        Ok(moved)
    })
}

/// Pipeline: a ventilator fans `tasks` out to `workers` workers, which send their results to
/// a sink; the sink then tells the workers to stop. Every task is done exactly once, and
/// every worker gets some.
pub fn pipeline(ctx: &Context, ep: &mut Endpoints, workers: usize, tasks: u64) -> Result<u64> {
    let sink = Sink::bind(ctx, &ep.bind("results"))?.with_control(&ep.bind("control"))?;
    let ventilator = Ventilator::bind(ctx, &ep.bind("tasks"), sink.endpoint())?;
    let control = sink.control_endpoint().unwrap_or_default().to_string();
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let (tasks_at, sink_at, control) =
                    (ventilator.endpoint(), sink.endpoint(), &control);
                s.spawn(move || -> Result<u64> {
                    let worker = Worker::connect(ctx, tasks_at, sink_at)?.with_control(control)?;
                    Ok(worker.run(None, |task| task)?.tasks)
                })
            })
            .collect();
        ventilator.wait_for_workers(workers, PATIENCE)?;
        sink.wait_for_control_subscribers(workers, PATIENCE)?;
        ventilator.start_batch()?;
        for i in 0..tasks {
            ventilator.send_task(i.to_string())?;
        }
        let batch = sink.collect(tasks as usize)?;
        let mut seen: Vec<u64> = batch
            .results
            .iter()
            .map(|r| r.to_string().parse().unwrap_or(u64::MAX))
            .collect();
        seen.sort_unstable();
        ensure!(
            seen == (0..tasks).collect::<Vec<_>>(),
            "tasks not done exactly once"
        );
        sink.stop_workers()?;
        for (i, worker) in handles.into_iter().enumerate() {
            let done = join(worker, "worker")?;
            ensure!(done > 0, "worker {i} got no task");
        }
        // Each task crossed two connections: ventilator to worker, worker to sink.
        Ok(2 * tasks)
    })
}

/// The request-reply broker: `clients` REQ clients and two REP workers meet at a
/// ROUTER/DEALER proxy; each client gets the replies to its own requests, and the broker's
/// counters show every request and reply crossing it once.
pub fn broker(ctx: &Context, ep: &mut Endpoints, clients: usize, per: u64) -> Result<u64> {
    let broker = RequestReplyBroker::start(ctx, &ep.bind("frontend"), &ep.bind("backend"))?;
    let (frontend, backend) = (
        broker.frontend_endpoint().to_string(),
        broker.backend_endpoint().to_string(),
    );
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        for _ in 0..2 {
            let rep = Rep::new(ctx)?;
            rep.connect(&backend)?;
            s.spawn(move || rep.serve(|request| request));
        }
        let moved = clients_over(s, ctx, &frontend, clients, per)?;
        check_counters(broker.stop()?, clients as u64 * per)?;
        Ok(moved)
    })
}

/// The load-balancing broker: workers announce they are ready; each request goes to the
/// worker that has been free the longest.
pub fn load_balancer(ctx: &Context, ep: &mut Endpoints, clients: usize, per: u64) -> Result<u64> {
    let broker = LoadBalancer::start(ctx, &ep.bind("frontend"), &ep.bind("backend"))?;
    let (frontend, backend) = (
        broker.frontend_endpoint().to_string(),
        broker.backend_endpoint().to_string(),
    );
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        for _ in 0..3 {
            let worker = LbWorker::connect(ctx, &backend)?;
            s.spawn(move || worker.serve(None, |request| request));
        }
        let moved = clients_over(s, ctx, &frontend, clients, per)?;
        // The workers' READY messages also came in on the backend.
        let mut counters = broker.stop()?;
        counters.backend_in -= 3.min(counters.backend_in);
        check_counters(counters, clients as u64 * per)?;
        Ok(moved)
    })
}

/// Every one of `requests` requests went in on the frontend and out on the backend, and its
/// reply back the other way, none dropped.
fn check_counters(c: Counters, requests: u64) -> Result<()> {
    let want = Counters {
        frontend_in: requests,
        backend_out: requests,
        backend_in: requests,
        frontend_out: requests,
        dropped: 0,
    };
    ensure!(c == want, "the broker counted {c:?}, not {want:?}");
    Ok(())
}

/// `clients` REQ clients on threads of `s`, each sending `per` requests to `at` and checking
/// that every reply is the echo of its own request.
fn clients_over<'s, 'e: 's>(
    s: &'s thread::Scope<'s, 'e>,
    ctx: &'e Context,
    at: &'s str,
    clients: usize,
    per: u64,
) -> Result<u64> {
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            s.spawn(move || -> Result<u64> {
                let mut req = Req::new(ctx)?;
                req.connect(at)?;
                for i in 0..per {
                    let ask = format!("client {c} request {i}");
                    let (reply, ready) = req.send(ask.as_str())?.recv()?;
                    ensure!(reply == ask, "client {c} asked {ask:?}, got {reply}");
                    req = ready;
                }
                Ok(4 * per)
            })
        })
        .collect();
    let mut moved = 0;
    for client in handles {
        moved += join(client, "client")?;
    }
    Ok(moved)
}

/// The pub-sub forwarder: a publisher upstream, subscribers downstream of an XSUB/XPUB proxy.
/// The publisher is an XPUB, to see subscriptions arrive: each subscriber subscribes to
/// `weather` and then to a topic of its own, `joined <k>`. Subscriptions travel in order on
/// each connection, so once the publisher has seen every `joined <k>`, every subscriber's
/// `weather` has crossed the forwarder, and every subscriber gets every update.
pub fn forwarder(ctx: &Context, ep: &mut Endpoints, subscribers: usize, n: u64) -> Result<u64> {
    let publisher = XPub::new(ctx)?;
    let upstream = publisher.bind(ep.bind("upstream"))?;
    let forwarder = Forwarder::start(ctx, &upstream.to_string(), &ep.bind("downstream"))?;
    let downstream = forwarder.downstream_endpoint().to_string();
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let mut readers = Vec::new();
        for k in 0..subscribers {
            let sub = Sub::new(ctx)?;
            sub.connect(&downstream)?;
            sub.subscribe("weather")?;
            sub.subscribe(format!("joined {k}"))?;
            readers.push(s.spawn(move || -> Result<u64> {
                for i in 0..n {
                    let update = sub.recv()?;
                    ensure!(update == format!("weather {i}"), "got {update}, not {i}");
                }
                Ok(n)
            }));
        }
        let mut joined = vec![false; subscribers];
        while joined.contains(&false) {
            let subscription = publisher.recv_subscription()?;
            let topic = String::from_utf8_lossy(subscription.topic()).into_owned();
            if let Some(k) = topic
                .strip_prefix("joined ")
                .and_then(|k| k.parse::<usize>().ok())
            {
                if let Some(seen) = joined.get_mut(k) {
                    *seen = true;
                }
            }
        }
        for i in 0..n {
            publisher.send(format!("weather {i}"))?;
        }
        let mut moved = 0;
        for reader in readers {
            moved += join(reader, "subscriber")?;
        }
        let counters = forwarder.stop()?;
        ensure!(
            counters.frontend_in == n,
            "the forwarder took in {counters:?}"
        );
        // The updates crossed the publisher's connection to the forwarder, then one per
        // subscriber.
        Ok(n + moved)
    })
}

/// PAIR over inproc: three threads relay a signal in a chain (the guide's mtrelay).
pub fn pair(ctx: &Context, ep: &mut Endpoints) -> Result<u64> {
    let (step2_at, step3_at) = (ep.bind("step2"), ep.bind("step3"));
    let receiver = Pair::new(ctx)?;
    receiver.bind(&step3_at)?;
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let step2 = s.spawn(|| -> Result<()> {
            let from = Pair::new(ctx)?;
            from.bind(&step2_at)?;
            let step1 = s.spawn(|| -> Result<()> {
                let to = Pair::new(ctx)?;
                to.connect(&step2_at)?;
                to.send("READY")?;
                Ok(())
            });
            ensure!(from.recv()? == "READY", "step 2 got something else");
            join(step1, "step 1")?;
            let to = Pair::new(ctx)?;
            to.connect(&step3_at)?;
            to.send("READY")?;
            Ok(())
        });
        ensure!(receiver.recv()? == "READY", "step 3 got something else");
        join(step2, "step 2")?;
        Ok(2)
    })
}

/// How [`multicast`]'s error starts when no probe reached the subscriber.
pub const NO_DELIVERY: &str = "no multicast reached the loopback";

/// How long [`multicast`] sends probes before it concludes that multicast does not reach
/// this machine's loopback.
const MULTICAST_PROBE: Duration = Duration::from_secs(2);

/// PUB/SUB over multicast: no handshake to wait on, so the publisher sends a probe until the
/// subscriber has one (none within [`MULTICAST_PROBE`]: [`NO_DELIVERY`]), then `n`
/// numbered updates that must arrive in order.
pub fn multicast(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    let at = ep.bind("group");
    let sub = Sub::new(ctx)?;
    sub.subscribe("")?;
    sub.connect(&at)?;
    let publisher = Pub::new(ctx)?;
    publisher.connect(&at)?;
    let deadline = std::time::Instant::now() + MULTICAST_PROBE;
    loop {
        publisher.send("probe")?;
        if sub.recv_timeout(Duration::from_millis(50)).is_ok() {
            break;
        }
        ensure!(
            std::time::Instant::now() < deadline,
            "{NO_DELIVERY} within {MULTICAST_PROBE:?} ({at})"
        );
    }
    for i in 0..n {
        publisher.send(format!("update {i}"))?;
    }
    let mut i = 0;
    while i < n {
        let update = sub.recv_timeout(PATIENCE)?;
        if update == "probe" {
            continue;
        }
        ensure!(update == format!("update {i}"), "got {update}, not {i}");
        i += 1;
    }
    Ok(n)
}
