//! The panic boundary every exported function runs in, the thread's last error
//! (`esme_last_error`), and out-parameters.
//!
//! A function returning `esme_result` is `boundary(|| { … })`, its body a [`Ret`]: `?` on
//! a failed check or call returns the [`Failed`] that [`fail`] made, whose text is already
//! the thread's last error; a success clears it. A function returning a value is
//! `guard(default, || …)`: it records a failure (a dead handle, a caught panic) and leaves
//! the last error alone otherwise. Out-parameters are checked with [`Out::new`] before the
//! call and written after it.
//!
//! A panic caught here prints nothing on the host's standard error: the first boundary
//! installs a panic hook that, for panics on a thread inside a boundary or on one of esme's
//! own threads (`esme-…`), only notes where it happened (for the error text), and hands every
//! other panic to the hook that was there before.

use super::result::esme_result;
use super::strings::copy_out_raw;
use esme_result::*;
use std::cell::{Cell, RefCell};
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::{Mutex, MutexGuard, Once};

/// A failure whose one-line text is the thread's last error. Only [`fail`] makes one, so an
/// `Err(Failed)` always has its text recorded.
#[derive(Debug)]
pub(crate) struct Failed(esme_result);

/// What the body of an exported function gives [`boundary`]. `Ok(result)` is a success
/// (`ESME_OK`, `ESME_EMPTY`), returned as is with the thread's last error cleared. `Err` is
/// a failure, recorded (`ESME_ERR_BUFFER_TOO_SMALL` from [`copy_out`](super::strings::copy_out)
/// too).
pub(crate) type Ret = Result<esme_result, Failed>;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    /// Boundaries this thread is inside of (nested: a log callback may call esme).
    static INSIDE: Cell<u32> = const { Cell::new(0) };
    /// Where the last panic caught on this thread happened, noted by the quiet hook.
    static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

const PANIC_TEXT: &str = "internal error: a panic was caught at the C boundary (please report it)";

/// Records `text` as the thread's last error and gives the failure to return.
pub(crate) fn fail(r: esme_result, text: &str) -> Failed {
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        e.clear();
        e.push_str(text);
    });
    Failed(r)
}

/// [`fail`] with a library error: its result (`Error::code`) and its one-line text.
pub(crate) fn fail_err(e: impl Into<crate::Error>) -> Failed {
    let e = e.into();
    fail(super::result::result_of(e.code()), &e.to_string())
}

/// The thread's last error (to record it on a client too).
pub(crate) fn last_error() -> String {
    LAST_ERROR.with(|e| e.borrow().clone())
}

fn clear_last_error() {
    LAST_ERROR.with(|e| e.borrow_mut().clear());
}

/// Installs, once, the panic hook that keeps esme's caught panics off the host's standard
/// error (see the module's documentation).
fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let inside = INSIDE.try_with(|d| d.get() > 0).unwrap_or(false);
            let ours = inside
                || std::thread::current()
                    .name()
                    .is_some_and(|n| n.starts_with("esme-"));
            if ours {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}", l.file(), l.line()));
                let _ = PANIC_AT.try_with(|p| *p.borrow_mut() = at);
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f` inside the boundary: counted in `INSIDE`, a panic caught.
fn inside<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    quiet_panics();
    INSIDE.with(|d| d.set(d.get() + 1));
    let r = catch_unwind(AssertUnwindSafe(f));
    INSIDE.with(|d| d.set(d.get().saturating_sub(1)));
    r.map_err(|_| match PANIC_AT.with(|p| p.borrow_mut().take()) {
        Some(at) => format!(
            "internal error: a panic at {at} was caught at the C boundary (please report it)"
        ),
        None => PANIC_TEXT.to_string(),
    })
}

/// Runs the body of a function returning `esme_result`: a success clears the thread's last
/// error, a failure is recorded; a panic becomes `ESME_ERR_PANIC` (and the thread's last
/// error says so, and where); it never unwinds into C, and prints nothing.
pub(crate) fn boundary(f: impl FnOnce() -> Ret) -> esme_result {
    match inside(f) {
        Ok(Ok(r)) => {
            clear_last_error();
            r
        }
        Ok(Err(Failed(r))) => r,
        Err(text) => fail(ESME_ERR_PANIC, &text).0,
    }
}

/// Runs the body of a function returning a value rather than an `esme_result`: a panic
/// gives `default` (and the thread's last error says so). Leaves the last error alone on
/// success, so that `esme_result_str(rc)` may come between a failure and `esme_last_error`.
pub(crate) fn guard<T>(default: T, f: impl FnOnce() -> T) -> T {
    match inside(f) {
        Ok(v) => v,
        Err(text) => {
            fail(ESME_ERR_PANIC, &text);
            default
        }
    }
}

/// An out-parameter checked not to be NULL. Written once, after the call succeeded, without
/// reading what the caller's memory held before.
pub(crate) struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// The out-parameter `p` (named `what` in the error), or ESME_ERR_NULL when it is NULL.
    /// `p`, when not NULL, must be valid for writes of a `T`.
    pub(crate) unsafe fn new(p: *mut T, what: &str) -> Result<Self, Failed> {
        NonNull::new(p)
            .map(Out)
            .ok_or_else(|| fail(ESME_ERR_NULL, &format!("{what} is NULL")))
    }

    /// An optional out-parameter: `None` when `p` is NULL (nothing to write, no error).
    /// `p`, when not NULL, must be valid for writes of a `T`.
    pub(crate) unsafe fn optional(p: *mut T) -> Option<Self> {
        NonNull::new(p).map(Out)
    }

    /// Writes the result.
    pub(crate) fn write(self, v: T) {
        // SAFETY: `new` made it from a non-NULL pointer its caller promised valid for writes.
        unsafe { self.0.as_ptr().write(v) }
    }
}

/// Locks, ignoring poisoning (a panic caught at the boundary must not disable a handle).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The detailed text of the last call on this thread that returns an `esme_result`: empty
/// after a success (ESME_OK, ESME_EMPTY), else one line with the cause and a hint (for
/// ESME_ERR_BUFFER_TOO_SMALL too). Functions that return a value instead (`esme_result_str`,
/// `esme_version`, the `esme_event_…` accessors) leave it alone unless they fail (a dead
/// handle), and this function never changes it: when `buf` is too small it returns
/// ESME_ERR_BUFFER_TOO_SMALL and the text stays, to be asked for again. Copied with its NUL
/// into `buf` when `len` is enough; `*needed` gets the size needed. Thread-safe (per
/// thread).
#[no_mangle]
pub unsafe extern "C" fn esme_last_error(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> esme_result {
    let r = inside(|| LAST_ERROR.with(|e| copy_out_raw(&e.borrow(), buf, len, needed)));
    match r {
        Ok(Ok(())) => ESME_OK,
        Ok(Err(e)) => e,
        Err(text) => fail(ESME_ERR_PANIC, &text).0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_the_threads_last_error_and_a_success_clears_it() {
        assert_eq!(
            boundary(|| Err(fail(ESME_ERR_USAGE, "first"))),
            ESME_ERR_USAGE
        );
        assert_eq!(last_error(), "first");
        // A value-returning function leaves it alone.
        assert_eq!(guard(7, || 8), 8);
        assert_eq!(last_error(), "first");
        assert_eq!(boundary(|| Ok(ESME_EMPTY)), ESME_EMPTY);
        assert_eq!(last_error(), "");
        assert_eq!(
            boundary(|| Err(fail(ESME_ERR_USAGE, "again"))),
            ESME_ERR_USAGE
        );
        assert_eq!(boundary(|| Ok(ESME_OK)), ESME_OK);
        assert_eq!(last_error(), "");
        assert_eq!(
            boundary(|| Err(fail_err(crate::Error::Closed))),
            ESME_ERR_CLOSED
        );
        assert_eq!(last_error(), "the client is closed");
        // Per thread.
        std::thread::spawn(|| assert_eq!(last_error(), ""))
            .join()
            .unwrap();
    }

    #[test]
    fn a_panic_stops_at_the_boundary_and_says_where() {
        let r = boundary(|| panic!("a bug"));
        assert_eq!(r, ESME_ERR_PANIC);
        let t = last_error();
        assert!(
            t.starts_with("internal error: a panic at src/ffi/boundary.rs:")
                && t.ends_with("was caught at the C boundary (please report it)"),
            "{t}"
        );
        // The message is not in it (it could hold anything).
        assert!(!t.contains("a bug"), "{t}");
        fail(ESME_ERR_USAGE, "before");
        assert_eq!(guard(7, || panic!("a bug")), 7);
        assert!(last_error().starts_with("internal error: a panic at "));
    }

    #[test]
    fn the_last_error_survives_reading_it_into_a_small_buffer() {
        fail(ESME_ERR_USAGE, "a text of some length");
        let mut n = 0usize;
        let mut small = [0 as c_char; 4];
        let r = unsafe { esme_last_error(small.as_mut_ptr(), small.len(), &mut n) };
        assert_eq!(r, ESME_ERR_BUFFER_TOO_SMALL);
        assert_eq!(n, 22);
        assert_eq!(last_error(), "a text of some length");
        let mut buf = [0 as c_char; 64];
        let r = unsafe { esme_last_error(buf.as_mut_ptr(), buf.len(), &mut n) };
        assert_eq!(r, ESME_OK);
        // Reading it leaves it as it was.
        assert_eq!(last_error(), "a text of some length");
    }

    #[test]
    fn out_parameters_are_checked_and_written_on_request() {
        let mut v = 0u64;
        let o = unsafe { Out::new(&mut v, "ticket") }.unwrap();
        o.write(42);
        assert_eq!(v, 42);
        let e = unsafe { Out::new(std::ptr::null_mut::<u64>(), "ticket") };
        assert!(matches!(e, Err(Failed(ESME_ERR_NULL))));
        assert_eq!(last_error(), "ticket is NULL");
    }

    /// In a child process (this test binary run again): a panic caught at the boundary, and
    /// one on a thread named like esme's, with nothing captured by the test harness.
    #[test]
    fn panic_child() {
        if std::env::var_os("ESME_PANIC_CHILD").is_none() {
            return;
        }
        assert_eq!(boundary(|| panic!("at the boundary")), ESME_ERR_PANIC);
        let io = std::thread::Builder::new()
            .name("esme-io".into())
            .spawn(|| {
                let _ = catch_unwind(|| panic!("on an esme thread"));
            })
            .unwrap();
        io.join().unwrap();
        // Another thread's panic is the host's business: the previous hook reports it.
        let _ = std::thread::spawn(|| panic!("a host thread")).join();
    }

    #[test]
    #[cfg_attr(miri, ignore = "runs a child process")]
    fn a_caught_panic_prints_nothing_on_the_hosts_stderr() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "ffi::boundary::tests::panic_child",
                "--nocapture",
            ])
            .env("ESME_PANIC_CHILD", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{err}");
        assert!(!err.contains("at the boundary"), "{err}");
        assert!(!err.contains("on an esme thread"), "{err}");
        assert!(err.contains("a host thread"), "{err}");
    }
}
