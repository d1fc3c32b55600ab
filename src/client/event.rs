//! What the client reports ([`Event`]) and the queue [`Client::poll_event`](super::Client::poll_event) takes it from.

use super::pool::Channel;
use super::{lock, Inner, Outcome};
use crate::pdu::Address;
use crate::receipt::DeliveryReceipt;
use crate::text::Incomplete;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::Arc;

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
        /// The message's [`Message::user_data`](super::Message#structfield.user_data).
        user_data: u64,
        /// True when the client remembers the message for its delivery receipts: a receipt
        /// was asked for and the SMSC gave message ids, some of which have no final
        /// receipt yet. The user data then comes back with those receipts, the last one
        /// marked [`Correlation::last`], or with an [`Event::Released`]. False: this is the
        /// last event carrying this user data.
        awaiting_receipts: bool,
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
    /// The client stopped remembering a message for its receipts without having seen a
    /// final receipt for each of its parts: the correlation window
    /// ([`Opt::ReceiptCorrelationTimeout`](crate::config::Opt::ReceiptCorrelationTimeout))
    /// passed, the table was full
    /// ([`Opt::ReceiptCorrelationMax`](crate::config::Opt::ReceiptCorrelationMax)), or the
    /// client was closed. The last event carrying the message's user data: receipts for it
    /// that come later are unmatched.
    Released(Released),
}

/// A receipt matched to the message it is about, by the message ids its submit got (see
/// [`ReceivedReceipt::correlation`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correlation {
    /// The message's ticket id, as in [`Event::Outcome`].
    pub ticket: u64,
    /// The message's [`Message::user_data`](super::Message#structfield.user_data).
    pub user_data: u64,
    /// Which part of the message the receipt is about (1-based).
    pub part: u16,
    /// How many parts the message has.
    pub parts: u16,
    /// True when this final receipt was the last one the client waited for (every
    /// accepted part has had a final receipt, and the outcome was reported): the client
    /// forgets the message, and this is the last event carrying its user data.
    pub last: bool,
}

/// A message the client stopped remembering for its receipts ([`Event::Released`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Released {
    /// The message's ticket id, as in [`Event::Outcome`].
    pub ticket: u64,
    /// The message's [`Message::user_data`](super::Message#structfield.user_data).
    pub user_data: u64,
    /// The message ids of the parts that had no final receipt.
    pub message_ids: Vec<String>,
    /// Why, one line: the correlation window passed, the table was full, the client closed.
    pub why: String,
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
    /// The message it is about, when its id matched one the client remembers (see
    /// [`Opt::ReceiptCorrelationTimeout`](crate::config::Opt::ReceiptCorrelationTimeout));
    /// None: unmatched (not parsed, an id the client never got or no longer remembers).
    pub correlation: Option<Correlation>,
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
            .field("correlation", &self.correlation)
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
    /// The event descriptor, once asked for ([`Client::event_fd`](super::Client::event_fd)).
    #[cfg(unix)]
    pub(super) signal: Option<Signal>,
}

/// A socket pair whose read end is readable exactly while events wait: one octet is written
/// when the queue stops being empty and read back when it becomes empty again, both under
/// the events lock (level-triggered, like a pipe that holds one octet per non-empty spell).
#[cfg(unix)]
pub(super) struct Signal {
    pub(super) rx: std::os::unix::net::UnixStream,
    tx: std::os::unix::net::UnixStream,
    set: bool,
}

#[cfg(unix)]
impl Signal {
    pub(super) fn new() -> std::io::Result<Signal> {
        let (rx, tx) = std::os::unix::net::UnixStream::pair()?;
        rx.set_nonblocking(true)?;
        tx.set_nonblocking(true)?;
        Ok(Signal { rx, tx, set: false })
    }

    fn set(&mut self) {
        use std::io::Write;
        if !self.set {
            // One octet in an empty socket buffer: never WouldBlock.
            self.set = (&self.tx).write(&[1]).is_ok();
        }
    }

    fn clear(&mut self) {
        use std::io::Read;
        if self.set {
            let mut b = [0u8; 16];
            while matches!((&self.rx).read(&mut b), Ok(n) if n > 0) {}
            self.set = false;
        }
    }
}

impl Events {
    /// The next event, keeping the descriptor's readiness in step.
    pub(super) fn pop(&mut self) -> Option<Event> {
        let e = self.q.pop_front();
        #[cfg(unix)]
        if self.q.is_empty() {
            if let Some(s) = self.signal.as_mut() {
                s.clear();
            }
        }
        e
    }

    fn push(&mut self, e: Event) {
        self.q.push_back(e);
        #[cfg(unix)]
        if let Some(s) = self.signal.as_mut() {
            s.set();
        }
    }

    /// The descriptor's read end, made at the first call.
    #[cfg(unix)]
    pub(super) fn fd(&mut self) -> std::io::Result<std::os::unix::io::RawFd> {
        use std::os::unix::io::AsRawFd;
        if self.signal.is_none() {
            let mut s = Signal::new()?;
            if !self.q.is_empty() {
                s.set();
            }
            self.signal = Some(s);
        }
        Ok(self.signal.as_ref().map_or(-1, |s| s.rx.as_raw_fd()))
    }
}

impl Inner {
    /// Posts an event: to the queue, or to this thread's batch if one is open for this
    /// bind ([`Inner::batch`]).
    pub(super) fn post(&self, e: Event) {
        self.log_event(&e);
        // (try_with: while the thread's locals are destroyed, e.g. a Client dropped by a
        // thread-local of the application's at thread exit, straight to the queue.)
        let mut e = Some(e);
        let _ = BATCH.try_with(|b| {
            let mut b = b.borrow_mut();
            if b.is_for(self) {
                b.events.extend(e.take());
            }
        });
        self.ch.push_all(&mut Vec::new(), e);
    }

    /// The log line an event makes, if any.
    fn log_event(&self, e: &Event) {
        use crate::log::Level;
        let emit = |level, target: &str, message: &str| self.s.log(level, target, message);
        match e {
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
    }

    /// [`Inner::post`] at once, after what this thread's batch holds: for an event that must
    /// not come after one that another bind posts meanwhile (an outcome and the receipts of its
    /// message, posted under the correlation lock).
    pub(super) fn post_now(&self, e: Event) {
        self.log_event(&e);
        let mut e = Some(e);
        let _ = BATCH.try_with(|b| {
            let mut b = b.borrow_mut();
            if b.is_for(self) {
                self.ch.push_all(&mut b.events, e.take());
            }
        });
        self.ch.push_all(&mut Vec::new(), e);
    }

    /// Opens a batch on this thread for this bind: what it posts until the batch is dropped
    /// goes to the queue at once, under one taking of the events lock (rather than one per
    /// event: the lock every bind of a pool and every `poll_event` caller share). Events keep
    /// their order. A batch already open on this thread (for this bind or another, reached
    /// from a log callback) stays the one; this bind's events then go to the queue directly.
    pub(super) fn batch(&self) -> Batch {
        let open = BATCH
            .try_with(|b| {
                let mut b = b.borrow_mut();
                if b.owner.is_some() {
                    return false;
                }
                b.owner = Some((self.ch.clone(), self as *const Inner as usize));
                true
            })
            .unwrap_or(false);
        Batch { open }
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
        // (Events held in this thread's batch are not counted: at most one read's worth.)
        lock(&self.ch.events).q.len() >= EVENT_CAPACITY
    }
}

/// The events a thread posted in its open batch ([`Inner::batch`]).
#[derive(Default)]
struct Batched {
    /// The channel and the bind (its address: the batch lives no longer than the caller's
    /// borrow of it) the batch is for (None: no batch open).
    owner: Option<(Arc<Channel>, usize)>,
    /// Kept between batches, for its capacity.
    events: Vec<Event>,
}

impl Batched {
    fn is_for(&self, inner: &Inner) -> bool {
        self.owner.as_ref().is_some_and(|(ch, at)| {
            Arc::ptr_eq(ch, &inner.ch) && *at == inner as *const Inner as usize
        })
    }
}

thread_local! {
    static BATCH: RefCell<Batched> = RefCell::new(Batched::default());
}

/// An open batch: dropping it (also while unwinding) puts its events in the queue.
pub(super) struct Batch {
    open: bool,
}

impl Drop for Batch {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        let taken = BATCH.try_with(|b| {
            let mut b = b.borrow_mut();
            (b.owner.take(), std::mem::take(&mut b.events))
        });
        if let Ok((Some((ch, _)), mut events)) = taken {
            ch.push_all(&mut events, None);
            let _ = BATCH.try_with(|b| b.borrow_mut().events = events);
        }
    }
}

impl Channel {
    /// Puts `events` (drained) and then `last` in the queue under one taking of its lock,
    /// and wakes the `poll_event` callers waiting for them.
    fn push_all(&self, events: &mut Vec<Event>, last: Option<Event>) {
        if events.is_empty() && last.is_none() {
            return;
        }
        let mut q = lock(&self.events);
        let n = events.len() + usize::from(last.is_some());
        for e in events.drain(..).chain(last) {
            q.push(e);
        }
        let waiting = q.waiting;
        drop(q);
        // One waiting caller per event at most: several events wake several callers, so
        // none sleeps while events wait.
        match (waiting, n) {
            (0, _) => {}
            (1, _) | (_, 1) => self.events_cv.notify_one(),
            _ => self.events_cv.notify_all(),
        }
    }
}
