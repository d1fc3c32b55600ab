//! TLS against real peers: node-smpp's TLS SMSC (tests/interop/smsc.js), `openssl s_server`,
//! and plain listeners. Every diagnosis is provoked for real and its message checked.

mod common;

use common::tls::{pki, PlainListener, SServer, TLS_ALERT_PROTOCOL_VERSION};
use common::NodeSmsc;
use esme::client::{ConnectionState, Event, Message, Outcome};
use esme::config::{Config, ConfigBuilder, TlsMode, TlsVersion};
use esme::Client;
use std::time::Duration;

fn base(port: u16) -> ConfigBuilder {
    Config::builder("127.0.0.1", "esme")
        .port(port)
        .password("pw")
        .tls_mode(TlsMode::Single)
        .tls_ca_file(pki("ca.pem"))
        .connect_timeout(Duration::from_secs(5))
        .response_timeout(Duration::from_secs(5))
}

fn connect_err(cfg: &Config) -> esme::Error {
    match Client::connect(cfg) {
        Ok(_) => panic!("connected, but an error was expected"),
        Err(e) => e,
    }
}

#[test]
fn single_tls_binds_and_submits_against_node_smpp() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let c = Client::connect(&base(smsc.port).build().unwrap()).unwrap();
    let o = c
        .submit(&Message::text("447700900123", "over TLS"))
        .unwrap();
    assert!(matches!(o, Outcome::Accepted { .. }), "{o:?}");
    let h = c.tls_handshake().unwrap();
    assert_eq!(h.version, "TLSv1_3");
    assert!(!h.resumed);
    c.close();
}

#[test]
fn tls_1_2_end_to_end_and_version_mismatch() {
    let smsc = NodeSmsc::start_tls("server", false, &["--tls-max", "1.2"]);
    let c = Client::connect(&base(smsc.port).build().unwrap()).unwrap();
    assert_eq!(c.tls_handshake().unwrap().version, "TLSv1_2");
    assert!(c
        .submit(&Message::text("1", "over TLS 1.2"))
        .unwrap()
        .is_accepted());
    c.close();
    let cfg = base(smsc.port)
        .tls_version(TlsVersion::Tls13)
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 331, "{e}");
    assert!(
        e.to_string()
            .contains("no TLS version in common with the SMSC (we offer TLS 1.3 only)"),
        "{e}"
    );
}

#[test]
fn a_reconnect_resumes_the_tls_session() {
    for max in ["1.3", "1.2"] {
        resumes(max);
    }
}

fn resumes(max: &str) {
    let mut smsc = NodeSmsc::start_tls("server", false, &["--tls-max", max]);
    let c = Client::connect(&base(smsc.port).build().unwrap()).unwrap();
    assert!(!c.tls_handshake().unwrap().resumed);
    // A TLS 1.3 ticket arrives after the handshake: let one round trip pass first.
    assert!(c
        .submit(&Message::text("1", "before"))
        .unwrap()
        .is_accepted());
    smsc.cmd(r#"{"cmd":"unbind"}"#);
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let mut down = false;
    loop {
        assert!(std::time::Instant::now() < deadline, "no reconnect");
        match c.poll_event(Some(Duration::from_millis(100))) {
            Some(Event::Connection(ConnectionState::Disconnected { .. })) => down = true,
            Some(Event::Connection(ConnectionState::Bound { .. })) if down => break,
            _ => {}
        }
    }
    assert!(
        c.tls_handshake().unwrap().resumed,
        "TLS {max}: {:?}",
        c.tls_handshake()
    );
    assert!(c
        .submit(&Message::text("1", "after"))
        .unwrap()
        .is_accepted());
}

#[test]
fn untrusted_issuer_names_the_trust_source() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let cfg = base(smsc.port)
        .tls_ca_file(pki("other-ca.pem"))
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 320, "{e}");
    let t = e.to_string();
    assert!(
        t.contains("its issuer is unknown to x-smpp-tls-ca-file"),
        "{t}"
    );
    assert!(t.contains("other-ca.pem (1 certificate)"), "{t}");
    assert!(t.contains("CN=esme-smsc") || t.contains("CN="), "{t}");
}

#[test]
fn the_system_store_is_the_fallback_and_says_so() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let mut cfg = base(smsc.port).build().unwrap();
    cfg.tls_ca_file = None;
    let e = connect_err(&cfg);
    // Our test CA is not in the system store (or there is no system store at all).
    assert!(matches!(e.code(), 320 | 302), "{e}");
    assert!(e.to_string().contains("the system trust store"), "{e}");
}

#[test]
fn expired_not_yet_valid_wrong_name_self_signed_other_ca_missing_intermediate() {
    let cases: &[(&str, u32, &str)] = &[
        ("server-expired", 321, "expired on 2021-01-01"),
        ("server-notyet", 322, "is not valid yet (from 2090-01-01"),
        (
            "server-wrongname",
            323,
            "is not issued for '127.0.0.1' but for smsc.example.net",
        ),
        ("server-selfsigned", 324, "is self-signed"),
        ("server-otherca", 320, "its issuer is unknown"),
    ];
    for (stem, code, text) in cases {
        let s = SServer::with_cert(stem, &["-naccept", "1", "-quiet"]);
        let e = connect_err(&base(s.port).build().unwrap());
        assert_eq!(e.code(), *code, "{stem}: {e}");
        assert!(e.to_string().contains(text), "{stem}: {e}");
    }
    // A server that sends its leaf without the intermediate.
    let s = SServer::start(&[
        "-cert",
        &pki("server-nochain.pem"),
        "-key",
        &pki("server.key"),
        "-naccept",
        "1",
        "-quiet",
    ]);
    let e = connect_err(&base(s.port).build().unwrap());
    assert_eq!(e.code(), 320, "{e}");
}

#[test]
fn server_name_and_skipping_the_hostname_check() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    // The certificate carries localhost too.
    let cfg = base(smsc.port)
        .tls_server_name("localhost")
        .build()
        .unwrap();
    assert!(Client::connect(&cfg).is_ok());
    let cfg = base(smsc.port)
        .tls_server_name("smsc.example.org")
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 323, "{e}");
    assert!(
        e.to_string().contains("but for localhost, 127.0.0.1, ::1"),
        "{e}"
    );

    let wrong = NodeSmsc::start_tls("server-wrongname", false, &[]);
    assert_eq!(connect_err(&base(wrong.port).build().unwrap()).code(), 323);
    let cfg = base(wrong.port)
        .tls_skip_hostname_verification(true)
        .build()
        .unwrap();
    let c = Client::connect(&cfg).unwrap();
    assert!(c
        .submit(&Message::text("1", "name not checked"))
        .unwrap()
        .is_accepted());
    // Still no trust-all: an untrusted chain fails even with the name check off.
    let other = NodeSmsc::start_tls("server-otherca", false, &[]);
    let cfg = base(other.port)
        .tls_skip_hostname_verification(true)
        .build()
        .unwrap();
    assert_eq!(connect_err(&cfg).code(), 320);
}

#[test]
fn tls_to_a_plain_port_and_plain_to_a_tls_port() {
    let plain = PlainListener::generic_nack();
    let e = connect_err(&base(plain.port).build().unwrap());
    assert_eq!(e.code(), 332, "{e}");
    assert!(
        e.to_string()
            .contains("is x-smpp-port a plain SMPP port? then set x-smpp-tls-mode = off"),
        "{e}"
    );

    let alert = PlainListener::replying(TLS_ALERT_PROTOCOL_VERSION.to_vec());
    let mut cfg = base(alert.port).build().unwrap();
    cfg.tls_mode = TlsMode::Off;
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 333, "{e}");
    assert!(
        e.to_string()
            .contains("this port expects TLS, set x-smpp-tls-mode = single"),
        "{e}"
    );

    // node-smpp's TLS port closes on plain SMPP without a word: the hint still names TLS.
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let mut cfg = base(smsc.port).build().unwrap();
    cfg.tls_mode = TlsMode::Off;
    let e = connect_err(&cfg);
    assert!(e.to_string().contains("a TLS port"), "{e}");
}

#[test]
fn ca_file_problems() {
    let e = Config::builder("127.0.0.1", "x")
        .tls_mode(TlsMode::Single)
        .tls_ca_file("/nonexistent/ca.pem")
        .build()
        .map(|c| connect_err(&c))
        .unwrap();
    assert_eq!(e.code(), 301);
    assert_eq!(
        e.to_string(),
        "x-smpp-tls-ca-file /nonexistent/ca.pem: no such file"
    );
    let dir = std::env::temp_dir().join(format!("esme-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.pem");
    std::fs::write(&empty, "not a certificate\n").unwrap();
    let cfg = Config::builder("127.0.0.1", "x")
        .tls_mode(TlsMode::Single)
        .tls_ca_file(&empty)
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 301);
    assert!(e.to_string().contains("it holds no PEM certificate"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_server_requiring_a_client_certificate_says_so_in_single_mode() {
    let s = SServer::with_cert(
        "server",
        &[
            "-CAfile",
            &pki("client-ca.pem"),
            "-Verify",
            "1",
            "-verify_return_error",
            "-naccept",
            "1",
            "-quiet",
            "-tls1_2",
        ],
    );
    let e = connect_err(&base(s.port).build().unwrap());
    assert!(
        e.to_string().contains("client certificate") || e.to_string().contains("handshake_failure"),
        "{e}"
    );
}

fn mutual(port: u16, p12: &str) -> ConfigBuilder {
    base(port)
        .tls_mode(TlsMode::Mutual)
        .tls_pkcs12_path(pki(p12))
        .tls_file_password("changeit")
}

#[test]
fn mutual_tls_with_pkcs12_files_of_each_kind() {
    let mut smsc = NodeSmsc::start_tls("server", true, &[]);
    for p12 in ["client.p12", "client-legacy.p12"] {
        let c = Client::connect(&mutual(smsc.port, p12).build().unwrap())
            .unwrap_or_else(|e| panic!("{p12}: {e}"));
        assert!(c
            .submit(&Message::text("1", "mutual"))
            .unwrap()
            .is_accepted());
        c.close();
    }
    let tls = smsc.wait_for(|l| common::field(l, "event").as_deref() == Some("tls"));
    assert_eq!(
        common::field(&tls, "authorized").as_deref(),
        Some("true"),
        "{tls}"
    );
    // Store password and key password differ.
    let c = Client::connect(
        &mutual(smsc.port, "client-twopass.p12")
            .tls_key_password("keypass")
            .build()
            .unwrap(),
    )
    .unwrap();
    assert!(c
        .submit(&Message::text("1", "two passwords"))
        .unwrap()
        .is_accepted());
}

#[test]
fn pkcs12_password_errors_are_told_apart() {
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let cases = [
        (
            mutual(smsc.port, "client.p12").tls_file_password("wrong"),
            305,
            "x-smpp-tls-certificate-file-password is wrong",
        ),
        (
            mutual(smsc.port, "client-twopass.p12"),
            306,
            "x-smpp-tls-certificate-password is",
        ),
        (
            mutual(smsc.port, "client-twopass.p12").tls_key_password("nope"),
            306,
            "x-smpp-tls-certificate-password is wrong",
        ),
        (
            mutual(smsc.port, "client.p12").tls_pkcs12_path("/nonexistent/client.p12"),
            303,
            "/nonexistent/client.p12",
        ),
    ];
    for (builder, code, text) in cases {
        let e = connect_err(&builder.build().unwrap());
        assert_eq!(e.code(), code, "{e}");
        let t = e.to_string();
        assert!(t.contains(text), "{t}");
        // Nothing secret in the message.
        assert!(
            !t.contains("changeit") && !t.contains("keypass") && !t.contains("nope"),
            "{t}"
        );
        assert!(!t.contains("'wrong'") && !t.contains("\"wrong\""), "{t}");
    }
}

#[test]
fn the_smsc_refusing_our_certificate_is_named() {
    // node-smpp: refuses after the handshake by closing (as the seed's Java driver saw).
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let e = connect_err(&mutual(smsc.port, "client-untrusted.p12").build().unwrap());
    assert_eq!(e.code(), 330, "{e}");
    assert!(
        e.to_string()
            .starts_with("the SMSC did not accept our client certificate"),
        "{e}"
    );
    // openssl s_server over TLS 1.2: refuses with an alert during the handshake.
    let mut args: Vec<String> = SServer::mutual_args();
    args.extend(["-naccept", "1", "-quiet", "-tls1_2"].map(String::from));
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let s = SServer::with_cert("server", &a);
    let e = connect_err(&mutual(s.port, "client-untrusted.p12").build().unwrap());
    assert_eq!(e.code(), 330, "{e}");
    assert!(e.to_string().contains("TLS alert"), "{e}");
}

fn esme_check(args: &[String]) -> (i32, String) {
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_esme"))
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
    )
}

fn sets(pairs: &[(&str, String)]) -> Vec<String> {
    pairs
        .iter()
        .flat_map(|(k, v)| ["--set".to_string(), format!("{k}={v}")])
        .collect()
}

#[test]
fn esme_check_walks_every_step() {
    let sim = esme::sim::Smsc::start(esme::sim::SimConfig::default()).unwrap();
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", sim.addr().port().to_string()),
        ("x-smpp-system-id", "checker".into()),
    ]));
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with("✓ options      valid: 127.0.0.1:"),
        "{out}"
    );
    assert!(
        lines[1].starts_with("✓ tcp          connected to 127.0.0.1:"),
        "{out}"
    );
    assert!(
        lines[2].starts_with("✓ bind         bound as transceiver to 'esme-sim'"),
        "{out}"
    );
    assert!(
        sim.wait_for(|s| s.unbinds == 1, Duration::from_secs(5)),
        "check unbinds when done"
    );

    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", smsc.port.to_string()),
        ("x-smpp-system-id", "checker".into()),
        ("x-smpp-tls-mode", "mutual".into()),
        ("x-smpp-tls-ca-file", pki("ca.pem")),
        ("x-smpp-tls-path-to-certificate", pki("client-twopass.p12")),
        ("x-smpp-tls-certificate-file-password", "changeit".into()),
        ("x-smpp-tls-certificate-password", "keypass".into()),
    ]));
    assert_eq!(code, 0, "{out}");
    for (i, want) in [
        "✓ options",
        "✓ certificate",
        "✓ trust",
        "✓ tcp",
        "✓ tls",
        "✓ bind",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            out.lines().nth(i).unwrap_or("").starts_with(want),
            "line {i}: {out}"
        );
    }
    assert!(out.contains("days left)"), "{out}");
    assert!(out.contains("TLS 1.3 with TLS13_"), "{out}");
    assert!(
        out.contains("SMSC certificate O=esme tests,CN=localhost issued by"),
        "{out}"
    );
    assert!(
        !out.contains("changeit") && !out.contains("keypass"),
        "{out}"
    );

    let s = SServer::with_cert("server-expired", &["-naccept", "1", "-quiet"]);
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", s.port.to_string()),
        ("x-smpp-system-id", "checker".into()),
        ("x-smpp-tls-mode", "single".into()),
        ("x-smpp-tls-ca-file", pki("ca.pem")),
    ]));
    assert_eq!(code, 1, "{out}");
    let last = out.lines().last().unwrap();
    assert!(
        last.starts_with("✗ tls          the SMSC's certificate"),
        "{out}"
    );
    assert!(last.contains("expired on 2021-01-01"), "{out}");

    let (code, out) = esme_check(&sets(&[("x-smpp-host", "127.0.0.1".into())]));
    assert_eq!(code, 1);
    assert!(
        out.starts_with("✗ options") && out.contains("x-smpp-system-id"),
        "{out}"
    );
}

#[test]
fn hostname_verification_off_is_warned_about_at_connect() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let cfg = base(smsc.port)
        .tls_skip_hostname_verification(true)
        .build()
        .unwrap();
    let c = Client::connect(&cfg).unwrap();
    let mut warned = false;
    while let Some(e) = c.poll_event(Some(Duration::from_millis(100))) {
        if let Event::Warning(w) = e {
            assert!(
                w.contains("x-smpp-tls-skip-hostname-verification = true"),
                "{w}"
            );
            warned = true;
        }
    }
    assert!(warned);
}

#[test]
fn esme_smsc_serves_tls_and_esme_send_uses_it() {
    use std::io::{BufRead, BufReader};
    let mut smsc = std::process::Command::new(env!("CARGO_BIN_EXE_esme"))
        .args([
            "smsc",
            "--port",
            "0",
            "--duration",
            "20",
            "--tls-cert",
            &pki("server.pem"),
            "--tls-key",
            &pki("server.key"),
            "--tls-client-ca",
            &pki("client-ca.pem"),
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(smsc.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert!(line.ends_with(" (TLS)\n"), "{line}");
    let port = line
        .trim()
        .trim_end_matches(" (TLS)")
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_esme"))
        .arg("send")
        .args(sets(&[
            ("x-smpp-host", "127.0.0.1".into()),
            ("x-smpp-port", port),
            ("x-smpp-system-id", "sender".into()),
            ("x-smpp-tls-mode", "mutual".into()),
            ("x-smpp-tls-ca-file", pki("ca.pem")),
            ("x-smpp-tls-path-to-certificate", pki("client.p12")),
            ("x-smpp-tls-certificate-file-password", "changeit".into()),
        ]))
        .args([
            "--to",
            "447700900123",
            "--text",
            "over mutual TLS",
            "--count",
            "2",
        ])
        .output()
        .unwrap();
    let _ = smsc.kill();
    let _ = smsc.wait();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.ends_with("sent 2 accepted 2 rejected 0 unknown 0 not-sent 0\n"),
        "{out}"
    );
}

#[test]
fn an_expired_client_certificate_is_refused_before_connecting() {
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let e = connect_err(&mutual(smsc.port, "client-expired.p12").build().unwrap());
    assert_eq!(e.code(), 313, "{e}");
    assert!(e.to_string().contains("expired on 2021-01-01"), "{e}");
    assert!(e.to_string().contains("CN=esme-client-expired"), "{e}");
}

#[test]
fn the_pkcs12_files_cas_can_be_the_trust() {
    // client.p12 carries the test intermediate and root (made with -chain): asked to, they
    // verify the SMSC, which those CAs issued too.
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let mut cfg = mutual(smsc.port, "client.p12")
        .tls_trust_pkcs12_cas(true)
        .build()
        .unwrap();
    cfg.tls_ca_file = None;
    let c = Client::connect(&cfg).unwrap();
    assert!(c
        .submit(&Message::text("1", "trusted by the p12"))
        .unwrap()
        .is_accepted());
    // client-untrusted.p12's CA did not issue the SMSC's certificate.
    let mut cfg = mutual(smsc.port, "client-untrusted.p12")
        .tls_trust_pkcs12_cas(true)
        .build()
        .unwrap();
    cfg.tls_ca_file = None;
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 320, "{e}");
    assert!(e.to_string().contains("the PKCS#12 file's CAs"), "{e}");
}
