//! GSM 03.38 (3GPP TS 23.038) default alphabet and its extension table.
//!
//! Two wire forms are supported:
//!
//! * **unpacked**: one septet per octet (what most SMSCs expect for
//!   `data_coding` 0), see [`encode_unpacked`] / [`decode_unpacked`];
//! * **packed**: septets packed LSB-first into octets, optionally preceded
//!   by fill bits so that septets following a User Data Header start on a
//!   septet boundary, see [`pack`] / [`unpack`].
//!
//! # Decoding choices
//!
//! * An escape (0x1B) followed by a septet that has no extension-table
//!   entry decodes as the base-table character of that septet, as 03.38
//!   §6.2.1.1 asks of receivers that do not know the extension.
//!   `ESC ESC` (reserved for a further extension table) and a trailing lone
//!   escape decode as a single space, which is how 03.38 asks receivers to
//!   display an escape they do not understand.
//! * Packed data: when the packed septets end exactly on an octet boundary
//!   and the last septet is `<CR>` (0x0D), that `<CR>` is padding and is
//!   dropped (03.38 §6.1.2.3.1: 7 spare bits are filled with `<CR>`, and a
//!   wanted trailing `<CR>` ending on an octet boundary is followed by a
//!   second `<CR>`). [`pack`] applies the same rules, so
//!   `unpack(pack(x)) == x` for every septet string `x`, except that a
//!   `<CR>` which is the last septet and ends exactly on an octet boundary
//!   comes back doubled (`<CR><CR>`, which 03.38 defines as equivalent to
//!   `<CR>`; the lost length information makes an exact round trip
//!   impossible there). The segmenter never ends a non-final packed part
//!   that way, so only a message's final `<CR>` can be affected. A
//!   non-conforming sender
//!   that pads the 7 spare bits with zeros yields a trailing `@`, which
//!   cannot be told apart from a real `@`, so it is kept.

use super::error::TextError;

/// The escape septet that introduces an extension-table character.
pub const ESCAPE: u8 = 0x1B;

/// The carriage-return septet used as padding in packed data.
const CR: u8 = 0x0D;

/// The GSM 03.38 default alphabet, indexed by septet.
///
/// Index 0x1B is the escape to the extension table; it holds a space,
/// which is what a lone escape decodes to.
pub const BASE_TABLE: [char; 128] = [
    '@', '£', '$', '¥', 'è', 'é', 'ù', 'ì', 'ò', 'Ç', '\n', 'Ø', 'ø', '\r', 'Å', 'å', //
    'Δ', '_', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ', ' ', 'Æ', 'æ', 'ß', 'É', //
    ' ', '!', '"', '#', '¤', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', //
    '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', ':', ';', '<', '=', '>', '?', //
    '¡', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', //
    'P', 'Q', 'R', 'S', 'T', 'U', 'V', 'W', 'X', 'Y', 'Z', 'Ä', 'Ö', 'Ñ', 'Ü', '§', //
    '¿', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 'm', 'n', 'o', //
    'p', 'q', 'r', 's', 't', 'u', 'v', 'w', 'x', 'y', 'z', 'ä', 'ö', 'ñ', 'ü', 'à', //
];

/// Reverse of [`BASE_TABLE`] for characters below U+0100 (0xFF = absent).
const LATIN_REVERSE: [u8; 256] = build_latin_reverse();

const fn build_latin_reverse() -> [u8; 256] {
    let mut rev = [0xFFu8; 256];
    let mut i = 0;
    while i < 128 {
        let c = BASE_TABLE[i] as u32;
        if i != ESCAPE as usize && c < 256 {
            rev[c as usize] = i as u8;
        }
        i += 1;
    }
    rev
}

/// The septet of `c` in the base table, if it has one.
pub fn base_septet(c: char) -> Option<u8> {
    let cp = c as u32;
    if cp < 256 {
        let s = LATIN_REVERSE[cp as usize];
        return (s != 0xFF).then_some(s);
    }
    match c {
        'Δ' => Some(0x10),
        'Φ' => Some(0x12),
        'Γ' => Some(0x13),
        'Λ' => Some(0x14),
        'Ω' => Some(0x15),
        'Π' => Some(0x16),
        'Ψ' => Some(0x17),
        'Σ' => Some(0x18),
        'Θ' => Some(0x19),
        'Ξ' => Some(0x1A),
        _ => None,
    }
}

/// The septet following an escape for `c` in the extension table, if any.
pub fn extension_septet(c: char) -> Option<u8> {
    match c {
        '\u{0C}' => Some(0x0A),
        '^' => Some(0x14),
        '{' => Some(0x28),
        '}' => Some(0x29),
        '\\' => Some(0x2F),
        '[' => Some(0x3C),
        '~' => Some(0x3D),
        ']' => Some(0x3E),
        '|' => Some(0x40),
        '€' => Some(0x65),
        _ => None,
    }
}

/// The extension-table character for the septet following an escape.
pub fn extension_char(septet: u8) -> Option<char> {
    match septet {
        0x0A => Some('\u{0C}'),
        0x14 => Some('^'),
        0x28 => Some('{'),
        0x29 => Some('}'),
        0x2F => Some('\\'),
        0x3C => Some('['),
        0x3D => Some('~'),
        0x3E => Some(']'),
        0x40 => Some('|'),
        0x65 => Some('€'),
        _ => None,
    }
}

/// Number of septets `c` occupies (1 for base, 2 for extension), or `None`
/// if it cannot be represented in GSM 03.38.
pub fn char_septets(c: char) -> Option<usize> {
    if base_septet(c).is_some() {
        Some(1)
    } else if extension_septet(c).is_some() {
        Some(2)
    } else {
        None
    }
}

/// Septet count of `text` in GSM 03.38 (extension characters count 2), or
/// `None` if some character is not representable.
pub fn gsm7_len(text: &str) -> Option<usize> {
    text.chars()
        .try_fold(0usize, |n, c| Some(n + char_septets(c)?))
}

/// Appends the septets of `c` to `out`; `index` is the character index used
/// in the error.
pub(crate) fn push_char(out: &mut Vec<u8>, c: char, index: usize) -> Result<(), TextError> {
    if let Some(s) = base_septet(c) {
        out.push(s);
    } else if let Some(s) = extension_septet(c) {
        out.push(ESCAPE);
        out.push(s);
    } else {
        return Err(TextError::Unencodable {
            ch: c,
            index,
            charset: "GSM 7-bit",
        });
    }
    Ok(())
}

/// The septets of `text` when every character is ASCII and in the base table (nearly
/// every text): one table lookup per octet, no per-character branch. None otherwise (the
/// caller then encodes character by character, which also names an unencodable one).
pub(crate) fn ascii_base_septets(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    let mut bad = 0u8;
    let mut out = Vec::with_capacity(b.len());
    out.extend(b.iter().map(|&c| {
        // Septets are ≤ 0x7F; LATIN_REVERSE marks a character outside the base table 0xFF.
        let s = LATIN_REVERSE[usize::from(c & 0x7F)];
        bad |= c | s;
        s
    }));
    (bad & 0x80 == 0).then_some(out)
}

/// Encodes `text` as unpacked septets, one per octet.
pub fn encode_unpacked(text: &str) -> Result<Vec<u8>, TextError> {
    let mut out = Vec::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        push_char(&mut out, c, i)?;
    }
    Ok(out)
}

/// Decodes unpacked septets (one per octet). Octets above 0x7F are an error.
pub fn decode_unpacked(septets: &[u8]) -> Result<String, TextError> {
    let mut out = String::with_capacity(septets.len());
    let mut i = 0;
    while i < septets.len() {
        let s = septets[i];
        if s > 0x7F {
            return Err(TextError::InvalidSeptet { value: s, index: i });
        }
        if s == ESCAPE {
            match septets.get(i + 1) {
                Some(&next) if next > 0x7F => {
                    return Err(TextError::InvalidSeptet {
                        value: next,
                        index: i + 1,
                    });
                }
                Some(&next) => {
                    out.push(extension_char(next).unwrap_or(BASE_TABLE[usize::from(next)]));
                    i += 2;
                }
                None => {
                    out.push(' ');
                    i += 1;
                }
            }
        } else {
            out.push(BASE_TABLE[usize::from(s)]);
            i += 1;
        }
    }
    Ok(out)
}

/// Number of fill bits needed after a User Data Header of `udh_octets`
/// octets (including the UDHL octet) so that the next septet starts on a
/// septet boundary.
pub fn fill_bits_for_udh(udh_octets: usize) -> u8 {
    ((7 - (udh_octets * 8) % 7) % 7) as u8
}

/// Octets that [`pack`] produces for `septets` septets after `fill_bits`
/// fill bits, where `ends_with_cr` says whether the last septet is `<CR>`
/// (which costs one more septet when it would end on an octet boundary).
pub fn packed_len(septets: usize, fill_bits: u8, ends_with_cr: bool) -> usize {
    if septets == 0 {
        return 0;
    }
    let bits = usize::from(fill_bits) + septets * 7;
    let extra = if ends_with_cr && bits % 8 == 0 { 7 } else { 0 };
    (bits + extra).div_ceil(8)
}

fn check_fill(fill_bits: u8) -> Result<(), TextError> {
    if fill_bits > 6 {
        Err(TextError::InvalidFillBits(fill_bits))
    } else {
        Ok(())
    }
}

/// Packs septets LSB-first into octets, starting after `fill_bits` (0..=6)
/// zero bits.
///
/// Seven spare bits at the end are filled with `<CR>`, and a trailing
/// `<CR>` that would end on an octet boundary is followed by another
/// `<CR>`, per 03.38 §6.1.2.3.1 (see the module docs); [`unpack`] drops
/// the padding `<CR>` but (as 03.38 prescribes) keeps the doubled one.
pub fn pack(septets: &[u8], fill_bits: u8) -> Result<Vec<u8>, TextError> {
    check_fill(fill_bits)?;
    if let Some(index) = septets.iter().position(|&s| s > 0x7F) {
        return Err(TextError::InvalidSeptet {
            value: septets[index],
            index,
        });
    }
    if septets.is_empty() {
        return Ok(Vec::new());
    }
    let fill = usize::from(fill_bits);
    let extra_cr = (fill + septets.len() * 7) % 8 == 0 && septets.last() == Some(&CR);
    let count = septets.len() + usize::from(extra_cr);
    let total_bits = fill + count * 7;
    let mut out = vec![0u8; total_bits.div_ceil(8)];
    let extra: &[u8] = if extra_cr { &[CR] } else { &[] };
    for (i, &s) in septets.iter().chain(extra).enumerate() {
        put_septet(&mut out, fill + i * 7, s);
    }
    if total_bits % 8 == 1 {
        // Seven spare bits: pad with <CR> rather than zeros ('@').
        put_septet(&mut out, total_bits, CR);
    }
    Ok(out)
}

fn put_septet(out: &mut [u8], bit: usize, s: u8) {
    let byte = bit / 8;
    let shift = bit % 8;
    let v = u16::from(s) << shift;
    out[byte] |= (v & 0xFF) as u8;
    if shift > 1 {
        if let Some(b) = out.get_mut(byte + 1) {
            *b |= (v >> 8) as u8;
        }
    }
}

/// Unpacks packed septets from `octets`, skipping `fill_bits` (0..=6)
/// leading fill bits. A trailing `<CR>` ending on an octet boundary is
/// treated as padding and dropped (see the module docs).
pub fn unpack(octets: &[u8], fill_bits: u8) -> Result<Vec<u8>, TextError> {
    check_fill(fill_bits)?;
    let fill = usize::from(fill_bits);
    let total_bits = octets.len() * 8;
    if total_bits <= fill {
        return Ok(Vec::new());
    }
    let n = (total_bits - fill) / 7;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let bit = fill + i * 7;
        let byte = bit / 8;
        let shift = bit % 8;
        let lo = u16::from(octets[byte]);
        let hi = u16::from(octets.get(byte + 1).copied().unwrap_or(0));
        out.push((((hi << 8 | lo) >> shift) & 0x7F) as u8);
    }
    if fill + n * 7 == total_bits && out.last() == Some(&CR) {
        out.pop();
    }
    Ok(out)
}

/// Encodes `text` as packed GSM 7-bit after `fill_bits` fill bits.
pub fn encode_packed(text: &str, fill_bits: u8) -> Result<Vec<u8>, TextError> {
    check_fill(fill_bits)?;
    pack(&encode_unpacked(text)?, fill_bits)
}

/// Decodes packed GSM 7-bit data that starts after `fill_bits` fill bits.
pub fn decode_packed(octets: &[u8], fill_bits: u8) -> Result<String, TextError> {
    decode_unpacked(&unpack(octets, fill_bits)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_spot_checks() {
        assert_eq!(BASE_TABLE[0x00], '@');
        assert_eq!(BASE_TABLE[0x02], '$');
        assert_eq!(BASE_TABLE[0x11], '_');
        assert_eq!(BASE_TABLE[0x1C], 'Æ');
        assert_eq!(BASE_TABLE[0x24], '¤');
        assert_eq!(BASE_TABLE[0x40], '¡');
        assert_eq!(BASE_TABLE[0x60], '¿');
        assert_eq!(BASE_TABLE[0x7F], 'à');
        assert_eq!(base_septet('@'), Some(0x00));
        assert_eq!(base_septet('Ξ'), Some(0x1A));
        assert_eq!(base_septet('ç'), None);
        assert_eq!(base_septet('`'), None);
    }

    #[test]
    fn all_base_chars_round_trip() {
        for s in 0u8..128 {
            if s == ESCAPE {
                continue;
            }
            let c = BASE_TABLE[usize::from(s)];
            assert_eq!(base_septet(c), Some(s), "char {c:?}");
            assert_eq!(encode_unpacked(&c.to_string()).unwrap(), vec![s]);
            assert_eq!(decode_unpacked(&[s]).unwrap(), c.to_string());
        }
    }

    #[test]
    fn all_extension_chars_round_trip() {
        let ext = "\u{0C}^{}\\[~]|€";
        for c in ext.chars() {
            let enc = encode_unpacked(&c.to_string()).unwrap();
            assert_eq!(enc.len(), 2);
            assert_eq!(enc[0], ESCAPE);
            assert_eq!(decode_unpacked(&enc).unwrap(), c.to_string());
        }
        assert_eq!(encode_unpacked("€").unwrap(), vec![0x1B, 0x65]);
        assert_eq!(gsm7_len(ext), Some(20));
    }

    #[test]
    fn gsm7_len_counts() {
        assert_eq!(gsm7_len(""), Some(0));
        assert_eq!(gsm7_len("hello"), Some(5));
        assert_eq!(gsm7_len("a€b"), Some(4));
        assert_eq!(gsm7_len("aжb"), None);
    }

    #[test]
    fn unencodable_error_names_char_and_index() {
        let e = encode_unpacked("hello ж").unwrap_err();
        assert_eq!(
            e.to_string(),
            "character 'ж' (U+0436) at index 6 cannot be encoded in GSM 7-bit"
        );
    }

    #[test]
    fn unknown_escape_and_lone_escape() {
        // ESC + 'A' (0x41) has no extension entry: base char.
        assert_eq!(decode_unpacked(&[0x1B, 0x41]).unwrap(), "A");
        assert_eq!(decode_unpacked(&[0x41, 0x1B]).unwrap(), "A ");
        assert_eq!(decode_unpacked(&[0x1B, 0x1B]).unwrap(), " ");
        let e = decode_unpacked(&[0x41, 0x9C]).unwrap_err();
        assert_eq!(
            e,
            TextError::InvalidSeptet {
                value: 0x9C,
                index: 1
            }
        );
        assert!(e.to_string().contains("septet 0x9C"));
        assert!(decode_unpacked(&[0x1B, 0x80]).is_err());
    }

    #[test]
    fn packed_known_vector() {
        assert_eq!(
            encode_packed("hello", 0).unwrap(),
            vec![0xE8, 0x32, 0x9B, 0xFD, 0x06]
        );
        assert_eq!(
            decode_packed(&[0xE8, 0x32, 0x9B, 0xFD, 0x06], 0).unwrap(),
            "hello"
        );
        // "hellohello" (10 septets = 70 bits, 9 octets).
        assert_eq!(
            encode_packed("hellohello", 0).unwrap(),
            vec![0xE8, 0x32, 0x9B, 0xFD, 0x46, 0x97, 0xD9, 0xEC, 0x37]
        );
    }

    #[test]
    fn packed_cr_padding() {
        // 7 septets leave 7 spare bits: padded with CR, which unpack drops.
        let p = encode_packed("1234567", 0).unwrap();
        assert_eq!(p.len(), 7);
        assert_eq!(p[6] >> 1, 0x0D);
        assert_eq!(decode_packed(&p, 0).unwrap(), "1234567");
        // Zero padding (non-conforming sender) shows as '@'.
        let mut z = p.clone();
        z[6] &= 0x01;
        assert_eq!(decode_packed(&z, 0).unwrap(), "1234567@");
        // Wanted CR ending on an octet boundary gets a second CR.
        let p = encode_packed("1234567\r", 0).unwrap();
        assert_eq!(p.len(), 8);
        assert_eq!(decode_packed(&p, 0).unwrap(), "1234567\r\r");
        // A CR not on the boundary round-trips exactly.
        assert_eq!(
            decode_packed(&encode_packed("123456\r", 0).unwrap(), 0).unwrap(),
            "123456\r"
        );
        assert_eq!(packed_len(8, 0, true), 8);
        assert_eq!(packed_len(8, 0, false), 7);
        assert_eq!(packed_len(0, 3, false), 0);
    }

    #[test]
    fn packed_with_fill_bits() {
        for fill in 0..=6u8 {
            for text in ["", "a", "hello", "1234567", "12345678", "x€y\r", "\r"] {
                let p = encode_packed(text, fill).unwrap();
                assert_eq!(
                    p.len(),
                    packed_len(gsm7_len(text).unwrap(), fill, text.ends_with('\r'))
                );
                let n = gsm7_len(text).unwrap();
                let doubled = text.ends_with('\r') && (usize::from(fill) + 7 * n) % 8 == 0;
                let expected = if doubled {
                    format!("{text}\r")
                } else {
                    text.to_string()
                };
                assert_eq!(decode_packed(&p, fill).unwrap(), expected, "fill {fill}");
            }
        }
        // Fill bits are zero.
        assert_eq!(encode_packed("@", 1).unwrap(), vec![0x00]);
        assert_eq!(encode_packed("A", 1).unwrap(), vec![0x41 << 1]);
        assert_eq!(fill_bits_for_udh(6), 1);
        assert_eq!(fill_bits_for_udh(7), 0);
        assert_eq!(fill_bits_for_udh(1), 6);
        assert_eq!(pack(&[1], 7).unwrap_err(), TextError::InvalidFillBits(7));
        assert!(unpack(&[1], 9).is_err());
        assert!(pack(&[0x80], 0).is_err());
    }

    /// The ASCII fast path gives what the character-by-character encoder gives, and declines
    /// exactly the texts that need it (an escape, a non-ASCII or an unencodable character).
    fn ascii_fast_path_agrees(text: &str) {
        let slow = encode_unpacked(text);
        match ascii_base_septets(text) {
            Some(fast) => assert_eq!(Ok(fast), slow, "{text:?}"),
            None => assert!(
                !text.is_ascii() || slow.as_ref().map_or(true, |v| v.len() != text.len()),
                "{text:?} declined but {slow:?}"
            ),
        }
    }

    #[test]
    fn ascii_fast_path_matches_the_encoder() {
        for c in (0u8..=0x7F).map(char::from).chain(['é', 'Δ', '€', '中']) {
            ascii_fast_path_agrees(&c.to_string());
            ascii_fast_path_agrees(&format!("bench message {c} 0123456789"));
        }
        ascii_fast_path_agrees("");
    }

    proptest::proptest! {
        #[test]
        fn ascii_fast_path_matches_on_any_text(t in "(?s).{0,40}") {
            ascii_fast_path_agrees(&t);
        }
    }
}
