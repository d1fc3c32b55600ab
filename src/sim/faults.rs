//! Fault injection: atomics the connection threads read on every PDU.

use crate::pdu::CommandStatus;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering::Relaxed};
use std::time::Duration;

/// A deliberately broken PDU for [`Faults::send_malformed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Malformed {
    /// A header whose command_length is 8 (shorter than a header): a framing error the
    /// client cannot recover from.
    BadLength,
    /// A submit_sm_resp (with the request's sequence number) whose message_id lacks its
    /// terminating NUL: a well-framed PDU with a broken body.
    TruncatedBody,
    /// A header-only PDU with command_id 0x00000104, which SMPP 3.4 does not define (the
    /// client should answer generic_nack ESME_RINVCMDID).
    UnknownCommand,
    /// A submit_sm_resp with a sequence number nothing was sent with
    /// ([`Faults::UNUSED_SEQUENCE`]).
    ResponseToNothing,
}

impl Malformed {
    fn to_u8(self) -> u8 {
        match self {
            Malformed::BadLength => 1,
            Malformed::TruncatedBody => 2,
            Malformed::UnknownCommand => 3,
            Malformed::ResponseToNothing => 4,
        }
    }

    fn from_u8(v: u8) -> Option<Malformed> {
        Some(match v {
            1 => Malformed::BadLength,
            2 => Malformed::TruncatedBody,
            3 => Malformed::UnknownCommand,
            4 => Malformed::ResponseToNothing,
            _ => return None,
        })
    }

    /// Appends the broken PDU standing in for the response to request `seq`.
    pub(crate) fn encode(self, seq: u32, out: &mut Vec<u8>) {
        let header = |out: &mut Vec<u8>, len: u32, id: u32, seq: u32| {
            for w in [len, id, 0, seq] {
                out.extend_from_slice(&w.to_be_bytes());
            }
        };
        match self {
            Malformed::BadLength => header(out, 8, 0x8000_0004, seq),
            Malformed::TruncatedBody => {
                header(out, 19, 0x8000_0004, seq);
                out.extend_from_slice(b"BAD");
            }
            Malformed::UnknownCommand => header(out, 16, 0x0000_0104, seq),
            Malformed::ResponseToNothing => {
                header(out, 18, 0x8000_0004, Faults::UNUSED_SEQUENCE);
                out.extend_from_slice(b"0\0");
            }
        }
    }
}

const NO_STATUS: u64 = u64::MAX;

/// Faults to inject, settable at any time from any thread ([`super::Smsc::faults`]).
///
/// "Submissions" below are submit_sm, submit_multi and data_sm. The counted faults
/// (`drop_responses`, `throttle`, `queue_full`, `reject_with`) are consumed one per
/// submission across all connections; when several are armed, the first of drop, reject,
/// throttle, queue full applies. A dropped submission is still accepted (recorded, and a
/// requested receipt is still sent): only its response is lost.
#[derive(Debug)]
pub struct Faults {
    response_delay_ns: AtomicU64,
    drop_n: AtomicU64,
    throttle_n: AtomicU64,
    queue_full_n: AtomicU64,
    reject_n: AtomicU64,
    reject_status: AtomicU32,
    close_after: AtomicU64,
    ignore_enquire_link: AtomicBool,
    malformed: AtomicU8,
    refuse_binds: AtomicU64,
    stall: AtomicBool,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            response_delay_ns: AtomicU64::new(0),
            drop_n: AtomicU64::new(0),
            throttle_n: AtomicU64::new(0),
            queue_full_n: AtomicU64::new(0),
            reject_n: AtomicU64::new(0),
            reject_status: AtomicU32::new(0),
            close_after: AtomicU64::new(0),
            ignore_enquire_link: AtomicBool::new(false),
            malformed: AtomicU8::new(0),
            refuse_binds: AtomicU64::new(NO_STATUS),
            stall: AtomicBool::new(false),
        }
    }
}

/// Takes one from a countdown; true when it was armed.
fn take(n: &AtomicU64) -> bool {
    n.fetch_update(Relaxed, Relaxed, |v| v.checked_sub(1))
        .is_ok()
}

/// What to do with one submission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SubmitFault {
    None,
    Drop,
    Reject(CommandStatus),
}

impl Faults {
    /// The sequence number [`Malformed::ResponseToNothing`] uses (the simulator never
    /// sends requests with it, and clients rarely reach it).
    pub const UNUSED_SEQUENCE: u32 = 0x7FFF_FFF0;

    /// Delays every response to a submission by `d` (0 = off). Responses are held by the
    /// connection's writer thread, so the connection keeps reading meanwhile, and they keep
    /// their order.
    pub fn set_response_delay(&self, d: Duration) {
        let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.response_delay_ns.store(ns, Relaxed);
    }

    /// Does not answer the next `n` submissions at all.
    pub fn drop_responses(&self, n: u64) {
        self.drop_n.store(n, Relaxed);
    }

    /// Answers the next `n` submissions with ESME_RTHROTTLED (0x58).
    pub fn throttle(&self, n: u64) {
        self.throttle_n.store(n, Relaxed);
    }

    /// Answers the next `n` submissions with ESME_RMSGQFUL (0x14).
    pub fn queue_full(&self, n: u64) {
        self.queue_full_n.store(n, Relaxed);
    }

    /// Answers the next `n` submissions with `status`.
    pub fn reject_with(&self, status: CommandStatus, n: u64) {
        self.reject_status.store(status.to_u32(), Relaxed);
        self.reject_n.store(n, Relaxed);
    }

    /// Closes the connection on which the `n`th PDU from now arrives (counted across all
    /// connections), without answering that PDU; responses to earlier PDUs are still
    /// written. 0 = off.
    pub fn close_after(&self, n_pdus: u64) {
        self.close_after.store(n_pdus, Relaxed);
    }

    /// Stops (true) or resumes answering enquire_link.
    pub fn ignore_enquire_link(&self, on: bool) {
        self.ignore_enquire_link.store(on, Relaxed);
    }

    /// The next response the simulator produces (to any request) is replaced by `kind`.
    pub fn send_malformed(&self, kind: Malformed) {
        self.malformed.store(kind.to_u8(), Relaxed);
    }

    /// Answers every bind with `status` (e.g. ESME_RINVPASWD); `None` = normal.
    pub fn refuse_binds(&self, status: Option<CommandStatus>) {
        let v = status.map_or(NO_STATUS, |s| u64::from(s.to_u32()));
        self.refuse_binds.store(v, Relaxed);
    }

    /// Stops (true) or resumes reading from every connection. While stalled nothing is
    /// processed and nothing more is read (a read already blocked when the stall begins
    /// may take in one buffer), so the client's writes block once the TCP window fills.
    pub fn stall(&self, on: bool) {
        self.stall.store(on, Relaxed);
    }

    /// Turns every fault off.
    pub fn reset(&self) {
        self.set_response_delay(Duration::ZERO);
        self.drop_responses(0);
        self.throttle(0);
        self.queue_full(0);
        self.reject_n.store(0, Relaxed);
        self.close_after(0);
        self.ignore_enquire_link(false);
        self.malformed.store(0, Relaxed);
        self.refuse_binds(None);
        self.stall(false);
    }

    pub(crate) fn response_delay(&self) -> Duration {
        Duration::from_nanos(self.response_delay_ns.load(Relaxed))
    }

    pub(crate) fn stalled(&self) -> bool {
        self.stall.load(Relaxed)
    }

    pub(crate) fn ignoring_enquire_link(&self) -> bool {
        self.ignore_enquire_link.load(Relaxed)
    }

    pub(crate) fn bind_refusal(&self) -> Option<CommandStatus> {
        match self.refuse_binds.load(Relaxed) {
            NO_STATUS => None,
            v => Some(CommandStatus::from_u32(v as u32)),
        }
    }

    /// The malformed PDU to send instead of the next response, consuming it.
    pub(crate) fn take_malformed(&self) -> Option<Malformed> {
        if self.malformed.load(Relaxed) == 0 {
            return None;
        }
        Malformed::from_u8(self.malformed.swap(0, Relaxed))
    }

    /// True when this PDU is the one to close the connection on.
    pub(crate) fn close_now(&self) -> bool {
        self.close_after.load(Relaxed) != 0
            && self
                .close_after
                .fetch_update(Relaxed, Relaxed, |v| v.checked_sub(1))
                == Ok(1)
    }

    /// The fault (if any) for one submission, consuming it.
    pub(crate) fn submit_fault(&self) -> SubmitFault {
        let armed = |n: &AtomicU64| n.load(Relaxed) != 0 && take(n);
        if armed(&self.drop_n) {
            SubmitFault::Drop
        } else if armed(&self.reject_n) {
            SubmitFault::Reject(CommandStatus::from_u32(self.reject_status.load(Relaxed)))
        } else if armed(&self.throttle_n) {
            SubmitFault::Reject(CommandStatus::Throttled)
        } else if armed(&self.queue_full_n) {
            SubmitFault::Reject(CommandStatus::MsgQFul)
        } else {
            SubmitFault::None
        }
    }
}
