//! Thread headroom: checking, before libzmq (or NORM) starts threads, that they can be started,
//! because libzmq 4.3.4 *aborts the process* when `pthread_create` fails (`thread.cpp:269`,
//! `Resource temporarily unavailable`) instead of returning an error.
//!
//! The probe starts as many threads as are needed, all at once and with the default attributes
//! (stack size) libzmq's have, lets them exit and waits until the system has released them, so
//! whatever decides (`RLIMIT_NPROC`, a control group's `pids` limit, the system's thread limit,
//! memory for a stack) is what answers. It runs before a context's first socket, which starts
//! libzmq's reaper and I/O threads (see the context module's docs, section "Descriptors and
//! threads for the first socket"), and before a `norm://` session, whose NORM instance runs a
//! thread of its own. The descriptors those need are checked by [`crate::fd_headroom`].

use std::os::raw::c_void;
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Checks that `needed` more threads can be started now, all running at once, with the default
/// attributes libzmq (and NORM) start theirs with; otherwise [`Error::ThreadSpawn`] for the
/// `thread` named, saying what was being done (`doing`), how many threads it needs and how
/// many could be started. See
/// [the context module's docs](crate::context#descriptors-and-threads-for-the-first-socket).
pub(crate) fn ensure_threads(needed: usize, thread: &'static str, doing: &str) -> Result<()> {
    let (started, errno) = match probe_threads(needed) {
        Ok(()) => return Ok(()),
        Err(failure) => failure,
    };
    Err(Error::ThreadSpawn {
        what: thread,
        reason: format!(
            "{doing} needs {needed} thread{s}, but only {started} could be started now ({os}; \
             RLIMIT_NPROC soft limit {limit}); refused before libzmq, which would abort the \
             process",
            s = if needed == 1 { "" } else { "s" },
            os = std::io::Error::from_raw_os_error(errno),
            limit = crate::fd_headroom::soft_limit_text(libc::RLIMIT_NPROC),
        ),
    })
}

/// What the probe threads share with the thread that starts them: a gate they wait at until
/// all are started, and their kernel thread ids.
struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
    tids: Mutex<Vec<libc::pid_t>>,
}

extern "C" fn probe_thread(arg: *mut c_void) -> *mut c_void {
    // SAFETY: arg is the Gate of probe_threads, which joins this thread before the Gate goes.
    let gate = unsafe { &*(arg as *const Gate) };
    #[cfg(any(target_os = "linux", target_os = "android"))]
    {
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as libc::pid_t;
        // Never reallocates: the vector has room for every probe thread.
        gate.tids
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(tid);
    }
    let mut open = gate.open.lock().unwrap_or_else(PoisonError::into_inner);
    while !*open {
        open = gate
            .opened
            .wait(open)
            .unwrap_or_else(PoisonError::into_inner);
    }
    std::ptr::null_mut()
}

/// Starts `n` threads that all wait until the last is started, then lets them exit, joins
/// them and waits until the system has released them. `Err((started, errno))` when only
/// `started` could be started.
fn probe_threads(n: usize) -> std::result::Result<(), (usize, i32)> {
    if n == 0 {
        return Ok(());
    }
    let gate = Gate {
        open: Mutex::new(false),
        opened: Condvar::new(),
        tids: Mutex::new(Vec::with_capacity(n)),
    };
    let mut started: Vec<libc::pthread_t> = Vec::with_capacity(n);
    let mut failure = 0;
    // Nothing between the first pthread_create and the last pthread_join can panic (no
    // allocation, no unwrap): the threads borrow `gate` from this frame.
    while started.len() < n {
        let mut thread = std::mem::MaybeUninit::<libc::pthread_t>::uninit();
        // SAFETY: default attributes (NULL), as libzmq's threads have; probe_thread only
        // reads the gate, which outlives the thread: every thread started is joined below.
        let rc = unsafe {
            libc::pthread_create(
                thread.as_mut_ptr(),
                std::ptr::null(),
                probe_thread,
                &gate as *const Gate as *mut c_void,
            )
        };
        if rc != 0 {
            failure = rc;
            break;
        }
        // SAFETY: pthread_create succeeded, so it wrote the thread's id.
        started.push(unsafe { thread.assume_init() });
    }
    *gate.open.lock().unwrap_or_else(PoisonError::into_inner) = true;
    gate.opened.notify_all();
    for &thread in &started {
        // SAFETY: each thread was started above, is joinable, and is joined exactly once.
        unsafe { libc::pthread_join(thread, std::ptr::null_mut()) };
    }
    let tids = std::mem::take(&mut *gate.tids.lock().unwrap_or_else(PoisonError::into_inner));
    wait_released(&tids);
    if failure == 0 {
        Ok(())
    } else {
        Err((started.len(), failure))
    }
}

/// Waits (up to a second) until the threads `tids` of this process are gone from
/// `/proc/self/task`. A joined thread still counts against `RLIMIT_NPROC` (and a control
/// group's `pids` limit) for a moment: the kernel wakes `pthread_join` before it releases the
/// task, and releases the count just before the task leaves `/proc`. Without `/proc`, returns
/// at once.
fn wait_released(tids: &[libc::pid_t]) {
    let deadline = Instant::now() + Duration::from_secs(1);
    for tid in tids {
        let path = format!("/proc/self/task/{tid}");
        while std::fs::symlink_metadata(&path).is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_micros(20));
        }
    }
}
