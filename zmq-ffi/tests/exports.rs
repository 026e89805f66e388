//! Every function the installed `libzmq.so` exports is declared by the bindings, and the
//! declarations link and run against it.

use std::process::Command;

fn exported_functions() -> Vec<String> {
    let libdir = Command::new("pkg-config")
        .args(["--variable=libdir", "libzmq"])
        .output()
        .expect("pkg-config runs");
    let libdir = String::from_utf8_lossy(&libdir.stdout).trim().to_string();
    let lib = format!("{libdir}/libzmq.so");
    let out = Command::new("nm")
        .args(["-D", "--defined-only", &lib])
        .output()
        .expect("nm (binutils) runs");
    assert!(out.status.success(), "nm -D {lib} failed");
    let mut names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (_addr, kind, name) = (f.next()?, f.next()?, f.next()?);
            (kind == "T" && name.starts_with("zmq_")).then(|| name.to_string())
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_exported_function_is_declared() {
    let bindings = include_str!("../src/bindings.rs");
    let exported = exported_functions();
    assert!(
        exported.len() >= 70,
        "libzmq exports {} zmq_ functions",
        exported.len()
    );
    let missing: Vec<&String> = exported
        .iter()
        .filter(|name| !bindings.contains(&format!("pub fn {name}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "exported by libzmq but not declared: {missing:?}"
    );
}

#[test]
fn declarations_link_and_run() {
    // SAFETY: plain calls into libzmq with valid pointers and arguments, as documented in
    // the man pages; every object created is destroyed.
    unsafe {
        let (mut major, mut minor, mut patch) = (0, 0, 0);
        zmq_ffi::zmq_version(&mut major, &mut minor, &mut patch);
        assert_eq!(
            (major, minor),
            (zmq_ffi::ZMQ_VERSION_MAJOR, zmq_ffi::ZMQ_VERSION_MINOR)
        );

        let counter = zmq_ffi::zmq_atomic_counter_new();
        zmq_ffi::zmq_atomic_counter_set(counter, 41);
        assert_eq!(zmq_ffi::zmq_atomic_counter_inc(counter), 41);
        assert_eq!(zmq_ffi::zmq_atomic_counter_value(counter), 42);
        let mut counter = counter;
        zmq_ffi::zmq_atomic_counter_destroy(&mut counter);
        assert!(counter.is_null());

        let watch = zmq_ffi::zmq_stopwatch_start();
        let _elapsed_us = zmq_ffi::zmq_stopwatch_stop(watch);

        let (mut public, mut secret) = ([0 as core::ffi::c_char; 41], [0 as core::ffi::c_char; 41]);
        assert_eq!(
            zmq_ffi::zmq_curve_keypair(public.as_mut_ptr(), secret.as_mut_ptr()),
            0,
            "libzmq has CURVE"
        );
        let has = |cap: &[u8]| zmq_ffi::zmq_has(cap.as_ptr() as *const core::ffi::c_char);
        assert_eq!(has(b"curve\0"), 1);
        assert_eq!(has(b"pgm\0"), 1);
        assert_eq!(has(b"norm\0"), 1);
        assert_eq!(has(b"gssapi\0"), 1);
    }
    assert_eq!(zmq_ffi::EFSM, zmq_ffi::ZMQ_HAUSNUMERO + 51);
    assert_eq!(zmq_ffi::ETERM, zmq_ffi::ZMQ_HAUSNUMERO + 53);
}
