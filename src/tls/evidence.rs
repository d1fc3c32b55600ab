//! What a handshake showed, recorded while it runs by the verifier (`verify.rs`), the client
//! certificate resolver (`resolver.rs`) and the handshake loop (`handshake.rs`). Every
//! diagnosis (`diagnose.rs`) is decided from these facts, not from guesses about the peer;
//! docs/tls.md ("What each diagnosis rests on") lists which fact decides which message.

use rustls::pki_types::CertificateDer;
use std::io::{self, Read};
use std::net::TcpStream;
use std::sync::{Arc, Mutex, MutexGuard};

/// The facts of one handshake (reset when the next one starts).
#[derive(Debug, Clone, Default)]
pub(crate) struct Evidence {
    /// The SMSC's end-entity certificate, as presented.
    pub presented: Option<CertificateDer<'static>>,
    /// How many other certificates (its chain) came with it.
    pub intermediates: usize,
    /// The end-entity certificate is byte-identical to a trusted certificate: pinned, no
    /// chain was built.
    pub pinned: bool,
    /// The SMSC sent a CertificateRequest: the CA names it says it accepts (often empty).
    pub cert_request: Option<Vec<String>>,
    /// We answered that request with a certificate (not an empty one).
    pub sent_cert: bool,
    /// Flights of records we wrote: 1 is the ClientHello, 2 our answer to the SMSC's first
    /// flight (with our certificate, when asked for one).
    pub flights: u32,
    /// The first octets the SMSC sent (up to 16), and how many in all during the handshake.
    pub first_bytes: Vec<u8>,
    /// Octets received during the handshake.
    pub received: u64,
    /// The handshake finished on our side.
    pub done: bool,
    /// Octets the SMSC sent after the handshake, before the bind went out (TLS 1.3 with our
    /// certificate: its session tickets, or its verdict on our certificate).
    pub after_done: u64,
}

/// The evidence of the handshake in progress, shared by the parts that record it.
#[derive(Debug, Default)]
pub(crate) struct Recorder(Mutex<Evidence>);

impl Recorder {
    pub(crate) fn new() -> Arc<Recorder> {
        Arc::new(Recorder::default())
    }

    /// The evidence, to update it.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Evidence> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A copy of what was recorded.
    pub(crate) fn snapshot(&self) -> Evidence {
        self.lock().clone()
    }

    /// Starts a new handshake's record.
    pub(crate) fn reset(&self) {
        *self.lock() = Evidence::default();
    }
}

/// A socket reader that notes what the SMSC sent during the handshake.
pub(crate) struct Tap<'a> {
    pub sock: &'a TcpStream,
    pub recorder: &'a Recorder,
}

impl Read for Tap<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = (&*self.sock).read(buf)?;
        let mut e = self.recorder.lock();
        e.received += n as u64;
        let room = 16usize.saturating_sub(e.first_bytes.len()).min(n);
        e.first_bytes.extend_from_slice(&buf[..room]);
        Ok(n)
    }
}
