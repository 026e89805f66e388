//! The tour's table: one row per pattern and transport.

use std::io::{self, Write};
use std::time::Duration;

use crate::transport::Transport;

/// How one row ended.
pub enum Outcome {
    /// Every message arrived where it should: how many moved, and how long it took.
    Passed(u64, Duration),
    /// Why it failed, and after how long.
    Failed(String, Duration),
    /// Not run, and why (multicast without a route on the loopback).
    Skipped(String),
    /// Stopped by Ctrl-C or SIGTERM, after how long.
    Interrupted(Duration),
}

/// One pattern over one transport.
pub struct Row {
    pub pattern: &'static str,
    pub sockets: &'static str,
    pub transport: Transport,
    pub outcome: Outcome,
}

/// Prints the title, the table, then every failure and skip with its reason, then a
/// summary line. Fails (instead of panicking) when stdout is closed or full.
pub fn print(rows: &[Row]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "zmq-typed tour over libzmq {}", zmq_typed::version())?;
    // Columns as wide as their widest cell.
    let pw = rows
        .iter()
        .map(|r| r.pattern.len())
        .fold("pattern".len(), usize::max);
    let sw = rows
        .iter()
        .map(|r| r.sockets.len())
        .fold("sockets".len(), usize::max);
    writeln!(
        out,
        "{:<pw$}  {:<sw$}  {:<9} {:>8}  {:<7} {:>9}",
        "pattern", "sockets", "transport", "messages", "result", "time"
    )?;
    let mut notes = Vec::new();
    for row in rows {
        let (messages, result, time) = match &row.outcome {
            Outcome::Passed(n, t) => (n.to_string(), "ok", millis(*t)),
            Outcome::Failed(why, t) => {
                notes.push(format!(
                    "FAILED {} over {}: {why}",
                    row.pattern, row.transport
                ));
                ("-".to_string(), "FAILED", millis(*t))
            }
            Outcome::Interrupted(t) => ("-".to_string(), "stopped", millis(*t)),
            Outcome::Skipped(why) => {
                notes.push(format!(
                    "skipped {} over {}: {why}",
                    row.pattern, row.transport
                ));
                ("-".to_string(), "skipped", "-".to_string())
            }
        };
        writeln!(
            out,
            "{:<pw$}  {:<sw$}  {:<9} {:>8}  {:<7} {:>9}",
            row.pattern,
            row.sockets,
            row.transport.to_string(),
            messages,
            result,
            time
        )?;
    }
    for note in &notes {
        writeln!(out, "{note}")?;
    }
    let passed = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Passed(..)))
        .count();
    let failed = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed(..)))
        .count();
    let skipped = rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Skipped(..)))
        .count();
    let stopped = rows.len() - passed - failed - skipped;
    if stopped == 0 {
        writeln!(out, "{passed} passed, {failed} failed, {skipped} skipped")?;
    } else {
        writeln!(
            out,
            "{passed} passed, {failed} failed, {skipped} skipped, stopped by a signal"
        )?;
    }
    out.flush()
}

fn millis(t: Duration) -> String {
    format!("{:.1} ms", t.as_secs_f64() * 1000.0)
}
