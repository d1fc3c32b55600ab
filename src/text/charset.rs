//! Latin-1, IA5/ASCII and UCS-2 (UTF-16BE) conversions.

use super::error::TextError;

/// Encodes `text` as ISO-8859-1 (one octet per character, U+0000..=U+00FF).
pub fn encode_latin1(text: &str) -> Result<Vec<u8>, TextError> {
    text.chars()
        .enumerate()
        .map(|(index, c)| {
            u8::try_from(u32::from(c)).map_err(|_| TextError::Unencodable {
                ch: c,
                index,
                charset: "Latin-1 (ISO-8859-1)",
            })
        })
        .collect()
}

/// Decodes ISO-8859-1; every octet is a valid character.
pub fn decode_latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Encodes `text` as IA5 / 7-bit ASCII (one octet per character).
pub fn encode_ascii(text: &str) -> Result<Vec<u8>, TextError> {
    text.chars()
        .enumerate()
        .map(|(index, c)| {
            if c.is_ascii() {
                Ok(c as u8)
            } else {
                Err(TextError::Unencodable {
                    ch: c,
                    index,
                    charset: "IA5/ASCII",
                })
            }
        })
        .collect()
}

/// Decodes IA5 / 7-bit ASCII; octets above 0x7F are an error.
pub fn decode_ascii(bytes: &[u8]) -> Result<String, TextError> {
    match bytes.iter().position(|b| !b.is_ascii()) {
        Some(index) => Err(TextError::InvalidAscii {
            value: bytes[index],
            index,
        }),
        None => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Encodes `text` as UTF-16BE; characters outside the BMP become surrogate
/// pairs.
pub fn encode_ucs2(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 2);
    for unit in text.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out
}

/// Decodes UTF-16BE. An odd number of octets or an unpaired surrogate is an
/// error.
pub fn decode_ucs2(bytes: &[u8]) -> Result<String, TextError> {
    if bytes.len() % 2 != 0 {
        return Err(TextError::Ucs2OddLength(bytes.len()));
    }
    let units = bytes
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]));
    let mut out = String::with_capacity(bytes.len() / 2);
    for (i, r) in char::decode_utf16(units).enumerate() {
        match r {
            Ok(c) => out.push(c),
            Err(e) => {
                // `i` counts decoded items, not units; recompute the offset.
                let unit = e.unpaired_surrogate();
                let offset = find_unpaired(bytes).unwrap_or(i * 2);
                return Err(TextError::UnpairedSurrogate { unit, offset });
            }
        }
    }
    Ok(out)
}

/// Byte offset of the first unpaired surrogate in UTF-16BE `bytes`.
fn find_unpaired(bytes: &[u8]) -> Option<usize> {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_be_bytes([p[0], p[1]]))
        .collect();
    let mut i = 0;
    while i < units.len() {
        let u = units[i];
        if (0xD800..0xDC00).contains(&u) {
            match units.get(i + 1) {
                Some(v) if (0xDC00..0xE000).contains(v) => i += 2,
                _ => return Some(i * 2),
            }
        } else if (0xDC00..0xE000).contains(&u) {
            return Some(i * 2);
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1() {
        assert_eq!(encode_latin1("aé\u{FF}").unwrap(), vec![0x61, 0xE9, 0xFF]);
        assert_eq!(decode_latin1(&[0x61, 0xE9, 0xFF]), "aé\u{FF}");
        let e = encode_latin1("ab€").unwrap_err();
        assert_eq!(
            e.to_string(),
            "character '€' (U+20AC) at index 2 cannot be encoded in Latin-1 (ISO-8859-1)"
        );
    }

    #[test]
    fn ascii() {
        assert_eq!(encode_ascii("Hi~").unwrap(), b"Hi~".to_vec());
        assert!(encode_ascii("é").is_err());
        assert_eq!(decode_ascii(b"ok").unwrap(), "ok");
        assert_eq!(
            decode_ascii(&[0x41, 0x80]).unwrap_err(),
            TextError::InvalidAscii {
                value: 0x80,
                index: 1
            }
        );
    }

    #[test]
    fn ucs2() {
        assert_eq!(encode_ucs2("Aж"), vec![0x00, 0x41, 0x04, 0x36]);
        assert_eq!(encode_ucs2("😀"), vec![0xD8, 0x3D, 0xDE, 0x00]);
        assert_eq!(decode_ucs2(&[0xD8, 0x3D, 0xDE, 0x00]).unwrap(), "😀");
        assert_eq!(
            decode_ucs2(&[0; 7]).unwrap_err().to_string(),
            "invalid UCS-2: odd number of bytes (7)"
        );
        assert_eq!(
            decode_ucs2(&[0x00, 0x41, 0xD8, 0x3D, 0x00, 0x41]).unwrap_err(),
            TextError::UnpairedSurrogate {
                unit: 0xD83D,
                offset: 2
            }
        );
        assert_eq!(
            decode_ucs2(&[0x00, 0x41, 0x00, 0x42, 0xDE, 0x00]).unwrap_err(),
            TextError::UnpairedSurrogate {
                unit: 0xDE00,
                offset: 4
            }
        );
        assert_eq!(
            decode_ucs2(&[0xD8, 0x3D]).unwrap_err(),
            TextError::UnpairedSurrogate {
                unit: 0xD83D,
                offset: 0
            }
        );
    }
}
