//! A masking [`Rule`] as the caller writes it: name, regex, priority, group, how a match is
//! masked ([`MaskStyle`]) and the check it must pass first ([`Validator`]).

/// The group of the built-in rules, and of file rules that name no group.
pub const DEFAULT_GROUP: &str = "default";

/// The priority of a file rule that names none: after every rule that does.
pub const DEFAULT_PRIORITY: u32 = u32::MAX;

/// How the chars of a match are masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MaskStyle {
    /// Every char of the match becomes the mask char.
    Full,
    /// The first N chars stay, the rest are masked.
    KeepFirst(usize),
    /// The last N chars stay, the rest are masked.
    KeepLast(usize),
    /// The first N and the last M chars stay, the middle is masked.
    KeepFirstLast(usize, usize),
    /// Only the capture groups (every group ≥ 1 that took part in the match) are masked; a
    /// regex without groups masks the whole match.
    Groups,
    /// The match is replaced by this text (the only style that changes the char count).
    Replace(String),
}

/// A check a match must pass to be masked (it stays as it is otherwise).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Validator {
    /// The digits of the match (other chars ignored; at least 2) pass the Luhn check.
    Luhn,
    /// The match without spaces is an IBAN: 2 letters, 2 digits, 11–30 letters or digits,
    /// the length registered for the country (when the country is in esme's table of IBAN
    /// countries; other country codes are refused), and ISO 7064 mod-97 = 1.
    Iban,
    /// A payment card number: [`Validator::Luhn`], 13–19 digits, a plausible issuer (first
    /// digit 3–6, or 2200–2204 (Mir), or 2221–2720 (Mastercard)), and not an SMPP time (a
    /// run of digits directly followed by `+` or `-`, as in `261126101500004+`).
    Card,
    /// A phone number: 9–17 digits, and between them at most one kind of separator (space,
    /// `.`, `-` or `/`; parentheses around a group aside), so `020 7946 0958` and
    /// `0171/1234567` pass but a date and time such as `01.02.2026 10` does not.
    Phone,
    /// No digit directly before or after the match: what Genesys' rules write as the
    /// look-around `(?<=\D)…(?=\D)`, which the linear-time engine does not have.
    Standalone,
}

/// One masking rule (a Genesys Privacy Manager rule: name, regex, priority, group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique within a [`RuleSet`](super::RuleSet); the `DataByRule` key.
    pub name: String,
    /// `regex-lite` syntax.
    pub regex: String,
    /// 1 is applied first; equal priorities keep the order the rules were given in.
    pub priority: u32,
    /// The `DataByGroup` key.
    pub group: String,
    pub style: MaskStyle,
    /// The char a masked char becomes (default `*`).
    pub mask_char: char,
    /// When set, a match is masked only if it validates.
    pub validate: Option<Validator>,
}

impl Rule {
    /// A rule with the defaults: priority [`DEFAULT_PRIORITY`], group [`DEFAULT_GROUP`],
    /// [`MaskStyle::Full`], mask char `*`, no validator.
    pub fn new(name: impl Into<String>, regex: impl Into<String>) -> Rule {
        Rule {
            name: name.into(),
            regex: regex.into(),
            priority: DEFAULT_PRIORITY,
            group: DEFAULT_GROUP.to_string(),
            style: MaskStyle::Full,
            mask_char: '*',
            validate: None,
        }
    }
}
