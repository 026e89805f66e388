//! The security row: a CURVE server that lets in only the clients it knows, checked by the
//! crate's ZAP authenticator. Two intruders try first, one with a key the server does not
//! know and one that has the wrong server key; each is kept out and told why, and the
//! client that belongs is then served, its requests carrying its key as `User-Id`.

use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, ensure, Result};
use zmq_typed::security::zap::Decision;
use zmq_typed::security::HandshakeCause;
use zmq_typed::{Admission, Authenticator, Certificate, Context, Error, Rep, Req};

use crate::cases::PATIENCE;
use crate::transport::Endpoints;

/// CURVE REQ/REP behind an authenticator with an allow-list of one client key: a stranger
/// is refused by the authenticator, a client with the wrong server key fails its
/// handshake, and the allowed client's `n` requests are answered.
pub fn curve(ctx: &Context, ep: &mut Endpoints, n: u64) -> Result<u64> {
    let server = Certificate::generate()?;
    let alice = Certificate::generate()?;
    let stranger = Certificate::generate()?;
    let (decisions, decided) = mpsc::channel::<Decision>();
    let auth = Authenticator::builder()
        .curve_keys([*alice.public_key()])
        .on_decision(move |decision| {
            let _ = decisions.send(decision.clone());
        })
        .start(ctx)?;
    let mut rep = Rep::new(ctx)?;
    rep.setup_curve_server(&server, Admission::CheckedBy(&auth))?;
    let at = rep.bind(ep.bind("curve"))?.to_string();

    // A key the server does not know: the authenticator refuses it (ZAP status 400).
    let refused = attempt(ctx, &at, &stranger, &server)?;
    ensure!(
        matches!(
            refused.cause,
            HandshakeCause::DeniedByServer { status: 400 }
        ),
        "the stranger's handshake failed otherwise: {refused}"
    );
    let decision = decided.recv_timeout(PATIENCE)?;
    ensure!(
        !decision.allowed && decision.client_key == Some(*stranger.public_key()),
        "the authenticator's decision about the stranger: {decision}"
    );
    // The right client key but the wrong server key: the server cannot read its hello.
    let wrong = attempt(ctx, &at, &alice, &stranger)?;
    ensure!(
        matches!(wrong.cause, HandshakeCause::ServerKeyProbablyWrong { .. }),
        "the wrong server key was reported otherwise: {wrong}"
    );

    let mut req = Req::new(ctx)?;
    req.setup_curve_client(&alice, server.public_key())?;
    req.connect(&at)?;
    let alice_id = alice.public_key().to_string();
    for i in 0..n {
        let awaiting = req.send(format!("{i}"))?;
        let (request, replying) = rep.recv()?;
        let user_id = request
            .first()
            .map(|frame| frame.user_id())
            .transpose()?
            .flatten();
        ensure!(
            request == format!("{i}").as_str() && user_id == Some(alice_id.as_str()),
            "request {i} arrived as {request} from {user_id:?}"
        );
        rep = replying.send(request)?;
        let (reply, ready) = awaiting.recv()?;
        ensure!(reply == format!("{i}").as_str(), "reply {i} was {reply}");
        req = ready;
    }
    let decision = decided.recv_timeout(PATIENCE)?;
    ensure!(
        decision.allowed && decision.client_key == Some(*alice.public_key()),
        "the decision after alice's requests: {decision}"
    );
    // The server keeps its authenticator running while it is open (a CURVE server without
    // one would let in anyone who knows its key): close it first, then stop.
    drop(rep);
    let stats = auth.stop()?;
    ensure!(
        stats.allowed == 1 && stats.denied == 1,
        "the authenticator decided {stats:?}, expected one allowed and one denied"
    );
    Ok(2 * n)
}

/// A client with certificate `mine` that takes `server`'s public key for the server's:
/// its handshake must fail, and the failure is returned.
fn attempt(
    ctx: &Context,
    at: &str,
    mine: &Certificate,
    server: &Certificate,
) -> Result<zmq_typed::security::HandshakeFailure> {
    let req = Req::new(ctx)?;
    req.set_linger(Some(Duration::ZERO))?;
    // One try only: a refused client reconnects (after 100 ms by default), and a second
    // try would be a second decision.
    req.set_reconnect_ivl(None)?;
    req.setup_curve_client(mine, server.public_key())?;
    let watch = req.watch_handshakes()?;
    req.connect(at)?;
    match watch.wait(PATIENCE) {
        Err(Error::Handshake(failure)) => Ok(*failure),
        Err(e) => Err(e.into()),
        Ok(()) => bail!("an intruder's handshake succeeded"),
    }
}
