//! The Paranoid Pirate worker: a DEALER that announces itself, heartbeats the queue, and
//! starts over on a fresh socket when the queue goes silent.

use std::fmt;
use std::time::{Duration, Instant};

use super::{PpSettings, HEARTBEAT, READY};
use crate::context::Context;
use crate::error::Result;
use crate::multipart::Multipart;
use crate::patterns::heartbeat::{Backoff, Liveness};
use crate::sendable::Sendable;
use crate::typed::{Dealer, Pair};

/// What the worker tells its event hook.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WorkerEvent {
    /// A reply went back to the queue.
    Replied,
    /// A reply could not be queued (the queue has gone and the socket's queue is full):
    /// dropped.
    ReplyDropped,
    /// The queue was silent for `interval × liveness`: the worker waits `backoff`, then
    /// reconnects on a fresh socket.
    HeartbeatFailure {
        /// The wait before reconnecting.
        backoff: Duration,
    },
    /// A fresh socket is connected and has sent `READY`.
    Reconnected,
    /// The queue sent something that is neither a request nor a heartbeat: dropped.
    BadMessage {
        /// How many frames it had.
        frames: usize,
    },
}

impl fmt::Display for WorkerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorkerEvent::Replied => write!(f, "I: normal reply"),
            WorkerEvent::ReplyDropped => write!(f, "W: reply dropped, the queue is not taking"),
            WorkerEvent::HeartbeatFailure { backoff } => write!(
                f,
                "W: heartbeat failure, can't reach queue\nW: reconnecting in {} msec...",
                backoff.as_millis()
            ),
            WorkerEvent::Reconnected => write!(f, "I: reconnected"),
            WorkerEvent::BadMessage { frames } => {
                write!(f, "E: invalid message ({frames} frames)")
            }
        }
    }
}

type WorkerHook = Box<dyn FnMut(&WorkerEvent) + Send>;

/// A Paranoid Pirate worker; see [the module docs](super).
pub struct PpWorker {
    ctx: Context,
    endpoint: String,
    settings: PpSettings,
    socket: Dealer,
    liveness: Liveness,
    backoff: Backoff,
    hook: Option<WorkerHook>,
}

impl fmt::Debug for PpWorker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PpWorker")
            .field("endpoint", &self.endpoint)
            .field("settings", &self.settings)
            .field("liveness", &self.liveness)
            .finish_non_exhaustive()
    }
}

/// A DEALER connected to `endpoint`, that has sent `READY`. It keeps the context's linger,
/// so that the last reply still leaves when the worker is dropped after serving.
fn announce(ctx: &Context, endpoint: &str) -> Result<Dealer> {
    let socket = Dealer::new(ctx)?;
    socket.connect(endpoint)?;
    // The pipe exists once connect returns: the message waits there for the connection.
    socket.send(READY).map_err(|e| e.into_error())?;
    Ok(socket)
}

/// Whether `message` is `[envelope...][][request...]` with a non-empty envelope and body.
pub(super) fn is_request(message: &Multipart) -> bool {
    message
        .iter()
        .position(|frame| frame.is_empty())
        .is_some_and(|at| at >= 1 && at + 1 < message.len())
}

impl PpWorker {
    /// Connects a DEALER to the queue's backend at `endpoint` and sends `READY`.
    ///
    /// Wraps `zmq_socket`, `zmq_connect` and `zmq_msg_send`.
    pub fn connect(ctx: &Context, endpoint: &str, settings: PpSettings) -> Result<PpWorker> {
        let socket = announce(ctx, endpoint)?;
        let liveness = Liveness::new(settings.interval(), settings.liveness(), Instant::now())?;
        Ok(PpWorker {
            ctx: ctx.clone(),
            endpoint: endpoint.to_string(),
            settings,
            socket,
            liveness,
            backoff: Backoff::new(settings.interval()),
            hook: None,
        })
    }

    /// Calls `hook` for each [`WorkerEvent`], on the thread that serves.
    pub fn on_event(mut self, hook: impl FnMut(&WorkerEvent) + Send + 'static) -> PpWorker {
        self.hook = Some(Box::new(hook));
        self
    }

    /// The DEALER now in use (a reconnection replaces it). Calls nothing.
    pub fn socket(&self) -> &Dealer {
        &self.socket
    }

    fn event(&mut self, event: WorkerEvent) {
        if let Some(hook) = self.hook.as_mut() {
            hook(&event);
        }
    }

    /// Serves requests with `handler` (it gets the request's frames after the envelope and
    /// returns the reply; a reply of no frames goes out as one empty frame) until `limit` replies have been sent (`None`: for ever), keeping
    /// the heartbeats both ways and reconnecting as [the module docs](super) say. Returns the
    /// replies sent; the context's shutdown ends it with an error whose `is_terminated()` is
    /// true.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_RCVTIMEO`, `zmq_msg_send` with `ZMQ_DONTWAIT`, and on
    /// a reconnection `zmq_close` (with `ZMQ_LINGER` 0), `zmq_socket` and `zmq_connect`.
    pub fn serve<R, F>(&mut self, limit: Option<u64>, mut handler: F) -> Result<u64>
    where
        F: FnMut(Multipart) -> R,
        R: Sendable,
    {
        let mut served = 0u64;
        loop {
            if limit.is_some_and(|l| served >= l) {
                return Ok(served);
            }
            let timeout = self.liveness.until_next(Instant::now());
            match self.socket.recv_timeout(timeout) {
                Ok(message) => {
                    self.liveness.heard(Instant::now());
                    self.backoff.reset();
                    if is_request(&message) {
                        // [client id][][request...]: everything up to the first empty frame
                        // is the envelope (more than the client id when the client is
                        // behind another hop, or is a REQ with ZMQ_REQ_CORRELATE).
                        let Ok((envelope, body)) = message.split_envelope() else {
                            continue;
                        };
                        let mut answer = handler(body).into_multipart();
                        if answer.is_empty() {
                            // A REQ cannot take a reply of no frames (nor the queue pass
                            // it on): the empty reply is one empty frame.
                            answer.push_back(Vec::<u8>::new());
                        }
                        let reply = Multipart::join_envelope(envelope, answer);
                        match self.socket.try_send(reply) {
                            Ok(None) => {
                                served += 1;
                                self.event(WorkerEvent::Replied);
                            }
                            Err(e) if e.error().is_terminated() => return Err(e.into_error()),
                            Ok(Some(_)) | Err(_) => self.event(WorkerEvent::ReplyDropped),
                        }
                        // The queue does not heartbeat a busy worker: the time spent on the
                        // request is not its silence.
                        self.liveness.heard(Instant::now());
                    } else if !(message.len() == 1 && message[0] == HEARTBEAT) {
                        self.event(WorkerEvent::BadMessage {
                            frames: message.len(),
                        });
                    }
                }
                Err(e) if e.is_timeout() => {}
                Err(e) => return Err(e),
            }
            let now = Instant::now();
            if self.liveness.expired(now) {
                self.reconnect()?;
                continue;
            }
            if self.liveness.beat_due(now) {
                match self.socket.try_send(HEARTBEAT) {
                    Err(e) if e.error().is_terminated() => return Err(e.into_error()),
                    _ => {}
                }
                self.liveness.beat_sent(now);
            }
        }
    }

    /// Waits the back-off (cut short by the context's shutdown), then starts over on a
    /// fresh socket.
    fn reconnect(&mut self) -> Result<()> {
        let backoff = self.backoff.next_delay();
        self.event(WorkerEvent::HeartbeatFailure { backoff });
        let parked = Pair::new(&self.ctx)?;
        match parked.recv_timeout(backoff) {
            Err(e) if e.is_timeout() => {}
            Err(e) => return Err(e),
            Ok(_) => {}
        }
        // The old socket closes at once as the new one takes its place: what is queued in
        // it is for a queue that is not answering.
        self.socket.set_linger(Some(Duration::ZERO))?;
        self.socket = announce(&self.ctx, &self.endpoint)?;
        let settings = self.settings;
        self.liveness = Liveness::new(settings.interval(), settings.liveness(), Instant::now())?;
        self.event(WorkerEvent::Reconnected);
        Ok(())
    }
}
