//! [`Encoding`]: the character sets a message body can be in, their SMPP `data_coding`
//! values, and whole-text [`encode`] / [`decode`] over the [`gsm`](super::gsm) and
//! [`charset`](super::charset) codecs.

use super::charset;
use super::error::TextError;
use super::gsm::{self, gsm7_len};

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
