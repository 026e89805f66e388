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
use zmq_typed::patterns::{
    CreditReceiver, CreditSender, LazyPirate, OrderedReceiver, Received, Sequencer,
};
use zmq_typed::{Context, Dealer, Pull, Push, Rep, Router};

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

/// Ordering: `n` sequenced envelopes go out in blocks of 8 sent backwards, every tenth one
/// twice, and three never sent (17, 50, 51). The receiver (window 16) must deliver the
/// others once each in order, drop the copies, and report exactly the gaps 17 and 50-51.
pub fn ordering(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    const MISSING: [u64; 3] = [17, 50, 51];
    let pull = Pull::new(ctx)?;
    let at = pull.bind(ep.bind("ordered"))?;
    let push = Push::new(ctx)?;
    push.connect(&at)?;
    let mut numbers = Sequencer::new();
    let envelopes = (1..=n)
        .map(|i| {
            numbers
                .seal(format!("message {i}"))
                .map_err(anyhow::Error::from)
        })
        .collect::<Result<Vec<_>>>()?;
    let mut sent = 0;
    for block in envelopes.chunks(8) {
        for envelope in block.iter().rev() {
            if MISSING.contains(&envelope.seq) {
                continue;
            }
            let copies = if envelope.seq % 10 == 0 { 2 } else { 1 };
            for _ in 0..copies {
                push.send(envelope.to_json()?)?;
                sent += 1;
            }
        }
    }
    let mut receiver: OrderedReceiver<Pull, String> = OrderedReceiver::new(pull, 16)?;
    let (mut delivered, mut duplicates, mut gaps) = (Vec::new(), 0, Vec::new());
    let mut take = |event: Received<String>| -> Result<()> {
        match event {
            Received::Message { seq, data, .. } => {
                ensure!(data == format!("message {seq}"), "seq {seq} carried {data}");
                delivered.push(seq);
            }
            Received::Duplicate { .. } => duplicates += 1,
            Received::Gap { first, last, .. } => gaps.push((first, last)),
            other => anyhow::bail!("unexpected {other:?}"),
        }
        Ok(())
    };
    for _ in 0..sent {
        take(receiver.recv_timeout(PATIENCE)?)?;
    }
    for event in receiver.flush() {
        take(event)?;
    }
    let expected: Vec<u64> = (1..=n).filter(|i| !MISSING.contains(i)).collect();
    ensure!(
        delivered == expected,
        "delivered out of order or not once: {delivered:?}"
    );
    let copies = expected.iter().filter(|&&i| i % 10 == 0).count();
    ensure!(
        duplicates == copies,
        "{duplicates} copies dropped, not {copies}"
    );
    ensure!(gaps == [(17, 17), (50, 51)], "gaps reported: {gaps:?}");
    Ok(sent)
}

/// Credit-based flow control: a producer sends `n` messages to a consumer that grants a
/// window of 8 and reads slowly; the producer never has more than 8 in flight, and every
/// message arrives, in order.
pub fn credit(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    const WINDOW: u64 = 8;
    let mut consumer = CreditReceiver::bind(ctx, ep.bind("consumer"), WINDOW as usize)?;
    let at = consumer.endpoint().to_string();
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let reader = s.spawn(move || -> Result<u64> {
            for i in 0..n {
                let message = consumer.recv_timeout(PATIENCE)?;
                ensure!(
                    message.body == format!("{i}"),
                    "got {} for {i}",
                    message.body
                );
                if i % 16 == 0 {
                    // A slow consumer, now and then.
                    thread::sleep(Duration::from_millis(2));
                }
            }
            Ok(n)
        });
        let mut producer = CreditSender::connect(ctx, &at)?;
        for i in 0..n {
            producer.send(format!("{i}")).map_err(|e| e.into_error())?;
            ensure!(
                producer.in_flight() <= WINDOW,
                "{} in flight, over the window of {WINDOW}",
                producer.in_flight()
            );
        }
        join(reader, "consumer")
    })
}

/// The durable outbox: a sender journals and sends `first` messages to a receiver that
/// never ACKs (one that crashed), and is itself dropped, as if it had crashed: its messages
/// are now only in its journal. A new sender on the same
/// journal sends those again, then `more`, to the real receiver, which gets each number
/// exactly once; a copy of one sent again later (an ACK that was lost) is dropped and
/// ACKed. The journal ends empty.
#[cfg(feature = "durable")]
pub fn outbox(ctx: &Context, ep: &mut Endpoints, first: u64, more: u64) -> Result<u64> {
    use zmq_typed::patterns::outbox::{DedupReceiver, DurableSender, Journal, Received};
    use zmq_typed::patterns::Envelope;

    let journal = TempJournal::new();
    let total = first + more;
    // The receiver that never ACKs, and the sender that crashes.
    let black_hole = Router::new(ctx)?;
    let hole_at = black_hole.bind(ep.bind("black-hole"))?.to_string();
    let mut crashed = DurableSender::connect(
        ctx,
        &hole_at,
        Journal::open(&journal.0)?,
        Default::default(),
    )?;
    for i in 1..=first {
        crashed.send(&format!("message {i}"))?;
    }
    for i in 1..=first {
        let got = black_hole.recv_timeout(PATIENCE)?;
        let envelope: Envelope<String> = Envelope::from_json(&got.body[0])?;
        ensure!(
            envelope.seq == i,
            "the crashed sender sent {} as number {i}",
            envelope.seq
        );
    }
    drop(crashed);

    let mut receiver: DedupReceiver<String> = DedupReceiver::bind(ctx, &ep.bind("receiver"))?;
    let at = receiver.endpoint().to_string();
    thread::scope(|s| {
        let _stop = ShutdownOnExit(ctx);
        let reader = s.spawn(move || -> Result<DedupReceiver<String>> {
            let mut seen = Vec::new();
            while receiver.through() < total {
                match receiver.recv_timeout(PATIENCE)? {
                    Received::Message { seq, data, .. } => {
                        ensure!(data == format!("message {seq}"), "{seq} carried {data}");
                        seen.push(seq);
                    }
                    other => anyhow::bail!("unexpected {other:?}"),
                }
            }
            seen.sort_unstable();
            ensure!(
                seen == (1..=total).collect::<Vec<_>>(),
                "not each once: {seen:?}"
            );
            Ok(receiver)
        });
        let mut restarted =
            DurableSender::connect(ctx, &at, Journal::open(&journal.0)?, Default::default())?;
        for i in first + 1..=total {
            restarted.send(&format!("message {i}"))?;
        }
        restarted.wait_all_acked(Some(PATIENCE))?;
        ensure!(
            restarted.journal().pending()? == 0,
            "the journal still holds messages"
        );
        let mut receiver = join(reader, "receiver")?;
        // A copy of number 1, as a sender whose ACK was lost sends it.
        let late = Dealer::new(ctx)?;
        late.connect(&at)?;
        late.send(Envelope::new(1, "message 1").to_json()?)?;
        ensure!(
            matches!(
                receiver.recv_timeout(PATIENCE)?,
                Received::Duplicate { seq: 1 }
            ),
            "the copy was not dropped as a duplicate"
        );
        ensure!(
            late.recv_timeout(PATIENCE)? == r#"{"ack":1}"#,
            "the copy got no ACK"
        );
        // Sent: first to the black hole, first + more to the receiver, and the copy; each
        // envelope at the receiver ACKed.
        Ok(first + 2 * (total + 1))
    })
}

/// A journal file in the temporary folder, removed (with SQLite's side files) on drop.
#[cfg(feature = "durable")]
struct TempJournal(std::path::PathBuf);

#[cfg(feature = "durable")]
impl TempJournal {
    fn new() -> TempJournal {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("zmq-tour-{}-{n}.journal", std::process::id());
        TempJournal(std::env::temp_dir().join(name))
    }
}

#[cfg(feature = "durable")]
impl Drop for TempJournal {
    fn drop(&mut self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut path = self.0.clone().into_os_string();
            path.push(suffix);
            let _ = std::fs::remove_file(path);
        }
    }
}
