//! Handles. What C holds for an `esme_config`, `esme_client` or `esme_rules` is a number,
//! the key of a registry, never dereferenced: a freed, forged or wrong-kind handle is
//! answered with `ESME_ERR_INVALID_HANDLE`, never a crash. A handle looked up holds an `Arc`,
//! so an object freed while another thread is inside a call lives until that call returns.
//!
//! A handle type is an opaque `pub struct esme_x { _private: [u8; 0] }` (written out, with
//! its doc comment, for cbindgen) plus `registered!(esme_x => RustType)`; then [`new`],
//! [`get`] and [`free`] are all its functions need.

use super::boundary::{fail, Failed};
use super::result::esme_result::*;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

/// The live objects of one handle type, by handle number.
pub(crate) struct Registry<T> {
    map: RwLock<BTreeMap<usize, Arc<T>>>,
}

// Handles of all types share one counter (step 16): a client handle is never also a
// configuration handle, so passing one for the other is ESME_ERR_INVALID_HANDLE.
static NEXT_HANDLE: AtomicUsize = AtomicUsize::new(0x1000);

impl<T> Registry<T> {
    pub(crate) const fn new() -> Self {
        Registry {
            map: RwLock::new(BTreeMap::new()),
        }
    }
}

/// An opaque C handle type and the Rust object behind it.
pub(crate) trait Handle: Sized {
    /// What a handle of this type refers to.
    type Target: Send + Sync + 'static;
    /// Its registry.
    fn registry() -> &'static Registry<Self::Target>;
}

/// `registered!(esme_x => T)`: handles of type `esme_x` refer to a `T` in their own registry.
macro_rules! registered {
    ($c:ty => $t:ty) => {
        impl $crate::ffi::handle::Handle for $c {
            type Target = $t;
            fn registry() -> &'static $crate::ffi::handle::Registry<$t> {
                static REGISTRY: $crate::ffi::handle::Registry<$t> =
                    $crate::ffi::handle::Registry::new();
                &REGISTRY
            }
        }
    };
}
pub(crate) use registered;

/// Registers `v` and gives its new handle. A handle is a pointer-typed number made from
/// NULL, so it carries no provenance (Miri's strict-provenance mode agrees) and is never
/// dereferenced; `h as usize` gives the number back.
pub(crate) fn new<H: Handle>(v: H::Target) -> *mut H {
    let id = NEXT_HANDLE.fetch_add(16, Ordering::Relaxed);
    let mut m = H::registry().map.write().unwrap_or_else(|e| e.into_inner());
    m.insert(id, Arc::new(v));
    std::ptr::null_mut::<u8>().wrapping_add(id).cast()
}

/// The object of handle `h` (the argument named `what`): ESME_ERR_NULL for NULL,
/// ESME_ERR_INVALID_HANDLE for a handle that is not live.
pub(crate) fn get<H: Handle>(h: *const H, what: &str) -> Result<Arc<H::Target>, Failed> {
    if h.is_null() {
        return Err(fail(ESME_ERR_NULL, &format!("{what} is NULL")));
    }
    let m = H::registry().map.read().unwrap_or_else(|e| e.into_inner());
    m.get(&(h as usize)).cloned().ok_or_else(|| {
        fail(
            ESME_ERR_INVALID_HANDLE,
            &format!("{what} is not a live handle (freed, or never returned by esme)"),
        )
    })
}

/// Removes handle `h` and gives its object (it lives on while other calls still hold it).
/// NULL and handles that are not live give `None`.
pub(crate) fn free<H: Handle>(h: *const H) -> Option<Arc<H::Target>> {
    let mut m = H::registry().map.write().unwrap_or_else(|e| e.into_inner());
    m.remove(&(h as usize))
}

#[cfg(test)]
mod tests {
    use super::super::esme_result::*;
    use super::super::*;
    use super::{free, get, new};
    use std::ffi::{c_char, CStr};

    struct esme_thing;
    registered!(esme_thing => String);
    struct esme_other;
    registered!(esme_other => u32);

    #[test]
    fn a_handle_is_its_objects_until_freed_and_only_of_its_type() {
        let a: *mut esme_thing = new("a".to_string());
        let b: *mut esme_other = new(7);
        assert_eq!(*get(a, "a").unwrap(), "a");
        assert_eq!(*get(b, "b").unwrap(), 7);
        // The same number as the other type: not live there.
        let a_as_other: *const esme_other = a.cast();
        assert!(get(a_as_other, "b").is_err());
        let held = get(a, "a").unwrap();
        assert_eq!(free(a).as_deref().map(String::as_str), Some("a"));
        assert_eq!(*held, "a", "a call holding it keeps it alive");
        assert!(free(a).is_none());
        assert!(get(a, "a").is_err());
        assert!(get(std::ptr::null::<esme_thing>(), "a").is_err());
        assert!(free(std::ptr::null::<esme_thing>()).is_none());
        assert!(free(b).is_some());
    }

    #[test]
    fn handles_survive_misuse() {
        unsafe {
            let mut cfg: *mut esme_config = std::ptr::null_mut();
            assert_eq!(esme_config_new(&mut cfg), ESME_OK);
            assert_eq!(
                esme_config_set(cfg, c"x-smpp-hots".as_ptr(), c"x".as_ptr()),
                ESME_ERR_CONFIG
            );
            let mut buf = [0 as c_char; 256];
            let mut n = 0usize;
            assert_eq!(
                esme_last_error(buf.as_mut_ptr(), buf.len(), &mut n),
                ESME_OK
            );
            // Owned: `buf` is written again below (Miri caught the borrow kept across).
            let t = CStr::from_ptr(buf.as_ptr()).to_str().unwrap().to_owned();
            assert!(t.contains("x-smpp-host"), "{t}");
            assert_eq!(
                esme_last_error(buf.as_mut_ptr(), 3, &mut n),
                ESME_ERR_BUFFER_TOO_SMALL
            );
            assert_eq!(n, t.len() + 1);
            assert_eq!(
                esme_config_set(cfg, std::ptr::null(), c"x".as_ptr()),
                ESME_ERR_NULL
            );
            esme_config_free(cfg);
            esme_config_free(cfg);
            assert_eq!(
                esme_config_set(cfg, c"x-smpp-host".as_ptr(), c"x".as_ptr()),
                ESME_ERR_INVALID_HANDLE
            );
            let mut client: *mut esme_client = std::ptr::null_mut();
            assert_eq!(
                esme_client_connect(cfg, &mut client),
                ESME_ERR_INVALID_HANDLE
            );
            assert!(client.is_null());
            assert_eq!(
                esme_client_close(std::ptr::null::<u8>().wrapping_add(0x1234).cast()),
                ESME_ERR_INVALID_HANDLE
            );
            assert_eq!(
                esme_client_reload(std::ptr::null::<u8>().wrapping_add(0x1234).cast(), cfg),
                ESME_ERR_INVALID_HANDLE
            );
            assert_eq!(
                esme_client_reload(std::ptr::null(), std::ptr::null()),
                ESME_ERR_NULL
            );
            esme_client_free(std::ptr::null_mut());
            assert_eq!(
                esme_event_get_kind(std::ptr::null()),
                esme_event_kind::ESME_EVENT_NONE
            );
            esme_event_free(std::ptr::null_mut());
        }
    }
}
