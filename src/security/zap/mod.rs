//! The ZAP authenticator: who may connect to the CURVE, PLAIN (and NULL) servers of a
//! context ([RFC 27](https://rfc.zeromq.org/spec/27/), ZAP 1.0).
//!
//! libzmq checks credentials only by asking a ZAP handler, a socket bound to
//! `inproc://zeromq.zap.01` of the server's context. Without one, libzmq 4.3 lets into a CURVE
//! server any client that knows the server's public key, and into a NULL server any client;
//! a PLAIN server then refuses every client (it has nobody to ask). An [`Authenticator`] is
//! that handler: a thread of its own, started with policies by
//! [`Authenticator::builder`], stopped by [`Authenticator::stop`] or when the handle and every
//! server set up with [`Admission::CheckedBy`](crate::security::Admission::CheckedBy) it are
//! gone (see [the thread](#the-thread)).
//!
//! ```
//! use zmq_typed::{Authenticator, Context, CurveKeyPair, Socket, SocketType};
//! let ctx = Context::new()?;
//! let (server_keys, client_keys) = (CurveKeyPair::generate()?, CurveKeyPair::generate()?);
//! let auth = Authenticator::builder().curve_keys([client_keys.public]).start(&ctx)?;
//!
//! let server = Socket::new(&ctx, SocketType::Rep)?;
//! server.set_curve_server(true)?;
//! server.set_curve_secretkey(&server_keys.secret)?;
//! let endpoint = server.bind("tcp://127.0.0.1:*")?;
//!
//! let client = Socket::new(&ctx, SocketType::Req)?;
//! client.set_curve_serverkey(&server_keys.public)?;
//! client.set_curve_publickey(&client_keys.public)?;
//! client.set_curve_secretkey(&client_keys.secret)?;
//! client.connect(&endpoint)?;
//! client.send("hello")?;
//! let request = server.recv_frame()?;
//! assert_eq!(request.user_id()?, Some(client_keys.public.to_z85().as_str()));
//! assert_eq!(auth.stats().allowed, 1);
//! # Ok::<(), zmq_typed::Error>(())
//! ```
//!
//! # The policy
//! Each request goes through, in order:
//! 1. the **deny list** ([`AuthenticatorBuilder::deny_ip`]): an address in it is refused,
//!    even when it is in the allow list too;
//! 2. the **allow list** ([`AuthenticatorBuilder::allow_ip`]): once it has an entry, every
//!    address not in it is refused;
//! 3. the **mechanism**: NULL passes (libzmq asks about NULL connections only on sockets
//!    with a ZAP domain, for the address lists); PLAIN needs a user and password from
//!    [`plain_passwords`](AuthenticatorBuilder::plain_passwords) or a
//!    [password file](AuthenticatorBuilder::plain_password_file); CURVE needs the client's
//!    key among [`curve_keys`](AuthenticatorBuilder::curve_keys), in a
//!    [certificate directory](AuthenticatorBuilder::curve_cert_dir), or
//!    [`curve_any_key`](AuthenticatorBuilder::curve_any_key). A mechanism with no policy is
//!    refused ("no PLAIN policy configured") unless a check closure is set, which then
//!    decides alone;
//! 4. the **check closure** ([`AuthenticatorBuilder::check`]), if any, must allow too; it may
//!    set the `User-Id` and metadata.
//!
//! The `User-Id` that the client's messages carry ([`Message::user_id`](crate::Message::user_id))
//! is the PLAIN user name, the CURVE client key in Z85, nothing for NULL, unless the closure
//! sets another.
//!
//! Refusals are status 400; a request that does not follow RFC 27, a panicking closure, or a
//! password file or certificate directory that has become unreadable (which refuses every
//! client of that mechanism until it is fixed: failing closed) are 500; the closure's
//! [`Verdict::TryLater`] is 300. Every decision is counted ([`Authenticator::stats`]) and
//! reported to the [`on_decision`](AuthenticatorBuilder::on_decision) hook with its reason.
//!
//! # What it is never asked about
//! - **inproc connections**: libzmq runs no security handshake over `inproc://`, so a CURVE
//!   or PLAIN server bound there takes any peer of its context, with no `User-Id`;
//! - NULL connections to a socket without a ZAP domain (`ZMQ_ZAP_DOMAIN`);
//! - a client whose mechanism differs from the server's (libzmq refuses it itself:
//!   `HandshakeFailedProtocol(ZmtpMechanismMismatch)` on the server's monitor), or whose
//!   CURVE handshake fails (a wrong server key).
//!
//! For IPC clients libzmq gives an address that is not an IP address
//! (`localhost:<uid>:<gid>:<pid>`): an allow list refuses them.
//!
//! # The thread
//! One request at a time: a check closure that blocks holds up every handshake of the
//! context.
//!
//! **It runs while anything depends on it**: the handle, and every socket set up with
//! [`Admission::CheckedBy`](crate::security::Admission::CheckedBy) it, which holds a
//! reference until it is closed (libzmq 4.3 lets in every CURVE client that knows the
//! server's key, and every NULL client, when no ZAP handler runs: a server must never outlive
//! its checks). Dropping the handle while such servers are open leaves the thread serving
//! them; it stops when the last of them is closed, after the socket is closed, so no
//! handshake of it ever runs unchecked. [`Authenticator::stop`], the explicit stop, is
//! refused while they are open ([`Error::AuthenticatorInUse`]; see
//! [`Authenticator::sockets`]). A check closure or hook that owns such a socket keeps the
//! thread running until the context's shutdown; one that drops it is fine (the thread then
//! stops after that request, without waiting for itself).
//!
//! Stopping is prompt (the thread wakes on a control socket) and waits at most 2
//! seconds (`proxy::DROP_GRACE`) for a thread busy in a closure, after which it is left to
//! finish on its own: [`Authenticator::stop`] says so with [`Error::TimedOut`], and the last
//! drop never hangs nor panics. [`Context::shutdown`] ends the thread at once, whatever
//! depends on it (the sockets of that context are dead too). The thread's sockets keep the
//! context alive while it runs (as every socket does): stop it (close its servers, drop the
//! handle) before [`Context::terminate`], which otherwise reports the context still in use.

mod builder;
mod decision;
mod passwords;
mod policy;
mod request;
mod serve;
mod watch;

pub use builder::AuthenticatorBuilder;
pub use decision::{
    AuthStats, Decision, Verdict, STATUS_DENIED, STATUS_INTERNAL, STATUS_OK, STATUS_TEMPORARY,
};
pub use request::{Credentials, Mechanism, ZapRequest};

use std::any::Any;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::condvar_wait::wait_for;
use crate::context::Context;
use crate::error::{Detail, Error, Result};
use crate::socket::Socket;
use crate::socket_type::SocketType;

use builder::Hook;
use policy::Policy;

/// The endpoint libzmq sends ZAP requests to (RFC 27).
pub const ZAP_ENDPOINT: &str = "inproc://zeromq.zap.01";

/// How long stopping waits at most for the thread.
const STOP_GRACE: Duration = crate::proxy::DROP_GRACE;

/// What the thread shares with its handle.
pub(crate) struct Shared {
    stats: Mutex<AuthStats>,
    running: AtomicBool,
    /// Set by the handle: the thread checks it after each request too, in case the control
    /// message is lost with a handle that gave up waiting.
    stop: AtomicBool,
    done: Mutex<bool>,
    changed: Condvar,
}

impl Shared {
    fn count(&self, decision: &Decision) {
        let mut stats = self.stats.lock().unwrap_or_else(PoisonError::into_inner);
        if decision.malformed {
            stats.malformed += 1;
        } else if decision.allowed {
            stats.allowed += 1;
        } else {
            stats.denied += 1;
        }
    }

    fn set_done(&self) {
        *self.done.lock().unwrap_or_else(PoisonError::into_inner) = true;
        self.changed.notify_all();
    }

    /// Waits at most `grace` for the thread to end; whether it has.
    fn wait_done(&self, grace: Duration) -> bool {
        let state = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        wait_for(state, &self.changed, Some(Instant::now() + grace), |done| {
            done.then_some(())
        })
        .is_ok()
    }
}

/// A ZAP handler on a thread of its own, applying the policies of its
/// [builder](Authenticator::builder) to every security handshake of one context (see
/// [the module](self)). One per context. `Send + Sync`.
///
/// The thread runs while this handle or any socket set up with
/// [`Admission::CheckedBy`](crate::security::Admission::CheckedBy) it is open (see
/// [the module](self#the-thread)).
pub struct Authenticator {
    core: Arc<Core>,
}

/// The thread and what stops it; shared by the handle and by every socket that it checks,
/// and stopped when the last of them goes ([`Drop`]).
struct Core {
    ctx: Context,
    /// Our end of the control pair; a mutex makes it `Sync`.
    control: Mutex<Socket>,
    shared: Arc<Shared>,
    /// `None` once joined, or left to finish on its own.
    thread: Mutex<Option<JoinHandle<Result<()>>>>,
}

impl Core {
    fn ask_to_stop(&self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let control = self.control.lock().unwrap_or_else(PoisonError::into_inner);
        let _ = control.try_send("STOP");
    }

    fn stats(&self) -> AuthStats {
        *self
            .shared
            .stats
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the thread at once: see [`Authenticator::stop`].
    fn stop_now(&self) -> Result<AuthStats> {
        self.ask_to_stop();
        let thread = self
            .thread
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if !self.shared.wait_done(STOP_GRACE) {
            return Err(Error::TimedOut(Detail::new(format!(
                "the ZAP authenticator did not stop within {STOP_GRACE:?} (a check closure or \
                 hook is still running); its thread is left to finish on its own"
            ))));
        }
        match thread.map(JoinHandle::join) {
            Some(Ok(Ok(()))) | None => Ok(self.stats()),
            Some(Ok(Err(e))) if e.is_terminated() => Ok(self.stats()),
            Some(Ok(Err(e))) => Err(e),
            Some(Err(_)) => Err(Error::ThreadPanicked {
                what: "ZAP authenticator",
            }),
        }
    }
}

impl Drop for Core {
    /// The last reference is gone (the handle and every socket it checked): stops the
    /// thread and waits at most the grace for it; never panics, never hangs.
    fn drop(&mut self) {
        let thread = self
            .thread
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let Some(thread) = thread else {
            return;
        };
        self.ask_to_stop();
        if thread.thread().id() == std::thread::current().id() {
            // The last reference went on the authenticator's own thread (a socket it checks
            // dropped in its check closure or hook, or with them): it cannot wait for
            // itself. The stop flag ends its loop after the request at hand; the handle is
            // let go (the thread is detached).
            return;
        }
        if self.shared.wait_done(STOP_GRACE) {
            let _ = thread.join();
        }
    }
}

impl fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticator")
            .field("context", &self.core.ctx)
            .field("running", &self.is_running())
            .field("sockets", &self.sockets())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Authenticator {
    /// A builder, to give the policies and [start](AuthenticatorBuilder::start).
    pub fn builder() -> AuthenticatorBuilder {
        AuthenticatorBuilder::default()
    }

    pub(crate) fn spawn(
        ctx: &Context,
        policy: Policy,
        hook: Option<Hook>,
    ) -> Result<Authenticator> {
        let zap = Socket::new(ctx, SocketType::Rep)?;
        zap.set_linger(Some(Duration::ZERO))?;
        match zap.bind(ZAP_ENDPOINT) {
            Ok(_) => {}
            Err(Error::AddressInUse(_)) => return Err(Error::ZapHandlerRunning),
            Err(e) => return Err(e),
        }
        let endpoint = crate::inproc_name::unique("zap-control");
        let inner = Socket::new(ctx, SocketType::Pair)?;
        inner.set_linger(Some(Duration::ZERO))?;
        inner.bind(endpoint.as_str())?;
        let control = Socket::new(ctx, SocketType::Pair)?;
        control.set_linger(Some(Duration::ZERO))?;
        control.connect(endpoint.as_str())?;
        let shared = Arc::new(Shared {
            stats: Mutex::new(AuthStats::default()),
            running: AtomicBool::new(true),
            stop: AtomicBool::new(false),
            done: Mutex::new(false),
            changed: Condvar::new(),
        });
        let for_thread = shared.clone();
        let thread = std::thread::Builder::new()
            .name("zmq-typed-zap".into())
            .spawn(move || serve::serve(zap, inner, policy, hook, for_thread))
            .map_err(|e| Error::ThreadSpawn {
                what: "ZAP authenticator",
                reason: e.to_string(),
            })?;
        Ok(Authenticator {
            core: Arc::new(Core {
                ctx: ctx.clone(),
                control: Mutex::new(control),
                shared,
                thread: Mutex::new(Some(thread)),
            }),
        })
    }

    /// Whether its thread still serves ZAP: `false` once stopped, after the context's
    /// shutdown, or if the thread ended on an error.
    pub fn is_running(&self) -> bool {
        if !self.core.shared.running.load(Ordering::SeqCst) {
            return false;
        }
        // A socket of a shut-down context answers ZMQ_EVENTS with ETERM at once, before the
        // thread has noticed.
        let control = self
            .core
            .control
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        !matches!(control.events(), Err(e) if e.is_terminated())
    }

    /// The context it serves, to check that a socket belongs to it.
    pub(crate) fn context_ptr(&self) -> *mut std::ffi::c_void {
        self.core.ctx.as_ptr()
    }

    /// What a socket set up with `Admission::CheckedBy(self)` holds until it is closed: the
    /// thread runs while any such reference lives.
    pub(crate) fn keep_alive(&self) -> Arc<dyn Any + Send + Sync> {
        self.core.clone()
    }

    /// How many open sockets set up with
    /// [`Admission::CheckedBy`](crate::security::Admission::CheckedBy) it keep it running
    /// (each counts once, however many set-ups named it). A snapshot: sockets closed on
    /// other threads meanwhile lower it.
    pub fn sockets(&self) -> usize {
        Arc::strong_count(&self.core) - 1
    }

    /// What it has decided so far.
    pub fn stats(&self) -> AuthStats {
        self.core.stats()
    }

    /// Stops the thread at once and returns the final counts (exact: nothing is decided
    /// after them), also when the context's shutdown had already stopped it. Waits at most 2
    /// seconds for a thread busy in a check closure or hook: then [`Error::TimedOut`], and the
    /// thread is left to finish on its own (it stops after that request).
    /// [`Error::ThreadPanicked`] if the thread itself panicked (the closures' panics are
    /// caught and do not count).
    ///
    /// Refused with [`Error::AuthenticatorInUse`] while it runs and sockets set up with
    /// [`Admission::CheckedBy`](crate::security::Admission::CheckedBy) it are still open
    /// ([`sockets`](Self::sockets)): stopping it would let libzmq admit every CURVE client that
    /// knows their key. The handle is consumed all the same, and the thread goes on checking
    /// their clients until the last of them is closed, as if the handle had been dropped.
    /// Close the servers first to stop it now.
    pub fn stop(self) -> Result<AuthStats> {
        // `self` is owned: no set-up can borrow it meanwhile, so the count can only fall.
        let sockets = self.sockets();
        if sockets > 0 && self.is_running() {
            return Err(Error::AuthenticatorInUse { sockets });
        }
        self.core.stop_now()
    }
}
