//! Reading and checking option values: integers, durations, booleans, texts, choices. Each
//! function takes the option's row, for its range, unit and error messages.

use super::choices::TlsVersion;
use super::error::ConfigError;
use super::spec::{OptionSpec, Unit};
use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

pub(super) fn lower(v: &str) -> String {
    v.to_ascii_lowercase()
}

/// Strips one pair of matching `"` or `'` quotes.
pub(super) fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

/// A decimal or `0x` hexadecimal integer.
pub(super) fn parse_u64(v: &str) -> Option<u64> {
    if let Some(hex) = v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(hex, 16).ok()
    } else if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        v.parse().ok()
    } else {
        None
    }
}

pub(super) fn boolean(spec: &'static OptionSpec, v: &str) -> Result<bool, ConfigError> {
    match lower(v).as_str() {
        "true" | "yes" | "on" | "1" => Ok(true),
        "false" | "no" | "off" | "0" => Ok(false),
        _ => Err(must(spec, v)),
    }
}

/// An integer option's value, within its range.
pub(super) fn int(spec: &'static OptionSpec, v: &str) -> Result<u64, ConfigError> {
    let n = parse_u64(v).ok_or_else(|| must(spec, v))?;
    match spec.range {
        Some((lo, hi)) if n < lo || n > hi => Err(must(spec, v)),
        _ => Ok(n),
    }
}

pub(super) fn unit_duration(n: u64, unit: Unit) -> Duration {
    match unit {
        Unit::Secs => Duration::from_secs(n),
        Unit::Millis | Unit::Count => Duration::from_millis(n),
    }
}

/// A duration option's value, in the option's unit.
pub(super) fn dur(spec: &'static OptionSpec, v: &str) -> Result<Duration, ConfigError> {
    Ok(unit_duration(int(spec, v)?, spec.unit))
}

/// A duration as its option's number (`30`, `2.5`).
pub(super) fn shown(d: Duration, unit: Unit) -> String {
    let (whole, frac, scale) = match unit {
        Unit::Secs => (d.as_secs() as u128, d.subsec_nanos(), 1_000_000_000u32),
        Unit::Millis | Unit::Count => (d.as_millis(), d.subsec_nanos() % 1_000_000, 1_000_000),
    };
    if frac == 0 {
        return whole.to_string();
    }
    let digits = if scale == 1_000_000_000 { 9 } else { 6 };
    let frac = format!("{:0digits$}", frac, digits = digits);
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

pub(super) fn check_int(spec: &'static OptionSpec, n: u64) -> Result<(), ConfigError> {
    match spec.range {
        Some((lo, hi)) if n < lo || n > hi => Err(must(spec, &n.to_string())),
        _ => Ok(()),
    }
}

pub(super) fn check_dur(spec: &'static OptionSpec, d: Duration) -> Result<(), ConfigError> {
    match spec.range {
        Some((lo, hi)) if d < unit_duration(lo, spec.unit) || d > unit_duration(hi, spec.unit) => {
            Err(must(spec, &shown(d, spec.unit)))
        }
        _ => Ok(()),
    }
}

/// An SMPP C-Octet string field: at most `max` characters, each one octet (Latin-1), no NUL.
pub(super) fn check_text(
    spec: &'static OptionSpec,
    v: &str,
    max: usize,
) -> Result<(), ConfigError> {
    let secret = spec.secret;
    if let Some(c) = v.chars().find(|&c| c == '\0' || c as u32 > 0xFF) {
        let why = if c == '\0' {
            "must not hold a NUL character".to_string()
        } else if secret {
            "must hold only Latin-1 characters".to_string()
        } else {
            format!("must hold only Latin-1 characters (found '{c}')")
        };
        return Err(invalid(spec, v, why));
    }
    let len = v.chars().count();
    if len > max {
        let why = if secret {
            format!("must be at most {max} characters")
        } else {
            format!("must be at most {max} characters (this has {len})")
        };
        return Err(invalid(spec, v, why));
    }
    Ok(())
}

pub(super) fn text(spec: &'static OptionSpec, v: &str, max: usize) -> Result<String, ConfigError> {
    check_text(spec, v, max)?;
    Ok(v.to_string())
}

pub(super) fn check_host(spec: &'static OptionSpec, v: &str) -> Result<(), ConfigError> {
    if !v.contains(',')
        && v.trim()
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(must(spec, v));
    }
    host_list(v, 1)
        .map(|_| ())
        .map_err(|why| invalid(spec, v, &why))
}

/// The hosts of [`Opt::Host`](crate::config::Opt::Host)'s value, in order, each with its port
/// (`default_port` when the item has none): `smsc-a, smsc-b:2776, [::1]:2777, ::1`. An item
/// with more than one `:` and no brackets is an IPv6 address without a port.
pub(crate) fn host_list(v: &str, default_port: u16) -> Result<Vec<(String, u16)>, String> {
    let mut out = Vec::new();
    for (n, item) in v.split(',').enumerate() {
        let item = item.trim();
        let which = || format!("host {} of the list", n + 1);
        if item.is_empty() {
            return Err(if n == 0 && !v.contains(',') {
                "it is empty".to_string()
            } else {
                format!("{} is empty", which())
            });
        }
        if item.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("{} holds a space", which()));
        }
        let (name, port) = if let Some(rest) = item.strip_prefix('[') {
            let Some((name, after)) = rest.split_once(']') else {
                return Err(format!("{}: '[' without ']'", which()));
            };
            match after {
                "" => (name, None),
                p => match p.strip_prefix(':') {
                    Some(p) => (name, Some(p)),
                    None => {
                        return Err(format!(
                            "{}: ']' must end it or be followed by :port",
                            which()
                        ))
                    }
                },
            }
        } else if item.matches(':').count() > 1 {
            (item, None)
        } else {
            match item.split_once(':') {
                Some((name, p)) => (name, Some(p)),
                None => (item, None),
            }
        };
        if name.is_empty() {
            return Err(format!("{} has no name before its port", which()));
        }
        let port = match port {
            None => default_port,
            Some(p) => match p.parse::<u16>() {
                Ok(p) if p > 0 => p,
                _ => {
                    return Err(format!(
                        "{}: port '{p}' is not a number from 1 to 65535",
                        which()
                    ))
                }
            },
        };
        out.push((name.to_string(), port));
    }
    Ok(out)
}

/// One of `table`'s names, in any case.
pub(super) fn choose<T: Copy>(
    spec: &'static OptionSpec,
    v: &str,
    table: &[(&str, T)],
) -> Result<T, ConfigError> {
    let l = lower(v);
    table
        .iter()
        .find(|(name, _)| *name == l)
        .map(|&(_, value)| value)
        .ok_or_else(|| must(spec, v))
}

/// A choice set in code must be one the option can name ([`Opt::InboundEncDefault`](crate::config::Opt::InboundEncDefault) takes
/// only some of the encodings).
pub(super) fn check_choice<T: PartialEq + fmt::Debug>(
    spec: &'static OptionSpec,
    value: &T,
    table: &[(&str, T)],
) -> Result<(), ConfigError> {
    if table.iter().any(|(_, t)| t == value) {
        Ok(())
    } else {
        Err(must(spec, &format!("{value:?}").to_ascii_lowercase()))
    }
}

/// A TLS version: `1.2`, `1.3` (also `TLSv1.2`, `tls1.3`); older ones are refused, saying why.
pub(super) fn tls_version(spec: &'static OptionSpec, v: &str) -> Result<TlsVersion, ConfigError> {
    let l = lower(v);
    let n = l
        .strip_prefix("tlsv")
        .or_else(|| l.strip_prefix("tls"))
        .unwrap_or(&l)
        .trim();
    match n {
        "1.1" => Ok(TlsVersion::Tls11),
        "1.2" => Ok(TlsVersion::Tls12),
        "1.3" => Ok(TlsVersion::Tls13),
        "1.0" | "1" => Err(invalid(
            spec,
            v,
            "TLS 1.0 is deprecated by RFC 8996 and not supported: set 1.2 (or 1.3)",
        )),
        _ => Err(must(spec, v)),
    }
}

/// A path, or none when empty.
pub(super) fn path(v: &str) -> Option<PathBuf> {
    (!v.is_empty()).then(|| PathBuf::from(v))
}

/// The value is not valid for the option: names the option and, unless it is a secret,
/// the value.
pub(super) fn invalid(
    spec: &'static OptionSpec,
    value: &str,
    why: impl Into<String>,
) -> ConfigError {
    ConfigError::Invalid {
        name: spec.name,
        value: (!spec.secret).then(|| value.to_string()),
        why: why.into(),
    }
}

/// "must be" and the option's valid values.
pub(super) fn must(spec: &'static OptionSpec, value: &str) -> ConfigError {
    invalid(spec, value, format!("must be {}", spec.valid))
}

/// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
/// neighbours each cost 1.
pub(super) fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1)
                .min(d[i * w + j - 1] + 1)
                .min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}
