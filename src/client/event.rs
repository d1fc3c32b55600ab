//! What the client reports ([`Event`]) and the queue [`Client::poll_event`](super::Client::poll_event) takes it from.

use super::{lock, Inner, Outcome};
use crate::pdu::Address;
use crate::receipt::DeliveryReceipt;
use crate::text::Incomplete;
use std::collections::VecDeque;

/// The most events waiting in the queue: an inbound message beyond it is refused
/// (ESME_RX_T_APPN, the SMSC retries it later) rather than queued without bound.
const EVENT_CAPACITY: usize = 10_000;

/// Something the client reports through [`Client::poll_event`](super::Client::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The outcome of a [`Client::submit_async`](super::Client::submit_async) (each exactly once).
    Outcome {
        /// The ticket's id.
        ticket: u64,
        /// How it ended.
        outcome: Outcome,
    },
    /// A mobile-originated message (deliver_sm or data_sm), reassembled when concatenated.
    Message(InboundMessage),
    /// A delivery receipt.
    Receipt(Box<ReceivedReceipt>),
    /// A concatenated message whose parts stopped arriving (timed out or evicted): what
    /// arrived is here, never silently dropped.
    Incomplete(Incomplete),
    /// alert_notification.
    Alert {
        /// The mobile that became available.
        source: Address,
        /// The ESME address it concerns.
        esme: Address,
    },
    /// The connection changed state.
    Connection(ConnectionState),
    /// Something the operator should know that does not stop the client: the client
    /// certificate expires within 30 days, hostname verification is off, …
    Warning(String),
}

/// An MO message. `Debug` masks the addresses and shows the text and body only by their
/// length.
#[derive(Clone, PartialEq, Eq)]
pub struct InboundMessage {
    /// source_addr.
    pub from: String,
    /// destination_addr.
    pub to: String,
    /// data_coding.
    pub data_coding: u8,
    /// The text, when the data_coding is a text encoding and it decoded.
    pub text: Option<String>,
    /// The user data (UDH removed; unpacked septets for packed GSM).
    pub body: Vec<u8>,
    /// How many parts it came in.
    pub parts: u8,
    /// Why the text or the concatenation could not be read, when it could not.
    pub note: Option<String>,
}

/// A delivery receipt. `Debug` masks the addresses and shows the raw text only by its
/// length (the parsed receipt shows its fields, its `text:` by its length).
#[derive(Clone, PartialEq, Eq)]
pub struct ReceivedReceipt {
    /// source_addr (the mobile).
    pub from: String,
    /// destination_addr (the original sender).
    pub to: String,
    /// The parsed receipt (TLVs preferred over the text), when it parsed.
    pub receipt: Option<DeliveryReceipt>,
    /// The short_message as received.
    pub raw: Vec<u8>,
    /// Why it did not parse, when it did not.
    pub note: Option<String>,
    /// The ticket id of the submit it is about (as in [`Event::Outcome`]), found by the
    /// receipt's message id among the accepted submits that asked for a receipt, whichever
    /// bind of the channel carried them (the last 100 000 ids are remembered); None when
    /// not found.
    pub ticket: Option<u64>,
}

impl std::fmt::Debug for InboundMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::{Addr, Chars, Octets};
        f.debug_struct("InboundMessage")
            .field("from", &Addr(&self.from))
            .field("to", &Addr(&self.to))
            .field("data_coding", &self.data_coding)
            .field("text", &self.text.as_deref().map(Chars))
            .field("body", &Octets(&self.body))
            .field("parts", &self.parts)
            .field("note", &self.note)
            .finish()
    }
}

impl std::fmt::Debug for ReceivedReceipt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::{Addr, Octets};
        f.debug_struct("ReceivedReceipt")
            .field("from", &Addr(&self.from))
            .field("to", &Addr(&self.to))
            .field("receipt", &self.receipt)
            .field("raw", &Octets(&self.raw))
            .field("note", &self.note)
            .field("ticket", &self.ticket)
            .finish()
    }
}

/// The connection's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Connecting and binding, on the I/O thread.
    Connecting {
        /// Attempt number since the connection was lost: 1 is the first reconnect. 0 is the
        /// first connect, made in the background with
        /// [`Opt::ConnectRetry`](crate::config::Opt::ConnectRetry).
        attempt: u32,
    },
    /// Bound.
    Bound {
        /// The SMSC's system_id.
        system_id: String,
    },
    /// Not connected; the client will try again unless closing.
    Disconnected {
        /// Why, one line.
        why: String,
    },
    /// Closed for good.
    Closed,
}

/// Posted events and how many `poll_event` callers sleep waiting for one.
#[derive(Default)]
pub(super) struct Events {
    pub(super) q: VecDeque<Event>,
    pub(super) waiting: u32,
}

impl Inner {
    pub(super) fn post(&self, e: Event) {
        use crate::log::Level;
        let emit = |level, target: &str, message: &str| self.s.log(level, target, message);
        match &e {
            Event::Connection(ConnectionState::Bound { system_id }) => emit(
                Level::Info,
                "esme::client",
                &format!(
                    "bound to {} as {} ({})",
                    self.who(),
                    self.s.config.system_id,
                    system_id
                ),
            ),
            Event::Connection(ConnectionState::Disconnected { why }) => emit(
                Level::Warn,
                "esme::client",
                &format!("disconnected from {}: {why}", self.who()),
            ),
            Event::Connection(ConnectionState::Connecting { attempt }) => emit(
                Level::Info,
                "esme::client",
                &format!("reconnecting to {} (attempt {attempt})", self.who()),
            ),
            Event::Connection(ConnectionState::Closed) => emit(
                Level::Info,
                "esme::client",
                &format!("closed ({})", self.who()),
            ),
            Event::Warning(w) => emit(Level::Warn, "esme::client", w),
            _ => {}
        }
        let mut q = lock(&self.ch.events);
        q.q.push_back(e);
        let waiting = q.waiting > 0;
        drop(q);
        if waiting {
            self.ch.events_cv.notify_one();
        }
    }

    /// The host, and with several binds which bind, for log lines.
    fn who(&self) -> String {
        if self.s.config.sessions > 1 {
            format!("{} (bind {})", self.addr(), self.index + 1)
        } else {
            self.addr()
        }
    }

    pub(super) fn events_full(&self) -> bool {
        lock(&self.ch.events).q.len() >= EVENT_CAPACITY
    }
}
