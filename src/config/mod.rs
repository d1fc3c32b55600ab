//! Channel configuration: a typed [`Config`](crate::config::Config), its
//! [`ConfigBuilder`](crate::config::ConfigBuilder), and the Genesys SMS driver option names
//! (named in code by [`Opt`](crate::config::Opt)), read from a list of options
//! ([`Config::from_options`](crate::config::Config::from_options)), a channel section file
//! ([`Config::from_file`](crate::config::Config::from_file)) or text
//! ([`Config::parse_str`](crate::config::Config::parse_str)).
//!
//! [`Config::options`](crate::config::Config::options) is the one table of options: for each,
//! its name, default, valid values and meaning (the docs' option table is generated from
//! them), and how its value is read into a `Config` and checked there. Every reader, the
//! builder's [`ConfigBuilder::option`](crate::config::ConfigBuilder::option),
//! [`Config::set`](crate::config::Config::set) and
//! [`Config::validate`](crate::config::Config::validate) go through that table. The table is
//! the only place that spells an option's name; everything else names it by its
//! [`Opt`](crate::config::Opt), whose `Display` is the name.
//!
//! Every error is one line naming the option, the bad value and what is valid, e.g. a window
//! size of 0 gives "(the option's name) = 0: must be an integer from 1 to 1000". The values of
//! the secret options (the bind password and the two PKCS#12 passwords) never appear in
//! errors or in `Debug` output.
//!
//! Files, each importing its siblings by path and none leaning on this one: `mod.rs` the
//! entry points (`Config::builder`, the readers, `set`, `validate`); `fields.rs` the
//! [`Config`](crate::config::Config) and [`TlsConfig`](crate::config::TlsConfig) structs;
//! `options.rs` the option table, `Opt`, the defaults and the rules between options;
//! `spec.rs` what a row is; `values.rs` reading and checking values; `tlvs.rs` the TLV
//! options; `choices.rs` the enumerated settings and their names; `file.rs` the readers
//! (option lists, section files); `builder.rs`; `error.rs`; `suggest.rs` (did you mean …?);
//! `secret.rs`.

use std::path::Path;

mod builder;
mod choices;
mod error;
mod fields;
mod file;
mod options;
mod secret;
mod spec;
mod suggest;
mod tlvs;
mod values;

#[cfg(test)]
mod tests;

pub use builder::ConfigBuilder;
pub use choices::{OutagePolicy, OutboundEncoding, ReceiptText, TlsMode, TlsVersion};
pub use error::ConfigError;
pub(crate) use fields::admission_limit;
pub use fields::{Config, OptionsGiven, TlsConfig};
pub use options::Opt;
pub use secret::Secret;
pub use spec::OptionSpec;

/// Which bind to open ([`Opt::BindMode`]): the session's own type.
pub use crate::session::BindMode;

use options::{ignored_because, IGNORED, OPTIONS};

impl Config {
    /// A builder for a configuration connecting to `host` as `system_id`, every other setting
    /// at its default.
    pub fn builder(host: impl Into<String>, system_id: impl Into<String>) -> ConfigBuilder {
        let mut config = Config::blank();
        config.host = host.into();
        config.system_id = system_id.into();
        ConfigBuilder { config }
    }

    /// The option table: every option's name, default, valid values and meaning, in the order
    /// the docs list them.
    pub fn options() -> &'static [OptionSpec] {
        OPTIONS
    }

    /// Genesys channel options that are not about SMPP (`driver-classname`, `inbound-route`,
    /// …): accepted and ignored, so a channel section can be pasted as it is.
    pub fn ignored_options() -> &'static [&'static str] {
        IGNORED
    }

    /// A configuration from Genesys options (name, value), names verbatim. Whitespace around
    /// names and values is trimmed, and a value in matching `"…"` or `'…'` quotes is unquoted.
    /// [`Opt::Host`] and [`Opt::SystemId`] are required; an option given twice is an error.
    ///
    /// The names as files spell them, or as [`Opt`]s:
    ///
    /// ```
    /// use esme::config::{Config, Opt};
    /// let c = Config::from_options([
    ///     (Opt::Host, "smsc.example.net"),
    ///     (Opt::SystemId, "esme01"),
    ///     (Opt::SubmitWindowSize, "50"),
    /// ]).unwrap();
    /// assert_eq!(c.window, 50);
    /// let same = Config::from_options(
    ///     [(Opt::Host, "smsc.example.net"), (Opt::SystemId, "esme01")]
    ///         .map(|(o, v)| (o.name(), v)),
    /// ).unwrap();
    /// assert_eq!(same.host, c.host);
    /// ```
    pub fn from_options<I, K, V>(opts: I) -> Result<Config, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut loader = file::Loader::new();
        for (k, v) in opts {
            loader.entry(k.as_ref(), v.as_ref(), None)?;
        }
        loader.finish(None)
    }

    /// Reads a channel section file (see [`Config::parse_str`] for the format). Errors name the
    /// file and, where there is one, the line (`path:line: …`).
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        file::read(path)
    }

    /// Reads a channel section from text: an optional `[channel-name]` header (one only),
    /// `option = value` lines, comment lines starting with `#` or `;`, and blank lines. Values
    /// follow [`Config::from_options`]'s rules; a `#` inside a value is part of the value.
    /// Errors name the line (`line 3: …`).
    pub fn parse_str(text: &str) -> Result<Config, ConfigError> {
        file::parse(text, None)
    }

    /// A channel section's text (as [`Config::parse_str`] reads it) with every secret shown
    /// as `***`, to print the section a program uses: the values of the secret options
    /// (the options marked secret: the bind password and the PKCS#12 passwords), of options the
    /// table does not know (a misspelt password option) and lines that are not
    /// `option = value` are masked, also a secret option commented out. Lines, option names
    /// and spacing are kept.
    ///
    /// ```
    /// use esme::config::{Config, Opt};
    /// let section = format!("[channel-sms]\n{} = smsc.example.net\n{} = hunter2\n", Opt::Host, Opt::Password);
    /// let shown = Config::masked_section(&section);
    /// assert_eq!(shown, section.replace("hunter2", "***"));
    /// ```
    pub fn masked_section(text: &str) -> String {
        file::masked(text)
    }

    /// Applies one option (name verbatim, value as in a file), e.g. a command line's
    /// `--set name=value` after loading a file. The value is checked; checks that involve
    /// several options run in [`Config::validate`]: call it after the last `set`.
    /// Unlike [`Config::from_options`], a later `set` simply wins: [`Opt::UseMsgPayload`]
    /// and [`Opt::Segmentation`] override each other, as do [`Opt::SubmitMaxRate`] and
    /// [`Opt::SubmitRateUnlimited`].
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let key = key.trim();
        if IGNORED.contains(&key) {
            self.given.0.push(key.to_string());
            return Ok(());
        }
        let spec = options::lookup(key).ok_or_else(|| suggest::unknown(key))?;
        (spec.apply)(self, spec, values::unquote(value.trim()))?;
        self.given.0.push(key.to_string());
        Ok(())
    }

    /// For a configuration read from a Genesys channel section: one line per option given
    /// that esme ignores (Genesys options that are not about SMPP, with why) and per option
    /// whose meaning, here, differs from the Genesys SMS driver's (with how). `esme check`
    /// prints them; [`Client::connect`](crate::Client::connect) logs them (info). An option
    /// given twice (by a file and `--set`) is said once.
    ///
    /// ```
    /// use esme::config::{Config, Opt};
    /// let c = Config::parse_str(&format!(
    ///     "{} = smsc\n{} = me\ninbound-route = 101:sms\n",
    ///     Opt::Host,
    ///     Opt::SystemId
    /// ))
    /// .unwrap();
    /// assert_eq!(c.genesys_notes().len(), 1);
    /// assert!(c.genesys_notes()[0].starts_with("inbound-route: ignored"));
    /// ```
    pub fn genesys_notes(&self) -> Vec<String> {
        let mut seen: Vec<&str> = Vec::new();
        let mut notes = Vec::new();
        for name in &self.given.0 {
            if seen.contains(&name.as_str()) {
                continue;
            }
            seen.push(name);
            if let Some(why) = ignored_because(name) {
                notes.push(format!("{name}: ignored ({why})"));
            } else if let Some(note) = options::lookup(name)
                .and_then(|spec| spec.genesys)
                .and_then(|differs| differs(self))
            {
                notes.push(format!("{name}: differs from the Genesys driver: {note}"));
            }
        }
        notes
    }

    /// Checks every setting (each option's own check, from the table) and the rules between
    /// them (e.g. [`Opt::ReceiveTimeout`] longer than [`Opt::EnquireLinkTimeout`]; `mutual`
    /// TLS needs a certificate). The readers and [`ConfigBuilder::build`] call it.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for spec in OPTIONS {
            (spec.check)(self, spec)?;
        }
        options::rules(self)
    }

    /// The PII rules that mask esme's logs: the built-in ones plus those of
    /// [`Opt::PiiRules`] (read and compiled now), checked to have the group
    /// [`Opt::LogMaskGroup`]. [`Config::validate`] calls it, so a loaded configuration has
    /// a readable rule file and an existing group.
    pub fn log_rules(&self) -> Result<crate::pii::RuleSet, ConfigError> {
        options::pii_rules(self)
    }
}
