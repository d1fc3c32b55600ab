//! Delivery receipts (SMPP 3.4 Appendix B, de-facto text format).
//!
//! An SMSC reports the fate of a `submit_sm` with a `deliver_sm` whose `esm_class` has
//! bit `0x04` set and whose `short_message` reads like
//!
//! ```text
//! id:IIIIIIIIII sub:SSS dlvr:DDD submit date:YYMMDDhhmm done date:YYMMDDhhmm stat:DDDDDDD err:E text:...
//! ```
//!
//! Vendors differ, so [`parse`](crate::receipt::parse) is tolerant:
//!
//! - keys are case-insensitive and may come in any order; `_` and `-` inside a key are
//!   ignored (`submit_date:`, `Done-Date:`), as is the space in `submit date:`;
//! - accepted aliases: `dlvrd` for `dlvr`, `state` for `stat`, `error` for `err`;
//! - unknown `key:value` fields are kept, in order, in
//!   [`DeliveryReceipt::extra`](crate::receipt::DeliveryReceipt::extra); a known key seen a second
//!   time is kept there too (the first occurrence wins);
//! - a value runs up to the next `key:` token, so runs of spaces and `key: value` (space
//!   after the colon) are fine; values are trimmed of ASCII whitespace;
//! - `text:` is the last field and takes the rest of the input exactly as sent, colons
//!   and spaces included; it may be absent;
//! - a missing field is `None`; a field whose value does not parse keeps its raw text
//!   (the `*_raw` fields) with the parsed value `None`, without failing the receipt;
//! - words before the first `key:` token are ignored.
//!
//! The input is an error ([`ReceiptError`](crate::receipt::ReceiptError)) only when it is empty or
//! has neither an `id:` nor a `stat:` field.
//!
//! [`from_deliver`](crate::receipt::from_deliver) combines the text with the receipt TLVs of the
//! `deliver_sm`, and [`ids_match`](crate::receipt::ids_match) compares a `submit_sm_resp` message
//! id with a receipt id across the hex/decimal mix-ups SMSCs are known for.

use std::borrow::Cow;
use std::fmt;

use crate::pdu::types::MessageState;

/// Why a text could not be read as a delivery receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReceiptError {
    /// The text was empty (or only whitespace and NUL padding).
    Empty,
    /// The text has neither an `id:` nor a `stat:` field.
    NotAReceipt {
        /// The shape of the start of the offending text (at most 40 characters), for the
        /// message: `key:` names and punctuation as sent, every other letter and digit (any
        /// script) as `*`, since the text may be a message holding personal data.
        preview: String,
    },
}

impl fmt::Display for ReceiptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiptError::Empty => f.write_str("not a delivery receipt: the text is empty"),
            ReceiptError::NotAReceipt { preview } => write!(
                f,
                "not a delivery receipt: no `id:` or `stat:` field in {preview:?}"
            ),
        }
    }
}

impl std::error::Error for ReceiptError {}

/// A receipt timestamp, `YYMMDDhhmm` or `YYMMDDhhmmss`, read as a date in 2000–2099.
///
/// Values from [`ReceiptDate::new`] and [`ReceiptDate::parse`] are always valid dates;
/// the fields are public for convenience, so a hand-built value may not be. Ordering is
/// chronological.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReceiptDate {
    /// Full year: `2000 + YY`.
    pub year: u16,
    /// Month, 1–12.
    pub month: u8,
    /// Day of the month, 1–28/29/30/31 depending on the month.
    pub day: u8,
    /// Hour, 0–23.
    pub hour: u8,
    /// Minute, 0–59.
    pub minute: u8,
    /// Second, 0–59 (0 when the receipt sent only 10 digits).
    pub second: u8,
}

impl ReceiptDate {
    /// A validated date: `year` in 2000–2099 (the format has two year digits), a real
    /// calendar day, and time fields in range. `None` otherwise.
    pub fn new(year: u16, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let valid = (2000..=2099).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month)
            && hour <= 23
            && minute <= 59
            && second <= 59;
        valid.then_some(ReceiptDate {
            year,
            month,
            day,
            hour,
            minute,
            second,
        })
    }

    /// Parses exactly 10 (`YYMMDDhhmm`) or 12 (`YYMMDDhhmmss`) ASCII digits into a valid
    /// date; anything else (other lengths, non-digits, out-of-range fields) is `None`.
    pub fn parse(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        if !(b.len() == 10 || b.len() == 12) || !b.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let two = |i: usize| -> Option<u8> {
            let hi = b.get(i)?.checked_sub(b'0')?;
            let lo = b.get(i + 1)?.checked_sub(b'0')?;
            Some(hi * 10 + lo)
        };
        let second = if b.len() == 12 { two(10)? } else { 0 };
        ReceiptDate::new(
            2000 + u16::from(two(0)?),
            two(2)?,
            two(4)?,
            two(6)?,
            two(8)?,
            second,
        )
    }
}

impl fmt::Display for ReceiptDate {
    /// `YYMMDDhhmm`, or `YYMMDDhhmmss` when `second` is not zero.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{:02}{:02}{:02}{:02}",
            self.year % 100,
            self.month,
            self.day,
            self.hour,
            self.minute
        )?;
        if self.second != 0 {
            write!(f, "{:02}", self.second)?;
        }
        Ok(())
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A parsed delivery receipt.
///
/// Each field keeps what the SMSC sent (`id`, the `*_raw` fields, `err`, `text`, `extra`)
/// next to the parsed value, so nothing is lost when a vendor deviates from the format.
/// The `*_raw` fields are `None` exactly when the field was absent. `Debug` shows `text` (the
/// start of the message) and the values of `extra` only by their length.
#[derive(Clone, PartialEq, Eq)]
pub struct DeliveryReceipt {
    /// The message id, exactly as sent (empty when the receipt had no `id:` field and no
    /// `receipted_message_id` TLV). Compare it with the `submit_sm_resp` id using
    /// [`ids_match`].
    pub id: String,
    /// `sub:`, the number of messages originally submitted, when it is decimal digits.
    pub submitted: Option<u32>,
    /// `sub:` as sent.
    pub submitted_raw: Option<String>,
    /// `dlvr:` (or `dlvrd:`), the number of messages delivered, when it is decimal digits.
    pub delivered: Option<u32>,
    /// `dlvr:` as sent.
    pub delivered_raw: Option<String>,
    /// `submit date:`, when it is a valid 10- or 12-digit date.
    pub submit_date: Option<ReceiptDate>,
    /// `submit date:` as sent.
    pub submit_date_raw: Option<String>,
    /// `done date:`, when it is a valid 10- or 12-digit date.
    pub done_date: Option<ReceiptDate>,
    /// `done date:` as sent.
    pub done_date_raw: Option<String>,
    /// The final (or current) state. From the `message_state` TLV when
    /// [`from_deliver`] got one, otherwise from `stat:`. `MessageState::Other(0)` when
    /// `stat:` is absent or not a recognised word.
    pub state: MessageState,
    /// `stat:` as sent (kept even when a TLV overrode [`state`](Self::state)).
    pub stat_raw: Option<String>,
    /// `err:` as sent (vendors send `000`, `0`, hex or words).
    pub err: Option<String>,
    /// `err:` as a number, when it is decimal digits that fit in a `u32`.
    pub err_code: Option<u32>,
    /// `text:` (the start of the original message), exactly as sent; `Some("")` for an
    /// empty `text:` field, `None` when there is none.
    pub text: Option<String>,
    /// Unknown fields and repeated known fields, in order, as `(key, value)` with the
    /// key spelled as sent.
    pub extra: Vec<(String, String)>,
    /// The `network_error_code` TLV `(network type, error code)`, when
    /// [`from_deliver`] got one. Never part of the text form.
    pub network_error: Option<(u8, u16)>,
}

impl fmt::Debug for DeliveryReceipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::pdu::redact::Chars;
        let extra: Vec<(&str, Chars<'_>)> = self
            .extra
            .iter()
            .map(|(k, v)| (k.as_str(), Chars(v)))
            .collect();
        f.debug_struct("DeliveryReceipt")
            .field("id", &self.id)
            .field("submitted", &self.submitted)
            .field("submitted_raw", &self.submitted_raw)
            .field("delivered", &self.delivered)
            .field("delivered_raw", &self.delivered_raw)
            .field("submit_date", &self.submit_date)
            .field("submit_date_raw", &self.submit_date_raw)
            .field("done_date", &self.done_date)
            .field("done_date_raw", &self.done_date_raw)
            .field("state", &self.state)
            .field("stat_raw", &self.stat_raw)
            .field("err", &self.err)
            .field("err_code", &self.err_code)
            .field("text", &self.text.as_deref().map(Chars))
            .field("extra", &extra)
            .field("network_error", &self.network_error)
            .finish()
    }
}

impl DeliveryReceipt {
    /// A receipt with just an id and a state (with its canonical `stat:` word), every
    /// other field absent. Add fields with the `with_*` methods; the result is in
    /// canonical form, so `parse(&r.format()) == Ok(r)` as long as `id` has no
    /// whitespace.
    pub fn new(id: impl Into<String>, state: MessageState) -> Self {
        DeliveryReceipt {
            id: id.into(),
            submitted: None,
            submitted_raw: None,
            delivered: None,
            delivered_raw: None,
            submit_date: None,
            submit_date_raw: None,
            done_date: None,
            done_date_raw: None,
            state,
            stat_raw: stat_word(state).map(str::to_owned),
            err: None,
            err_code: None,
            text: None,
            extra: Vec::new(),
            network_error: None,
        }
    }

    /// Sets `sub:` and `dlvr:` (written zero-padded to 3 digits, as is customary).
    #[must_use]
    pub fn with_counts(mut self, submitted: u32, delivered: u32) -> Self {
        self.submitted = Some(submitted);
        self.submitted_raw = Some(format!("{submitted:03}"));
        self.delivered = Some(delivered);
        self.delivered_raw = Some(format!("{delivered:03}"));
        self
    }

    /// Sets `submit date:` and `done date:`.
    #[must_use]
    pub fn with_dates(mut self, submit: ReceiptDate, done: ReceiptDate) -> Self {
        self.submit_date = Some(submit);
        self.submit_date_raw = Some(submit.to_string());
        self.done_date = Some(done);
        self.done_date_raw = Some(done.to_string());
        self
    }

    /// Sets `err:` (written zero-padded to 3 digits).
    #[must_use]
    pub fn with_err(mut self, code: u32) -> Self {
        self.err_code = Some(code);
        self.err = Some(format!("{code:03}"));
        self
    }

    /// Sets `text:`.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// Whether the state is final: delivered, expired, deleted, undeliverable, rejected
    /// or unknown. Enroute, accepted and unrecognised states are not.
    pub fn is_final(&self) -> bool {
        matches!(
            self.state,
            MessageState::Delivered
                | MessageState::Expired
                | MessageState::Deleted
                | MessageState::Undeliverable
                | MessageState::Rejected
                | MessageState::Unknown
        )
    }

    /// The canonical text form:
    /// `id:… sub:… dlvr:… submit date:… done date:… stat:… err:… <extra>… text:…`,
    /// one space between fields, absent fields left out (`id:` is always written).
    ///
    /// For each field the raw text is written when it agrees with the parsed value (so a
    /// parsed receipt is re-emitted as sent); otherwise the value is written canonically:
    /// counts and `err` as 3-digit zero-padded numbers, dates as [`ReceiptDate`]'s
    /// `Display`, states as `DELIVRD`, `EXPIRED`, `DELETED`, `UNDELIV`, `ACCEPTD`,
    /// `UNKNOWN`, `REJECTD`, `ENROUTE`. [`network_error`](Self::network_error) is not
    /// written.
    ///
    /// `parse(&r.format()) == Ok(r)` holds when `r` is canonical: built with
    /// [`new`](Self::new) and the `with_*` methods (or parsed), `id` and raw values
    /// without whitespace, and extra keys that are `key:` tokens (an ASCII letter, then
    /// letters, digits, `_`, `-`) not naming a known field. `network_error` must be
    /// `None`, since it is not written.
    pub fn format(&self) -> String {
        let mut parts: Vec<Cow<'_, str>> = vec![Cow::Owned(format!("id:{}", self.id))];
        let mut push = |key: &str, value: Option<Cow<'_, str>>| {
            if let Some(v) = value {
                parts.push(Cow::Owned(format!("{key}:{v}")));
            }
        };
        push(
            "sub",
            pick(
                self.submitted_raw.as_deref(),
                self.submitted,
                parse_u32,
                |n| format!("{n:03}"),
            ),
        );
        push(
            "dlvr",
            pick(
                self.delivered_raw.as_deref(),
                self.delivered,
                parse_u32,
                |n| format!("{n:03}"),
            ),
        );
        push(
            "submit date",
            pick(
                self.submit_date_raw.as_deref(),
                self.submit_date,
                ReceiptDate::parse,
                |d| d.to_string(),
            ),
        );
        push(
            "done date",
            pick(
                self.done_date_raw.as_deref(),
                self.done_date,
                ReceiptDate::parse,
                |d| d.to_string(),
            ),
        );
        let stat = match (self.stat_raw.as_deref(), stat_word(self.state)) {
            (Some(raw), _) if parse_stat(raw) == self.state => Some(Cow::Borrowed(raw)),
            (_, Some(word)) => Some(Cow::Borrowed(word)),
            (raw, None) => raw.map(Cow::Borrowed),
        };
        push("stat", stat);
        push(
            "err",
            pick(self.err.as_deref(), self.err_code, parse_u32, |n| {
                format!("{n:03}")
            }),
        );
        for (k, v) in &self.extra {
            parts.push(Cow::Owned(format!("{k}:{v}")));
        }
        if let Some(text) = &self.text {
            parts.push(Cow::Owned(format!("text:{text}")));
        }
        parts.join(" ")
    }
}

/// The raw text when it parses to `value` (or there is no value), else `value` rendered.
fn pick<'a, T: PartialEq + Copy>(
    raw: Option<&'a str>,
    value: Option<T>,
    parse: fn(&str) -> Option<T>,
    render: fn(T) -> String,
) -> Option<Cow<'a, str>> {
    match (raw, value) {
        (Some(r), v) if parse(r) == v => Some(Cow::Borrowed(r)),
        (_, Some(v)) => Some(Cow::Owned(render(v))),
        (r, None) => r.map(Cow::Borrowed),
    }
}

/// The canonical 7-letter `stat:` word of a state; `None` for `Other`.
fn stat_word(state: MessageState) -> Option<&'static str> {
    Some(match state {
        MessageState::Enroute => "ENROUTE",
        MessageState::Delivered => "DELIVRD",
        MessageState::Expired => "EXPIRED",
        MessageState::Deleted => "DELETED",
        MessageState::Undeliverable => "UNDELIV",
        MessageState::Accepted => "ACCEPTD",
        MessageState::Unknown => "UNKNOWN",
        MessageState::Rejected => "REJECTD",
        MessageState::Other(_) => return None,
    })
}

/// `stat:` text to a state, case-insensitively; short and full words are accepted.
fn parse_stat(s: &str) -> MessageState {
    const WORDS: &[(&str, MessageState)] = &[
        ("DELIVRD", MessageState::Delivered),
        ("DELIVERED", MessageState::Delivered),
        ("EXPIRED", MessageState::Expired),
        ("DELETED", MessageState::Deleted),
        ("UNDELIV", MessageState::Undeliverable),
        ("UNDELIVERABLE", MessageState::Undeliverable),
        ("UNDELIVERED", MessageState::Undeliverable),
        ("ACCEPTD", MessageState::Accepted),
        ("ACCEPTED", MessageState::Accepted),
        ("UNKNOWN", MessageState::Unknown),
        ("REJECTD", MessageState::Rejected),
        ("REJECTED", MessageState::Rejected),
        ("ENROUTE", MessageState::Enroute),
    ];
    WORDS
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(s))
        .map_or(MessageState::Other(0), |&(_, st)| st)
}

/// Decimal digits only (leading zeros fine) that fit in a `u32`.
fn parse_u32(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Digits of `radix` only (no sign, leading zeros fine) that fit in a `u64`.
fn parse_u64(s: &str, radix: u32) -> Option<u64> {
    if s.is_empty() || !s.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    u64::from_str_radix(s, radix).ok()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Id,
    Sub,
    Dlvr,
    SubmitDate,
    DoneDate,
    Stat,
    Err,
    Text,
    Unknown,
}

fn classify(key: &str) -> Key {
    let norm: String = key
        .chars()
        .filter(|c| !matches!(c, '_' | '-') && !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match norm.as_str() {
        "id" => Key::Id,
        "sub" => Key::Sub,
        "dlvr" | "dlvrd" => Key::Dlvr,
        "submitdate" => Key::SubmitDate,
        "donedate" => Key::DoneDate,
        "stat" | "state" => Key::Stat,
        "err" | "error" => Key::Err,
        "text" => Key::Text,
        _ => Key::Unknown,
    }
}

/// Byte ranges of the runs of non-ASCII-whitespace. Splitting at ASCII bytes keeps every
/// range on `char` boundaries.
fn tokens(s: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, b) in s.bytes().enumerate() {
        match (b.is_ascii_whitespace(), start) {
            (true, Some(st)) => {
                out.push((st, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st, s.len()));
    }
    out
}

/// The length of the key when `token` starts with `key:`, a key being an ASCII letter
/// followed by ASCII letters, digits, `_` or `-`.
fn key_len(token: &str) -> Option<usize> {
    let colon = token.find(':')?;
    let mut chars = token.get(..colon)?.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    (first_ok && rest_ok).then_some(colon)
}

/// Where a field begins: the key's byte start, the key as sent, and the value's start.
struct FieldStart<'a> {
    at: usize,
    key: &'a str,
    value_at: usize,
}

fn field_starts(s: &str) -> Vec<FieldStart<'_>> {
    let toks = tokens(s);
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&(st, en)) = toks.get(i) {
        let tok = s.get(st..en).unwrap_or("");
        if let Some(k) = key_len(tok) {
            out.push(FieldStart {
                at: st,
                key: s.get(st..st + k).unwrap_or(""),
                value_at: st + k + 1,
            });
            i += 1;
            continue;
        }
        // Two-token keys: `submit date:` and `done date:` (any run of spaces between).
        if tok.eq_ignore_ascii_case("submit") || tok.eq_ignore_ascii_case("done") {
            if let Some(&(ns, ne)) = toks.get(i + 1) {
                let next = s.as_bytes().get(ns..ne).unwrap_or(&[]);
                if next.len() >= 5 && next[..5].eq_ignore_ascii_case(b"date:") {
                    out.push(FieldStart {
                        at: st,
                        key: s.get(st..ns + 4).unwrap_or(""),
                        value_at: ns + 5,
                    });
                    i += 2;
                    continue;
                }
            }
        }
        i += 1;
    }
    out
}

/// Parses the text of a delivery receipt; see the [module docs](self) for the accepted
/// variations.
///
/// # Errors
///
/// [`ReceiptError::Empty`] for empty (or whitespace-only) text, and
/// [`ReceiptError::NotAReceipt`] when it has neither an `id:` nor a `stat:` field.
pub fn parse(text: &str) -> Result<DeliveryReceipt, ReceiptError> {
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if trimmed.is_empty() {
        return Err(ReceiptError::Empty);
    }
    let starts = field_starts(text);
    let mut id: Option<String> = None;
    let mut seen_stat = false;
    let mut r = DeliveryReceipt::new(String::new(), MessageState::Other(0));
    for (n, f) in starts.iter().enumerate() {
        let key = classify(f.key);
        if key == Key::Text {
            r.text = Some(text.get(f.value_at..).unwrap_or("").to_owned());
            break;
        }
        let end = starts.get(n + 1).map_or(text.len(), |next| next.at);
        let value = text
            .get(f.value_at..end)
            .unwrap_or("")
            .trim_matches(|c: char| c.is_ascii_whitespace());
        match key {
            Key::Id if id.is_none() => id = Some(value.to_owned()),
            Key::Sub if r.submitted_raw.is_none() => {
                r.submitted = parse_u32(value);
                r.submitted_raw = Some(value.to_owned());
            }
            Key::Dlvr if r.delivered_raw.is_none() => {
                r.delivered = parse_u32(value);
                r.delivered_raw = Some(value.to_owned());
            }
            Key::SubmitDate if r.submit_date_raw.is_none() => {
                r.submit_date = ReceiptDate::parse(value);
                r.submit_date_raw = Some(value.to_owned());
            }
            Key::DoneDate if r.done_date_raw.is_none() => {
                r.done_date = ReceiptDate::parse(value);
                r.done_date_raw = Some(value.to_owned());
            }
            Key::Stat if !seen_stat => {
                seen_stat = true;
                r.state = parse_stat(value);
                r.stat_raw = Some(value.to_owned());
            }
            Key::Err if r.err.is_none() => {
                r.err_code = parse_u32(value);
                r.err = Some(value.to_owned());
            }
            _ => r.extra.push((f.key.to_owned(), value.to_owned())),
        }
    }
    if id.is_none() && !seen_stat {
        let start: String = trimmed.chars().take(40).collect();
        return Err(ReceiptError::NotAReceipt {
            preview: shape(&start),
        });
    }
    r.id = id.unwrap_or_default();
    Ok(r)
}

/// The shape of a text that may hold personal data: `key:` names and punctuation kept,
/// every other alphanumeric char (any script) as `*`.
fn shape(s: &str) -> String {
    let keys: Vec<(usize, usize)> = field_starts(s).iter().map(|f| (f.at, f.value_at)).collect();
    s.char_indices()
        .map(|(i, c)| {
            let in_key = keys.iter().any(|&(a, b)| a <= i && i < b);
            if !in_key && c.is_alphanumeric() {
                '*'
            } else {
                c
            }
        })
        .collect()
}

/// A delivery receipt's text made safe to log: `id:`, `sub:`, `dlvr:`, the dates, `stat:` and
/// `err:` are kept as sent when they look like those fields (an id without spaces, at most
/// 65 characters; counts of up to 4 digits; dates of digits, `+`, `-` or `R`; a state word;
/// an error code of up to 8 letters and digits); the value of `text:` (the start of the
/// message) becomes `text(value)`, and every other value (unknown fields, a known field that
/// does not look like one, words before the first field) `other(value)`. `None` when the
/// text has neither an `id:` nor a `stat:` field.
///
/// ```
/// let masked = esme::receipt::redact(
///     "id:0000002a sub:001 dlvrd:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:Card 4111 1111 1111 ",
///     &|t: &str| "*".repeat(t.chars().count()),
///     &|t: &str| t.to_string(),
/// );
/// assert_eq!(
///     masked.as_deref(),
///     Some("id:0000002a sub:001 dlvrd:001 submit date:2611261015 done date:2611261016 stat:DELIVRD err:000 text:********************")
/// );
/// ```
pub fn redact(
    s: &str,
    text: &dyn Fn(&str) -> String,
    other: &dyn Fn(&str) -> String,
) -> Option<String> {
    let starts = field_starts(s);
    // A receipt as `parse` sees one: an id or a stat before the text (which takes the rest).
    if !starts
        .iter()
        .take_while(|f| classify(f.key) != Key::Text)
        .any(|f| matches!(classify(f.key), Key::Id | Key::Stat))
    {
        return None;
    }
    let mut out = String::with_capacity(s.len() + 8);
    let first = starts.first().map_or(s.len(), |f| f.at);
    let before = s.get(..first).unwrap_or("");
    if !before.trim().is_empty() {
        out.push_str(&other(before));
    } else {
        out.push_str(before);
    }
    for (n, f) in starts.iter().enumerate() {
        out.push_str(s.get(f.at..f.value_at).unwrap_or(""));
        let key = classify(f.key);
        if key == Key::Text {
            out.push_str(&text(s.get(f.value_at..).unwrap_or("")));
            return Some(out);
        }
        let end = starts.get(n + 1).map_or(s.len(), |next| next.at);
        let raw = s.get(f.value_at..end).unwrap_or("");
        let v = raw.trim_matches(|c: char| c.is_ascii_whitespace());
        let digits = |max: usize, extra: &[u8]| {
            v.len() <= max && v.bytes().all(|b| b.is_ascii_digit() || extra.contains(&b))
        };
        let looks_right = match key {
            Key::Id => !v.is_empty() && v.len() <= 65 && !v.contains(|c: char| c.is_whitespace()),
            Key::Sub | Key::Dlvr => digits(4, &[]),
            Key::SubmitDate | Key::DoneDate => digits(16, b"+-R"),
            Key::Stat => v.len() <= 13 && v.bytes().all(|b| b.is_ascii_alphabetic()),
            Key::Err => v.len() <= 8 && v.bytes().all(|b| b.is_ascii_alphanumeric()),
            Key::Text | Key::Unknown => false,
        };
        if looks_right || v.is_empty() {
            out.push_str(raw);
        } else {
            out.push_str(&other(raw));
        }
    }
    Some(out)
}

/// Decodes bytes as Latin-1 (each byte is the `char` of the same value, so decoding is
/// lossless and never fails; ASCII is unchanged), drops trailing NUL padding.
fn decode(bytes: &[u8]) -> String {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    bytes
        .get(..end)
        .unwrap_or(&[])
        .iter()
        .map(|&b| char::from(b))
        .collect()
}

/// [`parse`] for the raw `short_message` bytes: decoded as Latin-1 (lossless, so non-UTF-8
/// input never fails to decode), with trailing NUL bytes dropped.
///
/// # Errors
///
/// As [`parse`].
pub fn parse_bytes(b: &[u8]) -> Result<DeliveryReceipt, ReceiptError> {
    parse(&decode(b))
}

/// Builds a receipt from a `deliver_sm`: its `short_message` and its receipt TLVs.
///
/// TLVs win: a non-empty `receipted_message_id` replaces the text's `id:` (trailing NULs
/// removed) and `message_state` replaces the state parsed from `stat:` (`stat_raw` keeps
/// the text as sent); the text fills every other field. `network_error_code` goes to
/// [`DeliveryReceipt::network_error`]. When the text is not a receipt but both the id and
/// state TLVs are present, the receipt is built from the TLVs alone.
///
/// # Errors
///
/// The error of [`parse_bytes`] when the text is not a receipt and the id or the state
/// TLV is missing.
pub fn from_deliver(
    short_message: &[u8],
    receipted_message_id: Option<&str>,
    message_state: Option<MessageState>,
    network_error_code: Option<(u8, u16)>,
) -> Result<DeliveryReceipt, ReceiptError> {
    let tlv_id = receipted_message_id
        .map(|s| s.trim_end_matches('\0'))
        .filter(|s| !s.is_empty());
    let mut r = match (parse_bytes(short_message), tlv_id, message_state) {
        (Ok(r), _, _) => r,
        (Err(_), Some(id), Some(state)) => {
            let mut r = DeliveryReceipt::new(id, state);
            r.stat_raw = None;
            r
        }
        (Err(e), _, _) => return Err(e),
    };
    if let Some(id) = tlv_id {
        r.id = id.to_owned();
    }
    if let Some(state) = message_state {
        r.state = state;
    }
    r.network_error = network_error_code;
    Ok(r)
}

/// Whether a `submit_sm_resp` message id and a receipt id name the same message.
///
/// SMSCs often report the id in another base in the receipt than in the response (hex
/// `1A2B` answered, decimal `6699` in the receipt, or the reverse), or zero-pad it. The
/// ids match when, with neither empty:
///
/// 1. they are equal as strings; or
/// 2. both are hex digits only and are equal ignoring ASCII case, or are the same hex
///    number (so leading zeros are ignored: `00ab` matches `AB`, `0012345` matches
///    `12345`); or
/// 3. one read as hex equals the other read as decimal (both must be digits of their
///    base only, no sign or prefix, and fit in a `u64`; leading zeros are fine).
///
/// Rule 3 is inherently ambiguous (`10` matches `16`), so when tracking many messages,
/// look the receipt id up exactly first and fall back to this only when that fails.
pub fn ids_match(submit_resp_id: &str, receipt_id: &str) -> bool {
    let (a, b) = (submit_resp_id, receipt_id);
    if a.is_empty() || b.is_empty() {
        return false;
    }
    if a == b || (a.eq_ignore_ascii_case(b) && is_hex(a) && is_hex(b)) {
        return true;
    }
    let (a_hex, b_hex) = (parse_u64(a, 16), parse_u64(b, 16));
    let (a_dec, b_dec) = (parse_u64(a, 10), parse_u64(b, 10));
    let same = |x: Option<u64>, y: Option<u64>| x.is_some() && x == y;
    same(a_hex, b_hex) || same(a_hex, b_dec) || same(a_dec, b_hex)
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_ascii_whitespace_only() {
        assert_eq!(tokens("  a\tbc \u{a0}d  "), vec![(2, 3), (4, 6), (7, 10)]);
        assert!(tokens("   ").is_empty());
    }

    #[test]
    fn key_syntax() {
        assert_eq!(key_len("id:1"), Some(2));
        assert_eq!(key_len("submit_date:1"), Some(11));
        assert_eq!(key_len("12:30"), None);
        assert_eq!(key_len(":x"), None);
        assert_eq!(key_len("a.b:x"), None);
        assert_eq!(key_len("nocolon"), None);
    }

    #[test]
    fn dates_validate_ranges() {
        assert_eq!(
            ReceiptDate::parse("2402291530"),
            ReceiptDate::new(2024, 2, 29, 15, 30, 0)
        );
        assert!(ReceiptDate::parse("2302291530").is_none()); // not a leap year
        assert!(ReceiptDate::parse("2313011200").is_none());
        assert!(ReceiptDate::parse("2301002400").is_none());
        assert!(ReceiptDate::parse("230101246").is_none());
        assert!(ReceiptDate::parse("230101120060").is_none());
        assert!(ReceiptDate::parse("23010112005").is_none());
        assert!(ReceiptDate::parse("+301011200").is_none());
        assert_eq!(
            ReceiptDate::parse("230101120059").map(|d| d.to_string()),
            Some("230101120059".to_owned())
        );
        assert!(ReceiptDate::new(1999, 1, 1, 0, 0, 0).is_none());
    }

    #[test]
    fn stat_words() {
        assert_eq!(parse_stat("delivrd"), MessageState::Delivered);
        assert_eq!(parse_stat("Undeliverable"), MessageState::Undeliverable);
        assert_eq!(parse_stat("DELIV"), MessageState::Other(0));
        for v in 1..=8 {
            let st = MessageState::from_u8(v);
            assert_eq!(stat_word(st).map(parse_stat), Some(st));
        }
    }
}
