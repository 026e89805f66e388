//! Unique `inproc://` names for the sockets this crate wires up itself (monitors, proxy
//! control).

use std::sync::atomic::{AtomicU64, Ordering};

static NEXT: AtomicU64 = AtomicU64::new(0);

/// `inproc://zmq-typed-<what>-<pid>-<n>`, unique within the process.
pub(crate) fn unique(what: &str) -> String {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("inproc://zmq-typed-{what}-{}-{n}", std::process::id())
}
