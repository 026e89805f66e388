//! Failover and retries on the client side: the guide's *Lazy Pirate*.
//!
//! # The problem
//! A REQ socket whose request gets no reply waits for ever, and cannot send again: the
//! server may have crashed, be frozen, or the request may have been lost in a broker. The
//! client must give up waiting after a while, and try again, on the same server or another.
//!
//! # What [`LazyPirate`] does
//! Each try sends the request on a REQ socket and waits at most the timeout for the reply.
//! On a timeout, the socket is closed at once (`ZMQ_LINGER` 0: the request still queued in
//! it is dropped) and the request is sent again on a **fresh** socket: a REQ socket that
//! waits for a reply cannot send, and a new one cannot receive the late reply of the old one
//! (so a reply always answers the request just sent). After `retries` tries on one endpoint
//! (the first included) it moves on to the next endpoint of the list; when the request has
//! used its tries on every endpoint, [`LazyPirate::request`] fails with an error whose
//! [`is_timeout`](Error::is_timeout) is true. The next request starts at the endpoint that
//! answered last, on the socket that got the answer.
//!
//! # Guarantees and limits
//! - Every request gets a reply or a timeout error within `timeout × retries × endpoints`
//!   (plus the time to make the sockets).
//! - At least once, not exactly once: a server that got the request but whose reply was
//!   late or lost may see it again (on a retry, or on the next endpoint). A request that must
//!   not run twice needs an idempotent server or the deduplication of
//!   [`outbox`](super::outbox).
//! - The wire is plain REQ: any REP, ROUTER or broker (the
//!   [Paranoid Pirate queue](super::paranoid_pirate)) serves it.
//!
//! ```
//! use std::time::Duration;
//! use zmq_typed::patterns::lazy_pirate::LazyPirate;
//! use zmq_typed::{Context, Rep};
//!
//! let ctx = Context::new()?;
//! let server = Rep::new(&ctx)?;
//! server.bind("inproc://lazy-doc")?;
//! let echo = std::thread::spawn(move || -> zmq_typed::Result<()> {
//!     let (request, replying) = server.recv()?;
//!     replying.send(request)?;
//!     Ok(())
//! });
//! let mut client = LazyPirate::new(&ctx, ["inproc://lazy-doc"])?
//!     .timeout(Duration::from_secs(5))
//!     .retries(3)?;
//! assert_eq!(client.request("1")?, "1");
//! echo.join().expect("echo thread")?;
//! # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use crate::context::Context;
use crate::endpoint::Endpoint;
use crate::error::{Detail, Error, Result};
use crate::multipart::Multipart;
use crate::sendable::Sendable;
use crate::typed::{Ready, Req};

/// The guide's timeout: 2.5 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(2500);

/// The guide's tries per endpoint: 3.
pub const DEFAULT_RETRIES: u32 = 3;

/// libzmq's longest timeout, `i32::MAX` milliseconds: longer waits are this long.
const LONGEST_WAIT: Duration = Duration::from_millis(i32::MAX as u64);

/// One try that timed out, as the retry hook sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry<'a> {
    /// The endpoint that did not answer.
    pub endpoint: &'a str,
    /// Which try on that endpoint it was (1 for the first).
    pub attempt: u32,
    /// Where the request goes next.
    pub next_endpoint: &'a str,
}

type RetryHook = Box<dyn FnMut(&Retry<'_>) + Send>;

/// A Lazy Pirate client: a REQ with a timeout, retries on fresh sockets, and a list of
/// endpoints tried in order. See [the module docs](self).
pub struct LazyPirate {
    ctx: Context,
    endpoints: Vec<String>,
    current: usize,
    timeout: Duration,
    retries: u32,
    socket: Option<Req<Ready>>,
    on_retry: Option<RetryHook>,
}

impl fmt::Debug for LazyPirate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LazyPirate")
            .field("endpoints", &self.endpoints)
            .field("current", &self.current)
            .field("timeout", &self.timeout)
            .field("retries", &self.retries)
            .field("connected", &self.socket.is_some())
            .finish_non_exhaustive()
    }
}

impl LazyPirate {
    /// A client of the servers at `endpoints`, tried in that order, with the guide's
    /// timeout (2.5 s) and tries (3). An empty list, or an endpoint that does not parse, is
    /// refused at once. No socket is made yet: the first request makes one.
    ///
    /// Calls nothing: the endpoints are checked by this crate's parser.
    pub fn new<I>(ctx: &Context, endpoints: I) -> Result<LazyPirate>
    where
        I: IntoIterator,
        I::Item: AsRef<str>,
    {
        let mut list = Vec::new();
        for endpoint in endpoints {
            let endpoint = endpoint.as_ref();
            Endpoint::from_str(endpoint)?;
            list.push(endpoint.to_string());
        }
        if list.is_empty() {
            return Err(Error::InvalidArgument(Detail::new(
                "a Lazy Pirate client needs at least one endpoint",
            )));
        }
        Ok(LazyPirate {
            ctx: ctx.clone(),
            endpoints: list,
            current: 0,
            timeout: DEFAULT_TIMEOUT,
            retries: DEFAULT_RETRIES,
            socket: None,
            on_retry: None,
        })
    }

    /// How long each try waits for the reply. `Duration::ZERO` does not wait at all (every
    /// try then times out: a reply cannot be there yet); a wait longer than libzmq's
    /// `ZMQ_RCVTIMEO` limit (`i32::MAX` ms, about 24.8 days) is that limit.
    pub fn timeout(mut self, timeout: Duration) -> LazyPirate {
        self.timeout = timeout;
        self
    }

    /// Tries of one request on one endpoint, the first included; 0 is refused
    /// ([`Error::OptionValue`]).
    pub fn retries(mut self, retries: u32) -> Result<LazyPirate> {
        if retries == 0 {
            return Err(Error::OptionValue {
                option: "retries",
                reason: "0 tries would never send: 1 at least".into(),
            });
        }
        self.retries = retries;
        Ok(self)
    }

    /// Calls `hook` after each try that timed out, before the request is sent again (not
    /// after the last try of all, which makes [`LazyPirate::request`] fail).
    pub fn on_retry(mut self, hook: impl FnMut(&Retry<'_>) + Send + 'static) -> LazyPirate {
        self.on_retry = Some(Box::new(hook));
        self
    }

    /// Where the next request goes first: the endpoint that answered last (the first of the
    /// list until one has answered).
    pub fn endpoint(&self) -> &str {
        &self.endpoints[self.current]
    }

    /// The endpoints, in the order they are tried.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// Sends `request` and returns the reply, retrying as [the module docs](self) say. All
    /// tries on all endpoints timed out: an error whose `is_timeout()` is true, naming the
    /// endpoints and the tries. An endpoint libzmq refuses, or the context's shutdown
    /// (`is_terminated()`), fails at once.
    ///
    /// Wraps `zmq_socket`, `zmq_connect`, `zmq_msg_send` with `ZMQ_SNDTIMEO` (a socket with
    /// no peer to queue the request for is a try that timed out), `zmq_msg_recv` with
    /// `ZMQ_RCVTIMEO`, and `zmq_close` with `ZMQ_LINGER` 0 after a timeout.
    pub fn request(&mut self, request: impl Sendable) -> Result<Multipart> {
        let request = request.into_multipart();
        let total = self.endpoints.len();
        let answered_last = self.current;
        for step in 0..total {
            let index = (self.current + step) % total;
            for attempt in 1..=self.retries {
                let socket = match self.socket.take() {
                    Some(socket) if index == self.current => socket,
                    _ => self.fresh_socket(index)?,
                };
                self.current = index;
                // Dropped on a timeout, with linger 0: the request queued in it goes too.
                match socket.send(request.clone()) {
                    Ok(waiting) => match waiting.recv_timeout(self.timeout) {
                        Ok((reply, ready)) => {
                            self.socket = Some(ready);
                            return Ok(reply);
                        }
                        Err(failed) if failed.error().is_timeout() => {}
                        Err(failed) => return Err(failed.into_error()),
                    },
                    // No peer to queue it for (an inproc server that closed its socket):
                    // a try that timed out too.
                    Err(failed) if failed.error().is_timeout() => {}
                    Err(failed) => return Err(failed.into_error()),
                }
                let last_here = attempt == self.retries;
                let last_of_all = last_here && step + 1 == total;
                if !last_of_all {
                    let next = if last_here {
                        (index + 1) % total
                    } else {
                        index
                    };
                    if let Some(hook) = self.on_retry.as_mut() {
                        hook(&Retry {
                            endpoint: &self.endpoints[index],
                            attempt,
                            next_endpoint: &self.endpoints[next],
                        });
                    }
                }
            }
        }
        // Nobody answered this one: the next request starts again where the last answer
        // came from.
        self.current = answered_last;
        Err(Error::TimedOut(Detail::new(format!(
            "no reply from {} after {} tries of {:?} on each",
            self.endpoints.join(", "),
            self.retries,
            self.timeout
        ))))
    }

    /// A new REQ socket, linger 0, connected to endpoint `index`; a send waits at most the
    /// timeout (a REQ with no peer at all blocks in send).
    fn fresh_socket(&self, index: usize) -> Result<Req<Ready>> {
        let socket = Req::new(&self.ctx)?;
        socket.set_linger(Some(Duration::ZERO))?;
        socket.set_sndtimeo(Some(self.timeout.min(LONGEST_WAIT)))?;
        socket.connect(self.endpoints[index].as_str())?;
        Ok(socket)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_or_malformed_endpoints_are_refused_at_once() {
        let ctx = Context::new().unwrap();
        let none: [&str; 0] = [];
        assert!(LazyPirate::new(&ctx, none).is_err());
        assert!(LazyPirate::new(&ctx, ["tcp://localhost"]).is_err());
        assert!(LazyPirate::new(&ctx, ["tcp://localhost:5555"])
            .unwrap()
            .retries(0)
            .is_err());
    }
}
