//! The ordering kit (`zmq_typed::patterns::ordering`): the reorder buffer checked over every
//! arrival order of small streams (shuffled, duplicated, missing numbers, every window), and
//! the sequenced sender and ordered receiver over inproc, ipc and tcp, with a peer that
//! shuffles, repeats, drops, and sends garbage.

mod common;

use std::collections::BTreeSet;
use std::thread;
use std::time::Duration;

use common::{bind_endpoint, patient, Transport, PATIENCE, TRANSPORTS};
use serde_json::{json, Value};
use zmq_typed::patterns::ordering::{
    Envelope, EnvelopeError, Event, OrderedReceiver, Received, ReorderBuffer, SequencedSender,
    Sequencer,
};
use zmq_typed::{Context, Pull, Push};

/// Runs `pushes` (each pushed with its index as data) through a buffer of `window` and
/// checks every guarantee; returns the events, flush included.
fn check(window: usize, pushes: &[u64]) -> Vec<Event<usize>> {
    let mut buffer = ReorderBuffer::new(window).unwrap();
    let mut events = Vec::new();
    for (index, &seq) in pushes.iter().enumerate() {
        let before = events.len();
        events.extend(buffer.push(seq, index));
        assert!(
            buffer.held() <= window,
            "{pushes:?} w{window}: held too many"
        );
        // Each push is accounted for at once, or held: never two verdicts on one push.
        let verdicts = events[before..]
            .iter()
            .filter(|e| match e {
                Event::Deliver { data, .. } => *data == index,
                Event::Duplicate { seq: s } | Event::Late { seq: s } => *s == seq,
                Event::Gap { .. } => false,
            })
            .count();
        assert!(verdicts <= 1, "{pushes:?} w{window}: push {index} twice");
    }
    events.extend(buffer.flush());
    assert_eq!(events, model(window, pushes), "{pushes:?} window {window}");
    assert_eq!(buffer.held(), 0);
    assert_eq!(buffer.flush().count(), 0, "a second flush says nothing");
    let context = format!("{pushes:?} window {window}: {events:?}");

    // In event order, deliveries and gaps walk 1..=max without a hole or an overlap.
    let mut cursor = 1u64;
    let mut delivered = BTreeSet::new();
    let mut given_up = BTreeSet::new();
    for event in &events {
        match *event {
            Event::Deliver { seq, data } => {
                assert_eq!(seq, cursor, "{context}");
                let first = pushes.iter().position(|&s| s == seq).unwrap();
                assert_eq!(
                    data, first,
                    "the first copy is the one delivered: {context}"
                );
                delivered.insert(seq);
                cursor += 1;
            }
            Event::Gap { first, last } => {
                assert_eq!(first, cursor, "{context}");
                assert!(first <= last, "{context}");
                given_up.extend(first..=last);
                cursor = last + 1;
            }
            Event::Duplicate { .. } | Event::Late { .. } => {}
        }
    }
    let max = pushes.iter().copied().max().unwrap_or(0);
    assert_eq!(cursor, max + 1, "covers exactly 1..=max: {context}");

    // Every push is delivered, or dropped as a duplicate or late copy, exactly once.
    let mut drops = vec![0usize; max as usize + 1];
    for event in &events {
        match *event {
            Event::Duplicate { seq } => {
                assert!(delivered.contains(&seq), "duplicate of nothing: {context}");
                drops[seq as usize] += 1;
            }
            Event::Late { seq } => {
                let stats = buffer.stats();
                if stats.gaps <= window as u64 {
                    assert!(given_up.contains(&seq), "late but not given up: {context}");
                }
                drops[seq as usize] += 1;
            }
            _ => {}
        }
    }
    for seq in 1..=max {
        let copies = pushes.iter().filter(|&&s| s == seq).count();
        let kept = usize::from(delivered.contains(&seq));
        assert_eq!(drops[seq as usize] + kept, copies, "seq {seq}: {context}");
    }

    let stats = buffer.stats();
    assert_eq!(stats.delivered, delivered.len() as u64, "{context}");
    assert_eq!(stats.missing, given_up.len() as u64, "{context}");
    let gaps = events
        .iter()
        .filter(|e| matches!(e, Event::Gap { .. }))
        .count();
    assert_eq!(stats.gaps, gaps as u64, "{context}");
    assert_eq!(
        stats.delivered + stats.duplicates + stats.late,
        pushes.len() as u64,
        "{context}"
    );
    events
}

/// The documented rules, followed one number at a time (a model written independently of
/// the buffer's range arithmetic): the exact events the buffer must give.
fn model(window: usize, pushes: &[u64]) -> Vec<Event<usize>> {
    struct Model {
        next: u64,
        held: std::collections::BTreeMap<u64, usize>,
        gaps: Vec<(u64, u64)>,
        events: Vec<Event<usize>>,
        /// Whether the last event of this push was a gap that the next missing number extends.
        open_gap: bool,
    }
    impl Model {
        /// Moves past `next`: delivers it if held, gives it up otherwise.
        fn step(&mut self) {
            if let Some(data) = self.held.remove(&self.next) {
                self.events.push(Event::Deliver {
                    seq: self.next,
                    data,
                });
                self.open_gap = false;
            } else if self.open_gap {
                let last = self.gaps.last_mut().unwrap();
                last.1 = self.next;
                *self.events.last_mut().unwrap() = Event::Gap {
                    first: last.0,
                    last: last.1,
                };
            } else {
                self.gaps.push((self.next, self.next));
                self.events.push(Event::Gap {
                    first: self.next,
                    last: self.next,
                });
                self.open_gap = true;
            }
            self.next += 1;
        }
    }
    let mut m = Model {
        next: 1,
        held: Default::default(),
        gaps: Vec::new(),
        events: Vec::new(),
        open_gap: false,
    };
    let w = window as u64;
    for (index, &seq) in pushes.iter().enumerate() {
        m.open_gap = false;
        if seq < m.next {
            // Remembered: the last `window` gap ranges; below the ones forgotten, late.
            let remembered = &m.gaps[m.gaps.len().saturating_sub(window)..];
            let forgotten = &m.gaps[..m.gaps.len().saturating_sub(window)];
            let horizon = forgotten.last().map_or(1, |g| g.1 + 1);
            let in_gap = remembered.iter().any(|&(f, l)| f <= seq && seq <= l);
            m.events.push(if in_gap || seq < horizon {
                Event::Late { seq }
            } else {
                Event::Duplicate { seq }
            });
            continue;
        }
        if m.held.contains_key(&seq) {
            m.events.push(Event::Duplicate { seq });
            continue;
        }
        while seq > m.next + w {
            m.step();
        }
        m.held.insert(seq, index);
        while m.held.contains_key(&m.next) {
            m.step();
        }
    }
    m.open_gap = false;
    while !m.held.is_empty() {
        m.step();
    }
    m.events
}

/// Calls `f` with every sequence of length `len` over `1..=max`.
fn every_sequence(max: u64, len: usize, f: &mut impl FnMut(&[u64])) {
    let mut seq = vec![1u64; len];
    loop {
        f(&seq);
        let mut i = 0;
        loop {
            if i == len {
                return;
            }
            if seq[i] < max {
                seq[i] += 1;
                break;
            }
            seq[i] = 1;
            i += 1;
        }
    }
}

/// Every arrival order of up to 6 messages numbered from 1 to 4 (so with repeats and holes),
/// with every window from 1 to 5; and of up to 5 numbered from 1 to 7, with windows 1 and 2.
#[test]
fn reorder_every_short_arrival_order() {
    let mut runs = 0;
    for max in 1..=4 {
        for len in 0..=6 {
            every_sequence(max, len, &mut |pushes| {
                for window in 1..=5 {
                    check(window, pushes);
                    runs += 1;
                }
            });
        }
    }
    let sequences: u32 = (1..=4u32)
        .map(|m| (0..=6).map(|l| m.pow(l)).sum::<u32>())
        .sum();
    assert_eq!(runs, sequences * 5);
    // Numbers up to 7 in small windows: more gaps than a window of them remembers, so
    // late copies fall below the buffer's memory.
    let mut runs = 0;
    for len in 0..=5 {
        every_sequence(7, len, &mut |pushes| {
            for window in 1..=2 {
                check(window, pushes);
                runs += 1;
            }
        });
    }
    assert_eq!(runs, (0..=5).map(|l| 7u32.pow(l)).sum::<u32>() * 2);
}

fn permutations(items: &mut Vec<u64>, k: usize, f: &mut impl FnMut(&[u64])) {
    if k == items.len() {
        f(items);
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, f);
        items.swap(k, i);
    }
}

/// Every order of 1..=6, with every subset of them missing, at every window: when the window
/// can hold all but one, nothing received is ever given up.
#[test]
fn reorder_every_permutation_with_drops() {
    let mut runs = 0;
    permutations(&mut (1..=6).collect(), 0, &mut |order| {
        for kept in 0u32..64 {
            let pushes: Vec<u64> = order
                .iter()
                .copied()
                .filter(|s| kept & (1 << (s - 1)) != 0)
                .collect();
            for window in 1..=6 {
                let events = check(window, &pushes);
                runs += 1;
                if window >= 5 {
                    let delivered = events
                        .iter()
                        .filter(|e| matches!(e, Event::Deliver { .. }))
                        .count();
                    assert_eq!(delivered, pushes.len(), "{pushes:?} window {window}");
                }
            }
        }
    });
    assert_eq!(runs, 720 * 64 * 6);
}

#[test]
fn reorder_exact_events_of_one_story() {
    let mut b = ReorderBuffer::new(3).unwrap();
    let mut push = |seq| b.push(seq, seq * 10).collect::<Vec<_>>();
    assert_eq!(push(3), []);
    assert_eq!(push(3), [Event::Duplicate { seq: 3 }]);
    assert_eq!(push(1), [Event::Deliver { seq: 1, data: 10 }]);
    assert_eq!(push(5), []);
    // 6 > next (2) + 3: 2 is given up, 3 delivered, then 4 is the hole, and 5, 6 wait.
    assert_eq!(
        push(6),
        [
            Event::Gap { first: 2, last: 2 },
            Event::Deliver { seq: 3, data: 30 }
        ]
    );
    assert_eq!(push(2), [Event::Late { seq: 2 }]);
    assert_eq!(push(1), [Event::Duplicate { seq: 1 }]);
    // 20 is far ahead: 4 given up, 5 and 6 delivered, 7..=16 given up, 20 held.
    assert_eq!(
        push(20),
        [
            Event::Gap { first: 4, last: 4 },
            Event::Deliver { seq: 5, data: 50 },
            Event::Deliver { seq: 6, data: 60 },
            Event::Gap { first: 7, last: 16 },
        ]
    );
    let flushed: Vec<_> = b.flush().collect();
    assert_eq!(
        flushed,
        [
            Event::Gap {
                first: 17,
                last: 19
            },
            Event::Deliver { seq: 20, data: 200 }
        ]
    );
    let stats = b.stats();
    assert_eq!(
        (
            stats.delivered,
            stats.duplicates,
            stats.late,
            stats.gaps,
            stats.missing
        ),
        (5, 2, 1, 4, 15)
    );
    assert_eq!(b.next_expected(), Some(21));
}

#[test]
fn reorder_resumes_and_refuses_bad_settings() {
    let mut b = ReorderBuffer::starting_at(2, 100).unwrap();
    assert_eq!(
        b.push(99, ()).collect::<Vec<_>>(),
        [Event::Late { seq: 99 }]
    );
    assert_eq!(
        b.push(100, ()).collect::<Vec<_>>(),
        [Event::Deliver { seq: 100, data: () }]
    );
    let zero = ReorderBuffer::<()>::new(0).unwrap_err();
    assert!(
        matches!(zero, zmq_typed::Error::InvalidArgument(_)),
        "{zero:?}"
    );
    assert!(ReorderBuffer::<()>::starting_at(1, 0).is_err());
    // A huge jump near the top of the range neither overflows nor allocates per number.
    let mut b = ReorderBuffer::new(1).unwrap();
    // Window 1: the buffer moves to u64::MAX - 1 and holds u64::MAX.
    let events: Vec<_> = b.push(u64::MAX, ()).collect();
    let below = u64::MAX - 2;
    assert_eq!(
        events,
        [Event::Gap {
            first: 1,
            last: below
        }]
    );
    let events: Vec<_> = b.flush().collect();
    let top = Event::Deliver {
        seq: u64::MAX,
        data: (),
    };
    let hole = Event::Gap {
        first: u64::MAX - 1,
        last: u64::MAX - 1,
    };
    assert_eq!(events, [hole, top]);
    assert_eq!(b.next_expected(), None);
    assert_eq!(b.push(5, ()).collect::<Vec<_>>(), [Event::Late { seq: 5 }]);
}

#[test]
fn sequencer_numbers_each_stream_from_one_and_resumes() {
    let mut s = Sequencer::new();
    assert_eq!(s.seal("a").unwrap(), Envelope::new(1, "a"));
    assert_eq!(
        s.seal_in("x", "b").unwrap(),
        Envelope::in_stream(1, "x", "b")
    );
    assert_eq!(s.seal_in("x", "c").unwrap().seq, 2);
    assert_eq!(s.seal("d").unwrap().seq, 2);
    assert_eq!(
        (s.peek(None), s.peek(Some("x")), s.peek(Some("y"))),
        (Some(3), Some(3), Some(1))
    );
    let mut resumed = Sequencer::starting_at(u64::MAX);
    resumed.resume("x", 41);
    assert_eq!(resumed.seal_in("x", ()).unwrap().seq, 41);
    assert_eq!(resumed.seal(()).unwrap().seq, u64::MAX);
    assert!(matches!(
        resumed.seal(()),
        Err(EnvelopeError::Encode { .. })
    ));
    assert_eq!(resumed.peek(None), None);
}

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
