//! Raw interop, for programs that mix in C code or an event loop: the libzmq socket pointer
//! out ([`SocketCore::as_raw`], `into_raw`) and back in ([`Socket::from_raw`]), the socket's
//! descriptor ([`AsFd`], [`AsRawFd`], from `ZMQ_FD`), and an explicit `close` that reports
//! `zmq_close`'s error (dropping stays silent).
//!
//! # The descriptor is edge-triggered
//! `ZMQ_FD` is not the socket's data: it is libzmq's mailbox descriptor, which polls
//! readable when [`SocketCore::events`] *may* have changed. When it polls readable, read
//! `events()` (that resets it), then receive (or send) until `events()` says there is no more
//! to do; only then wait on the descriptor again. A program that receives one message per
//! wake-up can leave messages waiting with the descriptor silent. It is never writable in
//! the `POLLOUT` sense: a socket that may send is announced by `events()` alone.
//!
//! ```
//! use std::os::fd::AsRawFd;
//! use zmq_typed::{Context, PollEvents, Pull, Push};
//!
//! let ctx = Context::new()?;
//! let pull = Pull::new(&ctx)?;
//! let endpoint = pull.bind("inproc://raw-doc")?;
//! let push = Push::new(&ctx)?;
//! push.connect(&endpoint)?;
//! push.send("one")?;
//! push.send("two")?;
//!
//! // An event loop waits on the descriptor, then drains the socket.
//! let mut received = Vec::new();
//! while received.len() < 2 {
//!     let mut fds = [libc::pollfd { fd: pull.as_raw_fd(), events: libc::POLLIN, revents: 0 }];
//!     // SAFETY: one valid pollfd.
//!     assert!(unsafe { libc::poll(fds.as_mut_ptr(), 1, 1000) } >= 0);
//!     while pull.events()?.contains(PollEvents::IN) {
//!         received.push(pull.recv()?);
//!     }
//! }
//! assert_eq!(received, ["one", "two"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::mem::ManuallyDrop;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::raw::{c_int, c_void};

use crate::context::Context;
use crate::error::{check, Detail, Error, Result};
use crate::socket::Socket;
use crate::socket_core::{KeepAlive, SocketCore};

/// What a socket taken apart kept alive.
type KeptAlive = Vec<std::sync::Arc<dyn std::any::Any + Send + Sync>>;
use crate::socket_type::SocketType;
use crate::typed::{Dealer, Pair, Pub, Pull, Push, Rep, Req, Router, Stream, Sub, XPub, XSub};

impl SocketCore {
    /// The raw `void *` socket, for calls into [`zmq_ffi`] or C code (the same as
    /// [`SocketCore::as_ptr`]). It stays valid while `self` lives; using it from another
    /// thread at the same time as `self`, or closing it, is undefined behaviour.
    ///
    /// Calls nothing.
    pub fn as_raw(&self) -> *mut c_void {
        self.ptr
    }

    /// Takes the socket apart without closing it: the pointer, the context handle, and what
    /// the socket kept alive (its authenticators), to drop once the socket is closed.
    fn into_raw_parts(self) -> (*mut c_void, Context, KeptAlive) {
        let this = ManuallyDrop::new(self);
        let kept = this.keep_alive.release();
        // SAFETY: `this` is never used nor dropped after this read, so the Context is moved
        // out exactly once (no double drop, no use after move).
        let ctx = unsafe { std::ptr::read(&this.ctx) };
        // The emptied KeepAlive (an empty Vec in a RefCell) is left behind: no leak.
        (this.ptr, ctx, kept)
    }
}

/// A `ZMQ_FD` value, refused when negative: a socket's descriptor is kept only when it is
/// valid, so that `as_fd` (whose `BorrowedFd` asserts against -1) never panics.
pub(crate) fn checked_fd(fd: c_int) -> Result<RawFd> {
    if fd < 0 {
        return Err(Error::from_errno(libc::EBADF, Detail::new("ZMQ_FD")));
    }
    Ok(fd)
}

/// `zmq_close` on `ptr`, its error reported.
///
/// # Safety
/// `ptr` is NULL (which libzmq refuses with `ENOTSOCK`) or a socket that nothing uses or
/// closes afterwards.
unsafe fn close_raw(ptr: *mut c_void) -> Result<()> {
    // SAFETY: as the caller promised; zmq_close checks for NULL and a socket's tag itself.
    let rc = unsafe { zmq_ffi::zmq_close(ptr) };
    check(rc, || Detail::new("zmq_close")).map(|_| ())
}

/// `zmq_getsockopt` of an int option on a raw socket.
///
/// # Safety
/// `ptr` is a valid socket, used by no other thread during the call.
unsafe fn raw_int<T: Default>(ptr: *mut c_void, option: c_int, name: &'static str) -> Result<T> {
    let mut value = T::default();
    let mut len = std::mem::size_of::<T>();
    // SAFETY: ptr as the caller promised; value is a writable T of len bytes.
    let rc = unsafe {
        zmq_ffi::zmq_getsockopt(ptr, option, &mut value as *mut T as *mut c_void, &mut len)
    };
    check(rc, || Detail::new(format!("Socket::from_raw: {name}")))?;
    Ok(value)
}

impl Socket {
    /// Gives up the socket without closing it: the raw `void *` socket, and a handle of its
    /// context, for C code or another binding that takes it over.
    ///
    /// The context handle comes along because a libzmq context waits, when it terminates,
    /// until every one of its sockets is closed: close the raw socket (`zmq_close`, or
    /// [`Socket::from_raw`] then [`Socket::close`]) *before* the last handle of its context
    /// is dropped. Nothing leaks when that order is kept. When it is not, the termination
    /// cannot finish; so a context that ever handed out a raw socket bounds its wait: after
    /// its default linger plus a second, [`Context::terminate`] returns
    /// [`Error::TimedOut`] (and drop returns silently), leaving the termination to finish in
    /// the background once the socket is closed. Nothing hangs for ever, nothing unnoticed
    /// when `terminate` is used.
    ///
    /// A server set up with [`Admission::CheckedBy`](crate::security::Admission::CheckedBy)
    /// keeps its [`Authenticator`](crate::security::Authenticator) running only while this
    /// crate owns it: once given up, it no longer does (this crate cannot see when the raw
    /// socket closes). Keep the authenticator's handle for as long as the raw socket serves,
    /// or libzmq lets in every CURVE client that knows the server's key.
    ///
    /// Calls nothing.
    ///
    /// ```
    /// use zmq_typed::{Context, Socket, SocketType};
    /// let ctx = Context::new()?;
    /// let socket = Socket::new(&ctx, SocketType::Pair)?;
    /// drop(ctx); // the socket keeps its context alive
    /// let (ptr, ctx) = socket.into_raw();
    /// // ... C code uses ptr, then closes it:
    /// // SAFETY: ptr is an open socket that nothing else uses or closes.
    /// assert_eq!(unsafe { zmq_typed::zmq_ffi::zmq_close(ptr) }, 0);
    /// ctx.terminate()?;
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    pub fn into_raw(self) -> (*mut c_void, Context) {
        let (ptr, ctx, kept) = self.core.into_raw_parts();
        // Whoever takes the raw socket over decides when it closes, which this crate cannot
        // see: its authenticators are no longer kept alive by it (see the doc above).
        drop(kept);
        ctx.raw_socket_handed_out();
        (ptr, ctx)
    }

    /// Takes over a raw libzmq socket (from [`Socket::into_raw`], C code, another
    /// binding): its type is read from `ZMQ_TYPE`, its descriptor from `ZMQ_FD`; its options
    /// (linger included) stay as they are, except that a PUB or XPUB gets the crate's
    /// `ZMQ_MAXMSGSIZE` bound ([`crate::limits`]) when its own is larger. From then on the
    /// `Socket` owns it and closes it when dropped.
    ///
    /// On error (a DRAFT socket type, which this crate does not support, `ENOTSOCK`...) the
    /// socket is left untouched and still belongs to the caller.
    ///
    /// Wraps `zmq_getsockopt` with `ZMQ_TYPE` and `ZMQ_FD`
    /// ([man zmq_getsockopt](http://api.zeromq.org/4-3:zmq-getsockopt)).
    ///
    /// # Safety
    /// - `ptr` is an open libzmq socket created from `ctx`'s context (`ctx.as_ptr()`), not
    ///   one of another context: the `Socket` keeps `ctx` alive, which is what keeps the
    ///   socket valid.
    /// - Nothing else uses it or closes it afterwards (the `Socket` is its only owner; a C
    ///   library that keeps a copy of the pointer must not touch it again).
    /// - It is not being used by another thread during the call.
    pub unsafe fn from_raw(ctx: &Context, ptr: *mut c_void) -> Result<Socket> {
        if ptr.is_null() {
            return Err(Error::NotSocket(Detail::new(
                "Socket::from_raw: a NULL socket",
            )));
        }
        // SAFETY: a valid socket, as the caller promised.
        let raw_type: c_int = unsafe { raw_int(ptr, zmq_ffi::ZMQ_TYPE, "ZMQ_TYPE") }?;
        let kind = SocketType::from_raw(raw_type).ok_or_else(|| {
            Error::NotSupported(Detail::new(format!(
                "Socket::from_raw: socket type {raw_type} is a DRAFT type, which this crate does not support"
            )))
        })?;
        // SAFETY: as above.
        let fd = checked_fd(unsafe { raw_int(ptr, zmq_ffi::ZMQ_FD, "ZMQ_FD") }?)?;
        if matches!(kind, SocketType::Pub | SocketType::XPub) {
            // The same bound as Socket::new gives, set before the socket is adopted so that
            // a failure leaves it to the caller.
            // SAFETY: as above.
            let max: i64 = unsafe { raw_int(ptr, zmq_ffi::ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE") }?;
            let bound = crate::limits::SUBSCRIPTION_MSG_MAX as i64;
            if max < 0 || max > bound {
                // SAFETY: as above; the value is an int64, as ZMQ_MAXMSGSIZE wants.
                let rc = unsafe {
                    zmq_ffi::zmq_setsockopt(
                        ptr,
                        zmq_ffi::ZMQ_MAXMSGSIZE,
                        &bound as *const i64 as *const c_void,
                        std::mem::size_of::<i64>(),
                    )
                };
                check(rc, || Detail::new("Socket::from_raw: ZMQ_MAXMSGSIZE"))?;
            }
        }
        // The timeouts C code may have set, for the blocking calls (see src/blocking.rs).
        // SAFETY: as above.
        let sndtimeo: c_int = unsafe { raw_int(ptr, zmq_ffi::ZMQ_SNDTIMEO, "ZMQ_SNDTIMEO") }?;
        // SAFETY: as above.
        let rcvtimeo: c_int = unsafe { raw_int(ptr, zmq_ffi::ZMQ_RCVTIMEO, "ZMQ_RCVTIMEO") }?;
        ctx.socket_created();
        Ok(Socket {
            core: Box::new(SocketCore {
                ptr,
                kind,
                ctx: ctx.clone(),
                fd,
                keep_alive: KeepAlive::default(),
                timeouts: std::cell::Cell::new([sndtimeo, rcvtimeo]),
                _not_sync: std::marker::PhantomData,
            }),
        })
    }

    /// Closes the socket and reports `zmq_close`'s error, which dropping it ignores
    /// (rusqlite's `Connection::close` shape). Messages still queued are sent within the
    /// socket's linger by the context, as after a drop; closing itself never blocks. The
    /// socket's handle of its context is released, so this may be what terminates the context
    /// (see [`Context::terminate`] to learn how that went).
    ///
    /// Wraps `zmq_close` ([man zmq_close](http://api.zeromq.org/4-3:zmq-close)).
    #[doc(alias("zmq_close"))]
    pub fn close(self) -> Result<()> {
        let (ptr, ctx, kept) = self.core.into_raw_parts();
        // SAFETY: ptr came from zmq_socket (or was adopted by from_raw), and into_raw_parts
        // disarmed the Drop that would close it: it is closed exactly once, here.
        let result = unsafe { close_raw(ptr) };
        // Closed: its authenticators may stop now (as in SocketCore's Drop).
        drop(kept);
        drop(ctx);
        result
    }
}

impl AsFd for SocketCore {
    /// The socket's `ZMQ_FD`, read when the socket was opened, so this cannot fail.
    ///
    /// It is edge-triggered and is not the socket's data: it polls readable when
    /// [`SocketCore::events`] *may* have changed. Then read `events()` (which resets it) and
    /// receive or send until `events()` says there is no more; only then wait on it again,
    /// or a message can wait with the descriptor silent. It belongs to libzmq: never read
    /// from it or close it. Reading it (through a duplicate, say) eats libzmq's wake-ups: the
    /// socket stops noticing its messages, and the context's termination could wait for
    /// ever, so once a descriptor has been lent the context's termination is bounded as for
    /// a raw socket (see [`Context::terminate`]). (The same descriptor as
    /// [`SocketCore::fd`].)
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.context().raw_socket_handed_out();
        // SAFETY: ZMQ_FD is the socket's mailbox descriptor, which libzmq opens with the
        // socket and closes only in zmq_close, i.e. after the borrow of self has ended; it
        // was checked to be non-negative (checked_fd) when the socket was opened or adopted.
        unsafe { BorrowedFd::borrow_raw(self.fd) }
    }
}

impl AsRawFd for SocketCore {
    /// The socket's `ZMQ_FD` (edge-triggered): see its [`AsFd`] implementation.
    fn as_raw_fd(&self) -> RawFd {
        self.context().raw_socket_handed_out();
        self.fd
    }
}

impl AsFd for Socket {
    /// The socket's `ZMQ_FD`: see [`SocketCore`]'s.
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.core.as_fd()
    }
}

impl AsRawFd for Socket {
    /// The socket's `ZMQ_FD`: see [`SocketCore`]'s.
    fn as_raw_fd(&self) -> RawFd {
        self.core.as_raw_fd()
    }
}

/// `into_raw`, `close`, `AsFd` and `AsRawFd` for the typed sockets, forwarding to
/// [`Socket`]'s.
macro_rules! typed_raw {
    ($($name:ident $(<$g:ident>)?),* $(,)?) => {$(
        impl$(<$g>)? $name$(<$g>)? {
            /// Gives up the socket without closing it: the raw `void *` socket and a handle
            /// of its context. Close the raw socket before the last context handle is
            /// dropped; see [`Socket::into_raw`].
            ///
            /// Calls nothing.
            pub fn into_raw(self) -> (*mut c_void, Context) {
                self.socket.into_raw()
            }

            /// Closes the socket and reports `zmq_close`'s error, which dropping it ignores;
            /// see [`Socket::close`].
            ///
            /// Wraps `zmq_close` ([man zmq_close](http://api.zeromq.org/4-3:zmq-close)).
            #[doc(alias("zmq_close"))]
    pub fn close(self) -> Result<()> {
                self.socket.close()
            }
        }

        impl$(<$g>)? AsFd for $name$(<$g>)? {
            /// The socket's `ZMQ_FD` (edge-triggered): see [`SocketCore`]'s.
            fn as_fd(&self) -> BorrowedFd<'_> {
                self.socket.as_fd()
            }
        }

        impl$(<$g>)? AsRawFd for $name$(<$g>)? {
            /// The socket's `ZMQ_FD` (edge-triggered): see [`SocketCore`]'s.
            fn as_raw_fd(&self) -> RawFd {
                self.socket.as_raw_fd()
            }
        }
    )*};
}

typed_raw!(
    Pub,
    Sub,
    XPub,
    XSub,
    Push,
    Pull,
    Dealer,
    Pair,
    Router,
    Stream,
    Req<S>,
    Rep<S>
);

#[cfg(test)]
mod tests {
    use super::{checked_fd, close_raw};
    use crate::Error;

    #[test]
    fn a_negative_descriptor_is_refused_so_as_fd_cannot_panic() {
        assert_eq!(checked_fd(0).unwrap(), 0);
        let err = checked_fd(-1).unwrap_err();
        assert!(matches!(err, Error::Other(libc::EBADF, _)), "{err:#?}");
        assert_eq!(err.to_string(), "Bad file descriptor (ZMQ_FD) (errno 9)");
    }

    #[test]
    fn close_reports_zmq_close_errors() {
        // SAFETY: NULL is refused by zmq_close before it is dereferenced.
        let err = unsafe { close_raw(std::ptr::null_mut()) }.unwrap_err();
        assert!(matches!(err, Error::NotSocket(_)), "{err:#?}");
        assert_eq!(
            err.to_string(),
            "Socket operation on non-socket (zmq_close)"
        );
    }
}
