//! `esme decode`: hex in, every field by name out. The output format is stable (docs/cli.md "`esme
//! decode`").

use esme::pdu::describe::{describe, header_line, hex, quote, quote_text};
use esme::pdu::{Body, Decoded, Decoder, Pdu, Tag, TlvList, TlvValue};
use esme::receipt;
use esme::text::{self, Encoding};
use std::io::{Read, Write};
use std::process::ExitCode;

pub const HELP: &str = "\
esme decode [HEX…]      (or: … | esme decode; standard input when no argument or '-')
  Decodes SMPP PDUs from hex as found in captures and logs (whitespace, ':' and ','
  separators and 0x prefixes are ignored; several PDUs back to back are decoded one after
  another) and prints, per PDU, a header line, then one line per field in wire order, TLVs
  last, each by name, with the text of short_message and of receipts decoded. A bind
  password prints as <redacted, N characters>. Exit status 0 when every PDU decoded, 1 when
  one did not (`error at offset N: ...` names what was wrong), 2 on input that is not hex.";

/// Parses hex as found in captures and logs: whitespace, ':' and ',' separators and `0x`
/// prefixes are ignored; anything else is an error naming the character and its position.
pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    let mut digits = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c == b'0' && i + 1 < b.len() && (b[i + 1] == b'x' || b[i + 1] == b'X') {
            i += 2;
            continue;
        }
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b':' | b',' => {}
            c if c.is_ascii_hexdigit() => digits.push((c as char).to_digit(16).unwrap_or(0) as u8),
            _ => {
                let ch = s[i..].chars().next().unwrap_or('?');
                return Err(format!(
                    "invalid hex input: character {ch:?} at offset {i} is not a hex digit"
                ));
            }
        }
        i += 1;
    }
    if digits.is_empty() {
        return Err(
            "no hex input: give a PDU as hex, e.g. esme decode 00000010000000150000000000000001"
                .into(),
        );
    }
    if digits.len() % 2 == 1 {
        return Err(format!(
            "invalid hex input: odd number of hex digits ({}); each octet needs two",
            digits.len()
        ));
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Decodes every PDU in `bytes` and prints it. Returns whether all were well-formed.
pub fn print_all(bytes: &[u8], out: &mut impl Write) -> std::io::Result<bool> {
    let decoder = Decoder::new(u32::MAX);
    let mut pos = 0;
    let mut ok = true;
    while pos < bytes.len() {
        match decoder.decode(&bytes[pos..]) {
            Err(e) => {
                writeln!(out, "error at offset {pos}: {e}")?;
                return Ok(false);
            }
            Ok(Decoded::Incomplete { needed }) => {
                writeln!(
                    out,
                    "error at offset {pos}: incomplete PDU: {} octets given, {needed} needed",
                    bytes.len() - pos
                )?;
                return Ok(false);
            }
            Ok(Decoded::Malformed { error, len }) => {
                writeln!(out, "error at offset {pos}: {error}")?;
                ok = false;
                pos += len;
            }
            Ok(Decoded::Pdu { pdu, len }) => {
                writeln!(out, "{}", header_line(&pdu, len))?;
                for f in describe(&pdu) {
                    writeln!(out, "  {} = {}", f.name, f.value)?;
                }
                for (name, value) in derived(&pdu) {
                    writeln!(out, "  {name} = {value}")?;
                }
                pos += len;
            }
        }
    }
    Ok(ok)
}

/// What a reader wants beyond the raw fields: the user data header, the text, and the
/// delivery receipt. data_coding 0 is read as unpacked GSM 03.38 (what most SMSCs send).
fn derived(pdu: &Pdu) -> Vec<(String, String)> {
    let mut v = Vec::new();
    let (esm_class, data_coding, payload, receipt_of) = match &pdu.body {
        Body::SubmitSm(s) => (s.esm_class, s.data_coding, s.payload(), None),
        Body::DeliverSm(s) => (s.esm_class, s.data_coding, s.payload(), Some(s)),
        Body::SubmitMulti(s) => (s.esm_class, s.data_coding, &s.short_message[..], None),
        Body::DataSm(d) => (
            d.esm_class,
            d.data_coding,
            d.tlvs.get_octets(Tag::MessagePayload).unwrap_or(&[]),
            None,
        ),
        _ => return v,
    };
    let mut user_data = payload;
    if esm_class & 0x40 != 0 {
        match payload.first() {
            Some(&n) if (n as usize) < payload.len() => {
                v.push(("udh".to_string(), hex(&payload[..=n as usize])));
                user_data = &payload[n as usize + 1..];
            }
            _ => v.push((
                "udh".to_string(),
                "<malformed: longer than the message>".into(),
            )),
        }
    }
    let enc = Encoding::from_data_coding(data_coding, Encoding::Gsm7);
    if enc.is_text() && !user_data.is_empty() {
        match text::decode(user_data, enc) {
            Ok(t) => v.push(("text".to_string(), quote_text(&t))),
            Err(e) => v.push(("text".to_string(), format!("<not decodable: {e}>"))),
        }
    }
    if let Some(d) = receipt_of.filter(|d| d.esm_class & 0x3C == 0x04) {
        let id = d.tlvs.get_str(Tag::ReceiptedMessageId);
        let state = d
            .tlvs
            .get_u8(Tag::MessageState)
            .map(esme::pdu::MessageState::from_u8);
        let nec = match d.tlvs.find(Tag::NetworkErrorCode).map(|t| t.value()) {
            Some(TlvValue::NetworkErrorCode {
                network_type,
                error_code,
            }) => Some((network_type, error_code)),
            _ => None,
        };
        match receipt::from_deliver(d.payload(), id.as_deref(), state, nec) {
            Ok(r) => {
                v.push(("receipt.id".into(), quote(&r.id)));
                v.push(("receipt.state".into(), r.state.name().to_string()));
                if let Some(s) = &r.stat_raw {
                    v.push(("receipt.stat".into(), quote(s)));
                }
                if let Some(e) = &r.err {
                    v.push(("receipt.err".into(), quote(e)));
                }
                if let Some(d) = r.submit_date {
                    v.push(("receipt.submit_date".into(), d.to_string()));
                }
                if let Some(d) = r.done_date {
                    v.push(("receipt.done_date".into(), d.to_string()));
                }
                v.push(("receipt.final".into(), r.is_final().to_string()));
            }
            Err(e) => v.push(("receipt".into(), format!("<not a receipt: {e}>"))),
        }
    }
    v.into_iter()
        .map(|(k, val)| {
            let k = if k.starts_with("receipt") {
                k
            } else {
                format!("short_message.{k}")
            };
            (k, val)
        })
        .collect()
}

pub fn run(args: &[String], out: &mut impl Write) -> Result<ExitCode, String> {
    let input = if args.is_empty() || args == ["-"] {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        args.join(" ")
    };
    let bytes = parse_hex(&input)?;
    match print_all(&bytes, out) {
        Ok(true) => Ok(ExitCode::SUCCESS),
        Ok(false) => Ok(ExitCode::from(1)),
        Err(e) => Err(format!("cannot write output: {e}")),
    }
}
