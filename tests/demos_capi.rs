//! The `capi_*` programs (the guide's C programs, written over the raw `zmq_ffi` crate) run
//! as processes, against each other, against the library's sockets and, when they are
//! built, against their safe twins: the exact stdout lines and exit codes of the demo
//! programs' contract.
//!
//! The programs are run through `tests/common/programs.rs`, which builds a missing example
//! (`cargo build --example NAME`) the first time a test needs it.

mod common;

use std::thread;

use common::programs::{self, ipc, spawn, spawn_server, tcp, Finished, Program};
use common::{socket, PATIENCE};
use zmq_typed::{Context, Socket, SocketType};

// ---------------------------------------------------------------------------------------
// Request-reply

/// Odd messages a peer may send: long, with control characters, binary, several frames.
fn odd_messages() -> Vec<Vec<Vec<u8>>> {
    let frames: [&[&[u8]]; 7] = [
        &[b"Hello"],
        &[&[b'A'; 300]],
        &[b"\x1b[31mred\r"],
        &[b"a", b"b"],
        &[&[0xff, 0xfe]],
        &[b"[bracket"],
        &[b""],
    ];
    frames
        .iter()
        .map(|m| m.iter().map(|f| f.to_vec()).collect())
        .collect()
}

/// Whatever a peer sends, a capi twin prints it as the safe twin does (`Multipart`'s
/// display: a long frame whole, control characters and binary in hex, frames bracketed).
#[test]
fn odd_requests_and_replies_print_as_the_safe_twins_print_them() {
    let count = odd_messages().len().to_string();
    let mut printed = Vec::new();
    for (server, client) in [("hwserver", "hwclient"), ("capi_hwserver", "capi_hwclient")] {
        let ctx = Context::new().unwrap();
        let endpoint = ipc("odd");
        let args = ["--bind", &endpoint, "--delay-ms", "0", "--count", &count];
        let mut server = spawn(server, &args);
        let req = socket(&ctx, SocketType::Req);
        req.connect(endpoint.as_str()).unwrap();
        for message in odd_messages() {
            req.send_multipart(message).unwrap();
            assert_eq!(req.recv_string().unwrap(), "World");
        }
        let requests = server.lines(odd_messages().len());
        server.wait().assert_code(0);

        let rep = socket(&ctx, SocketType::Rep);
        let endpoint = rep.bind("tcp://127.0.0.1:*").unwrap().to_string();
        let client = spawn(client, &["--connect", &endpoint, "--count", &count]);
        for message in odd_messages() {
            assert_eq!(rep.recv_string().unwrap(), "Hello");
            rep.send_multipart(message).unwrap();
        }
        let client = client.wait();
        client.assert_code(0);
        printed.push((requests, client.stdout));
    }
    assert_eq!(printed[0], printed[1]);
    assert_eq!(printed[0].0[2], "Received [0x1b5b33316d7265640d]");
}

/// `server` (capi or safe) answers `client` (the other kind) over TCP: the same lines.
fn hello_world_twins(server: &str, client: &str) {
    let (server, ports) = spawn_server(server, 1, |p| {
        let bind = format!("--bind={}", tcp(p[0]));
        vec![bind, "--delay-ms=0".into(), "--count=2".into()]
    });
    let client = programs::run(client, &["--connect", &tcp(ports[0]), "--count", "2"]);
    client.assert_code(0);
    assert_eq!(client.stdout, ["Received World 0", "Received World 1"]);
    let server = server.wait();
    server.assert_code(0);
    assert_eq!(server.stdout, ["Received Hello", "Received Hello"]);
}

#[test]
fn capi_hwserver_with_the_safe_hwclient() {
    hello_world_twins("capi_hwserver", "hwclient");
}

#[test]
fn capi_hwclient_with_the_safe_hwserver() {
    hello_world_twins("hwserver", "capi_hwclient");
}

#[test]
fn the_safe_rrclient_and_rrworker_through_capi_rrbroker() {
    let (frontend, backend) = (ipc("twin-front"), ipc("twin-back"));
    let broker = spawn(
        "capi_rrbroker",
        &["--frontend", &frontend, "--backend", &backend],
    );
    let mut worker = spawn("rrworker", &["--connect", &backend, "--delay-ms", "0"]);
    let client = programs::run("rrclient", &["--connect", &frontend, "--count", "2"]);
    client.assert_code(0);
    assert_eq!(
        client.stdout,
        ["Received reply 0 [World]", "Received reply 1 [World]"]
    );
    assert_eq!(worker.line(), "Received request: [Hello]");
    assert_eq!(worker.line(), "Received request: [Hello]");
    worker.wait_for_handler(libc::SIGINT);
    worker.signal(libc::SIGINT);
    worker.wait().assert_code(130);
    broker.signal_until_exit(libc::SIGINT).assert_code(130);
}

// ---------------------------------------------------------------------------------------
// Publish-subscribe

#[test]
fn capi_wuserver_publishes_the_guide_format_to_a_library_sub() {
    let ctx = Context::new().unwrap();
    let endpoint = ipc("weather-lib");
    let server = spawn("capi_wuserver", &["--bind", &endpoint]);
    let sub = socket(&ctx, SocketType::Sub);
    sub.connect(endpoint.as_str()).unwrap();
    sub.subscribe("").unwrap();
    for _ in 0..100 {
        let update = sub.recv_string().unwrap();
        let fields: Vec<&str> = update.split(' ').collect();
        let [zip, temperature, humidity] = fields.as_slice() else {
            panic!("{update:?}")
        };
        assert_eq!(zip.len(), 5, "{update:?}");
        assert!(zip.parse::<u32>().unwrap() < 100_000);
        assert!((-80..=134).contains(&temperature.parse::<i32>().unwrap()));
        assert!((10..=59).contains(&humidity.parse::<i32>().unwrap()));
    }
    let end = server.signal_until_exit(libc::SIGTERM);
    end.assert_code(130).assert_no_panic();
}

/// `capi_wuclient --count <count>` subscribed to a library XPUB that sends `updates` once
/// the subscription is there: how it ends.
fn capi_wuclient_fed(count: &str, updates: &[&str]) -> Finished {
    let ctx = Context::new().unwrap();
    let xpub = socket(&ctx, SocketType::XPub);
    let endpoint = xpub.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let client = spawn("capi_wuclient", &["--connect", &endpoint, "--count", count]);
    // The subscription reaching the XPUB says the client will get what follows.
    assert_eq!(xpub.recv_bytes().unwrap(), b"\x0110001 ");
    for update in updates {
        xpub.send(*update).unwrap();
    }
    client.wait()
}

#[test]
fn capi_wuclient_averages_what_a_library_xpub_sends() {
    let updates = ["10002 99 10", "10001 50 20", "10001 61 30", "10001 -20 40"];
    let end = capi_wuclient_fed("3", &updates);
    end.assert_code(0);
    // (50 + 61 - 20) / 3, truncated as C's integer division does.
    let expected = "Average temperature for zipcode '10001' was 30F";
    assert_eq!(end.stdout, [expected]);
}

#[test]
fn capi_wuclient_refuses_an_update_that_is_not_weather() {
    let end = capi_wuclient_fed("2", &["10001 hot 20"]);
    end.assert_code(1).assert_no_panic();
    assert!(end.stdout.is_empty());
    let expected = r#"error: malformed message: not a weather update: "10001 hot 20""#;
    assert_eq!(end.stderr.lines().last(), Some(expected));
}

/// A zip code too long to subscribe to safely (libzmq removes a subscription one stack
/// frame per byte): the line and exit code of the safe twin.
#[test]
fn a_zip_code_no_update_can_match_is_refused_like_wuclient() {
    for zip in [
        "1".repeat(5000),
        "1000".into(),
        "100010".into(),
        "abcde".into(),
    ] {
        let ends = ["wuclient", "capi_wuclient"].map(|name| {
            let end = programs::run(name, &["--connect", "tcp://127.0.0.1:9", &zip]);
            end.assert_code(2).assert_no_panic();
            end.stderr.lines().next().unwrap_or_default().to_string()
        });
        assert!(ends[0].contains("a zip code is five digits"), "{}", ends[0]);
        assert_eq!(ends[0], ends[1]);
    }
}

// ---------------------------------------------------------------------------------------
// Pipeline

#[test]
fn capi_pipeline_runs_a_batch_end_to_end() {
    let (tasks, results) = (ipc("tasks"), ipc("results"));
    let sink = spawn("capi_tasksink", &["--bind", &results, "--tasks", "20"]);
    let workers: Vec<Program> = (0..2)
        .map(|_| spawn("capi_taskwork", &["--connect", &tasks, "--sink", &results]))
        .collect();
    // Both workers and the sink connected before the first task (`--workers 2`): the batch
    // start reaches the sink first, and the tasks are dealt to both workers.
    let (bind, sink_at) = (format!("--bind={tasks}"), format!("--sink={results}"));
    let args = [
        &bind,
        &sink_at,
        "--tasks=20",
        "--max-ms=3",
        "--no-wait",
        "--workers=2",
    ];
    let vent = programs::run("capi_taskvent", &args);
    vent.assert_code(0);
    let [line] = vent.stdout.as_slice() else {
        panic!("{:?}", vent.stdout)
    };
    let cost: u32 = line
        .strip_prefix("Total expected cost: ")
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!((20..=60).contains(&cost), "20 tasks of 1..=3 ms: {line}");

    // The sink ends only after all 20 results: every task was done.
    let sink = sink.wait();
    sink.assert_code(0);
    let [line] = sink.stdout.as_slice() else {
        panic!("{:?}", sink.stdout)
    };
    assert!(
        line.strip_prefix("Total elapsed time: ")
            .and_then(|l| l.strip_suffix(" msec"))
            .is_some_and(|n| n.parse::<u64>().is_ok()),
        "{line:?}"
    );
    let progress = sink.stderr.matches([':', '.']).count();
    assert_eq!(progress, 20, "progress: {:?}", sink.stderr);

    for worker in workers {
        let end = worker.signal_until_exit(libc::SIGINT);
        end.assert_code(130);
        assert!(end.stdout.is_empty());
    }
}

/// A sink that is not there does not hang the ventilator at its end: the batch start
/// waits in its queue for the safe twins' linger (2 s), not for ever (libzmq's default).
#[test]
fn capi_taskvent_ends_like_taskvent_when_the_sink_is_gone() {
    for name in ["capi_taskvent", "taskvent"] {
        let ctx = Context::new().unwrap();
        let (tasks, no_sink) = (ipc("vent-tasks"), ipc("no-sink"));
        let (bind, sink) = (format!("--bind={tasks}"), format!("--sink={no_sink}"));
        let vent = spawn(
            name,
            &[&bind, &sink, "--tasks=3", "--max-ms=1", "--no-wait"],
        );
        let pull = socket(&ctx, SocketType::Pull);
        pull.connect(tasks.as_str()).unwrap();
        for _ in 0..3 {
            assert_eq!(pull.recv_string().unwrap(), "1", "{name}");
        }
        let end = vent.wait();
        end.assert_code(0);
        assert_eq!(end.stdout, ["Total expected cost: 3 msec"], "{name}");
    }
}

#[test]
fn capi_taskwork_serves_library_push_and_pull() {
    let ctx = Context::new().unwrap();
    let push = socket(&ctx, SocketType::Push);
    let pull = socket(&ctx, SocketType::Pull);
    let tasks = push.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let results = pull.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let worker = spawn(
        "capi_taskwork",
        &["--connect", &tasks, "--sink", &results, "--count", "3"],
    );
    for workload in ["1", "2", "0"] {
        push.send(workload).unwrap();
    }
    for _ in 0..3 {
        assert_eq!(pull.recv_bytes().unwrap(), b"");
    }
    let end = worker.wait();
    end.assert_code(0);
    assert_eq!(end.stderr, "1.2.0.");
}

/// Whatever comes first starts the batch, as in the C program and the safe twin: the
/// ventilator's `0` comes over a connection of its own, so a worker's empty result can
/// come before it.
#[test]
fn capi_tasksink_and_tasksink_take_any_first_message_as_the_batch_start() {
    for name in ["capi_tasksink", "tasksink"] {
        let ctx = Context::new().unwrap();
        let results = ipc("any-start");
        let sink = spawn(name, &["--bind", &results, "--tasks", "2"]);
        let push = socket(&ctx, SocketType::Push);
        push.connect(results.as_str()).unwrap();
        for message in ["", "", ""] {
            push.send(message).unwrap();
        }
        let end = sink.wait();
        end.assert_code(0);
        let [line] = end.stdout.as_slice() else {
            panic!("{name}: {:?}", end.stdout)
        };
        assert!(line.starts_with("Total elapsed time: "), "{name}: {line}");
        assert_eq!(end.stderr, ":.\n", "{name}");
    }
}

// ---------------------------------------------------------------------------------------
// Brokers

/// Two library REQ clients and two library REP workers through the broker `name`: every
/// reply reaches the client that asked; then SIGINT stops the broker with code 130.
fn broker_with_library_peers(name: &str) {
    let ctx = Context::new().unwrap();
    let (frontend, backend) = (ipc("frontend"), ipc("backend"));
    let broker = spawn(name, &["--frontend", &frontend, "--backend", &backend]);

    let workers: Vec<_> = (0..2)
        .map(|w| {
            let rep = Socket::new(&ctx, SocketType::Rep).unwrap();
            rep.connect(backend.as_str()).unwrap();
            thread::spawn(move || {
                let mut served = 0;
                // Until the test shuts the context down.
                while let Ok(request) = rep.recv_string() {
                    rep.send(format!("{request} served by worker {w}")).unwrap();
                    served += 1;
                }
                served
            })
        })
        .collect();

    let clients: Vec<_> = (0..2)
        .map(|c| {
            let req = socket(&ctx, SocketType::Req);
            req.connect(frontend.as_str()).unwrap();
            thread::spawn(move || {
                for i in 0..5 {
                    let request = format!("client {c} request {i}");
                    req.send(request.as_str()).unwrap();
                    let reply = req.recv_string().unwrap();
                    assert!(
                        reply == format!("{request} served by worker 0")
                            || reply == format!("{request} served by worker 1"),
                        "{reply:?} for {request:?}"
                    );
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    ctx.shutdown().unwrap();
    let served: u32 = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert_eq!(served, 10);

    let end = broker.signal_until_exit(libc::SIGINT);
    end.assert_code(130);
    assert!(end.stdout.is_empty(), "{:?}", end.stdout);
    assert_eq!(end.stderr, "interrupted\n");
}

#[test]
fn capi_rrbroker_with_library_clients_and_workers() {
    broker_with_library_peers("capi_rrbroker");
}

#[test]
fn capi_msgqueue_with_library_clients_and_workers() {
    broker_with_library_peers("capi_msgqueue");
}

// ---------------------------------------------------------------------------------------
// Errors and signals

/// Endpoints that libzmq takes (and binds some other port, or retries for ever) or refuses
/// in its own words: each twin gives the same exit code (1) and the same last stderr line
/// as its safe twin, never a hang or a bind.
#[test]
fn bad_endpoints_end_like_the_safe_twins() {
    let endpoints = [
        "tcp://127.0.0.1:-1", // libzmq binds port 65535
        "tcp://127.0.0.1:+5", // libzmq: EINVAL
        "tcp://127.0.0.1:5x", // libzmq's zmq_connect takes it and retries for ever
        "tcp://127.0.0.1:-1;127.0.0.1:5",
        "tcp://[::1]", // idem
        "tcp://127.0.0.1",
        "tcp://300.1.1.1:5",
        "tcp://;127.0.0.1:5",
        "tcp://",
        "tcp://127.0.0.1:99999", // libzmq binds another port
        "epgm://127.0.0.1;239.192.1.1:0",
        "nope",
    ];
    for endpoint in endpoints {
        for (program, flag) in [("hwserver", "--bind"), ("hwclient", "--connect")] {
            let twin = format!("capi_{program}");
            let safe = programs::run(program, &[flag, endpoint, "--count", "1"]);
            let raw = programs::run(&twin, &[flag, endpoint, "--count", "1"]);
            safe.assert_code(1).assert_no_panic();
            raw.assert_code(1).assert_no_panic();
            assert!(raw.stdout.is_empty(), "{twin} {endpoint}: {:?}", raw.stdout);
            // (A client says what it is doing on stderr first.)
            let last = |f: &Finished| f.stderr.lines().last().unwrap_or_default().to_string();
            assert_eq!(last(&raw), last(&safe), "{twin} {flag} {endpoint}");
            assert!(last(&raw).starts_with("error: "), "{twin} {endpoint}");
        }
    }
}

#[test]
fn an_endpoint_libzmq_refuses_is_an_error_line_and_exit_1() {
    let frontend = ipc("refused");
    let bad_backend = "ipc:///nonexistent-folder/x";
    let unassigned = "tcp://192.0.2.1:5560";
    for (name, args, endpoint) in [
        (
            "capi_hwserver",
            vec!["--bind", "tcp://nope:5"],
            "tcp://nope:5",
        ),
        ("capi_hwclient", vec!["--connect", "bogus://x"], "bogus://x"),
        (
            "capi_rrbroker",
            vec!["--frontend", "tcp://127.0.0.1:*", "--backend", bad_backend],
            bad_backend,
        ),
        (
            "capi_msgqueue",
            vec!["--frontend", &frontend, "--backend", unassigned],
            unassigned,
        ),
    ] {
        let end = programs::run(name, &args);
        end.assert_code(1).assert_no_panic();
        assert!(end.stdout.is_empty());
        let last = end.stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("error: ") && last.contains(endpoint),
            "{name} {endpoint}: {:?}",
            end.stderr
        );
    }
}

#[test]
fn an_address_in_use_names_the_endpoint() {
    let ctx = Context::new().unwrap();
    let taken = socket(&ctx, SocketType::Rep);
    let endpoint = taken.bind("tcp://127.0.0.1:*").unwrap().to_string();
    for name in ["capi_tasksink", "tasksink"] {
        let end = programs::run(name, &["--bind", &endpoint]);
        end.assert_code(1);
        assert_eq!(
            end.stderr,
            format!("error: Address already in use (bind {endpoint})\n"),
            "{name}"
        );
    }
}

#[test]
fn a_bad_flag_exits_2_with_an_error_line() {
    for (name, args) in [
        ("capi_hwserver", &["--bogus"][..]),
        ("capi_hwclient", &["--count", "many"][..]),
        ("capi_hwclient", &["--count", "-1"][..]),
        ("capi_hwserver", &["--delay-ms", "18446744073709551616"][..]),
        ("capi_taskvent", &["--max-ms", "0"][..]),
        ("capi_taskvent", &["--tasks", "-5"][..]),
        ("capi_wuclient", &["--count", "0"][..]),
        ("capi_wuserver", &["--zips", "100001"][..]),
    ] {
        let end = programs::run(name, args);
        end.assert_code(2).assert_no_panic();
        assert!(end.stdout.is_empty());
        assert!(
            end.stderr.starts_with("error: "),
            "{name}: {:?}",
            end.stderr
        );
    }
}

/// A closed stdout (`capi_hwclient | head -1`): `error: ...` and exit 1, as the safe twin,
/// not a panic.
#[test]
fn a_closed_stdout_is_an_error_line_and_exit_1() {
    let ctx = Context::new().unwrap();
    let rep = socket(&ctx, SocketType::Rep);
    let endpoint = rep.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let server = thread::spawn(move || {
        // Until the test's context ends (both clients have gone).
        while rep.recv_string().is_ok() {
            if rep.send("World").is_err() {
                break;
            }
        }
    });
    for name in ["capi_hwclient", "hwclient"] {
        let mut fds = [0; 2];
        // SAFETY: `fds` holds the two descriptors pipe() writes.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both descriptors are ours and open: the read end is closed at once, the
        // write end is handed to the child's stdout (and closed here with the Stdio).
        let write_end = unsafe {
            libc::close(fds[0]);
            <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fds[1])
        };
        let mut command = std::process::Command::new(programs::path(name));
        command
            .args(["--connect", &endpoint, "--count", "3"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::from(write_end));
        let out = common::watchdog::within(PATIENCE, name, move || command.output().unwrap());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("error: ") && last.contains("Broken pipe"),
            "{name}: {stderr:?}"
        );
        assert!(!stderr.contains("panicked"), "{name}: {stderr:?}");
    }
    ctx.shutdown().unwrap();
    server.join().unwrap();
}

/// SIGINT ends `capi_hwserver --delay-ms <delay>` with 130 and `interrupted`, once it has
/// printed its first request: blocked in `zmq_recv` after its reply (no delay), or during
/// the pretend work (a long delay: the guide's `s_sleep` is a `nanosleep` that the signal
/// cuts short, where `std::thread::sleep` would sleep on).
fn sigint_ends_capi_hwserver(delay: &str) {
    let ctx = Context::new().unwrap();
    let endpoint = ipc("sigint");
    let mut server = spawn("capi_hwserver", &["--bind", &endpoint, "--delay-ms", delay]);
    let req = socket(&ctx, SocketType::Req);
    req.connect(endpoint.as_str()).unwrap();
    req.send("Hello").unwrap();
    assert_eq!(server.line(), "Received Hello");
    if delay == "0" {
        assert_eq!(req.recv_string().unwrap(), "World"); // and it waits in zmq_recv
    }
    let end = server.signal_until_exit(libc::SIGINT);
    end.assert_code(130);
    assert!(end.stdout.is_empty(), "{:?}", end.stdout);
    assert_eq!(end.stderr, "interrupted\n");
}

#[test]
fn sigint_ends_a_blocked_capi_hwserver_with_130() {
    sigint_ends_capi_hwserver("0");
}

#[test]
fn sigint_during_the_work_ends_capi_hwserver_at_once() {
    sigint_ends_capi_hwserver("600000");
}
