//! The durable outbox's programs as real processes: `reliable_sender` killed with SIGKILL at
//! seeded-random moments, in each phase of its life, and started again on the same journal,
//! while `reliable_receiver` runs; the receiver ends with every message exactly once.
//! Bad journals stop the sender at once with a precise error; malformed envelopes are
//! reported and skipped by the receiver.
#![cfg(feature = "durable")]

mod common;

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::programs::{self, tcp, Program};
use common::temp_dir::TempDir;
use common::{patient, PATIENCE};
use zmq_typed::{Context, Dealer};

/// A small xorshift generator, seeded from `OUTBOX_SEED` or the clock (the seed is printed,
/// so a failure can be replayed).
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("OUTBOX_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            })
            | 1;
        eprintln!("OUTBOX_SEED={seed}");
        Rng(seed)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + self.0 % (hi - lo + 1)
    }
}

/// Waits until the program's stderr has the line `line` (at most [`PATIENCE`]).
fn wait_stderr_line(program: &Program, line: &str) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let stderr = program.stderr();
        if stderr.lines().any(|l| l == line) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "no stderr line {line:?} within {PATIENCE:?}; stderr:\n{stderr}"
        );
        thread::sleep(Duration::from_millis(2));
    }
}

fn sender_args(endpoint: &str, journal: &Path, count: u64) -> Vec<String> {
    vec![
        "--connect".into(),
        endpoint.into(),
        "--journal".into(),
        journal.display().to_string(),
        "--count".into(),
        count.to_string(),
    ]
}

/// SIGKILLs the program and reaps it; returns its stderr.
fn kill(program: Program) -> String {
    program.signal(libc::SIGKILL);
    let finished = program.wait();
    assert_eq!(
        finished.status.code(),
        None,
        "the sender ended by itself before the kill: {finished:?}"
    );
    finished.stderr
}

#[test]
fn sender_killed_at_random_moments_then_every_message_arrives_exactly_once() {
    const TOTAL: u64 = 300;
    let mut rng = Rng::seeded();
    let dir = TempDir::new("kills");
    let journal = dir.join("outbox.db");
    let (receiver, ports) = programs::spawn_server("reliable_receiver", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--expect".into(),
            TOTAL.to_string(),
        ]
    });
    let mut receiver = receiver;
    let endpoint = tcp(ports[0]);

    // 1. Killed at once: before anything is sent (perhaps while the journal is created).
    let sender = programs::spawn("reliable_sender", &sender_args(&endpoint, &journal, 40));
    thread::sleep(Duration::from_micros(rng.between(0, 3000)));
    let said = kill(sender);
    eprintln!(
        "kill 1 (at start): {} line(s) of stderr",
        said.lines().count()
    );

    // 2. Killed mid-stream: once a random message of 1..=20 was sent.
    let sender = programs::spawn("reliable_sender", &sender_args(&endpoint, &journal, 40));
    let k = rng.between(1, 20);
    wait_stderr_line(&sender, &format!("sent {k}"));
    kill(sender);
    eprintln!("kill 2 (after sent {k})");

    // 3. Killed after its last send, before its ACK: the receiver is stopped meanwhile, so
    //    no ACK can come. (At most 60 messages are unacknowledged, within the window.)
    receiver.signal(libc::SIGSTOP);
    let sender = programs::spawn("reliable_sender", &sender_args(&endpoint, &journal, 60));
    wait_stderr_line(&sender, "sent 60");
    kill(sender);
    receiver.signal(libc::SIGCONT);
    eprintln!("kill 3 (after sent 60, no ACK)");

    // 4. Killed mid-stream again, the stream grown to 200.
    let sender = programs::spawn("reliable_sender", &sender_args(&endpoint, &journal, 200));
    let k = rng.between(70, 170);
    wait_stderr_line(&sender, &format!("sent {k}"));
    kill(sender);
    eprintln!("kill 4 (after sent {k})");

    // 5. Killed once a random ACK of the stream grown to 280 was recorded.
    let sender = programs::spawn("reliable_sender", &sender_args(&endpoint, &journal, 280));
    let k = rng.between(210, 250);
    wait_stderr_line(&sender, &format!("acked {k}"));
    kill(sender);
    eprintln!("kill 5 (after acked {k})");

    // 6. The last run, to the end of the stream.
    let sender = programs::run("reliable_sender", &sender_args(&endpoint, &journal, TOTAL));
    sender.assert_code(0).assert_no_panic();
    assert_eq!(sender.stdout, [format!("acked {TOTAL}")]);

    let line = receiver.line();
    eprintln!("receiver: {line}");
    let finished = receiver.wait();
    finished.assert_code(0).assert_no_panic();
    let counts: Vec<u64> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let [unique, duplicates, gaps] = counts[..] else {
        panic!("{line}")
    };
    assert_eq!(
        line,
        format!("received {TOTAL} unique, {duplicates} duplicates dropped, {gaps} gaps")
    );
    assert_eq!(unique, TOTAL);
    // Exactly once: each message 1..=TOTAL delivered once, with its own data, in the
    // receiver's log; its duplicates and gaps are the ones it counted.
    let log = finished.stderr;
    let mut delivered: Vec<(u64, String)> = log
        .lines()
        .filter_map(|l| l.strip_prefix("new "))
        .map(|rest| {
            let (seq, data) = rest.split_once(' ').unwrap();
            (seq.parse().unwrap(), data.to_string())
        })
        .collect();
    delivered.sort();
    let expected: Vec<(u64, String)> = (1..=TOTAL)
        .map(|n| (n, format!("\"message {n}\"")))
        .collect();
    assert_eq!(delivered, expected, "receiver log:\n{log}");
    let dup_lines = log.lines().filter(|l| l.starts_with("duplicate ")).count() as u64;
    let gap_lines = log.lines().filter(|l| l.starts_with("gap ")).count() as u64;
    assert_eq!((dup_lines, gap_lines), (duplicates, gaps), "{log}");
    assert!(!log.contains("malformed"), "{log}");
}

#[test]
fn a_bad_journal_is_a_precise_error_at_start() {
    let dir = TempDir::new("bad");
    let endpoint = tcp(programs::free_port());
    let start = |journal: &Path| {
        let finished = programs::run("reliable_sender", &sender_args(&endpoint, journal, 3));
        finished.assert_code(1).assert_no_panic();
        assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
        finished.stderr.trim_end().to_string()
    };
    let expect = |journal: &Path, reason: &str| {
        assert_eq!(
            start(journal),
            format!("error: journal {}: {reason}", journal.display())
        );
    };

    let garbage = dir.join("garbage.db");
    std::fs::write(
        &garbage,
        b"this is not a database, just some text\n".repeat(50),
    )
    .unwrap();
    expect(
        &garbage,
        "not a journal: not an SQLite database (its first bytes are not SQLite's header)",
    );

    let foreign = dir.join("foreign.db");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES ('hi');")
            .unwrap();
    }
    expect(
        &foreign,
        "not a journal: an SQLite database of another application (application_id 0x0, a journal has 0x5a514f42)",
    );

    let missing_dir = dir.join("no-such-folder").join("outbox.db");
    expect(
        &missing_dir,
        &format!(
            "its directory {} does not exist",
            dir.join("no-such-folder").display()
        ),
    );

    let folder = dir.join("folder.db");
    std::fs::create_dir(&folder).unwrap();
    expect(&folder, "is a directory, not a journal file");

    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    expect(
        &empty,
        "is empty (0 bytes): not a journal (a journal is never empty; delete the file to start a new stream)",
    );

    // A real journal (made by a run that ends with nothing to send), then cut short.
    let good = dir.join("good.db");
    let made = programs::run("reliable_sender", &sender_args(&endpoint, &good, 0));
    made.assert_code(0);
    assert_eq!(made.stdout, ["acked 0"]);
    let size = std::fs::metadata(&good).unwrap().len();
    assert!(size >= 8192, "{size}");
    for (name, cut) in [("cut-page.db", 4096), ("cut-odd.db", size - 1000)] {
        let cut_path = dir.join(name);
        std::fs::copy(&good, &cut_path).unwrap();
        let f = std::fs::OpenOptions::new()
            .write(true)
            .open(&cut_path)
            .unwrap();
        f.set_len(cut).unwrap();
        drop(f);
        let said = start(&cut_path);
        let prefix = format!("error: journal {}: corrupt: ", cut_path.display());
        assert!(said.starts_with(&prefix) && !said.contains('\n'), "{said}");
    }
    let stub = dir.join("stub.db");
    std::fs::copy(&good, &stub).unwrap();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&stub)
        .unwrap()
        .set_len(50)
        .unwrap();
    expect(
        &stub,
        "not a journal, or a truncated one: 50 bytes, shorter than any SQLite database",
    );

    // A stream longer than --count.
    let long = dir.join("long.db");
    {
        let mut j = zmq_typed::patterns::outbox::Journal::open(&long).unwrap();
        for _ in 0..5 {
            j.append(b"\"x\"").unwrap();
        }
    }
    expect(
        &long,
        "it holds a stream of 5 messages already, more than --count 3",
    );

    // A journal this process may not write.
    let locked = dir.join("readonly.db");
    std::fs::copy(&good, &locked).unwrap();
    match make_unwritable(&locked) {
        Some(undo) => {
            let said = start(&locked);
            undo();
            assert_eq!(
                said,
                format!(
                    "error: journal {}: cannot write it: this process may only read the file",
                    locked.display()
                )
            );
        }
        None => common::skip(
            "a_bad_journal_is_a_precise_error_at_start (unwritable file)",
            "cannot make a file unwritable here (root without chattr)",
        ),
    }
}

/// Makes `path` unwritable for this process: `chmod 0444`, or for root (whom permissions do
/// not stop) the immutable attribute (`chattr +i`). Returns how to undo it.
fn make_unwritable(path: &Path) -> Option<Box<dyn FnOnce()>> {
    use std::os::unix::fs::PermissionsExt;
    if common::is_root() {
        let ok = std::process::Command::new("chattr")
            .arg("+i")
            .arg(path)
            .status()
            .is_ok_and(|s| s.success());
        let path = path.to_path_buf();
        ok.then(|| {
            Box::new(move || {
                let _ = std::process::Command::new("chattr")
                    .arg("-i")
                    .arg(&path)
                    .status();
            }) as Box<dyn FnOnce()>
        })
    } else {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o444)).ok()?;
        Some(Box::new(|| {}))
    }
}

#[test]
fn the_receiver_reports_malformed_envelopes_and_goes_on() {
    let (receiver, ports) = programs::spawn_server("reliable_receiver", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--expect".into(), "2".into()]
    });
    let mut receiver = receiver;
    let ctx = Context::new().unwrap();
    let dealer = patient(Dealer::new(&ctx).unwrap());
    dealer.connect(tcp(ports[0])).unwrap();
    for bad in [
        &b"not json"[..],
        br#"{"data":"message 1"}"#,
        br#"{"seq":"one","data":"message 1"}"#,
    ] {
        dealer.send(bad).unwrap();
    }
    dealer.send(["two", "frames"]).unwrap();
    dealer.send(r#"{"seq":2,"data":"message 2"}"#).unwrap();
    dealer.send(r#"{"seq":2,"data":"message 2"}"#).unwrap();
    dealer.send(r#"{"seq":1,"data":"message 1"}"#).unwrap();
    let acks: Vec<String> = (0..3).map(|_| dealer.recv().unwrap().to_string()).collect();
    assert_eq!(acks, [r#"{"ack":2}"#, r#"{"ack":2}"#, r#"{"ack":1}"#]);
    assert_eq!(
        receiver.line(),
        "received 2 unique, 1 duplicates dropped, 1 gaps"
    );
    let finished = receiver.wait();
    finished.assert_code(0).assert_no_panic();
    let malformed: Vec<&str> = finished
        .stderr
        .lines()
        .filter(|l| l.starts_with("malformed: "))
        .collect();
    assert_eq!(malformed.len(), 4, "{}", finished.stderr);
    assert!(malformed[0].starts_with("malformed: not a JSON envelope: "));
    assert_eq!(malformed[1], "malformed: the envelope has no \"seq\" field");
    assert_eq!(
        malformed[2],
        "malformed: the envelope's \"seq\" is not a whole number from 1 up: \"one\""
    );
    assert_eq!(malformed[3], "malformed: an envelope is one frame, not 2");
    assert!(finished.stderr.contains("gap 1-1"), "{}", finished.stderr);
}

#[test]
fn numbers_beyond_expect_do_not_change_the_receivers_line() {
    // A stray (or hostile) message far past the stream's end: the receiver still says
    // `received <N> unique` for its --expect N, and its memory holds one number for it.
    let (receiver, ports) = programs::spawn_server("reliable_receiver", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--expect".into(), "2".into()]
    });
    let mut receiver = receiver;
    let ctx = Context::new().unwrap();
    let dealer = patient(Dealer::new(&ctx).unwrap());
    dealer.connect(tcp(ports[0])).unwrap();
    let far = 1u64 << 60;
    for seq in [far, 1, 2] {
        dealer
            .send(format!(r#"{{"seq":{seq},"data":"message {seq}"}}"#))
            .unwrap();
    }
    let acks: Vec<String> = (0..3).map(|_| dealer.recv().unwrap().to_string()).collect();
    assert_eq!(
        acks,
        [
            format!(r#"{{"ack":{far}}}"#),
            r#"{"ack":1}"#.into(),
            r#"{"ack":2}"#.into()
        ]
    );
    assert_eq!(
        receiver.line(),
        "received 2 unique, 0 duplicates dropped, 1 gaps"
    );
    let finished = receiver.wait();
    finished.assert_code(0).assert_no_panic();
    assert!(
        finished.stderr.contains(&format!("gap 1-{}", far - 1)),
        "{}",
        finished.stderr
    );
}

#[test]
fn a_sender_without_receiver_keeps_resending_and_stops_on_ctrl_c() {
    let dir = TempDir::new("alone");
    let journal = dir.join("outbox.db");
    // Nobody listens on this port: the messages wait in the socket's queue.
    let endpoint = tcp(programs::free_port());
    let sender = programs::spawn("reliable_sender", &sender_args(&endpoint, &journal, 2));
    wait_stderr_line(&sender, "resent 1");
    // A second sender on the same journal is refused while the first one runs.
    let second = programs::run("reliable_sender", &sender_args(&endpoint, &journal, 2));
    second.assert_code(1).assert_no_panic();
    assert_eq!(
        second.stderr.trim_end(),
        format!(
            "error: journal {}: in use by another process (a journal has one sender at a time)",
            journal.display()
        )
    );
    let finished = sender.interrupt(libc::SIGINT);
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
    // Both messages are still in the journal: a later run sends them.
    let j = zmq_typed::patterns::outbox::Journal::open_existing(&journal).unwrap();
    assert_eq!((j.appended(), j.pending().unwrap()), (2, 2));
}

#[test]
fn the_receiver_stops_on_ctrl_c_and_flags_are_checked() {
    let (receiver, _) = programs::spawn_server("reliable_receiver", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--expect".into(), "5".into()]
    });
    receiver.interrupt(libc::SIGINT);
    let no_count = programs::run("reliable_sender", &["--journal", "/tmp/x.db"]);
    no_count.assert_code(2);
    assert!(
        no_count.stderr.starts_with("error: "),
        "{}",
        no_count.stderr
    );
    let no_expect = programs::run::<&str>("reliable_receiver", &[]);
    no_expect.assert_code(2);
    assert!(
        no_expect.stderr.starts_with("error: "),
        "{}",
        no_expect.stderr
    );
    let bad_bind = programs::run(
        "reliable_receiver",
        &["--bind", "tcp://nowhere", "--expect", "1"],
    );
    bad_bind.assert_code(1).assert_no_panic();
    assert!(
        bad_bind.stderr.contains("tcp://nowhere"),
        "{}",
        bad_bind.stderr
    );
}

#[test]
fn a_journal_open_here_stays_locked_for_other_processes_after_a_refused_second_open() {
    use zmq_typed::patterns::outbox::Journal;
    let dir = TempDir::new("held");
    let path = dir.join("outbox.db");
    let held = Journal::open(&path).unwrap();
    // A second open in this process is refused; it must not release the first one's lock
    // (closing any descriptor of the file would drop this process's POSIX locks on it).
    assert!(matches!(
        Journal::open(&path),
        Err(zmq_typed::Error::Journal { .. })
    ));
    let other = programs::run(
        "reliable_sender",
        &sender_args(&tcp(programs::free_port()), &path, 1),
    );
    other.assert_code(1).assert_no_panic();
    assert_eq!(
        other.stderr.trim_end(),
        format!(
            "error: journal {}: in use by another process (a journal has one sender at a time)",
            path.display()
        )
    );
    drop(held);
}
