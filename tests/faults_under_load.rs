//! Faults under load (issue 8): eight threads submit through one `Client` (window 64) while a
//! fault thread injects 100 faults at random points (seeded; `FAULT_SEED=n` replays the
//! faults and pauses of a run, thread timing still varies): connection closes, stalls,
//! throttling spells, dropped, delayed and malformed responses, unbinds and simulator
//! restarts on the same port. Then it checks the
//! no-loss contract message by message against what every simulator instance saw arrive:
//!
//! * every submit has exactly one outcome, and the counts agree with `Client::stats`;
//! * nothing the simulator accepted is reported NotSent;
//! * nothing is written twice unless its earlier arrival was answered 0x58 or 0x14;
//! * Accepted carries the simulator's message_id, Rejected the error status it answered;
//! * once the faults stop, every thread's submits are accepted again;
//! * after `close` and the simulator's shutdown, threads and descriptors are back to
//!   their start values.
//!
//! Alone in its file: other tests in the same binary would disturb the thread and
//! descriptor counts.

mod common;

use common::faults::{seed, Rng};
use esme::client::{ConnectionState, Ticket};
use esme::config::{Config, OutagePolicy};
use esme::pdu::{Body, CommandStatus, Pdu};
use esme::sim::{Answer, Arrival, Malformed, SimConfig, Smsc, Submitted};
use esme::{Client, Event, Message, Outcome};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const THREADS: usize = 8;
const WINDOW: u32 = 64;
const FAULTS: usize = 100;
/// Messages each thread submits after the faults stop, all of which must be accepted.
const FINAL_BATCH: usize = 20;
/// The longest any single wait in this test may take.
const BOUND: Duration = Duration::from_secs(30);

/// How a message was submitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `submit`, waiting for the outcome.
    Blocking,
    /// `submit_async`, the ticket kept and waited on (the outcome comes as an event too).
    Kept,
    /// `submit_async`, the ticket dropped at once: the outcome comes only as an event.
    Dropped,
}

/// One submitted message, as the submitting thread saw it.
#[derive(Debug)]
struct Sent {
    text: String,
    mode: Mode,
    /// The ticket id (async modes).
    ticket: Option<u64>,
    /// The outcome the submitter got (blocking: from `submit`; kept: from the ticket).
    outcome: Option<Outcome>,
    /// Why it has no outcome, if it has none (`Err` from submit, a ticket that never
    /// resolved).
    error: Option<String>,
    /// Submitted after the faults stopped: must be accepted.
    final_batch: bool,
}

/// What the fault thread did, when.
struct Timeline {
    start: Instant,
    lines: Vec<String>,
}

impl Timeline {
    fn log(&mut self, what: String) {
        let t = self.start.elapsed().as_secs_f64();
        self.lines.push(format!("{t:8.3}s  {what}"));
    }
}

/// What one simulator instance recorded.
struct Instance {
    arrivals: Vec<Arrival>,
    submitted: Vec<Submitted>,
}

fn collect(smsc: &Smsc) -> Instance {
    Instance {
        arrivals: smsc.arrivals(),
        submitted: smsc.submitted(),
    }
}

fn sim_config(listen: SocketAddr) -> SimConfig {
    SimConfig {
        listen,
        keep_submitted: usize::MAX,
        keep_arrivals: usize::MAX,
        ..SimConfig::default()
    }
}

/// Stops `smsc` (keeping its records), then starts a fresh one on the same address.
fn restart(smsc: &mut Smsc, instances: &mut Vec<Instance>) -> Smsc {
    smsc.stop();
    instances.push(collect(smsc));
    let addr = smsc.addr();
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match Smsc::start(sim_config(addr)) {
            Ok(s) => return s,
            Err(e) if Instant::now() < deadline => {
                eprintln!("restart on {addr}: {e}; again");
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => panic!("cannot restart the simulator on {addr}: {e}"),
        }
    }
}

fn threads() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/proc/self/task")
        .map(|d| {
            d.flatten()
                .map(|e| {
                    let comm = std::fs::read_to_string(e.path().join("comm")).unwrap_or_default();
                    format!("{}:{}", e.file_name().to_string_lossy(), comm.trim())
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn fds() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir("/proc/self/fd")
        .map(|d| {
            d.flatten()
                .map(|e| {
                    let target = std::fs::read_link(e.path())
                        .map(|p| p.display().to_string())
                        .unwrap_or_default();
                    format!("{}->{}", e.file_name().to_string_lossy(), target)
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn config(port: u16) -> Config {
    Config::builder("127.0.0.1", "faults")
        .port(port)
        .password("pw")
        .window(WINDOW)
        .max_rate(None)
        .outage_policy(OutagePolicy::Wait)
        .delivery_report(false)
        .submit_timeout(Duration::from_secs(3))
        .response_timeout(Duration::from_secs(1))
        .connect_timeout(Duration::from_secs(1))
        .throttle_retries(4)
        .throttle_backoff(Duration::from_millis(20))
        .enquire_link_interval(Duration::from_secs(5))
        .dead_peer_timeout(Duration::from_secs(6))
        .close_timeout(Duration::from_secs(2))
        .reconnect_max_delay(Duration::from_secs(10))
        .build()
        .expect("config")
}

fn message(text: &str, rng: &mut Rng) -> Message {
    let mut m = Message::text("447700900123", text).from("esme");
    if rng.chance(10) {
        m.registered_delivery = Some(1); // some receipts flow back meanwhile
    }
    m
}

/// Submits one message in `mode`; kept tickets go to `kept` for later.
fn submit_one(
    c: &Client,
    text: String,
    mode: Mode,
    rng: &mut Rng,
    final_batch: bool,
    kept: &mut Vec<(usize, Ticket)>,
    sent: &mut Vec<Sent>,
) {
    let m = message(&text, rng);
    let mut s = Sent {
        text,
        mode,
        ticket: None,
        outcome: None,
        error: None,
        final_batch,
    };
    match mode {
        Mode::Blocking => match c.submit(&m) {
            Ok(o) => s.outcome = Some(o),
            Err(e) => s.error = Some(format!("submit: {e}")),
        },
        Mode::Kept | Mode::Dropped => match c.submit_async(&m) {
            Ok(t) => {
                s.ticket = Some(t.id());
                if mode == Mode::Kept {
                    kept.push((sent.len(), t));
                }
            }
            Err(e) => s.error = Some(format!("submit_async: {e}")),
        },
    }
    sent.push(s);
}

/// Waits for the kept tickets (bounded) and records their outcomes.
fn settle(kept: &mut Vec<(usize, Ticket)>, sent: &mut [Sent]) {
    for (i, t) in kept.drain(..) {
        match t.wait(Some(BOUND)) {
            Some(o) => sent[i].outcome = Some(o),
            None => sent[i].error = Some(format!("ticket {} unresolved after {BOUND:?}", t.id())),
        }
    }
}

/// One submitting thread: bursts in random modes while the faults run, then the final batch
/// once `quiet` is set.
fn submitter(
    c: Arc<Client>,
    thread: usize,
    seed: u64,
    faulting: Arc<AtomicBool>,
    go_final: Arc<AtomicBool>,
) -> Vec<Sent> {
    let mut rng = Rng::new(seed ^ (thread as u64 + 1) << 32);
    let mut sent = Vec::new();
    let mut kept = Vec::new();
    let mut n = 0usize;
    let mut keep_at_most = rng.range(1, 48) as usize;
    let pick = |rng: &mut Rng| match rng.range(0, 2) {
        0 => Mode::Blocking,
        1 => Mode::Kept,
        _ => Mode::Dropped,
    };
    while faulting.load(SeqCst) {
        for _ in 0..rng.range(1, 12) {
            let mode = pick(&mut rng);
            submit_one(
                &c,
                format!("t{thread}-m{n}"),
                mode,
                &mut rng,
                false,
                &mut kept,
                &mut sent,
            );
            n += 1;
        }
        if kept.len() >= keep_at_most {
            settle(&mut kept, &mut sent);
            keep_at_most = rng.range(1, 48) as usize;
        }
        std::thread::sleep(rng.ms(2, 40));
    }
    settle(&mut kept, &mut sent);
    let deadline = Instant::now() + BOUND;
    while !go_final.load(SeqCst) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..FINAL_BATCH {
        let mode = pick(&mut rng);
        submit_one(
            &c,
            format!("t{thread}-f{n}"),
            mode,
            &mut rng,
            true,
            &mut kept,
            &mut sent,
        );
        n += 1;
    }
    settle(&mut kept, &mut sent);
    sent
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Fault {
    Disconnect,
    CloseAfter,
    Stall,
    Throttle,
    QueueFull,
    DropResponse,
    Reject,
    Delay,
    Malformed,
    Unbind,
    Restart,
}

/// Each kind at least twice per run, the rest drawn by weight. The connection-ending kinds
/// (each costs the client a reconnect, about a second) are kept rarer, so a run stays short.
const FAULT_WEIGHTS: &[(Fault, u64)] = &[
    (Fault::Disconnect, 2),
    (Fault::CloseAfter, 2),
    (Fault::Stall, 7),
    (Fault::Throttle, 12),
    (Fault::QueueFull, 6),
    (Fault::DropResponse, 20),
    (Fault::Reject, 8),
    (Fault::Delay, 8),
    (Fault::Malformed, 14),
    (Fault::Unbind, 1),
    (Fault::Restart, 2),
];

/// The run's faults, in order.
fn plan(rng: &mut Rng) -> Vec<Fault> {
    let total: u64 = FAULT_WEIGHTS.iter().map(|(_, w)| w).sum();
    let mut v: Vec<Fault> = FAULT_WEIGHTS.iter().flat_map(|&(f, _)| [f, f]).collect();
    while v.len() < FAULTS {
        let mut r = rng.range(0, total - 1);
        for &(f, w) in FAULT_WEIGHTS {
            if r < w {
                v.push(f);
                break;
            }
            r -= w;
        }
    }
    for i in (1..v.len()).rev() {
        v.swap(i, rng.range(0, i as u64) as usize);
    }
    v
}

/// The fault thread: injects `FAULTS` faults at random points, then turns every fault off.
/// Most faults wait until the client is bound (so that they hit a live session under load
/// rather than pile up on a reconnect); a few land wherever they fall, binds included.
fn inject(
    mut smsc: Smsc,
    client: Arc<Client>,
    seed: u64,
    tl: Arc<Mutex<Timeline>>,
    instances: Arc<Mutex<Vec<Instance>>>,
) -> (Smsc, HashMap<Fault, usize>) {
    let mut rng = Rng::new(seed);
    let mut counts = HashMap::new();
    let log = |s: String| tl.lock().unwrap().log(s);
    for (i, f) in plan(&mut rng).into_iter().enumerate() {
        std::thread::sleep(rng.ms(5, 60));
        // A malformed PDU armed while the client is down replaces the bind_resp. A broken
        // one fails the bind at once, but an unknown command or a response to nothing
        // leaves the bind unanswered: a bind timeout and a doubled reconnect delay, seconds
        // for one fault. So malformed PDUs always wait for a bound client.
        if rng.chance(92) || f == Fault::Malformed {
            let deadline = Instant::now() + BOUND;
            while !matches!(client.state(), ConnectionState::Bound { .. })
                && Instant::now() < deadline
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            std::thread::sleep(rng.ms(0, 50));
        }
        *counts.entry(f).or_insert(0) += 1;
        let what = match f {
            Fault::Disconnect => {
                smsc.disconnect_all();
                "disconnect_all".to_string()
            }
            Fault::CloseAfter => {
                let n = rng.range(1, 40);
                smsc.faults().close_after(n);
                format!("close_after({n})")
            }
            Fault::Stall => {
                let d = rng.ms(40, 1200);
                log(format!("#{i} stall for {d:?}"));
                smsc.faults().stall(true);
                std::thread::sleep(d);
                smsc.faults().stall(false);
                "stall off".to_string()
            }
            Fault::Throttle | Fault::QueueFull => {
                let d = rng.ms(20, 300);
                let name = if f == Fault::Throttle { "0x58" } else { "0x14" };
                log(format!("#{i} answer {name} for {d:?}"));
                let set = |n| match f {
                    Fault::Throttle => smsc.faults().throttle(n),
                    _ => smsc.faults().queue_full(n),
                };
                set(u64::MAX);
                std::thread::sleep(d);
                set(0);
                format!("{name} off")
            }
            Fault::DropResponse => {
                let n = rng.range(1, 3);
                smsc.faults().drop_responses(n);
                format!("drop_responses({n})")
            }
            Fault::Reject => {
                smsc.faults().reject_with(CommandStatus::SubmitFail, 1);
                "reject_with(ESME_RSUBMITFAIL, 1)".to_string()
            }
            Fault::Delay => {
                let d = rng.ms(50, 1300);
                let hold = rng.ms(20, 300);
                log(format!("#{i} response delay {d:?} for {hold:?}"));
                smsc.faults().set_response_delay(d);
                std::thread::sleep(hold);
                smsc.faults().set_response_delay(Duration::ZERO);
                "response delay off".to_string()
            }
            Fault::Malformed => {
                let kind = match rng.range(0, 3) {
                    0 => Malformed::BadLength,
                    1 => Malformed::TruncatedBody,
                    2 => Malformed::UnknownCommand,
                    _ => Malformed::ResponseToNothing,
                };
                smsc.faults().send_malformed(kind);
                format!("send_malformed({kind:?})")
            }
            Fault::Unbind => match smsc.send_pdu(Pdu::new(0, Body::Unbind)) {
                Ok(()) => "unbind sent".to_string(),
                Err(e) => format!("unbind not sent: {e}"),
            },
            Fault::Restart => {
                let mut all = instances.lock().unwrap();
                smsc = restart(&mut smsc, &mut all);
                format!("restart (instance {} starts)", all.len())
            }
        };
        log(format!("#{i} {what}"));
    }
    smsc.faults().reset();
    log("faults off".to_string());
    (smsc, counts)
}

/// Everything the simulator instances saw of one message.
#[derive(Default)]
struct Seen<'a> {
    /// (instance, arrival), in arrival order.
    arrivals: Vec<(usize, &'a Arrival)>,
    /// (instance, record).
    submitted: Vec<(usize, &'a Submitted)>,
}

fn transient(st: CommandStatus) -> bool {
    matches!(st, CommandStatus::Throttled | CommandStatus::MsgQFul)
}

/// The contract for one message; `Err` says how it is broken.
fn check(s: &Sent, outcome: Option<&Outcome>, seen: &Seen) -> Result<(), String> {
    let Some(outcome) = outcome else {
        return Err(s.error.clone().unwrap_or_else(|| "no outcome".into()));
    };
    let a = &seen.arrivals;
    // Written again only after a definite transient refusal.
    if let Some(i) = a[..a.len().saturating_sub(1)]
        .iter()
        .position(|(_, x)| !matches!(x.answer, Answer::Refused(st) if transient(st)))
    {
        return Err(format!(
            "written again after arrival {i}, which was not refused 0x58/0x14"
        ));
    }
    let accepted: Vec<&str> = a
        .iter()
        .filter_map(|(_, x)| match &x.answer {
            Answer::Accepted { message_id, .. } => Some(message_id.as_str()),
            _ => None,
        })
        .collect();
    if accepted.len() != seen.submitted.len() {
        return Err("the simulator's arrivals and submitted records disagree".into());
    }
    let last = a.last().map(|(_, x)| &x.answer);
    match outcome {
        Outcome::Accepted { message_ids } => match last {
            Some(Answer::Accepted {
                message_id,
                response_dropped: false,
            }) if message_ids.as_slice() == std::slice::from_ref(message_id) => Ok(()),
            _ => Err("Accepted, but not with the simulator's message_id".into()),
        },
        Outcome::Rejected {
            status,
            message_ids,
            ..
        } => match last {
            Some(Answer::Refused(st)) if st == status && !st.is_ok() && message_ids.is_empty() => {
                Ok(())
            }
            _ => Err("Rejected, but not with the status the simulator answered".into()),
        },
        Outcome::Unknown { .. } => Ok(()),
        Outcome::NotSent { .. } => {
            if a.iter()
                .all(|(_, x)| matches!(x.answer, Answer::Refused(st) if transient(st)))
            {
                Ok(())
            } else {
                Err("NotSent, but the simulator accepted it or it reached the simulator without a 0x58/0x14".into())
            }
        }
    }
}

#[test]
fn faults_under_load_lose_nothing_and_send_nothing_twice() {
    let seed = seed();
    eprintln!("faults_under_load: FAULT_SEED={seed}");
    let started = Instant::now();
    let threads_before = threads();
    let fds_before = fds();

    let smsc = Smsc::start(sim_config(SocketAddr::from(([127, 0, 0, 1], 0)))).unwrap();
    let client = Arc::new(Client::connect(&config(smsc.addr().port())).expect("connect"));
    let tl = Arc::new(Mutex::new(Timeline {
        start: Instant::now(),
        lines: Vec::new(),
    }));
    let instances = Arc::new(Mutex::new(Vec::new()));
    let faulting = Arc::new(AtomicBool::new(true));
    let go_final = Arc::new(AtomicBool::new(false));
    let collecting = Arc::new(AtomicBool::new(true));

    // Every event: async outcomes by ticket id (each must come exactly once).
    let collector: JoinHandle<HashMap<u64, Vec<Outcome>>> = {
        let c = client.clone();
        let collecting = collecting.clone();
        let tl = tl.clone();
        std::thread::spawn(move || {
            let mut by_ticket: HashMap<u64, Vec<Outcome>> = HashMap::new();
            while collecting.load(SeqCst) {
                while let Some(e) = c.poll_event(Some(Duration::from_millis(20))) {
                    match e {
                        Event::Outcome {
                            ticket, outcome, ..
                        } => by_ticket.entry(ticket).or_default().push(outcome),
                        Event::Connection(st) => tl.lock().unwrap().log(format!("client: {st:?}")),
                        _ => {}
                    }
                }
            }
            by_ticket
        })
    };
    let submitters: Vec<JoinHandle<Vec<Sent>>> = (0..THREADS)
        .map(|t| {
            let (c, f, g) = (client.clone(), faulting.clone(), go_final.clone());
            std::thread::spawn(move || submitter(c, t, seed, f, g))
        })
        .collect();
    let faulter = {
        let (c, tl, instances) = (client.clone(), tl.clone(), instances.clone());
        std::thread::spawn(move || inject(smsc, c, seed, tl, instances))
    };
    let (mut smsc, fault_counts) = faulter.join().expect("fault thread");
    faulting.store(false, SeqCst);

    // Recovery: bound again within a bounded time, then every thread's final batch. The
    // last fault (an unbind, a restart) may still be on its way to the client: it sees it
    // well within the pause.
    std::thread::sleep(Duration::from_millis(200));
    let deadline = Instant::now() + BOUND;
    while !matches!(client.state(), ConnectionState::Bound { .. }) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let recovered = matches!(client.state(), ConnectionState::Bound { .. });
    tl.lock()
        .unwrap()
        .log(format!("final batch (bound: {recovered})"));
    go_final.store(true, SeqCst);
    let mut sent: Vec<Sent> = Vec::new();
    for h in submitters {
        sent.extend(h.join().expect("submitter"));
    }
    tl.lock().unwrap().log("submitters done".into());

    // Every async outcome reaches the events (bounded wait), then the collector stops.
    let n_async = sent.iter().filter(|s| s.ticket.is_some()).count() as u64;
    let deadline = Instant::now() + BOUND;
    while client.stats().accepted
        + client.stats().rejected
        + client.stats().unknown
        + client.stats().not_sent
        < client.stats().submitted
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    std::thread::sleep(Duration::from_millis(100));
    collecting.store(false, SeqCst);
    let by_ticket = collector.join().expect("collector");
    let stats = client.stats();
    let client = Arc::try_unwrap(client).expect("the only client handle");
    client.close();
    drop(client);
    smsc.stop();
    let mut all = std::mem::take(&mut *instances.lock().unwrap());
    all.push(collect(&smsc));
    drop(smsc);
    tl.lock().unwrap().log("closed".into());

    // What the simulators saw, by text.
    let mut seen: HashMap<&[u8], Seen> = HashMap::new();
    for (i, inst) in all.iter().enumerate() {
        for a in &inst.arrivals {
            seen.entry(&a.payload).or_default().arrivals.push((i, a));
        }
        for s in &inst.submitted {
            seen.entry(s.payload()).or_default().submitted.push((i, s));
        }
    }
    let none = Seen::default();
    let mut violations = Vec::new();
    let mut counts = [0u64; 4]; // accepted, rejected, unknown, not sent
    for s in &sent {
        let events = s.ticket.and_then(|t| by_ticket.get(&t));
        let outcome = match (s.mode, events.map(Vec::as_slice)) {
            (Mode::Blocking, _) => s.outcome.clone(),
            (_, Some([o])) => match &s.outcome {
                Some(kept) if kept != o => {
                    violations.push((s, format!("the ticket says {kept:?}, the event {o:?}")));
                    None
                }
                _ => Some(o.clone()),
            },
            (_, Some(many)) if many.len() > 1 => {
                violations.push((s, format!("{} outcome events: {many:?}", many.len())));
                None
            }
            (_, _) => {
                violations.push((s, "no outcome event".into()));
                None
            }
        };
        if let Some(o) = &outcome {
            counts[match o {
                Outcome::Accepted { .. } => 0,
                Outcome::Rejected { .. } => 1,
                Outcome::Unknown { .. } => 2,
                Outcome::NotSent { .. } => 3,
            }] += 1;
        }
        let sn = seen.get(s.text.as_bytes()).unwrap_or(&none);
        if let Err(why) = check(s, outcome.as_ref(), sn) {
            violations.push((s, why));
        } else if s.final_batch && !outcome.as_ref().is_some_and(Outcome::is_accepted) {
            violations.push((s, "not accepted after the faults stopped".into()));
        }
    }
    let submits = sent.len() as u64;
    let texts: std::collections::HashSet<&str> = sent.iter().map(|s| s.text.as_str()).collect();
    let strays: Vec<&&[u8]> = seen
        .keys()
        .filter(|k| !std::str::from_utf8(k).is_ok_and(|t| texts.contains(t)))
        .collect();

    // Threads and descriptors back to where they were (threads may take a moment to exit).
    let deadline = Instant::now() + Duration::from_secs(10);
    let (mut threads_after, mut fds_after) = (threads(), fds());
    while (threads_after.len() != threads_before.len() || fds_after.len() != fds_before.len())
        && Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
        threads_after = threads();
        fds_after = fds();
    }

    let mut report = String::new();
    let _ = writeln!(
        report,
        "FAULT_SEED={seed}: {submits} submits ({n_async} async) in {:.1} s; outcomes accepted {} rejected {} unknown {} not sent {}; {} simulator instance(s); faults {:?}",
        started.elapsed().as_secs_f64(),
        counts[0],
        counts[1],
        counts[2],
        counts[3],
        all.len(),
        {
            let mut v: Vec<_> = fault_counts.iter().collect();
            v.sort();
            v
        }
    );
    let _ = writeln!(report, "client stats: {stats:?}");
    eprint!("{report}");
    // Shown with --nocapture (and on failure, below).
    eprintln!("fault timeline:\n{}", tl.lock().unwrap().lines.join("\n"));
    let mut problems = Vec::new();
    if !recovered {
        problems.push(format!(
            "not bound again within {BOUND:?} after the faults stopped"
        ));
    }
    if counts.iter().sum::<u64>() != submits {
        problems.push(format!(
            "{} outcomes for {submits} submits",
            counts.iter().sum::<u64>()
        ));
    }
    let by_stats = [
        stats.accepted,
        stats.rejected,
        stats.unknown,
        stats.not_sent,
    ];
    if stats.submitted != submits || by_stats != counts {
        problems.push(format!(
            "client.stats() disagrees: submitted {} accepted/rejected/unknown/not sent {by_stats:?}; the test counted {submits} and {counts:?}",
            stats.submitted
        ));
    }
    let tickets: std::collections::HashSet<u64> = sent.iter().filter_map(|s| s.ticket).collect();
    let stray_events: Vec<_> = by_ticket
        .iter()
        .filter(|(t, _)| !tickets.contains(t))
        .collect();
    if !stray_events.is_empty() {
        problems.push(format!(
            "outcome events for no async submit: {stray_events:?}"
        ));
    }
    if !strays.is_empty() {
        problems.push(format!(
            "the simulator saw texts nobody submitted: {strays:?}"
        ));
    }
    if threads_after.len() != threads_before.len() {
        problems.push(format!(
            "threads: {} before, {} after\n  before: {threads_before:?}\n  after:  {threads_after:?}",
            threads_before.len(),
            threads_after.len()
        ));
    }
    if fds_after.len() != fds_before.len() {
        problems.push(format!(
            "descriptors: {} before, {} after\n  before: {fds_before:?}\n  after:  {fds_after:?}",
            fds_before.len(),
            fds_after.len()
        ));
    }
    for (s, why) in violations.iter().take(20) {
        let sn = seen.get(s.text.as_bytes()).unwrap_or(&none);
        let mut p = format!(
            "{} ({:?}{}{}): {why}\n    outcome: {:?}\n    events: {:?}",
            s.text,
            s.mode,
            s.ticket
                .map(|t| format!(", ticket {t}"))
                .unwrap_or_default(),
            if s.final_batch { ", final batch" } else { "" },
            s.outcome,
            s.ticket.and_then(|t| by_ticket.get(&t)),
        );
        for (i, a) in &sn.arrivals {
            let _ = write!(
                p,
                "\n    arrival: instance {i} connection {} seq {} {:?}",
                a.connection, a.sequence_number, a.answer
            );
        }
        for (i, r) in &sn.submitted {
            let _ = write!(
                p,
                "\n    submitted: instance {i} message_id {} seq {}",
                r.message_id, r.sequence_number
            );
        }
        problems.push(p);
    }
    if violations.len() > 20 {
        problems.push(format!("… {} violations in all", violations.len()));
    }
    if !problems.is_empty() {
        panic!(
            "{report}{}\n\nfault timeline:\n{}\n\nreplay with FAULT_SEED={seed}",
            problems.join("\n"),
            tl.lock().unwrap().lines.join("\n")
        );
    }
}
