//! Submitting: admission (the window), the rate ([`Pacer`]), moving queued parts into the
//! session, each part's result, the message's outcome, and resubmission after a throttling
//! answer.

use super::event::Event;
use super::ticket::{Slot, SlotState, Ticket};
use super::{
    lock, message, ConnectionState, Inner, Outcome, Part, PartKey, PartResult, Shared, Sub,
    CALLER_LINGER, COALESCE_IN_FLIGHT, COALESCE_MAX_BYTES, COALESCE_MODE,
};
use crate::config::{admission_limit, Opt, OutagePolicy};
use crate::error::Error;
use crate::pdu::{Body, CommandStatus, Pdu};
use crate::session;
use crate::Message;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// The shortest sleep of a submitter waiting for room (a bound on spinning).
const MIN_WAIT: Duration = Duration::from_millis(1);

/// When the next submit_sm may go: evenly spaced at [`Opt::SubmitMaxRate`] (no burst
/// after an idle spell), and held back by a pause after a throttling answer whatever the
/// rate (also when unlimited).
#[derive(Debug)]
pub(super) struct Pacer {
    interval: Option<Duration>,
    next: Instant,
}

impl Pacer {
    pub(super) fn new(max_rate: Option<u32>, now: Instant) -> Pacer {
        Pacer {
            interval: max_rate.map(|r| Duration::from_secs(1) / r.max(1)),
            next: now,
        }
    }

    pub(super) fn ready(&self, now: Instant) -> bool {
        now >= self.next
    }

    pub(super) fn sent(&mut self, now: Instant) {
        if let Some(iv) = self.interval {
            self.next = self.next.max(now) + iv;
        }
    }

    /// A new [`Opt::SubmitMaxRate`] (a reload): the spacing changes from the next submit.
    pub(super) fn set_rate(&mut self, max_rate: Option<u32>) {
        self.interval = max_rate.map(|r| Duration::from_secs(1) / r.max(1));
    }

    pub(super) fn pause_until(&mut self, t: Instant) {
        self.next = self.next.max(t);
    }

    /// A rate is set.
    pub(super) fn limited(&self) -> bool {
        self.interval.is_some()
    }

    pub(super) fn next(&self) -> Instant {
        self.next
    }
}

impl Inner {
    pub(super) fn enqueue(&self, m: &Message, post: bool, block: bool) -> Result<Ticket, Error> {
        let s = &self.s.config;
        if !s.bind_mode.can_submit() {
            return Err(Error::Usage(format!(
                "this client is bound as a receiver ({} = receiver) and cannot submit: use transmitter or transceiver",
                Opt::BindMode
            )));
        }
        // Segment and encode outside the lock: submitters work in parallel.
        let ref_num = (self.ch.next_ref.fetch_add(1, Relaxed) % 0xFFFF + 1) as u16;
        let parts = message::build_parts(s, m, ref_num, |pdu| Part {
            pdu,
            result: None,
            in_flight: false,
            ever_sent: false,
            attempts: 0,
            refused: None,
            sent_at: None,
        })?;
        if crate::log::enabled(crate::log::Level::Trace) {
            let l = message::trace_line(s, m, parts.len(), ref_num, &self.s.log_mask);
            self.s.log(crate::log::Level::Trace, "esme::client", &l);
        }
        let mut g = lock(&self.st);
        if g.closing {
            return Err(Error::Closed);
        }
        self.counters.submitted.fetch_add(1, Relaxed);
        let id = self.ch.next_id.fetch_add(1, Relaxed);
        let slot = Arc::new(Slot {
            outcome: Mutex::new(SlotState::default()),
            cv: Condvar::new(),
        });
        let ticket = Ticket {
            id,
            slot: slot.clone(),
        };
        let start = Instant::now();
        let deadline = start + s.submit_timeout;
        let n = parts.len();
        let sub = Sub {
            parts,
            deadline,
            slot,
            post,
            caller: false,
            user_data: m.user_data,
            receipts: m.registered_delivery.unwrap_or(s.delivery_report as u8) & 0x03 != 0
                && lock(&self.ch.corr).enabled(),
        };
        // Admission: at most the window and as many queued behind it (`admission_limit`),
        // not during an outage past its limit: then the message is NotSent below, at once.
        while g.subs.len() >= admission_limit(s.window as usize) && !g.closing {
            let now = Instant::now();
            if self.outage_over(&g, now).is_some() {
                break;
            }
            // Bytes left for the I/O thread's next write go now: a submitter that stops
            // must not hold them (and their ACK) back, or an SMSC that holds its answers
            // until it sees our ACK (Nagle) would wait for our delayed ACK.
            if !g.writing && g.session.as_ref().is_some_and(|x| x.has_output()) {
                self.flush(g);
                g = lock(&self.st);
                continue;
            }
            if !block {
                self.counters.submitted.fetch_sub(1, Relaxed);
                return Err(Error::WindowFull {
                    window: s.window as usize,
                });
            }
            if now >= deadline {
                g.subs.insert(id, sub);
                self.load.fetch_add(1, Relaxed);
                for i in 0..n {
                    let why = format!(
                        "the window and the queue behind it stayed full for {:.1} s ({})",
                        s.submit_timeout.as_secs_f64(),
                        Opt::SubmitTimeout
                    );
                    self.set_result(&mut g, (id, i as u16), PartResult::NotSent(why));
                }
                return Ok(ticket);
            }
            // Read the answers that make room ourselves when nobody else reads: no hand-off
            // from the I/O thread per answer.
            let (g2, read) = self.read_for_self(g, None);
            g = g2;
            if read {
                continue;
            }
            // Wake for the outage limit too (the I/O thread ends the waiting messages then,
            // which wakes us anyway; this is the bound if it is busy connecting).
            let until = match g.down_since {
                Some(t) => deadline.min(t + s.submit_timeout),
                None => deadline,
            };
            g = self.wait(g, until.saturating_duration_since(now).max(MIN_WAIT));
        }
        g.subs.insert(id, sub);
        self.load.fetch_add(1, Relaxed);
        if g.closing {
            // Closed by close(), or by the I/O thread giving up reconnecting.
            let why = if g.gave_up {
                format!("not connected: {}", g.last_down)
            } else {
                "the client is closing".to_string()
            };
            for i in 0..n {
                self.set_result(&mut g, (id, i as u16), PartResult::NotSent(why.clone()));
            }
            return Ok(ticket);
        }
        let bound = matches!(g.state, ConnectionState::Bound { .. });
        if !bound && s.outage_policy == OutagePolicy::Fail {
            let why = format!("not connected to the SMSC: {}", g.last_down);
            for i in 0..n {
                self.set_result(&mut g, (id, i as u16), PartResult::NotSent(why.clone()));
            }
            return Ok(ticket);
        }
        if !bound {
            if let Some(why) = self.outage_over(&g, Instant::now()) {
                for i in 0..n {
                    self.set_result(&mut g, (id, i as u16), PartResult::NotSent(why.clone()));
                }
                return Ok(ticket);
            }
        }
        let queued = if s.wait_each_segment { 1 } else { n };
        for i in 0..queued {
            g.queue.push_back((id, i as u16));
        }
        let now = Instant::now();
        self.pump(&mut g, now);
        // Coalescing: an async submit behind many unanswered ones leaves its bytes for the
        // I/O thread, which is reading or handling those answers and writes everything
        // queued before it reads again: one write (and one TCP segment for the SMSC to
        // read) per batch instead of per message. The bytes wait at most for the next
        // response (or the I/O thread's read timeout, 250 ms at most, if the SMSC stalls),
        // and an SMSC that answers in order would not have reached them sooner.
        // (Also when submitters read for themselves: the next one to wait for room writes
        // them before it reads, and the I/O thread before it stands aside or reads.)
        let submitters_read = g
            .last_caller
            .is_some_and(|t| now.saturating_duration_since(t) < CALLER_LINGER);
        let defer = post
            && (g.io_reading || submitters_read)
            && g.session.as_ref().is_some_and(|x| {
                x.in_flight() >= COALESCE_IN_FLIGHT && x.output_len() < COALESCE_MAX_BYTES
            });
        if defer {
            g.coalesce_until = Some(now + COALESCE_MODE);
        } else {
            self.flush(g);
        }
        Ok(ticket)
    }

    /// Moves queued parts into the session while the window and the rate allow.
    pub(super) fn pump(&self, g: &mut Shared, now: Instant) {
        if !g.retry.is_empty() {
            let mut i = 0;
            while i < g.retry.len() {
                if g.retry[i].0 <= now {
                    let (_, k) = g.retry.swap_remove(i);
                    g.queue.push_front(k);
                } else {
                    i += 1;
                }
            }
        }
        while let Some(&key) = g.queue.front() {
            let Some(session) = g.session.as_mut() else {
                break;
            };
            if !matches!(session.state(), session::State::Bound(_)) || !session.window_has_room() {
                break;
            }
            if self.ch.paced.load(Relaxed) {
                let p = lock(&self.ch.pacer);
                if !p.ready(now) {
                    break;
                }
                if !p.limited() {
                    // A throttling pause is over and no rate is set.
                    self.ch.paced.store(false, Relaxed);
                }
            }
            g.queue.pop_front();
            let Some(part) = g
                .subs
                .get_mut(&key.0)
                .and_then(|s| s.parts.get_mut(key.1 as usize))
            else {
                continue;
            };
            if part.result.is_some() || part.in_flight {
                continue;
            }
            if part.pdu.is_empty() {
                continue;
            }
            match session.send_encoded(&part.pdu, key, now) {
                Ok(_) => {
                    part.in_flight = true;
                    part.ever_sent = true;
                    part.refused = None;
                    part.sent_at = Some(now);
                    self.counters.part_sent(now);
                    if self.ch.paced.load(Relaxed) {
                        lock(&self.ch.pacer).sent(now);
                    }
                }
                Err(session::SendError::WindowFull) => {
                    g.queue.push_front(key);
                    break;
                }
                // Not temporary (a bind mode that cannot submit, a field the encoder
                // refuses): waiting would not help.
                Err(e) => self.set_result(g, key, PartResult::NotSent(e.to_string())),
            }
        }
    }

    /// Records a part's result; finishes the message when every part has one.
    pub(super) fn set_result(&self, g: &mut Shared, key: PartKey, r: PartResult) {
        let s = &self.s.config;
        if let PartResult::Accepted(mid) = &r {
            // Remembered for its receipts from now: one may come before the other parts'
            // answers, and so before the message's outcome.
            let remember = g.subs.get(&key.0).and_then(|sub| {
                let open = sub.parts.get(key.1 as usize)?.result.is_none();
                (sub.receipts && open).then_some((sub.user_data, sub.parts.len() as u16))
            });
            if let Some((user_data, n)) = remember {
                let rel = lock(&self.ch.corr).accepted(key.0, user_data, key.1, n, mid);
                if let Some(rel) = rel {
                    self.post(Event::Released(rel));
                }
            }
        }
        let Some(sub) = g.subs.get_mut(&key.0) else {
            return;
        };
        let failed = matches!(r, PartResult::Rejected(_) | PartResult::Unknown(_));
        let accepted = matches!(r, PartResult::Accepted(_));
        let Some(part) = sub.parts.get_mut(key.1 as usize) else {
            return;
        };
        if part.result.is_some() {
            return;
        }
        part.in_flight = false;
        part.result = Some(r);
        part.pdu = Vec::new();
        if failed {
            // The message has failed: don't send its remaining parts.
            for p in sub.parts.iter_mut() {
                if p.result.is_none() && !p.in_flight {
                    let why = "another part of the message failed";
                    p.result = Some(PartResult::NotSent(match p.refused {
                        Some(st) => format!(
                            "written and refused with {}, then not resubmitted: {why}",
                            status_name(st)
                        ),
                        None => why.into(),
                    }));
                    p.pdu = Vec::new();
                }
            }
        } else if accepted && s.wait_each_segment {
            let next = key.1 as usize + 1;
            if next < sub.parts.len() && sub.parts[next].result.is_none() {
                g.queue.push_back((key.0, next as u16));
            }
        }
        let sub = &g.subs[&key.0];
        if sub.parts.iter().all(|p| p.result.is_some()) {
            if let Some(sub) = g.subs.remove(&key.0) {
                self.load.fetch_sub(1, Relaxed);
                if sub.caller {
                    g.callers -= 1;
                    // A blocking submitter is about to come back for its next message: the
                    // I/O thread leaves it the socket for a moment (see CALLER_LINGER).
                    g.last_caller = Some(Instant::now());
                }
                // The outcome is posted under the channel's correlation lock: a final
                // receipt for this message arriving on another bind meanwhile comes after
                // it (as `last`), or before its completion (and the outcome then says
                // nothing is awaited).
                let mut corr = sub.receipts.then(|| lock(&self.ch.corr));
                let awaiting = corr
                    .as_mut()
                    .is_some_and(|c| c.complete(key.0, Instant::now()));
                self.finish(key.0, sub, awaiting);
                drop(corr);
                // Room in the window: wake a submitter waiting for it (and close, waiting
                // for the last responses).
                self.wake(g);
            }
        }
    }

    /// Ends a part that will not be (re)sent as NotSent, `why` saying why it stopped. A part
    /// the SMSC refused with a throttling status while it waited to be resubmitted says so:
    /// it was written and refused, which is as safe to send again as never written.
    pub(super) fn not_sent(&self, g: &mut Shared, key: PartKey, why: &str) {
        let refused = g
            .subs
            .get(&key.0)
            .and_then(|s| s.parts.get(key.1 as usize))
            .and_then(|p| p.refused.filter(|_| p.result.is_none()));
        let r = match refused {
            Some(st) => PartResult::NotSent(format!(
                "written and refused with {}, then not resubmitted (safe to send again): {why}",
                status_name(st)
            )),
            None => PartResult::NotSent(why.to_string()),
        };
        self.set_result(g, key, r);
    }

    pub(super) fn finish(&self, id: u64, mut sub: Sub, awaiting_receipts: bool) {
        let c = &self.counters;
        let n = sub.parts.len();
        let mut ids = Vec::with_capacity(n);
        let mut accepted = Vec::new();
        let mut unknown = None;
        let mut rejected: Option<(CommandStatus, Vec<usize>)> = None;
        let mut not_sent = None;
        let mut unsent = Vec::new();
        for (i, p) in sub.parts.iter_mut().enumerate() {
            match p.result.take() {
                Some(PartResult::Accepted(m)) => {
                    accepted.push(i);
                    ids.push(m);
                }
                Some(PartResult::Unknown(w)) => {
                    unknown.get_or_insert((i, w));
                }
                Some(PartResult::Rejected(st)) => {
                    rejected.get_or_insert((st, Vec::new())).1.push(i);
                }
                Some(PartResult::NotSent(w)) => {
                    unsent.push(i);
                    not_sent.get_or_insert(w);
                }
                None => {}
            }
        }
        // For a long message: which parts were accepted, and which never went.
        let rest = |acc: &[usize], unsent: &[usize]| {
            let mut s = String::new();
            if !acc.is_empty() {
                s.push_str(&format!("; {} accepted", parts_text(acc, &ids)));
            }
            if !unsent.is_empty() {
                s.push_str(&format!("; {} not sent", parts_text(unsent, &[])));
            }
            s
        };
        let outcome = if let Some((i, why)) = unknown {
            let why = if n == 1 {
                why
            } else {
                format!("part {} of {n}: {why}{}", i + 1, rest(&accepted, &unsent))
            };
            Outcome::Unknown {
                why,
                message_ids: ids,
            }
        } else if let Some((status, which)) = rejected {
            let why = if n == 1 {
                status.to_string()
            } else {
                format!(
                    "{} of {n}: {status}{}",
                    parts_text(&which, &[]),
                    rest(&accepted, &unsent)
                )
            };
            Outcome::Rejected {
                status,
                message_ids: ids,
                why,
            }
        } else if let Some(why) = not_sent {
            if ids.is_empty() {
                Outcome::NotSent { why }
            } else {
                // Part of it went: the message as a whole is neither safe to resend nor
                // delivered.
                Outcome::Unknown {
                    why: format!(
                        "{} of {n} accepted, {} not sent: {why}",
                        parts_text(&accepted, &ids),
                        parts_text(&unsent, &[])
                    ),
                    message_ids: ids,
                }
            }
        } else {
            Outcome::Accepted { message_ids: ids }
        };
        match &outcome {
            Outcome::Accepted { .. } => c.accepted.fetch_add(1, Relaxed),
            Outcome::Rejected { status, .. } => {
                c.rejected_with(status.to_u32());
                0
            }
            Outcome::Unknown { .. } => c.unknown.fetch_add(1, Relaxed),
            Outcome::NotSent { .. } => c.not_sent.fetch_add(1, Relaxed),
        };
        // The slot is read only through a Ticket. When the caller kept none (the C ABI never
        // does; async callers that go by events need not), the outcome moves into the event
        // and the slot stays empty: no copy of it per message.
        let user_data = sub.user_data;
        // Under the correlation lock (receipts asked for), the outcome goes to the queue at
        // once: a receipt for it that another bind posts next must come after it.
        let post = |e| match sub.receipts {
            true => self.post_now(e),
            false => self.post(e),
        };
        if sub.post && Arc::strong_count(&sub.slot) == 1 {
            post(Event::Outcome {
                ticket: id,
                outcome,
                user_data,
                awaiting_receipts,
            });
            return;
        }
        let event = sub.post.then(|| outcome.clone());
        let mut st = lock(&sub.slot.outcome);
        st.outcome = Some(outcome);
        st.awaiting_receipts = awaiting_receipts;
        let waiting = st.waiting > 0;
        drop(st);
        if waiting {
            sub.slot.cv.notify_all();
        }
        // The caller kept the ticket and may poll for the event once it resolves: at once.
        if let Some(outcome) = event {
            self.post_now(Event::Outcome {
                ticket: id,
                outcome,
                user_data,
                awaiting_receipts,
            });
        }
    }

    pub(super) fn on_response(&self, g: &mut Shared, key: PartKey, pdu: Pdu, now: Instant) {
        let s = &self.s.config;
        let Some(part) = g
            .subs
            .get_mut(&key.0)
            .and_then(|x| x.parts.get_mut(key.1 as usize))
        else {
            return;
        };
        if let Some(t) = part.sent_at {
            self.counters.latency(now.saturating_duration_since(t));
        }
        part.in_flight = false;
        let status = pdu.command_status;
        if status.is_ok() {
            let r = match pdu.body {
                Body::SubmitSmResp(r) => PartResult::Accepted(r.message_id),
                _ => PartResult::Unknown(format!(
                    "the SMSC answered submit_sm with {} and status 0",
                    pdu.command_id().name()
                )),
            };
            return self.set_result(g, key, r);
        }
        if status.is_transient_throttle() {
            self.counters.throttled.fetch_add(1, Relaxed);
            if part.attempts < s.throttle_retries {
                part.attempts += 1;
                part.refused = Some(status);
                self.counters.retried.fetch_add(1, Relaxed);
                let backoff = (s.throttle_backoff * 2u32.saturating_pow(part.attempts - 1))
                    .min(Duration::from_secs(30));
                g.retry.push((now + backoff, key));
                // Slow everyone down: the SMSC is saturated.
                lock(&self.ch.pacer).pause_until(now + s.throttle_backoff);
                self.ch.paced.store(true, Relaxed);
                return;
            }
        }
        self.set_result(g, key, PartResult::Rejected(status));
    }
}

/// "part 2", "parts 1, 3" (1-based), each with its message_id when `ids` (one per entry) is
/// given: "parts 1 (id 5), 3 (id 7)".
fn parts_text(which: &[usize], ids: &[String]) -> String {
    let one = |k: usize, i: usize| match ids.get(k) {
        Some(id) => format!("{} (id {id})", i + 1),
        None => (i + 1).to_string(),
    };
    let list: Vec<String> = which.iter().enumerate().map(|(k, &i)| one(k, i)).collect();
    format!(
        "part{} {}",
        if which.len() == 1 { "" } else { "s" },
        list.join(", ")
    )
}

/// `ESME_RTHROTTLED (0x00000058)`: a status without its meaning.
fn status_name(st: CommandStatus) -> String {
    match st.spec_name() {
        Some(n) => format!("{n} (0x{:08X})", st.to_u32()),
        None => format!("0x{:08X}", st.to_u32()),
    }
}
