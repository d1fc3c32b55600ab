//! Codec errors: framing (the stream cannot go on), decode (one PDU is bad, the stream can
//! go on), encode (a PDU we were asked to send breaks a rule of the spec), and the error of
//! decoding exactly one PDU from a buffer.

use super::command::CommandId;
use super::status::CommandStatus;
use super::tag::Tag;
use std::fmt;

/// The stream's framing is broken: `command_length` is impossible. The connection cannot be
/// resynchronised and must be closed (after a generic_nack with ESME_RINVCMDLEN, if wanted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// The `command_length` read from the header.
    pub command_length: u32,
    /// The smallest allowed length (16, the header).
    pub min: u32,
    /// The configured maximum.
    pub max: u32,
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.command_length < self.min {
            write!(
                f,
                "invalid command_length {}: an SMPP PDU is at least {} octets (its header)",
                self.command_length, self.min
            )
        } else {
            write!(
                f,
                "invalid command_length {}: larger than the maximum PDU size {} octets",
                self.command_length, self.max
            )
        }
    }
}

impl std::error::Error for FrameError {}

/// What is wrong with one field (shared by decoding and encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The body ended inside this field.
    Truncated,
    /// A C-Octet string without its NUL within the maximum length (which counts the NUL).
    NotTerminated {
        /// Maximum length including the NUL.
        max: usize,
    },
    /// A string longer than the spec allows (maximum counts the NUL).
    TooLong {
        /// Maximum length including the NUL.
        max: usize,
        /// The length found, without the NUL.
        len: usize,
    },
    /// A string holding a character that is not a single octet (only on encode: strings are
    /// octets read as Latin-1 on decode).
    NotOctets,
    /// A string holding a NUL octet (only on encode).
    ContainsNul,
    /// A time field that is neither empty nor the 16-character `YYMMDDhhmmsstnnp` form.
    BadTime,
    /// `sm_length` claims more octets than the body holds.
    SmLength {
        /// The `sm_length` value.
        sm_length: usize,
        /// Octets left in the body.
        available: usize,
    },
    /// A value out of the allowed range.
    OutOfRange(&'static str),
    /// `short_message` and the `message_payload` TLV are both set.
    BothPayloads,
    /// A TLV header or value cut short.
    TlvTruncated {
        /// The tag of the cut TLV.
        tag: u16,
    },
    /// A known TLV with a length its type does not allow.
    TlvLength {
        /// The TLV's tag.
        tag: u16,
        /// The length found.
        len: usize,
        /// What the spec allows, e.g. "exactly 2".
        expected: &'static str,
    },
    /// Octets left after the last field of a PDU that has no optional part.
    Trailing {
        /// How many.
        count: usize,
    },
    /// A response with `command_status` 0 but without the body it must carry.
    MissingBody,
    /// The encoded PDU would exceed the 32-bit `command_length` or the given maximum.
    PduTooLarge {
        /// The encoded length.
        len: usize,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Truncated => write!(f, "the PDU ends inside this field"),
            Problem::NotTerminated { max } => write!(
                f,
                "C-Octet string has no NUL terminator within {max} octets (the spec maximum)"
            ),
            Problem::TooLong { max, len } => write!(
                f,
                "{len} octets is too long (at most {} plus the NUL)",
                max - 1
            ),
            Problem::NotOctets => {
                write!(f, "holds a character above U+00FF, which is not one octet")
            }
            Problem::ContainsNul => write!(f, "holds a NUL character"),
            Problem::BadTime => write!(
                f,
                "must be empty or 16 characters YYMMDDhhmmsstnnp ending in '+', '-' or 'R'"
            ),
            Problem::SmLength {
                sm_length,
                available,
            } => write!(
                f,
                "sm_length {sm_length} exceeds the {available} octets left in the PDU"
            ),
            Problem::OutOfRange(what) => write!(f, "{what}"),
            Problem::BothPayloads => write!(
                f,
                "short_message and the message_payload TLV must not both be set"
            ),
            Problem::TlvTruncated { tag } => {
                write!(f, "TLV 0x{tag:04X} is cut short by the end of the PDU")
            }
            Problem::TlvLength { tag, len, expected } => write!(
                f,
                "TLV {} (0x{tag:04X}) has length {len}, expected {expected}",
                Tag::from_u16(*tag).name()
            ),
            Problem::Trailing { count } => write!(
                f,
                "{count} unexpected octets after the last field (this PDU has no optional part)"
            ),
            Problem::MissingBody => {
                write!(f, "a successful response must carry its body")
            }
            Problem::PduTooLarge { len } => {
                write!(
                    f,
                    "the encoded PDU would be {len} octets, above the maximum"
                )
            }
        }
    }
}

/// One PDU could not be decoded. Its header was read, so the caller knows which PDU and
/// sequence number to answer (generic_nack or an error response with [`DecodeError::status`]),
/// and the stream goes on after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The PDU's `command_id`.
    pub command_id: CommandId,
    /// The PDU's `sequence_number`.
    pub sequence_number: u32,
    /// The field at fault, by its spec name (`destination_addr`, `sm_length`, `tlv`, …).
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl DecodeError {
    /// The `command_status` a receiver should answer this PDU with.
    pub fn status(&self) -> CommandStatus {
        match (&self.problem, self.field) {
            (Problem::TlvLength { .. }, _) => CommandStatus::InvOptParamVal,
            (Problem::TlvTruncated { .. }, _) => CommandStatus::InvOptParStream,
            (Problem::BothPayloads, _) => CommandStatus::InvOptParamVal,
            (Problem::SmLength { .. }, _) => CommandStatus::InvMsgLen,
            (Problem::Truncated | Problem::Trailing { .. }, _) => CommandStatus::InvCmdLen,
            (_, "source_addr") => CommandStatus::InvSrcAdr,
            (_, "destination_addr") => CommandStatus::InvDstAdr,
            (_, "system_id") => CommandStatus::InvSysId,
            (_, "password") => CommandStatus::InvPaswd,
            (_, "system_type") => CommandStatus::InvSysTyp,
            (_, "service_type") => CommandStatus::InvSerTyp,
            (_, "message_id") => CommandStatus::InvMsgId,
            (_, "schedule_delivery_time") => CommandStatus::InvSched,
            (_, "validity_period") => CommandStatus::InvExpiry,
            (_, "dest_flag") => CommandStatus::InvDestFlag,
            (_, "number_of_dests") => CommandStatus::InvNumDests,
            (_, "dl_name") => CommandStatus::InvDlName,
            _ => CommandStatus::SysErr,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed {} (sequence {}): field {}: {}",
            self.command_id.name(),
            self.sequence_number,
            self.field,
            self.problem
        )
    }
}

impl std::error::Error for DecodeError {}

/// A PDU could not be encoded because a field breaks a rule of the spec. Nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// The PDU's `command_id`.
    pub command_id: CommandId,
    /// The field at fault, by its spec name.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot encode {}: field {}: {}",
            self.command_id.name(),
            self.field,
            self.problem
        )
    }
}

impl std::error::Error for EncodeError {}

/// Why [`Pdu::decode`](super::Pdu::decode) failed on a buffer meant to hold exactly one PDU.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PduError {
    /// The command_length is impossible.
    Frame(FrameError),
    /// The buffer is shorter than the PDU it starts.
    Incomplete {
        /// Octets given.
        have: usize,
        /// Octets the PDU needs (16 while the header is incomplete).
        needed: usize,
    },
    /// The buffer holds more than one PDU.
    TrailingBytes {
        /// The first PDU's command_length.
        pdu_len: usize,
        /// Octets given.
        have: usize,
    },
    /// The PDU breaks a field rule.
    Decode(DecodeError),
}

impl From<FrameError> for PduError {
    fn from(e: FrameError) -> Self {
        PduError::Frame(e)
    }
}

impl std::fmt::Display for PduError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PduError::Frame(e) => e.fmt(f),
            PduError::Incomplete { have, needed } => {
                write!(f, "incomplete PDU: {have} octets given, {needed} needed")
            }
            PduError::TrailingBytes { pdu_len, have } => write!(
                f,
                "{} octets after the PDU (command_length {pdu_len}, {have} octets given)",
                have - pdu_len
            ),
            PduError::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PduError {}
