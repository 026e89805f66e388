//! Reading and writing certificate files: the ZPL shape czmq and pyzmq write, checked keys,
//! secret files written 0600 through a temporary file and a rename.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use zeroize::Zeroizing;

use super::Certificate;
use crate::error::{Error, Result};
use crate::security::keys::public_of;
use crate::security::zpl::{self, Node};
use crate::security::{CurveKey, SecretKey};

/// An [`Error::Certificate`] about `path`.
fn cert_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::Certificate {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// `path` with `_secret` added to its file name.
fn secret_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(OsString::from).unwrap_or_default();
    name.push("_secret");
    path.with_file_name(name)
}

impl Certificate {
    /// Reads a certificate file, public (`NAME`) or secret (`NAME_secret`): the result has
    /// the secret key when the file holds one.
    ///
    /// Checked: the file is a regular file of at most 64 KiB of ZPL; it has a `curve`
    /// section with a `public-key` of 40 Z85 characters; a `secret-key`, when there is one,
    /// is 40 Z85 characters and belongs to the public key. Anything else is
    /// [`Error::Certificate`] naming the file and, where there is one, the line.
    ///
    /// Wraps `zmq_curve_public` ([man zmq_curve_public](http://api.zeromq.org/4-3:zmq-curve-public))
    /// to check a secret key; every buffer that held the secret key's text is wiped.
    pub fn load(path: impl AsRef<Path>) -> Result<Certificate> {
        let path = path.as_ref();
        let bytes = read_limited(path)?;
        let nodes = zpl::parse(&bytes).map_err(|e| cert_error(path, e.to_string()))?;
        from_nodes(&nodes).map_err(|reason| cert_error(path, reason))
    }

    /// Reads a certificate file that must hold the secret key (`NAME_secret`), as
    /// [`load`](Certificate::load) does; a public file is an [`Error::Certificate`] that
    /// names the secret one.
    pub fn load_secret(path: impl AsRef<Path>) -> Result<Certificate> {
        let path = path.as_ref();
        let cert = Certificate::load(path)?;
        if cert.secret.is_some() {
            return Ok(cert);
        }
        let is_secret_name = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with("_secret"));
        Err(cert_error(
            path,
            if is_secret_name {
                "no secret-key in its curve section".to_string()
            } else {
                format!(
                    "this is a public certificate (no secret-key), the secret one is {}",
                    secret_path(path).display()
                )
            },
        ))
    }

    /// Reads the public certificates of a directory: every regular file (or link to one)
    /// whose name neither starts with `.` nor ends in `_secret`, sorted by file name.
    /// (The temporary files [`save`](Certificate::save) writes through start with `.`: a
    /// directory read while a certificate is saved into it never shows half a file.)
    ///
    /// A missing directory, a path that is not a directory, and any file that does not load
    /// are [`Error::Certificate`] naming the directory or the file: one bad file fails the
    /// whole directory (an allow-list read in part would be a surprise).
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Vec<Certificate>> {
        let dir = dir.as_ref();
        let meta = fs::metadata(dir).map_err(|e| cert_error(dir, io_reason(&e)))?;
        if !meta.is_dir() {
            return Err(cert_error(dir, "not a directory"));
        }
        let entries = fs::read_dir(dir).map_err(|e| cert_error(dir, io_reason(&e)))?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| cert_error(dir, io_reason(&e)))?;
            let name = entry.file_name();
            let bytes = name.as_encoded_bytes();
            if bytes.starts_with(b".") || bytes.ends_with(b"_secret") {
                continue;
            }
            let path = entry.path();
            // Follows links: a link to a certificate counts, a dangling link is an error.
            let meta = fs::metadata(&path).map_err(|e| cert_error(&path, io_reason(&e)))?;
            if meta.is_file() {
                files.push(path);
            }
        }
        files.sort();
        files.iter().map(Certificate::load).collect()
    }

    /// Writes the secret file at `path` + `_secret`, then the public file at `path`, as
    /// czmq's `zcert_save` does; a certificate without its secret key is an
    /// [`Error::Certificate`] (use [`save_public`](Certificate::save_public)).
    ///
    /// Each file is written to a temporary file in the same directory and renamed over
    /// `path`, so a reader never sees half a file; the secret file is created with mode 0600.
    /// Existing files are replaced.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if self.secret.is_none() {
            return Err(cert_error(
                path,
                "this certificate has no secret key to save (save_public writes its public file)",
            ));
        }
        // The secret file's name comes from this one: a path without one (``, `..`, a
        // trailing `/`) would put it somewhere else (`_secret`, `../_secret`, `dir_secret`).
        if !has_file_name(path) {
            return Err(cert_error(
                path,
                "not a file name (the secret file is named after it, with `_secret` added)",
            ));
        }
        // The secret file first: it holds both keys, so whatever fails next, the key pair
        // on disk stays whole.
        self.save_secret(secret_path(path))?;
        self.save_public(path)
    }

    /// Writes the public file (public key and metadata) at `path`, replacing it atomically.
    pub fn save_public(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let text = self
            .to_zpl(false)
            .map_err(|reason| cert_error(path, reason))?;
        write_atomically(path, text.as_bytes(), 0o644)
    }

    /// Writes the secret file (both keys and metadata) at `path`, with mode 0600, replacing
    /// it atomically; a certificate without its secret key is an [`Error::Certificate`].
    pub fn save_secret(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        if self.secret.is_none() {
            return Err(cert_error(
                path,
                "this certificate has no secret key to save",
            ));
        }
        let text = self
            .to_zpl(true)
            .map_err(|reason| cert_error(path, reason))?;
        write_atomically(path, text.as_bytes(), 0o600)
    }

    /// Makes a new key pair and writes it as `dir/NAME.key` (public) and
    /// `dir/NAME.key_secret` (secret, mode 0600), the names pyzmq's
    /// `zmq.auth.create_certificates` uses; returns both paths.
    ///
    /// `name` must be a plain file name (no `/`, not `.` or `..`, not empty), the directory
    /// must exist, and neither file may exist yet (a secret key is never overwritten by
    /// accident): [`Error::Certificate`] otherwise.
    pub fn create(dir: impl AsRef<Path>, name: &str) -> Result<(PathBuf, PathBuf)> {
        let dir = dir.as_ref();
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
            return Err(cert_error(
                dir,
                format!("{name:?} is not a plain file name for a certificate"),
            ));
        }
        let meta = fs::metadata(dir).map_err(|e| cert_error(dir, io_reason(&e)))?;
        if !meta.is_dir() {
            return Err(cert_error(dir, "not a directory"));
        }
        let public = dir.join(format!("{name}.key"));
        let secret = secret_path(&public);
        for path in [&public, &secret] {
            if fs::symlink_metadata(path).is_ok() {
                return Err(cert_error(path, "already exists (not overwritten)"));
            }
        }
        let mut cert = Certificate::generate()?;
        cert.set_metadata("name", name).map_err(|_| {
            cert_error(
                &public,
                format!("{name:?} cannot be written as the certificate's name metadata"),
            )
        })?;
        cert.save(&public)?;
        Ok((public, secret))
    }

    /// The file's text: header comments, `metadata`, `curve`.
    fn to_zpl(&self, with_secret: bool) -> std::result::Result<Zeroizing<String>, String> {
        let mut metadata = Node::new("metadata", None);
        for (name, value) in &self.metadata {
            metadata.children.push(Node::new(name, Some(value)));
        }
        let mut curve = Node::new("curve", None);
        curve
            .children
            .push(Node::new("public-key", Some(&self.public.to_z85())));
        let secret_z85;
        if with_secret {
            if let Some(secret) = &self.secret {
                secret_z85 = secret.to_z85();
                curve
                    .children
                    .push(Node::new("secret-key", Some(secret_z85.as_str())));
            }
        }
        let generated = format!("****  Generated on {} by zmq-typed  ****", utc_now());
        let comments: &[&str] = if with_secret {
            &[
                &generated,
                "ZeroMQ CURVE **Secret** Certificate",
                "DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions.",
            ]
        } else {
            &[
                &generated,
                "ZeroMQ CURVE Public Certificate",
                "Exchange securely, or use a secure mechanism to verify the contents",
                "of this file after exchange. Store public certificates in your home",
                "directory, in the .curve subdirectory.",
            ]
        };
        zpl::write(comments, &[metadata, curve])
    }
}

/// The certificate a parsed file describes, or what is wrong with it.
fn from_nodes(nodes: &[Node]) -> std::result::Result<Certificate, String> {
    let Some(curve) = only_one(nodes, "curve")? else {
        return Err(if nodes.is_empty() {
            "empty: no curve section (not a certificate)".to_string()
        } else {
            "no curve section (not a certificate)".to_string()
        });
    };
    let public_node = only_one(&curve.children, "public-key")?
        .ok_or_else(|| format!("line {}: no public-key in the curve section", curve.line))?;
    let public_text = key_text(public_node)?;
    let public = CurveKey::from_z85(public_text)
        .map_err(|e| format!("line {}: public-key is not a key: {e}", public_node.line))?;
    let secret = match only_one(&curve.children, "secret-key")? {
        None => None,
        Some(node) => {
            let text = key_text(node)?;
            let secret = SecretKey::from_z85(text)
                .map_err(|e| format!("line {}: secret-key is not a key: {e}", node.line))?;
            let derived =
                public_of(&secret).map_err(|e| format!("line {}: secret-key: {e}", node.line))?;
            if derived != public {
                return Err(format!(
                    "line {}: secret-key does not belong to public-key",
                    node.line
                ));
            }
            Some(secret)
        }
    };
    let mut cert = Certificate {
        public,
        secret,
        metadata: Vec::new(),
    };
    if let Some(metadata) = nodes.iter().find(|n| n.name == "metadata") {
        for item in &metadata.children {
            cert.put_metadata(&item.name, item.value.as_deref().unwrap_or(""));
        }
    }
    Ok(cert)
}

/// The property `name` among `nodes`, refused when there are two: tools differ in which
/// one they take (czmq the first, pyzmq the last public-key of a public file), so a file
/// that would be read as two different certificates is not read at all.
fn only_one<'a>(nodes: &'a [Node], name: &str) -> std::result::Result<Option<&'a Node>, String> {
    let mut found = nodes.iter().filter(|n| n.name == name);
    let first = found.next();
    match (first, found.next()) {
        (Some(first), Some(second)) => Err(format!(
            "line {}: a second {name} (the first is on line {}): which one is meant is \
             ambiguous",
            second.line, first.line
        )),
        (first, _) => Ok(first),
    }
}

/// A key's text: a value of 40 characters (Z85 is checked by the caller).
fn key_text(node: &Node) -> std::result::Result<&str, String> {
    let Some(text) = node.value.as_deref() else {
        return Err(format!("line {}: {} has no value", node.line, node.name));
    };
    if text.len() != 40 {
        return Err(format!(
            "line {}: {} is {} characters long, not 40{}",
            node.line,
            node.name,
            text.len(),
            if text.contains('#') || text.is_empty() {
                " (an unquoted Z85 key ends at '#': quote it)"
            } else {
                ""
            }
        ));
    }
    Ok(text)
}

/// The file's bytes (at most [`zpl::MAX_SIZE`] + 1 are read), in a buffer wiped on drop.
fn read_limited(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    // Non-blocking, so that a FIFO put where a certificate should be cannot hang the open
    // (it is refused below); reads of a regular file are unaffected.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| cert_error(path, io_reason(&e)))?;
    let meta = file
        .metadata()
        .map_err(|e| cert_error(path, io_reason(&e)))?;
    if meta.is_dir() {
        return Err(cert_error(
            path,
            "is a directory (Certificate::load_dir reads directories)",
        ));
    }
    if !meta.is_file() {
        return Err(cert_error(path, "not a regular file"));
    }
    let limit = zpl::MAX_SIZE;
    if meta.len() > limit as u64 {
        return Err(cert_error(
            path,
            format!(
                "{} bytes is more than the {limit} bytes a certificate may have here",
                meta.len()
            ),
        ));
    }
    // Room for all of it up front: growing would leave unwiped copies of a secret behind.
    let mut bytes = Zeroizing::new(Vec::with_capacity(limit + 1));
    file.take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| cert_error(path, io_reason(&e)))?;
    Ok(bytes)
}

/// Whether `path` ends in a file name: not empty, not `..`, no trailing `/` or `/.` (which
/// `Path::file_name` looks through).
fn has_file_name(path: &Path) -> bool {
    path.file_name().is_some_and(|name| {
        path.as_os_str()
            .as_encoded_bytes()
            .ends_with(name.as_encoded_bytes())
    })
}

/// An I/O error in words, plainer than its `Display` for the usual cases.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => format!("permission denied ({e})"),
        _ => format!("cannot read or write: {e}"),
    }
}

/// Writes `bytes` to a new temporary file beside `path` (created with `mode`, before the
/// umask), flushes it to disk, and renames it over `path`.
fn write_atomically(path: &Path, bytes: &[u8], mode: u32) -> Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let Some(name) = path.file_name().filter(|_| has_file_name(path)) else {
        return Err(cert_error(path, "not a file name"));
    };
    let mut temp_name = OsString::from(".");
    temp_name.push(name);
    temp_name.push(format!(
        ".tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let temp = path.with_file_name(temp_name);
    let written = (|| -> std::io::Result<()> {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(mode)
            .open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)?;
        // The rename itself reaches the disk with the directory (best effort: not every
        // file system lets a directory be synced).
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Ok(dir) = File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(cert_error(
            path,
            format!("cannot write: {e} (through {})", temp.display()),
        ));
    }
    Ok(())
}

/// Now in UTC as `YYYY-MM-DD HH:MM:SS`.
fn utc_now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}
