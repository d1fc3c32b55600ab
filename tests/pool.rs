//! Several hosts, a pool of binds per channel, and reloads, against node-smpp's SMSC
//! (tests/interop/smsc.js) on loopback: every message accounted for against what each SMSC
//! recorded, under load, while SMSCs are killed and restarted and configurations change.

mod common;

use common::tls::pki;
use common::{field, NodeSmsc};
use esme::client::{ConnectionState, Event, Message, Outcome, Ticket};
use esme::config::{Config, ConfigBuilder, TlsMode};
use esme::Client;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn base(hosts: &str) -> ConfigBuilder {
    Config::builder("127.0.0.1", "esme")
        .option("x-smpp-host", hosts)
        .unwrap()
        .password("pw")
        .window(20)
        .max_rate(None)
}

/// Waits (at most `secs`) until `f` holds; panics with `what` otherwise.
fn until(secs: u64, what: &str, mut f: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !f() {
        assert!(Instant::now() < deadline, "not within {secs} s: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// What the SMSCs recorded: text -> the message ids it was answered with (one per
/// successful answer), from the `submit_sm` events of every SMSC given.
fn answered(lines: &[&[String]]) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    for seen in lines {
        for l in seen.iter() {
            if field(l, "event").as_deref() != Some("submit_sm") {
                continue;
            }
            let (Some(text), Some(id)) = (field(l, "text"), field(l, "message_id")) else {
                continue;
            };
            if id != "null" && field(l, "command_status").as_deref() == Some("0") {
                m.entry(text.trim_matches('"').to_string())
                    .or_default()
                    .push(id.trim_matches('"').to_string());
            }
        }
    }
    m
}

/// Checks every outcome against what the SMSCs recorded: Accepted exactly as answered,
/// NotSent never answered, nothing accepted twice. Returns the count of each kind.
fn account(
    outcomes: &[(String, Outcome)],
    smscs: &HashMap<String, Vec<String>>,
) -> BTreeMap<&'static str, usize> {
    let mut kinds = BTreeMap::new();
    for (text, o) in outcomes {
        let got = smscs.get(text).cloned().unwrap_or_default();
        assert!(got.len() <= 1, "{text} accepted twice: {got:?}");
        let kind = match o {
            Outcome::Accepted { message_ids } => {
                assert_eq!(&got, message_ids, "{text}: {o:?}");
                "accepted"
            }
            Outcome::NotSent { why } => {
                assert!(
                    got.is_empty(),
                    "{text} NotSent ({why}) but answered {got:?}"
                );
                "not sent"
            }
            Outcome::Unknown { .. } => "unknown",
            Outcome::Rejected { .. } => panic!("{text}: {o:?}"),
        };
        *kinds.entry(kind).or_default() += 1;
    }
    kinds
}

/// Submits `m<i>` messages from one thread every `gap` until `stop`.
fn load(
    client: &Arc<Client>,
    stop: &Arc<AtomicBool>,
    gap: Duration,
    receipt: bool,
) -> std::thread::JoinHandle<Vec<(String, Ticket)>> {
    let (c, stop) = (client.clone(), stop.clone());
    std::thread::spawn(move || {
        let mut v = Vec::new();
        let mut i = 0;
        while !stop.load(Relaxed) {
            let text = format!("m{i}");
            let t = c
                .submit_async(&Message::text("447700900123", &text).receipt(receipt))
                .unwrap();
            v.push((text, t));
            i += 1;
            std::thread::sleep(gap);
        }
        v
    })
}

fn outcomes(tickets: Vec<(String, Ticket)>) -> Vec<(String, Outcome)> {
    tickets
        .into_iter()
        .map(|(text, t)| {
            let o = t
                .wait(Some(Duration::from_secs(120)))
                .unwrap_or_else(|| panic!("{text}: no outcome"));
            (text, o)
        })
        .collect()
}

#[test]
#[ignore = "needs node-smpp (node, and npm ci in tests/interop)"]
fn failover_under_load_to_the_next_host_and_back_when_the_first_returns() {
    let smsc1 = NodeSmsc::start(&[]);
    let mut smsc2 = NodeSmsc::start(&[]);
    let p1 = smsc1.port.to_string();
    let config = base(&format!("127.0.0.1:{p1}, 127.0.0.1:{}", smsc2.port))
        .failback_interval(Duration::from_secs(1))
        .build()
        .unwrap();
    let client = Arc::new(Client::connect(&config).unwrap());
    assert_eq!(client.binds()[0].host_index, 0, "{:?}", client.binds());
    let stop = Arc::new(AtomicBool::new(false));
    let producer = load(&client, &stop, Duration::from_millis(2), false);
    until(20, "traffic on the first host", || {
        client.stats().accepted > 200
    });

    let killed = Instant::now();
    let old1 = smsc1.quit(); // "killed": no unbind
    until(20, "the bind on the second host", || {
        client
            .binds()
            .iter()
            .any(|b| b.host_index == 1 && matches!(b.state, ConnectionState::Bound { .. }))
    });
    let failover = killed.elapsed();
    let at_kill = client.stats().accepted;
    until(20, "traffic on the second host", || {
        smsc2.count("submit_sm") > 100 && client.stats().accepted > at_kill + 100
    });
    let traffic = killed.elapsed();

    // The first host comes back on its port: the bind returns to it in the background.
    let back = Instant::now();
    let mut smsc1 = NodeSmsc::start(&["--port", &p1]);
    until(30, "traffic back on the first host", || {
        smsc1.count("submit_sm") > 100
    });
    until(30, "the second host's bind drained and closed", || {
        let b = client.binds();
        b.len() == 1 && b[0].host_index == 0 && !b[0].draining
    });
    let failback = back.elapsed();
    // The drained bind unbound cleanly.
    smsc2.wait_for(|l| field(l, "event").as_deref() == Some("unbind"));
    stop.store(true, Relaxed);
    let tickets = producer.join().unwrap();
    let outs = outcomes(tickets);
    client.close();
    smsc1.count("ack");
    smsc2.count("ack");
    let smscs = answered(&[&old1, &smsc2.seen, &smsc1.seen]);
    let kinds = account(&outs, &smscs);
    println!(
        "failover: bound on the second host {:.2} s after the kill, 100 accepted there after \
         {:.2} s; failback to the first host {:.2} s after its restart; outcomes {kinds:?}",
        failover.as_secs_f64(),
        traffic.as_secs_f64(),
        failback.as_secs_f64()
    );
    // Only what was in flight when the SMSC died can be unknown (window 20).
    assert!(
        kinds.get("unknown").copied().unwrap_or(0) <= 20,
        "{kinds:?}"
    );
    assert!(kinds["accepted"] > 300, "{kinds:?}");
}

#[test]
#[ignore = "needs node-smpp (node, and npm ci in tests/interop)"]
fn four_binds_share_the_submits_and_every_receipt_is_correlated() {
    let mut smsc = NodeSmsc::start(&[]);
    let config = base(&format!("127.0.0.1:{}", smsc.port))
        .sessions(4)
        .build()
        .unwrap();
    let client = Arc::new(Client::connect(&config).unwrap());
    until(20, "four binds at the SMSC", || smsc.count("bind") >= 4);
    let binds = client.binds();
    assert_eq!(binds.len(), 4, "{binds:?}");
    assert!(
        binds
            .iter()
            .all(|b| matches!(b.state, ConnectionState::Bound { .. })),
        "{binds:?}"
    );
    // Four submitters, receipts asked for.
    let stop = Arc::new(AtomicBool::new(false));
    let producers: Vec<_> = (0..4)
        .map(|_| load(&client, &stop, Duration::from_millis(1), true))
        .collect();
    until(20, "submits", || client.stats().submitted > 800);
    // One bind lost under load: the others go on; its in-flight messages are Unknown.
    smsc.cmd(r#"{"cmd":"close"}"#);
    until(20, "more submits after the loss", || {
        client.stats().submitted > 1600
    });
    stop.store(true, Relaxed);
    let mut tickets = Vec::new();
    for (k, p) in producers.into_iter().enumerate() {
        // The four threads' texts differ.
        tickets.extend(
            p.join()
                .unwrap()
                .into_iter()
                .map(|(text, t)| (format!("{k}{text}"), t)),
        );
    }
    let ids: HashMap<u64, String> = tickets.iter().map(|(x, t)| (t.id(), x.clone())).collect();
    let outs: Vec<(u64, Outcome)> = tickets
        .into_iter()
        .map(|(_, t)| (t.id(), t.wait(Some(Duration::from_secs(120))).unwrap()))
        .collect();
    let mut accepted: HashMap<u64, String> = HashMap::new();
    let mut unknown = 0;
    for (id, o) in &outs {
        match o {
            Outcome::Accepted { message_ids } => {
                accepted.insert(*id, message_ids[0].clone());
            }
            Outcome::Unknown { .. } => unknown += 1,
            o => panic!("{}: {o:?}", ids[id]),
        }
    }
    // Only what the lost bind had in flight (its window) can be unknown.
    assert!(unknown <= 20, "{unknown} unknown");
    // Every submit went through one of the four sessions, each got its share.
    smsc.count("ack");
    let mut per_session: BTreeMap<String, usize> = BTreeMap::new();
    for l in &smsc.seen {
        if field(l, "event").as_deref() == Some("submit_sm") {
            *per_session.entry(field(l, "session").unwrap()).or_default() += 1;
        }
    }
    assert!(per_session.len() >= 4, "{per_session:?}");
    assert!(
        per_session.values().filter(|&&n| n >= 50).count() >= 4,
        "{per_session:?}"
    );
    // Every accepted message gets its receipt, correlated to its ticket whichever bind
    // carried it, exactly once.
    let mut seen: HashSet<u64> = HashSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while seen.len() < accepted.len() && Instant::now() < deadline {
        if let Some(Event::Receipt(r)) = client.poll_event(Some(Duration::from_millis(200))) {
            let c = r
                .correlation
                .unwrap_or_else(|| panic!("receipt not correlated: {r:?}"));
            let t = c.ticket;
            // One part, one final receipt: the last event about that message.
            assert!(c.last && c.part == 1 && c.parts == 1, "{c:?}");
            let id = &r.receipt.as_ref().unwrap().id;
            assert_eq!(accepted.get(&t), Some(id), "ticket {t}");
            assert!(seen.insert(t), "two receipts for ticket {t}");
        }
    }
    assert_eq!(seen.len(), accepted.len(), "receipts correlated");
    // The lost bind came back: four binds again.
    until(20, "four binds bound again", || {
        client
            .binds()
            .iter()
            .filter(|b| matches!(b.state, ConnectionState::Bound { .. }))
            .count()
            == 4
    });
    println!(
        "{} accepted, {unknown} unknown, receipts all correlated; per session {per_session:?}",
        accepted.len()
    );
    client.close();
}

/// A client certificate made now, issued by the test PKI's intermediate CA (which the SMSC
/// trusts), with CN `esme-client-renewed`: a renewed certificate.
fn renewed_p12(dir: &std::path::Path) -> String {
    let run = |args: &[&str]| {
        let o = std::process::Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(o.status.success(), "openssl {args:?}: {o:?}");
    };
    std::fs::write(
        dir.join("ext.cnf"),
        "[ext]\nextendedKeyUsage = clientAuth\nkeyUsage = digitalSignature\n",
    )
    .unwrap();
    run(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "r.key",
        "-subj",
        "/O=esme tests/CN=esme-client-renewed",
        "-out",
        "r.csr",
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        "r.csr",
        "-CA",
        &pki("intermediate.pem"),
        "-CAkey",
        &pki("intermediate.key"),
        "-CAcreateserial",
        "-days",
        "30",
        "-extfile",
        "ext.cnf",
        "-extensions",
        "ext",
        "-out",
        "r.crt",
    ]);
    run(&[
        "pkcs12",
        "-export",
        "-inkey",
        "r.key",
        "-in",
        "r.crt",
        "-certfile",
        &pki("intermediate.pem"),
        "-name",
        "esme-client",
        "-passout",
        "pass:changeit",
        "-out",
        "renewed.p12",
    ]);
    dir.join("renewed.p12").to_string_lossy().into_owned()
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn a_reload_under_load_changing_the_client_certificate_loses_nothing() {
    let dir = std::env::temp_dir().join(format!("esme-pool-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let renewed = renewed_p12(&dir);
    let mut smsc = NodeSmsc::start_tls("server", true, &[]);
    let mutual = |p12: &str| {
        base(&format!("localhost:{}", smsc.port))
            .sessions(2)
            .tls_mode(TlsMode::Mutual)
            .tls_ca_file(pki("ca.pem"))
            .tls_pkcs12_path(p12)
            .tls_file_password("changeit")
    };
    let client = Arc::new(Client::connect(&mutual(&pki("client.p12")).build().unwrap()).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let producers: Vec<_> = (0..2)
        .map(|_| load(&client, &stop, Duration::from_millis(2), false))
        .collect();
    until(20, "traffic", || client.stats().accepted > 300);

    // A reload that fails validation, or whose file does not load, changes nothing.
    let bad = mutual(&pki("client.p12"))
        .tls_file_password("wrong")
        .build()
        .unwrap();
    let e = client.reload(&bad).unwrap_err();
    assert!(e.to_string().contains("password"), "{e}");
    let mut invalid = mutual(&pki("client.p12")).build().unwrap();
    invalid.window = 0;
    assert!(client.reload(&invalid).is_err());
    assert_eq!(client.binds().len(), 2);

    let before = client.stats().accepted;
    client
        .reload(&mutual(&renewed).build().unwrap())
        .expect("reload with the renewed certificate");
    until(30, "the old binds drained, the new ones in use", || {
        let b = client.binds();
        b.len() == 2 && b.iter().all(|b| !b.draining) && client.stats().accepted > before + 300
    });
    stop.store(true, Relaxed);
    let mut tickets = Vec::new();
    for (k, p) in producers.into_iter().enumerate() {
        tickets.extend(
            p.join()
                .unwrap()
                .into_iter()
                .map(|(text, t)| (format!("{k}{text}"), t)),
        );
    }
    let n = tickets.len();
    let outs = outcomes(tickets);
    client.close();
    // Nothing lost, nothing unknown, nothing not sent: every message accepted.
    let bad: Vec<_> = outs
        .iter()
        .filter(|(_, o)| !matches!(o, Outcome::Accepted { .. }))
        .collect();
    assert!(
        bad.is_empty(),
        "{} of {n} not accepted: {:?}",
        bad.len(),
        &bad[..bad.len().min(5)]
    );
    smsc.count("ack");
    let subjects: Vec<String> = smsc
        .seen
        .iter()
        .filter(|l| field(l, "event").as_deref() == Some("tls"))
        .filter_map(|l| field(l, "peer_subject"))
        .collect();
    assert!(
        subjects
            .iter()
            .any(|s| s.contains("CN=esme-client-renewed")),
        "{subjects:?}"
    );
    let unbinds = smsc
        .seen
        .iter()
        .filter(|l| field(l, "event").as_deref() == Some("unbind"))
        .count();
    assert!(unbinds >= 2, "the old binds unbound: {unbinds}");
    println!("{n} messages, all accepted across the reload");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_rate_changes_in_place_and_a_bad_reload_changes_nothing() {
    let sim = esme::sim::Smsc::start(esme::sim::SimConfig::default()).unwrap();
    let host = format!("127.0.0.1:{}", sim.addr().port());
    let client = Client::connect(&base(&host).build().unwrap()).unwrap();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    // Rate only: no new bind.
    let faster = base(&host).max_rate(Some(500)).build().unwrap();
    client.reload(&faster).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(client.binds().len(), 1);
    assert!(!client.binds()[0].draining);
    // A host that does not answer: the reload fails and the bind in use stays.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let e = client
        .reload(&base(&format!("127.0.0.1:{dead_port}")).build().unwrap())
        .unwrap_err();
    log.lock().unwrap().push(e.to_string());
    assert!(e.to_string().contains(&dead_port.to_string()), "{e}");
    assert_eq!(client.binds().len(), 1);
    assert!(client
        .submit(&Message::text("1", "still here"))
        .unwrap()
        .is_accepted());
    // Two binds now: the old one drains.
    client
        .reload(&base(&host).sessions(2).build().unwrap())
        .unwrap();
    until(10, "two new binds, the old one closed", || {
        let b = client.binds();
        b.len() == 2 && b.iter().all(|b| !b.draining)
    });
    assert!(client
        .submit(&Message::text("1", "after"))
        .unwrap()
        .is_accepted());
    client.close();
}

#[test]
fn esme_check_walks_every_host() {
    let sim = common::EsmeSmsc::start(&[]);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let dir = std::env::temp_dir().join(format!("esme-pool-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("c.cfg");
    std::fs::write(
        &cfg,
        format!(
            "[sms]\nx-smpp-host = 127.0.0.1:{dead_port}, 127.0.0.1:{}\nx-smpp-system-id = esme\npassword = pw\n",
            sim.port
        ),
    )
    .unwrap();
    let (code, out, err) = common::esme_run(&["check", "--config", cfg.to_str().unwrap()]);
    let _ = std::fs::remove_dir_all(&dir);
    // The first host fails, the second is still walked to its bind; exit 1 for the failure.
    assert_eq!(code, 1, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert!(
        lines[0].starts_with(&format!(
            "✓ options      valid: [sms] 127.0.0.1:{dead_port}, 127.0.0.1:{} as esme",
            sim.port
        )),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "✗ tcp          host 1 of 2 (127.0.0.1:{dead_port}): "
        ))),
        "{out}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "✓ bind         host 2 of 2 (127.0.0.1:{}): bound as transceiver",
            sim.port
        ))),
        "{out}"
    );
}
