//! The demo's TLS run: the PKI, the simulator with mutual TLS, the channel section, a message
//! with personal data and its masked log lines, then two of the seed's problems diagnosed.

use super::genesys::{Problem, KEY_PASSWORD, NOT_TRUSTED_BY_SMSC};
use super::pki::{self, Pki, FILE_PASSWORD, KEY_PASSWORD as KEY_PASS};
use super::tempdir::TempDir;
use super::w;
use esme::client::{ConnectionState, Event, Message, Outcome};
use esme::config::{Config, Opt};
use esme::log::{set_sink, Level, Record};
use esme::receipt::ids_match;
use esme::sim::{SimConfig, SimTls, Smsc};
use esme::Client;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// The channel's name, as a Genesys configuration names its section.
const CHANNEL: &str = "channel-demo";
const SYSTEM_ID: &str = "demo";
/// The bind password (Genesys allows at most 8 characters).
const BIND_PASSWORD: &str = "Bind-pw8";
/// The message: a payment card and a phone number, as a bank's text might hold them.
pub const TO: &str = "447700900123";
pub const TEXT: &str =
    "Card 4539 1488 0343 6467 was charged GBP 42.00. Not you? Call +44 7700 900123 now.";
/// Where the first column of the output ends.
const INDENT: &str = "            ";

/// The log records of the client, kept as the CLI's `--log` would print them, while the
/// guard lives; with `--log LEVEL` they also go on standard error as before.
struct Captured {
    lines: Arc<Mutex<Vec<String>>>,
    also: Option<Level>,
}

impl Captured {
    fn start(also: Option<Level>) -> Captured {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        set_sink(Some((
            Arc::new(move |r: &Record<'_>| {
                if r.target == "esme::pdu" && r.level <= Level::Debug {
                    let line = format!("{:?} {}: {}", r.level, r.target, r.message);
                    sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
                if also.is_some_and(|min| r.level <= min) {
                    crate::logging::write_record(r);
                }
            }),
            also.map_or(Level::Debug, |min| min.max(Level::Debug)),
        )));
        Captured { lines, also }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Captured {
    fn drop(&mut self) {
        // Back to what `--log` installed (or nothing).
        crate::logging::set(self.also);
    }
}

/// The channel section: Genesys option names, the keystore and its two passwords.
fn section(port: u16, keystore: &Path, key_password: &str) -> String {
    let mut s = format!("[{CHANNEL}]\n");
    for (opt, value) in [
        (Opt::Host, "127.0.0.1".to_string()),
        (Opt::Port, port.to_string()),
        (Opt::SystemId, SYSTEM_ID.to_string()),
        (Opt::Password, BIND_PASSWORD.to_string()),
        (Opt::TlsMode, "mutual".to_string()),
        (Opt::TlsPathToCertificate, keystore.display().to_string()),
        (Opt::TlsCertificateFilePassword, FILE_PASSWORD.to_string()),
        (Opt::TlsCertificatePassword, key_password.to_string()),
    ] {
        s.push_str(&format!("{opt} = {value}\n"));
    }
    s
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
}

/// The wall clock as the Genesys log shows it: `HH:MM:SS.mmm` (UTC).
fn clock() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let s = d.as_secs() % 86_400;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        d.subsec_millis()
    )
}

/// Connects with a configuration that has `problem`, and prints esme's diagnosis beside the
/// Genesys log line; an error unless esme gives the problem's code.
fn provoke(
    out: &mut dyn Write,
    problem: &Problem,
    what: &str,
    config: &Config,
) -> Result<(), String> {
    w(out, format!("problem     \"{}\": {what}", problem.seed))?;
    let e = match Client::connect(config) {
        Ok(c) => {
            c.close();
            return Err(format!("the bind succeeded with {what}"));
        }
        Err(e) => e,
    };
    if e.code() != problem.code {
        return Err(format!(
            "esme said {} ({e}) where {} was expected",
            e.code(),
            problem.code
        ));
    }
    w(out, format!("esme says   error {}: {e}", e.code()))?;
    w(
        out,
        format!("instead of  {}", problem.genesys_line(&clock(), CHANNEL)),
    )
}

pub fn run(out: &mut impl Write, log: Option<Level>) -> Result<ExitCode, String> {
    let dir = TempDir::new("esme-demo").map_err(|e| format!("the demo's folder: {e}"))?;
    let pki = pki::make(dir.path())?;
    let Pki {
        ca_pem,
        smsc_pem,
        smsc_key,
        client_p12,
        other_p12,
        client_subject,
    } = &pki;
    w(
        out,
        format!(
            "pki         {}: {} (a CA), {} + {} (the SMSC), {} (our key and certificate, \
             and the CA as a trusted entry: a PKCS#12 keystore as Java writes it, its file and \
             key passwords differ)",
            dir.path().display(),
            file_name(ca_pem),
            file_name(smsc_pem),
            file_name(smsc_key),
            file_name(client_p12)
        ),
    )?;

    let tls = SimTls::from_pem_files(smsc_pem, smsc_key, Some(ca_pem))
        .map_err(|e| format!("the simulator's TLS: {e}"))?;
    let sim = Smsc::start(SimConfig {
        tls: Some(tls),
        credentials: vec![(SYSTEM_ID.into(), BIND_PASSWORD.into())],
        receipt_delay: Duration::from_millis(100),
        ..SimConfig::default()
    })
    .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let port = sim.addr().port();
    w(
        out,
        format!(
            "simulator   {}: TLS 1.2 and 1.3, client certificates issued by {} only",
            sim.addr(),
            file_name(ca_pem)
        ),
    )?;

    let text = section(port, client_p12, KEY_PASS);
    let channel_file = dir.path().join("channel.cfg");
    std::fs::write(&channel_file, &text)
        .map_err(|e| format!("cannot write {}: {e}", channel_file.display()))?;
    let config = Config::from_file(&channel_file).map_err(|e| e.to_string())?;
    w(
        out,
        format!(
            "channel     {}, Genesys option names:",
            file_name(&channel_file)
        ),
    )?;
    for line in Config::masked_section(&text).lines() {
        w(out, format!("{INDENT}{line}"))?;
    }

    let log = Captured::start(log);
    let client = Client::connect(&config).map_err(|e| e.to_string())?;
    let ConnectionState::Bound { system_id } = client.state() else {
        return Err("not bound after connect".into());
    };
    let version = client
        .tls_handshake()
        .map_or_else(|| "?".to_string(), |h| h.version);
    w(
        out,
        format!(
            "bound       as transceiver to {system_id} over mutual TLS ({version}) with {}: \
             the SMSC's certificate checked against its trusted entry, ours \
             ({client_subject}) sent, its key opened with the key password",
            file_name(client_p12)
        ),
    )?;

    w(out, format!("message     to {TO}: \"{TEXT}\""))?;
    let outcome = client
        .submit(&Message::text(TO, TEXT).from("Bank").receipt(true))
        .map_err(|e| e.to_string())?;
    let Outcome::Accepted { message_ids } = &outcome else {
        return Err(format!("the message was not accepted: {outcome}"));
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut receipt = None;
    while receipt.is_none() && Instant::now() < deadline {
        if let Some(Event::Receipt(r)) = client.poll_event(Some(Duration::from_millis(100))) {
            if let Some(rc) = r.receipt {
                if message_ids.iter().any(|id| ids_match(id, &rc.id)) {
                    receipt = Some(rc);
                }
            }
        }
    }
    client.close();
    let stats = client.stats();
    let lines = log.take();
    drop(log);
    for l in lines
        .iter()
        .filter(|l| l.contains(" submit_sm") || l.contains(" deliver_sm"))
    {
        w(out, format!("log         {l}"))?;
    }
    w(
        out,
        format!("outcome     accepted, id {}", message_ids.join(", ")),
    )?;
    let receipt = receipt.ok_or("no delivery receipt within 10 s")?;
    w(
        out,
        format!("receipt     {} {}", receipt.id, receipt.state.name()),
    )?;

    let mixed_up =
        Config::parse_str(&section(port, client_p12, FILE_PASSWORD)).map_err(|e| e.to_string())?;
    provoke(
        out,
        &KEY_PASSWORD,
        &format!("{} = the file password", Opt::TlsCertificatePassword),
        &mixed_up,
    )?;
    let other =
        Config::parse_str(&section(port, other_p12, KEY_PASS)).map_err(|e| e.to_string())?;
    provoke(
        out,
        &NOT_TRUSTED_BY_SMSC,
        &format!(
            "{}, whose certificate another CA issued",
            file_name(other_p12)
        ),
        &other,
    )?;

    w(
        out,
        format!(
            "closed      submitted {} accepted {} receipts {} (p50 latency {:.2} ms)",
            stats.submitted,
            stats.accepted,
            stats.receipts_received,
            stats.latency_p50.map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        ),
    )?;
    drop(sim);
    let shown = dir.path().display().to_string();
    dir.remove()
        .map_err(|e| format!("cannot remove {shown}: {e}"))?;
    w(out, format!("removed     {shown}"))?;
    Ok(ExitCode::SUCCESS)
}
