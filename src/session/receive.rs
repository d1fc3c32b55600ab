//! Received bytes: framing, and each PDU from the SMSC (responses matched to their requests,
//! requests answered or handed to the driver, malformed PDUs answered or reported).

use super::bind_mode::BindMode;
use super::event::{Direction, Event};
use super::machine::{Pending, Purpose, Session, State};
use crate::pdu::{BindResp, Body, CommandId, CommandStatus, DecodeError, Decoded, Pdu, SmResp};
use std::time::Instant;

impl<T> Session<T> {
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
                    self.suspect = false;
                    if let Some(t) = self.trace.as_mut() {
                        t.push((Direction::In, pdu.clone()));
                    }
                    self.handle(pdu);
                }
                Ok(Decoded::Malformed { error, len }) => {
                    pos += len;
                    self.last_rx = now;
                    self.suspect = false;
                    self.handle_malformed(error);
                }
            }
        }
        self.rbuf.drain(..pos);
    }

    pub(super) fn handle(&mut self, pdu: Pdu) {
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

    pub(super) fn take_pending(&mut self, seq: u32, response: CommandId) -> Option<Pending<T>> {
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
    pub(super) fn drop_answered_deadlines(&mut self) {
        while let Some(&(_, seq)) = self.deadlines.front() {
            if self.pending.contains_key(&seq) {
                break;
            }
            self.deadlines.pop_front();
        }
    }

    /// While binding, the bind request's command if `seq` is its sequence number.
    pub(super) fn bind_with_seq(&self, seq: u32) -> Option<CommandId> {
        if self.state != State::Binding {
            return None;
        }
        let p = self.pending.get(&seq)?;
        matches!(p.purpose, Purpose::Bind).then_some(p.command)
    }

    /// The bind was answered with something that is not its response: close and say so.
    pub(super) fn bind_failed(&mut self, why: String) {
        self.close();
        self.events.push_back(Event::BindFailed { why });
    }

    pub(super) fn broken_bind_answer(&mut self, bind: CommandId, error: &DecodeError) {
        self.bind_failed(format!(
            "the SMSC answered {} with a broken PDU: {error}",
            bind.name()
        ));
    }

    pub(super) fn handle_response(&mut self, pdu: Pdu) {
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

    pub(super) fn handle_malformed(&mut self, error: DecodeError) {
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

pub(super) fn pdu_name(p: &Pdu) -> String {
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
