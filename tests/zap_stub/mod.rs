//! A hand-written ZAP handler for the security tests (RFC 27): a REP bound on
//! `inproc://zeromq.zap.01` of a context, answering each request with the status a closure
//! chooses, and reporting every request it saw on a channel (to synchronise on).
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use zmq_typed::{Context, Multipart, PollEvents, Poller, Socket, SocketType};

/// A ZAP request as the stub read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZapRequest {
    pub domain: String,
    pub address: String,
    pub mechanism: String,
    /// PLAIN: user name and password; CURVE: the client's 32-byte key.
    pub credentials: Vec<Vec<u8>>,
}

/// The stub's answer: a status code (`"200"`, `"400"`...) and the user id.
pub struct Verdict {
    pub status: &'static str,
    pub user_id: String,
}

impl Verdict {
    pub fn allow(user_id: &str) -> Verdict {
        Verdict {
            status: "200",
            user_id: user_id.into(),
        }
    }
    pub fn deny() -> Verdict {
        Verdict {
            status: "400",
            user_id: String::new(),
        }
    }
}

/// The running stub; dropping it stops its thread.
pub struct ZapStub {
    control: Socket,
    thread: Option<JoinHandle<()>>,
    /// Every request, in order, once answered.
    pub requests: mpsc::Receiver<ZapRequest>,
}

fn text(frame: Option<&zmq_typed::Message>) -> String {
    frame
        .map(|f| String::from_utf8_lossy(f.data()).into_owned())
        .unwrap_or_default()
}

impl ZapStub {
    /// Binds the handler on `ctx` (bound when this returns) and serves it on a thread.
    pub fn start(
        ctx: &Context,
        verdict: impl Fn(&ZapRequest) -> Verdict + Send + 'static,
    ) -> ZapStub {
        static N: AtomicU32 = AtomicU32::new(0);
        let control_ep = format!(
            "inproc://zap-stub-control-{}",
            N.fetch_add(1, Ordering::Relaxed)
        );
        let rep = Socket::new(ctx, SocketType::Rep).expect("zap rep");
        rep.set_linger(Some(Duration::ZERO)).expect("linger");
        rep.bind("inproc://zeromq.zap.01")
            .expect("bind the ZAP endpoint");
        let stop = Socket::new(ctx, SocketType::Pair).expect("control pair");
        stop.bind(control_ep.as_str()).expect("bind control");
        let control = Socket::new(ctx, SocketType::Pair).expect("control pair");
        control
            .connect(control_ep.as_str())
            .expect("connect control");
        let (tx, requests) = mpsc::channel();
        let thread = std::thread::spawn(move || loop {
            let mut poller = Poller::new();
            let zap = poller.add(&rep, PollEvents::IN);
            let ctl = poller.add(&stop, PollEvents::IN);
            let Ok(ready) = poller.poll(None) else { return };
            if ready.is_readable(ctl) {
                return;
            }
            if !ready.is_readable(zap) {
                continue;
            }
            let Ok(parts) = rep.recv() else { return };
            let frames: Vec<_> = parts.into_frames();
            let request = ZapRequest {
                domain: text(frames.get(2)),
                address: text(frames.get(3)),
                mechanism: text(frames.get(5)),
                credentials: frames.iter().skip(6).map(|f| f.data().to_vec()).collect(),
            };
            let request_id = frames.get(1).map(|f| f.data().to_vec()).unwrap_or_default();
            let answer = verdict(&request);
            let mut reply = Multipart::new();
            reply.push_back("1.0");
            reply.push_back(request_id);
            reply.push_back(answer.status);
            reply.push_back(if answer.status == "200" {
                "OK"
            } else {
                "refused by the stub"
            });
            reply.push_back(answer.user_id.into_bytes());
            reply.push_back(Vec::<u8>::new());
            if rep.send(reply).is_err() {
                return;
            }
            let _ = tx.send(request);
        });
        ZapStub {
            control,
            thread: Some(thread),
            requests,
        }
    }

    /// Refuses every request.
    pub fn denying(ctx: &Context) -> ZapStub {
        ZapStub::start(ctx, |_| Verdict::deny())
    }
}

impl Drop for ZapStub {
    fn drop(&mut self) {
        let _ = self.control.send("stop");
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
