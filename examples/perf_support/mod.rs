//! What the perf tools share that is not ZeroMQ: reading their positional arguments and
//! printing their results, in the words and formats of libzmq's own perf programs
//! (`perf/*.cpp` of libzmq 4.3.4), so that a script written for those reads these too.
//!
//! Used by the safe programs (`local_thr`, `remote_thr`, `local_lat`, `remote_lat`,
//! `inproc_thr`, `inproc_lat`) and by their twins on the raw C API (`raw_local_thr`...).
//!
//! - Arguments: positional, exactly as libzmq's. A wrong number of them prints the usage
//!   line on stdout and exits with code 1, as libzmq does. Where libzmq's `atoi` would read
//!   a word as 0, these print the usage line, then `error: ...` naming the argument on
//!   stderr, and exit with code 1.
//! - Results: `message size: N [B]`, `message count: N` or `roundtrip count: N`,
//!   `mean throughput: N [msg/s]`, `mean throughput: X.XXX [Mb/s]`,
//!   `average latency: X.XXX [us]`, computed as libzmq computes them.
//! - Failures while running: `error in <call>: <reason>` on stdout and exit code 255
//!   (libzmq's `return -1`); a message of the wrong size: `message of incorrect size
//!   received`, code 255.
#![allow(dead_code)] // each program uses some of these

use std::fmt::Display;
use std::process;
use std::time::Duration;

/// The largest size or count: libzmq's programs keep them in an `int`.
pub const MAX: u64 = i32::MAX as u64;

/// The positional arguments after the program's name, when there are `required` of them
/// plus at most `optional` more; otherwise prints `usage` (the whole line, `usage: ...`)
/// and exits with code 1.
pub fn args(usage: &str, required: usize, optional: usize) -> Vec<String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < required || args.len() > required + optional {
        println!("{usage}");
        process::exit(1);
    }
    args
}

/// Argument `name` (as the usage line spells it, `<message-size>`) as a whole number from
/// `min` to [`MAX`]; otherwise prints the usage line and a precise error, and exits with
/// code 1.
pub fn number(usage: &str, name: &str, text: &str, min: u64) -> usize {
    let value = text.parse::<u64>().ok().filter(|n| (min..=MAX).contains(n));
    match value {
        // At most i32::MAX: fits every usize of a 32- or 64-bit target.
        Some(n) => n as usize,
        None => bad_argument(
            usage,
            format_args!("{name} must be a whole number from {min} to {MAX}, not `{text}`"),
        ),
    }
}

/// `<message-size>`: 0 or more bytes.
pub fn size(usage: &str, text: &str) -> usize {
    number(usage, "<message-size>", text, 0)
}

/// A count (`<message-count>`, `<roundtrip-count>`): at least 1 (libzmq's programs would
/// loop for ever on 0, or divide by it).
pub fn count(usage: &str, name: &str, text: &str) -> usize {
    number(usage, name, text, 1)
}

/// The optional `<enable_curve>`: an integer, CURVE when it is not 0 (libzmq's
/// `atoi (argv[4])`, without reading a word as 0).
pub fn enable_curve(usage: &str, text: Option<&String>) -> bool {
    match text {
        None => false,
        Some(text) => match text.parse::<i64>() {
            Ok(n) => n != 0,
            Err(_) => bad_argument(
                usage,
                format_args!("<enable_curve> must be an integer (0: off), not `{text}`"),
            ),
        },
    }
}

fn bad_argument(usage: &str, error: std::fmt::Arguments<'_>) -> ! {
    println!("{usage}");
    eprintln!("error: {error}");
    process::exit(1)
}

/// Prints `error in <call>: <reason>` and exits with code 255 (libzmq's `return -1`).
#[cold]
pub fn fail(call: &str, reason: impl Display) -> ! {
    println!("error in {call}: {reason}");
    process::exit(255)
}

/// The value, or [`fail`] with the error.
#[inline]
pub fn ok<T, E: Display>(result: Result<T, E>, call: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => fail(call, e),
    }
}

/// The value, or `error in <call>: <reason>` and exit code 1: how libzmq's `inproc_*`
/// programs end when their worker thread fails (`exit (1)`).
#[inline]
pub fn worker_ok<T, E: Display>(result: Result<T, E>, call: &str) -> T {
    match result {
        Ok(value) => value,
        Err(e) => worker_fail(call, e),
    }
}

/// Prints `error in <call>: <reason>` and exits with code 1 (a worker thread's failure).
#[cold]
pub fn worker_fail(call: &str, reason: impl Display) -> ! {
    println!("error in {call}: {reason}");
    process::exit(1)
}

/// Prints `message of incorrect size received` and exits with code 255.
#[cold]
pub fn wrong_size() -> ! {
    println!("message of incorrect size received");
    process::exit(255)
}

/// `zmq_strerror (errno)`: libzmq's text for this thread's last error (for the raw twins).
pub fn zmq_error() -> String {
    // SAFETY: zmq_errno has no preconditions; zmq_strerror returns a pointer to a static
    // NUL-terminated string for any value, never NULL.
    unsafe { std::ffi::CStr::from_ptr(zmq_ffi::zmq_strerror(zmq_ffi::zmq_errno())) }
        .to_string_lossy()
        .into_owned()
}

/// An endpoint argument as a C string (for the raw twins): one with a NUL byte, which a C
/// program could not even be given, prints the usage line and an error, and exits with 1.
pub fn c_string(usage: &str, name: &str, text: &str) -> std::ffi::CString {
    match std::ffi::CString::new(text) {
        Ok(c) => c,
        Err(_) => bad_argument(usage, format_args!("{name} contains a NUL byte")),
    }
}

/// Elapsed microseconds, as libzmq's stopwatch counts them (`unsigned long`).
pub fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}

/// `message size: N [B]`.
pub fn print_size(size: usize) {
    println!("message size: {size} [B]");
}

/// `message count: N`.
pub fn print_message_count(count: usize) {
    println!("message count: {count}");
}

/// `roundtrip count: N`.
pub fn print_roundtrip_count(count: usize) {
    println!("roundtrip count: {count}");
}

/// How libzmq rounds the rate before the megabits are computed from it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rate {
    /// `local_thr`: megabits from the exact rate (a `double`).
    Exact,
    /// `inproc_thr`: the rate is truncated to an `unsigned long` first.
    Truncated,
}

/// `mean throughput: N [msg/s]` and `mean throughput: X.XXX [Mb/s]`, for `count` messages
/// of `size` bytes in `elapsed_us` microseconds (0 counts as 1, as in libzmq).
pub fn print_throughput(count: usize, size: usize, elapsed_us: u64, rate: Rate) {
    let elapsed = elapsed_us.max(1) as f64;
    let mut throughput = count as f64 / elapsed * 1_000_000.0;
    if rate == Rate::Truncated {
        throughput = throughput.trunc();
    }
    let megabits = throughput * size as f64 * 8.0 / 1_000_000.0;
    // `(int) throughput`: truncated toward zero.
    println!("mean throughput: {} [msg/s]", throughput as i64);
    println!("mean throughput: {megabits:.3} [Mb/s]");
}

/// `average latency: X.XXX [us]`: half the mean round trip.
pub fn print_latency(roundtrips: usize, elapsed_us: u64) {
    let latency = elapsed_us as f64 / (roundtrips as f64 * 2.0);
    println!("average latency: {latency:.3} [us]");
}

/// The CURVE keys of libzmq's `local_thr`/`remote_thr` (arbitrary, but the same as
/// theirs, so that either side can be libzmq's own program).
pub mod curve {
    /// The server's (`local_thr`) secret key, Z85.
    pub const SERVER_SECRET: &str = "{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8";
    /// The server's public key, Z85.
    pub const SERVER_PUBLIC: &str = "DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH";
    /// The client's (`remote_thr`) public key, Z85.
    pub const CLIENT_PUBLIC: &str = "<n^oA}I:66W+*ds3tAmi1+KJzv-}k&fC2aA5Bj0K";
    /// The client's secret key, Z85.
    pub const CLIENT_SECRET: &str = "9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx";
}
