//! One client connection: its reader and writer threads and the request handling.

use super::faults::SubmitFault;
use super::tls::{Fill, Tls, TlsReader};
use super::{lock, Answer, Arrival, Counters, Shared, SimError, Submitted};
use crate::pdu::{
    Address, Bind, BindResp, Body, CommandId, CommandStatus, Decoded, Decoder, DeliverSm,
    DestAddress, MessageState, Pdu, QuerySmResp, SmResp, SubmitMultiResp, SubmitSm, Tag, Tlv,
};
use crate::receipt::{DeliveryReceipt, ReceiptDate};
use crate::text::Encoding;
use std::collections::{BinaryHeap, HashMap};
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How a session is bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BindKind {
    Transmitter,
    Receiver,
    Transceiver,
}

impl BindKind {
    pub(crate) fn can_receive(self) -> bool {
        self != BindKind::Transmitter
    }

    fn can_transmit(self) -> bool {
        self != BindKind::Receiver
    }
}

/// What a request the simulator sent was, to count its response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sent {
    Receipt,
    Mo,
    EnquireLink,
    Other,
}

/// At most this many requests await a response per session; beyond, responses to new
/// ones count as unexpected.
const MAX_PENDING: usize = 1 << 20;

/// A delayed response.
#[derive(Debug)]
struct Timed {
    due: Instant,
    order: u64,
    bytes: Vec<u8>,
}

impl PartialEq for Timed {
    fn eq(&self, o: &Self) -> bool {
        (self.due, self.order) == (o.due, o.order)
    }
}
impl Eq for Timed {}
impl PartialOrd for Timed {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timed {
    /// Reversed: the max-heap pops the earliest.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.due, o.order).cmp(&(self.due, self.order))
    }
}

#[derive(Debug, Default)]
struct OutState {
    /// Bytes to write next.
    buf: Vec<u8>,
    /// Delayed responses.
    timed: BinaryHeap<Timed>,
    order: u64,
    /// No more pushes; the writer flushes `buf` and shuts the socket.
    closed: bool,
    /// TLS: rustls has records to send (handshake, tickets, alerts) without plaintext.
    kick: bool,
}

/// What the writer thread writes.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    st: Mutex<OutState>,
    cv: Condvar,
}

impl Outbox {
    /// Appends `bytes` (leaving it empty, capacity kept); false when closed.
    fn push(&self, bytes: &mut Vec<u8>) -> bool {
        let mut st = lock(&self.st);
        if st.closed {
            bytes.clear();
            return false;
        }
        let was_empty = st.buf.is_empty();
        if was_empty {
            std::mem::swap(&mut st.buf, bytes);
        } else {
            st.buf.extend_from_slice(bytes);
            bytes.clear();
        }
        drop(st);
        if was_empty {
            self.cv.notify_one();
        }
        true
    }

    /// TLS: makes the writer send what rustls has queued (the reader's records).
    fn kick(&self) {
        let mut st = lock(&self.st);
        st.kick = true;
        drop(st);
        self.cv.notify_one();
    }

    fn push_timed(&self, due: Instant, bytes: Vec<u8>) {
        let mut st = lock(&self.st);
        if st.closed {
            return;
        }
        let order = st.order;
        st.order += 1;
        st.timed.push(Timed { due, order, bytes });
        drop(st);
        self.cv.notify_one();
    }

    /// Stops accepting pushes; with `discard`, drops what is not yet written too. Delayed
    /// responses are always dropped.
    fn close(&self, discard: bool) {
        let mut st = lock(&self.st);
        st.closed = true;
        st.timed.clear();
        if discard {
            st.buf.clear();
        }
        drop(st);
        self.cv.notify_all();
    }
}

/// One connection, as other threads see it.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) id: u64,
    stream: TcpStream,
    /// `Some` on a TLS simulator.
    tls: Option<Tls>,
    out: Outbox,
    bound: Mutex<Option<(BindKind, String)>>,
    seq: AtomicU32,
    pending: Mutex<HashMap<u32, Sent>>,
}

impl Session {
    /// How it is bound, and with which system_id.
    pub(crate) fn bound(&self) -> Option<(BindKind, String)> {
        lock(&self.bound).clone()
    }

    fn next_seq(&self) -> u32 {
        let prev = self.seq.fetch_update(Relaxed, Relaxed, |v| {
            Some(if v >= super::Faults::UNUSED_SEQUENCE - 1 {
                1
            } else {
                v + 1
            })
        });
        match prev {
            Ok(v) | Err(v) => v,
        }
    }

    /// Sends one request (sequence number 0: the next one) or response.
    pub(crate) fn send(&self, pdu: Pdu, kind: Sent, stats: &Counters) -> Result<(), SimError> {
        self.send_all(vec![pdu], kind, stats)
    }

    /// Sends PDUs in one write, registering requests to match their responses.
    pub(crate) fn send_all(
        &self,
        pdus: Vec<Pdu>,
        kind: Sent,
        stats: &Counters,
    ) -> Result<(), SimError> {
        let mut bytes = Vec::with_capacity(pdus.len() * 200);
        let mut seqs = Vec::with_capacity(pdus.len());
        for mut p in pdus {
            let request = !p.command_id().is_response();
            if request && p.sequence_number == 0 {
                p.sequence_number = self.next_seq();
            }
            p.encode(&mut bytes).map_err(SimError::Encode)?;
            if request {
                seqs.push(p.sequence_number);
            }
        }
        {
            let mut pending = lock(&self.pending);
            for &s in &seqs {
                if pending.len() < MAX_PENDING {
                    pending.insert(s, kind);
                }
            }
        }
        if !self.out.push(&mut bytes) {
            let mut pending = lock(&self.pending);
            for s in &seqs {
                pending.remove(s);
            }
            return Err(SimError::Closed);
        }
        if kind == Sent::Receipt {
            stats.receipts_sent.fetch_add(seqs.len() as u64, Relaxed);
        }
        Ok(())
    }

    /// Closes the connection abruptly.
    pub(crate) fn abort(&self) {
        self.out.close(true);
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// Registers an accepted connection and starts its threads.
pub(crate) fn start(sh: &Arc<Shared>, stream: TcpStream) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_nodelay(true)?;
    stream.set_read_timeout(Some(Duration::from_millis(100)))?;
    let tls = match &sh.tls {
        Some(t) => Some(Tls::new(&t.config)?),
        None => None,
    };
    let id = sh.next_session.fetch_add(1, Relaxed);
    let session = Arc::new(Session {
        id,
        stream,
        tls,
        out: Outbox::default(),
        bound: Mutex::new(None),
        seq: AtomicU32::new(1),
        pending: Mutex::new(HashMap::new()),
    });
    lock(&sh.sessions).push(session.clone());
    sh.stats.connections.fetch_add(1, Relaxed);
    sh.stats.open_connections.fetch_add(1, Relaxed);
    let (sh2, s2) = (sh.clone(), session.clone());
    let started = sh
        .spawn(&format!("esme-sim-w{id}"), move || writer(&sh2, &s2))
        .and_then(|()| {
            let (sh3, s3) = (sh.clone(), session.clone());
            sh.spawn(&format!("esme-sim-r{id}"), move || reader(&sh3, &s3))
        });
    if started.is_err() {
        session.abort();
        unregister(sh, &session);
    }
    started
}

fn unregister(sh: &Shared, s: &Session) {
    let mut sessions = lock(&sh.sessions);
    let before = sessions.len();
    sessions.retain(|x| x.id != s.id);
    if sessions.len() < before {
        sh.stats.open_connections.fetch_sub(1, Relaxed);
        if lock(&s.bound).is_some() {
            sh.stats.bound_sessions.fetch_sub(1, Relaxed);
        }
    }
}

/// The writer thread: writes what accumulates, releases delayed responses when due.
fn writer(sh: &Shared, s: &Session) {
    let mut wbuf: Vec<u8> = Vec::with_capacity(64 * 1024);
    // TLS: the ciphertext of one batch.
    let mut cbuf: Vec<u8> = Vec::new();
    loop {
        {
            let mut st = lock(&s.out.st);
            loop {
                let now = Instant::now();
                while st.timed.peek().is_some_and(|t| t.due <= now) {
                    if let Some(t) = st.timed.pop() {
                        st.buf.extend_from_slice(&t.bytes);
                        sh.stats.responses_sent.fetch_add(1, Relaxed);
                    }
                }
                if !st.buf.is_empty() || st.kick {
                    st.kick = false;
                    std::mem::swap(&mut st.buf, &mut wbuf);
                    break;
                }
                if st.closed {
                    drop(st);
                    if let Some(t) = &s.tls {
                        // Queued alert, or close_notify after an orderly end.
                        t.send(&s.stream, &[], &mut cbuf, true);
                    }
                    let _ = s.stream.shutdown(Shutdown::Both);
                    return;
                }
                let wait = st.timed.peek().map_or(Duration::from_millis(200), |t| {
                    t.due.saturating_duration_since(now)
                });
                st = s
                    .out
                    .cv
                    .wait_timeout(st, wait.min(Duration::from_millis(200)))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        let ok = match &s.tls {
            None => (&s.stream).write_all(&wbuf).is_ok(),
            Some(t) => t.send(&s.stream, &wbuf, &mut cbuf, false),
        };
        if !ok {
            s.abort();
            return;
        }
        wbuf.clear();
    }
}

/// What the reader does after a PDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Go,
    Close,
}

/// The reader thread.
fn reader(sh: &Shared, s: &Session) {
    let decoder = Decoder::new(sh.cfg.max_pdu_len);
    let mut conn = Conn {
        sh,
        s,
        bound: None,
        out: Vec::with_capacity(64 * 1024),
    };
    let mut buf = vec![0u8; 64 * 1024];
    let (mut start, mut end) = (0usize, 0usize);
    let mut tls_reader = s.tls.as_ref().map(|_| TlsReader::new());
    // TLS: the peer sent close_notify; handle what came with it, then close.
    let mut eof = false;
    while !sh.stop.load(Relaxed) {
        if sh.faults.stalled() {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if let (Some(t), Some(r)) = (&s.tls, tls_reader.as_mut()) {
            let (fill, kick) = t.fill(sh, s.id, &s.stream, r, &mut buf, &mut end);
            if kick {
                s.out.kick();
            }
            match fill {
                Fill::Data => {}
                Fill::Again => continue,
                Fill::Closed => eof = true,
                Fill::Failed => break,
            }
        } else {
            match (&s.stream).read(&mut buf[end..]) {
                Ok(0) => break,
                Ok(n) => end += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                    ) =>
                {
                    continue
                }
                Err(_) => break,
            }
        }
        // Stalled while blocked in read: hold what arrived (at most one buffer).
        while sh.faults.stalled() && !sh.stop.load(Relaxed) {
            std::thread::sleep(Duration::from_millis(5));
        }
        let mut next = Next::Go;
        let mut needed = 0;
        while next == Next::Go {
            match decoder.decode(&buf[start..end]) {
                Ok(Decoded::Incomplete { needed: n }) => {
                    needed = n;
                    break;
                }
                Ok(Decoded::Pdu { pdu, len }) => {
                    start += len;
                    next = conn.handle(pdu);
                }
                Ok(Decoded::Malformed { error, len }) => {
                    start += len;
                    sh.stats.malformed_received.fetch_add(1, Relaxed);
                    next = if sh.faults.close_now() {
                        Next::Close
                    } else {
                        if !error.command_id.is_response() {
                            conn.header_only(
                                CommandId::GenericNack,
                                error.status(),
                                error.sequence_number,
                            );
                        }
                        Next::Go
                    };
                }
                Err(_) => {
                    sh.stats.malformed_received.fetch_add(1, Relaxed);
                    next = Next::Close;
                }
            }
        }
        if !conn.out.is_empty() {
            s.out.push(&mut conn.out);
        }
        if next == Next::Close || eof {
            break;
        }
        if start > 0 {
            buf.copy_within(start..end, 0);
            end -= start;
            start = 0;
        }
        if needed > buf.len() {
            buf.resize(needed, 0);
        } else if end == buf.len() {
            let n = buf.len() * 2;
            buf.resize(n, 0);
        }
    }
    s.out.close(false);
    unregister(sh, s);
}

/// The reader's view of its connection.
struct Conn<'a> {
    sh: &'a Shared,
    s: &'a Session,
    bound: Option<(BindKind, String)>,
    /// Responses produced from the current read.
    out: Vec<u8>,
}

impl Conn<'_> {
    fn handle(&mut self, pdu: Pdu) -> Next {
        let sh = self.sh;
        if sh.faults.close_now() {
            let body = match &pdu.body {
                Body::SubmitSm(m) => Some(super::payload(&m.short_message, &m.tlvs)),
                Body::DataSm(m) => Some(super::payload(&[], &m.tlvs)),
                _ => None,
            };
            if let Some(body) = body {
                let (seq, id) = (pdu.sequence_number, pdu.command_id());
                self.arrival(seq, id, body, || Answer::Closed);
            }
            return Next::Close;
        }
        let seq = pdu.sequence_number;
        let id = pdu.command_id();
        if id.is_response() {
            self.on_response(&pdu);
            return Next::Go;
        }
        let can_transmit = self.bound.as_ref().is_some_and(|(k, _)| k.can_transmit());
        match pdu.body {
            Body::BindTransmitter(b) => self.bind(BindKind::Transmitter, b, seq, id),
            Body::BindReceiver(b) => self.bind(BindKind::Receiver, b, seq, id),
            Body::BindTransceiver(b) => self.bind(BindKind::Transceiver, b, seq, id),
            Body::EnquireLink => {
                sh.stats.enquire_links_received.fetch_add(1, Relaxed);
                if !sh.faults.ignoring_enquire_link() {
                    self.respond(&Pdu::new(seq, Body::EnquireLinkResp));
                }
            }
            Body::Unknown { .. } | Body::Outbind(_) | Body::AlertNotification(_) => {
                self.header_only(CommandId::GenericNack, CommandStatus::InvCmdId, seq);
            }
            _ if self.bound.is_none() => {
                if id == CommandId::SubmitSm
                    || id == CommandId::DataSm
                    || id == CommandId::SubmitMulti
                {
                    sh.stats.submits.fetch_add(1, Relaxed);
                }
                self.header_only(id.response(), CommandStatus::InvBndSts, seq);
            }
            Body::Unbind => {
                sh.stats.unbinds.fetch_add(1, Relaxed);
                self.respond(&Pdu::new(seq, Body::UnbindResp));
                return Next::Close;
            }
            Body::SubmitSm(m) => self.accept_sm(seq, id, m, Body::SubmitSmResp),
            // data_sm carries a subset of submit_sm's fields (its text in message_payload).
            Body::DataSm(m) => {
                let sm = SubmitSm {
                    service_type: m.service_type,
                    source: m.source,
                    destination: m.destination,
                    esm_class: m.esm_class,
                    registered_delivery: m.registered_delivery,
                    data_coding: m.data_coding,
                    tlvs: m.tlvs,
                    ..SubmitSm::default()
                };
                self.accept_sm(seq, id, sm, Body::DataSmResp)
            }
            Body::SubmitMulti(m) => {
                let has_dest = m.destinations.iter().any(|d| match d {
                    DestAddress::Sme(a) => !a.addr.is_empty(),
                    DestAddress::DistributionList(n) => !n.is_empty(),
                });
                let Ok((msg_id, dropped)) = self.submission(seq, id, has_dest) else {
                    return Next::Go;
                };
                let resp = Pdu::new(
                    seq,
                    Body::SubmitMultiResp(SubmitMultiResp {
                        message_id: msg_id,
                        ..SubmitMultiResp::default()
                    }),
                );
                self.respond_submission(resp, dropped);
            }
            _ if !can_transmit => self.header_only(id.response(), CommandStatus::InvBndSts, seq),
            Body::QuerySm(q) => {
                if sh.issued(&q.message_id) {
                    let resp = QuerySmResp {
                        message_id: q.message_id,
                        final_date: final_date(),
                        message_state: MessageState::Delivered,
                        error_code: 0,
                    };
                    self.respond(&Pdu::new(seq, Body::QuerySmResp(resp)));
                } else {
                    self.header_only(id.response(), CommandStatus::QueryFail, seq);
                }
            }
            Body::CancelSm(_) => self.respond(&Pdu::new(seq, Body::CancelSmResp)),
            Body::ReplaceSm(_) => self.respond(&Pdu::new(seq, Body::ReplaceSmResp)),
            // deliver_sm goes from the SMSC to the ESME, not the other way.
            _ => self.header_only(id.response(), CommandStatus::InvCmdId, seq),
        }
        Next::Go
    }

    fn on_response(&mut self, pdu: &Pdu) {
        let st = &self.sh.stats;
        if pdu.command_id() == CommandId::GenericNack {
            st.generic_nacks_received.fetch_add(1, Relaxed);
        }
        let sent = lock(&self.s.pending).remove(&pdu.sequence_number);
        let ok = pdu.command_status.is_ok();
        let counter = match (sent, pdu.command_id()) {
            (None, _) => Some(&st.unexpected_responses),
            (Some(Sent::Receipt), CommandId::DeliverSmResp) if ok => Some(&st.receipts_acked),
            (Some(Sent::Mo), CommandId::DeliverSmResp) if ok => Some(&st.mo_acked),
            (Some(Sent::EnquireLink), CommandId::EnquireLinkResp) => {
                Some(&st.enquire_link_resps_received)
            }
            _ => None,
        };
        if let Some(c) = counter {
            c.fetch_add(1, Relaxed);
        }
    }

    fn bind(&mut self, kind: BindKind, b: Bind, seq: u32, id: CommandId) {
        let sh = self.sh;
        let status = if self.bound.is_some() {
            CommandStatus::AlyBnd
        } else if let Some(st) = sh.faults.bind_refusal() {
            st
        } else if sh.cfg.credentials.is_empty() {
            CommandStatus::Ok
        } else {
            match sh.cfg.credentials.iter().find(|(u, _)| *u == b.system_id) {
                None => CommandStatus::InvSysId,
                Some((_, p)) if *p != b.password => CommandStatus::InvPaswd,
                Some(_) => CommandStatus::Ok,
            }
        };
        if !status.is_ok() {
            sh.stats.binds_refused.fetch_add(1, Relaxed);
            self.header_only(id.response(), status, seq);
            return;
        }
        let resp = BindResp {
            system_id: sh.cfg.system_id.clone(),
            tlvs: vec![Tlv::u8(Tag::ScInterfaceVersion, 0x34).expect("u8 TLV")],
        };
        let body = match kind {
            BindKind::Transmitter => Body::BindTransmitterResp(resp),
            BindKind::Receiver => Body::BindReceiverResp(resp),
            BindKind::Transceiver => Body::BindTransceiverResp(resp),
        };
        self.respond(&Pdu::new(seq, body));
        self.bound = Some((kind, b.system_id.clone()));
        *lock(&self.s.bound) = Some((kind, b.system_id));
        sh.stats.binds_ok.fetch_add(1, Relaxed);
        sh.stats.bound_sessions.fetch_add(1, Relaxed);
        if kind.can_receive() {
            // The bind_resp must go out before any parked receipt.
            self.s.out.push(&mut self.out);
            sh.receiver_bound();
        }
    }

    /// submit_sm (and data_sm in its shape): checks it, answers with `resp` carrying a new
    /// message_id (unless a fault drops it), schedules the receipt, records it.
    fn accept_sm(&mut self, seq: u32, id: CommandId, m: SubmitSm, resp: fn(SmResp) -> Body) {
        let r = self.submission(seq, id, !m.destination.addr.is_empty());
        self.arrival(
            seq,
            id,
            super::payload(&m.short_message, &m.tlvs),
            || match &r {
                Ok((message_id, dropped)) => Answer::Accepted {
                    message_id: message_id.clone(),
                    response_dropped: *dropped,
                },
                Err(status) => Answer::Refused(*status),
            },
        );
        let Ok((msg_id, dropped)) = r else {
            return;
        };
        let body = resp(SmResp {
            message_id: msg_id.clone(),
            tlvs: Vec::new(),
        });
        let due = self.respond_submission(Pdu::new(seq, body), dropped);
        if m.registered_delivery & 0x01 != 0 {
            let r = receipt(&msg_id, &m.source, &m.destination, m.data_coding, &m);
            self.send_receipt(r, due);
        }
        self.record(Submitted {
            message_id: msg_id,
            system_id: String::new(),
            sequence_number: seq,
            command_id: id,
            source: m.source,
            destination: m.destination,
            esm_class: m.esm_class,
            registered_delivery: m.registered_delivery,
            data_coding: m.data_coding,
            short_message: m.short_message,
            tlvs: m.tlvs,
        });
    }

    /// Checks a submission: `Ok((message_id, response dropped))` when accepted, else the
    /// status it was refused with (already answered).
    fn submission(
        &mut self,
        seq: u32,
        id: CommandId,
        has_dest: bool,
    ) -> Result<(String, bool), CommandStatus> {
        let sh = self.sh;
        sh.stats.submits.fetch_add(1, Relaxed);
        let status = if !self.bound.as_ref().is_some_and(|(k, _)| k.can_transmit()) {
            CommandStatus::InvBndSts
        } else if !has_dest {
            CommandStatus::InvDstAdr
        } else {
            match sh.faults.submit_fault() {
                SubmitFault::None => return Ok((sh.new_message_id(), false)),
                SubmitFault::Drop => return Ok((sh.new_message_id(), true)),
                SubmitFault::Reject(st) => st,
            }
        };
        self.header_only(id.response(), status, seq);
        Err(status)
    }

    /// Logs a submission's arrival (when arrivals are kept and the session is bound).
    fn arrival(&self, seq: u32, id: CommandId, payload: &[u8], answer: impl FnOnce() -> Answer) {
        if self.sh.cfg.keep_arrivals == 0 || self.bound.is_none() {
            return;
        }
        self.sh.record_arrival(Arrival {
            connection: self.s.id,
            sequence_number: seq,
            command_id: id,
            payload: payload.to_vec(),
            answer: answer(),
        });
    }

    /// Sends a submission's response now, later (response delay) or never (dropped);
    /// returns when it is due.
    fn respond_submission(&mut self, resp: Pdu, dropped: bool) -> Instant {
        let now = Instant::now();
        if dropped {
            return now;
        }
        let delay = self.sh.faults.response_delay();
        if delay.is_zero() {
            self.respond(&resp);
            return now;
        }
        let mut bytes = Vec::with_capacity(32);
        match self.sh.faults.take_malformed() {
            Some(m) => m.encode(resp.sequence_number, &mut bytes),
            None => {
                let _ = resp.encode(&mut bytes);
            }
        }
        self.s.out.push_timed(now + delay, bytes);
        now + delay
    }

    /// Sends a receipt: in this batch when it is due now and this session receives,
    /// through the scheduler otherwise.
    fn send_receipt(&mut self, mut pdu: Pdu, resp_due: Instant) {
        let Some((kind, system_id)) = &self.bound else {
            return;
        };
        let delay = self.sh.cfg.receipt_delay;
        let now = Instant::now();
        if delay.is_zero() && resp_due <= now && *kind == BindKind::Transceiver {
            let seq = self.s.next_seq();
            pdu.sequence_number = seq;
            if pdu.encode(&mut self.out).is_ok() {
                let mut pending = lock(&self.s.pending);
                if pending.len() < MAX_PENDING {
                    pending.insert(seq, Sent::Receipt);
                }
                self.sh.stats.receipts_sent.fetch_add(1, Relaxed);
            }
            return;
        }
        let prefer = (*kind == BindKind::Transceiver).then_some(self.s.id);
        let due = (now + delay).max(resp_due);
        self.sh
            .schedule_receipt(due, system_id.clone(), prefer, pdu);
    }

    fn record(&mut self, mut s: Submitted) {
        if self.sh.cfg.keep_submitted == 0 {
            return;
        }
        if let Some((_, sys)) = &self.bound {
            s.system_id.clone_from(sys);
        }
        self.sh.record(s);
    }

    /// Appends a response (or the malformed PDU standing in for it).
    fn respond(&mut self, pdu: &Pdu) {
        let seq = pdu.sequence_number;
        match self.sh.faults.take_malformed() {
            Some(m) => m.encode(seq, &mut self.out),
            None => {
                if pdu.encode(&mut self.out).is_err() {
                    header(&mut self.out, pdu.command_id(), CommandStatus::SysErr, seq);
                }
            }
        }
        self.sh.stats.responses_sent.fetch_add(1, Relaxed);
    }

    /// Appends a header-only response (errors and generic_nack).
    fn header_only(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        match self.sh.faults.take_malformed() {
            Some(m) => m.encode(seq, &mut self.out),
            None => header(&mut self.out, id, status, seq),
        }
        if id == CommandId::GenericNack {
            self.sh.stats.generic_nacks_sent.fetch_add(1, Relaxed);
        }
        self.sh.stats.responses_sent.fetch_add(1, Relaxed);
    }
}

fn header(out: &mut Vec<u8>, id: CommandId, status: CommandStatus, seq: u32) {
    for w in [16, id.to_u32(), status.to_u32(), seq] {
        out.extend_from_slice(&w.to_be_bytes());
    }
}

fn now_date() -> Option<ReceiptDate> {
    let (y, mo, d, h, mi, s) = super::utc_now();
    ReceiptDate::new(y, mo, d, h, mi, s)
}

/// `YYMMDDhhmmss000+`.
fn final_date() -> String {
    let (y, mo, d, h, mi, s) = super::utc_now();
    format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}000+", y % 100)
}

/// The first 20 characters of a message for the receipt's `text:` (printable ASCII only).
fn preview(data_coding: u8, m: &DeliverSm) -> String {
    let mut body = m.payload();
    if m.esm_class & 0x40 != 0 {
        let udh = body.first().map_or(0, |&n| n as usize + 1);
        body = body.get(udh..).unwrap_or_default();
    }
    let enc = Encoding::from_data_coding(data_coding, Encoding::Gsm7);
    if !enc.is_text() {
        return String::new();
    }
    let text = crate::text::decode(body, enc).unwrap_or_default();
    text.chars()
        .take(20)
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// The delivery receipt for an accepted message (`m` holds its body).
fn receipt(msg_id: &str, source: &Address, dest: &Address, data_coding: u8, m: &DeliverSm) -> Pdu {
    let mut r = DeliveryReceipt::new(msg_id, MessageState::Delivered).with_counts(1, 1);
    if let Some(d) = now_date() {
        r = r.with_dates(d, d);
    }
    let r = r.with_err(0).with_text(preview(data_coding, m));
    let mut tlvs = Vec::with_capacity(2);
    tlvs.extend(Tlv::cstr(Tag::ReceiptedMessageId, msg_id).ok());
    tlvs.push(Tlv::message_state(MessageState::Delivered));
    Pdu::new(
        0,
        Body::DeliverSm(DeliverSm {
            source: dest.clone(),
            destination: source.clone(),
            esm_class: 0x04,
            short_message: r.format().into_bytes(),
            tlvs,
            ..DeliverSm::default()
        }),
    )
}
