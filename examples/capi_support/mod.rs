//! What the `capi_*` examples share that is *not* the ZeroMQ C API: the guide's little
//! helpers (`s_catch_signals`, `randof`), the endpoint check libzmq lacks, and the error
//! exits of the demo contract. Every `zmq_*` call stays in the programs themselves.
//!
//! Exit codes (as the safe twins): 1 with `error: ...` for an endpoint libzmq refuses (or
//! any other libzmq failure), 2 for bad flags (clap does that), 130 after SIGINT/SIGTERM.
#![allow(dead_code)] // each program uses some of these

use std::ffi::{CStr, CString};
use std::os::raw::c_int;
use std::process;
use std::sync::atomic::{AtomicBool, Ordering};

use zmq_ffi::*;

/// Set by the signal handler; read by the main loops (the guide's `s_interrupted`).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn s_signal_handler(_signal: c_int) {
    // Only an atomic store: async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// The guide's `s_catch_signals`: SIGINT and SIGTERM set a flag instead of killing the
/// process. No `SA_RESTART`, so a blocking `zmq_recv`/`zmq_poll` (and `getchar`) returns
/// -1 with `EINTR` and the program can close its sockets and end with code 130.
pub fn s_catch_signals() {
    // SAFETY: a zeroed sigaction is a valid value (empty mask, no flags); the handler is an
    // `extern "C"` function that only stores to an atomic, which is async-signal-safe;
    // sigemptyset and sigaction get pointers to that local struct, alive during the calls.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = s_signal_handler as extern "C" fn(c_int) as libc::sighandler_t;
        action.sa_flags = 0;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
        libc::sigaction(libc::SIGTERM, &action, std::ptr::null_mut());
    }
}

/// Whether SIGINT or SIGTERM arrived.
pub fn s_interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// The guide's `randof(n)`: a random integer in `0..n`, from the C library's `rand`.
pub fn randof(n: u32) -> u32 {
    // SAFETY: rand has no preconditions; these programs call it from one thread only.
    let r = unsafe { libc::rand() };
    (f64::from(n) * f64::from(r) / (f64::from(libc::RAND_MAX) + 1.0)) as u32
}

/// Seeds `rand` from the clock, as the guide's `srandom((unsigned) time(NULL))`.
pub fn seed_random() {
    // SAFETY: time accepts a null pointer; srand has no preconditions.
    unsafe { libc::srand(libc::time(std::ptr::null_mut()) as libc::c_uint) };
}

/// `zmq_strerror(zmq_errno())`: libzmq's text for the last error of this thread.
pub fn last_error() -> String {
    // SAFETY: zmq_errno has no preconditions; zmq_strerror returns a pointer to a static
    // NUL-terminated string for any value, never NULL.
    unsafe { CStr::from_ptr(zmq_strerror(zmq_errno())) }
        .to_string_lossy()
        .into_owned()
}

/// Prints `error: <libzmq's reason> (<what> <endpoint>)`, the safe twins' format, and
/// exits with code 1. Called right after a `zmq_bind`/`zmq_connect` that returned -1.
pub fn endpoint_failed(what: &str, endpoint: &str) -> ! {
    eprintln!("error: {} ({what} {endpoint})", last_error());
    process::exit(1)
}

/// After a blocking call returned -1: returns when a signal interrupted it (`EINTR`), so
/// the caller can stop cleanly; any other error is printed and ends the program (code 1).
pub fn stop_unless_interrupted(call: &str) {
    // SAFETY: zmq_errno has no preconditions.
    let errno = unsafe { zmq_errno() };
    if errno == libc::EINTR || s_interrupted() {
        return;
    }
    failed(call)
}

/// Prints `error: <libzmq's reason> (<call>)` and exits with code 1.
pub fn failed(call: &str) -> ! {
    eprintln!("error: {} ({call})", last_error());
    process::exit(1)
}

/// Ends the program after a signal: `interrupted` on stderr, exit code 130. Call it after
/// closing the sockets and terminating the context.
pub fn exit_interrupted() -> ! {
    eprintln!("interrupted");
    process::exit(130)
}

/// The endpoint as a C string, after the checks libzmq does not do: a TCP or multicast
/// port above 65535 (`tcp://127.0.0.1:99999` would bind some other port) and a NUL byte.
/// A bad endpoint prints `error: invalid endpoint ...` and exits with code 1, as the safe
/// twins refuse it.
pub fn c_endpoint(endpoint: &str) -> CString {
    if let Some(reason) = bad_port(endpoint) {
        eprintln!("error: invalid endpoint `{endpoint}`: {reason}");
        process::exit(1);
    }
    match CString::new(endpoint) {
        Ok(c) => c,
        Err(_) => {
            eprintln!("error: invalid endpoint `{endpoint}`: contains a NUL byte");
            process::exit(1)
        }
    }
}

/// Why the port of a `tcp://`, `pgm://`, `epgm://` or `norm://` endpoint is unacceptable.
fn bad_port(endpoint: &str) -> Option<String> {
    let (transport, rest) = endpoint.split_once("://")?;
    if !matches!(transport, "tcp" | "pgm" | "epgm" | "norm") {
        return None;
    }
    // The port follows the last ':' (an IPv6 host is bracketed, so this still finds it).
    let (_, port) = rest.rsplit_once(':')?;
    if port == "*" || port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None; // libzmq's own syntax checks report these
    }
    match port.parse::<u32>() {
        Ok(p) if p <= 65535 => None,
        _ => Some(format!(
            "port {port} is out of range (0-65535, or * for any free port)"
        )),
    }
}

/// The text of a received frame (lossy, as the safe twins print it).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Prints one line on stdout and flushes it (the C programs' `printf` + `fflush`), so a
/// script reading the output sees each line at once. A closed stdout ends the program with
/// `error: ...` and code 1 instead of a panic.
pub fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        eprintln!("error: {e} (writing to stdout)");
        process::exit(1);
    }
}

/// Whether a loop that has done `done` rounds goes on: no signal came, and `count` is not
/// reached (0 means no limit).
pub fn more_to_do(done: u64, count: u64) -> bool {
    !s_interrupted() && (count == 0 || done < count)
}
