//! Every field of a PDU by its spec name, as text: what `esme decode` prints, and what logs
//! will show. Passwords are never shown, only their length.

use super::body::{Address, DestAddress, SubmitSm};
use super::codec::{Body, Pdu};
use super::tlv::{Tlv, TlvValue};
use std::fmt::Write;

/// One named field and its value rendered as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// The spec name (`destination_addr`, `tlv sar_msg_ref_num (0x020C)`, …).
    pub name: String,
    /// The value: integers in decimal (flags as `0xHH`), strings quoted with escapes,
    /// octet strings as lowercase hex followed by `(N octets)`.
    pub value: String,
}

/// A string quoted: `"` and `\` escaped, other non-printable or non-ASCII characters as
/// `\xHH` (strings in PDUs are octets).
pub fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            ' '..='~' => o.push(c),
            c => {
                let _ = write!(o, "\\x{:02x}", c as u32);
            }
        }
    }
    o.push('"');
    o
}

/// Decoded message text quoted: printed as Unicode, with `"`, `\\`, and control characters
/// escaped (`\n`, `\r`, `\t`, `\u{HH}`).
pub fn quote_text(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(o, "\\u{{{:x}}}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Octets as lowercase hex.
pub fn hex(b: &[u8]) -> String {
    let mut o = String::with_capacity(b.len() * 2);
    for x in b {
        let _ = write!(o, "{x:02x}");
    }
    o
}

/// The fields submit_sm, deliver_sm and submit_multi share after their addresses.
macro_rules! tail {
    ($o:expr, $s:expr) => {
        $o.flag("esm_class", $s.esm_class);
        $o.n("protocol_id", $s.protocol_id);
        $o.n("priority_flag", $s.priority_flag);
        $o.s("schedule_delivery_time", &$s.schedule_delivery_time);
        $o.s("validity_period", &$s.validity_period);
        $o.flag("registered_delivery", $s.registered_delivery);
        $o.n("replace_if_present_flag", $s.replace_if_present_flag);
        $o.flag("data_coding", $s.data_coding);
        $o.n("sm_default_msg_id", $s.sm_default_msg_id);
        $o.n("sm_length", $s.short_message.len());
        $o.bytes("short_message", &$s.short_message);
        $o.tlvs(&$s.tlvs);
    };
}

struct Out(Vec<Field>);

impl Out {
    fn put(&mut self, name: &str, value: String) {
        self.0.push(Field {
            name: name.to_string(),
            value,
        });
    }
    fn s(&mut self, name: &str, v: &str) {
        self.put(name, quote(v));
    }
    fn n(&mut self, name: &str, v: impl std::fmt::Display) {
        self.put(name, v.to_string());
    }
    fn flag(&mut self, name: &str, v: u8) {
        self.put(name, format!("0x{v:02x}"));
    }
    fn bytes(&mut self, name: &str, v: &[u8]) {
        self.put(name, format!("{} ({} octets)", hex(v), v.len()));
    }
    fn addr(&mut self, prefix: [&str; 3], a: &Address) {
        self.n(prefix[0], a.ton);
        self.n(prefix[1], a.npi);
        self.s(prefix[2], &a.addr);
    }
    fn tlvs(&mut self, tlvs: &[Tlv]) {
        for t in tlvs {
            let name = format!("tlv {} (0x{:04X})", t.tag().name(), t.tag_u16());
            let v = match t.value() {
                TlvValue::Empty => "(empty)".to_string(),
                TlvValue::U8(v) => v.to_string(),
                TlvValue::U16(v) => v.to_string(),
                TlvValue::U32(v) => v.to_string(),
                TlvValue::Str(s) => quote(&s),
                TlvValue::Octets(b) => format!("{} ({} octets)", hex(b), b.len()),
                TlvValue::NetworkErrorCode {
                    network_type,
                    error_code,
                } => format!("network_type={network_type} error_code={error_code}"),
                TlvValue::MessageState(s) => format!("{} ({})", s.to_u8(), s.name()),
            };
            self.put(&name, v);
        }
    }
    fn sm(&mut self, s: &SubmitSm) {
        self.s("service_type", &s.service_type);
        self.addr(
            ["source_addr_ton", "source_addr_npi", "source_addr"],
            &s.source,
        );
        self.addr(
            ["dest_addr_ton", "dest_addr_npi", "destination_addr"],
            &s.destination,
        );
        tail!(self, s);
    }
}

const SOURCE: [&str; 3] = ["source_addr_ton", "source_addr_npi", "source_addr"];
const DEST: [&str; 3] = ["dest_addr_ton", "dest_addr_npi", "destination_addr"];

/// The header line: `submit_sm length=39 status=0x00000000 ESME_ROK sequence=2`.
pub fn header_line(pdu: &Pdu, length: usize) -> String {
    format!(
        "{} length={} status=0x{:08x} {} sequence={}",
        match pdu.body {
            Body::Unknown { command_id, .. } => format!("unknown(0x{command_id:08x})"),
            _ => pdu.command_id().name().to_string(),
        },
        length,
        pdu.command_status.to_u32(),
        pdu.command_status.spec_name().unwrap_or("-"),
        pdu.sequence_number
    )
}

/// Every body field of a PDU, in wire order, TLVs last. Passwords appear only as
/// `<redacted, N characters>`.
pub fn describe(pdu: &Pdu) -> Vec<Field> {
    let mut o = Out(Vec::new());
    match &pdu.body {
        Body::GenericNack
        | Body::Unbind
        | Body::UnbindResp
        | Body::EnquireLink
        | Body::EnquireLinkResp
        | Body::CancelSmResp
        | Body::ReplaceSmResp => {}
        Body::BindReceiver(b) | Body::BindTransmitter(b) | Body::BindTransceiver(b) => {
            o.s("system_id", &b.system_id);
            o.put(
                "password",
                format!("<redacted, {} characters>", b.password.chars().count()),
            );
            o.s("system_type", &b.system_type);
            o.flag("interface_version", b.interface_version);
            o.addr(["addr_ton", "addr_npi", "address_range"], &b.address_range);
        }
        Body::BindReceiverResp(b) | Body::BindTransmitterResp(b) | Body::BindTransceiverResp(b) => {
            o.s("system_id", &b.system_id);
            o.tlvs(&b.tlvs);
        }
        Body::Outbind(b) => {
            o.s("system_id", &b.system_id);
            o.put(
                "password",
                format!("<redacted, {} characters>", b.password.chars().count()),
            );
        }
        Body::SubmitSm(s) | Body::DeliverSm(s) => o.sm(s),
        Body::SubmitSmResp(r) | Body::DeliverSmResp(r) | Body::DataSmResp(r) => {
            o.s("message_id", &r.message_id);
            o.tlvs(&r.tlvs);
        }
        Body::SubmitMulti(s) => {
            o.s("service_type", &s.service_type);
            o.addr(SOURCE, &s.source);
            o.n("number_of_dests", s.destinations.len());
            for (i, d) in s.destinations.iter().enumerate() {
                match d {
                    DestAddress::Sme(a) => {
                        o.n(&format!("dest[{i}].dest_flag"), 1);
                        o.n(&format!("dest[{i}].dest_addr_ton"), a.ton);
                        o.n(&format!("dest[{i}].dest_addr_npi"), a.npi);
                        o.s(&format!("dest[{i}].destination_addr"), &a.addr);
                    }
                    DestAddress::DistributionList(n) => {
                        o.n(&format!("dest[{i}].dest_flag"), 2);
                        o.s(&format!("dest[{i}].dl_name"), n);
                    }
                }
            }
            tail!(o, s);
        }
        Body::SubmitMultiResp(r) => {
            o.s("message_id", &r.message_id);
            o.n("no_unsuccess", r.unsuccess_smes.len());
            for (i, u) in r.unsuccess_smes.iter().enumerate() {
                o.n(&format!("unsuccess[{i}].dest_addr_ton"), u.address.ton);
                o.n(&format!("unsuccess[{i}].dest_addr_npi"), u.address.npi);
                o.s(&format!("unsuccess[{i}].destination_addr"), &u.address.addr);
                o.put(
                    &format!("unsuccess[{i}].error_status_code"),
                    format!(
                        "0x{:08x} {}",
                        u.error_status_code.to_u32(),
                        u.error_status_code.spec_name().unwrap_or("-")
                    ),
                );
            }
            o.tlvs(&r.tlvs);
        }
        Body::DataSm(d) => {
            o.s("service_type", &d.service_type);
            o.addr(SOURCE, &d.source);
            o.addr(DEST, &d.destination);
            o.flag("esm_class", d.esm_class);
            o.flag("registered_delivery", d.registered_delivery);
            o.flag("data_coding", d.data_coding);
            o.tlvs(&d.tlvs);
        }
        Body::QuerySm(q) => {
            o.s("message_id", &q.message_id);
            o.addr(SOURCE, &q.source);
        }
        Body::QuerySmResp(q) => {
            o.s("message_id", &q.message_id);
            o.s("final_date", &q.final_date);
            o.put(
                "message_state",
                format!("{} ({})", q.message_state.to_u8(), q.message_state.name()),
            );
            o.n("error_code", q.error_code);
        }
        Body::CancelSm(c) => {
            o.s("service_type", &c.service_type);
            o.s("message_id", &c.message_id);
            o.addr(SOURCE, &c.source);
            o.addr(DEST, &c.destination);
        }
        Body::ReplaceSm(r) => {
            o.s("message_id", &r.message_id);
            o.addr(SOURCE, &r.source);
            o.s("schedule_delivery_time", &r.schedule_delivery_time);
            o.s("validity_period", &r.validity_period);
            o.flag("registered_delivery", r.registered_delivery);
            o.n("sm_default_msg_id", r.sm_default_msg_id);
            o.n("sm_length", r.short_message.len());
            o.bytes("short_message", &r.short_message);
        }
        Body::AlertNotification(a) => {
            o.addr(SOURCE, &a.source);
            o.addr(["esme_addr_ton", "esme_addr_npi", "esme_addr"], &a.esme);
            o.tlvs(&a.tlvs);
        }
        Body::Unknown { body, .. } => o.bytes("body", body),
    }
    o.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdu::{CommandStatus, MessageState, SmResp};

    #[test]
    fn every_sample_describes_and_no_password_shows() {
        for p in super::super::tests::samples() {
            let f = describe(&p);
            let all: String = f
                .iter()
                .map(|f| format!("{}={}\n", f.name, f.value))
                .collect();
            assert!(!all.contains("secret08"));
            if let Body::BindTransmitter(_) = p.body {
                assert!(all.contains("password=<redacted, 8 characters>"), "{all}");
            }
        }
    }

    #[test]
    fn formats() {
        assert_eq!(quote("a\"b\\c\u{e9}\n"), "\"a\\\"b\\\\c\\xe9\\x0a\"");
        assert_eq!(
            quote_text("Привет €\n\u{1b}\"x\\"),
            "\"Привет €\\n\\u{1b}\\\"x\\\\\""
        );
        let p = Pdu::with_status(
            3,
            CommandStatus::Throttled,
            Body::SubmitSmResp(SmResp::default()),
        );
        assert_eq!(
            header_line(&p, 16),
            "submit_sm_resp length=16 status=0x00000058 ESME_RTHROTTLED sequence=3"
        );
        let p = Pdu::new(
            1,
            Body::DeliverSmResp(SmResp {
                message_id: String::new(),
                tlvs: vec![Tlv::message_state(MessageState::Delivered)],
            }),
        );
        let f = describe(&p);
        assert_eq!(f[1].name, "tlv message_state (0x0427)");
        assert_eq!(f[1].value, "2 (DELIVERED)");
    }
}
