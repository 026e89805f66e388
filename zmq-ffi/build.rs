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

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=generate.rs");
    println!("cargo:rerun-if-env-changed=PKG_CONFIG_PATH");

    if Command::new(env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".into()))
        .arg("--version")
        .output()
        .is_err()
    {
        fail("pkg-config was not found on PATH");
    }

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

    // Capabilities are a property of how libzmq was built, which only the library itself can
    // tell (zmq_has): ask it through a tiny C probe when a C compiler is at hand.
    for (cap, has) in probe_capabilities(&lib) {
        println!("cargo:has_{cap}={}", u8::from(has));
    }

    if env::var_os("CARGO_FEATURE_BINDGEN").is_some() {
        regenerate(&header, &include_paths);
    }
}

#[cfg(feature = "bindgen")]
fn regenerate(header: &std::path::Path, include_paths: &[PathBuf]) {
    println!("cargo:rerun-if-changed={}", header.display());
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
    let out = Command::new("pkg-config")
        .args(["--modversion", "libzmq"])
        .output()
        .ok()?;
    let v = String::from_utf8_lossy(&out.stdout).trim().to_string();
    (out.status.success() && !v.is_empty()).then_some(v)
}

/// Compiles and runs `zmq_has` for each capability against the libzmq found. Returns nothing
/// (and warns) when no C compiler is available; dependants then assume the capability absent.
fn probe_capabilities(lib: &pkg_config::Library) -> Vec<(&'static str, bool)> {
    const CAPS: [&str; 7] = ["ipc", "pgm", "tipc", "norm", "curve", "gssapi", "vmci"];
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let src = out_dir.join("zmq_probe.c");
    let exe = out_dir.join("zmq_probe");
    let mut code = String::from("#include <stdio.h>\n#include <zmq.h>\nint main(void) {\n");
    for cap in CAPS {
        code.push_str(&format!("    printf(\"%d\\n\", zmq_has(\"{cap}\"));\n"));
    }
    code.push_str("    return 0;\n}\n");
    if std::fs::write(&src, code).is_err() {
        return Vec::new();
    }
    let cc = env::var("CC").unwrap_or_else(|_| "cc".into());
    let mut cmd = Command::new(cc);
    cmd.arg(&src).arg("-o").arg(&exe);
    for p in &lib.include_paths {
        cmd.arg(format!("-I{}", p.display()));
    }
    for p in &lib.link_paths {
        cmd.arg(format!("-L{}", p.display()));
        cmd.arg(format!("-Wl,-rpath,{}", p.display()));
    }
    cmd.arg("-lzmq");
    let compiled = cmd.output().map(|o| o.status.success()).unwrap_or(false);
    let run = compiled.then(|| Command::new(&exe).output().ok()).flatten();
    match run {
        Some(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).to_string();
            CAPS.iter()
                .copied()
                .zip(text.lines().map(|l| l.trim() == "1"))
                .collect()
        }
        _ => {
            println!("cargo:warning=could not probe libzmq's capabilities with a C compiler; assuming no VMCI");
            Vec::new()
        }
    }
}
