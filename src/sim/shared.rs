//! [`Shared`]: the state every thread of one simulator shares (sessions, records, counters)
//! and the receipt scheduler.

use super::config::SimConfig;
use super::faults::Faults;
use super::records::{Arrival, Submitted};
use super::session::{Sent, Session};
use super::stats::Counters;
use crate::pdu::Pdu;
use std::collections::{BinaryHeap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A receipt to deliver.
#[derive(Debug)]
pub(super) struct Job {
    pub(super) due: Instant,
    pub(super) order: u64,
    pub(super) system_id: String,
    /// The submitting session, when it can receive.
    pub(super) prefer: Option<u64>,
    pub(super) pdu: Pdu,
}

impl PartialEq for Job {
    fn eq(&self, o: &Self) -> bool {
        (self.due, self.order) == (o.due, o.order)
    }
}
impl Eq for Job {}
impl PartialOrd for Job {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Job {
    /// Reversed, so the max-heap pops the earliest.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.due, o.order).cmp(&(self.due, self.order))
    }
}

#[derive(Debug, Default)]
pub(super) struct SchedState {
    pub(super) jobs: BinaryHeap<Job>,
    /// Receipts with no receiver bound, retried when one binds.
    pub(super) parked: VecDeque<Job>,
    pub(super) order: u64,
    /// Set when a session that can receive binds.
    pub(super) rebind: bool,
}

/// At most this many receipts wait for a receiver; older ones are dropped.
pub(super) const MAX_PARKED: usize = 100_000;

/// State shared by every thread of one simulator.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(super) cfg: SimConfig,
    pub(super) faults: Faults,
    pub(super) stats: Counters,
    pub(super) stop: AtomicBool,
    pub(super) sessions: Mutex<Vec<Arc<Session>>>,
    pub(super) next_session: AtomicU64,
    pub(super) next_message_id: AtomicU64,
    pub(super) next_ref: AtomicU64,
    pub(super) round_robin: AtomicUsize,
    pub(super) submitted: Mutex<VecDeque<Submitted>>,
    pub(super) arrivals: Mutex<VecDeque<Arrival>>,
    pub(super) sched: Mutex<SchedState>,
    pub(super) sched_cv: Condvar,
    pub(super) threads: Mutex<Vec<JoinHandle<()>>>,
    /// `Some` on a TLS simulator.
    pub(super) tls: Option<super::tls::TlsShared>,
    /// The channel of its log records: the listening address.
    pub(super) channel: String,
    /// What masks its log lines, made when the first one is.
    pub(super) log_mask: std::sync::OnceLock<crate::trace::LogMask>,
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub(super) fn new_message_id(&self) -> String {
        format!("{:X}", self.next_message_id.fetch_add(1, Relaxed))
    }

    /// Whether `id` is one this simulator issued.
    pub(super) fn issued(&self, id: &str) -> bool {
        u64::from_str_radix(id, 16).is_ok_and(|n| n >= 1 && n < self.next_message_id.load(Relaxed))
    }

    pub(super) fn record(&self, s: Submitted) {
        let cap = self.cfg.keep_submitted;
        if cap == 0 {
            return;
        }
        let mut q = lock(&self.submitted);
        while q.len() >= cap {
            q.pop_front();
        }
        q.push_back(s);
    }

    pub(super) fn record_arrival(&self, a: Arrival) {
        let cap = self.cfg.keep_arrivals;
        if cap == 0 {
            return;
        }
        let mut q = lock(&self.arrivals);
        while q.len() >= cap {
            q.pop_front();
        }
        q.push_back(a);
    }

    pub(super) fn spawn(
        self: &Arc<Self>,
        name: &str,
        f: impl FnOnce() + Send + 'static,
    ) -> std::io::Result<()> {
        let h = std::thread::Builder::new()
            .name(name.to_string())
            .spawn(f)?;
        let mut t = lock(&self.threads);
        t.retain(|h| !h.is_finished());
        t.push(h);
        Ok(())
    }

    /// Bound sessions that can receive deliver_sm, in connection order.
    pub(super) fn receivers(&self) -> Vec<Arc<Session>> {
        lock(&self.sessions)
            .iter()
            .filter(|s| s.bound().is_some_and(|(k, _)| k.can_receive()))
            .cloned()
            .collect()
    }

    /// Queues a receipt for the scheduler.
    pub(super) fn schedule_receipt(
        &self,
        due: Instant,
        system_id: String,
        prefer: Option<u64>,
        pdu: Pdu,
    ) {
        let mut st = lock(&self.sched);
        let order = st.order;
        st.order += 1;
        let earliest = st.jobs.peek().is_none_or(|j| due < j.due);
        st.jobs.push(Job {
            due,
            order,
            system_id,
            prefer,
            pdu,
        });
        drop(st);
        if earliest {
            self.sched_cv.notify_one();
        }
    }

    /// A session that can receive has bound: retry parked receipts.
    pub(super) fn receiver_bound(&self) {
        let mut st = lock(&self.sched);
        if !st.parked.is_empty() {
            st.rebind = true;
            drop(st);
            self.sched_cv.notify_one();
        }
    }

    pub(super) fn deliver_job(&self, job: Job, receivers: &[Arc<Session>]) -> Option<Job> {
        let target = job
            .prefer
            .and_then(|id| receivers.iter().find(|s| s.id == id))
            .or_else(|| {
                receivers
                    .iter()
                    .find(|s| s.bound().is_some_and(|(_, sys)| sys == job.system_id))
            });
        match target {
            Some(s) => {
                if s.send(job.pdu.clone(), Sent::Receipt, self).is_err() {
                    return Some(job);
                }
                None
            }
            None => Some(job),
        }
    }

    /// The scheduler thread: due receipts, parked receipts, keepalives.
    pub(super) fn run_scheduler(self: Arc<Self>) {
        let interval = self.cfg.enquire_link_interval;
        let mut last_keepalive: HashMap<u64, Instant> = HashMap::new();
        while !self.stop.load(Relaxed) {
            let now = Instant::now();
            let mut due = Vec::new();
            {
                let mut st = lock(&self.sched);
                if st.rebind {
                    st.rebind = false;
                    while let Some(mut j) = st.parked.pop_front() {
                        j.due = now;
                        st.jobs.push(j);
                    }
                }
                while st.jobs.peek().is_some_and(|j| j.due <= now) {
                    due.extend(st.jobs.pop());
                }
            }
            if !due.is_empty() {
                let receivers = self.receivers();
                let mut parked = Vec::new();
                for job in due {
                    parked.extend(self.deliver_job(job, &receivers));
                }
                if !parked.is_empty() {
                    let mut st = lock(&self.sched);
                    st.parked.extend(parked);
                    while st.parked.len() > MAX_PARKED {
                        st.parked.pop_front();
                    }
                }
            }
            if let Some(iv) = interval {
                let sessions: Vec<_> = lock(&self.sessions).clone();
                last_keepalive.retain(|id, _| sessions.iter().any(|s| s.id == *id));
                for s in sessions.iter().filter(|s| s.bound().is_some()) {
                    let last = last_keepalive.entry(s.id).or_insert(now);
                    if now.duration_since(*last) >= iv {
                        *last = now;
                        let pdu = Pdu::new(0, crate::pdu::Body::EnquireLink);
                        if s.send(pdu, Sent::EnquireLink, &self).is_ok() {
                            self.stats.enquire_links_sent.fetch_add(1, Relaxed);
                        }
                    }
                }
            }
            let st = lock(&self.sched);
            if self.stop.load(Relaxed) || st.rebind {
                continue;
            }
            let mut wait = Duration::from_millis(50);
            if let Some(iv) = interval {
                wait = wait.min(iv / 4).max(Duration::from_millis(1));
            }
            if let Some(j) = st.jobs.peek() {
                wait = wait.min(j.due.saturating_duration_since(Instant::now()));
            }
            if !wait.is_zero() {
                drop(self.sched_cv.wait_timeout(st, wait));
            }
        }
    }

    pub(super) fn disconnect_all(&self) {
        let sessions: Vec<_> = lock(&self.sessions).clone();
        for s in sessions {
            s.abort();
        }
    }
}
