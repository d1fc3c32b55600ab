//! The [`Session`] itself: its configuration and state, the requests waiting for a response
//! and their deadlines, sequence numbers, and the output and event queues.

use super::bind_mode::BindMode;
use super::event::{Direction, Event};
use crate::pdu::{CommandId, Decoder, EncodeError, Pdu};
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Session timing and limits.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// Maximum unanswered requests of the caller (submit_sm, …) at once.
    pub window: usize,
    /// How long a request waits for its response.
    pub response_timeout: Duration,
    /// How long the bind waits for its response.
    pub bind_timeout: Duration,
    /// Send enquire_link after this long without receiving anything.
    pub enquire_link_interval: Duration,
    /// Declare the peer dead after this long without receiving anything.
    pub dead_peer_timeout: Duration,
    /// Largest command_length accepted from the peer.
    pub max_pdu_len: u32,
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig {
            window: 10,
            response_timeout: Duration::from_secs(30),
            bind_timeout: Duration::from_secs(10),
            enquire_link_interval: Duration::from_secs(30),
            dead_peer_timeout: Duration::from_secs(60),
            max_pdu_len: Decoder::DEFAULT_MAX_LEN,
        }
    }
}

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Connected, not bound.
    Open,
    /// Bind sent, waiting for its response.
    Binding,
    /// Bound.
    Bound(BindMode),
    /// Unbind sent, waiting for its response.
    Unbinding,
    /// Finished: the connection should be closed.
    Closed,
}

#[derive(Debug)]
pub(super) enum Purpose<T> {
    Bind,
    Unbind,
    EnquireLink,
    User(T),
}

#[derive(Debug)]
pub(super) struct Pending<T> {
    pub(super) command: CommandId,
    pub(super) deadline: Instant,
    /// When it was queued to be written.
    pub(super) sent: Instant,
    /// Sending order (sequence numbers wrap; this does not).
    pub(super) order: u64,
    pub(super) purpose: Purpose<T>,
}

/// A sans-IO SMPP session (the ESME side). `T` is the caller's tag for its requests.
#[derive(Debug)]
pub struct Session<T> {
    pub(super) cfg: SessionConfig,
    pub(super) state: State,
    pub(super) next_seq: u32,
    pub(super) pending: crate::idhash::IdMap<u32, Pending<T>>,
    /// (deadline, sequence) of the caller's requests in sending order. They share one
    /// timeout, so deadlines are monotonic and the front is the earliest; entries whose
    /// sequence was answered are skipped lazily (at most 2 × window entries: push_deadline).
    pub(super) deadlines: VecDeque<(Instant, u32)>,
    /// Sequence numbers of our own requests (bind, unbind, enquire_link): at most a few.
    pub(super) control: Vec<u32>,
    pub(super) user_in_flight: usize,
    pub(super) rbuf: Vec<u8>,
    pub(super) out: Vec<u8>,
    pub(super) events: VecDeque<Event<T>>,
    pub(super) decoder: Decoder,
    pub(super) last_rx: Instant,
    pub(super) enquire_in_flight: bool,
    /// Responses stopped: a request of the caller's went unanswered for the response timeout
    /// and nothing at all was received since it was sent. The window admits nothing more and
    /// an enquire_link probes the link until something arrives (see `timers.rs`).
    pub(super) suspect: bool,
    /// The enquire_link probing a suspect link went unanswered: the link is dead.
    pub(super) probe_failed: bool,
    pub(super) sent: u64,
    /// PDUs written and read, kept for the driver's debug log while tracing is on.
    pub(super) trace: Option<Vec<(Direction, Pdu)>>,
}

impl<T> Session<T> {
    /// Keeps (true) or stops keeping (false) a copy of every PDU written and read, for
    /// [`Session::take_trace`]. Off by default: it costs a clone per PDU.
    pub fn set_trace(&mut self, on: bool) {
        self.trace = on.then(Vec::new);
    }

    /// The PDUs traced since the last call, in order.
    pub fn take_trace(&mut self) -> Vec<(Direction, Pdu)> {
        self.trace.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// A session on a freshly opened connection.
    pub fn new(cfg: SessionConfig, now: Instant) -> Self {
        Session {
            decoder: Decoder::new(cfg.max_pdu_len),
            cfg,
            state: State::Open,
            next_seq: 1,
            pending: Default::default(),
            deadlines: VecDeque::new(),
            control: Vec::new(),
            user_in_flight: 0,
            rbuf: Vec::with_capacity(4096),
            out: Vec::with_capacity(4096),
            events: VecDeque::new(),
            last_rx: now,
            enquire_in_flight: false,
            suspect: false,
            probe_failed: false,
            sent: 0,
            trace: None,
        }
    }

    /// The state.
    pub fn state(&self) -> State {
        self.state
    }

    /// The caller's requests waiting for a response.
    pub fn in_flight(&self) -> usize {
        self.user_in_flight
    }

    /// Whether one more request fits in the window: false while the link is suspect (see
    /// [`Session::is_suspect`]), whatever the window.
    pub fn window_has_room(&self) -> bool {
        self.user_in_flight < self.cfg.window && !self.suspect
    }

    /// Whether responses have stopped coming: a request went unanswered for the response
    /// timeout and nothing at all was received since it was sent. Meanwhile no request of
    /// the caller's is admitted, and an enquire_link probes the link: anything received
    /// clears the suspicion, an unanswered probe ends the session ([`Event::PeerDead`]).
    pub fn is_suspect(&self) -> bool {
        self.suspect
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    pub(super) fn seq(&mut self) -> u32 {
        loop {
            let s = self.next_seq;
            self.next_seq = if s >= Pdu::MAX_SEQUENCE { 1 } else { s + 1 };
            if !self.pending.contains_key(&s) {
                return s;
            }
        }
    }

    pub(super) fn next_order(&mut self) -> u64 {
        self.sent += 1;
        self.sent
    }

    pub(super) fn queue(&mut self, pdu: &Pdu) -> Result<(), EncodeError> {
        pdu.encode(&mut self.out)?;
        if let Some(t) = self.trace.as_mut() {
            t.push((Direction::Out, pdu.clone()));
        }
        Ok(())
    }

    /// Queues a caller's request's deadline. Answered requests leave the queue from the
    /// front only (see `drop_answered_deadlines`), so behind one the SMSC never answers they
    /// would pile up until it times out; at twice the window the queue drops every answered
    /// entry instead. So it never holds more than 2 × window entries, and each entry is
    /// dropped once (after a compaction at most `window` remain).
    pub(super) fn push_deadline(&mut self, deadline: Instant, seq: u32) {
        if self.deadlines.len() >= 2 * self.cfg.window.max(1) {
            let pending = &self.pending;
            self.deadlines.retain(|(_, s)| pending.contains_key(s));
        }
        self.deadlines.push_back((deadline, seq));
    }

    /// Moves the bytes waiting to be written into `buf` (appending). Returns how many.
    pub fn take_output(&mut self, buf: &mut Vec<u8>) -> usize {
        let n = self.out.len();
        if buf.is_empty() {
            std::mem::swap(buf, &mut self.out);
        } else {
            buf.append(&mut self.out);
        }
        n
    }

    /// Whether bytes are waiting to be written.
    pub fn has_output(&self) -> bool {
        !self.out.is_empty()
    }

    /// How many bytes are waiting to be written.
    pub fn output_len(&self) -> usize {
        self.out.len()
    }

    /// The next event, if any.
    pub fn poll_event(&mut self) -> Option<Event<T>> {
        self.events.pop_front()
    }

    pub(super) fn close(&mut self) {
        self.state = State::Closed;
    }

    /// Ends the session (connection lost, or the driver is closing) and returns the tags of
    /// every request still waiting for a response, oldest first.
    pub fn abort(&mut self) -> Vec<T> {
        self.close();
        let mut v: Vec<(u32, Pending<T>)> = self.pending.drain().collect();
        v.sort_by_key(|(_, p)| p.order);
        self.deadlines.clear();
        self.control.clear();
        self.user_in_flight = 0;
        v.into_iter()
            .filter_map(|(_, p)| match p.purpose {
                Purpose::User(t) => Some(t),
                _ => None,
            })
            .collect()
    }
}
