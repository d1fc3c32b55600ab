//! `esme demo`: what esme is for, in a few seconds, against the built-in simulator: mutual TLS
//! with a Java-style PKCS#12 keystore, a Genesys channel section, personal data masked in the
//! log, and one of the seed's TLS problems diagnosed (`demo/run.rs`). `esme demo --plain`: the
//! main job over plain TCP (below).
//!
//! Files: this one the command and the plain run; `demo/run.rs` the TLS run; `demo/pki.rs`
//! the PKI it makes; `demo/keystore.rs` writing a keystore as Java does; `demo/genesys.rs` the
//! seed's problems and the Genesys log lines; `demo/tempdir.rs` the folder removed at the end.

mod genesys;
mod keystore;
mod pki;
mod run;
mod tempdir;

use esme::client::{ConnectionState, Event, Message, Outcome};
use esme::config::Config;
use esme::receipt::ids_match;
use esme::sim::{SimConfig, Smsc};
use esme::Client;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme demo [--plain] [--log LEVEL]
  Shows what esme is for, against the built-in SMSC simulator on 127.0.0.1, in a few seconds.
  Makes a PKI in a temporary folder (a CA, the SMSC's certificate, our certificate in a PKCS#12
  keystore written as Java writes one, its file password different from its key password),
  starts the simulator with mutual TLS, binds with a Genesys channel section (printed with its
  passwords as ***), sends a message holding a card and a phone number and prints the debug
  log lines for it, masked, with the outcome and the receipt; then provokes two of the Genesys
  driver's TLS problems (a wrong key password, a certificate the SMSC does not trust) and
  prints esme's one-line diagnosis beside the Genesys log line it replaces. The folder is
  removed at the end, also on error. Exit status 0 when all of that happened as shown.
  --plain: the main job over plain TCP instead: a long UCS-2 and a GSM message with delivery
  receipts, and a mobile-originated message. --log LEVEL (or ESME_LOG): the client's and the
  simulator's log on standard error (error, warn, info, debug, trace), text and numbers masked.";

fn w(out: &mut dyn Write, s: String) -> Result<(), String> {
    writeln!(out, "{s}").map_err(|e| e.to_string())
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = crate::args::Args::parse("demo", args, &["--log"], &["--plain"])?;
    let level = crate::logging::level(&a)?;
    crate::logging::install(&a)?;
    if a.flag("--plain") {
        plain(out)
    } else {
        run::run(out, level)
    }
}

/// The main job over plain TCP.
fn plain(out: &mut impl Write) -> Result<ExitCode, String> {
    let sim = Smsc::start(SimConfig {
        receipt_delay: Duration::from_millis(200),
        ..SimConfig::default()
    })
    .map_err(|e| format!("cannot start the simulator: {e}"))?;
    w(out, format!("simulator   listening on {}", sim.addr()))?;
    let cfg = Config::builder("127.0.0.1", "demo")
        .port(sim.addr().port())
        .password("demo")
        .build()
        .map_err(|e| e.to_string())?;
    let client = Client::connect(&cfg).map_err(|e| e.to_string())?;
    if let ConnectionState::Bound { system_id } = client.state() {
        w(out, format!("bound       as transceiver to {system_id}"))?;
    }

    let long = "Здравствуйте! Ваш заказ №4711 отправлен и будет доставлен завтра с 9:00 до 13:00. \
                Отслеживание: https://example.org/t/4711 — спасибо, что выбрали нас!";
    let short = "Your code is 482913. Valid for 10 minutes; never share it (not even with us).";
    let mut expect = Vec::new();
    for (label, text) in [("UCS-2", long), ("GSM", short)] {
        let o = client
            .submit(
                &Message::text("447700900123", text)
                    .from("Shop")
                    .receipt(true),
            )
            .map_err(|e| e.to_string())?;
        match &o {
            Outcome::Accepted { message_ids } => {
                w(
                    out,
                    format!(
                        "sent        {label} message, {} characters in {} part(s): accepted, id {}",
                        text.chars().count(),
                        message_ids.len(),
                        message_ids.join(", ")
                    ),
                )?;
                expect.extend(message_ids.iter().cloned());
            }
            other => return Err(format!("the {label} message was not accepted: {other}")),
        }
    }

    let mo = "Hi, can I change my delivery time to the afternoon?";
    sim.send_mo("447700900123", "Shop", mo)
        .map_err(|e| e.to_string())?;

    let deadline = Instant::now() + Duration::from_secs(10);
    let mut got_mo = false;
    while (!expect.is_empty() || !got_mo) && Instant::now() < deadline {
        match client.poll_event(Some(Duration::from_millis(100))) {
            Some(Event::Receipt(r)) => {
                if let Some(rc) = &r.receipt {
                    if let Some(i) = expect.iter().position(|id| ids_match(id, &rc.id)) {
                        expect.swap_remove(i);
                        w(out, format!("receipt     {} {}", rc.id, rc.state.name()))?;
                    }
                }
            }
            Some(Event::Message(m)) => {
                got_mo = true;
                w(
                    out,
                    format!(
                        "received    from {}: \"{}\"",
                        esme::pdu::redact::masked_address(&m.from),
                        m.text.as_deref().unwrap_or("<binary>")
                    ),
                )?;
            }
            _ => {}
        }
    }
    client.close();
    let st = client.stats();
    w(
        out,
        format!(
            "closed      submitted {} accepted {} receipts {} messages {} (p50 latency {:.2} ms)",
            st.submitted,
            st.accepted,
            st.receipts_received,
            st.messages_received,
            st.latency_p50.map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        ),
    )?;
    if !expect.is_empty() || !got_mo {
        return Err("the demo did not see every receipt and the MO message within 10 s".into());
    }
    Ok(ExitCode::SUCCESS)
}
