//! What the brokers of this module share: each runs on a thread of its own, behind a handle
//! that counts what it moves ([`Counters`]), stops it promptly (`stop`), and stops it when
//! dropped, never waiting for ever.
//!
//! # The handle's promises
//! The three brokers ([`RequestReplyBroker`](super::broker::RequestReplyBroker),
//! [`LoadBalancer`](super::load_balancer::LoadBalancer),
//! [`Forwarder`](super::forwarder::Forwarder)) have the same three calls:
//!
//! - `counters()`: what the broker has moved so far, while it runs.
//! - `stop(self)`: stops the broker and returns its final counters, exact (nothing moves
//!   between the count and the stop). Prompt: the broker thread wakes on a command sent over
//!   an inproc PAIR (its own, or the steerable proxy's control socket). It waits at most
//!   [`STOP_GRACE`] for a thread that does not answer, and then says so
//!   ([`Error::TimedOut`]) rather than hang.
//! - dropping the handle stops the broker too, and waits at most [`STOP_GRACE`] for its
//!   thread: dropping never hangs and never panics, whatever happened to the thread.
//!
//! # The context's shutdown
//! [`Context::shutdown`](crate::Context::shutdown) (or Ctrl-C through
//! [`Context::shutdown_on_ctrl_c`](crate::Context::shutdown_on_ctrl_c)) ends every broker
//! of the context: its thread returns at once. From then on `counters()` and `stop()` return
//! `Err(e)` with [`e.is_terminated()`](Error::is_terminated) true, at once: the same
//! answer every blocking call of the crate gives after the shutdown, so a program maps it to
//! its clean exit. (The final counters of a broker stopped that way are not known: the
//! steerable proxy cannot be asked once the context is gone.)
//!
//! A broker thread that failed in any other way, or panicked ([`Error::ThreadPanicked`]),
//! is reported by `stop()` and `counters()` as that error.

use std::fmt;
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::condvar_wait::wait_for;
use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::proxy::{ProxySocket, ProxyStats, SteerableProxy};
use crate::typed::Pair;

/// How long `stop()` and dropping a broker's handle wait at most for its thread (which
/// answers at once unless something is badly wrong): 2 seconds, the steerable proxy's own
/// [`DROP_GRACE`](crate::proxy::DROP_GRACE).
pub const STOP_GRACE: Duration = crate::proxy::DROP_GRACE;

/// What a broker has moved, in whole messages (a multipart message counts one, however many
/// frames it has), counted as `zmq_proxy_steerable`'s `STATISTICS` counts them (libzmq 4.3.4
/// counts whole messages there). A request from a [`Req`](crate::Req) client through a
/// broker is one message in on the frontend and one out on the backend; its reply, one in on
/// the backend and one out on the frontend. Each broker's docs say what its sides are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Counters {
    /// Messages received on the frontend.
    pub frontend_in: u64,
    /// Messages sent on the frontend.
    pub frontend_out: u64,
    /// Messages received on the backend.
    pub backend_in: u64,
    /// Messages sent on the backend.
    pub backend_out: u64,
    /// Messages the broker received and dropped: undeliverable (the peer they were for
    /// had gone) or malformed. Only the [load balancer](super::load_balancer) can tell; it
    /// is 0 for the brokers built on libzmq's proxy, which drops silently.
    pub dropped: u64,
}

impl From<ProxyStats> for Counters {
    fn from(stats: ProxyStats) -> Counters {
        Counters {
            frontend_in: stats.frontend.messages_in,
            frontend_out: stats.frontend.messages_out,
            backend_in: stats.backend.messages_in,
            backend_out: stats.backend.messages_out,
            dropped: 0,
        }
    }
}

/// The error a handle reports for a broker whose proxy has stopped: the context's shutdown
/// as [`Error::Terminated`] itself (so `is_terminated()` says it), a panic as
/// [`Error::ThreadPanicked`] naming the broker, anything else as it is.
fn proxy_error(error: Error, what: &'static str) -> Error {
    match error {
        Error::ProxyStopped { cause: Some(cause) } => match *cause {
            Error::Terminated(_) => terminated(what),
            Error::ThreadPanicked { .. } => Error::ThreadPanicked { what },
            other => Error::ProxyStopped {
                cause: Some(Box::new(other)),
            },
        },
        Error::Terminated(_) => terminated(what),
        other => other,
    }
}

/// [`Error::Terminated`], saying which broker the context's shutdown stopped.
pub(crate) fn terminated(what: &'static str) -> Error {
    Error::Terminated(Detail::new(format!(
        "the context was shut down, which stopped the {what}"
    )))
}

/// A broker over [`SteerableProxy`]: counters from `STATISTICS`, an exact final count.
pub(crate) struct ProxyHandle<F: ProxySocket, B: ProxySocket> {
    proxy: SteerableProxy<F, B>,
    what: &'static str,
}

impl<F: ProxySocket, B: ProxySocket> ProxyHandle<F, B> {
    /// Starts the proxy between `frontend` and `backend` on its own thread.
    pub(crate) fn start(frontend: F, backend: B, what: &'static str) -> Result<Self> {
        Ok(ProxyHandle {
            proxy: SteerableProxy::start(frontend, backend)?,
            what,
        })
    }

    /// The proxy's `STATISTICS`, waiting at most [`STOP_GRACE`] for its answer.
    pub(crate) fn counters(&self) -> Result<Counters> {
        self.proxy
            .statistics_timeout(STOP_GRACE)
            .map(Counters::from)
            .map_err(|e| proxy_error(e, self.what))
    }

    /// `PAUSE`, `STATISTICS`, `TERMINATE`: the proxy reads its commands in order and
    /// forwards nothing once paused, so the counters are the final ones.
    pub(crate) fn stop(self) -> Result<Counters> {
        let what = self.what;
        let counted = self
            .proxy
            .pause()
            .and_then(|()| self.proxy.statistics_timeout(STOP_GRACE));
        match counted {
            Ok(stats) => {
                // Paused and answering: it reads TERMINATE next, at once.
                self.proxy
                    .terminate()
                    .map_err(|e| proxy_error(e.into(), what))?;
                Ok(stats.into())
            }
            Err(e) if e.is_timeout() => {
                // Blocked somewhere: dropping gives up after its own grace.
                drop(self.proxy);
                Err(Error::TimedOut(Detail::new(format!(
                    "the {what} did not answer within {STOP_GRACE:?}; its thread is left to \
                     finish on its own"
                ))))
            }
            Err(e) => {
                // Stopped already: collecting the thread is prompt.
                let _ = self.proxy.terminate();
                Err(proxy_error(e, what))
            }
        }
    }
}

impl<F: ProxySocket, B: ProxySocket> fmt::Debug for ProxyHandle<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.proxy, f)
    }
}

/// State a hand-written broker loop shares with its handle: `T` under a mutex, with a
/// condition variable notified at each change, and the thread's end.
pub(crate) struct Shared<T> {
    state: Mutex<T>,
    changed: Condvar,
}

impl<T> Shared<T> {
    pub(crate) fn new(state: T) -> Arc<Shared<T>> {
        Arc::new(Shared {
            state: Mutex::new(state),
            changed: Condvar::new(),
        })
    }

    /// The state, locked. A panic while it was held (there is none in this crate's loops)
    /// leaves it as it was: counts are still counts.
    pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes the state and wakes the waiters.
    pub(crate) fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        let result = change(&mut self.lock());
        self.changed.notify_all();
        result
    }

    /// Waits until `done` holds for the state, or `deadline` passes (`false`), or `stopped`
    /// says the thread has ended (its error).
    pub(crate) fn wait_until(
        &self,
        deadline: Option<Instant>,
        mut done: impl FnMut(&T) -> bool,
        stopped: impl Fn(&T) -> Option<Error>,
    ) -> Result<bool> {
        let answer = wait_for(self.lock(), &self.changed, deadline, |state| {
            if done(state) {
                Some(Ok(true))
            } else {
                stopped(state).map(Err)
            }
        });
        answer.unwrap_or(Ok(false))
    }
}

/// A broker loop on a thread of its own, woken by an inproc PAIR: the loop polls its end
/// (`control`) with its sockets and returns `Ok(())` when anything arrives there.
pub(crate) struct Background {
    control: Pair,
    thread: Option<JoinHandle<Result<()>>>,
    /// Disconnected once the thread has returned (or unwound from a panic).
    done: mpsc::Receiver<()>,
    what: &'static str,
}

impl fmt::Debug for Background {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.thread.is_none() {
            "gone"
        } else if self.finished() {
            "stopped"
        } else {
            "running"
        };
        f.debug_struct("Background")
            .field("what", &self.what)
            .field("state", &state)
            .finish_non_exhaustive()
    }
}

impl Background {
    /// Spawns `body` on a thread named `zmq-typed-<what>`, giving it the far end of the
    /// control pair.
    pub(crate) fn spawn<Body>(ctx: &Context, what: &'static str, body: Body) -> Result<Background>
    where
        Body: FnOnce(Pair) -> Result<()> + Send + 'static,
    {
        let endpoint = crate::inproc_name::unique("broker-control");
        let inner = Pair::new(ctx)?;
        inner.set_linger(Some(Duration::ZERO))?;
        inner.bind(endpoint.as_str())?;
        let control = Pair::new(ctx)?;
        control.set_linger(Some(Duration::ZERO))?;
        control.connect(endpoint.as_str())?;
        let (done_tx, done) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name(format!("zmq-typed-{}", what.replace(' ', "-")))
            .spawn(move || {
                let _done = done_tx;
                body(inner)
            })
            .map_err(|e| Error::ThreadSpawn {
                what,
                reason: e.to_string(),
            })?;
        Ok(Background {
            control,
            thread: Some(thread),
            done,
            what,
        })
    }

    /// Whether the thread has returned (or is returning: joining it then is prompt).
    fn finished(&self) -> bool {
        matches!(self.done.try_recv(), Err(mpsc::TryRecvError::Disconnected))
    }

    /// Whether the context has been shut down, even if the loop has not noticed yet: a
    /// socket of a shut-down context answers `ZMQ_EVENTS` with `ETERM` at once (libzmq
    /// queues the stop for every socket before `zmq_ctx_shutdown` returns).
    pub(crate) fn context_shut_down(&self) -> bool {
        matches!(self.control.events(), Err(e) if e.is_terminated())
    }

    /// Asks the loop to stop; never blocks (a context that is shut down stops it anyway).
    fn ask_to_stop(&self) {
        let _ = self.control.try_send("STOP");
    }

    /// Waits at most `grace` for the thread to end; `true` when it has.
    fn wait_done(&self, grace: Duration) -> bool {
        matches!(
            self.done.recv_timeout(grace),
            Err(mpsc::RecvTimeoutError::Disconnected)
        )
    }

    /// Collects a finished thread's outcome (prompt: it has returned).
    fn join(&mut self) -> Result<()> {
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(Ok(()))) => Ok(()),
            Some(Ok(Err(e))) if e.is_terminated() => Err(terminated(self.what)),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_panic)) => Err(Error::ThreadPanicked { what: self.what }),
            None => Err(Error::ThreadPanicked { what: self.what }),
        }
    }

    /// Stops the loop and waits at most [`STOP_GRACE`] for it: its outcome, or
    /// [`Error::TimedOut`] (the thread is then left to finish on its own).
    pub(crate) fn stop(mut self) -> Result<()> {
        self.ask_to_stop();
        if self.wait_done(STOP_GRACE) {
            self.join()
        } else {
            // Left running: dropping must not wait for it a second time.
            self.thread = None;
            Err(Error::TimedOut(Detail::new(format!(
                "the {} did not stop within {STOP_GRACE:?}; its thread is left to finish on \
                 its own",
                self.what
            ))))
        }
    }
}

impl Drop for Background {
    /// Stops the loop and waits at most [`STOP_GRACE`] for its thread; never panics (a
    /// thread that panicked is joined quietly), never waits for ever (a thread that does
    /// not end in time is left to finish on its own).
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.ask_to_stop();
            if self.wait_done(STOP_GRACE) {
                let _ = self.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::PollEvents;

    /// A loop that polls its control socket, as the brokers do.
    fn obedient(control: Pair) -> Result<()> {
        crate::poll::poll(&[(&control, PollEvents::IN, ())], None)?;
        Ok(())
    }

    #[test]
    fn stop_wakes_the_loop() {
        let ctx = Context::new().unwrap();
        let bg = Background::spawn(&ctx, "test loop", obedient).unwrap();
        assert!(bg.stop().is_ok());
    }

    #[test]
    fn a_panic_is_an_error_for_stop_and_nothing_for_drop() {
        let ctx = Context::new().unwrap();
        let bg = Background::spawn(&ctx, "test loop", |_control| panic!("on purpose")).unwrap();
        let error = bg.stop().unwrap_err();
        assert!(
            matches!(error, Error::ThreadPanicked { what: "test loop" }),
            "{error:?}"
        );

        let bg = Background::spawn(&ctx, "test loop", |_control| panic!("on purpose")).unwrap();
        drop(bg);
    }

    #[test]
    fn the_shutdown_is_terminated() {
        let ctx = Context::new().unwrap();
        let bg = Background::spawn(&ctx, "test loop", obedient).unwrap();
        ctx.shutdown().unwrap();
        assert!(bg.stop().unwrap_err().is_terminated());
    }

    #[test]
    fn a_loop_that_does_not_listen_is_given_up() {
        let ctx = Context::new().unwrap();
        let (release, wait) = mpsc::channel::<()>();
        let bg = Background::spawn(&ctx, "deaf loop", move |_control| {
            let _ = wait.recv();
            Ok(())
        })
        .unwrap();
        assert!(bg.stop().unwrap_err().is_timeout());
        let (release2, wait2) = mpsc::channel::<()>();
        let bg = Background::spawn(&ctx, "deaf loop", move |_control| {
            let _ = wait2.recv();
            Ok(())
        })
        .unwrap();
        drop(bg); // returns after the grace
        drop((release, release2));
    }
}
