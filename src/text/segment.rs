//! Splitting a message into SMPP parts.
//!
//! A message that fits in one `short_message` is always a single
//! [`Segment`] without UDH or SAR, whatever the method. Single-part limits:
//! 160 GSM septets (unpacked, or packed into 140 octets), 160 IA5/ASCII
//! characters, 70 UCS-2 code units, 140 octets of Latin-1 or binary.
//!
//! Multi-part limits per part:
//!
//! | encoding            | [`SegmentMethod::Udh8`] | [`SegmentMethod::Udh16`] / [`SegmentMethod::Sar`] |
//! |---------------------|------|------|
//! | GSM 7-bit, IA5      | 153 septets | 152 septets |
//! | UCS-2               | 67 code units | 66 code units |
//! | Latin-1, binary     | 134 octets | 133 octets |
//!
//! SAR uses the 16-bit UDH sizes because `sar_msg_ref_num` is 16 bits and
//! the SMSC may turn the SAR TLVs into a 16-bit concatenation IE (7 UDH
//! octets) on the air interface. IA5 is a 7-bit alphabet, so it is counted
//! like GSM septets (the SMSC packs it).
//!
//! A GSM escape pair and a UTF-16 surrogate pair are never split across
//! parts; such a part holds one unit fewer. For packed GSM a trailing
//! `<CR>` that would need a second padding `<CR>` (see [`super::gsm`]) is
//! moved to the next part if the padding does not fit.

use super::encoding::Encoding;
use super::error::TextError;
use super::{charset, gsm};

/// How a long message is split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SegmentMethod {
    /// User Data Header with the 8-bit reference concatenation IE (0x00).
    /// The reference number is truncated to its low 8 bits.
    Udh8,
    /// User Data Header with the 16-bit reference concatenation IE (0x08).
    Udh16,
    /// SAR TLVs (`sar_msg_ref_num`, `sar_total_segments`,
    /// `sar_segment_seqnum`).
    Sar,
    /// The whole message in one `message_payload` TLV.
    Payload,
}

/// SAR TLV values of one part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sar {
    /// `sar_msg_ref_num`.
    pub ref_num: u16,
    /// `sar_total_segments`.
    pub total: u8,
    /// `sar_segment_seqnum` (1-based).
    pub seqnum: u8,
}

/// One part of an outbound message, ready to go into a submit_sm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// The `short_message` field, UDH included for the UDH methods; empty
    /// when `message_payload` is used.
    pub short_message: Vec<u8>,
    /// Whether a UDH is present: set the UDHI bit (0x40) in `esm_class`.
    pub udhi: bool,
    /// SAR TLVs to send, for [`SegmentMethod::Sar`].
    pub sar: Option<Sar>,
    /// The `message_payload` TLV, for [`SegmentMethod::Payload`].
    pub message_payload: Option<Vec<u8>>,
}

/// Largest `message_payload` (the TLV length is 16 bits).
const MAX_PAYLOAD: usize = 65535;

/// An encoded body with the boundaries of its unsplittable units.
struct Units {
    /// Septets (GSM, one per octet), octets, or UTF-16BE bytes.
    bytes: Vec<u8>,
    /// End offsets of the units; `None` when every octet is a unit.
    bounds: Option<Vec<usize>>,
    encoding: Encoding,
}

impl Units {
    fn from_text(text: &str, encoding: Encoding) -> Result<Units, TextError> {
        // Most messages fit one part, which needs no unit boundaries: encode without them
        // first, and again with them only for a text that must be split.
        let units = Units::encode(text, encoding, false)?;
        let splittable = matches!(
            encoding,
            Encoding::Gsm7 | Encoding::Gsm7Packed | Encoding::Ucs2
        );
        if splittable && !units.fits_single() {
            return Units::encode(text, encoding, true);
        }
        Ok(units)
    }

    /// Encodes `text`, with the end offset of every character when `with_bounds` (GSM and
    /// UCS-2: an escape or a surrogate pair must not be split; other encodings have one
    /// octet per character).
    fn encode(text: &str, encoding: Encoding, with_bounds: bool) -> Result<Units, TextError> {
        let mut bounds = with_bounds.then(|| Vec::with_capacity(text.len()));
        let bytes = match encoding {
            Encoding::Gsm7 | Encoding::Gsm7Packed => {
                if !with_bounds {
                    if let Some(bytes) = gsm::ascii_base_septets(text) {
                        return Ok(Units {
                            bytes,
                            bounds,
                            encoding,
                        });
                    }
                }
                let mut bytes = Vec::with_capacity(text.len());
                for (i, c) in text.chars().enumerate() {
                    gsm::push_char(&mut bytes, c, i)?;
                    if let Some(b) = bounds.as_mut() {
                        b.push(bytes.len());
                    }
                }
                bytes
            }
            Encoding::Ascii => {
                bounds = None;
                charset::encode_ascii(text)?
            }
            Encoding::Latin1 => {
                bounds = None;
                charset::encode_latin1(text)?
            }
            Encoding::Ucs2 => {
                let mut bytes = Vec::with_capacity(text.len() * 2);
                let mut buf = [0u16; 2];
                for c in text.chars() {
                    for unit in c.encode_utf16(&mut buf) {
                        bytes.extend_from_slice(&unit.to_be_bytes());
                    }
                    if let Some(b) = bounds.as_mut() {
                        b.push(bytes.len());
                    }
                }
                bytes
            }
            Encoding::Binary => {
                return Err(TextError::BinaryNotText {
                    data_coding: encoding.data_coding(),
                })
            }
        };
        Ok(Units {
            bytes,
            bounds,
            encoding,
        })
    }

    /// Cost of `bytes[start..end]` in capacity units, with `fill` fill bits
    /// for packed GSM.
    fn cost(&self, start: usize, end: usize, fill: u8) -> usize {
        let len = end - start;
        match self.encoding {
            Encoding::Ucs2 => len / 2,
            Encoding::Gsm7Packed => {
                let ends_cr = len > 0 && self.bytes[end - 1] == 0x0D;
                let needs_pad = ends_cr && (usize::from(fill) + len * 7) % 8 == 0;
                len + usize::from(needs_pad)
            }
            _ => len,
        }
    }

    /// Capacity per part in cost units: `None` method means a single part.
    fn capacity(&self, method: Option<SegmentMethod>) -> usize {
        let (single, udh8, udh16) = match self.encoding {
            Encoding::Gsm7 | Encoding::Gsm7Packed | Encoding::Ascii => (160, 153, 152),
            Encoding::Ucs2 => (70, 67, 66),
            Encoding::Latin1 | Encoding::Binary => (140, 134, 133),
        };
        match method {
            None | Some(SegmentMethod::Payload) => single,
            Some(SegmentMethod::Udh8) => udh8,
            Some(SegmentMethod::Udh16) | Some(SegmentMethod::Sar) => udh16,
        }
    }

    fn fits_single(&self) -> bool {
        self.cost(0, self.bytes.len(), 0) <= self.capacity(None)
    }

    /// Whether packed `bytes[start..end]` ends with `<CR>` exactly on an
    /// octet boundary (and would therefore get a second `<CR>`).
    fn ends_with_boundary_cr(&self, start: usize, end: usize, fill: u8) -> bool {
        self.encoding == Encoding::Gsm7Packed
            && end > start
            && self.bytes[end - 1] == 0x0D
            && (usize::from(fill) + (end - start) * 7) % 8 == 0
    }

    /// Greedy split into byte ranges that each fit `method`'s capacity.
    /// A non-final packed part never ends with a `<CR>` on an octet
    /// boundary (the `<CR>` moves to the next part), so that no padding
    /// `<CR>` is added in the middle of the text.
    fn chunks(&self, method: SegmentMethod) -> Vec<(usize, usize)> {
        let cap = self.capacity(Some(method));
        let fill = fill_bits(method);
        let mut out = Vec::new();
        let mut start = 0;
        // End of the last unit, and of the one before it (both >= start).
        let mut prev = 0;
        let mut prev2 = 0;
        let mut visit = |end: usize| {
            if self.cost(start, end, fill) > cap && prev > start {
                let cut = if self.ends_with_boundary_cr(start, prev, fill) && prev2 > start {
                    prev2
                } else {
                    prev
                };
                out.push((start, cut));
                start = cut;
            }
            prev2 = prev;
            prev = end;
        };
        match &self.bounds {
            Some(bounds) => bounds.iter().for_each(|&e| visit(e)),
            None => (1..=self.bytes.len()).for_each(&mut visit),
        }
        if prev > start {
            out.push((start, prev));
        }
        out
    }

    /// Wire form of `bytes[start..end]` after `fill` fill bits.
    fn wire(&self, start: usize, end: usize, fill: u8) -> Result<Vec<u8>, TextError> {
        let slice = &self.bytes[start..end];
        if self.encoding == Encoding::Gsm7Packed {
            gsm::pack(slice, fill)
        } else {
            Ok(slice.to_vec())
        }
    }
}

/// Fill bits before packed septets for a method: the 6-octet 8-bit UDH
/// needs 1; the 7-octet 16-bit UDH and no UDH need none.
fn fill_bits(method: SegmentMethod) -> u8 {
    match method {
        SegmentMethod::Udh8 => gsm::fill_bits_for_udh(6),
        SegmentMethod::Udh16 => gsm::fill_bits_for_udh(7),
        SegmentMethod::Sar | SegmentMethod::Payload => 0,
    }
}

fn check_max(max_segments: u8) -> Result<(), TextError> {
    if max_segments < 2 {
        Err(TextError::InvalidMaxSegments(max_segments))
    } else {
        Ok(())
    }
}

/// Splits `text`, encoded in `encoding`, into parts for `method`.
///
/// `ref_num` identifies the message among concurrent concatenated
/// messages to the same destination; with [`SegmentMethod::Udh8`] only its
/// low 8 bits are used. `max_segments` (the configuration's
/// [`Config::max_segments`](crate::config::Config::max_segments)) must be 2..=255; a text
/// needing more parts is an error.
///
/// A text that fits one message yields one [`Segment`] without UDH or SAR.
/// With [`SegmentMethod::Payload`] a longer text yields one segment whose
/// `message_payload` holds the whole encoded body (at most 65535 octets).
/// [`Encoding::Binary`] is rejected; use [`segment_bytes`].
pub fn segment_text(
    text: &str,
    encoding: Encoding,
    method: SegmentMethod,
    ref_num: u16,
    max_segments: u8,
) -> Result<Vec<Segment>, TextError> {
    check_max(max_segments)?;
    build(
        Units::from_text(text, encoding)?,
        method,
        ref_num,
        max_segments,
    )
}

/// Splits raw 8-bit data (`data_coding` 4, or any pre-encoded one-octet
/// per character body) into parts, with the Latin-1/binary sizes: 140
/// octets single, 134 with [`SegmentMethod::Udh8`], 133 otherwise.
///
/// See [`segment_text`] for `ref_num`, `max_segments` and single-part
/// behaviour.
pub fn segment_bytes(
    bytes: &[u8],
    method: SegmentMethod,
    ref_num: u16,
    max_segments: u8,
) -> Result<Vec<Segment>, TextError> {
    check_max(max_segments)?;
    let units = Units {
        bytes: bytes.to_vec(),
        bounds: None,
        encoding: Encoding::Binary,
    };
    build(units, method, ref_num, max_segments)
}

/// Number of parts [`segment_text`] produces for `text` (ignoring the
/// `max_segments` limit): 1 for single-part texts and for
/// [`SegmentMethod::Payload`].
pub fn count_segments(
    text: &str,
    encoding: Encoding,
    method: SegmentMethod,
) -> Result<usize, TextError> {
    let units = Units::from_text(text, encoding)?;
    if units.fits_single() {
        return Ok(1);
    }
    if method == SegmentMethod::Payload {
        check_payload_len(&units)?;
        return Ok(1);
    }
    Ok(units.chunks(method).len())
}

fn check_payload_len(units: &Units) -> Result<usize, TextError> {
    let n = units.bytes.len();
    let len = if units.encoding == Encoding::Gsm7Packed {
        gsm::packed_len(n, 0, units.bytes.last() == Some(&0x0D))
    } else {
        n
    };
    if len > MAX_PAYLOAD {
        Err(TextError::PayloadTooLarge(len))
    } else {
        Ok(len)
    }
}

fn build(
    units: Units,
    method: SegmentMethod,
    ref_num: u16,
    max_segments: u8,
) -> Result<Vec<Segment>, TextError> {
    let all = units.bytes.len();
    if units.fits_single() {
        // One part: its octets are the units themselves unless they are packed (no copy).
        let short_message = if units.encoding == Encoding::Gsm7Packed {
            units.wire(0, all, 0)?
        } else {
            units.bytes
        };
        return Ok(vec![Segment {
            short_message,
            udhi: false,
            sar: None,
            message_payload: None,
        }]);
    }
    if method == SegmentMethod::Payload {
        check_payload_len(&units)?;
        return Ok(vec![Segment {
            short_message: Vec::new(),
            udhi: false,
            sar: None,
            message_payload: Some(units.wire(0, all, 0)?),
        }]);
    }
    let chunks = units.chunks(method);
    if chunks.len() > usize::from(max_segments) {
        return Err(TextError::TooManySegments {
            needed: chunks.len(),
            max: max_segments,
        });
    }
    // max_segments <= 255, so these conversions cannot fail.
    let total = u8::try_from(chunks.len()).unwrap_or(u8::MAX);
    let fill = fill_bits(method);
    let [ref_hi, ref_lo] = ref_num.to_be_bytes();
    let mut out = Vec::with_capacity(chunks.len());
    for (i, &(start, end)) in chunks.iter().enumerate() {
        let seq = u8::try_from(i + 1).unwrap_or(u8::MAX);
        let body = units.wire(start, end, fill)?;
        let segment = match method {
            SegmentMethod::Udh8 => Segment {
                short_message: [&[0x05, 0x00, 0x03, ref_lo, total, seq][..], &body].concat(),
                udhi: true,
                sar: None,
                message_payload: None,
            },
            SegmentMethod::Udh16 => Segment {
                short_message: [&[0x06, 0x08, 0x04, ref_hi, ref_lo, total, seq][..], &body]
                    .concat(),
                udhi: true,
                sar: None,
                message_payload: None,
            },
            SegmentMethod::Sar | SegmentMethod::Payload => Segment {
                short_message: body,
                udhi: false,
                sar: Some(Sar {
                    ref_num,
                    total,
                    seqnum: seq,
                }),
                message_payload: None,
            },
        };
        out.push(segment);
    }
    Ok(out)
}
