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

/// The names that declarations of `kind` (`fn`, `const`) in Rust source declare, when they
/// start with `start`: one per line that begins (after indentation) with `pub kind NAME` or
/// `pub unsafe kind NAME`/`pub safe kind NAME` (newer bindgen output), so that a name in a
/// comment or a string is not taken for one.
fn declared(source: &str, kind: &str, start: &str) -> BTreeSet<String> {
    source
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("pub ")?;
            let rest = rest
                .strip_prefix("unsafe ")
                .or_else(|| rest.strip_prefix("safe "))
                .unwrap_or(rest);
            let rest = rest.strip_prefix(kind)?.strip_prefix(' ')?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            name.starts_with(start).then_some(name)
        })
        .collect()
}

/// The names in the first column of the map's table rows (`| `NAME` | ...`, or
/// `| `NAME` (setter) | ...`) that start with `start`, with the rest of their row.
fn rows<'m>(map: &'m str, start: &str) -> Vec<(String, &'m str)> {
    map.lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `")?;
            let (name, rest) = rest.split_once('`')?;
            (name.starts_with(start) && !name.contains(' ')).then(|| (name.to_string(), rest))
        })
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
    let functions = declared(&bindings(), "fn", "zmq_");
    assert_eq!(functions.len(), 70, "{functions:?}");
}

#[test]
fn every_bound_function_has_a_row_in_the_map() {
    let map = map();
    let missing: Vec<String> = declared(&bindings(), "fn", "zmq_")
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
    let bound = declared(&bindings(), "fn", "zmq_");
    let map = map();
    let rows: BTreeSet<String> = rows(&map, "zmq_").into_iter().map(|(n, _)| n).collect();
    let stale: Vec<&String> = rows.difference(&bound).collect();
    assert!(
        stale.is_empty(),
        "docs/c-api.md has rows for functions zmq-ffi does not bind: {stale:?}"
    );
}

#[test]
fn every_zmq_constant_of_the_bindings_has_a_row_in_the_map() {
    let map = map();
    let named: BTreeSet<String> = rows(&map, "ZMQ_").into_iter().map(|(n, _)| n).collect();
    let missing: Vec<String> = declared(&bindings(), "const", "ZMQ_")
        .into_iter()
        .filter(|name| !named.contains(name))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/c-api.md has no row for these ZMQ_ constants of zmq-ffi (give each its \
         counterpart, or say why it has none): {}",
        missing.join(", ")
    );
}

#[test]
fn the_libzmq_errno_values_are_mapped_to_error_variants() {
    let map = map();
    let errnos = declared(&bindings(), "const", "E");
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

#[test]
fn every_function_row_names_a_counterpart_or_says_why_there_is_none() {
    let map = map();
    for (name, rest) in rows(&map, "zmq_") {
        let cell = rest
            .trim_start_matches([' ', '|'])
            .split(" |")
            .next()
            .unwrap_or_default()
            .trim();
        assert!(!cell.is_empty(), "docs/c-api.md: `{name}` has an empty row");
        if let Some(why) = cell.strip_prefix("none") {
            // `none: why`, `none directly: why`, `none needed: why`.
            let reason = why.split_once(':').map_or("", |(_, r)| r.trim());
            assert!(
                reason.len() > 10,
                "docs/c-api.md: `{name}` has no counterpart and no reason: {cell:?}"
            );
        }
    }
}

/// Every file's text under `dir` (recursively) with the extension `ext`.
fn sources(dir: &Path, ext: &str, into: &mut String) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, ext, into);
        } else if path.extension().is_some_and(|e| e == ext) {
            into.push_str(&std::fs::read_to_string(&path).expect("a source file"));
        }
    }
}

/// `Type::method` names (the method in lower case) in `text`, outside the standard library.
fn method_paths(text: &str) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .collect();
    for word in words {
        let parts: Vec<&str> = word.split("::").collect();
        let [.., ty, method] = parts[..] else {
            continue;
        };
        let std_type = ["AtomicI32", "Instant", "JoinHandle", "Duration", "Ordering"];
        if parts[0] == "std"
            || parts[0] == "libc"
            || std_type.contains(&ty)
            || !ty.starts_with(|c: char| c.is_ascii_uppercase())
            || !method.starts_with(|c: char| c.is_ascii_lowercase())
        {
            continue;
        }
        found.insert((ty.to_string(), method.to_string()));
    }
    found
}

/// The safe counterparts that the map and the `capi_*` examples name exist: each
/// `Type::method` names a function of the crate (`fn method`, or a getter or setter of the
/// option table). (The type is not checked here; `tests/api_shape.rs` and the compiler check
/// the crate's own documentation.)
#[test]
fn the_safe_counterparts_named_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut src = String::new();
    sources(&root.join("src"), "rs", &mut src);
    let table = read("src/options/table.rs");
    let exists = |method: &str| {
        src.contains(&format!("fn {method}("))
            || src.contains(&format!("fn {method}<"))
            || table.contains(&format!(", {method},"))
            || table.contains(&format!(" {method} /"))
            || table.contains(&format!("/ {method},"))
    };
    let mut named = method_paths(&map());
    let mut examples = String::new();
    for entry in std::fs::read_dir(root.join("examples")).expect("examples/") {
        let path = entry.expect("an entry").path();
        let is_capi = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("capi_") && n.ends_with(".rs"));
        if is_capi {
            // Only the comments: the code itself calls zmq_ffi.
            let text = std::fs::read_to_string(&path).expect("an example");
            for line in text.lines() {
                if let Some((_, comment)) = line.split_once("//") {
                    examples.push_str(comment);
                    examples.push('\n');
                }
            }
        }
    }
    named.extend(method_paths(&examples));
    assert!(named.len() > 100, "too few names found: {named:?}");
    let unknown: Vec<String> = named
        .into_iter()
        .filter(|(_, method)| !exists(method))
        .map(|(ty, method)| format!("{ty}::{method}"))
        .collect();
    assert!(
        unknown.is_empty(),
        "docs/c-api.md or a capi_* example names functions the crate does not have: {}",
        unknown.join(", ")
    );
}
