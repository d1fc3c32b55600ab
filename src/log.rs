//! The library's one logging path: levels, a target per subsystem (`esme::client`, `esme::session`,
//! `esme::pdu`, `esme::sim`), the channel a record is about, and one process-wide
//! [`LogSink`](crate::log::LogSink) provided by the embedding program (the C API's log callback
//! is one; the `esme` command line tool's `--log` is another). Nothing is printed by default.
//! Records never carry a secret or personal data unmasked: esme only logs texts it composes,
//! passwords are redacted, and message text, receipt text and addresses go through the PII
//! masking rules.

use std::sync::atomic::{AtomicU8, Ordering::Relaxed};
use std::sync::{Arc, RwLock};

/// Severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Something failed.
    Error = 1,
    /// Something the operator should look at.
    Warn = 2,
    /// Normal operation worth a line (binds, reconnects).
    Info = 3,
    /// Detail for troubleshooting: the configuration, one line per PDU.
    Debug = 4,
    /// More detail: how each message was split and encoded, each inbound part and receipt.
    Trace = 5,
}

impl Level {
    /// Every level, most severe first.
    pub const ALL: [Level; 5] = [
        Level::Error,
        Level::Warn,
        Level::Info,
        Level::Debug,
        Level::Trace,
    ];

    /// `error`, `warn`, `info`, `debug` or `trace`.
    pub fn name(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
            Level::Trace => "trace",
        }
    }

    /// The level of a name (any case; `warning` for `warn`), else `None`.
    pub fn from_name(s: &str) -> Option<Level> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("warning") {
            return Some(Level::Warn);
        }
        Level::ALL
            .into_iter()
            .find(|l| l.name().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// One log line.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Severity.
    pub level: Level,
    /// Where it comes from, e.g. `esme::client`.
    pub target: &'a str,
    /// Which channel it is about: the `[section]` name of the configuration file, else the
    /// SMSC's host (the simulator: its listening address); empty when none.
    pub channel: &'a str,
    /// The line (one line: no line break).
    pub message: &'a str,
}

/// Where log records go: implemented by the embedding program (the C API's log callback
/// is one). It may be called from the library's I/O threads, concurrently; it must return
/// quickly and not call back into the client that logged.
pub trait LogSink: Send + Sync {
    /// Takes one record (borrowed for the call only).
    fn log(&self, record: &Record<'_>);
}

impl<F: Fn(&Record<'_>) + Send + Sync> LogSink for F {
    fn log(&self, record: &Record<'_>) {
        self(record)
    }
}

/// A shared sink.
pub type Sink = Arc<dyn LogSink>;

static SINK: RwLock<Option<(Sink, Level)>> = RwLock::new(None);
/// The least severe level the sink takes (0: no sink): [`enabled`] reads only this, so a
/// record nobody takes costs one atomic load, not a lock.
static MAX: AtomicU8 = AtomicU8::new(0);

/// Installs (or with `None` removes) the sink, logging records at `min` and above.
pub fn set_sink(sink: Option<(Sink, Level)>) {
    let max = sink.as_ref().map_or(0, |(_, min)| *min as u8);
    match SINK.write() {
        Ok(mut g) => *g = sink,
        Err(e) => *e.into_inner() = sink,
    }
    MAX.store(max, Relaxed);
}

/// Whether a record at `level` would be delivered.
pub fn enabled(level: Level) -> bool {
    level as u8 <= MAX.load(Relaxed)
}

/// Delivers a record without a channel to the sink, if any (see [`emit_in`]).
pub fn emit(level: Level, target: &str, message: &str) {
    emit_in(level, target, "", message)
}

/// Delivers a record about `channel` to the sink, if any. Never panics into the caller: a
/// panicking sink is caught.
pub fn emit_in(level: Level, target: &str, channel: &str, message: &str) {
    if !enabled(level) {
        return;
    }
    let sink = match SINK.read() {
        Ok(g) => g
            .as_ref()
            .filter(|(_, min)| level <= *min)
            .map(|(s, _)| s.clone()),
        Err(_) => None,
    };
    if let Some(s) = sink {
        let rec = Record {
            level,
            target,
            channel,
            message,
        };
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.log(&rec)));
    }
}

/// Tests that install the (process-wide) sink hold this, so they don't see each other's
/// records.
#[cfg(test)]
pub(crate) static TEST_SINK_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn levels_filter_and_a_panicking_sink_is_contained() {
        let _serial = TEST_SINK_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s2 = seen.clone();
        set_sink(Some((
            Arc::new(move |r: &Record<'_>| {
                if r.message == "boom" {
                    panic!("sink panics");
                }
                // Other tests' clients log too: keep only this test's records.
                if r.target == "t" {
                    s2.lock().unwrap().push((r.level, r.message.to_string()));
                }
            }),
            Level::Info,
        )));
        emit(Level::Debug, "t", "hidden");
        emit(Level::Warn, "t", "shown");
        emit(Level::Info, "t", "boom");
        assert!(enabled(Level::Info) && !enabled(Level::Debug));
        set_sink(None);
        emit(Level::Error, "t", "after removal");
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(Level::Warn, "shown".to_string())]
        );
        assert!(!enabled(Level::Error));
    }

    #[test]
    fn level_names() {
        for l in Level::ALL {
            assert_eq!(Level::from_name(l.name()), Some(l));
            assert_eq!(Level::from_name(&l.name().to_uppercase()), Some(l));
        }
        assert_eq!(Level::from_name("Warning"), Some(Level::Warn));
        assert_eq!(Level::from_name("verbose"), None);
        assert!(Level::Trace > Level::Debug && Level::Error < Level::Warn);
    }
}
