//! Pipeline: `Push` and `Pull`
//! ([man zmq_socket](http://api.zeromq.org/4-3:zmq-socket), "Pipeline pattern").

use crate::typed::{can, stateless_socket};

stateless_socket!(
    /// A PUSH socket: sends each message to one of its connected pullers, round robin. It
    /// cannot receive. Its peer is [`Pull`].
    ///
    /// ```
    /// use zmq_typed::{Context, Pull, Push};
    /// let ctx = Context::new()?;
    /// let sink = Pull::new(&ctx)?;
    /// let endpoint = sink.bind("tcp://127.0.0.1:*")?;
    /// let ventilator = Push::new(&ctx)?;
    /// ventilator.connect(&endpoint)?;
    /// ventilator.send(["task", "42"])?;          // one message of two frames
    /// let task = sink.recv()?;                  // the whole message
    /// assert_eq!(task.to_vecs(), [b"task".to_vec(), b"42".to_vec()]);
    /// # Ok::<(), zmq_typed::Error>(())
    /// ```
    Push = Push, "PUSH"
);

stateless_socket!(
    /// A PULL socket: receives the messages of its pushers, fair-queued. It cannot send.
    /// Its peer is [`Push`].
    Pull = Pull, "PULL"
);

can!(send: Push);
can!(recv: Pull);
