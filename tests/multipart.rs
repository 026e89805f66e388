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
