//! What the `capi_*` examples share that is *not* the ZeroMQ C API: the guide's little
//! helpers (`s_catch_signals`, `randof`), the endpoint check libzmq lacks, and the error
//! exits of the demo contract. Every `zmq_*` call stays in the programs themselves, except
//! `zmq_errno` and `zmq_strerror` for the text of an error (safe: `Error::errno` and the
//! `Display` of `Error`), and [`recv_frames`], which reads a whole message as the guide's
//! `s_recv` (its `zhelpers.h`) reads a string (safe: `Socket::recv`).
//!
//! Exit codes (as the safe twins): 1 with `error: ...` for an endpoint libzmq refuses (or
//! any other libzmq failure), 2 for bad flags (clap does that), 130 after SIGINT/SIGTERM.
#![allow(dead_code)] // each program uses some of these

use std::ffi::{CStr, CString};
use std::os::raw::{c_int, c_void};
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

/// The guide's `s_sleep`: sleeps `msecs` milliseconds with `nanosleep`, which a signal cuts
/// short (`EINTR`: the handler has no `SA_RESTART`), so that Ctrl-C during the pretend work
/// ends the program at once rather than after it (`std::thread::sleep` sleeps on).
pub fn s_sleep(msecs: u64) {
    let request = libc::timespec {
        tv_sec: libc::time_t::try_from(msecs / 1000).unwrap_or(libc::time_t::MAX),
        // Below 1e9: fits every c_long.
        tv_nsec: ((msecs % 1000) * 1_000_000) as libc::c_long,
    };
    // SAFETY: `request` is a valid timespec (tv_nsec below 1e9) alive during the call; the
    // remainder pointer may be null.
    unsafe { libc::nanosleep(&request, std::ptr::null_mut()) };
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
    note(format_args!("error: {} ({what} {endpoint})", last_error()));
    process::exit(1)
}

/// After a blocking call returned -1: returns when a signal interrupted it (`EINTR`), so
/// the caller can stop cleanly, and sets the flag then (so that every loop stops and the
/// program exits 130, whichever signal it was); any other error is printed and ends the
/// program (code 1).
pub fn stop_unless_interrupted(call: &str) {
    // SAFETY: zmq_errno has no preconditions.
    let errno = unsafe { zmq_errno() };
    if errno == libc::EINTR {
        INTERRUPTED.store(true, Ordering::SeqCst);
    }
    if s_interrupted() {
        return;
    }
    failed(call)
}

/// Prints `error: <libzmq's reason> (<call>)` and exits with code 1.
pub fn failed(call: &str) -> ! {
    note(format_args!("error: {} ({call})", last_error()));
    process::exit(1)
}

/// Ends the program after a signal: `interrupted` on stderr, exit code 130. Call it after
/// closing the sockets and terminating the context.
pub fn exit_interrupted() -> ! {
    note(format_args!("interrupted"));
    process::exit(130)
}

/// The endpoint as a C string, after the checks libzmq does not do or does late, the same
/// checks (and words) as the safe twins' endpoint parser: a TCP or multicast port that is
/// not a number or is above 65535 (libzmq binds `tcp://127.0.0.1:99999` to another port and
/// `tcp://127.0.0.1:-1` to 65535), a TCP address without its port or with a host that is no
/// address or name (libzmq's `zmq_connect` accepts `tcp://[::1]` and then retries it for
/// ever), an `ipc://` path too long for a Unix socket address, and a NUL byte. A bad
/// endpoint prints `error: invalid endpoint ...` and exits with code 1, as the safe twins
/// refuse it; what passes here is left to libzmq's own checks.
pub fn c_endpoint(endpoint: &str) -> CString {
    if let Err(reason) = check_endpoint(endpoint) {
        note(format_args!(
            "error: invalid endpoint `{endpoint}`: {reason}"
        ));
        process::exit(1);
    }
    match CString::new(endpoint) {
        Ok(c) => c,
        Err(_) => {
            note(format_args!(
                "error: invalid endpoint `{endpoint}`: contains a NUL byte"
            ));
            process::exit(1)
        }
    }
}

/// The longest `ipc://` path: `sun_path` holds 108 bytes with the terminating NUL.
const IPC_PATH_MAX: usize = 107;

/// Why `endpoint` is unacceptable, if it is.
fn check_endpoint(endpoint: &str) -> Result<(), String> {
    if endpoint.contains('\0') {
        return Err("contains a NUL byte".into());
    }
    let Some((transport, rest)) = endpoint.split_once("://") else {
        return Err("missing `transport://` prefix (for example tcp://127.0.0.1:5555)".into());
    };
    if rest.is_empty() {
        return Err("empty address".into());
    }
    match transport {
        "tcp" => {
            let (source, target) = match rest.split_once(';') {
                Some((source, target)) => (Some(source), target),
                None => (None, rest),
            };
            if let Some(source) = source {
                check_host_port(source, false)?;
            }
            check_host_port(target, true)
        }
        "ipc" if rest.len() > IPC_PATH_MAX => Err(format!(
            "ipc path is {} bytes long; at most {IPC_PATH_MAX} fit in a Unix socket address",
            rest.len()
        )),
        "pgm" | "epgm" | "norm" => {
            // `interface;group:port`: the port follows the last ':'.
            let group_port = rest.split_once(';').map_or(rest, |(_, gp)| gp);
            match group_port.rsplit_once(':') {
                Some((_, port)) => match check_port(port)? {
                    Some(p) if p > 0 => Ok(()),
                    _ => Err(format!("port `{port}` is not a number or `*`")),
                },
                None => Ok(()), // libzmq's own syntax checks report it
            }
        }
        _ => Ok(()),
    }
}

/// `host:port` of a TCP address (the port may be left out of a source address).
fn check_host_port(text: &str, port_required: bool) -> Result<(), String> {
    // The port follows the last colon outside brackets.
    match text.rfind(':') {
        Some(i) if !text[i..].contains(']') => {
            check_host(&text[..i])?;
            check_port(&text[i + 1..]).map(drop)
        }
        _ if port_required && text.is_empty() => Err("empty address".into()),
        _ if port_required => Err("missing `:port`".into()),
        _ => check_host(text),
    }
}

/// A port: `*` (`None`) or a number up to 65535.
fn check_port(port: &str) -> Result<Option<u16>, String> {
    if port == "*" {
        return Ok(None);
    }
    if port.is_empty() {
        return Err("missing `:port`".into());
    }
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("port `{port}` is not a number or `*`"));
    }
    match port.parse::<u64>() {
        Ok(p) if p <= 65535 => Ok(Some(p as u16)),
        _ => Err(format!(
            "port {} is out of range (0-65535, or * for any free port)",
            port.parse::<u64>().unwrap_or(u64::MAX)
        )),
    }
}

/// A TCP host: `*`, an IPv4 address, a bracketed IPv6 address (with an optional `%scope`)
/// or a host or interface name.
fn check_host(host: &str) -> Result<(), String> {
    let ok = if host == "*" || host.parse::<std::net::Ipv4Addr>().is_ok() {
        true
    } else if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let address = inner.split('%').next().unwrap_or(inner);
        address.parse::<std::net::Ipv6Addr>().is_ok()
    } else {
        // All digits and dots but no IPv4 address (`300.1.1.1`): no name either.
        !host.is_empty()
            && host.len() <= 253
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'))
            && !host.bytes().all(|b| b.is_ascii_digit() || b == b'.')
    };
    if ok {
        Ok(())
    } else {
        Err(format!("invalid host `{host}`"))
    }
}

/// The text of a received frame (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A message (its frames) as the safe twins print one (`zmq_typed::Multipart`'s `Display`):
/// one frame of printable text as it is; otherwise each frame in brackets, as text when it
/// is printable, else as `0x` and hex, a frame above 64 bytes cut after 32 with
/// `…(+N bytes)`. So a peer's control characters never reach the terminal.
pub fn shown(frames: &[Vec<u8>]) -> String {
    const NO_FRAMES: &str = "(no frames)";
    match frames {
        [] => return NO_FRAMES.to_string(),
        [only] => match std::str::from_utf8(only) {
            Ok(text) if printable(text) && !text.starts_with('[') && text != NO_FRAMES => {
                return text.to_string()
            }
            _ => {}
        },
        _ => {}
    }
    let mut out = String::new();
    for frame in frames {
        let cut = if frame.len() > 64 { 32 } else { frame.len() };
        out.push('[');
        let shown = match std::str::from_utf8(frame) {
            Ok(text) if printable(text) => {
                let end = (0..=cut)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                out.push_str(&text[..end]);
                end
            }
            _ => {
                out.push_str("0x");
                frame[..cut]
                    .iter()
                    .for_each(|b| out.push_str(&format!("{b:02x}")));
                cut
            }
        };
        if frame.len() > shown {
            out.push_str(&format!("…(+{} bytes)", frame.len() - shown));
        }
        out.push(']');
    }
    out
}

/// No control characters but tab and newline, and no Unicode direction overrides.
fn printable(text: &str) -> bool {
    text.chars().all(|c| {
        (!c.is_control() || matches!(c, '\t' | '\n'))
            && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    })
}

/// Prints one line on stdout and flushes it (the C programs' `printf` + `fflush`), so a
/// script reading the output sees each line at once. A closed stdout ends the program with
/// `error: ...` and code 1 instead of a panic.
pub fn say(line: impl std::fmt::Display) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        note(format_args!("error: {e} (writing to stdout)"));
        process::exit(1);
    }
}

/// Whether a loop that has done `done` rounds goes on: no signal came, and `count` is not
/// reached (0 means no limit).
pub fn more_to_do(done: u64, count: u64) -> bool {
    !s_interrupted() && (count == 0 || done < count)
}

/// Writes one line on stderr. A closed stderr (`2>&1 | head -1`) is ignored: `eprintln!`
/// would panic there, and a note is not worth failing for.
pub fn note(line: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// Writes `text` on stderr without a newline (progress marks, a prompt), flushed at once;
/// a closed stderr is ignored.
pub fn mark(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    let _ = write!(err, "{text}").and_then(|()| err.flush());
}

/// Every frame of the next message on `socket` (the guide's `zmq_recv` into a small buffer
/// would cut a long one short, and leave the other frames of a multipart one unread).
/// `None` when a call failed: `zmq_errno` says why.
///
/// # Safety
/// `socket` is an open socket (or NULL, which libzmq refuses with an error).
pub unsafe fn recv_frames(socket: *mut c_void) -> Option<Vec<Vec<u8>>> {
    let mut frames = Vec::new();
    loop {
        // SAFETY: zmq_msg_t is plain data that zmq_msg_init initialises in place, where it
        // stays (never moved) until zmq_msg_close, on every path; zmq_msg_data points to
        // zmq_msg_size bytes that live until that close, and are copied out before it.
        unsafe {
            let mut frame: zmq_msg_t = std::mem::zeroed();
            // zmq_msg_init(): Message::new()
            zmq_msg_init(&mut frame);
            // zmq_msg_recv(): Socket::recv_frame (Socket::recv takes every frame at once)
            if zmq_msg_recv(&mut frame, socket, 0) == -1 {
                zmq_msg_close(&mut frame);
                return None;
            }
            // zmq_msg_data(), zmq_msg_size(): Message::data (or its Deref to [u8])
            let size = zmq_msg_size(&frame);
            frames.push(match size {
                0 => Vec::new(),
                _ => {
                    std::slice::from_raw_parts(zmq_msg_data(&mut frame).cast::<u8>(), size).to_vec()
                }
            });
            // zmq_msg_more(): Message::more
            let more = zmq_msg_more(&frame) != 0;
            // zmq_msg_close(): dropping the Message
            zmq_msg_close(&mut frame);
            if !more {
                return Some(frames);
            }
        }
    }
}
