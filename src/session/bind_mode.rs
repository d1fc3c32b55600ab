//! [`BindMode`]: which bind the session opens, and what each allows.

use crate::pdu::{Bind, Body};

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
    pub(super) fn body(self, b: Bind) -> Body {
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
