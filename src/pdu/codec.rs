//! A whole PDU: the [`Body`] of every command, the header around it, encoding, and the
//! sans-IO stream [`Decoder`].

use super::body::{
    self, AlertNotification, Bind, BindResp, CancelSm, DataSm, DeliverSm, Outbind, QuerySm,
    QuerySmResp, ReplaceSm, SmResp, SubmitMulti, SubmitMultiResp, SubmitSm,
};
use super::command::CommandId;
use super::error::{DecodeError, EncodeError, FrameError, PduError, Problem};
use super::status::CommandStatus;
use super::wire::{self, Reader, Writer};

const HEADER_LEN: usize = Pdu::HEADER_LEN;

/// The body of a PDU, one variant per command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// generic_nack (no body).
    GenericNack,
    /// bind_receiver.
    BindReceiver(Bind),
    /// bind_receiver_resp.
    BindReceiverResp(BindResp),
    /// bind_transmitter.
    BindTransmitter(Bind),
    /// bind_transmitter_resp.
    BindTransmitterResp(BindResp),
    /// bind_transceiver.
    BindTransceiver(Bind),
    /// bind_transceiver_resp.
    BindTransceiverResp(BindResp),
    /// outbind.
    Outbind(Outbind),
    /// unbind (no body).
    Unbind,
    /// unbind_resp (no body).
    UnbindResp,
    /// enquire_link (no body).
    EnquireLink,
    /// enquire_link_resp (no body).
    EnquireLinkResp,
    /// submit_sm.
    SubmitSm(SubmitSm),
    /// submit_sm_resp.
    SubmitSmResp(SmResp),
    /// submit_multi.
    SubmitMulti(SubmitMulti),
    /// submit_multi_resp.
    SubmitMultiResp(SubmitMultiResp),
    /// deliver_sm.
    DeliverSm(DeliverSm),
    /// deliver_sm_resp.
    DeliverSmResp(SmResp),
    /// data_sm.
    DataSm(DataSm),
    /// data_sm_resp.
    DataSmResp(SmResp),
    /// query_sm.
    QuerySm(QuerySm),
    /// query_sm_resp.
    QuerySmResp(QuerySmResp),
    /// cancel_sm.
    CancelSm(CancelSm),
    /// cancel_sm_resp (no body).
    CancelSmResp,
    /// replace_sm.
    ReplaceSm(ReplaceSm),
    /// replace_sm_resp (no body).
    ReplaceSmResp,
    /// alert_notification.
    AlertNotification(AlertNotification),
    /// A command SMPP 3.4 does not define, kept whole so it can be answered (generic_nack
    /// with ESME_RINVCMDID) or re-encoded unchanged.
    Unknown {
        /// Its command_id.
        command_id: u32,
        /// Its body octets.
        body: Vec<u8>,
    },
}

impl Body {
    /// Overwrites the secrets this body carries (a bind's password) with zeros, once it is
    /// encoded and before it is dropped, so that freed memory does not keep them.
    pub(crate) fn wipe_secrets(&mut self) {
        use zeroize::Zeroize;
        if let Body::BindReceiver(b) | Body::BindTransmitter(b) | Body::BindTransceiver(b) = self {
            b.password.zeroize();
        }
    }

    /// The command_id this body is sent with.
    pub fn command_id(&self) -> CommandId {
        use CommandId as C;
        match self {
            Body::GenericNack => C::GenericNack,
            Body::BindReceiver(_) => C::BindReceiver,
            Body::BindReceiverResp(_) => C::BindReceiverResp,
            Body::BindTransmitter(_) => C::BindTransmitter,
            Body::BindTransmitterResp(_) => C::BindTransmitterResp,
            Body::BindTransceiver(_) => C::BindTransceiver,
            Body::BindTransceiverResp(_) => C::BindTransceiverResp,
            Body::Outbind(_) => C::Outbind,
            Body::Unbind => C::Unbind,
            Body::UnbindResp => C::UnbindResp,
            Body::EnquireLink => C::EnquireLink,
            Body::EnquireLinkResp => C::EnquireLinkResp,
            Body::SubmitSm(_) => C::SubmitSm,
            Body::SubmitSmResp(_) => C::SubmitSmResp,
            Body::SubmitMulti(_) => C::SubmitMulti,
            Body::SubmitMultiResp(_) => C::SubmitMultiResp,
            Body::DeliverSm(_) => C::DeliverSm,
            Body::DeliverSmResp(_) => C::DeliverSmResp,
            Body::DataSm(_) => C::DataSm,
            Body::DataSmResp(_) => C::DataSmResp,
            Body::QuerySm(_) => C::QuerySm,
            Body::QuerySmResp(_) => C::QuerySmResp,
            Body::CancelSm(_) => C::CancelSm,
            Body::CancelSmResp => C::CancelSmResp,
            Body::ReplaceSm(_) => C::ReplaceSm,
            Body::ReplaceSmResp => C::ReplaceSmResp,
            Body::AlertNotification(_) => C::AlertNotification,
            Body::Unknown { command_id, .. } => C::from_u32(*command_id),
        }
    }

    fn decode(id: CommandId, raw_id: u32, r: &mut Reader) -> wire::FieldResult<Body> {
        use CommandId as C;
        let empty = |r: &mut Reader| body::no_trailing(r);
        Ok(match id {
            C::GenericNack => empty(r).map(|_| Body::GenericNack)?,
            C::BindReceiver => Body::BindReceiver(Bind::decode(r)?),
            C::BindTransmitter => Body::BindTransmitter(Bind::decode(r)?),
            C::BindTransceiver => Body::BindTransceiver(Bind::decode(r)?),
            C::BindReceiverResp => Body::BindReceiverResp(BindResp::decode(r)?),
            C::BindTransmitterResp => Body::BindTransmitterResp(BindResp::decode(r)?),
            C::BindTransceiverResp => Body::BindTransceiverResp(BindResp::decode(r)?),
            C::Outbind => Body::Outbind(Outbind::decode(r)?),
            C::Unbind => empty(r).map(|_| Body::Unbind)?,
            C::UnbindResp => empty(r).map(|_| Body::UnbindResp)?,
            C::EnquireLink => empty(r).map(|_| Body::EnquireLink)?,
            C::EnquireLinkResp => empty(r).map(|_| Body::EnquireLinkResp)?,
            C::SubmitSm => Body::SubmitSm(SubmitSm::decode(r)?),
            C::SubmitSmResp => Body::SubmitSmResp(SmResp::decode(r)?),
            C::SubmitMulti => Body::SubmitMulti(SubmitMulti::decode(r)?),
            C::SubmitMultiResp => Body::SubmitMultiResp(SubmitMultiResp::decode(r)?),
            C::DeliverSm => Body::DeliverSm(SubmitSm::decode(r)?),
            C::DeliverSmResp => Body::DeliverSmResp(SmResp::decode(r)?),
            C::DataSm => Body::DataSm(DataSm::decode(r)?),
            C::DataSmResp => Body::DataSmResp(SmResp::decode(r)?),
            C::QuerySm => Body::QuerySm(QuerySm::decode(r)?),
            C::QuerySmResp => Body::QuerySmResp(QuerySmResp::decode(r)?),
            C::CancelSm => Body::CancelSm(CancelSm::decode(r)?),
            C::CancelSmResp => empty(r).map(|_| Body::CancelSmResp)?,
            C::ReplaceSm => Body::ReplaceSm(ReplaceSm::decode(r)?),
            C::ReplaceSmResp => empty(r).map(|_| Body::ReplaceSmResp)?,
            C::AlertNotification => Body::AlertNotification(AlertNotification::decode(r)?),
            C::Other(_) => Body::Unknown {
                command_id: raw_id,
                body: r.rest().to_vec(),
            },
        })
    }

    /// Responses whose body SMPP 3.4 omits when command_status is not 0: an error response
    /// with a default body is encoded header-only (as the spec and node-smpp do).
    fn omitted_on_error(&self) -> bool {
        match self {
            Body::BindReceiverResp(b)
            | Body::BindTransmitterResp(b)
            | Body::BindTransceiverResp(b) => *b == BindResp::default(),
            Body::SubmitSmResp(b) | Body::DeliverSmResp(b) | Body::DataSmResp(b) => {
                *b == SmResp::default()
            }
            Body::SubmitMultiResp(b) => *b == SubmitMultiResp::default(),
            Body::QuerySmResp(b) => *b == QuerySmResp::default(),
            _ => false,
        }
    }

    fn encode(&self, w: &mut Writer) -> wire::FieldResult<()> {
        match self {
            Body::GenericNack
            | Body::Unbind
            | Body::UnbindResp
            | Body::EnquireLink
            | Body::EnquireLinkResp
            | Body::CancelSmResp
            | Body::ReplaceSmResp => Ok(()),
            Body::BindReceiver(b) | Body::BindTransmitter(b) | Body::BindTransceiver(b) => {
                b.encode(w)
            }
            Body::BindReceiverResp(b)
            | Body::BindTransmitterResp(b)
            | Body::BindTransceiverResp(b) => b.encode(w),
            Body::Outbind(b) => b.encode(w),
            Body::SubmitSm(b) | Body::DeliverSm(b) => b.encode(w),
            Body::SubmitSmResp(b) | Body::DeliverSmResp(b) | Body::DataSmResp(b) => b.encode(w),
            Body::SubmitMulti(b) => b.encode(w),
            Body::SubmitMultiResp(b) => b.encode(w),
            Body::DataSm(b) => b.encode(w),
            Body::QuerySm(b) => b.encode(w),
            Body::QuerySmResp(b) => b.encode(w),
            Body::CancelSm(b) => b.encode(w),
            Body::ReplaceSm(b) => b.encode(w),
            Body::AlertNotification(b) => b.encode(w),
            Body::Unknown { body, .. } => {
                w.bytes(body);
                Ok(())
            }
        }
    }
}

/// One PDU: header fields and body. `command_length` and `command_id` are derived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pdu {
    /// sequence_number (1 … 0x7FFFFFFF; responses echo the request's).
    pub sequence_number: u32,
    /// command_status (0 in requests).
    pub command_status: CommandStatus,
    /// The body.
    pub body: Body,
}

impl Pdu {
    /// Length of the PDU header (command_length, command_id, command_status, sequence_number).
    pub const HEADER_LEN: usize = 16;

    /// The largest sequence number (SMPP 3.4 §5.1.4: 0x00000001 – 0x7FFFFFFF).
    pub const MAX_SEQUENCE: u32 = 0x7FFF_FFFF;

    /// A PDU with command_status ESME_ROK.
    pub fn new(sequence_number: u32, body: Body) -> Pdu {
        Pdu {
            sequence_number,
            command_status: CommandStatus::Ok,
            body,
        }
    }

    /// A PDU with the given status (for responses).
    pub fn with_status(sequence_number: u32, command_status: CommandStatus, body: Body) -> Pdu {
        Pdu {
            sequence_number,
            command_status,
            body,
        }
    }

    /// The command_id.
    pub fn command_id(&self) -> CommandId {
        self.body.command_id()
    }

    /// Appends the encoded PDU to `out` and returns its length. On error nothing is appended.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<usize, EncodeError> {
        let start = out.len();
        // command_length is filled in at the end.
        let mut header = [0; HEADER_LEN];
        header[4..8].copy_from_slice(&self.command_id().to_u32().to_be_bytes());
        header[8..12].copy_from_slice(&self.command_status.to_u32().to_be_bytes());
        header[12..].copy_from_slice(&self.sequence_number.to_be_bytes());
        out.extend_from_slice(&header);
        let header_only = !self.command_status.is_ok() && self.body.omitted_on_error();
        if !header_only {
            let mut w = Writer { out };
            if let Err((field, problem)) = self.body.encode(&mut w) {
                out.truncate(start);
                return Err(EncodeError {
                    command_id: self.command_id(),
                    field,
                    problem,
                });
            }
        }
        let len = out.len() - start;
        let Ok(len32) = u32::try_from(len) else {
            out.truncate(start);
            return Err(EncodeError {
                command_id: self.command_id(),
                field: "command_length",
                problem: Problem::PduTooLarge { len },
            });
        };
        out[start..start + 4].copy_from_slice(&len32.to_be_bytes());
        Ok(len)
    }

    /// The encoded PDU in a new buffer.
    pub fn to_bytes(&self) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::with_capacity(64);
        self.encode(&mut v)?;
        Ok(v)
    }

    /// Decodes exactly one whole PDU (e.g. from a capture). Use [`Decoder`] on a stream.
    pub fn decode(bytes: &[u8]) -> Result<Pdu, PduError> {
        match Decoder::new(u32::MAX).decode(bytes)? {
            Decoded::Incomplete { needed } => Err(PduError::Incomplete {
                have: bytes.len(),
                needed,
            }),
            Decoded::Pdu { len, .. } | Decoded::Malformed { len, .. } if len != bytes.len() => {
                Err(PduError::TrailingBytes {
                    pdu_len: len,
                    have: bytes.len(),
                })
            }
            Decoded::Pdu { pdu, .. } => Ok(pdu),
            Decoded::Malformed { error, .. } => Err(PduError::Decode(error)),
        }
    }
}

/// What [`Decoder::decode`] found at the start of a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// Not a whole PDU yet: the buffer must reach `needed` octets (16 while the header
    /// itself is incomplete, then the PDU's command_length).
    Incomplete {
        /// Total octets needed from the start of the buffer.
        needed: usize,
    },
    /// One PDU, `len` octets long.
    Pdu {
        /// The PDU.
        pdu: Pdu,
        /// Octets it used.
        len: usize,
    },
    /// One PDU whose framing is sound but whose body breaks a field rule. Skip `len` octets
    /// and answer it (generic_nack, or its response with [`DecodeError::status`]).
    Malformed {
        /// What is wrong, with the PDU's command_id and sequence_number.
        error: DecodeError,
        /// Octets it used.
        len: usize,
    },
}

/// Sans-IO stream decoder: feed it the bytes received so far.
#[derive(Debug, Clone, Copy)]
pub struct Decoder {
    max_len: u32,
}

impl Default for Decoder {
    /// Maximum PDU length [`Decoder::DEFAULT_MAX_LEN`].
    fn default() -> Self {
        Decoder::new(Decoder::DEFAULT_MAX_LEN)
    }
}

impl Decoder {
    /// Default maximum `command_length` accepted from a peer: 64 KiB.
    pub const DEFAULT_MAX_LEN: u32 = 64 * 1024;

    /// A decoder that rejects a command_length above `max_len` (before allocating anything).
    pub fn new(max_len: u32) -> Self {
        Decoder {
            max_len: max_len.max(HEADER_LEN as u32),
        }
    }

    /// The maximum command_length accepted.
    pub fn max_len(&self) -> u32 {
        self.max_len
    }

    /// Looks at the start of `buf`. An `Err` means the stream cannot go on.
    pub fn decode(&self, buf: &[u8]) -> Result<Decoded, FrameError> {
        if buf.len() < 4 {
            return Ok(Decoded::Incomplete { needed: HEADER_LEN });
        }
        let command_length = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]);
        if command_length < HEADER_LEN as u32 || command_length > self.max_len {
            return Err(FrameError {
                command_length,
                min: HEADER_LEN as u32,
                max: self.max_len,
            });
        }
        let len = command_length as usize;
        if buf.len() < len.max(HEADER_LEN) {
            return Ok(Decoded::Incomplete {
                needed: len.max(HEADER_LEN),
            });
        }
        let word = |i: usize| u32::from_be_bytes([buf[i], buf[i + 1], buf[i + 2], buf[i + 3]]);
        let raw_id = word(4);
        let command_id = CommandId::from_u32(raw_id);
        let command_status = CommandStatus::from_u32(word(8));
        let sequence_number = word(12);
        let mut r = Reader::new(&buf[HEADER_LEN..len]);
        Ok(match Body::decode(command_id, raw_id, &mut r) {
            Ok(body) => Decoded::Pdu {
                pdu: Pdu {
                    sequence_number,
                    command_status,
                    body,
                },
                len,
            },
            Err((field, problem)) => Decoded::Malformed {
                error: DecodeError {
                    command_id,
                    sequence_number,
                    field,
                    problem,
                },
                len,
            },
        })
    }
}
