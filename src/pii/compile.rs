//! A [`Rule`] compiled: its regex (refused when it matches the empty string), the anchored
//! form that validator retries use, and what masking needs to know of it.

use regex_lite::Regex;

use super::error::PiiError;
use super::rule::Rule;
use super::unsupported;

/// A compiled rule.
#[derive(Debug)]
pub(super) struct Compiled {
    pub(super) rule: Rule,
    pub(super) re: Regex,
    /// `^(?:regex)$`, for retrying prefixes of a match that failed its validator.
    pub(super) anchored: Option<Regex>,
    /// The regex has capture groups (for [`MaskStyle::Groups`]).
    pub(super) has_groups: bool,
    /// What the text must hold for the rule to match at all (built-ins only).
    pub(super) needs: Prefilter,
}

/// What a text must hold for a built-in rule to match at all, checked before any search: most
/// texts have no card or phone number, and counting digits is much cheaper than a search.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Prefilter {
    /// A byte the text must contain.
    pub(super) byte: Option<u8>,
    /// How many ASCII digits it must contain at least.
    pub(super) digits: usize,
}

/// Checks and compiles one rule.
pub(super) fn compile(rule: Rule) -> Result<Compiled, PiiError> {
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
    // Look-around, atomic groups, possessive quantifiers, backreferences: named, with the way
    // to write the rule without them (regex-lite would say less, or read `a++` as `(?:a+)+`).
    if let Some(u) = unsupported::find(&rule.regex) {
        return Err(PiiError::BadRegex {
            why: u.why(&rule.regex),
            rule: rule.name,
        });
    }
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
        needs: Prefilter::default(),
    })
}
