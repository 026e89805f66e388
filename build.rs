//! Reads the libzmq version that `zmq-ffi` found (links metadata `DEP_ZMQ_VERSION_*`), stops
//! early on an unsupported libzmq.

use std::env;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ZMQ_VERSION");

    let read = |key: &str| -> u32 {
        env::var(format!("DEP_ZMQ_VERSION_{key}"))
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0)
    };
    let version = (read("MAJOR"), read("MINOR"), read("PATCH"));
    if version < (4, 3, 0) {
        eprintln!(
            "\nerror: zmq-typed needs libzmq >= 4.3.0, but zmq-ffi found {}.{}.{}.\n\
             Install a newer libzmq: Debian/Ubuntu `sudo apt-get install libzmq3-dev`, \
             Fedora `sudo dnf install zeromq-devel`, macOS `brew install zeromq`.\n",
            version.0, version.1, version.2
        );
        std::process::exit(1);
    }
    // No version differences within 4.3.x change the stable API this crate wraps; cfg flags
    // (declared with rustc-check-cfg) go here when a later libzmq adds to it.
}
