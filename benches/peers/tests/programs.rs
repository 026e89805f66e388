//! The peer programs run as a user runs them: real sockets over inproc and tcp 127.0.0.1, small
//! counts, the output lines matched exactly, bad arguments refused with libzmq's usage line.

use regex::Regex;
use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished program left: exit status, stdout, stderr.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn bin(name: &str) -> Command {
    let path = match name {
        "local_thr" => env!("CARGO_BIN_EXE_local_thr"),
        "remote_thr" => env!("CARGO_BIN_EXE_remote_thr"),
        "local_lat" => env!("CARGO_BIN_EXE_local_lat"),
        "remote_lat" => env!("CARGO_BIN_EXE_remote_lat"),
        "inproc_thr" => env!("CARGO_BIN_EXE_inproc_thr"),
        "inproc_lat" => env!("CARGO_BIN_EXE_inproc_lat"),
        "libzmq_origin" => env!("CARGO_BIN_EXE_libzmq_origin"),
        other => panic!("no program {other}"),
    };
    let mut command = Command::new(path);
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn spawn(name: &str, args: &[&str]) -> Child {
    bin(name)
        .args(args)
        .spawn()
        .unwrap_or_else(|e| panic!("{name} does not start: {e}"))
}

/// Waits for a program, killing it (and failing) after 30 s so a lost peer cannot hang the tests.
fn wait(name: &str, mut child: Child) -> Run {
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{name} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stdout = String::new();
    let mut stderr = String::new();
    if let Some(mut out) = child.stdout.take() {
        out.read_to_string(&mut stdout).expect("stdout");
    }
    if let Some(mut err) = child.stderr.take() {
        err.read_to_string(&mut stderr).expect("stderr");
    }
    Run {
        code: status.code(),
        stdout,
        stderr,
    }
}

fn run(name: &str, args: &[&str]) -> Run {
    wait(name, spawn(name, args))
}

/// A tcp endpoint on 127.0.0.1 with a port that was free a moment ago.
fn free_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = listener.local_addr().expect("local_addr").port();
    format!("tcp://127.0.0.1:{port}")
}

/// Asserts that `output` is exactly these lines, each matching its pattern in full.
fn assert_lines(output: &str, patterns: &[&str]) {
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), patterns.len(), "output:\n{output}");
    assert!(
        output.is_empty() || output.ends_with('\n'),
        "output:\n{output}"
    );
    for (line, pattern) in lines.iter().zip(patterns) {
        let re = Regex::new(&format!("^{pattern}$")).expect("pattern");
        assert!(re.is_match(line), "{line:?} does not match {pattern:?}");
    }
}

const THROUGHPUT: [&str; 2] = [
    r"mean throughput: [1-9][0-9]* \[msg/s\]",
    r"mean throughput: [0-9]+\.[0-9]{3} \[Mb/s\]",
];
const LATENCY: &str = r"average latency: [0-9]+\.[0-9]{3} \[us\]";

fn assert_ok(run: &Run, patterns: &[&str]) {
    assert_eq!(run.code, Some(0), "stderr: {}", run.stderr);
    assert_eq!(run.stderr, "");
    assert_lines(&run.stdout, patterns);
}

#[test]
fn inproc_thr_prints_libzmqs_four_lines() {
    let run = run("inproc_thr", &["1", "2000"]);
    let [msgs, megabits] = THROUGHPUT;
    assert_ok(
        &run,
        &[
            r"message size: 1 \[B\]",
            "message count: 2000",
            msgs,
            megabits,
        ],
    );
}

#[test]
fn inproc_lat_prints_libzmqs_three_lines() {
    let run = run("inproc_lat", &["1024", "200"]);
    assert_ok(
        &run,
        &[r"message size: 1024 \[B\]", "roundtrip count: 200", LATENCY],
    );
}

#[test]
fn local_thr_and_remote_thr_measure_over_tcp() {
    let endpoint = free_endpoint();
    let local = spawn("local_thr", &[&endpoint, "1024", "2000"]);
    let remote = run("remote_thr", &[&endpoint, "1024", "2000"]);
    let local = wait("local_thr", local);
    assert_ok(&remote, &[]);
    let [msgs, megabits] = THROUGHPUT;
    assert_ok(
        &local,
        &[
            r"message size: 1024 \[B\]",
            "message count: 2000",
            msgs,
            megabits,
        ],
    );
}

#[test]
fn local_lat_and_remote_lat_measure_over_tcp() {
    let endpoint = free_endpoint();
    let local = spawn("local_lat", &[&endpoint, "1", "200"]);
    let remote = run("remote_lat", &[&endpoint, "1", "200"]);
    let local = wait("local_lat", local);
    assert_ok(&local, &[]);
    assert_ok(
        &remote,
        &[r"message size: 1 \[B\]", "roundtrip count: 200", LATENCY],
    );
}

#[test]
fn a_message_of_another_size_is_an_error_with_status_255() {
    let endpoint = free_endpoint();
    let local = spawn("local_thr", &[&endpoint, "2", "10"]);
    let remote = run("remote_thr", &[&endpoint, "1", "10"]);
    let local = wait("local_thr", local);
    assert_eq!(remote.code, Some(0), "stderr: {}", remote.stderr);
    assert_eq!(local.code, Some(255));
    assert_eq!(local.stdout, "");
    assert_eq!(
        local.stderr,
        "message of incorrect size received (expected 2 B, got 1 B)\n"
    );
}

#[test]
fn curve_mode_runs_where_libzmq_has_curve_and_is_refused_precisely_elsewhere() {
    let origin = run("libzmq_origin", &[]);
    let endpoint = free_endpoint();
    if origin.stdout.ends_with(", with CURVE\n") {
        let local = spawn("local_thr", &[&endpoint, "1", "100", "1"]);
        let remote = run("remote_thr", &[&endpoint, "1", "100", "1"]);
        let local = wait("local_thr", local);
        assert_ok(&remote, &[]);
        let [msgs, megabits] = THROUGHPUT;
        assert_ok(
            &local,
            &[
                r"message size: 1 \[B\]",
                "message count: 100",
                msgs,
                megabits,
            ],
        );
    } else {
        let remote = run("remote_thr", &[&endpoint, "1", "100", "1"]);
        assert_eq!(remote.code, Some(255));
        assert_eq!(
            remote.stderr,
            format!(
                "error: <enable_curve> asks for CURVE, which this libzmq lacks: {}",
                origin.stdout
            )
        );
    }
}

#[test]
fn libzmq_origin_names_the_version_and_where_it_lives() {
    let run = run("libzmq_origin", &[]);
    assert_ok(
        &run,
        &[concat!(
            r"libzmq [0-9]+\.[0-9]+\.[0-9]+ ",
            r"\((shared: /\S*/libzmq\.so[0-9.]*|static: linked into the binary)\), ",
            r"(with|without) CURVE"
        )],
    );
}

#[test]
fn bad_arguments_print_libzmqs_usage_line_and_exit_1() {
    let usages = [
        (
            "local_thr",
            "usage: local_thr <bind-to> <message-size> <message-count> [<enable_curve>]",
        ),
        (
            "remote_thr",
            "usage: remote_thr <connect-to> <message-size> <message-count> [<enable_curve>]",
        ),
        (
            "local_lat",
            "usage: local_lat <bind-to> <message-size> <roundtrip-count>",
        ),
        (
            "remote_lat",
            "usage: remote_lat <connect-to> <message-size> <roundtrip-count>",
        ),
        (
            "inproc_thr",
            "usage: inproc_thr <message-size> <message-count>",
        ),
        (
            "inproc_lat",
            "usage: inproc_lat <message-size> <roundtrip-count>",
        ),
    ];
    for (name, usage) in usages {
        let none = run(name, &[]);
        assert_eq!(none.code, Some(1), "{name}");
        assert_eq!(none.stdout, format!("{usage}\n"), "{name}");
        assert_eq!(none.stderr, "", "{name}");

        let inproc = name.starts_with("inproc");
        let args: &[&str] = if inproc {
            &["1k", "10"]
        } else {
            &["tcp://127.0.0.1:1", "1k", "10"]
        };
        let not_a_number = run(name, args);
        assert_eq!(not_a_number.code, Some(1), "{name}");
        assert_eq!(not_a_number.stdout, format!("{usage}\n"), "{name}");
        assert_eq!(
            not_a_number.stderr,
            "error: <message-size> must be a non-negative integer, got \"1k\"\n",
            "{name}"
        );

        let args: &[&str] = if inproc {
            &["1", "0"]
        } else {
            &["tcp://127.0.0.1:1", "1", "0"]
        };
        let zero = run(name, args);
        let count = if name.contains("thr") {
            "<message-count>"
        } else {
            "<roundtrip-count>"
        };
        assert_eq!(zero.code, Some(1), "{name}");
        assert_eq!(
            zero.stderr,
            format!("error: {count} must be at least 1, got \"0\"\n"),
            "{name}"
        );
    }
    // Only the 4.3.4 throughput programs take the trailing <enable_curve>.
    let five = run("local_lat", &["tcp://127.0.0.1:1", "1", "10", "1"]);
    assert_eq!(five.code, Some(1));
}
