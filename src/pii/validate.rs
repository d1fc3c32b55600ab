//! The checks a match must pass to be masked ([`Validator`]): Luhn, payment card, IBAN.

use super::rule::Validator;

/// Whether the match `text[s..e]` passes `v`.
pub(super) fn validate(v: Validator, text: &str, s: usize, e: usize) -> bool {
    let m = &text[s..e];
    match v {
        Validator::Luhn => luhn(m),
        Validator::Iban => iban(m),
        Validator::Card => card(text, s, e),
        Validator::Phone => phone(m),
        Validator::Standalone => standalone(text, s, e),
    }
}

/// [`Validator::Phone`].
fn phone(m: &str) -> bool {
    let digits = m.bytes().filter(u8::is_ascii_digit).count();
    let mut sep: Option<u8> = None;
    for b in m.bytes() {
        if b.is_ascii_digit() || b == b'(' || b == b')' || b == b'+' {
            continue;
        }
        match sep {
            Some(s) if s != b => return false,
            _ => sep = Some(b),
        }
    }
    (9..=17).contains(&digits)
}

/// [`Validator::Standalone`].
fn standalone(text: &str, s: usize, e: usize) -> bool {
    let before = text[..s].bytes().next_back();
    let after = text.as_bytes().get(e).copied();
    !before.is_some_and(|b| b.is_ascii_digit()) && !after.is_some_and(|b| b.is_ascii_digit())
}

/// The Luhn check over the digits of `s` (other chars ignored); fewer than 2 digits fail.
pub fn luhn(s: &str) -> bool {
    let mut sum = 0u32;
    let mut n = 0usize;
    for d in s
        .bytes()
        .rev()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'))
    {
        sum += if n % 2 == 1 {
            let x = d * 2;
            if x > 9 {
                x - 9
            } else {
                x
            }
        } else {
            d
        };
        n += 1;
    }
    n >= 2 && sum % 10 == 0
}

fn card(text: &str, s: usize, e: usize) -> bool {
    let m = &text[s..e];
    let digits = m.bytes().filter(u8::is_ascii_digit).count();
    if !(13..=19).contains(&digits) || !luhn(m) {
        return false;
    }
    let mut lead = m
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| u32::from(b - b'0'));
    let mut iin = 0;
    for _ in 0..4 {
        iin = iin * 10 + lead.next().unwrap_or(0);
    }
    let issuer =
        matches!(iin / 1000, 3..=6) || (2200..=2204).contains(&iin) || (2221..=2720).contains(&iin);
    if !issuer {
        return false;
    }
    // SMPP absolute time: YYMMDDhhmmsstnn followed by '+' or '-'.
    let contiguous = m.bytes().all(|b| b.is_ascii_digit());
    let next = text.as_bytes().get(e).copied();
    !(contiguous && matches!(next, Some(b'+') | Some(b'-')))
}

/// IBAN lengths by country (ISO 13616 registry).
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HN", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"PT", 25),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// The IBAN check of [`Validator::Iban`] (spaces ignored, letters of either case).
pub fn iban(s: &str) -> bool {
    let b: Vec<u8> = s
        .bytes()
        .filter(|&b| b != b' ')
        .map(|b| b.to_ascii_uppercase())
        .collect();
    if !(15..=34).contains(&b.len())
        || !b[..2].iter().all(u8::is_ascii_uppercase)
        || !b[2..4].iter().all(u8::is_ascii_digit)
        || !b[4..].iter().all(u8::is_ascii_alphanumeric)
    {
        return false;
    }
    match IBAN_LENGTHS.iter().find(|(cc, _)| cc[..] == b[..2]) {
        Some(&(_, len)) if len == b.len() => {}
        _ => return false,
    }
    let mut r = 0u32;
    for &ch in b[4..].iter().chain(&b[..4]) {
        r = if ch.is_ascii_digit() {
            (r * 10 + u32::from(ch - b'0')) % 97
        } else {
            (r * 100 + u32::from(ch - b'A' + 10)) % 97
        };
    }
    r == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_and_iban_checks() {
        assert!(luhn("4111 1111 1111 1111"));
        assert!(!luhn("4111 1111 1111 1112"));
        assert!(!luhn("0"));
        assert!(iban("DE89 3704 0044 0532 0130 00"));
        assert!(iban("gb29nwbk60161331926819"));
        assert!(!iban("DE89 3704 0044 0532 0130 01"));
        assert!(!iban("ZZ89 3704 0044 0532 0130 00"));
    }

    #[test]
    fn phone_and_standalone_checks() {
        for good in [
            "020 7946 0958",
            "(020) 7946 0958",
            "07700900456",
            "0171/1234567",
            "0049 30 1234567",
        ] {
            assert!(phone(good), "{good}");
        }
        for bad in [
            "01.02.2026 10",
            "0612-34 56",
            "01234567",
            "0123456789012345678",
        ] {
            assert!(!phone(bad), "{bad}");
        }
        let t = "x 4111 9";
        assert!(standalone(t, 2, 6));
        assert!(!standalone("94111", 1, 5));
        assert!(!standalone("41119", 0, 4));
        assert!(standalone("4111", 0, 4));
    }
}
