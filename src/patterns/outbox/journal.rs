//! The outbox's journal: the messages not yet acknowledged, on disk, in an SQLite database
//! (feature `durable`). See [the module docs](super) for what survives what.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};

use crate::error::{Error, Result};

/// What `PRAGMA application_id` says in a journal: `ZQOB` in ASCII. A SQLite database
/// without it is not a journal, and is refused.
pub const APPLICATION_ID: i32 = 0x5A51_4F42;

/// The journal's schema version (`PRAGMA user_version`); another version is refused.
pub const SCHEMA_VERSION: i32 = 1;

/// The schema: `outbox` holds the messages not yet acknowledged (a row is deleted when its
/// ACK comes), `stream` the highest number ever given, so that numbering goes on after
/// every row has been deleted.
const SCHEMA: &str = "
    CREATE TABLE outbox (seq INTEGER PRIMARY KEY NOT NULL, payload BLOB NOT NULL);
    CREATE TABLE stream (id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
                         last_seq INTEGER NOT NULL CHECK (last_seq >= 0));
    INSERT INTO stream (id, last_seq) VALUES (1, 0);
";

/// One journalled message: its number and the bytes given to [`Journal::append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The message's number, from 1.
    pub seq: u64,
    /// The bytes appended.
    pub payload: Vec<u8>,
}

/// The durable outbox's journal: an SQLite database (WAL, `synchronous = FULL`) holding
/// every message appended and not yet acknowledged, numbered from 1.
///
/// One process at a time: the journal is opened with an exclusive lock (SQLite's
/// `locking_mode = EXCLUSIVE`), so a second opener gets a clear [`Error::Journal`] ("in
/// use") instead of numbering the same messages twice. The kernel drops the lock when the
/// process dies, SIGKILL included.
pub struct Journal {
    conn: Connection,
    path: PathBuf,
    last_seq: u64,
    /// The file found at `path` when opened (device, inode): see [`Journal::in_place`].
    file: FileId,
    /// `path` made absolute when opened, for [`Journal::in_place`]: a process that changes
    /// its working folder still names the same file (as SQLite does).
    absolute: PathBuf,
}

/// Which file a path names: (device, inode) on Unix; nothing elsewhere (not checked).
type FileId = Option<(u64, u64)>;

fn file_id(meta: &fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((meta.dev(), meta.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("last_seq", &self.last_seq)
            .finish()
    }
}

/// An [`Error::Journal`] for `path`.
fn journal_error(path: &Path, reason: impl Into<String>) -> Error {
    Error::Journal {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// An SQLite error in words, the "in use" and "corrupt" cases said plainly.
fn sql_error(path: &Path, doing: &str, e: &rusqlite::Error) -> Error {
    let reason = match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            "in use by another process (a journal has one sender at a time)".to_string()
        }
        Some(ErrorCode::NotADatabase) => {
            "not a journal: not an SQLite database (its first bytes are not SQLite's header)"
                .to_string()
        }
        Some(ErrorCode::DatabaseCorrupt) => format!("corrupt: {e}"),
        Some(ErrorCode::DiskFull) => format!("{doing}: the disk is full ({e})"),
        _ => format!("{doing}: {e}"),
    };
    journal_error(path, reason)
}

impl Journal {
    /// Opens the journal at `path`, creating it when there is no file there. Its folder
    /// must exist. A file that is not a journal (not SQLite, another application's SQLite
    /// database, another schema version, corrupt or truncated, empty) is refused with
    /// [`Error::Journal`], as are a folder, a file this process cannot read and write, and a
    /// journal another process has open.
    ///
    /// A new journal is made under a temporary name and linked into place whole, so a crash
    /// while creating it leaves either no journal or a complete, empty one (and perhaps a
    /// `PATH.creating-<pid>` file to delete).
    pub fn open(path: impl AsRef<Path>) -> Result<Journal> {
        let path = path.as_ref();
        match fs::symlink_metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path)?,
            Err(e) => return Err(journal_error(path, format!("cannot read it: {e}"))),
            Ok(_) => {}
        }
        Journal::open_existing(path)
    }

    /// Opens the journal at `path`, which must exist: a missing file is an
    /// [`Error::Journal`] (as is everything [`Journal::open`] refuses).
    pub fn open_existing(path: impl AsRef<Path>) -> Result<Journal> {
        let path = path.as_ref();
        let meta = check_file(path)?;
        let len = meta.len();
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error(path, "cannot open it", &e))?;
        // SQLite opens a file it may not write read-only, without a word.
        let readonly = conn
            .is_readonly(rusqlite::MAIN_DB)
            .map_err(|e| sql_error(path, "cannot open it", &e))?;
        if readonly {
            return Err(journal_error(
                path,
                "cannot write it: this process may only read the file",
            ));
        }
        let mut journal = Journal {
            conn,
            path: path.to_path_buf(),
            last_seq: 0,
            file: file_id(&meta),
            absolute: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
        };
        journal.prepare(len)?;
        // The file checked above is the one SQLite opened and locked, not one put there
        // meanwhile.
        journal.in_place()?;
        Ok(journal)
    }

    /// Takes the lock, checks the schema and the file's integrity, reads the numbering.
    fn prepare(&mut self, len: u64) -> Result<()> {
        let path = self.path.clone();
        let err = |doing: &str| {
            let path = path.clone();
            let doing = doing.to_string();
            move |e: rusqlite::Error| sql_error(&path, &doing, &e)
        };
        let c = &self.conn;
        c.busy_timeout(Duration::ZERO)
            .map_err(err("setting it up"))?;
        // Before the first read, so that the lock is the first thing taken (and SQLite keeps
        // the WAL index in this process's memory: no `-shm` file).
        let locking: String = c
            .query_row("PRAGMA locking_mode = EXCLUSIVE", [], |r| r.get(0))
            .map_err(err("locking it"))?;
        if !locking.eq_ignore_ascii_case("exclusive") {
            return Err(journal_error(
                &path,
                format!("SQLite refused the exclusive lock (locking_mode is {locking})"),
            ));
        }
        let app: i32 = c
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(err("reading its header"))?;
        if len < 512 {
            // SQLite takes a file shorter than its header for an empty database.
            return Err(journal_error(
                &path,
                format!("not a journal, or a truncated one: {len} bytes, shorter than any SQLite database"),
            ));
        }
        if app != APPLICATION_ID {
            return Err(journal_error(
                &path,
                format!(
                    "not a journal: an SQLite database of another application \
                     (application_id {app:#x}, a journal has {APPLICATION_ID:#x})"
                ),
            ));
        }
        let version: i32 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err("reading its header"))?;
        if version != SCHEMA_VERSION {
            return Err(journal_error(
                &path,
                format!(
                    "journal schema version {version}; this library reads version {SCHEMA_VERSION}"
                ),
            ));
        }
        let mode: String = c
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(err("switching it to WAL"))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(journal_error(
                &path,
                format!("SQLite refused WAL mode (journal_mode is {mode})"),
            ));
        }
        c.execute_batch("PRAGMA synchronous = FULL; BEGIN EXCLUSIVE; COMMIT;")
            .map_err(err("locking it"))?;
        let check: String = c
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .map_err(err("checking it"))?;
        if check != "ok" {
            // quick_check's first finding, without its "*** in database main ***" line.
            let finding = check
                .lines()
                .filter(|l| !l.starts_with("***"))
                .collect::<Vec<_>>()
                .join("; ");
            return Err(journal_error(&path, format!("corrupt: {finding}")));
        }
        let last: i64 = c
            .query_row("SELECT last_seq FROM stream WHERE id = 1", [], |r| r.get(0))
            .optional()
            .map_err(err("reading its numbering"))?
            .ok_or_else(|| journal_error(&path, "corrupt: its numbering row is missing"))?;
        let max: Option<i64> = c
            .query_row("SELECT max(seq) FROM outbox", [], |r| r.get(0))
            .map_err(err("reading its messages"))?;
        let (Ok(last), Ok(max)) = (u64::try_from(last), u64::try_from(max.unwrap_or(0))) else {
            return Err(journal_error(&path, "corrupt: a negative message number"));
        };
        if max > last {
            return Err(journal_error(
                &path,
                format!("corrupt: message {max} is past the last number given ({last})"),
            ));
        }
        self.last_seq = last;
        Ok(())
    }

    /// Whether the file at the journal's path is still the one opened. A journal deleted,
    /// or replaced by another file, while open would take messages into a file nobody can
    /// open again (lost at the exit), and a new journal made at the path later numbers from
    /// 1 again: [`Journal::append`] and [`Journal::ack_all`] refuse instead.
    fn in_place(&self) -> Result<()> {
        let now = fs::metadata(&self.absolute).map(|m| file_id(&m)).ok();
        if now == Some(self.file) {
            return Ok(());
        }
        Err(journal_error(
            &self.path,
            "the journal file was deleted or replaced while open: \
             no more messages go into it (close it and start again)",
        ))
    }

    /// The journal's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `payload` as the next message and returns its number (1 for the first message
    /// of a new journal). The message is on disk when this returns: committed and synced
    /// (`synchronous = FULL`), so it survives the process's death, and the machine's.
    pub fn append(&mut self, payload: &[u8]) -> Result<u64> {
        self.in_place()?;
        let seq = self
            .last_seq
            .checked_add(1)
            .filter(|&s| i64::try_from(s).is_ok())
            .ok_or_else(|| journal_error(&self.path, "the numbering is exhausted"))?;
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_error(&path, "appending a message", &e);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO outbox (seq, payload) VALUES (?1, ?2)",
            params![seq as i64, payload],
        )
        .map_err(err)?;
        tx.execute(
            "UPDATE stream SET last_seq = ?1 WHERE id = 1",
            params![seq as i64],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        self.last_seq = seq;
        Ok(seq)
    }

    /// Marks message `seq` done (deletes it): `true` if it was waiting, `false` if it was
    /// not (already acknowledged, or never given). Durable when it returns.
    pub fn ack(&mut self, seq: u64) -> Result<bool> {
        Ok(self.ack_all([seq])? == 1)
    }

    /// Marks every message of `seqs` done, in one transaction (one sync to disk): returns how
    /// many were waiting.
    pub fn ack_all(&mut self, seqs: impl IntoIterator<Item = u64>) -> Result<usize> {
        self.in_place()?;
        let path = self.path.clone();
        let err = |e: rusqlite::Error| sql_error(&path, "recording an ACK", &e);
        let tx = self.conn.transaction().map_err(err)?;
        let mut done = 0;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM outbox WHERE seq = ?1")
                .map_err(err)?;
            for seq in seqs {
                let Ok(seq) = i64::try_from(seq) else {
                    continue;
                };
                done += delete.execute([seq]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)?;
        Ok(done)
    }

    /// Every message not yet acknowledged, in order.
    pub fn unacked(&self) -> Result<Vec<Entry>> {
        self.unacked_after(0, usize::MAX)
    }

    /// At most `limit` messages not yet acknowledged whose numbers are above `after`, in
    /// order.
    pub fn unacked_after(&self, after: u64, limit: usize) -> Result<Vec<Entry>> {
        let err = |e: rusqlite::Error| sql_error(&self.path, "reading its messages", &e);
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT seq, payload FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2")
            .map_err(err)?;
        let rows = stmt
            .query_map(params![after, limit], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
            })
            .map_err(err)?;
        let mut entries = Vec::new();
        for row in rows {
            let (seq, payload) = row.map_err(err)?;
            let seq = u64::try_from(seq)
                .map_err(|_| journal_error(&self.path, "corrupt: a negative message number"))?;
            entries.push(Entry { seq, payload });
        }
        Ok(entries)
    }

    /// How many messages are waiting for their ACK.
    pub fn pending(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
            .map_err(|e| sql_error(&self.path, "counting its messages", &e))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The number of the last message appended (0: none yet): the stream's length so far.
    pub fn appended(&self) -> u64 {
        self.last_seq
    }

    /// How many messages have been acknowledged: [`Journal::appended`] minus
    /// [`Journal::pending`].
    pub fn acked(&self) -> Result<u64> {
        Ok(self.last_seq.saturating_sub(self.pending()?))
    }
}

/// Refuses, before SQLite sees it, what is plainly not a journal: nothing there, a folder,
/// something else than a file, an empty file. It only looks (`stat`), and opens nothing:
/// closing a descriptor of a file would drop every POSIX lock this process holds on it,
/// the lock of a journal already open here included (SQLite's own descriptors are kept
/// open for that reason).
fn check_file(path: &Path) -> Result<fs::Metadata> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => match fs::read_link(path) {
            Ok(target) => journal_error(
                path,
                format!(
                    "a symbolic link to {}, which does not exist",
                    target.display()
                ),
            ),
            Err(_) => journal_error(path, "no such file"),
        },
        _ => journal_error(path, format!("cannot read it: {e}")),
    })?;
    if meta.is_dir() {
        return Err(journal_error(path, "is a directory, not a journal file"));
    }
    if !meta.is_file() {
        return Err(journal_error(path, "is not a regular file"));
    }
    if meta.len() == 0 {
        return Err(journal_error(
            path,
            "is empty (0 bytes): not a journal (a journal is never empty; delete the file to start a new stream)",
        ));
    }
    Ok(meta)
}

/// Makes a new, empty journal at `path`: written under a temporary name, synced, then
/// hard-linked into place (which fails, harmlessly, if another process made one first).
fn create(path: &Path) -> Result<()> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match fs::metadata(parent) {
        Ok(m) if m.is_dir() => {}
        Ok(_) => {
            return Err(journal_error(
                path,
                format!("{} is not a directory", parent.display()),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(journal_error(
                path,
                format!("its directory {} does not exist", parent.display()),
            ))
        }
        Err(e) => {
            return Err(journal_error(
                path,
                format!("cannot read its directory {}: {e}", parent.display()),
            ))
        }
    }
    // A write-ahead log at this path without its journal: the journal file was deleted
    // without it (after a crash, the log holds the latest messages and numbering). SQLite
    // would replay it into a new journal made here; better say so and let the user choose.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    if let Ok(meta) = fs::symlink_metadata(&wal) {
        if meta.len() > 0 {
            return Err(journal_error(
                path,
                format!(
                    "no journal file, but its write-ahead log {} is there (the journal was \
                     deleted without it?): it may hold messages never ACKed; move the \
                     journal back, or delete the log too to start a new stream",
                    wal.display()
                ),
            ));
        }
        let _ = fs::remove_file(&wal);
    }
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".creating-{}", std::process::id()));
    let temp = PathBuf::from(temp);
    let _ = fs::remove_file(&temp);
    let made = write_empty(&temp).map_err(|reason| {
        journal_error(
            path,
            format!("cannot create it (as {} first): {reason}", temp.display()),
        )
    });
    let linked = made.and_then(|()| match fs::hard_link(&temp, path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(journal_error(path, format!("cannot create it: {e}"))),
    });
    let _ = fs::remove_file(&temp);
    linked?;
    // The new name is durable once the folder is synced.
    if let Ok(dir) = fs::File::open(parent) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// Writes an empty journal (schema, application id, version) at `temp`, synced; or says
/// why it could not.
fn write_empty(temp: &Path) -> std::result::Result<(), String> {
    let err = |e: rusqlite::Error| e.to_string();
    let mut conn = Connection::open_with_flags(
        temp,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA journal_mode = DELETE;")
        .map_err(err)?;
    let tx = conn.transaction().map_err(err)?;
    tx.execute_batch(&format!(
        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {SCHEMA_VERSION};"
    ))
    .map_err(err)?;
    tx.execute_batch(SCHEMA).map_err(err)?;
    tx.commit().map_err(err)?;
    conn.close().map_err(|(_, e)| err(e))?;
    fs::File::open(temp)
        .and_then(|f| f.sync_all())
        .map_err(|e| e.to_string())
}
