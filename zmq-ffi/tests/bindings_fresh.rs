//! The committed `src/bindings.rs` must be exactly what bindgen makes of the installed `zmq.h`.
//!
//! Needs libclang. Without it the test says so loudly and passes, unless
//! `ZMQ_TYPED_REQUIRE_ALL` is set (as `.ci/run` does), where the skip is a failure.
//! `ZMQ_FFI_BLESS=1 cargo test -p zmq-ffi --test bindings_fresh` rewrites the committed file.

use std::path::{Path, PathBuf};

include!("../generate.rs");

fn require_all() -> bool {
    std::env::var_os("ZMQ_TYPED_REQUIRE_ALL").is_some_and(|v| !v.is_empty() && v != "0")
}

fn installed_header() -> Option<(PathBuf, Vec<PathBuf>)> {
    let out = std::process::Command::new("pkg-config")
        .args(["--cflags-only-I", "libzmq"])
        .output()
        .ok()?;
    let dirs: Vec<PathBuf> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|f| f.strip_prefix("-I").map(PathBuf::from))
        .collect();
    let header = dirs
        .iter()
        .chain(std::iter::once(&PathBuf::from("/usr/include")))
        .map(|d| d.join("zmq.h"))
        .find(|p| p.exists())?;
    Some((header, dirs))
}

#[test]
fn committed_bindings_match_installed_header() {
    let (header, dirs) = installed_header().expect("pkg-config finds libzmq's zmq.h");
    if !libclang_loadable() {
        let msg = "SKIPPED committed_bindings_match_installed_header: libclang is not installed \
                   (Debian/Ubuntu: apt-get install libclang-dev)";
        assert!(
            !require_all(),
            "{msg}, and ZMQ_TYPED_REQUIRE_ALL forbids skipping"
        );
        eprintln!("{msg}");
        return;
    }
    let fresh = generate_bindings(&header.display().to_string(), &dirs).expect("bindgen runs");
    let committed_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/bindings.rs");
    if std::env::var_os("ZMQ_FFI_BLESS").is_some() {
        std::fs::write(&committed_path, &fresh).expect("write src/bindings.rs");
        return;
    }
    let committed = std::fs::read_to_string(&committed_path).expect("read src/bindings.rs");
    if committed != fresh {
        let first = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(committed.lines().count().min(fresh.lines().count()));
        panic!(
            "src/bindings.rs differs from bindgen's output for {} (first difference at line {}); \
             regenerate with ZMQ_FFI_BLESS=1 cargo test -p zmq-ffi --test bindings_fresh",
            header.display(),
            first + 1
        );
    }
}

fn libclang_loadable() -> bool {
    std::panic::catch_unwind(|| bindgen::clang_version().parsed.is_some()).unwrap_or(false)
}
