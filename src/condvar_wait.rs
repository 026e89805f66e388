//! The one way this crate waits on a condition variable: until an answer or a deadline.
//! Used by the monitor (its next event, its handshake count) and by the patterns' brokers
//! (their workers' arrival), which share state with a thread of their own.

use std::sync::{Condvar, MutexGuard, PoisonError};
use std::time::Instant;

/// Waits on `changed`, holding `state` between wake-ups, until `ready` gives an answer
/// (`Ok`) or `deadline` passes (`Err` with the state, to say how far it got; `None`: no
/// deadline). A poisoned lock is taken over: the state is plain counts and queues.
pub(crate) fn wait_for<'a, S, T>(
    mut state: MutexGuard<'a, S>,
    changed: &Condvar,
    deadline: Option<Instant>,
    mut ready: impl FnMut(&mut S) -> Option<T>,
) -> Result<T, MutexGuard<'a, S>> {
    loop {
        if let Some(answer) = ready(&mut state) {
            return Ok(answer);
        }
        state = match deadline {
            None => changed.wait(state).unwrap_or_else(PoisonError::into_inner),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(state);
                }
                changed
                    .wait_timeout(state, left)
                    .unwrap_or_else(PoisonError::into_inner)
                    .0
            }
        };
    }
}
