//! Finds the system libzmq with pkg-config, links it, and exports what it found as links
//! metadata (`DEP_ZMQ_*` for dependants' build scripts).

use std::env;
use std::path::PathBuf;
use std::process::{exit, Command};

#[cfg(feature = "bindgen")]
mod generate {
    include!("generate.rs");
}

/// The oldest libzmq whose stable API the bindings describe.
const MIN_VERSION: &str = "4.3.0";

fn install_hint() -> &'static str {
    "zmq-ffi needs the libzmq (ZeroMQ) development files, version >= 4.3, and pkg-config.\n\
     Install them with:\n\
     \x20 Debian/Ubuntu: sudo apt-get install libzmq3-dev pkg-config\n\
     \x20 Fedora/RHEL:   sudo dnf install zeromq-devel pkgconf-pkg-config\n\
     \x20 macOS:         brew install zeromq pkg-config\n\
     If libzmq is installed in a non-standard place, point PKG_CONFIG_PATH at its libzmq.pc."
}

fn fail(what: &str) -> ! {
    eprintln!("\nerror: {what}\n\n{}\n", install_hint());
    exit(1);
}

/// The pkg-config program: `$PKG_CONFIG` when set (cross builds, a wrapper), else `pkg-config`.
fn pkg_config_program() -> String {
    env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into())
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=generate.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    if Command::new(pkg_config_program())
        .arg("--version")
        .output()
        .is_err()
    {
        fail(&format!("{} was not found on PATH", pkg_config_program()));
    }

    // The pkg-config crate honours $PKG_CONFIG (and the PKG_CONFIG_* variables) itself.
    let lib = match pkg_config::Config::new()
        .atleast_version(MIN_VERSION)
        .probe("libzmq")
    {
        Ok(lib) => lib,
        Err(e) => match installed_version() {
            Some(found) => fail(&format!(
                "the libzmq found by pkg-config is too old ({found}); {MIN_VERSION} or newer is required"
            )),
            None => fail(&format!("pkg-config could not find libzmq: {e}")),
        },
    };

    let mut parts = lib
        .version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let (major, minor, patch) = (
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
        parts.next().unwrap_or(0),
    );
    // Links metadata: dependants read these as DEP_ZMQ_VERSION, DEP_ZMQ_VERSION_MAJOR, ...
    println!("cargo:version={}", lib.version);
    println!("cargo:version_major={major}");
    println!("cargo:version_minor={minor}");
    println!("cargo:version_patch={patch}");
    let include_paths = lib.include_paths.clone();
    let header = include_paths
        .iter()
        .map(|p| p.join("zmq.h"))
        .find(|p| p.exists())
        .unwrap_or_else(|| PathBuf::from("/usr/include/zmq.h"));
    println!(
        "cargo:include={}",
        header
            .parent()
            .map(|p| p.display().to_string())
            .unwrap_or_default()
    );
    println!("cargo:header={}", header.display());

    // Build again when the system libzmq changes (an upgrade rewrites its .pc file, its
    // header and its shared library): the version above and the metadata must follow.
    println!("cargo:rerun-if-changed={}", header.display());
    if let Some(pc) = pc_file() {
        println!("cargo:rerun-if-changed={}", pc.display());
    }
    // Package managers keep the files' own dates (dpkg sets the mtimes of the package), so a
    // date alone may not change on an upgrade; the versioned file that `libzmq.so` points to
    // does change its name with libzmq's version, and a watched path that no longer exists
    // makes Cargo run this script again.
    let mut lib_dirs = lib.link_paths.clone();
    lib_dirs.extend(pkg_variable("libdir").map(PathBuf::from));
    lib_dirs.sort();
    lib_dirs.dedup();
    for dir in &lib_dirs {
        let so = dir.join("libzmq.so");
        if so.exists() {
            println!("cargo:rerun-if-changed={}", so.display());
            if let Ok(real) = std::fs::canonicalize(&so) {
                println!("cargo:rerun-if-changed={}", real.display());
            }
        }
    }

    // What libzmq was built with (CURVE, PGM, NORM, GSSAPI, VMCI...) is asked of the library
    // at run time (`zmq_has`): compiling and running a probe here would need a C compiler and
    // break cross builds, and libzmq refuses the options of a missing transport anyway.

    if env::var_os("CARGO_FEATURE_BINDGEN").is_some() {
        regenerate(&header, &include_paths);
    }
}

/// A variable of libzmq's pkg-config file (`libdir`, `pcfiledir`...).
fn pkg_variable(name: &str) -> Option<String> {
    let out = Command::new(pkg_config_program())
        .arg(format!("--variable={name}"))
        .arg("libzmq")
        .output()
        .ok()?;
    let value = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !value.is_empty()).then_some(value)
}

/// The `libzmq.pc` file pkg-config read, to watch for upgrades.
fn pc_file() -> Option<PathBuf> {
    let pc = PathBuf::from(pkg_variable("pcfiledir")?).join("libzmq.pc");
    pc.exists().then_some(pc)
}

#[cfg(feature = "bindgen")]
fn regenerate(header: &std::path::Path, include_paths: &[PathBuf]) {
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bindings.rs");
    match generate::generate_bindings(&header.display().to_string(), include_paths) {
        Ok(text) => {
            if let Err(e) = std::fs::write(&out, text) {
                fail(&format!("could not write {}: {e}", out.display()));
            }
        }
        Err(e) => {
            eprintln!("\nerror: {e}\nThe `bindgen` feature needs libclang (Debian/Ubuntu: sudo apt-get install libclang-dev).\n");
            exit(1);
        }
    }
}

#[cfg(not(feature = "bindgen"))]
fn regenerate(_: &std::path::Path, _: &[PathBuf]) {}

/// The version of whatever libzmq pkg-config knows of, old or not.
fn installed_version() -> Option<String> {
    let out = Command::new(pkg_config_program())
        .args(["--modversion", "libzmq"])
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !v.is_empty()).then_some(v)
}
