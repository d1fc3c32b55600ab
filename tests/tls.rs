//! TLS against real peers: node-smpp's TLS SMSC (tests/interop/smsc.js), `openssl s_server`,
//! and plain listeners. Every diagnosis is provoked for real and its message checked.
//! The test PKI comes from tests/tls/make-pki.sh (openssl and flock).
//!
//! The tests that need openssl (and those that also need node-smpp) are marked
//! `#[ignore = "needs …"]`: a bare `cargo test` passes without those tools;
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
            .contains("is x-smpp-port a plain SMPP port? then set x-smpp-tls-mode = off"),
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

    // node-smpp's TLS port closes on plain SMPP without a word: the hint still names TLS.
    let smsc = NodeSmsc::start_tls("server", false, &[]);
    let mut cfg = base(smsc.port).build().unwrap();
    cfg.tls.mode = TlsMode::Off;
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
