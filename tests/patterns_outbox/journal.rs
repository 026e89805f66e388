//! The outbox's journal, on disk: numbering, ACKs, what survives a reopen, and every kind
//! of file it refuses (garbage, another application's database, another schema, a lock
//! held, a dangling link, a stale log, a file deleted or replaced while open).

use crate::common::temp_dir::TempDir;
use std::path::Path;

use zmq_typed::patterns::outbox::{Entry, Journal};
use zmq_typed::Error;

fn reason(result: zmq_typed::Result<Journal>, path: &Path) -> String {
    match result {
        Err(Error::Journal { path: p, reason }) => {
            assert_eq!(p, path);
            reason
        }
        other => panic!("not a journal error: {other:?}"),
    }
}

#[test]
fn the_journal_numbers_from_one_keeps_what_is_unacked_and_goes_on_after_reopening() {
    let dir = TempDir::new("numbers");
    let path = dir.join("j.db");
    let mut j = Journal::open(&path).unwrap();
    assert_eq!((j.appended(), j.pending().unwrap()), (0, 0));
    assert_eq!(j.append(b"a").unwrap(), 1);
    assert_eq!(j.append(b"b").unwrap(), 2);
    assert_eq!(j.append(b"c").unwrap(), 3);
    assert!(j.ack(2).unwrap());
    assert!(!j.ack(2).unwrap());
    assert!(!j.ack(99).unwrap());
    drop(j);

    let mut j = Journal::open_existing(&path).unwrap();
    let entry = |seq, p: &[u8]| Entry {
        seq,
        payload: p.to_vec(),
    };
    assert_eq!(j.unacked().unwrap(), [entry(1, b"a"), entry(3, b"c")]);
    assert_eq!(j.unacked_after(1, 10).unwrap(), [entry(3, b"c")]);
    assert_eq!(
        (j.appended(), j.pending().unwrap(), j.acked().unwrap()),
        (3, 2, 1)
    );
    assert_eq!(j.ack_all([1, 3, 3, 7]).unwrap(), 2);
    drop(j);
    // Every row deleted: the numbering goes on all the same.
    let mut j = Journal::open(&path).unwrap();
    assert_eq!(j.unacked().unwrap(), []);
    assert_eq!(j.append(b"d").unwrap(), 4);
}

fn append_refusal(result: zmq_typed::Result<u64>, path: &Path) -> String {
    match result {
        Err(Error::Journal { path: p, reason }) => {
            assert_eq!(p, path);
            reason
        }
        other => panic!("not a journal error: {other:?}"),
    }
}

#[test]
fn a_journal_deleted_or_replaced_while_open_takes_no_more_messages() {
    // Messages written into a file nobody can open again would be lost at the exit,
    // and a new journal at the path numbers from 1 again: refuse at once instead.
    let dir = TempDir::new("ghost");
    let path = dir.join("j.db");
    let mut j = Journal::open(&path).unwrap();
    assert_eq!(j.append(b"1").unwrap(), 1);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        append_refusal(j.append(b"2"), &path),
        "the journal file was deleted or replaced while open: \
         no more messages go into it (close it and start again)"
    );
    assert!(matches!(j.ack(1), Err(Error::Journal { .. })));
    drop(j);
    // (Its log stays behind, and would be refused: see the next test.)
    std::fs::remove_file(dir.join("j.db-wal")).unwrap();

    let other = dir.join("other.db");
    let mut j = Journal::open(&path).unwrap();
    drop(Journal::open(&other).unwrap());
    std::fs::rename(&other, &path).unwrap();
    assert!(matches!(j.append(b"x"), Err(Error::Journal { .. })));
    assert_eq!(j.appended(), 0);
}

#[test]
fn a_journal_deleted_without_its_log_is_refused_not_replayed_into_a_new_one() {
    // A crashed sender leaves its commits in `PATH-wal`; a user who deletes only the
    // journal file must hear of it, not get the old log replayed into a new journal
    // (nor lose the messages it holds without a word).
    let dir = TempDir::new("stale-wal");
    let path = dir.join("j.db");
    let mut j = Journal::open(&path).unwrap();
    for p in [b"a", b"b", b"c"] {
        j.append(p).unwrap();
    }
    // A crash: the connection is never closed, so the log is never checkpointed.
    std::mem::forget(j);
    let wal = dir.join("j.db-wal");
    assert!(wal.exists());
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        reason(Journal::open(&path), &path),
        format!(
            "no journal file, but its write-ahead log {} is there (the journal was \
             deleted without it?): it may hold messages never ACKed; move the journal \
             back, or delete the log too to start a new stream",
            wal.display()
        )
    );
    assert!(wal.exists(), "the log is left alone");
    std::fs::remove_file(&wal).unwrap();
    let mut j = Journal::open(&path).unwrap();
    assert_eq!((j.appended(), j.pending().unwrap()), (0, 0));
    assert_eq!(j.append(b"new").unwrap(), 1);
}

#[test]
fn a_dangling_symbolic_link_is_named_as_such() {
    let dir = TempDir::new("dangling");
    let path = dir.join("j.db");
    let target = dir.join("gone/j.db");
    std::os::unix::fs::symlink(&target, &path).unwrap();
    let said = format!(
        "a symbolic link to {}, which does not exist",
        target.display()
    );
    assert_eq!(reason(Journal::open(&path), &path), said);
    assert_eq!(reason(Journal::open_existing(&path), &path), said);
}

#[test]
fn a_journal_has_one_process_at_a_time() {
    let dir = TempDir::new("lock");
    let path = dir.join("j.db");
    let held = Journal::open(&path).unwrap();
    assert_eq!(
        reason(Journal::open(&path), &path),
        "in use by another process (a journal has one sender at a time)"
    );
    drop(held);
    Journal::open(&path).unwrap();
}

#[test]
fn the_journal_refuses_what_is_not_a_journal() {
    let dir = TempDir::new("refuse");
    let missing = dir.join("missing.db");
    assert_eq!(
        reason(Journal::open_existing(&missing), &missing),
        "no such file"
    );
    assert!(!missing.exists());

    let nested = dir.join("nope").join("j.db");
    assert_eq!(
        reason(Journal::open(&nested), &nested),
        format!(
            "its directory {} does not exist",
            dir.join("nope").display()
        )
    );

    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    assert_eq!(
        reason(Journal::open(&folder), &folder),
        "is a directory, not a journal file"
    );

    let garbage = dir.join("garbage.db");
    std::fs::write(&garbage, vec![0xA5u8; 8192]).unwrap();
    assert_eq!(
        reason(Journal::open(&garbage), &garbage),
        "not a journal: not an SQLite database (its first bytes are not SQLite's header)"
    );

    let foreign = dir.join("foreign.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("PRAGMA application_id = 42; CREATE TABLE t (x);")
        .unwrap();
    assert_eq!(
        reason(Journal::open(&foreign), &foreign),
        "not a journal: an SQLite database of another application (application_id 0x2a, a journal has 0x5a514f42)"
    );

    let future = dir.join("future.db");
    drop(Journal::open(&future).unwrap());
    rusqlite::Connection::open(&future)
        .unwrap()
        .execute_batch("PRAGMA user_version = 2;")
        .unwrap();
    assert_eq!(
        reason(Journal::open(&future), &future),
        "journal schema version 2; this library reads version 1"
    );

    let empty = dir.join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    assert!(reason(Journal::open(&empty), &empty).starts_with("is empty (0 bytes)"));

    let cut = dir.join("cut.db");
    {
        let mut j = Journal::open(&cut).unwrap();
        for i in 0..200 {
            j.append(format!("\"payload {i} {}\"", "x".repeat(100)).as_bytes())
                .unwrap();
        }
    }
    let size = std::fs::metadata(&cut).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(size / 2)
        .unwrap();
    let said = reason(Journal::open(&cut), &cut);
    assert!(said.starts_with("corrupt: "), "{said}");
}
