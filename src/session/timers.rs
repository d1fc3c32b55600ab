//! Time: the next deadline, response timeouts, keepalive (enquire_link) and the dead-peer
//! verdict.
//!
//! A half-open link (the SMSC reads and answers nothing, the connection stays up) is found by
//! its silence rather than by waiting for [`SessionConfig::dead_peer_timeout`]: when a request
//! of the caller's times out and nothing at all has been received since it was sent, the link
//! is *suspect*. The window then admits nothing (the requests already written are the only
//! ones lost to a timeout), and an enquire_link probes the link at once. Anything received
//! clears the suspicion; the probe unanswered within the response timeout ends the session
//! with [`Event::PeerDead`].
//!
//! [`SessionConfig::dead_peer_timeout`]: super::SessionConfig::dead_peer_timeout

use super::event::Event;
use super::machine::{Pending, Purpose, Session, State};
use crate::pdu::{Body, CommandStatus};
use std::time::Instant;

impl<T> Session<T> {
    /// The earliest time [`Session::tick`] has work to do.
    pub fn next_deadline(&self) -> Option<Instant> {
        if self.state == State::Closed {
            return None;
        }
        let mut d = self.last_rx + self.cfg.dead_peer_timeout;
        if matches!(self.state, State::Bound(_)) && !self.enquire_in_flight {
            d = d.min(self.last_rx + self.cfg.enquire_link_interval);
            if self.suspect || self.probe_failed {
                // The probe is due now.
                d = d.min(self.last_rx);
            }
        }
        if let Some(&(t, _)) = self
            .deadlines
            .iter()
            .find(|(_, s)| self.pending.contains_key(s))
        {
            d = d.min(t);
        }
        for s in &self.control {
            if let Some(p) = self.pending.get(s) {
                d = d.min(p.deadline);
            }
        }
        Some(d)
    }

    /// Handles the passing of time: response timeouts, keepalive, dead peer.
    pub fn tick(&mut self, now: Instant) {
        if self.state == State::Closed {
            return;
        }
        while let Some(&(t, seq)) = self.deadlines.front() {
            if !self.pending.contains_key(&seq) {
                self.deadlines.pop_front();
            } else if t <= now {
                self.deadlines.pop_front();
                if let Some(p) = self.pending.remove(&seq) {
                    // Nothing at all received since it was written: responses have stopped.
                    if self.last_rx <= p.sent && matches!(self.state, State::Bound(_)) {
                        self.suspect = true;
                    }
                    self.expired(p);
                }
            } else {
                break;
            }
        }
        let due: Vec<u32> = self
            .control
            .iter()
            .copied()
            .filter(|s| self.pending.get(s).is_some_and(|p| p.deadline <= now))
            .collect();
        for seq in due {
            if let Some(p) = self.pending.remove(&seq) {
                self.expired(p);
            }
        }
        let pending = &self.pending;
        self.control.retain(|s| pending.contains_key(s));
        if self.state == State::Closed {
            return;
        }
        let silent = now.saturating_duration_since(self.last_rx);
        if silent >= self.cfg.dead_peer_timeout || self.probe_failed {
            self.close();
            self.events
                .push_back(Event::PeerDead { silent_for: silent });
            return;
        }
        if matches!(self.state, State::Bound(_))
            && !self.enquire_in_flight
            && (silent >= self.cfg.enquire_link_interval || self.suspect)
        {
            let t = self.cfg.response_timeout;
            if self
                .request(Body::EnquireLink, Purpose::EnquireLink, t, now)
                .is_ok()
            {
                self.enquire_in_flight = true;
            }
        }
    }

    pub(super) fn expired(&mut self, p: Pending<T>) {
        match p.purpose {
            Purpose::User(tag) => {
                self.user_in_flight -= 1;
                self.events.push_back(Event::Timeout {
                    tag,
                    command: p.command,
                });
            }
            Purpose::Bind => {
                self.close();
                self.events.push_back(Event::BindRefused {
                    status: CommandStatus::Other(u32::MAX),
                });
            }
            Purpose::Unbind => {
                self.close();
                self.events.push_back(Event::Unbound);
            }
            // The dead-peer timer decides; an unanswered enquire_link may be retried. Unless it
            // was probing a suspect link: then nothing has been received for a request's
            // timeout and the probe's, and the link is dead.
            Purpose::EnquireLink => {
                self.enquire_in_flight = false;
                if self.suspect {
                    self.probe_failed = true;
                }
            }
        }
    }
}
