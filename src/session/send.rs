//! Requests: bind, the caller's requests (admitted by state and window), responses to the
//! SMSC's requests, unbind.

use super::bind_mode::BindMode;
use super::error::SendError;
use super::event::Direction;
use super::machine::{Pending, Purpose, Session, State};
use crate::pdu::{Bind, Body, CommandId, CommandStatus, Pdu, SmResp, Tlv};
use std::time::{Duration, Instant};

impl<T> Session<T> {
    pub(super) fn request(
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
                sent: now,
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
    pub(super) fn admit(&self, command: CommandId) -> Result<(), SendError> {
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
    pub(super) fn await_user(&mut self, seq: u32, command: CommandId, tag: T, now: Instant) {
        let deadline = now + self.cfg.response_timeout;
        self.user_in_flight += 1;
        self.push_deadline(deadline, seq);
        let order = self.next_order();
        self.pending.insert(
            seq,
            Pending {
                command,
                deadline,
                sent: now,
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

    /// Answers an [`Event::Inbound`](super::Event::Inbound) request: its response PDU with `status`
    /// (deliver_sm_resp / data_sm_resp with an empty message_id and these TLVs).
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
}
