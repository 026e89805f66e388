//! `ReorderBuffer`: puts numbered messages back in order, with bounded memory (pure logic, no
//! sockets).

use std::collections::{BTreeMap, VecDeque};

use crate::error::{Detail, Error, Result};

/// What a [`ReorderBuffer`] says about the messages pushed into it, in the order things
/// happen: every sequence number ends up either delivered once or inside exactly one gap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event<T> {
    /// The next message in order.
    Deliver {
        /// Its sequence number.
        seq: u64,
        /// Its payload (from the first copy that arrived).
        data: T,
    },
    /// Messages that were never seen and are given up: `first..=last` (inclusive), in order
    /// with the deliveries around them.
    Gap {
        /// The first missing number.
        first: u64,
        /// The last missing number.
        last: u64,
    },
    /// A copy of a message already delivered or already held: dropped.
    Duplicate {
        /// Its sequence number.
        seq: u64,
    },
    /// A message whose turn has passed without it: its number had been given up in a gap
    /// (or is older than the buffer remembers, see [`ReorderBuffer`]). Dropped.
    Late {
        /// Its sequence number.
        seq: u64,
    },
}

/// Counts kept by a [`ReorderBuffer`] since it was made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReorderStats {
    /// Messages delivered.
    pub delivered: u64,
    /// Copies dropped as [`Event::Duplicate`].
    pub duplicates: u64,
    /// Messages dropped as [`Event::Late`].
    pub late: u64,
    /// Gap ranges reported.
    pub gaps: u64,
    /// Sequence numbers given up, in all the gaps.
    pub missing: u64,
}

/// Puts messages numbered `1, 2, 3...` (or from [`ReorderBuffer::starting_at`]) back in
/// order, holding at most `window` messages.
///
/// [`push`](ReorderBuffer::push) a message with its number; it returns what can be said
/// now ([`Event`]s, in order): the deliveries it made possible, a gap given up, or the
/// message dropped as a duplicate. [`flush`](ReorderBuffer::flush) ends the stream.
///
/// # The rules
/// Let `next` be the number the buffer waits for (everything below it has been delivered or
/// given up). A message numbered `seq`:
/// - `seq == next`: delivered, with every held message that follows it without a hole.
/// - `next < seq <= next + window`: held until its turn (or a duplicate if held already).
/// - `seq > next + window`: beyond the window. The buffer moves `next` up to
///   `seq - window`, so that it fits: the numbers skipped over are given up (an
///   [`Event::Gap`] per missing range, with the held messages among them delivered in
///   order), then `seq` is held or delivered as above. So at most `window` messages are
///   ever held, and a hole never waits for more than `window` later messages.
/// - `seq < next`: its turn has passed: [`Event::Duplicate`] when it was delivered,
///   [`Event::Late`] when it had been given up. The buffer remembers the last `window`
///   gap ranges to tell these apart; a number below all of them that is not known
///   delivered counts as late.
///
/// # Guarantees
/// - Every number is delivered at most once, in increasing order.
/// - After [`flush`](ReorderBuffer::flush), the deliveries and the gaps together cover
///   exactly `start..=highest number pushed`, without overlap.
/// - Memory: at most `window` messages and `window` remembered gap ranges.
/// - No number overflows, `u64::MAX` included (after it, the stream is over: anything
///   else is a duplicate or late).
///
/// ```
/// use zmq_typed::patterns::ordering::{Event, ReorderBuffer};
///
/// let mut buffer = ReorderBuffer::new(4)?;
/// assert!(buffer.push(2, "b").next().is_none());                 // held: 1 is missing
/// let events: Vec<_> = buffer.push(1, "a").collect();
/// assert_eq!(events, [Event::Deliver { seq: 1, data: "a" }, Event::Deliver { seq: 2, data: "b" }]);
/// let events: Vec<_> = buffer.push(2, "b").collect();
/// assert_eq!(events, [Event::Duplicate { seq: 2 }]);
/// buffer.push(4, "d").for_each(drop);                            // 3 is missing
/// let events: Vec<_> = buffer.flush().collect();                 // end of stream
/// assert_eq!(events, [Event::Gap { first: 3, last: 3 }, Event::Deliver { seq: 4, data: "d" }]);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ReorderBuffer<T> {
    window: u64,
    /// The number waited for (`u64::MAX + 1` once the stream is over).
    next: u128,
    /// The first number of the stream.
    start: u64,
    /// Messages held, all numbered above `next`.
    held: BTreeMap<u64, T>,
    /// The last gap ranges given up (at most `window`), oldest (and lowest) first.
    recent_gaps: VecDeque<(u64, u64)>,
    /// Below this, a number not in `recent_gaps` may have been in a forgotten gap.
    horizon: u64,
    /// What is left to say.
    out: VecDeque<Event<T>>,
    stats: ReorderStats,
}

impl<T> ReorderBuffer<T> {
    /// A buffer expecting `1` first, holding at most `window` messages;
    /// [`Error::InvalidArgument`] when `window` is 0.
    pub fn new(window: usize) -> Result<ReorderBuffer<T>> {
        ReorderBuffer::starting_at(window, 1)
    }

    /// A buffer expecting `next` first (to resume a stream), holding at most `window`
    /// messages; [`Error::InvalidArgument`] when `window` or `next` is 0.
    pub fn starting_at(window: usize, next: u64) -> Result<ReorderBuffer<T>> {
        if window == 0 {
            return Err(Error::InvalidArgument(Detail::new(
                "a reorder window of 0 messages: it must hold at least one",
            )));
        }
        if next == 0 {
            return Err(Error::InvalidArgument(Detail::new(
                "a reorder buffer starting at 0: sequence numbers start at 1",
            )));
        }
        Ok(ReorderBuffer {
            window: window as u64,
            next: u128::from(next),
            start: next,
            held: BTreeMap::new(),
            recent_gaps: VecDeque::new(),
            horizon: next,
            out: VecDeque::new(),
            stats: ReorderStats::default(),
        })
    }

    /// The window: the most messages held at once.
    pub fn window(&self) -> usize {
        self.window as usize
    }

    /// The number the buffer waits for (`None` once `u64::MAX` has been passed).
    pub fn next_expected(&self) -> Option<u64> {
        u64::try_from(self.next).ok()
    }

    /// How many messages are held, waiting for a hole before them.
    pub fn held(&self) -> usize {
        self.held.len()
    }

    /// The counts so far.
    pub fn stats(&self) -> ReorderStats {
        self.stats
    }

    /// Takes in message `seq`; the events it causes, in order. Dropping the iterator
    /// unread drops the events (the buffer's state has moved on all the same).
    pub fn push(&mut self, seq: u64, data: T) -> std::collections::vec_deque::Drain<'_, Event<T>> {
        self.out.clear();
        self.accept(seq, data);
        self.out.drain(..)
    }

    /// Ends the stream: gives up every hole below the highest held message and delivers
    /// everything held, in order. The buffer then waits for the number after the last
    /// one delivered.
    pub fn flush(&mut self) -> std::collections::vec_deque::Drain<'_, Event<T>> {
        self.out.clear();
        if let Some((&last, _)) = self.held.last_key_value() {
            self.advance_to(u128::from(last));
            self.deliver_run();
        }
        self.out.drain(..)
    }

    fn accept(&mut self, seq: u64, data: T) {
        let s = u128::from(seq);
        if s < self.next {
            self.drop_old(seq);
            return;
        }
        if self.held.contains_key(&seq) {
            self.stats.duplicates += 1;
            self.out.push_back(Event::Duplicate { seq });
            return;
        }
        let window = u128::from(self.window);
        if s > self.next + window {
            self.advance_to(s - window);
        }
        self.held.insert(seq, data);
        self.deliver_run();
    }

    /// A number below `next`: a duplicate of a delivery, or late for a gap.
    fn drop_old(&mut self, seq: u64) {
        // The gaps are given up in increasing order: a binary search finds the one that
        // could hold `seq` (a peer replaying old numbers costs log(window) each, not window).
        let after = self.recent_gaps.partition_point(|&(first, _)| first <= seq);
        let in_gap = after > 0 && self.recent_gaps[after - 1].1 >= seq;
        if in_gap || seq < self.horizon {
            self.stats.late += 1;
            self.out.push_back(Event::Late { seq });
        } else {
            self.stats.duplicates += 1;
            self.out.push_back(Event::Duplicate { seq });
        }
    }

    /// Gives up every number below `target` that is not held, delivering the held ones:
    /// afterwards `next == target` (or beyond, when a delivered run went past it).
    fn advance_to(&mut self, target: u128) {
        while self.next < target {
            match self.held.first_key_value() {
                Some((&seq, _)) if u128::from(seq) == self.next => self.deliver_run(),
                held => {
                    // `next` is missing: give up to the first held message or the target.
                    let end = held.map_or(target, |(&seq, _)| u128::from(seq).min(target));
                    // Both ends are real message numbers: `next <= end - 1 < seq <= u64::MAX`.
                    let first = self.next as u64;
                    let last = (end - 1) as u64;
                    self.give_up(first, last);
                    self.next = end;
                }
            }
        }
    }

    fn give_up(&mut self, first: u64, last: u64) {
        self.stats.gaps += 1;
        self.stats.missing += last - first + 1;
        if self.recent_gaps.len() as u64 == self.window {
            if let Some((_, forgotten_last)) = self.recent_gaps.pop_front() {
                self.horizon = forgotten_last.saturating_add(1);
            }
        }
        self.recent_gaps.push_back((first, last));
        self.out.push_back(Event::Gap { first, last });
    }

    /// Delivers `next` and what follows it without a hole, while held.
    fn deliver_run(&mut self) {
        while let Some(entry) = self.held.first_entry() {
            if u128::from(*entry.key()) != self.next {
                break;
            }
            let (seq, data) = entry.remove_entry();
            self.next += 1;
            self.stats.delivered += 1;
            self.out.push_back(Event::Deliver { seq, data });
        }
    }

    /// The first number of the stream (1, or what [`ReorderBuffer::starting_at`] said).
    pub fn start(&self) -> u64 {
        self.start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(b: &mut ReorderBuffer<u64>, seq: u64) -> Vec<Event<u64>> {
        b.push(seq, seq).collect()
    }

    #[test]
    fn window_zero_and_start_zero_are_errors() {
        assert!(ReorderBuffer::<u8>::new(0).is_err());
        assert!(ReorderBuffer::<u8>::starting_at(3, 0).is_err());
    }

    #[test]
    fn beyond_the_window_gives_up_the_hole() {
        let mut b = ReorderBuffer::new(2).unwrap();
        assert_eq!(events(&mut b, 2), []);
        assert_eq!(events(&mut b, 3), []);
        // 4 > next(1) + 2: next moves to 2, giving up 1.
        assert_eq!(
            events(&mut b, 4),
            [
                Event::Gap { first: 1, last: 1 },
                Event::Deliver { seq: 2, data: 2 },
                Event::Deliver { seq: 3, data: 3 },
                Event::Deliver { seq: 4, data: 4 },
            ]
        );
        assert_eq!(events(&mut b, 1), [Event::Late { seq: 1 }]);
        assert_eq!(events(&mut b, 3), [Event::Duplicate { seq: 3 }]);
        assert_eq!(b.stats().missing, 1);
    }

    #[test]
    fn near_u64_max_nothing_overflows() {
        let mut b = ReorderBuffer::starting_at(3, u64::MAX - 1).unwrap();
        assert_eq!(events(&mut b, u64::MAX), []);
        assert_eq!(
            events(&mut b, u64::MAX - 1),
            [
                Event::Deliver {
                    seq: u64::MAX - 1,
                    data: u64::MAX - 1
                },
                Event::Deliver {
                    seq: u64::MAX,
                    data: u64::MAX
                },
            ]
        );
        assert_eq!(b.next_expected(), None);
        assert_eq!(
            events(&mut b, u64::MAX),
            [Event::Duplicate { seq: u64::MAX }]
        );
        assert_eq!(b.flush().count(), 0);
    }
}
