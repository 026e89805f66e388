//! Change detection for the password file and the certificate directory: a fingerprint
//! (modification and change times to the nanosecond, size, device and inode; for a directory
//! also each entry's name and fingerprint) taken at each request, and a reload when it
//! differs. No timers: the next handshake after a change sees it.
//!
//! What it cannot see: a rewrite in place that keeps the size, lands within the same tick of
//! the file system's clock (a few milliseconds on Linux) as the previous write, and keeps the
//! inode. Writing a new file and renaming it over the old one (what editors and `install`
//! do) always changes the inode.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// The most entries of a certificate directory fingerprinted; more is an error (the
/// directory is then refused, failing closed).
pub(crate) const MAX_DIR_ENTRIES: usize = 10_000;

/// What identifies one version of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileStamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl FileStamp {
    fn of(meta: &std::fs::Metadata) -> FileStamp {
        FileStamp {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// A fingerprint of a file or of a directory and its entries; `Err` (its text) when it
/// cannot be taken, which counts as a state of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fingerprint {
    File(FileStamp),
    Dir(FileStamp, Vec<(std::ffi::OsString, Option<FileStamp>)>),
    Unreadable(String),
}

impl Fingerprint {
    pub(crate) fn file(path: &Path) -> Fingerprint {
        match std::fs::metadata(path) {
            Ok(meta) => Fingerprint::File(FileStamp::of(&meta)),
            Err(e) => Fingerprint::Unreadable(e.to_string()),
        }
    }

    pub(crate) fn dir(path: &Path) -> Fingerprint {
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(e) => return Fingerprint::Unreadable(e.to_string()),
        };
        let entries = match std::fs::read_dir(path) {
            Ok(entries) => entries,
            Err(e) => return Fingerprint::Unreadable(e.to_string()),
        };
        let mut stamps = Vec::new();
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => return Fingerprint::Unreadable(e.to_string()),
            };
            if stamps.len() >= MAX_DIR_ENTRIES {
                return Fingerprint::Unreadable(format!("more than {MAX_DIR_ENTRIES} entries"));
            }
            // Followed through symbolic links, as reading them does.
            let stamp = std::fs::metadata(entry.path())
                .ok()
                .map(|m| FileStamp::of(&m));
            stamps.push((entry.file_name(), stamp));
        }
        stamps.sort_by(|a, b| a.0.cmp(&b.0));
        Fingerprint::Dir(FileStamp::of(&meta), stamps)
    }
}

/// What a reloading source is: how to fingerprint it and how to read it.
pub(crate) trait Source {
    /// What is read.
    type Value;
    /// The fingerprint of `path` now.
    fn fingerprint(path: &Path) -> Fingerprint;
    /// Reads `path`; the error names the file.
    fn read(path: &Path) -> crate::error::Result<Self::Value>;
}

/// A file or directory read at start and read again whenever its fingerprint changes. When
/// a reload fails, the failure is the current state (callers fail closed) until the source
/// changes again and reads well.
pub(crate) struct Reloading<S: Source> {
    path: PathBuf,
    fingerprint: Fingerprint,
    state: Result<S::Value, String>,
}

/// What [`Reloading::current`] found besides the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reloaded {
    /// Nothing changed.
    Same,
    /// The source changed and was read again (successfully or not).
    Changed,
}

impl<S: Source> Reloading<S> {
    /// Reads the source once; its error is the start's error.
    pub(crate) fn start(path: PathBuf) -> crate::error::Result<Self> {
        let fingerprint = S::fingerprint(&path);
        let value = S::read(&path)?;
        Ok(Reloading {
            path,
            fingerprint,
            state: Ok(value),
        })
    }

    /// Reads the source again if it changed.
    pub(crate) fn refresh(&mut self) -> Reloaded {
        let now = S::fingerprint(&self.path);
        if now != self.fingerprint {
            self.state = S::read(&self.path).map_err(|e| e.to_string());
            // The fingerprint taken before the read: a change during the read differs from
            // it, and is read next time.
            self.fingerprint = now;
            Reloaded::Changed
        } else {
            Reloaded::Same
        }
    }

    /// The value as last read; `Err` (why, naming the file) when the source is unreadable
    /// or garbled.
    pub(crate) fn state(&self) -> Result<&S::Value, &str> {
        self.state.as_ref().map_err(String::as_str)
    }

    /// The path watched.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
