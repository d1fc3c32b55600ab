//! What a caller submits ([`Message`]), what it gets back ([`Outcome`]), and how a message
//! becomes submit_sm parts.

use crate::config::{Config, Opt};
use crate::pdu::{Address, CommandStatus, Pdu, SubmitSm, Tlv};
use crate::text::{self, Encoding};
use crate::Error;
use std::time::Duration;

/// A message body. `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub enum Content {
    /// Text, encoded by the configured or given encoding and segmented when long.
    Text(String),
    /// Octets sent as they are (data_coding 4 unless given), segmented when long.
    Binary(Vec<u8>),
}

/// One message to submit. Unset fields take the channel's configured defaults. `Debug`
/// masks the addresses and shows the body only by its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Message {
    /// The destination address.
    pub to: String,
    /// The source address (default: [`Opt::DefaultReplyAddress`], else empty for the SMSC's
    /// default).
    pub from: Option<String>,
    /// Destination TON / NPI (default: [`Opt::DestAddrTon`] / [`Opt::DestAddrNpi`]).
    pub to_ton_npi: Option<(u8, u8)>,
    /// Source TON / NPI (default: [`Opt::SrcAddrTon`] / [`Opt::SrcAddrNpi`]).
    pub from_ton_npi: Option<(u8, u8)>,
    /// The body.
    pub content: Content,
    /// Text encoding (default: [`Opt::OutboundEncDefault`]; auto picks GSM 7-bit when
    /// exact, else UCS-2). Ignored for binary content.
    pub encoding: Option<Encoding>,
    /// data_coding to send instead of the encoding's own value.
    pub data_coding: Option<u8>,
    /// registered_delivery (default: 1 when [`Opt::DeliveryReport`] is true, else 0).
    pub registered_delivery: Option<u8>,
    /// Validity period (default: [`Opt::ValidityPeriod`]).
    pub validity: Option<Duration>,
    /// service_type (default: [`Opt::ServiceType`]).
    pub service_type: Option<String>,
    /// priority_flag (default 0).
    pub priority: u8,
    /// protocol_id (default 0).
    pub protocol_id: u8,
    /// TLVs added to every part (after [`Opt::ExtraOpt`]).
    pub tlvs: Vec<Tlv>,
    /// The caller's own value (an index, a key, a pointer as an integer), never sent: it
    /// comes back with the message's outcome ([`Event::Outcome`](super::Event::Outcome))
    /// and with each of its delivery receipts ([`Correlation`](super::Correlation)).
    /// Default 0.
    pub user_data: u64,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::{Chars, Octets};
        match self {
            Content::Text(t) => f.debug_tuple("Text").field(&Chars(t)).finish(),
            Content::Binary(b) => f.debug_tuple("Binary").field(&Octets(b)).finish(),
        }
    }
}

impl std::fmt::Debug for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use crate::pdu::redact::Addr;
        f.debug_struct("Message")
            .field("to", &Addr(&self.to))
            .field("from", &self.from.as_deref().map(Addr))
            .field("to_ton_npi", &self.to_ton_npi)
            .field("from_ton_npi", &self.from_ton_npi)
            .field("content", &self.content)
            .field("encoding", &self.encoding)
            .field("data_coding", &self.data_coding)
            .field("registered_delivery", &self.registered_delivery)
            .field("validity", &self.validity)
            .field("service_type", &self.service_type)
            .field("priority", &self.priority)
            .field("protocol_id", &self.protocol_id)
            .field("tlvs", &self.tlvs)
            .field("user_data", &self.user_data)
            .finish()
    }
}

impl Message {
    /// A text message.
    pub fn text(to: impl Into<String>, text: impl Into<String>) -> Message {
        Message::new(to, Content::Text(text.into()))
    }

    /// A binary message.
    pub fn binary(to: impl Into<String>, bytes: impl Into<Vec<u8>>) -> Message {
        Message::new(to, Content::Binary(bytes.into()))
    }

    fn new(to: impl Into<String>, content: Content) -> Message {
        Message {
            to: to.into(),
            from: None,
            to_ton_npi: None,
            from_ton_npi: None,
            content,
            encoding: None,
            data_coding: None,
            registered_delivery: None,
            validity: None,
            service_type: None,
            priority: 0,
            protocol_id: 0,
            tlvs: Vec::new(),
            user_data: 0,
        }
    }

    /// Sets the source address.
    pub fn from(mut self, from: impl Into<String>) -> Message {
        self.from = Some(from.into());
        self
    }

    /// Asks for (1) or against (0) a delivery receipt.
    pub fn receipt(mut self, on: bool) -> Message {
        self.registered_delivery = Some(on as u8);
        self
    }

    /// Sets the caller's value that comes back with the outcome and the receipts (see
    /// [`Message::user_data`](Message#structfield.user_data)).
    pub fn user_data(mut self, v: u64) -> Message {
        self.user_data = v;
        self
    }

    /// Forces a text encoding.
    pub fn encoding(mut self, e: Encoding) -> Message {
        self.encoding = Some(e);
        self
    }
}

/// How a submitted message ended. Every message handed to `submit` ends in exactly one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The SMSC accepted every part.
    Accepted {
        /// One message_id per part, in part order.
        message_ids: Vec<String>,
    },
    /// The SMSC definitely did not accept the message, or one of its parts (the parts after
    /// it that were not written yet are not sent; those already written may have been
    /// accepted, and `why` says which).
    Rejected {
        /// The command_status it answered.
        status: CommandStatus,
        /// message_ids of the parts that were accepted (a long message only), in part order.
        message_ids: Vec<String>,
        /// One line: the status, and for a long message which part was refused and which
        /// were accepted or not sent ("part 2 of 3: ESME_RINVDSTADR (0x0000000B): invalid
        /// destination address; parts 1 (id 5), 3 (id 7) accepted").
        why: String,
    },
    /// Written to the SMSC but no usable answer: response timeout, connection lost, or an
    /// unreadable response. It may or may not have been accepted: the caller decides
    /// whether to send it again.
    Unknown {
        /// Why, one line.
        why: String,
        /// message_ids of the parts known to be accepted (a long message only).
        message_ids: Vec<String>,
    },
    /// Not accepted, and safe to send again: never written (not connected and not allowed
    /// to wait, an outage past the submit timeout, window full, submit timeout, client
    /// closing), or written and refused with a throttling status (ESME_RTHROTTLED,
    /// ESME_RMSGQFUL) and not resubmitted, which `why` then says.
    NotSent {
        /// Why, one line.
        why: String,
    },
}

impl Outcome {
    /// True for [`Outcome::Accepted`].
    pub fn is_accepted(&self) -> bool {
        matches!(self, Outcome::Accepted { .. })
    }

    /// A one-line summary: `accepted 1A2B`, `rejected ESME_RINVDSTADR (0x0000000B): …`.
    pub fn summary(&self) -> String {
        match self {
            Outcome::Accepted { message_ids } => format!("accepted {}", message_ids.join(",")),
            Outcome::Rejected { why, .. } => format!("rejected {why}"),
            Outcome::Unknown { why, .. } => format!("unknown: {why}"),
            Outcome::NotSent { why } => format!("not sent: {why}"),
        }
    }
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// SMPP relative time `YYMMDDhhmmss000R` for a duration (days capped at 99, then years).
pub(crate) fn relative_time(d: Duration) -> String {
    let mut s = d.as_secs();
    let years = (s / (365 * 86400)).min(99);
    s -= years * 365 * 86400;
    let days = (s / 86400).min(99);
    s -= days * 86400;
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    format!("{years:02}00{days:02}{h:02}{m:02}{sec:02}000R")
}

/// The submit_sm parts of a message, encoded: every part is encoded here, once, so a field
/// that breaks a rule is reported now, naming it, and nothing is sent; the session then
/// sends these octets with its sequence number (`Session::send_encoded`). `part` makes the
/// caller's record of each part from its octets (one vector for both, not two).
pub(crate) fn build_parts<P>(
    s: &Config,
    m: &Message,
    ref_num: u16,
    mut part: impl FnMut(Vec<u8>) -> P,
) -> Result<Vec<P>, Error> {
    if m.to.is_empty() {
        return Err(Error::Usage(
            "the message has no destination address".into(),
        ));
    }
    let (to_ton, to_npi) = m.to_ton_npi.unwrap_or((s.dest_ton, s.dest_npi));
    let (from_ton, from_npi) = m.from_ton_npi.unwrap_or((s.src_ton, s.src_npi));
    // The addresses' strings are this thread's, reused from the last message (below).
    let [mut from, mut to] = ADDRS.with(|a| std::mem::take(&mut *a.borrow_mut()));
    from.clear();
    from.push_str(m.from.as_deref().unwrap_or(&s.default_source));
    to.clear();
    to.push_str(&m.to);
    let mut base = SubmitSm {
        service_type: m
            .service_type
            .clone()
            .unwrap_or_else(|| s.service_type.clone()),
        source: Address::new(from_ton, from_npi, from),
        destination: Address::new(to_ton, to_npi, to),
        protocol_id: m.protocol_id,
        priority_flag: m.priority,
        registered_delivery: m.registered_delivery.unwrap_or(s.delivery_report as u8),
        validity_period: m
            .validity
            .or(s.validity_period)
            .map(relative_time)
            .unwrap_or_default(),
        ..Default::default()
    };
    base.tlvs.extend(s.extra_tlvs.iter().cloned());
    base.tlvs.extend(m.tlvs.iter().cloned());
    let segments = match &m.content {
        Content::Text(t) => {
            let t = if t.is_empty() { &s.empty_message } else { t };
            if t.is_empty() {
                return Err(Error::Usage(format!(
                    "the message text is empty (set {} to send a placeholder)",
                    Opt::EmptyMessage
                )));
            }
            let enc = m
                .encoding
                .unwrap_or_else(|| s.outbound_encoding.encoding_for(t));
            base.data_coding = m.data_coding.unwrap_or(match enc {
                Encoding::Ucs2 => s.ucs2_data_coding,
                e => e.data_coding(),
            });
            text::segment_text(t, enc, s.segmentation, ref_num, s.max_segments)?
        }
        Content::Binary(b) => {
            if b.is_empty() {
                return Err(Error::Usage("the binary message is empty".into()));
            }
            base.data_coding = m.data_coding.unwrap_or(4);
            text::segment_bytes(b, s.segmentation, ref_num, s.max_segments)?
        }
    };
    let mut parts = Vec::with_capacity(segments.len());
    let n = segments.len();
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        let mut base = base;
        for (i, mut seg) in segments.into_iter().enumerate() {
            // The last part takes the template itself, and every part its segment's octets:
            // a one-part message copies nothing.
            let mut p = if i + 1 == n {
                std::mem::take(&mut base)
            } else {
                base.clone()
            };
            let octets = std::mem::take(&mut seg.short_message);
            p.set_segment(&seg);
            p.short_message = octets;
            scratch.clear();
            let pdu = Pdu::new(1, crate::pdu::Body::SubmitSm(p));
            let len = pdu.encode(&mut scratch).map_err(Error::Encode)?;
            if len > s.max_pdu_len as usize {
                return Err(Error::Usage(format!(
                    "the submit_sm would be {len} octets, above {} ({}): shorten the message or use segmentation instead of message_payload (node-smpp SMSCs refuse PDUs over 16384 octets)",
                    Opt::MaxPduSize,
                    s.max_pdu_len
                )));
            }
            // Exactly its size: the part keeps these octets until it has its outcome.
            parts.push(part(scratch[..len].to_vec()));
            if scratch.capacity() > 64 * 1024 {
                *scratch = Vec::new(); // don't keep a huge one-off buffer per thread
            }
            if i + 1 == n {
                if let crate::pdu::Body::SubmitSm(p) = pdu.body {
                    let (from, to) = (p.source.addr, p.destination.addr);
                    // Addresses are short; a long one (refused above) is not kept.
                    if from.capacity() <= 64 && to.capacity() <= 64 {
                        ADDRS.with(|a| *a.borrow_mut() = [from, to]);
                    }
                }
            }
        }
        Ok(parts)
    })
}

/// The trace line of a submit: destination (masked), what the body is, its encoding, the
/// parts. Never the text.
pub(crate) fn trace_line(
    s: &Config,
    m: &Message,
    parts: usize,
    ref_num: u16,
    mask: &crate::trace::LogMask,
) -> String {
    let (body, enc) = match &m.content {
        Content::Text(t) => {
            let t = if t.is_empty() { &s.empty_message } else { t };
            let enc = m
                .encoding
                .unwrap_or_else(|| s.outbound_encoding.encoding_for(t));
            (
                format!("text of {} characters", t.chars().count()),
                format!("{enc:?}"),
            )
        }
        Content::Binary(b) => (format!("{} octets", b.len()), "binary".to_string()),
    };
    let split = if parts > 1 {
        format!(" ({:?}, reference {ref_num})", s.segmentation)
    } else {
        String::new()
    };
    format!(
        "submit to {}: {body}, {enc}, {parts} part(s){split}, registered_delivery {}",
        mask.address(&m.to),
        m.registered_delivery.unwrap_or(s.delivery_report as u8)
    )
}

thread_local! {
    /// Where [`build_parts`] encodes each part before copying it out at its exact size:
    /// reused, not allocated per message.
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    /// The source and destination address strings of [`build_parts`]'s template, kept for
    /// the thread's next message: two allocations less per message.
    static ADDRS: std::cell::RefCell<[String; 2]> =
        const { std::cell::RefCell::new([String::new(), String::new()]) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        assert_eq!(
            relative_time(Duration::from_secs(86400)),
            "000001000000000R"
        );
        assert_eq!(relative_time(Duration::from_secs(3661)), "000000010101000R");
        assert_eq!(
            relative_time(Duration::from_secs(400 * 86400)),
            "010035000000000R"
        );
    }
}
