//! One debug log line per PDU, safe to store: the bind password is redacted, message text
//! (short_message, message_payload) is decoded and passed through the PII masker instead
//! of being dumped as octets, and addresses go through the masker too (phone numbers are
//! personal data).

use crate::pdu::describe::{describe, header_line, quote_text};
use crate::pdu::{Body, Pdu, Tag, TlvList};
use crate::session::Direction;
use crate::text::{self, Encoding};

/// Masks personal data in a text.
pub(crate) type Masker<'a> = &'a dyn Fn(&str) -> String;

fn user_text(
    esm_class: u8,
    data_coding: u8,
    octets: &[u8],
    default: Encoding,
    mask: Masker,
) -> String {
    let mut user = octets;
    if esm_class & 0x40 != 0 {
        match octets.first() {
            Some(&n) if (n as usize) < octets.len() => user = &octets[n as usize + 1..],
            _ => return format!("<{} octets, malformed UDH>", octets.len()),
        }
    }
    let enc = Encoding::from_data_coding(data_coding, default);
    if !enc.is_text() {
        return format!("<{} octets of binary>", user.len());
    }
    match text::decode(user, enc) {
        Ok(t) => quote_text(&mask(&t)),
        Err(_) => format!("<{} octets, not decodable as {enc:?}>", user.len()),
    }
}

/// An address field is a phone number by its meaning, whether or not a text rule would
/// match it: a numeric address (digits, an optional leading `+`) keeps only its last 3
/// digits; an alphanumeric sender id ("Shop") goes through the text rules.
fn mask_address(a: &str, mask: Masker) -> String {
    let digits = a.strip_prefix('+').unwrap_or(a);
    if !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) {
        let keep = 3.min(digits.len());
        let mut o = "*".repeat(a.len() - keep);
        o.push_str(&a[a.len() - keep..]);
        o
    } else {
        mask(a)
    }
}

/// The line: `sent submit_sm length=… sequence=…: field=value …`.
pub(crate) fn line(dir: Direction, pdu: &Pdu, default: Encoding, mask: Masker) -> String {
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
    let (esm, dc) = match &pdu.body {
        Body::SubmitSm(s) | Body::DeliverSm(s) => (s.esm_class, s.data_coding),
        Body::SubmitMulti(s) => (s.esm_class, s.data_coding),
        Body::DataSm(d) => (d.esm_class, d.data_coding),
        Body::ReplaceSm(_) => (0, 0),
        _ => (0, 0),
    };
    let payload = match &pdu.body {
        Body::SubmitSm(s) | Body::DeliverSm(s) => s.tlvs.get_octets(Tag::MessagePayload),
        Body::SubmitMulti(s) => s.tlvs.get_octets(Tag::MessagePayload),
        Body::DataSm(d) => d.tlvs.get_octets(Tag::MessagePayload),
        _ => None,
    };
    for f in describe(pdu) {
        let value = match f.name.as_str() {
            "short_message" => {
                let octets = match &pdu.body {
                    Body::SubmitSm(s) | Body::DeliverSm(s) => &s.short_message[..],
                    Body::SubmitMulti(s) => &s.short_message[..],
                    Body::ReplaceSm(r) => &r.short_message[..],
                    _ => &[][..],
                };
                user_text(esm, dc, octets, default, mask)
            }
            "tlv message_payload (0x0424)" => {
                user_text(0, dc, payload.unwrap_or(&[]), default, mask)
            }
            n if n.ends_with("addr") || n.ends_with("address_range") => {
                let inner = f.value.trim_matches('"');
                quote_text(&mask_address(inner, mask))
            }
            _ => f.value,
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
    use crate::pdu::{Address, Bind, SubmitSm};

    fn star(t: &str) -> String {
        t.chars()
            .map(|c| if c.is_ascii_digit() { '*' } else { c })
            .collect()
    }

    #[test]
    fn text_is_decoded_and_masked_never_dumped_as_octets() {
        let p = Pdu::new(
            7,
            Body::SubmitSm(SubmitSm {
                source: Address::new(1, 1, "447700900001"),
                destination: Address::new(1, 1, "447700900002"),
                short_message: b"card 4111 1111 1111 1111".to_vec(),
                ..Default::default()
            }),
        );
        let l = line(Direction::Out, &p, Encoding::Gsm7, &star);
        assert!(l.starts_with("sent submit_sm length="), "{l}");
        assert!(
            l.contains("short_message=\"card **** **** **** ****\""),
            "{l}"
        );
        assert!(l.contains("destination_addr=\"*********002\""), "{l}");
        assert_eq!(mask_address("+447700900002", &star), "**********002");
        assert_eq!(mask_address("Shop", &star), "Shop");
        assert_eq!(mask_address("12", &star), "12");
        assert!(!l.contains("4111") && !l.contains("34313131"), "{l}");
        let b = Pdu::new(
            1,
            Body::BindTransceiver(Bind {
                system_id: "me".into(),
                password: "hunter2".into(),
                ..Default::default()
            }),
        );
        let l = line(Direction::Out, &b, Encoding::Gsm7, &star);
        assert!(!l.contains("hunter2"), "{l}");
        let bin = Pdu::new(
            2,
            Body::SubmitSm(SubmitSm {
                data_coding: 4,
                short_message: vec![1, 2, 3],
                ..Default::default()
            }),
        );
        assert!(line(Direction::In, &bin, Encoding::Gsm7, &star)
            .contains("short_message=<3 octets of binary>"));
    }
}
