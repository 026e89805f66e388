//! [`AuthenticatorBuilder`]: the policies, gathered before the authenticator starts.

use std::collections::HashSet;
use std::fmt;
use std::path::PathBuf;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::security::CurveKey;

use super::decision::{Decision, Verdict};
use super::passwords::Passwords;
use super::policy::{Check, IpRule, Policy};
use super::request::ZapRequest;
use super::watch::Reloading;
use super::Authenticator;

/// A decision hook, boxed.
pub(crate) type Hook = Box<dyn Fn(&Decision) + Send + 'static>;

/// The policies of an [`Authenticator`], then [`start`](AuthenticatorBuilder::start).
/// Every method adds to what was given before; a bad argument (an address that does not
/// parse) is reported by `start`.
///
/// ```
/// use zmq_typed::security::zap::Verdict;
/// use zmq_typed::{Authenticator, Context, CurveKeyPair};
/// let ctx = Context::new()?;
/// let client = CurveKeyPair::generate()?;
/// let auth = Authenticator::builder()
///     .deny_ip("10.0.0.13")
///     .curve_keys([client.public])
///     .plain_passwords([("admin", "secret")])
///     .check(|request| {
///         if request.domain() == "internal" { Verdict::allow() } else { Verdict::deny("wrong domain") }
///     })
///     .start(&ctx)?;
/// assert!(auth.is_running());
/// let stats = auth.stop()?;
/// assert_eq!(stats.allowed, 0);
/// # Ok::<(), zmq_typed::Error>(())
/// ```
#[must_use]
#[derive(Default)]
pub struct AuthenticatorBuilder {
    allow: Vec<IpRule>,
    deny: Vec<IpRule>,
    passwords: Option<Passwords>,
    password_files: Vec<PathBuf>,
    curve_keys: Option<HashSet<CurveKey>>,
    cert_dirs: Vec<PathBuf>,
    curve_any: bool,
    check: Option<Check>,
    hook: Option<Hook>,
    error: Option<Error>,
}

impl fmt::Debug for AuthenticatorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthenticatorBuilder")
            .field("allow", &self.allow)
            .field("deny", &self.deny)
            .field("passwords", &self.passwords)
            .field("password_files", &self.password_files)
            .field("curve_keys", &self.curve_keys.as_ref().map(HashSet::len))
            .field("cert_dirs", &self.cert_dirs)
            .field("curve_any", &self.curve_any)
            .field("check", &self.check.is_some())
            .field("hook", &self.hook.is_some())
            .finish_non_exhaustive()
    }
}

impl AuthenticatorBuilder {
    fn ip(mut self, text: &str, allow: bool) -> Self {
        match IpRule::parse(text.trim()) {
            Ok(rule) if allow => self.allow.push(rule),
            Ok(rule) => self.deny.push(rule),
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
        self
    }

    /// Lets in clients from `address` only (with every other `allow_ip`): an IPv4 or IPv6
    /// address (`192.168.1.7`, `::1`) or network (`10.0.0.0/8`, `fd00::/8`); an IPv4-mapped
    /// one (`::ffff:192.168.1.7`, as a dual-stack server sees an IPv4 client) stands for its
    /// IPv4 address (`::ffff:10.0.0.0/104` for `10.0.0.0/8`). Once an allow
    /// list is set, every other address is refused, and so are connections without an IP
    /// address (IPC). `start` reports an address that does not parse
    /// ([`Error::SecuritySetup`]).
    pub fn allow_ip(self, address: impl AsRef<str>) -> Self {
        self.ip(address.as_ref(), true)
    }

    /// Refuses clients from `address` (an address or a network, as for
    /// [`allow_ip`](Self::allow_ip)). The deny list wins: an address in both is refused.
    pub fn deny_ip(self, address: impl AsRef<str>) -> Self {
        self.ip(address.as_ref(), false)
    }

    /// PLAIN: lets in these users with these passwords (compared in constant time).
    pub fn plain_passwords<U, P>(mut self, users: impl IntoIterator<Item = (U, P)>) -> Self
    where
        U: AsRef<[u8]>,
        P: AsRef<[u8]>,
    {
        let table = self.passwords.get_or_insert_with(Passwords::default);
        for (user, password) in users {
            table.insert(user.as_ref(), password.as_ref());
        }
        self
    }

    /// PLAIN: lets in the users of a password file in czmq's `zauth` format (`name=password`
    /// a line; `#` comments and blank lines ignored). Read at `start` (a missing or garbled
    /// file is [`Error::PasswordFile`], naming the line), then again whenever it changes,
    /// checked at each handshake. While it cannot be read or is garbled, every PLAIN client
    /// is refused (status 500) with a reason that names it; once fixed, it is used again.
    pub fn plain_password_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.password_files.push(path.into());
        self
    }

    /// CURVE: lets in clients with these public keys.
    pub fn curve_keys(mut self, keys: impl IntoIterator<Item = CurveKey>) -> Self {
        self.curve_keys
            .get_or_insert_with(HashSet::new)
            .extend(keys);
        self
    }

    /// CURVE: lets in clients whose public key is in a certificate of `dir`
    /// ([`Certificate::load_dir`](crate::security::Certificate::load_dir): the files czmq
    /// and pyzmq write). Read at `start` (a missing directory or a garbled file is
    /// [`Error::Certificate`]), then again whenever the directory or a file of it changes,
    /// checked at each handshake; while it cannot be read, every CURVE client not in
    /// [`curve_keys`](Self::curve_keys) is refused (status 500), naming the file. A directory
    /// of more than 10 000 entries (files of any kind) is refused likewise: each handshake
    /// checks every entry for changes.
    pub fn curve_cert_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cert_dirs.push(dir.into());
        self
    }

    /// CURVE: lets in any client key (the client still has to know the server's public
    /// key, and the other policies still apply). The `User-Id` is then the client's key.
    pub fn curve_any_key(mut self) -> Self {
        self.curve_any = true;
        self
    }

    /// A last check, after the built-in policies have let a request on: the closure decides
    /// (and may set the `User-Id` and metadata, see [`Verdict`]). A mechanism without a
    /// built-in policy (PLAIN with no passwords, CURVE with no keys, GSSAPI) is then left to
    /// it alone. It runs on the authenticator's thread, one request at a time, and holds up
    /// every handshake of the context while it runs. A panic in it refuses that request with
    /// status 500, is reported to the hook, and the authenticator goes on.
    pub fn check<F>(mut self, closure: F) -> Self
    where
        F: Fn(&ZapRequest) -> Verdict + Send + 'static,
    {
        self.check = Some(Box::new(closure));
        self
    }

    /// Reports every decision (allowed or not, with the reason) to `hook`, on the
    /// authenticator's thread, after the reply has been sent. A panic in it is caught.
    pub fn on_decision<F>(mut self, hook: F) -> Self
    where
        F: Fn(&Decision) + Send + 'static,
    {
        self.hook = Some(Box::new(hook));
        self
    }

    /// Starts the authenticator on `ctx`: reads the password files and certificate
    /// directories, binds `inproc://zeromq.zap.01` (before returning, so a server socket
    /// made after this call is always checked) and starts its thread.
    ///
    /// Errors: the first bad argument ([`Error::SecuritySetup`]), a password file or
    /// certificate directory that cannot be read ([`Error::PasswordFile`],
    /// [`Error::Certificate`]), another ZAP handler on the context
    /// ([`Error::ZapHandlerRunning`]), the thread not starting ([`Error::ThreadSpawn`]).
    pub fn start(self, ctx: &Context) -> Result<Authenticator> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let password_files = self
            .password_files
            .into_iter()
            .map(Reloading::start)
            .collect::<Result<Vec<_>>>()?;
        let cert_dirs = self
            .cert_dirs
            .into_iter()
            .map(Reloading::start)
            .collect::<Result<Vec<_>>>()?;
        let policy = Policy {
            allow: self.allow,
            deny: self.deny,
            passwords: self.passwords,
            password_files,
            curve_keys: self.curve_keys,
            cert_dirs,
            curve_any: self.curve_any,
            check: self.check,
        };
        Authenticator::spawn(ctx, policy, self.hook)
    }
}
