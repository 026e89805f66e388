//! Reads the libzmq version that `zmq-ffi` found (links metadata `DEP_ZMQ_VERSION_*`), stops
//! early on an unsupported libzmq, and turns version differences into cfg flags.

use std::env;

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_ZMQ_VERSION");
    println!("cargo::rustc-check-cfg=cfg(zmq_4_3_5)");
    println!("cargo::rustc-check-cfg=cfg(zmq_has_vmci)");

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
    if version >= (4, 3, 5) {
        // 4.3.5 fixed ZMQ_THREAD_PRIORITY reads and added nothing to the stable option list.
        println!("cargo:rustc-cfg=zmq_4_3_5");
    }
    // VMCI is a build-time option of libzmq that distributions leave off; its socket options
    // exist only when zmq-ffi's probe found libzmq built with it.
    if env::var("DEP_ZMQ_HAS_VMCI").as_deref() == Ok("1") {
        println!("cargo:rustc-cfg=zmq_has_vmci");
    }
}
