//! The TLS handshake on a connected socket, with a diagnosis for each way it fails; the
//! connection then becomes a [`TlsStream`], the transport the client reads and writes.

use super::error::TlsError;
use super::setup::TlsSetup;
use crate::transport::{is_timeout, TlsStream};
use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// How a handshake ended, for `esme check` and logs.
#[derive(Debug, Clone)]
pub struct HandshakeInfo {
    /// "TLSv1_3" or "TLSv1_2".
    pub version: String,
    /// The cipher suite's name.
    pub cipher_suite: String,
    /// Whether the session was resumed.
    pub resumed: bool,
}

/// Why a handshake did not finish; the client turns it into its error (`Tls`, `Timeout` or
/// `Disconnected`).
#[derive(Debug)]
pub(crate) enum HandshakeError {
    /// A TLS failure, diagnosed.
    Tls(TlsError),
    /// The handshake did not finish within the given time.
    Timeout(Duration),
    /// The connection failed for a reason that is not TLS's: the text says how.
    Disconnected(String),
}

fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
}

/// Runs the handshake on a connected socket within `timeout`.
pub(crate) fn handshake(
    setup: &TlsSetup,
    sock: TcpStream,
    timeout: Duration,
) -> Result<(TlsStream, HandshakeInfo), HandshakeError> {
    let mut conn = rustls::ClientConnection::new(setup.config.clone(), setup.server_name.clone())
        .map_err(|e| {
        HandshakeError::Tls(TlsError::Setup {
            detail: e.to_string(),
        })
    })?;
    let deadline = Instant::now() + timeout;
    let mut s = &sock;
    let mut got_bytes = false;
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(HandshakeError::Timeout(timeout));
        }
        let _ = sock.set_read_timeout(Some(left));
        while conn.wants_write() {
            conn.write_tls(&mut s)
                .map_err(|e| io_failure(setup, &e, got_bytes))?;
        }
        if !conn.is_handshaking() {
            break;
        }
        match conn.read_tls(&mut s) {
            Ok(0) => {
                return Err(HandshakeError::Tls(
                    if setup.mode == crate::config::TlsMode::Mutual && got_bytes {
                        TlsError::ClientCertRejected {
                            alert: None,
                            subject: setup.report.client_subject.clone(),
                        }
                    } else if got_bytes {
                        TlsError::Handshake {
                            detail: "the SMSC closed the connection during the handshake".into(),
                        }
                    } else {
                        TlsError::NotTls {
                            detail:
                                "the SMSC closed the connection without answering our TLS hello"
                                    .into(),
                        }
                    },
                ))
            }
            Ok(_) => {
                got_bytes = true;
                if let Err(e) = conn.process_new_packets() {
                    // Tell the peer why (an alert), then diagnose.
                    let _ = conn.write_tls(&mut s);
                    return Err(HandshakeError::Tls(setup.diagnose(&e)));
                }
            }
            Err(e) if is_timeout(&e) => continue,
            Err(e) => return Err(io_failure(setup, &e, got_bytes)),
        }
    }
    while conn.wants_write() {
        conn.write_tls(&mut s)
            .map_err(|e| io_failure(setup, &e, got_bytes))?;
    }
    let info = HandshakeInfo {
        version: conn
            .protocol_version()
            .map(|v| format!("{v:?}"))
            .unwrap_or_default(),
        cipher_suite: conn
            .negotiated_cipher_suite()
            .map(|c| format!("{:?}", c.suite()))
            .unwrap_or_default(),
        resumed: matches!(conn.handshake_kind(), Some(rustls::HandshakeKind::Resumed)),
    };
    let stream = TlsStream::new(sock, conn)
        .map_err(|e| HandshakeError::Disconnected(format!("cannot share the socket: {e}")))?;
    Ok((stream, info))
}

fn io_failure(setup: &TlsSetup, e: &io::Error, got_bytes: bool) -> HandshakeError {
    if let Some(r) = rustls_error(e) {
        return HandshakeError::Tls(setup.diagnose(r));
    }
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    ) && setup.mode == crate::config::TlsMode::Mutual
        && got_bytes
    {
        return HandshakeError::Tls(TlsError::ClientCertRejected {
            alert: None,
            subject: setup.report.client_subject.clone(),
        });
    }
    HandshakeError::Disconnected(format!(
        "the connection failed during the TLS handshake: {e}"
    ))
}
