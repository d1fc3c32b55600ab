//! `esme send`: submit messages with a channel configuration and print every outcome.

use crate::args::Args;
use esme::client::{ConnectionState, Event, Message, Outcome};
use esme::config::{Config, Opt};
use esme::{Client, Error};
use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme send --config FILE [--set OPTION=VALUE]… --to ADDR --text TEXT [--from ADDR]
          [--count N] [--receipt] [--wait-receipts SECS] [--max-wait SECS] [--stats SECS]
          [--log LEVEL]
  Binds with the channel configuration (Genesys option names; --set overrides or adds one),
  submits the text N times (default 1), prints one line per message with its outcome and
  always ends with a summary line:
    sent N accepted A rejected R unknown U not-sent S
  --receipt asks for delivery receipts and waits up to --wait-receipts (default 10) for them.
  --max-wait bounds the wait for window space, the rate limit or a reconnect (default: the
  configuration's submit timeout); once the link has been down that long, every message
  still waiting and every later one is not sent at once: one deadline for the whole
  backlog, not one per message.
  --stats SECS prints the numbers an operator watches on standard error every SECS seconds
  while it runs, and once at the end, one line each:
    stats 2.0s binds 1/1 submit/s 950.0 window 12/50 latency p50 1.1ms p99 3.9ms throttled 0
    accepted 1900 rejected 0 unknown 0 not-sent 0 receipts 1850 matched 1850 unmatched 0
    lag p50 0.2ms p99 0.9ms reconnects 0 bytes in 120044 out 98520 cert client - smsc 4d
  (as one line; `-` where there is nothing yet; cert: days left, ours and the SMSC's).
  Exit status: 0 every message accepted; 1 some were not (each line says why); 2 bad usage,
  bad configuration, or the first connect or bind failed (nothing sent); 3 the client gave
  up reconnecting (its reconnect attempts ran out) during the run: the messages it could
  not take are reported not sent.
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

/// What the run counted, and its output lines.
struct Tally {
    /// Message number (1-based) of each ticket still without an outcome.
    index: HashMap<u64, u64>,
    accepted: u64,
    rejected: u64,
    unknown: u64,
    not_sent: u64,
    /// Message ids of accepted messages, when receipts are awaited.
    ids: Option<Vec<String>>,
    verbose: bool,
    /// Outcome texts name `--max-wait` instead of the option it set.
    max_wait_given: bool,
}

impl Tally {
    fn done(&self) -> u64 {
        self.accepted + self.rejected + self.unknown + self.not_sent
    }

    fn record(&mut self, n: u64, o: &Outcome, out: &mut dyn Write) {
        match o {
            Outcome::Accepted { message_ids } => {
                self.accepted += 1;
                if let Some(ids) = &mut self.ids {
                    ids.extend(message_ids.iter().cloned());
                }
            }
            Outcome::Rejected { .. } => self.rejected += 1,
            Outcome::Unknown { .. } => self.unknown += 1,
            Outcome::NotSent { .. } => self.not_sent += 1,
        }
        if self.verbose {
            let mut line = o.summary();
            if self.max_wait_given {
                line = line.replace(Opt::SubmitTimeout.name(), "--max-wait");
            }
            let _ = writeln!(out, "{n} {line}");
        }
    }

    /// Takes one event: an outcome is recorded, a warning printed, a disconnect remembered;
    /// the others are kept (receipts).
    fn event(&mut self, e: Event, out: &mut dyn Write, st: &mut RunState) {
        match e {
            Event::Outcome {
                ticket, outcome, ..
            } => match self.index.remove(&ticket) {
                Some(n) => self.record(n, &outcome, out),
                None => eprintln!("esme send: an outcome for an unknown ticket {ticket}"),
            },
            Event::Warning(w) => eprintln!("esme send: warning: {w}"),
            Event::Connection(ConnectionState::Disconnected { why }) => st.last_down = Some(why),
            other => st.events.push(other),
        }
    }
}

/// Events kept for later, and the last reason the link went down.
#[derive(Default)]
struct RunState {
    events: Vec<Event>,
    last_down: Option<String>,
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
            "--stats",
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
    let max_wait_given = a.get("--max-wait").is_some();
    if max_wait_given {
        let max_wait: u64 = a.num("--max-wait", 30, 1, 86_400)?;
        cfg.submit_timeout = Duration::from_secs(max_wait);
    }
    let receipt = a.flag("--receipt");
    let stats_every = match a.get("--stats") {
        Some(_) => Some(Duration::from_secs(a.num("--stats", 1, 1, 3600)?)),
        None => None,
    };
    let client = Client::connect(&cfg).map_err(|e| e.to_string())?;
    let mut msg = Message::text(to, text).receipt(receipt);
    if let Some(f) = a.get("--from") {
        msg = msg.from(f);
    }
    // The numbers, every --stats SECS on standard error, from a thread of their own while
    // the run goes on (and once at the end).
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        if let Some(every) = stats_every {
            let (client, stop) = (&client, &stop);
            scope.spawn(move || {
                let started = Instant::now();
                let mut next = started + every;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let now = Instant::now();
                    if now >= next {
                        eprintln!("{}", stats_line(&client.stats(), started.elapsed()));
                        next += every;
                    }
                    std::thread::sleep((next - now.min(next)).min(Duration::from_millis(50)));
                }
            });
        }
        let started = Instant::now();
        let r = (|| -> Result<ExitCode, String> {
            let tty = std::io::stdout().is_terminal();
            let mut t = Tally {
                index: HashMap::new(),
                accepted: 0,
                rejected: 0,
                unknown: 0,
                not_sent: 0,
                ids: receipt.then(Vec::new),
                verbose: count <= 100 || !tty,
                max_wait_given,
            };
            let mut st = RunState::default();
            let started = Instant::now();
            let mut last_progress = Instant::now();
            let mut submitted = 0u64;
            // Why the client stopped taking messages, when it did before the last one.
            let mut refused: Option<String> = None;
            for n in 1..=count {
                match client.submit_async(&msg) {
                    Ok(ticket) => {
                        t.index.insert(ticket.id(), n);
                        submitted = n;
                    }
                    // The client closed for good (it gave up reconnecting): the rest get their line
                    // below, after the outcomes of those it took.
                    Err(Error::Closed) => {
                        // Its last Disconnected event, just before Closed, says why.
                        let until = Instant::now() + Duration::from_secs(1);
                        while Instant::now() < until {
                            match client.poll_event(Some(Duration::from_millis(50))) {
                                Some(Event::Connection(ConnectionState::Closed)) => break,
                                Some(e) => t.event(e, out, &mut st),
                                None => {}
                            }
                        }
                        refused = Some(match &st.last_down {
                            Some(why) => format!("the client closed: {why}"),
                            None => "the client closed".to_string(),
                        });
                        break;
                    }
                    // The message itself cannot be sent (the same for every copy): nothing was.
                    Err(e) if n == 1 => return Err(e.to_string()),
                    Err(e) => {
                        refused = Some(e.to_string());
                        break;
                    }
                }
                // Drain outcomes as they come so memory stays flat on large counts.
                while let Some(e) = client.poll_event(None) {
                    t.event(e, out, &mut st);
                }
                if !t.verbose && last_progress.elapsed() > Duration::from_millis(200) {
                    last_progress = Instant::now();
                    let done = t.done();
                    let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
                    eprint!("\r{done}/{count} done, {rate:.0} msg/s   ");
                }
            }
            // Every message submitted gets its outcome within the submit timeout (the outage limit
            // included) plus the response timeout; close() ends whatever is left after that.
            let bound =
                Instant::now() + cfg.submit_timeout + cfg.response_timeout + Duration::from_secs(5);
            while t.done() < submitted && Instant::now() < bound {
                if let Some(e) = client.poll_event(Some(Duration::from_millis(200))) {
                    t.event(e, out, &mut st);
                }
            }
            if !t.verbose {
                eprintln!();
            }
            if let Some(ids) = t.ids.take().filter(|ids| !ids.is_empty()) {
                let mut pending: Vec<String> = ids;
                let until = Instant::now() + Duration::from_secs(wait_receipts);
                let mut kept = std::mem::take(&mut st.events).into_iter();
                while !pending.is_empty() {
                    let e = match kept.next() {
                        Some(e) => e,
                        None if Instant::now() < until => {
                            match client.poll_event(Some(Duration::from_millis(200))) {
                                Some(e) => e,
                                None => continue,
                            }
                        }
                        None => break,
                    };
                    match e {
                        Event::Receipt(r) => {
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
                        e @ Event::Outcome { .. } => t.event(e, out, &mut st),
                        _ => {}
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
            // close() gives every message still open its outcome (queued: not sent; written and
            // unanswered within the close timeout: unknown), reported as events: read them all.
            client.close();
            while let Some(e) = client.poll_event(None) {
                if let Event::Outcome { .. } = e {
                    t.event(e, out, &mut st);
                }
            }
            // Never submitted: the client had closed.
            if let Some(why) = &refused {
                for n in submitted + 1..=count {
                    t.record(
                        n,
                        &Outcome::NotSent {
                            why: format!("not submitted: {why}"),
                        },
                        out,
                    );
                }
            }
            // Nothing is left without an outcome (the client's contract); should one be, it is
            // still a line of its own and counted.
            let mut left: Vec<u64> = t.index.drain().map(|(_, n)| n).collect();
            left.sort_unstable();
            for n in left {
                let why = "no outcome was reported for it (please report this)".to_string();
                t.record(
                    n,
                    &Outcome::Unknown {
                        why,
                        message_ids: Vec::new(),
                    },
                    out,
                );
            }
            writeln!(
                out,
                "sent {count} accepted {} rejected {} unknown {} not-sent {}",
                t.accepted, t.rejected, t.unknown, t.not_sent
            )
            .map_err(|e| e.to_string())?;
            Ok(if refused.is_some() {
                ExitCode::from(3)
            } else if t.accepted == count {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        })();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if stats_every.is_some() {
            eprintln!("{}", stats_line(&client.stats(), started.elapsed()));
        }
        r
    })
}

/// One line of `--stats`.
fn stats_line(s: &esme::client::Stats, elapsed: Duration) -> String {
    let d = |d: Option<Duration>| match d {
        Some(d) if d >= Duration::from_secs(1) => format!("{:.2}s", d.as_secs_f64()),
        Some(d) => format!("{:.1}ms", d.as_secs_f64() * 1000.0),
        None => "-".into(),
    };
    let days = |d: Option<i64>| d.map_or("-".into(), |d| format!("{d}d"));
    format!(
        "stats {:.1}s binds {}/{} submit/s {:.1} window {}/{} latency p50 {} p99 {} throttled {} \
         accepted {} rejected {} unknown {} not-sent {} receipts {} matched {} unmatched {} \
         lag p50 {} p99 {} reconnects {} bytes in {} out {} cert client {} smsc {}",
        elapsed.as_secs_f64(),
        s.binds_up,
        s.binds_configured,
        s.submits_per_second,
        s.in_flight,
        s.window_size,
        d(s.latency_p50),
        d(s.latency_p99),
        s.throttled,
        s.accepted,
        s.rejected,
        s.unknown,
        s.not_sent,
        s.receipts_received,
        s.receipts_matched,
        s.receipts_unmatched,
        d(s.receipt_lag_p50),
        d(s.receipt_lag_p99),
        s.reconnects,
        s.bytes_in,
        s.bytes_out,
        days(s.client_cert_days_left),
        days(s.smsc_cert_days_left),
    )
}
