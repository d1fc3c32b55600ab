//! PII masking: the three Genesys page-mode privacy requests, done locally.
//!
//! In page mode a Genesys business process masks personal data with three ESP requests:
//! `DataByGroup`, `DataByRule` and `DataByRegEx`; Chat Server masks by replacing characters
//! with `*`. This module does the same inside the media server, so message text can be masked
//! before it is stored or logged:
//!
//! - [`RuleSet::mask_by_group`](crate::pii::RuleSet::mask_by_group) (DataByGroup): every rule of a
//!   group, in priority order;
//! - [`RuleSet::mask_by_rule`](crate::pii::RuleSet::mask_by_rule) (DataByRule): one named rule;
//! - [`mask_by_regex`](crate::pii::mask_by_regex) (DataByRegEx): an ad-hoc regex, every char of
//!   each match masked.
//!
//! Rules come from [`RuleSet::builtin`](crate::pii::RuleSet::builtin) (group `"default"`: payment
//! cards, IBANs, e-mail addresses, E.164, international, national and North American phone
//! numbers, US SSNs, one-time codes; group `"genesys"`: Genesys Privacy Manager's three
//! hard-coded rules), from a JSON
//! rule file ([`RuleSet::from_json`](crate::pii::RuleSet::from_json),
//! [`RuleSet::from_file`](crate::pii::RuleSet::from_file), format in docs/pii.md "Rule file"), or
//! from code ([`RuleSet::from_rules`](crate::pii::RuleSet::from_rules)).
//!
//! Text is handled as chars: a masked char becomes exactly one mask char whatever its UTF-8 length
//! (Cyrillic, CJK, emoji), so the output is always valid UTF-8 and, for every style but
//! [`MaskStyle::Replace`](crate::pii::MaskStyle::Replace), has the input's char count. Offsets in
//! [`MaskResult::spans`](crate::pii::MaskResult::spans) are char offsets into the caller's input.
//!
//! Regexes use `regex-lite` syntax: linear-time matching (no backreferences, no lookaround,
//! no atomic groups or possessive quantifiers: a rule using one is refused with the construct
//! named and how to write it without), ASCII-only `\d`, `\w` and `\b` (so a digit next to a
//! Cyrillic or CJK letter is at a word boundary). A backtracking engine would accept more
//! regexes, but on SMS text anyone can send it can be made to take exponential time. The
//! masking itself is one pass per rule. A fragment of a longer text (a message part, a
//! receipt's `text:`) is masked with [`RuleSet::mask_fragment`](crate::pii::RuleSet::mask_fragment),
//! which also masks the words cut at its ends.
//!
//! ```
//! use esme::pii::RuleSet;
//!
//! let rules = RuleSet::builtin();
//! let r = rules.mask_by_group("card 4111 1111 1111 1111, mail ivan@example.ru", "default")?;
//! assert_eq!(r.text, "card ***************1111, mail ***************");
//! assert_eq!(r.count, 2);
//! assert_eq!(r.spans, vec![(5, 24), (31, 46)]);
//! # Ok::<(), esme::pii::PiiError>(())
//! ```
//!
//! The files, each using only files listed before it (`tests/layers.rs` keeps it so; this file
//! only declares and re-exports): `error.rs`, `rule.rs`, `fragment.rs` (the words at a cut),
//! `unsupported.rs` (the constructs refused, and their rewrites) (leaves); `builtin.rs`,
//! `validate.rs`, `rule_file.rs` (the JSON rule file), `compile.rs`; `mask.rs`; `rule_set.rs`.

mod builtin;
mod compile;
mod error;
mod fragment;
mod mask;
mod rule;
mod rule_file;
mod rule_set;
mod unsupported;
mod validate;

pub use builtin::{
    BUILTIN_CARD, BUILTIN_EMAIL, BUILTIN_IBAN, BUILTIN_ONE_TIME_CODE, BUILTIN_PHONE_E164,
    BUILTIN_PHONE_INTERNATIONAL, BUILTIN_PHONE_NANP, BUILTIN_PHONE_NATIONAL, BUILTIN_SSN,
    GENESYS_CARD, GENESYS_CARD_NAME, GENESYS_GROUP, GENESYS_PHONE, GENESYS_PHONE_NAME, GENESYS_SSN,
    GENESYS_SSN_NAME,
};
pub use error::PiiError;
pub use fragment::Cut;
pub use mask::MaskResult;
pub use rule::{MaskStyle, Rule, Validator, DEFAULT_GROUP, DEFAULT_PRIORITY};
pub use rule_set::{mask_by_regex, RuleSet};
pub use validate::{iban, luhn};
