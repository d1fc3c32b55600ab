//! TLS against real peers: node-smpp's TLS SMSC (tests/interop/smsc.js), `openssl s_server`,
//! and plain listeners. Every diagnosis is provoked for real and its message checked.
//! The test PKI comes from tests/tls/make-pki.sh (openssl and flock).
//!
//! The tests that need openssl (and those that also need node-smpp, or a JDK for the Java
//! keystores) are marked `#[ignore = "needs …"]`: a bare `cargo test` passes without those tools;
//! `bash tests/run-all.sh` runs them (`--include-ignored`), as does
//! `cargo test --test tls -- --include-ignored` (tools: `bash tests/install-tools.sh`).

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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn the_system_store_is_the_fallback_and_says_so() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let mut cfg = base(smsc.port).build().unwrap();
    cfg.tls.ca_file = None;
    let e = connect_err(&cfg);
    // Our test CA is not in the system store (or there is no system store at all).
    assert!(matches!(e.code(), 320 | 302), "{e}");
    assert!(e.to_string().contains("the system trust store"), "{e}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
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
        (
            "server-otherca",
            320,
            "its issuer (O=esme tests,CN=esme other root) is not in x-smpp-tls-ca-file",
        ),
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
    assert!(
        e.to_string().contains("sent it alone, without its chain"),
        "{e}"
    );
}

/// A client whose bind carries recognisable system_id and password, to look for in what a
/// server received.
fn canary(port: u16) -> Config {
    Config::builder("127.0.0.1", "bindcanary")
        .port(port)
        .password("pwcanar1")
        .tls_mode(TlsMode::Single)
        .tls_ca_file(pki("ca.pem"))
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap()
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn a_server_with_a_bad_certificate_never_receives_the_bind_or_the_password() {
    // Control: a server with a good certificate receives the bind (s_server prints what it
    // receives; it never answers, so the bind times out).
    let good = SServer::with_cert("server", &["-naccept", "1", "-quiet"]);
    let _ = Client::connect(&canary(good.port));
    let seen = good.wait_output("bindcanary", Duration::from_secs(10));
    assert!(seen.contains("pwcanar1"), "{seen}");
    for stem in [
        "server-expired",
        "server-notyet",
        "server-wrongname",
        "server-selfsigned",
        "server-otherca",
    ] {
        let s = SServer::with_cert(stem, &["-naccept", "1", "-quiet"]);
        assert!(Client::connect(&canary(s.port)).is_err(), "{stem}");
        std::thread::sleep(Duration::from_millis(200)); // let s_server print what came
        let out = s.output();
        assert!(
            !out.contains("bindcanary") && !out.contains("pwcanar1"),
            "{stem}: the server received the bind:\n{out}"
        );
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn tls_to_a_plain_port_and_plain_to_a_tls_port() {
    let plain = PlainListener::generic_nack();
    let e = connect_err(&base(plain.port).build().unwrap());
    assert_eq!(e.code(), 332, "{e}");
    assert!(
        e.to_string()
            .contains("x-smpp-port is a plain SMPP port; set x-smpp-tls-mode = off"),
        "{e}"
    );

    let alert = PlainListener::replying(TLS_ALERT_PROTOCOL_VERSION.to_vec());
    let mut cfg = base(alert.port).build().unwrap();
    cfg.tls.mode = TlsMode::Off;
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 333, "{e}");
    assert!(
        e.to_string()
            .contains("this port expects TLS, set x-smpp-tls-mode = single"),
        "{e}"
    );

    // node-smpp's TLS port closes on plain SMPP without a word: a TLS hello on a second
    // connection shows it speaks TLS.
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let mut cfg = base(smsc.port).build().unwrap();
    cfg.tls.mode = TlsMode::Off;
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 333, "{e}");
    assert!(
        e.to_string()
            .contains("answers a TLS hello with a TLS handshake record"),
        "{e}"
    );
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
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
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
    assert_eq!(e.code(), 336, "{e}");
    assert!(
        e.to_string().starts_with(
            "the SMSC requires a client certificate: it asked for one and ended the handshake with alert handshake_failure when we sent none"
        ),
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
        "✓ versions",
        "✓ tcp",
        "✓ tls",
        "✓ bind",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            out.lines()
                .filter(|l| !l.starts_with("- "))
                .nth(i)
                .unwrap_or("")
                .starts_with(want),
            "line {i}: {out}"
        );
    }
    assert!(out.contains("days left)"), "{out}");
    assert!(
        out.contains("TLS 1.3 negotiated (offered: TLS 1.2 and 1.3) with TLS13_"),
        "{out}"
    );
    assert!(
        out.contains("the SMSC asked for our client certificate and got it"),
        "{out}"
    );
    assert!(
        out.contains("✓ versions     offering TLS 1.2 and 1.3 (x-smpp-tls-version = 1.2 is the lowest offered); the Genesys driver spoke exactly the version of x-smpp-tls-version: to pin TLS 1.2 as it did, set x-smpp-tls-max-version = 1.2"),
        "{out}"
    );
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
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
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
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
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn an_expired_client_certificate_is_refused_before_connecting() {
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let e = connect_err(&mutual(smsc.port, "client-expired.p12").build().unwrap());
    assert_eq!(e.code(), 313, "{e}");
    assert!(e.to_string().contains("expired on 2021-01-01"), "{e}");
    assert!(e.to_string().contains("CN=esme-client-expired"), "{e}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn the_pkcs12_files_cas_can_be_the_trust() {
    // client.p12 carries the test intermediate and root (made with -chain): asked to, they
    // verify the SMSC, which those CAs issued too.
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let mut cfg = mutual(smsc.port, "client.p12")
        .tls_trust_pkcs12_cas(true)
        .build()
        .unwrap();
    cfg.tls.ca_file = None;
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
    cfg.tls.ca_file = None;
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 320, "{e}");
    assert!(e.to_string().contains("the PKCS#12 file's CAs"), "{e}");
}

// ---------------------------------------------------------------- PEM client identity

/// The in-process simulator over TLS with the test PKI; `mutual`: it requires a client
/// certificate issued by client-ca.pem.
fn sim_tls(mutual: bool) -> esme::sim::Smsc {
    use std::path::Path;
    let ca = pki("client-ca.pem");
    let tls = esme::sim::SimTls::from_pem_files(
        Path::new(&pki("server.pem")),
        Path::new(&pki("server.key")),
        mutual.then_some(Path::new(&ca)),
    )
    .unwrap();
    esme::sim::Smsc::start(esme::sim::SimConfig {
        tls: Some(tls),
        ..esme::sim::SimConfig::default()
    })
    .unwrap()
}

fn pem_mutual(port: u16, cert: &str, key: &str) -> ConfigBuilder {
    base(port)
        .tls_mode(TlsMode::Mutual)
        .tls_client_pem(cert, key)
}

/// The base64 body lines of a PEM file: none may show up in an error or Debug output.
fn pem_body_lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 16 && !l.contains(':'))
        .map(String::from)
        .collect()
}

fn assert_no_secret(shown: &str, key_file: &str, secrets: &[&str]) {
    for l in pem_body_lines(key_file) {
        assert!(
            !shown.contains(&l),
            "key material of {key_file} in: {shown}"
        );
    }
    for s in secrets {
        assert!(!shown.contains(s), "secret {s:?} in: {shown}");
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn mutual_tls_with_a_pem_certificate_and_key() {
    let sim = sim_tls(true);
    let port = sim.addr().port();
    let cfg = pem_mutual(port, &pki("client.pem"), &pki("client.key"))
        .build()
        .unwrap();
    let c = Client::connect(&cfg).unwrap();
    assert!(
        matches!(c.state(), ConnectionState::Bound { .. }),
        "{:?}",
        c.state()
    );
    assert!(c
        .submit(&Message::text("1", "PEM identity"))
        .unwrap()
        .is_accepted());
    c.close();
    // The simulator saw our certificate (client.pem's leaf; the file also holds the
    // intermediate, which client-ca.pem has too).
    use rustls_pki_types::pem::PemObject;
    let leaf = rustls_pki_types::CertificateDer::pem_file_iter(pki("client.pem"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let hs = sim.tls_handshakes();
    assert_eq!(hs.len(), 1, "{hs:?}");
    assert_eq!(hs[0].client_cert.as_ref(), Some(&leaf));

    // A PEM identity the simulator does not trust: refused, and said so.
    let e = connect_err(
        &pem_mutual(
            port,
            &pki("client-untrusted.pem"),
            &pki("client-untrusted.key"),
        )
        .build()
        .unwrap(),
    );
    assert_eq!(e.code(), 330, "{e}");
    assert!(
        e.to_string()
            .starts_with("the SMSC did not accept our client certificate"),
        "{e}"
    );
    // Single mode against it: no certificate offered.
    let e = connect_err(&base(port).build().unwrap());
    assert!(e.to_string().contains("client certificate"), "{e}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn pem_identity_errors_name_the_file_and_the_problem() {
    let sim = sim_tls(true);
    let port = sim.addr().port();
    let dir = std::env::temp_dir().join(format!("esme-pem-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = |n: &str| dir.join(n).to_string_lossy().into_owned();
    let secret = "pem-secret-4711";
    // An encrypted PKCS#8 key and an encrypted traditional (OpenSSL "Proc-Type") RSA key.
    for args in [
        vec![
            "pkcs8",
            "-topk8",
            "-in",
            &pki("client.key"),
            "-out",
            &p("enc-pkcs8.key"),
            "-passout",
        ],
        vec![
            "rsa",
            "-in",
            &pki("client.key"),
            "-aes256",
            "-traditional",
            "-out",
            &p("enc-rsa.key"),
            "-passout",
        ],
    ] {
        let o = std::process::Command::new("openssl")
            .args(&args)
            .arg(format!("pass:{secret}"))
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    assert!(std::fs::read_to_string(p("enc-pkcs8.key"))
        .unwrap()
        .starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
    assert!(std::fs::read_to_string(p("enc-rsa.key"))
        .unwrap()
        .contains("Proc-Type: 4,ENCRYPTED"));

    let missing = p("no-such.pem");
    let cases: Vec<(String, String, Vec<&str>)> = vec![
        // Missing files.
        (
            missing.clone(),
            pki("client.key"),
            vec!["client certificate PEM file", &missing, "no such file"],
        ),
        (
            pki("client.pem"),
            missing.clone(),
            vec!["client key PEM file", &missing, "no such file"],
        ),
        // A key file without a key (the certificate given twice).
        (
            pki("client.pem"),
            pki("client.pem"),
            vec![
                "client key PEM file",
                "client.pem",
                "no private key",
                "certificate",
            ],
        ),
        // A certificate file without a certificate (the key given twice).
        (
            pki("client.key"),
            pki("client.key"),
            vec![
                "client certificate PEM file",
                "client.key",
                "no PEM certificate",
            ],
        ),
        // Not PEM at all.
        (
            pki("client.p12"),
            pki("client.key"),
            vec!["client certificate PEM file", "client.p12"],
        ),
        // Encrypted keys.
        (
            pki("client.pem"),
            p("enc-pkcs8.key"),
            vec!["client key PEM file", "enc-pkcs8.key", "encrypted"],
        ),
        (
            pki("client.pem"),
            p("enc-rsa.key"),
            vec!["client key PEM file", "enc-rsa.key", "encrypted"],
        ),
        // The key of another certificate.
        (
            pki("client.pem"),
            pki("server.key"),
            vec!["server.key", "client.pem", "does not belong"],
        ),
    ];
    for (cert, key, want) in cases {
        let cfg = pem_mutual(port, &cert, &key).build().unwrap();
        let e = connect_err(&cfg);
        let shown = e.to_string();
        let dbg = format!("{e:?}");
        assert_eq!(e.code(), 335, "{cert} {key}: {shown}");
        assert_eq!(shown.lines().count(), 1, "{shown}");
        for w in &want {
            assert!(shown.contains(w), "{cert} {key}: want {w:?} in: {shown}");
        }
        for k in [pki("client.key"), pki("server.key")] {
            assert_no_secret(&shown, &k, &[secret]);
            assert_no_secret(&dbg, &k, &[secret]);
        }
        for k in [p("enc-pkcs8.key"), p("enc-rsa.key")] {
            assert_no_secret(&shown, &k, &[secret]);
            assert_no_secret(&dbg, &k, &[secret]);
        }
    }
    // Nothing reached the simulator's TLS layer: every error came before connecting.
    assert_eq!(sim.stats().tls_sessions, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn pem_identity_configuration_rules() {
    use esme::config::ConfigError;
    // PKCS#12 and PEM together: a conflict, in mutual and in single mode.
    for mode in [TlsMode::Mutual, TlsMode::Single] {
        let e = base(2775)
            .tls_mode(mode)
            .tls_pkcs12_path(pki("client.p12"))
            .tls_file_password("changeit")
            .tls_client_pem(pki("client.pem"), pki("client.key"))
            .build()
            .unwrap_err();
        match &e {
            ConfigError::Conflict { name, other, .. } => {
                assert_eq!(*name, "x-smpp-tls-path-to-certificate", "{e}");
                assert_eq!(*other, "tls_client_pem", "{e}");
            }
            other => panic!("{mode:?}: not a conflict: {other:?}"),
        }
        assert!(
            e.to_string().contains("PKCS#12") && e.to_string().contains("PEM"),
            "{e}"
        );
        assert!(!format!("{e} {e:?}").contains("changeit"), "{e:?}");
    }
    // Mutual with neither: missing.
    let e = base(2775).tls_mode(TlsMode::Mutual).build().unwrap_err();
    match &e {
        ConfigError::Missing { name, .. } => {
            assert_eq!(*name, "x-smpp-tls-path-to-certificate", "{e}")
        }
        other => panic!("not missing: {other:?}"),
    }
    // Mutual with the PEM pair only: valid; its Debug shows paths, no secrets.
    let cfg = base(2775)
        .tls_mode(TlsMode::Mutual)
        .tls_client_pem(pki("client.pem"), pki("client.key"))
        .build()
        .unwrap();
    assert!(cfg.tls.client_pem.is_some());
    let dbg = format!("{cfg:?}");
    assert!(!dbg.contains("\"pw\""), "{dbg}");
    assert_no_secret(&dbg, &pki("client.key"), &[]);
}

// ---------------------------------------------------------------- esme bench over TLS

fn esme_bench(port: u16, extra: &[&str]) -> (i32, String, String) {
    let port = port.to_string();
    let mut a = vec!["bench", "--host", "127.0.0.1", "--port", &port];
    a.extend_from_slice(extra);
    common::esme_run(&a)
}

fn check_bench_ok((code, out, err): (i32, String, String), n: u64, window: u32) -> String {
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines().next().unwrap_or("").contains(", tls, against "),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "outcomes accepted {n} rejected 0 unknown 0 not-sent 0\n"
        )),
        "{out}"
    );
    common::bench_client_line(out.lines().last().unwrap(), n, window);
    assert!(
        !out.contains("changeit") && !err.contains("changeit"),
        "{out}{err}"
    );
    out
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn esme_bench_over_tls_to_esme_smsc() {
    // Single TLS: the server certificate carries IP 127.0.0.1 (and DNS localhost).
    let smsc = common::EsmeSmsc::start(&[
        "--tls-cert",
        &pki("server.pem"),
        "--tls-key",
        &pki("server.key"),
    ]);
    assert!(smsc.banner.ends_with(" (TLS)"), "{}", smsc.banner);
    let ca = pki("ca.pem");
    check_bench_ok(
        esme_bench(smsc.port, &["-n", "200", "-w", "10", "--tls", "--ca", &ca]),
        200,
        10,
    );
    for v in ["1.2", "1.3"] {
        check_bench_ok(
            esme_bench(
                smsc.port,
                &[
                    "-n",
                    "200",
                    "-w",
                    "10",
                    "--tls",
                    "--ca",
                    &ca,
                    "--tls-version",
                    v,
                ],
            ),
            200,
            10,
        );
    }
    // Plain SMPP to the TLS port: fails in one line.
    let (code, out, err) = esme_bench(smsc.port, &["-n", "200", "-w", "10"]);
    assert_ne!(code, 0, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    // A CA that did not issue the server certificate.
    let (code, out, err) = esme_bench(
        smsc.port,
        &[
            "-n",
            "200",
            "-w",
            "10",
            "--tls",
            "--ca",
            &pki("other-ca.pem"),
        ],
    );
    assert_ne!(code, 0, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("not trusted"), "{err}");
    drop(smsc);

    // Mutual TLS: PEM certificate + key, and PKCS#12.
    let smsc = common::EsmeSmsc::start(&[
        "--tls-cert",
        &pki("server.pem"),
        "--tls-key",
        &pki("server.key"),
        "--tls-client-ca",
        &pki("client-ca.pem"),
    ]);
    let pem = ["--cert", &pki("client.pem"), "--key", &pki("client.key")].map(String::from);
    let p12 = ["--p12", &pki("client.p12"), "--p12-password", "changeit"].map(String::from);
    for (identity, sessions) in [(&pem, "1"), (&p12, "1"), (&pem, "3")] {
        let mut a = vec![
            "-n",
            "200",
            "-w",
            "10",
            "--tls",
            "--ca",
            &ca,
            "--sessions",
            sessions,
        ];
        a.extend(identity.iter().map(String::as_str));
        check_bench_ok(esme_bench(smsc.port, &a), 200, 10);
    }
    // --json over mutual TLS with handshake timing.
    let mut a = vec![
        "-n",
        "200",
        "-w",
        "10",
        "--tls",
        "--ca",
        &ca,
        "--handshakes",
        "2",
        "--json",
    ];
    a.extend(pem.iter().map(String::as_str));
    let (code, out, err) = esme_bench(smsc.port, &a);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        common::field(&out, "transport").as_deref(),
        Some("tls"),
        "{out}"
    );
    assert_eq!(
        common::field(&out, "accepted").as_deref(),
        Some("200"),
        "{out}"
    );
    assert_eq!(
        common::field(&out, "sessions").as_deref(),
        Some("1"),
        "{out}"
    );
    for k in ["handshake_full_ms", "handshake_resumed_ms"] {
        let v = common::field(&out, k).unwrap();
        assert!(v.parse::<f64>().is_ok(), "{k} = {v}: {out}");
    }
    // No client certificate, or one the SMSC does not trust: refused, in one line.
    let untrusted = [
        "--cert",
        &pki("client-untrusted.pem"),
        "--key",
        &pki("client-untrusted.key"),
    ]
    .map(String::from);
    let none: [String; 0] = [];
    for identity in [&none[..], &untrusted[..]] {
        let mut a = vec!["-n", "200", "-w", "10", "--tls", "--ca", &ca];
        a.extend(identity.iter().map(String::as_str));
        let (code, out, err) = esme_bench(smsc.port, &a);
        assert_ne!(code, 0, "{identity:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains("client certificate"), "{identity:?}: {err}");
    }
    // A wrong PKCS#12 password: named, not shown.
    let (code, out, err) = esme_bench(
        smsc.port,
        &[
            "-n",
            "200",
            "-w",
            "10",
            "--tls",
            "--ca",
            &ca,
            "--p12",
            &pki("client.p12"),
            "--p12-password",
            "not-changeit-7",
        ],
    );
    assert_ne!(code, 0, "{out}{err}");
    assert!(
        err.contains("x-smpp-tls-certificate-file-password"),
        "{err}"
    );
    assert!(!err.contains("not-changeit-7"), "{err}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn esme_bench_over_tls_to_the_in_process_simulator() {
    let dir = common::tls::pki_dir();
    let dir = dir.to_str().unwrap();
    let (code, out, err) =
        common::esme_run(&["bench", "-n", "200", "-w", "10", "--tls", "--tls-dir", dir]);
    let out = check_bench_ok((code, out, err), 200, 10);
    assert!(
        out.lines()
            .next()
            .unwrap()
            .ends_with("against the in-process simulator"),
        "{out}"
    );
    let (code, out, err) = common::esme_run(&[
        "bench",
        "-n",
        "200",
        "-w",
        "10",
        "--tls",
        "--tls-dir",
        "/nonexistent",
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.starts_with("esme bench: --tls-dir: "), "{err}");
    assert!(err.contains("/nonexistent/server.pem"), "{err}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn renegotiation_and_downgrade_fail_closed() {
    // A TLS 1.2 server that asks to renegotiate once the bind has come (s_server's "r"
    // command): esme refuses (no_renegotiation), the session ends, and the error says why.
    let mut s = SServer::with_cert("server", &["-naccept", "1", "-tls1_2"]);
    let cfg = Config::builder("127.0.0.1", "esme")
        .port(s.port)
        .password("pw")
        .tls_mode(TlsMode::Single)
        .tls_ca_file(pki("ca.pem"))
        .connect_timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let client = std::thread::spawn(move || Client::connect(&cfg).map(|_| ()));
    std::thread::sleep(Duration::from_millis(700));
    s.send(b"r\n");
    let e = client
        .join()
        .unwrap()
        .expect_err("no bind over a renegotiated session");
    assert!(e.to_string().contains("esme never renegotiates"), "{e}");
    let out = s.wait_output("CONNECTION CLOSED", Duration::from_secs(10));
    assert!(out.contains("no renegotiation"), "{out}");

    // A server that offers only TLS 1.1 (or 1.0): no handshake, no bind.
    for old in ["-tls1_1", "-tls1"] {
        let s = SServer::with_cert(
            "server",
            &[
                "-naccept",
                "1",
                "-quiet",
                old,
                "-cipher",
                "DEFAULT:@SECLEVEL=0",
            ],
        );
        let e = connect_err(&canary(s.port));
        assert!(
            e.to_string().contains("TLS 1.2") && e.to_string().contains("1.3"),
            "{old}: {e}"
        );
        std::thread::sleep(Duration::from_millis(200));
        assert!(!s.output().contains("bindcanary"), "{old}: {}", s.output());
    }
}

// ------------------------------------------------ a Genesys channel against third-party SMSCs

use common::tls::{keystore, ResetFront};

/// A channel section with only the seed page's options (plus host, port, system id and
/// password): what a Genesys admin pastes.
fn seed_channel(port: u16, mode: &str, keystore_file: &str, extra: &str) -> Config {
    Config::parse_str(&format!(
        "[channel-smsc]\n\
         x-smpp-host = 127.0.0.1\n\
         x-smpp-port = {port}\n\
         x-smpp-system-id = media01\n\
         password = secret\n\
         x-smpp-tls-mode = {mode}\n\
         x-smpp-tls-version = 1.2\n\
         x-smpp-tls-path-to-certificate = {keystore_file}\n\
         x-smpp-tls-certificate-file-password = changeit\n\
         x-smpp-tls-certificate-password = changeit\n\
         {extra}\n"
    ))
    .unwrap()
}

fn binds_and_submits(cfg: &Config, what: &str) -> esme::Client {
    let c = Client::connect(cfg).unwrap_or_else(|e| panic!("{what}: {e}"));
    let o = c.submit(&Message::text("447700900123", what)).unwrap();
    assert!(o.is_accepted(), "{what}: {o:?}");
    c
}

#[test]
#[ignore = "needs openssl and flock (the test PKI), a JDK (keytool, javac, java: tests/tls/make-keystores.sh) and node-smpp (node, npm ci in tests/interop)"]
fn a_seed_channel_with_a_keytool_keystore_binds_single_and_mutual_to_node_smpp() {
    // The keytool keystore holds our key and the SMSC's CA as a trusted-certificate entry;
    // no esme-only option is set: the SMSC is verified against the system store plus that
    // entry, in single mode as in mutual.
    let ks = keystore("ks-client-trust.p12");
    let single = NodeSmsc::start_tls("server", false, &[]);
    let c = binds_and_submits(&seed_channel(single.port, "single", &ks, ""), "single");
    c.close();
    let mut smsc = NodeSmsc::start_tls("server", true, &[]);
    let c = binds_and_submits(&seed_channel(smsc.port, "mutual", &ks, ""), "mutual");
    c.close();
    let tls = smsc.wait_for(|l| common::field(l, "event").as_deref() == Some("tls"));
    assert_eq!(
        common::field(&tls, "authorized").as_deref(),
        Some("true"),
        "{tls}"
    );
    // Split passwords (KeyStore API): store `changeit`, key `keypass`.
    let split = seed_channel(smsc.port, "mutual", &keystore("ks-split-trust.p12"), "");
    let mut split = split;
    split.tls.key_password = Some("keypass".into());
    binds_and_submits(&split, "split passwords").close();
    // A trust store alone (keytool -importcert, no key) is a valid single-mode keystore.
    let ts = Config::parse_str(&format!(
        "x-smpp-host = 127.0.0.1\nx-smpp-port = {}\nx-smpp-system-id = media01\n\
         x-smpp-tls-mode = single\nx-smpp-tls-path-to-certificate = {}\n\
         x-smpp-tls-certificate-file-password = changeit\n",
        single.port,
        keystore("ks-trust-only.p12")
    ))
    .unwrap();
    binds_and_submits(&ts, "trust store").close();
    // esme check says what the keystore gave.
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", single.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-mode", "single".into()),
        ("x-smpp-tls-path-to-certificate", ks.clone()),
        ("x-smpp-tls-certificate-file-password", "changeit".into()),
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("1 key entry (not used in single mode), 1 trust entry (\"smsc-ca\")"),
        "{out}"
    );
    assert!(
        out.contains("+ the PKCS#12 file's trust entry \"smsc-ca\""),
        "{out}"
    );
    assert!(!out.contains("changeit"), "{out}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI), a JDK (keytool, javac, java: tests/tls/make-keystores.sh) and node-smpp (node, npm ci in tests/interop)"]
fn in_single_mode_the_keystore_is_opened_and_its_failures_named() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let ks = keystore("ks-client-trust.p12");
    // A wrong password fails, as Java's KeyStore.load does, before connecting.
    let mut cfg = seed_channel(smsc.port, "single", &ks, "");
    cfg.tls.file_password = Some("wrong-7".into());
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 305, "{e}");
    assert!(
        e.to_string()
            .starts_with("x-smpp-tls-certificate-file-password is wrong"),
        "{e}"
    );
    assert!(!e.to_string().contains("wrong-7"), "{e}");
    let mut cfg = seed_channel(smsc.port, "single", "/nonexistent/keystore.p12", "");
    cfg.tls.ca_file = Some(pki("ca.pem").into());
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 303, "{e}");
    for (path, pw, want) in [
        (
            "/nonexistent/keystore.p12",
            "changeit",
            "✗ certificate  PKCS#12 file /nonexistent/keystore.p12 does not exist",
        ),
        (
            ks.as_str(),
            "wrong-7",
            "✗ certificate  x-smpp-tls-certificate-file-password is wrong",
        ),
    ] {
        let (code, out) = esme_check(&sets(&[
            ("x-smpp-host", "127.0.0.1".into()),
            ("x-smpp-port", smsc.port.to_string()),
            ("x-smpp-system-id", "media01".into()),
            ("x-smpp-tls-mode", "single".into()),
            ("x-smpp-tls-ca-file", pki("ca.pem")),
            ("x-smpp-tls-path-to-certificate", path.into()),
            ("x-smpp-tls-certificate-file-password", pw.into()),
        ]));
        assert_eq!(code, 1, "{out}");
        assert!(out.lines().last().unwrap().starts_with(want), "{out}");
    }
    // The keystore's trust entry names the trust in the "not trusted" message.
    let e = connect_err(&seed_channel(
        smsc.port,
        "single",
        &keystore("ks-client-othertrust.p12"),
        "",
    ));
    assert_eq!(e.code(), 320, "{e}");
    assert!(
        e.to_string()
            .contains("the PKCS#12 file's trust entry \"other-ca\""),
        "{e}"
    );
    // Certificates without Java's trusted mark (openssl -nokeys) are not trust entries: a
    // warning says so, and the existing option trusts them.
    let plain = seed_channel(smsc.port, "single", &keystore("ossl-trust-only.p12"), "");
    let e = connect_err(&plain);
    assert_eq!(e.code(), 320, "{e}");
    let (_, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", smsc.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-mode", "single".into()),
        (
            "x-smpp-tls-path-to-certificate",
            keystore("ossl-trust-only.p12"),
        ),
        ("x-smpp-tls-certificate-file-password", "changeit".into()),
    ]));
    assert!(
        out.contains("! trust        the PKCS#12 file holds 1 CA certificate without Java's trusted-entry mark"),
        "{out}"
    );
    let mut trusted = plain.clone();
    trusted.tls.trust_pkcs12_cas = true;
    binds_and_submits(&trusted, "x-smpp-tls-trust-pkcs12-cas").close();
    // With a CA file the keystore's trust entries are not used, and that is said.
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", smsc.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-mode", "single".into()),
        ("x-smpp-tls-ca-file", pki("ca.pem")),
        ("x-smpp-tls-path-to-certificate", ks),
        ("x-smpp-tls-certificate-file-password", "changeit".into()),
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("! trust        the PKCS#12 file's 1 trust entry (\"smsc-ca\") is not used: x-smpp-tls-ca-file is set and replaces it"),
        "{out}"
    );
}

#[test]
#[ignore = "needs openssl and flock (the test PKI), a JDK (keytool, javac, java: tests/tls/make-keystores.sh) and node-smpp (node, npm ci in tests/interop)"]
fn self_signed_and_pinned_smsc_certificates_bind() {
    // The usual self-signed SMSC certificate (`openssl req -x509`: CA:TRUE), given as the CA
    // file: pinned, it binds (rustls alone says CaUsedAsEndEntity).
    let selfsigned = NodeSmsc::start_tls("server-selfsigned-ca", false, &[]);
    let cfg = base(selfsigned.port)
        .tls_ca_file(pki("server-selfsigned-ca.pem"))
        .build()
        .unwrap();
    binds_and_submits(&cfg, "self-signed CA:TRUE").close();
    // The same as a keytool trust entry of the keystore.
    let ks = seed_channel(
        selfsigned.port,
        "single",
        &keystore("ks-pinned-selfsigned.p12"),
        "",
    );
    binds_and_submits(&ks, "self-signed in the keystore").close();
    // A self-signed CA:FALSE one.
    let ss = NodeSmsc::start_tls("server-selfsigned", false, &[]);
    let cfg = base(ss.port)
        .tls_ca_file(pki("server-selfsigned.pem"))
        .build()
        .unwrap();
    binds_and_submits(&cfg, "self-signed CA:FALSE").close();
    // The SMSC's own leaf (issued by a CA we do not have), pinned in the CA file or the
    // keystore.
    let leaf = NodeSmsc::start_tls("server-nochain", false, &[]);
    let cfg = base(leaf.port)
        .tls_ca_file(pki("server-nochain.pem"))
        .build()
        .unwrap();
    binds_and_submits(&cfg, "pinned leaf").close();
    let ks = seed_channel(leaf.port, "single", &keystore("ks-pinned-leaf.p12"), "");
    binds_and_submits(&ks, "pinned leaf in the keystore").close();
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", leaf.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-mode", "single".into()),
        ("x-smpp-tls-ca-file", pki("server-nochain.pem")),
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("(pinned: byte-identical to a trusted certificate)"),
        "{out}"
    );

    // Pinning is no trust-all: the dates and the name are still checked, and only the very
    // certificate is pinned.
    let expired = NodeSmsc::start_tls("server-expired", false, &[]);
    let cfg = base(expired.port)
        .tls_ca_file(pki("server-expired.pem"))
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 321, "{e}");
    assert!(e.to_string().contains("expired on 2021-01-01"), "{e}");
    let wrong = NodeSmsc::start_tls("server-wrongname", false, &[]);
    let cfg = base(wrong.port)
        .tls_ca_file(pki("server-wrongname.pem"))
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 323, "{e}");
    let cfg = base(selfsigned.port)
        .tls_ca_file(pki("server-selfsigned.pem"))
        .build()
        .unwrap();
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 324, "{e}");
    assert!(
        e.to_string()
            .contains("is self-signed and not in x-smpp-tls-ca-file"),
        "{e}"
    );
}

#[test]
#[ignore = "needs openssl and flock (the test PKI), a JDK (keytool, javac, java: tests/tls/make-keystores.sh) and node-smpp (node, npm ci in tests/interop)"]
fn tls_version_1_1_loads_warns_and_binds_to_a_tls_1_2_smsc() {
    let smsc = NodeSmsc::start_tls("server", false, &["--tls-max", "1.2"]);
    let cfg = seed_channel(smsc.port, "single", &keystore("ks-client-trust.p12"), "");
    let mut cfg = cfg;
    cfg.set("x-smpp-tls-version", "1.1").unwrap();
    cfg.validate().unwrap();
    let c = Client::connect(&cfg).unwrap();
    assert_eq!(c.tls_handshake().unwrap().version, "TLSv1_2");
    let mut warnings = Vec::new();
    while let Some(e) = c.poll_event(Some(Duration::from_millis(200))) {
        if let Event::Warning(w) = e {
            warnings.push(w);
        }
    }
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("x-smpp-tls-version = 1.1") && warnings[0].contains("RFC 8996"),
        "{warnings:?}"
    );
    c.close();
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", smsc.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-mode", "single".into()),
        ("x-smpp-tls-ca-file", pki("ca.pem")),
        ("x-smpp-tls-version", "1.1".into()),
    ]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("! versions     x-smpp-tls-version = 1.1: esme offers TLS 1.2 and 1.3 and never TLS 1.1 (deprecated by RFC 8996)"),
        "{out}"
    );
    assert!(
        out.contains("✓ tls          TLS 1.2 negotiated (offered: TLS 1.2 and 1.3)"),
        "{out}"
    );

    // With TLS off the option is irrelevant: it loads, binds, and says nothing.
    let plain = NodeSmsc::start(&[]);
    let cfg = Config::parse_str(&format!(
        "x-smpp-host = 127.0.0.1\nx-smpp-port = {}\nx-smpp-system-id = media01\n\
         x-smpp-tls-mode = off\nx-smpp-tls-version = 1.1\n",
        plain.port
    ))
    .unwrap();
    let c = Client::connect(&cfg).unwrap();
    while let Some(e) = c.poll_event(Some(Duration::from_millis(200))) {
        assert!(!matches!(e, Event::Warning(_)), "{e:?}");
    }
    c.close();
    let (code, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", plain.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-version", "1.1".into()),
    ]));
    assert_eq!(code, 0, "{out}");
    // (Not a bare "1.1": a timing such as "bound … in 1.1 ms" may hold it.)
    assert!(
        !out.contains("tls-version") && !out.contains("TLS 1.1") && !out.contains("versions"),
        "{out}"
    );
}

/// What a user sees of one failure, three ways: the Rust error, `esme check`'s failing line
/// and the C API's result and last error.
struct Seen {
    code: u32,
    rust: String,
    check: String,
    c_code: u32,
    c_text: String,
}

fn three_ways(pairs: &[(&str, String)]) -> Seen {
    let cfg = Config::from_options(pairs.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
    let e = connect_err(&cfg);
    let (_, out) = esme_check(&sets(pairs));
    let check = out
        .lines()
        .last()
        .unwrap_or_default()
        .trim_start_matches('✗')
        .trim_start()
        .to_string();
    let (c_code, c_text) = c_api_connect(pairs);
    Seen {
        code: e.code(),
        rust: e.to_string(),
        check,
        c_code,
        c_text,
    }
}

/// Connects through the C API (`esme_config_set` each option, `esme_client_connect`) and
/// returns the result and `esme_last_error`'s text.
fn c_api_connect(pairs: &[(&str, String)]) -> (u32, String) {
    use esme::ffi::*;
    use std::ffi::CString;
    let mut cfg: *mut esme_config = std::ptr::null_mut();
    // SAFETY: the C API's contract: out-pointers to locals, NUL-terminated strings that
    // outlive the calls, every handle freed once.
    unsafe {
        assert_eq!(esme_config_new(&mut cfg), esme_result::ESME_OK);
        for (k, v) in pairs {
            let (k, v) = (CString::new(*k).unwrap(), CString::new(v.as_str()).unwrap());
            assert_eq!(
                esme_config_set(cfg, k.as_ptr(), v.as_ptr()),
                esme_result::ESME_OK
            );
        }
        let mut client: *mut esme_client = std::ptr::null_mut();
        let r = esme_client_connect(cfg, &mut client);
        esme_config_free(cfg);
        assert!(client.is_null(), "connected through the C API");
        let mut buf = vec![0u8; 4096];
        let mut n = 0usize;
        esme_last_error(buf.as_mut_ptr().cast(), buf.len(), &mut n);
        let text = std::ffi::CStr::from_ptr(buf.as_ptr().cast())
            .to_string_lossy()
            .into_owned();
        (r as u32, text)
    }
}

fn tls_pairs(port: u16, mode: &str) -> Vec<(&'static str, String)> {
    vec![
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("password", "secret".into()),
        ("x-smpp-tls-mode", mode.into()),
        ("x-smpp-tls-ca-file", pki("ca.pem")),
        ("x-smpp-comms-timeout", "3000".into()),
    ]
}

fn with_p12(mut pairs: Vec<(&'static str, String)>, p12: &str) -> Vec<(&'static str, String)> {
    pairs.push(("x-smpp-tls-path-to-certificate", pki(p12)));
    pairs.push(("x-smpp-tls-certificate-file-password", "changeit".into()));
    pairs
}

/// One diagnosis: the same code and one-line text from the Rust error, `esme check` and the
/// C API, containing every `want`.
fn diagnosis(what: &str, pairs: &[(&str, String)], code: u32, want: &[&str]) -> Seen {
    let seen = three_ways(pairs);
    assert_eq!(seen.code, code, "{what}: {}", seen.rust);
    assert_eq!(seen.c_code, code, "{what}: {}", seen.c_text);
    assert_eq!(seen.c_text, seen.rust, "{what}: the C API says otherwise");
    assert_eq!(seen.rust.lines().count(), 1, "{what}: {}", seen.rust);
    for w in want {
        assert!(
            seen.rust.contains(w),
            "{what}: want {w:?} in: {}",
            seen.rust
        );
        assert!(
            seen.check.contains(w),
            "{what}: want {w:?} in esme check's: {}",
            seen.check
        );
    }
    assert!(!seen.rust.contains("changeit") && !seen.check.contains("changeit"));
    seen
}

fn sserver(stem: &str, extra: &[&str]) -> SServer {
    SServer::with_cert(stem, extra)
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn single_mode_against_smscs_that_require_a_client_certificate() {
    let want = [
        "the SMSC requires a client certificate: it asked for one and",
        "when we sent none",
        "set x-smpp-tls-mode = mutual and x-smpp-tls-path-to-certificate",
    ];
    for max in ["1.2", "1.3"] {
        let smsc = NodeSmsc::start_tls("server", true, &["--tls-max", max]);
        let seen = diagnosis(
            &format!("node TLS {max}"),
            &tls_pairs(smsc.port, "single"),
            336,
            &want,
        );
        assert!(
            seen.rust.contains(if max == "1.2" {
                "alert handshake_failure"
            } else {
                "alert certificate_required"
            }),
            "{}",
            seen.rust
        );
    }
    let mut mutual_args = SServer::mutual_args();
    for v in ["-tls1_2", "-tls1_3"] {
        let mut a = mutual_args.clone();
        a.extend(["-quiet".to_string(), v.to_string()]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let s = sserver("server", &a);
        diagnosis(
            &format!("s_server {v}"),
            &tls_pairs(s.port, "single"),
            336,
            &want,
        );
    }
    mutual_args.clear();
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn mutual_mode_names_a_refused_certificate_only_on_evidence() {
    let want = [
        "the SMSC did not accept our client certificate (O=esme tests,CN=esme-client-untrusted)",
        "it must trust our certificate's CA (O=esme tests,CN=esme other root)",
        "it accepts client certificates issued by O=esme tests,CN=esme test root or O=esme tests,CN=esme test intermediate",
    ];
    // node: a bare close - right after the TLS 1.3 handshake, or before TLS 1.2's ends.
    for (max, how) in [
        ("1.3", "the connection right after the TLS handshake, before we sent the bind, without a TLS alert"),
        ("1.2", "right after receiving it, before finishing the handshake, without a TLS alert"),
    ] {
        let smsc = NodeSmsc::start_tls("server", true, &["--tls-max", max]);
        let seen = diagnosis(
            &format!("node TLS {max}"),
            &with_p12(tls_pairs(smsc.port, "mutual"), "client-untrusted.p12"),
            330,
            &want,
        );
        assert!(seen.rust.contains(how), "{max}: {}", seen.rust);
    }
    // s_server: an alert.
    for v in ["-tls1_2", "-tls1_3"] {
        let mut a = SServer::mutual_args();
        a.extend(["-quiet".to_string(), v.to_string()]);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let s = sserver("server", &a);
        diagnosis(
            &format!("s_server {v}"),
            &with_p12(tls_pairs(s.port, "mutual"), "client-untrusted.p12"),
            330,
            &["it answered it with TLS alert unknown_ca"],
        );
    }
    // A trusted certificate and an SMSC that simply drops the bind: not the certificate.
    for max in ["1.3", "1.2"] {
        let smsc = NodeSmsc::start_tls("server", true, &["--tls-max", max, "--on-bind", "close"]);
        let seen = diagnosis(
            &format!("node TLS {max}, bind dropped"),
            &with_p12(tls_pairs(smsc.port, "mutual"), "client.p12"),
            203,
            &[
                "the SMSC closed the connection before answering the bind",
                "the TLS handshake had completed and the SMSC had accepted our client certificate",
            ],
        );
        assert!(!seen.rust.contains("did not accept"), "{}", seen.rust);
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn tls_to_a_plain_smpp_port_is_named() {
    // An SMSC that answers the hello with SMPP (generic_nack, as the smpp34 crate's
    // SmppServer does): named at once, for sure.
    let nack = PlainListener::generic_nack();
    let t0 = std::time::Instant::now();
    let e = connect_err(
        &Config::from_options(
            tls_pairs(nack.port, "single")
                .iter()
                .map(|(k, v)| (*k, v.as_str())),
        )
        .unwrap(),
    );
    assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
    assert_eq!(e.code(), 332, "{e}");
    assert_eq!(
        e.to_string(),
        "the SMSC answered our TLS hello with an SMPP generic_nack (command_status ESME_RINVCMDLEN): x-smpp-port is a plain SMPP port; set x-smpp-tls-mode = off (or give the SMSC's TLS port)"
    );
    // node-smpp as node-smpp itself behaves: it stops reading and keeps the connection:
    // named at the timeout, with the option's name; esme check probes and says it for sure.
    let smsc = NodeSmsc::start(&["--on-decode-error", "keep"]);
    let seen = diagnosis(
        "node-smpp keeping the connection",
        &tls_pairs(smsc.port, "single"),
        332,
        &["sent nothing back in 3 s (x-smpp-comms-timeout) to our TLS hello"],
    );
    assert!(
        seen.rust
            .ends_with("is x-smpp-port a plain SMPP port? then set x-smpp-tls-mode = off"),
        "{}",
        seen.rust
    );
    assert!(
        seen.check.ends_with("and a plain SMPP enquire_link esme check sent to that port was answered with an SMPP enquire_link_resp: x-smpp-port is a plain SMPP port; set x-smpp-tls-mode = off (or give the SMSC's TLS port)"),
        "{}",
        seen.check
    );
    // node-smpp closing at once (smsc.js's default).
    let smsc = NodeSmsc::start(&[]);
    diagnosis(
        "node-smpp closing",
        &tls_pairs(smsc.port, "single"),
        332,
        &["closed the connection without answering our TLS hello"],
    );
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn plain_smpp_to_a_tls_port_is_named() {
    let mut pairs = tls_pairs(0, "off");
    pairs.retain(|(k, _)| *k != "x-smpp-tls-ca-file");
    let plain = |port: u16| {
        let mut p = pairs.clone();
        p[1].1 = port.to_string();
        p
    };
    let want = ["this port expects TLS, set x-smpp-tls-mode = single (or mutual)"];
    // s_server closes at a non-TLS record; behind a front that resets such connections.
    let s = sserver("server", &["-quiet"]);
    let seen = diagnosis("s_server", &plain(s.port), 333, &want);
    assert!(
        seen.rust.starts_with("the SMSC closed the connection without answering the bind, and answers a TLS hello with a TLS handshake record"),
        "{}",
        seen.rust
    );
    let front = ResetFront::start(s.port);
    let seen = diagnosis("reset", &plain(front.port), 333, &want);
    assert!(
        seen.rust
            .starts_with("the SMSC reset the connection without answering the bind"),
        "{}",
        seen.rust
    );
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    diagnosis("node", &plain(smsc.port), 333, &want);
    // A peer that answers with a TLS alert record.
    let alert = PlainListener::replying(TLS_ALERT_PROTOCOL_VERSION.to_vec());
    let mut cfg = base(alert.port).build().unwrap();
    cfg.tls.mode = TlsMode::Off;
    let e = connect_err(&cfg);
    assert_eq!(e.code(), 333, "{e}");
    assert!(
        e.to_string()
            .starts_with("the SMSC answered the bind with a TLS alert record"),
        "{e}"
    );
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn certificate_problems_get_their_true_cause() {
    let s = sserver("server-cnonly", &["-quiet"]);
    let mut p = tls_pairs(s.port, "single");
    p[0].1 = "localhost".into();
    diagnosis(
        "CN only",
        &p,
        323,
        &[
            "has no subjectAltName, only the CN 'localhost'",
            "subjectAltName DNS:localhost",
            "x-smpp-tls-skip-hostname-verification = true",
        ],
    );
    let s = SServer::start(&[
        "-cert",
        &pki("server-nochain.pem"),
        "-key",
        &pki("server.key"),
        "-quiet",
    ]);
    diagnosis(
        "missing intermediate",
        &tls_pairs(s.port, "single"),
        320,
        &["the SMSC sent it alone, without its chain, and its issuer (O=esme tests,CN=esme test intermediate) is not in x-smpp-tls-ca-file"],
    );
    let s = sserver("server-clientauth", &["-quiet"]);
    diagnosis(
        "clientAuth only",
        &tls_pairs(s.port, "single"),
        325,
        &["is not a TLS server certificate: its extended key usage allows only client authentication"],
    );
    let s = SServer::start(&[
        "-cert",
        &pki("intermediate.pem"),
        "-key",
        &pki("intermediate.key"),
        "-quiet",
    ]);
    diagnosis(
        "a CA certificate as the server's",
        &tls_pairs(s.port, "single"),
        325,
        &["is a CA certificate (CA:TRUE), not a server certificate"],
    );
    // A -nomac keystore and a wrong password: the only password set is named.
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let mut p = with_p12(tls_pairs(smsc.port, "mutual"), "client-nomac.p12");
    p.last_mut().unwrap().1 = "wrong-7".into();
    let seen = diagnosis(
        "-nomac, wrong password",
        &p,
        305,
        &["x-smpp-tls-certificate-file-password is wrong (or the key has its own password, x-smpp-tls-certificate-password)"],
    );
    assert!(!seen.rust.contains("wrong-7"));
    p.last_mut().unwrap().1 = "changeit".into();
    let cfg = Config::from_options(p.iter().map(|(k, v)| (*k, v.as_str()))).unwrap();
    binds_and_submits(&cfg, "-nomac").close();
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn tls_versions_against_smscs_of_one_version() {
    let old = "the SMSC refused both TLS 1.2 and 1.3 (alert protocol_version): it speaks only TLS 1.1 or older, which RFC 8996 deprecates and esme will not speak; the SMSC must enable TLS 1.2 (no option of esme can fix this)";
    let s = sserver(
        "server",
        &["-quiet", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"],
    );
    let seen = diagnosis("s_server 1.1", &tls_pairs(s.port, "single"), 331, &[old]);
    assert!(!seen.rust.contains("adjust"), "{}", seen.rust);
    let smsc = NodeSmsc::start_tls("server", false, &["--tls-min", "1.1", "--tls-max", "1.1"]);
    diagnosis("node 1.1", &tls_pairs(smsc.port, "single"), 331, &[old]);
    // Each of 1.2 and 1.3 alone: the option that fixes it.
    let s = sserver("server", &["-quiet", "-tls1_3"]);
    let mut p = tls_pairs(s.port, "single");
    p.push(("x-smpp-tls-max-version", "1.2".into()));
    diagnosis(
        "s_server 1.3 only",
        &p,
        331,
        &["set x-smpp-tls-max-version = 1.3"],
    );
    let s = sserver("server", &["-quiet", "-tls1_2"]);
    let mut p = tls_pairs(s.port, "single");
    p.push(("x-smpp-tls-version", "1.3".into()));
    diagnosis(
        "s_server 1.2 only",
        &p,
        331,
        &["set x-smpp-tls-version = 1.2"],
    );
    // And the default offer binds to each: 1.2 and 1.3.
    for max in ["1.2", "1.3"] {
        let smsc = NodeSmsc::start_tls("server", false, &["--tls-min", max, "--tls-max", max]);
        let cfg = Config::from_options(
            tls_pairs(smsc.port, "single")
                .iter()
                .map(|(k, v)| (*k, v.as_str())),
        )
        .unwrap();
        let c = binds_and_submits(&cfg, max);
        assert_eq!(
            c.tls_handshake().unwrap().version,
            format!("TLSv1_{}", &max[2..])
        );
        c.close();
    }
}

#[test]
#[ignore = "needs openssl and flock (the test PKI), a JDK (keytool, javac, java: tests/tls/make-keystores.sh) and node-smpp (node, npm ci in tests/interop)"]
fn esme_check_says_what_of_a_genesys_channel_is_ignored_or_means_otherwise() {
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let dir = std::env::temp_dir().join(format!("esme-genesys-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("channel.cfg");
    std::fs::write(
        &file,
        format!(
            "[channel-opensmpp]\n\
             driver-classname = com.genesyslab.mcr.smserver.channel.sms_mms.opensmpp.SmppDriver\n\
             inbound-route = 101:sms_endpoint\n\
             session-by-address = true\n\
             x-smpp-host = 127.0.0.1\n\
             x-smpp-port = {}\n\
             x-smpp-system-id = media01\n\
             password = secret\n\
             reconnection-timeout = 180\n\
             x-smpp-response-max-waiting-time = 30000\n\
             x-smpp-tls-mode = single\n\
             x-smpp-tls-version = 1.2\n\
             x-smpp-tls-path-to-certificate = {}\n\
             x-smpp-tls-certificate-file-password = changeit\n\
             x-smpp-tls-certificate-password = changeit\n",
            smsc.port,
            keystore("ks-client-trust.p12")
        ),
    )
    .unwrap();
    let (code, out) = esme_check(&["--config".to_string(), file.display().to_string()]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 0, "{out}");
    let notes: Vec<&str> = out.lines().filter(|l| l.starts_with("- ")).collect();
    for want in [
        "- options      driver-classname: ignored (the Java driver class to load; esme is the driver)",
        "- options      inbound-route: ignored (where Genesys routes inbound messages",
        "- options      session-by-address: ignored (how Genesys groups messages into chat sessions",
        "- options      reconnection-timeout: differs from the Genesys driver: the longest wait between reconnect attempts",
        "- options      x-smpp-response-max-waiting-time: differs from the Genesys driver: a submit without a response by then ends Unknown",
        "- options      x-smpp-tls-mode: differs from the Genesys driver: also checks that the SMSC's certificate carries its name",
        "- options      x-smpp-tls-version: differs from the Genesys driver: the lowest version offered: TLS 1.2 and 1.3 are offered, where the Genesys driver spoke exactly 1.2 (x-smpp-tls-max-version = 1.2 does the same)",
    ] {
        assert!(notes.iter().any(|n| n.starts_with(want)), "{want}\nin:\n{out}");
    }
    // One line each, and nothing about options that mean the same (passwords, host, …).
    assert_eq!(notes.len(), 7, "{out}");
    assert!(
        !out.contains("changeit") && !out.contains("secret"),
        "{out}"
    );
    // The notes follow the options line; the steps still all pass.
    assert!(
        out.lines().nth(1).unwrap().starts_with("- options"),
        "{out}"
    );
    assert!(out.lines().last().unwrap().starts_with("✓ bind"), "{out}");
    // Pinning 1.2 as the Genesys driver did: the version line is gone.
    let (_, out) = esme_check(&sets(&[
        ("x-smpp-host", "127.0.0.1".into()),
        ("x-smpp-port", smsc.port.to_string()),
        ("x-smpp-system-id", "media01".into()),
        ("x-smpp-tls-mode", "single".into()),
        ("x-smpp-tls-ca-file", pki("ca.pem")),
        ("x-smpp-tls-version", "1.2".into()),
        ("x-smpp-tls-max-version", "1.2".into()),
    ]));
    assert!(!out.contains("x-smpp-tls-version: differs"), "{out}");
    assert!(
        out.contains("✓ tls          TLS 1.2 negotiated (offered: TLS 1.2 only)"),
        "{out}"
    );
}
