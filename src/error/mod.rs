//! The crate's error type: every libzmq errno by name, plus typed errors for bad input caught
//! before libzmq sees it.

use std::borrow::Cow;
use std::ffi::CStr;
use std::fmt;

mod sentence;

pub(crate) use sentence::{error_questions, write_sentence};

use crate::endpoint::EndpointError;

/// What the failing call was about: the endpoint, the option or the operation. Shown after the
/// libzmq message in `Display`; its `Debug` is the text alone (`"bind tcp://127.0.0.1:5555"`),
/// or `Detail::NONE`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Detail(Option<Cow<'static, str>>);

impl Detail {
    /// No detail.
    pub const NONE: Detail = Detail(None);

    /// A detail that names what the call was about.
    pub fn new(text: impl Into<Cow<'static, str>>) -> Detail {
        Detail(Some(text.into()))
    }

    /// The detail, when there is one.
    pub fn as_str(&self) -> Option<&str> {
        self.0.as_deref()
    }
}

impl fmt::Debug for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(text) => fmt::Debug::fmt(text, f),
            None => f.write_str("Detail::NONE"),
        }
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(text) => write!(f, " ({text})"),
            None => Ok(()),
        }
    }
}

/// libzmq's own text for `errno`.
///
/// Wraps `zmq_strerror` ([man zmq_strerror](http://api.zeromq.org/4-3:zmq-strerror)).
pub fn strerror(errno: i32) -> String {
    // SAFETY: zmq_strerror accepts any int and returns a pointer to a static NUL-terminated
    // string (libzmq's own table or the C library's strerror buffer), never NULL.
    let text = unsafe { CStr::from_ptr(zmq_ffi::zmq_strerror(errno)) };
    text.to_string_lossy().into_owned()
}

macro_rules! errno_variants {
    ($( $(#[$doc:meta])* $variant:ident = $errno:expr, $io:ident; )*) => {
        /// Everything that can go wrong in this crate.
        ///
        /// The first group of variants are the errno values that libzmq reports, by name, each
        /// with a [`Detail`] that says what the call was about; an errno not named here is
        /// [`Error::Other`]. `Display` is libzmq's text (`zmq_strerror`) plus that detail. The
        /// second group are errors this crate finds before calling libzmq (bad endpoints,
        /// option values out of range, text that is not UTF-8, ...).
        ///
        /// `Debug` reads like a sentence, so that `fn main() -> zmq_typed::Result<()>` prints
        /// something a person can read: the `Display` text, then the chain of
        /// [`source`](std::error::Error::source)s as `Caused by:` lines (as `anyhow` does).
        /// The alternate form, `{:#?}`, is the structure (`AddressInUse("bind tcp://...")`):
        /// the variant's name, for a test's failure message or a log that wants it.
        ///
        /// ```
        /// use zmq_typed::{Detail, Error};
        /// let err = Error::from_errno(libc::EADDRINUSE, Detail::new("bind tcp://127.0.0.1:5555"));
        /// assert_eq!(format!("{err:?}"), "Address already in use (bind tcp://127.0.0.1:5555)");
        /// assert_eq!(format!("{err:#?}"), "AddressInUse(\n    \"bind tcp://127.0.0.1:5555\",\n)");
        /// ```
        #[derive(Clone, PartialEq, Eq, thiserror::Error)]
        #[non_exhaustive]
        pub enum Error {
            $(
                $(#[$doc])*
                #[error("{}{}", strerror($errno), .0)]
                $variant(Detail),
            )*
            /// An errno value that has no variant of its own.
            #[error("{}{} (errno {})", strerror(*.0), .1, .0)]
            Other(i32, Detail),
            /// A blocking call with a timeout ran out of time (`EAGAIN` after a receive or send
            /// timeout, or a timed call of this crate).
            #[error("operation timed out{0}")]
            TimedOut(Detail),
            /// The endpoint string is malformed or would be mangled by libzmq.
            #[error(transparent)]
            Endpoint(#[from] EndpointError),
            /// A transport the socket type cannot use (PGM, EPGM and NORM are for PUB, SUB, XPUB
            /// and XSUB only).
            #[error("{transport}:// cannot be used by a {socket_type} socket ({endpoint}): only PUB, SUB, XPUB and XSUB sockets can use multicast transports")]
            TransportNotForType {
                /// The endpoint refused.
                endpoint: String,
                /// Its transport.
                transport: &'static str,
                /// The socket type that cannot use it.
                socket_type: &'static str,
            },
            /// `pgm://` needs raw sockets; without that permission libzmq would abort the whole
            /// process from its I/O thread, so the call is refused before libzmq sees it.
            #[error("pgm:// needs permission to open raw sockets (root or CAP_NET_RAW), which this process lacks ({endpoint}); use epgm:// instead, which runs over UDP")]
            PgmPermission {
                /// The endpoint refused.
                endpoint: String,
            },
            /// A value out of the range an option accepts.
            #[error("invalid value for {option}: {reason}")]
            OptionValue {
                /// The option, as libzmq names it (`ZMQ_SNDHWM`).
                option: &'static str,
                /// What is wrong with the value.
                reason: String,
            },
            /// Bytes that should have been UTF-8 text were not.
            #[error("{what} is not valid UTF-8: {source}")]
            Utf8 {
                /// What was being read (a message, an option, a property).
                what: &'static str,
                /// Where the bytes stop being UTF-8.
                #[source]
                source: std::str::Utf8Error,
            },
            /// A string passed to libzmq contained a NUL byte, which C strings cannot hold.
            #[error("{what} contains a NUL byte at position {position}")]
            Nul {
                /// What was being passed.
                what: &'static str,
                /// The byte index of the NUL.
                position: usize,
            },
            /// Z85 text or binary of the wrong shape.
            #[error("invalid Z85: {0}")]
            Z85(String),
            /// A message or frame that does not have the shape the caller expects.
            #[error("malformed message: {0}")]
            Malformed(String),
            /// The durable outbox's journal could not be opened, read or written: missing
            /// directory, not a journal, corrupt, locked, disk full ([`crate::patterns::outbox`]).
            #[error("journal {}: {reason}", path.display())]
            Journal {
                /// The journal file.
                path: std::path::PathBuf,
                /// What went wrong, in words.
                reason: String,
            },
            /// A message with no frame at all: a ZeroMQ message has at least one.
            #[error("a message needs at least one frame")]
            EmptyMessage,
            /// A thread the crate starts (a proxy, a monitor relay, a signal listener) could
            /// not be started.
            #[error("could not start the {what} thread: {reason}")]
            ThreadSpawn {
                /// Which thread.
                what: &'static str,
                /// What the operating system said.
                reason: String,
            },
            /// A thread the crate started panicked.
            #[error("the {what} thread panicked")]
            ThreadPanicked {
                /// Which thread.
                what: &'static str,
            },
            /// A proxy that is no longer running was asked to do something
            /// ([`crate::SteerableProxy`]).
            #[error("the proxy has stopped: {}", match .cause {
                Some(cause) => cause.to_string(),
                None => "it was terminated".to_string(),
            })]
            ProxyStopped {
                /// Why it stopped: the proxy's own error ([`Error::Terminated`] after the
                /// context's shutdown, [`Error::NotSupported`] for a capture socket that
                /// cannot send...), or `None` when it was terminated by a command.
                #[source]
                cause: Option<Box<Error>>,
            },
            /// A subscription topic longer than the crate accepts
            /// ([`crate::limits::MAX_TOPIC_LEN`]): libzmq walks subscriptions recursively, one
            /// stack frame per byte, so a long topic can overflow a thread's stack.
            #[error("a subscription topic of {len} bytes is longer than the limit of {max} bytes (libzmq removes subscriptions recursively, one stack frame per byte)")]
            TopicTooLong {
                /// The topic's length.
                len: usize,
                /// The limit.
                max: usize,
            },
            /// A CURVE socket lacks a key it needs: every handshake would fail, so the bind or
            /// connect is refused.
            #[error("a CURVE {role} needs {key} before it can bind or connect")]
            CurveKeyMissing {
                /// `server` or `client`.
                role: &'static str,
                /// The key missing, with its option name.
                key: &'static str,
            },
            /// An endpoint names a network interface (or address) this host does not have;
            /// for `norm://` libzmq would abort the process from its I/O thread.
            #[error("{endpoint}: this host has no interface or address `{interface}`")]
            UnknownInterface {
                /// The endpoint refused.
                endpoint: String,
                /// The interface part.
                interface: String,
            },
            /// A `norm://` endpoint whose names all exist but that NORM could not set up on
            /// libzmq's I/O thread, where libzmq would abort the process: its interface has no
            /// IPv4 address (it is down, or was never given one), or it names no interface and
            /// no route leads to its group, or it is written in a form libzmq hands to NORM
            /// unchanged and NORM cannot read (an IPv6 group or interface address in brackets).
            #[error("{endpoint}: {reason}")]
            MulticastUnusable {
                /// The endpoint refused.
                endpoint: String,
                /// Why NORM could not use it.
                reason: String,
            },
            /// A CURVE certificate file (or a directory of them) that cannot be read or does
            /// not have the ZPL shape czmq and pyzmq write ([`crate::security::Certificate`]).
            #[error("certificate {}: {reason}", path.display())]
            Certificate {
                /// The file or directory.
                path: std::path::PathBuf,
                /// What is wrong, in words (with the line number where there is one).
                reason: String,
            },
            /// A PLAIN password file the [authenticator](crate::security::Authenticator) cannot
            /// read or parse.
            #[error("password file {}: {reason}", path.display())]
            PasswordFile {
                /// The file.
                path: std::path::PathBuf,
                /// What is wrong, in words (with the line number where there is one).
                reason: String,
            },
            /// Something else already serves ZAP (`inproc://zeromq.zap.01`) on this context: one
            /// authenticator per context.
            #[error("a ZAP handler already serves this context (inproc://zeromq.zap.01 is bound): one authenticator per context")]
            ZapHandlerRunning,
            /// [`Authenticator::stop`](crate::security::Authenticator::stop) refused: sockets
            /// set up with [`Admission::CheckedBy`](crate::security::Admission::CheckedBy) it
            /// are still open, and without it libzmq would let in every CURVE client that knows
            /// their key. The authenticator goes on checking their clients, and stops when the
            /// last of them is closed.
            #[error("the authenticator still checks the clients of {sockets} open socket(s) set up with Admission::CheckedBy: stopping it would let libzmq admit every CURVE client that knows their key (and every NULL client); close those sockets first. It goes on checking them, and stops when the last one is closed")]
            AuthenticatorInUse {
                /// How many sockets still depend on it.
                sockets: usize,
            },
            /// A security set-up that would silently let in everyone, or that cannot work:
            /// an authenticator that has stopped or belongs to another context, a policy that
            /// cannot be met ([`crate::security::Admission`]).
            #[error("security set-up refused: {0}")]
            SecuritySetup(String),
            /// A ZMTP security handshake failed; the failure says with whom, which mechanism,
            /// and the probable cause ([`crate::security::HandshakeWatch`]).
            #[error("{0}")]
            Handshake(Box<crate::security::HandshakeFailure>),
        }

        impl Error {
            /// The error for `errno`, with `detail` saying what the call was about.
            pub fn from_errno(errno: i32, detail: Detail) -> Error {
                match errno {
                    $( e if e == $errno => Error::$variant(detail), )*
                    e => Error::Other(e, detail),
                }
            }

            /// The errno behind this error, when libzmq reported it.
            pub fn errno(&self) -> Option<i32> {
                match self {
                    $( Error::$variant(_) => Some($errno), )*
                    Error::Other(e, _) => Some(*e),
                    Error::TimedOut(_) => Some(libc::EAGAIN),
                    _ => None,
                }
            }

            /// The detail of an errno error.
            pub fn detail(&self) -> Option<&Detail> {
                match self {
                    $( Error::$variant(d) => Some(d), )*
                    Error::Other(_, d) | Error::TimedOut(d) => Some(d),
                    _ => None,
                }
            }

            /// The same error with `detail` in place of the one it had (errno errors only).
            pub fn with_detail(self, detail: Detail) -> Error {
                match self {
                    $( Error::$variant(_) => Error::$variant(detail), )*
                    Error::Other(e, _) => Error::Other(e, detail),
                    Error::TimedOut(_) => Error::TimedOut(detail),
                    other => other,
                }
            }

            /// The structure of the error, variant by variant: `{:#?}`.
            fn fmt_structure(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                match self {
                    $(
                        Error::$variant(d) if d.as_str().is_none() => f.write_str(stringify!($variant)),
                        Error::$variant(d) => f.debug_tuple(stringify!($variant)).field(d).finish(),
                    )*
                    _ => self.fmt_other_structure(f),
                }
            }

            fn io_kind(&self) -> std::io::ErrorKind {
                match self {
                    $( Error::$variant(_) => std::io::ErrorKind::$io, )*
                    Error::TimedOut(_) => std::io::ErrorKind::TimedOut,
                    Error::Endpoint(_) | Error::OptionValue { .. } | Error::Nul { .. } => {
                        std::io::ErrorKind::InvalidInput
                    }
                    Error::Utf8 { .. } | Error::Z85(_) | Error::Malformed(_) => {
                        std::io::ErrorKind::InvalidData
                    }
                    Error::Journal { .. } => std::io::ErrorKind::InvalidData,
                    Error::EmptyMessage | Error::TopicTooLong { .. } => {
                        std::io::ErrorKind::InvalidInput
                    }
                    Error::ThreadSpawn { .. } | Error::ThreadPanicked { .. } => {
                        std::io::ErrorKind::Other
                    }
                    Error::ProxyStopped { .. } => std::io::ErrorKind::BrokenPipe,
                    Error::CurveKeyMissing { .. } => std::io::ErrorKind::InvalidInput,
                    Error::UnknownInterface { .. } => std::io::ErrorKind::NotFound,
                    Error::MulticastUnusable { .. } => std::io::ErrorKind::AddrNotAvailable,
                    Error::TransportNotForType { .. } => std::io::ErrorKind::Unsupported,
                    Error::PgmPermission { .. } => std::io::ErrorKind::PermissionDenied,
                    Error::Certificate { .. } | Error::PasswordFile { .. } => {
                        std::io::ErrorKind::InvalidData
                    }
                    Error::ZapHandlerRunning => std::io::ErrorKind::AddrInUse,
                    Error::AuthenticatorInUse { .. } => std::io::ErrorKind::ResourceBusy,
                    Error::SecuritySetup(_) => std::io::ErrorKind::InvalidInput,
                    Error::Handshake(_) => std::io::ErrorKind::PermissionDenied,
                    Error::Other(..) => std::io::ErrorKind::Other,
                }
            }
        }
    };
}

errno_variants! {
    /// `EAGAIN`: a non-blocking call found nothing to do.
    WouldBlock = libc::EAGAIN, WouldBlock;
    /// `ETERM`: the context was shut down or terminated.
    Terminated = zmq_ffi::ETERM, ConnectionAborted;
    /// `EFSM`: the operation is not allowed in the socket's current state (REQ/REP order).
    WrongState = zmq_ffi::EFSM, Other;
    /// `EHOSTUNREACH`: no peer to route the message to (ROUTER mandatory, ...).
    HostUnreachable = libc::EHOSTUNREACH, HostUnreachable;
    /// `EADDRINUSE`: the address is already bound.
    AddressInUse = libc::EADDRINUSE, AddrInUse;
    /// `EADDRNOTAVAIL`: the address is not local.
    AddressNotAvailable = libc::EADDRNOTAVAIL, AddrNotAvailable;
    /// `ECONNREFUSED`: the peer refused the connection.
    ConnectionRefused = libc::ECONNREFUSED, ConnectionRefused;
    /// `EPROTONOSUPPORT`: the transport is not supported (unknown or not built in).
    ProtocolNotSupported = libc::EPROTONOSUPPORT, Unsupported;
    /// `ENOCOMPATPROTO`: the transport is not compatible with the socket type.
    IncompatibleProtocol = zmq_ffi::ENOCOMPATPROTO, Unsupported;
    /// `EINVAL`: an invalid argument (option, value, endpoint, ...).
    InvalidArgument = libc::EINVAL, InvalidInput;
    /// `ENOTSUP`: the operation is not supported by this socket type.
    NotSupported = libc::ENOTSUP, Unsupported;
    /// `ENODEV`: the interface named in the endpoint does not exist.
    NoDevice = libc::ENODEV, NotFound;
    /// `ENOENT`: the endpoint was not bound or connected (unbind/disconnect), or a file is
    /// missing.
    NotFound = libc::ENOENT, NotFound;
    /// `EMFILE`: too many open sockets or files.
    TooManyOpenFiles = libc::EMFILE, Other;
    /// `ENOTSOCK`: not a valid socket.
    NotSocket = libc::ENOTSOCK, InvalidInput;
    /// `EINTR`: interrupted by a signal (blocking calls of this crate retry it).
    Interrupted = libc::EINTR, Interrupted;
    /// `EFAULT`: an invalid pointer or object.
    Fault = libc::EFAULT, InvalidInput;
    /// `ENOMEM`: out of memory.
    NoMemory = libc::ENOMEM, OutOfMemory;
    /// `EMTHREAD`: no I/O thread is available.
    NoThread = zmq_ffi::EMTHREAD, Other;
    /// `ENOBUFS`: no buffer space.
    NoBuffers = libc::ENOBUFS, OutOfMemory;
    /// `ENETDOWN`: the network is down.
    NetworkDown = libc::ENETDOWN, NetworkDown;
    /// `ENETUNREACH`: the network is unreachable.
    NetworkUnreachable = libc::ENETUNREACH, NetworkUnreachable;
    /// `ECONNRESET`: the connection was reset.
    ConnectionReset = libc::ECONNRESET, ConnectionReset;
    /// `EACCES`: permission denied (an ipc path, a privileged port).
    PermissionDenied = libc::EACCES, PermissionDenied;
    /// `EPERM`: operation not permitted.
    NotPermitted = libc::EPERM, PermissionDenied;
}

impl Error {
    /// True for [`Error::WouldBlock`] and [`Error::TimedOut`]: the call gave up waiting.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::WouldBlock(_) | Error::TimedOut(_))
    }

    /// True for [`Error::Terminated`]: the context was shut down or terminated, the normal
    /// way for a loop in another thread to stop.
    ///
    /// ```
    /// use zmq_typed::{Context, Socket, SocketType};
    /// let ctx = Context::new()?;
    /// let pull = Socket::new(&ctx, SocketType::Pull)?;
    /// ctx.shutdown()?;
    /// assert!(pull.recv().unwrap_err().is_terminated());
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    pub fn is_terminated(&self) -> bool {
        matches!(self, Error::Terminated(_))
    }

    /// True for [`Error::WouldBlock`] only: a non-blocking call found nothing to do (a
    /// timeout that ran out is [`Error::TimedOut`]; [`Error::is_timeout`] covers both).
    pub fn is_would_block(&self) -> bool {
        matches!(self, Error::WouldBlock(_))
    }

    /// True for [`Error::Interrupted`]: a signal interrupted the call (the blocking calls of
    /// this crate retry it themselves).
    pub fn is_interrupted(&self) -> bool {
        matches!(self, Error::Interrupted(_))
    }

    /// True for [`Error::HostUnreachable`]: no peer to route the message to (a ROUTER with
    /// `ZMQ_ROUTER_MANDATORY` and an unknown routing id).
    pub fn is_host_unreachable(&self) -> bool {
        matches!(self, Error::HostUnreachable(_))
    }

    /// True for [`Error::WrongState`]: the call is not allowed in the socket's (or the
    /// context's) current state.
    pub fn is_wrong_state(&self) -> bool {
        matches!(self, Error::WrongState(_))
    }

    /// The structure of the variants that carry no errno.
    fn fmt_other_structure(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Other(errno, detail) => {
                f.debug_tuple("Other").field(errno).field(detail).finish()
            }
            Error::TimedOut(d) if d.as_str().is_none() => f.write_str("TimedOut"),
            Error::TimedOut(d) => f.debug_tuple("TimedOut").field(d).finish(),
            Error::Endpoint(e) => f.debug_tuple("Endpoint").field(e).finish(),
            Error::TransportNotForType {
                endpoint,
                transport,
                socket_type,
            } => f
                .debug_struct("TransportNotForType")
                .field("endpoint", endpoint)
                .field("transport", transport)
                .field("socket_type", socket_type)
                .finish(),
            Error::PgmPermission { endpoint } => f
                .debug_struct("PgmPermission")
                .field("endpoint", endpoint)
                .finish(),
            Error::OptionValue { option, reason } => f
                .debug_struct("OptionValue")
                .field("option", option)
                .field("reason", reason)
                .finish(),
            Error::Utf8 { what, source } => f
                .debug_struct("Utf8")
                .field("what", what)
                .field("source", source)
                .finish(),
            Error::Nul { what, position } => f
                .debug_struct("Nul")
                .field("what", what)
                .field("position", position)
                .finish(),
            Error::Z85(text) => f.debug_tuple("Z85").field(text).finish(),
            Error::Malformed(text) => f.debug_tuple("Malformed").field(text).finish(),
            Error::Journal { path, reason } => f
                .debug_struct("Journal")
                .field("path", path)
                .field("reason", reason)
                .finish(),
            Error::EmptyMessage => f.write_str("EmptyMessage"),
            Error::ThreadSpawn { what, reason } => f
                .debug_struct("ThreadSpawn")
                .field("what", what)
                .field("reason", reason)
                .finish(),
            Error::ThreadPanicked { what } => f
                .debug_struct("ThreadPanicked")
                .field("what", what)
                .finish(),
            Error::ProxyStopped { cause } => f
                .debug_struct("ProxyStopped")
                .field("cause", cause)
                .finish(),
            Error::TopicTooLong { len, max } => f
                .debug_struct("TopicTooLong")
                .field("len", len)
                .field("max", max)
                .finish(),
            Error::CurveKeyMissing { role, key } => f
                .debug_struct("CurveKeyMissing")
                .field("role", role)
                .field("key", key)
                .finish(),
            Error::UnknownInterface {
                endpoint,
                interface,
            } => f
                .debug_struct("UnknownInterface")
                .field("endpoint", endpoint)
                .field("interface", interface)
                .finish(),
            Error::MulticastUnusable { endpoint, reason } => f
                .debug_struct("MulticastUnusable")
                .field("endpoint", endpoint)
                .field("reason", reason)
                .finish(),
            Error::Certificate { path, reason } => f
                .debug_struct("Certificate")
                .field("path", path)
                .field("reason", reason)
                .finish(),
            Error::PasswordFile { path, reason } => f
                .debug_struct("PasswordFile")
                .field("path", path)
                .field("reason", reason)
                .finish(),
            Error::ZapHandlerRunning => f.write_str("ZapHandlerRunning"),
            Error::AuthenticatorInUse { sockets } => f
                .debug_struct("AuthenticatorInUse")
                .field("sockets", sockets)
                .finish(),
            Error::SecuritySetup(text) => f.debug_tuple("SecuritySetup").field(text).finish(),
            Error::Handshake(failure) => f.debug_tuple("Handshake").field(failure).finish(),
            // The errno variants are written by fmt_structure itself.
            errno => f.write_str(&errno.to_string()),
        }
    }
}

impl From<Error> for std::io::Error {
    fn from(err: Error) -> std::io::Error {
        std::io::Error::new(err.io_kind(), err)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The errno of the last failed libzmq call on this thread.
///
/// Wraps `zmq_errno` ([man zmq_errno](http://api.zeromq.org/4-3:zmq-errno)).
pub fn last_errno() -> i32 {
    // SAFETY: zmq_errno only reads the calling thread's errno.
    unsafe { zmq_ffi::zmq_errno() }
}

/// The errno of the last failed system call of this thread (`libc`'s, not libzmq's), 0 when
/// there is none.
pub(crate) fn os_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(0)
}

/// The error of the last failed libzmq call on this thread, with `detail`.
pub(crate) fn last_error(detail: impl FnOnce() -> Detail) -> Error {
    Error::from_errno(last_errno(), detail())
}

/// Turns libzmq's `-1 and errno` convention into a `Result`.
pub(crate) fn check(rc: i32, detail: impl FnOnce() -> Detail) -> Result<i32> {
    if rc == -1 {
        Err(last_error(detail))
    } else {
        Ok(rc)
    }
}

/// `text` as a C string for libzmq; an inner NUL is [`Error::Nul`] naming `what`.
pub(crate) fn cstring(what: &'static str, text: &str) -> Result<std::ffi::CString> {
    std::ffi::CString::new(text).map_err(|e| Error::Nul {
        what,
        position: e.nul_position(),
    })
}
