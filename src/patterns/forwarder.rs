//! The publish-subscribe forwarder: a proxy that subscribers connect to instead of the
//! publisher itself (the guide's *Espresso* and weather-update proxy), to bridge networks,
//! to fan out one upstream connection to many local subscribers, or to give subscribers a
//! stable address while publishers come and go.
//!
//! # Who binds, and why
//! - Downstream, an [`XPub`] binds: it is the address the subscribers know.
//! - Upstream, an [`XSub`] *connects* to the publisher ([`Forwarder::start`]), the usual
//!   bridge to a publisher that binds; or *binds* ([`Forwarder::start_binding`]) so that
//!   publishers connect to it, when the forwarder is the one fixed point of the network.
//!
//! Subscriptions flow up: a subscriber's subscription reaches the XPUB, which passes it on
//! (the first of each topic; the last unsubscription of each topic) to the XSUB, which sends
//! it to every upstream publisher, and replays its subscriptions to publishers that connect
//! later. Updates flow down, filtered by the publishers on those subscriptions, then by the
//! XPUB for each subscriber.
//!
//! # What it guarantees
//! Every update an upstream publisher sends after a subscriber's subscription has reached it
//! goes to that subscriber (as long as nobody falls behind by a whole high-water mark, as
//! with any PUB). A publisher that must not lose the first updates waits for the
//! subscription: upstream, an [`XPub`]'s [`XPub::recv_subscription`] tells it when (the
//! example below does).
//!
//! # What it does not guarantee
//! - Updates published before the subscription got all the way up are not delivered: the
//!   guide's *slow joiner*, one hop longer.
//! - Nothing is stored: a subscriber that disconnects misses what is published meanwhile.
//!
//! # Subscriptions are capped
//! The XSUB keeps the subscriptions it forwards in a trie that libzmq walks recursively, one
//! stack frame per byte of topic (see [the proxy's stack note][stack]): a remote subscriber
//! sending a very long topic could overflow a stack and kill the process. The downstream
//! [`XPub`] is made with a `ZMQ_MAXMSGSIZE` of
//! [`SUBSCRIPTION_MSG_MAX`](crate::limits::SUBSCRIPTION_MSG_MAX) (the longest subscription
//! to a topic of [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) bytes), as every XPUB of
//! this crate is, before it binds: a tcp or ipc subscriber that sends a longer one is
//! disconnected by libzmq and its subscription dropped, and the forwarder goes on for
//! everyone else. **Over inproc libzmq does not cap anything**: `ZMQ_MAXMSGSIZE` applies
//! only to the network transports. The crate's own sockets refuse a subscription longer than
//! `MAX_TOPIC_LEN` before it is sent ([`Error::TopicTooLong`]), whether subscribed or sent
//! as a raw `\x01topic` frame by an XSUB, typed or dynamic; but code that reaches libzmq
//! around the crate (through `zmq-ffi`, or a raw socket handle) is not checked, and a
//! subscription of a few hundred KiB sent that way over inproc can overflow a stack and kill
//! the process. Updates themselves (downstream) are not limited.
//!
//! [stack]: mod@crate::proxy#stack-what-a-proxy-forwards-into-an-xsub
//!
//! # Counters
//! Whole messages, as libzmq's proxy counts them ([`Counters`]): `frontend_in` are the
//! updates from upstream, `backend_out` those sent downstream (one each, however many
//! subscribers get it), `backend_in` the (un)subscriptions from the subscribers that the
//! XPUB passed on, `frontend_out` those sent upstream.
//!
//! ```
//! use zmq_typed::patterns::forwarder::Forwarder;
//! use zmq_typed::{Context, Sub, XPub};
//!
//! let ctx = Context::new()?;
//! let publisher = XPub::new(&ctx)?;
//! let upstream = publisher.bind("tcp://127.0.0.1:*")?;
//! let forwarder = Forwarder::start(&ctx, &upstream.to_string(), "tcp://127.0.0.1:*")?;
//!
//! let subscriber = Sub::new(&ctx)?;
//! subscriber.subscribe("weather")?;
//! subscriber.connect(forwarder.downstream_endpoint())?;
//! // The subscription has come all the way up: from now on nothing is lost.
//! assert_eq!(publisher.recv_subscription()?.topic(), b"weather");
//!
//! publisher.send("sports 1-0")?;                 // nobody downstream wants it
//! publisher.send("weather sunny")?;
//! assert_eq!(subscriber.recv()?, "weather sunny");
//! let counters = forwarder.stop()?;
//! assert_eq!((counters.backend_in, counters.frontend_out), (1, 1)); // one subscription up
//! assert_eq!((counters.frontend_in, counters.backend_out), (1, 1)); // one update down
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

use std::fmt;

use crate::context::Context;
use crate::error::Result;
use crate::typed::{XPub, XSub};

use super::handle::{Counters, ProxyHandle};

#[cfg(doc)]
use crate::error::Error;

/// The pub-sub forwarder (XSUB upstream, XPUB downstream), running libzmq's steerable proxy
/// on a thread of its own. See [the module docs](self) for the pattern and
/// [`super::handle`] for what the handle promises (stop, drop, the context's shutdown).
pub struct Forwarder {
    upstream: String,
    downstream: String,
    proxy: ProxyHandle<XSub, XPub>,
}

impl fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder")
            .field("upstream", &self.upstream)
            .field("downstream", &self.downstream)
            .field("proxy", &self.proxy)
            .finish()
    }
}

/// Which way the XSUB meets the publishers.
enum Upstream {
    Connect,
    Bind,
}

impl Forwarder {
    /// Connects an XSUB to the publisher at `upstream`, binds an XPUB on `downstream` (for
    /// the subscribers), and starts forwarding between them on a thread of its own.
    ///
    /// Wraps `zmq_socket`, `zmq_connect`, `zmq_bind` and `zmq_proxy_steerable`
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start(ctx: &Context, upstream: &str, downstream: &str) -> Result<Forwarder> {
        Forwarder::spawn(ctx, Upstream::Connect, upstream, downstream)
    }

    /// As [`Forwarder::start`], but the XSUB *binds* `upstream` and the publishers connect
    /// to it (a wildcard is fine: [`Forwarder::upstream_endpoint`] says where it bound).
    ///
    /// ```
    /// use zmq_typed::patterns::forwarder::Forwarder;
    /// use zmq_typed::{Context, Pub, Sub};
    ///
    /// let ctx = Context::new()?;
    /// let forwarder = Forwarder::start_binding(&ctx, "inproc://fwd-up", "inproc://fwd-down")?;
    /// let subscriber = Sub::new(&ctx)?;
    /// subscriber.subscribe("")?;
    /// subscriber.connect(forwarder.downstream_endpoint())?;
    /// let publisher = Pub::new(&ctx)?;
    /// publisher.connect(forwarder.upstream_endpoint())?;
    /// # let _ = (forwarder.stop()?, publisher, subscriber);
    /// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    /// ```
    ///
    /// Wraps `zmq_socket`, `zmq_bind` and `zmq_proxy_steerable`
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start_binding(ctx: &Context, upstream: &str, downstream: &str) -> Result<Forwarder> {
        Forwarder::spawn(ctx, Upstream::Bind, upstream, downstream)
    }

    fn spawn(ctx: &Context, way: Upstream, upstream: &str, downstream: &str) -> Result<Forwarder> {
        let xsub = XSub::new(ctx)?;
        let upstream = match way {
            Upstream::Connect => {
                xsub.connect(upstream)?;
                upstream.to_string()
            }
            Upstream::Bind => xsub.bind(upstream)?.to_string(),
        };
        // Made with ZMQ_MAXMSGSIZE = SUBSCRIPTION_MSG_MAX, before it binds: the cap.
        let xpub = XPub::new(ctx)?;
        let downstream = xpub.bind(downstream)?.to_string();
        Ok(Forwarder {
            upstream,
            downstream,
            proxy: ProxyHandle::start(xsub, xpub, "forwarder")?,
        })
    }

    /// The upstream endpoint: the one connected to ([`Forwarder::start`]), or where the
    /// XSUB is bound ([`Forwarder::start_binding`], `ZMQ_LAST_ENDPOINT`).
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn upstream_endpoint(&self) -> &str {
        &self.upstream
    }

    /// Where the downstream XPUB is bound, for subscribers to connect to
    /// (`ZMQ_LAST_ENDPOINT`).
    ///
    /// Calls nothing: the endpoint was read once, after the bind
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt), `ZMQ_LAST_ENDPOINT`).
    pub fn downstream_endpoint(&self) -> &str {
        &self.downstream
    }

    /// The messages moved so far, live. After the context's shutdown, `Err(e)` with
    /// [`Error::is_terminated`].
    ///
    /// Wraps the proxy's `STATISTICS` command
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn counters(&self) -> Result<Counters> {
        self.proxy.counters()
    }

    /// Stops the forwarder and returns its final counters, exact: the proxy is paused,
    /// counted, then terminated. The sockets are closed, so the subscriptions it held
    /// upstream go with the connection. After the context's shutdown, `Err(e)` with
    /// [`Error::is_terminated`].
    ///
    /// Wraps the proxy's `PAUSE`, `STATISTICS` and `TERMINATE` commands
    /// ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn stop(self) -> Result<Counters> {
        self.proxy.stop()
    }
}
