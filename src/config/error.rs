//! [`ConfigError`]: why a configuration was refused, in one line.

use std::fmt;
use std::path::PathBuf;

/// Why a configuration was refused. `Display` is one line naming the option, the bad value
/// (never a secret's) and what is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// An option name esme does not know.
    Unknown {
        /// The name as given.
        name: String,
        /// The known option it most likely meant.
        suggestion: Option<&'static str>,
    },
    /// A value that is not valid for its option.
    Invalid {
        /// The option.
        name: &'static str,
        /// The value as given; `None` for the secret options.
        value: Option<String>,
        /// What is wrong, e.g. "must be an integer from 1 to 1000".
        why: String,
    },
    /// A required option is not given.
    Missing {
        /// The option.
        name: &'static str,
        /// What it is for, or which other setting needs it.
        why: &'static str,
    },
    /// Two options that contradict each other.
    Conflict {
        /// The option reported.
        name: &'static str,
        /// The option it conflicts with.
        other: &'static str,
        /// Both values and the rule, in one line.
        why: String,
    },
    /// An option given twice.
    Duplicate {
        /// The option.
        name: &'static str,
        /// The line of its first occurrence (files and text only).
        first_line: Option<usize>,
    },
    /// A line of a file that is not a header, an option, a comment or blank.
    Syntax {
        /// What is wrong (the line's text is not repeated: it may hold a secret).
        why: String,
    },
    /// The configuration file cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        why: String,
    },
    /// An error found in a file or text, with where it is.
    File {
        /// The file; `None` for [`Config::parse_str`](super::Config::parse_str).
        path: Option<PathBuf>,
        /// The line (1-based), when the error belongs to one.
        line: Option<usize>,
        /// The error.
        error: Box<ConfigError>,
    },
}

impl ConfigError {
    /// The option the error is about, if it is about one.
    pub fn option(&self) -> Option<&str> {
        match self {
            ConfigError::Unknown { name, .. } => Some(name),
            ConfigError::Invalid { name, .. }
            | ConfigError::Missing { name, .. }
            | ConfigError::Conflict { name, .. }
            | ConfigError::Duplicate { name, .. } => Some(name),
            ConfigError::File { error, .. } => error.option(),
            ConfigError::Syntax { .. } | ConfigError::Read { .. } => None,
        }
    }
}

/// Writes text from outside with control characters escaped, so the error stays one line.
pub(super) fn one_line(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    for c in s.chars() {
        if c.is_control() {
            write!(f, "{}", c.escape_debug())?;
        } else {
            write!(f, "{c}")?;
        }
    }
    Ok(())
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Unknown { name, suggestion } => {
                f.write_str("unknown option '")?;
                one_line(f, name)?;
                match suggestion {
                    Some(s) => write!(f, "' (did you mean '{s}'?)"),
                    None => f.write_str("'"),
                }
            }
            ConfigError::Invalid { name, value, why } => match value {
                Some(v) if v.is_empty() => write!(f, "{name} is empty: {why}"),
                Some(v) => {
                    write!(f, "{name} = ")?;
                    one_line(f, v)?;
                    write!(f, ": {why}")
                }
                None => write!(f, "{name}: {why} (value not shown)"),
            },
            ConfigError::Missing { name, why } => write!(f, "missing option {name}: {why}"),
            ConfigError::Conflict { why, .. } => f.write_str(why),
            ConfigError::Duplicate { name, first_line } => match first_line {
                Some(l) => write!(f, "{name} is given twice (first on line {l})"),
                None => write!(f, "{name} is given twice"),
            },
            ConfigError::Syntax { why } => f.write_str(why),
            ConfigError::Read { path, why } => {
                write!(
                    f,
                    "cannot read configuration file {}: {why}",
                    path.display()
                )
            }
            ConfigError::File { path, line, error } => {
                match (path, line) {
                    (Some(p), Some(l)) => write!(f, "{}:{l}: ", p.display())?,
                    (Some(p), None) => write!(f, "{}: ", p.display())?,
                    (None, Some(l)) => write!(f, "line {l}: ")?,
                    (None, None) => {}
                }
                error.fmt(f)
            }
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::File { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}

pub(super) fn missing(name: &'static str, why: &'static str) -> ConfigError {
    ConfigError::Missing { name, why }
}
