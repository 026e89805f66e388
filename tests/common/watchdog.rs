//! A watchdog for calls that could hang: a test that would wait for ever fails instead.

use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `f` on a thread and fails the test if it does not finish within `limit`; a panic in
/// `f` fails the test with its own message.
pub fn within<T: Send + 'static>(
    limit: Duration,
    what: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(value) => value,
        Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the watched closure returned without sending"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("watchdog: {what} did not return within {limit:?}")
        }
    }
}
