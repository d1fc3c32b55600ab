//! The numbers an operator watches (`Client::stats`, `Client::prometheus`) and the
//! certificates' expiry, against node-smpp's SMSC (tests/interop/smsc.js) over mutual TLS
//! with certificates `openssl` makes in this run, valid for 5 days; and an expired client
//! certificate and an expired SMSC certificate made by `openssl ca`, which must not connect.
//!
//! Marked `#[ignore = "needs …"]`: `bash tests/run-all.sh` runs them (`--include-ignored`),
//! as does `cargo test --test operator_numbers -- --include-ignored`.

mod common;

use common::NodeSmsc;
use esme::client::{Event, Message, Stats};
use esme::config::{Config, ConfigBuilder, TlsMode};
use esme::sim::{SimConfig, SimTls, Smsc};
use esme::Client;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const NEEDS: &str = "needs openssl and node-smpp (node, npm ci in tests/interop)";

fn run(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA, and signed by it: `server` (127.0.0.1) and `client` valid for 5 days (`-days 5`),
/// `client.p12` (password `changeit`), and `server-expired` / `client-expired(.p12)` valid
/// 2020-01-01 .. 2021-01-01 (`openssl ca -startdate -enddate`: `x509 -days` cannot
/// backdate). In a fresh temporary folder.
fn make_pki(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("esme-expiry-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("db")).unwrap();
    std::fs::write(dir.join("db/index.txt"), "").unwrap();
    std::fs::write(dir.join("db/serial"), "1000\n").unwrap();
    std::fs::write(
        dir.join("ext.cnf"),
        "[ca]\ndefault_ca = ca_sect\n\
         [ca_sect]\ndir = .\ndatabase = db/index.txt\nserial = db/serial\nnew_certs_dir = db\n\
         default_md = sha256\npolicy = any\ncopy_extensions = none\nunique_subject = no\n\
         [any]\ncommonName = supplied\n\
         [ca_ext]\nbasicConstraints = critical,CA:true\nkeyUsage = critical,keyCertSign,cRLSign\n\
         [server_ext]\nbasicConstraints = CA:false\nsubjectAltName = IP:127.0.0.1,DNS:localhost\n\
         extendedKeyUsage = serverAuth\n\
         [client_ext]\nbasicConstraints = CA:false\nextendedKeyUsage = clientAuth\n",
    )
    .unwrap();
    let key = |name: &str| {
        run(
            &dir,
            &[
                "genpkey",
                "-algorithm",
                "EC",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-out",
                &format!("{name}.key"),
            ],
        )
    };
    key("ca");
    run(
        &dir,
        &[
            "req",
            "-x509",
            "-new",
            "-key",
            "ca.key",
            "-subj",
            "/CN=esme expiry test CA",
            "-days",
            "3650",
            "-config",
            "ext.cnf",
            "-extensions",
            "ca_ext",
            "-out",
            "ca.pem",
        ],
    );
    for (name, cn, ext) in [
        ("server", "localhost", "server_ext"),
        ("client", "esme-client-5d", "client_ext"),
    ] {
        key(name);
        run(
            &dir,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}.key"),
                "-subj",
                &format!("/CN={cn}"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        run(
            &dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "5",
                "-extfile",
                "ext.cnf",
                "-extensions",
                ext,
                "-out",
                &format!("{name}.pem"),
            ],
        );
        key(&format!("{name}-expired"));
        run(
            &dir,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}-expired.key"),
                "-subj",
                &format!("/CN={cn}-expired"),
                "-out",
                &format!("{name}-expired.csr"),
            ],
        );
        run(
            &dir,
            &[
                "ca",
                "-batch",
                "-config",
                "ext.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-in",
                &format!("{name}-expired.csr"),
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20210101000000Z",
                "-extensions",
                ext,
                "-notext",
                "-out",
                &format!("{name}-expired.pem"),
            ],
        );
    }
    for name in ["client", "client-expired"] {
        run(
            &dir,
            &[
                "pkcs12",
                "-export",
                "-in",
                &format!("{name}.pem"),
                "-inkey",
                &format!("{name}.key"),
                "-certfile",
                "ca.pem",
                "-name",
                name,
                "-passout",
                "pass:changeit",
                "-out",
                &format!("{name}.p12"),
            ],
        );
    }
    dir
}

fn p(dir: &Path, f: &str) -> String {
    dir.join(f).to_string_lossy().into_owned()
}

fn mutual(dir: &Path, port: u16, p12: &str) -> ConfigBuilder {
    Config::builder("127.0.0.1", "esme")
        .port(port)
        .password("pw")
        .tls_mode(TlsMode::Mutual)
        .tls_ca_file(dir.join("ca.pem"))
        .tls_pkcs12_path(dir.join(p12))
        .tls_file_password("changeit")
        .connect_timeout(Duration::from_secs(5))
        .response_timeout(Duration::from_secs(5))
}

fn node_smsc(dir: &Path, cert: &str) -> NodeSmsc {
    NodeSmsc::start(&[
        "--tls-cert",
        &p(dir, &format!("{cert}.pem")),
        "--tls-key",
        &p(dir, &format!("{cert}.key")),
        "--tls-ca",
        &p(dir, "ca.pem"),
        "--tls-request-cert",
    ])
}

/// The warnings posted so far (waiting up to `wait` for at least `n`).
fn warnings(c: &Client, n: usize, wait: Duration) -> Vec<String> {
    let deadline = Instant::now() + wait;
    let mut out = Vec::new();
    while out.len() < n {
        let left = deadline.saturating_duration_since(Instant::now());
        match c.poll_event(Some(left)) {
            Some(Event::Warning(w)) => out.push(w),
            Some(_) => {}
            None => break,
        }
    }
    while let Some(e) = c.poll_event(None) {
        if let Event::Warning(w) = e {
            out.push(w);
        }
    }
    out
}

fn expiry(ws: &[String]) -> Vec<&String> {
    ws.iter()
        .filter(|w| w.contains("expires on") || w.contains("expired on"))
        .collect()
}

#[test]
#[ignore = "needs openssl and node-smpp (node, npm ci in tests/interop)"]
fn days_left_in_the_stats_and_a_warning_at_each_connect_inside_the_window() {
    let _ = NEEDS;
    let dir = make_pki("window");
    let mut smsc = node_smsc(&dir, "server");
    let c = Client::connect(&mutual(&dir, smsc.port, "client.p12").build().unwrap()).unwrap();
    let st = c.stats();
    // Valid 5 days from a moment ago: 4 whole days left, for both.
    assert_eq!(st.client_cert_days_left, Some(4), "{st:?}");
    assert_eq!(st.smsc_cert_days_left, Some(4), "{st:?}");
    assert_eq!(st.binds[0].smsc_cert_days_left, Some(4));
    let ws = warnings(&c, 2, Duration::from_secs(2));
    let ex = expiry(&ws);
    assert_eq!(ex.len(), 2, "{ws:?}");
    assert!(
        ex.iter().any(|w| w.starts_with("client certificate \"")
            && w.contains("esme-client-5d")
            && w.contains("in 4 days: renew it")),
        "{ex:?}"
    );
    assert!(
        ex.iter().any(|w| w.starts_with("the SMSC's certificate \"")
            && w.contains("CN=localhost")
            && w.contains("in 4 days")),
        "{ex:?}"
    );
    // The Prometheus text carries both, in seconds.
    let text = c.prometheus();
    for cert in ["client", "smsc"] {
        let line = text
            .lines()
            .find(|l| {
                l.starts_with("esme_tls_certificate_expiry_seconds{")
                    && l.contains(&format!("certificate=\"{cert}\""))
            })
            .unwrap_or_else(|| panic!("{cert} in\n{text}"));
        let v: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!((4.0 * 86_400.0..=5.0 * 86_400.0).contains(&v), "{line}");
    }
    // At each connect: the SMSC drops the connection, the reconnect warns again.
    smsc.cmd(r#"{"cmd":"close"}"#);
    let ws = warnings(&c, 2, Duration::from_secs(15));
    assert_eq!(expiry(&ws).len(), 2, "after the reconnect: {ws:?}");
    assert_eq!(c.stats().reconnects, 1);
    c.close();

    // A window of 3 days: 4 days left is outside it, no warning.
    let c = Client::connect(
        &mutual(&dir, smsc.port, "client.p12")
            .tls_expiry_warning_days(3)
            .build()
            .unwrap(),
    )
    .unwrap();
    let ws = warnings(&c, 1, Duration::from_millis(500));
    assert!(expiry(&ws).is_empty(), "{ws:?}");
    assert_eq!(c.stats().client_cert_days_left, Some(4));
    c.close();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs openssl and node-smpp (node, npm ci in tests/interop)"]
fn expired_certificates_do_not_connect() {
    let dir = make_pki("expired");
    // Our certificate expired: refused before connecting, whatever the window.
    let smsc = node_smsc(&dir, "server");
    for days in [0, 30] {
        let cfg = mutual(&dir, smsc.port, "client-expired.p12")
            .tls_expiry_warning_days(days)
            .build()
            .unwrap();
        let e = Client::connect(&cfg).expect_err("an expired client certificate connected");
        assert!(e.to_string().contains("expired on 2021-01-01"), "{e}");
    }
    drop(smsc);
    // The SMSC's certificate expired: the handshake fails, naming it.
    let smsc = node_smsc(&dir, "server-expired");
    let e = Client::connect(&mutual(&dir, smsc.port, "client.p12").build().unwrap())
        .expect_err("an expired SMSC certificate was accepted");
    assert!(e.to_string().contains("expired"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs openssl and node-smpp (node, npm ci in tests/interop)"]
fn esme_check_shows_the_days_left_and_warns() {
    let dir = make_pki("check");
    let smsc = node_smsc(&dir, "server");
    let cfg = dir.join("channel.cfg");
    std::fs::write(
        &cfg,
        format!(
            "x-smpp-host = 127.0.0.1\nx-smpp-port = {}\nx-smpp-system-id = esme\npassword = pw\n\
             x-smpp-tls-mode = mutual\nx-smpp-tls-ca-file = {}\n\
             x-smpp-tls-path-to-certificate = {}\nx-smpp-tls-certificate-file-password = changeit\n",
            smsc.port,
            p(&dir, "ca.pem"),
            p(&dir, "client.p12")
        ),
    )
    .unwrap();
    let cfg = cfg.to_string_lossy().into_owned();
    let (code, out, err) = common::esme_run(&["check", "--config", &cfg]);
    assert_eq!(code, 0, "{out}{err}");
    let line = |prefix: &str| {
        out.lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("{prefix} in\n{out}"))
            .to_string()
    };
    assert!(line("✓ certificate").contains("(4 days left)"), "{out}");
    assert!(line("✓ tls").contains("(4 days left)"), "{out}");
    assert!(
        line("! certificate").contains("in 4 days: renew it"),
        "{out}"
    );
    assert!(line("! tls").contains("the SMSC's certificate"), "{out}");
    let (code, out, _) = common::esme_run(&[
        "check",
        "--config",
        &cfg,
        "--set",
        "x-smpp-tls-expiry-warning-days=2",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("renew it"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The operator's numbers after real traffic: accepted messages and their receipts matched,
/// throttling answers, an MO message, the window, bytes, latency, the rate.
#[test]
#[ignore = "needs openssl and node-smpp (node, npm ci in tests/interop)"]
fn the_numbers_after_traffic_against_node_smpp() {
    let dir = make_pki("traffic");
    let mut smsc = node_smsc(&dir, "server");
    let c = Client::connect(
        &mutual(&dir, smsc.port, "client.p12")
            .window(8)
            .throttle_backoff(Duration::from_millis(50))
            .build()
            .unwrap(),
    )
    .unwrap();
    smsc.cmd(r#"{"cmd":"throttle","n":2}"#);
    let n = 20;
    let tickets: Vec<_> = (0..n)
        .map(|i| {
            c.submit_async(&Message::text("447700900123", format!("m{i}")).receipt(i % 2 == 0))
                .unwrap()
        })
        .collect();
    for t in tickets {
        assert!(t.wait(Some(Duration::from_secs(10))).unwrap().is_accepted());
    }
    smsc.cmd(r#"{"cmd":"mo","from":"447700900999","to":"Shop","text":"hi"}"#);
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut st: Stats = c.stats();
    while (st.receipts_received < n / 2 || st.messages_received < 1) && Instant::now() < deadline {
        while c.poll_event(None).is_some() {}
        std::thread::sleep(Duration::from_millis(20));
        st = c.stats();
    }
    assert_eq!((st.submitted, st.accepted), (n, n), "{st:?}");
    assert_eq!(st.receipts_received, n / 2, "{st:?}");
    assert_eq!((st.receipts_matched, st.receipts_unmatched), (n / 2, 0));
    assert_eq!(st.receipt_lag_count, n / 2);
    assert!(st.receipt_lag_p99.is_some());
    assert_eq!(st.messages_received, 1);
    assert_eq!((st.throttled, st.retried), (2, 2), "{st:?}");
    assert_eq!(st.parts_sent, n + 2);
    assert!(st.submits_per_second > 0.0);
    assert_eq!((st.binds_configured, st.binds_up), (1, 1));
    assert_eq!((st.window_size, st.in_flight), (8, 0));
    assert_eq!(st.latency_count, n + 2);
    assert!(st.bytes_in > 0 && st.bytes_out > 0);
    let b = &st.binds[0];
    assert_eq!(
        (b.index, b.host.as_str(), b.up),
        (0, format!("127.0.0.1:{}", smsc.port).as_str(), true)
    );
    assert_eq!((b.parts_sent, b.throttled), (n + 2, 2));
    let text = c.prometheus();
    assert!(
        text.contains(&format!(
            "esme_receipts_total{{channel=\"esme@127.0.0.1:{}\",match=\"matched\"}} 10\n",
            smsc.port
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "esme_throttled_responses_total{{channel=\"esme@127.0.0.1:{0}\",bind=\"0\",host=\"127.0.0.1:{0}\"}} 2\n",
            smsc.port
        )),
        "{text}"
    );
    c.close();
    assert_eq!(c.stats().binds_up, 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The SMSC's certificate on a reconnect that resumes the TLS session is still known (the
/// simulator resumes; node-smpp may not).
#[test]
#[ignore = "needs openssl"]
fn smsc_days_left_survive_a_resumed_reconnect() {
    let dir = make_pki("resume");
    let tls = SimTls::from_pem_files(
        &dir.join("server.pem"),
        &dir.join("server.key"),
        Some(&dir.join("ca.pem")),
    )
    .unwrap();
    let sim = Smsc::start(SimConfig {
        tls: Some(tls),
        ..SimConfig::default()
    })
    .unwrap();
    let c = Client::connect(
        &mutual(&dir, sim.addr().port(), "client.p12")
            .build()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(c.stats().smsc_cert_days_left, Some(4));
    sim.disconnect_all();
    let deadline = Instant::now() + Duration::from_secs(15);
    while c.stats().reconnects < 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(c.stats().reconnects, 1);
    assert!(c.tls_handshake().unwrap().resumed, "the reconnect resumed");
    assert_eq!(c.stats().smsc_cert_days_left, Some(4));
    let ws = warnings(&c, 4, Duration::from_secs(2));
    assert_eq!(
        expiry(&ws).len(),
        4,
        "two connects, two certificates: {ws:?}"
    );
    c.close();
    let _ = std::fs::remove_dir_all(&dir);
}
