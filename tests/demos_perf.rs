//! The perf tools (`local_thr`, `remote_thr`, `local_lat`, `remote_lat`, `inproc_thr`,
//! `inproc_lat`) and their raw twins (`raw_*`) as processes: small counts over inproc and
//! tcp on 127.0.0.1, the exact lines libzmq's perf programs print, either side swapped for
//! the other's twin (and with CURVE), the usage line and exit code 1 for bad arguments,
//! and one quick round of `perf/compare.sh`. No timing is asserted: only formats.

mod common;

use std::path::Path;
use std::process::Command;

use common::programs::{run, spawn, spawn_server, tcp, Finished};
use zmq_typed::{has, Capability};

/// The programs, by the name of libzmq's.
const PROGRAMS: [&str; 6] = [
    "local_thr",
    "remote_thr",
    "local_lat",
    "remote_lat",
    "inproc_thr",
    "inproc_lat",
];

/// The arguments each program takes, as its usage line names them.
fn arguments(program: &str) -> &'static str {
    match program {
        "local_thr" => "<bind-to> <message-size> <message-count> [<enable_curve>]",
        "remote_thr" => "<connect-to> <message-size> <message-count> [<enable_curve>]",
        "local_lat" => "<bind-to> <message-size> <roundtrip-count>",
        "remote_lat" => "<connect-to> <message-size> <roundtrip-count>",
        "inproc_thr" => "<message-size> <message-count>",
        "inproc_lat" => "<message-size> <roundtrip-count>",
        other => panic!("no program {other}"),
    }
}

/// The safe program and its raw twin.
fn both(program: &str) -> [String; 2] {
    [program.to_string(), format!("raw_{program}")]
}

/// Whether `line` is `pattern` with each `{int}` a run of digits and each `{fixed3}`
/// digits, a point and three digits (C's `%.3f`).
fn matches(line: &str, pattern: &str) -> bool {
    fn number(text: &str, fixed3: bool) -> Option<&str> {
        let digits = text.len() - text.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits == 0 {
            return None;
        }
        let rest = &text[digits..];
        if !fixed3 {
            return Some(rest);
        }
        let fraction = rest.strip_prefix('.')?;
        let three = fraction.get(..3)?;
        three
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| &fraction[3..])
    }
    let mut rest = line;
    let mut pattern = pattern;
    loop {
        let next = [("{int}", false), ("{fixed3}", true)]
            .into_iter()
            .filter_map(|(p, f)| pattern.find(p).map(|at| (at, p, f)))
            .min();
        match next {
            None => return rest == pattern,
            Some((at, placeholder, fixed3)) => {
                let Some(after) = rest.strip_prefix(&pattern[..at]) else {
                    return false;
                };
                let Some(after) = number(after, fixed3) else {
                    return false;
                };
                rest = after;
                pattern = &pattern[at + placeholder.len()..];
            }
        }
    }
}

#[test]
fn the_line_patterns_are_exact() {
    assert!(matches(
        "mean throughput: 12 [msg/s]",
        "mean throughput: {int} [msg/s]"
    ));
    assert!(!matches(
        "mean throughput: 12.5 [msg/s]",
        "mean throughput: {int} [msg/s]"
    ));
    assert!(!matches(
        "mean throughput:  12 [msg/s]",
        "mean throughput: {int} [msg/s]"
    ));
    assert!(matches(
        "average latency: 7.250 [us]",
        "average latency: {fixed3} [us]"
    ));
    assert!(!matches(
        "average latency: 7.25 [us]",
        "average latency: {fixed3} [us]"
    ));
    assert!(!matches(
        "average latency: 7.2500 [us]",
        "average latency: {fixed3} [us]"
    ));
}

/// Asserts that the program ended with code 0 and printed exactly these lines.
fn assert_lines(finished: &Finished, patterns: &[String]) {
    finished.assert_code(0).assert_no_panic();
    assert_eq!(
        finished.stdout.len(),
        patterns.len(),
        "lines: {:?}",
        finished.stdout
    );
    for (line, pattern) in finished.stdout.iter().zip(patterns) {
        assert!(matches(line, pattern), "`{line}` is not `{pattern}`");
    }
}

/// The four lines of `local_thr` and `inproc_thr`.
fn throughput_lines(size: usize, count: usize) -> Vec<String> {
    vec![
        format!("message size: {size} [B]"),
        format!("message count: {count}"),
        "mean throughput: {int} [msg/s]".into(),
        "mean throughput: {fixed3} [Mb/s]".into(),
    ]
}

/// The three lines of `remote_lat` and `inproc_lat`.
fn latency_lines(size: usize, count: usize) -> Vec<String> {
    vec![
        format!("message size: {size} [B]"),
        format!("roundtrip count: {count}"),
        "average latency: {fixed3} [us]".into(),
    ]
}

#[test]
fn inproc_throughput_prints_libzmqs_lines() {
    for program in both("inproc_thr") {
        for (size, count) in [(1, 2000), (1024, 500), (0, 1)] {
            let finished = run(&program, &[size.to_string(), count.to_string()]);
            assert_lines(&finished, &throughput_lines(size, count));
        }
    }
}

#[test]
fn inproc_latency_prints_libzmqs_lines() {
    for program in both("inproc_lat") {
        for (size, count) in [(1, 200), (1024, 50)] {
            let finished = run(&program, &[size.to_string(), count.to_string()]);
            assert_lines(&finished, &latency_lines(size, count));
        }
    }
}

/// `local` binds on a free port, `remote` connects; returns how each ended.
fn tcp_pair(local: &str, remote: &str, size: usize, count: usize, extra: &[&str]) -> [Finished; 2] {
    let args = |endpoint: String| {
        let mut args = vec![endpoint, size.to_string(), count.to_string()];
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    };
    let (local, ports) = spawn_server(local, 1, |ports| args(tcp(ports[0])));
    let remote = spawn(remote, &args(tcp(ports[0]))).wait();
    [local.wait(), remote]
}

#[test]
fn tcp_throughput_pairs_print_libzmqs_lines_on_the_receiving_side() {
    let pairs = [
        ("local_thr", "remote_thr"),
        ("raw_local_thr", "raw_remote_thr"),
        ("local_thr", "raw_remote_thr"),
        ("raw_local_thr", "remote_thr"),
    ];
    for (local, remote) in pairs {
        for (size, count) in [(1, 2000), (1024, 300)] {
            let [local, remote] = tcp_pair(local, remote, size, count, &[]);
            assert_lines(&local, &throughput_lines(size, count));
            assert_lines(&remote, &[]);
        }
    }
}

#[test]
fn tcp_throughput_with_curve_uses_libzmqs_keys_on_both_sides() {
    if !has(Capability::Curve) {
        common::skip(
            "tcp_throughput_with_curve",
            "libzmq was built without CURVE",
        );
        return;
    }
    for (local, remote) in [
        ("local_thr", "raw_remote_thr"),
        ("raw_local_thr", "remote_thr"),
    ] {
        let [local, remote] = tcp_pair(local, remote, 100, 300, &["1"]);
        assert_lines(&local, &throughput_lines(100, 300));
        assert_lines(&remote, &[]);
    }
}

#[test]
fn tcp_latency_pairs_print_libzmqs_lines_on_the_asking_side() {
    // Each local_lat sleeps a second before it closes, as libzmq's does: two pairs, which
    // run every program once, each against the other's twin.
    let pairs = [
        ("local_lat", "raw_remote_lat"),
        ("raw_local_lat", "remote_lat"),
    ];
    std::thread::scope(|scope| {
        for (local, remote) in pairs {
            scope.spawn(move || {
                let [local, remote] = tcp_pair(local, remote, 10, 100, &[]);
                assert_lines(&local, &[]);
                assert_lines(&remote, &latency_lines(10, 100));
            });
        }
    });
}

#[test]
fn a_message_of_another_size_is_reported_with_code_255() {
    for local in both("local_thr") {
        let (local, ports) = spawn_server(&local, 1, |ports| {
            vec![tcp(ports[0]), "2".into(), "10".into()]
        });
        // remote_thr waits for ever (libzmq's linger) for a peer that went away: it is killed
        // when dropped.
        let _remote = spawn("remote_thr", &[tcp(ports[0]), "1".into(), "10".into()]);
        let local = local.wait();
        local.assert_no_panic();
        assert_eq!(local.code(), 255, "{local:?}");
        assert_eq!(local.stdout, ["message of incorrect size received"]);
    }
}

#[test]
fn a_refused_endpoint_is_an_error_in_bind_with_code_255() {
    for (program, call) in [("local_thr", "bind"), ("raw_local_thr", "zmq_bind")] {
        let finished = run(program, &["nonsense://x", "1", "10"]);
        finished.assert_no_panic();
        assert_eq!(finished.code(), 255, "{finished:?}");
        assert_eq!(finished.stdout.len(), 1, "{finished:?}");
        let prefix = format!("error in {call}: ");
        assert!(finished.stdout[0].starts_with(&prefix), "{finished:?}");
        assert!(finished.stdout[0].len() > prefix.len(), "{finished:?}");
    }
}

/// Asserts code 1, the usage line alone on stdout, and `error` (if any) on stderr.
fn assert_usage(program: &str, args: &[&str], usage: &str, error: Option<&str>) {
    let finished = run(program, args);
    finished.assert_no_panic();
    assert_eq!(finished.code(), 1, "{program} {args:?}: {finished:?}");
    assert_eq!(finished.stdout, [usage], "{program} {args:?}");
    match error {
        None => assert_eq!(finished.stderr, "", "{program} {args:?}"),
        Some(error) => assert_eq!(finished.stderr.trim_end(), error, "{program} {args:?}"),
    }
}

#[test]
fn bad_arguments_print_the_usage_line_and_exit_1() {
    for base in PROGRAMS {
        let inproc = base.starts_with("inproc");
        let count_name = if base.ends_with("thr") {
            "<message-count>"
        } else {
            "<roundtrip-count>"
        };
        for program in both(base) {
            let usage = format!("usage: {program} {}", arguments(base));
            let good: Vec<&str> = if inproc {
                vec!["1", "10"]
            } else {
                vec!["tcp://127.0.0.1:1", "1", "10"]
            };
            let size_at = good.len() - 2;

            // Too few, too many.
            assert_usage(&program, &good[..good.len() - 1], &usage, None);
            let mut too_many = good.clone();
            too_many.extend(["1", "1"]);
            if !base.ends_with("_thr") || inproc {
                too_many.truncate(good.len() + 1);
            }
            assert_usage(&program, &too_many, &usage, None);

            // Not a number (libzmq's atoi would read 0), a count of 0, too large a size.
            let mut args = good.clone();
            args[size_at] = "1k";
            let error =
                "error: <message-size> must be a whole number from 0 to 2147483647, not `1k`";
            assert_usage(&program, &args, &usage, Some(error));
            let mut args = good.clone();
            args[size_at] = "2147483648";
            let error = "error: <message-size> must be a whole number from 0 to 2147483647, \
                         not `2147483648`";
            assert_usage(&program, &args, &usage, Some(error));
            let mut args = good.clone();
            args[size_at + 1] = "0";
            let error =
                format!("error: {count_name} must be a whole number from 1 to 2147483647, not `0`");
            assert_usage(&program, &args, &usage, Some(&error));

            if base == "local_thr" || base == "remote_thr" {
                let mut args = good.clone();
                args.push("yes");
                let error = "error: <enable_curve> must be an integer (0: off), not `yes`";
                assert_usage(&program, &args, &usage, Some(error));
            }
        }
    }
}

/// Runs `perf/compare.sh <args> --no-build --no-c --no-peers` on this test's (debug) builds
/// of the perf tools, their raw twins and `extra`, within `limit` seconds, and returns what
/// it printed; `None` (after a loud skip) when one of `tools` is missing.
fn run_script(
    test: &str,
    tools: &[&str],
    extra: &[&str],
    limit: u32,
    args: &[&str],
) -> Option<String> {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| {
            !Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if !missing.is_empty() {
        common::skip(
            test,
            &format!(
                "needs {} (./dev.sh deps test installs them)",
                missing.join(", ")
            ),
        );
        return None;
    }
    // Built (once) by asking for their paths.
    let mut dir = None;
    for program in PROGRAMS
        .iter()
        .flat_map(|base| both(base))
        .chain(extra.iter().map(|p| p.to_string()))
    {
        dir = common::programs::path(&program)
            .parent()
            .map(Path::to_path_buf);
    }
    let dir = dir.expect("the examples' folder");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("perf/compare.sh");
    let out = Command::new("timeout")
        .arg(limit.to_string())
        .arg("bash")
        .arg(&script)
        .args(args)
        .args(["--no-build", "--no-c", "--no-peers", "--examples"])
        .arg(&dir)
        .output()
        .expect("run perf/compare.sh");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    Some(stdout)
}

/// One quick round of the comparison script, on this test's (debug) builds: a markdown
/// table with a row for each case and a figure for each program.
#[test]
fn the_comparison_script_runs_a_quick_round() {
    let Some(stdout) = run_script(
        "the_comparison_script",
        &["bash", "ss", "timeout"],
        &[],
        120,
        &["--rounds", "1", "--quick"],
    ) else {
        return;
    };
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Machine: ") && l.contains("libzmq 4.")),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Command: `perf/compare.sh --rounds 1 --quick`")),
        "{stdout}"
    );
    let table: Vec<&str> = lines
        .iter()
        .copied()
        .skip_while(|l| !l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 8, "{stdout}");
    assert_eq!(
        table[0],
        "| case | count | raw | zmq-typed | ratio | better |"
    );
    assert_eq!(table[1], "|---|---:|---:|---:|---:|---:|");
    let rows = [
        ("inproc throughput, 1 B [msg/s]", false),
        ("inproc throughput, 1 KiB [msg/s]", false),
        ("tcp throughput, 1 B [msg/s]", false),
        ("tcp throughput, 1 KiB [msg/s]", false),
        ("inproc latency, 1 B [us]", true),
        ("tcp latency, 1 B [us]", true),
    ];
    for (line, (label, latency)) in table[2..].iter().zip(rows) {
        // Throughputs are whole numbers; latencies below 1000 us have three decimals.
        let figure = if latency { "{fixed3}" } else { "{int}" };
        // ratio: two decimals; better: rounds out of 1.
        let pattern =
            format!("| {label} | {{int}} | {figure} | {figure} | {{int}}.{{int}} | {{int}}/1 |");
        let alternative =
            format!("| {label} | {{int}} | {{int}} | {{int}} | {{int}}.{{int}} | {{int}}/1 |");
        assert!(
            matches(line, &pattern) || matches(line, &alternative),
            "`{line}` is not `{pattern}`"
        );
    }
}

/// The script's instruction counts (`--instructions --quick`), on this test's (debug)
/// builds: a table with a count and a ratio for each case, inproc and tcp. The counts themselves
/// are not asserted (a debug build's mean little), only that they are counts.
#[test]
fn the_comparison_script_counts_instructions() {
    let Some(stdout) = run_script(
        "the_comparison_script_counts_instructions",
        &["bash", "valgrind", "ss", "timeout"],
        &["typed_cost"],
        600,
        &["--instructions", "--quick"],
    ) else {
        return;
    };
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("Command: `perf/compare.sh --instructions --quick`")),
        "{stdout}"
    );
    let table: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 8, "{stdout}");
    assert_eq!(table[0], "| case | raw | zmq-typed | ratio |");
    assert_eq!(table[1], "|---|---:|---:|---:|");
    let labels = [
        "inproc throughput, 1 B [instructions/msg]",
        "inproc throughput, 1 KiB [instructions/msg]",
        "tcp throughput, 1 B [instructions/msg, both sides]",
        "tcp throughput, 1 KiB [instructions/msg, both sides]",
        "inproc latency, 1 B [instructions/round trip]",
        "tcp latency, 1 B [instructions/round trip, both sides]",
    ];
    for (line, label) in table[2..].iter().zip(labels) {
        let pattern = format!("| {label} | {{int}}.{{int}} | {{int}}.{{int}} | {{int}}.{{int}} |");
        assert!(matches(line, &pattern), "`{line}` is not `{pattern}`");
    }
    // Then the typed sockets against the dynamic one.
    let typed: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("| exchange |"))
        .collect();
    assert_eq!(typed.len(), 4, "{stdout}");
    assert_eq!(typed[0], "| exchange | dynamic | typed | ratio |");
    for (line, exchange) in typed[2..].iter().zip(["req-rep", "push-pull"]) {
        let pattern =
            format!("| {exchange} | {{int}}.{{int}} | {{int}}.{{int}} | {{int}}.{{int}} |");
        assert!(matches(line, &pattern), "`{line}` is not `{pattern}`");
    }
}

/// `typed_cost` runs each exchange on both kinds of socket, and refuses what it does not
/// know as the perf tools do.
#[test]
fn typed_cost_runs_every_exchange_and_refuses_bad_arguments() {
    for sockets in ["dynamic", "typed"] {
        for (exchange, unit) in [("req-rep", "round trips"), ("push-pull", "messages")] {
            let finished = run("typed_cost", &[sockets, exchange, "50"]);
            finished.assert_no_panic();
            assert_eq!(finished.code(), 0, "{sockets} {exchange}: {finished:?}");
            assert_eq!(finished.stdout.len(), 2, "{finished:?}");
            assert_eq!(finished.stdout[0], format!("{unit}: 50"));
            assert!(
                matches(&finished.stdout[1], "elapsed: {int} [us]"),
                "{finished:?}"
            );
        }
    }
    let usage = "usage: typed_cost <dynamic|typed> <req-rep|push-pull> <count>";
    assert_usage("typed_cost", &["typed", "req-rep"], usage, None);
    assert_usage(
        "typed_cost",
        &["typed", "pub-sub", "5"],
        usage,
        Some(
            "error: the sockets are `dynamic` or `typed`, the exchange `req-rep` or \
             `push-pull`, not `typed pub-sub`",
        ),
    );
    assert_usage(
        "typed_cost",
        &["typed", "req-rep", "0"],
        usage,
        Some("error: <count> must be a whole number from 1 to 2147483647, not `0`"),
    );
}
