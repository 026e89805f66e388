//! `Pair` and `Dealer`: the sockets that may send and receive at any time
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket)).

use crate::typed::{can, stateless_socket};

stateless_socket!(
    /// A PAIR socket: one exclusive peer, another [`Pair`]; sends and receives freely. Meant
    /// for `inproc://` between threads.
    ///
    /// ```
    /// use zmq_typed::{Context, Pair};
    /// let ctx = Context::new()?;
    /// let a = Pair::new(&ctx)?;
    /// let endpoint = a.bind("inproc://pair-doc")?;
    /// let b = Pair::new(&ctx)?;
    /// b.connect(&endpoint)?;
    /// b.send("ready")?;
    /// assert_eq!(a.recv_string()?, "ready");
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    Pair = Pair, "PAIR"
);

stateless_socket!(
    /// A DEALER socket: sends round robin to its peers and receives from them fair-queued,
    /// with no state machine. Its peers are [`crate::Rep`], [`crate::Router`] and other
    /// dealers. Talking to a [`crate::Rep`], it must send the empty delimiter frame first,
    /// and receives it in front of each reply.
    Dealer = Dealer, "DEALER"
);

can!(send: Pair, Dealer);
can!(recv: Pair, Dealer);
