//! One log line per PDU, safe to store, for the client and the simulator: the bind password
//! redacted, message text decoded and masked by the PII rules (a part of a concatenated
//! message as a fragment, its cut words masked too), a delivery receipt's `text:` masked whole
//! (or by the rules), its id, state, dates and error kept; numeric addresses keep their last 3
//! digits; TLV strings masked, TLV octets shown only by their length.
//!
//! ```
//! use esme::pdu::{Address, Body, Pdu, SubmitSm};
//! use esme::session::Direction;
//! use esme::text::Encoding;
//! use esme::trace::{line, LogMask};
//!
//! let pdu = Pdu::new(2, Body::SubmitSm(SubmitSm {
//!     destination: Address::new(1, 1, "447700900123"),
//!     short_message: b"Card 4111 1111 1111 1111, call 07700900456".to_vec(),
//!     ..Default::default()
//! }));
//! let l = line(Direction::Out, &pdu, Encoding::Gsm7, &LogMask::builtin());
//! assert!(l.contains(r#"destination_addr="*********123""#));
//! assert!(l.contains(r#"short_message="Card *******************, call ***********""#));
//! ```

pub use crate::config::ReceiptText;
use crate::pdu::describe::{describe, header_line, quote_text};
use crate::pdu::{Body, Pdu, Tag, TlvList};
use crate::pii::{Cut, RuleSet, DEFAULT_GROUP};
use crate::session::Direction;
use crate::text::{self, Encoding};

/// What masks the texts of esme's logs: a rule set (matches masked whole, so no card keeps
/// its last digits), the group applied, and the receipt text policy.
#[derive(Debug, Clone)]
pub struct LogMask {
    rules: RuleSet,
    group: String,
    receipt_text: ReceiptText,
}

impl LogMask {
    /// `group` must exist in `rules` (checked when the configuration is loaded); if it does
    /// not, texts are masked whole rather than logged.
    pub fn new(rules: &RuleSet, group: &str, receipt_text: ReceiptText) -> LogMask {
        LogMask {
            rules: rules.with_whole_matches(),
            group: group.to_string(),
            receipt_text,
        }
    }

    /// What a configuration asks for: [`Config::log_rules`](crate::config::Config::log_rules),
    /// its log mask group and receipt text policy (what the client uses).
    pub fn from_config(c: &crate::config::Config) -> Result<LogMask, crate::config::ConfigError> {
        Ok(LogMask::new(
            &c.log_rules()?,
            &c.log_mask_group,
            c.log_receipt_text,
        ))
    }

    /// The built-in rules' default group (the simulator's logs).
    pub fn builtin() -> LogMask {
        LogMask::new(&RuleSet::builtin(), DEFAULT_GROUP, ReceiptText::Masked)
    }

    /// A text (or a fragment of one, cut where `cut` says) masked by the group.
    pub fn text(&self, t: &str, cut: Cut) -> String {
        match self.rules.mask_fragment(t, &self.group, cut) {
            Ok(m) => m.text,
            Err(_) => whole(t),
        }
    }

    /// An address field: a phone number by its meaning, whether or not a rule would match
    /// it. Numeric (digits, an optional leading `+`): only its last 3 digits stay; otherwise
    /// (an alphanumeric sender id such as "Shop") the rules mask it.
    pub fn address(&self, a: &str) -> String {
        let digits = a.strip_prefix('+').unwrap_or(a);
        if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
            let keep = 3.min(digits.len());
            let mut o = "*".repeat(a.len() - keep);
            o.push_str(&a[a.len() - keep..]);
            o
        } else {
            self.text(a, Cut::None)
        }
    }

    /// A delivery receipt's text: its fields kept, its `text:` masked by the policy, other
    /// values by the rules. `None` when it is not a receipt.
    fn receipt(&self, t: &str) -> Option<String> {
        let text = |v: &str| match self.receipt_text {
            ReceiptText::Masked => whole(v),
            ReceiptText::Rules => self.text(v, Cut::Both),
        };
        let other = |v: &str| self.text(v, Cut::None);
        crate::receipt::redact(t, &text, &other)
    }
}

/// Every char masked.
pub(crate) fn whole(t: &str) -> String {
    "*".repeat(t.chars().count())
}

/// A short_message or message_payload: decoded (UDH removed) and masked, a part of a
/// concatenated message as a fragment; a receipt by its fields; binary by its length.
fn user_text(
    esm_class: u8,
    data_coding: u8,
    octets: &[u8],
    sar: Option<(u8, u8)>,
    default: Encoding,
    mask: &LogMask,
) -> String {
    let mut user = octets;
    let mut cut = match sar {
        Some((seq, total)) => Cut::of_part(seq, total),
        None => Cut::None,
    };
    if esm_class & 0x40 != 0 {
        match octets.first() {
            Some(&n) if (n as usize) < octets.len() => user = &octets[n as usize + 1..],
            _ => return format!("<{} octets, malformed UDH>", octets.len()),
        }
        cut = match text::udh_concat(octets) {
            Ok(Some((_, total, seq))) => Cut::of_part(seq, total),
            Ok(None) => cut,
            // Which part it is cannot be read: cut at both ends.
            Err(_) => Cut::Both,
        };
    }
    let enc = Encoding::from_data_coding(data_coding, default);
    if !enc.is_text() {
        return format!("<{} octets of binary>", user.len());
    }
    // An SMSC delivery receipt, intermediate notification or SME acknowledgement: ASCII text
    // whatever the default alphabet, read as the client reads it (Latin-1), so an `@` is not
    // taken for GSM's `¡` and an e-mail address in it is still one.
    let receipt = esm_class & 0x3C != 0;
    let enc = match enc {
        Encoding::Gsm7 | Encoding::Gsm7Packed | Encoding::Ascii if receipt => Encoding::Latin1,
        e => e,
    };
    let Ok(t) = text::decode(user, enc) else {
        return format!("<{} octets, not decodable as {enc:?}>", user.len());
    };
    if receipt {
        if let Some(r) = mask.receipt(&t) {
            return quote_text(&r);
        }
    }
    quote_text(&mask.text(&t, cut))
}

/// The tag of a described TLV field, `tlv NAME (0xHHHH)`.
fn tlv_tag(name: &str) -> Option<Tag> {
    let hex = name
        .strip_prefix("tlv ")?
        .rsplit_once("(0x")?
        .1
        .strip_suffix(')')?;
    u16::from_str_radix(hex, 16).ok().map(Tag::from_u16)
}

/// The line: `sent submit_sm length=… sequence=…: field=value …`.
pub fn line(dir: Direction, pdu: &Pdu, default: Encoding, mask: &LogMask) -> String {
    let len = pdu.to_bytes().map(|b| b.len()).unwrap_or(0);
    let mut out = format!(
        "{} {}:",
        if dir == Direction::Out {
            "sent"
        } else {
            "received"
        },
        header_line(pdu, len)
    );
    let (esm, dc, tlvs) = match &pdu.body {
        Body::SubmitSm(s) | Body::DeliverSm(s) => (s.esm_class, s.data_coding, &s.tlvs[..]),
        Body::SubmitMulti(s) => (s.esm_class, s.data_coding, &s.tlvs[..]),
        Body::DataSm(d) => (d.esm_class, d.data_coding, &d.tlvs[..]),
        _ => (0, 0, &[][..]),
    };
    let sar = match (
        tlvs.get_u8(Tag::SarSegmentSeqnum),
        tlvs.get_u8(Tag::SarTotalSegments),
    ) {
        (Some(seq), Some(total)) => Some((seq, total)),
        _ => None,
    };
    for f in describe(pdu) {
        let value = match f.name.as_str() {
            "short_message" => {
                let (octets, esm) = match &pdu.body {
                    Body::SubmitSm(s) | Body::DeliverSm(s) => (&s.short_message[..], esm),
                    Body::SubmitMulti(s) => (&s.short_message[..], esm),
                    Body::ReplaceSm(r) => (&r.short_message[..], 0),
                    _ => (&[][..], 0),
                };
                user_text(esm, dc, octets, sar, default, mask)
            }
            n if n.ends_with("addr") || n.ends_with("address_range") => {
                quote_text(&mask.address(f.value.trim_matches('"')))
            }
            n if n.ends_with("dl_name") => {
                quote_text(&mask.text(f.value.trim_matches('"'), Cut::None))
            }
            n => match tlv_tag(n) {
                Some(Tag::MessagePayload) => {
                    let payload = tlvs.get_octets(Tag::MessagePayload).unwrap_or(&[]);
                    // The UDH, if any, is in short_message; the payload is user data.
                    user_text(esm & !0x40, dc, payload, sar, default, mask)
                }
                Some(Tag::ReceiptedMessageId) => f.value,
                Some(_) if f.value.starts_with('"') => {
                    quote_text(&mask.text(f.value.trim_matches('"'), Cut::None))
                }
                Some(_) if f.value.ends_with(" octets)") => {
                    // `hex (N octets)`: callback numbers, subaddresses, vendor TLVs may be
                    // personal; their length is enough for a log.
                    let n = f.value.rsplit_once('(').map_or("", |(_, n)| n);
                    format!("<{}", n.replace(')', ">"))
                }
                _ => f.value,
            },
        };
        out.push(' ');
        out.push_str(&f.name);
        out.push('=');
        out.push_str(&value);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{Address, Bind, DeliverSm, SubmitSm, Tlv};

    #[test]
    fn text_is_decoded_and_masked_never_dumped_as_octets() {
        let mask = LogMask::builtin();
        let p = Pdu::new(
            7,
            Body::SubmitSm(SubmitSm {
                source: Address::new(1, 1, "447700900001"),
                destination: Address::new(1, 1, "447700900002"),
                short_message: b"card 4111 1111 1111 1111 or 07700900456".to_vec(),
                tlvs: vec![Tlv::raw(0x0381, b"\x01\x01447700900003".to_vec()).unwrap()],
                ..Default::default()
            }),
        );
        let l = line(Direction::Out, &p, Encoding::Gsm7, &mask);
        assert!(l.starts_with("sent submit_sm length="), "{l}");
        // Whole matches in logs: not even a card's last 4 digits.
        assert!(
            l.contains("short_message=\"card ******************* or ***********\""),
            "{l}"
        );
        assert!(l.contains("destination_addr=\"*********002\""), "{l}");
        assert!(l.contains("tlv callback_num (0x0381)=<14 octets>"), "{l}");
        assert_eq!(mask.address("+447700900002"), "**********002");
        assert_eq!(mask.address("Shop"), "Shop");
        assert_eq!(mask.address("12"), "12");
        assert!(!l.contains("4111") && !l.contains("34313131"), "{l}");
        let b = Pdu::new(
            1,
            Body::BindTransceiver(Bind {
                system_id: "me".into(),
                password: "hunter2".into(),
                ..Default::default()
            }),
        );
        let l = line(Direction::Out, &b, Encoding::Gsm7, &mask);
        assert!(!l.contains("hunter2"), "{l}");
        let bin = Pdu::new(
            2,
            Body::SubmitSm(SubmitSm {
                data_coding: 4,
                short_message: vec![1, 2, 3],
                ..Default::default()
            }),
        );
        assert!(line(Direction::In, &bin, Encoding::Gsm7, &mask)
            .contains("short_message=<3 octets of binary>"));
    }

    #[test]
    fn message_parts_are_fragments() {
        let mask = LogMask::builtin();
        let part = |seq: u8, text: &str| {
            let mut sm = vec![5, 0, 3, 42, 2, seq];
            sm.extend_from_slice(text.as_bytes());
            Pdu::new(
                seq.into(),
                Body::SubmitSm(SubmitSm {
                    esm_class: 0x40,
                    short_message: sm,
                    ..Default::default()
                }),
            )
        };
        let one = line(
            Direction::Out,
            &part(1, "Pay with 4111 1111 11"),
            Encoding::Gsm7,
            &mask,
        );
        assert!(
            one.contains("short_message=\"Pay with **** **** **\""),
            "{one}"
        );
        let two = line(
            Direction::Out,
            &part(2, "11 1111 today"),
            Encoding::Gsm7,
            &mask,
        );
        assert!(two.contains("short_message=\"** **** today\""), "{two}");
    }

    #[test]
    fn receipts_keep_their_fields_and_mask_their_text() {
        let text = "id:0000002a sub:001 dlvrd:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:Card 4111 1111 1111 ";
        let receipt = Pdu::new(
            3,
            Body::DeliverSm(DeliverSm {
                esm_class: 0x04,
                short_message: text.as_bytes().to_vec(),
                ..Default::default()
            }),
        );
        let l = line(Direction::In, &receipt, Encoding::Gsm7, &LogMask::builtin());
        assert!(
            l.contains("short_message=\"id:0000002a sub:001 dlvrd:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:********************\""),
            "{l}"
        );
        let rules = LogMask::new(&RuleSet::builtin(), DEFAULT_GROUP, ReceiptText::Rules);
        let l = line(Direction::In, &receipt, Encoding::Gsm7, &rules);
        // Cut at both ends (a later part's receipt starts mid-message): "Card", the word
        // touching the start, is masked too.
        assert!(
            l.contains("stat:DELIVRD err:000 text:**** **** **** **** \""),
            "{l}"
        );
        // A field that does not look like itself is masked by the rules.
        let odd = Pdu::new(
            4,
            Body::DeliverSm(DeliverSm {
                esm_class: 0x04,
                short_message: b"id:7 stat:DELIVRD note:call 07700900456 err:000".to_vec(),
                ..Default::default()
            }),
        );
        let l = line(Direction::In, &odd, Encoding::Gsm7, &LogMask::builtin());
        assert!(
            l.contains("id:7 stat:DELIVRD note:call *********** err:000"),
            "{l}"
        );
    }
}
