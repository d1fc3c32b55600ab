//! The SMSC simulator over TLS, driven by a tiny raw rustls client built on the codec.
//! The test PKI comes from tests/tls/make-pki.sh (needs openssl and flock in PATH).
//!
//! All its tests are marked `#[ignore = "needs openssl and flock …"]`: a bare `cargo test`
//! passes without those tools; `bash tests/run-all.sh` runs them (`--include-ignored`), as
//! does `cargo test --test sim_tls -- --include-ignored` (tools: `bash tests/install-tools.sh`).

mod common;

use common::tls::pki_dir;
use esme::pdu::{Address, Bind, Body, CommandId, CommandStatus, Decoded, Decoder, Pdu, SubmitSm};
use esme::sim::{SimConfig, SimTls, Smsc};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection, HandshakeKind, ProtocolVersion, RootCertStore};
use rustls::{SupportedProtocolVersion, ALL_VERSIONS};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Every wait is bounded by this.
const T: Duration = Duration::from_secs(5);

fn pki(name: &str) -> PathBuf {
    pki_dir().join(name)
}

fn sim_tls(mutual: bool, versions: &[&'static SupportedProtocolVersion]) -> SimTls {
    let ca = pki("client-ca.pem");
    let mut t = SimTls::from_pem_files(
        &pki("server.pem"),
        &pki("server.key"),
        mutual.then_some(ca.as_path()),
    )
    .expect("load the server PKI");
    t.versions = versions.to_vec();
    t
}

fn start(tls: SimTls) -> Smsc {
    Smsc::start(SimConfig {
        tls: Some(tls),
        ..SimConfig::default()
    })
    .expect("start the TLS simulator")
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// A client configuration trusting ca.pem, with an optional client certificate stem
/// ("client", "client-untrusted").
fn client_config(
    cert: Option<&str>,
    versions: &[&'static SupportedProtocolVersion],
) -> Arc<ClientConfig> {
    let mut roots = RootCertStore::empty();
    for c in CertificateDer::pem_file_iter(pki("ca.pem")).unwrap() {
        roots.add(c.unwrap()).unwrap();
    }
    let versions = if versions.is_empty() {
        ALL_VERSIONS
    } else {
        versions
    };
    let b = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let cfg = match cert {
        None => b.with_no_client_auth(),
        Some(stem) => {
            let chain = CertificateDer::pem_file_iter(pki(&format!("{stem}.pem")))
                .unwrap()
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            let key = PrivateKeyDer::from_pem_file(pki(&format!("{stem}.key"))).unwrap();
            b.with_client_auth_cert(chain, key).unwrap()
        }
    };
    Arc::new(cfg)
}

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(e.to_string())
}

/// A bare TLS ESME: the socket and a `ClientConnection` shared the same way the simulator
/// shares its own (so a writer thread can pipeline while this one reads).
struct TlsEsme {
    sock: TcpStream,
    conn: Arc<Mutex<ClientConnection>>,
    plain: Vec<u8>,
    seq: u32,
}

/// Encrypts `bytes` under the lock, writes the records outside it.
fn send_on(sock: &TcpStream, conn: &Mutex<ClientConnection>, bytes: &[u8]) -> io::Result<()> {
    let mut out = Vec::new();
    {
        let mut c = conn.lock().unwrap();
        if !bytes.is_empty() {
            c.writer().write_all(bytes)?;
        }
        while c.wants_write() {
            c.write_tls(&mut out)?;
        }
    }
    (&*sock).write_all(&out)
}

impl TlsEsme {
    /// Connects and completes the handshake (as the client sees it) within [`T`].
    fn connect(addr: SocketAddr, cfg: Arc<ClientConfig>) -> io::Result<TlsEsme> {
        let sock = TcpStream::connect_timeout(&addr, T)?;
        sock.set_nodelay(true)?;
        sock.set_read_timeout(Some(Duration::from_millis(200)))?;
        sock.set_write_timeout(Some(T))?;
        let name = ServerName::try_from("localhost").unwrap();
        let conn = ClientConnection::new(cfg, name).map_err(other)?;
        let mut e = TlsEsme {
            sock,
            conn: Arc::new(Mutex::new(conn)),
            plain: Vec::new(),
            seq: 0,
        };
        let deadline = Instant::now() + T;
        loop {
            send_on(&e.sock, &e.conn, &[])?;
            if !e.conn.lock().unwrap().is_handshaking() {
                return Ok(e);
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(ErrorKind::TimedOut, "handshake"));
            }
            e.read_some()?;
        }
    }

    /// One socket read, decrypted into `plain`. Ok(false) on a read timeout.
    fn read_some(&mut self) -> io::Result<bool> {
        let mut buf = [0u8; 64 * 1024];
        let n = match (&self.sock).read(&mut buf) {
            Ok(0) => return Err(io::Error::new(ErrorKind::UnexpectedEof, "closed")),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Ok(false)
            }
            Err(e) => return Err(e),
        };
        let mut rd = &buf[..n];
        let mut c = self.conn.lock().unwrap();
        while !rd.is_empty() {
            if c.read_tls(&mut rd)? == 0 {
                break;
            }
            let st = c.process_new_packets().map_err(other)?;
            let want = st.plaintext_bytes_to_read();
            let at = self.plain.len();
            self.plain.resize(at + want, 0);
            c.reader().read_exact(&mut self.plain[at..])?;
            if st.peer_has_closed() {
                break;
            }
        }
        Ok(true)
    }

    fn send(&mut self, pdu: &Pdu) -> io::Result<()> {
        send_on(&self.sock, &self.conn, &pdu.to_bytes().unwrap())
    }

    /// The next PDU within [`T`].
    fn recv(&mut self) -> io::Result<Pdu> {
        let deadline = Instant::now() + T;
        loop {
            match Decoder::default().decode(&self.plain).map_err(other)? {
                Decoded::Pdu { pdu, len } => {
                    self.plain.drain(..len);
                    return Ok(pdu);
                }
                Decoded::Malformed { error, .. } => return Err(other(error)),
                Decoded::Incomplete { .. } => {}
            }
            if Instant::now() > deadline {
                return Err(io::Error::new(ErrorKind::TimedOut, "no PDU"));
            }
            self.read_some()?;
        }
    }

    fn call(&mut self, body: Body) -> io::Result<Pdu> {
        self.seq += 1;
        let seq = self.seq;
        self.send(&Pdu::new(seq, body))?;
        let r = self.recv()?;
        assert_eq!(r.sequence_number, seq, "{r:?}");
        Ok(r)
    }

    fn bind(&mut self, kind: &str) -> io::Result<Pdu> {
        let b = Bind {
            system_id: "tls".into(),
            password: "pw".into(),
            interface_version: 0x34,
            ..Bind::default()
        };
        self.call(match kind {
            "tx" => Body::BindTransmitter(b),
            _ => Body::BindTransceiver(b),
        })
    }

    /// Binds, submits one message and checks both responses.
    fn bind_and_submit(&mut self) -> io::Result<String> {
        let r = self.bind("tx")?;
        assert_eq!(r.command_status, CommandStatus::Ok, "{r:?}");
        let r = self.call(submit("447700900123", "over TLS", 0))?;
        assert_eq!(r.command_status, CommandStatus::Ok, "{r:?}");
        match r.body {
            Body::SubmitSmResp(m) => Ok(m.message_id),
            other => panic!("{other:?}"),
        }
    }

    fn version(&self) -> Option<ProtocolVersion> {
        self.conn.lock().unwrap().protocol_version()
    }

    fn handshake_kind(&self) -> Option<HandshakeKind> {
        self.conn.lock().unwrap().handshake_kind()
    }

    /// Unbinds and reads the unbind_resp (so tickets sent meanwhile are taken in too).
    fn unbind(mut self) {
        let r = self.call(Body::Unbind).expect("unbind_resp");
        assert_eq!(r.command_id(), CommandId::UnbindResp);
    }
}

fn submit(dest: &str, text: &str, registered_delivery: u8) -> Body {
    Body::SubmitSm(SubmitSm {
        source: Address::new(5, 0, "Shop"),
        destination: Address::new(1, 1, dest),
        registered_delivery,
        short_message: text.as_bytes().to_vec(),
        ..SubmitSm::default()
    })
}

/// Connects, binds and submits; the error if any step fails.
fn try_session(addr: SocketAddr, cfg: Arc<ClientConfig>) -> io::Result<String> {
    let mut e = TlsEsme::connect(addr, cfg)?;
    e.bind_and_submit()
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn bind_submit_receipt_over_tls() {
    let smsc = Smsc::start(SimConfig {
        tls: Some(sim_tls(false, &[])),
        receipt_delay: Duration::from_millis(20),
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = TlsEsme::connect(smsc.addr(), client_config(None, &[])).unwrap();
    assert_eq!(e.version(), Some(ProtocolVersion::TLSv1_3));
    let r = e.bind("trx").unwrap();
    assert_eq!(r.command_status, CommandStatus::Ok, "{r:?}");
    let r = e.call(submit("447700900123", "hello TLS", 1)).unwrap();
    assert_eq!(r.command_status, CommandStatus::Ok);
    // The receipt comes from the scheduler thread, through the same writer.
    let d = e.recv().unwrap();
    assert_eq!(d.command_id(), CommandId::DeliverSm, "{d:?}");
    e.send(&Pdu::new(
        d.sequence_number,
        Body::DeliverSmResp(Default::default()),
    ))
    .unwrap();
    assert!(smsc.wait_for(|s| s.receipts_acked == 1, T));
    // An MO from the test thread.
    assert_eq!(
        smsc.send_mo("447700900123", "Shop", "MO over TLS").unwrap(),
        1
    );
    let mo = e.recv().unwrap();
    assert_eq!(mo.command_id(), CommandId::DeliverSm);
    let sub = smsc.submitted();
    assert_eq!(sub.len(), 1);
    assert_eq!(sub[0].short_message, b"hello TLS");
    let st = smsc.stats();
    assert_eq!(
        (st.tls_sessions, st.tls_failures, st.tls_resumed),
        (1, 0, 0)
    );
    let hs = smsc.tls_handshakes();
    assert_eq!(hs.len(), 1);
    assert_eq!(hs[0].version, ProtocolVersion::TLSv1_3);
    assert!(!hs[0].resumed);
    assert!(hs[0].client_cert.is_none());
    assert_eq!(hs[0].server_name.as_deref(), Some("localhost"));
    e.unbind();
    // Orderly close: no failure counted.
    assert!(smsc.wait_for(|s| s.open_connections == 0, T));
    assert_eq!(smsc.stats().tls_failures, 0);
    assert_eq!(smsc.last_tls_error(), None);
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn mutual_tls_trusted_client_accepted() {
    for v in [&rustls::version::TLS12, &rustls::version::TLS13] {
        let smsc = start(sim_tls(true, &[v]));
        let mut e = TlsEsme::connect(smsc.addr(), client_config(Some("client"), &[])).unwrap();
        e.bind_and_submit().unwrap();
        let hs = smsc.tls_handshakes();
        assert_eq!(hs.len(), 1);
        assert_eq!(hs[0].version, v.version);
        let leaf = CertificateDer::pem_file_iter(pki("client.pem"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        assert_eq!(hs[0].client_cert.as_ref(), Some(&leaf));
        assert_eq!(smsc.stats().tls_failures, 0);
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn mutual_tls_untrusted_or_missing_client_cert_refused() {
    for v in [&rustls::version::TLS13, &rustls::version::TLS12] {
        let smsc = start(sim_tls(true, &[v]));
        // TLS 1.3: the client finishes first and learns of the refusal on its next read;
        // TLS 1.2: the handshake itself fails. Either way no bind_resp.
        let r = try_session(smsc.addr(), client_config(Some("client-untrusted"), &[]));
        assert!(
            r.is_err(),
            "{v:?}: untrusted client certificate accepted: {r:?}"
        );
        assert!(
            smsc.wait_for(|s| s.tls_failures == 1, T),
            "{:?}",
            smsc.stats()
        );
        let err = smsc.last_tls_error().expect("an error recorded");
        assert!(err.contains("certificate"), "{err}");
        // No certificate at all.
        let r = try_session(smsc.addr(), client_config(None, &[]));
        assert!(r.is_err(), "{v:?}: no client certificate accepted: {r:?}");
        assert!(
            smsc.wait_for(|s| s.tls_failures == 2, T),
            "{:?}",
            smsc.stats()
        );
        // The server still serves a trusted client.
        try_session(smsc.addr(), client_config(Some("client"), &[])).unwrap();
        let st = smsc.stats();
        assert_eq!(
            (st.tls_sessions, st.tls_failures, st.submits),
            (1, 2, 1),
            "{st:?}"
        );
        assert_eq!(st.binds_ok, 1);
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn plain_smpp_to_a_tls_simulator_is_refused() {
    let smsc = start(sim_tls(false, &[]));
    let mut s = TcpStream::connect_timeout(&smsc.addr(), T).unwrap();
    s.set_read_timeout(Some(T)).unwrap();
    let bind = Pdu::new(
        1,
        Body::BindTransmitter(Bind {
            system_id: "plain".into(),
            password: "pw".into(),
            interface_version: 0x34,
            ..Bind::default()
        }),
    );
    s.write_all(&bind.to_bytes().unwrap()).unwrap();
    // What comes back is at most a TLS alert record, then the close; never a bind_resp.
    let mut got = Vec::new();
    let deadline = Instant::now() + T;
    loop {
        let mut b = [0u8; 1024];
        match s.read(&mut b) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&b[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => panic!("no close within {T:?}: {e}"),
        }
        assert!(Instant::now() < deadline, "not closed");
    }
    assert!(got.is_empty() || got[0] == 0x15, "not an alert: {got:02x?}");
    assert!(smsc.wait_for(|s| s.tls_failures == 1, T));
    assert!(smsc.last_tls_error().is_some());
    assert_eq!(smsc.stats().binds_ok, 0);
    // Next client fine.
    try_session(smsc.addr(), client_config(None, &[])).unwrap();
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn tls12_only_and_tls13_only_negotiate_that_version() {
    for (v, want) in [
        (&rustls::version::TLS12, ProtocolVersion::TLSv1_2),
        (&rustls::version::TLS13, ProtocolVersion::TLSv1_3),
    ] {
        let smsc = start(sim_tls(false, &[v]));
        let mut e = TlsEsme::connect(smsc.addr(), client_config(None, &[])).unwrap();
        e.bind_and_submit().unwrap();
        assert_eq!(e.version(), Some(want));
        let hs = smsc.tls_handshakes();
        assert_eq!(hs.len(), 1);
        assert_eq!(hs[0].version, want);
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn no_common_version_is_refused() {
    let smsc = start(sim_tls(false, &[&rustls::version::TLS13]));
    let r = TlsEsme::connect(smsc.addr(), client_config(None, &[&rustls::version::TLS12]));
    assert!(r.is_err(), "handshake succeeded");
    assert!(smsc.wait_for(|s| s.tls_failures == 1, T));
    let err = smsc.last_tls_error().unwrap();
    assert!(
        err.contains("incompatible") && err.contains("Tls12"),
        "{err}"
    );
    try_session(smsc.addr(), client_config(None, &[])).unwrap();
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn second_connection_resumes() {
    for v in [&rustls::version::TLS13, &rustls::version::TLS12] {
        for mutual in [false, true] {
            let smsc = start(sim_tls(mutual, &[v]));
            let cfg = client_config(mutual.then_some("client"), &[]);
            let mut e = TlsEsme::connect(smsc.addr(), cfg.clone()).unwrap();
            assert_eq!(e.handshake_kind(), Some(HandshakeKind::Full));
            e.bind_and_submit().unwrap();
            e.unbind();
            let mut e = TlsEsme::connect(smsc.addr(), cfg.clone()).unwrap();
            assert_eq!(
                e.handshake_kind(),
                Some(HandshakeKind::Resumed),
                "{v:?} mutual={mutual}"
            );
            e.bind_and_submit().unwrap();
            let st = smsc.stats();
            assert_eq!((st.tls_sessions, st.tls_resumed), (2, 1), "{st:?}");
            let hs = smsc.tls_handshakes();
            assert!(!hs[0].resumed && hs[1].resumed);
            assert_eq!(hs[1].version, v.version);
            // The client certificate is known on the resumed session too.
            assert_eq!(hs[1].client_cert.is_some(), mutual);
        }
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn a_silent_connection_does_not_block_others() {
    let smsc = start(sim_tls(false, &[]));
    let _silent = TcpStream::connect_timeout(&smsc.addr(), T).unwrap();
    let _half = {
        // A ClientHello and then nothing.
        let s = TcpStream::connect_timeout(&smsc.addr(), T).unwrap();
        let name = ServerName::try_from("localhost").unwrap();
        let mut c = ClientConnection::new(client_config(None, &[]), name).unwrap();
        let mut out = Vec::new();
        c.write_tls(&mut out).unwrap();
        (&s).write_all(&out).unwrap();
        s
    };
    let t0 = Instant::now();
    try_session(smsc.addr(), client_config(None, &[])).unwrap();
    assert!(t0.elapsed() < T);
    assert!(smsc.wait_for(|s| s.connections == 3, T));
    let t0 = Instant::now();
    smsc.shutdown();
    assert!(t0.elapsed() < Duration::from_secs(4));
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn from_pem_files_errors_name_the_file() {
    let missing = pki_dir().join("no-such.pem");
    let e = SimTls::from_pem_files(&missing, &pki("server.key"), None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(e.to_string().contains("no-such.pem"), "{e}");
    // A device: refused before it is read (it used to be read without end).
    let zero = std::path::Path::new("/dev/zero");
    let e = SimTls::from_pem_files(zero, &pki("server.key"), None).unwrap_err();
    assert!(
        e.to_string()
            .contains("/dev/zero: it is a character device, not a regular file"),
        "{e}"
    );
    let e = SimTls::from_pem_files(&pki("server.pem"), zero, None).unwrap_err();
    assert!(e.to_string().contains("private key file /dev/zero"), "{e}");
    // A certificate file given as the key.
    let e = SimTls::from_pem_files(&pki("server.pem"), &pki("server.pem"), None).unwrap_err();
    assert!(e.to_string().contains("server.pem"), "{e}");
    assert!(e.to_string().contains("PRIVATE KEY"), "{e}");
    // A key file given as the certificate.
    let e = SimTls::from_pem_files(&pki("server.key"), &pki("server.key"), None).unwrap_err();
    assert!(e.to_string().contains("server.key"), "{e}");
    let e =
        SimTls::from_pem_files(&pki("server.pem"), &pki("server.key"), Some(&missing)).unwrap_err();
    assert!(e.to_string().contains("no-such.pem"), "{e}");
    // A key that does not match the certificate: refused at start.
    let t = SimTls::from_pem_files(&pki("server.pem"), &pki("client.key"), None).unwrap();
    let dbg = format!("{t:?}");
    assert!(dbg.contains("redacted") && !dbg.contains("Pkcs8"), "{dbg}");
    let cfg = SimConfig {
        tls: Some(t.clone()),
        ..SimConfig::default()
    };
    let e = Smsc::start(cfg).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidInput, "{e}");
}

/// Pipelines N submit_sm (default 20 000; `SIM_BENCH_N` overrides) through one TLS
/// connection while a second thread reads every response. Prints the rate; run with
/// `cargo test --release --test sim_tls throughput -- --nocapture` to measure.
#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn throughput_pipelined_over_tls() {
    let n: usize = std::env::var("SIM_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let smsc = Smsc::start(SimConfig {
        tls: Some(sim_tls(false, &[])),
        keep_submitted: 0,
        ..SimConfig::default()
    })
    .unwrap();
    let mut e = TlsEsme::connect(smsc.addr(), client_config(None, &[])).unwrap();
    let r = e.bind("tx").unwrap();
    assert_eq!(r.command_status, CommandStatus::Ok);
    let mut bytes = Vec::with_capacity(n * 64);
    for i in 0..n {
        Pdu::new(i as u32 + 2, submit("447700900123", "benchmark message", 0))
            .encode(&mut bytes)
            .unwrap();
    }
    let (sock, conn) = (e.sock.try_clone().unwrap(), e.conn.clone());
    let t0 = Instant::now();
    let writer = std::thread::spawn(move || {
        for chunk in bytes.chunks(64 * 1024) {
            send_on(&sock, &conn, chunk).unwrap();
        }
    });
    let mut next = 2u32;
    while (next as usize) < n + 2 {
        let r = e.recv().expect("a response");
        assert_eq!(
            (r.sequence_number, r.command_status),
            (next, CommandStatus::Ok)
        );
        next += 1;
    }
    let el = t0.elapsed();
    writer.join().unwrap();
    println!(
        "{n} submit_sm pipelined over TLS in {el:?}: {:.0}/s",
        n as f64 / el.as_secs_f64()
    );
    let st = smsc.stats();
    assert_eq!((st.submits, st.responses_sent - 1), (n as u64, n as u64));
}
