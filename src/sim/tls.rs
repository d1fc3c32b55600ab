//! TLS for the simulator: configuration, and the per-connection rustls state shared by a
//! connection's reader and writer threads.
//!
//! The reader reads ciphertext from the socket without any lock, then locks the
//! [`ServerConnection`] only to feed it (`read_tls` + `process_new_packets`) and take the
//! plaintext out. The writer locks it only to encrypt (`writer().write_all` + `write_tls`
//! into a buffer) and writes that buffer to the socket after unlocking. Records the reader
//! makes rustls produce (handshake flights, session tickets, alerts) are written by the
//! writer too, on a kick ([`super::session::Outbox::kick`]), so only one thread ever writes
//! ciphertext and records stay in order.

use super::shared::{lock, Shared};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    CipherSuite, HandshakeKind, ProtocolVersion, RootCertStore, ServerConfig, ServerConnection,
    SupportedProtocolVersion,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::collections::VecDeque;
use std::fmt;
use std::io::{self, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};

/// TLS settings for [`super::SimConfig::tls`]: every accepted connection then speaks TLS.
pub struct SimTls {
    /// The server certificate first, then its intermediates.
    pub cert_chain: Vec<CertificateDer<'static>>,
    /// The server certificate's private key.
    pub key: PrivateKeyDer<'static>,
    /// `Some`: require a client certificate and verify it against these trust anchors
    /// (mutual TLS). `None`: no client certificate is asked for.
    pub client_ca: Option<Vec<CertificateDer<'static>>>,
    /// The protocol versions offered (`&rustls::version::TLS12`, `&rustls::version::TLS13`);
    /// empty = both.
    pub versions: Vec<&'static SupportedProtocolVersion>,
}

impl Clone for SimTls {
    fn clone(&self) -> Self {
        SimTls {
            cert_chain: self.cert_chain.clone(),
            key: self.key.clone_key(),
            client_ca: self.client_ca.clone(),
            versions: self.versions.clone(),
        }
    }
}

impl fmt::Debug for SimTls {
    /// Counts and versions only: no key material.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimTls")
            .field(
                "cert_chain",
                &format_args!("{} certificate(s)", self.cert_chain.len()),
            )
            .field("key", &format_args!("<redacted>"))
            .field(
                "client_ca",
                &self
                    .client_ca
                    .as_ref()
                    .map(|c| format!("{} certificate(s)", c.len())),
            )
            .field(
                "versions",
                &self.versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            )
            .finish()
    }
}

fn invalid(msg: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, msg)
}

/// The PEM file at `path`, a regular file of at most 16 MiB (`crate::files`): a device or a
/// huge file is one line naming it, not an endless read.
fn read_pem(path: &Path, what: &str) -> io::Result<zeroize::Zeroizing<Vec<u8>>> {
    use crate::files::{read_capped, ReadError, MAX_TLS_FILE};
    read_capped(path, MAX_TLS_FILE)
        .map(zeroize::Zeroizing::new)
        .map_err(|e| {
            let kind = match &e {
                ReadError::NotFound => ErrorKind::NotFound,
                ReadError::Io(_) => ErrorKind::Other,
                _ => ErrorKind::InvalidData,
            };
            io::Error::new(kind, format!("{what} {}: {e}", path.display()))
        })
}

fn read_certs(path: &Path, what: &str) -> io::Result<Vec<CertificateDer<'static>>> {
    let err = |e: rustls_pki_types::pem::Error| {
        let kind = match &e {
            rustls_pki_types::pem::Error::Io(io) => io.kind(),
            _ => ErrorKind::InvalidData,
        };
        io::Error::new(kind, format!("{what} {}: {e}", path.display()))
    };
    let pem = read_pem(path, what)?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(err)?;
    if certs.is_empty() {
        return Err(io::Error::new(
            ErrorKind::InvalidData,
            format!("{what} {}: no CERTIFICATE in PEM", path.display()),
        ));
    }
    Ok(certs)
}

impl SimTls {
    /// Loads PEM files: `cert` holds the server certificate then its intermediates, `key`
    /// its private key (PKCS#8, PKCS#1 or SEC1), `client_ca` (for mutual TLS) the trust
    /// anchors for client certificates. Both TLS 1.2 and 1.3 are offered.
    ///
    /// # Errors
    ///
    /// A file cannot be read, is not PEM, or holds no certificate / no private key; the
    /// message names the file.
    pub fn from_pem_files(cert: &Path, key: &Path, client_ca: Option<&Path>) -> io::Result<SimTls> {
        let cert_chain = read_certs(cert, "server certificate file")?;
        let key_pem = read_pem(key, "private key file")?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
            let kind = match &e {
                rustls_pki_types::pem::Error::Io(io) => io.kind(),
                _ => ErrorKind::InvalidData,
            };
            let e = match e {
                rustls_pki_types::pem::Error::NoItemsFound => "no PRIVATE KEY in PEM".to_string(),
                e => e.to_string(),
            };
            io::Error::new(kind, format!("private key file {}: {e}", key.display()))
        })?;
        let client_ca = match client_ca {
            Some(p) => Some(read_certs(p, "client CA file")?),
            None => None,
        };
        Ok(SimTls {
            cert_chain,
            key,
            client_ca,
            versions: Vec::new(),
        })
    }

    /// The rustls server configuration (one per simulator, so its session cache and
    /// tickets let clients resume).
    pub(crate) fn server_config(&self) -> io::Result<Arc<ServerConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let versions: &[&'static SupportedProtocolVersion] = if self.versions.is_empty() {
            rustls::ALL_VERSIONS
        } else {
            &self.versions
        };
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(versions)
            .map_err(|e| invalid(format!("TLS versions: {e}")))?;
        let builder = match &self.client_ca {
            None => builder.with_no_client_auth(),
            Some(cas) => {
                let mut roots = RootCertStore::empty();
                for c in cas {
                    roots
                        .add(c.clone())
                        .map_err(|e| invalid(format!("client CA certificate: {e}")))?;
                }
                let v = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                    .build()
                    .map_err(|e| invalid(format!("client certificate verifier: {e}")))?;
                builder.with_client_cert_verifier(v)
            }
        };
        let mut cfg = builder
            .with_single_cert(self.cert_chain.clone(), self.key.clone_key())
            .map_err(|e| invalid(format!("server certificate/key: {e}")))?;
        cfg.session_storage = rustls::server::ServerSessionMemoryCache::new(1024);
        Ok(Arc::new(cfg))
    }
}

/// One completed TLS handshake ([`super::Smsc::tls_handshakes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsSessionInfo {
    /// The connection number (1, 2, … in accept order; the thread names' suffix).
    pub connection: u64,
    /// The negotiated version (`TLSv1_2` or `TLSv1_3`).
    pub version: ProtocolVersion,
    /// The negotiated cipher suite.
    pub cipher_suite: CipherSuite,
    /// Whether the client resumed an earlier session.
    pub resumed: bool,
    /// The client's end-entity certificate (mutual TLS), also after a resumption.
    pub client_cert: Option<CertificateDer<'static>>,
    /// The SNI host name the client sent, if any.
    pub server_name: Option<String>,
}

/// How many [`TlsSessionInfo`] the simulator keeps (the most recent).
pub(crate) const KEEP_HANDSHAKES: usize = 1000;

/// TLS state shared by every thread of one simulator.
#[derive(Debug)]
pub(crate) struct TlsShared {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) last_error: Mutex<Option<String>>,
    pub(crate) handshakes: Mutex<VecDeque<TlsSessionInfo>>,
}

/// One connection's TLS state.
#[derive(Debug)]
pub(crate) struct Tls {
    conn: Mutex<ServerConnection>,
    /// A TLS error happened (an alert may be queued): no close_notify at the end.
    failed: AtomicBool,
}

/// What one [`Tls::fill`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fill {
    /// Plaintext was appended (possibly none, e.g. handshake records only).
    Data,
    /// The read timed out; try again.
    Again,
    /// The peer closed (after the plaintext appended, if any).
    Closed,
    /// A TLS error or socket error: close the connection.
    Failed,
}

/// Reader-side state: the ciphertext buffer and whether the handshake is still going on.
#[derive(Debug)]
pub(crate) struct TlsReader {
    cbuf: Vec<u8>,
    handshaking: bool,
}

impl TlsReader {
    pub(crate) fn new() -> TlsReader {
        TlsReader {
            cbuf: vec![0u8; 64 * 1024],
            handshaking: true,
        }
    }
}

impl Tls {
    pub(crate) fn new(config: &Arc<ServerConfig>) -> io::Result<Tls> {
        let mut conn = ServerConnection::new(config.clone())
            .map_err(|e| io::Error::other(format!("TLS: {e}")))?;
        // The writer hands over whole batches; it drains all the ciphertext every time.
        conn.set_buffer_limit(None);
        Ok(Tls {
            conn: Mutex::new(conn),
            failed: AtomicBool::new(false),
        })
    }

    /// Reads ciphertext once (no lock held while blocked) and appends the plaintext it
    /// yields to `buf[*end..]` (growing `buf`). The flag is true when rustls has records
    /// to send (the caller then kicks the writer).
    pub(crate) fn fill(
        &self,
        sh: &Shared,
        id: u64,
        stream: &TcpStream,
        r: &mut TlsReader,
        buf: &mut Vec<u8>,
        end: &mut usize,
    ) -> (Fill, bool) {
        let n = match (&*stream).read(&mut r.cbuf) {
            Ok(0) => {
                if r.handshaking && !sh.stop.load(Relaxed) {
                    self.fail(sh, id, stream, "connection closed during the TLS handshake");
                }
                return (Fill::Closed, false);
            }
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                return (Fill::Again, false)
            }
            Err(e) => {
                if r.handshaking && !sh.stop.load(Relaxed) {
                    self.fail(sh, id, stream, &format!("during the TLS handshake: {e}"));
                }
                return (Fill::Failed, false);
            }
        };
        let mut rd = &r.cbuf[..n];
        let mut c = lock(&self.conn);
        let mut closed = false;
        let res: Result<(), String> = loop {
            match c.read_tls(&mut rd) {
                Ok(0) => break Ok(()), // close_notify already received
                Ok(_) => {}
                Err(e) => break Err(e.to_string()),
            }
            match c.process_new_packets() {
                Err(e) => break Err(e.to_string()),
                Ok(st) => {
                    let want = st.plaintext_bytes_to_read();
                    if want > 0 {
                        if buf.len() < *end + want {
                            buf.resize(*end + want, 0);
                        }
                        match c.reader().read_exact(&mut buf[*end..*end + want]) {
                            Ok(()) => *end += want,
                            Err(e) => break Err(e.to_string()),
                        }
                    }
                    if st.peer_has_closed() {
                        closed = true;
                        break Ok(());
                    }
                }
            }
            if rd.is_empty() {
                break Ok(());
            }
        };
        let kick = c.wants_write();
        let done = r.handshaking && !c.is_handshaking() && res.is_ok();
        let info = done.then(|| {
            r.handshaking = false;
            TlsSessionInfo {
                connection: id,
                version: c.protocol_version().unwrap_or(ProtocolVersion::Unknown(0)),
                cipher_suite: c
                    .negotiated_cipher_suite()
                    .map_or(CipherSuite::Unknown(0), |s| s.suite()),
                resumed: c.handshake_kind() == Some(HandshakeKind::Resumed),
                client_cert: c.peer_certificates().and_then(|p| p.first()).cloned(),
                server_name: c.server_name().map(str::to_string),
            }
        });
        drop(c);
        if let Some(info) = info {
            if let Some(t) = &sh.tls {
                sh.stats.tls_sessions.fetch_add(1, Relaxed);
                if info.resumed {
                    sh.stats.tls_resumed.fetch_add(1, Relaxed);
                }
                let mut h = lock(&t.handshakes);
                while h.len() >= KEEP_HANDSHAKES {
                    h.pop_front();
                }
                h.push_back(info);
            }
        }
        let fill = match res {
            Err(e) => {
                self.fail(sh, id, stream, &e);
                Fill::Failed
            }
            Ok(()) if closed => Fill::Closed,
            Ok(()) => Fill::Data,
        };
        (fill, kick)
    }

    /// Counts a TLS failure and records its text.
    fn fail(&self, sh: &Shared, id: u64, stream: &TcpStream, what: &str) {
        self.failed.store(true, Relaxed);
        sh.stats.tls_failures.fetch_add(1, Relaxed);
        if let Some(t) = &sh.tls {
            let peer = stream
                .peer_addr()
                .map_or_else(|_| "?".to_string(), |a| a.to_string());
            *lock(&t.last_error) = Some(format!("connection {id} from {peer}: {what}"));
        }
    }

    /// Encrypts `plain` (may be empty: then only what rustls has queued) and writes the
    /// records to the socket, outside the lock. `close` adds a close_notify (unless a TLS
    /// error happened). False when the socket write fails.
    pub(crate) fn send(
        &self,
        stream: &TcpStream,
        plain: &[u8],
        cbuf: &mut Vec<u8>,
        close: bool,
    ) -> bool {
        // Large batches go in slices, so the reader is not kept off the lock for long.
        const SLICE: usize = 256 * 1024;
        let mut rest = plain;
        loop {
            let (chunk, tail) = rest.split_at(rest.len().min(SLICE));
            rest = tail;
            let last = rest.is_empty();
            {
                let mut c = lock(&self.conn);
                if !chunk.is_empty() && c.writer().write_all(chunk).is_err() {
                    return false;
                }
                if close && last && !self.failed.load(Relaxed) {
                    c.send_close_notify();
                }
                while c.wants_write() {
                    match c.write_tls(cbuf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
            }
            if !cbuf.is_empty() {
                let ok = (&*stream).write_all(cbuf).is_ok();
                cbuf.clear();
                if !ok {
                    return false;
                }
            }
            if last {
                break;
            }
        }
        true
    }
}
