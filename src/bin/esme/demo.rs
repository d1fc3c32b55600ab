//! `esme demo`: the main job in a few readable lines, against the built-in simulator.

use esme::client::{ConnectionState, Event, Message, Outcome};
use esme::config::Config;
use esme::receipt::ids_match;
use esme::sim::{SimConfig, Smsc};
use esme::Client;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme demo [--log LEVEL]
  Starts the built-in SMSC simulator on 127.0.0.1, binds a transceiver, sends a long UCS-2
  message and a GSM message with delivery receipts, receives a mobile-originated message,
  and prints what happened. --log LEVEL (or ESME_LOG): the client's and the simulator's log
  on standard error (error, warn, info, debug, trace), message text and numbers masked.";

fn w(out: &mut dyn Write, s: String) -> Result<(), String> {
    writeln!(out, "{s}").map_err(|e| e.to_string())
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = crate::args::Args::parse("demo", args, &["--log"], &[])?;
    crate::logging::install(&a)?;
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
