//! `docs/c-api.md` maps the whole C API: every function that `zmq-ffi` binds has a row there
//! (its safe counterpart, or why there is none), and every `ZMQ_*` constant of the bindings
//! is named there. The bindings are read from the committed `zmq-ffi/src/bindings.rs`, so a
//! regenerated header that adds a name fails here until the map says what it is.

use std::collections::BTreeSet;
use std::path::Path;

fn read(relative: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// The identifiers that follow `prefix` (`pub fn `, `pub const `) and start with `start`.
fn declared(source: &str, prefix: &str, start: &str) -> BTreeSet<String> {
    source
        .split(prefix)
        .skip(1)
        .map(|rest| {
            rest.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect::<String>()
        })
        .filter(|name| name.starts_with(start))
        .collect()
}

fn bindings() -> String {
    read("zmq-ffi/src/bindings.rs")
}

fn map() -> String {
    read("docs/c-api.md")
}

#[test]
fn the_bindings_have_the_70_functions_of_zmq_h() {
    let functions = declared(&bindings(), "pub fn ", "zmq_");
    assert_eq!(functions.len(), 70, "{functions:?}");
}

#[test]
fn every_bound_function_has_a_row_in_the_map() {
    let map = map();
    let missing: Vec<String> = declared(&bindings(), "pub fn ", "zmq_")
        .into_iter()
        .filter(|name| !map.contains(&format!("\n| `{name}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/c-api.md has no row for these functions of zmq-ffi: {}",
        missing.join(", ")
    );
}

#[test]
fn every_function_row_of_the_map_is_a_bound_function() {
    let bound = declared(&bindings(), "pub fn ", "zmq_");
    let rows = declared(&map(), "\n| `", "zmq_");
    let stale: Vec<&String> = rows.difference(&bound).collect();
    assert!(
        stale.is_empty(),
        "docs/c-api.md has rows for functions zmq-ffi does not bind: {stale:?}"
    );
}

#[test]
fn every_zmq_constant_of_the_bindings_is_named_in_the_map() {
    let map = map();
    let missing: Vec<String> = declared(&bindings(), "pub const ", "ZMQ_")
        .into_iter()
        .filter(|name| !map.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/c-api.md does not name these ZMQ_ constants of zmq-ffi (give each its \
         counterpart, or say why it has none): {}",
        missing.join(", ")
    );
}

#[test]
fn the_libzmq_errno_values_are_mapped_to_error_variants() {
    let map = map();
    let errnos = declared(&bindings(), "pub const ", "E");
    assert_eq!(
        errnos.iter().map(String::as_str).collect::<Vec<_>>(),
        ["EFSM", "EMTHREAD", "ENOCOMPATPROTO", "ETERM"]
    );
    for errno in &errnos {
        assert!(
            map.contains(&format!("\n| `{errno}` | `Error::")),
            "docs/c-api.md has no Error variant row for {errno}"
        );
    }
}

#[test]
fn every_option_of_the_option_table_is_in_the_map() {
    let map = map();
    let table = read("src/options/table.rs");
    // Rows look like `ZMQ_LINGER: rw MillisOrInfinite: ..., linger, set_linger, "...";`.
    let options: Vec<&str> = table
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("ZMQ_"))
        .filter_map(|line| line.split_once(':'))
        .filter(|(_, rest)| {
            ["rw ", "ro ", "wo "]
                .iter()
                .any(|m| rest.trim_start().starts_with(m))
        })
        .map(|(name, _)| name)
        .collect();
    assert!(
        options.len() > 70,
        "the table's rows were not found: {options:?}"
    );
    let missing: Vec<&str> = options
        .into_iter()
        .filter(|name| !map.contains(&format!("\n| `{name}` |")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/c-api.md has no option row for: {}",
        missing.join(", ")
    );
}
