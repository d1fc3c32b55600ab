//! The C ABI: `include/esme.h` is generated from this module by cbindgen (`cbindgen.toml`),
//! and this is the only module allowed `unsafe`.
//!
//! One file per C object family, as rustls-ffi does it:
//!
//! | file | what |
//! |---|---|
//! | `result.rs` | `esme_result` and the one table of result codes and their texts (`esme_result_str`) |
//! | `boundary.rs` | the panic boundary every function runs in, the thread's last error (`esme_last_error`), out-parameters |
//! | `handle.rs` | the handle registry: one lookup for every handle type |
//! | `strings.rs` | strings in (`const char *`) and out (caller buffers, borrowed `esme_str`/`esme_bytes`) |
//! | `config.rs` | `esme_config`: options by their Genesys names, channel files |
//! | `client.rs` | `esme_client`: connect, close, free, state, stats, last error |
//! | `metrics.rs` | `esme_metrics`, `esme_bind_metrics` (structures that grow at their end) and the Prometheus text |
//! | `submit.rs` | `esme_message`, `esme_outcome`, the blocking and async submits |
//! | `events.rs` | `esme_client_poll`, `esme_event` and its accessors, receipts |
//! | `rules.rs` | `esme_rules`: PII masking |
//! | `log.rs` | the process-wide log callback |
//!
//! Every exported function has the same shape: the boundary (`boundary::boundary`, or
//! `boundary::guard` for a function returning a value), its arguments checked (handles
//! through `handle::get`, strings through `strings::c_str`, out-parameters through
//! `boundary::Out`), one call of the Rust API, then the out-parameters written.
//!
//! Conventions (docs/c-api.md "Conventions"):
//! - Opaque handles. `esme_config`, `esme_client`, `esme_event` and `esme_rules` are keys of
//!   a registry, never dereferenced: a freed, closed or made-up handle is answered with
//!   `ESME_ERR_INVALID_HANDLE`, never a crash, and a client freed while other threads use it
//!   stays alive until their calls return. An event is owned by the caller that polled it
//!   and freed with `esme_event_free` (twice is harmless).
//! - Every function runs inside one panic boundary with NULL checks (a caught panic prints
//!   nothing), and returns an `esme_result` (numbered in bands, never renumbered), setting
//!   the thread's last error: cleared on success, the cause on failure. Out-parameters are
//!   written only on success. `esme_result_str` gives static text; `esme_client_last_error`
//!   / `esme_last_error` give the detailed one-line cause and hint.
//! - Strings in: NUL-terminated UTF-8; message bodies as (pointer, length). Strings out:
//!   copied into the caller's buffer, or `esme_str` borrowed from an event until it is freed.
#![allow(unsafe_code)]
#![allow(non_camel_case_types)]
#![allow(clippy::missing_safety_doc)]
#![allow(missing_debug_implementations)]

// cbindgen writes the header in the order of these modules: results first, then each
// object family. (Blank lines between them, or rustfmt sorts them by name.)
mod result;

mod boundary;

mod handle;

mod strings;

mod config;

mod client;

mod metrics;

mod submit;

mod events;

mod rules;

mod log;

pub use boundary::esme_last_error;
pub use client::*;
pub use config::*;
pub use events::*;
pub use log::*;
pub use metrics::*;
pub use result::*;
pub use rules::*;
pub use strings::{esme_bytes, esme_str};
pub use submit::*;

use std::ffi::c_char;

/// Major version of the library this header belongs to.
pub const ESME_VERSION_MAJOR: u32 = 0;
/// Minor version of the library this header belongs to.
pub const ESME_VERSION_MINOR: u32 = 1;
/// Patch version of the library this header belongs to.
pub const ESME_VERSION_PATCH: u32 = 0;

/// The library's version as a static NUL-terminated string, e.g. "0.1.0". Never NULL; the
/// caller must not free it. Compare with ESME_VERSION_MAJOR/MINOR/PATCH to detect a header
/// that does not match the loaded library.
#[no_mangle]
pub extern "C" fn esme_version() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    boundary::guard(VERSION.as_ptr().cast(), || VERSION.as_ptr().cast())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_cargo_toml() {
        assert_eq!(
            ESME_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            ESME_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            ESME_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        let s = unsafe { std::ffi::CStr::from_ptr(esme_version()) };
        assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }
}
