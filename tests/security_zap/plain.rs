//! PLAIN: a password table, a password file reloaded when it changes, failing closed while
//! it is garbled.

use std::path::Path;

use super::*;
use common::temp_dir::TempDir;
use zmq_typed::security::zap::{Mechanism, STATUS_DENIED, STATUS_INTERNAL};
use zmq_typed::Error;

#[test]
fn the_right_password_gets_in_under_the_user_name_and_wrong_ones_do_not() {
    let ctx = ctx();
    let (auth, decisions) = hooked(
        &ctx,
        Authenticator::builder().plain_passwords([("admin", "secret"), ("guest", "guest")]),
    );
    let (server, ep) = plain_server(&ctx);

    let wrong = plain_client(&ctx, &ep, "admin", "guess");
    wrong.send("x").unwrap();
    let d = decisions.next();
    assert_refused(&d, STATUS_DENIED, "PLAIN user \"admin\": wrong password");
    assert_eq!(d.username.as_deref(), Some("admin"));
    assert!(
        !format!("{d:?}").contains("guess"),
        "a decision never holds the password"
    );
    drop(wrong);

    let unknown = plain_client(&ctx, &ep, "root", "secret");
    unknown.send("x").unwrap();
    assert_refused(
        &next_for(&decisions, "root"),
        STATUS_DENIED,
        "PLAIN user \"root\" is unknown",
    );
    drop(unknown);

    let right = plain_client(&ctx, &ep, "admin", "secret");
    right.send("hello").unwrap();
    let msg = server.recv_frame().unwrap();
    assert_eq!(msg.data(), b"hello");
    assert_eq!(msg.user_id().unwrap(), Some("admin"));
    let d = next_allowed(&decisions);
    assert_eq!(d.mechanism, Some(Mechanism::Plain));
    assert_eq!(d.user_id, "admin");

    assert!(auth.stats().allowed >= 1);
}

/// The next decision about `user`.
fn next_for(decisions: &Decisions, user: &str) -> Decision {
    loop {
        let d = decisions.next();
        if d.username.as_deref() == Some(user) {
            return d;
        }
    }
}

/// The next decision that lets a client in.
fn next_allowed(decisions: &Decisions) -> Decision {
    loop {
        let d = decisions.next();
        if d.allowed {
            return d;
        }
    }
}

/// Replaces `path` with `text` as editors do: a new file renamed over the old one.
fn rewrite(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_changed_password_file_is_read_again_at_the_next_handshake() {
    let dir = TempDir::new("zap-passwords-reload");
    let file = dir.join("passwords");
    std::fs::write(&file, "# users\nadmin=one\n").unwrap();
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().plain_password_file(&file));
    let (server, ep) = plain_server(&ctx);

    let early = plain_client(&ctx, &ep, "admin", "two");
    early.send("x").unwrap();
    assert_refused(&decisions.next(), STATUS_DENIED, "wrong password");
    drop(early);

    rewrite(&file, "admin=two\n");
    let late = plain_client(&ctx, &ep, "admin", "two");
    late.send("now").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"now");
    let d = next_allowed(&decisions);
    assert!(d.reason.contains("reloaded"), "{}", d.reason);

    // Written in place this time (same inode), with another size.
    std::fs::write(&file, "admin=three\n").unwrap();
    let third = plain_client(&ctx, &ep, "admin", "three");
    third.send("again").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"again");
}

#[test]
fn a_garbled_password_file_refuses_everyone_then_works_again_once_fixed() {
    let dir = TempDir::new("zap-passwords-garbled");
    let file = dir.join("passwords");
    std::fs::write(&file, "admin=secret\n").unwrap();
    let ctx = ctx();
    let (_auth, decisions) = hooked(
        &ctx,
        Authenticator::builder()
            .plain_passwords([("other", "pw")])
            .plain_password_file(&file),
    );
    let (server, ep) = plain_server(&ctx);

    rewrite(&file, "admin=secret\nthis line has no equals sign\n");
    let client = plain_client(&ctx, &ep, "admin", "secret");
    client.send("x").unwrap();
    let d = decisions.next();
    assert_refused(&d, STATUS_INTERNAL, "line 2: no '='");
    assert!(
        d.reason.contains(&file.display().to_string()),
        "{}",
        d.reason
    );
    drop(client);
    // Failing closed: the table's users are refused too while the file is garbled.
    let other = plain_client(&ctx, &ep, "other", "pw");
    other.send("x").unwrap();
    assert_refused(&next_for(&decisions, "other"), STATUS_INTERNAL, "line 2");
    drop(other);

    std::fs::remove_file(&file).unwrap();
    let client = plain_client(&ctx, &ep, "admin", "secret");
    client.send("x").unwrap();
    assert_refused(
        &next_for(&decisions, "admin"),
        STATUS_INTERNAL,
        "cannot read it",
    );
    drop(client);

    rewrite(&file, "admin=secret\n");
    let client = plain_client(&ctx, &ep, "admin", "secret");
    client.send("fixed").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"fixed");
}

#[test]
fn a_missing_or_garbled_password_file_at_start_is_an_error() {
    let dir = TempDir::new("zap-passwords-start");
    let ctx = ctx();
    let missing = dir.join("nope");
    let err = Authenticator::builder()
        .plain_password_file(&missing)
        .start(&ctx)
        .unwrap_err();
    assert!(
        matches!(&err, Error::PasswordFile { path, reason } if path == &missing && reason.contains("cannot read")),
        "{err:?}"
    );
    let garbled = dir.join("garbled");
    std::fs::write(&garbled, "ok=1\nok=2\n").unwrap();
    let err = Authenticator::builder()
        .plain_password_file(&garbled)
        .start(&ctx)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("line 2: \"ok\" is already given a password on line 1"),
        "{err}"
    );
    let err = Authenticator::builder()
        .plain_password_file(dir.path())
        .start(&ctx)
        .unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let binary = dir.join("binary");
    std::fs::write(&binary, b"admin=secret\n\x00\xff\xfe junk\n").unwrap();
    let err = Authenticator::builder()
        .plain_password_file(&binary)
        .start(&ctx)
        .unwrap_err();
    assert!(err.to_string().contains("line 2: not UTF-8 text"), "{err}");
    let huge = dir.join("huge");
    std::fs::write(&huge, "a=b\n".repeat(300_000)).unwrap();
    let err = Authenticator::builder()
        .plain_password_file(&huge)
        .start(&ctx)
        .unwrap_err();
    assert!(
        err.to_string().contains("more than the 1048576 bytes"),
        "{err}"
    );
    // A FIFO where the file should be: refused at once, the open never waits for a writer.
    let fifo = dir.join("fifo");
    let c_fifo = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: c_fifo is a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c_fifo.as_ptr(), 0o600) }, 0);
    let err = Authenticator::builder()
        .plain_password_file(&fifo)
        .start(&ctx)
        .unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    // Nothing was left bound: an authenticator starts on that context now.
    Authenticator::builder().start(&ctx).unwrap();
}

#[test]
fn plain_without_a_plain_policy_is_refused() {
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().curve_any_key());
    let (_server, ep) = plain_server(&ctx);
    let client = plain_client(&ctx, &ep, "admin", "secret");
    client.send("x").unwrap();
    assert_refused(
        &decisions.next(),
        STATUS_DENIED,
        "no PLAIN policy configured",
    );
}

/// A password file that starts with a byte order mark (as Windows editors save it) lets its
/// first user in; before, the mark became part of that user's name, who was then "unknown".
#[test]
fn a_password_file_with_a_byte_order_mark_lets_its_first_user_in() {
    let dir = TempDir::new("zap-passwords-bom");
    let file = dir.join("passwords");
    std::fs::write(&file, "\u{feff}admin=secret\r\nguest=guest\r\n").unwrap();
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().plain_password_file(&file));
    let (server, ep) = plain_server(&ctx);
    let admin = plain_client(&ctx, &ep, "admin", "secret");
    admin.send("hello").unwrap();
    let d = decisions.next();
    assert!(d.allowed, "{d}");
    let msg = server.recv_frame().unwrap();
    assert_eq!(msg.user_id().unwrap(), Some("admin"));
}
