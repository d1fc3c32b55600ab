//! The delivery receipts the simulator sends, and their dates.

use crate::pdu::{Address, Body, DeliverSm, MessageState, Pdu, Tag, Tlv};
use crate::receipt::{DeliveryReceipt, ReceiptDate};
use crate::text::Encoding;

/// Current UTC time as (year, month, day, hour, minute, second).
pub(super) fn utc_now() -> (u16, u8, u8, u8, u8, u8) {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as u16;
    (
        year,
        month,
        day,
        (rem / 3600) as u8,
        (rem / 60 % 60) as u8,
        (rem % 60) as u8,
    )
}

pub(super) fn now_date() -> Option<ReceiptDate> {
    let (y, mo, d, h, mi, s) = utc_now();
    ReceiptDate::new(y, mo, d, h, mi, s)
}

/// `YYMMDDhhmmss000+`.
pub(super) fn final_date() -> String {
    let (y, mo, d, h, mi, s) = utc_now();
    format!("{:02}{mo:02}{d:02}{h:02}{mi:02}{s:02}000+", y % 100)
}

/// The first 20 characters of a message for the receipt's `text:` (printable ASCII only).
pub(super) fn preview(data_coding: u8, m: &DeliverSm) -> String {
    let mut body = m.payload();
    if m.esm_class & 0x40 != 0 {
        let udh = body.first().map_or(0, |&n| n as usize + 1);
        body = body.get(udh..).unwrap_or_default();
    }
    let enc = Encoding::from_data_coding(data_coding, Encoding::Gsm7);
    if !enc.is_text() {
        return String::new();
    }
    let text = crate::text::decode(body, enc).unwrap_or_default();
    text.chars()
        .take(20)
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                '?'
            }
        })
        .collect()
}

/// The delivery receipt for an accepted message (`m` holds its body).
pub(super) fn receipt(
    msg_id: &str,
    source: &Address,
    dest: &Address,
    data_coding: u8,
    m: &DeliverSm,
) -> Pdu {
    let mut r = DeliveryReceipt::new(msg_id, MessageState::Delivered).with_counts(1, 1);
    if let Some(d) = now_date() {
        r = r.with_dates(d, d);
    }
    let r = r.with_err(0).with_text(preview(data_coding, m));
    let mut tlvs = Vec::with_capacity(2);
    tlvs.extend(Tlv::cstr(Tag::ReceiptedMessageId, msg_id).ok());
    tlvs.push(Tlv::message_state(MessageState::Delivered));
    Pdu::new(
        0,
        Body::DeliverSm(DeliverSm {
            source: dest.clone(),
            destination: source.clone(),
            esm_class: 0x04,
            short_message: r.format().into_bytes(),
            tlvs,
            ..DeliverSm::default()
        }),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_now_is_plausible() {
        let (y, m, d, h, mi, s) = super::utc_now();
        assert!((2024..2100).contains(&y));
        assert!((1..=12).contains(&m) && (1..=31).contains(&d));
        assert!(h < 24 && mi < 60 && s < 60);
    }
}
