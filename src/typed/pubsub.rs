//! Publish-subscribe: `Pub`, `Sub`, `XPub`, `XSub`
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "Publish-subscribe pattern").

use crate::error::{Error, Result};
use crate::message::Message;
use crate::multipart::Multipart;
use crate::typed::{can, stateless_socket};

stateless_socket!(
    /// A PUB socket: sends every message to each subscriber whose subscriptions match its
    /// first frame. It cannot receive. Its peers are [`Sub`] and [`XSub`].
    ///
    /// A subscriber receives only what is published after its subscription has reached the
    /// publisher, which happens some time after it connects (over tcp or ipc, after the
    /// handshake): messages published before are not queued for it (the guide's "slow
    /// joiner"). A publisher that must not lose the first messages uses an [`XPub`] and
    /// waits for each subscriber's [`XPub::recv_subscription`].
    ///
    /// ```
    /// use zmq_typed::{Context, Pub, Sub};
    /// let ctx = Context::new()?;
    /// let publisher = Pub::new(&ctx)?;
    /// let endpoint = publisher.bind("inproc://pub-doc")?;
    /// let subscriber = Sub::new(&ctx)?;
    /// subscriber.subscribe("weather")?;
    /// subscriber.connect(&endpoint)?;     // inproc: connected at once
    ///
    /// publisher.send("sports 1-0")?;      // filtered out
    /// publisher.send("weather sunny")?;
    /// assert_eq!(subscriber.recv()?, "weather sunny");
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    Pub = Pub, "PUB"
);

stateless_socket!(
    /// A SUB socket: receives the messages of its publishers that match one of its
    /// subscriptions ([`Sub::subscribe`]; none at first, so nothing arrives until then). It
    /// cannot send. Its peers are [`Pub`] and [`XPub`].
    Sub = Sub, "SUB"
);

stateless_socket!(
    /// An XPUB socket: a [`Pub`] that also receives its subscribers' subscriptions
    /// ([`XPub::recv_subscription`]), as a proxy needs to pass them upstream. Its peers are
    /// [`Sub`] and [`XSub`].
    ///
    /// Like every PUB and XPUB of this crate it is made with a `ZMQ_MAXMSGSIZE` of
    /// [`SUBSCRIPTION_MSG_MAX`](crate::limits::SUBSCRIPTION_MSG_MAX) (4106 bytes): a peer
    /// that sends a longer message (a subscription that could overflow a stack where it is
    /// removed, or a long upstream message from an XSUB) is disconnected and its message
    /// dropped. An XPUB meant to carry longer upstream messages raises it with
    /// `set_max_msg_size` before it binds or connects (see [`crate::limits`]).
    XPub = XPub, "XPUB"
);

stateless_socket!(
    /// An XSUB socket: a [`Sub`] whose subscriptions are messages it sends
    /// ([`XSub::subscribe`] sends `\x01topic`), as a proxy forwards them. Its peers are
    /// [`Pub`] and [`XPub`].
    XSub = XSub, "XSUB"
);

can!(send: Pub, XPub, XSub);
can!(recv: Sub, XPub, XSub);

impl Sub {
    /// Receives the messages whose first frame starts with this prefix (empty: every
    /// message). Subscriptions add up; each needs its own `unsubscribe`. A topic longer than
    /// [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) is [`Error::TopicTooLong`].
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_SUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    #[doc(alias("set_subscribe", "ZMQ_SUBSCRIBE"))]
    pub fn subscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.socket.subscribe(topic)
    }

    /// Removes one subscription made with this prefix.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_UNSUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    #[doc(alias("set_unsubscribe", "ZMQ_UNSUBSCRIBE"))]
    pub fn unsubscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.socket.unsubscribe(topic)
    }
}

impl XSub {
    /// Subscribes to the messages starting with `topic`, by sending `\x01topic` to the
    /// publishers (XSUB has no `ZMQ_SUBSCRIBE` option). A topic longer than
    /// [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) is [`Error::TopicTooLong`].
    ///
    /// Wraps `zmq_msg_send` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_XSUB").
    #[doc(alias("set_subscribe", "ZMQ_SUBSCRIBE"))]
    pub fn subscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.socket.subscribe(topic)
    }

    /// Removes a subscription, by sending `\x00topic` to the publishers.
    ///
    /// Wraps `zmq_msg_send`.
    /// ([man zmq_msg_send](http://api.zeromq.org/4-3:zmq-msg-send))
    #[doc(alias("set_unsubscribe", "ZMQ_UNSUBSCRIBE"))]
    pub fn unsubscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.socket.unsubscribe(topic)
    }
}

impl XPub {
    /// Receives the next subscription or unsubscription of a subscriber, blocking.
    /// [`Error::Malformed`] for a message that is neither (an XSUB peer may send others;
    /// [`XPub::recv`] takes those as they are).
    ///
    /// Wraps `zmq_msg_recv` ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "ZMQ_XPUB").
    pub fn recv_subscription(&self) -> Result<Subscription> {
        Subscription::parse(self.recv()?)
    }

    /// In manual mode (`set_xpub_manual`): applies a subscription (usually one just
    /// received) to the subscriber it came from. A topic longer than
    /// [`MAX_TOPIC_LEN`](crate::limits::MAX_TOPIC_LEN) is [`Error::TopicTooLong`].
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_SUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    #[doc(alias("set_subscribe", "ZMQ_SUBSCRIBE"))]
    pub fn subscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.socket.subscribe(topic)
    }

    /// In manual mode (`set_xpub_manual`): removes a subscription of the subscriber the
    /// last one came from.
    ///
    /// Wraps `zmq_setsockopt` with `ZMQ_UNSUBSCRIBE` ([man zmq_setsockopt](http://api.zeromq.org/4-3:zmq-setsockopt)).
    #[doc(alias("set_unsubscribe", "ZMQ_UNSUBSCRIBE"))]
    pub fn unsubscribe(&self, topic: impl AsRef<[u8]>) -> Result<()> {
        self.socket.unsubscribe(topic)
    }
}

/// A subscription message, as an [`XPub`] receives it: `\x01topic` subscribes, `\x00topic`
/// unsubscribes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    frame: Message,
}

impl Subscription {
    /// Reads a subscription message: one frame, starting with 1 or 0. [`Error::Malformed`]
    /// for anything else.
    pub fn parse(message: Multipart) -> Result<Subscription> {
        let frame = message.into_single().map_err(|m| {
            Error::Malformed(format!(
                "a subscription message has one frame, not {}",
                m.len()
            ))
        })?;
        match frame.first() {
            Some(0 | 1) => Ok(Subscription { frame }),
            Some(other) => Err(Error::Malformed(format!(
                "a subscription message starts with 1 or 0, not {other}"
            ))),
            None => Err(Error::Malformed(
                "an empty frame is not a subscription message".into(),
            )),
        }
    }

    /// `true` for a subscription, `false` for an unsubscription.
    pub fn is_subscribe(&self) -> bool {
        self.frame.first() == Some(&1)
    }

    /// The topic prefix (empty: every message).
    pub fn topic(&self) -> &[u8] {
        &self.frame[1..]
    }
}
