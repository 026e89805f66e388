//! The request-reply demo programs as real processes over real TCP: hwserver answering a
//! library REQ, hwclient talking to a library REP, and mtrelay's three threads.

mod common;

use std::thread;

use common::patient;
use common::programs::{self, tcp};
use zmq_typed::{Context, Rep, Req};

#[test]
fn hwserver_answers_a_library_req_and_prints_each_request() {
    let (mut server, ports) = programs::spawn_server("hwserver", 1, |p| {
        vec![
            "--bind".into(),
            tcp(p[0]),
            "--delay-ms".into(),
            "0".into(),
            "--count".into(),
            "3".into(),
        ]
    });
    let ctx = Context::new().unwrap();
    let mut req = patient(Req::new(&ctx).unwrap());
    req.connect(tcp(ports[0])).unwrap();
    for _ in 0..3 {
        let (reply, ready) = req.send("Hello").unwrap().recv().unwrap();
        assert_eq!(reply, "World");
        assert_eq!(server.line(), "Received Hello");
        req = ready;
    }
    let finished = server.wait();
    finished.assert_code(0).assert_no_panic();
    assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
}

#[test]
fn hwclient_talks_to_a_library_rep_and_prints_each_reply() {
    let ctx = Context::new().unwrap();
    let rep = patient(Rep::new(&ctx).unwrap());
    let endpoint = rep.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let server = thread::spawn(move || {
        let mut rep = rep;
        let mut requests = Vec::new();
        for _ in 0..4 {
            let (request, replying) = rep.recv().unwrap();
            requests.push(request.into_string().unwrap());
            rep = replying.send("World").unwrap();
        }
        requests
    });
    let client = programs::run("hwclient", &["--connect", &endpoint, "--count", "4"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(
        client.stdout,
        (0..4)
            .map(|i| format!("Received World {i}"))
            .collect::<Vec<_>>()
    );
    assert_eq!(server.join().unwrap(), vec!["Hello"; 4]);
}

#[test]
fn mtrelay_passes_the_signal_through_its_three_threads() {
    let finished = programs::run::<&str>("mtrelay", &[]);
    finished.assert_code(0).assert_no_panic();
    assert_eq!(finished.stdout, ["Test successful!"]);
}
