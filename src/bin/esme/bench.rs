//! `esme bench`: the client against the simulator (in-process) or any SMSC, as fast as the
//! window allows, with an interface that lets it stand in a table beside other clients.

use crate::args::Args;
use esme::client::{Event, Message, Outcome};
use esme::config::{BindMode, Config, TlsMode, TlsVersion};
use esme::sim::{SimConfig, SimTls, Smsc};
use esme::text::Encoding;
use esme::Client;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme bench [-n N] [-w W] [--sessions K [--pool]] [--host H --port P]
           [--tls [--ca CA.pem] [--cert C.pem --key K.pem | --p12 F --p12-password PW]
                  [--tls-version 1.2|1.3] [--tls-dir DIR] [--handshakes N]]
           [--size CHARS] [--warmup N] [--json]
  Binds as a transmitter (system_id `bench`, password `secret`) and sends N submit_sm
  (default 100000; --count is the same) with at most W outstanding (default 64; --window is
  the same): source 0/0 `12345`, destination 0/0 `31600000000`, data_coding 0, the 24-octet
  text `bench message 0123456789` (or SIZE characters with --size). The clock starts at
  bind_resp (after --warmup messages, default 0) and stops at the N-th response.
  Against --host/--port (or --smsc HOST:PORT), else the built-in simulator started
  in-process. --sessions K binds K clients in one process and splits N among them (one
  submitting thread each); the rate is the aggregate. --pool makes them one client with a
  pool of K binds (each with window W), fed by K submitting threads.
  Prints the outcomes, response latency p50/p99 (at window 1: each submit's round trip as
  the caller sees it; else the time from write to response), the process's CPU time per
  message (user + system; with the in-process simulator this includes the simulator), and as
  its last line:
    esme client: N msgs in T s = R msg/s (window W)
  Exit status 0 when every message was accepted. --json prints one JSON line instead.
  --tls: TLS to the SMSC, verified against --ca (the in-process simulator uses --tls-dir DIR,
  holding server.pem, server.key and ca.pem as made by tests/tls/make-pki.sh). Mutual TLS with
  --p12 (and --p12-password) or --cert/--key (PEM). --tls-version pins one version (default:
  1.2 or 1.3, whichever the SMSC prefers). --handshakes N also times N full and N resumed
  handshakes.";

/// A JSON number with `decimals` decimals, or `null` when unknown (NaN is not JSON).
fn json_num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "null".into()
    }
}

/// User + system CPU time of this process, from /proc/self/stat (Linux), in seconds.
pub(crate) fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat are utime and stime; `rest` starts at field 3.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

/// A number from /proc/self/status (Linux), e.g. `Threads:` or `VmRSS:` (in kB).
fn proc_status(key: &str) -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Threads of this process.
pub(crate) fn threads() -> Option<u64> {
    proc_status("Threads:")
}

/// Resident set size of this process in kB.
pub(crate) fn rss_kb() -> Option<u64> {
    proc_status("VmRSS:")
}

/// Outcome counts: accepted, rejected, unknown, not sent.
type Counts = [u64; 4];

fn count(o: Option<Outcome>, c: &mut Counts) {
    match o {
        Some(Outcome::Accepted { .. }) => c[0] += 1,
        Some(Outcome::Rejected { .. }) => c[1] += 1,
        Some(Outcome::Unknown { .. }) | None => c[2] += 1,
        Some(Outcome::NotSent { .. }) => c[3] += 1,
    }
}

/// Sends `n` messages with blocking submits (window 1), timing each round trip as the
/// caller sees it (µs).
fn run_blocking(client: &Client, msg: &Message, n: u64, rtt: &mut Vec<u64>) -> Counts {
    let mut counts = [0; 4];
    for _ in 0..n {
        let t = Instant::now();
        let o = client.submit(msg).ok();
        rtt.push(t.elapsed().as_micros() as u64);
        count(o, &mut counts);
    }
    counts
}

/// Sends `n` messages asynchronously (the window throttles `submit_async`) and counts their
/// outcomes from the events, as a C program does (`esme_client_submit_async` keeps no
/// ticket): the outcomes are collected while submitting, then the rest (at most twice the
/// window: the window and the queue behind it) after the last submit. A message whose outcome has not come 120 s after the last
/// submit counts as unknown.
fn run_batch(client: &Client, msg: &Message, n: u64, progress: bool) -> Result<Counts, String> {
    let progress = progress && std::io::stderr().is_terminal() && n >= 10_000;
    let mut last = Instant::now();
    let mut counts = [0; 4];
    let take = |e: Event, counts: &mut Counts| {
        if let Event::Outcome { outcome, .. } = e {
            count(Some(outcome), counts);
        }
    };
    for i in 0..n {
        // The ticket is dropped: the outcome comes only as an event.
        client.submit_async(msg).map_err(|e| e.to_string())?;
        while let Some(e) = client.poll_event(None) {
            take(e, &mut counts);
        }
        if progress && last.elapsed() >= Duration::from_millis(250) {
            last = Instant::now();
            eprint!("\r{i}/{n} submitted   ");
        }
    }
    if progress {
        eprint!("\r{:40}\r", "");
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let counted: u64 = counts.iter().sum();
        if counted >= n {
            break;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        match client.poll_event(Some(left)) {
            Some(e) => take(e, &mut counts),
            None => {
                counts[2] += n - counted;
                break;
            }
        }
    }
    Ok(counts)
}

/// `n` async submits from `k` threads into one client (a pool of binds). Each thread takes
/// the outcomes waiting between its submits, as each of `k` separate clients' threads does
/// ([`run_batch`]), then all wait for the rest.
fn run_pool(client: &Client, msg: &Message, n: u64, k: u64) -> Result<Counts, String> {
    use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
    let done = AtomicU64::new(0);
    let results: Vec<Result<Counts, String>> = std::thread::scope(|s| {
        let hs: Vec<_> = (0..k)
            .map(|i| {
                let m = n / k + u64::from(i < n % k);
                let done = &done;
                s.spawn(move || -> Result<Counts, String> {
                    let mut counts = [0; 4];
                    let take = |e: Event, counts: &mut Counts| {
                        if let Event::Outcome { outcome, .. } = e {
                            count(Some(outcome), counts);
                            done.fetch_add(1, Relaxed);
                        }
                    };
                    for _ in 0..m {
                        client.submit_async(msg).map_err(|e| e.to_string())?;
                        while let Some(e) = client.poll_event(None) {
                            take(e, &mut counts);
                        }
                    }
                    let deadline = Instant::now() + Duration::from_secs(120);
                    while done.load(Relaxed) < n && Instant::now() < deadline {
                        if let Some(e) = client.poll_event(Some(Duration::from_millis(10))) {
                            take(e, &mut counts);
                        }
                    }
                    Ok(counts)
                })
            })
            .collect();
        hs.into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("a submitting thread panicked".into()))
            })
            .collect()
    });
    let mut counts = [0; 4];
    for r in results {
        for (k, v) in r?.iter().enumerate() {
            counts[k] += v;
        }
    }
    let counted: u64 = counts.iter().sum();
    counts[2] += n.saturating_sub(counted);
    Ok(counts)
}

fn pct(sorted: &[u64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 * q).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i] as f64
}

/// `-n` or `--count` (and the like): the short form wins when both are given.
fn num2<T>(a: &Args, short: &str, long: &str, default: T, lo: T, hi: T) -> Result<T, String>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    if a.get(short).is_some() {
        a.num(short, default, lo, hi)
    } else {
        a.num(long, default, lo, hi)
    }
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = Args::parse(
        "bench",
        args,
        &[
            "-n",
            "--count",
            "-w",
            "--window",
            "--sessions",
            "--size",
            "--warmup",
            "--host",
            "--port",
            "--smsc",
            "--ca",
            "--cert",
            "--key",
            "--p12",
            "--p12-password",
            "--tls-version",
            "--tls-dir",
            "--handshakes",
        ],
        &["--tls", "--json", "--pool"],
    )?;
    let count: u64 = num2(&a, "-n", "--count", 100_000, 1, 100_000_000)?;
    let window: u32 = num2(&a, "-w", "--window", 64, 1, 1000)?;
    let sessions: u64 = a.num("--sessions", 1, 1, 64)?;
    let warmup: u64 = a.num("--warmup", 0, 0, 10_000_000)?;
    let handshakes: usize = a.num("--handshakes", 0, 0, 10_000)?;
    let size: Option<usize> = match a.get("--size") {
        None => None,
        Some(_) => Some(a.num("--size", 24, 1, 160)?),
    };
    if count < sessions {
        return Err(format!(
            "-n {count}: must be at least --sessions ({sessions}), one message per session"
        ));
    }
    let pool = a.flag("--pool");
    if pool && sessions < 2 {
        return Err("--pool needs --sessions K of 2 or more (the binds of the pool)".into());
    }
    let tls = a.flag("--tls");
    let version = match a.get("--tls-version") {
        None => None,
        Some("1.2") => Some(TlsVersion::Tls12),
        Some("1.3") => Some(TlsVersion::Tls13),
        Some(v) => return Err(format!("--tls-version {v}: must be 1.2 or 1.3")),
    };
    for o in [
        "--ca",
        "--cert",
        "--key",
        "--p12",
        "--p12-password",
        "--tls-version",
        "--tls-dir",
        "--handshakes",
    ] {
        if !tls && a.get(o).is_some() {
            return Err(format!("{o} needs --tls"));
        }
    }
    match (a.get("--cert"), a.get("--key"), a.get("--p12")) {
        (Some(_), None, _) => return Err("--cert needs --key (the PEM private key)".into()),
        (None, Some(_), _) => return Err("--key needs --cert (the PEM certificate)".into()),
        (Some(_), Some(_), Some(_)) => {
            return Err("--cert/--key and --p12 are alternatives: give one".into())
        }
        _ => {}
    }
    if a.get("--p12-password").is_some() && a.get("--p12").is_none() {
        return Err("--p12-password needs --p12".into());
    }
    let external = match (a.get("--host"), a.get("--port"), a.get("--smsc")) {
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            return Err("--smsc HOST:PORT and --host/--port are alternatives: give one".into())
        }
        (Some(h), Some(_), None) => Some((h.to_string(), a.num("--port", 2775u16, 1, 65535)?)),
        (Some(_), None, None) => return Err("--host needs --port".into()),
        (None, Some(_), None) => return Err("--port needs --host".into()),
        (None, None, Some(hp)) => {
            let (h, p) = hp
                .rsplit_once(':')
                .ok_or_else(|| format!("--smsc {hp}: expected HOST:PORT"))?;
            let p =
                p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| {
                    format!("--smsc {hp}: the port must be a number from 1 to 65535")
                })?;
            Some((h.to_string(), p))
        }
        (None, None, None) => None,
    };
    let tls_dir = a.get("--tls-dir").map(std::path::PathBuf::from);
    let sim = match &external {
        Some(_) => {
            if tls_dir.is_some() {
                return Err(
                    "--tls-dir is for the in-process simulator; against an SMSC give --ca".into(),
                );
            }
            None
        }
        None => {
            let sim_tls = match (tls, &tls_dir) {
                (false, _) => None,
                (true, None) => {
                    return Err("--tls with the in-process simulator needs --tls-dir DIR (server.pem, server.key, ca.pem)".into())
                }
                (true, Some(dir)) => {
                    let mut t = SimTls::from_pem_files(
                        &dir.join("server.pem"),
                        &dir.join("server.key"),
                        None,
                    )
                    .map_err(|e| format!("--tls-dir: {e}"))?;
                    if let Some(v) = version {
                        t.versions = vec![if v == TlsVersion::Tls12 {
                            &rustls::version::TLS12
                        } else {
                            &rustls::version::TLS13
                        }];
                    }
                    Some(t)
                }
            };
            Some(
                Smsc::start(SimConfig {
                    keep_submitted: 0,
                    tls: sim_tls,
                    ..SimConfig::default()
                })
                .map_err(|e| format!("cannot start the simulator: {e}"))?,
            )
        }
    };
    let (host, port) = match (&sim, external) {
        (Some(s), _) => ("127.0.0.1".to_string(), s.addr().port()),
        (None, Some(hp)) => hp,
        (None, None) => return Err("no SMSC: give --host and --port".into()),
    };
    let mut b = Config::builder(host.clone(), "bench")
        .port(port)
        .password("secret")
        .bind_mode(BindMode::Transmitter)
        .window(window)
        .max_rate(None)
        .delivery_report(false)
        .src_ton(0)
        .src_npi(0)
        .dest_ton(0)
        .dest_npi(0)
        .response_timeout(Duration::from_secs(60))
        .submit_timeout(Duration::from_secs(120));
    if tls {
        b = b.tls_mode(TlsMode::Single);
        if let Some(v) = version {
            b = b.tls_version(v).tls_max_version(v);
        }
        match (a.get("--ca"), &tls_dir) {
            (Some(ca), _) => b = b.tls_ca_file(ca),
            (None, Some(dir)) => b = b.tls_ca_file(dir.join("ca.pem")),
            (None, None) => {} // the system trust store
        }
        if let Some(p12) = a.get("--p12") {
            b = b.tls_mode(TlsMode::Mutual).tls_pkcs12_path(p12);
            if let Some(pw) = a.get("--p12-password") {
                b = b.tls_file_password(pw);
            }
        }
        if let (Some(c), Some(k)) = (a.get("--cert"), a.get("--key")) {
            b = b.tls_mode(TlsMode::Mutual).tls_client_pem(c, k);
        }
    }
    if pool {
        b = b.sessions(sessions as u32);
    }
    let cfg = b.build().map_err(|e| e.to_string())?;
    let timing = if handshakes > 0 {
        Some(esme::client::handshake_timing(&cfg, handshakes).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let text = match size {
        Some(n) => "x".repeat(n),
        None => "bench message 0123456789".to_string(),
    };
    let mut msg = Message::text("31600000000", text)
        .from("12345")
        .encoding(Encoding::Gsm7);
    msg.data_coding = Some(0);
    let threads0 = threads();
    let clients = (0..if pool { 1 } else { sessions })
        .map(|_| Client::connect(&cfg).map_err(|e| e.to_string()))
        .collect::<Result<Vec<Client>, String>>()?;
    let threads_bound = threads();
    let rss_bound = rss_kb();
    let blocking = window == 1;
    let mut rtt: Vec<u64> = Vec::new();
    if warmup > 0 {
        for c in &clients {
            if blocking {
                run_blocking(c, &msg, warmup, &mut Vec::new());
            } else {
                run_batch(c, &msg, warmup, false)?;
            }
        }
    }
    let before: Vec<_> = clients.iter().map(Client::stats).collect();
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let mut counts: Counts = [0; 4];
    if pool && !blocking {
        counts = run_pool(&clients[0], &msg, count, sessions)?;
    } else if sessions == 1 || pool {
        counts = if blocking {
            rtt.reserve(count as usize);
            run_blocking(&clients[0], &msg, count, &mut rtt)
        } else {
            run_batch(&clients[0], &msg, count, true)?
        };
    } else {
        let results: Vec<Result<(Counts, Vec<u64>), String>> = std::thread::scope(|s| {
            let hs: Vec<_> = clients
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let n = count / sessions + u64::from((i as u64) < count % sessions);
                    let msg = &msg;
                    s.spawn(move || {
                        let mut rtt = Vec::new();
                        let r = if blocking {
                            Ok(run_blocking(c, msg, n, &mut rtt))
                        } else {
                            run_batch(c, msg, n, false)
                        };
                        r.map(|c| (c, rtt))
                    })
                })
                .collect();
            hs.into_iter()
                .map(|h| {
                    h.join()
                        .unwrap_or_else(|_| Err("a session's thread panicked".into()))
                })
                .collect()
        });
        for r in results {
            let (c, t) = r?;
            for (k, v) in c.iter().enumerate() {
                counts[k] += v;
            }
            rtt.extend(t);
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let after: Vec<_> = clients.iter().map(Client::stats).collect();
    for c in &clients {
        c.close();
    }
    drop(clients);
    let n = count;
    let rate = n as f64 / secs;
    let cpu_us = cpu.map_or(f64::NAN, |c| c / n as f64 * 1e6);
    // Latency: the caller's round trips at window 1, else the client's write-to-response
    // histogram (of the first session; all sessions see the same SMSC).
    let (p50_us, p99_us) = if blocking {
        rtt.sort_unstable();
        (pct(&rtt, 0.50), pct(&rtt, 0.99))
    } else {
        let us = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e6);
        (us(after[0].latency_p50), us(after[0].latency_p99))
    };
    let bytes_out: u64 = after
        .iter()
        .zip(&before)
        .map(|(a, b)| a.bytes_out - b.bytes_out)
        .sum();
    let bytes_in: u64 = after
        .iter()
        .zip(&before)
        .map(|(a, b)| a.bytes_in - b.bytes_in)
        .sum();
    let io_threads = threads_bound
        .zip(threads0)
        .map_or(f64::NAN, |(b, a)| (b as f64 - a as f64) / sessions as f64);
    let transport = if tls { "tls" } else { "plain" };
    let hs_ms = |f: fn(&esme::client::HandshakeTiming) -> Duration| {
        timing
            .as_ref()
            .map_or(f64::NAN, |t| f(t).as_secs_f64() * 1000.0)
    };
    if a.flag("--json") {
        writeln!(
            out,
            "{{\"client\":\"esme\",\"transport\":\"{transport}\",\"count\":{n},\"window\":{window},\"sessions\":{sessions},\"pool\":{pool},\"seconds\":{secs:.4},\"msgs_per_sec\":{rate:.0},\"p50_us\":{},\"p99_us\":{},\"cpu_us_per_msg\":{},\"accepted\":{},\"rejected\":{},\"unknown\":{},\"not_sent\":{},\"threads_per_session\":{},\"rss_kb_bound\":{},\"in_process_smsc\":{},\"handshake_full_ms\":{},\"handshake_resumed_ms\":{}}}",
            json_num(p50_us, 1),
            json_num(p99_us, 1),
            json_num(cpu_us, 2),
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            json_num(io_threads, 1),
            rss_bound.map_or("null".to_string(), |v| v.to_string()),
            sim.is_some(),
            json_num(hs_ms(|t| t.full), 3),
            json_num(hs_ms(|t| t.resumed), 3)
        )
        .map_err(|e| e.to_string())?;
    } else {
        let where_ = if sim.is_some() {
            "the in-process simulator".to_string()
        } else {
            format!("{host}:{port}")
        };
        let mut lines = vec![format!(
            "esme bench: {n} messages, window {window}, {sessions} session(s){}, {transport}, against {where_}",
            if pool {
                format!(" in one client ({})", esme::config::Opt::Sessions)
            } else {
                String::new()
            }
        )];
        lines.push(format!(
            "outcomes accepted {} rejected {} unknown {} not-sent {}",
            counts[0], counts[1], counts[2], counts[3]
        ));
        lines.push(format!("wire {bytes_out} octets out, {bytes_in} in"));
        lines.push(format!(
            "footprint {io_threads:.0} thread(s) per session, RSS {} kB once bound",
            rss_bound.map_or("?".to_string(), |v| v.to_string())
        ));
        if let Some(t) = &timing {
            lines.push(format!(
                "handshakes full {:.2} ms, resumed {:.2} ms (medians of {}; {} of {} resumed; TCP connect included)",
                t.full.as_secs_f64() * 1000.0,
                t.resumed.as_secs_f64() * 1000.0,
                t.n,
                t.resumed_count,
                t.n
            ));
        }
        lines.push(format!("latency p50 {p50_us:.0} us p99 {p99_us:.0} us"));
        lines.push(format!("cpu {cpu_us:.1} us/msg (user+sys)"));
        lines.push(format!(
            "esme client: {n} msgs in {secs:.3} s = {rate:.0} msg/s (window {window})"
        ));
        for l in lines {
            writeln!(out, "{l}").map_err(|e| e.to_string())?;
        }
    }
    Ok(if counts[0] == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
