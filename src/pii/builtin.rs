//! The built-in rules (group `"default"`): payment cards, IBANs, e-mail addresses, E.164 and
//! North American phone numbers, US SSNs.

use super::rule::{MaskStyle, Rule, Validator, DEFAULT_GROUP};

/// The built-in rules: (name, regex, style, validator, a byte the text must contain).
pub(super) fn builtin_rules() -> Vec<(Rule, Option<u8>)> {
    let mk = |name: &str, priority: u32, regex: &str, style, validate| Rule {
        name: name.to_string(),
        regex: regex.to_string(),
        priority,
        group: DEFAULT_GROUP.to_string(),
        style,
        mask_char: '*',
        validate,
    };
    vec![
        (
            mk(
                "payment-card",
                1,
                BUILTIN_CARD,
                MaskStyle::KeepLast(4),
                Some(Validator::Card),
            ),
            None,
        ),
        (
            mk(
                "iban",
                2,
                BUILTIN_IBAN,
                MaskStyle::Full,
                Some(Validator::Iban),
            ),
            None,
        ),
        (
            mk("email", 3, BUILTIN_EMAIL, MaskStyle::Full, None),
            Some(b'@'),
        ),
        (
            mk("us-ssn", 4, BUILTIN_SSN, MaskStyle::Full, None),
            Some(b'-'),
        ),
        (
            mk("phone-e164", 5, BUILTIN_PHONE_E164, MaskStyle::Full, None),
            Some(b'+'),
        ),
        (
            mk("phone-nanp", 6, BUILTIN_PHONE_NANP, MaskStyle::Full, None),
            None,
        ),
    ]
}

/// Payment card: 13–19 digits, contiguous or in the printed groupings (4-4-4-4, 4-4-4-4-1..3,
/// 4-4-4-1..4, Amex 4-6-5, Diners 4-6-4) with single spaces or dashes; Luhn and issuer checked.
pub const BUILTIN_CARD: &str = r"\b(?:\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{1,3}|\d{4}[ \-]\d{4}[ \-]\d{4}[ \-]\d{1,4}|\d{4}[ \-]\d{6}[ \-]\d{4,5}|\d{13,19})\b";
/// IBAN: 2 letters, 2 digits, then letters/digits, optionally in space-separated groups of 4;
/// length, country and mod-97 checked.
pub const BUILTIN_IBAN: &str =
    r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,4})?\b";
/// E-mail address (ASCII): local part, `@`, dot-separated domain labels, a 2–24 letter TLD.
pub const BUILTIN_EMAIL: &str =
    r"[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b";
/// US SSN `AAA-GG-SSSS`: area not 000, 666 or 9xx; group not 00; serial not 0000.
pub const BUILTIN_SSN: &str = r"\b(?:00[1-9]|0[1-9]\d|[1-578]\d{2}|6[0-57-9]\d|66[0-57-9])-(?:0[1-9]|[1-9]\d)-(?:000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})\b";
/// E.164: `+` and 8–15 digits, single spaces, dots, dashes or
/// parentheses between them (`+44 (0)20 7946 0958`, `+7 (495) 123-45-67`, `+8613800138000`).
pub const BUILTIN_PHONE_E164: &str = r"\+\(?\d(?:\)?[ .\-]?\(?\d){7,14}\b";
/// North American numbers: `(212) 555-0123`, `212-555-0123`, `212.555.0123`, optional `+1` or
/// `1` before; area code and exchange start with 2–9.
pub const BUILTIN_PHONE_NANP: &str =
    r"(?:(?:\+|\b)1[ .\-]?)?(?:\B\([2-9]\d{2}\)[ .\-]?|\b[2-9]\d{2}[.\-])[2-9]\d{2}[.\-]\d{4}\b";
