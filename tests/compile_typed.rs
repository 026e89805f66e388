//! Compile-time proof of the typed API: the sequences libzmq rejects at run time (EFSM,
//! ENOTSUP) do not compile (`tests/ui/fail`, each with the error checked in its `.stderr`),
//! and the valid ones do and run (`tests/ui/pass`).
//!
//! The `.stderr` files are the compiler's words on this project's one toolchain; after a
//! toolchain change, `TRYBUILD=overwrite cargo test --test compile_typed` rewrites them, to be
//! reviewed like any diff.

#[test]
fn illegal_sequences_do_not_compile() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
}

#[test]
fn legal_sequences_compile_and_run() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
}
