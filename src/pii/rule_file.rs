//! The JSON rule file (format: docs/pii.md "Rule file"), `{"rules": [{"name": …, …}, …]}`, into
//! [`Rule`]s; every mistake is named with its rule and key.

use serde_json::{Map, Value};

use super::error::PiiError;
use super::rule::{MaskStyle, Rule, Validator, DEFAULT_GROUP, DEFAULT_PRIORITY};

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

pub(super) fn parse_rules(text: &str, path: &str) -> Result<Vec<Rule>, PiiError> {
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
        Some("phone") => Some(Validator::Phone),
        Some("standalone") => Some(Validator::Standalone),
        Some(other) => {
            return Err(bad(format!(
                "unknown validator \"{other}\" (luhn, iban, card, phone or standalone)"
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
}
