//! CURVE certificates: the files czmq and pyzmq write load with the right keys and metadata,
//! what this crate writes loads back (and has their shape), garbled files and missing paths
//! are precise errors, secret keys never show in `Debug`, and keys loaded from files carry a
//! real CURVE exchange. Also the `curve_keygen` example.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use common::programs;
use common::temp_dir::TempDir;
use common::*;
use zmq_typed::{Certificate, CurveKey, CurveKeyPair, Error, SecretKey, SocketType::*};

/// The two key pairs of `man zmq_curve`, which the fixtures use.
const P1: &str = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
const S1: &str = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
const P2: &str = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
const S2: &str = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/certs")
        .join(rel)
}

fn meta(cert: &Certificate) -> Vec<(&str, &str)> {
    cert.metadata()
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

/// The error's path and reason, failing the test when it is not `Error::Certificate`.
fn cert_error(result: zmq_typed::Result<impl std::fmt::Debug>) -> (PathBuf, String) {
    match result {
        Err(Error::Certificate { path, reason }) => (path, reason),
        other => panic!("expected Error::Certificate, got {other:?}"),
    }
}

#[test]
fn czmq_files_load_with_their_keys_and_metadata() {
    let public = Certificate::load(fixture("czmq/server")).unwrap();
    assert_eq!(public.public_key().to_z85(), P1);
    assert!(public.secret_key().is_none());
    assert!(public.key_pair().is_none());
    assert_eq!(
        meta(&public),
        [("name", "server"), ("email", "ops@example.com")]
    );
    assert_eq!(public.metadata_value("email"), Some("ops@example.com"));

    let secret = Certificate::load_secret(fixture("czmq/server_secret")).unwrap();
    assert_eq!(secret.public_key().to_z85(), P1);
    assert_eq!(secret.secret_key().unwrap().to_z85().as_str(), S1);
    assert_eq!(meta(&secret), meta(&public));
    let pair = secret.key_pair().unwrap();
    assert_eq!(pair, CurveKeyPair::from_secret(S1).unwrap());
    // `load` reads secret files too.
    assert_eq!(
        Certificate::load(fixture("czmq/server_secret")).unwrap(),
        secret
    );

    let client = Certificate::load(fixture("czmq/client")).unwrap();
    assert_eq!(client.public_key().to_z85(), P2);
    assert!(client.metadata().is_empty());
    let client = Certificate::load_secret(fixture("czmq/client_secret")).unwrap();
    assert_eq!(client.secret_key().unwrap().to_z85().as_str(), S2);
}

#[test]
fn pyzmq_files_load_with_their_keys_and_unquoted_metadata() {
    let server = Certificate::load(fixture("pyzmq/server.key")).unwrap();
    assert_eq!(server.public_key().to_z85(), P1);
    assert!(server.secret_key().is_none() && server.metadata().is_empty());
    let server = Certificate::load_secret(fixture("pyzmq/server.key_secret")).unwrap();
    assert_eq!(server.secret_key().unwrap().to_z85().as_str(), S1);

    // pyzmq writes the metadata into the secret file only.
    let client = Certificate::load(fixture("pyzmq/client.key")).unwrap();
    assert_eq!(client.public_key().to_z85(), P2);
    assert!(client.metadata().is_empty());
    let client = Certificate::load_secret(fixture("pyzmq/client.key_secret")).unwrap();
    assert_eq!(client.secret_key().unwrap().to_z85().as_str(), S2);
    assert_eq!(
        meta(&client),
        [("owner", "Alice Smith"), ("role", "client")]
    );
}

#[test]
fn crlf_files_and_unquoted_keys_load() {
    let bytes = std::fs::read(fixture("crlf/server.key")).unwrap();
    assert!(
        bytes.windows(2).any(|w| w == b"\r\n"),
        "the fixture lost its CRLF"
    );
    let public = Certificate::load(fixture("crlf/server.key")).unwrap();
    assert_eq!(public.public_key().to_z85(), P1);
    assert_eq!(meta(&public), [("name", "crlf")]);
    let secret = Certificate::load_secret(fixture("crlf/server.key_secret")).unwrap();
    assert_eq!(secret.secret_key().unwrap().to_z85().as_str(), S1);
    let unquoted = Certificate::load(fixture("loose/unquoted_key")).unwrap();
    assert_eq!(unquoted.public_key().to_z85(), P1);
}

#[test]
fn every_garbled_file_is_a_certificate_error_that_names_the_problem() {
    let cases: &[(&str, &[&str])] = &[
        ("truncated", &["line 8", "unclosed quote", "secret-key"]),
        (
            "truncated_before_curve",
            &["line 8", "unclosed quote", "name"],
        ),
        ("bad_z85", &["line 9", "public-key is not a key", "','"]),
        (
            "bad_z85_secret",
            &["line 8", "secret-key is not a key", "position 30"],
        ),
        (
            "wrong_length",
            &["line 9", "public-key is 39 characters long, not 40"],
        ),
        ("no_curve", &["no curve section"]),
        ("no_public_key", &["line 8", "no public-key"]),
        (
            "secret_mismatch",
            &["line 8", "secret-key does not belong to public-key"],
        ),
        ("tabs", &["line 9", "tab"]),
        ("unclosed_quote", &["line 8", "unclosed quote", "`name`"]),
        ("bad_indent", &["line 9", "2 spaces, not a multiple of 4"]),
        ("binary", &["line 1", "not text"]),
        ("empty", &["empty", "no curve section"]),
    ];
    for (name, expected) in cases {
        let path = fixture(&format!("garbled/{name}"));
        let (error_path, reason) = cert_error(Certificate::load(&path));
        assert_eq!(error_path, path, "{name}");
        for part in *expected {
            assert!(reason.contains(part), "{name}: {reason:?} lacks {part:?}");
        }
        // The whole message names the file too.
        let message = Error::Certificate {
            path: error_path,
            reason: reason.clone(),
        }
        .to_string();
        assert!(message.contains(&format!("garbled/{name}")), "{message}");
        // No message quotes a secret key.
        assert!(!reason.contains("D:)Q[IlAW!ahh"), "{name}: {reason}");
    }
}

#[test]
fn hostile_paths_are_precise_errors() {
    let dir = TempDir::new("certs-hostile");
    let (path, reason) = cert_error(Certificate::load(dir.join("absent")));
    assert_eq!(path, dir.join("absent"));
    assert!(reason.contains("no such file"), "{reason}");
    let (_, reason) = cert_error(Certificate::load(dir.path()));
    assert!(reason.contains("is a directory"), "{reason}");
    let (_, reason) = cert_error(Certificate::load("/dev/zero"));
    assert!(reason.contains("not a regular file"), "{reason}");
    // A FIFO neither hangs the open nor is read; load_dir skips it.
    let fifo = dir.join("fifo");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: c is a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
    let (_, reason) = cert_error(Certificate::load(&fifo));
    assert!(reason.contains("not a regular file"), "{reason}");
    assert!(Certificate::load_dir(dir.path()).unwrap().is_empty());
    // A huge file is refused before it is read.
    let big = dir.join("big");
    std::fs::write(&big, vec![b'#'; 200_000]).unwrap();
    let (_, reason) = cert_error(Certificate::load(&big));
    assert!(reason.contains("200000 bytes is more than"), "{reason}");
    // A public file where a secret one is needed names the secret file.
    let (path, reason) = cert_error(Certificate::load_secret(fixture("czmq/server")));
    assert_eq!(path, fixture("czmq/server"));
    assert!(
        reason.contains("this is a public certificate")
            && reason.contains(&fixture("czmq/server_secret").display().to_string()),
        "{reason}"
    );
    let (_, reason) = cert_error(Certificate::load_secret(fixture("pyzmq/server.key")));
    assert!(reason.contains("server.key_secret"), "{reason}");
    // A secret-named file without its secret key.
    let no_secret = dir.join("x_secret");
    std::fs::copy(fixture("czmq/server"), &no_secret).unwrap();
    let (_, reason) = cert_error(Certificate::load_secret(&no_secret));
    assert!(reason.contains("no secret-key"), "{reason}");
}

#[test]
fn load_dir_reads_the_public_files_in_name_order_and_skips_the_rest() {
    let certs = Certificate::load_dir(fixture("authorized")).unwrap();
    let keys: Vec<String> = certs.iter().map(|c| c.public_key().to_z85()).collect();
    // alice, then bob.key; not .hidden, bob.key_secret or nested/.
    assert_eq!(keys, [P2, P1]);
    assert_eq!(certs[0].metadata_value("name"), Some("alice"));
    assert_eq!(certs[1].metadata_value("name"), Some("bob"));
    assert!(certs.iter().all(|c| c.secret_key().is_none()));

    let (path, reason) = cert_error(Certificate::load_dir(fixture("no-such-dir")));
    assert_eq!(path, fixture("no-such-dir"));
    assert!(reason.contains("no such file or directory"), "{reason}");
    let (path, reason) = cert_error(Certificate::load_dir(fixture("czmq/server")));
    assert_eq!(path, fixture("czmq/server"));
    assert!(reason.contains("not a directory"), "{reason}");

    // A mix: good files, one garbled one: the error names the garbled file.
    let dir = TempDir::new("certs-mix");
    std::fs::copy(fixture("czmq/client"), dir.join("a")).unwrap();
    std::fs::copy(fixture("garbled/bad_z85"), dir.join("b")).unwrap();
    std::fs::copy(fixture("pyzmq/server.key"), dir.join("c")).unwrap();
    let (path, reason) = cert_error(Certificate::load_dir(dir.path()));
    assert_eq!(path, dir.join("b"));
    assert!(reason.contains("public-key is not a key"), "{reason}");
    std::fs::remove_file(dir.join("b")).unwrap();
    // A dangling link is named too; a link to a certificate counts.
    std::os::unix::fs::symlink(dir.join("absent"), dir.join("d")).unwrap();
    let (path, _) = cert_error(Certificate::load_dir(dir.path()));
    assert_eq!(path, dir.join("d"));
    std::fs::remove_file(dir.join("d")).unwrap();
    std::os::unix::fs::symlink(fixture("czmq/server"), dir.join("d")).unwrap();
    assert_eq!(Certificate::load_dir(dir.path()).unwrap().len(), 3);
    // An empty directory is an empty list.
    let empty = TempDir::new("certs-empty");
    assert!(Certificate::load_dir(empty.path()).unwrap().is_empty());
}

#[test]
fn saved_certificates_load_back_with_their_metadata() {
    let dir = TempDir::new("certs-round-trip");
    let mut cert = Certificate::generate().unwrap();
    cert.set_metadata("name", "round trip").unwrap();
    cert.set_metadata("quote", "it's here").unwrap();
    cert.set_metadata("email", "a@b.example").unwrap();
    cert.set_metadata("say", " \"hi\" # not a comment ")
        .unwrap();
    cert.set_metadata("name", "renamed").unwrap();
    let path = dir.join("server");
    cert.save(&path).unwrap();

    let public = Certificate::load(&path).unwrap();
    assert_eq!(public.public_key(), cert.public_key());
    assert!(public.secret_key().is_none());
    assert_eq!(
        meta(&public),
        [
            ("name", "renamed"),
            ("quote", "it's here"),
            ("email", "a@b.example"),
            ("say", " \"hi\" # not a comment ")
        ]
    );
    let secret = Certificate::load_secret(dir.join("server_secret")).unwrap();
    assert_eq!(secret, cert);

    // The shape czmq and pyzmq write, and the secret only in the secret file.
    let secret_z85 = cert.secret_key().unwrap().to_z85();
    let public_text = std::fs::read_to_string(&path).unwrap();
    assert!(
        public_text.starts_with("#   ****  Generated on "),
        "{public_text}"
    );
    assert!(public_text.contains("#   ZeroMQ CURVE Public Certificate\n"));
    assert!(public_text.contains(&format!(
        "\nmetadata\n    name = \"renamed\"\n    quote = \"it's here\"\n    email = \"a@b.example\"\n    say = ' \"hi\" # not a comment '\ncurve\n    public-key = \"{}\"\n",
        cert.public_key()
    )));
    assert!(!public_text.contains(secret_z85.as_str()));
    assert!(!public_text.contains("secret-key"));
    let secret_text = std::fs::read_to_string(dir.join("server_secret")).unwrap();
    assert!(secret_text.contains("#   ZeroMQ CURVE **Secret** Certificate\n"));
    assert!(secret_text.contains(&format!("    secret-key = \"{}\"\n", secret_z85.as_str())));

    // Permissions: the secret file is the owner's only.
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir.join("server_secret")), 0o600);
    assert_eq!(
        mode(&path) & 0o077,
        mode(&path) & 0o044,
        "public: {:o}",
        mode(&path)
    );

    // Saving again replaces both files atomically and leaves no temporary file behind.
    std::fs::set_permissions(
        dir.join("server_secret"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    let other = Certificate::generate().unwrap();
    other.save(&path).unwrap();
    assert_eq!(
        Certificate::load_secret(dir.join("server_secret")).unwrap(),
        other
    );
    assert_eq!(mode(&dir.join("server_secret")), 0o600);
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["server", "server_secret"]);

    // Public-only certificates: save_public works, save and save_secret refuse.
    let peer = Certificate::from_public(*cert.public_key());
    let (_, reason) = cert_error(peer.save(dir.join("peer")));
    assert!(reason.contains("no secret key"), "{reason}");
    let (_, reason) = cert_error(peer.save_secret(dir.join("peer_secret")));
    assert!(reason.contains("no secret key"), "{reason}");
    peer.save_public(dir.join("peer")).unwrap();
    assert_eq!(Certificate::load(dir.join("peer")).unwrap(), peer);
    // save_secret alone, and from_pair.
    let pair = CurveKeyPair::from_secret(S2).unwrap();
    let mine = Certificate::from_pair(pair.clone());
    mine.save_secret(dir.join("mine_secret")).unwrap();
    assert_eq!(
        Certificate::load_secret(dir.join("mine_secret"))
            .unwrap()
            .key_pair(),
        Some(pair)
    );
    // Into a folder that does not exist: an error naming the file (the secret one, written
    // first so that the pair on disk stays whole).
    let (path, reason) = cert_error(cert.save(dir.join("absent/server")));
    assert_eq!(path, dir.join("absent/server_secret"));
    assert!(reason.contains("cannot write"), "{reason}");
}

#[test]
fn create_writes_pyzmq_names_and_never_overwrites() {
    let dir = TempDir::new("certs-create");
    let (public, secret) = Certificate::create(dir.path(), "server").unwrap();
    assert_eq!(public, dir.join("server.key"));
    assert_eq!(secret, dir.join("server.key_secret"));
    let cert = Certificate::load_secret(&secret).unwrap();
    assert_eq!(
        Certificate::load(&public).unwrap().public_key(),
        cert.public_key()
    );
    assert_eq!(cert.metadata_value("name"), Some("server"));
    let (path, reason) = cert_error(Certificate::create(dir.path(), "server"));
    assert_eq!(path, public);
    assert!(reason.contains("already exists"), "{reason}");
    assert_eq!(Certificate::load_secret(&secret).unwrap(), cert);
    for bad in ["", ".", "..", "a/b"] {
        let (_, reason) = cert_error(Certificate::create(dir.path(), bad));
        assert!(
            reason.contains("not a plain file name"),
            "{bad:?}: {reason}"
        );
    }
    let (_, reason) = cert_error(Certificate::create(dir.join("absent"), "x"));
    assert!(reason.contains("no such file"), "{reason}");
}

#[test]
fn metadata_names_and_values_are_checked() {
    let mut cert = Certificate::from_public(CurveKey::from_z85(P1).unwrap());
    for (name, value, why) in [
        ("bad name", "v", "cannot appear in a ZPL name"),
        ("", "v", "cannot be empty"),
        ("tab\tname", "v", "cannot appear"),
        ("n", "two\nlines", "control character"),
        ("n", "both ' and \"", "both kinds of quote"),
    ] {
        let (path, reason) = cert_error(cert.set_metadata(name, value));
        assert_eq!(path, PathBuf::new());
        assert!(reason.contains(why), "{name:?}={value:?}: {reason}");
    }
    assert!(cert.metadata().is_empty());
    cert.set_metadata("a$-_@.&+/Z9", "any text, even # and 'quotes'")
        .unwrap();
    assert_eq!(
        meta(&cert),
        [("a$-_@.&+/Z9", "any text, even # and 'quotes'")]
    );
}

#[test]
fn debug_output_never_contains_a_secret_key() {
    let cert = Certificate::load_secret(fixture("czmq/server_secret")).unwrap();
    let pair = cert.key_pair().unwrap();
    let secret: &SecretKey = cert.secret_key().unwrap();
    for text in [
        format!("{secret:?}"),
        format!("{pair:?}"),
        format!("{pair:#?}"),
        format!("{cert:?}"),
        format!("{cert:#?}"),
    ] {
        assert!(!text.contains(S1), "{text}");
        assert!(text.contains("<hidden>"), "{text}");
    }
    assert!(format!("{cert:?}").contains(P1));
    assert_eq!(format!("{secret:?}"), "SecretKey(<hidden>)");
}

#[test]
fn curve_req_rep_over_tcp_with_keys_from_the_fixtures() {
    let ctx = ctx();
    // The server's files in czmq's format, the client's in pyzmq's.
    let server_cert = Certificate::load_secret(fixture("czmq/server_secret")).unwrap();
    let server_public = Certificate::load(fixture("pyzmq/server.key")).unwrap();
    let client_cert = Certificate::load_secret(fixture("pyzmq/client.key_secret")).unwrap();

    let server = socket(&ctx, Rep);
    server.set_curve_server(true).unwrap();
    server
        .set_curve_secretkey(server_cert.secret_key().unwrap())
        .unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    let client = socket(&ctx, Req);
    client
        .set_curve_serverkey(server_public.public_key())
        .unwrap();
    client
        .set_curve_publickey(client_cert.public_key())
        .unwrap();
    client
        .set_curve_secretkey(client_cert.secret_key().unwrap())
        .unwrap();
    client.connect(&ep).unwrap();
    client.send("hello from a file").unwrap();
    assert_eq!(server.recv().unwrap(), "hello from a file");
    server.send("hello back").unwrap();
    assert_eq!(client.recv_string().unwrap(), "hello back");
}

#[test]
fn the_keygen_example_writes_files_that_load_back() {
    let dir = TempDir::new("certs-keygen");
    let d = dir.path().to_str().unwrap();
    let run = programs::run(
        "curve_keygen",
        &["--dir", d, "--name", "server", "--name", "client"],
    );
    run.assert_code(0).assert_no_panic();
    let expected: Vec<String> = [
        "server.key",
        "server.key_secret",
        "client.key",
        "client.key_secret",
    ]
    .iter()
    .map(|n| dir.join(n).display().to_string())
    .collect();
    assert_eq!(run.stdout, expected);
    let server = Certificate::load_secret(dir.join("server.key_secret")).unwrap();
    assert_eq!(
        Certificate::load(dir.join("server.key"))
            .unwrap()
            .public_key(),
        server.public_key()
    );
    assert_eq!(server.metadata_value("name"), Some("server"));
    let client = Certificate::load_secret(dir.join("client.key_secret")).unwrap();
    assert_ne!(client.public_key(), server.public_key());

    // Again without --force: refused, nothing written (not even the new name).
    let run = programs::run(
        "curve_keygen",
        &["--dir", d, "--name", "new", "--name", "server"],
    );
    run.assert_code(1).assert_no_panic();
    assert!(run.stderr.contains("already exists"), "{}", run.stderr);
    assert!(!dir.join("new.key").exists());
    assert_eq!(
        Certificate::load_secret(dir.join("server.key_secret")).unwrap(),
        server
    );
    // With --force: replaced.
    let run = programs::run("curve_keygen", &["--dir", d, "--name", "server", "--force"]);
    run.assert_code(0).assert_no_panic();
    let replaced = Certificate::load_secret(dir.join("server.key_secret")).unwrap();
    assert_ne!(replaced.public_key(), server.public_key());
    // A bad name, no name.
    let run = programs::run("curve_keygen", &["--dir", d, "--name", "../x"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains("not a plain file name"),
        "{}",
        run.stderr
    );
    programs::run("curve_keygen", &["--dir", d]).assert_code(2);
}

/// A file with two `public-key`s (or two `secret-key`s, or two `curve` sections) is refused:
/// czmq reads the first, pyzmq the last public-key of a public file, so such a file would be
/// two different certificates depending on the tool. Before, the first was taken silently.
#[test]
fn a_key_or_curve_section_given_twice_is_refused_as_ambiguous() {
    let dir = TempDir::new("certs-twice");
    let (a, b) = (
        CurveKeyPair::generate().unwrap(),
        CurveKeyPair::generate().unwrap(),
    );
    let (pa, pb) = (a.public.to_z85(), b.public.to_z85());
    let sa = a.secret.to_z85();
    let cases = [
        (
            format!("curve\n    public-key = \"{pa}\"\n    public-key = \"{pb}\"\n"),
            "line 3: a second public-key (the first is on line 2)",
        ),
        (
            format!(
                "curve\n    public-key = \"{pa}\"\n    secret-key = \"{}\"\n    secret-key = \"{}\"\n",
                sa.as_str(),
                sa.as_str()
            ),
            "line 4: a second secret-key (the first is on line 3)",
        ),
        (
            format!("curve\n    public-key = \"{pa}\"\nmetadata\ncurve\n    public-key = \"{pb}\"\n"),
            "line 4: a second curve (the first is on line 1)",
        ),
    ];
    for (i, (text, want)) in cases.iter().enumerate() {
        let path = dir.join(&format!("twice{i}"));
        std::fs::write(&path, text).unwrap();
        let (error_path, reason) = cert_error(Certificate::load(&path));
        assert_eq!(error_path, path);
        assert!(reason.contains(want), "{reason:?} lacks {want:?}");
        assert!(reason.contains("ambiguous"), "{reason}");
        assert!(!reason.contains(sa.as_str()), "{reason}");
    }
}

/// `save` names the secret file after the path it is given: a path that does not end in a
/// file name is refused before anything is written. Before, `dir/` wrote the secret key to
/// `dir_secret`, `dir/..` to `_secret` in dir's parent, `` to `_secret` in the current
/// directory, then failed on the public file.
#[test]
fn save_to_a_path_without_a_file_name_writes_nothing() {
    let dir = TempDir::new("certs-no-name");
    std::fs::create_dir(dir.join("keys")).unwrap();
    let cert = Certificate::generate().unwrap();
    let listing = || {
        let mut names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = listing();
    for path in [
        dir.join("keys/"),
        dir.join("keys/."),
        dir.join("keys/sub/.."),
    ] {
        let (error_path, reason) = cert_error(cert.save(&path));
        assert_eq!(error_path, path);
        assert!(reason.contains("not a file name"), "{reason}");
        assert_eq!(listing(), before, "{path:?}");
        assert_eq!(std::fs::read_dir(dir.join("keys")).unwrap().count(), 0);
    }
    // A plain name still works.
    cert.save(dir.join("keys/server")).unwrap();
    assert!(Certificate::load_secret(dir.join("keys/server_secret")).is_ok());
}
