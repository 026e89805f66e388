//! `Stream`: plain TCP peers, each named by a routing id
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_STREAM").

use std::time::Duration;

use crate::error::{Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::socket::SendError;
use crate::typed::{stateless_socket, Routed, RoutingId};

stateless_socket!(
    /// A STREAM socket: talks raw TCP (no ZMTP) with its peers, naming each by a routing id.
    /// Every message is `[routing id][data]`; a peer connecting or going away shows up as
    /// its id with empty data (unless [`Stream::set_stream_notify`] turns that off).
    ///
    /// ```
    /// use std::io::Write;
    /// use zmq_typed::{Context, Multipart, Stream};
    /// let ctx = Context::new()?;
    /// let server = Stream::new(&ctx)?;
    /// let endpoint = server.bind("tcp://127.0.0.1:*")?;
    /// let port = endpoint.to_string().rsplit(':').next().unwrap().to_owned();
    /// let mut client = std::net::TcpStream::connect(format!("127.0.0.1:{port}"))?;
    ///
    /// let hello = server.recv()?;                // the connect notification
    /// assert_eq!(hello.body, &b""[..]);
    /// client.write_all(b"GET /")?;
    /// let request = server.recv()?;
    /// assert_eq!((&request.id, &request.body), (&hello.id, &Multipart::single("GET /")));
    /// server.send_to(&request.id, "HTTP/1.0 200 OK\r\n\r\n")?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Stream = Stream, "STREAM"
);

impl Stream {
    fn split(mut message: Multipart) -> Result<Routed> {
        let count = message.len();
        match message.pop_front() {
            Some(id) if count == 2 => Ok(Routed {
                id: RoutingId::from(id),
                body: message,
            }),
            _ => Err(Error::Malformed(format!(
                "a STREAM message has two frames, [routing id][data], not {count}"
            ))),
        }
    }

    /// Receives the next data from a peer, blocking: a [`Routed`] whose `id` names the peer
    /// and whose `body` is one frame of bytes (empty when the peer connected or went away),
    /// as [`Router::recv`](crate::Router::recv) names its peers.
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&self) -> Result<Routed> {
        Self::split(self.socket.recv()?)
    }

    /// Receives the next data from a peer, waiting at most `timeout` for it.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits.
    /// ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv))
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Routed> {
        Self::split(self.socket.recv_timeout(timeout)?)
    }

    /// Receives the next data from a peer if some is ready: `Ok(None)` when none is.
    ///
    /// Wraps `zmq_msg_recv` with `ZMQ_DONTWAIT` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn try_recv(&self) -> Result<Option<Routed>> {
        self.socket.try_recv()?.map(Self::split).transpose()
    }

    /// Sends bytes to the peer `id`. An empty `data` closes the connection: see
    /// [`Stream::close_peer`].
    ///
    /// Wraps `zmq_msg_send` (the id with `ZMQ_SNDMORE`, then the data).
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send))
    pub fn send_to(&self, id: &RoutingId, data: impl Into<Message>) -> Result<(), SendError> {
        id.send_with(&self.socket, false, data.into())
    }

    /// Closes the connection to the peer `id` (sends it empty data). Data still queued for
    /// the peer may be dropped. libzmq completes the close inside this socket's next calls
    /// (a receive, a poll), so a socket left idle keeps the connection open until then.
    ///
    /// Wraps `zmq_msg_send`.
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send))
    pub fn close_peer(&self, id: &RoutingId) -> Result<()> {
        Ok(self.send_to(id, Message::new())?)
    }
}
