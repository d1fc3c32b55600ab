//! `esme soak`: a long run against the in-process simulator, with delivery receipts and a
//! fault every few seconds, sampling the process's memory, threads and open files every
//! second, to show they stay flat (issue 8). Not part of the test suite: `benches/soak.sh`
//! runs it for 10 million messages and plots the samples.

use crate::args::Args;
use crate::bench::{cpu_seconds, rss_kb, threads};
use esme::client::{Event, Message, Outcome};
use esme::config::{Config, Opt};
use esme::sim::{Malformed, SimConfig, Smsc};
use esme::Client;
use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const HELP: &str = "\
esme soak [-n N] [--duration SECS] [-w W] [--threads T] [--fault-every SECS] [--csv FILE]
  A long run against the built-in simulator (in this process): T threads (default 4) submit
  N messages (default 10000000) through one transceiver client with window W (default 64),
  every message asking for a delivery receipt; one in eight is a blocking submit, the rest
  async (their outcomes counted from the events, with the receipts). Every --fault-every
  seconds (default 5; 0 = none) the simulator injects the next fault of a cycle: drop the
  connection, stall for 1 s, answer 0x58 (throttled) 200 times, drop 3 responses, send a
  malformed PDU, answer 0x14 (queue full) 100 times. --duration stops submitting after SECS
  seconds even if N was not reached.
  Every second it appends a line to --csv (default soak.csv): seconds, submitted, accepted,
  rejected, unknown, not_sent, receipts, reconnects, faults, rss_kb, threads, fds, msg/s.
  At the end it waits for the last receipts, checks that every submit had exactly one outcome,
  that every accepted message got its receipt and every receipt the client acknowledged
  reached the program (receipts can exceed messages: one whose acknowledgement a disconnect
  lost comes again), and that the threads and open files are back to what they were before
  the client started; prints the memory curve in one line (RSS after warm-up, largest, last)
  and exits 1 when a check fails.";

fn fds() -> Option<u64> {
    Some(std::fs::read_dir("/proc/self/fd").ok()?.count() as u64)
}

#[derive(Default)]
struct Tally {
    submitted: AtomicU64,
    accepted: AtomicU64,
    rejected: AtomicU64,
    unknown: AtomicU64,
    not_sent: AtomicU64,
    receipts: AtomicU64,
    faults: AtomicU64,
}

impl Tally {
    fn count(&self, o: &Outcome) {
        match o {
            Outcome::Accepted { .. } => &self.accepted,
            Outcome::Rejected { .. } => &self.rejected,
            Outcome::Unknown { .. } => &self.unknown,
            Outcome::NotSent { .. } => &self.not_sent,
        }
        .fetch_add(1, Relaxed);
    }

    fn outcomes(&self) -> u64 {
        self.accepted.load(Relaxed)
            + self.rejected.load(Relaxed)
            + self.unknown.load(Relaxed)
            + self.not_sent.load(Relaxed)
    }
}

/// Injects the next fault of the cycle; returns its name.
fn inject(sim: &Smsc, i: u64) -> &'static str {
    let f = sim.faults();
    match i % 6 {
        0 => {
            sim.disconnect_all();
            "disconnect"
        }
        1 => {
            f.stall(true); // lifted by the caller a second later
            "stall 1 s"
        }
        2 => {
            f.throttle(200);
            "throttle x200"
        }
        3 => {
            f.drop_responses(3);
            "drop 3 responses"
        }
        4 => {
            f.send_malformed(Malformed::UnknownCommand);
            "malformed PDU"
        }
        _ => {
            f.queue_full(100);
            "queue full x100"
        }
    }
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let a = Args::parse(
        "soak",
        args,
        &[
            "-n",
            "--duration",
            "-w",
            "--threads",
            "--fault-every",
            "--csv",
        ],
        &[],
    )?;
    let n: u64 = a.num("-n", 10_000_000, 1, 10_000_000_000)?;
    let duration: u64 = a.num("--duration", 0, 0, 30 * 86_400)?;
    let window: u32 = a.num("-w", 64, 1, 1000)?;
    let nthreads: u64 = a.num("--threads", 4, 1, 64)?;
    let fault_every: u64 = a.num("--fault-every", 5, 0, 3600)?;
    let csv_path = a.get("--csv").unwrap_or("soak.csv").to_string();
    let mut csv = std::fs::File::create(&csv_path).map_err(|e| format!("--csv {csv_path}: {e}"))?;
    writeln!(
        csv,
        "seconds,submitted,accepted,rejected,unknown,not_sent,receipts,reconnects,faults,rss_kb,threads,fds,msgs_per_s"
    )
    .map_err(|e| format!("--csv {csv_path}: {e}"))?;

    let threads0 = threads().unwrap_or(0);
    let fds0 = fds().unwrap_or(0);
    let sim = Smsc::start(SimConfig {
        keep_submitted: 0,
        ..SimConfig::default()
    })
    .map_err(|e| format!("cannot start the simulator: {e}"))?;
    let cfg = Config::builder("127.0.0.1", "soak")
        .port(sim.addr().port())
        .password("secret")
        .option(Opt::BindMode, "transceiver")
        .and_then(|b| b.option(Opt::SubmitWindowSize, &window.to_string()))
        .and_then(|b| b.option(Opt::DeliveryReport, "true"))
        .and_then(|b| b.option(Opt::SubmitRateUnlimited, "true"))
        .and_then(|b| b.option(Opt::ResponseMaxWaitingTime, "2000"))
        .and_then(|b| b.option(Opt::ThrottleBackoff, "10"))
        .and_then(|b| b.option(Opt::ThrottleRetries, "50"))
        .and_then(|b| b.option(Opt::SubmitTimeout, "30000"))
        .and_then(|b| b.build())
        .map_err(|e| e.to_string())?;
    let client = Arc::new(Client::connect(&cfg).map_err(|e| e.to_string())?);
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let deadline = (duration > 0).then(|| start + Duration::from_secs(duration));
    writeln!(
        out,
        "esme soak: {n} messages, window {window}, {nthreads} threads, a fault every {fault_every} s, samples in {csv_path}"
    )
    .map_err(|e| e.to_string())?;

    let mut submitters = Vec::new();
    for t in 0..nthreads {
        let (client, tally, stop) = (client.clone(), tally.clone(), stop.clone());
        submitters.push(std::thread::spawn(move || {
            let msg = Message::text("31600000000", "soak message 0123456789").from("12345");
            let mut i = 0u64;
            loop {
                if stop.load(Relaxed) || deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                if tally.submitted.fetch_add(1, Relaxed) >= n {
                    tally.submitted.fetch_sub(1, Relaxed);
                    break;
                }
                i += 1;
                if (i + t) % 8 == 0 {
                    match client.submit(&msg) {
                        Ok(o) => tally.count(&o),
                        Err(e) => return Err(e.to_string()),
                    }
                } else if let Err(e) = client.submit_async(&msg) {
                    return Err(e.to_string());
                }
            }
            Ok(())
        }));
    }
    let events = {
        let (client, tally, stop) = (client.clone(), tally.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Relaxed) {
                match client.poll_event(Some(Duration::from_millis(100))) {
                    Some(Event::Outcome { outcome, .. }) => tally.count(&outcome),
                    Some(Event::Receipt(_)) => {
                        tally.receipts.fetch_add(1, Relaxed);
                    }
                    _ => {}
                }
            }
        })
    };
    // This thread samples, and injects the faults.
    let mut samples: Vec<(u64, u64)> = Vec::new(); // (second, rss_kb)
    let mut last_fault = Instant::now();
    let mut last_sample = Instant::now();
    let mut last_accepted = 0u64;
    let mut fault_no = 0u64;
    let mut fault_log = Vec::new();
    let finished = |tally: &Tally| {
        submitters_done(&submitters) && tally.outcomes() >= tally.submitted.load(Relaxed)
    };
    let mut unstall: Option<Instant> = None;
    let mut progress = (0u64, Instant::now());
    loop {
        std::thread::sleep(Duration::from_millis(50));
        if unstall.is_some_and(|t| Instant::now() >= t) {
            sim.faults().stall(false);
            unstall = None;
        }
        if fault_every > 0
            && last_fault.elapsed() >= Duration::from_secs(fault_every)
            && !submitters_done(&submitters)
        {
            let what = inject(&sim, fault_no);
            if fault_no % 6 == 1 {
                unstall = Some(Instant::now() + Duration::from_secs(1));
            }
            fault_no += 1;
            tally.faults.fetch_add(1, Relaxed);
            fault_log.push(format!("{:.0}s {what}", start.elapsed().as_secs_f64()));
            last_fault = Instant::now();
        }
        // Decided once: the last line written is the final count.
        let done = finished(&tally);
        if last_sample.elapsed() >= Duration::from_secs(1) || done {
            let dt = last_sample.elapsed().as_secs_f64();
            last_sample = Instant::now();
            let secs = start.elapsed().as_secs();
            let acc = tally.accepted.load(Relaxed);
            let rate = (acc - last_accepted) as f64 / dt.max(1e-3);
            last_accepted = acc;
            let rss = rss_kb().unwrap_or(0);
            samples.push((secs, rss));
            let st = client.stats();
            writeln!(
                csv,
                "{secs},{},{acc},{},{},{},{},{},{},{rss},{},{},{rate:.0}",
                tally.submitted.load(Relaxed),
                tally.rejected.load(Relaxed),
                tally.unknown.load(Relaxed),
                tally.not_sent.load(Relaxed),
                tally.receipts.load(Relaxed),
                st.reconnects,
                tally.faults.load(Relaxed),
                threads().unwrap_or(0),
                fds().unwrap_or(0),
            )
            .map_err(|e| format!("--csv {csv_path}: {e}"))?;
        }
        if done {
            break;
        }
        // Outcomes are bounded by the submit and response timeouts: a run whose outcomes
        // stop coming is a failure, not a hang.
        // (The last outcome's time, not the last sample's: samples come every second.)
        let outcomes = tally.outcomes();
        if outcomes != progress.0 {
            progress = (outcomes, Instant::now());
        } else if submitters_done(&submitters) && progress.1.elapsed() > Duration::from_secs(120) {
            break;
        }
    }
    // Receipts come after the responses, and those of messages accepted just before a
    // disconnect wait for the next bind: give them time to arrive (each accepted message
    // gets one; so may an Unknown one the simulator took), at most 60 s without progress.
    let mut last_receipts = (tally.receipts.load(Relaxed), Instant::now());
    while tally.receipts.load(Relaxed) < tally.accepted.load(Relaxed)
        || tally.receipts.load(Relaxed) < sim.stats().receipts_acked
    {
        std::thread::sleep(Duration::from_millis(50));
        let r = tally.receipts.load(Relaxed);
        if r != last_receipts.0 {
            last_receipts = (r, Instant::now());
        } else if last_receipts.1.elapsed() > Duration::from_secs(60) {
            break;
        }
    }
    let receipts_acked = sim.stats().receipts_acked;
    stop.store(true, Relaxed);
    let mut errors = Vec::new();
    for s in submitters {
        match s.join() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => errors.push(format!("a submitter failed: {e}")),
            Err(_) => errors.push("a submitter panicked".into()),
        }
    }
    let _ = events.join();
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds();
    client.close();
    drop(client);
    drop(sim);
    // Threads and open files must come back to where they were before the client started.
    let settle = Instant::now() + Duration::from_secs(5);
    while Instant::now() < settle
        && (threads().unwrap_or(0) > threads0 || fds().unwrap_or(0) > fds0)
    {
        std::thread::sleep(Duration::from_millis(50));
    }
    let (threads1, fds1) = (threads().unwrap_or(0), fds().unwrap_or(0));

    let submitted = tally.submitted.load(Relaxed);
    let outcomes = tally.outcomes();
    if outcomes != submitted {
        errors.push(format!("{submitted} submits but {outcomes} outcomes"));
    }
    let receipts = tally.receipts.load(Relaxed);
    if receipts < tally.accepted.load(Relaxed) {
        errors.push(format!(
            "{} messages accepted but {receipts} receipts",
            tally.accepted.load(Relaxed)
        ));
    }
    // More is fine: a receipt whose acknowledgement a disconnect lost is sent again
    // (at-least-once, as SMSCs do), and the simulator does not count that lost ack.
    if receipts < receipts_acked {
        errors.push(format!(
            "the simulator saw {receipts_acked} receipts acknowledged, the program got only {receipts}"
        ));
    }
    if threads1 > threads0 {
        errors.push(format!("threads {threads0} before, {threads1} after close"));
    }
    if fds1 > fds0 {
        errors.push(format!("open files {fds0} before, {fds1} after close"));
    }
    // RSS: after the first tenth of the run (warm-up: buffers and maps reach their size),
    // the largest, and the last sample.
    let warm = samples.get(samples.len() / 10).map_or(0, |s| s.1);
    let peak = samples.iter().map(|s| s.1).max().unwrap_or(0);
    let last = samples.last().map_or(0, |s| s.1);
    writeln!(
        out,
        "outcomes accepted {} rejected {} unknown {} not-sent {} (of {submitted} submits); receipts {}; faults {}",
        tally.accepted.load(Relaxed),
        tally.rejected.load(Relaxed),
        tally.unknown.load(Relaxed),
        tally.not_sent.load(Relaxed),
        tally.receipts.load(Relaxed),
        tally.faults.load(Relaxed),
    )
    .map_err(|e| e.to_string())?;
    writeln!(
        out,
        "rss after warm-up {warm} kB, largest {peak} kB, last {last} kB; threads {threads0} before, {threads1} after close; open files {fds0} before, {fds1} after close"
    )
    .map_err(|e| e.to_string())?;
    if let Some(cpu) = cpu {
        writeln!(
            out,
            "cpu {:.1} us/msg (user+sys, client and simulator)",
            cpu * 1e6 / submitted.max(1) as f64
        )
        .map_err(|e| e.to_string())?;
    }
    writeln!(out, "faults: {}", fault_log.join(", ")).map_err(|e| e.to_string())?;
    writeln!(
        out,
        "esme soak: {submitted} msgs in {elapsed:.1} s = {:.0} msg/s",
        submitted as f64 / elapsed
    )
    .map_err(|e| e.to_string())?;
    if errors.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        for e in &errors {
            writeln!(out, "FAILED: {e}").map_err(|e| e.to_string())?;
        }
        Ok(ExitCode::from(1))
    }
}

fn submitters_done(s: &[std::thread::JoinHandle<Result<(), String>>]) -> bool {
    s.iter().all(|h| h.is_finished())
}
