//! Optional parameters (TLVs, SMPP 3.4 §5.3): a tag ([`Tag`], from the tag table) and its value.
//!
//! A [`Tlv`] keeps its value as the octets that were on the wire, so any TLV (known or not)
//! re-encodes byte for byte; [`Tlv::value`] gives the typed view the spec defines for the tag.

use super::error::Problem;
use super::types::MessageState;
use super::wire::{latin1, FieldResult};

pub use super::tag::{Kind, Tag};

/// The typed view of a TLV's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlvValue<'a> {
    /// No value.
    Empty,
    /// One octet integer.
    U8(u8),
    /// Two octet integer.
    U16(u16),
    /// Four octet integer.
    U32(u32),
    /// C-Octet string (without its NUL; octets read as Latin-1).
    Str(String),
    /// Octet string, or the raw value of a tag SMPP 3.4 does not define.
    Octets(&'a [u8]),
    /// `network_error_code`.
    NetworkErrorCode {
        /// 1 ANSI-136, 2 IS-95, 3 GSM, 4 reserved…
        network_type: u8,
        /// The network's error code.
        error_code: u16,
    },
    /// `message_state`.
    MessageState(MessageState),
}

/// One optional parameter: a tag and the octets of its value.
#[derive(Clone)]
pub struct Tlv {
    tag: u16,
    value: Value,
}

/// Values up to this many octets are kept inside the [`Tlv`], without a heap allocation:
/// every integer, `message_state`, `network_error_code`, the SAR TLVs, and a
/// `receipted_message_id` of up to 36 characters (a UUID) with its NUL.
const INLINE: usize = 37;

/// The octets of a TLV value: inline when short, else on the heap. Which one is an internal
/// matter: equality, `Debug` and every accessor see only the octets.
#[derive(Clone)]
enum Value {
    Inline { len: u8, buf: [u8; INLINE] },
    Heap(Vec<u8>),
}

impl Value {
    fn from_slice(v: &[u8]) -> Value {
        if v.len() <= INLINE {
            let mut buf = [0; INLINE];
            buf[..v.len()].copy_from_slice(v);
            Value::Inline {
                len: v.len() as u8,
                buf,
            }
        } else {
            Value::Heap(v.to_vec())
        }
    }

    fn from_vec(v: Vec<u8>) -> Value {
        if v.len() <= INLINE {
            Value::from_slice(&v)
        } else {
            Value::Heap(v)
        }
    }

    fn as_slice(&self) -> &[u8] {
        match self {
            Value::Inline { len, buf } => &buf[..*len as usize],
            Value::Heap(v) => v,
        }
    }
}

impl PartialEq for Tlv {
    fn eq(&self, other: &Tlv) -> bool {
        self.tag == other.tag && self.bytes() == other.bytes()
    }
}

impl Eq for Tlv {}

/// `Debug` shows numbers and states, and the receipted message id; other strings and octet
/// values (message_payload, callback_num, subaddresses, vendor TLVs) only by their length,
/// since they may hold personal data.
impl std::fmt::Debug for Tlv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use super::redact::{Chars, Octets};
        write!(f, "{}(0x{:04X})=", self.tag().name(), self.tag)?;
        match self.value() {
            TlvValue::Str(s) if self.tag() == Tag::ReceiptedMessageId => write!(f, "{s:?}"),
            TlvValue::Str(s) => write!(f, "{:?}", Chars(&s)),
            TlvValue::Octets(b) => write!(f, "{:?}", Octets(b)),
            v => write!(f, "{v:?}"),
        }
    }
}

impl Tlv {
    /// A TLV with any tag and raw value, checked against the tag's type when SMPP 3.4 defines
    /// it. Use for vendor-specific tags.
    pub fn raw(tag: u16, value: Vec<u8>) -> Result<Tlv, Problem> {
        check(tag, &value).map_err(|(_, p)| p)?;
        Ok(Tlv {
            tag,
            value: Value::from_vec(value),
        })
    }

    /// A one-octet TLV (e.g. [`Tag::SarTotalSegments`]).
    pub fn u8(tag: Tag, v: u8) -> Result<Tlv, Problem> {
        Tlv::from_slice(tag.to_u16(), &[v])
    }

    /// A two-octet TLV (e.g. [`Tag::SarMsgRefNum`], [`Tag::UserMessageReference`]).
    pub fn u16(tag: Tag, v: u16) -> Result<Tlv, Problem> {
        Tlv::from_slice(tag.to_u16(), &v.to_be_bytes())
    }

    /// A four-octet TLV (e.g. [`Tag::QosTimeToLive`]).
    pub fn u32(tag: Tag, v: u32) -> Result<Tlv, Problem> {
        Tlv::from_slice(tag.to_u16(), &v.to_be_bytes())
    }

    /// [`Tlv::raw`] from borrowed octets (copied inline when short).
    fn from_slice(tag: u16, value: &[u8]) -> Result<Tlv, Problem> {
        check(tag, value).map_err(|(_, p)| p)?;
        Ok(Tlv {
            tag,
            value: Value::from_slice(value),
        })
    }

    /// A C-Octet string TLV (e.g. [`Tag::ReceiptedMessageId`]); the NUL is added.
    pub fn cstr(tag: Tag, s: &str) -> Result<Tlv, Problem> {
        // A string short enough to be kept inline is built on the stack (its UTF-8 length
        // bounds its octet count).
        let mut inline = [0; INLINE];
        let mut heap = Vec::new();
        let short = s.len() < INLINE;
        if !short {
            heap.reserve(s.len() + 1);
        }
        let mut n = 0;
        for c in s.chars() {
            let octet = match c as u32 {
                0 => return Err(Problem::ContainsNul),
                v if v > 0xFF => return Err(Problem::NotOctets),
                v => v as u8,
            };
            if short {
                inline[n] = octet;
                n += 1;
            } else {
                heap.push(octet);
            }
        }
        if short {
            // inline[n] is the NUL.
            Tlv::from_slice(tag.to_u16(), &inline[..=n])
        } else {
            heap.push(0);
            Tlv::raw(tag.to_u16(), heap)
        }
    }

    /// An octet string TLV (e.g. [`Tag::MessagePayload`]).
    pub fn octets(tag: Tag, v: Vec<u8>) -> Result<Tlv, Problem> {
        Tlv::raw(tag.to_u16(), v)
    }

    /// `message_payload`.
    pub fn message_payload(v: Vec<u8>) -> Result<Tlv, Problem> {
        Tlv::octets(Tag::MessagePayload, v)
    }

    /// `network_error_code`.
    pub fn network_error_code(network_type: u8, error_code: u16) -> Tlv {
        let c = error_code.to_be_bytes();
        Tlv {
            tag: Tag::NetworkErrorCode.to_u16(),
            value: Value::from_slice(&[network_type, c[0], c[1]]),
        }
    }

    /// `message_state`.
    pub fn message_state(s: MessageState) -> Tlv {
        Tlv {
            tag: Tag::MessageState.to_u16(),
            value: Value::from_slice(&[s.to_u8()]),
        }
    }

    /// A SAR TLV from a segment (sar_msg_ref_num is two octets, the other two one octet;
    /// values come from the text layer and always fit).
    pub(crate) fn sar(tag: Tag, v: u16) -> Tlv {
        let b = v.to_be_bytes();
        let value = if tag == Tag::SarMsgRefNum {
            Value::from_slice(&b)
        } else {
            Value::from_slice(&b[1..])
        };
        Tlv {
            tag: tag.to_u16(),
            value,
        }
    }

    /// message_payload from a segment (the text layer caps it at 65535 octets).
    pub(crate) fn payload_unchecked(v: Vec<u8>) -> Tlv {
        Tlv {
            tag: Tag::MessagePayload.to_u16(),
            value: Value::from_vec(v),
        }
    }

    /// The tag.
    pub fn tag(&self) -> Tag {
        Tag::from_u16(self.tag)
    }

    /// The tag's number on the wire.
    pub fn tag_u16(&self) -> u16 {
        self.tag
    }

    /// The value's octets as on the wire.
    pub fn bytes(&self) -> &[u8] {
        self.value.as_slice()
    }

    /// The typed value. Lengths were checked when the TLV was built or decoded.
    pub fn value(&self) -> TlvValue<'_> {
        let v = self.bytes();
        match self.tag().kind() {
            Some(Kind::Empty) => TlvValue::Empty,
            Some(Kind::U8) => TlvValue::U8(v[0]),
            Some(Kind::U16) => TlvValue::U16(u16::from_be_bytes([v[0], v[1]])),
            Some(Kind::U32) => TlvValue::U32(u32::from_be_bytes([v[0], v[1], v[2], v[3]])),
            Some(Kind::U8OrU16) if v.len() == 1 => TlvValue::U16(v[0] as u16),
            Some(Kind::U8OrU16) => TlvValue::U16(u16::from_be_bytes([v[0], v[1]])),
            Some(Kind::COctet { .. }) => {
                let end = v.iter().position(|&b| b == 0).unwrap_or(v.len());
                TlvValue::Str(latin1(&v[..end]))
            }
            Some(Kind::NetworkErrorCode) => TlvValue::NetworkErrorCode {
                network_type: v[0],
                error_code: u16::from_be_bytes([v[1], v[2]]),
            },
            Some(Kind::MessageState) => TlvValue::MessageState(MessageState::from_u8(v[0])),
            Some(Kind::Octets { .. }) | None => TlvValue::Octets(v),
        }
    }

    pub(crate) fn decode(tag: u16, value: &[u8]) -> FieldResult<Tlv> {
        check(tag, value)?;
        Ok(Tlv {
            tag,
            value: Value::from_slice(value),
        })
    }

    pub(crate) fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.tag.to_be_bytes());
        let v = self.bytes();
        out.extend_from_slice(&(v.len() as u16).to_be_bytes());
        out.extend_from_slice(v);
    }
}

fn check(tag: u16, v: &[u8]) -> FieldResult<()> {
    let len = v.len();
    let bad = |expected| Err(("tlv", Problem::TlvLength { tag, len, expected }));
    if len > 0xFFFF {
        return bad("at most 65535");
    }
    match Tag::from_u16(tag).kind() {
        None => Ok(()),
        Some(Kind::Empty) if len != 0 => bad("exactly 0"),
        Some(Kind::U8 | Kind::MessageState) if len != 1 => bad("exactly 1"),
        Some(Kind::U16) if len != 2 => bad("exactly 2"),
        Some(Kind::U32) if len != 4 => bad("exactly 4"),
        Some(Kind::U8OrU16) if len != 1 && len != 2 => bad("1 or 2"),
        Some(Kind::NetworkErrorCode) if len != 3 => bad("exactly 3"),
        Some(Kind::COctet { max }) => {
            let nul = v.iter().position(|&b| b == 0);
            if len > max {
                bad(if max == 65 {
                    "at most 65"
                } else {
                    "at most 256"
                })
            } else if matches!(nul, Some(i) if i + 1 != len) {
                Err((
                    "tlv",
                    Problem::OutOfRange("C-Octet string TLV has a NUL before its end"),
                ))
            } else {
                Ok(())
            }
        }
        Some(Kind::Octets { min, max }) if len < min || len > max => bad(match (min, max) {
            (2, 23) => "2 to 23",
            (4, 19) => "4 to 19",
            (2, 2) => "exactly 2",
            (0, 65) => "at most 65",
            _ => "at most 65535",
        }),
        _ => Ok(()),
    }
}

/// Look-ups over a PDU's TLV list.
pub trait TlvList {
    /// The first TLV with this tag.
    fn find(&self, tag: Tag) -> Option<&Tlv>;
    /// A one-octet value by tag.
    fn get_u8(&self, tag: Tag) -> Option<u8> {
        match self.find(tag)?.value() {
            TlvValue::U8(v) => Some(v),
            TlvValue::MessageState(s) => Some(s.to_u8()),
            _ => None,
        }
    }
    /// A two-octet value by tag.
    fn get_u16(&self, tag: Tag) -> Option<u16> {
        match self.find(tag)?.value() {
            TlvValue::U16(v) => Some(v),
            _ => None,
        }
    }
    /// A C-Octet string value by tag.
    fn get_str(&self, tag: Tag) -> Option<String> {
        match self.find(tag)?.value() {
            TlvValue::Str(s) => Some(s),
            _ => None,
        }
    }
    /// An octet string value by tag (any tag: the raw octets).
    fn get_octets(&self, tag: Tag) -> Option<&[u8]> {
        self.find(tag).map(Tlv::bytes)
    }
}

impl TlvList for [Tlv] {
    fn find(&self, tag: Tag) -> Option<&Tlv> {
        let t = tag.to_u16();
        self.iter().find(|x| x.tag == t)
    }
}

impl TlvList for Vec<Tlv> {
    fn find(&self, tag: Tag) -> Option<&Tlv> {
        self.as_slice().find(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_tag_round_trips_with_a_name_and_kind() {
        assert_eq!(Tag::ALL.len(), 44);
        for &t in Tag::ALL {
            assert_eq!(Tag::from_u16(t.to_u16()), t);
            assert!(t.kind().is_some());
            assert!(t.name().chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        }
        assert_eq!(Tag::from_u16(0x1401).name(), "vendor_specific");
        assert_eq!(Tag::from_u16(0x0001).name(), "unknown");
    }

    #[test]
    fn typed_values() {
        let t = Tlv::u16(Tag::SarMsgRefNum, 0xBEEF).unwrap();
        assert_eq!(t.bytes(), [0xBE, 0xEF]);
        assert_eq!(t.value(), TlvValue::U16(0xBEEF));
        let t = Tlv::cstr(Tag::ReceiptedMessageId, "2871-1").unwrap();
        assert_eq!(t.bytes(), b"2871-1\0");
        assert_eq!(t.value(), TlvValue::Str("2871-1".into()));
        let t = Tlv::network_error_code(3, 0x0101);
        assert_eq!(
            t.value(),
            TlvValue::NetworkErrorCode {
                network_type: 3,
                error_code: 0x0101
            }
        );
        // receipted_message_id without its NUL, as some SMSCs send it, is accepted as is.
        let t = Tlv::decode(0x001E, b"abc").unwrap();
        assert_eq!(t.value(), TlvValue::Str("abc".into()));
        assert_eq!(t.bytes(), b"abc");
    }

    #[test]
    fn short_and_long_values_behave_the_same() {
        for len in [0, 1, INLINE - 1, INLINE, INLINE + 1, 300] {
            let v: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let a = Tlv::raw(0x1400, v.clone()).unwrap();
            let b = Tlv::decode(0x1400, &v).unwrap();
            assert_eq!(a.bytes(), &v[..]);
            assert_eq!(a, b);
            assert_eq!(a.clone(), b);
            assert_eq!(format!("{a:?}"), format!("{b:?}"));
            let mut out = Vec::new();
            a.encode(&mut out);
            assert_eq!(out.len(), 4 + len);
            assert_eq!(&out[4..], &v[..]);
            if len > 0 {
                let mut w = v.clone();
                w[len - 1] ^= 1;
                assert_ne!(a, Tlv::raw(0x1400, w).unwrap());
            }
            assert_ne!(a, Tlv::raw(0x1401, v).unwrap());
        }
        for s in [
            "",
            "x",
            "0123456789012345678901234567890123",
            "é",
            "id-ü-0123456789",
        ] {
            for n in [1, 2, 3] {
                let s = s.repeat(n);
                let t = Tlv::cstr(Tag::ReceiptedMessageId, &s);
                let octets: Option<Vec<u8>> = s
                    .chars()
                    .map(|c| u8::try_from(c as u32).ok())
                    .chain([Some(0)])
                    .collect();
                match octets {
                    Some(o) if o.len() <= 65 => assert_eq!(t.unwrap().bytes(), &o[..], "{s}"),
                    _ => assert!(t.is_err(), "{s}"),
                }
            }
        }
        assert_eq!(
            Tlv::cstr(Tag::ReceiptedMessageId, &"\u{416}".repeat(20)),
            Err(Problem::NotOctets)
        );
        assert_eq!(
            Tlv::cstr(
                Tag::ReceiptedMessageId,
                &"a".repeat(40).replace("aa", "a\0")
            ),
            Err(Problem::ContainsNul)
        );
    }

    #[test]
    fn wrong_lengths_name_the_tlv() {
        let e = Tlv::decode(0x020C, &[1]).unwrap_err();
        assert_eq!(
            e,
            (
                "tlv",
                Problem::TlvLength {
                    tag: 0x020C,
                    len: 1,
                    expected: "exactly 2"
                }
            )
        );
        assert_eq!(
            e.1.to_string(),
            "TLV sar_msg_ref_num (0x020C) has length 1, expected exactly 2"
        );
        assert!(Tlv::decode(0x001E, &[b'a'; 66]).is_err());
        assert!(Tlv::decode(0x0381, &[1, 2, 3]).is_err());
        assert!(Tlv::decode(0x130C, &[1]).is_err());
        assert!(Tlv::decode(0x1400, &[1, 2, 3, 4, 5]).is_ok());
        assert_eq!(
            Tlv::cstr(Tag::ReceiptedMessageId, "\u{416}"),
            Err(Problem::NotOctets)
        );
    }
}
