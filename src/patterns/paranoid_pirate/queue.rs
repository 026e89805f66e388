//! The Paranoid Pirate queue: a ROUTER for clients, a ROUTER for workers, heartbeats to the
//! idle workers, and the workers' liveness.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::worker::is_request;
use super::{PpSettings, HEARTBEAT, READY};
use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::options::PollEvents;
use crate::patterns::handle::{terminated, Background, Counters, Shared};
use crate::patterns::heartbeat::{later, Liveness};
use crate::poll::Poller;
use crate::typed::{Pair, Routed, Router, RoutingId};

/// What the queue tells its event hook.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum QueueEvent {
    /// A worker said `READY` (or, unknown to the queue, sent a heartbeat: the guide's rule,
    /// which lets workers of a restarted queue come back at once) and is idle.
    WorkerReady {
        /// The worker's routing id on the backend.
        worker: RoutingId,
    },
    /// An idle worker was silent for `interval × liveness`: forgotten.
    WorkerExpired {
        /// The worker's routing id.
        worker: RoutingId,
    },
    /// A worker's connection had gone when the queue sent to it: forgotten.
    WorkerGone {
        /// The worker's routing id.
        worker: RoutingId,
    },
    /// A worker sent something the protocol does not allow: dropped.
    BadWorkerMessage {
        /// The worker's routing id.
        worker: RoutingId,
        /// What was wrong.
        reason: &'static str,
    },
    /// A client sent a message without an envelope delimiter followed by a body (a REQ
    /// puts the delimiter first): dropped.
    BadClientMessage {
        /// The client's routing id.
        client: RoutingId,
    },
    /// A reply for a client that has gone (or cannot take it): dropped.
    ReplyDropped {
        /// The client's routing id the reply named.
        client: RoutingId,
    },
}

impl fmt::Display for QueueEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueEvent::WorkerReady { worker } => write!(f, "I: worker {worker:?} ready"),
            QueueEvent::WorkerExpired { worker } => {
                write!(f, "W: worker {worker:?} expired (no heartbeat)")
            }
            QueueEvent::WorkerGone { worker } => write!(f, "W: worker {worker:?} disconnected"),
            QueueEvent::BadWorkerMessage { worker, reason } => {
                write!(f, "E: invalid message from worker {worker:?}: {reason}")
            }
            QueueEvent::BadClientMessage { client } => {
                write!(f, "E: invalid message from client {client:?}: no envelope")
            }
            QueueEvent::ReplyDropped { client } => {
                write!(f, "W: reply for client {client:?} dropped: it has gone")
            }
        }
    }
}

/// The queue's event hook.
pub type QueueHook = Box<dyn FnMut(&QueueEvent) + Send>;

#[derive(Debug, Default)]
struct State {
    counters: Counters,
    idle: usize,
    ended: Option<Error>,
}

/// The Paranoid Pirate queue on a thread of its own; see [the module docs](super). The
/// handle behaves as the other brokers' ([`super::super::handle`]).
pub struct PpQueue {
    frontend: String,
    backend: String,
    shared: Arc<Shared<State>>,
    thread: Background,
}

impl fmt::Debug for PpQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PpQueue")
            .field("frontend", &self.frontend)
            .field("backend", &self.backend)
            .field("state", &*self.shared.lock())
            .finish_non_exhaustive()
    }
}

/// Binds the two ROUTERs, with `ZMQ_ROUTER_MANDATORY`; also where they were bound.
fn bind_both(ctx: &Context, frontend: &str, backend: &str) -> Result<Bound> {
    let clients = Router::new(ctx)?;
    clients.set_router_mandatory(true)?;
    let front = clients.bind(frontend)?.to_string();
    let workers = Router::new(ctx)?;
    workers.set_router_mandatory(true)?;
    let back = workers.bind(backend)?.to_string();
    Ok((clients, workers, front, back))
}

type Bound = (Router, Router, String, String);

impl PpQueue {
    /// Binds a ROUTER on `frontend` (clients) and one on `backend` (workers), both with
    /// `ZMQ_ROUTER_MANDATORY`, and runs the queue on a thread of its own, with no event
    /// hook.
    ///
    /// Wraps `zmq_socket`, `zmq_setsockopt`, `zmq_bind`; the loop, `zmq_poll`,
    /// `zmq_msg_recv` and `zmq_msg_send`.
    pub fn start(
        ctx: &Context,
        frontend: &str,
        backend: &str,
        settings: PpSettings,
    ) -> Result<PpQueue> {
        PpQueue::start_with_events(ctx, frontend, backend, settings, |_| {})
    }

    /// [`PpQueue::start`], calling `hook` (on the queue's thread) for each [`QueueEvent`].
    pub fn start_with_events(
        ctx: &Context,
        frontend: &str,
        backend: &str,
        settings: PpSettings,
        hook: impl FnMut(&QueueEvent) + Send + 'static,
    ) -> Result<PpQueue> {
        let (clients, workers, frontend, backend) = bind_both(ctx, frontend, backend)?;
        let shared = Shared::new(State::default());
        let state = Arc::clone(&shared);
        let thread = Background::spawn(ctx, "paranoid pirate queue", move |control| {
            let mut queue = Queue::new(&clients, &workers, settings, Box::new(hook), &state);
            let result = queue.run(Some(&control));
            let ended = match &result {
                Err(e) if !e.is_terminated() => e.clone(),
                _ => terminated("paranoid pirate queue"),
            };
            state.update(|s| s.ended = Some(ended));
            result
        })?;
        Ok(PpQueue {
            frontend,
            backend,
            shared,
            thread,
        })
    }

    /// Runs the queue on this thread until the context is shut down (then an error whose
    /// `is_terminated()` is true), for a program (the `ppqueue` example). Binding fails
    /// before anything runs.
    ///
    /// Wraps what [`PpQueue::start`] wraps.
    pub fn run(
        ctx: &Context,
        frontend: &str,
        backend: &str,
        settings: PpSettings,
        hook: impl FnMut(&QueueEvent) + Send + 'static,
    ) -> Result<()> {
        let (clients, workers, _, _) = bind_both(ctx, frontend, backend)?;
        let shared = Shared::new(State::default());
        Queue::new(&clients, &workers, settings, Box::new(hook), &shared).run(None)
    }

    /// Where the frontend is bound (`ZMQ_LAST_ENDPOINT`, read once after the bind).
    pub fn frontend_endpoint(&self) -> &str {
        &self.frontend
    }

    /// Where the backend is bound (`ZMQ_LAST_ENDPOINT`, read once after the bind).
    pub fn backend_endpoint(&self) -> &str {
        &self.backend
    }

    /// The idle workers the queue knows alive now. Calls nothing.
    pub fn idle_workers(&self) -> usize {
        self.shared.lock().idle
    }

    /// The messages moved so far: each `READY` and heartbeat counts in on the backend, and
    /// each heartbeat sent out on it. After the context's shutdown, `is_terminated()`.
    ///
    /// Reads the queue's own counts; calls nothing.
    pub fn counters(&self) -> Result<Counters> {
        let state = self.shared.lock();
        match &state.ended {
            Some(error) => Err(error.clone()),
            None => Ok(state.counters),
        }
    }

    /// Waits until `n` workers are idle, or `timeout` passes ([`Error::TimedOut`]; `None`:
    /// no limit).
    ///
    /// Waits on the queue's own state; calls nothing.
    pub fn wait_for_workers(&self, n: usize, timeout: Option<Duration>) -> Result<()> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        if self
            .shared
            .wait_until(deadline, |s| s.idle >= n, |s| s.ended.clone())?
        {
            Ok(())
        } else {
            Err(Error::TimedOut(Detail::new(format!(
                "{} of the {n} workers awaited are idle",
                self.idle_workers()
            ))))
        }
    }

    /// Stops the queue; its final counters. Wraps `zmq_msg_send` on the control PAIR.
    pub fn stop(self) -> Result<Counters> {
        let PpQueue { thread, shared, .. } = self;
        thread.stop()?;
        let counters = shared.lock().counters;
        Ok(counters)
    }
}

/// The queue loop's sockets and books.
struct Queue<'a> {
    clients: &'a Router,
    workers: &'a Router,
    settings: PpSettings,
    hook: QueueHook,
    shared: &'a Shared<State>,
    /// Idle workers, the least recently ready first.
    idle: VecDeque<(RoutingId, Liveness)>,
    /// Workers given a request and not answered yet.
    busy: HashSet<RoutingId>,
    next_beat: Instant,
}

impl<'a> Queue<'a> {
    fn new(
        clients: &'a Router,
        workers: &'a Router,
        settings: PpSettings,
        hook: QueueHook,
        shared: &'a Shared<State>,
    ) -> Queue<'a> {
        Queue {
            clients,
            workers,
            settings,
            hook,
            shared,
            idle: VecDeque::new(),
            busy: HashSet::new(),
            next_beat: later(Instant::now(), settings.interval()),
        }
    }

    fn event(&mut self, event: QueueEvent) {
        (self.hook)(&event);
    }

    fn publish_idle(&self) {
        let idle = self.idle.len();
        self.shared.update(|s| s.idle = idle);
    }

    fn run(&mut self, control: Option<&Pair>) -> Result<()> {
        let mut poller = Poller::new();
        let stop = control.map(|c| poller.add(c, PollEvents::IN));
        let from_workers = poller.add(self.workers, PollEvents::IN);
        let from_clients = poller.add(self.clients, PollEvents::NONE);
        loop {
            let take = !self.idle.is_empty();
            let interest = if take {
                PollEvents::IN
            } else {
                PollEvents::NONE
            };
            poller.set_interest(from_clients, interest)?;
            let wake = self
                .idle
                .iter()
                .map(|(_, l)| l.expires_at())
                .fold(self.next_beat, Instant::min);
            let timeout = wake.saturating_duration_since(Instant::now());
            let ready = poller.poll(Some(timeout))?;
            if stop.is_some_and(|s| ready.is_readable(s)) {
                return Ok(());
            }
            let worker_ready = ready.is_readable(from_workers);
            let client_ready = take && ready.is_readable(from_clients);
            if worker_ready {
                if let Some(message) = receive(self.workers)? {
                    self.on_worker(message)?;
                }
            }
            if client_ready {
                if let Some(message) = receive(self.clients)? {
                    self.on_client(message)?;
                }
            }
            self.beat_and_expire()?;
        }
    }

    fn on_worker(&mut self, Routed { id, body }: Routed) -> Result<()> {
        let now = Instant::now();
        self.shared.update(|s| s.counters.backend_in += 1);
        if body.len() == 1 {
            let frame = &body[0];
            if frame == READY {
                // A busy worker that starts over is idle again: its request is lost.
                self.busy.remove(&id);
                self.make_idle(id, now, true);
            } else if frame == HEARTBEAT {
                if let Some((_, liveness)) = self.idle.iter_mut().find(|(w, _)| *w == id) {
                    liveness.heard(now);
                } else if !self.busy.contains(&id) {
                    self.make_idle(id, now, true);
                }
            } else {
                self.drop_bad(
                    id,
                    "a one-frame message that is neither READY nor HEARTBEAT",
                );
            }
            return Ok(());
        }
        if !is_request(&body) {
            self.drop_bad(id, "not [client id][][reply...]");
            return Ok(());
        }
        if !self.busy.remove(&id) {
            self.drop_bad(id, "a reply from a worker that was given no request");
            return Ok(());
        }
        let client = RoutingId::from(body[0].to_vec());
        let sent = self.clients.try_send(body);
        match sent {
            Ok(None) => self.shared.update(|s| s.counters.frontend_out += 1),
            Err(e) if e.error().is_terminated() => return Err(e.into_error()),
            Ok(Some(_)) | Err(_) => {
                self.shared.update(|s| s.counters.dropped += 1);
                self.event(QueueEvent::ReplyDropped { client });
            }
        }
        self.make_idle(id, now, false);
        Ok(())
    }

    /// Puts the worker at the back of the idle queue (out of it first if there).
    fn make_idle(&mut self, id: RoutingId, now: Instant, announce: bool) {
        let known = self.idle.iter().position(|(w, _)| *w == id);
        if let Some(at) = known {
            self.idle.remove(at);
        }
        let settings = self.settings;
        if let Ok(liveness) = Liveness::new(settings.interval(), settings.liveness(), now) {
            self.idle.push_back((id.clone(), liveness));
        }
        self.publish_idle();
        if announce && known.is_none() {
            self.event(QueueEvent::WorkerReady { worker: id });
        }
    }

    fn drop_bad(&mut self, worker: RoutingId, reason: &'static str) {
        self.shared.update(|s| s.counters.dropped += 1);
        self.event(QueueEvent::BadWorkerMessage { worker, reason });
    }

    fn on_client(&mut self, Routed { id, mut body }: Routed) -> Result<()> {
        self.shared.update(|s| s.counters.frontend_in += 1);
        // A REQ sends [][request]; one with ZMQ_REQ_CORRELATE, or behind another hop, has
        // more in front of the delimiter: all of it goes to the worker and comes back.
        let delimited = body
            .iter()
            .position(|frame| frame.is_empty())
            .is_some_and(|at| at + 1 < body.len());
        if !delimited {
            self.shared.update(|s| s.counters.dropped += 1);
            self.event(QueueEvent::BadClientMessage { client: id });
            return Ok(());
        }
        body.push_front(id.into_message());
        while let Some((worker, _)) = self.idle.pop_front() {
            self.publish_idle();
            match self.workers.try_send(Routed::new(worker.clone(), body)) {
                Ok(None) => {
                    self.shared.update(|s| s.counters.backend_out += 1);
                    self.busy.insert(worker);
                    return Ok(());
                }
                Err(e) if e.error().is_terminated() => return Err(e.into_error()),
                Ok(Some(unsent)) => {
                    body = unsent.into_frames().into_iter().skip(1).collect();
                }
                Err(e) => {
                    body = e.into_message().into_frames().into_iter().skip(1).collect();
                }
            }
            self.event(QueueEvent::WorkerGone { worker });
        }
        // No worker took it: lost, as with a worker that dies; the client retries.
        self.shared.update(|s| s.counters.dropped += 1);
        Ok(())
    }

    /// Heartbeats every idle worker when due; forgets those silent too long.
    fn beat_and_expire(&mut self) -> Result<()> {
        let now = Instant::now();
        let mut expired = Vec::new();
        self.idle.retain(|(worker, liveness)| {
            let dead = liveness.expired(now);
            if dead {
                expired.push(worker.clone());
            }
            !dead
        });
        for worker in expired {
            self.publish_idle();
            self.event(QueueEvent::WorkerExpired { worker });
        }
        if now < self.next_beat {
            return Ok(());
        }
        self.next_beat = later(now, self.settings.interval());
        let mut gone = Vec::new();
        for (worker, _) in &self.idle {
            match self
                .workers
                .try_send(Routed::new(worker.clone(), HEARTBEAT))
            {
                Ok(None) => self.shared.update(|s| s.counters.backend_out += 1),
                Err(e) if e.error().is_terminated() => return Err(e.into_error()),
                Ok(Some(_)) => {}
                Err(_) => gone.push(worker.clone()),
            }
        }
        for worker in gone {
            self.idle.retain(|(w, _)| *w != worker);
            self.publish_idle();
            self.event(QueueEvent::WorkerGone { worker });
        }
        Ok(())
    }
}

/// The next message of a readable ROUTER (`None`: not there after all).
fn receive(router: &Router) -> Result<Option<Routed>> {
    match router.try_recv() {
        Ok(message) => Ok(message),
        Err(Error::Malformed(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
