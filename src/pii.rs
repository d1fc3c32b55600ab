//! PII masking: the three Genesys page-mode privacy requests, done locally.
//!
//! In page mode a Genesys business process masks personal data with three ESP requests:
//! `DataByGroup`, `DataByRule` and `DataByRegEx`; Chat Server masks by replacing characters
//! with `*`. This module does the same inside the media server, so message text can be masked
//! before it is stored or logged:
//!
//! - [`RuleSet::mask_by_group`] (DataByGroup): every rule of a group, in priority order;
//! - [`RuleSet::mask_by_rule`] (DataByRule): one named rule;
//! - [`mask_by_regex`] (DataByRegEx): an ad-hoc regex, every char of each match masked.
//!
//! Rules come from [`RuleSet::builtin`] (group `"default"`: payment cards, IBANs, e-mail
//! addresses, E.164 and North American phone numbers, US SSNs), from a JSON rule file
//! ([`RuleSet::from_json`], [`RuleSet::from_file`], format in the README "PII masking"), or
//! from code ([`RuleSet::from_rules`]).
//!
//! Text is handled as chars: a masked char becomes exactly one mask char whatever its UTF-8
//! length (Cyrillic, CJK, emoji), so the output is always valid UTF-8 and, for every style but
//! [`MaskStyle::Replace`], has the input's char count. Offsets in [`MaskResult::spans`] are char
//! offsets into the caller's input.
//!
//! Regexes use `regex-lite` syntax: linear-time matching (no backreferences, no lookaround),
//! ASCII-only `\d`, `\w` and `\b` (so a digit next to a Cyrillic or CJK letter is at a word
//! boundary). The masking itself is one pass per rule.
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

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use regex_lite::Regex;
use serde_json::{Map, Value};

/// The group of the built-in rules, and of file rules that name no group.
pub const DEFAULT_GROUP: &str = "default";

/// The priority of a file rule that names none: after every rule that does.
pub const DEFAULT_PRIORITY: u32 = u32::MAX;

/// Matches this long (bytes) or shorter that fail their validator are retried: first their
/// prefixes that end before a separator, then the search resumes at their second token.
const RETRY_MAX_BYTES: usize = 64;
/// How many prefixes of a failed match are tried at most.
const RETRY_MAX_PREFIXES: usize = 8;
/// How many searches one rule makes in one text (one per match, per refused candidate, and
/// the last one that finds nothing). A search costs up to the text's length times the
/// regex's size, and some regexes (`x+y|x` over "xxxx…") need a search per character: a
/// 20 000-character text took 4 s. After this many, the rest of the text is masked whole:
/// bounded time, and nothing left unmasked that the rule might have matched.
const MAX_SEARCHES: usize = 256;

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
}

/// One masking rule (a Genesys Privacy Manager rule: name, regex, priority, group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique within a [`RuleSet`]; the `DataByRule` key.
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

/// What a masking call did.
///
/// `spans` has one entry per masked match (so `spans.len() == count`): the whole match (not
/// only the chars that changed), as a half-open range of **char** offsets into the **input**
/// text given to the call, sorted by start. With several rules (a group) every rule sees the
/// text the previous one left, and its matches are mapped back to the input: with the
/// length-keeping styles positions do not move; after a [`MaskStyle::Replace`] a later match
/// that touches replacement text is widened to the whole input range that was replaced.
/// Spans of different rules may overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MaskResult {
    pub text: String,
    pub count: usize,
    pub spans: Vec<(usize, usize)>,
}

/// Errors of rule loading and masking calls. Display is one line that names the rule.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PiiError {
    /// The rule's regex does not compile.
    BadRegex { rule: String, why: String },
    /// `mask_by_rule` with a name the set does not have.
    UnknownRule { name: String, known: Vec<String> },
    /// `mask_by_group` with a group the set does not have.
    UnknownGroup { name: String, known: Vec<String> },
    /// Two rules with one name.
    DuplicateRule { name: String },
    /// The rule file cannot be read or is not the expected JSON (`line` when known, 1-based).
    BadFile {
        path: String,
        line: Option<usize>,
        why: String,
    },
    /// A rule in the file has a missing, unknown or ill-typed key.
    BadRule { rule: String, why: String },
}

impl fmt::Display for PiiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PiiError::BadRegex { rule, why } => {
                write!(f, "PII rule \"{rule}\": bad regex: {}", one_line(why))
            }
            PiiError::UnknownRule { name, known } => {
                write!(
                    f,
                    "unknown PII rule \"{name}\" (known: {})",
                    known.join(", ")
                )
            }
            PiiError::UnknownGroup { name, known } => {
                write!(
                    f,
                    "unknown PII group \"{name}\" (known: {})",
                    known.join(", ")
                )
            }
            PiiError::DuplicateRule { name } => write!(f, "PII rule \"{name}\" is defined twice"),
            PiiError::BadFile {
                path,
                line: Some(line),
                why,
            } => {
                write!(f, "PII rule file {path}: line {line}: {}", one_line(why))
            }
            PiiError::BadFile {
                path,
                line: None,
                why,
            } => {
                write!(f, "PII rule file {path}: {}", one_line(why))
            }
            PiiError::BadRule { rule, why } => write!(f, "PII rule \"{rule}\": {}", one_line(why)),
        }
    }
}

impl std::error::Error for PiiError {}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A compiled rule.
#[derive(Debug)]
struct Compiled {
    rule: Rule,
    re: Regex,
    /// `^(?:regex)$`, for retrying prefixes of a match that failed its validator.
    anchored: Option<Regex>,
    /// The regex has capture groups (for [`MaskStyle::Groups`]).
    has_groups: bool,
    /// A byte the text must contain for the rule to match at all (built-ins only).
    needs: Option<u8>,
}

#[derive(Debug)]
struct Inner {
    /// In the order given.
    rules: Vec<Compiled>,
    /// Group name → rule indexes in application order; groups in first-appearance order.
    groups: Vec<(String, Vec<usize>)>,
}

/// A compiled set of rules. `Send + Sync`; cloning shares the compiled rules (an `Arc`).
#[derive(Debug, Clone)]
pub struct RuleSet {
    inner: Arc<Inner>,
}

/// The built-in rules: (name, regex, style, validator, a byte the text must contain).
fn builtin_rules() -> Vec<(Rule, Option<u8>)> {
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

impl RuleSet {
    /// The built-in rules, all in group [`DEFAULT_GROUP`], in this order (priority 1–6):
    /// `payment-card` (keep the last 4 chars, [`Validator::Card`]), `iban`
    /// ([`Validator::Iban`]), `email`, `us-ssn`, `phone-e164`, `phone-nanp`. The regexes are
    /// the `BUILTIN_*` constants.
    pub fn builtin() -> RuleSet {
        let rules = builtin_rules();
        let mut compiled = Vec::with_capacity(rules.len());
        for (rule, needs) in rules {
            let mut c = compile(rule).expect("built-in PII rules compile");
            c.needs = needs;
            compiled.push(c);
        }
        RuleSet::assemble(compiled).expect("built-in PII rule names are unique")
    }

    /// Compiles rules given in code. Errors: [`PiiError::DuplicateRule`],
    /// [`PiiError::BadRegex`], [`PiiError::BadRule`] (empty name or group).
    pub fn from_rules(rules: Vec<Rule>) -> Result<RuleSet, PiiError> {
        let compiled = rules
            .into_iter()
            .map(compile)
            .collect::<Result<Vec<_>, _>>()?;
        RuleSet::assemble(compiled)
    }

    /// Parses a JSON rule file (format: README "PII masking").
    pub fn from_json(text: &str) -> Result<RuleSet, PiiError> {
        RuleSet::from_rules(parse_rules(text, "<json>")?)
    }

    /// Reads and parses a JSON rule file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<RuleSet, PiiError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| PiiError::BadFile {
            path: shown.clone(),
            line: None,
            why: e.to_string(),
        })?;
        RuleSet::from_rules(parse_rules(&text, &shown)?)
    }

    /// These rules followed by the built-in ones (a rule named like a built-in is
    /// [`PiiError::DuplicateRule`]). File rules in group `"default"` join the built-ins there,
    /// ordered by priority.
    pub fn with_builtins(self) -> Result<RuleSet, PiiError> {
        let mut rules: Vec<Rule> = self.inner.rules.iter().map(|c| c.rule.clone()).collect();
        let mut needs: Vec<Option<u8>> = self.inner.rules.iter().map(|c| c.needs).collect();
        for (rule, need) in builtin_rules() {
            rules.push(rule);
            needs.push(need);
        }
        let mut compiled = rules
            .into_iter()
            .map(compile)
            .collect::<Result<Vec<_>, _>>()?;
        for (c, need) in compiled.iter_mut().zip(needs) {
            c.needs = need;
        }
        RuleSet::assemble(compiled)
    }

    fn assemble(rules: Vec<Compiled>) -> Result<RuleSet, PiiError> {
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, c) in rules.iter().enumerate() {
            if rules[..i].iter().any(|d| d.rule.name == c.rule.name) {
                return Err(PiiError::DuplicateRule {
                    name: c.rule.name.clone(),
                });
            }
            match groups.iter_mut().find(|(g, _)| *g == c.rule.group) {
                Some((_, members)) => members.push(i),
                None => groups.push((c.rule.group.clone(), vec![i])),
            }
        }
        for (_, members) in &mut groups {
            // Stable: equal priorities keep the given order.
            members.sort_by_key(|&i| rules[i].rule.priority);
        }
        Ok(RuleSet {
            inner: Arc::new(Inner { rules, groups }),
        })
    }

    /// Rule names in the order given.
    pub fn rule_names(&self) -> Vec<&str> {
        self.inner
            .rules
            .iter()
            .map(|c| c.rule.name.as_str())
            .collect()
    }

    /// Group names in the order they first appear.
    pub fn groups(&self) -> Vec<&str> {
        self.inner.groups.iter().map(|(g, _)| g.as_str()).collect()
    }

    /// The rule with this name.
    pub fn rule(&self, name: &str) -> Option<&Rule> {
        self.inner
            .rules
            .iter()
            .find(|c| c.rule.name == name)
            .map(|c| &c.rule)
    }

    /// The names of a group's rules in the order `mask_by_group` applies them.
    pub fn group_rules(&self, group: &str) -> Option<Vec<&str>> {
        let (_, members) = self.inner.groups.iter().find(|(g, _)| g == group)?;
        Some(
            members
                .iter()
                .map(|&i| self.inner.rules[i].rule.name.as_str())
                .collect(),
        )
    }

    /// DataByRule: masks the matches of one rule.
    pub fn mask_by_rule(&self, text: &str, rule: &str) -> Result<MaskResult, PiiError> {
        let c = self
            .inner
            .rules
            .iter()
            .find(|c| c.rule.name == rule)
            .ok_or_else(|| PiiError::UnknownRule {
                name: rule.to_string(),
                known: self.rule_names().iter().map(|s| s.to_string()).collect(),
            })?;
        Ok(mask_chain(text, std::iter::once(c)))
    }

    /// DataByGroup: the group's rules in priority order (ties: the order given), each applied
    /// to the text the previous one left.
    pub fn mask_by_group(&self, text: &str, group: &str) -> Result<MaskResult, PiiError> {
        let (_, members) = self
            .inner
            .groups
            .iter()
            .find(|(g, _)| g == group)
            .ok_or_else(|| PiiError::UnknownGroup {
                name: group.to_string(),
                known: self.groups().iter().map(|s| s.to_string()).collect(),
            })?;
        Ok(mask_chain(
            text,
            members.iter().map(|&i| &self.inner.rules[i]),
        ))
    }
}

/// DataByRegEx: every char of every match of `regex` becomes `mask_char` ([`MaskStyle::Full`]).
/// The regex is compiled on each call; for repeated use build a [`RuleSet`].
pub fn mask_by_regex(text: &str, regex: &str, mask_char: char) -> Result<MaskResult, PiiError> {
    let rule = Rule {
        mask_char,
        ..Rule::new("DataByRegEx", regex)
    };
    let c = compile(rule)?;
    Ok(mask_chain(text, std::iter::once(&c)))
}

fn compile(rule: Rule) -> Result<Compiled, PiiError> {
    if rule.name.is_empty() {
        return Err(PiiError::BadRule {
            rule: rule.name,
            why: "empty name".into(),
        });
    }
    if rule.group.is_empty() {
        return Err(PiiError::BadRule {
            rule: rule.name,
            why: "empty group".into(),
        });
    }
    let bad = |e: regex_lite::Error| PiiError::BadRegex {
        rule: rule.name.clone(),
        why: e.to_string(),
    };
    let re = Regex::new(&rule.regex).map_err(bad)?;
    // A regex that matches the empty string finds an empty match wherever nothing longer
    // starts, and masking then has to search again one character on: a search per
    // character, each of which can scan to the end of the text (a fuzzed rule took seconds
    // for a 3 kB text). It masks nothing there anyway: refuse it.
    if re.is_match("") {
        return Err(PiiError::BadRegex {
            rule: rule.name,
            why: "it matches the empty string (so it matches at every position and masks \
                  nothing there): make every alternative match at least one character, \
                  e.g. + instead of *"
                .into(),
        });
    }
    let anchored = match rule.validate {
        Some(_) => Some(Regex::new(&format!("^(?:{})$", rule.regex)).map_err(bad)?),
        None => None,
    };
    let has_groups = re.captures_len() > 1;
    Ok(Compiled {
        rule,
        re,
        anchored,
        has_groups,
        needs: None,
    })
}

// ---------------------------------------------------------------------------------------------
// Masking

/// One masked match of one rule, in the char offsets of the text that rule saw.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    /// Chars the match became.
    out_len: usize,
}

/// A stretch of the current text that came from a replacement: current chars
/// `[cur.0, cur.1)` stand for input chars `[orig.0, orig.1)`. Outside pieces, current and input
/// chars correspond one to one (shifted by the pieces before).
#[derive(Debug, Clone, Copy)]
struct Piece {
    cur: (usize, usize),
    orig: (usize, usize),
}

/// Maps current char offsets to input char offsets.
fn map_start(pieces: &[Piece], x: usize) -> usize {
    let i = pieces.partition_point(|p| p.cur.0 <= x);
    if i == 0 {
        return x;
    }
    let p = pieces[i - 1];
    if x < p.cur.1 {
        p.orig.0
    } else {
        x - p.cur.1 + p.orig.1
    }
}

fn map_end(pieces: &[Piece], y: usize) -> usize {
    // The end of the char before `y`.
    if y == 0 {
        return map_start(pieces, 0);
    }
    let last = y - 1;
    let i = pieces.partition_point(|p| p.cur.0 <= last);
    if i == 0 {
        return y;
    }
    let p = pieces[i - 1];
    if last < p.cur.1 {
        p.orig.1
    } else {
        y - p.cur.1 + p.orig.1
    }
}

/// The pieces after a rule made `hits` (sorted, disjoint) in the text the old pieces describe.
fn compose(old: &[Piece], hits: &[Hit]) -> Vec<Piece> {
    let mut out = Vec::with_capacity(old.len() + hits.len());
    let mut delta: isize = 0;
    let mut pi = 0;
    let shift = |x: usize, d: isize| (x as isize + d) as usize;
    for h in hits.iter().filter(|h| h.out_len != h.end - h.start) {
        while pi < old.len() && old[pi].cur.1 <= h.start {
            let p = old[pi];
            out.push(Piece {
                cur: (shift(p.cur.0, delta), shift(p.cur.1, delta)),
                orig: p.orig,
            });
            pi += 1;
        }
        let (mut cs, mut ce) = (h.start, h.end);
        let (mut os, mut oe) = (map_start(old, h.start), map_end(old, h.end));
        // Old pieces the hit touches are swallowed (widening the new piece to cover them).
        while pi < old.len() && old[pi].cur.0 < h.end {
            let p = old[pi];
            cs = cs.min(p.cur.0);
            ce = ce.max(p.cur.1);
            os = os.min(p.orig.0);
            oe = oe.max(p.orig.1);
            pi += 1;
        }
        let grow = h.out_len as isize - (h.end - h.start) as isize;
        out.push(Piece {
            cur: (shift(cs, delta), shift(ce, delta + grow)),
            orig: (os, oe),
        });
        delta += grow;
    }
    for p in &old[pi..] {
        out.push(Piece {
            cur: (shift(p.cur.0, delta), shift(p.cur.1, delta)),
            orig: p.orig,
        });
    }
    out
}

/// Applies rules one after the other; spans mapped back to the input.
fn mask_chain<'a>(text: &str, rules: impl Iterator<Item = &'a Compiled>) -> MaskResult {
    let mut current: Option<String> = None;
    let mut pieces: Vec<Piece> = Vec::new();
    let mut spans = Vec::new();
    for c in rules {
        let input = current.as_deref().unwrap_or(text);
        let Some((out, hits)) = apply(c, input) else {
            continue;
        };
        for h in &hits {
            spans.push((map_start(&pieces, h.start), map_end(&pieces, h.end)));
        }
        if hits.iter().any(|h| h.out_len != h.end - h.start) {
            pieces = compose(&pieces, &hits);
        }
        current = Some(out);
    }
    spans.sort_unstable();
    MaskResult {
        text: current.unwrap_or_else(|| text.to_string()),
        count: spans.len(),
        spans,
    }
}

/// One rule over `text`: the masked text and the hits, or None when nothing was masked.
fn apply(c: &Compiled, text: &str) -> Option<(String, Vec<Hit>)> {
    if let Some(b) = c.needs {
        if !text.as_bytes().contains(&b) {
            return None;
        }
    }
    let use_groups = c.rule.style == MaskStyle::Groups && c.has_groups;
    let mut out = String::new();
    let mut hits = Vec::new();
    // `out` holds text[..copied] masked; `chars` is the char count of text[..counted].
    let mut copied = 0;
    let (mut counted, mut chars) = (0, 0);
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut at = 0;
    let mut searches = 0;
    while at <= text.len() {
        if searches == MAX_SEARCHES {
            // The budget is spent: text[at..] is masked whole, as one more hit.
            if at < text.len() {
                if out.capacity() == 0 {
                    out.reserve(text.len());
                }
                out.push_str(&text[copied..at]);
                let start = chars + text[counted..at].chars().count();
                let n = text[at..].chars().count();
                out.extend(std::iter::repeat_n(c.rule.mask_char, n));
                hits.push(Hit {
                    start,
                    end: start + n,
                    out_len: n,
                });
                copied = text.len();
            }
            break;
        }
        searches += 1;
        groups.clear();
        let (s, e) = if use_groups {
            let Some(caps) = c.re.captures_at(text, at) else {
                break;
            };
            let m = caps.get(0).expect("group 0 always matches");
            groups.extend(
                (1..caps.len())
                    .filter_map(|i| caps.get(i))
                    .map(|g| (g.start(), g.end())),
            );
            (m.start(), m.end())
        } else {
            let Some(m) = c.re.find_at(text, at) else {
                break;
            };
            (m.start(), m.end())
        };
        if s == e {
            // Empty matches mask nothing; step over one char.
            at = next_boundary(text, e);
            continue;
        }
        let (s, e) = match c.rule.validate {
            None => (s, e),
            Some(v) if validate(v, text, s, e) => (s, e),
            Some(v) => match retry_prefix(c, v, text, s, e, use_groups.then_some(&mut groups)) {
                Some(p) => (s, p),
                None => {
                    at = retry_resume(text, s, e);
                    continue;
                }
            },
        };
        at = if e > at { e } else { next_boundary(text, e) };
        // What to mask, as byte ranges inside [s, e).
        let style = &c.rule.style;
        let masked_any = if use_groups {
            groups.retain(|&(gs, ge)| ge > gs);
            !groups.is_empty()
        } else {
            true
        };
        if !masked_any {
            continue;
        }
        if out.capacity() == 0 {
            out.reserve(text.len());
        }
        out.push_str(&text[copied..s]);
        chars += text[counted..s].chars().count();
        let m = &text[s..e];
        let n = m.chars().count();
        let mask = c.rule.mask_char;
        let out_len = match style {
            MaskStyle::Replace(r) => {
                out.push_str(r);
                r.chars().count()
            }
            _ if use_groups => {
                groups.sort_unstable();
                let mut gi = 0;
                for (b, ch) in m.char_indices() {
                    let pos = s + b;
                    while gi < groups.len() && groups[gi].1 <= pos {
                        gi += 1;
                    }
                    let inside = groups[gi..]
                        .iter()
                        .take_while(|g| g.0 <= pos)
                        .any(|g| pos < g.1);
                    out.push(if inside { mask } else { ch });
                }
                n
            }
            _ => {
                let (keep_first, keep_last) = match *style {
                    MaskStyle::KeepFirst(a) => (a, 0),
                    MaskStyle::KeepLast(b) => (0, b),
                    MaskStyle::KeepFirstLast(a, b) => (a, b),
                    _ => (0, 0),
                };
                // Never reveal a whole match: keeping it all masks it all.
                let (keep_first, keep_last) = if keep_first.saturating_add(keep_last) >= n {
                    (0, 0)
                } else {
                    (keep_first, keep_last)
                };
                for (i, ch) in m.chars().enumerate() {
                    out.push(if i < keep_first || i >= n - keep_last {
                        ch
                    } else {
                        mask
                    });
                }
                n
            }
        };
        hits.push(Hit {
            start: chars,
            end: chars + n,
            out_len,
        });
        chars += n;
        counted = e;
        copied = e;
    }
    if hits.is_empty() {
        return None;
    }
    out.push_str(&text[copied..]);
    Some((out, hits))
}

fn next_boundary(text: &str, i: usize) -> usize {
    match text[i..].chars().next() {
        Some(ch) => i + ch.len_utf8(),
        None => text.len() + 1,
    }
}

/// A failed match: the longest of its prefixes that end before a separator, match the whole
/// regex and validate. Returns the prefix end (and refills `groups` when given).
fn retry_prefix(
    c: &Compiled,
    v: Validator,
    text: &str,
    s: usize,
    e: usize,
    mut groups: Option<&mut Vec<(usize, usize)>>,
) -> Option<usize> {
    let anchored = c.anchored.as_ref()?;
    if e - s > RETRY_MAX_BYTES {
        return None;
    }
    let m = &text[s..e];
    let mut tries = 0;
    let mut prev_alnum = false;
    let mut ends: Vec<usize> = Vec::new();
    for (b, ch) in m.char_indices() {
        let alnum = ch.is_alphanumeric();
        if !alnum && prev_alnum {
            ends.push(s + b);
        }
        prev_alnum = alnum;
    }
    for &p in ends.iter().rev() {
        if tries == RETRY_MAX_PREFIXES {
            break;
        }
        tries += 1;
        if validate(v, text, s, p) {
            match groups.as_deref_mut() {
                Some(groups) => {
                    let Some(caps) = anchored.captures(&text[s..p]) else {
                        continue;
                    };
                    groups.clear();
                    groups.extend(
                        (1..caps.len())
                            .filter_map(|i| caps.get(i))
                            .map(|g| (s + g.start(), s + g.end())),
                    );
                    return Some(p);
                }
                None if anchored.is_match(&text[s..p]) => return Some(p),
                None => {}
            }
        }
    }
    None
}

/// Where the search goes on after a failed match: its second token (after the first
/// separator), when the match is short; its end otherwise.
fn retry_resume(text: &str, s: usize, e: usize) -> usize {
    if e - s <= RETRY_MAX_BYTES {
        let m = &text[s..e];
        let mut seen_sep = false;
        for (b, ch) in m.char_indices() {
            if !ch.is_alphanumeric() {
                seen_sep = true;
            } else if seen_sep {
                return s + b;
            }
        }
    }
    e
}

// ---------------------------------------------------------------------------------------------
// Validators

fn validate(v: Validator, text: &str, s: usize, e: usize) -> bool {
    let m = &text[s..e];
    match v {
        Validator::Luhn => luhn(m),
        Validator::Iban => iban(m),
        Validator::Card => card(text, s, e),
    }
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

// ---------------------------------------------------------------------------------------------
// The JSON rule file

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<Map<String, Value>>,
}

const RULE_KEYS: &[&str] = &[
    "name",
    "regex",
    "priority",
    "group",
    "mask",
    "mask_char",
    "validate",
    "description",
];

fn parse_rules(text: &str, path: &str) -> Result<Vec<Rule>, PiiError> {
    let file: RuleFile = serde_json::from_str(text).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        let msg = e.to_string();
        // serde_json appends " at line L column C"; the line has its own field.
        let why = match msg.rfind(" at line ") {
            Some(i) => format!("{} (column {})", &msg[..i], e.column()),
            None => msg,
        };
        PiiError::BadFile {
            path: path.to_string(),
            line,
            why,
        }
    })?;
    file.rules
        .iter()
        .enumerate()
        .map(|(i, r)| parse_rule(i, r))
        .collect()
}

fn parse_rule(index: usize, r: &Map<String, Value>) -> Result<Rule, PiiError> {
    let label = match r.get("name") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => format!("#{}", index + 1),
    };
    let bad = |why: String| PiiError::BadRule {
        rule: label.clone(),
        why,
    };
    if let Some(k) = r.keys().find(|k| !RULE_KEYS.contains(&k.as_str())) {
        return Err(bad(format!(
            "unknown key \"{k}\" (known: {})",
            RULE_KEYS.join(", ")
        )));
    }
    let string = |key: &str, required: bool| -> Result<Option<String>, PiiError> {
        match r.get(key) {
            None if required => Err(bad(format!("missing \"{key}\""))),
            None | Some(Value::Null) if !required => Ok(None),
            Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
            Some(v) => Err(bad(format!(
                "\"{key}\" must be a non-empty string, not {v}"
            ))),
            None => unreachable!("handled above"),
        }
    };
    let name = string("name", true)?.expect("required");
    let regex = string("regex", true)?.expect("required");
    let _ = string("description", false)?;
    let group = string("group", false)?.unwrap_or_else(|| DEFAULT_GROUP.to_string());
    let priority = match r.get("priority") {
        None | Some(Value::Null) => DEFAULT_PRIORITY,
        Some(v) => match v.as_u64() {
            Some(p) if p >= 1 && p <= u64::from(u32::MAX) => p as u32,
            _ => {
                return Err(bad(format!(
                    "\"priority\" must be an integer from 1 (highest), not {v}"
                )))
            }
        },
    };
    let style = match r.get("mask") {
        None | Some(Value::Null) => MaskStyle::Full,
        Some(Value::String(s)) => {
            parse_mask(s).ok_or_else(|| bad(format!("unknown mask \"{s}\" ({MASKS})")))?
        }
        Some(Value::Object(o)) => match (o.len(), o.get("replace")) {
            (1, Some(Value::String(t))) => MaskStyle::Replace(t.clone()),
            _ => {
                return Err(bad(format!(
                    "mask object must be {{\"replace\": TEXT}} ({MASKS})"
                )))
            }
        },
        Some(v) => {
            return Err(bad(format!(
                "\"mask\" must be a string or object, not {v} ({MASKS})"
            )))
        }
    };
    let mask_char = match string("mask_char", false)? {
        None => '*',
        Some(s) => {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(ch), None) => ch,
                _ => {
                    return Err(bad(format!(
                        "\"mask_char\" must be one character, not \"{s}\""
                    )))
                }
            }
        }
    };
    let validate = match string("validate", false)?.as_deref() {
        None => None,
        Some("luhn") => Some(Validator::Luhn),
        Some("iban") => Some(Validator::Iban),
        Some("card") => Some(Validator::Card),
        Some(other) => {
            return Err(bad(format!(
                "unknown validator \"{other}\" (luhn, iban or card)"
            )))
        }
    };
    Ok(Rule {
        name,
        regex,
        priority,
        group,
        style,
        mask_char,
        validate,
    })
}

const MASKS: &str =
    "full, keep-first-N, keep-last-N, keep-first-N-last-M, groups or {\"replace\": TEXT}";

fn parse_mask(s: &str) -> Option<MaskStyle> {
    let num = |t: &str| -> Option<usize> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    match s {
        "full" => return Some(MaskStyle::Full),
        "groups" => return Some(MaskStyle::Groups),
        _ => {}
    }
    if let Some(rest) = s.strip_prefix("keep-first-") {
        return match rest.split_once("-last-") {
            Some((a, b)) => Some(MaskStyle::KeepFirstLast(num(a)?, num(b)?)),
            None => Some(MaskStyle::KeepFirst(num(rest)?)),
        };
    }
    s.strip_prefix("keep-last-")
        .and_then(num)
        .map(MaskStyle::KeepLast)
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
    fn mask_parsing() {
        assert_eq!(
            parse_mask("keep-first-2-last-3"),
            Some(MaskStyle::KeepFirstLast(2, 3))
        );
        assert_eq!(parse_mask("keep-last-4"), Some(MaskStyle::KeepLast(4)));
        assert_eq!(parse_mask("keep-first-1"), Some(MaskStyle::KeepFirst(1)));
        assert_eq!(parse_mask("keep-first-"), None);
        assert_eq!(parse_mask("keep-last-+4"), None);
        assert_eq!(parse_mask("partial"), None);
    }

    #[test]
    fn piece_mapping() {
        // "ab[X]cd" where [X] (3 chars) replaced input chars 2..10.
        let pieces = vec![Piece {
            cur: (2, 5),
            orig: (2, 10),
        }];
        assert_eq!(map_start(&pieces, 1), 1);
        assert_eq!(map_start(&pieces, 3), 2);
        assert_eq!(map_end(&pieces, 4), 10);
        assert_eq!(map_start(&pieces, 5), 10);
        assert_eq!(map_end(&pieces, 7), 12);
        // A later replacement of cur 0..3 (touching the piece) swallows it.
        let next = compose(
            &pieces,
            &[Hit {
                start: 0,
                end: 3,
                out_len: 1,
            }],
        );
        assert_eq!(next.len(), 1);
        assert_eq!((next[0].cur, next[0].orig), ((0, 3), (0, 10)));
    }

    #[test]
    fn rule_set_is_send_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<RuleSet>();
    }
}
