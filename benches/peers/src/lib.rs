//! What the six perf programs share: argument parsing, timing, the output lines, errors and
//! which libzmq the binary runs on.
//!
//! The programs are libzmq's perf programs (`perf/*.cpp` at v4.3.4) written on rust-zmq (crate
//! `zmq`), with the same positional arguments and the same output lines, so that the
//! comparison script can run them in place of ours or of the C ones. Differences from the C
//! programs, all on the error paths: a non-number argument is a precise error (C's `atoi` would
//! read it as 0), a zero count is refused (C would loop forever or divide by zero), and a
//! runtime error is printed on stderr (C prints it on stdout) before exiting with status 255
//! (C's `return -1`).

use std::fmt;
use std::process::ExitCode;
use std::time::Instant;

/// Exit status of a usage error, as libzmq's perf programs.
pub const USAGE_EXIT: u8 = 1;
/// Exit status of a runtime error: C's `return -1` from `main`.
pub const ERROR_EXIT: u8 = 255;

/// A failure while running: what was being done and why it failed.
#[derive(Debug)]
pub enum Failure {
    /// A libzmq call failed; `call` names the C function as libzmq's programs do.
    Zmq {
        /// The libzmq function, e.g. `zmq_bind`.
        call: &'static str,
        /// libzmq's error.
        error: zmq::Error,
    },
    /// A received message had another size than the one given on the command line.
    WrongSize {
        /// The size given on the command line.
        expected: usize,
        /// The size received.
        got: usize,
    },
    /// Anything else (a thread that could not start or that panicked).
    Other(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Zmq { call, error } => write!(f, "error in {call}: {error}"),
            // libzmq's wording, followed by the sizes.
            Failure::WrongSize { expected, got } => write!(
                f,
                "message of incorrect size received (expected {expected} B, got {got} B)"
            ),
            Failure::Other(what) => f.write_str(what),
        }
    }
}

/// Wraps a libzmq result, naming the C call as libzmq's programs do in their error lines.
pub fn zmq_call<T>(call: &'static str, result: zmq::Result<T>) -> Result<T, Failure> {
    result.map_err(|error| Failure::Zmq { call, error })
}

/// Checks a received message's size against the expected one.
pub fn check_size(expected: usize, got: usize) -> Result<(), Failure> {
    if expected == got {
        Ok(())
    } else {
        Err(Failure::WrongSize { expected, got })
    }
}

/// Ends a program: nothing more on success; on failure the error on stderr and status 255.
pub fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("{failure}");
            ExitCode::from(ERROR_EXIT)
        }
    }
}

/// A bad command line: the usage line goes to stdout as libzmq prints it, the reason to stderr.
#[derive(Debug, PartialEq, Eq)]
pub struct UsageError {
    /// The program's usage line, exactly as libzmq prints it.
    pub usage: &'static str,
    /// What was wrong, if more than the number of arguments.
    pub reason: Option<String>,
}

impl UsageError {
    /// Prints the reason (stderr) and the usage line (stdout), and gives exit status 1.
    pub fn report(&self) -> ExitCode {
        if let Some(reason) = &self.reason {
            eprintln!("error: {reason}");
        }
        println!("{}", self.usage);
        ExitCode::from(USAGE_EXIT)
    }
}

/// The arguments of the six programs, parsed.
#[derive(Debug, PartialEq, Eq)]
pub struct Args {
    /// The endpoint to bind or connect to (absent for the inproc programs).
    pub endpoint: Option<String>,
    /// The message size in bytes.
    pub size: usize,
    /// The message or roundtrip count (at least 1).
    pub count: u32,
    /// The optional trailing `<enable_curve>` of `local_thr`/`remote_thr`: any non-zero number.
    pub curve: bool,
}

/// Which arguments a program takes.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    /// The usage line, exactly as libzmq's program prints it.
    pub usage: &'static str,
    /// Whether the first argument is an endpoint (`tcp://...`).
    pub endpoint: bool,
    /// The name of the count argument in messages: `<message-count>` or `<roundtrip-count>`.
    pub count_name: &'static str,
    /// Whether a trailing `<enable_curve>` is accepted (the 4.3.4 `local_thr`/`remote_thr`).
    pub curve: bool,
}

impl Spec {
    /// Parses the arguments after the program name.
    pub fn parse<I: IntoIterator<Item = String>>(&self, args: I) -> Result<Args, UsageError> {
        let args: Vec<String> = args.into_iter().collect();
        let fixed = if self.endpoint { 3 } else { 2 };
        let accepted = args.len() == fixed || (self.curve && args.len() == fixed + 1);
        if !accepted {
            return Err(self.error(None));
        }
        let mut rest = args.iter();
        let endpoint = if self.endpoint {
            rest.next().cloned()
        } else {
            None
        };
        let (Some(size), Some(count)) = (rest.next(), rest.next()) else {
            return Err(self.error(None));
        };
        let size: usize = self.number("<message-size>", size, false)?;
        let count: u32 = self.number(self.count_name, count, true)?;
        let curve = match rest.next() {
            Some(flag) => self.number::<u32>("<enable_curve>", flag, false)? != 0,
            None => false,
        };
        Ok(Args {
            endpoint,
            size,
            count,
            curve,
        })
    }

    fn number<T: std::str::FromStr + PartialEq + From<u8>>(
        &self,
        name: &str,
        text: &str,
        positive: bool,
    ) -> Result<T, UsageError> {
        match text.parse::<T>() {
            Ok(n) if positive && n == T::from(0) => {
                Err(self.error(Some(format!("{name} must be at least 1, got {text:?}"))))
            }
            Ok(n) => Ok(n),
            Err(_) => Err(self.error(Some(format!(
                "{name} must be a non-negative integer, got {text:?}"
            )))),
        }
    }

    fn error(&self, reason: Option<String>) -> UsageError {
        UsageError {
            usage: self.usage,
            reason,
        }
    }
}

/// A stopwatch in whole microseconds, as libzmq's `zmq_stopwatch_start`/`_stop`.
#[derive(Debug)]
pub struct Stopwatch(Instant);

impl Stopwatch {
    /// Starts the stopwatch.
    pub fn start() -> Self {
        Stopwatch(Instant::now())
    }

    /// Microseconds since the start.
    pub fn stop(self) -> u64 {
        u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX)
    }
}

/// The two throughput lines of `local_thr`: messages per second and megabits per second, both
/// computed in floating point as `local_thr.cpp` does.
pub fn throughput_lines(size: usize, count: u32, elapsed_us: u64) -> [String; 2] {
    let elapsed = elapsed_us.max(1) as f64;
    let throughput = f64::from(count) / elapsed * 1_000_000.0;
    let megabits = throughput * size as f64 * 8.0 / 1_000_000.0;
    [
        format!("mean throughput: {} [msg/s]", throughput as i64),
        format!("mean throughput: {megabits:.3} [Mb/s]"),
    ]
}

/// The two throughput lines of `inproc_thr`, which truncates the message rate to an integer
/// before computing the megabits (as `inproc_thr.cpp` does).
pub fn inproc_throughput_lines(size: usize, count: u32, elapsed_us: u64) -> [String; 2] {
    let elapsed = elapsed_us.max(1) as f64;
    let throughput = (f64::from(count) / elapsed * 1_000_000.0) as u64;
    let megabits = (throughput as f64) * size as f64 * 8.0 / 1_000_000.0;
    [
        format!("mean throughput: {throughput} [msg/s]"),
        format!("mean throughput: {megabits:.3} [Mb/s]"),
    ]
}

/// The latency line: half the mean roundtrip time, in microseconds.
pub fn latency_line(count: u32, elapsed_us: u64) -> String {
    let latency = elapsed_us as f64 / (f64::from(count) * 2.0);
    format!("average latency: {latency:.3} [us]")
}

/// The `message size: N [B]` line.
pub fn size_line(size: usize) -> String {
    format!("message size: {size} [B]")
}

/// The libzmq this binary runs on: its version and where its code lives, read from the process'
/// own memory map: a shared `libzmq.so` (the system one, through the `links` override) or
/// nothing mapped (rust-zmq's vendored libzmq, linked statically into the binary).
pub fn libzmq_origin() -> String {
    let (major, minor, patch) = zmq::version();
    let maps = std::fs::read_to_string("/proc/self/maps").unwrap_or_default();
    let shared = maps
        .lines()
        .filter_map(|line| line.split_whitespace().nth(5))
        .find(|path| {
            path.rsplit('/')
                .next()
                .is_some_and(|file| file.starts_with("libzmq.so"))
        });
    let curve = match zmq::has("curve") {
        Some(true) => "with CURVE",
        Some(false) => "without CURVE",
        None => "CURVE unknown",
    };
    match shared {
        Some(path) => format!("libzmq {major}.{minor}.{patch} (shared: {path}), {curve}"),
        None => format!("libzmq {major}.{minor}.{patch} (static: linked into the binary), {curve}"),
    }
}

/// CURVE keys of the optional `<enable_curve>` mode. They are arbitrary, but must be the ones
/// libzmq's own `local_thr`/`remote_thr` use so that either side can be swapped for libzmq's.
pub mod curve_keys {
    /// The server's secret key (Z85), set on `local_thr`'s PULL socket.
    pub const SERVER_SECRET: &str = "{X}#>t#jRGaQ}gMhv=30r(Mw+87YGs+5%kh=i@f8";
    /// The server's public key (Z85), set on `remote_thr`'s PUSH socket as its server key.
    pub const SERVER_PUBLIC: &str = "DX4nh=yUn{-9ugra0X3Src4SU-4xTgqxcYY.+<SH";
    /// The client's public key (Z85).
    pub const CLIENT_PUBLIC: &str = "<n^oA}I:66W+*ds3tAmi1+KJzv-}k&fC2aA5Bj0K";
    /// The client's secret key (Z85).
    pub const CLIENT_SECRET: &str = "9R9bV}[6z6DC-%$!jTVTKvWc=LEL{4i4gzUe$@Zx";
}

/// The REQ side of the latency programs: `count` roundtrips of one `size`-byte message (zeroed,
/// as C's `memset`), timed; gives the elapsed microseconds.
///
/// rust-zmq's `send` takes the message by value, so the message is handed over and an empty one
/// (`zmq_msg_init`, no allocation) receives the reply, as the C program reuses its `zmq_msg_t`.
pub fn roundtrips(socket: &zmq::Socket, size: usize, count: u32) -> Result<u64, Failure> {
    let mut msg = zmq::Message::with_size(size);
    let watch = Stopwatch::start();
    for _ in 0..count {
        let request = std::mem::replace(&mut msg, zmq::Message::new());
        zmq_call("zmq_sendmsg", socket.send(request, 0))?;
        zmq_call("zmq_recvmsg", socket.recv(&mut msg, 0))?;
        check_size(size, msg.len())?;
    }
    Ok(watch.stop())
}

/// The REP side of the latency programs: sends each of `count` requests back as it came,
/// checking its size when one is given (`local_lat` does, `inproc_lat`'s worker does not).
pub fn echo(socket: &zmq::Socket, size: Option<usize>, count: u32) -> Result<(), Failure> {
    let mut msg = zmq::Message::new();
    for _ in 0..count {
        zmq_call("zmq_recvmsg", socket.recv(&mut msg, 0))?;
        if let Some(size) = size {
            check_size(size, msg.len())?;
        }
        let reply = std::mem::replace(&mut msg, zmq::Message::new());
        zmq_call("zmq_sendmsg", socket.send(reply, 0))?;
    }
    Ok(())
}

/// Refuses `<enable_curve>` on a libzmq built without CURVE (rust-zmq's vendored libzmq is
/// built without libsodium, so without CURVE), which would otherwise fail as a bare
/// `error in zmq_setsockopt: Invalid argument`.
pub fn require_curve() -> Result<(), Failure> {
    if zmq::has("curve") == Some(true) {
        Ok(())
    } else {
        Err(Failure::Other(format!(
            "error: <enable_curve> asks for CURVE, which this libzmq lacks: {}",
            libzmq_origin()
        )))
    }
}

/// Runs a thread's body and turns a panic or a failure there into a [`Failure`].
pub fn join(handle: std::thread::JoinHandle<Result<(), Failure>>) -> Result<(), Failure> {
    handle
        .join()
        .map_err(|_| Failure::Other("error in the worker thread: it panicked".into()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    const THR: Spec = Spec {
        usage: "usage: local_thr <bind-to> <message-size> <message-count> [<enable_curve>]",
        endpoint: true,
        count_name: "<message-count>",
        curve: true,
    };
    const INPROC: Spec = Spec {
        usage: "usage: inproc_lat <message-size> <roundtrip-count>",
        endpoint: false,
        count_name: "<roundtrip-count>",
        curve: false,
    };

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_positional_arguments_and_the_optional_curve_flag() {
        let args = THR.parse(strings(&["tcp://127.0.0.1:5555", "1", "100"]));
        assert_eq!(
            args,
            Ok(Args {
                endpoint: Some("tcp://127.0.0.1:5555".into()),
                size: 1,
                count: 100,
                curve: false
            })
        );
        let args = THR.parse(strings(&["tcp://*:5555", "0", "7", "1"]));
        assert_eq!(args.map(|a| (a.size, a.count, a.curve)), Ok((0, 7, true)));
        let args = INPROC.parse(strings(&["1024", "3"]));
        assert_eq!(args.map(|a| (a.endpoint, a.size)), Ok((None, 1024)));
    }

    #[test]
    fn refuses_wrong_counts_non_numbers_and_zero_counts() {
        let plain = |args: &[&str], spec: Spec| spec.parse(strings(args)).map_err(|e| e.reason);
        assert_eq!(plain(&["1"], INPROC), Err(None));
        assert_eq!(plain(&["1", "2", "3"], INPROC), Err(None));
        assert_eq!(plain(&["a", "b", "c", "d", "e"], THR), Err(None));
        assert_eq!(
            plain(&["x", "1k", "3"], THR),
            Err(Some(
                "<message-size> must be a non-negative integer, got \"1k\"".into()
            ))
        );
        assert_eq!(
            plain(&["1", "0"], INPROC),
            Err(Some(
                "<roundtrip-count> must be at least 1, got \"0\"".into()
            ))
        );
        assert_eq!(
            plain(&["1", "-3"], INPROC),
            Err(Some(
                "<roundtrip-count> must be a non-negative integer, got \"-3\"".into()
            ))
        );
    }

    #[test]
    fn output_lines_are_libzmqs() {
        assert_eq!(size_line(1), "message size: 1 [B]");
        assert_eq!(
            throughput_lines(1, 1000, 500),
            [
                "mean throughput: 2000000 [msg/s]".to_string(),
                "mean throughput: 16.000 [Mb/s]".to_string()
            ]
        );
        // inproc_thr truncates the rate first: 3 / 7 us = 428571.43 msg/s.
        assert_eq!(
            inproc_throughput_lines(1000, 3, 7)[1],
            "mean throughput: 3428.568 [Mb/s]"
        );
        assert_eq!(
            throughput_lines(1000, 3, 7)[1],
            "mean throughput: 3428.571 [Mb/s]"
        );
        assert_eq!(latency_line(4, 100), "average latency: 12.500 [us]");
    }
}
