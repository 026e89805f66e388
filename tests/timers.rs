//! Timers: firing, cancelling, resetting, freeing every callback once, and panics in
//! callbacks that never unwind through C.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use zmq_typed::Timers;

#[test]
fn timers_fire_cancel_and_reset() {
    let mut timers = Timers::new().unwrap();
    assert_eq!(timers.timeout(), None);
    let log = Rc::new(RefCell::new(Vec::new()));
    let l1 = log.clone();
    let fast = timers
        .add(Duration::from_millis(1), move |id| {
            l1.borrow_mut().push(("fast", id))
        })
        .unwrap();
    let l2 = log.clone();
    let slow = timers
        .add(Duration::from_secs(3600), move |_| {
            l2.borrow_mut().push(("slow", fast))
        })
        .unwrap();
    assert!(timers.timeout().unwrap() <= Duration::from_millis(1));
    while log.borrow().is_empty() {
        std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
        timers.execute().unwrap();
    }
    assert_eq!(log.borrow()[0], ("fast", fast));
    timers.cancel(fast).unwrap();
    assert!(timers.timeout().unwrap() > Duration::from_secs(3000));
    timers.set_interval(slow, Duration::from_millis(2)).unwrap();
    timers.reset(slow).unwrap();
    while log.borrow().len() < 2 {
        std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
        timers.execute().unwrap();
    }
    assert_eq!(log.borrow()[1].0, "slow");
    assert!(matches!(
        timers.cancel(fast),
        Err(zmq_typed::Error::InvalidArgument(_))
    ));
}

#[test]
fn a_panicking_timer_callback_does_not_unwind_through_c() {
    let mut timers = Timers::new().unwrap();
    timers
        .add(Duration::from_millis(1), |_| panic!("boom"))
        .unwrap();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loop {
        std::thread::sleep(Duration::from_millis(2));
        timers.execute().unwrap();
    }));
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"boom"));
}

#[test]
fn a_cancelled_timer_cannot_be_changed_or_cancelled_again() {
    let mut timers = Timers::new().unwrap();
    let id = timers.add(Duration::from_secs(60), |_| {}).unwrap();
    timers.cancel(id).unwrap();
    // libzmq itself still knows the id until the next execute and would say yes.
    for result in [
        timers.set_interval(id, Duration::from_millis(5)),
        timers.reset(id),
        timers.cancel(id),
    ] {
        match result {
            Err(zmq_typed::Error::InvalidArgument(d)) => {
                assert!(d.to_string().contains("cancelled"), "{d}")
            }
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }
    timers.execute().unwrap();
    assert_eq!(timers.timeout(), None);
}

#[test]
fn every_timer_callback_is_freed_exactly_once() {
    // Callbacks own a counter guard: each must be dropped once, whether cancelled, left to
    // the set's drop, or registered while the slot map grows (pointers stay put).
    struct Guard(Rc<RefCell<u32>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            *self.0.borrow_mut() += 1;
        }
    }
    let dropped = Rc::new(RefCell::new(0u32));
    let fired = Rc::new(RefCell::new(0u32));
    let mut timers = Timers::new().unwrap();
    let mut ids = Vec::new();
    for _ in 0..100 {
        let guard = Guard(dropped.clone());
        let fired = fired.clone();
        ids.push(
            timers
                .add(Duration::from_millis(1), move |_| {
                    let _ = &guard;
                    *fired.borrow_mut() += 1;
                })
                .unwrap(),
        );
    }
    while *fired.borrow() < 100 {
        std::thread::sleep(timers.timeout().unwrap_or(Duration::from_millis(1)));
        timers.execute().unwrap();
    }
    for id in ids.iter().take(40) {
        timers.cancel(*id).unwrap();
    }
    assert_eq!(*dropped.borrow(), 40);
    drop(timers);
    assert_eq!(*dropped.borrow(), 100);
}

#[test]
fn of_several_panicking_timers_the_first_added_is_resumed_and_the_rest_dropped() {
    let mut timers = Timers::new().unwrap();
    let runs = Rc::new(RefCell::new(Vec::new()));
    for name in ["first", "second"] {
        let runs = runs.clone();
        timers
            .add(Duration::from_millis(1), move |_| {
                let n = runs.borrow().iter().filter(|r| **r == name).count();
                runs.borrow_mut().push(name);
                if n == 0 {
                    panic!("{name}");
                }
            })
            .unwrap();
    }
    // Wait until both are due, so that one execute runs them both.
    std::thread::sleep(Duration::from_millis(5));
    let payload =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| timers.execute())).unwrap_err();
    assert_eq!(
        payload.downcast_ref::<String>().map(String::as_str),
        Some("first")
    );
    assert_eq!(
        runs.borrow().len(),
        2,
        "both callbacks ran: {:?}",
        runs.borrow()
    );
    // The second panic was dropped, not kept for later: the next execute runs both again.
    std::thread::sleep(Duration::from_millis(5));
    timers.execute().unwrap();
    assert_eq!(runs.borrow().len(), 4, "{:?}", runs.borrow());
}
