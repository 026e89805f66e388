//! Running one test of the current test binary again in a child process, so that a
//! regression that aborts the process (libzmq's assertions) or hangs fails that test only.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The environment variable that tells a test it is the child.
pub const CHILD_ENV: &str = "ZMQ_TYPED_TEST_CHILD";

/// Whether this process is a child started by [`run`] for `test`.
pub fn is_child(test: &str) -> bool {
    std::env::var(CHILD_ENV).is_ok_and(|t| t == test)
}

/// Runs `test` (an exact test name of this binary) in a child process under `wrapper` (a
/// command prefix such as `setpriv ...`, possibly empty), killing it after `limit`.
pub fn run(wrapper: &[&str], test: &str, limit: Duration) -> Output {
    let exe = std::env::current_exe().expect("test binary path");
    let mut cmd = match wrapper.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    cmd.args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, test)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn the child test");
    // Read both pipes while the child runs, so that a talkative child never blocks on them.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait().expect("wait for the child") {
            Some(status) => break status,
            None if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "watchdog: {test} did not finish within {limit:?} in the child:\n{}\n{}",
                    String::from_utf8_lossy(&stdout.join().unwrap_or_default()),
                    String::from_utf8_lossy(&stderr.join().unwrap_or_default())
                );
            }
            None => std::thread::sleep(Duration::from_millis(20)),
        }
    };
    Output {
        status,
        stdout: stdout.join().unwrap_or_default(),
        stderr: stderr.join().unwrap_or_default(),
    }
}

/// How the child ended, in words: its exit code, or the signal that killed it.
pub fn describe(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(libc::SIGABRT)) => "killed by SIGABRT (an abort: libzmq assertion?)".into(),
        (None, Some(libc::SIGSEGV)) => "killed by SIGSEGV (a stack overflow?)".into(),
        (None, Some(sig)) => format!("killed by signal {sig}"),
        (None, None) => format!("{status:?}"),
    }
}

/// Asserts that the child ran its one test and passed.
pub fn check(test: &str, out: &Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "{test} failed in the child ({}):\n{stdout}\n{stderr}",
        describe(&out.status)
    );
}

/// In the parent: runs `test` in a child (60 s watchdog) and checks it passed. In the child:
/// runs `body`.
pub fn run_or_check(test: &str, body: impl FnOnce()) {
    if is_child(test) {
        body();
    } else {
        let out = run(&[], test, Duration::from_secs(60));
        check(test, &out);
    }
}
