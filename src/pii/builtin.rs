//! The built-in rules: group `"default"` (payment cards, IBANs, e-mail addresses, E.164,
//! international, national and North American phone numbers, US SSNs) and group `"genesys"`
//! (Genesys Privacy Manager's three hard-coded rules, rewritten for the linear-time engine).

use super::compile::Prefilter;
use super::rule::{MaskStyle, Rule, Validator, DEFAULT_GROUP};

/// A text must hold `byte` (if any) and at least `digits` ASCII digits.
const fn needs(byte: Option<u8>, digits: usize) -> Prefilter {
    Prefilter { byte, digits }
}

/// The group of the rewritten Genesys rules.
pub const GENESYS_GROUP: &str = "genesys";

/// The built-in rules, each with what a text must hold for it to match at all.
pub(super) fn builtin_rules() -> Vec<(Rule, Prefilter)> {
    let mk = |name: &str, priority: u32, regex: &str, style, validate| Rule {
        name: name.to_string(),
        regex: regex.to_string(),
        priority,
        group: DEFAULT_GROUP.to_string(),
        style,
        mask_char: '*',
        validate,
    };
    let genesys = |name: &str, priority: u32, regex: &str| Rule {
        group: GENESYS_GROUP.to_string(),
        ..mk(
            name,
            priority,
            regex,
            MaskStyle::Full,
            Some(Validator::Standalone),
        )
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
            needs(None, 13),
        ),
        (
            mk(
                "iban",
                2,
                BUILTIN_IBAN,
                MaskStyle::Full,
                Some(Validator::Iban),
            ),
            needs(None, 2),
        ),
        (
            mk("email", 3, BUILTIN_EMAIL, MaskStyle::Full, None),
            needs(Some(b'@'), 0),
        ),
        (
            mk("us-ssn", 4, BUILTIN_SSN, MaskStyle::Full, None),
            needs(Some(b'-'), 9),
        ),
        (
            mk("phone-e164", 5, BUILTIN_PHONE_E164, MaskStyle::Full, None),
            needs(Some(b'+'), 8),
        ),
        (
            mk("phone-nanp", 6, BUILTIN_PHONE_NANP, MaskStyle::Full, None),
            needs(None, 10),
        ),
        (
            mk(
                "phone-international",
                7,
                BUILTIN_PHONE_INTERNATIONAL,
                MaskStyle::Full,
                Some(Validator::Phone),
            ),
            needs(None, 10),
        ),
        (
            mk(
                "phone-national",
                8,
                BUILTIN_PHONE_NATIONAL,
                MaskStyle::Full,
                Some(Validator::Phone),
            ),
            needs(None, 9),
        ),
        (
            mk(
                "one-time-code",
                9,
                BUILTIN_ONE_TIME_CODE,
                MaskStyle::Groups,
                None,
            ),
            needs(None, 4),
        ),
        (genesys(GENESYS_CARD_NAME, 1, GENESYS_CARD), needs(None, 16)),
        (
            genesys(GENESYS_PHONE_NAME, 2, GENESYS_PHONE),
            needs(None, 7),
        ),
        (genesys(GENESYS_SSN_NAME, 3, GENESYS_SSN), needs(None, 9)),
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
/// International numbers written with the `00` prefix instead of `+`: `00`, a country code
/// digit, then 7–14 digits with single spaces, dots, dashes, slashes or parentheses between them
/// (`0049 30 1234567`, `0044 (0)20 7946 0958`); [`Validator::Phone`] checked.
pub const BUILTIN_PHONE_INTERNATIONAL: &str = r"\b00[1-9](?:\)?[ .\-/]?\(?\d){7,14}\b";
/// National numbers: the trunk prefix `0` and 8–12 more digits, contiguous or grouped with one
/// kind of separator (`07700900456`, `07700 900456`, `020 7946 0958`, `(020) 7946 0958`,
/// `030/1234567`, `06 12 34 56 78`), or nine or ten digits grouped 3-3-3 or 3-3-4 (`612 345 678`,
/// `333 123 4567`); [`Validator::Phone`] checked (so a date and time is not one).
pub const BUILTIN_PHONE_NATIONAL: &str =
    r"(?:\(0[1-9]\d{0,4}\) ?|\b0[1-9])(?:[ .\-/]?\d){7,11}\b|\b[1-9]\d{2}[ \-]\d{3}[ \-]\d{3,4}\b";
/// A PIN, one-time code or password given in the text: the word (`PIN`, `code`, `OTP`,
/// `passcode`, `password`, `TAN`, `kod`, `codice`, `código`, `код`, `пароль`, any case) and,
/// within 12 non-digits after it, 4–8 digits; only the digits are masked.
pub const BUILTIN_ONE_TIME_CODE: &str = r"(?i)(?:\b(?:pin|code|otp|passcode|password|tan|kod|codice|c[oó]digo)|[кК]од|[пП]ароль)[^0-9\n]{0,12}?(\d{4,8})\b";

/// Genesys' name of its card rule.
pub const GENESYS_CARD_NAME: &str = "Credit Card (Visa and MasterCard only)";
/// Genesys' name of its North American phone rule.
pub const GENESYS_PHONE_NAME: &str = "Phone Number (North America)";
/// Genesys' name of its SSN rule.
pub const GENESYS_SSN_NAME: &str = "SSN (Social Security Number - U.S. only)";

/// Genesys Privacy Manager 9.0's hard-coded card regex without its look-around (which
/// [`Validator::Standalone`] does): Visa, Mastercard 51–55, Discover, China UnionPay prefixes,
/// four groups of four digits with up to 10 separators (`[ -.=\n\r]`, a range from space to
/// `.` as Genesys wrote it) between them. No Luhn check, as in Genesys.
pub const GENESYS_CARD: &str = r"(?:4\d{3}|5[1-5]\d{2}|6011|622[1-9]|64[4-9]\d|65\d{2})[ -.=\n\r]{0,10}\d{4}[ -.=\n\r]{0,10}\d{4}[ -.=\n\r]{0,10}\d{4}";
/// Genesys Privacy Manager 9.0's hard-coded North American phone regex without its look-around:
/// an optional `+1`, an optional area code (parentheses optional), exchange and line.
pub const GENESYS_PHONE: &str = r"(?:\+?1[ -.=\n\r]{0,10})?(?:\(?[2-9][0-9]{2}\)?[ -.=\n\r]{0,10})?[2-9][0-9]{2}[ -.=\n\r]{0,10}[0-9]{4}";
/// Genesys Privacy Manager 9.0's hard-coded US SSN regex without its look-around: the
/// negative look-aheads `(?!000|666|9)`, `(?!00)`, `(?!0000)` spelled out as the allowed
/// alternatives.
pub const GENESYS_SSN: &str = r"(?:00[1-9]|0[1-9]\d|[1-578]\d{2}|6[0-57-9]\d|66[0-57-9])[ -.=\n\r]{0,10}(?:0[1-9]|[1-9]\d)[ -.=\n\r]{0,10}(?:000[1-9]|00[1-9]\d|0[1-9]\d{2}|[1-9]\d{3})";
