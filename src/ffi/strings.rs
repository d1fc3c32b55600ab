//! Strings across the boundary. In: NUL-terminated UTF-8 (`const char *`), checked by
//! [`c_str`]. Out: copied with their NUL into the caller's buffer by [`copy_out`], or
//! borrowed as `esme_str` / `esme_bytes` from an object that outlives them (an event, a log
//! record during its callback).

use super::boundary::{fail, Failed};
use super::result::esme_result::{self, *};
use std::ffi::{c_char, CStr, CString};

/// A string borrowed from an event: valid until the event is freed. `ptr` is
/// NUL-terminated, or NULL when the event has no such field.
#[repr(C)]
pub struct esme_str {
    /// The characters (UTF-8, NUL-terminated) or NULL.
    pub ptr: *const c_char,
    /// Length in octets, without the NUL.
    pub len: usize,
}

/// Octets borrowed from an event: valid until the event is freed.
#[repr(C)]
pub struct esme_bytes {
    /// The octets, or NULL when empty.
    pub ptr: *const u8,
    /// How many.
    pub len: usize,
}

/// The string argument `p` (named `what` in the error): ESME_ERR_NULL for NULL,
/// ESME_ERR_UTF8 when it is not UTF-8. `p`, when not NULL, must be NUL-terminated and stay
/// valid for `'a`.
pub(crate) unsafe fn c_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, Failed> {
    if p.is_null() {
        return Err(fail(ESME_ERR_NULL, &format!("{what} is NULL")));
    }
    CStr::from_ptr(p)
        .to_str()
        .map_err(|_| fail(ESME_ERR_UTF8, &format!("{what} is not valid UTF-8")))
}

/// Copies `text` and its NUL into `buf` when it fits; `*needed` (if not NULL) gets the size
/// needed including the NUL either way. ESME_ERR_BUFFER_TOO_SMALL, recorded as the thread's
/// last error, when `buf` is NULL or `len` too small; ESME_ERR_INVALID_ARG for a `len`
/// larger than any object can be.
pub(crate) unsafe fn copy_out(
    text: &str,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> Result<esme_result, Failed> {
    match copy_out_raw(text, buf, len, needed) {
        Ok(()) => Ok(ESME_OK),
        Err(ESME_ERR_INVALID_ARG) => Err(fail(
            ESME_ERR_INVALID_ARG,
            &format!("len is {len}, larger than any buffer can be: is it the length?"),
        )),
        Err(e) => {
            Err(fail(
                e,
                &format!(
                "the buffer is too small: {} octets needed (the text and its NUL), len is {len}{}",
                text.len() + 1,
                if buf.is_null() { " and buf is NULL" } else { "" }
            ),
            ))
        }
    }
}

/// [`copy_out`] without recording anything (for `esme_last_error`, which must not change
/// the text it gives): `Err` is the result to return.
pub(crate) unsafe fn copy_out_raw(
    text: &str,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> Result<(), esme_result> {
    let n = text.len() + 1;
    if !needed.is_null() {
        *needed = n;
    }
    if len > isize::MAX as usize {
        return Err(ESME_ERR_INVALID_ARG);
    }
    if buf.is_null() || len < n {
        return Err(ESME_ERR_BUFFER_TOO_SMALL);
    }
    std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
    *buf.add(text.len()) = 0;
    Ok(())
}

/// A C copy of `s` to lend out as an `esme_str`.
pub(crate) fn cstring(s: &str) -> Option<CString> {
    // Interior NULs are not expected in addresses or texts; drop them rather than fail.
    CString::new(s.replace('\0', "")).ok()
}

/// Lends `c` out: valid while `c` lives and is not changed.
pub(crate) fn str_of_c(c: &CString) -> esme_str {
    esme_str {
        ptr: c.as_ptr(),
        len: c.as_bytes().len(),
    }
}

/// Lends `s` out: valid while `s` lives and is not changed.
pub(crate) fn str_of(s: &Option<CString>) -> esme_str {
    match s {
        Some(c) => str_of_c(c),
        None => esme_str {
            ptr: std::ptr::null(),
            len: 0,
        },
    }
}
