//! `esme send`: submit messages with a channel configuration and print every outcome.

use crate::args::Args;
use esme::client::{Event, Message, Outcome};
use esme::config::Config;
use esme::Client;
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme send --config FILE [--set OPTION=VALUE]… --to ADDR --text TEXT [--from ADDR]
          [--count N] [--receipt] [--wait-receipts SECS] [--max-wait SECS] [--log LEVEL]
  Binds with the channel configuration (Genesys option names; --set overrides or adds one),
  submits the text N times (default 1), prints each outcome and a summary line:
    sent N accepted A rejected R unknown U not-sent S
  --receipt asks for delivery receipts and waits up to --wait-receipts (default 10) for them.
  Waiting for window space or a reconnect is bounded by --max-wait (default 30 s).
  Exit status: 0 when every message was accepted, 1 otherwise, 2 on bad usage or no bind.
  --log LEVEL (or ESME_LOG): the library's log on standard error (error, warn, info, debug,
  trace); message text and numbers in it are masked.";

/// The channel configuration: `--config FILE` then each `--set OPTION=VALUE`, or only the
/// `--set` pairs when there is no file. Validated.
pub fn load_config(a: &Args) -> Result<Config, String> {
    let mut sets = Vec::new();
    for kv in a.all("--set") {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--set {kv}: expected OPTION=VALUE"))?;
        sets.push((k.trim().to_string(), v.trim().to_string()));
    }
    match a.get("--config") {
        Some(path) => {
            let mut c = Config::from_file(std::path::Path::new(path)).map_err(|e| e.to_string())?;
            for (k, v) in &sets {
                c.set(k, v).map_err(|e| format!("--set {k}: {e}"))?;
            }
            c.validate().map_err(|e| e.to_string())?;
            Ok(c)
        }
        None => Config::from_options(sets).map_err(|e| e.to_string()),
    }
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = Args::parse(
        "send",
        args,
        &[
            "--config",
            "--set",
            "--to",
            "--text",
            "--from",
            "--count",
            "--wait-receipts",
            "--max-wait",
            "--log",
        ],
        &["--receipt"],
    )?;
    crate::logging::install(&a)?;
    let mut cfg = load_config(&a)?;
    let to = a.required("--to")?.to_string();
    let text = a.required("--text")?.to_string();
    let count: u64 = a.num("--count", 1, 1, 100_000_000)?;
    let wait_receipts: u64 = a.num("--wait-receipts", 10, 0, 3600)?;
    let max_wait: u64 = a.num("--max-wait", 30, 1, 86_400)?;
    cfg.submit_timeout = Duration::from_secs(max_wait);
    let receipt = a.flag("--receipt");
    let client = Client::connect(&cfg).map_err(|e| e.to_string())?;
    let mut msg = Message::text(to, text).receipt(receipt);
    if let Some(f) = a.get("--from") {
        msg = msg.from(f);
    }
    let tty = std::io::stdout().is_terminal();
    let verbose = count <= 100 || !tty;
    let mut index = HashMap::new();
    let (mut acc, mut rej, mut unk, mut ns) = (0u64, 0u64, 0u64, 0u64);
    let mut ids = Vec::new();
    let mut done = 0u64;
    let started = Instant::now();
    let mut last_progress = Instant::now();
    let mut record = |n: u64, o: &Outcome, out: &mut dyn Write, done: &mut u64| {
        *done += 1;
        match o {
            Outcome::Accepted { message_ids } => {
                acc += 1;
                if receipt {
                    ids.extend(message_ids.iter().cloned());
                }
            }
            Outcome::Rejected { .. } => rej += 1,
            Outcome::Unknown { .. } => unk += 1,
            Outcome::NotSent { .. } => ns += 1,
        }
        if verbose {
            let _ = writeln!(out, "{n} {}", o.summary());
        }
    };
    let mut events = Vec::new();
    for n in 1..=count {
        match client.submit_async(&msg) {
            Ok(t) => {
                index.insert(t.id(), n);
            }
            Err(e) => return Err(e.to_string()),
        }
        // Drain outcomes as they come so memory stays flat on large counts.
        while let Some(e) = client.poll_event(None) {
            match e {
                Event::Outcome { ticket, outcome } => {
                    let n = index.remove(&ticket).unwrap_or(0);
                    record(n, &outcome, out, &mut done);
                }
                Event::Warning(w) => eprintln!("esme send: warning: {w}"),
                other => events.push(other),
            }
        }
        if !verbose && last_progress.elapsed() > Duration::from_millis(200) {
            last_progress = Instant::now();
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            eprint!("\r{done}/{count} done, {rate:.0} msg/s   ");
        }
    }
    // Every message gets its outcome: the submit timeout bounds the queued ones, the
    // response timeout the ones in flight.
    let bound =
        Instant::now() + cfg.submit_timeout + cfg.response_timeout * 2 + Duration::from_secs(5);
    while done < count && Instant::now() < bound {
        match client.poll_event(Some(Duration::from_millis(200))) {
            Some(Event::Outcome { ticket, outcome }) => {
                let n = index.remove(&ticket).unwrap_or(0);
                record(n, &outcome, out, &mut done);
            }
            Some(other) => events.push(other),
            None => {}
        }
    }
    if !verbose {
        eprintln!();
    }
    if receipt && !ids.is_empty() {
        let mut pending: Vec<String> = ids;
        let until = Instant::now() + Duration::from_secs(wait_receipts);
        let handle = |e: Event, pending: &mut Vec<String>, out: &mut dyn Write| {
            if let Event::Receipt(r) = e {
                if let Some(rc) = &r.receipt {
                    if let Some(i) = pending
                        .iter()
                        .position(|id| esme::receipt::ids_match(id, &rc.id))
                    {
                        pending.swap_remove(i);
                        let _ = writeln!(out, "receipt {} {}", rc.id, rc.state.name());
                    }
                }
            }
        };
        for e in events.drain(..) {
            handle(e, &mut pending, out);
        }
        while !pending.is_empty() && Instant::now() < until {
            if let Some(e) = client.poll_event(Some(Duration::from_millis(200))) {
                handle(e, &mut pending, out);
            }
        }
        if !pending.is_empty() {
            let _ = writeln!(
                out,
                "no receipt within {wait_receipts} s for {} message part(s)",
                pending.len()
            );
        }
    }
    client.close();
    let missing = count - done;
    writeln!(
        out,
        "sent {count} accepted {acc} rejected {rej} unknown {} not-sent {ns}",
        unk + missing
    )
    .map_err(|e| e.to_string())?;
    Ok(if acc == count {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
