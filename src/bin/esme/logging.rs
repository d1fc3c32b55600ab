//! `--log LEVEL` and `ESME_LOG`: the library's log records on standard error, one line each:
//! `2026-06-01T10:15:00.123Z DEBUG channel esme::pdu: message`.

use crate::args::Args;
use esme::log::{set_sink, Level, Record};
use std::io::Write;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// The level asked for: `--log`, else `ESME_LOG`; `None` when neither.
pub fn level(a: &Args) -> Result<Option<Level>, String> {
    let (value, from) = match a.get("--log") {
        Some(v) => (v.to_string(), "--log"),
        None => match std::env::var("ESME_LOG") {
            Ok(v) if !v.trim().is_empty() => (v, "ESME_LOG"),
            _ => return Ok(None),
        },
    };
    Level::from_name(&value)
        .map(Some)
        .ok_or_else(|| format!("{from} {value}: expected error, warn, info, debug or trace"))
}

/// Installs the standard error sink when a level is asked for.
pub fn install(a: &Args) -> Result<(), String> {
    if let Some(min) = level(a)? {
        set(Some(min));
    }
    Ok(())
}

/// The standard error sink at `min`, or no sink.
pub fn set(min: Option<Level>) {
    set_sink(min.map(|m| (Arc::new(write_record) as _, m)));
}

/// One record as one line on standard error.
pub fn write_record(r: &Record<'_>) {
    let line = format!(
        "{} {:<5} {} {}: {}\n",
        utc_now(),
        r.level.name().to_uppercase(),
        if r.channel.is_empty() { "-" } else { r.channel },
        r.target,
        // One line per record, whatever the message holds.
        r.message.replace('\n', "\\n").replace('\r', "\\r")
    );
    // One write per line, so concurrent records do not interleave.
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// `YYYY-MM-DDThh:mm:ss.mmmZ`.
fn utc_now() -> String {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let secs = d.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        d.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_is_iso_8601_utc() {
        let t = utc_now();
        assert_eq!(t.len(), 24, "{t}");
        assert!(
            t.ends_with('Z') && &t[4..5] == "-" && &t[10..11] == "T",
            "{t}"
        );
    }
}
