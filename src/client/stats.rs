//! Counters readable at any time, and a small latency histogram.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Mutex;
use std::time::Duration;

/// A snapshot of a client's counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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
    /// Parts waiting for their response now.
    pub in_flight: u64,
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
    /// Inbound PDUs refused with ESME_RX_T_APPN because the event queue was full.
    pub inbound_refused: u64,
    /// Response latency, median.
    pub latency_p50: Option<Duration>,
    /// Response latency, 99th percentile.
    pub latency_p99: Option<Duration>,
}

/// Log-linear histogram of microseconds: 8 buckets per power of two, up to ~2^32 µs.
const SUB: usize = 8;
const BUCKETS: usize = 33 * SUB;

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
    by_status: Mutex<BTreeMap<u32, u64>>,
    hist: Box<[AtomicU64]>,
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
            by_status: Mutex::new(BTreeMap::new()),
            hist: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    pub fn rejected_with(&self, status: u32) {
        self.rejected.fetch_add(1, Relaxed);
        if let Ok(mut m) = self.by_status.lock() {
            *m.entry(status).or_default() += 1;
        }
    }

    pub fn latency(&self, d: Duration) {
        let us = d.as_micros().min(u64::MAX as u128) as u64;
        self.hist[bucket(us)].fetch_add(1, Relaxed);
    }

    fn percentile(&self, q: f64) -> Option<Duration> {
        let counts: Vec<u64> = self.hist.iter().map(|a| a.load(Relaxed)).collect();
        let total: u64 = counts.iter().sum();
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
    }

    /// The snapshot of the sum of several counters (the binds of a channel).
    pub fn snapshot_sum(all: &[std::sync::Arc<Counters>], in_flight: u64) -> Stats {
        if let [one] = all {
            return one.snapshot(in_flight);
        }
        let t = Counters::new();
        for c in all {
            for (a, b) in [
                (&t.submitted, &c.submitted),
                (&t.accepted, &c.accepted),
                (&t.rejected, &c.rejected),
                (&t.unknown, &c.unknown),
                (&t.not_sent, &c.not_sent),
                (&t.throttled, &c.throttled),
                (&t.retried, &c.retried),
                (&t.parts_sent, &c.parts_sent),
                (&t.reconnect_attempts, &c.reconnect_attempts),
                (&t.reconnects, &c.reconnects),
                (&t.bytes_in, &c.bytes_in),
                (&t.bytes_out, &c.bytes_out),
                (&t.messages_received, &c.messages_received),
                (&t.receipts_received, &c.receipts_received),
                (&t.inbound_refused, &c.inbound_refused),
                (&t.caller_reads, &c.caller_reads),
                (&t.writes, &c.writes),
            ] {
                a.fetch_add(b.load(Relaxed), Relaxed);
            }
            for (a, b) in t.hist.iter().zip(c.hist.iter()) {
                a.fetch_add(b.load(Relaxed), Relaxed);
            }
            if let (Ok(mut m), Ok(o)) = (t.by_status.lock(), c.by_status.lock()) {
                for (k, v) in o.iter() {
                    *m.entry(*k).or_default() += v;
                }
            }
        }
        t.snapshot(in_flight)
    }

    pub fn snapshot(&self, in_flight: u64) -> Stats {
        Stats {
            submitted: self.submitted.load(Relaxed),
            accepted: self.accepted.load(Relaxed),
            rejected: self.rejected.load(Relaxed),
            rejected_by_status: self.by_status.lock().map(|m| m.clone()).unwrap_or_default(),
            unknown: self.unknown.load(Relaxed),
            not_sent: self.not_sent.load(Relaxed),
            throttled: self.throttled.load(Relaxed),
            retried: self.retried.load(Relaxed),
            parts_sent: self.parts_sent.load(Relaxed),
            in_flight,
            reconnect_attempts: self.reconnect_attempts.load(Relaxed),
            reconnects: self.reconnects.load(Relaxed),
            bytes_in: self.bytes_in.load(Relaxed),
            bytes_out: self.bytes_out.load(Relaxed),
            messages_received: self.messages_received.load(Relaxed),
            receipts_received: self.receipts_received.load(Relaxed),
            inbound_refused: self.inbound_refused.load(Relaxed),
            latency_p50: self.percentile(0.50),
            latency_p99: self.percentile(0.99),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(c.snapshot(0).latency_p50, None);
        for _ in 0..99 {
            c.latency(Duration::from_micros(100));
        }
        c.latency(Duration::from_millis(50));
        let s = c.snapshot(0);
        assert_eq!(s.latency_p50, Some(Duration::from_micros(96)));
        assert!(s.latency_p99.unwrap() <= Duration::from_micros(100));
        c.latency(Duration::from_millis(50));
        assert!(c.snapshot(0).latency_p99.unwrap() >= Duration::from_millis(40));
    }
}
