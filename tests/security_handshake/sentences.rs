//! The mapping from libzmq's events to causes and sentences, without sockets.

use super::*;

/// Each event maps to its cause and sentence, whatever the side and mechanism.
#[test]
fn every_failure_event_maps_to_a_cause_and_a_sentence() {
    use zmq_typed::Event;
    let at = |kind: EventKind| Event {
        kind,
        endpoint: "tcp://10.0.0.1:5555".into(),
    };
    let client = HandshakeSide::Client;
    let server = HandshakeSide::Server;
    let cases: Vec<(EventKind, Mechanism, HandshakeSide, HandshakeCause, &str)> =
        vec![
        (
            EventKind::HandshakeFailedNoDetail { errno: libc::ECONNRESET },
            Mechanism::Curve,
            client,
            HandshakeCause::ServerKeyProbablyWrong { errno: libc::ECONNRESET },
            "CURVE handshake with tcp://10.0.0.1:5555 failed: the server key is probably wrong",
        ),
        (
            EventKind::HandshakeFailedNoDetail { errno: libc::EPIPE },
            Mechanism::Plain,
            client,
            HandshakeCause::Unspecified { errno: libc::EPIPE },
            "PLAIN handshake with tcp://10.0.0.1:5555 failed: the connection broke during the \
             handshake (",
        ),
        (
            EventKind::HandshakeFailedNoDetail { errno: libc::EPIPE },
            Mechanism::Curve,
            server,
            HandshakeCause::Unspecified { errno: libc::EPIPE },
            "CURVE handshake from a client on tcp://10.0.0.1:5555 failed: the connection broke",
        ),
        (
            EventKind::HandshakeFailedNoDetail { errno: libc::EFAULT },
            Mechanism::Null,
            server,
            HandshakeCause::NoZapHandler,
            "NULL handshake from a client on tcp://10.0.0.1:5555 failed: no ZAP handler runs",
        ),
        (
            EventKind::HandshakeFailedProtocol(ProtocolError::ZmtpCryptographic),
            Mechanism::Curve,
            client,
            HandshakeCause::Protocol(ProtocolError::ZmtpCryptographic),
            "CURVE handshake with tcp://10.0.0.1:5555 failed: ZMTP protocol error \
             ZmtpCryptographic",
        ),
        (
            EventKind::HandshakeFailedProtocol(ProtocolError::ZapMalformedReply),
            Mechanism::Gssapi,
            server,
            HandshakeCause::Protocol(ProtocolError::ZapMalformedReply),
            "GSSAPI handshake from a client on tcp://10.0.0.1:5555 failed: ZMTP protocol error \
             ZapMalformedReply",
        ),
        (
            EventKind::HandshakeFailedAuth { status: 999 },
            Mechanism::Plain,
            client,
            HandshakeCause::DeniedByServer { status: 999 },
            "PLAIN handshake with tcp://10.0.0.1:5555 failed: the server refused this client \
             (ZAP status 999, not a ZAP status code)",
        ),
    ];
    for (kind, mechanism, side, cause, text) in cases {
        let failure = HandshakeFailure::from_event(&at(kind.clone()), mechanism, side).unwrap();
        assert_eq!(failure.cause, cause, "{kind:?}");
        assert_eq!(failure.event, kind);
        assert!(failure.to_string().starts_with(text), "{failure}");
        let error = Error::Handshake(Box::new(failure.clone()));
        assert_eq!(error.to_string(), failure.to_string());
        assert_eq!(
            std::io::Error::from(error).kind(),
            std::io::ErrorKind::PermissionDenied
        );
    }
    for kind in [
        EventKind::HandshakeSucceeded,
        EventKind::Connected { fd: 3 },
        EventKind::MonitorStopped,
    ] {
        assert_eq!(
            HandshakeFailure::from_event(&at(kind), Mechanism::Curve, client),
            None
        );
    }
}
