//! Running the example programs for tests/demos_capi.rs: a private stand-in for
//! tests/common/programs.rs (which the demo tests of the safe programs use), to be replaced by
//! it once both are on one branch.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use zmq_typed::{Context, Socket, SocketType};

use crate::common::PATIENCE;

/// Where the example `name` is: `target/<profile>/examples/<name>`, next to this test's
/// `deps/` folder. `None` when it was not built.
pub fn locate(name: &str) -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let profile = exe.parent()?.parent()?;
    let path = profile.join("examples").join(name);
    path.is_file().then_some(path)
}

/// [`locate`] for a program this file owns: missing is a failure.
pub fn program(name: &str) -> PathBuf {
    locate(name).unwrap_or_else(|| {
        panic!("example `{name}` is not built: run `cargo build --examples` (./dev.sh test does)")
    })
}

/// A running program: killed and reaped when dropped, its stdout read line by line.
pub struct Running {
    name: String,
    child: Child,
    lines: Receiver<String>,
    stderr: Option<JoinHandle<String>>,
}

impl Running {
    pub fn start(path: PathBuf, args: &[&str]) -> Running {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut child = Command::new(&path)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {name}: {e}"));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr_pipe.read_to_string(&mut text);
            text
        });
        Running {
            name,
            child,
            lines,
            stderr: Some(stderr),
        }
    }

    /// The next stdout line, waiting at most [`PATIENCE`].
    pub fn next_line(&self) -> String {
        self.lines
            .recv_timeout(PATIENCE)
            .unwrap_or_else(|e| panic!("{}: no stdout line within {PATIENCE:?} ({e})", self.name))
    }

    pub fn pid(&self) -> libc::pid_t {
        self.child.id() as libc::pid_t
    }

    /// Sends `signal` to the program.
    pub fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill has no memory preconditions; the pid is our unreaped child's.
        assert_eq!(unsafe { libc::kill(self.pid(), signal) }, 0);
    }

    /// The exit status if the program ends within `limit`.
    pub fn wait_for(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Sends `signal` until the program ends (at most ten times, a second apart): a signal
    /// that lands while the program is between two blocking calls only sets its flag, and
    /// the C way (a flag and `EINTR`) sees it at the next signal, as the guide's programs do.
    pub fn interrupt(&mut self, signal: libc::c_int) {
        for _ in 0..10 {
            self.signal(signal);
            if self.wait_for(Duration::from_secs(1)).is_some() {
                return;
            }
        }
        panic!("{}: still running after ten signals {signal}", self.name);
    }

    /// Waits (bounded) for the end: the exit code, the stdout lines not read yet, stderr.
    pub fn finish(mut self) -> (Option<i32>, Vec<String>, String) {
        let Some(status) = self.wait_for(PATIENCE) else {
            let _ = self.child.kill();
            let _ = self.child.wait();
            let stderr = self.stderr.take().unwrap().join().unwrap();
            panic!(
                "{}: did not exit within {PATIENCE:?}; stderr: {stderr:?}",
                self.name
            );
        };
        let stderr = self.stderr.take().unwrap().join().unwrap();
        // The reader thread ends at EOF, which came with the exit.
        let rest: Vec<String> = self.lines.iter().collect();
        (status.code(), rest, stderr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn start(name: &str, args: &[&str]) -> Running {
    Running::start(program(name), args)
}

/// A fresh `ipc://` endpoint in a folder of this test process.
pub fn ipc(tag: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!("zmq-typed-demos-capi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("ipc://{}/{tag}-{n}", dir.display())
}

/// A library socket with a bounded receive, so a missing message fails the test.
pub fn socket(ctx: &Context, kind: SocketType) -> Socket {
    let s = Socket::new(ctx, kind).unwrap();
    s.set_rcvtimeo(Some(PATIENCE)).unwrap();
    s.set_sndtimeo(Some(PATIENCE)).unwrap();
    s
}

/// A TCP port that was free a moment ago, for a server program to bind.
pub fn free_tcp_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("tcp://127.0.0.1:{}", listener.local_addr().unwrap().port())
}
