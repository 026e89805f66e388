//! `Multipart` behaves as one list of frames whichever form it holds them in (one inline
//! frame, or a vector).

use zmq_typed::{Error, Message, Multipart};

fn vecs(m: &Multipart) -> Vec<Vec<u8>> {
    m.to_vecs()
}

#[test]
fn one_frame_and_many_frames_are_the_same_list() {
    let mut one = Multipart::single("x");
    let many = {
        let mut m = Multipart::from(vec!["x", "y"]);
        m.pop_back();
        m
    };
    assert_eq!(one, many);
    assert_eq!(one, "x");
    assert_eq!(one, &b"x"[..]);
    assert_eq!(format!("{one:?}"), format!("{many:?}"));

    one.push_back("y");
    one.push_front("w");
    assert_eq!(vecs(&one), [b"w".to_vec(), b"x".to_vec(), b"y".to_vec()]);
    assert_ne!(one, "x");
    assert_eq!(one.pop_front().unwrap(), "w");
    assert_eq!(one.pop_back().unwrap(), "y");
    assert_eq!(one.pop_back().unwrap(), "x");
    assert!(one.pop_back().is_none() && one.pop_front().is_none() && one.is_empty());
    one.push_front("again");
    assert_eq!(one.len(), 1);
}

#[test]
fn single_frame_helpers_say_what_is_wrong() {
    assert_eq!(Multipart::single("text").as_str().unwrap(), "text");
    let two = Multipart::from(vec!["a", "b"]);
    assert!(matches!(two.as_str(), Err(Error::Malformed(m)) if m.contains("2 frames")));
    assert!(matches!(
        Multipart::single(vec![0xff, 0xfe]).as_str(),
        Err(Error::Utf8 { .. })
    ));
    assert_eq!(Multipart::single("only").into_single().unwrap(), "only");
    assert_eq!(two.clone().into_single().unwrap_err(), two);
    assert!(Multipart::new().into_single().is_err());
}

#[test]
fn iteration_indexing_and_envelopes() {
    let mut m: Multipart = ["id", "", "body"].into();
    m[2] = Message::from("BODY");
    assert_eq!(m.iter().map(Message::len).collect::<Vec<_>>(), [2, 0, 4]);
    let owned: Vec<Message> = m.clone().into_iter().collect();
    assert_eq!(owned.len(), 3);
    assert_eq!(m.clone().into_iter().size_hint(), (3, Some(3)));
    assert_eq!(Multipart::single("a").into_iter().size_hint(), (1, Some(1)));

    let (envelope, body) = m.clone().split_envelope().unwrap();
    assert_eq!(vecs(&envelope), [b"id".to_vec()]);
    assert_eq!(body, "BODY");
    assert_eq!(Multipart::join_envelope(envelope, body), m);

    let mut wrapped = Multipart::single("body");
    wrapped.wrap("addr");
    assert_eq!(vecs(&wrapped), [b"addr".to_vec(), vec![], b"body".to_vec()]);
    assert_eq!(wrapped.unwrap_address().unwrap(), "addr");
    assert_eq!(wrapped, "body");
}

#[test]
fn display_prints_the_text_of_one_frame_and_something_readable_otherwise() {
    assert_eq!(Multipart::single("World").to_string(), "World");
    assert_eq!(Multipart::single("").to_string(), "");
    assert_eq!(
        Multipart::from(["GET", "", "/index"]).to_string(),
        "[GET][][/index]"
    );
    assert_eq!(Multipart::single(vec![0u8, 0xff]).to_string(), "[0x00ff]");
    assert_eq!(
        Multipart::from([&b"id"[..], &[0x00, 0x6b]]).to_string(),
        "[id][0x006b]"
    );
    // Long frames are cut after 32 bytes, with the count of the rest; text on a character
    // boundary.
    let long_text = "é".repeat(40); // 80 bytes
    let long_bytes = vec![0xffu8; 100];
    assert_eq!(
        Multipart::from([long_text.as_bytes(), &long_bytes]).to_string(),
        format!(
            "[{}…(+48 bytes)][0x{}…(+68 bytes)]",
            "é".repeat(16),
            "ff".repeat(32)
        )
    );
    // One long text frame is printed whole: it is the message.
    assert_eq!(Multipart::single(long_text.as_str()).to_string(), long_text);
    assert_eq!(Multipart::new().to_string(), "(no frames)");
    assert_ne!(
        Multipart::new().to_string(),
        Multipart::single("").to_string()
    );
    // What a peer sends is never written raw to a terminal: escapes and NULs go in hex.
    for hostile in ["\x1b[2J\x1b[H", "\0", "ok\x07"] {
        let shown = Multipart::single(hostile).to_string();
        assert!(
            !shown.chars().any(char::is_control),
            "{hostile:?} shown as {shown:?}"
        );
        let shown = Multipart::from([hostile, "x"]).to_string();
        assert!(
            !shown.chars().any(char::is_control),
            "{hostile:?} shown as {shown:?}"
        );
    }
    assert_eq!(Multipart::single("\x1b[2J").to_string(), "[0x1b5b324a]");
    // A carriage return (which overwrites a line) and direction overrides go in hex too.
    for hidden in ["ok\rforged", "abc\u{202e}fed"] {
        let shown = Multipart::single(hidden).to_string();
        assert!(shown.starts_with("[0x"), "{hidden:?} shown as {shown:?}");
    }
    // One frame never reads like several.
    let one = Multipart::single("[a][b]");
    assert_eq!(one.to_string(), "[[a][b]]");
    assert_ne!(one.to_string(), Multipart::from(["a", "b"]).to_string());
    assert_eq!(
        Multipart::single("(no frames)").to_string(),
        "[(no frames)]"
    );
}

#[test]
fn bytes_text_and_frames_each_have_one_name() {
    let one = Multipart::single("hello");
    assert_eq!(one.to_vec(), b"hello", "the bytes, as Message::to_vec");
    assert_eq!(Multipart::from(["ab", "", "cd"]).to_vec(), b"abcd");
    assert_eq!(one, String::from("hello"));
    assert_eq!(one.clone().into_string().unwrap(), "hello");
    assert!(matches!(
        Multipart::from(["a", "b"]).into_string(),
        Err(Error::Malformed(_))
    ));
    let frames: Vec<Message> = Multipart::from(["a", "b"]).into_frames();
    assert_eq!(frames, [Message::from("a"), Message::from("b")]);
    assert_eq!(one.into_frames(), [Message::from("hello")]);
}

#[test]
fn clear_empties_and_the_envelope_round_trips_exactly() {
    let mut m = Multipart::from(["a", "b", "c"]);
    m.clear();
    assert!(m.is_empty());
    m.push_back("again");
    assert_eq!(m, "again");
    let mut one = Multipart::single("x");
    one.clear();
    assert!(one.is_empty());

    for message in [
        Multipart::from(["id", "", "body"]),
        Multipart::from(["", "body"]),
        Multipart::from(["a", "b", "", "c", "", "d"]),
        Multipart::from(["id", ""]),
    ] {
        let (envelope, body) = message.clone().split_envelope().unwrap();
        assert_eq!(Multipart::join_envelope(envelope, body), message);
    }
    let no_delimiter = Multipart::from(["a", "b"]);
    assert_eq!(
        no_delimiter.clone().split_envelope().unwrap_err(),
        no_delimiter
    );
}
