//! The ordering kit's socket side (`zmq_typed::patterns::ordering`): the sequenced sender and
//! the ordered receiver over inproc, ipc and tcp, with a peer that shuffles, repeats, drops,
//! and sends garbage; malformed envelopes, separate and capped streams, failed sends, zero
//! timeouts and context shutdown. The reorder buffer alone is proved in `patterns_reorder.rs`.

mod common;

use std::collections::BTreeSet;
use std::thread;
use std::time::Duration;

use common::{bind_endpoint, patient, Transport, PATIENCE, TRANSPORTS};
use serde_json::{json, Value};
use zmq_typed::patterns::ordering::{
    EnvelopeError, Event, OrderedReceiver, Received, ReorderBuffer, SequencedSender,
};
use zmq_typed::{Context, Pull, Push};

/// A PUSH peer and an ordered receiver on a PULL, bound on `transport`.
fn wired(ctx: &Context, transport: Transport) -> (Push, Pull) {
    let pull = patient(Pull::new(ctx).unwrap());
    let endpoint = pull.bind(bind_endpoint(transport, "ordering")).unwrap();
    let push = patient(Push::new(ctx).unwrap());
    push.connect(&endpoint).unwrap();
    (push, pull)
}

/// A fixed shuffle of `1..=n`: a small linear congruential generator, so every run is the same.
fn shuffled(n: u64, seed: u64) -> Vec<u64> {
    let mut items: Vec<u64> = (1..=n).collect();
    let mut state = seed;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let j = (state >> 33) as usize % (i + 1);
        items.swap(i, j);
    }
    items
}

/// Reads until every one of `wire_messages` is accounted for (held ones included), then
/// flushes: everything the receiver said.
fn drain(receiver: &mut OrderedReceiver<Pull, Value>, wire_messages: usize) -> Vec<Received> {
    let mut out = Vec::new();
    let mut verdicts = 0;
    while verdicts + receiver.held() < wire_messages {
        let next = receiver.recv_timeout(PATIENCE).unwrap();
        if !matches!(next, Received::Gap { .. }) {
            verdicts += 1;
        }
        out.push(next);
    }
    out.extend(receiver.flush());
    out
}

/// A peer sends 1..=60 shuffled, with 7 numbers missing, 10 repeated and garbage mixed in;
/// the receiver hands on every number received exactly once, in order, reports exactly the
/// missing ones as gaps, each repeat as a duplicate and each piece of garbage as malformed.
#[test]
fn ordered_receiver_over_every_transport_with_a_shuffling_peer() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let (push, pull) = wired(&ctx, transport);
        let missing: BTreeSet<u64> = [4, 5, 17, 30, 31, 32, 60].into();
        let mut order: Vec<u64> = shuffled(60, 7)
            .into_iter()
            .filter(|s| !missing.contains(s))
            .collect();
        let repeats: Vec<u64> = order.iter().step_by(5).copied().collect();
        order.extend(&repeats);
        let garbage = ["not json", r#"{"data":1}"#, r#"{"seq":"3","data":1}"#, "[]"];
        let garbage_sent = (0..order.len()).filter(|i| i % 13 == 0).count();
        let sent = order.len() + garbage_sent;
        let peer = thread::spawn(move || {
            for (i, seq) in order.iter().enumerate() {
                let text = json!({"seq": seq, "data": format!("m{seq}")}).to_string();
                push.send(text).unwrap();
                if i % 13 == 0 {
                    push.send(garbage[i / 13 % garbage.len()]).unwrap();
                }
            }
            push
        });
        let mut receiver = OrderedReceiver::new(pull, 64).unwrap();
        let out = drain(&mut receiver, sent);
        drop(peer.join().unwrap());

        let mut next = 1;
        let (mut dups, mut bad) = (0, 0);
        for event in &out {
            match event {
                Received::Message { stream, seq, data } => {
                    assert_eq!((stream, *seq), (&None, next), "{transport:?}");
                    assert_eq!(data, &json!(format!("m{seq}")));
                    next += 1;
                }
                Received::Gap {
                    stream: None,
                    first,
                    last,
                } => {
                    assert_eq!(*first, next, "{transport:?}");
                    assert!((*first..=*last).all(|s| missing.contains(&s)), "{out:?}");
                    next = last + 1;
                }
                Received::Duplicate { stream: None, seq } => {
                    assert!(repeats.contains(seq));
                    dups += 1;
                }
                Received::Malformed { .. } => bad += 1,
                other => panic!("{transport:?}: {other:?}"),
            }
        }
        // 60 was never sent: the stream ends at 59, as far as the receiver can know.
        assert_eq!(next, 60, "{transport:?}");
        assert_eq!(dups, repeats.len(), "{transport:?}");
        assert_eq!(bad, garbage_sent, "{transport:?}");
        let stats = receiver.stats(None).unwrap();
        assert_eq!((stats.delivered, stats.missing), (53, 6), "{transport:?}");
    }
}

/// Each malformation reported with its own error, the receiver going on after each.
#[test]
fn malformed_envelopes_are_reported_and_skipped() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let (push, pull) = wired(&ctx, transport);
        let mut receiver: OrderedReceiver<Pull, u32> = OrderedReceiver::new(pull, 4).unwrap();
        let bad: [&[u8]; 8] = [
            b"not json",
            b"\xff\xfe\x00",
            br#"{"data":1}"#,
            br#"{"seq":"one","data":1}"#,
            br#"{"seq":-1,"data":1}"#,
            br#"{"seq":1.5,"data":1}"#,
            br#"{"seq":1,"data":"not a u32"}"#,
            br#"{"seq":1}"#,
        ];
        for (n, bytes) in bad.iter().enumerate() {
            push.send(bytes.to_vec()).unwrap();
            push.send(format!(r#"{{"seq":{},"data":{n}}}"#, n + 1))
                .unwrap();
        }
        push.send(["{\"seq\":9,", "\"data\":1}"]).unwrap();
        let mut errors = Vec::new();
        for n in 0..bad.len() {
            match receiver.recv_timeout(PATIENCE).unwrap() {
                Received::Malformed { error } => errors.push(error),
                other => panic!("{transport:?} #{n}: {other:?}"),
            }
            let good = receiver.recv_timeout(PATIENCE).unwrap();
            let expected = Received::Message {
                stream: None,
                seq: n as u64 + 1,
                data: n as u32,
            };
            assert_eq!(good, expected, "{transport:?}");
        }
        assert!(matches!(errors[0], EnvelopeError::NotJson { .. }));
        assert!(matches!(errors[1], EnvelopeError::NotJson { .. }));
        assert_eq!(errors[2], EnvelopeError::MissingSeq);
        for e in &errors[3..6] {
            assert!(matches!(e, EnvelopeError::BadSeq { .. }), "{e:?}");
        }
        assert!(matches!(errors[6], EnvelopeError::BadData { .. }));
        assert_eq!(errors[7], EnvelopeError::MissingData);
        assert_eq!(
            receiver.recv_timeout(PATIENCE).unwrap(),
            Received::Malformed {
                error: EnvelopeError::SeveralFrames { count: 2 }
            }
        );
    }
}

/// Streams interleaved by one sender come out in order per stream; a new stream past the cap
/// is refused as a value, and the receiver goes on.
#[test]
fn streams_are_ordered_separately_and_capped() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let (push, pull) = wired(&ctx, transport);
        let mut sender = SequencedSender::new(push);
        for n in 1..=5u64 {
            assert_eq!(sender.send_in("a", &n).unwrap(), n);
            assert_eq!(sender.send_in("b", &(n * 100)).unwrap(), n);
        }
        assert_eq!(sender.send_in("c", &0).unwrap(), 1);
        assert_eq!(sender.send(&7).unwrap(), 1);
        let mut receiver: OrderedReceiver<Pull, u64> =
            OrderedReceiver::new(pull, 8).unwrap().with_max_streams(2);
        let mut seen = Vec::new();
        for _ in 0..12 {
            seen.push(receiver.recv_timeout(PATIENCE).unwrap());
        }
        for n in 1..=5u64 {
            let a = Received::Message {
                stream: Some("a".into()),
                seq: n,
                data: n,
            };
            let b = Received::Message {
                stream: Some("b".into()),
                seq: n,
                data: n * 100,
            };
            assert_eq!(seen[(n as usize - 1) * 2], a, "{transport:?}");
            assert_eq!(seen[(n as usize - 1) * 2 + 1], b, "{transport:?}");
        }
        assert_eq!(
            seen[10],
            Received::StreamRefused {
                stream: "c".into(),
                seq: 1
            }
        );
        assert_eq!(
            seen[11],
            Received::StreamRefused {
                stream: String::new(),
                seq: 1
            }
        );
        assert_eq!(receiver.stream_count(), 2);
        // Ending a stream makes room: "b" holds 7 over a hole at 6; ended, it is
        // forgotten, and "c" is kept.
        let message = |stream: &str, seq, data| Received::Message {
            stream: Some(stream.into()),
            seq,
            data,
        };
        let gap = |stream: &str, first, last| Received::Gap {
            stream: Some(stream.into()),
            first,
            last,
        };
        sender
            .socket()
            .send(r#"{"seq":7,"stream":"b","data":7}"#)
            .unwrap();
        sender.send_in("a", &6).unwrap();
        assert_eq!(receiver.recv_timeout(PATIENCE).unwrap(), message("a", 6, 6));
        assert_eq!(receiver.held(), 1);
        let ended = receiver.end_stream(Some("b"));
        assert_eq!(ended, [gap("b", 6, 6), message("b", 7, 7)]);
        assert_eq!(receiver.stream_count(), 1);
        assert_eq!(receiver.end_stream(Some("b")), []);
        assert_eq!(sender.send_in("c", &2).unwrap(), 2);
        sender.send_in("a", &7).unwrap();
        assert_eq!(receiver.recv_timeout(PATIENCE).unwrap(), message("a", 7, 7));
        assert_eq!(receiver.stream_count(), 2);
        assert_eq!(receiver.flush(), [gap("c", 1, 1), message("c", 2, 2)]);
    }
}

/// A send that fails does not use its number: the receiver sees no gap.
#[test]
fn a_failed_send_keeps_its_number() {
    let ctx = Context::new().unwrap();
    let push = Push::new(&ctx).unwrap();
    // No peer: the PUSH cannot queue anything, so try_send hands the message back.
    let mut sender = SequencedSender::new(push);
    assert_eq!(sender.try_send(&"lost").unwrap(), None);
    assert_eq!(sender.try_send_in("audit", &"lost").unwrap(), None);
    assert_eq!(sender.sequencer().peek(None), Some(1));
    assert_eq!(sender.sequencer().peek(Some("audit")), Some(1));
    let pull = patient(Pull::new(&ctx).unwrap());
    pull.bind("inproc://ordering-failed-send").unwrap();
    sender
        .socket()
        .connect("inproc://ordering-failed-send")
        .unwrap();
    assert_eq!(sender.send(&"kept").unwrap(), 1);
    assert_eq!(sender.try_send_in("audit", &"kept").unwrap(), Some(1));
    assert_eq!(pull.recv().unwrap(), r#"{"seq":1,"data":"kept"}"#);
    assert_eq!(
        pull.recv().unwrap(),
        r#"{"seq":1,"stream":"audit","data":"kept"}"#
    );
}

/// A receiver waiting for its next message ends with `is_terminated()` when the context
/// shuts down.
#[test]
fn context_shutdown_ends_a_waiting_receiver() {
    let ctx = Context::new().unwrap();
    let (push, pull) = wired(&ctx, Transport::Tcp);
    push.send(r#"{"seq":2,"data":0}"#).unwrap();
    push.send(r#"{"seq":1,"data":0}"#).unwrap();
    let mut receiver: OrderedReceiver<Pull, u8> = OrderedReceiver::new(pull, 4).unwrap();
    assert!(matches!(
        receiver.recv().unwrap(),
        Received::Message { seq: 1, .. }
    ));
    assert!(matches!(
        receiver.recv().unwrap(),
        Received::Message { seq: 2, .. }
    ));
    push.send(r#"{"seq":4,"data":0}"#).unwrap();
    drop(push);
    // 3 never comes: the receiver holds 4 (once it has read it) and waits.
    let waiting = thread::spawn(move || receiver.recv().unwrap_err());
    ctx.shutdown().unwrap();
    let error = common::watchdog::within(PATIENCE, "receiver", move || waiting.join().unwrap());
    assert!(error.is_terminated(), "{error:?}");
}

/// A small window over a socket: holes are given up while the stream goes on, and copies
/// come late. One PUSH to one PULL keeps the order sent, so the receiver must say exactly
/// what a reorder buffer says for that arrival order.
#[test]
fn ordered_receiver_with_a_small_window_matches_the_buffer() {
    for transport in TRANSPORTS {
        let ctx = Context::new().unwrap();
        let (push, pull) = wired(&ctx, transport);
        let mut order: Vec<u64> = shuffled(200, 11)
            .into_iter()
            .filter(|s| s % 17 != 0)
            .collect();
        let repeats: Vec<u64> = order.iter().step_by(7).copied().collect();
        order.extend(&repeats);
        let sent = order.clone();
        let peer = thread::spawn(move || {
            for seq in &sent {
                push.send(json!({"seq": seq, "data": seq}).to_string())
                    .unwrap();
            }
            push
        });
        let mut receiver = OrderedReceiver::new(pull, 8).unwrap();
        let out = drain(&mut receiver, order.len());
        drop(peer.join().unwrap());

        let mut buffer = ReorderBuffer::new(8).unwrap();
        let mut expected: Vec<Event<Value>> = Vec::new();
        for &seq in &order {
            expected.extend(buffer.push(seq, json!(seq)));
        }
        expected.extend(buffer.flush());
        let expected: Vec<Received> = expected
            .into_iter()
            .map(|event| match event {
                Event::Deliver { seq, data } => Received::Message {
                    stream: None,
                    seq,
                    data,
                },
                Event::Gap { first, last } => Received::Gap {
                    stream: None,
                    first,
                    last,
                },
                Event::Duplicate { seq } => Received::Duplicate { stream: None, seq },
                Event::Late { seq } => Received::Late { stream: None, seq },
            })
            .collect();
        assert_eq!(out, expected, "{transport:?}");
        let stats = receiver.stats(None).unwrap();
        assert!(
            stats.late > 0 && stats.gaps > 11,
            "{transport:?}: {stats:?}"
        );
        assert_eq!(
            stats.delivered + stats.missing,
            200,
            "{transport:?}: {stats:?}"
        );
    }
}

/// A zero timeout still reads an envelope already waiting; with nothing waiting it times
/// out at once.
#[test]
fn a_zero_timeout_reads_what_is_waiting() {
    let ctx = Context::new().unwrap();
    let (push, pull) = wired(&ctx, Transport::Inproc);
    push.send(r#"{"seq":1,"data":1}"#).unwrap();
    push.send(r#"{"seq":2,"data":2}"#).unwrap();
    let mut receiver: OrderedReceiver<Pull, u64> = OrderedReceiver::new(pull, 4).unwrap();
    let first = receiver.recv_timeout(PATIENCE).unwrap();
    let second = receiver.recv_timeout(Duration::ZERO).unwrap();
    let expected = |seq| Received::Message {
        stream: None,
        seq,
        data: seq,
    };
    assert_eq!((first, second), (expected(1), expected(2)));
    let none = receiver.recv_timeout(Duration::ZERO).unwrap_err();
    assert!(none.is_timeout(), "{none:?}");
}
