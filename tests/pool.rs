//! Several hosts, a pool of binds per channel, and reloads, against node-smpp's SMSC
//! (tests/interop/smsc.js) on loopback: every message accounted for against what each SMSC
//! recorded, under load, while SMSCs are killed and restarted and configurations change.

mod common;

use common::tls::{pki, renewed_client_p12};
use common::{field, NodeSmsc};
use esme::client::{ConnectionState, Event, Message, Outcome, Ticket};
use esme::config::{Config, ConfigBuilder, TlsMode};
use esme::Client;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
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

/// The tickets of several producers ([`load`]), each text prefixed with its producer's
/// number (their texts repeat from one producer to the next).
fn join_producers(
    producers: Vec<std::thread::JoinHandle<Vec<(String, Ticket)>>>,
) -> Vec<(String, Ticket)> {
    let mut tickets = Vec::new();
    for (k, p) in producers.into_iter().enumerate() {
        let made = p.join().unwrap();
        tickets.extend(made.into_iter().map(|(text, t)| (format!("{k}{text}"), t)));
    }
    tickets
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
    // A connection that has lasted a second is followed by a quick first reconnect attempt
    // (reconnect.rs, QUICK_FIRST): the failover measured is the one a running channel gets.
    std::thread::sleep(Duration::from_secs(1));

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
    let tickets = join_producers(producers);
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

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn a_reload_under_load_changing_the_client_certificate_loses_nothing() {
    let dir = std::env::temp_dir().join(format!("esme-pool-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let renewed = renewed_client_p12(&dir, "renewed", "changeit");
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
    let tickets = join_producers(producers);
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
    // Rate only: it applies to the bind in use, no new bind is made. 21 submits at 10/s,
    // spaced evenly, take at least 20 intervals of 100 ms (a lower bound: a slow machine
    // only makes it longer); before the reload there was no rate at all.
    let slower = base(&host).max_rate(Some(10)).build().unwrap();
    client.reload(&slower).unwrap();
    let start = Instant::now();
    let tickets: Vec<Ticket> = (0..21)
        .map(|i| {
            client
                .submit_async(&Message::text("1", format!("r{i}")))
                .unwrap()
        })
        .collect();
    for t in tickets {
        assert!(t.wait(Some(Duration::from_secs(30))).unwrap().is_accepted());
    }
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1900),
        "21 submits at 10/s in {took:?}"
    );
    assert_eq!(
        sim.stats().binds_ok,
        1,
        "the rate changed on the bind in use"
    );
    assert_eq!(client.binds().len(), 1);
    assert!(!client.binds()[0].draining);
    // A host that does not answer: the reload fails and the bind in use stays.
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_port = dead.local_addr().unwrap().port();
    drop(dead);
    let e = client
        .reload(&base(&format!("127.0.0.1:{dead_port}")).build().unwrap())
        .unwrap_err();
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

/// `x-smpp-tls-reload-files`: a mutual-TLS client of node-smpp's SMSC whose PKCS#12 file
/// (a copy of the test PKI's `client.p12`, CN `esme-client`) is replaced on disk during the
/// test. Returns the directory, the file, the SMSC and the client.
fn reload_files_setup(name: &str, reload: bool) -> (std::path::PathBuf, String, NodeSmsc, Client) {
    let dir = std::env::temp_dir().join(format!("esme-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let p12 = dir.join("client.p12").to_string_lossy().into_owned();
    std::fs::copy(pki("client.p12"), &p12).unwrap();
    let smsc = NodeSmsc::start_tls("server", true, &[]);
    let config = base(&format!("localhost:{}", smsc.port))
        .tls_mode(TlsMode::Mutual)
        .tls_ca_file(pki("ca.pem"))
        .tls_pkcs12_path(&p12)
        .tls_file_password("changeit")
        .tls_reload_files(reload)
        .build()
        .unwrap();
    let client = Client::connect(&config).unwrap();
    (dir, p12, smsc, client)
}

/// Replaces `path` with `bytes` the way a deployment tool does (written aside, renamed).
fn replace_file(path: &str, bytes: &[u8]) {
    let aside = format!("{path}.new");
    std::fs::write(&aside, bytes).unwrap();
    std::fs::rename(&aside, path).unwrap();
}

/// The SMSC closes the connection; returns the client certificate's subject the SMSC saw on
/// the client's next TLS handshake, once the client is bound again and a submit went through.
fn reconnect_subject(smsc: &mut NodeSmsc, client: &Client) -> String {
    smsc.sync();
    let from = smsc.seen.len();
    smsc.cmd(r#"{"cmd":"close"}"#);
    let tls = smsc.wait_for_from(from, |l| field(l, "event").as_deref() == Some("tls"));
    until(20, "bound again", || {
        client
            .binds()
            .iter()
            .all(|b| matches!(b.state, ConnectionState::Bound { .. }))
    });
    let o = client
        .submit(&Message::text("447700900123", "after"))
        .unwrap();
    assert!(o.is_accepted(), "{o:?}");
    field(&tls, "peer_subject").unwrap_or_else(|| panic!("no client certificate: {tls}"))
}

/// The warnings posted so far (other events are dropped).
fn warnings(client: &Client) -> Vec<String> {
    let mut w = Vec::new();
    while let Some(e) = client.poll_event(None) {
        if let Event::Warning(x) = e {
            w.push(x);
        }
    }
    w
}

/// Replaces the PKCS#12 file `p12` with `bytes`, which do not load, and makes the client
/// reconnect: the SMSC still sees the certificate loaded before, and one warning, one line,
/// names the file and the option, and no password. Returns the warning.
fn refused_replacement(smsc: &mut NodeSmsc, client: &Client, p12: &str, bytes: &[u8]) -> String {
    replace_file(p12, bytes);
    let subject = reconnect_subject(smsc, client);
    assert_eq!(subject, "CN=esme-client, O=esme tests");
    let w = warnings(client);
    let refused: Vec<&String> = w.iter().filter(|w| w.contains("cannot be used")).collect();
    assert_eq!(refused.len(), 1, "{w:?}");
    let r = refused[0].clone();
    println!("{r}");
    assert!(!r.contains('\n'), "{r}");
    assert!(
        r.contains(&format!("TLS file {p12} changed on disk")),
        "{r}"
    );
    assert!(r.contains("x-smpp-tls-reload-files"), "{r}");
    assert!(!r.contains("changeit"), "a password in it: {r}");
    r
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn a_pkcs12_replaced_on_disk_is_used_at_the_next_reconnect_and_a_broken_one_is_not() {
    let (dir, p12, mut smsc, client) = reload_files_setup("reload-files-on", true);
    let first = smsc.wait_for(|l| field(l, "event").as_deref() == Some("tls"));
    assert_eq!(
        field(&first, "peer_subject").as_deref(),
        Some("CN=esme-client, O=esme tests"),
        "{first}"
    );
    let days_before = client.stats().client_cert_days_left.unwrap();
    assert!(days_before > 30, "client.p12: {days_before} days left");
    warnings(&client);

    // Garbage, an expired certificate, a PKCS#12 with another password: each is refused
    // with one line saying why, and the certificate loaded before goes on being used.
    let w = refused_replacement(&mut smsc, &client, &p12, b"not a PKCS#12 file\n");
    assert!(w.contains("not a PKCS#12 file"), "{w}");
    let expired = std::fs::read(pki("client-expired.p12")).unwrap();
    let w = refused_replacement(&mut smsc, &client, &p12, &expired);
    assert!(w.contains("expired on 2021-01-01"), "{w}");
    let other = renewed_client_p12(&dir, "otherpass", "not-changeit");
    let w = refused_replacement(&mut smsc, &client, &p12, &std::fs::read(&other).unwrap());
    assert!(w.contains("password is wrong"), "{w}");
    assert_eq!(client.stats().client_cert_days_left, Some(days_before));

    // The file unchanged since: not read again, not warned about again.
    let subject = reconnect_subject(&mut smsc, &client);
    assert_eq!(subject, "CN=esme-client, O=esme tests");
    assert!(
        !warnings(&client)
            .iter()
            .any(|w| w.contains("cannot be used")),
        "warned twice about one file"
    );

    // A renewed certificate: used from the next reconnect, its expiry in the stats.
    let renewed = renewed_client_p12(&dir, "renewed", "changeit");
    replace_file(&p12, &std::fs::read(&renewed).unwrap());
    let subject = reconnect_subject(&mut smsc, &client);
    assert_eq!(subject, "O=esme tests, CN=esme-client-renewed");
    let days = client.stats().client_cert_days_left;
    assert!(matches!(days, Some(29 | 30)), "{days:?}");
    assert!(
        !warnings(&client)
            .iter()
            .any(|w| w.contains("cannot be used")),
        "a good file warned about"
    );
    client.close();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
#[ignore = "needs openssl and flock (the test PKI) and node-smpp (node, npm ci in tests/interop)"]
fn without_tls_reload_files_a_replaced_pkcs12_is_not_read_again() {
    let (dir, p12, mut smsc, client) = reload_files_setup("reload-files-off", false);
    let days_before = client.stats().client_cert_days_left;
    let renewed = renewed_client_p12(&dir, "renewed", "changeit");
    replace_file(&p12, &std::fs::read(&renewed).unwrap());
    for _ in 0..2 {
        let subject = reconnect_subject(&mut smsc, &client);
        assert_eq!(subject, "CN=esme-client, O=esme tests");
    }
    assert_eq!(client.stats().client_cert_days_left, days_before);
    client.close();
    let _ = std::fs::remove_dir_all(&dir);
}
