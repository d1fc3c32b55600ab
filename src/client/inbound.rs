//! Inbound deliver_sm and data_sm: delivery receipts, and MO messages reassembled from their
//! parts; each acknowledged, or refused while the event queue is full.

use super::event::{Event, InboundMessage, ReceivedReceipt};
use super::{lock, Inner, Shared};
use crate::pdu::{Body, CommandStatus, MessageState, Pdu, Tag, Tlv, TlvList, TlvValue};
use crate::receipt;
use std::sync::atomic::Ordering::Relaxed;
use std::time::Instant;

impl Inner {
    /// A trace record, composed only when a sink takes trace.
    fn trace(&self, line: impl FnOnce() -> String) {
        if crate::log::enabled(crate::log::Level::Trace) {
            self.s
                .log(crate::log::Level::Trace, "esme::client", &line());
        }
    }

    pub(super) fn on_inbound(&self, g: &mut Shared, pdu: Pdu, now: Instant) {
        if self.events_full() {
            // Refused, not dropped: the SMSC keeps it and retries.
            self.counters.inbound_refused.fetch_add(1, Relaxed);
            if let Some(sess) = g.session.as_mut() {
                sess.respond(&pdu, CommandStatus::RxTAppn, Vec::new());
            }
            return;
        }
        let mut corr = None;
        let events: Vec<Event> = match &pdu.body {
            Body::DeliverSm(d) if matches!(d.esm_class & 0x3C, 0x04 | 0x20) => {
                let id = d.tlvs.get_str(Tag::ReceiptedMessageId);
                let state = d.tlvs.get_u8(Tag::MessageState).map(MessageState::from_u8);
                let nec = match d.tlvs.find(Tag::NetworkErrorCode).map(Tlv::value) {
                    Some(TlvValue::NetworkErrorCode {
                        network_type,
                        error_code,
                    }) => Some((network_type, error_code)),
                    _ => None,
                };
                let parsed = receipt::from_deliver(d.payload(), id.as_deref(), state, nec);
                self.trace(|| match &parsed {
                    Ok(r) => format!(
                        "receipt from {}: id {} state {} err {} (id from {}, state from {})",
                        self.s.log_mask.address(&d.source.addr),
                        r.id,
                        r.state.name(),
                        r.err.as_deref().unwrap_or("-"),
                        if id.as_deref().is_some_and(|i| !i.is_empty()) {
                            "the receipted_message_id TLV"
                        } else {
                            "the text"
                        },
                        if state.is_some() {
                            "the message_state TLV"
                        } else {
                            "the text"
                        },
                    ),
                    Err(e) => format!(
                        "receipt from {} not read: {e}",
                        self.s.log_mask.address(&d.source.addr)
                    ),
                });
                // Held until the receipt is posted (see `Inner::set_result`).
                let mut c = lock(&self.ch.corr);
                let hit = match &parsed {
                    Ok(r) => c.receipt_at(&r.id, r.is_final()).map(|(c, at)| {
                        let lag = r.is_final().then(|| now.saturating_duration_since(at));
                        (c, lag)
                    }),
                    Err(_) => None,
                };
                self.counters
                    .receipt(hit.is_some(), hit.as_ref().and_then(|h| h.1));
                let correlation = hit.map(|h| h.0);
                corr = Some(c);
                let (receipt, note) = match parsed {
                    Ok(r) => (Some(r), None),
                    Err(e) => (None, Some(e.to_string())),
                };
                vec![Event::Receipt(Box::new(ReceivedReceipt {
                    from: d.source.addr.clone(),
                    to: d.destination.addr.clone(),
                    receipt,
                    raw: d.payload().to_vec(),
                    note,
                    correlation,
                }))]
            }
            Body::DeliverSm(_) | Body::DataSm(_) => {
                let (part, raw) = match &pdu.body {
                    Body::DeliverSm(d) => (d.inbound_part(), d.payload().to_vec()),
                    Body::DataSm(d) => {
                        let p = d.inbound_part();
                        let raw = p.message_payload.clone().unwrap_or_default();
                        (p, raw)
                    }
                    _ => return,
                };
                let (from, to, dc) = (
                    part.source.clone(),
                    part.destination.clone(),
                    part.data_coding,
                );
                let concat = match (&part.sar, part.esm_class & 0x40 != 0) {
                    (Some(sar), _) => Some((sar.ref_num, sar.total, sar.seqnum)),
                    (None, true) => crate::text::udh_concat(&part.short_message).ok().flatten(),
                    (None, false) => None,
                };
                if let Some((r, total, seq)) = concat {
                    self.trace(|| {
                        format!(
                            "message part {seq}/{total} (reference {r}) from {}, data_coding 0x{dc:02x}",
                            self.s.log_mask.address(&from)
                        )
                    });
                }
                match g.reasm.push(part, now) {
                    Ok(Some(m)) => {
                        self.trace(|| {
                            format!(
                                "message from {}: {} part(s), {}",
                                self.s.log_mask.address(&m.source),
                                m.parts,
                                match &m.text {
                                    Some(t) => format!("{} characters", t.chars().count()),
                                    None => format!("{} octets", m.body.len()),
                                }
                            )
                        });
                        let note = m.text_error.as_ref().map(|e| e.to_string());
                        vec![Event::Message(InboundMessage {
                            from: m.source,
                            to: m.destination,
                            data_coding: m.data_coding,
                            text: m.text,
                            body: m.body,
                            parts: m.parts,
                            note,
                        })]
                    }
                    Ok(None) => vec![],
                    // Unreadable concatenation: hand it over raw rather than lose it.
                    Err(e) => vec![Event::Message(InboundMessage {
                        from,
                        to,
                        data_coding: dc,
                        text: None,
                        body: raw,
                        parts: 1,
                        note: Some(e.to_string()),
                    })],
                }
            }
            _ => vec![],
        };
        for e in events {
            if let Event::Message(_) = e {
                self.counters.messages_received.fetch_add(1, Relaxed);
            }
            // A receipt is posted under the correlation lock, at once: after the outcome
            // of its message, whichever bind posted that (see `Inner::finish`).
            if corr.is_some() {
                self.post_now(e);
            } else {
                self.post(e);
            }
        }
        drop(corr);
        if let Some(sess) = g.session.as_mut() {
            sess.respond(
                &pdu,
                CommandStatus::Ok,
                self.s.config.deliver_resp_tlvs.clone(),
            );
        }
    }
}
