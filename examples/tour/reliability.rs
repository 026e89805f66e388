//! The reliability kits, one function each, in the style of `cases.rs`: each sets the kit up
//! over the endpoints it is given, puts a fault in its way (a server that never answers, a
//! worker that froze, envelopes shuffled and duplicated, a slow consumer, a sender that
//! restarts), checks that every message still arrived as the kit promises, and returns how
//! many messages crossed a connection.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use anyhow::{ensure, Result};
use zmq_typed::patterns::paranoid_pirate::{PpQueue, PpSettings, PpWorker, READY};
use zmq_typed::patterns::LazyPirate;
use zmq_typed::{Context, Dealer, Rep, Router};

use crate::cases::{join, ShutdownOnExit, PATIENCE};
use crate::transport::Endpoints;

/// Lazy Pirate: the first server never answers, the second echoes. The client gives the
/// first its tries on fresh sockets, moves on, and gets all `n` replies from the second;
/// the silent server must have seen exactly those tries.
pub fn lazy_pirate(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    const TRIES: u32 = 2;
    let silent = Router::new(ctx)?;
    let silent_at = silent.bind(ep.bind("silent"))?.to_string();
    let rep = Rep::new(ctx)?;
    let rep_at = rep.bind(ep.bind("echo"))?.to_string();
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        s.spawn(move || rep.serve(|request| request));
        let retried = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&retried);
        let mut client = LazyPirate::new(ctx, [silent_at.as_str(), rep_at.as_str()])?
            .timeout(Duration::from_millis(150))
            .retries(TRIES)?
            .on_retry(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
        for i in 0..n {
            let reply = client.request(format!("{i}"))?;
            ensure!(reply == format!("{i}"), "request {i} got {reply}");
        }
        ensure!(
            client.endpoint() == rep_at,
            "the client did not stay with the server that answered"
        );
        let mut tries = 0;
        while silent.try_recv()?.is_some() {
            tries += 1;
        }
        ensure!(
            tries == TRIES && retried.load(Ordering::Relaxed) == u64::from(TRIES),
            "the silent server saw {tries} tries, the client retried {} times; expected {TRIES}",
            retried.load(Ordering::Relaxed)
        );
        Ok(2 * n + u64::from(tries))
    })
}

/// Paranoid Pirate: a worker that said READY and then froze (no heartbeats, never reads)
/// gets the first request; the queue forgets it within `interval × liveness`, the client's
/// retry goes to the live worker, and all `n` requests are answered.
pub fn paranoid_pirate(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    let settings = PpSettings::new(Duration::from_millis(100), 3)?;
    let queue = PpQueue::start(ctx, &ep.bind("frontend"), &ep.bind("backend"), settings)?;
    let backend = queue.backend_endpoint().to_string();
    // The frozen worker is ready first, so it is the one the first request goes to.
    let frozen = Dealer::new(ctx)?;
    frozen.connect(&backend)?;
    frozen.send(READY)?;
    queue.wait_for_workers(1, Some(PATIENCE))?;
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let live = s.spawn(|| -> Result<u64> {
            let mut worker = PpWorker::connect(ctx, &backend, settings)?;
            Ok(worker.serve(Some(n), |request| request)?)
        });
        queue.wait_for_workers(2, Some(PATIENCE))?;
        let mut client = LazyPirate::new(ctx, [queue.frontend_endpoint()])?
            .timeout(Duration::from_millis(600))
            .retries(5)?;
        for i in 0..n {
            let reply = client.request(format!("{i}"))?;
            ensure!(reply == format!("{i}"), "request {i} got {reply}");
        }
        ensure!(
            join(live, "live worker")? == n,
            "the live worker did not serve all"
        );
        // Heartbeats from the queue while it was idle, then the request it never answered.
        let mut got_first = false;
        while let Some(message) = frozen.try_recv()? {
            got_first |= message.len() == 3 && message[2] == "0";
        }
        ensure!(got_first, "the frozen worker did not get the first request");
        // Each answered request crossed client-queue-worker and back.
        Ok(4 * n)
    })
}
