//! The publish-subscribe demo programs as real processes over real TCP: wuserver and
//! wuclient (also wuclient against a library publisher, for its exact average), psenvpub and
//! psenvsub, syncpub with several syncsubs.

mod common;

use common::patient;
use common::programs::{self, tcp, Program};
use zmq_typed::{Context, Sub, XPub};

#[test]
fn wuclient_averages_the_temperatures_of_wuserver_for_its_zip_code() {
    // Ten zip codes instead of 100000, so that 00003 comes up often.
    let (server, ports) = programs::spawn_server("wuserver", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--zips".into(), "10".into()]
    });
    let client = programs::run(
        "wuclient",
        &["00003", "--connect", &tcp(ports[0]), "--count", "20"],
    );
    client.assert_code(0).assert_no_panic();
    let [line] = &client.stdout[..] else {
        panic!("one line expected: {:?}", client.stdout)
    };
    let average: i64 = line
        .strip_prefix("Average temperature for zipcode '00003' was ")
        .and_then(|rest| rest.strip_suffix('F'))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!((-80..=134).contains(&average), "{line}");
    server.interrupt(libc::SIGINT);
}

#[test]
fn wuclient_takes_the_integer_average_of_its_zip_code_only() {
    let ctx = Context::new().unwrap();
    let publisher = patient(XPub::new(&ctx).unwrap());
    let endpoint = publisher.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let mut client = programs::spawn(
        "wuclient",
        &["10001", "--connect", &endpoint, "--count", "4"],
    );
    // Its subscription has arrived: from now on it gets every matching update.
    let subscription = publisher.recv_subscription().unwrap();
    assert!(subscription.is_subscribe());
    assert_eq!(subscription.topic(), b"10001 ");
    for update in [
        "10002 99 10",
        "10001 -3 20",
        "100010 50 11", // not 10001: the subscription ends with a space
        "10001 -4 30",
        "10001 -3 20",
        "01000 120 59",
        "10001 -4 30",
    ] {
        publisher.send(update).unwrap();
    }
    // -14 / 4 is -3 in C's (and Rust's) integer division, which truncates toward zero.
    assert_eq!(
        client.line(),
        "Average temperature for zipcode '10001' was -3F"
    );
    client.wait().assert_code(0).assert_no_panic();
}

#[test]
fn psenvsub_sees_only_the_b_messages_of_psenvpub() {
    let (server, ports) = programs::spawn_server("psenvpub", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--interval-ms".into(),
            "1".into(),
        ]
    });
    let endpoint = tcp(ports[0]);
    // A library subscriber to everything sees the two-frame envelopes of both keys.
    let ctx = Context::new().unwrap();
    let everything = patient(Sub::new(&ctx).unwrap());
    everything.connect(&endpoint).unwrap();
    everything.subscribe("").unwrap();
    let mut keys = Vec::new();
    while keys.len() < 4 {
        let message = everything.recv().unwrap();
        let frames = message.to_vecs();
        match &frames[..] {
            [key, body] if key == b"A" => assert_eq!(body, b"We don't want to see this"),
            [key, body] if key == b"B" => assert_eq!(body, b"We would like to see this"),
            other => panic!("unexpected message {other:?}"),
        }
        keys.push(frames[0].clone());
    }
    assert!(keys.contains(&b"A".to_vec()) && keys.contains(&b"B".to_vec()));
    drop(everything);

    let client = programs::run("psenvsub", &["--connect", &endpoint, "--count", "5"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, vec!["[B] We would like to see this"; 5]);
    server.interrupt(libc::SIGINT);
}

#[test]
fn syncpub_waits_for_every_syncsub_and_each_receives_every_update() {
    const SUBSCRIBERS: usize = 3;
    const UPDATES: usize = 2000;
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
    let subscribers: Vec<Program> = (0..SUBSCRIBERS)
        .map(|_| programs::spawn("syncsub", &["--connect", &updates, "--sync", &sync]))
        .collect();
    assert_eq!(server.line(), format!("Sent {UPDATES} updates"));
    for subscriber in subscribers {
        let finished = subscriber.wait();
        finished.assert_code(0).assert_no_panic();
        assert_eq!(finished.stdout, [format!("Received {UPDATES} updates")]);
    }
    server.wait().assert_code(0).assert_no_panic();
}

#[test]
fn wuserver_binds_every_endpoint_given() {
    let ipc_path = std::env::temp_dir().join(format!("demos-weather-{}.ipc", std::process::id()));
    let ipc = format!("ipc://{}", ipc_path.display());
    let (server, _) = programs::spawn_server("wuserver", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--bind".into(),
            ipc.clone(),
            "--zips".into(),
            "2".into(),
        ]
    });
    let client = programs::run("wuclient", &["00001", "--connect", &ipc, "--count", "5"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout.len(), 1, "{:?}", client.stdout);
    assert!(
        client.stdout[0].starts_with("Average temperature for zipcode '00001' was "),
        "{:?}",
        client.stdout
    );
    server.interrupt(libc::SIGINT);
    let _ = std::fs::remove_file(ipc_path);
}

#[test]
fn psenvpub_stops_after_its_count_of_rounds() {
    let endpoint = tcp(programs::free_port());
    let finished = programs::run(
        "psenvpub",
        &["--bind", &endpoint, "--count", "3", "--interval-ms", "0"],
    );
    finished.assert_code(0).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn psenvsub_refuses_a_message_without_contents() {
    let ctx = Context::new().unwrap();
    let publisher = patient(XPub::new(&ctx).unwrap());
    let endpoint = publisher.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let client = programs::spawn("psenvsub", &["--connect", &endpoint]);
    let subscription = publisher.recv_subscription().unwrap();
    assert_eq!(subscription.topic(), b"B");
    // One frame, the key alone: not the two-frame envelope.
    publisher.send("B").unwrap();
    let finished = client.wait();
    finished.assert_code(1).assert_no_panic();
    assert!(
        finished.stderr.starts_with("error: ")
            && finished.stderr.contains("expected [key][contents]"),
        "{}",
        finished.stderr
    );
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}
