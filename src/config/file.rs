//! Readers: options one by one ([`Loader`]) and the channel section file.

use super::*;

/// Collects options, refusing unknown and repeated names, and applies them. The two options
/// that modify another (`x-smpp-use-msg-payload`, `x-smpp-submit-rate-unlimited`) apply last,
/// so the order of the options does not matter.
pub(super) struct Loader {
    config: Config,
    seen: Vec<(&'static str, Option<usize>)>,
    use_payload: Option<bool>,
    unlimited: Option<bool>,
}

impl Loader {
    pub(super) fn new() -> Loader {
        Loader {
            config: Config::blank(),
            seen: Vec::new(),
            use_payload: None,
            unlimited: None,
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
        if IGNORED.contains(&key) {
            return Ok(());
        }
        let spec = lookup(key).ok_or_else(|| unknown(key))?;
        if let Some(&(_, first_line)) = self.seen.iter().find(|(n, _)| *n == spec.name) {
            return Err(ConfigError::Duplicate {
                name: spec.name,
                first_line,
            });
        }
        self.seen.push((spec.name, line));
        match spec.name {
            "x-smpp-use-msg-payload" => self.use_payload = Some(boolean(spec, value)?),
            "x-smpp-submit-rate-unlimited" => self.unlimited = Some(boolean(spec, value)?),
            _ => self.config.apply(spec, value)?,
        }
        Ok(())
    }

    pub(super) fn given(&self, name: &str) -> bool {
        self.seen.iter().any(|(n, _)| *n == name)
    }

    pub(super) fn finish(mut self, channel: Option<String>) -> Result<Config, ConfigError> {
        if let Some(on) = self.use_payload {
            let seg = self.config.segmentation;
            if self.given("x-smpp-segmentation") && on != (seg == SegmentMethod::Payload) {
                let seg_name = match seg {
                    SegmentMethod::Udh8 => "udh8",
                    SegmentMethod::Udh16 => "udh16",
                    SegmentMethod::Sar => "sar",
                    SegmentMethod::Payload => "payload",
                };
                return Err(ConfigError::Conflict {
                    name: "x-smpp-use-msg-payload",
                    other: "x-smpp-segmentation",
                    why: format!(
                        "x-smpp-use-msg-payload = {on} conflicts with x-smpp-segmentation = \
                         {seg_name}: remove one of them"
                    ),
                });
            }
            if on {
                self.config.segmentation = SegmentMethod::Payload;
            }
        }
        if self.unlimited == Some(true) {
            self.config.max_rate = None;
        }
        self.config.channel = channel;
        self.config.validate()?;
        Ok(self.config)
    }
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
