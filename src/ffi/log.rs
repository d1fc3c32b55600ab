//! The process-wide log callback: records of the library's log, borrowed for the duration
//! of the call.

use super::boundary::{boundary, fail};
use super::result::esme_result::{self, *};
use super::strings::{cstring, esme_str, str_of};
use crate::log::{set_sink, Level, Record};
use std::ffi::c_void;
use std::sync::Arc;

/// Log levels.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_log_level {
    /// Errors.
    ESME_LOG_ERROR = 1,
    /// Warnings (disconnects, certificates expiring).
    ESME_LOG_WARN = 2,
    /// Binds, reconnects, closes.
    ESME_LOG_INFO = 3,
    /// Protocol detail: the configuration, one line per PDU (text and numbers masked).
    ESME_LOG_DEBUG = 4,
    /// More detail: how each message was split and encoded, each inbound part and receipt.
    ESME_LOG_TRACE = 5,
}

/// One log record, borrowed for the duration of the callback only.
#[repr(C)]
pub struct esme_log_record {
    /// Severity.
    pub level: esme_log_level,
    /// Where from, e.g. "esme::client".
    pub target: esme_str,
    /// The line (one line; never a secret, personal data masked).
    pub message: esme_str,
    /// The channel it is about: the `[section]` name of the configuration file, else the
    /// SMSC's host; empty (len 0) when none. Added after `message`: a program built against
    /// an older header reads the fields it knows.
    pub channel: esme_str,
}

/// A log callback. It may be called from the library's I/O threads, concurrently; it must
/// not call back into esme for the same client, and must return quickly.
pub type esme_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, record: *const esme_log_record)>;

struct UserData(*mut c_void);
// The caller promises the userdata may be used from any thread (documented).
unsafe impl Send for UserData {}
unsafe impl Sync for UserData {}

/// Installs (or, with a NULL callback, removes) the process-wide log callback, receiving
/// records at `min_level` (an `esme_log_level`: ESME_LOG_ERROR … ESME_LOG_TRACE) and above
/// (more severe); another value is ESME_ERR_USAGE. See `esme_log_callback` for threading.
#[no_mangle]
pub unsafe extern "C" fn esme_set_log_callback(
    callback: esme_log_callback,
    userdata: *mut c_void,
    min_level: u32,
) -> esme_result {
    boundary(|| {
        let Some(cb) = callback else {
            set_sink(None);
            return Ok(ESME_OK);
        };
        // A u32, not the enum: a value outside it from C must be an error, not undefined
        // behaviour.
        let min = match min_level {
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            5 => Level::Trace,
            _ => {
                return Err(fail(
                    ESME_ERR_USAGE,
                    "min_level must be ESME_LOG_ERROR (1) … ESME_LOG_TRACE (5)",
                ))
            }
        };
        let ud = UserData(userdata);
        set_sink(Some((
            Arc::new(move |r: &Record<'_>| {
                // Owned here, borrowed by the record for the duration of the call.
                let target = cstring(r.target);
                let message = cstring(r.message);
                let channel = cstring(r.channel);
                let rec = esme_log_record {
                    level: match r.level {
                        Level::Error => esme_log_level::ESME_LOG_ERROR,
                        Level::Warn => esme_log_level::ESME_LOG_WARN,
                        Level::Info => esme_log_level::ESME_LOG_INFO,
                        Level::Debug => esme_log_level::ESME_LOG_DEBUG,
                        Level::Trace => esme_log_level::ESME_LOG_TRACE,
                    },
                    target: str_of(&target),
                    message: str_of(&message),
                    channel: str_of(&channel),
                };
                let ud = &ud;
                cb(ud.0, &rec);
                drop((target, message, channel));
            }),
            min,
        )));
        Ok(ESME_OK)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::boundary::lock;
    use std::ffi::CStr;
    use std::sync::Mutex;

    static SEEN: Mutex<Vec<(u32, String, String, String)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn record(_ud: *mut c_void, r: *const esme_log_record) {
        let r = &*r;
        let s = |x: &esme_str| CStr::from_ptr(x.ptr).to_str().unwrap().to_string();
        // Other tests' clients log too: keep only this test's records.
        if s(&r.target) == "esme::test" {
            lock(&SEEN).push((r.level as u32, s(&r.target), s(&r.message), s(&r.channel)));
        }
    }

    #[test]
    fn log_records_reach_the_callback_intact() {
        let _serial = crate::log::TEST_SINK_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        unsafe {
            assert_eq!(
                esme_set_log_callback(
                    Some(record),
                    std::ptr::null_mut(),
                    esme_log_level::ESME_LOG_INFO as u32
                ),
                ESME_OK
            );
            crate::log::emit_in(
                crate::log::Level::Warn,
                "esme::test",
                "sms-main",
                "a warning with ünïcode",
            );
            crate::log::emit(crate::log::Level::Debug, "esme::test", "filtered out");
            assert_eq!(
                esme_set_log_callback(Some(record), std::ptr::null_mut(), 6),
                ESME_ERR_USAGE
            );
            assert_eq!(
                esme_set_log_callback(
                    Some(record),
                    std::ptr::null_mut(),
                    esme_log_level::ESME_LOG_TRACE as u32
                ),
                ESME_OK
            );
            crate::log::emit(crate::log::Level::Trace, "esme::test", "a trace");
            assert_eq!(
                esme_set_log_callback(
                    None,
                    std::ptr::null_mut(),
                    esme_log_level::ESME_LOG_INFO as u32
                ),
                ESME_OK
            );
            crate::log::emit(crate::log::Level::Error, "esme::test", "after removal");
        }
        let seen = lock(&SEEN).clone();
        assert_eq!(
            seen,
            vec![
                (
                    2,
                    "esme::test".to_string(),
                    "a warning with ünïcode".to_string(),
                    "sms-main".to_string()
                ),
                (
                    5,
                    "esme::test".to_string(),
                    "a trace".to_string(),
                    String::new()
                )
            ]
        );
    }
}
