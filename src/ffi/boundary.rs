//! The panic boundary every exported function runs in, the thread's last error
//! (`esme_last_error`), and out-parameters.
//!
//! A function returning `esme_result` is `boundary(|| { … })`, its body a [`Ret`]: `?` on
//! a failed check or call returns the [`Failed`] that [`fail`] made, whose text is already
//! the thread's last error. A function returning a value is `guard(default, || …)`.
//! Out-parameters are checked with [`Out::new`] before the call and written after it.

use super::result::{esme_result, result_of};
use super::strings::copy_out;
use esme_result::*;
use std::cell::RefCell;
use std::ffi::c_char;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::NonNull;
use std::sync::{Mutex, MutexGuard};

/// A failure whose one-line text is the thread's last error. Only [`fail`] makes one, so an
/// `Err(Failed)` always has its text recorded.
#[derive(Debug)]
pub(crate) struct Failed(esme_result);

/// What the body of an exported function gives [`boundary`]. `Ok(result)` is returned as is
/// and leaves the last error alone: `ESME_OK`, `ESME_EMPTY`, and `ESME_ERR_BUFFER_TOO_SMALL`
/// from [`copy_out`] (so the text that did not fit can be asked for again). `Err` is a
/// failure, recorded.
pub(crate) type Ret = Result<esme_result, Failed>;

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
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
    fail(result_of(e.code()), &e.to_string())
}

/// The thread's last error (to record it on a client too).
pub(crate) fn last_error() -> String {
    LAST_ERROR.with(|e| e.borrow().clone())
}

/// Runs the body of a function returning `esme_result`: a panic becomes `ESME_ERR_PANIC`
/// (and the thread's last error says so); it never unwinds into C.
pub(crate) fn boundary(f: impl FnOnce() -> Ret) -> esme_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(r)) | Ok(Err(Failed(r))) => r,
        Err(_) => fail(ESME_ERR_PANIC, PANIC_TEXT).0,
    }
}

/// Runs the body of a function returning a value rather than an `esme_result`: a panic
/// gives `default` (and the thread's last error says so).
pub(crate) fn guard<T>(default: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            fail(ESME_ERR_PANIC, PANIC_TEXT);
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

/// The detailed text of the last failure on this thread (calls without a client handle,
/// and every failing call): one line, cause and hint. Copied with its NUL into `buf` when
/// `len` is enough (else ESME_ERR_BUFFER_TOO_SMALL); `*needed` gets the size needed. An
/// empty string when nothing failed yet. Thread-safe (per thread).
#[no_mangle]
pub unsafe extern "C" fn esme_last_error(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> esme_result {
    boundary(|| Ok(LAST_ERROR.with(|e| copy_out(&e.borrow(), buf, len, needed))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_the_threads_last_error_and_a_result_as_is_is_not() {
        assert_eq!(
            boundary(|| Err(fail(ESME_ERR_USAGE, "first"))),
            ESME_ERR_USAGE
        );
        assert_eq!(last_error(), "first");
        // Returned as is: the last error stays.
        assert_eq!(
            boundary(|| Ok(ESME_ERR_BUFFER_TOO_SMALL)),
            ESME_ERR_BUFFER_TOO_SMALL
        );
        assert_eq!(boundary(|| Ok(ESME_OK)), ESME_OK);
        assert_eq!(last_error(), "first");
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
    fn a_panic_stops_at_the_boundary() {
        let r = boundary(|| panic!("a bug"));
        assert_eq!(r, ESME_ERR_PANIC);
        assert_eq!(last_error(), PANIC_TEXT);
        fail(ESME_ERR_USAGE, "before");
        assert_eq!(guard(7, || panic!("a bug")), 7);
        assert_eq!(last_error(), PANIC_TEXT);
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
}
