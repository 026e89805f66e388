//! Running one test of the current test binary again in a child process, so that a
//! regression that aborts the process (libzmq's assertions) or hangs fails that test only.

use std::path::{Path, PathBuf};
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
    run_binary(wrapper, &exe, None, test, limit)
}

/// [`run`] with the test binary `exe`, in the folder `dir` (None: this process's).
fn run_binary(
    wrapper: &[&str],
    exe: &Path,
    dir: Option<&Path>,
    test: &str,
    limit: Duration,
) -> Output {
    let mut cmd = match wrapper.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
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

/// Whether the command prefix `wrapper` can run here (tried with `true`): Err says why not.
pub fn probe(wrapper: &[&str]) -> Result<(), String> {
    let (first, rest) = wrapper.split_first().expect("a wrapper");
    match Command::new(first).args(rest).arg("true").output() {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => Err(format!(
            "`{} true` failed ({}): {}",
            wrapper.join(" "),
            describe(&out.status),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
        Err(e) => Err(format!("`{}` cannot run: {e}", wrapper.join(" "))),
    }
}

/// Why a test that needs a network namespace skips when [`namespace_wrapper`] has none.
pub const NO_NAMESPACE: &str =
    "cannot create a network namespace (needs root or unprivileged user namespaces)";

/// Whether `unshare -n` (root) or `unshare -rn` can make a network namespace here: the wrapper
/// to run a child in one, or None (and why not, on stderr).
pub fn namespace_wrapper() -> Option<&'static [&'static str]> {
    let wrapper: &'static [&'static str] = if super::is_root() {
        &["unshare", "-n"]
    } else {
        &["unshare", "-rn"]
    };
    match probe(wrapper) {
        Ok(()) => Some(wrapper),
        Err(why) => {
            eprintln!("{why}");
            None
        }
    }
}

/// Runs `ip` with `args` (in the child, in its network namespace), failing the test with
/// its stderr when it fails.
pub fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// In the child's fresh network namespace: loopback up, carrying multicast, with a route to
/// 224.0.0.0/4. No real network is touched.
pub fn multicast_loopback() {
    ip(&["link", "set", "lo", "up"]);
    ip(&["link", "set", "lo", "multicast", "on"]);
    ip(&["route", "add", "224.0.0.0/4", "dev", "lo"]);
}

/// Drops to user 65534 with no groups and no capabilities.
const UNPRIVILEGED: [&str; 6] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=-all",
    "--bounding-set=-all",
];

/// A temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// [`run`] for a child that runs `test` as user 65534 (without the privileges of root), under
/// `setpriv`: the test binary may sit where that user cannot reach it (target/ under a private
/// folder), so the child runs a copy in a world-readable temporary folder, which is also its
/// current folder. Err (why) when setpriv cannot drop to that user here.
pub fn run_unprivileged(test: &str, limit: Duration) -> Result<Output, String> {
    use std::os::unix::fs::PermissionsExt;
    probe(&UNPRIVILEGED)?;
    let exe = std::env::current_exe().expect("test binary path");
    let dir = TempDir(std::env::temp_dir().join(format!(
        "zmq-typed-unprivileged-{}-{test}",
        std::process::id()
    )));
    std::fs::create_dir_all(&dir.0).expect("temporary folder");
    std::fs::set_permissions(&dir.0, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let copy = dir.0.join(exe.file_name().expect("test binary name"));
    std::fs::copy(&exe, &copy).expect("copy the test binary");
    std::fs::set_permissions(&copy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    Ok(run_binary(&UNPRIVILEGED, &copy, Some(&dir.0), test, limit))
}
