//! A whole session at the most verbose log level, plain and over mutual TLS: binds, submits
//! with personal data in the text, receipts, MO, errors. Nothing secret or personal may
//! appear in any log record, `Debug` output or error message.
//!
//! The mutual-TLS test is marked `#[ignore = "needs openssl and flock …"]` (the test PKI): a
//! bare `cargo test` passes without those tools; `bash tests/run-all.sh` runs it
//! (`--include-ignored`), as does `cargo test --test no_leaks -- --include-ignored` (tools:
//! `bash tests/install-tools.sh`).

mod common;

use common::tls::pki;
use esme::client::{Event, Message, Outcome};
use esme::config::{Config, TlsMode};
use esme::log::{set_sink, Level, Record};
use esme::sim::{SimConfig, SimTls, Smsc};
use esme::Client;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The log sink is process-wide: the tests of this file take turns.
static SINK_TURN: Mutex<()> = Mutex::new(());

const PASSWORD: &str = "pw9Xq2!z";
const P12_PASSWORD: &str = "changeit";
const CARD: &str = "4111 1111 1111 1111";
const EMAIL: &str = "ann.lee@example.com";
const PHONE: &str = "+44 7700 900123";
const DEST: &str = "447700900555";

fn secrets() -> Vec<&'static str> {
    vec![
        PASSWORD,
        P12_PASSWORD,
        CARD,
        "4111111111111111",
        EMAIL,
        PHONE,
        DEST,
    ]
}

fn assert_clean(what: &str, text: &str) {
    for s in secrets() {
        assert!(!text.contains(s), "{what} leaks {s:?}:\n{text}");
    }
}

fn drain_until(c: &Client, want: impl Fn(&Event) -> bool) -> Vec<Event> {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(e) = c.poll_event(Some(Duration::from_millis(50))) {
            let done = want(&e);
            seen.push(e);
            if done {
                return seen;
            }
        }
    }
    panic!("event not seen; seen {seen:?}");
}

#[test]
#[ignore = "needs openssl and flock (the test PKI: tests/tls/make-pki.sh)"]
fn nothing_secret_or_personal_reaches_logs_debug_or_errors() {
    let _turn = SINK_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let logs: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let l2 = logs.clone();
    set_sink(Some((
        Arc::new(move |r: &Record<'_>| {
            l2.lock()
                .unwrap()
                .push(format!("{:?} {} {}", r.level, r.target, r.message));
        }),
        Level::Debug,
    )));
    let mut outputs: Vec<String> = Vec::new();
    let text = format!("Pay with card {CARD}, receipt to {EMAIL} or call {PHONE}. Thanks!");

    // Plain, with the bind password the SMSC checks.
    let sim = Smsc::start(SimConfig {
        credentials: vec![("esme".into(), PASSWORD.into())],
        ..SimConfig::default()
    })
    .unwrap();
    let cfg = Config::builder("127.0.0.1", "esme")
        .port(sim.addr().port())
        .password(PASSWORD)
        .response_timeout(Duration::from_millis(1000))
        .build()
        .unwrap();
    outputs.push(format!("{cfg:?}"));
    let c = Client::connect(&cfg).unwrap();
    outputs.push(format!("{c:?}"));
    let o = c
        .submit(&Message::text(DEST, text.clone()).from("Shop").receipt(true))
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    outputs.push(format!("{o:?}"));
    // Every event's Debug, the receipt's too: its text: (the start of the message) and the
    // numbers in it are masked.
    let seen = drain_until(&c, |e| matches!(e, Event::Receipt(_)));
    assert!(seen.iter().any(|e| matches!(e, Event::Receipt(_))));
    outputs.extend(seen.iter().map(|e| format!("{e:?}")));
    sim.send_mo(
        "447700900777",
        "Shop",
        &format!("My card is {CARD}, mail {EMAIL}"),
    )
    .unwrap();
    let mo = drain_until(&c, |e| matches!(e, Event::Message(_)));
    outputs.extend(mo.iter().map(|e| format!("{e:?}")));
    // Errors: a rejection, a response timeout, a bad message.
    sim.faults()
        .reject_with(esme::pdu::CommandStatus::InvDstAdr, 1);
    outputs.push(format!(
        "{:?}",
        c.submit(&Message::text(DEST, text.clone())).unwrap()
    ));
    sim.faults().drop_responses(1);
    let o = c.submit(&Message::text(DEST, text.clone())).unwrap();
    assert!(matches!(o, Outcome::Unknown { .. }));
    outputs.push(format!("{o:?} {o}"));
    let e = c
        .submit(&Message::text("1".repeat(30), text.clone()))
        .unwrap_err();
    outputs.push(format!("{e:?} {e}"));
    c.close();
    // A refused bind.
    let bad = Config::builder("127.0.0.1", "esme")
        .port(sim.addr().port())
        .password("wrongpw1")
        .build()
        .unwrap();
    let e = Client::connect(&bad).unwrap_err();
    outputs.push(format!("{e:?} {e}"));

    // Mutual TLS with a PKCS#12 password, and a wrong one.
    let tls_sim = Smsc::start(SimConfig {
        tls: Some(
            SimTls::from_pem_files(
                std::path::Path::new(&pki("server.pem")),
                std::path::Path::new(&pki("server.key")),
                Some(std::path::Path::new(&pki("client-ca.pem"))),
            )
            .unwrap(),
        ),
        ..SimConfig::default()
    })
    .unwrap();
    let tls_cfg = Config::builder("127.0.0.1", "esme")
        .port(tls_sim.addr().port())
        .password(PASSWORD)
        .tls_mode(TlsMode::Mutual)
        .tls_ca_file(pki("ca.pem"))
        .tls_pkcs12_path(pki("client.p12"))
        .tls_file_password(P12_PASSWORD)
        .build()
        .unwrap();
    outputs.push(format!("{tls_cfg:?}"));
    let c = Client::connect(&tls_cfg).unwrap();
    assert!(c
        .submit(&Message::text(DEST, text.clone()))
        .unwrap()
        .is_accepted());
    c.close();
    let mut wrong = tls_cfg.clone();
    wrong.tls.file_password = Some("not-the-password".into());
    let e = Client::connect(&wrong).unwrap_err();
    outputs.push(format!("{e:?} {e}"));
    assert!(!e.to_string().contains("not-the-password"));
    set_sink(None);

    let logs = logs.lock().unwrap().join("\n");
    // The log really is verbose: PDUs in both directions, masked text, the config dump.
    assert!(logs.contains("esme::pdu sent bind_transceiver"), "{logs}");
    assert!(logs.contains("esme::pdu sent submit_sm"), "{logs}");
    assert!(logs.contains("esme::pdu received deliver_sm"), "{logs}");
    // Whole matches in logs: not even the card's last 4 digits.
    assert!(
        logs.contains("short_message=\"Pay with card *******************,"),
        "{logs}"
    );
    assert!(logs.contains("password=<redacted, 8 characters>"), "{logs}");
    assert!(logs.contains("password: ***"), "{logs}");
    assert_clean("the log", &logs);
    for o in &outputs {
        assert_clean("an output", o);
    }
}

#[test]
fn debug_mode_logs_the_masked_pdus_at_info_level() {
    let _turn = SINK_TURN.lock().unwrap_or_else(|e| e.into_inner());
    let logs: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let sim = Smsc::start(SimConfig::default()).unwrap();
    let run = |debug: bool| {
        let l2 = logs.clone();
        l2.lock().unwrap().clear();
        set_sink(Some((
            Arc::new(move |r: &Record<'_>| {
                if r.target == "esme::pdu" {
                    l2.lock()
                        .unwrap()
                        .push(format!("{:?} {}", r.level, r.message));
                }
            }),
            Level::Info,
        )));
        let cfg = Config::builder("127.0.0.1", "dbg")
            .port(sim.addr().port())
            .debug(debug)
            .build()
            .unwrap();
        let c = Client::connect(&cfg).unwrap();
        assert!(c
            .submit(&Message::text(DEST, format!("card {CARD}")))
            .unwrap()
            .is_accepted());
        c.close();
        set_sink(None);
        logs.lock().unwrap().clone()
    };
    assert!(
        run(false).is_empty(),
        "no PDU dump at info level without x-debug-mode"
    );
    let dumped = run(true).join("\n");
    assert!(dumped.contains("Info sent submit_sm"), "{dumped}");
    assert_clean("the x-debug-mode log", &dumped);
}
