//! The library's one logging path: levels, a target per subsystem (`esme::client`, `esme::session`,
//! `esme::pdu`), and one process-wide [`LogSink`](crate::log::LogSink) provided by the embedding
//! program (the C API's log callback is one). Nothing is printed by default. Records never carry a
//! secret: esme only logs texts it composes, passwords are redacted, and message text in PDU dumps
//! goes through the PII masking rules.

use std::sync::{Arc, RwLock};

/// Severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Something failed.
    Error = 1,
    /// Something the operator should look at.
    Warn = 2,
    /// Normal operation worth a line (binds, reconnects).
    Info = 3,
    /// Detail for troubleshooting.
    Debug = 4,
}

/// One log line.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Severity.
    pub level: Level,
    /// Where it comes from, e.g. `esme::client`.
    pub target: &'a str,
    /// The line.
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

/// Installs (or with `None` removes) the sink, logging records at `min` and above.
pub fn set_sink(sink: Option<(Sink, Level)>) {
    match SINK.write() {
        Ok(mut g) => *g = sink,
        Err(e) => *e.into_inner() = sink,
    }
}

/// Whether a record at `level` would be delivered.
pub fn enabled(level: Level) -> bool {
    SINK.read()
        .ok()
        .and_then(|g| g.as_ref().map(|(_, min)| level <= *min))
        .unwrap_or(false)
}

/// Delivers a record to the sink, if any. Never panics into the caller: a panicking sink
/// is caught.
pub fn emit(level: Level, target: &str, message: &str) {
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
    }
}
