//! The reader's view of its connection: each PDU the client sends, answered.

use super::faults::SubmitFault;
use super::receipts::{final_date, receipt};
use super::records::{payload, Answer, Arrival, Submitted};
use super::session::{BindKind, Next, Sent, Session, MAX_PENDING};
use super::shared::{lock, Shared};
use crate::log::Level;
use crate::pdu::{
    Bind, BindResp, Body, CommandId, CommandStatus, DestAddress, MessageState, Pdu, QuerySmResp,
    SmResp, SubmitMultiResp, SubmitSm, Tag, Tlv,
};
use crate::session::Direction;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

/// The reader's view of its connection.
pub(super) struct Conn<'a> {
    pub(super) sh: &'a Shared,
    pub(super) s: &'a Session,
    pub(super) bound: Option<(BindKind, String)>,
    /// Responses produced from the current read.
    pub(super) out: Vec<u8>,
}

impl Conn<'_> {
    pub(super) fn handle(&mut self, pdu: Pdu) -> Next {
        let sh = self.sh;
        sh.log_pdu(Direction::In, self.s.id, &pdu);
        if sh.faults.close_now() {
            let body = match &pdu.body {
                Body::SubmitSm(m) => Some(payload(&m.short_message, &m.tlvs)),
                Body::DataSm(m) => Some(payload(&[], &m.tlvs)),
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

    pub(super) fn on_response(&mut self, pdu: &Pdu) {
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

    pub(super) fn bind(&mut self, kind: BindKind, b: Bind, seq: u32, id: CommandId) {
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
        sh.log(Level::Info, || {
            format!(
                "connection {} {} as \"{}\": {status}",
                self.s.id,
                id.name(),
                b.system_id
            )
        });
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
    pub(super) fn accept_sm(
        &mut self,
        seq: u32,
        id: CommandId,
        m: SubmitSm,
        resp: fn(SmResp) -> Body,
    ) {
        let r = self.submission(seq, id, !m.destination.addr.is_empty());
        self.arrival(seq, id, payload(&m.short_message, &m.tlvs), || match &r {
            Ok((message_id, dropped)) => Answer::Accepted {
                message_id: message_id.clone(),
                response_dropped: *dropped,
            },
            Err(status) => Answer::Refused(*status),
        });
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
    pub(super) fn submission(
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
    pub(super) fn arrival(
        &self,
        seq: u32,
        id: CommandId,
        payload: &[u8],
        answer: impl FnOnce() -> Answer,
    ) {
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
    pub(super) fn respond_submission(&mut self, resp: Pdu, dropped: bool) -> Instant {
        let now = Instant::now();
        if dropped {
            return now;
        }
        let delay = self.sh.faults.response_delay();
        if delay.is_zero() {
            self.respond(&resp);
            return now;
        }
        self.sh.log_pdu(Direction::Out, self.s.id, &resp);
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
    pub(super) fn send_receipt(&mut self, mut pdu: Pdu, resp_due: Instant) {
        let Some((kind, system_id)) = &self.bound else {
            return;
        };
        let delay = self.sh.cfg.receipt_delay;
        let now = Instant::now();
        if delay.is_zero() && resp_due <= now && *kind == BindKind::Transceiver {
            let seq = self.s.next_seq();
            pdu.sequence_number = seq;
            self.sh.log_pdu(Direction::Out, self.s.id, &pdu);
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

    pub(super) fn record(&mut self, mut s: Submitted) {
        if self.sh.cfg.keep_submitted == 0 {
            return;
        }
        if let Some((_, sys)) = &self.bound {
            s.system_id.clone_from(sys);
        }
        self.sh.record(s);
    }

    /// Appends a response (or the malformed PDU standing in for it).
    pub(super) fn respond(&mut self, pdu: &Pdu) {
        let seq = pdu.sequence_number;
        self.sh.log_pdu(Direction::Out, self.s.id, pdu);
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
    pub(super) fn header_only(&mut self, id: CommandId, status: CommandStatus, seq: u32) {
        self.sh.log_header(self.s.id, id, status, seq);
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

pub(super) fn header(out: &mut Vec<u8>, id: CommandId, status: CommandStatus, seq: u32) {
    for w in [16, id.to_u32(), status.to_u32(), seq] {
        out.extend_from_slice(&w.to_be_bytes());
    }
}
