//! PLAIN password tables, and the password file czmq's `zauth` reads: one `name=password`
//! a line, `#` comments and blank lines ignored.

use std::collections::HashMap;
use std::io::Read;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use crate::error::{Error, Result};

/// The largest password file read (1 MiB): a bigger one is refused, so a wrong path (a log,
/// a device) cannot fill memory.
pub(crate) const MAX_FILE_LEN: u64 = 1024 * 1024;

/// User names and their passwords.
#[derive(Clone, Default)]
pub(crate) struct Passwords {
    table: HashMap<Vec<u8>, Vec<u8>>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords")
            .field("users", &self.table.len())
            .finish_non_exhaustive()
    }
}

impl Passwords {
    pub(crate) fn insert(&mut self, user: &[u8], password: &[u8]) {
        self.table.insert(user.to_vec(), password.to_vec());
    }

    /// Whether `user` exists with `password`. The password comparison takes the same time
    /// wherever the first difference is (the user name is not a secret).
    pub(crate) fn check(&self, user: &[u8], password: &[u8]) -> Lookup {
        match self.table.get(user) {
            None => Lookup::NoSuchUser,
            Some(expected) if constant_time_eq(expected, password) => Lookup::Match,
            Some(_) => Lookup::WrongPassword,
        }
    }

    /// Reads a password file; a precise [`Error::PasswordFile`] for anything wrong.
    pub(crate) fn load(path: &Path) -> Result<Passwords> {
        let error = |reason: String| Error::PasswordFile {
            path: path.to_path_buf(),
            reason,
        };
        // Opened first, non-blocking (a FIFO put in its place cannot hang the thread), then
        // checked and read through the same descriptor, at most one byte past the limit: a
        // file swapped or growing between a check and a read changes nothing.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| error(format!("cannot read it: {e}")))?;
        let meta = file
            .metadata()
            .map_err(|e| error(format!("cannot read it: {e}")))?;
        if !meta.is_file() {
            return Err(error("not a regular file".into()));
        }
        if meta.len() > MAX_FILE_LEN {
            return Err(error(format!(
                "{} bytes, more than the {MAX_FILE_LEN} bytes a password file may have",
                meta.len()
            )));
        }
        let mut bytes = Vec::new();
        file.take(MAX_FILE_LEN + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| error(format!("cannot read it: {e}")))?;
        if bytes.len() as u64 > MAX_FILE_LEN {
            return Err(error(format!(
                "more than the {MAX_FILE_LEN} bytes a password file may have"
            )));
        }
        parse(&bytes).map_err(error)
    }
}

/// The outcome of a PLAIN check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Match,
    NoSuchUser,
    WrongPassword,
}

/// Parses the text of a password file; the error names the line.
pub(crate) fn parse(bytes: &[u8]) -> std::result::Result<Passwords, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes
            .get(..e.valid_up_to())
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
            + 1;
        format!("line {line}: not UTF-8 text")
    })?;
    // A byte order mark, as some editors write, is not part of the first user name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut passwords = Passwords::default();
    let mut first_seen: HashMap<&str, usize> = HashMap::new();
    for (i, line) in text.split('\n').enumerate() {
        let n = i + 1;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some((name, password)) = line.split_once('=') else {
            return Err(format!(
                "line {n}: no '=': each line is name=password (or a # comment)"
            ));
        };
        if name.is_empty() {
            return Err(format!("line {n}: the name before '=' is empty"));
        }
        if name.trim() != name {
            return Err(format!(
                "line {n}: the name {name:?} starts or ends with white space (write name=password, \
                 nothing around '=')"
            ));
        }
        if let Some(c) = line.chars().find(|c| c.is_control() && *c != '\t') {
            return Err(format!("line {n}: control character {c:?}"));
        }
        if let Some(previous) = first_seen.insert(name, n) {
            return Err(format!(
                "line {n}: {name:?} is already given a password on line {previous}"
            ));
        }
        passwords.insert(name.as_bytes(), password.as_bytes());
    }
    Ok(passwords)
}

/// Whether `a` and `b` are equal, in a time that depends on their lengths only.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let len = a.len().max(b.len());
    let mut diff = (a.len() ^ b.len()) as u64;
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= u64::from(x ^ y);
    }
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_czmq_format_parses() {
        let p =
            parse(b"# users\n\nadmin=secret\r\nbob=pass word=x\n  # indented comment\nempty=\n")
                .unwrap();
        assert_eq!(p.check(b"admin", b"secret"), Lookup::Match);
        assert_eq!(p.check(b"bob", b"pass word=x"), Lookup::Match);
        assert_eq!(p.check(b"empty", b""), Lookup::Match);
        assert_eq!(p.check(b"admin", b"secre"), Lookup::WrongPassword);
        assert_eq!(p.check(b"nobody", b"secret"), Lookup::NoSuchUser);
    }

    #[test]
    fn bad_lines_are_named() {
        for (text, want) in [
            (&b"a=b\njunk\n"[..], "line 2: no '='"),
            (b"=b\n", "line 1: the name before '=' is empty"),
            (b"a =b\n", "line 1: the name \"a \" starts or ends"),
            (
                b"a=b\na=c\n",
                "line 2: \"a\" is already given a password on line 1",
            ),
            (b"a=b\n\xff=c\n", "line 2: not UTF-8"),
            (b"a=b\x00\n", "line 1: control character"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.contains(want), "{err:?} lacks {want:?}");
        }
    }

    #[test]
    fn constant_time_eq_is_eq() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"\0"));
        assert!(constant_time_eq(b"", b""));
    }
}
