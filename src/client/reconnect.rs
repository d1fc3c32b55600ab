//! The I/O thread's life: run a connection, and when it ends resolve what was in flight,
//! wait (backoff), connect and bind again, or give up.

use super::event::{ConnectionState, Event};
use super::{connect_and_bind, lock, Connected, Inner, PartKey, PartResult, Shared};
use crate::config::{Opt, OutagePolicy};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

impl Inner {
    pub(super) fn io_main(self: Arc<Self>) {
        let mut attempt = 0u32;
        loop {
            let why = self.run_connection();
            self.on_disconnect(&why);
            if lock(&self.st).closing {
                break;
            }
            loop {
                attempt += 1;
                if self
                    .s
                    .config
                    .reconnect_attempts
                    .is_some_and(|max| attempt > max)
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
                if !self.backoff(attempt) {
                    return;
                }
                {
                    let mut g = lock(&self.st);
                    g.state = ConnectionState::Connecting { attempt };
                }
                self.post(Event::Connection(ConnectionState::Connecting { attempt }));
                match connect_and_bind(&self.s) {
                    Ok(Connected {
                        transport: t,
                        session,
                        system_id,
                        tls,
                    }) => {
                        let mut g = lock(&self.st);
                        g.handshake = tls;
                        if g.closing {
                            t.shutdown();
                            return;
                        }
                        g.session = Some(session);
                        g.transport = Some(t);
                        g.state = ConnectionState::Bound {
                            system_id: system_id.clone(),
                        };
                        self.counters.reconnects.fetch_add(1, Relaxed);
                        let now = Instant::now();
                        self.pump(&mut g, now);
                        self.flush(g);
                        self.cv.notify_all();
                        // Each connect repeats the TLS warnings (hostname check off,
                        // a lowest TLS version of 1.1, …), as the first one did.
                        if let Some(t) = &self.s.tls {
                            for w in t.report.warnings.iter().chain(&t.report.version_warnings) {
                                self.post(Event::Warning(w.clone()));
                            }
                        }
                        self.post(Event::Connection(ConnectionState::Bound { system_id }));
                        attempt = 0;
                        break;
                    }
                    Err(e) => {
                        let why = e.to_string();
                        let mut g = lock(&self.st);
                        g.last_down = why.clone();
                        g.state = ConnectionState::Disconnected { why: why.clone() };
                        drop(g);
                        self.post(Event::Connection(ConnectionState::Disconnected { why }));
                    }
                }
            }
        }
    }

    /// Waits before reconnect attempt `attempt` (1 s, doubling, ±20 % jitter, capped by
    /// [`Opt::ReconnectionTimeout`]), doing housekeeping meanwhile. False when closing.
    fn backoff(&self, attempt: u32) -> bool {
        let base = Duration::from_secs(1) * 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        let base = base.min(self.s.config.reconnect_max_delay);
        let jitter = {
            let nanos = Instant::now().elapsed().subsec_nanos() as u64
                ^ std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.subsec_nanos() as u64)
                    .unwrap_or(0);
            (nanos % 401) as f64 / 1000.0 - 0.2
        };
        let wait = base.mul_f64(1.0 + jitter);
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
            let sent = g.subs[&k.0].parts[k.1 as usize].ever_sent;
            let r = if sent {
                PartResult::Unknown(unknown.to_string())
            } else {
                PartResult::NotSent(not_sent.to_string())
            };
            self.set_result(g, k, r);
        }
    }

    pub(super) fn give_up(&self, why: &str) {
        let mut g = lock(&self.st);
        g.last_down = why.to_string();
        if let Some(t) = g.transport.take() {
            t.shutdown();
        }
        let not_sent = format!("not connected: {why}");
        // Queued parts, and parts waiting to retry after a throttling answer (which the SMSC
        // definitely refused), are safe to send again.
        for k in g.drain_queued() {
            self.set_result(&mut g, k, PartResult::NotSent(not_sent.clone()));
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
        if self.s.config.outage_policy == OutagePolicy::Fail && !closing {
            let keys: Vec<PartKey> = g.drain_queued();
            for k in keys {
                self.set_result(
                    &mut g,
                    k,
                    PartResult::NotSent(format!("not connected: {why}")),
                );
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
