//! The request-reply broker: many [`Req`](crate::Req) clients, many [`Rep`](crate::Rep)
//! workers, and one broker between them that neither side needs to know about (the
//! guide's `rrbroker` and `msgqueue`).
//!
//! # What for
//! Without a broker, every client connects to every worker, and adding a worker means
//! telling every client. With one, clients and workers know a single address each: clients
//! connect to the broker's frontend, workers to its backend, and either side can grow or
//! shrink while the broker runs.
//!
//! # Who binds, and why
//! The broker is the stable piece, so it binds both sides: a ROUTER frontend (it remembers
//! which client each request came from, by the routing id it puts in front) and a DEALER
//! backend (it hands requests out round robin to the workers and takes their replies in
//! fair turn). Clients and workers connect, and come and go.
//!
//! # What it guarantees
//! - Every reply goes back to the client that asked: the request travels with its envelope
//!   (`[client id][]`), the REP worker sends the envelope back with its reply, and the
//!   ROUTER routes it by that id.
//! - Requests are spread round robin over the workers connected when each is sent; a worker
//!   that is busy still gets its turn (its requests queue up behind the one it is serving).
//!   When every worker has to be given work as it becomes free, use the
//!   [load balancer](super::load_balancer) instead.
//! - With no worker connected, requests wait in the clients' queues (libzmq's proxy does not
//!   read the frontend while the backend cannot send), and go out when one connects.
//!
//! # What it does not guarantee
//! - A request in flight to a worker that dies is lost, and its client waits for ever for
//!   the reply: a client that cannot wait for ever uses a receive timeout and retries on a
//!   fresh socket (the guide's *Lazy Pirate*, issue 10's reliability kit).
//! - A reply whose client has gone is dropped, silently.
//!
//! # Counters
//! Whole messages, as libzmq's proxy counts them ([`Counters`]): each request is one message
//! in on the frontend and one out on the backend, each reply one in on the backend and one
//! out on the frontend, whatever their number of frames. A reply that the ROUTER drops
//! (its client has gone, or it names no client) still counts as sent, and
//! [`Counters::dropped`] stays 0: the proxy cannot tell.
//!
//! ```
//! use zmq_typed::patterns::broker::RequestReplyBroker;
//! use zmq_typed::{Context, Rep, Req};
//!
//! let ctx = Context::new()?;
//! let broker = RequestReplyBroker::start(&ctx, "tcp://127.0.0.1:*", "inproc://rr-doc")?;
//!
//! let worker = Rep::new(&ctx)?;
//! worker.connect(broker.backend_endpoint())?;
//! let worker = std::thread::spawn(move || worker.serve(|request| format!("{request} done")));
//!
//! let client = Req::new(&ctx)?;
//! client.connect(broker.frontend_endpoint())?;
//! let (reply, _client) = client.send("job")?.recv()?;
//! assert_eq!(reply, "job done");
//!
//! let counters = broker.stop()?;                  // exact: one request, one reply
//! assert_eq!((counters.frontend_in, counters.backend_out), (1, 1));
//! assert_eq!((counters.backend_in, counters.frontend_out), (1, 1));
//! ctx.shutdown()?;                                // ends the worker's serve loop
//! assert!(worker.join().expect("worker thread").is_ok());
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

use std::fmt;

use crate::context::Context;
use crate::error::Result;
use crate::typed::{Dealer, Router};

use super::handle::{Counters, ProxyHandle};

#[cfg(doc)]
use crate::error::Error;

/// The request-reply broker (ROUTER frontend, DEALER backend, both bound), running libzmq's
/// steerable proxy on a thread of its own. See [the module docs](self) for the pattern and
/// [`super::handle`] for what the handle promises (stop, drop, the context's shutdown).
pub struct RequestReplyBroker {
    frontend: String,
    backend: String,
    proxy: ProxyHandle<Router, Dealer>,
}

impl fmt::Debug for RequestReplyBroker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestReplyBroker")
            .field("frontend", &self.frontend)
            .field("backend", &self.backend)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl RequestReplyBroker {
    /// Binds a ROUTER on `frontend` (for the clients) and a DEALER on `backend` (for the
    /// workers), then starts forwarding between them on a thread of its own. Endpoints may
    /// use a wildcard (`tcp://127.0.0.1:*`): [`RequestReplyBroker::frontend_endpoint`] and
    /// [`RequestReplyBroker::backend_endpoint`] say where they were bound.
    ///
    /// Wraps `zmq_socket`, `zmq_bind` and `zmq_proxy_steerable`
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start(ctx: &Context, frontend: &str, backend: &str) -> Result<RequestReplyBroker> {
        let router = Router::new(ctx)?;
        let frontend = router.bind(frontend)?.to_string();
        let dealer = Dealer::new(ctx)?;
        let backend = dealer.bind(backend)?.to_string();
        Ok(RequestReplyBroker {
            frontend,
            backend,
            proxy: ProxyHandle::start(router, dealer, "request-reply broker")?,
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
    /// [`Error::is_terminated`].
    ///
    /// Wraps the proxy's `STATISTICS` command
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn counters(&self) -> Result<Counters> {
        self.proxy.counters()
    }

    /// Stops the broker and returns its final counters, exact: the proxy is paused, counted,
    /// then terminated. The sockets are closed. After the context's shutdown, `Err(e)` with
    /// [`Error::is_terminated`].
    ///
    /// Wraps the proxy's `PAUSE`, `STATISTICS` and `TERMINATE` commands
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn stop(self) -> Result<Counters> {
        self.proxy.stop()
    }
}
