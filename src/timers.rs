//! libzmq's timer set ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers)): timers that
//! fire from the thread that calls [`Timers::execute`], typically between polls.

use std::any::Any;
use std::collections::HashMap;
use std::os::raw::{c_int, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use crate::duration::timeout_ms;
use crate::error::{check, Detail, Error, Result};

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
    // Each slot is a `Box::into_raw` pointer, given to libzmq as the callback's argument and
    // freed (`Box::from_raw`) only in `cancel` and `Drop`, after libzmq can no longer call it.
    // Keeping raw pointers, not boxes, means no reference to a slot exists between calls, so
    // the trampoline's `&mut` is the only one while it runs.
    slots: HashMap<c_int, *mut Slot>,
}

extern "C" fn trampoline(timer_id: c_int, arg: *mut c_void) {
    // SAFETY: arg is a `Box::into_raw` slot registered with this timer, freed only after the
    // timer was cancelled in libzmq (which then never calls it); execute holds &mut Timers
    // and keeps no reference to any slot during zmq_timers_execute, so this is the only one.
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
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
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
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
    pub fn add(
        &mut self,
        interval: Duration,
        callback: impl FnMut(TimerId) + 'static,
    ) -> Result<TimerId> {
        let ms = timeout_ms(interval).max(1);
        let slot = Box::into_raw(Box::new(Slot {
            callback: Box::new(callback),
            panic: None,
        }));
        // SAFETY: ptr is a valid timer set; slot stays valid until the timer is cancelled
        // (cancel) or the set destroyed (Drop), which free it only afterwards.
        let id = unsafe {
            zmq_ffi::zmq_timers_add(self.ptr, ms as usize, Some(trampoline), slot as *mut c_void)
        };
        match check(id, || Detail::new("zmq_timers_add")) {
            Ok(id) => {
                self.slots.insert(id, slot);
                Ok(TimerId(id))
            }
            Err(e) => {
                // SAFETY: libzmq refused the timer, so it holds no pointer to the slot.
                drop(unsafe { Box::from_raw(slot) });
                Err(e)
            }
        }
    }

    /// The timer's registration, or the error for a timer this set no longer has.
    fn known(&self, id: TimerId, what: &'static str) -> Result<()> {
        if self.slots.contains_key(&id.0) {
            Ok(())
        } else {
            Err(Error::InvalidArgument(Detail::new(format!(
                "{what}: timer {} was cancelled or does not belong to this set",
                id.0
            ))))
        }
    }

    /// Cancels a timer. A timer already cancelled (or of another set) is
    /// [`Error::InvalidArgument`].
    ///
    /// Wraps `zmq_timers_cancel`.
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
    pub fn cancel(&mut self, id: TimerId) -> Result<()> {
        self.known(id, "zmq_timers_cancel")?;
        // SAFETY: valid timer set.
        let rc = unsafe { zmq_ffi::zmq_timers_cancel(self.ptr, id.0) };
        check(rc, || Detail::new("zmq_timers_cancel"))?;
        // libzmq no longer calls this timer (it keeps the id until the next execute, but
        // never calls it): its slot may go.
        if let Some(slot) = self.slots.remove(&id.0) {
            // SAFETY: slot came from Box::into_raw in add and is freed once, here.
            drop(unsafe { Box::from_raw(slot) });
        }
        Ok(())
    }

    /// Changes a timer's interval. A cancelled timer is [`Error::InvalidArgument`].
    ///
    /// Wraps `zmq_timers_set_interval`.
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
    pub fn set_interval(&mut self, id: TimerId, interval: Duration) -> Result<()> {
        self.known(id, "zmq_timers_set_interval")?;
        let ms = timeout_ms(interval).max(1);
        // SAFETY: valid timer set.
        let rc = unsafe { zmq_ffi::zmq_timers_set_interval(self.ptr, id.0, ms as usize) };
        check(rc, || Detail::new("zmq_timers_set_interval")).map(|_| ())
    }

    /// Restarts a timer's interval from now. A cancelled timer is
    /// [`Error::InvalidArgument`].
    ///
    /// Wraps `zmq_timers_reset`.
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
    pub fn reset(&mut self, id: TimerId) -> Result<()> {
        self.known(id, "zmq_timers_reset")?;
        // SAFETY: valid timer set.
        let rc = unsafe { zmq_ffi::zmq_timers_reset(self.ptr, id.0) };
        check(rc, || Detail::new("zmq_timers_reset")).map(|_| ())
    }

    /// Time until the next timer is due; `None` when there is no timer.
    ///
    /// Wraps `zmq_timers_timeout`.
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
    pub fn timeout(&self) -> Option<Duration> {
        // SAFETY: valid timer set.
        let ms = unsafe { zmq_ffi::zmq_timers_timeout(self.ptr) };
        (ms >= 0).then(|| Duration::from_millis(ms as u64))
    }

    /// Runs the callbacks of every due timer. A panic in a callback does not cross libzmq:
    /// the other due callbacks still run, and once libzmq's loop has finished the panic is
    /// resumed here. When several callbacks panicked in one call, the panic of the timer
    /// added first (the lowest [`TimerId`]) is resumed and the others are dropped; every
    /// timer stays registered.
    ///
    /// Wraps `zmq_timers_execute`.
    /// ([man zmq_timers](http://api.zeromq.org/4-3:zmq-timers))
    pub fn execute(&mut self) -> Result<()> {
        // SAFETY: valid timer set; the callbacks' slots live in self.slots.
        let rc = unsafe { zmq_ffi::zmq_timers_execute(self.ptr) };
        let mut first: Option<(c_int, Box<dyn Any + Send>)> = None;
        for (&id, &slot) in &self.slots {
            // SAFETY: the slot is alive (in the map) and libzmq's loop has returned, so no
            // other reference to it exists.
            let slot = unsafe { &mut *slot };
            if let Some(payload) = slot.panic.take() {
                if first.as_ref().is_none_or(|(lowest, _)| id < *lowest) {
                    first = Some((id, payload));
                }
            }
        }
        if let Some((_, payload)) = first {
            std::panic::resume_unwind(payload);
        }
        check(rc, || Detail::new("zmq_timers_execute")).map(|_| ())
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        // SAFETY: ptr came from zmq_timers_new and is destroyed once; the slots are freed
        // after, when libzmq can no longer call them.
        unsafe { zmq_ffi::zmq_timers_destroy(&mut self.ptr) };
        for (_, slot) in self.slots.drain() {
            // SAFETY: each slot came from Box::into_raw in add and is freed once, here.
            drop(unsafe { Box::from_raw(slot) });
        }
    }
}
