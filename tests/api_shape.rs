//! The shape of the API issue 8 asked for, proved from outside the crate with the public API
//! alone and no `use zmq_typed::prelude::*`: borrowed sends, a receive into a reused
//! `Multipart`, `Multipart` as text, `split_envelope`, errors that read as sentences,
//! `is_terminated` in a shutdown loop, a typed socket's descriptor polled through `add_fd`,
//! explicit `close`. The six guide programs are in `tests/guide_programs.rs`.

use std::io::Write;
use std::os::fd::{AsFd, AsRawFd};
use std::os::unix::net::UnixStream;
use std::thread;
use std::time::Duration;

use zmq_typed::{
    Context, Dealer, Error, Message, Multipart, PollEvents, Poller, Pull, Push, Rep, Req, Router,
    RoutingId,
};

/// The bound on every wait that should never run out (a failure, not a synchronisation).
const PATIENCE: Duration = Duration::from_secs(10);

/// A PUSH connected to a PULL over inproc (ready as soon as `connect` returns).
fn pipeline(ctx: &Context, name: &str) -> zmq_typed::Result<(Push, Pull)> {
    let pull = Pull::new(ctx)?;
    let endpoint = pull.bind(format!("inproc://{name}"))?;
    let push = Push::new(ctx)?;
    push.connect(&endpoint)?;
    Ok((push, pull))
}

#[test]
fn sends_borrow_what_they_send() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let (push, pull) = pipeline(&ctx, "borrowed-sends")?;
    let bytes = vec![1u8, 2, 3];
    let text = String::from("text");
    let message = Multipart::from(["key", "value"]);
    push.send(&bytes)?;
    push.send(&bytes[..])?;
    push.send(&text)?;
    push.send(&message)?;
    push.send(&message[0])?; // one frame of it, a `&Message`
                             // Still ours after the sends.
    assert_eq!((bytes.len(), text.as_str(), message.len()), (3, "text", 2));

    assert_eq!(pull.recv()?, &bytes[..]);
    assert_eq!(pull.recv()?, &bytes[..]);
    assert_eq!(pull.recv()?, text);
    assert_eq!(pull.recv()?, message);
    assert_eq!(pull.recv()?, "key");

    // The same on a REQ, and on a ROUTER's reply.
    let router = Router::new(&ctx)?;
    let endpoint = router.bind("inproc://borrowed-sends-router")?;
    let req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    let req = req.send(&bytes)?;
    let request = router.recv()?;
    assert_eq!(request.body, Multipart::from([&b""[..], &bytes[..]]));
    router.reply(&request.id, &text)?;
    let (reply, _req) = req.recv()?;
    assert_eq!(reply, text);
    Ok(())
}

#[test]
fn a_hot_loop_receives_into_one_reused_multipart() -> zmq_typed::Result<()> {
    const N: usize = 1000;
    let ctx = Context::new()?;
    let (push, pull) = pipeline(&ctx, "recv-into")?;
    let sender = thread::spawn(move || -> zmq_typed::Result<()> {
        for i in 0..N {
            if i % 2 == 0 {
                push.send(i.to_string())?;
            } else {
                push.send(["odd", &i.to_string()])?;
            }
        }
        Ok(())
    });
    let mut message = Multipart::new();
    for i in 0..N {
        pull.recv_into(&mut message)?;
        if i % 2 == 0 {
            assert_eq!(message, i.to_string());
        } else {
            assert_eq!(
                message.to_vecs(),
                [b"odd".to_vec(), i.to_string().into_bytes()]
            );
        }
    }
    sender.join().expect("the sender thread")?;
    Ok(())
}

#[test]
fn multipart_reads_as_text() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let (push, pull) = pipeline(&ctx, "multipart-text")?;
    push.send("World")?;
    push.send(["GET", "", "/index"])?;
    push.send(&[0u8, 0xff][..])?;

    let reply = pull.recv()?;
    assert_eq!(format!("{reply}"), "World");
    assert_eq!(reply, String::from("World"));
    assert_eq!(reply.into_string()?, "World");

    let request = pull.recv()?;
    assert_eq!(request.to_string(), "[GET][][/index]");
    assert_ne!(request, String::from("GET"));
    let not_one_frame = request.into_string().unwrap_err();
    assert!(
        matches!(not_one_frame, Error::Malformed(_)),
        "{not_one_frame:?}"
    );

    let binary = pull.recv()?;
    assert_eq!(binary.to_string(), "[0x00ff]");
    assert!(matches!(binary.into_string(), Err(Error::Utf8 { .. })));
    Ok(())
}

#[test]
fn split_envelope_tells_no_delimiter_from_an_empty_envelope() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let router = Router::new(&ctx)?;
    let endpoint = router.bind("inproc://split-envelope")?;
    let req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    let dealer = Dealer::new(&ctx)?;
    dealer.connect(&endpoint)?;

    // From a REQ: [id][][body]; the body after the ROUTER's id starts with the delimiter.
    let _req = req.send("from req")?;
    let (id, body) = router.recv()?.into_parts();
    let (envelope, request) = body.split_envelope().expect("a delimiter");
    assert!(envelope.is_empty());
    assert_eq!(request, "from req");
    // Put back together, it is what a REQ wants: the same as `reply`.
    let back = Multipart::join_envelope(envelope, Multipart::single("answer"));
    assert_eq!(back.to_string(), "[][answer]");

    // From a DEALER that sends no delimiter: the message comes back unchanged.
    dealer.send(["no", "delimiter"])?;
    let routed = router.recv()?;
    assert_ne!(routed.id, id);
    let unchanged = routed.body.split_envelope().unwrap_err();
    assert_eq!(unchanged.to_string(), "[no][delimiter]");

    // A longer envelope (two hops): the frames before the first delimiter.
    let (envelope, body) = Multipart::from(["hop-2", "hop-1", "", "job"])
        .split_envelope()
        .expect("a delimiter");
    assert_eq!(envelope.to_string(), "[hop-2][hop-1]");
    assert_eq!(body, "job");
    Ok(())
}

/// What `fn main() -> zmq_typed::Result<()>` would be: its error is printed with `{:?}`.
fn bind_twice(endpoint: &str) -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let first = Rep::new(&ctx)?;
    let bound = first.bind(endpoint)?;
    let second = Rep::new(&ctx)?;
    second.bind(&bound)?;
    Ok(())
}

#[test]
fn errors_print_as_sentences_with_debug() -> zmq_typed::Result<()> {
    let error = bind_twice("tcp://127.0.0.1:*").unwrap_err();
    assert!(matches!(error, Error::AddressInUse(_)), "{error:#?}");
    let printed = format!("Error: {error:?}"); // what `main` prints
    assert!(
        printed.starts_with("Error: Address already in use (bind tcp://127.0.0.1:"),
        "{printed}"
    );
    assert!(!printed.contains("Detail("), "{printed}");
    assert!(!printed.contains("AddressInUse("), "{printed}");
    // `{:#?}` still shows the structure.
    assert!(format!("{error:#?}").starts_with("AddressInUse("));

    // A typed failure reads the same way, and names the socket's state.
    let ctx = Context::new()?;
    let rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("inproc://errors-abandon")?;
    let req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    let failed = req.send("x")?.abandon().unwrap_err();
    assert!(failed.is_wrong_state());
    let printed = format!("{failed:?}");
    assert!(printed.contains("Req<AwaitingReply>"), "{printed}");
    assert!(
        printed.contains("make it with Req::new_relaxed"),
        "{printed}"
    );
    let as_error: Error = failed.into();
    assert!(as_error.is_wrong_state());
    Ok(())
}

#[test]
fn shutdown_loops_ask_is_terminated() -> zmq_typed::Result<()> {
    const N: usize = 50;
    let ctx = Context::new()?;
    let (push, pull) = pipeline(&ctx, "shutdown-loop")?;
    let (ack, acks) = pipeline(&ctx, "shutdown-loop-acks")?;
    let worker = thread::spawn(move || -> zmq_typed::Result<usize> {
        let mut received = 0;
        loop {
            match pull.recv() {
                Ok(_) => {
                    received += 1;
                    ack.send("got it")?;
                }
                Err(e) if e.is_terminated() => return Ok(received),
                Err(e) => return Err(e),
            }
        }
    });
    // A REP loop by hand: `Failed` answers the same question.
    let rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("inproc://shutdown-loop-rep")?;
    let server = thread::spawn(move || -> zmq_typed::Result<usize> {
        let mut rep = rep;
        let mut served = 0;
        loop {
            match rep.recv() {
                Ok((request, replying)) => {
                    rep = replying.send(request)?;
                    served += 1;
                }
                Err(failed) if failed.is_terminated() => return Ok(served),
                Err(failed) => return Err(failed.into()),
            }
        }
    });
    let req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    let (reply, _req) = req.send("once")?.recv()?;
    assert_eq!(reply, "once");

    for i in 0..N {
        push.send(i.to_string())?;
    }
    for _ in 0..N {
        assert_eq!(acks.recv()?, "got it");
    }
    ctx.shutdown()?;
    assert_eq!(worker.join().expect("the worker thread")?, N);
    assert_eq!(server.join().expect("the server thread")?, 1);
    // A call that would block ends the same way (a send that can be queued may still
    // succeed after the shutdown: libzmq reads its stop command lazily).
    assert!(acks.recv().unwrap_err().is_terminated());
    Ok(())
}

#[test]
fn a_typed_socket_descriptor_is_polled_through_add_fd() -> zmq_typed::Result<()> {
    const N: usize = 20;
    let ctx = Context::new()?;
    let pull = Pull::new(&ctx)?;
    let endpoint = pull.bind("tcp://127.0.0.1:*")?;
    let push = Push::new(&ctx)?;
    push.connect(&endpoint)?;
    assert!(pull.as_raw_fd() >= 0);
    assert_eq!(pull.as_fd().as_raw_fd(), pull.as_raw_fd());
    let (mut wake, woken) = UnixStream::pair().expect("a socket pair");

    let sender = thread::spawn(move || -> zmq_typed::Result<()> {
        for i in 0..N {
            push.send(i.to_string())?;
        }
        wake.write_all(b"!").expect("the wake-up byte");
        Ok(())
    });

    let mut poller = Poller::new();
    let zmq_fd = poller.add_fd(&pull, PollEvents::IN);
    let other_fd = poller.add_fd(&woken, PollEvents::IN);
    let mut received = Vec::new();
    let mut woken_up = false;
    while received.len() < N || !woken_up {
        // The descriptor is edge-triggered: drain while `events()` says IN, then wait.
        while pull.events()?.contains(PollEvents::IN) {
            received.push(pull.recv()?.into_string()?);
        }
        if received.len() == N && woken_up {
            break;
        }
        let ready = poller.poll(Some(PATIENCE))?;
        assert!(!ready.is_empty(), "nothing in {PATIENCE:?}");
        assert!(ready.iter().all(|(t, _)| t == zmq_fd || t == other_fd));
        woken_up |= ready.is_readable(other_fd);
    }
    sender.join().expect("the sender thread")?;
    assert_eq!(received, (0..N).map(|i| i.to_string()).collect::<Vec<_>>());
    Ok(())
}

#[test]
fn sockets_and_contexts_close_explicitly() -> zmq_typed::Result<()> {
    let ctx = Context::new()?;
    let (push, pull) = pipeline(&ctx, "explicit-close")?;
    push.send("last words")?;
    assert_eq!(pull.recv()?, "last words");
    push.close()?;
    pull.close()?;

    let rep = Rep::new(&ctx)?;
    let endpoint = rep.bind("inproc://explicit-close-rep")?;
    let req = Req::new(&ctx)?;
    req.connect(&endpoint)?;
    let waiting = req.send("never answered")?;
    waiting.close()?; // in any state
    let (request, replying) = rep.recv()?;
    assert_eq!(request, "never answered");
    replying.close()?;

    let router = Router::new(&ctx)?;
    let id = RoutingId::from("nobody");
    router.send_to(&id, Message::from("dropped: no such peer"))?;
    router.close()?;
    ctx.terminate()?;
    Ok(())
}
