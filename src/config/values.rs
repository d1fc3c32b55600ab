//! Reading and checking option values: integers, durations, booleans, texts.

use super::*;

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
    let secret = SECRETS.contains(&spec.name);
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

pub(super) fn check_host(v: &str) -> Result<(), ConfigError> {
    if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(must(spec("x-smpp-host"), v));
    }
    Ok(())
}

pub(super) fn check_inbound(e: Encoding) -> Result<(), ConfigError> {
    match e {
        Encoding::Gsm7 | Encoding::Gsm7Packed | Encoding::Ascii | Encoding::Latin1 => Ok(()),
        other => Err(must(
            spec("x-smpp-inbound-enc-default"),
            &format!("{other:?}").to_ascii_lowercase(),
        )),
    }
}

pub(super) fn path(v: &str) -> Option<PathBuf> {
    (!v.is_empty()).then(|| PathBuf::from(v))
}
