//! libzmq's timer set ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers)): timers that
//! fire from the thread that calls [`Timers::execute`], typically between polls.

use std::any::Any;
use std::collections::HashMap;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use crate::error::{check, Detail, Result};
use crate::options::timeout_ms;

/// Identifies one timer of a [`Timers`] set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TimerId(c_int);

type Callback = Box<dyn FnMut(TimerId)>;

struct Slot {
    callback: Callback,
    panic: Option<Box<dyn Any + Send>>,
}

/// A set of timers.
///
/// ```
/// use std::{cell::Cell, rc::Rc, time::Duration};
/// let mut timers = zmq_typed::Timers::new()?;
/// let fired = Rc::new(Cell::new(0));
/// let f = fired.clone();
/// timers.add(Duration::from_millis(1), move |_| f.set(f.get() + 1))?;
/// while fired.get() == 0 {
///     std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
///     timers.execute()?;
/// }
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct Timers {
    ptr: *mut c_void,
    // Boxed so that the pointer given to libzmq stays put when the map grows.
    slots: HashMap<c_int, Box<Slot>>,
}

extern "C" fn trampoline(timer_id: c_int, arg: *mut c_void) {
    // SAFETY: arg is the Box<Slot> registered with this timer, alive until the timer is
    // cancelled (which removes it from libzmq first); execute holds &mut Timers, so nothing
    // else touches the slot meanwhile.
    let slot = unsafe { &mut *(arg as *mut Slot) };
    if slot.panic.is_some() {
        return;
    }
    // A panic must not unwind into libzmq: catch it, and resume it once execute returns.
    if let Err(payload) = catch_unwind(AssertUnwindSafe(|| (slot.callback)(TimerId(timer_id)))) {
        slot.panic = Some(payload);
    }
}

impl Timers {
    /// An empty timer set.
    ///
    /// Wraps `zmq_timers_new`.
    pub fn new() -> Result<Timers> {
        // SAFETY: no arguments; NULL is checked.
        let ptr = unsafe { zmq_ffi::zmq_timers_new() };
        if ptr.is_null() {
            return Err(crate::error::last_error(|| Detail::new("zmq_timers_new")));
        }
        Ok(Timers {
            ptr,
            slots: HashMap::new(),
        })
    }

    /// Adds a timer that calls `callback` every `interval` (rounded up to the millisecond,
    /// at least 1 ms).
    ///
    /// Wraps `zmq_timers_add`.
    pub fn add(
        &mut self,
        interval: Duration,
        callback: impl FnMut(TimerId) + 'static,
    ) -> Result<TimerId> {
        let ms = timeout_ms(interval).max(1);
        let mut slot = Box::new(Slot {
            callback: Box::new(callback),
            panic: None,
        });
        let arg = &mut *slot as *mut Slot as *mut c_void;
        // SAFETY: ptr is a valid timer set; arg stays valid as long as the slot is in
        // self.slots, which outlives the timer's registration.
        let id = unsafe { zmq_ffi::zmq_timers_add(self.ptr, ms as usize, Some(trampoline), arg) };
        let id = check(id, || Detail::new("zmq_timers_add"))?;
        self.slots.insert(id, slot);
        Ok(TimerId(id))
    }

    /// Cancels a timer.
    ///
    /// Wraps `zmq_timers_cancel`.
    pub fn cancel(&mut self, id: TimerId) -> Result<()> {
        // SAFETY: valid timer set.
        let rc = unsafe { zmq_ffi::zmq_timers_cancel(self.ptr, id.0) };
        check(rc, || Detail::new("zmq_timers_cancel"))?;
        // libzmq no longer calls this timer; its slot may go. (libzmq keeps cancelled ids
        // until the next execute, but never calls them.)
        self.slots.remove(&id.0);
        Ok(())
    }

    /// Changes a timer's interval.
    ///
    /// Wraps `zmq_timers_set_interval`.
    pub fn set_interval(&mut self, id: TimerId, interval: Duration) -> Result<()> {
        let ms = timeout_ms(interval).max(1);
        // SAFETY: valid timer set.
        let rc = unsafe { zmq_ffi::zmq_timers_set_interval(self.ptr, id.0, ms as usize) };
        check(rc, || Detail::new("zmq_timers_set_interval")).map(|_| ())
    }

    /// Restarts a timer's interval from now.
    ///
    /// Wraps `zmq_timers_reset`.
    pub fn reset(&mut self, id: TimerId) -> Result<()> {
        // SAFETY: valid timer set.
        let rc = unsafe { zmq_ffi::zmq_timers_reset(self.ptr, id.0) };
        check(rc, || Detail::new("zmq_timers_reset")).map(|_| ())
    }

    /// Time until the next timer is due; `None` when there is no timer.
    ///
    /// Wraps `zmq_timers_timeout`.
    pub fn timeout(&self) -> Option<Duration> {
        // SAFETY: valid timer set.
        let ms = unsafe { zmq_ffi::zmq_timers_timeout(self.ptr) };
        (ms >= 0).then(|| Duration::from_millis(ms as u64))
    }

    /// Runs the callbacks of every due timer. A callback that panicked has its panic resumed
    /// here, after libzmq's loop finished.
    ///
    /// Wraps `zmq_timers_execute`.
    pub fn execute(&mut self) -> Result<()> {
        // SAFETY: valid timer set; the callbacks' slots live in self.slots.
        let rc = unsafe { zmq_ffi::zmq_timers_execute(self.ptr) };
        for slot in self.slots.values_mut() {
            if let Some(payload) = slot.panic.take() {
                std::panic::resume_unwind(payload);
            }
        }
        check(rc, || Detail::new("zmq_timers_execute")).map(|_| ())
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        // SAFETY: ptr came from zmq_timers_new and is destroyed once; the slots drop after.
        unsafe { zmq_ffi::zmq_timers_destroy(&mut self.ptr) };
    }
}
