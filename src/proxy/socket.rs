//! [`ProxySocket`]: the sockets a proxy runs on, typed or dynamic.

use crate::socket::Socket;
use crate::typed::{Dealer, Pair, Pub, Pull, Push, Router, Stream, Sub, XPub, XSub};

pub(crate) mod sealed {
    /// Proof of being inside this crate (its field cannot be set from outside), so that
    /// [`Sealed::proxied`] cannot be called from outside, even through a generic bound.
    pub struct Token(pub(crate) ());

    /// Implemented by this crate only.
    pub trait Sealed {
        /// The dynamic socket underneath, for `zmq_proxy`.
        fn proxied(&self, token: Token) -> &crate::Socket;
    }
}

/// A socket a proxy can forward through: the dynamic [`Socket`], and every typed socket
/// with no state machine ([`Router`], [`Dealer`], [`XPub`], [`XSub`], [`Pub`], [`Sub`],
/// [`Push`], [`Pull`], [`Pair`], [`Stream`]). [`crate::Req`] and [`crate::Rep`] are not: a
/// proxy would send and receive behind the state in their type (use `into_dynamic` to give
/// it up knowingly). Sealed: only this crate implements it.
///
/// ```compile_fail,E0277
/// # use zmq_typed::{proxy, Context, Dealer, Rep};
/// # let ctx = Context::new()?;
/// let rep = Rep::new(&ctx)?;
/// let dealer = Dealer::new(&ctx)?;
/// proxy(&rep, &dealer)?; // Rep<Receiving> is not a ProxySocket
/// # Ok::<(), zmq_typed::Error>(())
/// ```
pub trait ProxySocket: sealed::Sealed + Send + 'static {}

/// The dynamic socket under any proxy socket.
pub(crate) fn raw<S: ProxySocket + ?Sized>(socket: &S) -> &Socket {
    socket.proxied(sealed::Token(()))
}

impl sealed::Sealed for Socket {
    fn proxied(&self, _: sealed::Token) -> &Socket {
        self
    }
}

impl ProxySocket for Socket {}

macro_rules! typed_proxy_socket {
    ($($name:ident),*) => {$(
        impl sealed::Sealed for $name {
            fn proxied(&self, _: sealed::Token) -> &Socket {
                &self.socket
            }
        }

        impl ProxySocket for $name {}
    )*};
}

typed_proxy_socket!(Router, Dealer, XPub, XSub, Pub, Sub, Push, Pull, Pair, Stream);
