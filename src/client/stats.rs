//! Counters readable at any time, the numbers an operator watches ([`Stats`], per channel
//! and per bind; their Prometheus text is `prometheus.rs`), small latency histograms and
//! the submit rate. Receipts are matched by the channel's receipt
//! correlation (`correlate.rs`), which also gives their lag.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

/// A snapshot of a client's counters: the channel's totals (every bind's, binds since
/// replaced by a failback or a reload included), and one [`BindStats`] per bind the channel
/// has now ([`Opt::Sessions`](crate::config::Opt::Sessions); during a failback or a reload
/// also the binds that drain).
///
/// Outcomes, receipts and MO messages are the channel's (a message's parts may travel over
/// several binds); what happens on a connection (PDUs written, responses and their latency,
/// throttling answers, window, reconnects, bytes) is counted per bind too, and the
/// channel's value of those is the sum over its binds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Messages handed to submit (logical messages, not parts).
    pub submitted: u64,
    /// Messages accepted.
    pub accepted: u64,
    /// Messages rejected.
    pub rejected: u64,
    /// Rejections by command_status value.
    pub rejected_by_status: BTreeMap<u32, u64>,
    /// Messages with an unknown outcome.
    pub unknown: u64,
    /// Messages not sent.
    pub not_sent: u64,
    /// Parts answered ESME_RTHROTTLED or ESME_RMSGQFUL.
    pub throttled: u64,
    /// Parts resubmitted after a throttling answer.
    pub retried: u64,
    /// submit_sm PDUs written.
    pub parts_sent: u64,
    /// submit_sm PDUs written per second, over the last 10 s (less just after the start).
    pub submits_per_second: f64,
    /// Parts waiting for their response now: the window in use.
    pub in_flight: u64,
    /// The window: at most this many parts wait for a response at once, per bind
    /// ([`Opt::SubmitWindowSize`](crate::config::Opt::SubmitWindowSize)).
    pub window_size: u64,
    /// Binds configured.
    pub binds_configured: u64,
    /// Binds up (bound) now.
    pub binds_up: u64,
    /// Connect attempts made by the I/O thread, bound or not: after a lost connection, and
    /// at the start with [`Opt::ConnectRetry`](crate::config::Opt::ConnectRetry).
    pub reconnect_attempts: u64,
    /// Of those attempts, the ones that bound.
    pub reconnects: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Octets written.
    pub bytes_out: u64,
    /// MO messages delivered to the caller.
    pub messages_received: u64,
    /// Delivery receipts delivered to the caller.
    pub receipts_received: u64,
    /// Receipts matched to a message of this client (their
    /// [`ReceivedReceipt::correlation`](super::ReceivedReceipt::correlation) is Some),
    /// whichever bind carried the message and whichever bind the receipt came on.
    pub receipts_matched: u64,
    /// The other receipts: an id this client never saw accepted (another client's or
    /// process's message, one accepted before a restart), one no longer remembered (past
    /// [`Opt::ReceiptCorrelationTimeout`](crate::config::Opt::ReceiptCorrelationTimeout) or
    /// [`Opt::ReceiptCorrelationMax`](crate::config::Opt::ReceiptCorrelationMax); with a
    /// maximum of 0 every receipt), or a receipt that could not be read.
    pub receipts_unmatched: u64,
    /// Receipt lag, median: from the submit_sm_resp that accepted a part to its final
    /// receipt (matched receipts only).
    pub receipt_lag_p50: Option<Duration>,
    /// Receipt lag, 99th percentile.
    pub receipt_lag_p99: Option<Duration>,
    /// Inbound PDUs refused with ESME_RX_T_APPN because the event queue was full.
    pub inbound_refused: u64,
    /// Response latency, median.
    pub latency_p50: Option<Duration>,
    /// Response latency, 99th percentile.
    pub latency_p99: Option<Duration>,
    /// Response latency: how many responses, and the sum of their latencies.
    pub latency_count: u64,
    /// The sum of the response latencies.
    pub latency_sum: Duration,
    /// Receipt lag: how many final matched receipts were timed, and the sum of their lags.
    pub receipt_lag_count: u64,
    /// The sum of the receipt lags.
    pub receipt_lag_sum: Duration,
    /// Whole days until our client certificate expires (negative once expired); mutual TLS
    /// only.
    pub client_cert_days_left: Option<i64>,
    /// When our client certificate expires.
    pub client_cert_not_after: Option<SystemTime>,
    /// Whole days until the SMSC's certificate expires (negative once expired), from the
    /// last handshake (TLS only); the earliest over the binds.
    pub smsc_cert_days_left: Option<i64>,
    /// When the SMSC's certificate expires (the earliest over the binds).
    pub smsc_cert_not_after: Option<SystemTime>,
    /// Each bind's numbers, in bind order.
    pub binds: Vec<BindStats>,
}

/// One bind's numbers (see [`Stats`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BindStats {
    /// The bind's index in its channel, from 0.
    pub index: u32,
    /// The SMSC it is (or was last) connected to, as `host:port`.
    pub host: String,
    /// Bound now.
    pub up: bool,
    /// Parts waiting for their response now.
    pub in_flight: u64,
    /// The bind's window.
    pub window_size: u64,
    /// submit_sm PDUs written.
    pub parts_sent: u64,
    /// submit_sm PDUs written per second over the last 10 s.
    pub submits_per_second: f64,
    /// Parts answered ESME_RTHROTTLED or ESME_RMSGQFUL.
    pub throttled: u64,
    /// Connect attempts after a loss (bound or not), and those that bound.
    pub reconnect_attempts: u64,
    /// Reconnects that bound.
    pub reconnects: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Octets written.
    pub bytes_out: u64,
    /// Response latency, median.
    pub latency_p50: Option<Duration>,
    /// Response latency, 99th percentile.
    pub latency_p99: Option<Duration>,
    /// Responses timed.
    pub latency_count: u64,
    /// The sum of their latencies.
    pub latency_sum: Duration,
    /// Whole days until the SMSC's certificate (of this bind's last handshake) expires.
    pub smsc_cert_days_left: Option<i64>,
    /// When it expires.
    pub smsc_cert_not_after: Option<SystemTime>,
}

/// Log-linear histogram of microseconds: 8 buckets per power of two, up to ~2^32 µs.
const SUB: usize = 8;
const BUCKETS: usize = 33 * SUB;

/// A latency histogram with the sum of what it holds.
struct Hist {
    buckets: Box<[AtomicU64]>,
    sum_us: AtomicU64,
}

impl Hist {
    fn new() -> Hist {
        Hist {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            sum_us: AtomicU64::new(0),
        }
    }

    fn record(&self, d: Duration) {
        let us = d.as_micros().min(u64::MAX as u128) as u64;
        self.buckets[bucket(us)].fetch_add(1, Relaxed);
        self.sum_us.fetch_add(us, Relaxed);
    }

    /// Adds its buckets and sum to `counts` and `sum_us` (several binds' histograms).
    fn add_to(&self, counts: &mut [u64], sum_us: &mut u64) {
        for (c, b) in counts.iter_mut().zip(self.buckets.iter()) {
            *c += b.load(Relaxed);
        }
        *sum_us = sum_us.saturating_add(self.sum_us.load(Relaxed));
    }
}

/// The median, the 99th percentile, the count and the sum of histogram buckets.
fn summary(counts: &[u64], sum_us: u64) -> (Option<Duration>, Option<Duration>, u64, Duration) {
    {
        let total: u64 = counts.iter().sum();
        let q = |q: f64| {
            if total == 0 {
                return None;
            }
            let rank = ((total as f64) * q).ceil().max(1.0) as u64;
            let mut seen = 0;
            for (b, c) in counts.iter().enumerate() {
                seen += c;
                if seen >= rank {
                    return Some(Duration::from_micros(bucket_floor(b)));
                }
            }
            None
        };
        (q(0.50), q(0.99), total, Duration::from_micros(sum_us))
    }
}

/// Events per second over the last [`RATE_SECS`] seconds, from a running total: the first
/// event of each second notes the total before it, so the hot path costs one relaxed load
/// (and, once a second, a few stores).
struct Rate {
    start: Instant,
    /// The second (since `start`) of the last event.
    current: AtomicU64,
    /// Per slot: its second, and the total before that second's first event.
    stamps: [AtomicU64; RING],
    base: [AtomicU64; RING],
}

const RING: usize = 16;
const RATE_SECS: u64 = 10;

impl Rate {
    fn new() -> Rate {
        Rate {
            start: Instant::now(),
            current: AtomicU64::new(u64::MAX),
            stamps: std::array::from_fn(|_| AtomicU64::new(u64::MAX)),
            base: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// An event at `now`; `before` is the running total before it.
    fn record(&self, now: Instant, before: u64) {
        let sec = now.saturating_duration_since(self.start).as_secs();
        if self.current.load(Relaxed) != sec && self.current.swap(sec, Relaxed) != sec {
            let i = (sec % RING as u64) as usize;
            self.base[i].store(before, Relaxed);
            self.stamps[i].store(sec, Relaxed);
        }
    }

    /// Per second over the last [`RATE_SECS`] s (the current second included), or since the
    /// start when that is shorter; `total` is the running total now. At least half a second
    /// is counted, so the first events do not read as a burst.
    fn per_second(&self, now: Instant, total: u64) -> f64 {
        let elapsed = now.saturating_duration_since(self.start);
        let sec = elapsed.as_secs();
        let first = sec.saturating_sub(RATE_SECS - 1);
        // The oldest second in the window that had an event: everything since its first.
        let Some(s) =
            (first..=sec).find(|s| self.stamps[(s % RING as u64) as usize].load(Relaxed) == *s)
        else {
            return 0.0;
        };
        let base = self.base[(s % RING as u64) as usize].load(Relaxed);
        let span = (elapsed.as_secs_f64() - s as f64).max(0.5);
        total.saturating_sub(base) as f64 / span
    }
}

pub(crate) struct Counters {
    pub submitted: AtomicU64,
    pub accepted: AtomicU64,
    pub rejected: AtomicU64,
    pub unknown: AtomicU64,
    pub not_sent: AtomicU64,
    pub throttled: AtomicU64,
    pub retried: AtomicU64,
    pub parts_sent: AtomicU64,
    pub reconnect_attempts: AtomicU64,
    pub reconnects: AtomicU64,
    pub bytes_in: AtomicU64,
    pub bytes_out: AtomicU64,
    pub messages_received: AtomicU64,
    pub receipts_received: AtomicU64,
    pub inbound_refused: AtomicU64,
    /// Reads done by a blocking submitter for itself (internal: tests check the fast path).
    pub caller_reads: AtomicU64,
    /// Writes to the transport (internal: tests check that submits coalesce).
    pub writes: AtomicU64,
    receipts_matched: AtomicU64,
    receipts_unmatched: AtomicU64,
    by_status: Mutex<BTreeMap<u32, u64>>,
    hist: Hist,
    lag: Hist,
    rate: Rate,
}

/// What [`Counters::snapshot_channel`] needs from the client besides its counters: one
/// bind's state.
pub(crate) struct BindView {
    /// Its number in the channel.
    pub index: u32,
    /// It drains (replaced by a failback or a reload): listed only while no other bind has
    /// its number, but its messages in flight are counted in the channel's.
    pub draining: bool,
    pub host: String,
    pub up: bool,
    pub in_flight: u64,
    pub window_size: u64,
    pub smsc_not_after: Option<SystemTime>,
}

fn bucket(us: u64) -> usize {
    if us < SUB as u64 {
        return us as usize;
    }
    let p = 63 - us.leading_zeros() as usize; // 2^p <= us
    let shift = p - 3; // SUB = 2^3
    let sub = ((us >> shift) as usize) & (SUB - 1);
    ((p - 2) * SUB + sub).min(BUCKETS - 1)
}

fn bucket_floor(b: usize) -> u64 {
    if b < SUB {
        return b as u64;
    }
    let p = b / SUB + 2;
    let sub = (b % SUB) as u64;
    (SUB as u64 + sub) << (p - 3)
}

impl Counters {
    pub fn new() -> Self {
        Counters {
            submitted: AtomicU64::new(0),
            accepted: AtomicU64::new(0),
            rejected: AtomicU64::new(0),
            unknown: AtomicU64::new(0),
            not_sent: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            retried: AtomicU64::new(0),
            parts_sent: AtomicU64::new(0),
            reconnect_attempts: AtomicU64::new(0),
            reconnects: AtomicU64::new(0),
            bytes_in: AtomicU64::new(0),
            bytes_out: AtomicU64::new(0),
            messages_received: AtomicU64::new(0),
            receipts_received: AtomicU64::new(0),
            inbound_refused: AtomicU64::new(0),
            caller_reads: AtomicU64::new(0),
            writes: AtomicU64::new(0),
            receipts_matched: AtomicU64::new(0),
            receipts_unmatched: AtomicU64::new(0),
            by_status: Mutex::new(BTreeMap::new()),
            hist: Hist::new(),
            lag: Hist::new(),
            rate: Rate::new(),
        }
    }

    pub fn rejected_with(&self, status: u32) {
        self.rejected.fetch_add(1, Relaxed);
        if let Ok(mut m) = self.by_status.lock() {
            *m.entry(status).or_default() += 1;
        }
    }

    pub fn latency(&self, d: Duration) {
        self.hist.record(d);
    }

    /// A submit_sm written.
    pub fn part_sent(&self, now: Instant) {
        let before = self.parts_sent.fetch_add(1, Relaxed);
        self.rate.record(now, before);
    }

    /// A receipt arrived: whether the channel's correlation matched it, and (a final
    /// receipt matched) the time since its part was accepted.
    pub fn receipt(&self, matched: bool, lag: Option<Duration>) {
        self.receipts_received.fetch_add(1, Relaxed);
        if matched {
            self.receipts_matched.fetch_add(1, Relaxed);
        } else {
            self.receipts_unmatched.fetch_add(1, Relaxed);
        }
        if let Some(d) = lag {
            self.lag.record(d);
        }
    }

    /// The snapshot of one bind's counters as a channel of one bind.
    #[cfg(test)]
    pub fn snapshot(&self, bind: BindView, client_not_after: Option<SystemTime>) -> Stats {
        Counters::snapshot_channel(&[self], vec![(self, bind)], 1, client_not_after)
    }

    /// The channel's numbers: totals over `all` (every bind's counters, replaced binds
    /// included), and per bind over `binds` (the binds it has now, with their state).
    pub fn snapshot_channel(
        all: &[&Counters],
        binds: Vec<(&Counters, BindView)>,
        binds_configured: u64,
        client_not_after: Option<SystemTime>,
    ) -> Stats {
        let now = SystemTime::now();
        let instant = Instant::now();
        let days = |t: Option<SystemTime>| t.map(|t| crate::tls::days_left(t, now));
        let sum = |f: fn(&Counters) -> &AtomicU64| all.iter().map(|c| f(c).load(Relaxed)).sum();
        let merged = |f: fn(&Counters) -> &Hist| {
            let mut counts = vec![0; BUCKETS];
            let mut sum_us = 0;
            for c in all {
                f(c).add_to(&mut counts, &mut sum_us);
            }
            summary(&counts, sum_us)
        };
        let (latency_p50, latency_p99, latency_count, latency_sum) = merged(|c| &c.hist);
        let (receipt_lag_p50, receipt_lag_p99, receipt_lag_count, receipt_lag_sum) =
            merged(|c| &c.lag);
        let rate: f64 = all
            .iter()
            .map(|c| c.rate.per_second(instant, c.parts_sent.load(Relaxed)))
            .sum();
        let mut by_status: BTreeMap<u32, u64> = BTreeMap::new();
        for c in all {
            if let Ok(m) = c.by_status.lock() {
                for (k, v) in m.iter() {
                    *by_status.entry(*k).or_default() += v;
                }
            }
        }
        let in_flight = binds.iter().map(|(_, b)| b.in_flight).sum();
        let replaced = |b: &BindView| b.draining && binds_has_live(&binds, b.index);
        fn binds_has_live(binds: &[(&Counters, BindView)], index: u32) -> bool {
            binds.iter().any(|(_, b)| b.index == index && !b.draining)
        }
        let keep: Vec<bool> = binds.iter().map(|(_, b)| !replaced(b)).collect();
        let mut binds: Vec<BindStats> = binds
            .into_iter()
            .zip(keep)
            .filter(|(_, keep)| *keep)
            .map(|((c, bind), _)| {
                let (latency_p50, latency_p99, latency_count, latency_sum) = {
                    let mut counts = vec![0; BUCKETS];
                    let mut sum_us = 0;
                    c.hist.add_to(&mut counts, &mut sum_us);
                    summary(&counts, sum_us)
                };
                BindStats {
                    index: bind.index,
                    host: bind.host,
                    up: bind.up,
                    in_flight: bind.in_flight,
                    window_size: bind.window_size,
                    parts_sent: c.parts_sent.load(Relaxed),
                    submits_per_second: c.rate.per_second(instant, c.parts_sent.load(Relaxed)),
                    throttled: c.throttled.load(Relaxed),
                    reconnect_attempts: c.reconnect_attempts.load(Relaxed),
                    reconnects: c.reconnects.load(Relaxed),
                    bytes_in: c.bytes_in.load(Relaxed),
                    bytes_out: c.bytes_out.load(Relaxed),
                    latency_p50,
                    latency_p99,
                    latency_count,
                    latency_sum,
                    smsc_cert_days_left: days(bind.smsc_not_after),
                    smsc_cert_not_after: bind.smsc_not_after,
                }
            })
            .collect();
        binds.sort_by_key(|b| b.index);
        let smsc_not_after = binds.iter().filter_map(|b| b.smsc_cert_not_after).min();
        Stats {
            submitted: sum(|c| &c.submitted),
            accepted: sum(|c| &c.accepted),
            rejected: sum(|c| &c.rejected),
            rejected_by_status: by_status,
            unknown: sum(|c| &c.unknown),
            not_sent: sum(|c| &c.not_sent),
            throttled: sum(|c| &c.throttled),
            retried: sum(|c| &c.retried),
            parts_sent: sum(|c| &c.parts_sent),
            submits_per_second: rate,
            in_flight,
            window_size: binds.iter().map(|b| b.window_size).max().unwrap_or(0),
            binds_configured,
            binds_up: binds.iter().filter(|b| b.up).count() as u64,
            reconnect_attempts: sum(|c| &c.reconnect_attempts),
            reconnects: sum(|c| &c.reconnects),
            bytes_in: sum(|c| &c.bytes_in),
            bytes_out: sum(|c| &c.bytes_out),
            messages_received: sum(|c| &c.messages_received),
            receipts_received: sum(|c| &c.receipts_received),
            receipts_matched: sum(|c| &c.receipts_matched),
            receipts_unmatched: sum(|c| &c.receipts_unmatched),
            receipt_lag_p50,
            receipt_lag_p99,
            receipt_lag_count,
            receipt_lag_sum,
            inbound_refused: sum(|c| &c.inbound_refused),
            latency_p50,
            latency_p99,
            latency_count,
            latency_sum,
            client_cert_days_left: days(client_not_after),
            client_cert_not_after: client_not_after,
            smsc_cert_days_left: days(smsc_not_after),
            smsc_cert_not_after: smsc_not_after,
            binds,
        }
    }
}

impl super::Inner {
    /// At each connect: a warning (logged, and an [`Event::Warning`](super::Event::Warning))
    /// when our client certificate or the SMSC's has expired or expires within
    /// [`Opt::TlsExpiryWarningDays`](crate::config::Opt::TlsExpiryWarningDays).
    pub(super) fn warn_expiry(&self, info: Option<&crate::tls::HandshakeInfo>) {
        let r = self.resolved();
        let Some(t) = &r.tls else { return };
        let now = SystemTime::now();
        let client = t.client_expiry_warning(now);
        let server = info.and_then(|i| {
            t.server_expiry_warning(i.server_subject.as_deref(), i.server_not_after, now)
        });
        for w in client.into_iter().chain(server) {
            self.post(super::Event::Warning(w));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::prometheus::prometheus_text;
    use super::*;
    use std::collections::HashMap;

    fn view() -> BindView {
        BindView {
            index: 0,
            draining: false,
            host: "127.0.0.1:2775".into(),
            up: true,
            in_flight: 3,
            window_size: 10,
            smsc_not_after: None,
        }
    }

    #[test]
    fn receipts_count_matched_unmatched_and_their_lag() {
        let c = Counters::new();
        c.receipt(true, None); // intermediate
        c.receipt(true, Some(Duration::from_secs(2)));
        c.receipt(true, Some(Duration::from_secs(4)));
        c.receipt(true, Some(Duration::from_secs(6)));
        c.receipt(false, None);
        let s = c.snapshot(view(), None);
        assert_eq!(s.receipts_received, 5);
        assert_eq!((s.receipts_matched, s.receipts_unmatched), (4, 1));
        assert_eq!(s.receipt_lag_count, 3);
        assert_eq!(s.receipt_lag_sum, Duration::from_secs(12));
        assert!(s.receipt_lag_p50.unwrap() >= Duration::from_millis(3500));
        assert!(s.receipt_lag_p99.unwrap() >= Duration::from_millis(5250));
    }

    #[test]
    fn a_channel_sums_its_binds_and_lists_each() {
        let (a, b, gone) = (Counters::new(), Counters::new(), Counters::new());
        a.accepted.fetch_add(3, Relaxed);
        b.accepted.fetch_add(4, Relaxed);
        gone.accepted.fetch_add(5, Relaxed);
        a.latency(Duration::from_millis(10));
        b.latency(Duration::from_millis(30));
        b.rejected_with(0x58);
        gone.rejected_with(0x58);
        let mut vb = view();
        vb.index = 1;
        vb.up = false;
        let mut old = view();
        old.index = 1;
        old.draining = true;
        let s = Counters::snapshot_channel(
            &[&gone, &a, &b],
            vec![(&gone, old), (&a, view()), (&b, vb)],
            2,
            None,
        );
        assert_eq!(s.accepted, 12);
        assert_eq!(s.rejected_by_status.get(&0x58), Some(&2));
        // The draining bind 1 is replaced by the new bind 1: not listed, its window counted.
        assert_eq!((s.binds_configured, s.binds_up, s.in_flight), (2, 1, 9));
        assert_eq!(s.latency_count, 2);
        assert_eq!(s.binds.len(), 2);
        assert_eq!((s.binds[0].index, s.binds[1].index), (0, 1));
        assert_eq!(s.binds[1].latency_count, 1);
        assert!(s.binds[1].latency_p50.unwrap() >= Duration::from_millis(28));
    }

    #[test]
    fn rate_counts_the_last_ten_seconds() {
        let r = Rate::new();
        let t = r.start;
        let mut total = 0u64;
        assert_eq!(r.per_second(t, total), 0.0);
        // 100 a second for 20 s: the rate is 100/s, not the total over 20 s.
        for sec in 0..20u64 {
            for i in 0..100u64 {
                r.record(t + Duration::from_millis(sec * 1000 + i * 10), total);
                total += 1;
            }
        }
        let v = r.per_second(t + Duration::from_millis(19_999), total);
        assert!((v - 100.0).abs() < 2.0, "{v}");
        // Nothing for 30 s: 0, however old slots of the ring are.
        assert_eq!(r.per_second(t + Duration::from_secs(50), total), 0.0);
        // Then 10 in the next second: 10/s over it.
        for i in 0..10u64 {
            r.record(t + Duration::from_millis(50_000 + i * 100), total);
            total += 1;
        }
        let v = r.per_second(t + Duration::from_millis(50_999), total);
        assert!((v - 10.0).abs() < 0.1, "{v}");
        // 50 in the first half second: 100/s, not 50 per 0.001 s.
        let r = Rate::new();
        for n in 0..50 {
            r.record(r.start, n);
        }
        let v = r.per_second(r.start + Duration::from_millis(500), 50);
        assert!((v - 100.0).abs() < 1.0, "{v}");
    }

    /// A sample: its name, its labels, its value.
    pub(crate) type Sample = (String, Vec<(String, String)>, f64);

    /// Checks a text exposition line by line against the format (version 0.0.4): comment
    /// lines, `# HELP` / `# TYPE` once per family and before its samples, a family's samples
    /// together, metric and label names' syntax, label values quoted and escaped, values
    /// that parse as floats, counters named `_total`, summaries with `quantile`, `_sum`,
    /// `_count`. Returns the samples as (name, labels, value).
    pub(crate) fn parse_exposition(text: &str) -> Vec<Sample> {
        use std::collections::HashSet;
        fn name_ok(n: &str) -> bool {
            let mut cs = n.chars();
            cs.next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
                && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        }
        assert!(text.ends_with('\n'), "the exposition ends with a newline");
        let mut types: HashMap<String, String> = HashMap::new();
        let mut helped = HashSet::new();
        let mut done: HashSet<String> = HashSet::new();
        let mut current: Option<String> = None;
        let mut samples = Vec::new();
        let mut series = HashSet::new();
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            assert!(!line.is_empty(), "line {n} is empty");
            if let Some(rest) = line.strip_prefix("# ") {
                let mut it = rest.splitn(3, ' ');
                let (kw, name, tail) = (it.next().unwrap(), it.next().unwrap_or(""), it.next());
                assert!(name_ok(name), "line {n}: bad metric name {name:?}");
                match kw {
                    "HELP" => {
                        assert!(
                            helped.insert(name.to_string()),
                            "line {n}: second HELP for {name}"
                        );
                        let help = tail.unwrap_or("");
                        assert!(
                            !help.is_empty() && !help.contains('\\'),
                            "line {n}: {help:?}"
                        );
                    }
                    "TYPE" => {
                        let t = tail.unwrap_or("");
                        assert!(
                            ["counter", "gauge", "summary", "histogram", "untyped"].contains(&t),
                            "line {n}: type {t:?}"
                        );
                        assert!(
                            types.insert(name.to_string(), t.to_string()).is_none(),
                            "line {n}: second TYPE"
                        );
                        if t == "counter" {
                            assert!(
                                name.ends_with("_total"),
                                "line {n}: counter {name} without _total"
                            );
                        }
                    }
                    _ => panic!("line {n}: unknown comment {line:?}"),
                }
                if current.as_deref() != Some(name) {
                    if let Some(c) = current.take() {
                        done.insert(c);
                    }
                    assert!(!done.contains(name), "line {n}: family {name} split");
                    current = Some(name.to_string());
                }
                continue;
            }
            let (name, rest) = line.split_at(line.find(['{', ' ']).expect("a sample"));
            assert!(name_ok(name), "line {n}: bad metric name {name:?}");
            let family = types
                .keys()
                .find(|f| {
                    name == f.as_str()
                        || (types[*f] == "summary"
                            && (name == format!("{f}_sum") || name == format!("{f}_count")))
                })
                .unwrap_or_else(|| panic!("line {n}: {name} has no TYPE before it"))
                .clone();
            assert_eq!(
                current.as_deref(),
                Some(family.as_str()),
                "line {n}: family {family} split"
            );
            let mut labels = Vec::new();
            let mut rest = rest;
            if let Some(r) = rest.strip_prefix('{') {
                let mut r = r;
                loop {
                    if let Some(after) = r.strip_prefix('}') {
                        r = after;
                        break;
                    }
                    let eq = r
                        .find('=')
                        .unwrap_or_else(|| panic!("line {n}: label without ="));
                    let lname = &r[..eq];
                    assert!(
                        name_ok(lname) && !lname.contains(':'),
                        "line {n}: label name {lname:?}"
                    );
                    let mut chars = r[eq + 1..].char_indices();
                    assert_eq!(
                        chars.next().map(|c| c.1),
                        Some('"'),
                        "line {n}: unquoted value"
                    );
                    let mut value = String::new();
                    let end = loop {
                        match chars.next() {
                            Some((_, '\\')) => match chars.next() {
                                Some((_, 'n')) => value.push('\n'),
                                Some((_, c @ ('\\' | '"'))) => value.push(c),
                                other => panic!("line {n}: bad escape {other:?}"),
                            },
                            Some((i, '"')) => break i,
                            Some((_, c)) => value.push(c),
                            None => panic!("line {n}: unterminated label value"),
                        }
                    };
                    assert!(
                        !labels.iter().any(|(l, _): &(String, String)| l == lname),
                        "line {n}: label twice"
                    );
                    labels.push((lname.to_string(), value));
                    r = &r[eq + 1 + end + 1..];
                    r = r.strip_prefix(',').unwrap_or(r);
                }
                rest = r;
            }
            let value = rest
                .strip_prefix(' ')
                .unwrap_or_else(|| panic!("line {n}: no space before the value"));
            assert!(
                !value.contains(' '),
                "line {n}: a timestamp or junk after the value"
            );
            let v: f64 = match value {
                "NaN" => f64::NAN,
                "+Inf" => f64::INFINITY,
                "-Inf" => f64::NEG_INFINITY,
                v => v
                    .parse()
                    .unwrap_or_else(|_| panic!("line {n}: value {v:?}")),
            };
            if types[&family] == "summary" && name == family {
                let q = labels.iter().find(|l| l.0 == "quantile");
                let q: f64 = q
                    .unwrap_or_else(|| panic!("line {n}: no quantile"))
                    .1
                    .parse()
                    .unwrap();
                assert!((0.0..=1.0).contains(&q));
            }
            let mut key = labels.clone();
            key.sort();
            assert!(
                series.insert((name.to_string(), key)),
                "line {n}: the same series twice"
            );
            samples.push((name.to_string(), labels, v));
        }
        for (f, t) in &types {
            assert!(helped.contains(f), "{f} has no HELP");
            if t == "summary" {
                let has = |s: &str| samples.iter().filter(|x| x.0 == s).count();
                assert_eq!(has(&format!("{f}_sum")), has(&format!("{f}_count")), "{f}");
            }
        }
        samples
    }

    #[test]
    fn prometheus_exposition_parses_and_carries_every_number() {
        let c = Counters::new();
        let t0 = Instant::now();
        for _ in 0..5 {
            c.submitted.fetch_add(1, Relaxed);
            c.part_sent(t0);
        }
        c.accepted.fetch_add(3, Relaxed);
        c.rejected_with(0x58);
        c.unknown.fetch_add(1, Relaxed);
        c.throttled.fetch_add(2, Relaxed);
        c.bytes_out.fetch_add(1234, Relaxed);
        c.latency(Duration::from_millis(20));
        c.receipt(true, Some(Duration::from_secs(2)));
        c.receipt(false, None);
        let mut v = view();
        v.host = "smsc \"a\"\\b\nc:2775".into(); // every character that needs escaping
        v.smsc_not_after = Some(SystemTime::now() + Duration::from_secs(5 * 86_400 + 60));
        let s = c.snapshot(
            v,
            Some(SystemTime::now() - Duration::from_secs(86_400 + 60)),
        );
        assert_eq!(s.smsc_cert_days_left, Some(5));
        assert_eq!(s.client_cert_days_left, Some(-2));
        assert_eq!(s.binds.len(), 1);
        let text = s.prometheus("sms \"main\"");
        let samples = parse_exposition(&text);
        let get = |name: &str, want: &[(&str, &str)]| -> f64 {
            let hits: Vec<f64> = samples
                .iter()
                .filter(|(n, l, _)| {
                    n == name
                        && want
                            .iter()
                            .all(|(k, v)| l.iter().any(|(lk, lv)| lk == k && lv == v))
                })
                .map(|x| x.2)
                .collect();
            assert_eq!(hits.len(), 1, "{name} {want:?} in\n{text}");
            hits[0]
        };
        for (_, labels, _) in &samples {
            assert_eq!(
                labels[0],
                ("channel".to_string(), "sms \"main\"".to_string())
            );
        }
        assert_eq!(get("esme_binds_up", &[]), 1.0);
        assert_eq!(get("esme_submitted_messages_total", &[]), 5.0);
        assert_eq!(
            get("esme_message_outcomes_total", &[("outcome", "accepted")]),
            3.0
        );
        assert_eq!(
            get("esme_message_outcomes_total", &[("outcome", "rejected")]),
            1.0
        );
        assert_eq!(
            get("esme_rejections_total", &[("status", "0x00000058")]),
            1.0
        );
        assert_eq!(get("esme_receipts_total", &[("match", "matched")]), 1.0);
        assert_eq!(get("esme_receipts_total", &[("match", "unmatched")]), 1.0);
        assert_eq!(get("esme_receipt_lag_seconds_count", &[]), 1.0);
        assert_eq!(get("esme_receipt_lag_seconds_sum", &[]), 2.0);
        let host = ("host", "smsc \"a\"\\b\nc:2775");
        assert_eq!(get("esme_window_in_use", &[("bind", "0"), host]), 3.0);
        assert_eq!(get("esme_window_size", &[("bind", "0")]), 10.0);
        assert_eq!(get("esme_submit_sm_total", &[("bind", "0")]), 5.0);
        assert!(get("esme_submit_sm_per_second", &[("bind", "0")]) > 0.0);
        assert_eq!(get("esme_throttled_responses_total", &[]), 2.0);
        assert_eq!(get("esme_sent_bytes_total", &[]), 1234.0);
        assert_eq!(get("esme_response_latency_seconds_count", &[]), 1.0);
        let p50 = get("esme_response_latency_seconds", &[("quantile", "0.5")]);
        assert!((0.017..=0.020).contains(&p50), "{p50}");
        let smsc = get(
            "esme_tls_certificate_expiry_seconds",
            &[("certificate", "smsc")],
        );
        assert!(
            (5.0 * 86_400.0..5.0 * 86_400.0 + 61.0).contains(&smsc),
            "{smsc}"
        );
        assert!(
            get(
                "esme_tls_certificate_expiry_seconds",
                &[("certificate", "client")]
            ) < -86_400.0
        );
        // No observation yet: the quantiles are NaN, which the format allows.
        let empty = Counters::new().snapshot(view(), None).prometheus("x");
        assert!(
            empty.contains("esme_receipt_lag_seconds{channel=\"x\",quantile=\"0.5\"} NaN\n"),
            "{empty}"
        );
        parse_exposition(&empty);
    }

    #[test]
    fn several_channels_share_one_help_and_type_per_family() {
        let a = Counters::new().snapshot(view(), None);
        let b = Counters::new().snapshot(view(), None);
        let text = prometheus_text(&[("a", &a), ("b", &b)]);
        let samples = parse_exposition(&text); // a second HELP/TYPE or a split family fails
        assert_eq!(text.matches("# TYPE esme_binds_up gauge").count(), 1);
        for ch in ["a", "b"] {
            assert!(samples
                .iter()
                .any(|(n, l, _)| n == "esme_bind_up" && l[0].1 == ch));
        }
        assert_eq!(prometheus_text(&[("a", &a)]), a.prometheus("a"));
    }

    #[test]
    fn the_checker_refuses_broken_expositions() {
        for bad in [
            "esme_x 1\n",                                                         // no TYPE
            "# HELP a_total x\n# TYPE a_total counter\na_total{l=\"v} 1\n",       // unterminated
            "# HELP a x\n# TYPE a counter\na 1\n", // counter without _total
            "# HELP a x\n# TYPE a gauge\na{l=\"\\q\"} 1\n", // bad escape
            "# HELP a x\n# TYPE a gauge\na one\n", // not a number
            "# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\nb 1\na 1\n", // split
            "# HELP a x\n# TYPE a gauge\na 1",     // no final newline
            "# HELP a x\n# TYPE a gauge\na{l=\"1\"} 1\na{l=\"1\"} 2\n", // a series twice
        ] {
            let r = std::panic::catch_unwind(|| parse_exposition(bad));
            assert!(r.is_err(), "accepted: {bad:?}");
        }
    }

    #[test]
    fn buckets_are_monotonic_and_within_an_eighth() {
        let mut last = 0;
        for us in [
            0u64,
            1,
            7,
            8,
            9,
            15,
            16,
            100,
            1000,
            28_000,
            1_000_000,
            1 << 40,
        ] {
            let b = bucket(us);
            assert!(b >= last);
            last = b;
            let f = bucket_floor(b);
            assert!(f <= us, "{us} floor {f}");
            if us < (1 << 32) {
                assert!(us - f <= us / 8 + 1, "{us} floor {f}");
            }
        }
    }

    #[test]
    fn percentiles() {
        let c = Counters::new();
        assert_eq!(c.snapshot(view(), None).latency_p50, None);
        for _ in 0..99 {
            c.latency(Duration::from_micros(100));
        }
        c.latency(Duration::from_millis(50));
        let s = c.snapshot(view(), None);
        assert_eq!(s.latency_p50, Some(Duration::from_micros(96)));
        assert!(s.latency_p99.unwrap() <= Duration::from_micros(100));
        c.latency(Duration::from_millis(50));
        assert!(c.snapshot(view(), None).latency_p99.unwrap() >= Duration::from_millis(40));
    }
}
