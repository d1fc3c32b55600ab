//! `esme bench`: the client against the simulator (in-process, or an external SMSC), as fast
//! as the window allows.

use crate::args::Args;
use esme::client::{Message, Outcome, Ticket};
use esme::config::{Config, TlsMode, TlsVersion};
use esme::sim::{SimConfig, SimTls, Smsc};
use esme::Client;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme bench [--count N] [--window W] [--size OCTETS] [--smsc HOST:PORT] [--json]
           [--tls 1.2|1.3 --tls-dir DIR] [--handshakes N]
  Submits N messages (default 100000) of SIZE GSM characters (default 20) with at most W in
  flight (default 64), rate unlimited, against the built-in simulator started in-process (or
  an SMSC at --smsc, e.g. `esme smsc`), after a warm-up of 1000. Prints messages per second,
  response latency p50/p99, and the process's CPU time per message (user + system; with the
  in-process simulator this includes the simulator's own work). --json prints one JSON line.
  --tls runs over TLS of that version (only), with DIR holding server.pem, server.key (for
  the in-process simulator) and ca.pem (to verify it), e.g. the test PKI made by
  tests/tls/make-pki.sh. --handshakes N also times N full and N resumed handshakes.";

/// A JSON number with `decimals` decimals, or `null` when unknown (NaN is not JSON).
fn json_num(v: f64, decimals: usize) -> String {
    if v.is_finite() {
        format!("{v:.decimals$}")
    } else {
        "null".into()
    }
}

/// User + system CPU time of this process, from /proc/self/stat (Linux), in seconds.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &s[s.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // Fields 14 and 15 of stat are utime and stime; `rest` starts at field 3.
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0) // USER_HZ is 100 on Linux
}

fn run_batch(client: &Client, msg: &Message, n: u64) -> Result<(u64, [u64; 4]), String> {
    let mut tickets: Vec<Ticket> = Vec::with_capacity(n as usize);
    let progress = std::io::stderr().is_terminal() && n >= 10_000;
    let mut last = Instant::now();
    for i in 0..n {
        tickets.push(client.submit_async(msg).map_err(|e| e.to_string())?);
        if progress && last.elapsed() >= Duration::from_millis(250) {
            last = Instant::now();
            eprint!("\r{i}/{n} submitted   ");
        }
    }
    if progress {
        eprint!("\r{:40}\r", "");
    }
    let mut counts = [0u64; 4];
    for t in tickets {
        match t.wait(Some(Duration::from_secs(120))) {
            Some(Outcome::Accepted { .. }) => counts[0] += 1,
            Some(Outcome::Rejected { .. }) => counts[1] += 1,
            Some(Outcome::Unknown { .. }) | None => counts[2] += 1,
            Some(Outcome::NotSent { .. }) => counts[3] += 1,
        }
    }
    // The async outcomes are also posted as events: drain them so memory stays flat.
    while client.poll_event(None).is_some() {}
    Ok((n, counts))
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = Args::parse(
        "bench",
        args,
        &[
            "--count",
            "--window",
            "--size",
            "--smsc",
            "--tls",
            "--tls-dir",
            "--handshakes",
        ],
        &["--json"],
    )?;
    let tls = match a.get("--tls") {
        None => None,
        Some(v @ ("1.2" | "1.3")) => {
            let dir = std::path::PathBuf::from(a.required("--tls-dir")?);
            Some((
                if v == "1.2" {
                    TlsVersion::Tls12
                } else {
                    TlsVersion::Tls13
                },
                dir,
            ))
        }
        Some(v) => return Err(format!("--tls {v}: must be 1.2 or 1.3")),
    };
    let handshakes: usize = a.num("--handshakes", 0, 0, 10_000)?;
    let count: u64 = a.num("--count", 100_000, 1, 100_000_000)?;
    let window: u32 = a.num("--window", 64, 1, 1000)?;
    let size: usize = a.num("--size", 20, 1, 160)?;
    let sim = match a.get("--smsc") {
        Some(_) => None,
        None => {
            let sim_tls = match &tls {
                None => None,
                Some((v, dir)) => {
                    let mut t = SimTls::from_pem_files(
                        &dir.join("server.pem"),
                        &dir.join("server.key"),
                        None,
                    )
                    .map_err(|e| format!("--tls-dir: {e}"))?;
                    t.versions = vec![if *v == TlsVersion::Tls12 {
                        &rustls::version::TLS12
                    } else {
                        &rustls::version::TLS13
                    }];
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
    let (host, port) = match (&sim, a.get("--smsc")) {
        (Some(s), _) => ("127.0.0.1".to_string(), s.addr().port()),
        (None, Some(hp)) => {
            let (h, p) = hp
                .rsplit_once(':')
                .ok_or_else(|| format!("--smsc {hp}: expected HOST:PORT"))?;
            let p = p.parse().map_err(|_| format!("--smsc {hp}: bad port"))?;
            (h.to_string(), p)
        }
        (None, None) => unreachable!("either the simulator or --smsc"),
    };
    let mut b = Config::builder(host, "bench")
        .port(port)
        .password("bench")
        .window(window)
        .max_rate(None)
        .delivery_report(false)
        .response_timeout(Duration::from_secs(60))
        .submit_timeout(Duration::from_secs(120));
    if let Some((v, dir)) = &tls {
        b = b
            .tls_mode(TlsMode::Single)
            .tls_version(*v)
            .tls_max_version(*v)
            .tls_ca_file(dir.join("ca.pem"));
    }
    let cfg = b.build().map_err(|e| e.to_string())?;
    let timing = if handshakes > 0 {
        if tls.is_none() {
            return Err("--handshakes needs --tls".into());
        }
        Some(esme::tls::handshake_timing(&cfg, handshakes).map_err(|e| e.to_string())?)
    } else {
        None
    };
    let client = Client::connect(&cfg).map_err(|e| e.to_string())?;
    let msg = Message::text("447700900123", "x".repeat(size)).from("bench");
    run_batch(&client, &msg, 1000.min(count))?;
    let before = client.stats();
    let cpu0 = cpu_seconds();
    let t0 = Instant::now();
    let (n, counts) = run_batch(&client, &msg, count)?;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    let after = client.stats();
    client.close();
    let rate = n as f64 / secs;
    let ms = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1000.0);
    let cpu_us = cpu.map_or(f64::NAN, |c| c / n as f64 * 1e6);
    let threads = 1; // one I/O thread per client; the caller's threads submit
    let transport = match &tls {
        None => "plain".to_string(),
        Some((v, _)) => format!("tls{}", v.name()),
    };
    let hs_ms = |f: fn(&esme::tls::HandshakeTiming) -> Duration| {
        timing
            .as_ref()
            .map_or(f64::NAN, |t| f(t).as_secs_f64() * 1000.0)
    };
    if a.flag("--json") {
        writeln!(
            out,
            "{{\"client\":\"esme\",\"transport\":\"{transport}\",\"count\":{n},\"window\":{window},\"seconds\":{secs:.4},\"msgs_per_sec\":{rate:.0},\"p50_ms\":{},\"p99_ms\":{},\"cpu_us_per_msg\":{},\"accepted\":{},\"rejected\":{},\"unknown\":{},\"not_sent\":{},\"io_threads\":{threads},\"in_process_smsc\":{},\"handshake_full_ms\":{},\"handshake_resumed_ms\":{}}}",
            json_num(ms(after.latency_p50), 3),
            json_num(ms(after.latency_p99), 3),
            json_num(cpu_us, 2),
            counts[0],
            counts[1],
            counts[2],
            counts[3],
            sim.is_some(),
            json_num(hs_ms(|t| t.full), 3),
            json_num(hs_ms(|t| t.resumed), 3)
        )
        .map_err(|e| e.to_string())?;
    } else {
        let where_ = if sim.is_some() {
            "the in-process simulator"
        } else {
            "the SMSC at --smsc"
        };
        writeln!(
            out,
            "esme bench: {n} messages of {size} characters, window {window}, {transport}, against {where_}"
        )
        .and_then(|_| writeln!(out, "  throughput  {rate:.0} msg/s ({secs:.2} s)"))
        .and_then(|_| {
            writeln!(
                out,
                "  latency     p50 {:.3} ms  p99 {:.3} ms (whole run, warm-up included)",
                ms(after.latency_p50),
                ms(after.latency_p99)
            )
        })
        .and_then(|_| {
            writeln!(
                out,
                "  cpu         {cpu_us:.2} µs per message (user + system, whole process)"
            )
        })
        .and_then(|_| {
            writeln!(
                out,
                "  outcomes    accepted {} rejected {} unknown {} not-sent {}",
                counts[0], counts[1], counts[2], counts[3]
            )
        })
        .and_then(|_| match &timing {
            Some(t) => writeln!(
                out,
                "  handshakes  full {:.2} ms, resumed {:.2} ms (medians of {}; {} of {} resumed; TCP connect included)",
                t.full.as_secs_f64() * 1000.0,
                t.resumed.as_secs_f64() * 1000.0,
                t.n,
                t.resumed_count,
                t.n
            ),
            None => Ok(()),
        })
        .and_then(|_| {
            writeln!(
                out,
                "  wire        {} octets out, {} in",
                after.bytes_out - before.bytes_out,
                after.bytes_in - before.bytes_in
            )
        })
        .map_err(|e| e.to_string())?;
    }
    Ok(if counts[0] == n {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
