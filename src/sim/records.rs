//! What the simulator keeps and reports: accepted messages ([`Submitted`]), arrivals and
//! what was answered ([`Arrival`], [`Answer`]), and [`SimError`].

#[cfg(doc)]
use super::faults::Faults;
#[cfg(doc)]
use super::smsc::Smsc;
use crate::pdu::{Address, CommandId, CommandStatus, EncodeError, Tlv};
use crate::text::TextError;
use std::fmt;

/// One accepted submit_sm or data_sm, as it arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    /// The message_id the simulator answered with.
    pub message_id: String,
    /// The system_id of the session it came on.
    pub system_id: String,
    /// Its sequence_number.
    pub sequence_number: u32,
    /// `SubmitSm` or `DataSm`.
    pub command_id: CommandId,
    /// source_addr.
    pub source: Address,
    /// destination_addr.
    pub destination: Address,
    /// esm_class.
    pub esm_class: u8,
    /// registered_delivery.
    pub registered_delivery: u8,
    /// data_coding.
    pub data_coding: u8,
    /// short_message (empty for data_sm).
    pub short_message: Vec<u8>,
    /// Optional parameters.
    pub tlvs: Vec<Tlv>,
}

impl Submitted {
    /// The message body: `short_message`, or the `message_payload` TLV when that is used.
    pub fn payload(&self) -> &[u8] {
        payload(&self.short_message, &self.tlvs)
    }
}

/// `short_message`, or the `message_payload` TLV when `short_message` is empty and it is there.
pub(super) fn payload<'a>(short_message: &'a [u8], tlvs: &'a [Tlv]) -> &'a [u8] {
    use crate::pdu::{Tag, TlvList};
    if short_message.is_empty() {
        if let Some(p) = tlvs.get_octets(Tag::MessagePayload) {
            return p;
        }
    }
    short_message
}

/// One submit_sm or data_sm as it arrived on a bound session, with what the simulator did
/// with it: accepted, refused (a fault or a field rule), or the connection closed on it
/// ([`Faults::close_after`]). See [`Smsc::arrivals`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrival {
    /// The connection it came on: 1, 2, … in accept order, per simulator.
    pub connection: u64,
    /// Its sequence_number.
    pub sequence_number: u32,
    /// `SubmitSm` or `DataSm`.
    pub command_id: CommandId,
    /// The message body: `short_message`, or the `message_payload` TLV when that is used.
    pub payload: Vec<u8>,
    /// What the simulator did with it.
    pub answer: Answer,
}

/// What the simulator did with an [`Arrival`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Accepted with this message_id (and kept in [`Smsc::submitted`]).
    Accepted {
        /// The message_id of the response.
        message_id: String,
        /// [`Faults::drop_responses`] withheld the response.
        response_dropped: bool,
    },
    /// Refused with this status (ESME_RTHROTTLED from [`Faults::throttle`], …).
    Refused(CommandStatus),
    /// [`Faults::close_after`] closed the connection on it: neither accepted nor answered.
    Closed,
}

/// Why [`Smsc::send_mo`] or [`Smsc::send_pdu`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SimError {
    /// No session is bound as receiver or transceiver.
    NoReceiver,
    /// The text cannot be encoded or segmented.
    Text(TextError),
    /// The PDU breaks a field rule (e.g. an address longer than 20 characters).
    Encode(EncodeError),
    /// The chosen connection closed meanwhile.
    Closed,
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::NoReceiver => f.write_str("no session is bound as receiver or transceiver"),
            SimError::Text(e) => write!(f, "cannot build the message: {e}"),
            SimError::Encode(e) => write!(f, "cannot encode the PDU: {e}"),
            SimError::Closed => f.write_str("the connection closed"),
        }
    }
}

impl std::error::Error for SimError {}
