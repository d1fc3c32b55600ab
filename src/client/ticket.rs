//! [`Ticket`]: a handle on one message's outcome, and the slot where the outcome lands.

use super::{lock, Outcome};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Where a message's outcome lands. `waiting` says whether a thread sleeps on `cv`: the
/// I/O thread signals only then (a condvar signal is a system call even with no sleeper).
pub(super) struct Slot {
    pub(super) outcome: Mutex<SlotState>,
    pub(super) cv: Condvar,
}

#[derive(Default)]
pub(super) struct SlotState {
    pub(super) outcome: Option<Outcome>,
    /// As [`Event::Outcome`](super::Event::Outcome)'s `awaiting_receipts`, set with the
    /// outcome.
    pub(super) awaiting_receipts: bool,
    pub(super) waiting: u32,
}

/// A handle on the outcome of one submitted message.
#[derive(Clone)]
pub struct Ticket {
    pub(super) id: u64,
    pub(super) slot: Arc<Slot>,
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Ticket({})", self.id)
    }
}

impl Ticket {
    /// The id, as in [`Event::Outcome`](super::Event::Outcome).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The outcome if it is known.
    pub fn outcome(&self) -> Option<Outcome> {
        lock(&self.slot.outcome).outcome.clone()
    }

    /// Waits for the outcome, at most `timeout` (None: until it is known; it always becomes
    /// known within the submit timeout plus the response timeout per part).
    pub fn wait(&self, timeout: Option<Duration>) -> Option<Outcome> {
        self.wait_with(timeout, |o| o.clone())
    }

    /// Waits for the outcome and moves it out of the slot instead of copying it: for
    /// [`Client::submit`], whose ticket nobody else ever sees.
    pub(super) fn take(self) -> Option<Outcome> {
        self.wait_with(None, Option::take)
    }

    fn wait_with(
        &self,
        timeout: Option<Duration>,
        get: impl Fn(&mut Option<Outcome>) -> Option<Outcome>,
    ) -> Option<Outcome> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut g = lock(&self.slot.outcome);
        loop {
            if g.outcome.is_some() {
                return get(&mut g.outcome);
            }
            g.waiting += 1;
            match deadline {
                None => g = self.slot.cv.wait(g).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        g.waiting -= 1;
                        return None;
                    }
                    g = self
                        .slot
                        .cv
                        .wait_timeout(g, d - now)
                        .unwrap_or_else(|e| e.into_inner())
                        .0;
                }
            }
            g.waiting -= 1;
        }
    }
}
