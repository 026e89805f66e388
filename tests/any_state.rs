//! Stateful sockets in real programs: a REQ held in a struct across an event loop as an
//! `AnyReq`, `Rep::serve` with its normal stop and its failures, and the state a failed
//! send hands back, decided by the shape of the message at compile time.

mod common;

use std::time::Duration;

use common::*;
use zmq_typed::{
    AnyRep, AnyReq, Error, Failed, Frames, Multipart, OneFrame, Ready, Rep, Req, Sendable, Sending,
    SocketType,
};

const TICK: Duration = Duration::from_millis(10);

/// A client that keeps its REQ in whatever state between the turns of its loop.
struct Client {
    req: AnyReq,
    sent: u32,
    replies: Vec<String>,
}

impl Client {
    /// One turn: send when free, take the reply if it comes within the turn's tick.
    fn turn(mut self) -> zmq_typed::Result<Client> {
        self.req = match self.req {
            AnyReq::Ready(req) => {
                self.sent += 1;
                req.send(format!("request {}", self.sent))?.into()
            }
            AnyReq::AwaitingReply(req) => match req.recv_timeout(TICK) {
                Ok((reply, ready)) => {
                    self.replies.push(reply.into_string()?);
                    ready.into()
                }
                Err(failed) if failed.is_timeout() => failed.into(),
                Err(failed) => return Err(failed.into()),
            },
            sending @ AnyReq::Sending(_) => sending,
        };
        Ok(self)
    }
}

#[test]
fn a_req_lives_in_a_struct_in_whatever_state() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let endpoint = rep.bind("inproc://any-req-loop").unwrap();
    let server = std::thread::spawn(move || rep.serve(|request| format!("re: {request}")));

    let req = patient(Req::new(&ctx).unwrap());
    req.connect(&endpoint).unwrap();
    let mut client = Client {
        req: req.into(),
        sent: 0,
        replies: Vec::new(),
    };
    assert_eq!(client.req.state(), "Ready");
    // It is a socket whatever its state: options, bind, connect, poll.
    assert_eq!(client.req.socket_type(), SocketType::Req);
    let mut turns = 0;
    while client.replies.len() < 3 {
        client = client.turn().unwrap();
        turns += 1;
        assert!(turns < 3 * 1000, "no progress");
    }
    assert_eq!(
        client.replies,
        ["re: request 1", "re: request 2", "re: request 3"]
    );
    ctx.shutdown().unwrap();
    assert!(
        server.join().unwrap().is_ok(),
        "a shutdown is a normal stop"
    );
}

#[test]
fn serve_hands_a_failure_back_with_the_socket_in_its_real_state() {
    let ctx = ctx();
    let rep = Rep::new(&ctx).unwrap();
    rep.set_rcvtimeo(Some(Duration::from_millis(5))).unwrap();
    let endpoint = rep.bind("inproc://serve-fails").unwrap();
    // No request within the receive timeout: the failure, with the socket still receiving.
    let failed: Failed<AnyRep> = rep.serve(|request| request).unwrap_err();
    assert!(failed.is_timeout(), "{failed}");
    let AnyRep::Receiving(rep) = failed.into_socket() else {
        panic!("a failed receive leaves the REP receiving");
    };

    // Matching it back out resumes serving.
    rep.set_rcvtimeo(Some(PATIENCE)).unwrap();
    let server = std::thread::spawn(move || rep.serve(|request| request));
    let req = patient(Req::new(&ctx).unwrap());
    req.connect(&endpoint).unwrap();
    let (reply, _req) = req.send(["echo", "me"]).unwrap().recv().unwrap();
    assert_eq!(frames(&reply), [v("echo"), v("me")]);
    ctx.shutdown().unwrap();
    assert!(server.join().unwrap().is_ok());
}

#[test]
fn a_failed_send_hands_the_req_back_in_the_state_its_message_shape_implies() {
    let ctx = ctx();
    let req = Req::new(&ctx).unwrap();
    req.set_sndtimeo(Some(Duration::ZERO)).unwrap();
    // No peer: nothing can be queued. The annotations are the point: they compile.
    let failed: Failed<Req<Ready>, Multipart> = req.send("one frame").unwrap_err();
    let req = failed.into_socket();
    let failed: Failed<Req<Ready>, Multipart> = req.send_more(b"one frame").unwrap_err();
    let req = failed.into_socket();
    let failed: Failed<Req<Sending>, Multipart> = req.send(["two", "frames"]).unwrap_err();
    let sending = failed.into_socket();
    let failed: Failed<Req<Sending>, Multipart> = sending.send("the rest").unwrap_err();
    assert_eq!(failed.into_parts().2, "the rest");
}

/// A type of the user's that says it is one frame, and is not.
struct Liar;

impl Sendable for Liar {
    type Shape = OneFrame;
    fn into_multipart(self) -> Multipart {
        Multipart::from(["not", "one frame"])
    }
}

/// A type of the user's that is honest about being several frames.
struct Pair(&'static str, &'static str);

impl Sendable for Pair {
    type Shape = Frames;
    fn into_multipart(self) -> Multipart {
        Multipart::from([self.0, self.1])
    }
}

#[test]
fn a_message_type_of_the_users_sends_and_cannot_lie_about_its_shape() {
    let ctx = ctx();
    let rep = patient(Rep::new(&ctx).unwrap());
    let req = patient(Req::new(&ctx).unwrap());
    wire(&rep, &req, Transport::Inproc, "users-sendable");

    // A REQ trusts the shape to know its state after a failure: a lie is refused before
    // anything is sent, and the socket is still ready.
    let failed: Failed<Req<Ready>, Multipart> = req.send(Liar).unwrap_err();
    assert!(matches!(failed.error(), Error::Malformed(_)), "{failed}");
    let req = failed.into_socket();

    let waiting = req.send(Pair("key", "value")).unwrap();
    let (request, replying) = rep.recv().unwrap();
    assert_eq!(frames(&request), [v("key"), v("value")]);
    replying.send(Pair("ok", "done")).unwrap();
    assert_eq!(frames(&waiting.recv().unwrap().0), [v("ok"), v("done")]);
}
