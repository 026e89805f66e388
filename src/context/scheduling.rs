//! The scheduling probe behind [`ContextBuilder::build`](super::ContextBuilder::build): the
//! scheduling options are tried on a short-lived thread of this crate, as libzmq's threads
//! would apply them, so that a value the system refuses is an error instead of an abort of the
//! process at the first socket; see
//! [the module docs](super#scheduling-options-are-checked-when-the-context-is-built).

use std::collections::BTreeSet;
use std::os::raw::c_int;

use crate::error::Result;

/// The scheduling options as libzmq's `thread_ctx_t` ends up holding them: the last policy and
/// priority set (`None` for libzmq's `-1` defaults) and the set of CPUs added.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(super) struct Scheduling {
    policy: Option<c_int>,
    priority: Option<c_int>,
    cpus: BTreeSet<c_int>,
}

impl Scheduling {
    pub(super) fn of(ints: &[(c_int, &'static str, c_int)]) -> Scheduling {
        let mut s = Scheduling::default();
        for &(option, _, value) in ints {
            // Negative values are refused by zmq_ctx_set (EINVAL) before the probe runs.
            match option {
                zmq_ffi::ZMQ_THREAD_SCHED_POLICY => s.policy = Some(value),
                zmq_ffi::ZMQ_THREAD_PRIORITY => s.priority = Some(value),
                zmq_ffi::ZMQ_THREAD_AFFINITY_CPU_ADD => {
                    s.cpus.insert(value);
                }
                _ => {}
            }
        }
        s
    }

    pub(super) fn check(&self) -> Result<()> {
        if *self == Scheduling::default() {
            return Ok(());
        }
        sched_probe::check(self)
    }
}

#[cfg(target_os = "linux")]
mod sched_probe {
    //! The probe: `zmq::thread_t::applySchedulingParameters` of libzmq 4.3.4 (`thread.cpp`),
    //! step by step, in a thread of its own, reporting the first failure where libzmq asserts.

    use std::collections::BTreeSet;
    use std::os::raw::c_int;

    use super::Scheduling;
    use crate::error::{Detail, Error, Result};

    const POLICY: &str = "ZMQ_THREAD_SCHED_POLICY";
    const PRIORITY: &str = "ZMQ_THREAD_PRIORITY";
    const AFFINITY: &str = "ZMQ_THREAD_AFFINITY_CPU_ADD";
    const ABORTS: &str = "libzmq 4.3.4 would abort the process when it starts the context's \
                          threads at the first socket";

    pub(super) fn check(s: &Scheduling) -> Result<()> {
        let setsize = libc::CPU_SETSIZE;
        if let Some(&cpu) = s.cpus.iter().find(|&&cpu| cpu >= setsize) {
            return Err(Error::OptionValue {
                option: AFFINITY,
                reason: format!(
                    "CPU {cpu} cannot be named in a cpu_set_t, which holds CPUs 0 to {} \
                     (CPU_SETSIZE); libzmq would drop it silently, and abort the process if \
                     no CPU were left",
                    setsize - 1
                ),
            });
        }
        let s = s.clone();
        let probe = std::thread::Builder::new()
            .name("zmq-typed-probe".into())
            .spawn(move || apply(&s))
            .map_err(|e| Error::ThreadSpawn {
                what: "scheduling probe",
                reason: e.to_string(),
            })?;
        probe.join().map_err(|_| Error::ThreadPanicked {
            what: "scheduling probe",
        })?
    }

    fn policy_name(policy: c_int) -> String {
        match policy {
            libc::SCHED_OTHER => "SCHED_OTHER".into(),
            libc::SCHED_FIFO => "SCHED_FIFO".into(),
            libc::SCHED_RR => "SCHED_RR".into(),
            libc::SCHED_BATCH => "SCHED_BATCH".into(),
            libc::SCHED_IDLE => "SCHED_IDLE".into(),
            6 => "SCHED_DEADLINE".into(),
            other => format!("policy {other}"),
        }
    }

    use crate::error::os_errno as errno;

    /// Runs in the probe thread: what libzmq runs at the start of each of its threads.
    fn apply(s: &Scheduling) -> Result<()> {
        // SAFETY: pthread_self has no preconditions.
        let this = unsafe { libc::pthread_self() };
        let mut policy: c_int = 0;
        // SAFETY: an all-zero sched_param is a valid value (it only holds integers).
        let mut param: libc::sched_param = unsafe { std::mem::zeroed() };
        // SAFETY: both pointers are to locals we own; `this` is the calling thread.
        let rc = unsafe { libc::pthread_getschedparam(this, &mut policy, &mut param) };
        if rc != 0 {
            return Err(Error::from_errno(
                rc,
                Detail::new("pthread_getschedparam in the scheduling probe"),
            ));
        }
        let inherited = policy;
        if let Some(p) = s.policy {
            policy = p;
        }
        // "Linux allows the static priority range 1 to 99 for the SCHED_FIFO and SCHED_RR
        // policies, and the priority 0 for the remaining policies": libzmq uses the nice value
        // for the others.
        let use_nice = policy != libc::SCHED_FIFO && policy != libc::SCHED_RR;
        if let Some(priority) = s.priority {
            param.sched_priority = if use_nice { 0 } else { priority };
        }
        // SAFETY: `this` is the calling thread; param is a valid sched_param.
        let rc = unsafe { libc::pthread_setschedparam(this, policy, &param) };
        if rc != 0 {
            return Err(setschedparam_error(rc, s, inherited, policy, &param));
        }
        if use_nice && s.priority.is_some() {
            // nice() returns the new nice value, which can be -1: errno tells them apart, but
            // libzmq asserts on -1 whatever errno says.
            // SAFETY: __errno_location gives this thread's errno, always valid.
            unsafe { *libc::__errno_location() = 0 };
            // SAFETY: nice has no pointer arguments; on Linux it changes the nice value of the
            // calling thread only (this short-lived probe thread).
            let rc = unsafe { libc::nice(-20) };
            if rc == -1 {
                return Err(nice_error(errno(), policy));
            }
        }
        if !s.cpus.is_empty() {
            // SAFETY: an all-zero cpu_set_t is the empty set (CPU_ZERO).
            let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
            for &cpu in &s.cpus {
                // SAFETY: 0 <= cpu < CPU_SETSIZE, checked before the probe started, so the
                // bit is inside the set.
                unsafe { libc::CPU_SET(cpu as usize, &mut set) };
            }
            // SAFETY: `this` is the calling thread; set is a cpu_set_t of the size given.
            let rc = unsafe {
                libc::pthread_setaffinity_np(this, std::mem::size_of::<libc::cpu_set_t>(), &set)
            };
            if rc != 0 {
                return Err(affinity_error(rc, &s.cpus));
            }
        }
        Ok(())
    }

    fn setschedparam_error(
        rc: c_int,
        s: &Scheduling,
        inherited: c_int,
        policy: c_int,
        param: &libc::sched_param,
    ) -> Error {
        let name = policy_name(policy);
        match rc {
            libc::EINVAL => {
                // SAFETY: plain integer calls.
                let (min, max) = unsafe {
                    (
                        libc::sched_get_priority_min(policy),
                        libc::sched_get_priority_max(policy),
                    )
                };
                if min == -1 || max == -1 {
                    Error::OptionValue {
                        option: POLICY,
                        reason: format!(
                            "{policy} is not a scheduling policy that pthread_setschedparam \
                             accepts here (SCHED_OTHER 0, SCHED_FIFO 1, SCHED_RR 2, \
                             SCHED_BATCH 3, SCHED_IDLE 5); {ABORTS}"
                        ),
                    }
                } else if let Some(priority) = s.priority {
                    Error::OptionValue {
                        option: PRIORITY,
                        reason: format!(
                            "priority {priority} is outside {min}..={max}, the priorities of \
                             {name}; {ABORTS}"
                        ),
                    }
                } else {
                    Error::OptionValue {
                        option: POLICY,
                        reason: format!(
                            "{name} cannot take priority {}, inherited from this thread's \
                             {}; give a priority in {min}..={max} too; {ABORTS}",
                            param.sched_priority,
                            policy_name(inherited)
                        ),
                    }
                }
            }
            libc::EPERM => Error::NotPermitted(Detail::new(format!(
                "this process may not give libzmq's threads {name} with priority {} \
                 (pthread_setschedparam: real-time policies need CAP_SYS_NICE or an \
                 RLIMIT_RTPRIO of at least the priority); {ABORTS}",
                param.sched_priority
            ))),
            other => Error::from_errno(
                other,
                Detail::new(format!(
                    "pthread_setschedparam({name}, priority {}) in the scheduling probe; \
                     {ABORTS}",
                    param.sched_priority
                )),
            ),
        }
    }

    fn nice_error(errno: c_int, policy: c_int) -> Error {
        let name = policy_name(policy);
        match errno {
            libc::EPERM | libc::EACCES => Error::NotPermitted(Detail::new(format!(
                "a thread priority with {name} makes libzmq raise its threads' priority with \
                 nice(-20), which this process may not do (it needs CAP_SYS_NICE or an \
                 RLIMIT_NICE of 40); {ABORTS}"
            ))),
            _ => Error::OptionValue {
                option: PRIORITY,
                reason: format!(
                    "with {name}, libzmq calls nice(-20), which returned -1 here (the \
                     thread's nice value would be -1), and libzmq takes that for an error; \
                     {ABORTS}"
                ),
            },
        }
    }

    /// The CPUs this process may run on, as "0-3,6".
    fn allowed_cpus() -> String {
        // SAFETY: an all-zero cpu_set_t is the empty set.
        let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
        // SAFETY: set is a cpu_set_t of the size given; pid 0 is the calling thread.
        let rc =
            unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
        if rc != 0 {
            return "unknown".into();
        }
        let cpus: Vec<usize> = (0..libc::CPU_SETSIZE as usize)
            // SAFETY: cpu < CPU_SETSIZE, inside the set.
            .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
            .collect();
        let mut ranges: Vec<String> = Vec::new();
        let mut i = 0;
        while i < cpus.len() {
            let start = cpus[i];
            while i + 1 < cpus.len() && cpus[i + 1] == cpus[i] + 1 {
                i += 1;
            }
            ranges.push(if cpus[i] == start {
                start.to_string()
            } else {
                format!("{start}-{}", cpus[i])
            });
            i += 1;
        }
        ranges.join(",")
    }

    fn affinity_error(rc: c_int, cpus: &BTreeSet<c_int>) -> Error {
        let list = cpus
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        match rc {
            libc::EINVAL => Error::OptionValue {
                option: AFFINITY,
                reason: format!(
                    "none of the CPUs {{{list}}} is one this process may run on (CPUs {}); \
                     {ABORTS}",
                    allowed_cpus()
                ),
            },
            libc::EPERM => Error::NotPermitted(Detail::new(format!(
                "this process may not pin libzmq's threads to CPUs {{{list}}} \
                 (pthread_setaffinity_np); {ABORTS}"
            ))),
            other => Error::from_errno(
                other,
                Detail::new(format!(
                    "pthread_setaffinity_np(CPUs {{{list}}}) in the scheduling probe; {ABORTS}"
                )),
            ),
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod sched_probe {
    //! Elsewhere libzmq's scheduling code differs; nothing is probed.
    use super::Scheduling;
    use crate::error::Result;

    pub(super) fn check(_: &Scheduling) -> Result<()> {
        Ok(())
    }
}
