//! Small value types shared across layers.

/// `message_state` values (SMPP 3.4 §5.2.28), carried by the `message_state` TLV and
/// `query_sm_resp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// 1: the message is in enroute state.
    Enroute,
    /// 2: delivered to destination.
    Delivered,
    /// 3: validity period expired.
    Expired,
    /// 4: the message has been deleted.
    Deleted,
    /// 5: the message is undeliverable.
    Undeliverable,
    /// 6: the message is in accepted state (read manually by a customer service agent).
    Accepted,
    /// 7: the message is in an invalid state.
    Unknown,
    /// 8: the message is in a rejected state.
    Rejected,
    /// Any other value (0 or > 8): kept as sent.
    Other(u8),
}

impl MessageState {
    /// The value on the wire.
    pub fn to_u8(self) -> u8 {
        match self {
            MessageState::Enroute => 1,
            MessageState::Delivered => 2,
            MessageState::Expired => 3,
            MessageState::Deleted => 4,
            MessageState::Undeliverable => 5,
            MessageState::Accepted => 6,
            MessageState::Unknown => 7,
            MessageState::Rejected => 8,
            MessageState::Other(v) => v,
        }
    }

    /// From the value on the wire; every byte maps to a variant.
    pub fn from_u8(v: u8) -> Self {
        match v {
            1 => MessageState::Enroute,
            2 => MessageState::Delivered,
            3 => MessageState::Expired,
            4 => MessageState::Deleted,
            5 => MessageState::Undeliverable,
            6 => MessageState::Accepted,
            7 => MessageState::Unknown,
            8 => MessageState::Rejected,
            v => MessageState::Other(v),
        }
    }

    /// The spec's name (`ENROUTE`, `DELIVERED`, …) or `OTHER`.
    pub fn name(self) -> &'static str {
        match self {
            MessageState::Enroute => "ENROUTE",
            MessageState::Delivered => "DELIVERED",
            MessageState::Expired => "EXPIRED",
            MessageState::Deleted => "DELETED",
            MessageState::Undeliverable => "UNDELIVERABLE",
            MessageState::Accepted => "ACCEPTED",
            MessageState::Unknown => "UNKNOWN",
            MessageState::Rejected => "REJECTED",
            MessageState::Other(_) => "OTHER",
        }
    }
}
