//! [`PiiError`]: what went wrong loading rules or masking, in one line that names the rule.

use std::fmt;

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
