//! The outbox kit in one process, over real sockets: the journal (numbering, ACKs, what
//! survives a reopen, every kind of file it refuses), the de-duplicating receiver (ACKs,
//! duplicates, gaps, malformed envelopes, its memory cap) and the durable sender (window,
//! re-sends, restarts on the same journal, bad ACKs).

mod common;

use common::{patient, PATIENCE};
use zmq_typed::patterns::outbox::{DedupReceiver, Received};
use zmq_typed::{Context, Dealer};

/// A DEALER connected to `receiver`, playing the sender by hand.
fn hand_sender(ctx: &Context, receiver: &DedupReceiver<String>) -> Dealer {
    let dealer = patient(Dealer::new(ctx).unwrap());
    dealer.connect(receiver.endpoint()).unwrap();
    dealer
}

fn envelope(seq: u64) -> String {
    format!(r#"{{"seq":{seq},"data":"message {seq}"}}"#)
}

#[test]
fn the_receiver_acks_everything_drops_duplicates_and_reports_gaps() {
    let ctx = Context::new().unwrap();
    let mut receiver: DedupReceiver<String> =
        DedupReceiver::bind(&ctx, "tcp://127.0.0.1:*").unwrap();
    let dealer = hand_sender(&ctx, &receiver);
    for seq in [1, 3, 2, 3, 1, 4] {
        dealer.send(envelope(seq)).unwrap();
    }
    let mut got = Vec::new();
    for _ in 0..6 {
        got.push(receiver.recv_timeout(PATIENCE).unwrap());
    }
    let message = |seq: u64, gap| Received::Message {
        seq,
        data: format!("message {seq}"),
        gap,
    };
    assert_eq!(
        got,
        [
            message(1, None),
            message(3, Some((2, 2))),
            message(2, None),
            Received::Duplicate { seq: 3 },
            Received::Duplicate { seq: 1 },
            message(4, None),
        ]
    );
    let acks: Vec<String> = (0..6).map(|_| dealer.recv().unwrap().to_string()).collect();
    let expected: Vec<String> = [1, 3, 2, 3, 1, 4]
        .iter()
        .map(|s| format!(r#"{{"ack":{s}}}"#))
        .collect();
    assert_eq!(acks, expected);
    let stats = receiver.stats();
    assert_eq!(
        (stats.unique, stats.duplicates, stats.gaps, stats.malformed),
        (4, 2, 1, 0)
    );
    assert_eq!(receiver.through(), 4);
}

#[test]
fn a_malformed_envelope_is_reported_not_acked_and_the_receiver_goes_on() {
    use zmq_typed::patterns::ordering::EnvelopeError;
    let ctx = Context::new().unwrap();
    let mut receiver: DedupReceiver<String> =
        DedupReceiver::bind(&ctx, "inproc://outbox-malformed").unwrap();
    let dealer = hand_sender(&ctx, &receiver);
    dealer.send("not json").unwrap();
    dealer.send(r#"{"data":"x"}"#).unwrap();
    dealer.send(r#"{"seq":"7","data":"x"}"#).unwrap();
    dealer.send(r#"{"seq":2.5,"data":"x"}"#).unwrap();
    dealer.send(r#"{"seq":1,"data":5}"#).unwrap(); // data not a String
    dealer.send(["two", "frames"]).unwrap();
    dealer.send(envelope(1)).unwrap();
    let mut errors = Vec::new();
    for _ in 0..6 {
        match receiver.recv_timeout(PATIENCE).unwrap() {
            Received::Malformed { error, .. } => errors.push(error),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(errors[0], EnvelopeError::NotJson { .. }));
    assert_eq!(errors[1], EnvelopeError::MissingSeq);
    assert_eq!(
        errors[2],
        EnvelopeError::BadSeq {
            found: r#""7""#.into()
        }
    );
    assert_eq!(
        errors[3],
        EnvelopeError::BadSeq {
            found: "2.5".into()
        }
    );
    assert!(matches!(errors[4], EnvelopeError::BadData { .. }));
    assert_eq!(errors[5], EnvelopeError::SeveralFrames { count: 2 });
    assert!(matches!(
        receiver.recv_timeout(PATIENCE).unwrap(),
        Received::Message { seq: 1, .. }
    ));
    // Only the envelope was ACKed.
    assert_eq!(dealer.recv().unwrap(), r#"{"ack":1}"#);
    assert_eq!(receiver.stats().malformed, 6);
}

#[test]
fn draining_without_a_limit_is_no_panic() {
    let ctx = Context::new().unwrap();
    let mut receiver: DedupReceiver<String> =
        DedupReceiver::bind(&ctx, "tcp://127.0.0.1:*").unwrap();
    let dealer = hand_sender(&ctx, &receiver);
    dealer.send(envelope(1)).unwrap();
    assert!(matches!(
        receiver.recv_timeout(PATIENCE).unwrap(),
        Received::Message { seq: 1, .. }
    ));
    // A limit of `Duration::MAX`: none. Nothing more comes, so the quiet moment ends it.
    let quiet = std::time::Duration::from_millis(20);
    assert_eq!(receiver.drain(quiet, std::time::Duration::MAX).unwrap(), 0);
    assert_eq!(dealer.recv().unwrap(), r#"{"ack":1}"#);
}

#[test]
fn a_receiver_on_a_router_configured_before_its_bind_keeps_its_options() {
    let ctx = Context::new().unwrap();
    let router = patient(zmq_typed::Router::new(&ctx).unwrap());
    router.set_max_msg_size(Some(1000)).unwrap();
    let bound = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
    let mut receiver: DedupReceiver<String> = DedupReceiver::on_router(router, 8).unwrap();
    assert_eq!(receiver.endpoint(), bound);
    assert_eq!(receiver.socket().max_msg_size().unwrap(), Some(1000));
    let dealer = hand_sender(&ctx, &receiver);
    dealer.send(envelope(1)).unwrap();
    assert_eq!(
        receiver.recv_timeout(PATIENCE).unwrap(),
        Received::Message {
            seq: 1,
            data: "message 1".into(),
            gap: None
        }
    );
    assert_eq!(dealer.recv().unwrap(), r#"{"ack":1}"#);
}

#[test]
fn beyond_its_cap_the_receiver_refuses_without_ack_until_the_hole_fills() {
    let ctx = Context::new().unwrap();
    let mut receiver: DedupReceiver<String> =
        DedupReceiver::bind_with_cap(&ctx, "inproc://outbox-cap", 2).unwrap();
    let dealer = hand_sender(&ctx, &receiver);
    for seq in [3, 5, 7, 1, 2, 7] {
        dealer.send(envelope(seq)).unwrap();
    }
    let kinds: Vec<String> = (0..6)
        .map(|_| match receiver.recv_timeout(PATIENCE).unwrap() {
            Received::Message { seq, .. } => format!("new {seq}"),
            Received::Duplicate { seq } => format!("dup {seq}"),
            Received::Refused { seq } => format!("refused {seq}"),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        ["new 3", "new 5", "refused 7", "new 1", "new 2", "new 7"]
    );
    let acks: Vec<String> = (0..5).map(|_| dealer.recv().unwrap().to_string()).collect();
    let expected: Vec<String> = [3, 5, 1, 2, 7]
        .iter()
        .map(|s| format!(r#"{{"ack":{s}}}"#))
        .collect();
    assert_eq!(acks, expected);
    assert_eq!(receiver.stats().refused, 1);
}

#[cfg(feature = "durable")]
#[path = "patterns_outbox/journal.rs"]
mod journal;

#[cfg(feature = "durable")]
mod durable {
    use std::thread;
    use std::time::Duration;

    use super::*;
    use crate::common::temp_dir::TempDir;
    use zmq_typed::patterns::outbox::{
        parse_ack, DurableSender, Journal, SenderEvent, SenderSettings,
    };
    use zmq_typed::{Error, Router};

    /// A ROUTER playing the receiver by hand: says which seqs come, ACKs only when told.
    struct HandReceiver {
        router: Router,
        endpoint: String,
    }

    impl HandReceiver {
        fn bind(ctx: &Context) -> HandReceiver {
            let router = patient(Router::new(ctx).unwrap());
            let endpoint = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
            HandReceiver { router, endpoint }
        }

        /// The next envelope: (sender id, seq, data).
        fn next(&self) -> (zmq_typed::RoutingId, u64, String) {
            let routed = self.router.recv().unwrap();
            let frame = routed.body.first().unwrap();
            let v: serde_json::Value = serde_json::from_slice(&frame[..]).unwrap();
            let seq = v["seq"].as_u64().unwrap();
            (routed.id, seq, v["data"].as_str().unwrap().to_string())
        }

        fn ack(&self, id: &zmq_typed::RoutingId, seq: u64) {
            self.router
                .send_to(id, format!(r#"{{"ack":{seq}}}"#))
                .unwrap();
        }
    }

    fn settings(window: usize, resend_after: Duration) -> SenderSettings {
        SenderSettings {
            window,
            resend_after,
        }
    }

    #[test]
    fn the_sender_delivers_a_stream_through_a_small_window() {
        let dir = TempDir::new("stream");
        let ctx = Context::new().unwrap();
        let mut receiver: DedupReceiver<String> =
            DedupReceiver::bind(&ctx, "tcp://127.0.0.1:*").unwrap();
        let endpoint = receiver.endpoint().to_string();
        let journal = Journal::open(dir.join("j.db")).unwrap();
        let mut sender =
            DurableSender::connect(&ctx, &endpoint, journal, settings(4, PATIENCE)).unwrap();
        let worker = thread::spawn(move || {
            let mut got = Vec::new();
            while receiver.through() < 50 {
                if let Received::Message { seq, data, .. } =
                    receiver.recv_timeout(PATIENCE).unwrap()
                {
                    got.push((seq, data));
                }
            }
            (got, receiver.stats())
        });
        for n in 1..=50u64 {
            assert_eq!(sender.send(&format!("message {n}")).unwrap(), n);
            assert!(sender.pending() <= 4);
        }
        sender.wait_all_acked(Some(PATIENCE)).unwrap();
        let (got, stats) = worker.join().unwrap();
        let expected: Vec<(u64, String)> = (1..=50).map(|n| (n, format!("message {n}"))).collect();
        assert_eq!(got, expected);
        assert_eq!((stats.duplicates, stats.gaps), (0, 0));
        assert_eq!(sender.stats().acked, 50);
        let journal = sender.into_journal();
        assert_eq!((journal.appended(), journal.pending().unwrap()), (50, 0));
    }

    #[test]
    fn a_restarted_sender_sends_what_was_never_acked_first() {
        let dir = TempDir::new("restart");
        let path = dir.join("j.db");
        let ctx = Context::new().unwrap();
        let hand = HandReceiver::bind(&ctx);
        let journal = Journal::open(&path).unwrap();
        let mut sender =
            DurableSender::connect(&ctx, &hand.endpoint, journal, settings(8, PATIENCE)).unwrap();
        for n in 1..=3 {
            sender.send(&format!("message {n}")).unwrap();
        }
        let (id, seq, _) = hand.next();
        assert_eq!(seq, 1);
        hand.ack(&id, 1);
        assert_eq!((hand.next().1, hand.next().1), (2, 3));
        // Wait for ACK 1 to be recorded, then "crash": the sender goes, its journal stays.
        let deadline = std::time::Instant::now() + PATIENCE;
        while sender.pending() != 2 {
            assert!(std::time::Instant::now() < deadline, "ACK 1 never recorded");
            let _ = sender.wait_all_acked(Some(Duration::from_millis(10)));
        }
        drop(sender);

        let journal = Journal::open(&path).unwrap();
        assert_eq!(journal.pending().unwrap(), 2);
        let mut sender =
            DurableSender::connect(&ctx, &hand.endpoint, journal, settings(8, PATIENCE)).unwrap();
        let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let log = std::sync::Arc::clone(&events);
        sender.on_event(move |e| log.lock().unwrap().push(e.clone()));
        assert_eq!(sender.send(&"message 4").unwrap(), 4);
        let mut order = Vec::new();
        for _ in 0..3 {
            let (id, seq, data) = hand.next();
            assert_eq!(data, format!("message {seq}"));
            hand.ack(&id, seq);
            order.push(seq);
        }
        assert_eq!(order, [2, 3, 4]);
        sender.wait_all_acked(Some(PATIENCE)).unwrap();
        let events = events.lock().unwrap().clone();
        let sent: Vec<&SenderEvent> = events
            .iter()
            .filter(|e| matches!(e, SenderEvent::Sent { .. }))
            .collect();
        assert_eq!(
            sent,
            [
                &SenderEvent::Sent { seq: 2 },
                &SenderEvent::Sent { seq: 3 },
                &SenderEvent::Sent { seq: 4 }
            ]
        );
        assert_eq!(sender.journal().acked().unwrap(), 4);
    }

    #[test]
    fn an_unacked_message_is_sent_again_and_bad_acks_are_ignored() {
        let dir = TempDir::new("resend");
        let ctx = Context::new().unwrap();
        let hand = HandReceiver::bind(&ctx);
        let journal = Journal::open(dir.join("j.db")).unwrap();
        let mut sender = DurableSender::connect(
            &ctx,
            &hand.endpoint,
            journal,
            settings(8, Duration::from_millis(20)),
        )
        .unwrap();
        sender.send(&"once").unwrap();
        let waiter = thread::spawn(move || {
            sender.wait_all_acked(Some(PATIENCE)).unwrap();
            sender.stats()
        });
        let (id, seq, _) = hand.next();
        assert_eq!(seq, 1);
        // No ACK: the same message again.
        let (_, again, data) = hand.next();
        assert_eq!((again, data.as_str()), (1, "once"));
        hand.router.send_to(&id, "garbage").unwrap();
        hand.router.send_to(&id, r#"{"ack":77}"#).unwrap();
        hand.ack(&id, 1);
        let stats = waiter.join().unwrap();
        assert_eq!((stats.sent, stats.acked, stats.ignored), (1, 1, 2));
        assert!(stats.resent >= 1);
        assert_eq!(parse_ack(br#"{"ack":1}"#), Ok(1));
    }

    #[test]
    fn a_hostile_receivers_acks_lose_nothing_not_journalled_and_a_flood_ends() {
        let dir = TempDir::new("hostile-acks");
        let ctx = Context::new().unwrap();
        // Everything the hand receiver sends stays queued for the sender, nothing dropped
        // (set before the bind: a listener's connections take the options of the bind).
        let router = patient(Router::new(&ctx).unwrap());
        router.set_sndhwm(None).unwrap();
        let endpoint = router.bind("tcp://127.0.0.1:*").unwrap().to_string();
        let hand = HandReceiver { router, endpoint };
        let journal = Journal::open(dir.join("j.db")).unwrap();
        let mut sender =
            DurableSender::connect(&ctx, &hand.endpoint, journal, settings(8, PATIENCE)).unwrap();
        assert_eq!(sender.send(&"a").unwrap(), 1);
        assert_eq!(sender.send(&"b").unwrap(), 2);
        let (id, one, _) = hand.next();
        let (_, two, _) = hand.next();
        assert_eq!((one, two), (1, 2));
        let huge = format!(r#"{{"ack":"{}"}}"#, "x".repeat(1 << 20));
        let bad: Vec<String> = vec![
            format!(r#"{{"ack":{}}}"#, u64::MAX),
            r#"{"ack":-1}"#.into(),
            r#"{"ack":1.5}"#.into(),
            r#"{"ack":1e400}"#.into(),
            r#"{"ack":3}"#.into(),
            huge,
        ];
        for frame in &bad {
            hand.router.send_to(&id, frame.as_str()).unwrap();
        }
        // More than one batch of garbage.
        const FLOOD: u64 = 3000;
        for _ in 0..FLOOD {
            hand.router.send_to(&id, "x").unwrap();
        }
        hand.ack(&id, 2);
        hand.ack(&id, 1);
        sender.wait_all_acked(Some(PATIENCE)).unwrap();
        let stats = sender.stats();
        assert_eq!((stats.sent, stats.acked), (2, 2));
        assert_eq!(stats.ignored, bad.len() as u64 + FLOOD);
        // The ACK for 3, before 3 existed, does not acknowledge it.
        assert_eq!(sender.send(&"c").unwrap(), 3);
        assert_eq!(sender.pending(), 1);
        let (_, three, data) = hand.next();
        assert_eq!((three, data.as_str()), (3, "c"));
        assert_eq!(sender.journal().pending().unwrap(), 1);
    }

    #[test]
    fn a_restarted_receiver_gets_what_was_not_acked_and_forgets_the_rest() {
        // What the docs promise, and no more: the sender goes on with a new receiver on the
        // same endpoint, which gets the message never ACKed, as new, and nothing of what
        // its predecessor ACKed (its memory starts empty).
        let dir = TempDir::new("receiver-restart");
        let ctx = Context::new().unwrap();
        let mut first: DedupReceiver<String> =
            DedupReceiver::bind(&ctx, "tcp://127.0.0.1:*").unwrap();
        let endpoint = first.endpoint().to_string();
        let journal = Journal::open(dir.join("j.db")).unwrap();
        let mut sender = DurableSender::connect(
            &ctx,
            &endpoint,
            journal,
            settings(8, Duration::from_millis(50)),
        )
        .unwrap();
        for n in 1..=3u64 {
            assert_eq!(sender.send(&format!("message {n}")).unwrap(), n);
        }
        while first.through() < 3 {
            first.recv_timeout(PATIENCE).unwrap();
        }
        sender.wait_all_acked(Some(PATIENCE)).unwrap();
        first.socket().set_linger(Some(Duration::ZERO)).unwrap();
        drop(first);
        assert_eq!(sender.send(&"message 4").unwrap(), 4);
        // The port is free once the old listener is closed, in the background.
        let deadline = std::time::Instant::now() + PATIENCE;
        let mut second: DedupReceiver<String> = loop {
            match DedupReceiver::bind(&ctx, &endpoint) {
                Ok(r) => break r,
                Err(e) => assert!(std::time::Instant::now() < deadline, "{e:?}"),
            }
            thread::sleep(Duration::from_millis(5));
        };
        let waiter = thread::spawn(move || {
            sender.wait_all_acked(Some(PATIENCE)).unwrap();
            sender.stats()
        });
        assert_eq!(
            second.recv_timeout(PATIENCE).unwrap(),
            Received::Message {
                seq: 4,
                data: "message 4".into(),
                gap: Some((1, 3)),
            }
        );
        let stats = waiter.join().unwrap();
        assert_eq!((stats.sent, stats.acked), (4, 4));
        assert_eq!(second.through(), 0);
        assert_eq!(second.stats().unique, 1);
    }

    #[test]
    fn a_resend_interval_of_zero_is_refused_and_one_of_forever_is_no_panic() {
        let dir = TempDir::new("resend-after");
        let ctx = Context::new().unwrap();
        let journal = Journal::open(dir.join("j.db")).unwrap();
        // Zero would re-send the whole window at every turn, as fast as the CPU goes.
        let refused = DurableSender::connect(
            &ctx,
            "inproc://outbox-zero",
            journal,
            settings(4, Duration::ZERO),
        );
        assert!(
            matches!(refused, Err(Error::OptionValue { .. })),
            "{refused:?}"
        );
        let journal = Journal::open(dir.join("j2.db")).unwrap();
        let mut sender = DurableSender::connect(
            &ctx,
            "inproc://outbox-never",
            journal,
            settings(4, Duration::MAX),
        )
        .unwrap();
        assert_eq!(sender.send(&"once").unwrap(), 1);
        let err = sender
            .wait_all_acked(Some(Duration::from_millis(50)))
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(sender.stats().resent, 0);
    }

    #[test]
    fn a_window_of_zero_is_refused_and_waiting_with_nobody_there_times_out() {
        let dir = TempDir::new("window");
        let ctx = Context::new().unwrap();
        let journal = Journal::open(dir.join("j.db")).unwrap();
        let refused =
            DurableSender::connect(&ctx, "tcp://127.0.0.1:9", journal, settings(0, PATIENCE));
        assert!(matches!(refused, Err(Error::OptionValue { .. })));
        let journal = Journal::open(dir.join("j2.db")).unwrap();
        let mut sender = DurableSender::connect(
            &ctx,
            "inproc://outbox-nobody",
            journal,
            SenderSettings::default(),
        )
        .unwrap();
        // What it holds is in the journal: closing does not wait for a receiver.
        assert_eq!(sender.socket().linger().unwrap(), Some(Duration::ZERO));
        sender.send(&1).unwrap();
        let err = sender
            .wait_all_acked(Some(Duration::from_millis(50)))
            .unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
        assert_eq!(sender.pending(), 1);
    }

    #[test]
    fn send_fails_only_without_journalling_the_message() {
        // A caller that sees `Err` from `send` gives the message again: it must then not be
        // in the journal already, or it would be delivered twice under two numbers.
        let dir = TempDir::new("journalled");
        let ctx = Context::new().unwrap();
        let journal = Journal::open(dir.join("j.db")).unwrap();
        let mut sender = DurableSender::connect(
            &ctx,
            "inproc://outbox-shut",
            journal,
            SenderSettings::default(),
        )
        .unwrap();
        assert_eq!(sender.send(&"kept").unwrap(), 1);
        ctx.shutdown().unwrap();
        for _ in 0..2 {
            let err = sender.send(&"not taken").unwrap_err();
            assert!(err.is_terminated(), "{err:?}");
        }
        let err = sender.wait_all_acked(Some(PATIENCE)).unwrap_err();
        assert!(err.is_terminated(), "{err:?}");
        assert_eq!(sender.journal().appended(), 1);
        assert_eq!(sender.pending(), 1);
    }
}
