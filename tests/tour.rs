//! The README's main demo, `examples/tour`, as a real process: every pattern over inproc, ipc
//! and tcp passes with the exact number of messages each moves, the table has one row per
//! pattern and transport, and the epgm row either passes (inside a network namespace whose
//! loopback carries multicast) or is reported as skipped with the reason.

mod common;

use std::time::Duration;

use common::child;
use common::programs;
use common::skip;

/// The test that runs in the child, in the namespace.
const CHILD: &str = "tour_multicast_child";
/// The test that runs in a child in a namespace whose loopback is down (tcp rows hang).
const CTRL_C_CHILD: &str = "tour_ctrl_c_child";

/// The rows the tour prints when every pattern runs: pattern, sockets, transport, messages.
const ROWS: &[(&str, &str, u64)] = &[
    ("request-reply", "inproc ipc tcp", 200),
    ("pub-sub, synced", "inproc ipc tcp", 3000),
    ("pipeline", "inproc ipc tcp", 180),
    ("request-reply broker", "inproc ipc tcp", 240),
    ("load-balancing broker", "inproc ipc tcp", 240),
    ("pub-sub forwarder", "inproc ipc tcp", 800),
    ("ordering", "inproc ipc tcp", 106),
    ("backpressure, credit", "inproc ipc tcp", 200),
    ("failover, lazy pirate", "tcp", 42),
    ("heartbeat, silent peer", "tcp", 1),
    ("failover, paranoid pirate", "tcp", 80),
    #[cfg(feature = "durable")]
    ("durable outbox", "tcp", 132),
    ("security, CURVE + ZAP", "ipc tcp", 40),
    ("exclusive pair relay", "inproc", 2),
];

/// How many rows [`ROWS`] stands for, the epgm row left out.
fn rows_but_epgm() -> usize {
    ROWS.iter().map(|(_, t, _)| t.split(' ').count()).sum()
}

/// The row of `pattern` over `transport` in the tour's table: its cells, split on runs of
/// two or more spaces or on the column boundaries (the pattern may hold one space).
fn row<'a>(stdout: &'a [String], pattern: &str, transport: &str) -> Option<&'a String> {
    stdout.iter().find(|line| {
        line.starts_with(pattern)
            && line[pattern.len()..].starts_with("  ")
            && line.split_whitespace().any(|cell| cell == transport)
    })
}

#[test]
fn every_pattern_passes_over_every_transport() {
    let finished = programs::run("tour", &[] as &[&str]);
    finished.assert_code(0).assert_no_panic();
    let out = &finished.stdout;
    assert!(
        out[0].starts_with("zmq-typed tour over libzmq 4."),
        "{out:?}"
    );
    assert!(out[1].starts_with("pattern "), "{out:?}");
    for &(pattern, transports, messages) in ROWS {
        for transport in transports.split(' ') {
            let line = row(out, pattern, transport)
                .unwrap_or_else(|| panic!("no row for {pattern} over {transport}: {out:#?}"));
            let cells: Vec<&str> = line.split_whitespace().collect();
            let at = cells.iter().position(|c| *c == transport).unwrap();
            assert_eq!(cells[at + 1], messages.to_string(), "{line}");
            assert_eq!(cells[at + 2], "ok", "{line}");
        }
    }
    // Outside a namespace the loopback usually carries no multicast: the row says so, and a
    // line gives the reason. (On a machine where it does, the row passes.)
    let epgm = row(out, "pub-sub, multicast", "epgm").expect("an epgm row");
    if epgm.contains("skipped") {
        assert!(
            out.iter()
                .any(|l| l.starts_with("skipped pub-sub, multicast over epgm: ")),
            "{out:#?}"
        );
        let summary = format!("{} passed, 0 failed, 1 skipped", rows_but_epgm());
        assert_eq!(out.last().unwrap(), &summary);
    } else {
        assert!(epgm.contains(" 100 ") && epgm.contains(" ok "), "{epgm}");
        let summary = format!("{} passed, 0 failed, 0 skipped", rows_but_epgm() + 1);
        assert_eq!(out.last().unwrap(), &summary);
    }
}

#[test]
fn only_picks_patterns_and_bad_flags_exit_2() {
    let finished = programs::run("tour", &["--only", "broker"]);
    finished.assert_code(0).assert_no_panic();
    let ran: Vec<&String> = finished
        .stdout
        .iter()
        .filter(|l| l.contains(" ok "))
        .collect();
    assert_eq!(ran.len(), 6, "{:#?}", finished.stdout);
    assert!(ran.iter().all(|l| l.contains("broker")), "{ran:#?}");

    let bad = programs::run("tour", &["--no-such-flag"]);
    bad.assert_code(2).assert_no_panic();
    assert!(bad.stderr.starts_with("error: "), "{}", bad.stderr);
}

/// A row that fails (here: no folder for the ipc endpoints) is reported with its reason, the
/// other rows still run, and the exit code is 1.
#[test]
fn a_failed_row_is_reported_and_exits_1() {
    let finished = programs::spawn_with_env(
        "tour",
        &["--only", "request-reply"],
        &[("TMPDIR", "/nonexistent/zmq-typed-tour")],
    )
    .wait();
    finished.assert_code(1).assert_no_panic();
    let out = &finished.stdout;
    for (transport, result) in [("inproc", "ok"), ("ipc", "FAILED"), ("tcp", "ok")] {
        let line = row(out, "request-reply", transport)
            .unwrap_or_else(|| panic!("no {transport} row: {out:#?}"));
        assert!(line.contains(&format!(" {result} ")), "{line}");
    }
    assert!(
        out.iter().any(
            |l| l.starts_with("FAILED request-reply over ipc: ") && l.contains("/nonexistent/")
        ),
        "{out:#?}"
    );
    // (`--only request-reply` also picks the request-reply broker, whose ipc row fails too.)
    assert_eq!(out.last().unwrap(), "4 passed, 2 failed, 0 skipped");
}

/// A stdout that cannot be written (a full disk here; a closed pipe alike) is an `error:`
/// line and exit 1, never a panic.
#[test]
fn an_unwritable_stdout_is_an_error_not_a_panic() {
    let out = std::process::Command::new(programs::path("tour"))
        .args(["--only", "pair"])
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: ") && stderr.contains("(writing to stdout)"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn multicast_row_passes_in_a_network_namespace() {
    let Some(wrapper) = child::namespace_wrapper() else {
        skip(
            "multicast_row_passes_in_a_network_namespace",
            child::NO_NAMESPACE,
        );
        return;
    };
    // The tour binary is built (if missing) here, before the child runs it.
    programs::path("tour");
    let out = child::run(wrapper, CHILD, Duration::from_secs(120));
    child::check(CHILD, &out);
}

#[test]
fn tour_multicast_child() {
    if !child::is_child(CHILD) {
        return;
    }
    child::multicast_loopback();
    let finished = programs::run("tour", &["--only", "multicast", "--require-multicast"]);
    finished.assert_code(0).assert_no_panic();
    let line = row(&finished.stdout, "pub-sub, multicast", "epgm")
        .unwrap_or_else(|| panic!("no epgm row: {:#?}", finished.stdout));
    let cells: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(
        cells[cells.len() - 4..cells.len() - 2],
        ["100", "ok"],
        "{line}"
    );
    assert_eq!(
        finished.stdout.last().unwrap(),
        "1 passed, 0 failed, 0 skipped"
    );
}

/// Bad values are exit 2 with an `error:` line: a row timeout of 0, and `--only` that
/// matches no pattern (which names the patterns).
#[test]
fn bad_values_exit_2() {
    let zero = programs::run("tour", &["--row-timeout", "0"]);
    zero.assert_code(2).assert_no_panic();
    assert!(zero.stderr.starts_with("error: "), "{}", zero.stderr);
    let none = programs::run("tour", &["--only", "no such pattern"]);
    none.assert_code(2).assert_no_panic();
    assert!(
        none.stderr
            .starts_with("error: no pattern matches \"no such pattern\"")
            && none.stderr.contains("load-balancing broker"),
        "{}",
        none.stderr
    );
    // Matching ignores case.
    let upper = programs::run("tour", &["--only", "PAIR"]);
    upper.assert_code(0);
    assert_eq!(
        upper.stdout.last().unwrap(),
        "1 passed, 0 failed, 0 skipped"
    );
}

/// A long TMPDIR (past the 107 bytes a Unix socket path holds with the tour's names) still
/// runs the ipc rows: the names are short, and /tmp stands in when even they do not fit.
#[test]
fn a_long_tmpdir_still_runs_the_ipc_rows() {
    let long = std::env::temp_dir().join("x".repeat(100));
    std::fs::create_dir_all(&long).unwrap();
    let finished = programs::spawn_with_env(
        "tour",
        &["--only", "request-reply"],
        &[("TMPDIR", long.to_str().unwrap())],
    )
    .wait();
    finished.assert_code(0).assert_no_panic();
    assert_eq!(
        finished.stdout.last().unwrap(),
        "6 passed, 0 failed, 0 skipped"
    );
    let _ = std::fs::remove_dir(&long);
}

/// Ctrl-C during a row shuts that row's context down: the table of the rows so far is
/// printed, the row says `stopped`, and the exit code is 130. (In a network namespace
/// whose loopback is down, a tcp row waits for a peer that never comes.)
#[test]
fn ctrl_c_during_a_row_prints_the_rows_so_far_and_exits_130() {
    let Some(wrapper) = child::namespace_wrapper() else {
        skip(
            "ctrl_c_during_a_row_prints_the_rows_so_far_and_exits_130",
            child::NO_NAMESPACE,
        );
        return;
    };
    programs::path("tour");
    let out = child::run(wrapper, CTRL_C_CHILD, Duration::from_secs(120));
    child::check(CTRL_C_CHILD, &out);
}

#[test]
fn tour_ctrl_c_child() {
    if !child::is_child(CTRL_C_CHILD) {
        return;
    }
    // The loopback is down here: the request-reply tcp row waits (inproc and ipc pass).
    let tour = programs::spawn("tour", &["--only", "request-reply", "--row-timeout", "60"]);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !tour.stderr().contains("request-reply over tcp") {
        assert!(std::time::Instant::now() < deadline, "{}", tour.stderr());
        std::thread::sleep(Duration::from_millis(5));
    }
    let finished = tour.interrupt(libc::SIGINT);
    let out = &finished.stdout;
    for (transport, result) in [("inproc", "ok"), ("ipc", "ok"), ("tcp", "stopped")] {
        let line = row(out, "request-reply", transport)
            .unwrap_or_else(|| panic!("no {transport} row: {out:#?}"));
        assert!(line.contains(&format!(" {result} ")), "{line}");
    }
    assert_eq!(
        out.last().unwrap(),
        "2 passed, 0 failed, 0 skipped, stopped by a signal"
    );
    assert!(
        finished.stderr.contains("interrupted"),
        "{}",
        finished.stderr
    );
}
