//! One TLS connection shared by the reader thread and the writers (std only).
//!
//! The reader reads ciphertext from its own socket handle without any lock, then locks the
//! `rustls::ClientConnection` only to feed it and take out plaintext. A writer takes the
//! write lock, then the connection lock to encrypt into a buffer, releases the connection,
//! and writes the buffer: records go out in the order they were encrypted, and the reader
//! is never blocked by a slow socket write.

use super::{TlsError, TlsSetup};
use crate::client::transport::Transport;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) struct TlsTransport {
    rsock: TcpStream,
    wsock: Mutex<TcpStream>,
    conn: Mutex<rustls::ClientConnection>,
    rbuf: Mutex<Vec<u8>>,
}

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

fn rustls_error(e: &io::Error) -> Option<&rustls::Error> {
    e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>())
}

fn to_io(e: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Runs the handshake on a connected socket within `timeout`.
pub(crate) fn handshake(
    setup: &TlsSetup,
    sock: TcpStream,
    timeout: Duration,
) -> Result<(TlsTransport, HandshakeInfo), crate::Error> {
    let mut conn = rustls::ClientConnection::new(setup.config.clone(), setup.server_name.clone())
        .map_err(|e| {
        crate::Error::Tls(TlsError::Setup {
            detail: e.to_string(),
        })
    })?;
    let deadline = Instant::now() + timeout;
    let mut s = &sock;
    let mut got_bytes = false;
    while conn.is_handshaking() {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(crate::Error::Timeout {
                phase: "the TLS handshake",
                after: timeout,
            });
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
                return Err(crate::Error::Tls(
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
                    return Err(crate::Error::Tls(setup.diagnose(&e)));
                }
            }
            Err(e) if super::super::client::transport::is_timeout(&e) => continue,
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
    let wsock = sock.try_clone().map_err(|e| crate::Error::Disconnected {
        why: format!("cannot share the socket: {e}"),
    })?;
    Ok((
        TlsTransport {
            rsock: sock,
            wsock: Mutex::new(wsock),
            conn: Mutex::new(conn),
            rbuf: Mutex::new(vec![0u8; 32 * 1024]),
        },
        info,
    ))
}

fn io_failure(setup: &TlsSetup, e: &io::Error, got_bytes: bool) -> crate::Error {
    if let Some(r) = rustls_error(e) {
        return crate::Error::Tls(setup.diagnose(r));
    }
    if matches!(
        e.kind(),
        io::ErrorKind::ConnectionReset | io::ErrorKind::BrokenPipe
    ) && setup.mode == crate::config::TlsMode::Mutual
        && got_bytes
    {
        return crate::Error::Tls(TlsError::ClientCertRejected {
            alert: None,
            subject: setup.report.client_subject.clone(),
        });
    }
    crate::Error::Disconnected {
        why: format!("the connection failed during the TLS handshake: {e}"),
    }
}

impl TlsTransport {
    /// Encrypts `plain` (possibly empty: only pending TLS records) and writes it. Callers
    /// hold no lock.
    fn send(&self, plain: &[u8]) -> io::Result<()> {
        let mut w = lock(&self.wsock);
        let mut out = Vec::with_capacity(plain.len() + 64);
        {
            let mut c = lock(&self.conn);
            if !plain.is_empty() {
                c.writer().write_all(plain)?;
            }
            while c.wants_write() {
                c.write_tls(&mut out)?;
            }
        }
        if out.is_empty() {
            return Ok(());
        }
        w.write_all(&out)
    }
}

impl Transport for TlsTransport {
    fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let mut cbuf = lock(&self.rbuf);
        loop {
            {
                let mut c = lock(&self.conn);
                match c.reader().read(buf) {
                    Ok(n) => return Ok(n), // 0: the SMSC sent close_notify
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) => return Err(e),
                }
            }
            let n = (&self.rsock).read(&mut cbuf)?;
            if n == 0 {
                return Ok(0);
            }
            let wants_write = {
                let mut c = lock(&self.conn);
                let mut rd = &cbuf[..n];
                while !rd.is_empty() {
                    c.read_tls(&mut rd)?;
                    c.process_new_packets().map_err(to_io)?;
                }
                c.wants_write()
            };
            if wants_write {
                // Key updates, alerts: written in order with the writers' records.
                self.send(&[])?;
            }
        }
    }

    fn write_all(&self, data: &[u8]) -> io::Result<()> {
        self.send(data)
    }

    fn set_read_timeout(&self, d: Option<Duration>) -> io::Result<()> {
        self.rsock.set_read_timeout(d)
    }

    fn shutdown(&self) {
        if let Ok(mut c) = self.conn.try_lock() {
            c.send_close_notify();
        }
        let _ = self.send(&[]);
        let _ = self.rsock.shutdown(Shutdown::Both);
    }
}
