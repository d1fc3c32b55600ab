//! The text layer's one error type.

use std::fmt;

/// Errors of the text layer. Every message is one line naming what was
/// wrong. New variants may be added in minor releases.
///
/// Its `Display` is implemented in `crate::error` (with `TextError::describe`): two
/// messages name the option that sets the segment limit, and `text` knows no option names.
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

impl TextError {
    /// The one-line message. `limit` names where the segment limit (`max_segments`) came
    /// from: the option, as `crate::error` gives it.
    pub(crate) fn describe(
        &self,
        f: &mut fmt::Formatter<'_>,
        limit: &dyn fmt::Display,
    ) -> fmt::Result {
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
            TextError::TooManySegments { needed, max } => {
                write!(f, "text needs {needed} segments but {limit} is {max}")
            }
            TextError::InvalidMaxSegments(n) => {
                write!(f, "{limit} (max segments) must be 2..=255, got {n}")
            }
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
