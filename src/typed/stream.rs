//! `Stream`: plain TCP peers, each named by a routing id
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_STREAM").

use std::time::Duration;

use crate::error::{Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::socket::SendError;
use crate::typed::{stateless_socket, RoutingId};

stateless_socket!(
    /// A STREAM socket: talks raw TCP (no ZMTP) with its peers, naming each by a routing id.
    /// Every message is `[routing id][data]`; a peer connecting or going away shows up as
    /// its id with empty data (unless [`Stream::set_stream_notify`] turns that off).
    ///
    /// ```
    /// use std::io::Write;
    /// use zmq_typed::{Context, Stream};
    /// let ctx = Context::new()?;
    /// let server = Stream::new(&ctx)?;
    /// let endpoint = server.bind("tcp://127.0.0.1:*")?;
    /// let port = endpoint.to_string().rsplit(':').next().unwrap().to_owned();
    /// let mut client = std::net::TcpStream::connect(format!("127.0.0.1:{port}"))?;
    ///
    /// let (id, hello) = server.recv()?;           // the connect notification
    /// assert!(hello.is_empty());
    /// client.write_all(b"GET /")?;
    /// let (same, data) = server.recv()?;
    /// assert_eq!((same, &data[..]), (id, &b"GET /"[..]));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    Stream = Stream, "STREAM"
);

impl Stream {
    fn split(message: Multipart) -> Result<(RoutingId, Message)> {
        let count = message.len();
        let mut frames = message.into_iter();
        match (frames.next(), frames.next()) {
            (Some(id), Some(data)) if count == 2 => Ok((RoutingId::from(id), data)),
            _ => Err(Error::Malformed(format!(
                "a STREAM message has two frames, [routing id][data], not {count}"
            ))),
        }
    }

    /// Receives the next data from a peer, blocking: its routing id and the bytes (empty
    /// when the peer connected or went away).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_msg_recv](http://api.zeromq.org/4-3:zmq-msg-recv)).
    pub fn recv(&self) -> Result<(RoutingId, Message)> {
        Self::split(self.socket.recv()?)
    }

    /// Receives the next data from a peer, waiting at most `timeout` for it.
    ///
    /// Wraps `zmq_msg_recv`, with `ZMQ_RCVTIMEO` set to the time left while it waits.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<(RoutingId, Message)> {
        Self::split(self.socket.recv_timeout(timeout)?)
    }

    /// Sends bytes to the peer `id`. An empty `data` closes the connection: see
    /// [`Stream::close_peer`].
    ///
    /// Wraps `zmq_msg_send` (the id with `ZMQ_SNDMORE`, then the data).
    pub fn send_to(&self, id: &RoutingId, data: impl Into<Message>) -> Result<(), SendError> {
        id.send_with(&self.socket, false, data.into())
    }

    /// Closes the connection to the peer `id` (sends it empty data). Data still queued for
    /// the peer may be dropped. libzmq completes the close inside this socket's next calls
    /// (a receive, a poll), so a socket left idle keeps the connection open until then.
    ///
    /// Wraps `zmq_msg_send`.
    pub fn close_peer(&self, id: &RoutingId) -> Result<()> {
        Ok(self.send_to(id, Message::new())?)
    }
}
