//! [`ProxySocket`]: the sockets a proxy runs on, typed or dynamic.

use crate::socket::Socket;
use crate::typed::ops::sealed::Typed;
use crate::typed::{Dealer, Pair, Pub, Pull, Push, Router, Stream, Sub, XPub, XSub};

pub(crate) use crate::typed::ops::raw;

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
pub trait ProxySocket: Typed + Send + 'static {}

/// The dynamic socket under any proxy socket.
impl ProxySocket for Socket {}

/// The stateless typed sockets; their dynamic socket comes from the sealed `Typed` trait
/// every typed socket implements (`typed_common!`).
macro_rules! typed_proxy_socket {
    ($($name:ident),*) => {$(
        impl ProxySocket for $name {}
    )*};
}

typed_proxy_socket!(Router, Dealer, XPub, XSub, Pub, Sub, Push, Pull, Pair, Stream);
