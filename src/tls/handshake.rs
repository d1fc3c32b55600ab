//! The TLS handshake on a connected socket, with a diagnosis for each way it fails; the
//! connection then becomes a [`TlsStream`], the transport the client reads and writes.

use super::error::TlsError;
use super::evidence::Tap;
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
    /// The SMSC's certificate's subject, when it presented one that could be read.
    pub server_subject: Option<String>,
    /// When the SMSC's certificate expires (its notAfter).
    pub server_not_after: Option<std::time::SystemTime>,
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

/// Runs the handshake on a connected socket within `timeout`, recording what it shows (the
/// [`Evidence`](super::evidence::Evidence) each diagnosis rests on).
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
    setup.recorder.reset();
    let deadline = Instant::now() + timeout;
    let mut s = &sock;
    let mut tap = Tap {
        sock: &sock,
        recorder: &setup.recorder,
    };
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(match setup.diagnose_silence(timeout) {
                Some(e) => HandshakeError::Tls(e),
                None => HandshakeError::Timeout(timeout),
            });
        }
        let _ = sock.set_read_timeout(Some(left));
        if conn.wants_write() {
            setup.recorder.lock().flights += 1;
            while conn.wants_write() {
                conn.write_tls(&mut s).map_err(|e| io_failure(setup, &e))?;
            }
        }
        if !conn.is_handshaking() {
            break;
        }
        match conn.read_tls(&mut tap) {
            Ok(0) => return Err(HandshakeError::Tls(setup.diagnose_close(false))),
            Ok(_) => {
                if let Err(e) = conn.process_new_packets() {
                    // Tell the peer why (an alert), then diagnose.
                    let _ = conn.write_tls(&mut s);
                    return Err(HandshakeError::Tls(setup.diagnose(&e)));
                }
            }
            Err(e) if is_timeout(&e) => continue,
            Err(e) => return Err(io_failure(setup, &e)),
        }
    }
    if conn.wants_write() {
        // Our last flight (TLS 1.3: our certificate, if asked, and Finished).
        setup.recorder.lock().flights += 1;
        while conn.wants_write() {
            conn.write_tls(&mut s).map_err(|e| io_failure(setup, &e))?;
        }
    }
    setup.recorder.lock().done = true;
    await_certificate_verdict(setup, &mut conn, &sock, deadline)?;
    // The SMSC's certificate, also on a resumed session (rustls keeps the chain with it).
    let server = conn
        .peer_certificates()
        .and_then(|c| c.first().cloned())
        .or_else(|| setup.recorder.lock().presented.clone())
        .and_then(|c| super::certs::cert_facts(&c));
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
        server_not_after: server.as_ref().and_then(|f| f.not_after),
        server_subject: server.map(|f| f.subject),
    };
    let stream = TlsStream::new(sock, conn)
        .map_err(|e| HandshakeError::Disconnected(format!("cannot share the socket: {e}")))?;
    Ok((stream, info))
}

/// The longest a TLS 1.3 connect in which we sent a certificate waits for the SMSC's first
/// word before the bind goes out (docs/tls.md, "What each diagnosis rests on").
const CERT_VERDICT_WAIT: Duration = Duration::from_millis(250);

/// TLS 1.3 with our certificate: our handshake is over before the SMSC has checked it. The
/// SMSC's first word tells: session tickets (it accepted it), an alert or a close (it refused
/// it). Waits for that word up to [`CERT_VERDICT_WAIT`], so that a refusal is known before
/// the bind, and its password, is sent; an SMSC that sends no tickets costs that wait.
fn await_certificate_verdict(
    setup: &TlsSetup,
    conn: &mut rustls::ClientConnection,
    sock: &TcpStream,
    deadline: Instant,
) -> Result<(), HandshakeError> {
    use std::io::Read;
    let ev = setup.evidence();
    if conn.protocol_version() != Some(rustls::ProtocolVersion::TLSv1_3) || !ev.sent_cert {
        return Ok(());
    }
    let wait = deadline
        .saturating_duration_since(Instant::now())
        .min(CERT_VERDICT_WAIT);
    if wait.is_zero() {
        return Ok(());
    }
    let _ = sock.set_read_timeout(Some(wait));
    let mut buf = [0u8; 4096];
    let mut s = sock;
    match s.read(&mut buf) {
        Ok(0) => Err(HandshakeError::Tls(setup.diagnose_refused_at_once(false))),
        Ok(n) => {
            setup.recorder.lock().after_done += n as u64;
            let mut rd = &buf[..n];
            while !rd.is_empty() {
                if conn.read_tls(&mut rd).is_err() {
                    break;
                }
            }
            if let Err(e) = conn.process_new_packets() {
                let _ = conn.write_tls(&mut s);
                return Err(HandshakeError::Tls(setup.diagnose(&e)));
            }
            while conn.wants_write() {
                conn.write_tls(&mut s).map_err(|e| io_failure(setup, &e))?;
            }
            Ok(())
        }
        Err(e) if is_timeout(&e) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
            Err(HandshakeError::Tls(setup.diagnose_refused_at_once(true)))
        }
        Err(e) => Err(io_failure(setup, &e)),
    }
}

fn io_failure(setup: &TlsSetup, e: &io::Error) -> HandshakeError {
    if let Some(r) = rustls_error(e) {
        return HandshakeError::Tls(setup.diagnose(r));
    }
    match e.kind() {
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe => {
            HandshakeError::Tls(setup.diagnose_close(true))
        }
        _ => HandshakeError::Disconnected(format!(
            "the connection failed during the TLS handshake: {e}"
        )),
    }
}
