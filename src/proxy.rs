//! libzmq's built-in proxy, plain and steerable
//! ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy),
//! [zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).

use std::thread::JoinHandle;

use crate::context::Context;
use crate::error::{check, Detail, Error, Result};
use crate::socket::Socket;
use crate::socket_type::SocketType;

/// Runs the proxy in this thread: every message from `frontend` goes to `backend` and back,
/// with a copy of each to `capture` when given. Returns only when the context is shut down
/// or terminated ([`Error::Terminated`]).
///
/// Wraps `zmq_proxy` ([man zmq_proxy](http://api.zeromq.org/4-3:zmq-proxy)).
pub fn proxy(frontend: &Socket, backend: &Socket, capture: Option<&Socket>) -> Result<()> {
    let capture = capture.map_or(std::ptr::null_mut(), |s| s.as_ptr());
    // SAFETY: the sockets are valid and borrowed (so used by no other code) for the call.
    let rc = unsafe { zmq_ffi::zmq_proxy(frontend.as_ptr(), backend.as_ptr(), capture) };
    check(rc, || Detail::new("zmq_proxy")).map(|_| ())
}

/// Message and byte counts of one side of a proxy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SideStats {
    /// Messages (frames) received on this side.
    pub messages_in: u64,
    /// Bytes received on this side.
    pub bytes_in: u64,
    /// Messages (frames) sent on this side.
    pub messages_out: u64,
    /// Bytes sent on this side.
    pub bytes_out: u64,
}

/// The eight counters the `STATISTICS` command returns.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProxyStats {
    /// The frontend's counts.
    pub frontend: SideStats,
    /// The backend's counts.
    pub backend: SideStats,
}

/// The sockets a stopped proxy gives back: frontend, backend and capture.
pub type ProxySockets = (Socket, Socket, Option<Socket>);

/// A steerable proxy running on its own thread. Dropping the handle terminates it.
///
/// ```
/// use zmq_typed::{Context, Socket, SocketType, SteerableProxy};
/// let ctx = Context::new()?;
/// let front = Socket::new(&ctx, SocketType::Pull)?;
/// let front_ep = front.bind("inproc://proxy-doc-in")?;
/// let back = Socket::new(&ctx, SocketType::Push)?;
/// let back_ep = back.bind("inproc://proxy-doc-out")?;
/// let proxy = SteerableProxy::start(&ctx, front, back, None)?;
///
/// let producer = Socket::new(&ctx, SocketType::Push)?;
/// producer.connect(&front_ep)?;
/// let consumer = Socket::new(&ctx, SocketType::Pull)?;
/// consumer.connect(&back_ep)?;
/// producer.send("through the proxy")?;
/// assert_eq!(consumer.recv()?, "through the proxy");
/// assert_eq!(proxy.statistics()?.frontend.messages_in, 1);
/// proxy.terminate()?;
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub struct SteerableProxy {
    control: Socket,
    thread: Option<JoinHandle<(Result<()>, ProxySockets)>>,
}

impl SteerableProxy {
    /// Starts `zmq_proxy_steerable` on a new thread with the given sockets (moved to it) and
    /// a control socket of its own.
    ///
    /// Wraps `zmq_proxy_steerable` ([man zmq_proxy_steerable](http://api.zeromq.org/4-3:zmq-proxy-steerable)).
    pub fn start(
        ctx: &Context,
        frontend: Socket,
        backend: Socket,
        capture: Option<Socket>,
    ) -> Result<SteerableProxy> {
        let endpoint = crate::inproc_name::unique("proxy-control");
        let inner = Socket::new(ctx, SocketType::Pair)?;
        inner.bind(endpoint.as_str())?;
        let control = Socket::new(ctx, SocketType::Pair)?;
        control.connect(endpoint.as_str())?;
        let thread = std::thread::Builder::new()
            .name("zmq-typed-proxy".into())
            .spawn(move || {
                let capture_ptr = capture
                    .as_ref()
                    .map_or(std::ptr::null_mut(), |s| s.as_ptr());
                // SAFETY: the four sockets are owned by this thread for the whole call.
                let rc = unsafe {
                    zmq_ffi::zmq_proxy_steerable(
                        frontend.as_ptr(),
                        backend.as_ptr(),
                        capture_ptr,
                        inner.as_ptr(),
                    )
                };
                let result = check(rc, || Detail::new("zmq_proxy_steerable")).map(|_| ());
                drop(inner);
                (result, (frontend, backend, capture))
            })
            .map_err(|e| Error::Malformed(format!("could not start the proxy thread: {e}")))?;
        Ok(SteerableProxy {
            control,
            thread: Some(thread),
        })
    }

    fn command(&self, cmd: &'static str) -> Result<()> {
        self.control.send(cmd)
    }

    /// Stops forwarding until [`SteerableProxy::resume`] (`PAUSE`).
    pub fn pause(&self) -> Result<()> {
        self.command("PAUSE")
    }

    /// Forwards again (`RESUME`).
    pub fn resume(&self) -> Result<()> {
        self.command("RESUME")
    }

    /// The proxy's counters (`STATISTICS`).
    pub fn statistics(&self) -> Result<ProxyStats> {
        self.command("STATISTICS")?;
        let reply = self.control.recv_multipart()?;
        if reply.len() != 8 {
            return Err(Error::Malformed(format!(
                "STATISTICS reply has {} frames, not 8",
                reply.len()
            )));
        }
        let mut values = [0u64; 8];
        for (value, frame) in values.iter_mut().zip(reply.iter()) {
            let bytes: [u8; 8] = frame.data().try_into().map_err(|_| {
                Error::Malformed(format!("STATISTICS frame has {} bytes, not 8", frame.len()))
            })?;
            *value = u64::from_ne_bytes(bytes);
        }
        let side = |v: &[u64]| SideStats {
            messages_in: v[0],
            bytes_in: v[1],
            messages_out: v[2],
            bytes_out: v[3],
        };
        Ok(ProxyStats {
            frontend: side(&values[..4]),
            backend: side(&values[4..]),
        })
    }

    /// Stops the proxy (`TERMINATE`), waits for its thread and gives the sockets back.
    pub fn terminate(mut self) -> Result<ProxySockets> {
        self.stop()
    }

    fn stop(&mut self) -> Result<ProxySockets> {
        let thread = self
            .thread
            .take()
            .ok_or_else(|| Error::Malformed("the proxy was already stopped".into()))?;
        // If the context was shut down the proxy has already returned; the send then fails,
        // which changes nothing.
        let _ = self.command("TERMINATE");
        match thread.join() {
            Ok((result, sockets)) => result.map(|_| sockets),
            Err(_) => Err(Error::Malformed("the proxy thread panicked".into())),
        }
    }
}

impl Drop for SteerableProxy {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.stop();
        }
    }
}
