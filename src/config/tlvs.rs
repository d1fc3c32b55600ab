//! The TLV options ([`Opt::ExtraOpt`](crate::config::Opt::ExtraOpt)(crate::config::Opt::ExtraOpt),
//! [`Opt::DeliveryExtraOpt`](crate::config::Opt::DeliveryExtraOpt)): `tag=value;…`.

use super::error::ConfigError;
use super::spec::OptionSpec;
use super::values::{distance, invalid, lower, parse_u64, unquote};
use crate::pdu::tlv::Kind;
use crate::pdu::{Tag, Tlv};
use std::fmt;

/// No tag twice; for submit_sm, none of the tags segmentation sets: `segmentation` is then
/// the option that chooses segmentation, named in the error (`None` for other PDUs).
/// `shown` is the option's text, when the TLVs came from one.
pub(super) fn check_extra_tlvs(
    spec: &'static OptionSpec,
    tlvs: &[Tlv],
    segmentation: Option<&dyn fmt::Display>,
    shown: Option<&str>,
) -> Result<(), ConfigError> {
    let value = || shown.map_or_else(|| tlvs_text(tlvs), str::to_string);
    for (i, t) in tlvs.iter().enumerate() {
        let name = tlv_name(t.tag());
        let owned = [
            Tag::SarMsgRefNum,
            Tag::SarTotalSegments,
            Tag::SarSegmentSeqnum,
            Tag::MessagePayload,
        ];
        if let (Some(option), true) = (segmentation, owned.contains(&t.tag())) {
            return Err(invalid(
                spec,
                &value(),
                format!("TLV {name} is set by segmentation ({option}) and cannot be added"),
            ));
        }
        if tlvs[..i].iter().any(|o| o.tag_u16() == t.tag_u16()) {
            return Err(invalid(
                spec,
                &value(),
                format!("TLV {name} is given twice"),
            ));
        }
    }
    Ok(())
}

/// A TLV's name for messages: the spec name, or the hex tag.
pub(super) fn tlv_name(tag: Tag) -> String {
    match tag {
        Tag::Other(v) => format!("0x{v:04X}"),
        t => t.name().to_string(),
    }
}

/// TLVs written back in the option's format (for errors about TLVs given in code).
pub(super) fn tlvs_text(tlvs: &[Tlv]) -> String {
    let mut out = String::new();
    for t in tlvs {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(&tlv_name(t.tag()));
        out.push_str("=0x");
        for b in t.bytes() {
            out.push_str(&format!("{b:02X}"));
        }
    }
    out
}

/// `tag=value;tag=value` → TLVs (see the [`Opt::ExtraOpt`](crate::config::Opt::ExtraOpt) row of the option table).
pub(super) fn parse_tlvs(spec: &'static OptionSpec, v: &str) -> Result<Vec<Tlv>, ConfigError> {
    let mut out = Vec::new();
    for item in v.split(';') {
        let item = item.trim();
        if item.is_empty() {
            continue;
        }
        let (tag_text, value) = match item.split_once('=') {
            Some((t, val)) => (t.trim(), unquote(val.trim())),
            None => (item, ""),
        };
        let tag = parse_tag(tag_text).map_err(|why| invalid(spec, v, why))?;
        let tlv = tlv_value(tag, value)
            .map_err(|why| invalid(spec, v, format!("TLV {}: {why}", tlv_name(tag))))?;
        out.push(tlv);
    }
    Ok(out)
}

pub(super) fn parse_tag(t: &str) -> Result<Tag, String> {
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if !hex.is_empty() && hex.len() <= 4 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            if let Ok(n) = u16::from_str_radix(hex, 16) {
                return Ok(Tag::from_u16(n));
            }
        }
        return Err(format!("TLV tag '{t}' must be 0x and 1 to 4 hex digits"));
    }
    let l = lower(t);
    if let Some(&tag) = Tag::ALL.iter().find(|tag| tag.name() == l) {
        return Ok(tag);
    }
    // As in `suggest`: only names within 3 of its length can be within 3 edits.
    let len = l.chars().count();
    let near = Tag::ALL
        .iter()
        .filter(|tag| tag.name().len().abs_diff(len) <= 3)
        .map(|tag| (tag.name(), distance(&l, tag.name())))
        .min_by_key(|&(_, d)| d)
        .filter(|&(_, d)| d <= 3);
    Err(match near {
        Some((n, _)) => format!("unknown TLV '{t}' (did you mean '{n}'?)"),
        None => format!(
            "unknown TLV '{t}': use an SMPP 3.4 TLV name such as user_message_reference, or \
             a hex tag such as 0x1401"
        ),
    })
}

pub(super) fn hex_octets(v: &str) -> Option<Vec<u8>> {
    let hex = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X"))?;
    if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

pub(super) fn tlv_value(tag: Tag, v: &str) -> Result<Tlv, String> {
    let num = |max: u64| -> Result<u64, String> {
        parse_u64(v)
            .filter(|&n| n <= max)
            .ok_or_else(|| format!("value '{v}' must be an integer from 0 to {max}"))
    };
    let hex = || -> Result<Vec<u8>, String> {
        hex_octets(v).ok_or_else(|| {
            format!("value '{v}' must be 0x and hex octets (an even number of digits)")
        })
    };
    let t = tag.to_u16();
    let built = match tag.kind() {
        Some(Kind::Empty) if v.is_empty() => Tlv::raw(t, Vec::new()),
        Some(Kind::Empty) => return Err(format!("takes no value (found '{v}')")),
        Some(Kind::U8 | Kind::MessageState) => Tlv::raw(t, vec![num(0xFF)? as u8]),
        Some(Kind::U16 | Kind::U8OrU16) => Tlv::u16(tag, num(0xFFFF)? as u16),
        Some(Kind::U32) => Tlv::u32(tag, num(0xFFFF_FFFF)? as u32),
        Some(Kind::COctet { .. }) => Tlv::cstr(tag, v),
        Some(Kind::Octets { .. } | Kind::NetworkErrorCode) | None => Tlv::raw(t, hex()?),
    };
    built.map_err(|p| p.to_string())
}
