//! [`OptionSpec`]: a row of the option table, and how rows are built (the `opt!` rows of
//! `options.rs` call these).

use super::error::ConfigError;
use super::fields::Config;
use std::fmt;

/// The unit of an integer option's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Unit {
    /// A count (or a duration set in code, shown in milliseconds).
    Count,
    Secs,
    Millis,
}

/// Reads a value (trimmed and unquoted) into the configuration, or says why it cannot.
pub(super) type Apply = fn(&mut Config, &'static OptionSpec, &str) -> Result<(), ConfigError>;
/// Checks the configuration's value of the option (however it was set).
pub(super) type Check = fn(&Config, &'static OptionSpec) -> Result<(), ConfigError>;
/// How the option's meaning, with this configuration, differs from the Genesys SMS driver's:
/// one line for `esme check`, or `None` when it does not.
pub(super) type Genesys = fn(&Config) -> Option<String>;

/// One option: its name, default, valid values and meaning, as the docs' option table shows
/// them, and how its value is read and checked.
#[derive(Clone, Copy)]
#[non_exhaustive]
pub struct OptionSpec {
    /// The option name, verbatim (what [`Opt`](crate::config::Opt) displays).
    pub name: &'static str,
    /// The default as the option's text (`10`); empty when the default is empty or none,
    /// `required` when the option must be given.
    pub default: &'static str,
    /// The valid values (`an integer from 1 to 1000`); errors say "must be" this.
    pub valid: &'static str,
    /// What the option does.
    pub description: &'static str,
    /// A valid value, for examples and tests: the default, or a sample where the default is
    /// empty or `required` (`smsc.example.net`, `/etc/esme/client.p12`).
    pub example: &'static str,
    /// The value is a secret (a password): it never appears in errors or `Debug` output.
    pub secret: bool,
    pub(super) range: Option<(u64, u64)>,
    pub(super) unit: Unit,
    pub(super) apply: Apply,
    pub(super) check: Check,
    pub(super) order: Order,
    pub(super) genesys: Option<Genesys>,
}

/// When a reader of several options (a file, [`Config::from_options`]) applies an option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    /// In the order given.
    InTurn,
    /// After all the others, because it changes `other`'s value: so the order of the lines
    /// does not matter. With `conflict`, giving both with values that disagree is an error;
    /// without, this option wins.
    Last { other: &'static str, conflict: bool },
}

impl OptionSpec {
    /// A row with the documentation columns only: no range, applies nothing (a row must say
    /// how, a unit test checks), checks nothing.
    pub(super) const fn new(
        name: &'static str,
        default: &'static str,
        valid: &'static str,
        description: &'static str,
    ) -> OptionSpec {
        OptionSpec {
            name,
            default,
            valid,
            description,
            example: default,
            secret: false,
            range: None,
            unit: Unit::Count,
            apply: |_, spec, _| {
                Err(ConfigError::Unknown {
                    name: spec.name.to_string(),
                    suggestion: None,
                })
            },
            check: |_, _| Ok(()),
            order: Order::InTurn,
            genesys: None,
        }
    }

    /// How the option's meaning differs from the Genesys driver's, said by `esme check`.
    pub(super) const fn genesys(mut self, differs: Genesys) -> OptionSpec {
        self.genesys = Some(differs);
        self
    }

    pub(super) const fn range(mut self, lo: u64, hi: u64, unit: Unit) -> OptionSpec {
        self.range = Some((lo, hi));
        self.unit = unit;
        self
    }

    pub(super) const fn apply(mut self, apply: Apply) -> OptionSpec {
        self.apply = apply;
        self
    }

    pub(super) const fn check(mut self, check: Check) -> OptionSpec {
        self.check = check;
        self
    }

    /// A sample value (see [`OptionSpec::example`]), for a row whose default is empty or
    /// required.
    pub(super) const fn example(mut self, example: &'static str) -> OptionSpec {
        self.example = example;
        self
    }

    pub(super) const fn secret(mut self) -> OptionSpec {
        self.secret = true;
        self
    }

    pub(super) const fn last(mut self, other: &'static str, conflict: bool) -> OptionSpec {
        self.order = Order::Last { other, conflict };
        self
    }
}

impl fmt::Debug for OptionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OptionSpec")
            .field("name", &self.name)
            .field("default", &self.default)
            .field("valid", &self.valid)
            .field("description", &self.description)
            .field("example", &if self.secret { "***" } else { self.example })
            .field("secret", &self.secret)
            .finish_non_exhaustive()
    }
}

/// Rows are equal when they are the same option (a name is in the table once).
impl PartialEq for OptionSpec {
    fn eq(&self, other: &OptionSpec) -> bool {
        self.name == other.name
    }
}

impl Eq for OptionSpec {}
