//! [`RuleSet`]: compiled rules by name and group, and the three Genesys requests
//! (DataByRule, DataByGroup, DataByRegEx).

use std::path::Path;
use std::sync::Arc;

use super::builtin::builtin_rules;
use super::compile::{compile, Compiled, Prefilter};
use super::error::PiiError;
use super::fragment::{mask_edges, Cut};
use super::mask::{mask_chain, MaskResult};
use super::rule::{MaskStyle, Rule};
use super::rule_file::parse_rules;

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

impl RuleSet {
    /// The built-in rules. Group [`DEFAULT_GROUP`], in this order (priority 1–9):
    /// `payment-card` (keep the last 4 chars, [`Validator::Card`]), `iban`
    /// ([`Validator::Iban`]), `email`, `us-ssn`, `phone-e164`, `phone-nanp`,
    /// `phone-international` and `phone-national` ([`Validator::Phone`]), `one-time-code`
    /// (only the digits masked). Group [`GENESYS_GROUP`]: Genesys Privacy Manager's three
    /// hard-coded rules under their Genesys names, rewritten for the linear-time engine
    /// ([`Validator::Standalone`] does their look-around). The regexes are the `BUILTIN_*` and
    /// `GENESYS_*` constants.
    ///
    /// [`DEFAULT_GROUP`]: super::DEFAULT_GROUP
    /// [`GENESYS_GROUP`]: super::GENESYS_GROUP
    /// [`Validator::Card`]: super::Validator::Card
    /// [`Validator::Iban`]: super::Validator::Iban
    /// [`Validator::Phone`]: super::Validator::Phone
    /// [`Validator::Standalone`]: super::Validator::Standalone
    pub fn builtin() -> RuleSet {
        // Compiled once per process; every caller shares it.
        static BUILTIN: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(RuleSet::compile_builtin).clone()
    }

    fn compile_builtin() -> RuleSet {
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

    /// Parses a JSON rule file (format: docs/pii.md "Rule file").
    pub fn from_json(text: &str) -> Result<RuleSet, PiiError> {
        RuleSet::from_rules(parse_rules(text, "<json>")?)
    }

    /// Reads and parses a JSON rule file: a regular file of at most 4 MiB (a directory, a
    /// device or a FIFO is refused before it is opened, so reading never blocks or runs on).
    pub fn from_file(path: impl AsRef<Path>) -> Result<RuleSet, PiiError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let bad = |why: String| PiiError::BadFile {
            path: shown.clone(),
            line: None,
            why,
        };
        let bytes = crate::files::read_capped(path, crate::files::MAX_RULE_FILE)
            .map_err(|e| bad(e.to_string()))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            bad(format!(
                "not UTF-8 (at octet {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        RuleSet::from_rules(parse_rules(&text, &shown)?)
    }

    /// These rules followed by the built-in ones (a rule named like a built-in is
    /// [`PiiError::DuplicateRule`]). File rules in group `"default"` join the built-ins there,
    /// ordered by priority.
    pub fn with_builtins(self) -> Result<RuleSet, PiiError> {
        let mut rules: Vec<Rule> = self.inner.rules.iter().map(|c| c.rule.clone()).collect();
        let mut needs: Vec<Prefilter> = self.inner.rules.iter().map(|c| c.needs).collect();
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

    /// The same rules with every mask char replaced by `mask_char` (what `esme mask
    /// --mask-char` does for `--group` and `--rule`). Shares the compiled regexes.
    pub fn with_mask_char(&self, mask_char: char) -> RuleSet {
        self.map_rules(|r| Rule {
            mask_char,
            ..r.clone()
        })
    }

    /// The same rules with the keep-first/keep-last styles masking the whole match: what
    /// esme's own logs use, so a log line keeps no digit of a card number (a display may
    /// show the last four; a log has no need to). `groups` and `replace` are unchanged.
    pub fn with_whole_matches(&self) -> RuleSet {
        self.map_rules(|r| match r.style {
            MaskStyle::KeepFirst(_) | MaskStyle::KeepLast(_) | MaskStyle::KeepFirstLast(..) => {
                Rule {
                    style: MaskStyle::Full,
                    ..r.clone()
                }
            }
            _ => r.clone(),
        })
    }

    fn map_rules(&self, f: impl Fn(&Rule) -> Rule) -> RuleSet {
        let rules = self
            .inner
            .rules
            .iter()
            .map(|c| Compiled {
                rule: f(&c.rule),
                re: c.re.clone(),
                anchored: c.anchored.clone(),
                has_groups: c.has_groups,
                needs: c.needs,
            })
            .collect();
        RuleSet {
            inner: Arc::new(Inner {
                rules,
                groups: self.inner.groups.clone(),
            }),
        }
    }

    /// DataByGroup for a fragment of a longer text (a part of a concatenated message, a
    /// receipt's `text:`): a card number or an address cut in two is no longer a whole match,
    /// so at each cut the word touching it, and each next word that holds a digit or `@`, is
    /// a group of 2–4 capitals and digits, or is only separators, is masked whole with `*`
    /// first; then the group's rules run. `spans` and `count` include the masked words (one
    /// span per run of them).
    pub fn mask_fragment(&self, text: &str, group: &str, cut: Cut) -> Result<MaskResult, PiiError> {
        let (edged, edges) = mask_edges(text, cut);
        let mut r = self.mask_by_group(&edged, group)?;
        if !edges.is_empty() {
            r.spans.extend(edges);
            r.spans.sort_unstable();
            r.count = r.spans.len();
        }
        Ok(r)
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
///
/// [`MaskStyle::Full`]: super::MaskStyle::Full
pub fn mask_by_regex(text: &str, regex: &str, mask_char: char) -> Result<MaskResult, PiiError> {
    let rule = Rule {
        mask_char,
        ..Rule::new("DataByRegEx", regex)
    };
    let c = compile(rule)?;
    Ok(mask_chain(text, std::iter::once(&c)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_set_is_send_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<RuleSet>();
    }
}
