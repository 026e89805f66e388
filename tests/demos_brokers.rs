//! The broker demo programs as real processes: rrbroker (a poll loop) and msgqueue (the
//! proxy) between rrclient processes, a library REQ client and rrworker processes, and
//! mtserver (worker threads behind the proxy) serving hwclient; and both brokers between
//! several library REQ clients and several library REP workers that echo, so that each
//! client checks that the reply it got is the one to its own request.

mod common;

use std::collections::BTreeMap;
use std::thread;

use common::patient;
use common::programs::{self, tcp, Program};
use zmq_typed::{Context, Rep, Req};

/// Requests per client.
const REQUESTS: usize = 5;

/// Starts `broker` on two free ports, two rrworkers behind it, two rrclients and a library
/// REQ client in front; checks that every client got exactly its replies, that the workers
/// saw every request once, and that Ctrl-C ends the broker and the workers cleanly.
fn broker_carries_every_request_and_reply(broker: &str) {
    let (mut broker, ports) = programs::spawn_server(broker, 2, |p| {
        vec![
            "--frontend".into(),
            tcp(p[0]),
            "--backend".into(),
            tcp(p[1]),
        ]
    });
    let (frontend, backend) = (tcp(ports[0]), tcp(ports[1]));
    let mut workers: Vec<Program> = (0..2)
        .map(|_| programs::spawn("rrworker", &["--connect", &backend, "--delay-ms", "0"]))
        .collect();
    let count = REQUESTS.to_string();
    let clients: Vec<Program> = (0..2)
        .map(|_| programs::spawn("rrclient", &["--connect", &frontend, "--count", &count]))
        .collect();

    // A library client with requests of its own: each reply comes back to it, in order.
    let ctx = Context::new().unwrap();
    let mut req = patient(Req::new(&ctx).unwrap());
    req.connect(&frontend).unwrap();
    for i in 0..REQUESTS {
        let (reply, ready) = req.send(format!("Hello {i}")).unwrap().recv().unwrap();
        assert_eq!(reply, "World");
        req = ready;
    }

    let expected: Vec<String> = (0..REQUESTS)
        .map(|i| format!("Received reply {i} [World]"))
        .collect();
    for client in clients {
        let finished = client.wait();
        finished.assert_code(0).assert_no_panic();
        assert_eq!(finished.stdout, expected);
    }

    // Every request reached one worker exactly once.
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for worker in &mut workers {
        worker.wait_for_handler(libc::SIGINT);
        worker.signal(libc::SIGINT);
    }
    for worker in workers {
        let finished = worker.wait();
        finished.assert_code(130).assert_no_panic();
        for line in finished.stdout {
            *seen.entry(line).or_default() += 1;
        }
    }
    let mut want: BTreeMap<String, usize> = (0..REQUESTS)
        .map(|i| (format!("Received request: [Hello {i}]"), 1))
        .collect();
    want.insert("Received request: [Hello]".into(), 2 * REQUESTS);
    assert_eq!(seen, want);

    broker.wait_for_handler(libc::SIGINT);
    broker.signal(libc::SIGINT);
    let finished = broker.wait();
    finished.assert_code(130).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn rrbroker_carries_every_request_to_a_worker_and_every_reply_to_its_client() {
    broker_carries_every_request_and_reply("rrbroker");
}

#[test]
fn msgqueue_carries_every_request_to_a_worker_and_every_reply_to_its_client() {
    broker_carries_every_request_and_reply("msgqueue");
}

/// Starts `broker` on two free ports, library REP workers that echo each request behind it
/// and library REQ clients in front, each in its own thread with requests of its own; each
/// client checks that every reply is the echo of its own request (the broker routed it back
/// to the client that asked), and the workers together served every request exactly once.
fn broker_routes_each_echo_to_the_client_that_asked(broker: &str) {
    const CLIENTS: usize = 4;
    const WORKERS: usize = 3;
    let (broker, ports) = programs::spawn_server(broker, 2, |p| {
        vec![
            "--frontend".into(),
            tcp(p[0]),
            "--backend".into(),
            tcp(p[1]),
        ]
    });
    let (frontend, backend) = (tcp(ports[0]), tcp(ports[1]));
    // The workers' own context: shutting it down ends their blocked recv once every
    // client has its replies.
    let workers_ctx = Context::new().unwrap();
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (ctx, backend) = (workers_ctx.clone(), backend.clone());
            thread::spawn(move || {
                let mut rep = patient(Rep::new(&ctx).unwrap());
                rep.connect(&backend).unwrap();
                let mut served = Vec::new();
                loop {
                    let (request, replying) = match rep.recv() {
                        Ok(received) => received,
                        Err(failed) => {
                            assert!(failed.error().is_terminated(), "{:?}", failed.error());
                            return served;
                        }
                    };
                    served.push(request.to_vecs());
                    rep = replying.send(request).unwrap();
                }
            })
        })
        .collect();
    let ctx = Context::new().unwrap();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (ctx, frontend) = (ctx.clone(), frontend.clone());
            thread::spawn(move || {
                let mut req = patient(Req::new(&ctx).unwrap());
                req.connect(&frontend).unwrap();
                for i in 0..REQUESTS {
                    let request = format!("client {c} request {i}");
                    let (reply, ready) = req.send(request.as_str()).unwrap().recv().unwrap();
                    assert_eq!(reply, request.as_str());
                    req = ready;
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    workers_ctx.shutdown().unwrap();
    let mut served: BTreeMap<Vec<Vec<u8>>, usize> = BTreeMap::new();
    for worker in workers {
        for request in worker.join().unwrap() {
            *served.entry(request).or_default() += 1;
        }
    }
    let sent: BTreeMap<Vec<Vec<u8>>, usize> = (0..CLIENTS)
        .flat_map(|c| (0..REQUESTS).map(move |i| format!("client {c} request {i}")))
        .map(|request| (vec![request.into_bytes()], 1))
        .collect();
    assert_eq!(served, sent);
    let finished = broker.interrupt(libc::SIGINT);
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn rrbroker_routes_each_echo_to_the_client_that_asked() {
    broker_routes_each_echo_to_the_client_that_asked("rrbroker");
}

#[test]
fn msgqueue_routes_each_echo_to_the_client_that_asked() {
    broker_routes_each_echo_to_the_client_that_asked("msgqueue");
}

#[test]
fn mtserver_serves_hwclient_from_its_worker_threads() {
    let (mut server, ports) = programs::spawn_server("mtserver", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--workers".into(),
            "3".into(),
            "--delay-ms".into(),
            "0".into(),
        ]
    });
    let client = programs::run("hwclient", &["--connect", &tcp(ports[0]), "--count", "6"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(
        client.stdout,
        (0..6)
            .map(|i| format!("Received World {i}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(server.lines(6), vec!["Received request: [Hello]"; 6]);
    server.wait_for_handler(libc::SIGINT);
    server.signal(libc::SIGINT);
    let finished = server.wait();
    finished.assert_code(130).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

/// Waits until `program` has written `text` on stderr (at most PATIENCE).
fn wait_for_stderr(program: &Program, text: &str) {
    let deadline = std::time::Instant::now() + common::PATIENCE;
    while !program.stderr().contains(text) {
        assert!(
            std::time::Instant::now() < deadline,
            "no {text:?} on stderr: {}",
            program.stderr()
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn rrbroker_survives_a_worker_whose_reply_has_no_routing_id() {
    let (mut broker, ports) = programs::spawn_server("rrbroker", 2, |p| {
        vec![
            "--frontend".into(),
            tcp(p[0]),
            "--backend".into(),
            tcp(p[1]),
        ]
    });
    // A raw ZMTP worker, the only one: first a one-frame "reply" that names no client.
    let mut worker = common::zmtp::RawPeer::connect(&tcp(ports[1]), "DEALER").unwrap();
    worker.send_frame(b"junk", false).unwrap();
    wait_for_stderr(&broker, "dropped a reply");

    // The broker still carries a request to that worker and its well-formed reply back.
    let ctx = Context::new().unwrap();
    let req = patient(Req::new(&ctx).unwrap());
    req.connect(tcp(ports[0])).unwrap();
    let waiting = req.send("Hello").unwrap();
    let (id, more) = worker.recv_frame().unwrap();
    assert!(more);
    assert_eq!(worker.recv_frame().unwrap(), (vec![], true));
    assert_eq!(worker.recv_frame().unwrap(), (b"Hello".to_vec(), false));
    worker.send_frame(&id, true).unwrap();
    worker.send_frame(b"", true).unwrap();
    worker.send_frame(b"World", false).unwrap();
    let (reply, _) = waiting.recv().unwrap();
    assert_eq!(reply, "World");

    broker.wait_for_handler(libc::SIGINT);
    broker.signal(libc::SIGINT);
    broker.wait().assert_code(130).assert_no_panic();
}
