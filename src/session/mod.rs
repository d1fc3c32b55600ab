//! Sans-IO SMPP session: bind state, sequence numbers, the window of pending requests with
//! their deadlines, matching responses, answering the SMSC (enquire_link, unbind, unknown
//! commands), keepalive and the dead-peer verdict. It never touches a socket or a clock:
//! feed it the bytes received and the current time, take the bytes to send and the events.

use crate::pdu::{
    Bind, BindResp, Body, CommandId, CommandStatus, DecodeError, Decoded, Decoder, EncodeError,
    FrameError, Pdu, SmResp, Tlv,
};
use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

#[cfg(test)]
mod tests;

/// How the session binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindMode {
    /// bind_transmitter: submit only.
    Transmitter,
    /// bind_receiver: receive only.
    Receiver,
    /// bind_transceiver: both.
    Transceiver,
}

impl BindMode {
    fn body(self, b: Bind) -> Body {
        match self {
            BindMode::Transmitter => Body::BindTransmitter(b),
            BindMode::Receiver => Body::BindReceiver(b),
            BindMode::Transceiver => Body::BindTransceiver(b),
        }
    }

    /// Whether this mode may send submit_sm / data_sm / query_sm ….
    pub fn can_submit(self) -> bool {
        self != BindMode::Receiver
    }

    /// Whether this mode receives deliver_sm.
    pub fn can_receive(self) -> bool {
        self != BindMode::Transmitter
    }

    /// The spec's word (and the [`Opt::BindMode`](crate::config::Opt::BindMode) value):
    /// transmitter, receiver, transceiver.
    pub fn name(self) -> &'static str {
        match self {
            BindMode::Transmitter => "transmitter",
            BindMode::Receiver => "receiver",
            BindMode::Transceiver => "transceiver",
        }
    }
}

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

/// Why a request could not be queued. Nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendError {
    /// The window is full: wait for a response.
    WindowFull,
    /// The session is not in a state that allows this command.
    NotAllowed {
        /// The command.
        command: CommandId,
        /// The state.
        state: State,
    },
    /// The PDU breaks a field rule.
    Encode(EncodeError),
}

impl fmt::Display for SendError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::WindowFull => write!(f, "the submit window is full"),
            SendError::NotAllowed { command, state } => {
                write!(
                    f,
                    "{} is not allowed while the session is {state:?}",
                    command.name()
                )
            }
            SendError::Encode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for SendError {}

/// What the session tells its driver.
#[derive(Debug)]
pub enum Event<T> {
    /// The bind succeeded.
    Bound {
        /// The SMSC's system_id.
        system_id: String,
        /// The SMSC's sc_interface_version TLV, if sent.
        sc_interface_version: Option<u8>,
    },
    /// The SMSC refused the bind (or answered it with generic_nack). The session is closed.
    BindRefused {
        /// The status it gave.
        status: CommandStatus,
    },
    /// The SMSC answered the bind with something unreadable or with the wrong response
    /// (a broken bind_resp, or another command's response with the bind's sequence number).
    /// The session is closed: the SMSC's state is unknown, so the bind is not retried on
    /// this connection.
    BindFailed {
        /// What was wrong, one line.
        why: String,
    },
    /// A response to one of the caller's requests (any command_status, generic_nack included).
    Response {
        /// The caller's tag.
        tag: T,
        /// The response.
        pdu: Pdu,
    },
    /// A response to one of the caller's requests that could not be decoded. The SMSC did
    /// answer, but what it said is unreadable.
    MalformedResponse {
        /// The caller's tag.
        tag: T,
        /// What was wrong.
        error: DecodeError,
    },
    /// No response within the response timeout.
    Timeout {
        /// The caller's tag.
        tag: T,
        /// The request's command.
        command: CommandId,
    },
    /// deliver_sm or data_sm: acknowledge it with [`Session::respond`] once it is safely
    /// queued for the application (or refuse it with an error status).
    Inbound {
        /// The PDU.
        pdu: Pdu,
    },
    /// alert_notification (no response is due).
    Alert {
        /// The PDU.
        pdu: Pdu,
    },
    /// The SMSC unbound (already answered with unbind_resp). The session is closed.
    PeerUnbound,
    /// Our unbind was answered (or timed out). The session is closed.
    Unbound,
    /// Nothing was received for the dead-peer timeout. The session is closed.
    PeerDead {
        /// How long the silence lasted.
        silent_for: Duration,
    },
    /// The byte stream's framing broke. The session is closed.
    FramingError(FrameError),
    /// Something the peer sent was ignored (a response to nothing, a malformed request that
    /// was answered with an error, …). For logging.
    Ignored {
        /// What and why, one line.
        why: String,
    },
}

#[derive(Debug)]
enum Purpose<T> {
    Bind,
    Unbind,
    EnquireLink,
    User(T),
}

#[derive(Debug)]
struct Pending<T> {
    command: CommandId,
    deadline: Instant,
    /// Sending order (sequence numbers wrap; this does not).
    order: u64,
    purpose: Purpose<T>,
}

/// A sans-IO SMPP session (the ESME side). `T` is the caller's tag for its requests.
#[derive(Debug)]
pub struct Session<T> {
    cfg: SessionConfig,
    state: State,
    next_seq: u32,
    pending: crate::idhash::IdMap<u32, Pending<T>>,
    /// (deadline, sequence) of the caller's requests in sending order. They share one
    /// timeout, so deadlines are monotonic and the front is the earliest; entries whose
    /// sequence was answered are skipped lazily (at most 2 × window entries: push_deadline).
    deadlines: VecDeque<(Instant, u32)>,
    /// Sequence numbers of our own requests (bind, unbind, enquire_link): at most a few.
    control: Vec<u32>,
    user_in_flight: usize,
    rbuf: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<Event<T>>,
    decoder: Decoder,
    last_rx: Instant,
    enquire_in_flight: bool,
    sent: u64,
    /// PDUs written and read, kept for the driver's debug log while tracing is on.
    trace: Option<Vec<(Direction, Pdu)>>,
}

/// Which way a traced PDU went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Written to the SMSC.
    Out,
    /// Read from the SMSC.
    In,
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

    /// Whether one more request fits in the window.
    pub fn window_has_room(&self) -> bool {
        self.user_in_flight < self.cfg.window
    }

    /// The configuration.
    pub fn config(&self) -> &SessionConfig {
        &self.cfg
    }

    fn seq(&mut self) -> u32 {
        loop {
            let s = self.next_seq;
            self.next_seq = if s >= Pdu::MAX_SEQUENCE { 1 } else { s + 1 };
            if !self.pending.contains_key(&s) {
                return s;
            }
        }
    }

    fn next_order(&mut self) -> u64 {
        self.sent += 1;
        self.sent
    }

    fn queue(&mut self, pdu: &Pdu) -> Result<(), EncodeError> {
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
    fn push_deadline(&mut self, deadline: Instant, seq: u32) {
        if self.deadlines.len() >= 2 * self.cfg.window.max(1) {
            let pending = &self.pending;
            self.deadlines.retain(|(_, s)| pending.contains_key(s));
        }
        self.deadlines.push_back((deadline, seq));
    }

    fn request(
        &mut self,
        body: Body,
        purpose: Purpose<T>,
        timeout: Duration,
        now: Instant,
    ) -> Result<u32, SendError> {
        let seq = self.seq();
        let command = body.command_id();
        let mut pdu = Pdu::new(seq, body);
        let queued = self.queue(&pdu);
        // A bind's password is in the output now: the copy in the body is not needed.
        pdu.body.wipe_secrets();
        queued.map_err(SendError::Encode)?;
        let deadline = now + timeout;
        if let Purpose::User(_) = purpose {
            self.user_in_flight += 1;
            self.push_deadline(deadline, seq);
        } else {
            self.control.push(seq);
        }
        let order = self.next_order();
        self.pending.insert(
            seq,
            Pending {
                command,
                deadline,
                order,
                purpose,
            },
        );
        Ok(seq)
    }

    /// Queues the bind. Allowed once, in state `Open`.
    pub fn bind(&mut self, mode: BindMode, bind: Bind, now: Instant) -> Result<(), SendError> {
        if self.state != State::Open {
            return Err(SendError::NotAllowed {
                command: mode.body(Bind::default()).command_id(),
                state: self.state,
            });
        }
        let t = self.cfg.bind_timeout;
        self.request(mode.body(bind), Purpose::Bind, t, now)?;
        self.state = State::Binding;
        Ok(())
    }

    /// Queues one of the caller's requests (submit_sm, data_sm, query_sm, …) and returns its
    /// sequence number. Needs a bound session whose mode allows it and room in the window.
    pub fn send(&mut self, body: Body, tag: T, now: Instant) -> Result<u32, SendError> {
        self.send_returning(body, tag, now).0
    }

    /// [`Session::send`], handing the body back (the caller may need it again, e.g. to
    /// resubmit after ESME_RTHROTTLED) without a clone.
    pub fn send_returning(
        &mut self,
        body: Body,
        tag: T,
        now: Instant,
    ) -> (Result<u32, SendError>, Body) {
        let command = body.command_id();
        if let Err(e) = self.admit(command) {
            return (Err(e), body);
        }
        let seq = self.seq();
        let pdu = Pdu::new(seq, body);
        if let Err(e) = self.queue(&pdu) {
            return (Err(SendError::Encode(e)), pdu.body);
        }
        self.await_user(seq, command, tag, now);
        (Ok(seq), pdu.body)
    }

    /// Whether a caller's request may go now: the bind mode allows it and the window has
    /// room.
    fn admit(&self, command: CommandId) -> Result<(), SendError> {
        let allowed = match self.state {
            State::Bound(m) => m.can_submit() || command == CommandId::EnquireLink,
            _ => false,
        };
        if !allowed {
            return Err(SendError::NotAllowed {
                command,
                state: self.state,
            });
        }
        if !self.window_has_room() {
            return Err(SendError::WindowFull);
        }
        Ok(())
    }

    /// Records a caller's request, queued as `seq`, as waiting for its response.
    fn await_user(&mut self, seq: u32, command: CommandId, tag: T, now: Instant) {
        let deadline = now + self.cfg.response_timeout;
        self.user_in_flight += 1;
        self.push_deadline(deadline, seq);
        let order = self.next_order();
        self.pending.insert(
            seq,
            Pending {
                command,
                deadline,
                order,
                purpose: Purpose::User(tag),
            },
        );
    }

    /// [`Session::send`] for a request the caller encoded once already (the client encodes
    /// each part when it is submitted, to check its size): `pdu` is a whole request PDU, whose
    /// sequence number is replaced by the session's. Same rules and events as `send`; the
    /// octets are copied, not encoded again. A `pdu` that is not one (shorter than a header,
    /// command_length not its length, or a response) is refused as an encode error on
    /// command_length, and nothing is queued.
    pub(crate) fn send_encoded(
        &mut self,
        pdu: &[u8],
        tag: T,
        now: Instant,
    ) -> Result<u32, SendError> {
        let header = (pdu.len() >= 16)
            .then(|| {
                let len = u32::from_be_bytes([pdu[0], pdu[1], pdu[2], pdu[3]]);
                let id = u32::from_be_bytes([pdu[4], pdu[5], pdu[6], pdu[7]]);
                (len as usize == pdu.len()).then(|| CommandId::from_u32(id))
            })
            .flatten();
        let command = match header {
            Some(c) if !c.is_response() => c,
            c => {
                return Err(SendError::Encode(crate::pdu::EncodeError {
                    command_id: c.unwrap_or(CommandId::GenericNack),
                    field: "command_length",
                    problem: crate::pdu::Problem::Truncated,
                }))
            }
        };
        self.admit(command)?;
        let seq = self.seq();
        let start = self.out.len();
        self.out.extend_from_slice(pdu);
        self.out[start + 12..start + 16].copy_from_slice(&seq.to_be_bytes());
        if self.trace.is_some() {
            let traced = Pdu::decode(&self.out[start..]);
            if let (Some(t), Ok(p)) = (self.trace.as_mut(), traced) {
                t.push((Direction::Out, p));
            }
        }
        self.await_user(seq, command, tag, now);
        Ok(seq)
    }

    /// Answers an [`Event::Inbound`] request: its response PDU with `status` (deliver_sm_resp
    /// / data_sm_resp with an empty message_id and these TLVs).
    pub fn respond(&mut self, request: &Pdu, status: CommandStatus, tlvs: Vec<Tlv>) {
        let body = match request.command_id() {
            CommandId::DataSm => Body::DataSmResp(SmResp {
                message_id: String::new(),
                tlvs,
            }),
            _ => Body::DeliverSmResp(SmResp {
                message_id: String::new(),
                tlvs,
            }),
        };
        let pdu = Pdu::with_status(request.sequence_number, status, body);
        if self.queue(&pdu).is_err() {
            // The configured TLVs broke a rule: answer without them rather than not at all.
            let bare = Pdu::with_status(request.sequence_number, status, pdu.body_without_tlvs());
            let _ = self.queue(&bare);
        }
    }

    /// Queues unbind (from `Bound`); the session closes on its response or timeout.
    pub fn unbind(&mut self, now: Instant) -> Result<(), SendError> {
        if !matches!(self.state, State::Bound(_)) {
            return Err(SendError::NotAllowed {
                command: CommandId::Unbind,
                state: self.state,
            });
        }
        let t = self.cfg.response_timeout.min(Duration::from_secs(5));
        self.request(Body::Unbind, Purpose::Unbind, t, now)?;
        self.state = State::Unbinding;
        Ok(())
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

    /// The earliest time [`Session::tick`] has work to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.state == State::Closed {
            return None;
        }
        let mut d = self.last_rx + self.cfg.dead_peer_timeout;
        if matches!(self.state, State::Bound(_)) && !self.enquire_in_flight {
            d = d.min(self.last_rx + self.cfg.enquire_link_interval);
        }
        if let Some(&(t, _)) = self
            .deadlines
            .iter()
            .find(|(_, s)| self.pending.contains_key(s))
        {
            d = d.min(t);
        }
        for s in &self.control {
            if let Some(p) = self.pending.get(s) {
                d = d.min(p.deadline);
            }
        }
        Some(d)
    }

    /// Handles the passing of time: response timeouts, keepalive, dead peer.
    pub fn tick(&mut self, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        while let Some(&(t, seq)) = self.deadlines.front() {
            if !self.pending.contains_key(&seq) {
                self.deadlines.pop_front();
            } else if t <= now {
                self.deadlines.pop_front();
                if let Some(p) = self.pending.remove(&seq) {
                    self.expired(p);
                }
            } else {
                break;
            }
        }
        let due: Vec<u32> = self
            .control
            .iter()
            .copied()
            .filter(|s| self.pending.get(s).is_some_and(|p| p.deadline <= now))
            .collect();
        for seq in due {
            if let Some(p) = self.pending.remove(&seq) {
                self.expired(p);
            }
        }
        let pending = &self.pending;
        self.control.retain(|s| pending.contains_key(s));
        if self.state == State::Closed {
            return;
        }
        let silent = now.saturating_duration_since(self.last_rx);
        if silent >= self.cfg.dead_peer_timeout {
            self.close();
            self.events
                .push_back(Event::PeerDead { silent_for: silent });
            return;
        }
        if matches!(self.state, State::Bound(_))
            && !self.enquire_in_flight
            && silent >= self.cfg.enquire_link_interval
        {
            let t = self.cfg.response_timeout;
            if self
                .request(Body::EnquireLink, Purpose::EnquireLink, t, now)
                .is_ok()
            {
                self.enquire_in_flight = true;
            }
        }
    }

    fn expired(&mut self, p: Pending<T>) {
        match p.purpose {
            Purpose::User(tag) => {
                self.user_in_flight -= 1;
                self.events.push_back(Event::Timeout {
                    tag,
                    command: p.command,
                });
            }
            Purpose::Bind => {
                self.close();
                self.events.push_back(Event::BindRefused {
                    status: CommandStatus::Other(u32::MAX),
                });
            }
            Purpose::Unbind => {
                self.close();
                self.events.push_back(Event::Unbound);
            }
            // The dead-peer timer decides; an unanswered enquire_link may be retried.
            Purpose::EnquireLink => self.enquire_in_flight = false,
        }
    }

    fn close(&mut self) {
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

    /// Feeds received bytes. Events and output become available. After an event that closes
    /// the session (peer unbind, framing error, …) call [`Session::abort`] to collect the
    /// requests left without an answer.
    pub fn feed(&mut self, bytes: &[u8], now: Instant) {
        if bytes.is_empty() || self.state == State::Closed {
            return;
        }
        // The peer counts as alive when a whole PDU arrives, not on any octet: a peer that
        // trickles a PDU that never completes (slowloris) is declared dead like a silent one.
        self.rbuf.extend_from_slice(bytes);
        let mut pos = 0;
        while pos < self.rbuf.len() && self.state != State::Closed {
            match self.decoder.decode(&self.rbuf[pos..]) {
                Err(e) => {
                    // Tell the peer, then give up on the stream.
                    let nack = Pdu::with_status(0, CommandStatus::InvCmdLen, Body::GenericNack);
                    let _ = self.queue(&nack);
                    self.close();
                    self.events.push_back(Event::FramingError(e));
                    pos = self.rbuf.len();
                }
                Ok(Decoded::Incomplete { .. }) => break,
                Ok(Decoded::Pdu { pdu, len }) => {
                    pos += len;
                    self.last_rx = now;
                    if let Some(t) = self.trace.as_mut() {
                        t.push((Direction::In, pdu.clone()));
                    }
                    self.handle(pdu);
                }
                Ok(Decoded::Malformed { error, len }) => {
                    pos += len;
                    self.last_rx = now;
                    self.handle_malformed(error);
                }
            }
        }
        self.rbuf.drain(..pos);
    }

    fn handle(&mut self, pdu: Pdu) {
        let id = pdu.command_id();
        if id.is_response() {
            return self.handle_response(pdu);
        }
        match pdu.body {
            Body::EnquireLink => {
                let _ = self.queue(&Pdu::new(pdu.sequence_number, Body::EnquireLinkResp));
            }
            Body::Unbind => {
                // Pending requests stay for the driver's abort(): they were written and may
                // have been accepted.
                let _ = self.queue(&Pdu::new(pdu.sequence_number, Body::UnbindResp));
                self.close();
                self.events.push_back(Event::PeerUnbound);
            }
            Body::DeliverSm(_) | Body::DataSm(_) => {
                let receiving = matches!(
                    self.state,
                    State::Bound(BindMode::Receiver | BindMode::Transceiver) | State::Unbinding
                );
                if receiving {
                    self.events.push_back(Event::Inbound { pdu });
                } else {
                    let why = format!(
                        "{} (sequence {}) refused with ESME_RINVBNDSTS: the session is {:?}",
                        id.name(),
                        pdu.sequence_number,
                        self.state
                    );
                    self.respond(&pdu, CommandStatus::InvBndSts, Vec::new());
                    self.events.push_back(Event::Ignored { why });
                }
            }
            Body::AlertNotification(_) => self.events.push_back(Event::Alert { pdu }),
            _ => {
                // outbind, submit_sm, … or an unknown command: not for an ESME.
                let nack = Pdu::with_status(
                    pdu.sequence_number,
                    CommandStatus::InvCmdId,
                    Body::GenericNack,
                );
                let _ = self.queue(&nack);
                self.events.push_back(Event::Ignored {
                    why: format!(
                        "answered {} (sequence {}) with generic_nack ESME_RINVCMDID: an ESME does not take this command",
                        pdu_name(&pdu),
                        pdu.sequence_number
                    ),
                });
            }
        }
    }

    fn take_pending(&mut self, seq: u32, response: CommandId) -> Option<Pending<T>> {
        let p = self.pending.get(&seq)?;
        if response != CommandId::GenericNack && p.command.response() != response {
            return None;
        }
        let p = self.pending.remove(&seq)?;
        if let Purpose::User(_) = p.purpose {
            self.user_in_flight -= 1;
            self.drop_answered_deadlines();
        }
        Some(p)
    }

    /// Pops the answered requests off the front of the deadline queue, so it stays as long
    /// as the window (not as long as everything sent since the last tick) when responses
    /// come in order, and does not have to grow.
    fn drop_answered_deadlines(&mut self) {
        while let Some(&(_, seq)) = self.deadlines.front() {
            if self.pending.contains_key(&seq) {
                break;
            }
            self.deadlines.pop_front();
        }
    }

    /// While binding, the bind request's command if `seq` is its sequence number.
    fn bind_with_seq(&self, seq: u32) -> Option<CommandId> {
        if self.state != State::Binding {
            return None;
        }
        let p = self.pending.get(&seq)?;
        matches!(p.purpose, Purpose::Bind).then_some(p.command)
    }

    /// The bind was answered with something that is not its response: close and say so.
    fn bind_failed(&mut self, why: String) {
        self.close();
        self.events.push_back(Event::BindFailed { why });
    }

    fn broken_bind_answer(&mut self, bind: CommandId, error: &DecodeError) {
        self.bind_failed(format!(
            "the SMSC answered {} with a broken PDU: {error}",
            bind.name()
        ));
    }

    fn handle_response(&mut self, pdu: Pdu) {
        let id = pdu.command_id();
        if let Some(bind) = self.bind_with_seq(pdu.sequence_number) {
            if id != bind.response() && id != CommandId::GenericNack {
                return self.bind_failed(format!(
                    "the SMSC answered {} (sequence {}) with {}, not {}",
                    bind.name(),
                    pdu.sequence_number,
                    id.name(),
                    bind.response().name()
                ));
            }
        }
        let Some(p) = self.take_pending(pdu.sequence_number, id) else {
            self.events.push_back(Event::Ignored {
                why: format!(
                    "{} (sequence {}) answers no request of ours",
                    id.name(),
                    pdu.sequence_number
                ),
            });
            return;
        };
        match p.purpose {
            Purpose::User(tag) => self.events.push_back(Event::Response { tag, pdu }),
            Purpose::EnquireLink => self.enquire_in_flight = false,
            Purpose::Unbind => {
                self.close();
                self.events.push_back(Event::Unbound);
            }
            Purpose::Bind => {
                if !pdu.command_status.is_ok() || id == CommandId::GenericNack {
                    let status = if pdu.command_status.is_ok() {
                        CommandStatus::InvCmdId
                    } else {
                        pdu.command_status
                    };
                    self.close();
                    self.events.push_back(Event::BindRefused { status });
                    return;
                }
                let mode = match id {
                    CommandId::BindTransmitterResp => BindMode::Transmitter,
                    CommandId::BindReceiverResp => BindMode::Receiver,
                    _ => BindMode::Transceiver,
                };
                let (system_id, sc) = match pdu.body {
                    Body::BindTransmitterResp(BindResp { system_id, tlvs })
                    | Body::BindReceiverResp(BindResp { system_id, tlvs })
                    | Body::BindTransceiverResp(BindResp { system_id, tlvs }) => {
                        use crate::pdu::{Tag, TlvList};
                        let sc = tlvs.get_u8(Tag::ScInterfaceVersion);
                        (system_id, sc)
                    }
                    _ => (String::new(), None),
                };
                self.state = State::Bound(mode);
                self.events.push_back(Event::Bound {
                    system_id,
                    sc_interface_version: sc,
                });
            }
        }
    }

    fn handle_malformed(&mut self, error: DecodeError) {
        let id = error.command_id;
        if id.is_response() {
            // A broken bind_resp (its status is unreadable), or another command's response
            // with the bind's sequence number: either way the bind is lost.
            if let Some(bind) = self.bind_with_seq(error.sequence_number) {
                return self.broken_bind_answer(bind, &error);
            }
            match self.take_pending(error.sequence_number, id) {
                Some(Pending {
                    purpose: Purpose::User(tag),
                    ..
                }) => self
                    .events
                    .push_back(Event::MalformedResponse { tag, error }),
                Some(Pending {
                    purpose: Purpose::Bind,
                    command,
                    ..
                }) => self.broken_bind_answer(command, &error),
                Some(Pending {
                    purpose: Purpose::Unbind,
                    ..
                }) => {
                    self.close();
                    self.events.push_back(Event::Unbound);
                }
                Some(Pending {
                    purpose: Purpose::EnquireLink,
                    ..
                }) => self.enquire_in_flight = false,
                None => self.events.push_back(Event::Ignored {
                    why: format!("{error} (and it answers no request of ours)"),
                }),
            }
            return;
        }
        // A malformed request: answer it with its response type (or generic_nack) and the
        // status the decoder suggests, so the SMSC knows and can retry or drop it.
        let status = error.status();
        let body = match id {
            CommandId::DeliverSm => Body::DeliverSmResp(SmResp::default()),
            CommandId::DataSm => Body::DataSmResp(SmResp::default()),
            CommandId::EnquireLink => Body::EnquireLinkResp,
            CommandId::Unbind => Body::UnbindResp,
            _ => Body::GenericNack,
        };
        let _ = self.queue(&Pdu::with_status(error.sequence_number, status, body));
        self.events.push_back(Event::Ignored {
            why: format!(
                "{error}; answered with {}",
                status.spec_name().unwrap_or("an error")
            ),
        });
    }
}

fn pdu_name(p: &Pdu) -> String {
    match p.body {
        Body::Unknown { command_id, .. } => format!("unknown command 0x{command_id:08x}"),
        _ => p.command_id().name().to_string(),
    }
}

impl Pdu {
    /// The same body with its TLVs removed (for a response whose configured TLVs failed).
    pub(crate) fn body_without_tlvs(&self) -> Body {
        let mut b = self.body.clone();
        match &mut b {
            Body::DeliverSmResp(r) | Body::DataSmResp(r) | Body::SubmitSmResp(r) => r.tlvs.clear(),
            _ => {}
        }
        b
    }
}
