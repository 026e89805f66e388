//! The security programs as real processes: `curve_keygen` makes the certificates,
//! `curve_server` lets in only the clients whose certificates are in its `--allow` folder,
//! `curve_client` is served when it belongs and says why when it is kept out; certificates
//! written by hand in czmq's and pyzmq's formats work with the programs; bad files are
//! errors, never panics.

mod common;

use std::path::{Path, PathBuf};

use common::programs::{self, tcp, Program};
use common::temp_dir::TempDir;
use zmq_typed::Certificate;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/certs");

/// Runs `curve_keygen` for `names` in `dir`.
fn keygen(dir: &Path, names: &[&str]) {
    let mut args = vec!["--dir".to_string(), dir.display().to_string()];
    for name in names {
        args.push("--name".into());
        args.push((*name).into());
    }
    let finished = programs::run("curve_keygen", &args);
    finished.assert_code(0).assert_no_panic();
    assert_eq!(
        finished.stdout.len(),
        2 * names.len(),
        "{:?}",
        finished.stdout
    );
}

/// A folder holding copies of `public` certificate files: the server's allow-list.
fn allow(tmp: &TempDir, public: &[PathBuf]) -> PathBuf {
    let dir = tmp.join("allowed");
    std::fs::create_dir_all(&dir).expect("make the allow folder");
    for file in public {
        let name = file.file_name().expect("a file name");
        std::fs::copy(file, dir.join(name)).expect("copy a certificate");
    }
    dir
}

/// Starts `curve_server` on a free port; returns it with the endpoint to connect to.
fn server(cert: &Path, allowed: &Path, count: u64) -> (Program, String) {
    let (program, ports) = programs::spawn_server("curve_server", 1, |ports| {
        vec![
            "--bind".into(),
            tcp(ports[0]),
            "--cert".into(),
            cert.display().to_string(),
            "--allow".into(),
            allowed.display().to_string(),
            "--count".into(),
            count.to_string(),
        ]
    });
    (program, format!("tcp://127.0.0.1:{}", ports[0]))
}

fn client(endpoint: &str, cert: &Path, server_key: &Path, extra: &[&str]) -> programs::Finished {
    let mut args = vec![
        "--connect".to_string(),
        endpoint.to_string(),
        "--cert".into(),
        cert.display().to_string(),
        "--server-key".into(),
        server_key.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let finished = programs::run("curve_client", &args);
    finished.assert_no_panic();
    finished
}

fn public_z85(path: &Path) -> String {
    Certificate::load(path)
        .expect("a certificate")
        .public_key()
        .to_string()
}

#[test]
fn the_allowed_client_is_served_and_intruders_are_told_why() {
    let tmp = TempDir::new("curve-demo");
    keygen(tmp.path(), &["server", "alice", "mallory"]);
    let allowed = allow(&tmp, &[tmp.join("alice.key")]);
    let (mut server, endpoint) = server(&tmp.join("server.key_secret"), &allowed, 3);
    let alice = public_z85(&tmp.join("alice.key"));

    let served = client(
        &endpoint,
        &tmp.join("alice.key_secret"),
        &tmp.join("server.key"),
        &["--count", "2"],
    );
    served.assert_code(0);
    assert_eq!(served.stdout, ["Received World 0", "Received World 1"]);
    assert_eq!(
        server.lines(2),
        [
            format!("Received Hello from {alice}"),
            format!("Received Hello from {alice}")
        ]
    );

    // A key the server does not know: refused by the authenticator, and both sides say so.
    let refused = client(
        &endpoint,
        &tmp.join("mallory.key_secret"),
        &tmp.join("server.key"),
        &["--timeout-ms", "500"],
    );
    refused.assert_code(1);
    assert_eq!(refused.stdout, ["E: no reply"]);
    assert!(
        refused.stderr.contains(&format!(
            "W: CURVE handshake with {endpoint} failed: the server refused this client (ZAP status 400)"
        )),
        "{}",
        refused.stderr
    );
    let mallory = public_z85(&tmp.join("mallory.key"));
    let denied_line = "W: denied CURVE client at 127.0.0.1";
    assert!(
        server.stderr().contains(denied_line) && server.stderr().contains(&mallory),
        "the server did not log the denial: {}",
        server.stderr()
    );

    // The right client key, the wrong server key: the server cannot read the hello.
    let wrong = client(
        &endpoint,
        &tmp.join("alice.key_secret"),
        &tmp.join("mallory.key"),
        &["--timeout-ms", "500"],
    );
    wrong.assert_code(1);
    assert_eq!(wrong.stdout, ["E: no reply"]);
    assert!(
        wrong
            .stderr
            .contains("failed: the server key is probably wrong"),
        "{}",
        wrong.stderr
    );

    // The server kept serving: the allowed client's third request is its last.
    let again = client(
        &endpoint,
        &tmp.join("alice.key_secret"),
        &tmp.join("server.key"),
        &[],
    );
    again.assert_code(0);
    assert_eq!(again.stdout, ["Received World 0"]);
    assert_eq!(server.line(), format!("Received Hello from {alice}"));
    let finished = server.wait();
    finished.assert_code(0).assert_no_panic();
}

#[test]
fn czmq_and_pyzmq_certificates_work_with_the_programs() {
    let fixtures = Path::new(FIXTURES);
    for (server_secret, server_public, client_secret, client_public) in [
        (
            "czmq/server_secret",
            "czmq/server",
            "czmq/client_secret",
            "czmq/client",
        ),
        (
            "pyzmq/server.key_secret",
            "pyzmq/server.key",
            "pyzmq/client.key_secret",
            "pyzmq/client.key",
        ),
        // A server from one tool, a client from the other.
        (
            "czmq/server_secret",
            "pyzmq/server.key",
            "pyzmq/client.key_secret",
            "czmq/client",
        ),
    ] {
        let tmp = TempDir::new("curve-fixtures");
        let allowed = allow(&tmp, &[fixtures.join(client_public)]);
        let (mut server, endpoint) = server(&fixtures.join(server_secret), &allowed, 1);
        let served = client(
            &endpoint,
            &fixtures.join(client_secret),
            &fixtures.join(server_public),
            &[],
        );
        served.assert_code(0);
        assert_eq!(served.stdout, ["Received World 0"], "{server_secret}");
        let client_key = public_z85(&fixtures.join(client_public));
        assert_eq!(server.line(), format!("Received Hello from {client_key}"));
        server.wait().assert_code(0).assert_no_panic();
    }
}

#[test]
fn bad_files_are_errors_at_start_never_panics() {
    let tmp = TempDir::new("curve-bad");
    keygen(tmp.path(), &["server", "alice"]);
    let allowed = allow(&tmp, &[tmp.join("alice.key")]);
    let garbled = Path::new(FIXTURES).join("garbled/truncated");
    let port = tcp(programs::free_port());
    let server_with = |cert: &Path, allow: &Path| {
        programs::run(
            "curve_server",
            &[
                "--bind",
                &port,
                "--cert",
                &cert.display().to_string(),
                "--allow",
                &allow.display().to_string(),
            ],
        )
    };
    for (cert, allow, expected) in [
        (tmp.join("missing"), allowed.clone(), "no such file"),
        // The public certificate where the secret one is needed.
        (tmp.join("server.key"), allowed.clone(), "server.key_secret"),
        (garbled.clone(), allowed.clone(), "truncated"),
        (
            tmp.join("server.key_secret"),
            tmp.join("nowhere"),
            "nowhere",
        ),
    ] {
        let finished = server_with(&cert, &allow);
        finished.assert_code(1).assert_no_panic();
        assert!(
            finished.stderr.starts_with("error: certificate ")
                && finished.stderr.contains(expected),
            "{cert:?} {allow:?}: {}",
            finished.stderr
        );
    }
    // The client: its own certificate must hold the secret key; the server's must be readable.
    for (cert, server_key, expected) in [
        (
            tmp.join("alice.key"),
            tmp.join("server.key"),
            "alice.key_secret",
        ),
        (tmp.join("alice.key_secret"), garbled.clone(), "truncated"),
        (
            tmp.join("alice.key_secret"),
            tmp.join("missing"),
            "no such file",
        ),
    ] {
        let finished = client(&port, &cert, &server_key, &[]);
        finished.assert_code(1);
        assert!(
            finished.stderr.starts_with("error: certificate ")
                && finished.stderr.contains(expected),
            "{cert:?} {server_key:?}: {}",
            finished.stderr
        );
    }
}

#[test]
fn the_server_stops_on_ctrl_c_and_keygen_refuses_to_overwrite() {
    let tmp = TempDir::new("curve-ctrl-c");
    keygen(tmp.path(), &["server", "alice"]);
    let allowed = allow(&tmp, &[tmp.join("alice.key")]);
    let (mut server, _) = server(&tmp.join("server.key_secret"), &allowed, 0);
    server.wait_for_handler(libc::SIGINT);
    let finished = server.interrupt(libc::SIGINT);
    finished.assert_code(130).assert_no_panic();

    let before = std::fs::read(tmp.join("alice.key_secret")).expect("read the secret");
    let again = programs::run(
        "curve_keygen",
        &[
            "--dir",
            &tmp.path().display().to_string(),
            "--name",
            "alice",
        ],
    );
    again.assert_code(1).assert_no_panic();
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(
        std::fs::read(tmp.join("alice.key_secret")).expect("read"),
        before
    );
}
