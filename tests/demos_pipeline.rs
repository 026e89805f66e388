//! The pipeline demo programs as real processes over real TCP: tasksink, several taskwork
//! and taskvent. The ventilator waits (`--workers`) until every worker and the sink have
//! completed their handshake, so the round robin gives each worker the same share; each
//! worker stops after its share (`--count`), which proves the spread.

mod common;

use common::programs::{self, tcp, Program};

const WORKERS: usize = 3;
/// Tasks per worker.
const SHARE: usize = 8;

#[test]
fn ventilator_workers_and_sink_do_every_task_once_spread_over_every_worker() {
    let tasks = (WORKERS * SHARE).to_string();
    let (sink, sink_port) = programs::spawn_server("tasksink", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--tasks".into(), tasks.clone()]
    });
    let sink_endpoint = tcp(sink_port[0]);
    // The ventilator's port: free now, bound by the ventilator later; the workers' connects
    // keep retrying until it is.
    let vent_endpoint = tcp(programs::free_port());
    let share = SHARE.to_string();
    let workers: Vec<Program> = (0..WORKERS)
        .map(|_| {
            programs::spawn(
                "taskwork",
                &[
                    "--connect",
                    &vent_endpoint,
                    "--sink",
                    &sink_endpoint,
                    "--count",
                    &share,
                ],
            )
        })
        .collect();
    let workers_arg = WORKERS.to_string();
    let vent = programs::run(
        "taskvent",
        &[
            "--bind",
            &vent_endpoint,
            "--sink",
            &sink_endpoint,
            "--tasks",
            &tasks,
            "--max-ms",
            "1",
            "--workers",
            &workers_arg,
        ],
    );
    vent.assert_code(0).assert_no_panic();
    // --workers waits for the workers instead of asking for Enter.
    assert!(!vent.stderr.contains("Press Enter"), "{}", vent.stderr);
    // Every workload is 1 ms with --max-ms 1.
    assert_eq!(vent.stdout, [format!("Total expected cost: {tasks} msec")]);

    // Each worker did exactly its share (one `1.` mark per task on stderr) and stopped.
    for worker in workers {
        let finished = worker.wait();
        finished.assert_code(0).assert_no_panic();
        assert!(finished.stdout.is_empty(), "{:?}", finished.stdout);
        assert_eq!(finished.stderr, "1.".repeat(SHARE));
    }
    let sink = sink.wait();
    sink.assert_code(0).assert_no_panic();
    let [line] = &sink.stdout[..] else {
        panic!("one line expected: {:?}", sink.stdout)
    };
    let elapsed = line
        .strip_prefix("Total elapsed time: ")
        .and_then(|rest| rest.strip_suffix(" msec"))
        .unwrap_or_else(|| panic!("{line:?}"));
    assert!(elapsed.parse::<u64>().is_ok(), "{line:?}");
    // The progress marks, on stderr only: a colon every tenth result, the first included.
    let marks: String = (0..WORKERS * SHARE)
        .map(|i| if i % 10 == 0 { ':' } else { '.' })
        .collect();
    assert_eq!(sink.stderr.trim_end(), marks);
}

#[test]
fn taskvent_proceeds_when_stdin_ends() {
    // Neither --no-wait nor --workers: the prompt goes to stderr and the end of stdin (it
    // is empty) proceeds. (The tasks wait in the ventilator until the worker connects.)
    let (sink, port) = programs::spawn_server("tasksink", 1, |p| {
        vec!["--bind".into(), tcp(p[0]), "--tasks".into(), "2".into()]
    });
    let sink_endpoint = tcp(port[0]);
    let vent_endpoint = tcp(programs::free_port());
    let worker = programs::spawn(
        "taskwork",
        &[
            "--connect",
            &vent_endpoint,
            "--sink",
            &sink_endpoint,
            "--count",
            "2",
        ],
    );
    let vent = programs::run(
        "taskvent",
        &[
            "--bind",
            &vent_endpoint,
            "--sink",
            &sink_endpoint,
            "--tasks",
            "2",
            "--max-ms",
            "1",
        ],
    );
    vent.assert_code(0).assert_no_panic();
    assert_eq!(vent.stdout, ["Total expected cost: 2 msec"]);
    assert!(
        vent.stderr
            .starts_with("Press Enter when the workers are ready: "),
        "{}",
        vent.stderr
    );
    worker.wait().assert_code(0);
    sink.wait().assert_code(0);
}
