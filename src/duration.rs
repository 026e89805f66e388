//! Durations to libzmq's integer milliseconds and seconds, and back. Timeouts round *up*,
//! so that a sub-millisecond wait never becomes 0 (libzmq's "do not wait").

use std::os::raw::c_int;
use std::time::Duration;

use crate::error::{Error, Result};

/// Milliseconds for libzmq, rounded *up* so that a sub-millisecond timeout never becomes 0
/// (which libzmq reads as "do not wait"); saturates at `i32::MAX`.
pub(crate) fn timeout_ms(d: Duration) -> i32 {
    let ms = d.as_nanos().div_ceil(1_000_000);
    ms.min(i32::MAX as u128) as i32
}

/// Milliseconds for an option, rounded up; longer than `i32::MAX` ms is
/// [`Error::OptionValue`] naming `option`.
pub(crate) fn ms_checked(option: &'static str, d: Duration) -> Result<c_int> {
    let ms = d.as_nanos().div_ceil(1_000_000);
    if ms > i32::MAX as u128 {
        return Err(Error::OptionValue {
            option,
            reason: format!("{d:?} is longer than libzmq's limit of {} ms", i32::MAX),
        });
    }
    Ok(ms as c_int)
}

/// Whole seconds for an option, rounded up; longer than `i32::MAX` s is
/// [`Error::OptionValue`] naming `option`.
pub(crate) fn secs_checked(option: &'static str, d: Duration) -> Result<c_int> {
    let s = d.as_nanos().div_ceil(1_000_000_000);
    if s > i32::MAX as u128 {
        return Err(Error::OptionValue {
            option,
            reason: format!("{d:?} is too long"),
        });
    }
    Ok(s as c_int)
}

/// libzmq's milliseconds as a `Duration` (a negative value reads as zero).
pub(crate) fn from_ms(raw: c_int) -> Duration {
    Duration::from_millis(raw.max(0) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_round_up_and_saturate() {
        assert_eq!(timeout_ms(Duration::ZERO), 0);
        assert_eq!(timeout_ms(Duration::from_nanos(1)), 1);
        assert_eq!(timeout_ms(Duration::from_micros(1001)), 2);
        assert_eq!(timeout_ms(Duration::MAX), i32::MAX);
        assert!(ms_checked("X", Duration::from_secs(3_000_000)).is_err());
        assert_eq!(secs_checked("X", Duration::from_millis(1500)).unwrap(), 2);
        assert_eq!(from_ms(-1), Duration::ZERO);
    }
}
