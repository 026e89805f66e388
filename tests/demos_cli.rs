//! What every demo program does with its command line and with signals: `--help` exits 0,
//! a bad flag or value exits 2 with `error: `, an endpoint libzmq refuses exits 1 with an
//! `error: ` line naming it, and Ctrl-C or SIGTERM ends a blocked program with 130 and no
//! panic.

mod common;

use common::programs::{self, free_port, tcp};
use zmq_typed::{Context, Pull};

/// Every program of the "Basic patterns" table.
const PROGRAMS: [&str; 17] = [
    "hwserver", "hwclient", "wuserver", "wuclient", "taskvent", "taskwork", "tasksink", "rrclient",
    "rrworker", "rrbroker", "msgqueue", "mtserver", "mtrelay", "psenvpub", "psenvsub", "syncpub",
    "syncsub",
];

#[test]
fn help_prints_the_usage_and_exits_0() {
    for name in PROGRAMS {
        let finished = programs::run(name, &["--help"]);
        finished.assert_code(0).assert_no_panic();
        let usage = format!("Usage: {name}");
        assert!(
            finished.stdout.iter().any(|l| l.starts_with(&usage)),
            "{name} --help: {:?}",
            finished.stdout
        );
    }
}

#[test]
fn an_unknown_flag_is_an_error_with_exit_code_2() {
    for name in PROGRAMS {
        let finished = programs::run(name, &["--no-such-flag"]);
        finished.assert_code(2).assert_no_panic();
        assert!(
            finished.stderr.starts_with("error: "),
            "{name}: {}",
            finished.stderr
        );
        assert!(finished.stdout.is_empty(), "{name}: {:?}", finished.stdout);
    }
}

#[test]
fn a_bad_value_is_an_error_with_exit_code_2() {
    for (name, args) in [
        ("hwserver", ["--count", "lots"]),
        ("hwclient", ["--count", "-1"]),
        ("wuclient", ["--count", "0"]),
        ("taskvent", ["--tasks", "x"]),
        ("mtserver", ["--workers", "0"]),
        ("syncpub", ["--subscribers", "many"]),
    ] {
        let finished = programs::run(name, &args);
        finished.assert_code(2).assert_no_panic();
        assert!(
            finished.stderr.starts_with("error: "),
            "{name} {args:?}: {}",
            finished.stderr
        );
    }
}

/// Runs `name` with `args` and checks it exits 1 with an `error: ` line naming `endpoint`.
fn refused(name: &str, args: &[&str], endpoint: &str) -> String {
    let finished = programs::run(name, args);
    finished.assert_code(1).assert_no_panic();
    let first = finished
        .stderr
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(
        first.starts_with("error: ") && first.contains(endpoint),
        "{name} {args:?}: {}",
        finished.stderr
    );
    first
}

#[test]
fn an_endpoint_libzmq_refuses_is_an_error_naming_it_with_exit_code_1() {
    let nope = "tcp://nope";
    for (name, flag) in [
        ("hwserver", "--bind"),
        ("hwclient", "--connect"),
        ("wuserver", "--bind"),
        ("wuclient", "--connect"),
        ("taskwork", "--connect"),
        ("taskwork", "--sink"),
        ("tasksink", "--bind"),
        ("rrclient", "--connect"),
        ("rrworker", "--connect"),
        ("rrbroker", "--frontend"),
        ("rrbroker", "--backend"),
        ("msgqueue", "--frontend"),
        ("msgqueue", "--backend"),
        ("mtserver", "--bind"),
        ("psenvpub", "--bind"),
        ("psenvsub", "--connect"),
        ("syncpub", "--bind"),
        ("syncpub", "--sync"),
        ("syncsub", "--connect"),
        ("syncsub", "--sync"),
    ] {
        let line = refused(name, &[flag, nope], nope);
        assert!(line.contains("missing `:port`"), "{name} {flag}: {line}");
    }
    for flag in ["--bind", "--sink"] {
        refused("taskvent", &["--no-wait", flag, nope], nope);
    }
    // A transport the socket type cannot use, and one libzmq does not know.
    let epgm = "epgm://127.0.0.1;239.192.1.1:5555";
    refused("hwserver", &["--bind", epgm], epgm);
    refused("rrclient", &["--connect", "bogus://x"], "bogus://x");
    // Multicast for the synchronised pair: no subscription comes back over it, so the
    // publisher could never tell that a subscriber listens; refused at once, not a hang.
    for (name, flag) in [("syncpub", "--bind"), ("syncsub", "--connect")] {
        let line = refused(name, &[flag, epgm], epgm);
        assert!(line.contains("carries no subscription"), "{name}: {line}");
    }
}

#[test]
fn an_address_in_use_is_an_error_naming_it_with_exit_code_1() {
    let ctx = Context::new().unwrap();
    let holder = Pull::new(&ctx).unwrap();
    let endpoint = holder.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let line = refused("tasksink", &["--bind", &endpoint], &endpoint);
    assert!(line.contains("Address already in use"), "{line}");
}

/// Starts `name`, waits until it handles `sig`, sends it, and checks a clean exit 130.
fn interrupted(name: &str, args: &[String], sig: i32) {
    let mut program = programs::spawn(name, args);
    program.wait_for_handler(sig);
    program.signal(sig);
    let finished = program.wait();
    finished.assert_code(130).assert_no_panic();
    assert!(
        finished.stderr.contains("interrupted"),
        "{name}: {}",
        finished.stderr
    );
}

#[test]
fn ctrl_c_ends_a_server_blocked_in_receive() {
    let (mut server, _) =
        programs::spawn_server("hwserver", 1, |p| vec!["--bind".into(), tcp(p[0])]);
    server.wait_for_handler(libc::SIGINT);
    server.signal(libc::SIGINT);
    let finished = server.wait();
    finished.assert_code(130).assert_no_panic();
}

#[test]
fn ctrl_c_ends_a_client_without_a_server() {
    // Nobody listens there: the request waits, queued, for a server that never comes.
    let nobody = tcp(free_port());
    interrupted("hwclient", &["--connect".into(), nobody], libc::SIGINT);
}

#[test]
fn ctrl_c_ends_a_broker_blocked_in_poll() {
    let (mut broker, _) = programs::spawn_server("rrbroker", 2, |p| {
        vec![
            "--frontend".into(),
            tcp(p[0]),
            "--backend".into(),
            tcp(p[1]),
        ]
    });
    broker.wait_for_handler(libc::SIGINT);
    broker.signal(libc::SIGINT);
    broker.wait().assert_code(130).assert_no_panic();
}

#[test]
fn sigterm_ends_blocked_programs_too() {
    let nobody = tcp(free_port());
    interrupted(
        "rrworker",
        &["--connect".into(), nobody.clone()],
        libc::SIGTERM,
    );
    interrupted(
        "psenvsub",
        &["--connect".into(), nobody.clone()],
        libc::SIGTERM,
    );
    interrupted(
        "syncsub",
        &["--connect".into(), nobody.clone(), "--sync".into(), nobody],
        libc::SIGTERM,
    );
}

/// Runs example `name` with its stderr a pipe that is already closed, as in
/// `name 2>&1 | head -0`: writing there fails (EPIPE), which `eprintln!` would turn into a
/// panic (exit 101). Returns the exit code and stdout.
fn with_stderr_closed(name: &str, args: &[&str]) -> (i32, String) {
    use std::process::{Command, Stdio};
    let mut child = Command::new(programs::path(name))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stderr.take());
    let out = common::watchdog::within(common::PATIENCE, name, move || child.wait_with_output())
        .expect("wait");
    let code = out.status.code().expect("an exit code, not a signal");
    (code, String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_closed_stderr_is_no_panic() {
    // The error line of a refused endpoint.
    assert_eq!(with_stderr_closed("hwserver", &["--bind", "foo://x"]).0, 1);
    // Notes on stderr along the way, and the exact stdout line still.
    assert_eq!(
        with_stderr_closed("mtrelay", &[]),
        (0, "Test successful!\n".to_string())
    );
    // Any free port (`*`): nothing connects, and no other process can take it first.
    let any = "tcp://127.0.0.1:*";
    let args = [
        "--bind",
        any,
        "--sync",
        any,
        "--subscribers",
        "0",
        "--count",
        "0",
    ];
    assert_eq!(
        with_stderr_closed("syncpub", &args),
        (0, "Sent 0 updates\n".to_string())
    );
}

#[test]
fn ctrl_c_cuts_a_long_delay_short() {
    use zmq_typed::Req;
    // Ten minutes of pretend work per request: only the signal can end it within the test.
    let (mut server, ports) = programs::spawn_server("hwserver", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--delay-ms".into(),
            "600000".into(),
        ]
    });
    let ctx = Context::new().unwrap();
    let req = Req::new(&ctx).unwrap();
    req.connect(tcp(ports[0])).unwrap();
    let _waiting = req.send("Hello").unwrap();
    assert_eq!(server.line(), "Received Hello");
    server.wait_for_handler(libc::SIGINT);
    server.signal(libc::SIGINT);
    server.wait().assert_code(130).assert_no_panic();

    // The same for the pause between two rounds of psenvpub.
    interrupted(
        "psenvpub",
        &[
            "--bind".into(),
            "tcp://127.0.0.1:*".into(),
            "--interval-ms".into(),
            "600000".into(),
        ],
        libc::SIGTERM,
    );
}

#[test]
fn too_many_workers_is_an_error_not_an_abort() {
    // libzmq's default limit is 1023 sockets per context.
    let finished = programs::run(
        "mtserver",
        &["--bind", "tcp://127.0.0.1:*", "--workers", "5000"],
    );
    finished.assert_code(1).assert_no_panic();
    assert!(
        finished.stderr.starts_with("error: ") && finished.stderr.contains("Too many open files"),
        "{}",
        finished.stderr
    );
}

#[test]
fn a_zip_code_that_no_update_can_match_is_a_bad_value() {
    for zip in ["abc", "1000", "100010", "１２３４５", "10001 "] {
        let finished = programs::run("wuclient", &[zip, "--connect", "tcp://127.0.0.1:1"]);
        finished.assert_code(2).assert_no_panic();
        assert!(
            finished.stderr.starts_with("error: ") && finished.stderr.contains("five digits"),
            "{zip:?}: {}",
            finished.stderr
        );
    }
}
