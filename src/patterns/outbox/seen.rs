//! The sequence numbers a receiver has seen, in bounded memory: every number up to a
//! contiguous prefix, plus a sparse set of the numbers above it.

use std::collections::BTreeSet;

/// What [`SeenSet::insert`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// A number not seen before; `gap` is the range of numbers it jumped over (inclusive)
    /// when it is more than one past the highest number seen so far.
    New {
        /// The missing range before it, opened by this number (first, last).
        gap: Option<(u64, u64)>,
    },
    /// A number already seen.
    Duplicate,
    /// A number not seen before, refused because the sparse set is full: not recorded (the
    /// sender will send it again, after the missing numbers below it have come).
    Full,
}

/// The numbers seen: all of `1..=through`, and `above` (each greater than `through + 1`).
/// Memory is `O(above.len())`, at most the cap given.
#[derive(Debug, Clone)]
pub struct SeenSet {
    through: u64,
    above: BTreeSet<u64>,
    highest: u64,
    cap: usize,
}

impl SeenSet {
    /// An empty set holding at most `cap` numbers above its contiguous prefix.
    pub fn new(cap: usize) -> SeenSet {
        SeenSet {
            through: 0,
            above: BTreeSet::new(),
            highest: 0,
            cap,
        }
    }

    /// Records `seq` (1 or more).
    pub fn insert(&mut self, seq: u64) -> Seen {
        if seq <= self.through || self.above.contains(&seq) {
            return Seen::Duplicate;
        }
        if seq == self.through + 1 {
            self.through = seq;
            while let Some(next) = self.through.checked_add(1) {
                if !self.above.remove(&next) {
                    break;
                }
                self.through = next;
            }
        } else {
            if self.above.len() >= self.cap {
                return Seen::Full;
            }
            self.above.insert(seq);
        }
        let gap = (seq > self.highest.saturating_add(1)).then(|| (self.highest + 1, seq - 1));
        self.highest = self.highest.max(seq);
        Seen::New { gap }
    }

    /// Whether `seq` was seen.
    pub fn contains(&self, seq: u64) -> bool {
        seq <= self.through || self.above.contains(&seq)
    }

    /// The largest `n` such that every number of `1..=n` was seen.
    pub fn through(&self) -> u64 {
        self.through
    }

    /// How many numbers are held above the contiguous prefix.
    pub fn sparse_len(&self) -> usize {
        self.above.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_grows_and_absorbs_the_sparse_numbers() {
        let mut s = SeenSet::new(10);
        assert_eq!(s.insert(1), Seen::New { gap: None });
        assert_eq!(s.insert(4), Seen::New { gap: Some((2, 3)) });
        assert_eq!(s.insert(4), Seen::Duplicate);
        assert_eq!(s.insert(3), Seen::New { gap: None });
        assert_eq!((s.through(), s.sparse_len()), (1, 2));
        assert_eq!(s.insert(2), Seen::New { gap: None });
        assert_eq!((s.through(), s.sparse_len()), (4, 0));
        assert_eq!(s.insert(1), Seen::Duplicate);
    }

    #[test]
    fn a_full_set_refuses_without_recording() {
        let mut s = SeenSet::new(2);
        assert_eq!(s.insert(3), Seen::New { gap: Some((1, 2)) });
        assert_eq!(s.insert(5), Seen::New { gap: Some((4, 4)) });
        assert_eq!(s.insert(7), Seen::Full);
        assert!(!s.contains(7));
        assert_eq!(s.insert(1), Seen::New { gap: None });
        assert_eq!(s.insert(2), Seen::New { gap: None });
        assert_eq!(s.through(), 3);
        assert_eq!(s.insert(7), Seen::New { gap: Some((6, 6)) });
    }

    #[test]
    fn numbers_near_the_top_do_not_overflow() {
        let mut s = SeenSet::new(4);
        assert_eq!(
            s.insert(u64::MAX),
            Seen::New {
                gap: Some((1, u64::MAX - 1))
            }
        );
        assert_eq!(s.insert(u64::MAX), Seen::Duplicate);
    }
}
