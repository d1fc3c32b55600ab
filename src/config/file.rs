//! The readers: options one by one ([`Loader`], for [`Config::from_options`] and files) and
//! the channel section file format ([`Config::from_file`], [`Config::parse_str`]).

use super::error::ConfigError;
use super::fields::Config;
use super::options::{lookup, IGNORED};
use super::secret::wipe;
use super::spec::{OptionSpec, Order};
use super::suggest::unknown;
use super::values::unquote;
use std::path::Path;

/// Collects options, refusing unknown and repeated names, and applies them. The options that
/// change another one (their row says `Order::Last`) apply after all the others, so the order
/// of the options does not matter.
pub(super) struct Loader {
    config: Config,
    given: Vec<Given>,
    /// The options applied last, with their values (none is a secret).
    last: Vec<(&'static OptionSpec, String)>,
}

/// An option given: its row, its line (files only) and its value (not kept for a secret).
struct Given {
    spec: &'static OptionSpec,
    line: Option<usize>,
    value: Option<String>,
}

impl Loader {
    pub(super) fn new() -> Loader {
        Loader {
            config: Config::blank(),
            given: Vec::new(),
            last: Vec::new(),
        }
    }

    pub(super) fn entry(
        &mut self,
        key: &str,
        value: &str,
        line: Option<usize>,
    ) -> Result<(), ConfigError> {
        let key = key.trim();
        let value = unquote(value.trim());
        self.config.given.0.push(key.to_string());
        if IGNORED.contains(&key) {
            return Ok(());
        }
        let spec = lookup(key).ok_or_else(|| unknown(key))?;
        if let Some(first) = self.given.iter().find(|g| g.spec.name == spec.name) {
            return Err(ConfigError::Duplicate {
                name: spec.name,
                first_line: first.line,
            });
        }
        self.given.push(Given {
            spec,
            line,
            value: (!spec.secret).then(|| value.to_string()),
        });
        match spec.order {
            Order::InTurn => (spec.apply)(&mut self.config, spec, value)?,
            Order::Last { .. } => {
                // Checked now, on a copy, so that a bad value is reported with its line.
                (spec.apply)(&mut self.config.clone(), spec, value)?;
                self.last.push((spec, value.to_string()));
            }
        }
        Ok(())
    }

    pub(super) fn finish(mut self, channel: Option<String>) -> Result<Config, ConfigError> {
        for (spec, value) in std::mem::take(&mut self.last) {
            let before = self.config.clone();
            (spec.apply)(&mut self.config, spec, &value)?;
            let Order::Last { other, conflict } = spec.order else {
                continue;
            };
            let other_given = self.given.iter().find(|g| g.spec.name == other);
            if let (true, Some(o)) = (conflict && self.config != before, other_given) {
                return Err(ConfigError::Conflict {
                    name: spec.name,
                    other,
                    why: format!(
                        "{} = {value} conflicts with {other} = {}: remove one of them",
                        spec.name,
                        o.value.as_deref().unwrap_or("***"),
                    ),
                });
            }
        }
        self.config.channel = channel;
        self.config.validate()?;
        Ok(self.config)
    }
}

/// Reads a channel section file; the text is wiped from memory after reading (it may hold
/// passwords).
pub(super) fn read(path: &Path) -> Result<Config, ConfigError> {
    let bytes = crate::files::read_capped(path, crate::files::MAX_TEXT_FILE).map_err(|e| {
        ConfigError::Read {
            path: path.to_path_buf(),
            why: e.to_string(),
        }
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            wipe(bytes);
            return Err(ConfigError::File {
                path: Some(path.to_path_buf()),
                line: Some(line),
                error: Box::new(ConfigError::Syntax {
                    why: "not UTF-8 text: save the file as UTF-8".to_string(),
                }),
            });
        }
    };
    let result = parse(&text, Some(path));
    wipe(text.into_bytes());
    result
}

/// Reads a channel section; errors carry `path` (if any) and the line.
pub(super) fn parse(text: &str, path: Option<&Path>) -> Result<Config, ConfigError> {
    let at = |line: Option<usize>, error: ConfigError| ConfigError::File {
        path: path.map(Path::to_path_buf),
        line,
        error: Box::new(error),
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut header: Option<(String, usize)> = None;
    let mut loader = Loader::new();
    let mut options_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let syntax = |why: String| at(Some(n), ConfigError::Syntax { why });
            let name = rest
                .strip_suffix(']')
                .ok_or_else(|| syntax("section header without its closing ']'".to_string()))?
                .trim();
            if name.is_empty() {
                return Err(syntax("empty section header '[]'".to_string()));
            }
            if let Some((first, l)) = &header {
                return Err(syntax(format!(
                    "a second section header [{name}] (the first, [{first}], is on line {l}): \
                     a file holds one channel section"
                )));
            }
            if options_seen {
                return Err(syntax(format!(
                    "section header [{name}] after options: it must come before them"
                )));
            }
            header = Some((name.to_string(), n));
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            return Err(at(
                Some(n),
                ConfigError::Syntax {
                    why: "expected 'option = value', a [section] header, or a comment starting \
                          with # or ;"
                        .to_string(),
                },
            ));
        };
        if key.trim().is_empty() {
            return Err(at(
                Some(n),
                ConfigError::Syntax {
                    why: "an option line without an option name before '='".to_string(),
                },
            ));
        }
        options_seen = true;
        loader
            .entry(key, value, Some(n))
            .map_err(|e| at(Some(n), e))?;
    }
    loader
        .finish(header.map(|(name, _)| name))
        .map_err(|e| at(None, e))
}

/// The text of a channel section with every secret shown as `***`, for printing the section
/// a program uses: the value of each secret option (see [`OptionSpec::secret`]) is replaced,
/// and so is the value of every option the table does not know (it may be a misspelt
/// password option) and every line that is not `option = value` (a password pasted on a
/// line of its own). Comment lines keep their text, except the value of a secret option
/// commented out. Lines, names and spacing are kept; an empty value stays empty.
pub(super) fn masked(text: &str) -> String {
    const MASK: &str = "***";
    let hide = |line: &str, eq: usize| {
        let value = &line[eq + 1..];
        if value.trim().is_empty() {
            return line.to_string();
        }
        let space = &value[..value.len() - value.trim_start().len()];
        format!("{}{space}{MASK}", &line[..=eq])
    };
    let secret = |key: &str| lookup(key.trim()).is_some_and(|s| s.secret);
    let known = |key: &str| {
        let key = key.trim();
        IGNORED.contains(&key) || lookup(key).is_some_and(|s| !s.secret)
    };
    let mut out = String::with_capacity(text.len());
    for raw in text.strip_prefix('\u{FEFF}').unwrap_or(text).lines() {
        let line = raw.trim();
        let shown = if line.is_empty() || (line.starts_with('[') && line.ends_with(']')) {
            raw.to_string()
        } else if line.starts_with('#') || line.starts_with(';') {
            match raw.find('=') {
                Some(eq) if secret(raw[..eq].trim_start().trim_start_matches(['#', ';'])) => {
                    hide(raw, eq)
                }
                _ => raw.to_string(),
            }
        } else {
            match raw.find('=') {
                Some(eq) if known(&raw[..eq]) => raw.to_string(),
                Some(eq) => hide(raw, eq),
                None => MASK.to_string(),
            }
        };
        out.push_str(&shown);
        out.push('\n');
    }
    out
}
