//! The basic demo programs as real processes against peers made from the library, over
//! real TCP: each server with library clients, each client against a library server.
//! wuserver feeds a library SUB, mtserver serves several library REQs at once, syncpub
//! feeds library `SyncSubscriber`s and syncsub reads a library `SyncPublisher`, rrclient
//! talks to a library REP and rrworker to a library REQ that binds, taskwork works for a
//! library ventilator and sink, psenvsub filters a library publisher's envelopes.

mod common;

use std::collections::BTreeSet;
use std::thread;

use common::programs::{self, tcp};
use common::{patient, PATIENCE};
use zmq_typed::patterns::{SyncPublisher, SyncSubscriber};
use zmq_typed::{Context, Pull, Push, Rep, Req, Sub, XPub};

#[test]
fn wuserver_publishes_well_formed_updates_to_a_library_sub() {
    let (server, ports) = programs::spawn_server("wuserver", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--zips".into(), "10".into()]
    });
    let ctx = Context::new().unwrap();
    let sub = patient(Sub::new(&ctx).unwrap());
    sub.connect(tcp(ports[0])).unwrap();
    sub.subscribe("00007 ").unwrap();
    for _ in 0..50 {
        let update = sub.recv().unwrap().into_string().unwrap();
        let fields: Vec<&str> = update.split(' ').collect();
        let [zip, temperature, humidity] = fields[..] else {
            panic!("three fields expected: {update:?}")
        };
        // "%05d": five digits, the zip subscribed to (of 0..10).
        assert_eq!(zip, "00007", "{update:?}");
        let temperature: i64 = temperature.parse().unwrap_or_else(|_| panic!("{update:?}"));
        let humidity: i64 = humidity.parse().unwrap_or_else(|_| panic!("{update:?}"));
        assert!((-80..=134).contains(&temperature), "{update:?}");
        assert!((10..=59).contains(&humidity), "{update:?}");
        // "%d": no sign but the minus, no leading zeros.
        assert_eq!(update, format!("00007 {temperature} {humidity}"));
    }
    // Closed while wuserver runs: closing it after would wait out its linger on the
    // subscription it queues for the reconnection.
    drop(sub);
    server.interrupt(libc::SIGINT);
}

#[test]
fn mtserver_answers_several_library_req_clients_at_once() {
    const CLIENTS: usize = 4;
    const REQUESTS: usize = 5;
    let (server, ports) = programs::spawn_server("mtserver", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--workers".into(),
            "3".into(),
            "--delay-ms".into(),
            "0".into(),
        ]
    });
    let endpoint = tcp(ports[0]);
    let ctx = Context::new().unwrap();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (ctx, endpoint) = (ctx.clone(), endpoint.clone());
            thread::spawn(move || {
                let mut req = patient(Req::new(&ctx).unwrap());
                req.connect(&endpoint).unwrap();
                for i in 0..REQUESTS {
                    let (reply, ready) = req
                        .send(format!("client {c} request {i}"))
                        .unwrap()
                        .recv()
                        .unwrap();
                    assert_eq!(reply, "World");
                    req = ready;
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
    let mut server = server;
    let printed: BTreeSet<String> = server.lines(CLIENTS * REQUESTS).into_iter().collect();
    let sent: BTreeSet<String> = (0..CLIENTS)
        .flat_map(|c| (0..REQUESTS).map(move |i| (c, i)))
        .map(|(c, i)| format!("Received request: [client {c} request {i}]"))
        .collect();
    assert_eq!(printed, sent);
    let finished = server.interrupt(libc::SIGINT);
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn syncpub_sends_every_update_to_each_library_sync_subscriber() {
    const SUBSCRIBERS: usize = 3;
    const UPDATES: usize = 1000;
    let (mut server, ports) = programs::spawn_server("syncpub", 2, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--sync".into(),
            tcp(p[1]),
            "--subscribers".into(),
            SUBSCRIBERS.to_string(),
            "--count".into(),
            UPDATES.to_string(),
        ]
    });
    let (updates, sync) = (tcp(ports[0]), tcp(ports[1]));
    let ctx = Context::new().unwrap();
    let subscribers: Vec<_> = (0..SUBSCRIBERS)
        .map(|_| {
            let (ctx, updates, sync) = (ctx.clone(), updates.clone(), sync.clone());
            thread::spawn(move || {
                let subscriber = SyncSubscriber::connect(&ctx, &updates, &sync, &[""]).unwrap();
                subscriber.sync(Some(PATIENCE)).unwrap();
                let mut received = Vec::new();
                loop {
                    let update = subscriber.recv_timeout(PATIENCE).unwrap();
                    if update == "END" {
                        break;
                    }
                    received.push(update.into_string().unwrap());
                }
                received
            })
        })
        .collect();
    for subscriber in subscribers {
        assert_eq!(subscriber.join().unwrap(), vec!["Rhubarb"; UPDATES]);
    }
    assert_eq!(server.line(), format!("Sent {UPDATES} updates"));
    let finished = server.wait();
    finished.assert_code(0).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn syncsub_counts_every_update_of_a_library_sync_publisher() {
    const UPDATES: usize = 500;
    let ctx = Context::new().unwrap();
    let publisher = SyncPublisher::bind(&ctx, "tcp://127.0.0.1:*", "tcp://127.0.0.1:*").unwrap();
    let subscriber = programs::spawn(
        "syncsub",
        &[
            "--connect",
            publisher.updates_endpoint(),
            "--sync",
            publisher.sync_endpoint(),
        ],
    );
    publisher.wait_for_subscribers(1, Some(PATIENCE)).unwrap();
    for i in 0..UPDATES {
        publisher.send(format!("update {i}")).unwrap();
    }
    publisher.send("END").unwrap();
    // Open until syncsub has read to the end and left.
    publisher.wait_for_departures(Some(PATIENCE)).unwrap();
    let finished = subscriber.wait();
    finished.assert_code(0).assert_no_panic();
    assert_eq!(finished.stdout, [format!("Received {UPDATES} updates")]);
}

#[test]
fn rrclient_prints_each_distinct_reply_of_a_library_rep() {
    const REQUESTS: usize = 4;
    let ctx = Context::new().unwrap();
    let rep = patient(Rep::new(&ctx).unwrap());
    let endpoint = rep.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let server = thread::spawn(move || {
        let mut rep = rep;
        let mut requests = Vec::new();
        for i in 0..REQUESTS {
            let (request, replying) = rep.recv().unwrap();
            requests.push(request.into_string().unwrap());
            rep = replying.send(format!("World {i}")).unwrap();
        }
        requests
    });
    let count = REQUESTS.to_string();
    let client = programs::run("rrclient", &["--connect", &endpoint, "--count", &count]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(
        client.stdout,
        (0..REQUESTS)
            .map(|i| format!("Received reply {i} [World {i}]"))
            .collect::<Vec<_>>()
    );
    assert_eq!(server.join().unwrap(), vec!["Hello"; REQUESTS]);
}

#[test]
fn rrworker_answers_each_request_of_a_library_req_that_binds() {
    const REQUESTS: usize = 4;
    let ctx = Context::new().unwrap();
    let mut req = patient(Req::new(&ctx).unwrap());
    let endpoint = req.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let count = REQUESTS.to_string();
    let mut worker = programs::spawn(
        "rrworker",
        &["--connect", &endpoint, "--delay-ms", "0", "--count", &count],
    );
    for i in 0..REQUESTS {
        let (reply, ready) = req.send(format!("Task {i}")).unwrap().recv().unwrap();
        assert_eq!(reply, "World");
        assert_eq!(worker.line(), format!("Received request: [Task {i}]"));
        req = ready;
    }
    let finished = worker.wait();
    finished.assert_code(0).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn taskwork_does_each_task_of_a_library_ventilator_for_a_library_sink() {
    const TASKS: usize = 5;
    let ctx = Context::new().unwrap();
    let ventilator = patient(Push::new(&ctx).unwrap());
    let vent_endpoint = ventilator.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let sink = patient(Pull::new(&ctx).unwrap());
    let sink_endpoint = sink.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let count = TASKS.to_string();
    let worker = programs::spawn(
        "taskwork",
        &[
            "--connect",
            &vent_endpoint,
            "--sink",
            &sink_endpoint,
            "--count",
            &count,
        ],
    );
    // The one worker gets every task: a PUSH holds them until it connects.
    for workload in 1..=TASKS {
        ventilator.send(workload.to_string()).unwrap();
    }
    for _ in 0..TASKS {
        let result = sink.recv().unwrap();
        assert_eq!(result.to_vecs(), [Vec::<u8>::new()]);
    }
    let finished = worker.wait();
    finished.assert_code(0).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
    // A mark per task on stderr, the workload then a dot, in the order sent.
    let marks: String = (1..=TASKS).map(|w| format!("{w}.")).collect();
    assert_eq!(finished.stderr, marks);
}

#[test]
fn psenvsub_prints_only_the_b_envelopes_of_a_library_publisher_in_order() {
    let ctx = Context::new().unwrap();
    let publisher = patient(XPub::new(&ctx).unwrap());
    let endpoint = publisher.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let client = programs::spawn("psenvsub", &["--connect", &endpoint, "--count", "3"]);
    // Its subscription has arrived: from now on every B message reaches it.
    let subscription = publisher.recv_subscription().unwrap();
    assert!(subscription.is_subscribe());
    assert_eq!(subscription.topic(), b"B");
    for (key, body) in [
        ("A", "We don't want to see this"),
        ("B", "We would like to see this"),
        ("A", "Nor this"),
        ("B", "Another body"),
        ("BB", "A longer key starting with B"),
        ("A", "Still not this"),
    ] {
        publisher.send_multipart([key, body]).unwrap();
    }
    let finished = client.wait();
    finished.assert_code(0).assert_no_panic();
    assert_eq!(
        finished.stdout,
        [
            "[B] We would like to see this",
            "[B] Another body",
            "[BB] A longer key starting with B",
        ]
    );
}
