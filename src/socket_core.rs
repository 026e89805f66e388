//! `SocketCore`: what every socket can do whatever its type and state: bind, connect,
//! options, monitoring, polling. No send, no receive: those belong to [`crate::Socket`] and
//! to the typed sockets, which is what lets a typed socket lend its core without bypassing
//! its state ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).

use std::any::Any;
use std::cell::RefCell;
use std::fmt;
use std::marker::PhantomData;
use std::os::raw::{c_int, c_void};
use std::sync::Arc;

use crate::context::Context;
use crate::endpoint::{Endpoint, ToEndpoint};
use crate::error::{cstring, last_errno, last_error, Detail, Error, Result};
use crate::socket_type::SocketType;

/// The part of a libzmq socket that neither sends nor receives: bind, connect, unbind,
/// disconnect, every socket option that any type may use, the monitor and polling.
///
/// [`crate::Socket`] and every typed socket ([`crate::Req`], [`crate::Pub`]...) dereference
/// to it, so `socket.bind(..)`, `socket.set_linger(..)` work on all of them. It owns the
/// libzmq socket and closes it on drop.
///
/// `Send` but not `Sync`: a libzmq socket may move to another thread, but must not be used
/// from two threads at once.
pub struct SocketCore {
    pub(crate) ptr: *mut c_void,
    pub(crate) kind: SocketType,
    pub(crate) ctx: Context,
    /// `ZMQ_FD`, read when the socket is opened (it never changes), so that `as_fd` cannot
    /// fail (see src/raw.rs).
    pub(crate) fd: std::os::fd::RawFd,
    /// What must outlive the libzmq socket: the authenticators that check its clients
    /// (`Admission::CheckedBy`), released only once the socket is closed.
    pub(crate) keep_alive: KeepAlive,
    /// `ZMQ_SNDTIMEO` and `ZMQ_RCVTIMEO` as last set through this crate (libzmq's -1 at
    /// first), so that a blocking call knows without a `zmq_getsockopt` whether it needs a
    /// clock reading to survive a signal (see src/blocking.rs).
    pub(crate) timeouts: std::cell::Cell<[c_int; 2]>,
    /// Sockets are not Sync: libzmq sockets are not thread safe.
    pub(crate) _not_sync: PhantomData<std::cell::Cell<()>>,
}

// SAFETY: libzmq allows a socket to migrate between threads as long as a full memory barrier
// separates its use in one thread from its use in the other (man zmq: "individual sockets
// are not thread safe"); moving a value to another thread in Rust implies that barrier. The
// context the socket uses is thread safe.
unsafe impl Send for SocketCore {}

impl fmt::Debug for SocketCore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketCore")
            .field("type", &self.kind)
            .field("ptr", &self.ptr)
            .finish()
    }
}

impl Drop for SocketCore {
    fn drop(&mut self) {
        // SAFETY: ptr came from zmq_socket and is closed exactly once, here. zmq_close never
        // blocks; the context (kept alive by self.ctx until after this) handles the linger.
        unsafe { zmq_ffi::zmq_close(self.ptr) };
        // Only now, the socket closed (no handshake of it can reach the application any
        // more), may the authenticators that check its clients stop.
        drop(self.keep_alive.release());
    }
}

/// What a socket keeps alive for as long as it is open: the authenticators that check its
/// clients (one reference each, however many set-ups named it). `RefCell`: a socket is used
/// by one thread at a time (`Send`, not `Sync`), and the set-ups take `&self`.
#[derive(Default)]
pub(crate) struct KeepAlive(RefCell<Vec<Arc<dyn Any + Send + Sync>>>);

impl KeepAlive {
    /// Keeps `what` alive until [`release`](Self::release); once only.
    pub(crate) fn hold(&self, what: Arc<dyn Any + Send + Sync>) {
        let mut held = self.0.borrow_mut();
        if !held
            .iter()
            .any(|h| std::ptr::addr_eq(Arc::as_ptr(h), Arc::as_ptr(&what)))
        {
            held.push(what);
        }
    }

    /// Everything held, for the caller to drop once the socket is closed.
    pub(crate) fn release(&self) -> Vec<Arc<dyn Any + Send + Sync>> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

impl SocketCore {
    /// A new socket of `kind`, with the context's default linger.
    pub(crate) fn open(ctx: &Context, kind: SocketType) -> Result<SocketCore> {
        // The first socket starts libzmq's threads, which abort the process when their
        // descriptors cannot be opened: check first. A later socket needs one descriptor (its
        // mailbox), and zmq_socket reports EMFILE itself when it cannot have it.
        ctx.check_socket_headroom(&kind)?;
        // SAFETY: the context pointer is valid while ctx lives; NULL is checked.
        let ptr = unsafe { zmq_ffi::zmq_socket(ctx.as_ptr(), kind.raw()) };
        if ptr.is_null() {
            return Err(last_error(|| Detail::new(format!("zmq_socket({kind})"))));
        }
        ctx.socket_created();
        let mut socket = SocketCore {
            ptr,
            kind,
            ctx: ctx.clone(),
            fd: -1,
            keep_alive: KeepAlive::default(),
            timeouts: std::cell::Cell::new([-1, -1]),
            _not_sync: PhantomData,
        };
        socket.fd = crate::raw::checked_fd(socket.get_int(zmq_ffi::ZMQ_FD, "ZMQ_FD")?)?;
        socket.set_linger(ctx.default_linger())?;
        Ok(socket)
    }

    /// The socket's type.
    pub fn socket_type(&self) -> SocketType {
        self.kind
    }

    /// The context the socket belongs to.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The raw `void *` socket, for calls into [`zmq_ffi`]. Valid while `self` lives; using
    /// it from another thread at the same time as `self` is undefined behaviour.
    pub fn as_ptr(&self) -> *mut c_void {
        self.ptr
    }

    fn check_endpoint(&self, ep: &Endpoint) -> Result<()> {
        crate::multicast_guard::check(ep, self.kind)
    }

    /// A CURVE socket without the keys its role needs fails every handshake, silently: say
    /// so before it binds or connects.
    fn check_curve_keys(&self) -> Result<()> {
        if self.mechanism()? != crate::options::Mechanism::Curve {
            return Ok(());
        }
        let missing = |key: [u8; 32]| key.iter().all(|&b| b == 0);
        if self.curve_server()? {
            if self.curve_secretkey()?.is_unset() {
                return Err(Error::CurveKeyMissing {
                    role: "server",
                    key: "its secret key (ZMQ_CURVE_SECRETKEY)",
                });
            }
        } else {
            if missing(self.curve_serverkey()?) {
                return Err(Error::CurveKeyMissing {
                    role: "client",
                    key: "the server's public key (ZMQ_CURVE_SERVERKEY)",
                });
            }
            if missing(self.curve_publickey()?) || self.curve_secretkey()?.is_unset() {
                return Err(Error::CurveKeyMissing {
                    role: "client",
                    key: "a key pair of its own (ZMQ_CURVE_PUBLICKEY and ZMQ_CURVE_SECRETKEY)",
                });
            }
        }
        Ok(())
    }

    fn endpoint_call(
        &self,
        what: &'static str,
        endpoint: &(impl ToEndpoint + ?Sized),
        call: unsafe extern "C" fn(*mut c_void, *const std::os::raw::c_char) -> c_int,
    ) -> Result<Endpoint> {
        let ep = endpoint.to_endpoint()?.into_owned();
        // The guards are for what sets something up; unbind and disconnect only take down,
        // and must work when descriptors are scarce or the network has changed.
        if matches!(what, "bind" | "connect") {
            self.check_endpoint(&ep)?;
            // CURVE does nothing over inproc.
            if ep.transport() != "inproc" {
                self.check_curve_keys()?;
            }
        }
        let text = ep.to_string();
        let c = cstring("endpoint", &text)?;
        loop {
            // SAFETY: the socket is valid while self lives; c is NUL-terminated.
            let rc = unsafe { call(self.ptr, c.as_ptr()) };
            if rc == 0 {
                return Ok(ep);
            }
            if last_errno() != libc::EINTR {
                return Err(last_error(|| Detail::new(format!("{what} {text}"))));
            }
        }
    }

    /// `zmq_bind` after the crate's checks, without the descriptor headroom check (for
    /// `bind_fd`, whose bind opens no descriptor): `Ok` means libzmq has bound.
    pub(crate) fn bind_checked(&self, endpoint: &Endpoint) -> Result<Endpoint> {
        self.endpoint_call("bind", endpoint, zmq_ffi::zmq_bind)
    }

    /// What a successful bind is reported as: libzmq's last endpoint (the port or path it
    /// chose), or, when that cannot be read or parsed (a newer transport, a name that is not
    /// UTF-8), the endpoint asked for. The bind has happened either way, so this never fails.
    pub(crate) fn bound_endpoint(&self, asked: Endpoint) -> Endpoint {
        self.last_endpoint()
            .ok()
            .and_then(|text| text.parse::<Endpoint>().ok())
            .unwrap_or(asked)
    }

    /// Binds to `endpoint` and returns the endpoint actually bound: with `tcp://...:*` or
    /// `ipc://*`, the port or path libzmq chose.
    ///
    /// Wraps `zmq_bind` ([man zmq_bind](http://api.zeromq.org/4-3:zmq-bind)) and reads
    /// `ZMQ_LAST_ENDPOINT`.
    #[doc(alias("zmq_bind"))]
    pub fn bind(&self, endpoint: impl ToEndpoint) -> Result<Endpoint> {
        let ep = endpoint.to_endpoint()?.into_owned();
        if ep.transport() == "tcp" {
            // Resolving a tcp bind address opens a descriptor (getifaddrs) that libzmq
            // asserts on: without one free it aborts the process (ip_resolver.cpp).
            crate::fd_headroom::ensure(1, &format!("bind {ep}"))?;
        }
        let bound = self.bind_checked(&ep)?;
        Ok(self.bound_endpoint(bound))
    }

    /// Connects to `endpoint` (the connection itself happens in the background).
    ///
    /// Wraps `zmq_connect` ([man zmq_connect](http://api.zeromq.org/4-3:zmq-connect)).
    #[doc(alias("zmq_connect"))]
    pub fn connect(&self, endpoint: impl ToEndpoint) -> Result<()> {
        self.endpoint_call("connect", &endpoint, zmq_ffi::zmq_connect)
            .map(|_| ())
    }

    /// Stops listening on `endpoint` (as returned by [`SocketCore::bind`]).
    ///
    /// Wraps `zmq_unbind` ([man zmq_unbind](http://api.zeromq.org/4-3:zmq-unbind)).
    #[doc(alias("zmq_unbind"))]
    pub fn unbind(&self, endpoint: impl ToEndpoint) -> Result<()> {
        self.endpoint_call("unbind", &endpoint, zmq_ffi::zmq_unbind)
            .map(|_| ())
    }

    /// Disconnects from `endpoint`.
    ///
    /// Wraps `zmq_disconnect` ([man zmq_disconnect](http://api.zeromq.org/4-3:zmq-disconnect)).
    #[doc(alias("zmq_disconnect"))]
    pub fn disconnect(&self, endpoint: impl ToEndpoint) -> Result<()> {
        self.endpoint_call("disconnect", &endpoint, zmq_ffi::zmq_disconnect)
            .map(|_| ())
    }
}
