//! CURVE with a directory of public certificates (read by `Certificate::load_dir`), read
//! again when it changes, failing closed while a file of it is garbled.

use std::path::Path;

use super::*;
use common::temp_dir::TempDir;
use zmq_typed::security::zap::{STATUS_DENIED, STATUS_INTERNAL};
use zmq_typed::{CurveKey, Error};

/// A public certificate in the format czmq's `zcert_save_public` writes.
fn write_public_cert(path: &Path, key: &CurveKey) {
    let text = format!(
        "#   ****  Generated on 2026-11-28 22:00:00 by CZMQ  ****\n\
         #   ZeroMQ CURVE Public Certificate\n\
         #   Exchange securely, or use a secure mechanism to verify the contents\n\
         #   of this file after exchange. Store public certificates in your home\n\
         #   directory, in the .curve subdirectory.\n\
         \n\
         metadata\n\
         curve\n    public-key = \"{}\"\n",
        key.to_z85()
    );
    // Hidden while written: load_dir skips it.
    let name = path.file_name().and_then(|n| n.to_str()).unwrap();
    let tmp = path.with_file_name(format!(".{name}.tmp"));
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn a_key_in_the_certificate_directory_gets_in_and_the_directory_is_read_again() {
    let dir = TempDir::new("zap-certs-reload");
    let server_keys = CurveKeyPair::generate().unwrap();
    let alice = CurveKeyPair::generate().unwrap();
    let bob = CurveKeyPair::generate().unwrap();
    write_public_cert(&dir.join("alice.key"), &alice.public);

    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().curve_cert_dir(dir.path()));
    let (server, ep) = curve_server(&ctx, &server_keys);

    let a = curve_client(&ctx, &ep, &server_keys, &alice);
    a.send("alice").unwrap();
    let msg = server.recv_frame().unwrap();
    assert_eq!(msg.user_id().unwrap(), Some(alice.public.to_z85().as_str()));
    let d = decisions.next();
    assert!(
        d.allowed && d.reason.contains("in the certificates of"),
        "{d:?}"
    );

    let b = curve_client(&ctx, &ep, &server_keys, &bob);
    b.send("bob").unwrap();
    assert_refused(&decisions.next(), STATUS_DENIED, "is not allowed");
    drop(b);

    // A new certificate: the next handshake sees it.
    write_public_cert(&dir.join("bob.key"), &bob.public);
    let b = curve_client(&ctx, &ep, &server_keys, &bob);
    b.send("bob").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"bob");

    // A removed one: refused again.
    std::fs::remove_file(dir.join("alice.key")).unwrap();
    let a2 = curve_client(&ctx, &ep, &server_keys, &alice);
    a2.send("alice again").unwrap();
    let d = loop {
        let d = decisions.next();
        if d.client_key == Some(alice.public) {
            break d;
        }
    };
    assert_refused(&d, STATUS_DENIED, "is not allowed");
}

#[test]
fn a_garbled_certificate_refuses_every_curve_client_until_fixed() {
    let dir = TempDir::new("zap-certs-garbled");
    let server_keys = CurveKeyPair::generate().unwrap();
    let alice = CurveKeyPair::generate().unwrap();
    write_public_cert(&dir.join("alice.key"), &alice.public);
    let ctx = ctx();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().curve_cert_dir(dir.path()));
    let (server, ep) = curve_server(&ctx, &server_keys);

    let junk = dir.join("junk.key");
    std::fs::write(&junk, "curve\n    public-key = \"not a key\n").unwrap();
    let a = curve_client(&ctx, &ep, &server_keys, &alice);
    a.send("x").unwrap();
    let d = decisions.next();
    assert_refused(&d, STATUS_INTERNAL, "junk.key");
    drop(a);

    std::fs::remove_file(&junk).unwrap();
    let a = curve_client(&ctx, &ep, &server_keys, &alice);
    a.send("fixed").unwrap();
    assert_eq!(server.recv_frame().unwrap().data(), b"fixed");
}

#[test]
fn a_missing_certificate_directory_is_an_error_at_start() {
    let dir = TempDir::new("zap-certs-missing");
    let missing = dir.join("nope");
    let ctx = ctx();
    let err = Authenticator::builder()
        .curve_cert_dir(&missing)
        .start(&ctx)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Certificate { path, .. } if path == &missing),
        "{err:?}"
    );
}

/// A directory with more entries than the authenticator watches (10 000) is refused at
/// start, and one that grows past it refuses CURVE clients (failing closed) until it
/// shrinks. Before, such a directory was read once and never again: a certificate removed
/// from it still let its client in.
#[test]
fn a_directory_too_big_to_watch_is_refused_not_read_once() {
    let dir = TempDir::new("zap-certs-many");
    let server_keys = CurveKeyPair::generate().unwrap();
    let alice = CurveKeyPair::generate().unwrap();
    write_public_cert(&dir.join("alice.key"), &alice.public);
    // Hidden files: not certificates, but entries to watch all the same.
    let junk = |i: usize| dir.join(&format!(".junk{i}"));
    for i in 0..10_000 {
        std::fs::write(junk(i), b"").unwrap();
    }
    let ctx = ctx();
    match Authenticator::builder()
        .curve_cert_dir(dir.path())
        .start(&ctx)
    {
        Err(Error::Certificate { path, reason }) => {
            assert_eq!(path, dir.path());
            assert!(reason.contains("more than 10000 entries"), "{reason}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }

    // Growing past the limit while running fails closed.
    std::fs::remove_file(junk(0)).unwrap();
    let (_auth, decisions) = hooked(&ctx, Authenticator::builder().curve_cert_dir(dir.path()));
    let (server, ep) = curve_server(&ctx, &server_keys);
    let a = curve_client(&ctx, &ep, &server_keys, &alice);
    a.send("1").unwrap();
    assert!(decisions.next().allowed);
    assert_eq!(server.recv_frame().unwrap().data(), b"1");
    drop(a);
    std::fs::write(junk(0), b"").unwrap();
    let a = curve_client(&ctx, &ep, &server_keys, &alice);
    a.send("2").unwrap();
    assert_refused(
        &decisions.next(),
        STATUS_INTERNAL,
        "more than 10000 entries",
    );
    drop(a);
    // Back under it: read again, and a removed certificate is seen.
    std::fs::remove_file(junk(0)).unwrap();
    std::fs::remove_file(dir.join("alice.key")).unwrap();
    let a = curve_client(&ctx, &ep, &server_keys, &alice);
    a.send("3").unwrap();
    // The refused client may have tried again before it was dropped: skip those.
    let d = loop {
        let d = decisions.next();
        if d.status != STATUS_INTERNAL {
            break d;
        }
    };
    assert_refused(&d, STATUS_DENIED, "is not allowed");
}
