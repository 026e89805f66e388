//! The ZAP authenticator with real sockets: CURVE and PLAIN servers over tcp on 127.0.0.1,
//! clients let in or kept out, every decision seen through the hook (which is how the tests
//! wait: no sleeps).

mod common;

#[path = "security_zap/cert_dir.rs"]
mod cert_dir;
#[path = "security_zap/curve.rs"]
mod curve;
#[path = "security_zap/handler.rs"]
mod handler;
#[path = "security_zap/keep_alive.rs"]
mod keep_alive;
#[path = "security_zap/lifecycle.rs"]
mod lifecycle;
#[path = "security_zap/plain.rs"]
mod plain;

use std::sync::mpsc;

use common::*;
use zmq_typed::security::zap::Decision;
use zmq_typed::security::AuthenticatorBuilder;
use zmq_typed::{Authenticator, Context, CurveKeyPair, Endpoint, Socket, SocketType};

/// Starts `builder` on `ctx` with a hook that hands every decision to the receiver.
pub fn hooked(ctx: &Context, builder: AuthenticatorBuilder) -> (Authenticator, Decisions) {
    let (tx, rx) = mpsc::channel();
    let auth = builder
        .on_decision(move |d| {
            let _ = tx.send(d.clone());
        })
        .start(ctx)
        .expect("start the authenticator");
    (auth, Decisions(rx))
}

/// The decisions an authenticator reports.
pub struct Decisions(mpsc::Receiver<Decision>);

impl Decisions {
    /// The next decision (failing the test when none comes).
    pub fn next(&self) -> Decision {
        self.0
            .recv_timeout(PATIENCE)
            .expect("the authenticator reported no decision")
    }

    /// Whether a decision is waiting already.
    pub fn none_waiting(&self) -> bool {
        self.0.try_recv().is_err()
    }
}

/// A CURVE PULL server on tcp 127.0.0.1 with `keys`.
pub fn curve_server(ctx: &Context, keys: &CurveKeyPair) -> (Socket, Endpoint) {
    let server = socket(ctx, SocketType::Pull);
    server.set_curve_server(true).unwrap();
    server.set_curve_secretkey(&keys.secret).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    (server, ep)
}

/// A CURVE PUSH client of the server whose public key is `server`, with `mine`.
pub fn curve_client(
    ctx: &Context,
    ep: &Endpoint,
    server: &CurveKeyPair,
    mine: &CurveKeyPair,
) -> Socket {
    let client = socket(ctx, SocketType::Push);
    client.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    client.set_curve_serverkey(&server.public).unwrap();
    client.set_curve_publickey(&mine.public).unwrap();
    client.set_curve_secretkey(&mine.secret).unwrap();
    client.connect(ep).unwrap();
    client
}

/// A PLAIN PULL server on tcp 127.0.0.1.
pub fn plain_server(ctx: &Context) -> (Socket, Endpoint) {
    let server = socket(ctx, SocketType::Pull);
    server.set_plain_server(true).unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    (server, ep)
}

/// A PLAIN PUSH client.
pub fn plain_client(ctx: &Context, ep: &Endpoint, user: &str, password: &str) -> Socket {
    let client = socket(ctx, SocketType::Push);
    client.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    client.set_plain_username(user).unwrap();
    client.set_plain_password(password).unwrap();
    client.connect(ep).unwrap();
    client
}

/// A NULL PULL server with a ZAP domain (so the authenticator sees its clients).
pub fn null_server(ctx: &Context) -> (Socket, Endpoint) {
    let server = socket(ctx, SocketType::Pull);
    server.set_zap_domain("global").unwrap();
    let ep = server.bind("tcp://127.0.0.1:*").unwrap();
    (server, ep)
}

/// A NULL PUSH client.
pub fn null_client(ctx: &Context, ep: &Endpoint) -> Socket {
    let client = socket(ctx, SocketType::Push);
    client.set_linger(Some(std::time::Duration::ZERO)).unwrap();
    client.connect(ep).unwrap();
    client
}

/// Asserts that `decision` is a refusal with `status` whose reason contains `why`.
#[track_caller]
pub fn assert_refused(decision: &Decision, status: u16, why: &str) {
    assert!(!decision.allowed, "{decision:?}");
    assert_eq!(decision.status, status, "{decision:?}");
    assert!(
        decision.reason.contains(why),
        "{:?} lacks {why:?}",
        decision.reason
    );
}
