//! The I/O thread's life: run a connection, and when it ends resolve what was in flight,
//! wait (backoff), connect and bind again (each attempt on its own thread, `attempt.rs`, while
//! this one runs the timers), or give up; and the outage limit ([`Inner::outage_over`]).

use super::attempt::Attempt;
use super::event::{ConnectionState, Event};
use super::{lock, Connected, Inner, PartKey, PartResult, Shared};
use crate::config::{Opt, OutagePolicy};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The first reconnect attempt's wait when [`Opt::Host`] lists several hosts and the lost
/// connection had lasted [`LASTED`]: the walk of the list starts almost at once (the first
/// host refuses at once if its SMSC is gone; the next one is then tried), instead of after
/// the 1 s backoff; then the backoff goes on as usual (1 s, 2 s, …), and
/// [`Opt::ReconnectAttempts`] counts this attempt as one more. Spread over
/// [`QUICK_FIRST`] + up to [`QUICK_SPREAD`] so that a pool's binds do not all reach the
/// next host in the same few milliseconds.
const QUICK_FIRST: Duration = Duration::from_millis(50);

/// See [`QUICK_FIRST`].
const QUICK_SPREAD: Duration = Duration::from_millis(200);

/// How long a connection must have lasted for [`QUICK_FIRST`]: one that ends sooner (an SMSC
/// that takes a connection and drops it) gets the full backoff, never a tight loop.
const LASTED: Duration = Duration::from_secs(1);

/// How often the I/O thread runs the timers while a connect attempt is in progress.
const CONNECT_TICK: Duration = Duration::from_millis(100);

impl Inner {
    pub(super) fn io_main(self: Arc<Self>) {
        let mut attempt = 0u32;
        let mut connected = lock(&self.st).session.is_some();
        if !connected {
            // Opt::ConnectRetry: the first connect, at once, here rather than in connect().
            match self.connect_once(0) {
                None => return,
                Some(bound) => connected = bound,
            }
        }
        // With several hosts, the first attempt after losing a connection that had lasted is
        // made at once (QUICK_FIRST): another host may be up while this one is not.
        let mut quick = false;
        loop {
            if connected {
                let up = Instant::now();
                let why = self.run_connection();
                self.on_disconnect(&why);
                if lock(&self.st).closing {
                    break;
                }
                attempt = 0;
                quick = lock(&self.hosts).len() > 1 && up.elapsed() >= LASTED;
            }
            loop {
                attempt += 1;
                if self
                    .s
                    .config
                    .reconnect_attempts
                    // The quick attempt is one more, not one of them.
                    .is_some_and(|max| attempt > max + u32::from(quick))
                {
                    let n = attempt - 1;
                    let why = format!(
                        "gave up reconnecting after {n} attempt{} ({})",
                        if n == 1 { "" } else { "s" },
                        Opt::ReconnectAttempts
                    );
                    self.give_up(&why);
                    return;
                }
                if !self.backoff(attempt - u32::from(quick), quick && attempt == 1) {
                    return;
                }
                match self.connect_once(attempt) {
                    None => return,
                    Some(true) => {
                        connected = true;
                        break;
                    }
                    Some(false) => {}
                }
            }
        }
    }

    /// One connect attempt (`attempt.rs`), made on its own thread while this one keeps
    /// running the timers. `Some(true)`: bound, the connection installed; `Some(false)`:
    /// failed (reported as Disconnected); `None`: the client is closing.
    fn connect_once(&self, attempt: u32) -> Option<bool> {
        self.reload_files_if_changed();
        let a = Attempt::start(lock(&self.hosts).clone());
        {
            let mut g = lock(&self.st);
            if g.closing {
                drop(g);
                a.finish();
                return None;
            }
            g.attempt = Some(a.clone());
            g.state = ConnectionState::Connecting { attempt };
        }
        self.counters.reconnect_attempts.fetch_add(1, Relaxed);
        self.post(Event::Connection(ConnectionState::Connecting { attempt }));
        let r = loop {
            {
                let mut g = lock(&self.st);
                if g.closing {
                    g.attempt = None;
                    drop(g);
                    a.finish();
                    return None;
                }
                self.housekeeping(&mut g, Instant::now());
            }
            if let Some(r) = a.wait(CONNECT_TICK) {
                break r;
            }
        };
        let mut g = lock(&self.st);
        g.attempt = None;
        match r {
            Ok((
                Connected {
                    transport: t,
                    session,
                    system_id,
                    tls,
                },
                host,
            )) => {
                if g.closing {
                    t.shutdown();
                    return None;
                }
                self.host.store(host, Relaxed);
                self.up.store(true, Relaxed);
                let expiry = tls.clone();
                g.handshake = tls;
                g.session = Some(session);
                g.transport = Some(t);
                g.state = ConnectionState::Bound {
                    system_id: system_id.clone(),
                };
                g.down_since = None;
                self.counters.reconnects.fetch_add(1, Relaxed);
                let now = Instant::now();
                self.pump(&mut g, now);
                self.flush(g);
                self.cv.notify_all();
                // Each reconnect repeats the TLS warnings (hostname check off, a lowest TLS
                // version of 1.1, …), as the first connect did (connect() posts them once,
                // also for Opt::ConnectRetry's first attempt, number 0).
                if attempt > 0 {
                    if let Some(t) = &self.s.tls {
                        for w in t.report.warnings.iter().chain(&t.report.version_warnings) {
                            self.post(Event::Warning(w.clone()));
                        }
                    }
                }
                // The certificates' expiry at every connect, the first included.
                self.warn_expiry(expiry.as_ref());
                self.post(Event::Connection(ConnectionState::Bound { system_id }));
                Some(true)
            }
            Err(e) => {
                let why = e.to_string();
                g.last_down = why.clone();
                g.state = ConnectionState::Disconnected { why: why.clone() };
                drop(g);
                self.post(Event::Connection(ConnectionState::Disconnected { why }));
                Some(false)
            }
        }
    }

    /// Waits before reconnect attempt `attempt` (1 s, doubling, ±20 % jitter, capped by
    /// [`Opt::ReconnectionTimeout`]; [`QUICK_FIRST`] to [`QUICK_FIRST`] + [`QUICK_SPREAD`]
    /// when `quick`), doing housekeeping meanwhile. False when closing.
    fn backoff(&self, attempt: u32, quick: bool) -> bool {
        let base = Duration::from_secs(1) * 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let base = base.min(self.s.config.reconnect_max_delay);
        let nanos = Instant::now().elapsed().subsec_nanos() as u64
            ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos() as u64)
                .unwrap_or(0);
        let wait = match quick {
            true => QUICK_FIRST + QUICK_SPREAD.mul_f64((nanos % 1001) as f64 / 1000.0),
            false => base.mul_f64(1.0 + (nanos % 401) as f64 / 1000.0 - 0.2),
        };
        let until = Instant::now() + wait;
        let mut g = lock(&self.st);
        loop {
            if g.closing {
                return false;
            }
            let now = Instant::now();
            self.housekeeping(&mut g, now);
            if now >= until {
                return true;
            }
            let step = (until - now).min(Duration::from_millis(100));
            g = self.wait(g, step);
        }
    }

    /// Ends every message still open: parts ever written become Unknown, the others NotSent.
    pub(super) fn resolve_all(&self, g: &mut Shared, unknown: &str, not_sent: &str) {
        if let Some(sess) = g.session.as_mut() {
            sess.abort();
        }
        for k in g.unresolved() {
            let part = &g.subs[&k.0].parts[k.1 as usize];
            if part.ever_sent && part.refused.is_none() {
                self.set_result(g, k, PartResult::Unknown(unknown.to_string()));
            } else {
                self.not_sent(g, k, not_sent);
            }
        }
    }

    pub(super) fn give_up(&self, why: &str) {
        self.up.store(false, Relaxed);
        let mut g = lock(&self.st);
        g.last_down = why.to_string();
        if let Some(t) = g.transport.take() {
            t.shutdown();
        }
        g.gave_up = true;
        let not_sent = format!("not connected: {why}");
        // Queued parts, and parts waiting to retry after a throttling answer (which the SMSC
        // definitely refused), are safe to send again.
        for k in g.drain_queued() {
            self.not_sent(&mut g, k, &not_sent);
        }
        let unknown = format!("the connection ended before the response: {why}");
        self.resolve_all(&mut g, &unknown, &not_sent);
        g.session = None;
        g.closing = true;
        g.closed = true;
        g.state = ConnectionState::Closed;
        drop(g);
        self.post(Event::Connection(ConnectionState::Disconnected {
            why: why.to_string(),
        }));
        self.post(Event::Connection(ConnectionState::Closed));
        self.cv.notify_all();
    }

    /// The connection ended: parts in flight become Unknown; queued ones wait for the next
    /// connection (or become NotSent when [`Opt::SubmitDuringOutage`] is fail).
    fn on_disconnect(&self, why: &str) {
        self.up.store(false, Relaxed);
        let mut g = lock(&self.st);
        let lost = g.session.as_mut().map(|s| s.abort()).unwrap_or_default();
        g.session = None;
        // A submitter still reading the old connection drops what it reads.
        g.conn_gen = g.conn_gen.wrapping_add(1);
        g.io_reading = false;
        g.conn_end = None;
        if let Some(t) = g.transport.take() {
            t.shutdown();
        }
        let closing = g.closing;
        for k in lost {
            let r = if closing && why == "unbound" {
                PartResult::Unknown("the client was closed before the SMSC answered".into())
            } else {
                PartResult::Unknown(format!(
                    "the connection was lost before the response: {why}"
                ))
            };
            self.set_result(&mut g, k, r);
        }
        g.last_down = why.to_string();
        g.down_since.get_or_insert_with(Instant::now);
        if self.s.config.outage_policy == OutagePolicy::Fail && !closing {
            let keys: Vec<PartKey> = g.drain_queued();
            let why = format!("not connected: {why}");
            for k in keys {
                self.not_sent(&mut g, k, &why);
            }
        }
        if !closing {
            g.state = ConnectionState::Disconnected {
                why: why.to_string(),
            };
        }
        drop(g);
        self.cv.notify_all();
        if !closing {
            self.post(Event::Connection(ConnectionState::Disconnected {
                why: why.to_string(),
            }));
        }
    }
}

impl Inner {
    /// Why no message may wait for the link any longer: it has been down for
    /// [`Opt::SubmitTimeout`]. Then every message waiting is NotSent, and every new one at
    /// once, until the link is back: an outage ends all waiting within one submit timeout of
    /// its start, however many messages wait. `None` while bound, or down for less.
    pub(super) fn outage_over(&self, g: &Shared, now: Instant) -> Option<String> {
        let down = now.saturating_duration_since(g.down_since?);
        let limit = self.s.config.submit_timeout;
        (down >= limit).then(|| {
            format!(
                "not connected for {:.1} s, past {} ({:.1} s): {}",
                down.as_secs_f64(),
                Opt::SubmitTimeout,
                limit.as_secs_f64(),
                g.last_down
            )
        })
    }

    /// The outage limit: once the link has been down for the submit timeout, ends every part
    /// still waiting to be sent (queued, waiting for a resubmission, or behind an earlier part
    /// of its message) as NotSent.
    pub(super) fn end_waiting_if_outage_over(&self, g: &mut Shared, now: Instant) {
        if g.subs.is_empty() {
            return;
        }
        let Some(why) = self.outage_over(g, now) else {
            return;
        };
        g.queue.clear();
        g.retry.clear();
        let waiting = g.unwritten(|_| true);
        for k in waiting {
            self.not_sent(g, k, &why);
        }
    }
}
