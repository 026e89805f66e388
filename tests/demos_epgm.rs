//! The weather and envelope demos over multicast (`epgm://`, PGM over UDP), as real
//! processes, inside a fresh network namespace whose loopback carries multicast (the way
//! tests/multicast.rs does it: nothing outside the namespace is touched).
//!
//! The parent test re-runs this test binary in a child process under `unshare -n` (or
//! `unshare -rn` when not root); the child sets the loopback up and starts the programs,
//! which live in its namespace. Without the permission to make a namespace, the test skips
//! loudly, unless `ZMQ_TYPED_REQUIRE_ALL` is set, where a skip is a failure.

mod common;

use std::time::Duration;

use common::child;
use common::programs;
use common::skip;

/// The test that runs in the child, in the namespace.
const CHILD: &str = "demos_epgm_child";

#[test]
fn demos_over_epgm_in_a_network_namespace() {
    let Some(wrapper) = child::namespace_wrapper() else {
        skip(
            "demos_over_epgm_in_a_network_namespace",
            child::NO_NAMESPACE,
        );
        return;
    };
    // The child builds any example that is missing before it starts them.
    let out = child::run(wrapper, CHILD, Duration::from_secs(300));
    child::check(CHILD, &out);
}

#[test]
fn demos_epgm_child() {
    if !child::is_child(CHILD) {
        return;
    }
    child::multicast_loopback();

    // Weather updates: PGM has no handshake, and a receiver joining the group misses what
    // went before, which a stream of updates does not mind.
    let weather = "epgm://127.0.0.1;239.192.9.1:5601";
    let server = programs::spawn("wuserver", &["--bind", weather, "--zips", "10"]);
    let client = programs::run(
        "wuclient",
        &["00007", "--connect", weather, "--count", "10"],
    );
    client.assert_code(0).assert_no_panic();
    let [line] = &client.stdout[..] else {
        panic!("one line expected: {:?}", client.stdout)
    };
    assert!(
        line.starts_with("Average temperature for zipcode '00007' was ") && line.ends_with('F'),
        "{line}"
    );
    server.interrupt(libc::SIGINT);

    // Envelopes: the subscription filters on the receiving side with multicast.
    let envelopes = "epgm://127.0.0.1;239.192.9.2:5602";
    let server = programs::spawn("psenvpub", &["--bind", envelopes, "--interval-ms", "1"]);
    let client = programs::run("psenvsub", &["--connect", envelopes, "--count", "5"]);
    client.assert_code(0).assert_no_panic();
    assert_eq!(client.stdout, vec!["[B] We would like to see this"; 5]);
    server.interrupt(libc::SIGINT);
}
