//! Receipt correlation: the message ids each submit got, remembered with the message's
//! user data for a bounded time and count, so each delivery receipt comes back with it
//! ([`Correlation`]), and the end of that memory is reported ([`Released`]).
//!
//! When a message is forgotten, exactly one event says so, and it is the last event that
//! carries its user data:
//! - the outcome, when nothing is left to wait for (no receipt asked for, no message id,
//!   or every accepted part already had its final receipt);
//! - else the final receipt of the last part still waited for ([`Correlation::last`]);
//! - else [`Event::Released`](super::Event::Released): the window
//!   ([`Opt::ReceiptCorrelationTimeout`], counted from the outcome) passed, the table was
//!   full ([`Opt::ReceiptCorrelationMax`]: the oldest is released first), or the client was
//!   closed.
//!
//! Only messages whose outcome is known can be released early or expire: until then the
//! outcome event is still to come, and it must not follow the event that released the user
//! data. There are at most a window of those, so the table holds at most the maximum plus
//! the window.
//!
//! Ids are matched as [`crate::receipt::ids_match`] compares them: literally, then a hex id
//! without its leading zeros and in upper case, then read as decimal and written in hex, and
//! read as hex and written in decimal (SMSCs answer in one base and write receipts in the
//! other). All of it runs under the client's `st` lock, from the submit and response paths,
//! the inbound receipt and the I/O thread's housekeeping.

use super::event::{Correlation, Released};
use crate::config::{Config, Opt};
use crate::idhash::IdMap;
use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// One remembered message.
struct Entry {
    user_data: u64,
    /// The message's parts: the key of each accepted part still waiting for a final
    /// receipt; None for a part that had it, or was not accepted.
    waiting: Vec<Option<Box<str>>>,
    /// Its outcome is known (the outcome event has been posted or returned).
    complete: bool,
    /// When its first part was accepted: the receipt lag in the stats is counted from it.
    accepted_at: Instant,
}

impl Entry {
    fn pending(&self) -> usize {
        self.waiting.iter().filter(|w| w.is_some()).count()
    }
}

/// The table.
pub(super) struct Correlations {
    timeout: Duration,
    max: usize,
    entries: IdMap<u64, Entry>,
    /// Message id key → (ticket, part index).
    by_id: HashMap<Box<str>, (u64, u16)>,
    /// Complete entries in the order they expire (stale tickets, already forgotten, are
    /// skipped and compacted away).
    order: VecDeque<(Instant, u64)>,
    /// Tickets in `order` no longer in `entries`.
    stale: usize,
}

/// The key a message id is stored under: a hex-looking id without its leading zeros, in
/// upper case; any other id as it is.
fn key(id: &str) -> Box<str> {
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        let t = id.trim_start_matches('0');
        let t = if t.is_empty() { "0" } else { t };
        t.to_ascii_uppercase().into_boxed_str()
    } else {
        id.into()
    }
}

impl Correlations {
    pub(super) fn new(config: &Config) -> Correlations {
        Correlations {
            timeout: config.receipt_correlation_timeout,
            max: config.receipt_correlation_max as usize,
            entries: Default::default(),
            by_id: HashMap::new(),
            order: VecDeque::new(),
            stale: 0,
        }
    }

    /// A new [`Opt::ReceiptCorrelationTimeout`] and [`Opt::ReceiptCorrelationMax`] (a
    /// reload): for the messages remembered from now (a lower maximum releases the oldest
    /// as new ones come).
    pub(super) fn set_limits(&mut self, config: &Config) {
        self.timeout = config.receipt_correlation_timeout;
        self.max = config.receipt_correlation_max as usize;
    }

    /// Whether receipts are matched at all.
    pub(super) fn enabled(&self) -> bool {
        self.max > 0
    }

    /// How many messages are remembered now.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Part `part` of `parts` of message `ticket` was accepted as `id`. May release the
    /// oldest complete entry to make room (returned).
    pub(super) fn accepted(
        &mut self,
        ticket: u64,
        user_data: u64,
        part: u16,
        parts: u16,
        id: &str,
    ) -> Option<Released> {
        if self.max == 0 || id.is_empty() {
            return None;
        }
        let mut evicted = None;
        if !self.entries.contains_key(&ticket) {
            if self.entries.len() >= self.max {
                evicted = self.evict_oldest();
            }
            self.entries.insert(
                ticket,
                Entry {
                    user_data,
                    waiting: vec![None; parts as usize],
                    complete: false,
                    accepted_at: Instant::now(),
                },
            );
        }
        let k = key(id);
        if let Some(e) = self.entries.get_mut(&ticket) {
            if let Some(w) = e.waiting.get_mut(part as usize) {
                *w = Some(k.clone());
                // A later message with the same id (an SMSC that reuses ids) takes it over.
                self.by_id.insert(k, (ticket, part));
            }
        }
        evicted
    }

    /// The outcome of message `ticket` is known. True when it is still remembered (some
    /// accepted part waits for its final receipt).
    pub(super) fn complete(&mut self, ticket: u64, now: Instant) -> bool {
        let Some(e) = self.entries.get_mut(&ticket) else {
            return false;
        };
        e.complete = true;
        if e.pending() == 0 {
            self.entries.remove(&ticket);
            return false;
        }
        self.order.push_back((now + self.timeout, ticket));
        true
    }

    /// A receipt with message id `id`, final or not: the message it is about, if
    /// remembered. A final receipt forgets that part; the last one, the message.
    #[cfg(test)]
    pub(super) fn receipt(&mut self, id: &str, is_final: bool) -> Option<Correlation> {
        self.receipt_at(id, is_final).map(|(c, _)| c)
    }

    /// [`Correlations::receipt`], and when the message's first part was accepted (for the
    /// receipt lag in the stats).
    pub(super) fn receipt_at(
        &mut self,
        id: &str,
        is_final: bool,
    ) -> Option<(Correlation, Instant)> {
        if self.entries.is_empty() || id.is_empty() {
            return None;
        }
        let k = self.find(id)?;
        let (ticket, part) = self.by_id[&k];
        let e = self.entries.get_mut(&ticket)?;
        let parts = e.waiting.len() as u16;
        let user_data = e.user_data;
        let at = e.accepted_at;
        let mut last = false;
        if is_final {
            self.by_id.remove(&k);
            e.waiting[part as usize] = None;
            if e.complete && e.pending() == 0 {
                self.forget(ticket);
                last = true;
            }
        }
        Some((
            Correlation {
                ticket,
                user_data,
                part: part + 1,
                parts,
                last,
            },
            at,
        ))
    }

    /// The key under which `id` (a receipt's) is stored, if any: see the module's
    /// documentation.
    fn find(&self, id: &str) -> Option<Box<str>> {
        let hit = |k: Box<str>| self.by_id.contains_key(&k).then_some(k);
        if let Some(k) = hit(id.into()) {
            return Some(k);
        }
        if let Some(k) = hit(key(id)) {
            return Some(k);
        }
        if id.len() <= 20 && id.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(n) = id.parse::<u64>() {
                if let Some(k) = hit(format!("{n:X}").into()) {
                    return Some(k);
                }
            }
        }
        if id.len() <= 16 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(n) = u64::from_str_radix(id, 16) {
                if let Some(k) = hit(key(&n.to_string())) {
                    return Some(k);
                }
            }
        }
        None
    }

    /// Removes a message and its remaining ids; what was still waited for.
    fn forget(&mut self, ticket: u64) -> Option<(u64, Vec<String>)> {
        let e = self.entries.remove(&ticket)?;
        let mut ids = Vec::new();
        for k in e.waiting.into_iter().flatten() {
            if self.by_id.get(&k).is_some_and(|(t, _)| *t == ticket) {
                self.by_id.remove(&k);
            }
            ids.push(k.into_string());
        }
        if e.complete {
            self.stale += 1;
            self.compact();
        }
        Some((e.user_data, ids))
    }

    /// Drops stale tickets from `order` once they outnumber the live ones (amortised).
    fn compact(&mut self) {
        if self.stale > 1024 && self.stale > self.entries.len() {
            let entries = &self.entries;
            self.order.retain(|(_, t)| entries.contains_key(t));
            self.stale = 0;
        }
    }

    /// The oldest complete message, forgotten to make room.
    fn evict_oldest(&mut self) -> Option<Released> {
        while let Some((_, t)) = self.order.pop_front() {
            if !self.entries.contains_key(&t) {
                self.stale = self.stale.saturating_sub(1);
                continue;
            }
            let (user_data, ids) = self.forget_counted(t)?;
            return Some(Released {
                ticket: t,
                why: format!(
                    "no final receipt for {} part(s) yet, and {} messages already wait for theirs ({}): the oldest is released",
                    ids.len(),
                    self.max,
                    Opt::ReceiptCorrelationMax
                ),
                user_data,
                message_ids: ids,
            });
        }
        None
    }

    /// [`forget`](Self::forget) for a ticket just taken out of `order` (not stale then).
    fn forget_counted(&mut self, ticket: u64) -> Option<(u64, Vec<String>)> {
        let r = self.forget(ticket);
        self.stale = self.stale.saturating_sub(1);
        r
    }

    /// The complete messages whose window has passed, forgotten.
    pub(super) fn expire(&mut self, now: Instant) -> Vec<Released> {
        let mut out = Vec::new();
        while let Some(&(at, t)) = self.order.front() {
            if at > now {
                break;
            }
            self.order.pop_front();
            if !self.entries.contains_key(&t) {
                self.stale = self.stale.saturating_sub(1);
                continue;
            }
            if let Some((user_data, ids)) = self.forget_counted(t) {
                out.push(Released {
                    ticket: t,
                    why: format!(
                        "no final receipt for {} part(s) within {} s ({})",
                        ids.len(),
                        self.timeout.as_secs(),
                        Opt::ReceiptCorrelationTimeout
                    ),
                    user_data,
                    message_ids: ids,
                });
            }
        }
        out
    }

    /// Every message, forgotten (the client is closed: no receipt can come any more).
    pub(super) fn release_all(&mut self, why: &str) -> Vec<Released> {
        let mut tickets: Vec<u64> = self.entries.keys().copied().collect();
        tickets.sort_unstable();
        let out = tickets
            .into_iter()
            .filter_map(|t| {
                let (user_data, ids) = self.forget(t)?;
                Some(Released {
                    ticket: t,
                    user_data,
                    why: format!("no final receipt for {} part(s): {why}", ids.len()),
                    message_ids: ids,
                })
            })
            .collect();
        self.order.clear();
        self.stale = 0;
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(max: u32, secs: u64) -> Correlations {
        let c = Config::builder("127.0.0.1", "esme01")
            .receipt_correlation_max(max)
            .receipt_correlation_timeout(Duration::from_secs(secs))
            .build()
            .unwrap();
        Correlations::new(&c)
    }

    #[test]
    fn a_receipt_finds_its_message_in_either_base_and_the_last_one_releases_it() {
        let now = Instant::now();
        let mut t = table(10, 60);
        assert!(t.accepted(7, 70, 0, 2, "0001A").is_none());
        assert!(t.accepted(7, 70, 1, 2, "1B").is_none());
        // A receipt may come before the message's outcome (the other part in flight).
        let c = t.receipt("26", true).unwrap(); // decimal 26 = hex 1A
        assert_eq!(
            (c.ticket, c.user_data, c.part, c.parts, c.last),
            (7, 70, 1, 2, false)
        );
        assert!(
            t.receipt("26", true).is_none(),
            "a duplicate final receipt is unmatched"
        );
        assert!(t.complete(7, now));
        let c = t.receipt("1b", false).unwrap(); // not final: still remembered
        assert!(!c.last);
        let c = t.receipt("0000001B", true).unwrap();
        assert_eq!((c.part, c.last), (2, true));
        assert_eq!(t.len(), 0);
        assert!(t.by_id.is_empty() && t.expire(now + Duration::from_secs(99)).is_empty());
        // Opaque ids (node-smpp's "2871-1") match literally.
        t.accepted(8, 80, 0, 1, "2871-1");
        assert!(t.receipt("2871-2", true).is_none());
        assert_eq!(t.receipt("2871-1", true).unwrap().user_data, 80);
    }

    #[test]
    fn an_outcome_with_nothing_left_to_wait_for_releases_at_once() {
        let now = Instant::now();
        let mut t = table(10, 60);
        assert!(!t.complete(1, now), "never accepted");
        t.accepted(2, 20, 0, 1, "5");
        assert_eq!(t.receipt("5", true).map(|c| c.last), Some(false));
        assert!(
            !t.complete(2, now),
            "its only part already had its final receipt"
        );
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn expiry_and_eviction_release_only_messages_whose_outcome_is_known() {
        let now = Instant::now();
        let mut t = table(2, 10);
        t.accepted(1, 10, 0, 1, "A1");
        t.accepted(2, 20, 0, 1, "A2");
        // Full, but neither outcome is known: nothing may be released; the table grows.
        assert!(t.accepted(3, 30, 0, 1, "A3").is_none());
        assert_eq!(t.len(), 3);
        assert!(t.complete(1, now) && t.complete(2, now + Duration::from_secs(1)));
        let r = t
            .accepted(4, 40, 0, 1, "A4")
            .expect("the oldest complete is evicted");
        assert_eq!(
            (r.ticket, r.user_data, r.message_ids.clone()),
            (1, 10, vec!["A1".into()])
        );
        assert!(
            r.why.contains("x-smpp-receipt-correlation-max"),
            "{}",
            r.why
        );
        assert!(t.receipt("A1", true).is_none());
        assert!(t.expire(now + Duration::from_secs(10)).is_empty());
        let e = t.expire(now + Duration::from_secs(11));
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].ticket, e[0].user_data), (2, 20));
        assert!(e[0].why.contains("within 10 s"), "{}", e[0].why);
        t.complete(3, now);
        t.complete(4, now);
        let all = t.release_all("the client was closed");
        assert_eq!(all.iter().map(|r| r.ticket).collect::<Vec<_>>(), vec![3, 4]);
        assert!(t.by_id.is_empty() && t.order.is_empty() && t.len() == 0);
    }

    #[test]
    fn stale_order_entries_are_compacted() {
        let now = Instant::now();
        let mut t = table(1_000_000, 3600);
        for i in 0..5000u64 {
            t.accepted(i, i, 0, 1, &format!("id-{i}"));
            t.complete(i, now);
            assert!(t.receipt(&format!("id-{i}"), true).unwrap().last);
        }
        assert!(t.order.len() <= 1025, "{}", t.order.len());
    }

    #[test]
    fn zero_max_matches_nothing() {
        let mut t = table(0, 60);
        assert!(!t.enabled());
        t.accepted(1, 1, 0, 1, "1");
        assert!(t.receipt("1", true).is_none());
    }
}
