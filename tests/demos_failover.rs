//! The failover programs as real processes with real faults: lpclient moving on from an
//! endpoint that never answers and from a frozen (SIGSTOPped) lpserver, surviving an
//! lpserver that crashes (`--crash-after`) and is restarted on the same port, and giving up
//! when every endpoint is silent; the Paranoid Pirate queue forgetting a ppworker that was
//! killed or frozen, ppworker noticing a killed or frozen ppqueue within the bound and
//! coming back to a restarted one; lpclient -> ppqueue -> ppworkers end to end with a worker
//! that crashes and another that takes over. Each detection is measured from the signal and
//! must come within `interval × liveness` plus [`SLACK`], a scheduling allowance for a loaded
//! machine that does not depend on the interval (a frozen peer is never noticed without
//! heartbeats: its connection stays open).

mod common;

use std::sync::mpsc::{channel, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use common::programs::{self, tcp, Program};
use common::PATIENCE;
use zmq_typed::patterns::paranoid_pirate::{PpQueue, PpSettings, QueueEvent};
use zmq_typed::{Context, Router};

/// Heartbeats every 150 ms, a peer dead after 600 ms of silence: a live process on a loaded
/// machine is never that late (a spurious expiry would make the tests see events they do not
/// expect), and the detections stay quick.
const HEARTBEAT_MS: u64 = 150;
const LIVENESS: u32 = 4;
/// How much later than the bound a detection may be measured (scheduling, not heartbeats).
const SLACK: Duration = Duration::from_secs(1);
/// lpclient's wait for a reply where a live server must never be taken for a dead one (the
/// tests count the retries exactly).
const PATIENT_TIMEOUT_MS: &str = "1000";
const W_LINE: &str = "W: no response from server, retrying...";
const FAILURE: &str = "W: heartbeat failure, can't reach queue";

fn interval() -> Duration {
    Duration::from_millis(HEARTBEAT_MS)
}

fn bound() -> Duration {
    interval() * LIVENESS
}

/// Waits until `needle` occurs `times` times in the program's stderr; when it was seen.
fn wait_stderr(program: &Program, needle: &str, times: usize) -> Instant {
    let deadline = Instant::now() + PATIENCE;
    loop {
        if program.stderr().matches(needle).count() >= times {
            return Instant::now();
        }
        assert!(
            Instant::now() < deadline,
            "{needle:?} not seen {times} times within {PATIENCE:?}; stderr:\n{}",
            program.stderr()
        );
        thread::sleep(Duration::from_millis(2));
    }
}

fn ok_lines(from: u64, to: u64) -> Vec<String> {
    (from..=to)
        .map(|n| format!("I: server replied OK ({n})"))
        .collect()
}

fn lpserver(port: Option<u16>, extra: &[&str]) -> (Program, u16) {
    let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    let args = |p: u16| [vec!["--bind".to_string(), tcp(p)], extra.clone()].concat();
    match port {
        None => {
            let (server, ports) = programs::spawn_server("lpserver", 1, |p| args(p[0]));
            (server, ports[0])
        }
        Some(port) => {
            let mut server = programs::spawn("lpserver", &args(port));
            server
                .wait_listening(port)
                .unwrap_or_else(|f| panic!("lpserver on port {port}: {f:?}"));
            (server, port)
        }
    }
}

/// A ROUTER bound on a free port that takes requests and never answers.
fn silent(ctx: &Context) -> (Router, String) {
    let router = Router::new(ctx).unwrap();
    let endpoint = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
    (router, endpoint)
}

#[test]
fn lpclient_moves_on_from_an_endpoint_that_never_answers() {
    let ctx = Context::new().unwrap();
    let (dead, dead_endpoint) = silent(&ctx);
    let (server, port) = lpserver(None, &[]);
    let client = programs::run(
        "lpclient",
        &[
            "--connect",
            &dead_endpoint,
            "--connect",
            &tcp(port),
            "--timeout-ms",
            PATIENT_TIMEOUT_MS,
            "--retries",
            "2",
            "--count",
            "3",
        ],
    );
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, ok_lines(1, 3));
    assert_eq!(
        client.stderr.matches(W_LINE).count(),
        2,
        "{}",
        client.stderr
    );
    // Two tries of request 1, on two fresh sockets; the later requests went to the server.
    let mut tries = Vec::new();
    while let Some(m) = dead.try_recv().unwrap() {
        tries.push((m.id, m.body.to_vecs()));
    }
    assert_eq!(tries.len(), 2, "{tries:?}");
    assert_ne!(tries[0].0, tries[1].0);
    assert!(tries
        .iter()
        .all(|(_, b)| *b == [b"".to_vec(), b"1".to_vec()]));
    drop(server);
}

#[test]
fn lpclient_moves_on_from_a_frozen_server() {
    let (frozen, frozen_port) = lpserver(None, &[]);
    let (live, live_port) = lpserver(None, &[]);
    let mut client = programs::spawn(
        "lpclient",
        &[
            "--connect",
            &tcp(frozen_port),
            "--connect",
            &tcp(live_port),
            "--timeout-ms",
            PATIENT_TIMEOUT_MS,
            "--retries",
            "2",
        ],
    );
    // Served by the first server, which then freezes: its connections stay open. The client
    // runs on (no count), so whenever the signal lands, a request then goes unanswered.
    assert_eq!(client.lines(2), ok_lines(1, 2));
    frozen.signal(libc::SIGSTOP);
    // Its two tries on the frozen server time out, then the live one answers the rest.
    wait_stderr(&client, W_LINE, 2);
    let served_live = |live: &Program| -> Vec<u64> {
        live.stderr()
            .lines()
            .filter_map(|l| l.strip_prefix("I: normal request (")?.strip_suffix(')'))
            .map(|n| n.parse().unwrap())
            .collect()
    };
    let deadline = Instant::now() + PATIENCE;
    while served_live(&live).len() < 5 {
        assert!(Instant::now() < deadline, "live: {}", live.stderr());
        thread::sleep(Duration::from_millis(2));
    }
    let finished = client.interrupt(libc::SIGINT);
    // Every reply matched its request, in order, with no gap; exactly the two timeouts.
    let last = 2 + finished.stdout.len() as u64;
    assert_eq!(finished.stdout, ok_lines(3, last));
    assert_eq!(
        finished.stderr.matches(W_LINE).count(),
        2,
        "{}",
        finished.stderr
    );
    // The live server took over at the request the frozen one left unanswered.
    let live_requests = served_live(&live);
    let first = live_requests[0];
    assert!(first >= 3, "{live_requests:?}");
    assert_eq!(
        live_requests[..5],
        (first..first + 5).collect::<Vec<_>>()[..]
    );
    drop(frozen);
}

#[test]
fn lpclient_survives_a_server_that_crashes_and_comes_back_on_the_same_port() {
    let (server, port) = lpserver(None, &["--crash-after", "3"]);
    let mut client = programs::spawn(
        "lpclient",
        &[
            "--connect",
            &tcp(port),
            "--timeout-ms",
            "300",
            "--retries",
            "1000",
            "--count",
            "6",
        ],
    );
    assert_eq!(client.lines(3), ok_lines(1, 3));
    // The fourth request makes it crash: exit 1, no reply, no socket closed.
    let crashed = server.wait();
    crashed.assert_code(1).assert_no_panic();
    assert!(
        crashed.stderr.contains("I: simulating a crash"),
        "{}",
        crashed.stderr
    );
    assert!(!crashed.stderr.contains("normal request (4)"));

    let (restarted, _) = lpserver(Some(port), &[]);
    let finished = client.wait();
    finished.assert_code(0).assert_no_panic();
    assert_eq!(finished.stdout, ok_lines(4, 6));
    assert!(finished.stderr.contains(W_LINE), "{}", finished.stderr);
    wait_stderr(&restarted, "I: normal request (6)", 1);
}

#[test]
fn lpclient_gives_up_when_every_endpoint_is_silent() {
    let ctx = Context::new().unwrap();
    let (_a, a) = silent(&ctx);
    let (_b, b) = silent(&ctx);
    let client = programs::run(
        "lpclient",
        &[
            "--connect",
            &a,
            "--connect",
            &b,
            "--timeout-ms",
            "100",
            "--retries",
            "2",
            "--count",
            "5",
        ],
    );
    client.assert_code(1).assert_no_panic();
    assert_eq!(client.stdout, ["E: server seems to be offline, abandoning"]);
    // Four tries in all: a line after each but the last.
    assert_eq!(
        client.stderr.matches(W_LINE).count(),
        3,
        "{}",
        client.stderr
    );
}

/// A library queue on free ports whose events come out of the receiver, for measuring.
fn measured_queue(ctx: &Context) -> (PpQueue, Receiver<(Instant, QueueEvent)>) {
    let (tx, rx) = channel();
    let settings = PpSettings::new(interval(), LIVENESS).unwrap();
    let queue = PpQueue::start_with_events(
        ctx,
        "tcp://127.0.0.1:*",
        "tcp://127.0.0.1:*",
        settings,
        move |e| {
            let _ = tx.send((Instant::now(), e.clone()));
        },
    )
    .unwrap();
    (queue, rx)
}

fn ppworker(backend: &str, extra: &[&str]) -> Program {
    let ms = HEARTBEAT_MS.to_string();
    let liveness = LIVENESS.to_string();
    let mut args = vec![
        "--connect",
        backend,
        "--heartbeat-ms",
        &ms,
        "--liveness",
        &liveness,
    ];
    args.extend_from_slice(extra);
    programs::spawn("ppworker", &args)
}

/// Starts a ppworker process, lets it become ready, sends `signal`; the event that made the
/// queue forget it, and how long after the signal it came.
fn queue_forgets_a_worker_after(signal: i32) -> (QueueEvent, Duration) {
    let ctx = Context::new().unwrap();
    let (queue, events) = measured_queue(&ctx);
    let worker = ppworker(queue.backend_endpoint(), &[]);
    let (_, ready) = events.recv_timeout(PATIENCE).unwrap();
    assert!(matches!(ready, QueueEvent::WorkerReady { .. }), "{ready:?}");
    let sent = Instant::now();
    worker.signal(signal);
    let (at, event) = events.recv_timeout(PATIENCE).unwrap();
    assert_eq!(queue.idle_workers(), 0);
    drop(worker);
    eprintln!("{event:?} {:?} after signal {signal}", at - sent);
    (event, at - sent)
}

#[test]
fn the_queue_forgets_a_frozen_worker_within_the_bound() {
    let (event, took) = queue_forgets_a_worker_after(libc::SIGSTOP);
    // Its connection is still open: only the missing heartbeats tell.
    assert!(
        matches!(event, QueueEvent::WorkerExpired { .. }),
        "{event:?}"
    );
    assert!(took <= bound() + SLACK, "forgotten {took:?} after SIGSTOP");
}

#[test]
fn the_queue_forgets_a_killed_worker_within_the_bound() {
    let (event, took) = queue_forgets_a_worker_after(libc::SIGKILL);
    assert!(
        matches!(
            event,
            QueueEvent::WorkerExpired { .. } | QueueEvent::WorkerGone { .. }
        ),
        "{event:?}"
    );
    assert!(took <= bound() + SLACK, "forgotten {took:?} after SIGKILL");
}

fn ppqueue(ports: Option<[u16; 2]>) -> (Program, [u16; 2]) {
    let ms = HEARTBEAT_MS.to_string();
    let args = |p: &[u16]| {
        vec![
            "--frontend".to_string(),
            tcp(p[0]),
            "--backend".to_string(),
            tcp(p[1]),
            "--heartbeat-ms".to_string(),
            ms.clone(),
            "--liveness".to_string(),
            LIVENESS.to_string(),
        ]
    };
    match ports {
        None => {
            let (queue, p) = programs::spawn_server("ppqueue", 2, args);
            (queue, [p[0], p[1]])
        }
        Some(p) => {
            let mut queue = programs::spawn("ppqueue", &args(&p));
            for port in p {
                queue
                    .wait_listening(port)
                    .unwrap_or_else(|f| panic!("ppqueue on {port}: {f:?}"));
            }
            (queue, p)
        }
    }
}

/// ppworker notices `signal` sent to its ppqueue within the bound, then serves lpclient
/// through a new ppqueue started on the same ports.
fn worker_notices_the_queue_and_comes_back_after(signal: i32) {
    let (queue, ports) = ppqueue(None);
    let mut worker = ppworker(&tcp(ports[1]), &[]);
    wait_stderr(&queue, "ready", 1);
    let sent = Instant::now();
    queue.signal(signal);
    let seen = wait_stderr(&worker, FAILURE, 1);
    let took = seen - sent;
    eprintln!("the worker noticed {took:?} after signal {signal}");
    assert!(
        took <= bound() + SLACK,
        "noticed {took:?} after signal {signal}"
    );
    drop(queue); // SIGKILL (a frozen one too)

    let (queue, _) = ppqueue(Some(ports));
    wait_stderr(&queue, "ready", 1);
    let client = programs::run("lpclient", &["--connect", &tcp(ports[0]), "--count", "2"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, ok_lines(1, 2));
    assert_eq!(worker.lines(2), ["I: normal reply", "I: normal reply"]);
    worker.interrupt(libc::SIGINT);
    queue.interrupt(libc::SIGINT);
}

#[test]
fn ppworker_notices_a_frozen_queue_and_comes_back_to_a_restarted_one() {
    worker_notices_the_queue_and_comes_back_after(libc::SIGSTOP);
}

#[test]
fn ppworker_notices_a_killed_queue_and_comes_back_to_a_restarted_one() {
    worker_notices_the_queue_and_comes_back_after(libc::SIGKILL);
}

#[test]
fn lpclient_ppqueue_ppworkers_survive_a_worker_crash() {
    let (queue, ports) = ppqueue(None);
    let backend = tcp(ports[1]);
    let crashing = ppworker(&backend, &["--crash-after", "2"]);
    wait_stderr(&queue, "ready", 1);
    let mut steady = ppworker(&backend, &[]);
    wait_stderr(&queue, "ready", 2);
    // Requests alternate (least recently ready first): 1, 3 to the first worker, 5 crashes
    // it, its retry and 6 go to the second.
    let client = programs::run(
        "lpclient",
        &[
            "--connect",
            &tcp(ports[0]),
            "--timeout-ms",
            "2000",
            "--count",
            "6",
        ],
    );
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, ok_lines(1, 6));
    assert_eq!(
        client.stderr.matches(W_LINE).count(),
        1,
        "{}",
        client.stderr
    );
    let crashed = crashing.wait();
    crashed.assert_code(1).assert_no_panic();
    assert_eq!(crashed.stdout, ["I: normal reply", "I: normal reply"]);
    assert!(crashed.stderr.contains("I: simulating a crash"));
    assert_eq!(steady.lines(4), vec!["I: normal reply"; 4]);
    steady.interrupt(libc::SIGINT);
    queue.interrupt(libc::SIGINT);
}

#[test]
fn bad_flags_and_endpoints_are_errors_not_panics() {
    for (program, args, code) in [
        ("lpclient", vec!["--retries", "0"], 2),
        ("lpclient", vec!["--timeout-ms", "0"], 2),
        ("lpclient", vec!["--count", "-1"], 2),
        ("lpserver", vec!["--crash-after", "x"], 2),
        ("ppworker", vec!["--liveness", "0"], 2),
        ("ppqueue", vec!["--heartbeat-ms", "0"], 2),
        ("lpclient", vec!["--connect", "tcp://nowhere"], 1),
        ("lpserver", vec!["--bind", "bogus://x"], 1),
        ("ppqueue", vec!["--liveness", "0"], 2),
        ("ppqueue", vec!["--frontend", "tcp://127.0.0.1"], 1),
        ("ppworker", vec!["--heartbeat-ms", "0"], 2),
        ("ppworker", vec!["--connect", "tcp://"], 1),
    ] {
        let finished = programs::run(program, &args);
        finished.assert_code(code).assert_no_panic();
        assert!(
            finished.stderr.starts_with("error: "),
            "{program} {args:?}: {}",
            finished.stderr
        );
    }
}

#[test]
fn the_programs_work_over_ipc_and_end_cleanly_on_ctrl_c() {
    let (frontend, backend) = (
        programs::ipc("ppqueue-front"),
        programs::ipc("ppqueue-back"),
    );
    let queue = programs::spawn("ppqueue", &["--frontend", &frontend, "--backend", &backend]);
    let mut worker = programs::spawn("ppworker", &["--connect", &backend]);
    // The queue reads the frontend only once a worker is ready: the requests wait till then.
    let client = programs::run("lpclient", &["--connect", &frontend, "--count", "2"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, ok_lines(1, 2));
    assert_eq!(worker.lines(2), ["I: normal reply", "I: normal reply"]);
    worker.interrupt(libc::SIGINT);
    queue.interrupt(libc::SIGTERM);

    let endpoint = programs::ipc("lpserver");
    let server = programs::spawn("lpserver", &["--bind", &endpoint]);
    let client = programs::run("lpclient", &["--connect", &endpoint, "--count", "1"]);
    client.assert_code(0);
    assert_eq!(client.stdout, ok_lines(1, 1));
    server.interrupt(libc::SIGINT);
}

#[test]
fn huge_heartbeat_settings_serve_and_end_cleanly() {
    let (frontend, backend) = (programs::ipc("huge-front"), programs::ipc("huge-back"));
    let huge_ms = u64::MAX.to_string();
    let huge_liveness = u32::MAX.to_string();
    let queue = programs::spawn(
        "ppqueue",
        &[
            "--frontend",
            &frontend,
            "--backend",
            &backend,
            "--heartbeat-ms",
            &huge_ms,
            "--liveness",
            &huge_liveness,
        ],
    );
    let mut worker = programs::spawn(
        "ppworker",
        &[
            "--connect",
            &backend,
            "--heartbeat-ms",
            &huge_ms,
            "--liveness",
            &huge_liveness,
        ],
    );
    let client = programs::run(
        "lpclient",
        &[
            "--connect",
            &frontend,
            "--timeout-ms",
            &huge_ms,
            "--retries",
            &huge_liveness,
            "--count",
            "1",
        ],
    );
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, ok_lines(1, 1));
    assert_eq!(worker.lines(1), ["I: normal reply"]);
    worker.interrupt(libc::SIGINT);
    queue.interrupt(libc::SIGINT);
}

#[test]
fn ppworker_ends_cleanly_on_ctrl_c_while_it_backs_off() {
    // Nothing listens there: the worker gives the queue up and backs off.
    let worker = ppworker(&tcp(programs::free_port()), &[]);
    wait_stderr(&worker, FAILURE, 1);
    let finished = worker.interrupt(libc::SIGINT);
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}
