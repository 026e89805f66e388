//! The authenticator's thread: one request at a time, answered, counted and reported.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::error::Result;
use crate::message::Message;
use crate::options::PollEvents;
use crate::socket::Socket;

use super::builder::Hook;
use super::decision::{Decision, STATUS_INTERNAL, STATUS_OK};
use super::policy::{panic_text, Outcome, Policy};
use super::request::{self, Credentials, MAX_FRAMES};
use super::Shared;

/// Marks the thread finished when it returns or unwinds.
pub(crate) struct Finished(pub(crate) Arc<Shared>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.running.store(false, Ordering::SeqCst);
        self.0.set_done();
    }
}

/// Unbinds the ZAP endpoint when the thread ends, before it says it has: libzmq unregisters
/// an inproc endpoint of a closed socket later, on its reaper thread, whereas `zmq_unbind`
/// does at once; so a new authenticator can start as soon as `stop` returns.
struct Unbind<'a>(&'a Socket);

impl Drop for Unbind<'_> {
    fn drop(&mut self) {
        // ETERM after the context's shutdown: nothing can bind there any more anyway.
        let _ = self.0.unbind(super::ZAP_ENDPOINT);
    }
}

/// Serves ZAP on `zap` until anything arrives on `control` (`Ok`) or the context is shut
/// down (`Err` terminated).
pub(crate) fn serve(
    zap: Socket,
    control: Socket,
    mut policy: Policy,
    hook: Option<Hook>,
    shared: Arc<Shared>,
) -> Result<()> {
    let _finished = Finished(shared.clone());
    // Dropped before `_finished` (reverse order).
    let _unbind = Unbind(&zap);
    loop {
        let ready = crate::poll::poll(
            &[
                (&zap, PollEvents::IN, false),
                (&control, PollEvents::IN, true),
            ],
            None,
        )?;
        if ready.iter().any(|(is_control, _)| *is_control) {
            return Ok(());
        }
        if !ready.is_empty() {
            answer_one(&zap, &mut policy, hook.as_ref(), &shared)?;
        }
        if shared.stop.load(Ordering::SeqCst) {
            return Ok(());
        }
    }
}

/// Receives one request (if one is really there), answers it, counts and reports it.
fn answer_one(
    zap: &Socket,
    policy: &mut Policy,
    hook: Option<&Hook>,
    shared: &Shared,
) -> Result<()> {
    let Some(first) = zap.try_recv_frame()? else {
        return Ok(());
    };
    let mut more = first.more();
    let mut frames = vec![first];
    let mut total = 1;
    while more {
        // The rest of a message is there once its first frame is.
        let Some(frame) = zap.try_recv_frame()? else {
            break;
        };
        more = frame.more();
        total += 1;
        if frames.len() < MAX_FRAMES {
            frames.push(frame);
        }
    }
    let decision = match request::parse(&frames, total) {
        Ok(req) => {
            // A bug in a policy (a certificate reader that panics on some file) refuses
            // that request; the thread goes on answering.
            let outcome =
                catch_unwind(AssertUnwindSafe(|| policy.decide(&req))).unwrap_or_else(|payload| {
                    Outcome {
                        status: STATUS_INTERNAL,
                        reason: format!(
                            "the authenticator's policy panicked: {}",
                            panic_text(&*payload)
                        ),
                        user_id: String::new(),
                        metadata: Vec::new(),
                        notes: Vec::new(),
                    }
                });
            let mut reason = outcome.reason;
            for note in &outcome.notes {
                reason.push_str(&format!("; {note}"));
            }
            let reply = request::reply(
                &req.request_id,
                outcome.status,
                &reason,
                &outcome.user_id,
                outcome.metadata,
            );
            send_reply(zap, reply)?;
            let (client_key, username) = match &req.credentials {
                Credentials::Curve(key) => (Some(*key), None),
                Credentials::Plain { username, .. } => {
                    (None, Some(String::from_utf8_lossy(username).into_owned()))
                }
                _ => (None, None),
            };
            Decision {
                allowed: outcome.status == STATUS_OK,
                status: outcome.status,
                mechanism: Some(req.mechanism),
                domain: req.domain,
                address: req.address,
                user_id: outcome.user_id,
                client_key,
                username,
                reason,
                malformed: false,
            }
        }
        Err(bad) => {
            let reason = format!("malformed ZAP request: {}", bad.reason);
            let reply = request::reply(&bad.request_id, STATUS_INTERNAL, &reason, "", Vec::new());
            send_reply(zap, reply)?;
            Decision {
                allowed: false,
                status: STATUS_INTERNAL,
                mechanism: bad.mechanism,
                domain: bad.domain,
                address: bad.address,
                user_id: String::new(),
                client_key: None,
                username: None,
                reason,
                malformed: true,
            }
        }
    };
    shared.count(&decision);
    if let Some(hook) = hook {
        // A panicking hook loses its own report, nothing else.
        let _ = catch_unwind(AssertUnwindSafe(|| hook(&decision)));
    }
    Ok(())
}

/// Sends the reply; a peer that has gone is no error (REP drops the reply), the context's
/// shutdown is.
fn send_reply(zap: &Socket, reply: Vec<Message>) -> Result<()> {
    match zap.send_multipart(reply) {
        Ok(()) => Ok(()),
        Err(e) => {
            let error = crate::error::Error::from(e);
            if error.is_terminated() {
                Err(error)
            } else {
                Ok(())
            }
        }
    }
}
