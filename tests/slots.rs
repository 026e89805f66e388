//! `ReqSlot` and `RepSlot` over real sockets: a REQ or REP kept in a struct behind
//! `&mut self`, stepped through the typed API, with the order checked at run time before
//! libzmq is called, and a socket that no `?` can lose.

mod common;

use std::os::fd::{AsFd, AsRawFd};
use std::thread;
use std::time::Duration;

use common::*;
use zmq_typed::{
    poll, AnyRep, AnyReq, AsPollable, Context, Error, PollEvents, Poller, Rep, RepSlot, Req,
    ReqSlot, Result,
};

/// libzmq's text for `EFSM`, which `Error::WrongState` displays before its detail.
const EFSM: &str = "Operation cannot be accomplished in current state";

/// Asserts that `error` is the slot's refusal with `detail`.
#[track_caller]
fn refused(error: &Error, detail: &str) {
    assert!(matches!(error, Error::WrongState(_)), "{error:#?}");
    assert_eq!(error.to_string(), format!("{EFSM} ({detail})"));
}

const REQ_SEND_AWAITING: &str = "send on a REQ awaiting its reply: call recv() first, or \
     abandon() the request on a relaxed socket (ReqSlot::new_relaxed); nothing was sent";
const REQ_RECV_READY: &str =
    "recv on a REQ with no request open: call send() first; nothing was received";
const REQ_RECV_SENDING: &str = "recv on a REQ whose request is still open: send() its last \
     frame first; nothing was received";
const REQ_REQUEST_AWAITING: &str = "request on a REQ awaiting the reply to an earlier request: \
     recv() it, or abandon() it on a relaxed socket (ReqSlot::new_relaxed); nothing was sent";
const REQ_REQUEST_SENDING: &str = "request on a REQ whose request is still open: send() its \
     last frame, then recv() the reply; nothing was sent";
const REQ_ABANDON_READY: &str = "abandon on a REQ with no request open: nothing to abandon";
const REQ_ABANDON_SENDING: &str =
    "abandon on a REQ whose request is still open: send() its last frame first";
const REQ_ABANDON_STRICT: &str = "abandon on a strict REQ socket: make it with Req::new_relaxed";
const REP_SEND_RECEIVING: &str =
    "send on a REP with no request to reply to: call recv() first; nothing was sent";
const REP_RECV_REPLYING: &str =
    "recv on a REP that has not replied yet: send() the reply first; nothing was received";

// The Lazy Pirate client kept in a struct is the guide program of tests/guide_programs.rs.

#[test]
fn every_wrong_state_call_on_a_req_slot_is_refused_before_libzmq() -> Result<()> {
    let ctx = Context::new()?;
    let rep = patient(Rep::new(&ctx)?);
    let endpoint = rep.bind("inproc://slots-req-wrong-state")?;
    let mut req = ReqSlot::new_relaxed(&ctx)?;
    patient(&*req);
    req.connect(&endpoint)?;

    // Ready: nothing to receive, nothing to abandon.
    refused(&req.recv().unwrap_err(), REQ_RECV_READY);
    refused(&req.recv_timeout(PATIENCE).unwrap_err(), REQ_RECV_READY);
    refused(&req.abandon().unwrap_err(), REQ_ABANDON_READY);
    assert_eq!(req.state(), "Ready");

    // AwaitingReply on a relaxed socket, to which libzmq itself would let a send through:
    // the slot refuses it and hands the message back.
    req.send("first")?;
    assert!(req.is_awaiting_reply());
    let (error, unsent) = req.send("second").unwrap_err().into_parts();
    refused(&error, REQ_SEND_AWAITING);
    assert_eq!(unsent, "second");
    let (error, unsent) = req.send_more(["a", "b"]).unwrap_err().into_parts();
    refused(&error, REQ_SEND_AWAITING);
    assert_eq!(frames(&unsent), [v("a"), v("b")]);
    refused(
        &req.request("third", Some(PATIENCE)).unwrap_err(),
        REQ_REQUEST_AWAITING,
    );
    assert_eq!(req.state(), "AwaitingReply");
    // Had any of them reached libzmq, ZMQ_REQ_CORRELATE would drop the reply to "first".
    let (request, replying) = rep.recv()?;
    assert_eq!(request, "first");
    let rep = replying.send("re: first")?;
    assert_eq!(req.recv()?, "re: first");

    // Sending: the request is open.
    req.send_more("GET")?;
    assert_eq!(req.state(), "Sending");
    refused(&req.recv().unwrap_err(), REQ_RECV_SENDING);
    refused(&req.request("x", None).unwrap_err(), REQ_REQUEST_SENDING);
    refused(&req.abandon().unwrap_err(), REQ_ABANDON_SENDING);
    assert_eq!(req.state(), "Sending");
    req.send("/index")?;
    let (request, replying) = rep.recv()?;
    assert_eq!(frames(&request), [v("GET"), v("/index")]);
    replying.send(["200", "<html>"])?;
    assert_eq!(frames(&req.recv()?), [v("200"), v("<html>")]);
    assert!(req.is_ready());
    Ok(())
}

#[test]
fn abandon_on_a_strict_req_slot_is_refused_and_the_reply_still_comes() -> Result<()> {
    let ctx = Context::new()?;
    let mut rep = RepSlot::new(&ctx)?;
    patient(&*rep);
    let endpoint = rep.bind("tcp://127.0.0.1:*")?;
    let mut req = ReqSlot::new(&ctx)?;
    patient(&*req);
    req.connect(&endpoint)?;
    assert!(!req.is_relaxed());

    req.send("ping")?;
    refused(&req.abandon().unwrap_err(), REQ_ABANDON_STRICT);
    assert!(req.is_awaiting_reply());
    assert_eq!(rep.recv()?, "ping");
    rep.send("pong")?;
    assert_eq!(req.recv()?, "pong");
    Ok(())
}

#[test]
fn every_wrong_state_call_on_a_rep_slot_is_refused_before_libzmq() -> Result<()> {
    let ctx = Context::new()?;
    let mut rep = RepSlot::new(&ctx)?;
    patient(&*rep);
    let endpoint = rep.bind("inproc://slots-rep-wrong-state")?;
    let req = patient(Req::new(&ctx)?);
    req.connect(&endpoint)?;

    // Receiving: no request to reply to.
    let (error, unsent) = rep.send("too soon").unwrap_err().into_parts();
    refused(&error, REP_SEND_RECEIVING);
    assert_eq!(unsent, "too soon");
    refused(
        &rep.send_more("x").unwrap_err().into_error(),
        REP_SEND_RECEIVING,
    );
    assert!(rep.is_receiving());

    // Replying: the reply first.
    let waiting = req.send("question")?;
    assert_eq!(rep.recv()?, "question");
    assert!(rep.is_replying());
    refused(&rep.recv().unwrap_err(), REP_RECV_REPLYING);
    refused(&rep.recv_timeout(PATIENCE).unwrap_err(), REP_RECV_REPLYING);
    rep.send_more("the")?;
    refused(&rep.recv().unwrap_err(), REP_RECV_REPLYING);
    rep.send("answer")?;
    let (reply, _req) = waiting.recv()?;
    assert_eq!(frames(&reply), [v("the"), v("answer")]);
    assert_eq!(rep.state(), "Receiving");
    Ok(())
}

/// A client whose methods use `?` on every step.
struct Asker {
    req: ReqSlot,
}

impl Asker {
    fn ask(&mut self, question: &str, timeout: Duration) -> Result<String> {
        self.req.send(question)?;
        let reply = self.req.recv_timeout(timeout)?;
        reply.into_string()
    }

    fn ask_pair(&mut self, a: &str, b: &str) -> Result<()> {
        self.req.send([a, b])?;
        Ok(())
    }
}

#[test]
fn a_question_mark_in_a_mut_self_method_does_not_lose_the_socket() -> Result<()> {
    let ctx = Context::new()?;
    let mut asker = Asker {
        req: ReqSlot::new(&ctx)?,
    };
    asker.req.set_rcvtimeo(Some(PATIENCE))?;

    // A failed send: no peer and no wait. One frame: nothing went out, still Ready.
    asker.req.set_sndtimeo(Some(Duration::ZERO))?;
    let error = asker.ask("q0", PATIENCE).unwrap_err();
    assert!(error.is_timeout(), "{error:#?}");
    assert_eq!(asker.req.state(), "Ready");
    // Several frames: `Sending`, as the typed socket says (sending them completes it).
    let error = asker.ask_pair("k", "v").unwrap_err();
    assert!(error.is_timeout(), "{error:#?}");
    assert_eq!(asker.req.state(), "Sending");
    let unsent = asker.req.send(["k", "v"]).unwrap_err().into_message();
    assert_eq!(frames(&unsent), [v("k"), v("v")]);
    assert_eq!(asker.req.state(), "Sending");

    // A peer comes; the request is completed.
    asker.req.set_sndtimeo(Some(PATIENCE))?;
    let mut rep = RepSlot::new(&ctx)?;
    patient(&*rep);
    let endpoint = rep.bind("tcp://127.0.0.1:*")?;
    asker.req.connect(&endpoint)?;
    asker.req.send(unsent)?;
    assert_eq!(frames(&rep.recv()?), [v("k"), v("v")]);
    rep.send("kv")?;
    assert_eq!(asker.req.recv()?, "kv");

    // A receive that times out inside `ask`: the `?` returns, the socket still awaits.
    let error = asker.ask("q1", Duration::ZERO).unwrap_err();
    assert!(error.is_timeout(), "{error:#?}");
    assert!(asker.req.is_awaiting_reply());
    assert_eq!(rep.recv()?, "q1");
    rep.send("a1")?;
    assert_eq!(asker.req.recv()?, "a1");
    Ok(())
}

/// A server that keeps its REP in a struct and counts what it served.
struct Server {
    rep: RepSlot,
    served: Vec<String>,
}

impl Server {
    /// Serves until a request says "stop"; every failure returns with the socket kept.
    fn run(&mut self) -> Result<()> {
        loop {
            let request = self.rep.recv()?.into_string()?;
            if request == "stop" {
                self.rep.send("bye")?;
                return Ok(());
            }
            self.rep.send_more("re:")?;
            self.rep.send(request.as_str())?;
            self.served.push(request);
        }
    }
}

#[test]
fn a_rep_slot_server_loop_in_a_struct() -> Result<()> {
    let ctx = Context::new()?;
    let mut server = Server {
        rep: RepSlot::new(&ctx)?,
        served: Vec::new(),
    };
    patient(&*server.rep);
    let endpoint = server.rep.bind("tcp://127.0.0.1:*")?;

    // No request within the timeout: the loop's `?` returns, the socket stays receiving.
    server.rep.set_rcvtimeo(Some(Duration::ZERO))?;
    assert!(server.run().unwrap_err().is_timeout());
    assert_eq!(server.rep.state(), "Receiving");
    server.rep.set_rcvtimeo(Some(PATIENCE))?;

    let server = thread::spawn(move || -> Result<Server> {
        server.run()?;
        Ok(server)
    });
    let mut req = patient(Req::new(&ctx)?);
    req.connect(&endpoint)?;
    for word in ["one", "two", "three"] {
        let (reply, ready) = req.send(word)?.recv()?;
        assert_eq!(frames(&reply), [v("re:"), v(word)]);
        req = ready;
    }
    let (reply, _req) = req.send("stop")?.recv()?;
    assert_eq!(reply, "bye");
    let server = server.join().expect("the server thread")?;
    assert_eq!(server.served, ["one", "two", "three"]);
    assert!(server.rep.is_receiving());
    server.rep.close()?;
    Ok(())
}

#[test]
fn slots_wait_in_a_poller_and_in_poll() -> Result<()> {
    let ctx = Context::new()?;
    let mut rep = RepSlot::new(&ctx)?;
    patient(&*rep);
    let endpoint = rep.bind("inproc://slots-poll")?;
    let mut req = ReqSlot::new(&ctx)?;
    patient(&*req);
    req.connect(&endpoint)?;
    assert_eq!(rep.as_raw_fd(), rep.fd()?.as_raw_fd());
    assert_eq!(req.as_fd().as_raw_fd(), req.fd()?.as_raw_fd());

    req.send("ping")?;
    {
        // A poller made for this wait: it borrows the slots until it is dropped.
        let mut poller = Poller::new();
        let server = poller.add(&rep, PollEvents::IN);
        let client = poller.add(&req, PollEvents::IN);
        let ready = poller.poll(Some(PATIENCE))?;
        assert_eq!(ready.iter().collect::<Vec<_>>(), [(server, PollEvents::IN)]);
        assert!(!ready.is_readable(client));
    }
    assert_eq!(rep.recv()?, "ping");
    rep.send("pong")?;

    let ready = poll(
        &[
            (rep.as_pollable(), PollEvents::IN, "rep"),
            (req.as_pollable(), PollEvents::IN, "req"),
        ],
        Some(PATIENCE),
    )?;
    assert_eq!(ready, [("req", PollEvents::IN)]);
    assert_eq!(req.recv()?, "pong");
    Ok(())
}

#[test]
fn a_slot_goes_to_the_typed_socket_and_back() -> Result<()> {
    let ctx = Context::new()?;
    let rep = patient(Rep::new(&ctx)?);
    let endpoint = rep.bind("inproc://slots-round-trip")?;
    let mut slot = ReqSlot::from(patient(Req::new(&ctx)?));
    slot.connect(&endpoint)?;
    assert!(format!("{slot:?}").starts_with("ReqSlot(Req<Ready> { ptr: "));
    slot.send("hello")?;

    // Out of the slot, matched back to the typed socket: only `recv` compiles on it.
    let slot = match slot.into_any() {
        AnyReq::AwaitingReply(req) => {
            let (request, replying) = rep.recv()?;
            let rep = replying.send(request)?;
            let (reply, ready) = req.recv()?;
            assert_eq!(reply, "hello");
            // A typed failure goes into a slot with the socket in its real state.
            let failed = ready
                .send("again")?
                .recv_timeout(Duration::ZERO)
                .unwrap_err();
            assert!(failed.is_timeout());
            let mut slot = ReqSlot::from(failed);
            assert!(slot.is_awaiting_reply());
            let mut rep = RepSlot::from(rep);
            assert_eq!(rep.recv()?, "again");
            rep.send("again and again")?;
            assert_eq!(slot.recv()?, "again and again");
            let AnyRep::Receiving(rep) = rep.into_any() else {
                panic!("a REP that replied is receiving");
            };
            drop(rep);
            slot
        }
        other => panic!("a REQ that sent awaits its reply, not {}", other.state()),
    };
    assert!(slot.is_ready());
    assert_eq!(
        ReqSlot::from(AnyReq::from(Req::new(&ctx)?)).state(),
        "Ready"
    );
    let socket = slot.into_dynamic();
    assert_eq!(socket.socket_type(), zmq_typed::SocketType::Req);
    Ok(())
}
