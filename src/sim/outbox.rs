//! What a connection's writer thread writes: bytes to send now, and delayed responses.

use super::shared::lock;
use std::collections::BinaryHeap;
use std::sync::{Condvar, Mutex};
use std::time::Instant;

/// A delayed response.
#[derive(Debug)]
pub(super) struct Timed {
    pub(super) due: Instant,
    pub(super) order: u64,
    pub(super) bytes: Vec<u8>,
}

impl PartialEq for Timed {
    fn eq(&self, o: &Self) -> bool {
        (self.due, self.order) == (o.due, o.order)
    }
}
impl Eq for Timed {}
impl PartialOrd for Timed {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Timed {
    /// Reversed: the max-heap pops the earliest.
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (o.due, o.order).cmp(&(self.due, self.order))
    }
}

#[derive(Debug, Default)]
pub(super) struct OutState {
    /// Bytes to write next.
    pub(super) buf: Vec<u8>,
    /// Delayed responses.
    pub(super) timed: BinaryHeap<Timed>,
    pub(super) order: u64,
    /// No more pushes; the writer flushes `buf` and shuts the socket.
    pub(super) closed: bool,
    /// TLS: rustls has records to send (handshake, tickets, alerts) without plaintext.
    pub(super) kick: bool,
}

/// What the writer thread writes.
#[derive(Debug, Default)]
pub(crate) struct Outbox {
    pub(super) st: Mutex<OutState>,
    pub(super) cv: Condvar,
}

impl Outbox {
    /// Appends `bytes` (leaving it empty, capacity kept); false when closed.
    pub(super) fn push(&self, bytes: &mut Vec<u8>) -> bool {
        let mut st = lock(&self.st);
        if st.closed {
            bytes.clear();
            return false;
        }
        let was_empty = st.buf.is_empty();
        if was_empty {
            std::mem::swap(&mut st.buf, bytes);
        } else {
            st.buf.extend_from_slice(bytes);
            bytes.clear();
        }
        drop(st);
        if was_empty {
            self.cv.notify_one();
        }
        true
    }

    /// TLS: makes the writer send what rustls has queued (the reader's records).
    pub(super) fn kick(&self) {
        let mut st = lock(&self.st);
        st.kick = true;
        drop(st);
        self.cv.notify_one();
    }

    pub(super) fn push_timed(&self, due: Instant, bytes: Vec<u8>) {
        let mut st = lock(&self.st);
        if st.closed {
            return;
        }
        let order = st.order;
        st.order += 1;
        st.timed.push(Timed { due, order, bytes });
        drop(st);
        self.cv.notify_one();
    }

    /// Stops accepting pushes; with `discard`, drops what is not yet written too. Delayed
    /// responses are always dropped.
    pub(super) fn close(&self, discard: bool) {
        let mut st = lock(&self.st);
        st.closed = true;
        st.timed.clear();
        if discard {
            st.buf.clear();
        }
        drop(st);
        self.cv.notify_all();
    }
}
