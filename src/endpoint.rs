//! Endpoints: parse and display every address form libzmq accepts, and refuse what it would
//! silently mangle.
//!
//! See [man zmq_tcp](http://api.zeromq.org/4-3:zmq-tcp), [zmq_ipc](http://api.zeromq.org/4-3:zmq-ipc),
//! [zmq_inproc](http://api.zeromq.org/4-3:zmq-inproc), [zmq_pgm](http://api.zeromq.org/4-3:zmq-pgm),
//! [zmq_tipc](http://api.zeromq.org/4-3:zmq-tipc) and `zmq_norm`.

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// The longest `ipc://` path: `sun_path` holds 108 bytes including the terminating NUL.
pub const IPC_PATH_MAX: usize = 107;

/// Why an endpoint string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid endpoint `{endpoint}`: {reason}")]
pub struct EndpointError {
    /// The endpoint as given.
    pub endpoint: String,
    /// What is wrong with it.
    pub reason: EndpointErrorKind,
}

/// What is wrong with an endpoint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EndpointErrorKind {
    /// No `transport://` prefix.
    #[error("missing `transport://` prefix (for example tcp://127.0.0.1:5555)")]
    MissingTransport,
    /// A transport libzmq does not know (or this crate does not support).
    #[error("unknown transport `{0}` (expected tcp, ipc, inproc, pgm, epgm, tipc or norm)")]
    UnknownTransport(String),
    /// Nothing after `transport://`.
    #[error("empty address")]
    EmptyAddress,
    /// No `:port` where one is required.
    #[error("missing `:port`")]
    MissingPort,
    /// A port that is not a number or `*`.
    #[error("port `{0}` is not a number or `*`")]
    InvalidPort(String),
    /// A port above 65535 (libzmq would bind another port).
    #[error("port {0} is out of range (0-65535, or * for any free port)")]
    PortOutOfRange(u64),
    /// A host part that is neither `*`, an IP address, a bracketed IPv6 address nor a name.
    #[error("invalid host `{0}`")]
    InvalidHost(String),
    /// A multicast endpoint without its `interface;group:port` shape.
    #[error("expected `interface;group:port` (for example epgm://127.0.0.1;239.192.1.1:5555)")]
    MulticastShape,
    /// The group of a multicast endpoint is not a multicast IP address.
    #[error("`{0}` is not a multicast group address (224.0.0.0/4 or ff00::/8)")]
    NotMulticast(String),
    /// An `ipc://` path longer than a Unix socket address holds.
    #[error("ipc path is {0} bytes long; at most {IPC_PATH_MAX} fit in a Unix socket address")]
    IpcPathTooLong(usize),
    /// A NUL byte, which C strings cannot hold.
    #[error("contains a NUL byte")]
    Nul,
    /// A `tipc://` address of unknown shape.
    #[error("expected tipc://{{type,lower[,upper]}} or tipc://<z.c.n:ref> or tipc://<*>")]
    TipcShape,
}

/// The host part of a TCP address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Host {
    /// `*`: every interface (bind only).
    Any,
    /// An IP address (IPv6 written in brackets).
    Ip(IpAddr),
    /// A host or interface name (`localhost`, `eth0`, `example.org`).
    Name(String),
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Host::Any => f.write_str("*"),
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(IpAddr::V4(ip)) => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// A TCP or multicast port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Port {
    /// A fixed port (0 asks the system for a free one, like `*`).
    Number(u16),
    /// `*`: any free port (bind only); [`crate::SocketCore::bind`] returns the one chosen.
    Any,
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Port::Number(n) => write!(f, "{n}"),
            Port::Any => f.write_str("*"),
        }
    }
}

/// `host:port`, as in a TCP address or the source part of one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostPort {
    /// The host or interface.
    pub host: Host,
    /// The port (`None` for a source address given without one).
    pub port: Option<Port>,
}

impl fmt::Display for HostPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}:{port}", self.host),
            None => write!(f, "{}", self.host),
        }
    }
}

/// The multicast transports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Multicast {
    /// `pgm://`: PGM over raw IP (needs raw-socket permission).
    Pgm,
    /// `epgm://`: PGM encapsulated in UDP.
    Epgm,
    /// `norm://`: NACK-Oriented Reliable Multicast.
    Norm,
}

impl Multicast {
    /// The transport's name as it appears before `://`.
    pub fn name(self) -> &'static str {
        match self {
            Multicast::Pgm => "pgm",
            Multicast::Epgm => "epgm",
            Multicast::Norm => "norm",
        }
    }
}

/// A parsed endpoint. `Display` writes it back in the form libzmq reads.
///
/// ```
/// use zmq_typed::Endpoint;
/// let ep: Endpoint = "tcp://127.0.0.1:*".parse()?;
/// assert_eq!(ep.to_string(), "tcp://127.0.0.1:*");
/// assert!("tcp://127.0.0.1:99999".parse::<Endpoint>().is_err());
/// # Ok::<(), zmq_typed::EndpointError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Endpoint {
    /// `tcp://[source;]host:port`.
    Tcp {
        /// The local address to connect from (`source;` part), connect only.
        source: Option<HostPort>,
        /// The host or interface.
        host: Host,
        /// The port.
        port: Port,
    },
    /// `ipc://path`, `ipc://*` (a fresh temporary path) or `ipc://@name` (Linux abstract
    /// namespace).
    Ipc(String),
    /// `inproc://name`: within one context.
    Inproc(String),
    /// `pgm://`, `epgm://` or `norm://` `interface;group:port`.
    Multicast {
        /// Which transport.
        transport: Multicast,
        /// The interface (an IP address or an interface name); NORM may omit it, and may
        /// prefix it with a node id (`id,`), which is kept here (`7,eth0`, or `7,` for a node
        /// id without an interface: `norm://7,239.192.1.1:5555`).
        interface: Option<String>,
        /// The multicast group.
        group: IpAddr,
        /// The port.
        port: u16,
    },
    /// `tipc://...`, kept as written after the prefix.
    Tipc(String),
}

fn err(endpoint: &str, reason: EndpointErrorKind) -> EndpointError {
    EndpointError {
        endpoint: endpoint.to_string(),
        reason,
    }
}

fn parse_port(text: &str) -> Result<Port, EndpointErrorKind> {
    if text == "*" {
        return Ok(Port::Any);
    }
    if text.is_empty() {
        return Err(EndpointErrorKind::MissingPort);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EndpointErrorKind::InvalidPort(text.to_string()));
    }
    // All digits: too many of them is still "out of range", not "not a number".
    match text.parse::<u64>() {
        Ok(n) if n <= u64::from(u16::MAX) => Ok(Port::Number(n as u16)),
        Ok(n) => Err(EndpointErrorKind::PortOutOfRange(n)),
        Err(_) => Err(EndpointErrorKind::PortOutOfRange(u64::MAX)),
    }
}

fn parse_host(text: &str) -> Result<Host, EndpointErrorKind> {
    if text == "*" {
        return Ok(Host::Any);
    }
    if let Some(inner) = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
        // libzmq also accepts a scope (`%eth0`) after a link-local address.
        let addr = inner.split('%').next().unwrap_or(inner);
        return match addr.parse::<Ipv6Addr>() {
            Ok(ip) if !inner.contains('%') => Ok(Host::Ip(IpAddr::V6(ip))),
            Ok(_) => Ok(Host::Name(text.to_string())),
            Err(_) => Err(EndpointErrorKind::InvalidHost(text.to_string())),
        };
    }
    if let Ok(ip) = text.parse::<Ipv4Addr>() {
        return Ok(Host::Ip(IpAddr::V4(ip)));
    }
    let name_ok = !text.is_empty()
        && text.len() <= 253
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
    // All digits and dots but not an IPv4 address (`300.1.1.1`, `1.2.3`): refuse rather than
    // let a resolver guess.
    let looks_numeric = text.bytes().all(|b| b.is_ascii_digit() || b == b'.');
    if name_ok && !looks_numeric {
        Ok(Host::Name(text.to_string()))
    } else {
        Err(EndpointErrorKind::InvalidHost(text.to_string()))
    }
}

fn parse_host_port(text: &str, port_required: bool) -> Result<HostPort, EndpointErrorKind> {
    // The port follows the last colon outside brackets.
    let split = match text.rfind(':') {
        Some(i) if !text[i..].contains(']') => Some(i),
        _ => None,
    };
    match split {
        Some(i) => Ok(HostPort {
            host: parse_host(&text[..i])?,
            port: Some(parse_port(&text[i + 1..])?),
        }),
        None if port_required => {
            if text.is_empty() {
                Err(EndpointErrorKind::EmptyAddress)
            } else {
                Err(EndpointErrorKind::MissingPort)
            }
        }
        None => Ok(HostPort {
            host: parse_host(text)?,
            port: None,
        }),
    }
}

fn parse_multicast(transport: Multicast, rest: &str) -> Result<Endpoint, EndpointErrorKind> {
    let (interface, group_port) = match rest.split_once(';') {
        Some((iface, gp)) if !iface.is_empty() => (Some(iface.to_string()), gp),
        Some(_) => return Err(EndpointErrorKind::MulticastShape),
        // NORM may omit the interface, and still give a node id: `id,group:port`.
        None if transport == Multicast::Norm => match rest.split_once(',') {
            Some((id, gp)) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
                (Some(format!("{id},")), gp)
            }
            _ => (None, rest),
        },
        None => return Err(EndpointErrorKind::MulticastShape),
    };
    let (group, port) = group_port
        .rsplit_once(':')
        .ok_or(EndpointErrorKind::MulticastShape)?;
    let group_text = group
        .strip_prefix('[')
        .and_then(|g| g.strip_suffix(']'))
        .unwrap_or(group);
    let group: IpAddr = group_text
        .parse()
        .map_err(|_| EndpointErrorKind::NotMulticast(group.to_string()))?;
    if !group.is_multicast() {
        return Err(EndpointErrorKind::NotMulticast(group.to_string()));
    }
    let port = match parse_port(port)? {
        Port::Number(n) if n > 0 => n,
        _ => return Err(EndpointErrorKind::InvalidPort(port.to_string())),
    };
    Ok(Endpoint::Multicast {
        transport,
        interface,
        group,
        port,
    })
}

fn parse_tipc(rest: &str) -> Result<Endpoint, EndpointErrorKind> {
    let numbers = |inner: &str, min: usize, max: usize| {
        let parts: Vec<&str> = inner.split(',').collect();
        (min..=max).contains(&parts.len())
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    };
    let ok = if let Some(inner) = rest.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        numbers(inner, 2, 3)
    } else if let Some(inner) = rest.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        inner == "*"
            || inner.split_once(':').is_some_and(|(zcn, port)| {
                let zcn: Vec<&str> = zcn.split('.').collect();
                zcn.len() == 3
                    && zcn.iter().all(|p| p.parse::<u32>().is_ok())
                    && port.parse::<u32>().is_ok()
            })
    } else {
        false
    };
    if ok {
        Ok(Endpoint::Tipc(rest.to_string()))
    } else {
        Err(EndpointErrorKind::TipcShape)
    }
}

impl FromStr for Endpoint {
    type Err = EndpointError;

    fn from_str(text: &str) -> Result<Endpoint, EndpointError> {
        let fail = |reason| err(text, reason);
        if text.contains('\0') {
            return Err(fail(EndpointErrorKind::Nul));
        }
        let (transport, rest) = text
            .split_once("://")
            .ok_or_else(|| fail(EndpointErrorKind::MissingTransport))?;
        if rest.is_empty() {
            return Err(fail(EndpointErrorKind::EmptyAddress));
        }
        match transport {
            "tcp" => {
                let (source, target) = match rest.split_once(';') {
                    Some((src, dst)) => (Some(parse_host_port(src, false).map_err(fail)?), dst),
                    None => (None, rest),
                };
                let target = parse_host_port(target, true).map_err(fail)?;
                Ok(Endpoint::Tcp {
                    source,
                    host: target.host,
                    port: target.port.unwrap_or(Port::Any),
                })
            }
            "ipc" => {
                if rest.len() > IPC_PATH_MAX {
                    return Err(fail(EndpointErrorKind::IpcPathTooLong(rest.len())));
                }
                Ok(Endpoint::Ipc(rest.to_string()))
            }
            "inproc" => Ok(Endpoint::Inproc(rest.to_string())),
            "pgm" => parse_multicast(Multicast::Pgm, rest).map_err(fail),
            "epgm" => parse_multicast(Multicast::Epgm, rest).map_err(fail),
            "norm" => parse_multicast(Multicast::Norm, rest).map_err(fail),
            "tipc" => parse_tipc(rest).map_err(fail),
            other => Err(fail(EndpointErrorKind::UnknownTransport(other.to_string()))),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Tcp { source, host, port } => {
                f.write_str("tcp://")?;
                if let Some(source) = source {
                    write!(f, "{source};")?;
                }
                write!(f, "{host}:{port}")
            }
            Endpoint::Ipc(path) => write!(f, "ipc://{path}"),
            Endpoint::Inproc(name) => write!(f, "inproc://{name}"),
            Endpoint::Multicast {
                transport,
                interface,
                group,
                port,
            } => {
                write!(f, "{}://", transport.name())?;
                match interface {
                    // A NORM node id without an interface: `id,group:port`.
                    Some(id) if id.ends_with(',') => write!(f, "{id}")?,
                    Some(iface) => write!(f, "{iface};")?,
                    None => {}
                }
                match group {
                    IpAddr::V6(g) => write!(f, "[{g}]:{port}"),
                    IpAddr::V4(g) => write!(f, "{g}:{port}"),
                }
            }
            Endpoint::Tipc(rest) => write!(f, "tipc://{rest}"),
        }
    }
}

impl Endpoint {
    /// The transport name (`tcp`, `ipc`, `inproc`, `pgm`, `epgm`, `norm`, `tipc`).
    pub fn transport(&self) -> &'static str {
        match self {
            Endpoint::Tcp { .. } => "tcp",
            Endpoint::Ipc(_) => "ipc",
            Endpoint::Inproc(_) => "inproc",
            Endpoint::Multicast { transport, .. } => transport.name(),
            Endpoint::Tipc(_) => "tipc",
        }
    }

    /// The multicast transport, for `pgm://`, `epgm://` and `norm://`.
    pub fn multicast(&self) -> Option<Multicast> {
        match self {
            Endpoint::Multicast { transport, .. } => Some(*transport),
            _ => None,
        }
    }

    /// The TCP port, when it is a fixed one.
    pub fn tcp_port(&self) -> Option<u16> {
        match self {
            Endpoint::Tcp {
                port: Port::Number(n),
                ..
            } => Some(*n),
            _ => None,
        }
    }
}

/// Anything [`crate::SocketCore::bind`] and friends take as an endpoint: `&str`, `String` or an
/// already parsed [`Endpoint`].
pub trait ToEndpoint {
    /// The endpoint, parsed.
    fn to_endpoint(&self) -> Result<Cow<'_, Endpoint>, EndpointError>;
}

impl ToEndpoint for str {
    fn to_endpoint(&self) -> Result<Cow<'_, Endpoint>, EndpointError> {
        self.parse().map(Cow::Owned)
    }
}

impl ToEndpoint for String {
    fn to_endpoint(&self) -> Result<Cow<'_, Endpoint>, EndpointError> {
        self.as_str().to_endpoint()
    }
}

impl ToEndpoint for Endpoint {
    fn to_endpoint(&self) -> Result<Cow<'_, Endpoint>, EndpointError> {
        Ok(Cow::Borrowed(self))
    }
}

impl<T: ToEndpoint + ?Sized> ToEndpoint for &T {
    fn to_endpoint(&self) -> Result<Cow<'_, Endpoint>, EndpointError> {
        (**self).to_endpoint()
    }
}
