//! What every guide program here shares: the context with Ctrl-C handling, exit codes, and
//! printing one line at a time.
//!
//! Each program parses its flags with clap's derive (`Args::parse()`): clap prints `--help`
//! and exits 0, and for an unknown flag or a bad value prints a line starting `error: ` and
//! exits 2. Then it hands its body to [`run`]:
//!
//! - Ctrl-C or SIGTERM shuts the context down (`ctx.shutdown_on_ctrl_c()`): every blocked
//!   call, in any thread, returns an error whose `is_terminated()` is true. The body returns
//!   it with `?` and the program exits 130 after printing `interrupted` on stderr.
//! - Any other error (an endpoint libzmq refuses, a peer's bad message) prints
//!   `error: <what went wrong>` on stderr and exits 1. Endpoint errors name the endpoint.
//!
//! Output goes through [`say`] (stdout), [`note`] and [`mark`] (stderr), never through
//! `println!` or `eprintln!`, which panic when the other end of a pipe has gone
//! (`prog | head -1`).
#![allow(dead_code)] // each program uses only part of this module

use std::fmt::Display;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use zmq_typed::{Context, Detail, Error, Result};

/// The exit code after Ctrl-C or SIGTERM, the one a shell reports for a death by SIGINT.
pub const INTERRUPTED: u8 = 130;

/// Makes the context, shuts it down on Ctrl-C or SIGTERM, runs `body`, and turns its outcome
/// into the exit code: 0, 130 (interrupted) or 1 (`error: ...` on stderr).
pub fn run(body: impl FnOnce(&Context) -> Result<()>) -> ExitCode {
    quiet_pgm();
    let ctx = match Context::new() {
        Ok(ctx) => ctx,
        Err(e) => return fail(&e),
    };
    let signals = match ctx.shutdown_on_ctrl_c() {
        Ok(signals) => signals,
        Err(e) => return fail(&e),
    };
    let outcome = body(&ctx);
    // After the signal, whatever the body was doing ended because of it (a proxy even
    // returns Ok when the context shuts down).
    let interrupted =
        signals.received().is_some() || outcome.as_ref().is_err_and(Error::is_terminated);
    if interrupted {
        // The user asked to stop: what is still queued for a peer (a subscription, a request
        // to a server that is not there) is not worth waiting the sockets' linger for. The
        // sockets are closed already; the process ends now, and libzmq's threads with it.
        std::mem::forget(ctx);
        note("interrupted");
        return ExitCode::from(INTERRUPTED);
    }
    // Closing the context waits (at most the sockets' linger) for messages still queued.
    drop(ctx);
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// OpenPGM, under libzmq's `epgm://` and `pgm://`, prints its warnings on stdout (`Warn:
/// Interface lo reports as a loopback device.`), among the lines scripts read. Unless the
/// user chose a level, only its errors are printed. (Called before any thread starts: the
/// environment is not changed while another thread may read it.)
pub fn quiet_pgm() {
    const LEVEL: &str = "PGM_MIN_LOG_LEVEL";
    if std::env::var_os(LEVEL).is_none() {
        std::env::set_var(LEVEL, "ERROR");
    }
}

fn fail(e: &Error) -> ExitCode {
    note(format_args!("error: {e}"));
    ExitCode::FAILURE
}

/// Prints one line on stderr. Unlike `eprintln!`, which panics when stderr is a pipe that
/// was closed (`prog 2>&1 | head -1`), a failed write is ignored: stderr is for people.
pub fn note(line: impl Display) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Prints a progress mark on stderr, with no newline (stderr is unbuffered); a failed write
/// is ignored, as in [`note`].
pub fn mark(text: impl Display) {
    let _ = write!(std::io::stderr(), "{text}");
}

/// Prints one line on stdout and flushes it at once, so that a script reading the program's
/// output line by line sees each line when it happens. A closed stdout is an error, not a
/// panic.
pub fn say(line: impl Display) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .map_err(|e| io_error(&e, "writing to stdout"))
}

/// An I/O error as the library's error type, saying what was being done.
pub fn io_error(e: &std::io::Error, doing: &str) -> Error {
    Error::from_errno(
        e.raw_os_error().unwrap_or(libc::EIO),
        Detail::new(doing.to_string()),
    )
}

/// Waits for a thread of the program; its panic becomes an error (the panic message is
/// already on stderr).
pub fn join<T>(thread: std::thread::JoinHandle<Result<T>>, what: &'static str) -> Result<T> {
    thread.join().map_err(|_| Error::ThreadPanicked { what })?
}

/// The numbers 0, 1, 2... up to `count` (not included), or for ever when `count` is 0, the
/// flags' "no limit".
pub fn counted(count: u64) -> impl Iterator<Item = u64> {
    (0..).take_while(move |&i| count == 0 || i < count)
}

/// Sleeps `ms` milliseconds (the guide's stand-in for work), or less when the context shuts
/// down (Ctrl-C): then an error whose `is_terminated()` is true. It waits on a socket that
/// nothing is connected to, which only the shutdown wakes.
pub fn sleep_ms(ctx: &Context, ms: u64) -> Result<()> {
    if ms == 0 {
        return Ok(());
    }
    let parked = zmq_typed::Pair::new(ctx)?;
    match parked.recv_timeout(Duration::from_millis(ms)) {
        Err(e) if e.is_timeout() => Ok(()),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

/// Starts a thread named `what`; a thread the system refuses (too many) is an error, not
/// the panic of `std::thread::spawn`.
pub fn spawn<T: Send + 'static>(
    what: &'static str,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<std::thread::JoinHandle<Result<T>>> {
    std::thread::Builder::new()
        .name(what.to_string())
        .spawn(f)
        .map_err(|e| Error::ThreadSpawn {
            what,
            reason: e.to_string(),
        })
}

/// A tiny xorshift generator: random enough for made-up weather and workloads, with no
/// dependency.
pub struct Random(u64);

impl Random {
    /// Seeded from the clock and the process id, so that two runs differ.
    pub fn seeded() -> Random {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        Random((nanos ^ u64::from(std::process::id()).rotate_left(32)) | 1)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: u32) -> u32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % u64::from(n.max(1))) as u32
    }
}

/// Prints `prompt` on stderr and waits until a line (or the end) comes on stdin, or the
/// context shuts down (Ctrl-C: an error whose `is_terminated()` is true). A blocking read
/// of stdin would not notice the shutdown, so stdin waits in a poll set together with a
/// socket of the context, which wakes the poll when the context shuts down.
pub fn wait_for_enter(ctx: &Context, prompt: &str) -> Result<()> {
    use std::io::BufRead;
    use zmq_typed::{Pair, PollEvents, Poller};

    mark(prompt);
    let stdin = std::io::stdin();
    let waker = Pair::new(ctx)?;
    let mut poller = Poller::new();
    let input = poller.add_fd(&stdin, PollEvents::IN);
    poller.add(&waker, PollEvents::IN);
    loop {
        let ready = poller.poll(None)?;
        // Readable, or closed (POLLHUP, reported as an error condition): either way a read
        // now returns at once.
        if !ready.events(input).is_empty() {
            break;
        }
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| io_error(&e, "reading stdin"))?;
    Ok(())
}

/// Blocks until the context shuts down (Ctrl-C or SIGTERM), for a program whose work runs on
/// a background thread; once a second `alive` says whether that work still runs (an error
/// from it ends the wait). Returns the shutdown's error (`is_terminated()`).
///
/// It waits on a socket that nothing is connected to: only the shutdown wakes it.
pub fn wait_for_shutdown(ctx: &Context, mut alive: impl FnMut() -> Result<()>) -> Result<()> {
    let parked = zmq_typed::Pair::new(ctx)?;
    loop {
        match parked.recv_timeout(Duration::from_secs(1)) {
            Err(e) if e.is_timeout() => alive()?,
            Err(e) => return Err(e),
            Ok(_) => {}
        }
    }
}
