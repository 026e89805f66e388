//! The `capi_*` programs (the guide's C programs, written over the raw `zmq_ffi` crate) run
//! as processes, against each other, against the library's sockets and, when they are
//! built, against their safe twins: the exact stdout lines and exit codes of the demo
//! programs' contract.
//!
//! The programs are `target/<profile>/examples/capi_*`: build them first (`./dev.sh test`
//! does, or `cargo build --examples`).

mod common;

mod capi_running;

use std::thread;
use std::time::{Duration, Instant};

use capi_running::{free_tcp_endpoint, ipc, locate, socket, start, Running};
use common::PATIENCE;
use zmq_typed::{Context, Socket, SocketType};

// ---------------------------------------------------------------------------------------
// Request-reply

#[test]
fn capi_hwserver_answers_a_library_req() {
    let ctx = Context::new().unwrap();
    let endpoint = ipc("hw");
    let server = start(
        "capi_hwserver",
        &["--bind", &endpoint, "--delay-ms", "0", "--count", "3"],
    );
    let req = socket(&ctx, SocketType::Req);
    req.connect(endpoint.as_str()).unwrap();
    for text in ["Hello", "Bonjour", "Hallo"] {
        req.send(text).unwrap();
        assert_eq!(req.recv_string().unwrap(), "World");
        assert_eq!(server.next_line(), format!("Received {text}"));
    }
    let (code, rest, stderr) = server.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert!(rest.is_empty(), "{rest:?}");
}

#[test]
fn capi_hwclient_and_capi_hwserver_over_tcp() {
    // A server program needs a port of its own: take a free one, and try another if some
    // other process took it in between.
    for _ in 0..5 {
        let endpoint = free_tcp_endpoint();
        let mut server = start(
            "capi_hwserver",
            &["--bind", &endpoint, "--delay-ms", "0", "--count", "2"],
        );
        let mut client = start("capi_hwclient", &["--connect", &endpoint, "--count", "2"]);
        // Wait for the client, unless the server could not have the port after all.
        let deadline = Instant::now() + PATIENCE;
        let mut port_taken = false;
        while client.wait_for(Duration::ZERO).is_none() && Instant::now() < deadline {
            if server
                .wait_for(Duration::ZERO)
                .is_some_and(|s| s.code() == Some(1))
            {
                port_taken = true;
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
        if port_taken {
            continue;
        }
        let (code, lines, stderr) = client.finish();
        assert_eq!(code, Some(0), "stderr: {stderr}");
        assert_eq!(lines, ["Received World 0", "Received World 1"]);
        let (code, lines, stderr) = server.finish();
        assert_eq!(code, Some(0), "stderr: {stderr}");
        assert_eq!(lines, ["Received Hello", "Received Hello"]);
        return;
    }
    panic!("no free TCP port in five tries");
}

#[test]
fn capi_hwclient_against_a_library_rep() {
    let ctx = Context::new().unwrap();
    let rep = socket(&ctx, SocketType::Rep);
    let endpoint = rep.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let client = start("capi_hwclient", &["--connect", &endpoint, "--count", "3"]);
    for _ in 0..3 {
        assert_eq!(rep.recv_string().unwrap(), "Hello");
        rep.send("World").unwrap();
    }
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(
        lines,
        ["Received World 0", "Received World 1", "Received World 2"]
    );
}

#[test]
fn capi_hwserver_with_the_safe_hwclient() {
    let Some(hwclient) = locate("hwclient") else {
        common::skip(
            "capi_hwserver_with_the_safe_hwclient",
            "the safe twin `hwclient` is not built",
        );
        return;
    };
    let endpoint = ipc("twin");
    let server = start(
        "capi_hwserver",
        &["--bind", &endpoint, "--delay-ms", "0", "--count", "2"],
    );
    let client = Running::start(hwclient, &["--connect", &endpoint, "--count", "2"]);
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(lines, ["Received World 0", "Received World 1"]);
    let (code, lines, _) = server.finish();
    assert_eq!(code, Some(0));
    assert_eq!(lines, ["Received Hello", "Received Hello"]);
}

#[test]
fn capi_hwclient_with_the_safe_hwserver() {
    let Some(hwserver) = locate("hwserver") else {
        common::skip(
            "capi_hwclient_with_the_safe_hwserver",
            "the safe twin `hwserver` is not built",
        );
        return;
    };
    let endpoint = ipc("twin-server");
    let server = Running::start(
        hwserver,
        &["--bind", &endpoint, "--delay-ms", "0", "--count", "2"],
    );
    let client = start("capi_hwclient", &["--connect", &endpoint, "--count", "2"]);
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(lines, ["Received World 0", "Received World 1"]);
    let (code, lines, _) = server.finish();
    assert_eq!(code, Some(0));
    assert_eq!(lines, ["Received Hello", "Received Hello"]);
}

#[test]
fn the_safe_rrclient_and_rrworker_through_capi_rrbroker() {
    let (Some(rrclient), Some(rrworker)) = (locate("rrclient"), locate("rrworker")) else {
        common::skip(
            "the_safe_rrclient_and_rrworker_through_capi_rrbroker",
            "the safe `rrclient` and `rrworker` are not built",
        );
        return;
    };
    let (frontend, backend) = (ipc("twin-front"), ipc("twin-back"));
    let mut broker = start(
        "capi_rrbroker",
        &["--frontend", &frontend, "--backend", &backend],
    );
    let mut worker = Running::start(rrworker, &["--connect", &backend, "--delay-ms", "0"]);
    let client = Running::start(rrclient, &["--connect", &frontend, "--count", "2"]);
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(
        lines,
        ["Received reply 0 [World]", "Received reply 1 [World]"]
    );
    assert_eq!(worker.next_line(), "Received request: [Hello]");
    assert_eq!(worker.next_line(), "Received request: [Hello]");
    worker.interrupt(libc::SIGINT);
    broker.interrupt(libc::SIGINT);
    assert_eq!(broker.finish().0, Some(130));
}

// ---------------------------------------------------------------------------------------
// Publish-subscribe

#[test]
fn capi_wuclient_receives_from_capi_wuserver() {
    let endpoint = ipc("weather");
    let _server = start("capi_wuserver", &["--bind", &endpoint, "--zips", "100"]);
    let client = start(
        "capi_wuclient",
        &["--connect", &endpoint, "--count", "5", "00042"],
    );
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let [line] = lines.as_slice() else {
        panic!("one line expected: {lines:?}")
    };
    // The temperatures are random: -80..=134, so their average too.
    let average = line
        .strip_prefix("Average temperature for zipcode '00042' was ")
        .and_then(|rest| rest.strip_suffix('F'))
        .and_then(|n| n.parse::<i32>().ok())
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    assert!((-80..=134).contains(&average), "{line}");
}

#[test]
fn capi_wuserver_publishes_the_guide_format_to_a_library_sub() {
    let ctx = Context::new().unwrap();
    let endpoint = ipc("weather-lib");
    let mut server = start("capi_wuserver", &["--bind", &endpoint]);
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
    server.interrupt(libc::SIGTERM);
    let (code, _, stderr) = server.finish();
    assert_eq!(code, Some(130), "stderr: {stderr}");
}

#[test]
fn capi_wuclient_averages_what_a_library_xpub_sends() {
    let ctx = Context::new().unwrap();
    let xpub = socket(&ctx, SocketType::XPub);
    let endpoint = xpub.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let client = start("capi_wuclient", &["--connect", &endpoint, "--count", "3"]);
    // The subscription reaching the XPUB says the client will get what follows.
    assert_eq!(xpub.recv_bytes().unwrap(), b"\x0110001 ");
    for update in ["10002 99 10", "10001 50 20", "10001 61 30", "10001 -20 40"] {
        xpub.send(update).unwrap();
    }
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    // (50 + 61 - 20) / 3, truncated as C's integer division does.
    assert_eq!(lines, ["Average temperature for zipcode '10001' was 30F"]);
}

// ---------------------------------------------------------------------------------------
// Pipeline

#[test]
fn capi_pipeline_runs_a_batch_end_to_end() {
    let (tasks, results) = (ipc("tasks"), ipc("results"));
    let sink = start("capi_tasksink", &["--bind", &results, "--tasks", "20"]);
    let workers: Vec<Running> = (0..2)
        .map(|_| start("capi_taskwork", &["--connect", &tasks, "--sink", &results]))
        .collect();
    let vent = start(
        "capi_taskvent",
        &[
            "--bind",
            &tasks,
            "--sink",
            &results,
            "--tasks",
            "20",
            "--max-ms",
            "3",
            "--no-wait",
            // Both workers and the sink connected before the first task: the batch start
            // reaches the sink first, and the tasks are dealt to both workers.
            "--workers",
            "2",
        ],
    );
    let (code, lines, stderr) = vent.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let [line] = lines.as_slice() else {
        panic!("{lines:?}")
    };
    let cost: u32 = line
        .strip_prefix("Total expected cost: ")
        .and_then(|l| l.strip_suffix(" msec"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!((20..=60).contains(&cost), "20 tasks of 1..=3 ms: {line}");

    // The sink ends only after all 20 results: every task was done.
    let (code, lines, stderr) = sink.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    let [line] = lines.as_slice() else {
        panic!("{lines:?}")
    };
    assert!(
        line.strip_prefix("Total elapsed time: ")
            .and_then(|l| l.strip_suffix(" msec"))
            .is_some_and(|n| n.parse::<u64>().is_ok()),
        "{line:?}"
    );
    assert_eq!(
        stderr.matches([':', '.']).count(),
        20,
        "progress: {stderr:?}"
    );

    for mut worker in workers {
        worker.interrupt(libc::SIGINT);
        let (code, lines, stderr) = worker.finish();
        assert_eq!(code, Some(130), "stderr: {stderr}");
        assert!(lines.is_empty());
    }
}

#[test]
fn capi_taskwork_serves_library_push_and_pull() {
    let ctx = Context::new().unwrap();
    let push = socket(&ctx, SocketType::Push);
    let pull = socket(&ctx, SocketType::Pull);
    let tasks = push.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let results = pull.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let worker = start(
        "capi_taskwork",
        &["--connect", &tasks, "--sink", &results, "--count", "3"],
    );
    for workload in ["1", "2", "0"] {
        push.send(workload).unwrap();
    }
    for _ in 0..3 {
        assert_eq!(pull.recv_bytes().unwrap(), b"");
    }
    let (code, _, stderr) = worker.finish();
    assert_eq!(code, Some(0), "stderr: {stderr}");
    assert_eq!(stderr, "1.2.0.");
}

#[test]
fn capi_tasksink_refuses_a_bad_batch_start() {
    let ctx = Context::new().unwrap();
    let results = ipc("bad-start");
    let sink = start("capi_tasksink", &["--bind", &results, "--tasks", "1"]);
    let push = socket(&ctx, SocketType::Push);
    push.connect(results.as_str()).unwrap();
    push.send("go").unwrap();
    let (code, lines, stderr) = sink.finish();
    assert_eq!(code, Some(1));
    assert!(lines.is_empty());
    assert_eq!(
        stderr,
        "error: malformed message: the batch start is \"0\", not go\n"
    );
}

#[test]
fn capi_wuclient_refuses_an_update_that_is_not_weather() {
    let ctx = Context::new().unwrap();
    let xpub = socket(&ctx, SocketType::XPub);
    let endpoint = xpub.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let client = start("capi_wuclient", &["--connect", &endpoint, "--count", "2"]);
    assert_eq!(xpub.recv_bytes().unwrap(), b"\x0110001 ");
    xpub.send("10001 hot 20").unwrap();
    let (code, lines, stderr) = client.finish();
    assert_eq!(code, Some(1));
    assert!(lines.is_empty());
    assert_eq!(
        stderr.lines().last(),
        Some(r#"error: malformed message: not a weather update: "10001 hot 20""#)
    );
}

// ---------------------------------------------------------------------------------------
// Brokers

/// Two library REQ clients and two library REP workers through the broker `name`: every
/// reply reaches the client that asked; then SIGINT stops the broker with code 130.
fn broker_with_library_peers(name: &str) {
    let ctx = Context::new().unwrap();
    let (frontend, backend) = (ipc("frontend"), ipc("backend"));
    let mut broker = start(name, &["--frontend", &frontend, "--backend", &backend]);

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

    broker.interrupt(libc::SIGINT);
    let (code, lines, stderr) = broker.finish();
    assert_eq!(code, Some(130), "stderr: {stderr}");
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(stderr, "interrupted\n");
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

#[test]
fn a_port_out_of_range_is_refused() {
    let server = start("capi_hwserver", &["--bind", "tcp://127.0.0.1:99999"]);
    let (code, lines, stderr) = server.finish();
    assert_eq!(code, Some(1));
    assert!(lines.is_empty());
    assert_eq!(
        stderr,
        "error: invalid endpoint `tcp://127.0.0.1:99999`: port 99999 is out of range (0-65535, or * for any free port)\n"
    );
}

#[test]
fn an_endpoint_libzmq_refuses_is_an_error_line_and_exit_1() {
    let frontend = ipc("refused");
    for (name, args, endpoint, what) in [
        (
            "capi_hwserver",
            vec!["--bind", "tcp://nope"],
            "tcp://nope",
            "bind",
        ),
        (
            "capi_hwclient",
            vec!["--connect", "bogus://x"],
            "bogus://x",
            "connect",
        ),
        (
            "capi_rrbroker",
            vec!["--frontend", "tcp://127.0.0.1"],
            "tcp://127.0.0.1",
            "bind",
        ),
        (
            "capi_msgqueue",
            vec!["--frontend", &frontend, "--backend", "ipc://"],
            "ipc://",
            "bind",
        ),
    ] {
        let (code, lines, stderr) = start(name, &args).finish();
        assert_eq!(code, Some(1), "{name} {endpoint}: {stderr}");
        assert!(lines.is_empty());
        // The last line (a client may say what it is doing first).
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("error: ") && last.ends_with(&format!("({what} {endpoint})")),
            "{name} {endpoint}: {stderr:?}"
        );
    }
}

#[test]
fn an_address_in_use_names_the_endpoint() {
    let ctx = Context::new().unwrap();
    let taken = socket(&ctx, SocketType::Rep);
    let endpoint = taken.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let (code, _, stderr) = start("capi_tasksink", &["--bind", &endpoint]).finish();
    assert_eq!(code, Some(1));
    assert_eq!(
        stderr,
        format!("error: Address already in use (bind {endpoint})\n")
    );
}

#[test]
fn a_bad_flag_exits_2_with_an_error_line() {
    for (name, args) in [
        ("capi_hwserver", &["--bogus"][..]),
        ("capi_hwclient", &["--count", "many"][..]),
        ("capi_taskvent", &["--max-ms", "0"][..]),
        ("capi_wuclient", &["--count", "0"][..]),
        ("capi_wuserver", &["--zips", "100001"][..]),
    ] {
        let (code, lines, stderr) = start(name, args).finish();
        assert_eq!(code, Some(2), "{name}: {stderr}");
        assert!(lines.is_empty());
        assert!(stderr.starts_with("error: "), "{name}: {stderr:?}");
    }
}

#[test]
fn sigint_ends_a_blocked_capi_hwserver_with_130() {
    let ctx = Context::new().unwrap();
    let endpoint = ipc("sigint");
    let mut server = start("capi_hwserver", &["--bind", &endpoint, "--delay-ms", "0"]);
    // One round trip: the server is in its loop, its signal handler installed.
    let req = socket(&ctx, SocketType::Req);
    req.connect(endpoint.as_str()).unwrap();
    req.send("Hello").unwrap();
    assert_eq!(req.recv_string().unwrap(), "World");
    assert_eq!(server.next_line(), "Received Hello");
    // Now it waits in zmq_recv.
    server.interrupt(libc::SIGINT);
    let (code, lines, stderr) = server.finish();
    assert_eq!(code, Some(130));
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(stderr, "interrupted\n");
}
