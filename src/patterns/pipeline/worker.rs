//! The pipeline's middle: [`Worker`].

use crate::context::Context;
use crate::error::Result;
use crate::multipart::Multipart;
use crate::options::PollEvents;
use crate::poll::Poller;
use crate::sendable::Sendable;
use crate::typed::{Pull, Push, Sub};

use super::KILL;

/// How a [`Worker::run`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Stopped {
    /// The sink sent [`KILL`].
    Killed,
    /// The worker did as many tasks as it was asked to.
    Limit,
    /// The context was shut down.
    Shutdown,
}

/// What a [`Worker::run`] did: how many tasks it completed (their results sent), and why it
/// stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WorkerReport {
    /// The tasks done, each with its result sent to the sink.
    pub tasks: u64,
    /// Why it stopped.
    pub stopped: Stopped,
}

/// A worker: a PULL socket connected to the ventilator for tasks, a PUSH socket connected to
/// the sink for results, and optionally a SUB socket connected to the sink's control socket
/// for [`KILL`]. See [the module docs](super).
#[derive(Debug)]
pub struct Worker {
    tasks: Pull,
    results: Push,
    control: Option<Sub>,
}

impl Worker {
    /// Connects to the ventilator at `tasks` and to the sink at `sink`.
    ///
    /// Wraps `zmq_socket` (PULL, PUSH) and `zmq_connect`
    /// ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    pub fn connect(ctx: &Context, tasks: &str, sink: &str) -> Result<Worker> {
        let pull = Pull::new(ctx)?;
        pull.connect(tasks)?;
        let push = Push::new(ctx)?;
        push.connect(sink)?;
        Ok(Worker {
            tasks: pull,
            results: push,
            control: None,
        })
    }

    /// Also listens for [`KILL`] on the sink's control socket at `control`: a SUB socket
    /// subscribed to `KILL`, polled with the tasks.
    ///
    /// Wraps `zmq_socket` (SUB), `zmq_setsockopt` with `ZMQ_SUBSCRIBE` and `zmq_connect`
    /// ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    pub fn with_control(mut self, control: &str) -> Result<Worker> {
        let sub = Sub::new(self.tasks.context())?;
        sub.subscribe(KILL)?;
        sub.connect(control)?;
        self.control = Some(sub);
        Ok(self)
    }

    /// Does tasks: receives each, calls `f` with it, and sends what `f` returns (a frame or
    /// a whole message) to the sink, until it has done `limit` tasks (`None`: no limit), the
    /// sink sends [`KILL`] (with [`Worker::with_control`]), or the context is shut down. All
    /// three are `Ok`, and the report says which ([`Stopped`]) and how many tasks were done.
    /// A `KILL` waiting is seen before the next task, however many are queued.
    ///
    /// Any other failure is an `Err`. A panic in `f` comes out of `run`: that task is lost
    /// (no result is sent for it: a sink collecting the batch waits for it until its
    /// [`Sink::set_timeout`](super::Sink::set_timeout)), and the worker is as it was, ready to run again.
    ///
    /// Wraps `zmq_poll` (with a control socket), `zmq_msg_recv` and `zmq_msg_send`
    /// ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn run<F, R>(&self, limit: Option<u64>, mut f: F) -> Result<WorkerReport>
    where
        F: FnMut(Multipart) -> R,
        R: Sendable,
    {
        let mut done = 0;
        let report = |done, stopped| {
            Ok(WorkerReport {
                tasks: done,
                stopped,
            })
        };
        let mut poller = Poller::new();
        let wait = match &self.control {
            Some(control) => {
                let killed = poller.add(control, PollEvents::IN);
                let tasks = poller.add(&self.tasks, PollEvents::IN);
                Some((control, killed, tasks))
            }
            None => None,
        };
        loop {
            if limit.is_some_and(|limit| done >= limit) {
                return report(done, Stopped::Limit);
            }
            let next = match wait {
                None => self.tasks.recv().map(Some),
                Some((control, killed, tasks)) => {
                    next_task(&mut poller, control, killed, &self.tasks, tasks)
                }
            };
            let task = match next {
                Ok(Some(task)) => task,
                Ok(None) => return report(done, Stopped::Killed),
                Err(e) if e.is_terminated() => return report(done, Stopped::Shutdown),
                Err(e) => return Err(e),
            };
            match self.results.send(f(task)) {
                Ok(()) => done += 1,
                Err(e) if e.error().is_terminated() => return report(done, Stopped::Shutdown),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// The next task, or `None` on [`KILL`]: waits for either, the kill signal first.
fn next_task(
    poller: &mut Poller<'_>,
    control: &Sub,
    killed: crate::poll::Token,
    tasks: &Pull,
    task: crate::poll::Token,
) -> Result<Option<Multipart>> {
    loop {
        let (kill_ready, task_ready) = {
            let ready = poller.poll(None)?;
            (ready.is_readable(killed), ready.is_readable(task))
        };
        if kill_ready {
            if control.recv()? == KILL {
                return Ok(None);
            }
            // A longer message that starts with KILL: not the signal.
            continue;
        }
        if task_ready {
            return tasks.recv().map(Some);
        }
    }
}
