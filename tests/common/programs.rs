//! Running the example programs (`examples/*.rs`) as child processes: finding their
//! binaries, free ports for the ones that bind, reading their stdout line by line with a
//! deadline, signalling them, and killing them whatever happens.
//!
//! Every wait here is bounded by [`super::PATIENCE`] (or the limit given): a program that
//! hangs fails its test with its stderr, instead of hanging the suite. A [`Program`] kills
//! its process when dropped, so a failing test leaves nothing running.

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::PATIENCE;

/// The folder the examples are built into: `target/<profile>/examples`, found from this
/// test binary's path (`target/<profile>/deps/<test>-<hash>`).
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let deps = exe.parent().expect("the test binary's folder");
    deps.parent().expect("the profile folder").to_path_buf()
}

/// The examples built by this test process, so that each is built at most once.
static BUILT: Mutex<Option<HashSet<String>>> = Mutex::new(None);

/// The path of example `name`'s binary, built (or found up to date) once per test process
/// with `cargo build --example name`, into the same target folder, profile and features as
/// this test binary; fails the test with cargo's output if that fails.
pub fn path(name: &str) -> PathBuf {
    let profile = profile_dir();
    let bin = profile.join("examples").join(name);
    let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
    let built = built.get_or_insert_with(HashSet::new);
    // Built once per test process, even when a binary is there: it may be older than the
    // library (a `cargo test --test X` rebuilds the library, not the examples). When
    // nothing changed, cargo only checks.
    if built.contains(name) {
        return bin;
    }
    let target = profile.parent().expect("the target folder");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["build", "--example", name, "--target-dir"])
        .arg(target)
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    if cfg!(feature = "durable") {
        // The same features as this test binary, so the library is not built a second time.
        cmd.args(["--features", "durable"]);
    }
    if profile.file_name().is_some_and(|p| p == "release") {
        cmd.arg("--release");
    }
    eprintln!("building example {name}: {cmd:?}");
    let out = cmd.output().expect("run cargo build");
    assert!(
        out.status.success(),
        "cargo build --example {name} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    built.insert(name.to_string());
    assert!(
        bin.exists(),
        "cargo built {name} but {} is missing",
        bin.display()
    );
    bin
}

/// A TCP port on 127.0.0.1 that was free a moment ago (the system's pick). Another process
/// may take it before the program binds it: [`spawn_server`] retries then.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    listener.local_addr().expect("its address").port()
}

/// `tcp://127.0.0.1:<port>`.
pub fn tcp(port: u16) -> String {
    format!("tcp://127.0.0.1:{port}")
}

/// A fresh `ipc://` endpoint in a folder of this test process (`tag` names it).
pub fn ipc(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!("zmq-typed-programs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a folder for ipc endpoints");
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("ipc://{}/{tag}-{n}", dir.display())
}

/// How a program ended: its exit status, the stdout lines nobody read yet, all of stderr.
#[derive(Debug)]
pub struct Finished {
    pub status: ExitStatus,
    pub stdout: Vec<String>,
    pub stderr: String,
}

impl Finished {
    /// The exit code; fails the test (with stderr) if a signal killed the program.
    pub fn code(&self) -> i32 {
        self.status.code().unwrap_or_else(|| {
            panic!(
                "killed by a signal ({}); stderr:\n{}",
                super::child::describe(&self.status),
                self.stderr
            )
        })
    }

    /// Asserts the exit code, showing stdout and stderr otherwise.
    pub fn assert_code(&self, code: i32) -> &Finished {
        assert_eq!(
            self.code(),
            code,
            "exit code; stdout: {:?}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that stderr shows neither a panic nor a backtrace.
    pub fn assert_no_panic(&self) -> &Finished {
        for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "SIGABRT"] {
            assert!(
                !self.stderr.contains(bad),
                "stderr mentions {bad:?}:\n{}",
                self.stderr
            );
        }
        self
    }
}

/// A running example program, killed when dropped.
pub struct Program {
    name: String,
    child: Child,
    lines: Receiver<String>,
    stderr: Arc<Mutex<Vec<u8>>>,
    stderr_reader: Option<thread::JoinHandle<()>>,
}

/// Starts example `name` with `args`, stdin empty (EOF), stdout and stderr captured.
pub fn spawn<S: AsRef<std::ffi::OsStr>>(name: &str, args: &[S]) -> Program {
    spawn_with_env(name, args, &[])
}

/// [`spawn`], with `env` added to the program's environment.
pub fn spawn_with_env<S: AsRef<std::ffi::OsStr>>(
    name: &str,
    args: &[S],
    env: &[(&str, &str)],
) -> Program {
    let mut child = Command::new(path(name))
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().expect("piped stdout");
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let mut pipe = child.stderr.take().expect("piped stderr");
    let sink = Arc::clone(&stderr);
    let stderr_reader = thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n @ 1..) = pipe.read(&mut buf) {
            sink.lock()
                .unwrap_or_else(|p| p.into_inner())
                .extend_from_slice(&buf[..n]);
        }
    });
    Program {
        name: name.to_string(),
        child,
        lines,
        stderr,
        stderr_reader: Some(stderr_reader),
    }
}

/// Runs example `name` with `args` to its end (at most [`PATIENCE`]).
pub fn run<S: AsRef<std::ffi::OsStr>>(name: &str, args: &[S]) -> Finished {
    spawn(name, args).wait()
}

impl Program {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the program wrote on stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
    }

    /// The next stdout line, waiting at most [`PATIENCE`]; fails the test (with stderr) if
    /// none comes or stdout closes.
    pub fn line(&mut self) -> String {
        match self.lines.recv_timeout(PATIENCE) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => panic!(
                "{}: no stdout line within {PATIENCE:?}; stderr:\n{}",
                self.name,
                self.stderr()
            ),
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "{}: stdout closed ({status:?}); stderr:\n{}",
                    self.name,
                    self.stderr()
                )
            }
        }
    }

    /// The next `n` stdout lines.
    pub fn lines(&mut self, n: usize) -> Vec<String> {
        (0..n).map(|_| self.line()).collect()
    }

    /// Sends signal `sig` (libc's number) to the program.
    pub fn signal(&self, sig: i32) {
        let pid = libc::pid_t::try_from(self.pid()).expect("a pid");
        // SAFETY: kill has no memory-safety preconditions; the child is ours and not yet
        // reaped (it is reaped only by wait, which takes self by value, or by drop).
        let rc = unsafe { libc::kill(pid, sig) };
        assert_eq!(rc, 0, "kill({pid}, {sig})");
    }

    /// Waits until the program catches signal `sig` (its handler is installed: the
    /// `SigCgt` mask of `/proc/<pid>/status`) and the library's signal thread
    /// (`zmq-typed-sig`, started once every handler is in place) runs, so that sending it
    /// then shuts the program's context down, instead of killing it. Fails the test if the
    /// program exits first or after [`PATIENCE`].
    pub fn wait_for_handler(&mut self, sig: i32) {
        let deadline = Instant::now() + PATIENCE;
        let bit = 1u64 << (sig - 1);
        loop {
            let status =
                std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
            let caught = status
                .lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|mask| u64::from_str_radix(mask.trim(), 16).ok())
                .unwrap_or(0);
            if caught & bit != 0 && self.has_thread("zmq-typed-sig") {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "{} exited ({status}) before handling signal {sig}; stderr:\n{}",
                    self.name,
                    self.stderr()
                );
            }
            assert!(
                Instant::now() < deadline,
                "{} has no handler for signal {sig} after {PATIENCE:?}",
                self.name
            );
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends `sig` once the program handles it ([`Program::wait_for_handler`]) and checks
    /// that it ends cleanly: exit code 130, no panic.
    pub fn interrupt(mut self, sig: i32) -> Finished {
        self.wait_for_handler(sig);
        self.signal(sig);
        let finished = self.wait();
        finished.assert_code(130).assert_no_panic();
        finished
    }

    /// Sends `sig` until the program ends (at most ten times, a second apart), for the
    /// `capi_*` programs, which have no signal thread to wait for: a signal landing between
    /// such a program's check of its flag and its next blocking call is seen only at the
    /// next signal (the guide's gap, `docs/c-api.md`).
    pub fn signal_until_exit(mut self, sig: i32) -> Finished {
        for _ in 0..10 {
            self.signal(sig);
            let deadline = Instant::now() + Duration::from_secs(1);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = self.child.try_wait() {
                    return self.finish(PATIENCE);
                }
                thread::sleep(Duration::from_millis(5));
            }
        }
        panic!(
            "{} still runs after ten signals {sig}; stderr:\n{}",
            self.name,
            self.stderr()
        );
    }

    /// Whether one of the program's threads is named `name`.
    fn has_thread(&self, name: &str) -> bool {
        let Ok(tasks) = std::fs::read_dir(format!("/proc/{}/task", self.pid())) else {
            return false;
        };
        tasks.flatten().any(|task| {
            std::fs::read_to_string(task.path().join("comm")).is_ok_and(|comm| comm.trim() == name)
        })
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port` (the program has
    /// bound it), or the program exits: Err(how it ended).
    pub fn wait_listening(&mut self, port: u16) -> Result<(), Finished> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Ok(Some(_)) = self.child.try_wait() {
                return Err(self.finish(PATIENCE));
            }
            assert!(
                Instant::now() < deadline,
                "{} is not listening on port {port} after {PATIENCE:?}; stderr:\n{}",
                self.name,
                self.stderr()
            );
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits for the program to exit (at most [`PATIENCE`]).
    pub fn wait(self) -> Finished {
        self.wait_within(PATIENCE)
    }

    /// Waits for the program to exit, at most `limit`; kills it and fails the test after.
    pub fn wait_within(mut self, limit: Duration) -> Finished {
        self.finish(limit)
    }

    fn finish(&mut self, limit: Duration) -> Finished {
        let deadline = Instant::now() + limit;
        let status = loop {
            match self.child.try_wait().expect("wait for the program") {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    let _ = self.child.kill();
                    let _ = self.child.wait();
                    panic!(
                        "{} did not exit within {limit:?}; stderr:\n{}",
                        self.name,
                        self.stderr()
                    );
                }
                None => thread::sleep(Duration::from_millis(5)),
            }
        };
        // The pipes close when the process (and any child of it) has gone: read them out.
        let mut stdout = Vec::new();
        loop {
            match self.lines.recv_timeout(PATIENCE) {
                Ok(line) => stdout.push(line),
                Err(RecvTimeoutError::Disconnected) => break,
                Err(RecvTimeoutError::Timeout) => panic!("{}: stdout stays open", self.name),
            }
        }
        if let Some(reader) = self.stderr_reader.take() {
            let _ = reader.join();
        }
        Finished {
            status,
            stdout,
            stderr: self.stderr(),
        }
    }
}

impl Drop for Program {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// Starts example `name` as a server on `ports` free TCP ports (`args` makes its arguments
/// from them) and waits until it listens on each. A port taken by another process in the
/// meantime makes the program exit with "Address already in use": then it starts again on
/// new ports (up to 5 tries).
pub fn spawn_server(
    name: &str,
    ports: usize,
    args: impl Fn(&[u16]) -> Vec<String>,
) -> (Program, Vec<u16>) {
    for _ in 0..5 {
        let chosen: Vec<u16> = (0..ports).map(|_| free_port()).collect();
        let mut program = spawn(name, &args(&chosen));
        match chosen
            .iter()
            .try_for_each(|&port| program.wait_listening(port))
        {
            Ok(()) => return (program, chosen),
            Err(finished) if finished.stderr.contains("Address already in use") => continue,
            Err(finished) => panic!("{name} exited before listening: {finished:?}"),
        }
    }
    panic!("{name}: no free ports after 5 tries");
}
