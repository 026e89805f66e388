//! Blocking calls under a storm of signals: a thread sent SIGUSR1 (handled, without
//! `SA_RESTART`, as a profiler's) at a steady pace until its call returns.

use std::cell::Cell;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

thread_local! {
    /// Signals handled by this thread (const-initialised, no destructor: a plain
    /// thread-local word, safe to bump from a signal handler).
    static HANDLED: Cell<usize> = const { Cell::new(0) };
}

extern "C" fn count_signal(_: libc::c_int) {
    HANDLED.with(|h| h.set(h.get() + 1));
}

/// Installs the counting SIGUSR1 handler, without `SA_RESTART`.
fn install_handler() {
    // SAFETY: a zeroed sigaction with a handler that only touches a thread-local word;
    // sigemptyset initialises the mask.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = count_signal as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        assert_eq!(
            libc::sigaction(libc::SIGUSR1, &action, std::ptr::null_mut()),
            0
        );
    }
}

/// Runs `call` on a thread that is sent SIGUSR1 every `every` until it returns, and
/// returns what it returned and how long it took. Fails the test when no signal reached the
/// thread (it would prove nothing), or when the call has not returned within 10 s (it would
/// block for ever without its deadline carried through the retries).
pub fn under_signals<T: Send + 'static>(
    what: &str,
    every: Duration,
    call: impl FnOnce() -> T + Send + 'static,
) -> (T, Duration) {
    install_handler();
    let (tid_tx, tid_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    thread::spawn(move || {
        // SAFETY: pthread_self has no preconditions.
        tid_tx.send(unsafe { libc::pthread_self() }).unwrap();
        let start = Instant::now();
        let result = call();
        let _ = done_tx.send((result, start.elapsed(), HANDLED.with(Cell::get)));
    });
    let tid = tid_rx.recv().unwrap();
    let watchdog = Instant::now() + Duration::from_secs(10);
    loop {
        match done_rx.recv_timeout(every) {
            Ok((result, took, handled)) => {
                assert!(
                    handled > 0,
                    "{what}: no signal reached the blocked thread, the test proves nothing"
                );
                return (result, took);
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                assert!(
                    Instant::now() < watchdog,
                    "{what}: still blocked after 10 s of signals every {every:?}"
                );
                // SAFETY: the thread is alive until it has sent its result (it has not yet);
                // SIGUSR1 has a handler installed.
                unsafe { libc::pthread_kill(tid, libc::SIGUSR1) };
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: the thread panicked"),
        }
    }
}
