//! Text layer: character sets, segmentation and reassembly.
//!
//! * [`Encoding`], [`encode`], [`decode`], [`choose_encoding`]: GSM 03.38
//!   (unpacked and packed), IA5/ASCII, Latin-1, UCS-2 (UTF-16BE) and
//!   binary, and the mapping from SMPP `data_coding` values.
//! * [`segment_text`], [`segment_bytes`], [`count_segments`]: split a
//!   message into concatenated parts (8- or 16-bit UDH, SAR TLVs or
//!   `message_payload`).
//! * [`Reassembler`]: sans-IO reassembly of inbound concatenated messages.
//! * [`SubmitSm::set_segment`](crate::pdu::SubmitSm::set_segment) and the
//!   `inbound_part` methods of [`SubmitSm`](crate::pdu::SubmitSm) and
//!   [`DataSm`](crate::pdu::DataSm): a segment into a submit_sm, a
//!   deliver_sm or data_sm into a part for the reassembler. `text` builds
//!   on `pdu` (in `pdu_fields.rs` only); `pdu` knows nothing of text.

use std::fmt;

pub mod charset;
pub mod gsm;
mod pdu_fields;
mod reassembly;
mod segment;

pub use gsm::gsm7_len;
pub use reassembly::{
    InboundPart, Incomplete, IncompleteReason, InformationElement, Reassembled, Reassembler,
    DEFAULT_MAX_PENDING,
};
pub use segment::{count_segments, segment_bytes, segment_text, Sar, Segment, SegmentMethod};

/// Errors of the text layer. Every message is one line naming what was
/// wrong. New variants may be added in minor releases.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// A character has no representation in the target character set.
    Unencodable {
        /// The offending character.
        ch: char,
        /// Its index in the text, counted in characters.
        index: usize,
        /// Human-readable name of the character set.
        charset: &'static str,
    },
    /// An octet of unpacked GSM data is above 0x7F.
    InvalidSeptet {
        /// The offending octet.
        value: u8,
        /// Its offset in the input.
        index: usize,
    },
    /// Fill bits for packed GSM must be 0..=6.
    InvalidFillBits(u8),
    /// An octet of IA5/ASCII data is above 0x7F.
    InvalidAscii {
        /// The offending octet.
        value: u8,
        /// Its offset in the input.
        index: usize,
    },
    /// UCS-2 data has an odd number of octets (the length is given).
    Ucs2OddLength(usize),
    /// UCS-2 data contains a surrogate without its partner.
    UnpairedSurrogate {
        /// The surrogate code unit.
        unit: u16,
        /// Its byte offset in the input.
        offset: usize,
    },
    /// Binary data (or the binary encoding) was used where text is needed.
    BinaryNotText {
        /// The `data_coding` of the binary encoding.
        data_coding: u8,
    },
    /// The message needs more segments than allowed.
    TooManySegments {
        /// Segments the message needs.
        needed: usize,
        /// The configured maximum.
        max: u8,
    },
    /// The configured maximum number of segments is outside 2..=255.
    InvalidMaxSegments(u8),
    /// The encoded body is longer than a `message_payload` TLV can hold.
    PayloadTooLarge(usize),
    /// A User Data Header is malformed (the reason is given).
    MalformedUdh(String),
    /// Concatenation information (UDH or SAR) has impossible numbers.
    InvalidConcatenation {
        /// Reference number of the message.
        ref_num: u16,
        /// Total number of parts claimed.
        total: u8,
        /// Sequence number of this part.
        seq: u8,
    },
    /// Both `short_message` and `message_payload` carry data.
    ConflictingUserData {
        /// Length of `short_message`.
        short_message: usize,
        /// Length of `message_payload`.
        message_payload: usize,
    },
    /// A part's `data_coding` differs from earlier parts of the message.
    DataCodingMismatch {
        /// Reference number of the message.
        ref_num: u16,
        /// Sequence number of the offending part.
        seq: u8,
        /// `data_coding` of the earlier parts.
        expected: u8,
        /// `data_coding` of this part.
        got: u8,
    },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Unencodable { ch, index, charset } => write!(
                f,
                "character {ch:?} (U+{:04X}) at index {index} cannot be encoded in {charset}",
                u32::from(*ch)
            ),
            TextError::InvalidSeptet { value, index } => write!(
                f,
                "septet 0x{value:02X} at offset {index} out of range (GSM 7-bit is 0x00..=0x7F)"
            ),
            TextError::InvalidFillBits(n) => {
                write!(f, "GSM 7-bit fill bits must be 0..=6, got {n}")
            }
            TextError::InvalidAscii { value, index } => write!(
                f,
                "byte 0x{value:02X} at offset {index} is not IA5/ASCII (must be 0x00..=0x7F)"
            ),
            TextError::Ucs2OddLength(n) => {
                write!(f, "invalid UCS-2: odd number of bytes ({n})")
            }
            TextError::UnpairedSurrogate { unit, offset } => write!(
                f,
                "invalid UCS-2: unpaired surrogate 0x{unit:04X} at byte offset {offset}"
            ),
            TextError::BinaryNotText { data_coding } => write!(
                f,
                "binary data (data_coding 0x{data_coding:02X}) is not text"
            ),
            TextError::TooManySegments { needed, max } => write!(
                f,
                "text needs {needed} segments but x-smpp-sar-max-segments is {max}"
            ),
            TextError::InvalidMaxSegments(n) => write!(
                f,
                "x-smpp-sar-max-segments (max segments) must be 2..=255, got {n}"
            ),
            TextError::PayloadTooLarge(n) => write!(
                f,
                "encoded body is {n} octets but message_payload holds at most 65535"
            ),
            TextError::MalformedUdh(reason) => write!(f, "malformed UDH: {reason}"),
            TextError::InvalidConcatenation {
                ref_num,
                total,
                seq,
            } => write!(
                f,
                "invalid concatenation info: part {seq} of {total} (ref {ref_num}); \
                 need 1 <= part <= total"
            ),
            TextError::ConflictingUserData {
                short_message,
                message_payload,
            } => write!(
                f,
                "both short_message ({short_message} octets) and message_payload \
                 ({message_payload} octets) carry data"
            ),
            TextError::DataCodingMismatch {
                ref_num,
                seq,
                expected,
                got,
            } => write!(
                f,
                "part {seq} of message ref {ref_num} has data_coding 0x{got:02X} \
                 but earlier parts have 0x{expected:02X}"
            ),
        }
    }
}

impl std::error::Error for TextError {}

/// A character encoding for `short_message` / `message_payload`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// GSM 03.38 default alphabet, one septet per octet (`data_coding` 0).
    Gsm7,
    /// GSM 03.38 default alphabet, packed 8 septets in 7 octets
    /// (`data_coding` 0).
    Gsm7Packed,
    /// IA5 / 7-bit ASCII, one character per octet (`data_coding` 1).
    Ascii,
    /// ISO-8859-1, one character per octet (`data_coding` 3).
    Latin1,
    /// UCS-2 / UTF-16BE with surrogate pairs (`data_coding` 8).
    Ucs2,
    /// Raw 8-bit data, not text (`data_coding` 4).
    Binary,
}

impl Encoding {
    /// Every encoding, in declaration order.
    pub const ALL: [Encoding; 6] = [
        Encoding::Gsm7,
        Encoding::Gsm7Packed,
        Encoding::Ascii,
        Encoding::Latin1,
        Encoding::Ucs2,
        Encoding::Binary,
    ];

    /// The SMPP `data_coding` value for this encoding.
    pub fn data_coding(self) -> u8 {
        match self {
            Encoding::Gsm7 | Encoding::Gsm7Packed => 0x00,
            Encoding::Ascii => 0x01,
            Encoding::Latin1 => 0x03,
            Encoding::Binary => 0x04,
            Encoding::Ucs2 => 0x08,
        }
    }

    /// Interprets an SMPP 3.4 (§5.2.19) / GSM 03.38 (§4) data coding scheme.
    ///
    /// * `0x00` → `default` (the SMSC default alphabet, configurable).
    /// * `0x01` → Ascii, `0x03` → Latin1, `0x08` → Ucs2,
    ///   `0x02`/`0x04` → Binary.
    /// * `0x05` (JIS), `0x06` (Cyrillic), `0x07` (Hebrew), `0x09`
    ///   (pictogram), `0x0A` (music codes), `0x0D` (extended Kanji), `0x0E`
    ///   (KS C 5601) and reserved `0x0B`/`0x0C`/`0x0F` → Binary: this
    ///   library does not decode those character sets, so their bytes are
    ///   passed through untouched.
    /// * `0x10..=0x7F` (general data coding, including the 3GPP 23.038
    ///   "automatic deletion" group `01xx xxxx`): compressed (bit 5) →
    ///   Binary; else bits 3-2: `00` GSM, `01` Binary, `10` Ucs2, `11`
    ///   (reserved) Binary.
    /// * `0x80..=0xBF` (reserved groups) → Binary.
    /// * `0xC0..=0xDF` (message waiting, GSM) → GSM; `0xE0..=0xEF` (message
    ///   waiting, UCS2) → Ucs2.
    /// * `0xF0..=0xFF`: bit 2 set → Binary, else GSM.
    ///
    /// "GSM" is [`Encoding::Gsm7Packed`] when `default` is `Gsm7Packed` and
    /// [`Encoding::Gsm7`] otherwise, so the caller's packed/unpacked choice
    /// for the SMSC's GSM alphabet carries over.
    pub fn from_data_coding(dc: u8, default: Encoding) -> Encoding {
        let gsm = if default == Encoding::Gsm7Packed {
            Encoding::Gsm7Packed
        } else {
            Encoding::Gsm7
        };
        match dc {
            0x00 => default,
            0x01 => Encoding::Ascii,
            0x03 => Encoding::Latin1,
            0x08 => Encoding::Ucs2,
            0x02 | 0x04..=0x07 | 0x09..=0x0F => Encoding::Binary,
            0x10..=0x7F => {
                if dc & 0x20 != 0 {
                    Encoding::Binary
                } else {
                    match (dc >> 2) & 0x03 {
                        0 => gsm,
                        2 => Encoding::Ucs2,
                        _ => Encoding::Binary,
                    }
                }
            }
            0x80..=0xBF => Encoding::Binary,
            0xC0..=0xDF => gsm,
            0xE0..=0xEF => Encoding::Ucs2,
            0xF0..=0xFF => {
                if dc & 0x04 != 0 {
                    Encoding::Binary
                } else {
                    gsm
                }
            }
        }
    }

    /// Whether this encoding carries text (everything but Binary).
    pub fn is_text(self) -> bool {
        self != Encoding::Binary
    }
}

/// Encodes `text` in `encoding`. Packed GSM starts with no fill bits.
///
/// [`Encoding::Binary`] cannot encode text and returns
/// [`TextError::BinaryNotText`].
pub fn encode(text: &str, encoding: Encoding) -> Result<Vec<u8>, TextError> {
    match encoding {
        Encoding::Gsm7 => gsm::encode_unpacked(text),
        Encoding::Gsm7Packed => gsm::encode_packed(text, 0),
        Encoding::Ascii => charset::encode_ascii(text),
        Encoding::Latin1 => charset::encode_latin1(text),
        Encoding::Ucs2 => Ok(charset::encode_ucs2(text)),
        Encoding::Binary => Err(TextError::BinaryNotText {
            data_coding: encoding.data_coding(),
        }),
    }
}

/// Decodes `bytes` in `encoding`. Packed GSM starts with no fill bits.
///
/// [`Encoding::Binary`] is not text and returns
/// [`TextError::BinaryNotText`].
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, TextError> {
    match encoding {
        Encoding::Gsm7 => gsm::decode_unpacked(bytes),
        Encoding::Gsm7Packed => gsm::decode_packed(bytes, 0),
        Encoding::Ascii => charset::decode_ascii(bytes),
        Encoding::Latin1 => Ok(charset::decode_latin1(bytes)),
        Encoding::Ucs2 => charset::decode_ucs2(bytes),
        Encoding::Binary => Err(TextError::BinaryNotText {
            data_coding: encoding.data_coding(),
        }),
    }
}

/// The cheapest encoding that represents `text` exactly: [`Encoding::Gsm7`]
/// (unpacked) if every character is in GSM 03.38 (base or extension
/// table), else [`Encoding::Ucs2`].
pub fn choose_encoding(text: &str) -> Encoding {
    if gsm7_len(text).is_some() {
        Encoding::Gsm7
    } else {
        Encoding::Ucs2
    }
}
