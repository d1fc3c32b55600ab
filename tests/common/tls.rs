//! TLS test peers: the test PKI (tests/tls/make-pki.sh), `openssl s_server`, a plain TCP
//! listener that answers with fixed bytes, and node-smpp's SMSC over TLS.
//!
//! ```ignore
//! let pki = tls::pki_dir();
//! let srv = tls::SServer::start(&["-cert", &tls::pki("server.pem"), "-key", &tls::pki("server.key"), "-quiet"]);
//! // ... connect esme to 127.0.0.1:srv.port with ca.pem ...
//! assert!(srv.output().contains("..."));
//! ```

use super::NodeSmsc;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------- PKI

/// The test PKI directory, `<target>/tls-pki`, made by `tests/tls/make-pki.sh` on the
/// first call in this process (the script is a no-op when the set is up to date; it
/// serialises concurrent runs from several test binaries with flock on
/// `<target>/tls-pki.lock` and installs a complete set only). Panics - does not skip - if
/// openssl or flock is missing or the script fails (the tests that call this are marked
/// `#[ignore = "needs openssl and flock …"]`). File list: tests/tls/README.md.
pub fn pki_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("CARGO_TARGET_TMPDIR has a parent")
            .to_path_buf();
        let dir = target.join("tls-pki");
        match Command::new("openssl").arg("version").output() {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "`openssl version` failed ({}): the TLS tests need openssl 3 in PATH\n{}",
                o.status,
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(e) => panic!(
                "openssl not found ({e}): the TLS tests need the openssl 3 command-line tool \
                 in PATH to make the test PKI (tests/tls/make-pki.sh; bash tests/install-tools.sh \
                 installs it)"
            ),
        }
        let flock = Command::new("sh")
            .args(["-c", "command -v flock"])
            .stdout(Stdio::null())
            .status();
        assert!(
            matches!(flock, Ok(s) if s.success()),
            "flock not found: tests/tls/make-pki.sh needs flock(1) from util-linux in PATH \
             (bash tests/install-tools.sh installs it)"
        );
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/make-pki.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .output()
            .expect("bash must be installed");
        assert!(
            out.status.success(),
            "{} {} failed ({}):\n{}{}",
            script.display(),
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .clone()
}

/// The Java keystores made by JDK keytool and the KeyStore API from the test PKI
/// (tests/tls/make-keystores.sh), `<target>/tls-keystores`, made on the first call in this
/// process. Panics - does not skip - if keytool, javac or java is missing.
pub fn keystore_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let pki = pki_dir();
        let dir = pki.parent().unwrap().join("tls-keystores");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/make-keystores.sh");
        let out = Command::new("bash")
            .arg(&script)
            .arg(&pki)
            .arg(&dir)
            .output()
            .expect("bash must be installed");
        assert!(
            out.status.success(),
            "{} failed ({}): the keystore tests need JDK 17 (keytool, javac, java)\n{}{}",
            script.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        dir
    })
    .clone()
}

/// Path of one keystore (`keystore("ks-client-trust.p12")`).
pub fn keystore(name: &str) -> String {
    let p = keystore_dir().join(name);
    assert!(p.exists(), "no {} among the test keystores", p.display());
    p.to_string_lossy().into_owned()
}

/// Path of one PKI file (`pki("server.pem")`), as a String for argument lists.
pub fn pki(name: &str) -> String {
    let p = pki_dir().join(name);
    assert!(p.exists(), "no {} in the test PKI", p.display());
    p.to_string_lossy().into_owned()
}

/// A client certificate made now in `dir`, issued by the test PKI's intermediate CA (which
/// the SMSCs of the tests trust, as for `client.p12`), valid 30 days, with CN
/// `esme-client-<name>`: a renewed certificate. Exported as `<name>.p12` (key, certificate,
/// intermediate) with password `password`; returns its path.
pub fn renewed_client_p12(dir: &Path, name: &str, password: &str) -> String {
    let run = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run openssl");
        assert!(o.status.success(), "openssl {args:?}: {o:?}");
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "[ext]\nextendedKeyUsage = clientAuth\nkeyUsage = digitalSignature\n",
    )
    .unwrap();
    let (key, csr, crt, p12) = (
        format!("{name}.key"),
        format!("{name}.csr"),
        format!("{name}.crt"),
        format!("{name}.p12"),
    );
    run(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        &key,
        "-subj",
        &format!("/O=esme tests/CN=esme-client-{name}"),
        "-out",
        &csr,
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        &csr,
        "-CA",
        &pki("intermediate.pem"),
        "-CAkey",
        &pki("intermediate.key"),
        "-CAcreateserial",
        "-CAserial",
        &format!("{name}.srl"),
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "ext",
        "-out",
        &crt,
    ]);
    run(&[
        "pkcs12",
        "-export",
        "-inkey",
        &key,
        "-in",
        &crt,
        "-certfile",
        &pki("intermediate.pem"),
        "-name",
        "esme-client",
        "-passout",
        &format!("pass:{password}"),
        "-out",
        &p12,
    ]);
    dir.join(p12).to_string_lossy().into_owned()
}

/// A port that was free a moment ago on 127.0.0.1 (bind :0, read, drop). Racy by
/// nature: callers retry on "address in use".
pub fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().unwrap().port()
}

/// Is process `pid` listening on 127.0.0.1:port? Read from /proc/net/tcp (Linux), so that
/// probing does not use up one of s_server's `-naccept` connections. The listening
/// socket's inode must be one of `pid`'s file descriptors: another test's server that
/// won a race for the same "free" port must not pass for ours (ours then exits with
/// "address in use", and the test would talk to the other one).
fn listening(port: u16, pid: u32) -> bool {
    let Ok(tab) = std::fs::read_to_string("/proc/net/tcp") else {
        return false;
    };
    let want = format!("0100007F:{port:04X}");
    let inodes: Vec<String> = tab
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() > 9 && f[1] == want && f[3] == "0A").then(|| format!("socket:[{}]", f[9]))
        })
        .collect();
    if inodes.is_empty() {
        return false;
    }
    let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return false;
    };
    fds.flatten().any(|fd| {
        std::fs::read_link(fd.path())
            .map(|t| inodes.iter().any(|i| t.as_os_str() == i.as_str()))
            .unwrap_or(false)
    })
}

// ---------------------------------------------------------------------------- s_server

/// `openssl s_server` on 127.0.0.1, killed on drop. stdout and stderr are captured,
/// interleaved, into [`SServer::output`]; stdin stays open (s_server sends what is
/// written there to the client: [`SServer::send`]).
pub struct SServer {
    child: Child,
    stdin: Option<ChildStdin>,
    pub port: u16,
    out: Arc<Mutex<String>>,
}

impl SServer {
    /// Starts `openssl s_server -accept 127.0.0.1:<free port> <args>` and waits (up to
    /// 10 s) until it listens. Typical args (paths from [`pki`]):
    /// `-cert server.pem -key server.key -cert_chain intermediate.pem [-CAfile
    /// client-ca.pem -Verify 1 -verify_return_error] [-tls1_2 | -tls1_3] [-naccept 1]
    /// -quiet` ([`SServer::with_cert`] and [`SServer::mutual_args`] build these). A port taken in between is retried
    /// with another one (up to 10 times). Panics with s_server's output if it exits.
    pub fn start(args: &[&str]) -> SServer {
        let mut last = String::new();
        for _ in 0..10 {
            let port = free_port();
            let mut child = Command::new("openssl")
                .arg("s_server")
                .arg("-accept")
                .arg(format!("127.0.0.1:{port}"))
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("openssl must be installed (the TLS tests need openssl 3 in PATH)");
            let out = Arc::new(Mutex::new(String::new()));
            for r in [
                Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
                Box::new(child.stderr.take().unwrap()),
            ] {
                let out = out.clone();
                std::thread::spawn(move || {
                    for line in BufReader::new(r).lines() {
                        let Ok(line) = line else { break };
                        let mut o = out.lock().unwrap();
                        o.push_str(&line);
                        o.push('\n');
                    }
                });
            }
            let stdin = child.stdin.take();
            let deadline = Instant::now() + Duration::from_secs(10);
            loop {
                if listening(port, child.id()) || out.lock().unwrap().contains("ACCEPT") {
                    return SServer {
                        child,
                        stdin,
                        port,
                        out,
                    };
                }
                if let Ok(Some(status)) = child.try_wait() {
                    std::thread::sleep(Duration::from_millis(50)); // let the readers finish
                    last = format!("exited with {status}:\n{}", out.lock().unwrap());
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "openssl s_server {args:?} did not listen on port {port} in 10 s:\n{}",
                        out.lock().unwrap()
                    );
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            if !last.contains("in use") {
                panic!("openssl s_server {args:?} failed to start: {last}");
            }
        }
        panic!("openssl s_server {args:?}: no free port after 10 tries; last: {last}");
    }

    /// s_server with a server certificate of the test PKI: `-cert <stem>.pem -key
    /// <stem key>`, plus `-cert_chain intermediate.pem` for the certificates issued by the
    /// intermediate (s_server sends only the FIRST certificate of `-cert`; without
    /// `-cert_chain` a client trusting only ca.pem fails with "unable to get local issuer
    /// certificate" - which is what `server-nochain` is for), then `extra` (e.g.
    /// [`SServer::MUTUAL`] args, `-tls1_2`, `-naccept 1`, `-quiet`).
    pub fn with_cert(cert_stem: &str, extra: &[&str]) -> SServer {
        let mut args = vec![
            "-cert".to_string(),
            pki(&format!("{cert_stem}.pem")),
            "-key".to_string(),
            pki(&key_for(cert_stem)),
        ];
        if matches!(
            cert_stem,
            "server"
                | "server-expired"
                | "server-notyet"
                | "server-wrongname"
                | "server-cnonly"
                | "server-clientauth"
        ) {
            args.push("-cert_chain".into());
            args.push(pki("intermediate.pem"));
        }
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        SServer::start(&refs)
    }

    /// Arguments for mutual TLS: require a client certificate and verify it against
    /// client-ca.pem. `-verify_return_error` matters: without it s_server logs the
    /// verify error but accepts an untrusted client certificate anyway.
    pub fn mutual_args() -> Vec<String> {
        vec![
            "-CAfile".into(),
            pki("client-ca.pem"),
            "-Verify".into(),
            "1".into(),
            "-verify_return_error".into(),
        ]
    }

    /// Everything s_server wrote so far (stdout and stderr, line by line).
    pub fn output(&self) -> String {
        self.out.lock().unwrap().clone()
    }

    /// Waits (up to `timeout`) until the output contains `needle`; returns the output.
    /// Panics with the output when it does not come.
    pub fn wait_output(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            let o = self.output();
            if o.contains(needle) {
                return o;
            }
            if Instant::now() > deadline {
                panic!("s_server output has no {needle:?} after {timeout:?}:\n{o}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Writes to s_server's stdin, which it relays to the connected client (as
    /// application data, after the handshake).
    pub fn send(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin closed");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Has s_server exited (e.g. after `-naccept 1`)?
    pub fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        self.stdin = None;
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------- plain TCP

/// A generic_nack PDU, command_status 0x00000002 ESME_RINVCMDLEN, sequence 0: what a
/// plain SMPP server answers to a TLS ClientHello (whose first four octets
/// `16 03 01 LL` read as a ~370 MB command_length).
pub const GENERIC_NACK_RINVCMDLEN: [u8; 16] = [
    0x00, 0x00, 0x00, 0x10, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
];

/// A TLS 1.0-format fatal alert record, protocol_version (70): roughly what some TLS
/// servers answer to bytes that are not a ClientHello (plain SMPP sent to a TLS port).
pub const TLS_ALERT_PROTOCOL_VERSION: [u8; 7] = [0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46];

/// A plain TCP listener on 127.0.0.1:0 that accepts one connection, reads what the
/// client sends first (one read, up to 4 KiB, at most 10 s), answers with fixed bytes
/// and closes. No TLS: models "TLS client on a plain SMPP port" ([`PlainListener::generic_nack`])
/// or, with raw TLS bytes, "plain client on a TLS port" ([`PlainListener::replying`];
/// for a real TLS server use [`SServer`] or node-smpp in TLS mode).
pub struct PlainListener {
    pub port: u16,
    handle: Option<JoinHandle<Vec<u8>>>,
}

impl PlainListener {
    /// Mode a: a plain SMPP port - answers whatever arrives with
    /// [`GENERIC_NACK_RINVCMDLEN`], then closes.
    pub fn generic_nack() -> PlainListener {
        Self::replying(GENERIC_NACK_RINVCMDLEN.to_vec())
    }

    /// Mode b: answers whatever arrives with `reply` (e.g.
    /// [`TLS_ALERT_PROTOCOL_VERSION`], or an empty reply = close without a word),
    /// then closes.
    pub fn replying(reply: Vec<u8>) -> PlainListener {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = l.local_addr().unwrap().port();
        l.set_nonblocking(true).unwrap();
        let handle = std::thread::spawn(move || {
            let deadline = Instant::now() + Duration::from_secs(30);
            let mut s: TcpStream = loop {
                match l.accept() {
                    Ok((s, _)) => break s,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        if Instant::now() > deadline {
                            return Vec::new(); // nobody came
                        }
                        std::thread::sleep(Duration::from_millis(10));
                    }
                    Err(_) => return Vec::new(),
                }
            };
            s.set_nonblocking(false).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            let mut buf = vec![0u8; 4096];
            let n = s.read(&mut buf).unwrap_or(0);
            buf.truncate(n);
            let _ = s.write_all(&reply);
            let _ = s.flush();
            // Orderly close after the reply (the client may still read it).
            let _ = s.shutdown(std::net::Shutdown::Write);
            std::thread::sleep(Duration::from_millis(100));
            buf
        });
        PlainListener {
            port,
            handle: Some(handle),
        }
    }

    /// What the client sent first (empty if nobody connected within 30 s or the
    /// client sent nothing within 10 s). Waits for the exchange to finish.
    pub fn received(mut self) -> Vec<u8> {
        self.handle.take().unwrap().join().unwrap()
    }
}

// ---------------------------------------------------------------------------- reset front

/// A TCP front on 127.0.0.1:0 for a TLS server (e.g. [`SServer`]), as load balancers and TLS
/// terminators put before SMSCs: a connection whose first octet starts a TLS handshake
/// record is passed through to `backend_port` both ways; any other is reset (closed with its
/// octets unread, which makes the kernel send RST). Serves until dropped.
pub struct ResetFront {
    pub port: u16,
    stop: Arc<std::sync::atomic::AtomicBool>,
}

impl ResetFront {
    pub fn start(backend_port: u16) -> ResetFront {
        use std::sync::atomic::{AtomicBool, Ordering};
        let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let port = l.local_addr().unwrap().port();
        l.set_nonblocking(true).unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(Ordering::Relaxed) {
                let client = match l.accept() {
                    Ok((c, _)) => c,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(5));
                        continue;
                    }
                    Err(_) => return,
                };
                std::thread::spawn(move || {
                    client.set_nonblocking(false).unwrap();
                    client
                        .set_read_timeout(Some(Duration::from_secs(10)))
                        .unwrap();
                    let mut first = [0u8; 1];
                    // Peek, so that an RST-provoking close leaves the octets unread.
                    match client.peek(&mut first) {
                        Ok(1) if first[0] == 0x16 => {}
                        _ => {
                            std::thread::sleep(Duration::from_millis(50));
                            drop(client); // unread octets: the kernel answers RST
                            return;
                        }
                    }
                    let Ok(backend) = TcpStream::connect(("127.0.0.1", backend_port)) else {
                        return;
                    };
                    client.set_read_timeout(None).unwrap();
                    let pipe = |mut from: TcpStream, mut to: TcpStream| {
                        std::thread::spawn(move || {
                            let _ = std::io::copy(&mut from, &mut to);
                            let _ = to.shutdown(std::net::Shutdown::Write);
                        })
                    };
                    pipe(client.try_clone().unwrap(), backend.try_clone().unwrap());
                    pipe(backend, client);
                });
            }
        });
        ResetFront { port, stop }
    }
}

impl Drop for ResetFront {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

// ---------------------------------------------------------------------------- node-smpp

/// smsc.js arguments for TLS with the test PKI: server certificate `<cert_stem>.pem` /
/// `<cert_stem>.key` (e.g. "server", "server-expired"); `mutual` adds
/// `--tls-ca client-ca.pem --tls-request-cert`.
pub fn smsc_tls_args(cert_stem: &str, mutual: bool) -> Vec<String> {
    let mut a = vec![
        "--tls-cert".to_string(),
        pki(&format!("{cert_stem}.pem")),
        "--tls-key".to_string(),
        pki(&key_for(cert_stem)),
    ];
    if mutual {
        a.push("--tls-ca".into());
        a.push(pki("client-ca.pem"));
        a.push("--tls-request-cert".into());
    }
    a
}

/// The key file of a certificate stem (server-nochain uses server.key).
fn key_for(cert_stem: &str) -> String {
    match cert_stem {
        "server-nochain" => "server.key".into(),
        s => format!("{s}.key"),
    }
}

impl NodeSmsc {
    /// smsc.js over TLS with the test PKI (see [`smsc_tls_args`]), plus `extra` args
    /// (e.g. `--tls-min 1.3`, `--system-id`). Events `tls` and `tls_error` then appear
    /// in [`NodeSmsc::seen`] (tests/interop/README.md).
    pub fn start_tls(cert_stem: &str, mutual: bool, extra: &[&str]) -> NodeSmsc {
        let mut args = smsc_tls_args(cert_stem, mutual);
        args.extend(extra.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        NodeSmsc::start(&refs)
    }
}
