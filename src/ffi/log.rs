//! The process-wide log callback: records of the library's log, borrowed for the duration
//! of the call.

use super::boundary::{boundary, fail, lock};
use super::result::esme_result::{self, *};
use super::strings::{cstring, esme_str, str_of};
use crate::log::{set_sink, Level, Record, Sink};
use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::{Arc, Condvar, Mutex};

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
/// `esme_set_log_callback` replacing or removing it waits for the calls of it in progress
/// on other threads to return.
pub type esme_log_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, record: *const esme_log_record)>;

type RawCallback = unsafe extern "C" fn(userdata: *mut c_void, record: *const esme_log_record);

/// The installed C callback, and the calls of it in progress: replacing it waits until none
/// runs ([`CallbackSink::retire`]), so that its userdata may be freed then.
struct CallbackSink {
    cb: RawCallback,
    userdata: *mut c_void,
    calls: Mutex<Calls>,
    idle: Condvar,
}

// The caller promises the callback and its userdata may be used from any thread
// (documented on esme_set_log_callback).
unsafe impl Send for CallbackSink {}
unsafe impl Sync for CallbackSink {}

#[derive(Default)]
struct Calls {
    /// Calls of the callback running now, on any thread.
    running: usize,
    /// Of those, the ones whose thread is itself retiring this sink from inside the
    /// callback: they are not waited for (they would wait for each other).
    retiring_inside: usize,
    /// Replaced or removed: no new call starts.
    retired: bool,
}

thread_local! {
    /// The sinks whose callback this thread is inside of (nested when the callback makes
    /// esme log).
    static INSIDE: RefCell<Vec<*const CallbackSink>> = const { RefCell::new(Vec::new()) };
}

/// The C callback installed by `esme_set_log_callback`, to retire when it is replaced.
static INSTALLED: Mutex<Option<Arc<CallbackSink>>> = Mutex::new(None);

impl CallbackSink {
    fn call(&self, r: &Record<'_>) {
        {
            let mut c = lock(&self.calls);
            if c.retired {
                return;
            }
            c.running += 1;
        }
        // Counted out again however this ends.
        let _done = Running(self);
        INSIDE.with(|v| v.borrow_mut().push(self));
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
        // SAFETY: the caller of esme_set_log_callback gave a callback valid until it is
        // replaced, which waits for this call to return.
        unsafe { (self.cb)(self.userdata, &rec) };
        drop((target, message, channel));
    }

    /// Stops new calls, and waits until no call of the callback runs on another thread.
    /// Calls on this thread (when retiring from inside the callback) are not waited for.
    fn retire(&self) {
        let me: *const CallbackSink = self;
        let mine = INSIDE.with(|v| v.borrow().iter().filter(|p| **p == me).count());
        let mut c = lock(&self.calls);
        c.retired = true;
        c.retiring_inside += mine;
        while c.running > c.retiring_inside {
            c = self.idle.wait(c).unwrap_or_else(|e| e.into_inner());
        }
        c.retiring_inside -= mine;
        drop(c);
        // Others retiring from inside may be waiting for this thread's count to be taken.
        self.idle.notify_all();
    }
}

/// Counts a call out when it ends.
struct Running<'a>(&'a CallbackSink);

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let me: *const CallbackSink = self.0;
        let _ = INSIDE.try_with(|v| {
            let mut v = v.borrow_mut();
            if let Some(i) = v.iter().rposition(|p| *p == me) {
                v.remove(i);
            }
        });
        let mut c = lock(&self.0.calls);
        c.running -= 1;
        let wake = c.retired;
        drop(c);
        if wake {
            self.0.idle.notify_all();
        }
    }
}

/// Installs (or, with a NULL callback, removes) the process-wide log callback, receiving
/// records at `min_level` (an `esme_log_level`: ESME_LOG_ERROR … ESME_LOG_TRACE) and above
/// (more severe); another value is ESME_ERR_USAGE and changes nothing. See
/// `esme_log_callback` for threading. The callback and `userdata` must be usable from any
/// thread until they are replaced: this function returns only once no call of the previous
/// callback runs on another thread (when it is called from inside the callback, that call
/// itself is still running), so the previous `userdata` may be freed as soon as it returns.
/// It must not be called while holding a lock that the callback takes.
#[no_mangle]
pub unsafe extern "C" fn esme_set_log_callback(
    callback: esme_log_callback,
    userdata: *mut c_void,
    min_level: u32,
) -> esme_result {
    boundary(|| {
        // A u32, not the enum: a value outside it from C must be an error, not undefined
        // behaviour.
        let min = match (callback, min_level) {
            (None, _) => Level::Error,
            (Some(_), 1) => Level::Error,
            (Some(_), 2) => Level::Warn,
            (Some(_), 3) => Level::Info,
            (Some(_), 4) => Level::Debug,
            (Some(_), 5) => Level::Trace,
            _ => {
                return Err(fail(
                    ESME_ERR_USAGE,
                    "min_level must be ESME_LOG_ERROR (1) … ESME_LOG_TRACE (5)",
                ))
            }
        };
        let new = callback.map(|cb| {
            Arc::new(CallbackSink {
                cb,
                userdata,
                calls: Mutex::new(Calls::default()),
                idle: Condvar::new(),
            })
        });
        let old = {
            let mut installed = lock(&INSTALLED);
            set_sink(new.clone().map(|s| {
                let sink: Sink = Arc::new(move |r: &Record<'_>| s.call(r));
                (sink, min)
            }));
            std::mem::replace(&mut *installed, new)
        };
        if let Some(old) = old {
            old.retire();
        }
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

    static INSIDE_NOW: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// Stays in the callback a while, as a slow logger would.
    unsafe extern "C" fn slow(_ud: *mut c_void, _r: *const esme_log_record) {
        use std::sync::atomic::Ordering::SeqCst;
        INSIDE_NOW.fetch_add(1, SeqCst);
        CALLS.fetch_add(1, SeqCst);
        std::thread::sleep(std::time::Duration::from_millis(20));
        INSIDE_NOW.fetch_sub(1, SeqCst);
    }

    #[test]
    fn removing_the_callback_waits_for_the_calls_in_progress() {
        use std::sync::atomic::{AtomicBool, Ordering::SeqCst};
        let _serial = crate::log::TEST_SINK_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let stop = Arc::new(AtomicBool::new(false));
        let s2 = stop.clone();
        let logger = std::thread::spawn(move || {
            while !s2.load(SeqCst) {
                crate::log::emit(crate::log::Level::Warn, "esme::test", "busy");
            }
        });
        for _ in 0..3 {
            unsafe {
                assert_eq!(
                    esme_set_log_callback(Some(slow), std::ptr::null_mut(), 2),
                    ESME_OK
                );
            }
            let before = CALLS.load(SeqCst);
            while CALLS.load(SeqCst) == before || INSIDE_NOW.load(SeqCst) == 0 {
                std::thread::yield_now();
            }
            // A call is in progress on the other thread: removal returns after it.
            unsafe {
                assert_eq!(
                    esme_set_log_callback(None, std::ptr::null_mut(), 0),
                    ESME_OK
                );
            }
            assert_eq!(
                INSIDE_NOW.load(SeqCst),
                0,
                "a call still runs after removal"
            );
            let after = CALLS.load(SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(30));
            assert_eq!(CALLS.load(SeqCst), after, "called after removal");
        }
        stop.store(true, SeqCst);
        logger.join().unwrap();
    }

    static REPLACED_INSIDE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    /// Removes itself from inside: must not wait for its own call.
    unsafe extern "C" fn removes_itself(_ud: *mut c_void, _r: *const esme_log_record) {
        use std::sync::atomic::Ordering::SeqCst;
        if REPLACED_INSIDE.fetch_add(1, SeqCst) == 0 {
            assert_eq!(
                esme_set_log_callback(None, std::ptr::null_mut(), 0),
                ESME_OK
            );
        }
    }

    #[test]
    fn a_callback_may_remove_itself() {
        use std::sync::atomic::Ordering::SeqCst;
        let _serial = crate::log::TEST_SINK_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        unsafe {
            assert_eq!(
                esme_set_log_callback(Some(removes_itself), std::ptr::null_mut(), 1),
                ESME_OK
            );
        }
        crate::log::emit(crate::log::Level::Error, "esme::test", "one");
        crate::log::emit(crate::log::Level::Error, "esme::test", "two");
        assert_eq!(REPLACED_INSIDE.load(SeqCst), 1);
        // And a bad level changes nothing.
        unsafe {
            assert_eq!(
                esme_set_log_callback(Some(removes_itself), std::ptr::null_mut(), 9),
                ESME_ERR_USAGE
            );
        }
        crate::log::emit(crate::log::Level::Error, "esme::test", "three");
        assert_eq!(REPLACED_INSIDE.load(SeqCst), 1);
    }
}
