//! The reorder buffer and the sequencer of the ordering kit (`zmq_typed::patterns::ordering`),
//! with no socket: the buffer checked over every arrival order of small streams (shuffled,
//! duplicated, missing numbers, every window) against an independent model of its rules,
//! one exact story of events and stats, resuming and bad settings; and the sequencer
//! numbering each stream from one.

use std::collections::BTreeSet;

use zmq_typed::patterns::ordering::{Envelope, EnvelopeError, Event, ReorderBuffer, Sequencer};

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
