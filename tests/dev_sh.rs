//! `./dev.sh deps demo|test`: what it installs and what it says, against fake `dpkg-query`,
//! `apt-get` and `sudo` (nothing is installed or removed for real): the demo gets only
//! libzmq3-dev and pkg-config, the tests everything, one line says what and why, and apt's
//! output shows only when apt fails.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

const ALL_TEST_PACKAGES: &str =
    "libzmq3-dev pkg-config libclang-dev clang iproute2 binutils util-linux valgrind";

/// A folder of fake tools, first on PATH.
struct Fakes {
    dir: PathBuf,
}

impl Fakes {
    fn new(tag: &str) -> Fakes {
        let dir =
            std::env::temp_dir().join(format!("zmq-typed-dev-sh-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let script = |name: &str, body: &str| {
            let path = dir.join(name);
            std::fs::write(&path, format!("#!/usr/bin/env bash\n{body}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        };
        // Installed: the packages listed in $FAKE_INSTALLED.
        script(
            "dpkg-query",
            r#"pkg="${!#}"; for p in $FAKE_INSTALLED; do [ "$p" = "$pkg" ] && { printf 'install ok installed'; exit 0; }; done; exit 1"#,
        );
        script(
            "apt-get",
            r#"echo "$*" >> "$FAKE_APT_CALLS"; echo "Reading package lists... (apt noise)"; exit "${FAKE_APT_EXIT:-0}""#,
        );
        script("sudo", r#"exec "$@""#);
        Fakes { dir }
    }

    fn calls(&self) -> PathBuf {
        self.dir.join("apt-calls")
    }

    /// Runs `./dev.sh deps <purpose>` with `installed` already there: (status, stderr, apt calls).
    fn run(&self, purpose: &str, installed: &str, env: &[(&str, &str)]) -> (i32, String, String) {
        let _ = std::fs::remove_file(self.calls());
        let path = format!(
            "{}:{}",
            self.dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let dev_sh = Path::new(env!("CARGO_MANIFEST_DIR")).join("dev.sh");
        let mut cmd = Command::new("bash");
        cmd.arg(&dev_sh)
            .args(["deps", purpose])
            .env("PATH", path)
            .env("FAKE_INSTALLED", installed)
            .env("FAKE_APT_CALLS", self.calls())
            .env("TMPDIR", &self.dir)
            .env_remove("DEV_SH_DRY_RUN");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        assert!(
            out.stdout.is_empty(),
            "{:?}",
            String::from_utf8_lossy(&out.stdout)
        );
        let calls = std::fs::read_to_string(self.calls()).unwrap_or_default();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stderr).unwrap(),
            calls,
        )
    }

    /// Logs apt left behind in the folder.
    fn logs(&self) -> Vec<String> {
        std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("zmq-typed-apt."))
            .collect()
    }
}

impl Drop for Fakes {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn the_demo_installs_only_libzmq_and_pkg_config_quietly() {
    let fakes = Fakes::new("demo");
    let (status, stderr, calls) = fakes.run("demo", "", &[]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        stderr,
        "dev.sh: installing for the demo: libzmq3-dev (libzmq to link against), pkg-config \
         (finds libzmq)\n"
    );
    assert_eq!(
        calls,
        "update -qq\ninstall -y -qq --no-install-recommends libzmq3-dev pkg-config\n"
    );
    assert!(fakes.logs().is_empty(), "the log of a success is removed");

    // Only what is missing.
    let (status, stderr, calls) = fakes.run("demo", "libzmq3-dev clang", &[]);
    assert_eq!(status, 0);
    assert_eq!(
        stderr,
        "dev.sh: installing for the demo: pkg-config (finds libzmq)\n"
    );
    assert_eq!(
        calls,
        "update -qq\ninstall -y -qq --no-install-recommends pkg-config\n"
    );

    // Nothing missing: nothing said, apt not called.
    let (status, stderr, calls) = fakes.run("demo", "libzmq3-dev pkg-config", &[]);
    assert_eq!((status, stderr.as_str(), calls.as_str()), (0, "", ""));
}

#[test]
fn the_tests_install_everything_they_use() {
    let fakes = Fakes::new("test");
    let (status, stderr, calls) = fakes.run("test", "", &[]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(
        stderr,
        "dev.sh: installing for the test: libzmq3-dev (libzmq to link against), pkg-config \
         (finds libzmq), libclang-dev (bindgen, for the bindings freshness test), clang \
         (bindgen, for the bindings freshness test), iproute2 (ip, for multicast tests in a \
         network namespace), binutils (nm, for the exported-symbols test), util-linux \
         (unshare, for those namespaces), valgrind (callgrind, for the perf script's \
         instruction counts)\n"
    );
    assert_eq!(
        calls,
        format!("update -qq\ninstall -y -qq --no-install-recommends {ALL_TEST_PACKAGES}\n")
    );
    let (status, stderr, calls) = fakes.run("test", ALL_TEST_PACKAGES, &[]);
    assert_eq!((status, stderr.as_str(), calls.as_str()), (0, "", ""));
}

#[test]
fn apt_output_is_shown_when_apt_fails() {
    let fakes = Fakes::new("fail");
    let (status, stderr, calls) = fakes.run("demo", "pkg-config", &[("FAKE_APT_EXIT", "100")]);
    assert_eq!(status, 1);
    assert_eq!(
        calls, "update -qq\n",
        "install is not tried after a failed update"
    );
    let logs = fakes.logs();
    assert_eq!(logs.len(), 1, "the log is kept for the user");
    let log = fakes.dir.join(&logs[0]);
    assert_eq!(
        stderr,
        format!(
            "dev.sh: installing for the demo: libzmq3-dev (libzmq to link against)\n\
             error: apt-get failed to install libzmq3-dev; its output ({}):\n\
             Reading package lists... (apt noise)\n",
            log.display()
        )
    );
}

#[test]
fn a_dry_run_says_what_it_would_install() {
    let fakes = Fakes::new("dry");
    let (status, stderr, calls) = fakes.run("demo", "", &[("DEV_SH_DRY_RUN", "1")]);
    assert_eq!(status, 0);
    assert_eq!(
        stderr,
        "dev.sh: installing for the demo: libzmq3-dev (libzmq to link against), pkg-config \
         (finds libzmq)\n\
         dev.sh: dry run: would run apt-get install -y --no-install-recommends libzmq3-dev \
         pkg-config\n"
    );
    assert_eq!(calls, "", "apt is not called");
}

#[test]
fn a_bad_purpose_is_refused() {
    let fakes = Fakes::new("bad");
    let (status, stderr, calls) = fakes.run("everything", "", &[]);
    assert_eq!(status, 2);
    assert_eq!(stderr, "usage: ./dev.sh deps [demo|test]\n");
    assert_eq!(calls, "");
}
