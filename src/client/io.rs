//! The roles around the socket (see the picture in `mod.rs`): the writer role
//! ([`Inner::flush`]), a submitter reading for itself ([`Inner::read_for_self`]), and the I/O
//! thread's loop over one connection ([`Inner::run_connection`]): reads, the session's timers
//! and events, and the client's own timers.

use super::event::{ConnectionState, Event};
use super::{lock, Inner, PartResult, Shared, Ticket, CALLER_LINGER, COALESCE_WAIT, READ_BUF};
use crate::config::Opt;
use crate::pdu::{Body, Pdu};
use crate::session;
use crate::transport::is_timeout;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

/// A read waits for a batch of answers only while at least this many are unanswered, …
const GATHER_MIN_IN_FLIGHT: usize = 8;
/// … for about this share of them (a quarter: the SMSC keeps the other three quarters
/// to work on meanwhile), …
const GATHER_SHARE: usize = 4;
/// … and at most this long (nor less than [`GATHER_MIN`]: a shorter sleep saves nothing).
const GATHER_MAX: Duration = Duration::from_micros(500);
const GATHER_MIN: Duration = Duration::from_micros(150);

/// Reading answers in batches from an SMSC that writes each answer as its own TCP segment
/// (node-smpp's SMSC, and many real ones): a reader that reads as soon as a byte arrives
/// wakes, reads one answer and writes one submit_sm per answer, a system call pair and a
/// thread wake-up per message on both sides. When the window is nearly full and the last
/// read brought only a few answers, the reader waits for about a quarter of the window's
/// answers to arrive (from the gap between answers seen so far) before it reads, and its
/// next write carries as many submits. An SMSC that answers in batches (whose reads bring
/// a quarter of the window or more) is read at once, as before; so is an SMSC answering so
/// fast that the wait would be under [`GATHER_MIN`]. No answer waits longer than
/// [`GATHER_MAX`], and nothing is written later than before: bytes to write go before the
/// wait (see [`Inner::gather_wait`]).
#[derive(Debug, Default)]
pub(super) struct Gather {
    /// Answers to our requests handled since the last read ended.
    got: usize,
    /// Answers the last read brought.
    last_got: usize,
    /// The last read came after a wait (so its batch says nothing about the SMSC).
    last_waited: bool,
    /// When the last read ended.
    last_end: Option<Instant>,
    /// The time between two answers, smoothed (nanoseconds).
    gap_ns: u64,
    /// Answers per read that did not wait, smoothed (in sixteenths).
    per_read_16: u32,
}

impl Gather {
    /// Counts an answer to one of our requests.
    fn answered(&mut self) {
        self.got += 1;
    }

    /// How long to wait before the next read, with `in_flight` requests unanswered.
    fn wait(&self, in_flight: usize, now: Instant) -> Option<Duration> {
        if in_flight < GATHER_MIN_IN_FLIGHT || self.gap_ns == 0 {
            return None;
        }
        // Only behind a read that brought a single answer, when reads that did not wait
        // bring fewer than 1.5 on average: the sign of an SMSC writing each answer on its
        // own. One that batches them (or holds them back, Nagle, until it sees our ACK,
        // which our next write carries) is read at once.
        if self.last_waited || self.last_got > 1 || self.per_read_16 >= 24 {
            return None;
        }
        let want = in_flight / GATHER_SHARE;
        let since = now.saturating_duration_since(self.last_end?);
        let t = Duration::from_nanos(self.gap_ns.saturating_mul(want as u64))
            .min(GATHER_MAX)
            .saturating_sub(since);
        (t >= GATHER_MIN).then_some(t)
    }

    /// Records a read that ended at `now` (after a wait or not).
    fn read_done(&mut self, now: Instant, waited: bool) {
        let got = std::mem::take(&mut self.got);
        if got > 0 {
            if let Some(last) = self.last_end {
                // An idle spell counts as one long gap, not as many.
                let gap = (now.saturating_duration_since(last) / got as u32).min(GATHER_MAX);
                let gap = gap.as_nanos() as u64;
                self.gap_ns = if self.gap_ns == 0 {
                    gap
                } else {
                    (self.gap_ns * 3 + gap) / 4
                };
            }
        }
        if !waited && got > 0 {
            let got_16 = (got as u32).saturating_mul(16);
            self.per_read_16 = if self.per_read_16 == 0 {
                got_16
            } else {
                (self.per_read_16 * 7 + got_16) / 8
            };
        }
        self.last_got = got;
        self.last_waited = waited;
        self.last_end = Some(now);
    }
}

impl Inner {
    /// How long the reader waits for answers to gather before it reads (see [`Gather`]).
    fn gather_wait(g: &Shared, now: Instant) -> Option<Duration> {
        let in_flight = g.session.as_ref().map_or(0, |s| s.in_flight());
        g.gather.wait(in_flight, now)
    }

    /// Waits for a blocking submit's outcome, reading the socket itself while nobody else
    /// does (leader/follower): its response then reaches it without waking the I/O thread
    /// and being handed back, two thread switches saved per round trip. When another thread
    /// reads, it returns and the caller waits on the ticket as usual. Every byte read goes
    /// through the same session, under the same lock, as the I/O thread's reads.
    pub(super) fn submit_and_read(&self, ticket: &Ticket) {
        let mut g = lock(&self.st);
        match g.subs.get_mut(&ticket.id) {
            Some(sub) => sub.caller = true,
            None => return, // already resolved
        }
        g.callers += 1;
        loop {
            if !g.subs.contains_key(&ticket.id) {
                return; // resolved (set_result removed it and counted us out)
            }
            let (g2, read) = self.read_for_self(g, Some(ticket.id));
            g = g2;
            if !read {
                return; // someone else reads, or the I/O thread has work to do
            }
        }
    }

    /// Reads the socket once for a waiting submitter (a blocking submit waiting for its
    /// outcome: `mine`; or a submitter waiting for room in the window) when nobody else
    /// reads, and handles what arrived under the lock, as the I/O thread would. Returns the
    /// guard and whether it read.
    pub(super) fn read_for_self<'a>(
        &'a self,
        mut g: MutexGuard<'a, Shared>,
        mine: Option<u64>,
    ) -> (MutexGuard<'a, Shared>, bool) {
        let bound = g
            .session
            .as_ref()
            .is_some_and(|x| matches!(x.state(), session::State::Bound(_)));
        let Some(t) = g.transport.clone() else {
            return (g, false);
        };
        if g.reader || !bound || g.conn_end.is_some() || g.closing {
            return (g, false);
        }
        // Never read with bytes left to write: the answers we wait for may be theirs.
        if g.session.as_ref().is_some_and(|x| x.has_output()) {
            if g.writing {
                return (g, false);
            }
            self.flush(g);
            return (lock(&self.st), true);
        }
        g.reader = true;
        let gen = g.conn_gen;
        let pause = Self::gather_wait(&g, Instant::now());
        let mut buf = std::mem::take(&mut g.rbuf);
        if buf.len() < READ_BUF {
            buf = vec![0u8; READ_BUF];
        }
        drop(g);
        // A panic below must not leave the role taken: the I/O thread would wait for it
        // forever. It gives the role back and ends the connection, then unwinds on.
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            if let Some(p) = pause {
                std::thread::sleep(p);
            }
            let r = t.read(&mut buf);
            let now = Instant::now();
            self.counters.caller_reads.fetch_add(1, Relaxed);
            let mut g = lock(&self.st);
            if g.conn_gen == gen {
                self.absorb(&mut g, r, &buf, now);
                g.gather.read_done(now, pause.is_some());
            }
            (g, now)
        }));
        let (mut g, now) = match done {
            Ok(x) => x,
            Err(panic) => {
                let mut g = lock(&self.st);
                g.reader = false;
                g.conn_end
                    .get_or_insert_with(|| "internal error while reading".into());
                drop(g);
                self.io_cv.notify_all();
                std::panic::resume_unwind(panic);
            }
        };
        g.rbuf = buf;
        g.reader = false;
        g.last_caller = Some(now);
        let me = u32::from(mine.is_some_and(|id| g.subs.get(&id).is_some_and(|s| s.caller)));
        if g.conn_end.is_some() || g.callers > me {
            // The connection ended, or other submitters wait: the I/O thread takes over.
            self.io_cv.notify_one();
        }
        self.flush(g);
        (lock(&self.st), true)
    }

    /// Feeds what a submitter read into the session and handles the result.
    fn absorb(&self, g: &mut Shared, r: std::io::Result<usize>, buf: &[u8], now: Instant) {
        if let Err(why) = self.feed_read(g, r, buf, now) {
            g.conn_end = Some(why);
        }
        if let Some(why) = self.after_read(g, now) {
            g.conn_end.get_or_insert(why);
        }
    }

    /// Feeds the bytes a read returned into the session. `Err`: why the connection ended.
    fn feed_read(
        &self,
        g: &mut Shared,
        r: std::io::Result<usize>,
        buf: &[u8],
        now: Instant,
    ) -> Result<(), String> {
        match r {
            Ok(0) => Err("the SMSC closed the connection".to_string()),
            Ok(n) => {
                self.counters.bytes_in.fetch_add(n as u64, Relaxed);
                if let Some(s) = g.session.as_mut() {
                    s.feed(&buf[..n], now);
                }
                Ok(())
            }
            Err(e) if is_timeout(&e) => Ok(()),
            Err(e) => Err(format!("the connection failed: {e}")),
        }
    }

    /// Logs the PDUs the session traced (at the dump level only), masked. Called without the
    /// state lock: masking and the sink may be slow, and submitters must not wait for them.
    fn log_pdus(&self, traced: Vec<(session::Direction, Pdu)>) {
        self.s.log_pdus(traced);
    }

    /// The writer role: writes what the session has queued, unless another thread holds the
    /// role (it picks these bytes up before giving the role back). Logs the traced PDUs
    /// first, and takes the guard: the lock is released around each write.
    pub(super) fn flush<'a>(&'a self, mut g: MutexGuard<'a, Shared>) {
        // Tracing is on only at the dump level: otherwise this takes an empty Vec.
        let traced = g
            .session
            .as_mut()
            .map(|s| s.take_trace())
            .unwrap_or_default();
        if !traced.is_empty() {
            drop(g);
            self.log_pdus(traced);
            g = lock(&self.st);
        }
        if g.writing {
            return;
        }
        g.writing = true;
        let mut buf = std::mem::take(&mut g.spare);
        loop {
            buf.clear();
            let t = g.transport.clone();
            if let Some(s) = g.session.as_mut() {
                s.take_output(&mut buf);
            }
            let (Some(t), false) = (t, buf.is_empty()) else {
                g.writing = false;
                g.spare = buf;
                return;
            };
            drop(g);
            let r = t.write_all(&buf);
            self.counters.bytes_out.fetch_add(buf.len() as u64, Relaxed);
            self.counters.writes.fetch_add(1, Relaxed);
            if r.is_err() {
                // The reader sees the connection end and handles it.
                t.shutdown();
            }
            g = lock(&self.st);
        }
    }

    /// Reads and drives one bound connection until it ends; returns why.
    pub(super) fn run_connection(&self) -> String {
        let Some(t) = lock(&self.st).transport.clone() else {
            return "not connected".into();
        };
        // Every read returns within 250 ms, also a blocking submitter's (it reads with this
        // socket's setting): it then sees an outcome the timers gave it meanwhile.
        let mut current = Some(Duration::from_millis(250));
        let _ = t.set_read_timeout(current);
        loop {
            let mut g = lock(&self.st);
            let now = Instant::now();
            if let Some(why) = g.conn_end.take() {
                self.flush(g);
                return why;
            }
            let mut wake = now + Duration::from_millis(250);
            if let Some(d) = g.session.as_ref().and_then(|s| s.next_deadline()) {
                wake = wake.min(d);
            }
            if !g.queue.is_empty() {
                let next = if self.ch.paced.load(Relaxed) {
                    lock(&self.ch.pacer).next()
                } else {
                    now
                };
                wake = wake.min(next.max(now + Duration::from_millis(1)));
            }
            for (t, _) in &g.retry {
                wake = wake.min(*t);
            }
            if g.coalesce_until.is_some_and(|t| t > now)
                && g.session.as_ref().is_some_and(|x| x.in_flight() > 0)
            {
                wake = wake.min(now + COALESCE_WAIT);
            }
            // A blocking submitter reads, or one did a moment ago and the next will: leave
            // the socket to them, and only run the timers.
            let linger = (g.callers == 0)
                .then_some(g.last_caller)
                .flatten()
                .map(|t| t + CALLER_LINGER)
                .filter(|u| *u > now);
            if g.reader || linger.is_some() {
                g.io_reading = false;
                // Bytes left to write go before we stand aside.
                if !g.writing && g.session.as_ref().is_some_and(|x| x.has_output()) {
                    self.flush(g);
                    continue;
                }
                // While a submitter reads, look again every CALLER_LINGER: when it stops
                // reading (without a word to us) the socket is ours again within that.
                let until = linger.unwrap_or(now + CALLER_LINGER).min(wake);
                g = self
                    .io_cv
                    .wait_timeout(g, until.saturating_duration_since(now))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
                if let Some(why) = g.conn_end.take() {
                    self.flush(g);
                    return why;
                }
                let now = Instant::now();
                if let Some(why) = self.after_read(&mut g, now) {
                    self.flush(g);
                    return why;
                }
                self.flush(g);
                continue;
            }
            // Never read with bytes left to write (async submits leave theirs to us while we
            // are the reader): write them first. Another thread writing takes them along.
            if !g.writing && g.session.as_ref().is_some_and(|x| x.has_output()) {
                self.flush(g);
                continue;
            }
            g.reader = true;
            g.io_reading = true;
            let pause = Self::gather_wait(&g, now);
            let mut buf = std::mem::take(&mut g.rbuf);
            if buf.len() < READ_BUF {
                buf = vec![0u8; READ_BUF];
            }
            drop(g);
            if let Some(p) = pause {
                std::thread::sleep(p);
            }
            let timeout = wake
                .saturating_duration_since(now)
                .max(Duration::from_millis(1));
            // Only touch the socket option when the value changes meaningfully.
            if current.is_none_or(|c| c.abs_diff(timeout) > Duration::from_millis(2)) {
                let _ = t.set_read_timeout(Some(timeout));
                current = Some(timeout);
            }
            let r = t.read(&mut buf);
            let now = Instant::now();
            let mut g = lock(&self.st);
            g.reader = false;
            let fed = self.feed_read(&mut g, r, &buf, now);
            g.rbuf = buf;
            if let Err(why) = fed {
                return why;
            }
            if let Some(why) = self.after_read(&mut g, now) {
                // Send what the session still owes (unbind_resp, nacks) before closing.
                self.flush(g);
                return why;
            }
            g.gather.read_done(now, pause.is_some());
            self.flush(g);
        }
    }

    /// Runs the session's timers and handles its events, then sends what may go. Returns
    /// why the connection ended, if it did.
    fn after_read(&self, g: &mut Shared, now: Instant) -> Option<String> {
        // The outcomes and events of one read go to the queue together (dropped last).
        let _batch = self.batch();
        if let Some(s) = g.session.as_mut() {
            s.tick(now);
        }
        let end = self.process(g, now);
        self.pump(g, now);
        self.housekeeping(g, now);
        end
    }

    /// Handles what the session reports. Returns why the connection ended, if it did.
    fn process(&self, g: &mut Shared, now: Instant) -> Option<String> {
        let mut end = None;
        while let Some(ev) = g.session.as_mut().and_then(|s| s.poll_event()) {
            match ev {
                session::Event::Response { tag, pdu } => {
                    g.gather.answered();
                    self.on_response(g, tag, pdu, now)
                }
                session::Event::Timeout { tag, .. } => {
                    let why = format!(
                        "no response within {:.1} s ({})",
                        self.s.config.response_timeout.as_secs_f64(),
                        Opt::ResponseMaxWaitingTime
                    );
                    self.set_result(g, tag, PartResult::Unknown(why));
                }
                session::Event::MalformedResponse { tag, error } => {
                    let why = format!("the SMSC's response could not be read: {error}");
                    self.set_result(g, tag, PartResult::Unknown(why));
                }
                session::Event::Inbound { pdu } => self.on_inbound(g, pdu, now),
                session::Event::Alert { pdu } => {
                    if let Body::AlertNotification(a) = pdu.body {
                        self.post(Event::Alert {
                            source: a.source,
                            esme: a.esme,
                        });
                    }
                }
                session::Event::PeerUnbound => end = Some("the SMSC unbound".to_string()),
                session::Event::Unbound => end = Some("unbound".to_string()),
                session::Event::PeerDead { silent_for }
                    if silent_for < self.s.config.dead_peer_timeout =>
                {
                    // A half-open link, found by its silence (session/timers.rs).
                    end = Some(format!(
                        "no complete PDU from the SMSC for {:.1} s: submits unanswered past {} and the enquire_link probing the link too: link declared dead",
                        silent_for.as_secs_f64(),
                        Opt::ResponseMaxWaitingTime
                    ))
                }
                session::Event::PeerDead { silent_for } => {
                    end = Some(format!(
                        "no complete PDU from the SMSC for {:.0} s (enquire_link unanswered): link declared dead",
                        silent_for.as_secs_f64()
                    ))
                }
                session::Event::FramingError(e) => {
                    end = Some(format!("the SMSC sent a broken PDU stream: {e}"))
                }
                session::Event::BindRefused { status } => {
                    end = Some(format!("bind refused: {status}"))
                }
                session::Event::BindFailed { why } => end = Some(why),
                // A response to no request of ours: the session goes on, the operator is told.
                session::Event::Ignored { why } => self.s.log(
                    crate::log::Level::Warn,
                    "esme::session",
                    &format!("ignored from {}: {why}", self.addr()),
                ),
                session::Event::Bound { .. } => {}
            }
        }
        end
    }

    /// Periodic work: submit deadlines, the outage limit, reassembly timeouts.
    pub(super) fn housekeeping(&self, g: &mut Shared, now: Instant) {
        if now < g.next_housekeeping {
            return;
        }
        g.next_housekeeping = now + Duration::from_millis(100);
        let released = lock(&self.ch.corr).expire(now);
        for r in released {
            self.post(Event::Released(r));
        }
        let expired = g.unwritten(|sub| sub.deadline <= now);
        for k in expired {
            let refused = g.subs[&k.0].parts[k.1 as usize].refused.is_some();
            let why = if refused {
                format!(
                    "{} ({:.1} s) passed before it could be resubmitted",
                    Opt::SubmitTimeout,
                    self.s.config.submit_timeout.as_secs_f64()
                )
            } else if matches!(g.state, ConnectionState::Bound { .. }) {
                format!(
                    "not sent within {:.1} s ({}): the window or rate limit held it",
                    self.s.config.submit_timeout.as_secs_f64(),
                    Opt::SubmitTimeout
                )
            } else {
                format!(
                    "not sent within {:.1} s ({}): not connected ({})",
                    self.s.config.submit_timeout.as_secs_f64(),
                    Opt::SubmitTimeout,
                    g.last_down
                )
            };
            g.queue.retain(|q| *q != k);
            g.retry.retain(|(_, q)| *q != k);
            self.not_sent(g, k, &why);
        }
        self.end_waiting_if_outage_over(g, now);
        for inc in g.reasm.expire(now) {
            self.post(Event::Incomplete(inc));
        }
    }
}
