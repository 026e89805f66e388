//! Context options, shutdown waking blocked calls, and the linger policy: dropping never
//! hangs, and queued messages to a connected peer are delivered before the drop returns.

mod common;

use std::sync::mpsc;
use std::thread;

use common::child::run_or_check;
use common::watchdog::within;
use common::*;
use zmq_typed::{Context, Error, Socket, SocketType};

#[test]
fn options_round_trip_and_quirks() {
    let ctx = Context::builder()
        .io_threads(2)
        .max_sockets(512)
        .ipv6(true)
        .blocky(false)
        .thread_name_prefix(7)
        .thread_sched_policy(0)
        .max_msgsz(1 << 20)
        .build()
        .unwrap();
    assert_eq!(ctx.io_threads().unwrap(), 2);
    assert_eq!(ctx.max_sockets().unwrap(), 512);
    assert!(ctx.ipv6().unwrap());
    assert!(!ctx.blocky().unwrap());
    assert_eq!(ctx.thread_name_prefix().unwrap(), 7);
    assert_eq!(ctx.thread_sched_policy(), Some(0));
    assert_eq!(ctx.max_msgsz().unwrap(), 1 << 20);
    assert_eq!(ctx.msg_t_size().unwrap(), 64);
    assert!(ctx.socket_limit().unwrap() >= 1023);
    ctx.set_max_sockets(100).unwrap();
    assert_eq!(ctx.max_sockets().unwrap(), 100);

    let plain = Context::new().unwrap();
    // zmq_ctx_get returns -1 for the default policy: read as None, not as an error.
    assert_eq!(plain.thread_sched_policy(), None);
    assert_eq!(plain.thread_priority(), None);
    let prio = Context::builder().thread_priority(5).build();
    // Setting a priority is accepted (it applies when threads start); reading gives it back
    // without asking zmq_ctx_get, which returns the socket limit for this option in 4.3.4.
    if let Ok(prio) = prio {
        assert_eq!(prio.thread_priority(), Some(5));
    }
    assert!(matches!(
        Context::builder().io_threads(1).max_msgsz(-5).build(),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn context_is_send_sync_clone_and_socket_is_send() {
    fn send_sync_clone<T: Send + Sync + Clone>() {}
    fn send<T: Send>() {}
    send_sync_clone::<Context>();
    send::<Socket>();
    send::<zmq_typed::Message>();
}

#[test]
fn shutdown_wakes_a_blocked_receive_in_another_thread() {
    let ctx = Context::new().unwrap();
    let pull = Socket::new(&ctx, SocketType::Pull).unwrap();
    pull.bind("inproc://shutdown-wakes").unwrap();
    let (ready_tx, ready_rx) = mpsc::channel();
    let handle = thread::spawn(move || {
        ready_tx.send(()).unwrap();
        pull.recv()
    });
    ready_rx.recv().unwrap();
    ctx.shutdown().unwrap();
    let result = within(PATIENCE, "receive after shutdown", move || {
        handle.join().unwrap()
    });
    assert!(matches!(result, Err(Error::Terminated(_))), "{result:?}");
    // Later calls fail the same way; creating sockets too.
    assert!(matches!(
        Socket::new(&ctx, SocketType::Push),
        Err(Error::Terminated(_))
    ));
    // The shutdown handle does not keep the context alive.
    let handle = ctx.shutdown_handle();
    assert!(handle.shutdown());
    drop(ctx);
    assert!(!handle.shutdown());
}

#[test]
fn dropping_with_messages_for_a_peer_that_never_came_returns() {
    within(PATIENCE, "dropping the context", || {
        let ctx = Context::new().unwrap();
        let push = Socket::new(&ctx, SocketType::Push).unwrap();
        // Nobody listens there: the messages stay queued.
        push.connect("tcp://127.0.0.1:9").unwrap();
        for _ in 0..10 {
            assert!(push.try_send("lost").unwrap().is_none());
        }
        drop(push);
        drop(ctx); // returns after at most the default linger (2 s)
    });
}

#[test]
fn queued_messages_to_a_connected_peer_are_delivered_before_drop_returns() {
    let receiver_ctx = Context::new().unwrap();
    let pull = Socket::new(&receiver_ctx, SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(PATIENCE)).unwrap();
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    let ep2 = ep.clone();
    within(PATIENCE, "dropping the sender's context", move || {
        let ctx = Context::new().unwrap();
        let push = Socket::new(&ctx, SocketType::Push).unwrap();
        push.connect(&ep2).unwrap();
        for i in 0..1000 {
            push.send(vec![i as u8; 1000]).unwrap();
        }
        drop(push);
        drop(ctx);
    });
    for i in 0..1000 {
        let msg = pull.recv_frame().unwrap();
        assert_eq!(msg.len(), 1000);
        assert_eq!(msg[0], i as u8);
    }
}

// ---------------------------------------------------------------------------------------------
// Scheduling options that libzmq 4.3.4 would abort on: refused by `build`.
//
// Each test runs its body in a child process (this test binary, re-run with `--exact` and an
// environment variable naming the test), under a watchdog: were the check to regress, libzmq
// would abort the child, and the parent reports a failed test instead of dying with it.
// ---------------------------------------------------------------------------------------------

/// The CPUs this process may run on (sched_getaffinity).
fn allowed_cpus() -> Vec<u16> {
    // SAFETY: an all-zero cpu_set_t is the empty set.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    // SAFETY: set is a cpu_set_t of the size given; pid 0 is this thread.
    let rc =
        unsafe { libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set) };
    assert_eq!(rc, 0, "sched_getaffinity");
    (0..libc::CPU_SETSIZE as usize)
        // SAFETY: cpu < CPU_SETSIZE.
        .filter(|&cpu| unsafe { libc::CPU_ISSET(cpu, &set) })
        .map(|cpu| cpu as u16)
        .collect()
}

/// The scheduling policy of libzmq's first I/O thread (named `ZMQbg/IO/0`), and its nice value.
fn io_thread_scheduling() -> (i32, i32) {
    for task in std::fs::read_dir("/proc/self/task").expect("/proc/self/task") {
        let task = task.expect("task entry").path();
        let comm = std::fs::read_to_string(task.join("comm")).unwrap_or_default();
        if comm.trim_end() == "ZMQbg/IO/0" {
            let tid: i32 = task
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse().ok())
                .expect("tid");
            // SAFETY: plain calls on a thread id of this process.
            let policy = unsafe { libc::sched_getscheduler(tid) };
            // SAFETY: as above; PRIO_PROCESS with a tid reads that thread's nice value on Linux.
            let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t) };
            return (policy, nice);
        }
    }
    panic!("no ZMQbg/IO/0 thread found");
}

/// A PUSH/PULL exchange over inproc: the context's threads are up and working.
fn sockets_work(ctx: &Context) {
    let pull = Socket::new(ctx, SocketType::Pull).unwrap();
    pull.set_rcvtimeo(Some(PATIENCE)).unwrap();
    pull.bind("inproc://sched-works").unwrap();
    let push = Socket::new(ctx, SocketType::Push).unwrap();
    push.connect("inproc://sched-works").unwrap();
    push.send("scheduled").unwrap();
    assert_eq!(pull.recv().unwrap(), "scheduled");
    // tcp goes through the I/O thread.
    let ep = pull.bind("tcp://127.0.0.1:*").unwrap();
    let push2 = Socket::new(ctx, SocketType::Push).unwrap();
    push2.connect(&ep).unwrap();
    push2.send("over tcp").unwrap();
    assert_eq!(pull.recv().unwrap(), "over tcp");
}

fn option_error(result: zmq_typed::Result<Context>) -> (&'static str, String) {
    match result {
        Err(Error::OptionValue { option, reason }) => (option, reason),
        other => panic!("expected Error::OptionValue, got {other:?}"),
    }
}

#[test]
fn unknown_scheduling_policy_is_an_error_not_an_abort() {
    run_or_check("unknown_scheduling_policy_is_an_error_not_an_abort", || {
        let (option, reason) = option_error(Context::builder().thread_sched_policy(99).build());
        assert_eq!(option, "ZMQ_THREAD_SCHED_POLICY");
        assert!(reason.contains("99 is not a scheduling policy"), "{reason}");
        assert!(reason.contains("would abort"), "{reason}");
        // With a priority too, the policy is still what is wrong.
        let (option, _) = option_error(
            Context::builder()
                .thread_sched_policy(99)
                .thread_priority(1)
                .build(),
        );
        assert_eq!(option, "ZMQ_THREAD_SCHED_POLICY");
        // libzmq's own check of negative values keeps its error.
        assert!(matches!(
            Context::builder().thread_sched_policy(-2).build(),
            Err(Error::InvalidArgument(_))
        ));
    });
}

#[test]
fn priority_outside_the_policy_range_is_an_error_not_an_abort() {
    run_or_check(
        "priority_outside_the_policy_range_is_an_error_not_an_abort",
        || {
            let (option, reason) = option_error(
                Context::builder()
                    .thread_sched_policy(libc::SCHED_FIFO)
                    .thread_priority(1000)
                    .build(),
            );
            assert_eq!(option, "ZMQ_THREAD_PRIORITY");
            assert_eq!(
                reason,
                "priority 1000 is outside 1..=99, the priorities of SCHED_FIFO; libzmq 4.3.4 \
                 would abort the process when it starts the context's threads at the first \
                 socket"
            );
            // 0 is outside SCHED_RR's range too.
            let (option, reason) = option_error(
                Context::builder()
                    .thread_sched_policy(libc::SCHED_RR)
                    .thread_priority(0)
                    .build(),
            );
            assert_eq!(option, "ZMQ_THREAD_PRIORITY");
            assert!(reason.contains("SCHED_RR"), "{reason}");
        },
    );
}

#[test]
fn affinity_outside_the_cpu_set_is_an_error_not_an_abort() {
    run_or_check(
        "affinity_outside_the_cpu_set_is_an_error_not_an_abort",
        || {
            let (option, reason) =
                option_error(Context::builder().thread_affinity_cpu(9999).build());
            assert_eq!(option, "ZMQ_THREAD_AFFINITY_CPU_ADD");
            assert!(
                reason.contains("CPU 9999 cannot be named in a cpu_set_t"),
                "{reason}"
            );

            let allowed = allowed_cpus();
            // The number of CPUs of the set: outside it when the CPUs are 0..n (here, 2 on a
            // 2-CPU machine); and the first CPU outside the set in any case.
            let outside = (0..1024u16)
                .find(|c| !allowed.contains(c))
                .expect("a CPU outside the set");
            let mut tried = vec![outside];
            let count = allowed.len() as u16;
            if !allowed.contains(&count) && count != outside {
                tried.push(count);
            }
            for cpu in tried {
                let (option, reason) =
                    option_error(Context::builder().thread_affinity_cpu(cpu).build());
                assert_eq!(option, "ZMQ_THREAD_AFFINITY_CPU_ADD");
                assert!(
                    reason.contains(&format!(
                        "none of the CPUs {{{cpu}}} is one this process may run on"
                    )),
                    "{reason}"
                );
            }
            // Exactly like libzmq: a set that holds one allowed CPU is fine (the kernel keeps the
            // allowed ones), and the context works.
            let ctx = Context::builder()
                .thread_affinity_cpu(outside)
                .thread_affinity_cpu(allowed[0])
                .build()
                .unwrap();
            sockets_work(&ctx);
        },
    );
}

#[test]
fn valid_scheduling_builds_and_sockets_work() {
    run_or_check("valid_scheduling_builds_and_sockets_work", || {
        let cpu = allowed_cpus()[0];
        if is_root() {
            // A real-time policy, applied to libzmq's I/O thread.
            let ctx = Context::builder()
                .thread_sched_policy(libc::SCHED_FIFO)
                .thread_priority(1)
                .thread_affinity_cpu(cpu)
                .build()
                .unwrap();
            assert_eq!(ctx.thread_sched_policy(), Some(libc::SCHED_FIFO));
            sockets_work(&ctx);
            assert_eq!(io_thread_scheduling().0, libc::SCHED_FIFO);
            drop(ctx);
            // A priority with a non-real-time policy: libzmq calls nice(-20).
            let ctx = Context::builder()
                .thread_sched_policy(libc::SCHED_OTHER)
                .thread_priority(5)
                .build()
                .unwrap();
            sockets_work(&ctx);
            assert_eq!(io_thread_scheduling(), (libc::SCHED_OTHER, -20));
            drop(ctx);
        }
        // Policies anyone may choose.
        for policy in [libc::SCHED_OTHER, libc::SCHED_BATCH, libc::SCHED_IDLE] {
            let ctx = Context::builder()
                .thread_sched_policy(policy)
                .thread_affinity_cpu(cpu)
                .build()
                .unwrap();
            sockets_work(&ctx);
            assert_eq!(io_thread_scheduling().0, policy);
        }
    });
}

/// As an unprivileged user: a real-time priority, or a priority with SCHED_OTHER (which makes
/// libzmq call nice(-20)), is refused with `NotPermitted`.
fn not_permitted_body() {
    // SAFETY: plain calls.
    assert_ne!(
        unsafe { libc::geteuid() },
        0,
        "the child should not be root"
    );
    // Make the outcome independent of the limits this machine grants (limits.conf).
    for resource in [libc::RLIMIT_RTPRIO, libc::RLIMIT_NICE] {
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we own; lowering a limit is always allowed.
        assert_eq!(unsafe { libc::setrlimit(resource, &zero) }, 0);
    }
    for (policy, priority, needle) in [
        (libc::SCHED_FIFO, 10, "pthread_setschedparam"),
        (libc::SCHED_RR, 10, "pthread_setschedparam"),
        (libc::SCHED_OTHER, 5, "nice(-20)"),
    ] {
        match Context::builder()
            .thread_sched_policy(policy)
            .thread_priority(priority)
            .build()
        {
            Err(Error::NotPermitted(detail)) => {
                let text = detail.as_str().unwrap_or_default();
                assert!(text.contains(needle), "{text}");
                assert!(text.contains("would abort"), "{text}");
            }
            other => {
                panic!("policy {policy} priority {priority}: expected NotPermitted, got {other:?}")
            }
        }
    }
    // What the user may do still works.
    let ctx = Context::builder()
        .thread_sched_policy(libc::SCHED_BATCH)
        .build()
        .unwrap();
    sockets_work(&ctx);
}

#[test]
fn priority_the_process_may_not_set_is_an_error_not_an_abort() {
    const TEST: &str = "priority_the_process_may_not_set_is_an_error_not_an_abort";
    if child::is_child(TEST) {
        not_permitted_body();
        return;
    }
    if !is_root() {
        // Already unprivileged.
        let out = child::run(&[], TEST, PATIENCE * 6);
        child::check(TEST, &out);
        return;
    }
    match child::run_unprivileged(TEST, PATIENCE * 6) {
        Ok(out) => child::check(TEST, &out),
        Err(why) => skip(
            TEST,
            &format!("setpriv cannot drop to user 65534 here: {why}"),
        ),
    }
}
