//! The load-balancing broker (the guide's `lbbroker`): requests go only to workers that are
//! free, the one free the longest first.
//!
//! # What for
//! The [request-reply broker](super::broker) deals requests out round robin, so a slow
//! request holds up the ones queued behind it on the same worker while other workers sit
//! idle. Here a worker says when it is free, and only then gets a request: a worker is never
//! given a second request while it serves one, and every free worker is used before any is
//! used twice.
//!
//! # Who binds, and why
//! The broker binds both sides, as the stable piece: a ROUTER frontend for [`Req`] clients
//! and a ROUTER backend for [`Req`] workers ([`LbWorker`]). The backend is a ROUTER, not a
//! DEALER, because the broker chooses the worker: it sends each request to one worker by
//! its routing id.
//!
//! # The protocol
//! A worker is a REQ socket: it first sends [`READY`], then each message it sends is the
//! reply to the request it was given, and says it is free again. Requests reach it as
//! `[client id][][request...]` (its REQ has taken the broker's envelope off), and it sends
//! `[client id][][reply...]` back ([`LbWorker`] does all of this). The broker keeps the free
//! workers in the order they became free, and polls the frontend only while one is free:
//! clients' requests wait in their own queues meanwhile.
//!
//! # What it guarantees
//! - Every reply goes back to the client that asked, and only a reply goes back: the
//!   broker routes a worker's message to a client only while that worker has a request
//!   (between the request and its reply); a message that comes when it has none (an
//!   unasked answer, a second one) is dropped. (A reply does not say which request it
//!   answers: a second answer that comes after the worker's next request is taken for
//!   the reply to that one. [`LbWorker`] never answers twice.)
//! - A worker that does not keep to the protocol is never trusted: a second
//!   `READY` from a worker already free is dropped (one worker, counted once by
//!   [`LoadBalancer::wait_for_workers`]); a message that is neither `READY` nor a reply
//!   (`[][client id]...`) is dropped, and a busy worker that sends one is forgotten (its
//!   request is lost, as with a worker that dies). Each counts in [`Counters::dropped`].
//! - A worker has at most one request at a time, and the least recently ready worker gets
//!   the next one (so with all workers ready, the first requests go to all of them).
//! - The broker never blocks: it sends with `ZMQ_ROUTER_MANDATORY` and without waiting, so
//!   a peer that has gone is noticed at once. A request for a worker that has gone goes to
//!   the next free worker, or waits for one; a reply for a client that has gone is dropped
//!   and counted ([`Counters::dropped`]).
//!
//! # What it does not guarantee
//! - A request in flight to a worker that dies (or starts over: says `READY` again, which
//!   makes it free, the same worker) is lost, and its client waits for ever for
//!   the reply: a client that cannot wait for ever uses a receive timeout and retries on a
//!   fresh socket (the guide's *Lazy Pirate*, issue 10's reliability kit).
//! - A worker that stops after a last reply ([`LbWorker::serve`] with a limit) is counted
//!   as free by that reply, and may be given one more request, which is lost the same way.
//! - Workers are not watched: a worker that dies while free is noticed only when a request
//!   is sent to it (and the request then goes to another); one that dies while busy stays
//!   on the broker's books (a routing id) until the broker stops.
//!
//! # Counters
//! Whole messages, as libzmq's proxy counts them ([`Counters`]): each request is one message
//! in on the frontend and one out on the backend, each reply one in on the backend and one
//! out on the frontend, and each worker's `READY` one in on the backend. A message the
//! broker drops counts in on its side and in [`Counters::dropped`]; a reply for a client
//! that has gone counts in on the backend and in `dropped`, not out.
//!
//! ```
//! use std::time::Duration;
//! use zmq_typed::patterns::load_balancer::{LbWorker, LoadBalancer};
//! use zmq_typed::{Context, Req};
//!
//! let ctx = Context::new()?;
//! let broker = LoadBalancer::start(&ctx, "tcp://127.0.0.1:*", "inproc://lb-doc")?;
//! let worker = LbWorker::connect(&ctx, broker.backend_endpoint())?;
//! let worker = std::thread::spawn(move || worker.serve(None, |request| format!("{request}!")));
//! broker.wait_for_workers(1, Some(Duration::from_secs(10)))?;
//!
//! let client = Req::new(&ctx)?;
//! client.connect(broker.frontend_endpoint())?;
//! let (reply, _client) = client.send("hello")?.recv()?;
//! assert_eq!(reply, "hello!");
//!
//! let counters = broker.stop()?;
//! assert_eq!((counters.frontend_in, counters.backend_out), (1, 1));
//! assert_eq!((counters.backend_in, counters.frontend_out), (2, 1)); // READY, the reply
//! ctx.shutdown()?;                                  // the worker's normal stop
//! assert_eq!(worker.join().expect("worker thread")?, 1);
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::options::PollEvents;
use crate::poll::Poller;
use crate::sendable::Sendable;
use crate::typed::{Pair, Req, Routed, Router, RoutingId};

use super::handle::{terminated, Background, Counters, Shared};

/// What a worker sends first, to say it is ready: the one frame `READY`.
pub const READY: &str = "READY";

/// What the broker loop shares with its handle.
#[derive(Debug, Default)]
struct State {
    counters: Counters,
    /// `READY` messages received: workers that announced themselves.
    workers: usize,
    /// How the loop ended, once it has (set before its thread returns, or unwinds).
    ended: Option<Error>,
}

/// Records how the loop ended, for the handle's waiters: its error, or a panic when it
/// unwinds without one.
struct EndGuard(Arc<Shared<State>>);

impl Drop for EndGuard {
    fn drop(&mut self) {
        self.0.update(|s| {
            if s.ended.is_none() {
                s.ended = Some(Error::ThreadPanicked {
                    what: "load balancer",
                });
            }
        });
    }
}

/// The load-balancing broker (ROUTER frontend for clients, ROUTER backend for [`LbWorker`]s,
/// both bound), on a thread of its own. See [the module docs](self) for the pattern and
/// [`super::handle`] for what the handle promises (stop, drop, the context's shutdown).
pub struct LoadBalancer {
    frontend: String,
    backend: String,
    shared: Arc<Shared<State>>,
    thread: Background,
}

impl fmt::Debug for LoadBalancer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoadBalancer")
            .field("frontend", &self.frontend)
            .field("backend", &self.backend)
            .field("state", &*self.shared.lock())
            .field("thread", &self.thread)
            .finish()
    }
}

impl LoadBalancer {
    /// Binds a ROUTER on `frontend` (for the clients) and a ROUTER on `backend` (for the
    /// workers), both with `ZMQ_ROUTER_MANDATORY`, and starts the broker loop on a thread of
    /// its own. Endpoints may use a wildcard (`tcp://127.0.0.1:*`):
    /// [`LoadBalancer::frontend_endpoint`] and [`LoadBalancer::backend_endpoint`] say where
    /// they were bound.
    ///
    /// Wraps `zmq_socket`, `zmq_setsockopt` and `zmq_bind`; the loop, `zmq_poll`,
    /// `zmq_msg_recv` and `zmq_msg_send` ([man zmq_poll](http://api.zeromq.org/4-3:zmq-poll)).
    pub fn start(ctx: &Context, frontend: &str, backend: &str) -> Result<LoadBalancer> {
        let clients = Router::new(ctx)?;
        clients.set_router_mandatory(true)?;
        let frontend = clients.bind(frontend)?.to_string();
        let workers = Router::new(ctx)?;
        workers.set_router_mandatory(true)?;
        let backend = workers.bind(backend)?.to_string();
        let shared = Shared::new(State::default());
        let state = Arc::clone(&shared);
        let thread = Background::spawn(ctx, "load balancer", move |control| {
            let guard = EndGuard(state);
            let result = Broker {
                clients: &clients,
                workers: &workers,
                shared: &guard.0,
                free: VecDeque::new(),
                busy: HashSet::new(),
            }
            .run(&control);
            let ended = match &result {
                Err(e) if !e.is_terminated() => e.clone(),
                // The context's shutdown; or a stop by the handle, which is gone then (or
                // waits for the thread, not for this).
                _ => terminated("load balancer"),
            };
            guard.0.update(|s| s.ended = Some(ended));
            result
        })?;
        Ok(LoadBalancer {
            frontend,
            backend,
            shared,
            thread,
        })
    }

    /// Where the frontend is bound, for clients to connect to (`ZMQ_LAST_ENDPOINT`).
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn frontend_endpoint(&self) -> &str {
        &self.frontend
    }

    /// Where the backend is bound, for workers to connect to (`ZMQ_LAST_ENDPOINT`).
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn backend_endpoint(&self) -> &str {
        &self.backend
    }

    /// The messages moved so far, live. After the context's shutdown, `Err(e)` with
    /// [`Error::is_terminated`]; a loop that failed or panicked, its error.
    ///
    /// Reads the broker's own counts; asks `ZMQ_EVENTS` (`zmq_getsockopt`) of the handle's
    /// control socket whether the context was shut down.
    pub fn counters(&self) -> Result<Counters> {
        let counters = {
            let state = self.shared.lock();
            match &state.ended {
                Some(error) => return Err(error.clone()),
                None => state.counters,
            }
        };
        // Shut down, but the loop may not have seen it yet: the same answer all the same.
        if self.thread.context_shut_down() {
            return Err(terminated("load balancer"));
        }
        Ok(counters)
    }

    /// Waits until `n` workers have announced themselves with [`READY`] (since the start;
    /// a worker that says it again while free is not counted twice), or `timeout` passes ([`Error::TimedOut`]; `None`: no limit). Clients that send after
    /// it returns see every one of those workers used before any is used twice.
    /// [`Error::is_terminated`] when the context is shut down meanwhile.
    ///
    /// Waits on the broker's own counts; calls nothing.
    pub fn wait_for_workers(&self, n: usize, timeout: Option<Duration>) -> Result<()> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let arrived = self.shared.wait_until(
            deadline,
            |state| state.workers >= n,
            |state| state.ended.clone(),
        )?;
        if arrived {
            Ok(())
        } else {
            let seen = self.shared.lock().workers;
            Err(Error::TimedOut(Detail::new(format!(
                "{seen} of the {n} workers awaited had announced themselves"
            ))))
        }
    }

    /// Stops the broker and returns its final counters, exact (the loop has ended when they
    /// are read). The sockets are closed. After the context's shutdown, `Err(e)` with
    /// [`Error::is_terminated`].
    ///
    /// Wraps `zmq_msg_send` on the broker's inproc control PAIR.
    pub fn stop(self) -> Result<Counters> {
        let LoadBalancer { thread, shared, .. } = self;
        thread.stop()?;
        let counters = shared.lock().counters;
        Ok(counters)
    }
}

/// The broker loop's sockets and state.
struct Broker<'a> {
    clients: &'a Router,
    workers: &'a Router,
    shared: &'a Shared<State>,
    /// Free workers, the one free the longest first.
    free: VecDeque<RoutingId>,
    /// Workers given a request and not answered yet: only their replies are routed.
    busy: HashSet<RoutingId>,
}

/// A request on its way to a worker: `[client id][][request...]`.
type Request = Multipart;

impl Broker<'_> {
    /// Polls the control socket and the backend always, the frontend only while a worker is
    /// free and no request is waiting for one; returns when anything arrives on `control`.
    fn run(mut self, control: &Pair) -> Result<()> {
        let mut waiting: Option<Request> = None;
        let mut poller = Poller::new();
        let stop = poller.add(control, PollEvents::IN);
        let from_workers = poller.add(self.workers, PollEvents::IN);
        let from_clients = poller.add(self.clients, PollEvents::NONE);
        loop {
            let take_requests = waiting.is_none() && !self.free.is_empty();
            let interest = if take_requests {
                PollEvents::IN
            } else {
                PollEvents::NONE
            };
            poller.set_interest(from_clients, interest)?;
            let ready = poller.poll(None)?;
            let stopping = ready.is_readable(stop);
            let worker_ready = ready.is_readable(from_workers);
            let client_ready = take_requests && ready.is_readable(from_clients);
            if stopping {
                return Ok(());
            }
            if worker_ready {
                if let Some(message) = receive(self.workers)? {
                    if self.on_worker_message(message)? {
                        if let Some(request) = waiting.take() {
                            waiting = self.dispatch(request)?;
                        }
                    }
                }
            }
            if client_ready {
                if let Some(Routed { id, mut body }) = receive(self.clients)? {
                    // A request carries its envelope up to an empty delimiter (a REQ's is
                    // just the delimiter; a correlating REQ's has its request id first), so
                    // that the worker can give it back: one without is dropped.
                    let enveloped = body.iter().any(|frame| frame.is_empty());
                    self.shared.update(|s| {
                        s.counters.frontend_in += 1;
                        s.counters.dropped += u64::from(!enveloped);
                    });
                    if enveloped {
                        body.push_front(id.into_message());
                        waiting = self.dispatch(body)?;
                    }
                }
            }
        }
    }

    /// Takes a worker's message: `READY` from a worker not already free, or the reply of
    /// a busy worker, which goes to its client. `true` when the worker is free again (it is
    /// then at the back of the free queue). Anything else is dropped and counted: a second
    /// `READY` from a free worker, a reply nobody asked for (the worker stays as it was),
    /// a message that is neither (a busy worker that sends one is forgotten: it does not
    /// speak the protocol, and its request is lost).
    fn on_worker_message(&mut self, message: Routed) -> Result<bool> {
        let Routed { id, body } = message;
        let rest = match body.split_envelope() {
            Ok((envelope, rest)) if envelope.is_empty() => Some(rest),
            _ => None,
        };
        let was_busy = self.busy.remove(&id);
        let free = match rest {
            Some(rest) if rest == READY && !self.free.contains(&id) => {
                // A busy worker that says READY again has started over: not a new one.
                self.shared.update(|s| {
                    s.counters.backend_in += 1;
                    s.workers += usize::from(!was_busy);
                });
                true
            }
            Some(reply) if reply.len() >= 2 && was_busy => {
                self.shared.update(|s| s.counters.backend_in += 1);
                self.reply(reply)?;
                true
            }
            _ => {
                self.shared.update(|s| {
                    s.counters.backend_in += 1;
                    s.counters.dropped += 1;
                });
                false
            }
        };
        if free {
            self.free.push_back(id);
        }
        Ok(free)
    }

    /// Sends `[client id][][reply...]` to its client, without waiting: a client that has
    /// gone (or cannot take it) loses it, counted as dropped.
    ///
    /// Sends under the counters' lock (a send that never waits), so that whoever has the
    /// message also sees it counted.
    fn reply(&self, reply: Multipart) -> Result<()> {
        self.shared.update(|s| match self.clients.try_send(reply) {
            Ok(None) => {
                s.counters.frontend_out += 1;
                Ok(())
            }
            Err(e) if e.is_terminated() => Err(e.into_error()),
            Ok(Some(_)) | Err(_) => {
                s.counters.dropped += 1;
                Ok(())
            }
        })
    }

    /// Gives `request` to the worker free the longest; one that has gone is forgotten and the
    /// next is tried. The request back when no free worker took it. Sends under the counters'
    /// lock, as [`Broker::reply`] does.
    fn dispatch(&mut self, mut request: Request) -> Result<Option<Request>> {
        while let Some(worker) = self.free.pop_front() {
            request.push_front(Message::new());
            let worker_id = worker.clone();
            let routed = Routed::new(worker, request);
            let sent = self.shared.update(|s| {
                let sent = self.workers.try_send(routed);
                if matches!(sent, Ok(None)) {
                    s.counters.backend_out += 1;
                }
                sent
            });
            let unsent = match sent {
                Ok(None) => {
                    self.busy.insert(worker_id);
                    return Ok(None);
                }
                Ok(Some(unsent)) => unsent,
                Err(e) if e.is_terminated() => return Err(e.into_error()),
                Err(e) => e.into_message(),
            };
            // [worker id][][client id][][request...]: back to the request alone.
            request = unsent.into_frames().into_iter().skip(2).collect();
        }
        Ok(Some(request))
    }
}

/// The next message of a ROUTER that poll said is readable; `None` if it was not there
/// after all, or was not routed (libzmq always gives an id and a body; never fatal).
fn receive(router: &Router) -> Result<Option<Routed>> {
    match router.try_recv() {
        Ok(message) => Ok(message),
        Err(Error::Malformed(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The worker side of the [`LoadBalancer`]: a REQ socket connected to its backend, that
/// announces itself with [`READY`] and then serves one request at a time.
pub struct LbWorker {
    req: Req,
    backend: String,
}

impl fmt::Debug for LbWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LbWorker")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl LbWorker {
    /// Connects a REQ socket to the broker's `backend`. Nothing is sent yet:
    /// [`LbWorker::serve`] announces the worker.
    ///
    /// Wraps `zmq_socket` and `zmq_connect`
    /// ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    pub fn connect(ctx: &Context, backend: &str) -> Result<LbWorker> {
        let req = Req::new(ctx)?;
        req.connect(backend)?;
        Ok(LbWorker {
            req,
            backend: backend.to_string(),
        })
    }

    /// The REQ socket, to set options on before serving. Calls nothing.
    pub fn socket(&self) -> &Req {
        &self.req
    }

    /// Sends [`READY`], then serves requests: calls `f` with each request's body (the
    /// client's whole request, every frame) and sends what it returns (a frame or a whole
    /// message) back to that client. Stops after `limit` replies (`None`: no limit; `Some(0)`
    /// returns at once, without announcing the worker), or when the context is shut down,
    /// both `Ok` with the number of requests served. [`Error::Malformed`] for a request
    /// without the client's envelope (not from a [`LoadBalancer`]). A panic in `f` comes
    /// out of `serve`, and its request is lost, as with a worker that dies.
    ///
    /// Wraps `zmq_msg_send` and `zmq_msg_recv`
    /// ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn serve<F, R>(self, limit: Option<u64>, mut f: F) -> Result<u64>
    where
        F: FnMut(Multipart) -> R,
        R: Sendable,
    {
        let mut served = 0;
        if limit == Some(0) {
            return Ok(served);
        }
        let mut waiting = match self.req.send(READY) {
            Ok(waiting) => waiting,
            Err(failed) if failed.error().is_terminated() => return Ok(served),
            Err(failed) => return Err(failed.into()),
        };
        loop {
            let (request, ready) = match waiting.recv() {
                Ok(received) => received,
                Err(failed) if failed.error().is_terminated() => return Ok(served),
                Err(failed) => return Err(failed.into()),
            };
            let (envelope, body) = request.split_envelope().map_err(|request| {
                Error::Malformed(format!(
                    "a load-balancer request starts with the client's envelope; this one has \
                     {} frames and no empty delimiter",
                    request.len()
                ))
            })?;
            let reply = Multipart::join_envelope(envelope, f(body).into_multipart());
            waiting = match ready.send(reply) {
                Ok(waiting) => waiting,
                Err(failed) if failed.error().is_terminated() => return Ok(served),
                Err(failed) => return Err(failed.into()),
            };
            served += 1;
            if limit.is_some_and(|limit| served >= limit) {
                return Ok(served);
            }
        }
    }
}
