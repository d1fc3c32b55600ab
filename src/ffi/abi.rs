//! The exported functions and types.

use crate::client::{Client, ConnectionState, Content, Event, Message, Outcome};
use crate::config::Config;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{c_char, c_void, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

// ------------------------------------------------------------------------------------------
// Results

/// The result of every call. Numbered in bands, never renumbered: 0 success, 1 nothing to
/// report, 1xx usage, 2xx I/O and timeouts, 3xx TLS and PKCS#12, 4xx SMPP protocol, 5xx the
/// SMSC refused. `esme_result_str` names each; `esme_client_last_error` / `esme_last_error`
/// give the detailed cause and hint of the last failure.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_result {
    /// Success.
    ESME_OK = 0,
    /// `esme_client_poll`: no event within the timeout.
    ESME_EMPTY = 1,
    /// The call asked for something impossible (e.g. a message without a destination).
    ESME_ERR_USAGE = 100,
    /// A message field breaks an SMPP rule (e.g. a destination longer than 20 characters).
    ESME_ERR_ENCODE = 101,
    /// The text cannot be encoded or needs too many segments.
    ESME_ERR_TEXT = 102,
    /// The client is closed.
    ESME_ERR_CLOSED = 103,
    /// `esme_client_try_submit_async`: the window is full.
    ESME_ERR_WINDOW_FULL = 104,
    /// A configuration option is unknown, has a bad value, or is missing.
    ESME_ERR_CONFIG = 105,
    /// A PII rule, rule file, rule name or group is invalid or unknown.
    ESME_ERR_PII = 106,
    /// A required pointer argument was NULL.
    ESME_ERR_NULL = 110,
    /// The handle was freed, closed for good, or never created.
    ESME_ERR_INVALID_HANDLE = 111,
    /// A string argument is not valid UTF-8.
    ESME_ERR_UTF8 = 112,
    /// The caller's buffer is too small; the needed size was written.
    ESME_ERR_BUFFER_TOO_SMALL = 113,
    /// An internal error was caught at the boundary (a bug: please report it).
    ESME_ERR_PANIC = 114,
    /// The TCP connection could not be made.
    ESME_ERR_CONNECT = 201,
    /// Connect, handshake or bind did not finish in time.
    ESME_ERR_TIMEOUT = 202,
    /// The connection was lost or closed before binding finished.
    ESME_ERR_DISCONNECTED = 203,
    /// x-smpp-tls-ca-file cannot be used.
    ESME_ERR_TLS_CA_FILE = 301,
    /// No trust anchor to verify the SMSC.
    ESME_ERR_TLS_NO_TRUST = 302,
    /// The PKCS#12 file is missing or unreadable.
    ESME_ERR_PKCS12_FILE = 303,
    /// The file is not PKCS#12.
    ESME_ERR_PKCS12_FORMAT = 304,
    /// x-smpp-tls-certificate-file-password is wrong.
    ESME_ERR_PKCS12_FILE_PASSWORD = 305,
    /// x-smpp-tls-certificate-password is wrong.
    ESME_ERR_PKCS12_KEY_PASSWORD = 306,
    /// The PKCS#12 file uses an unsupported algorithm.
    ESME_ERR_PKCS12_UNSUPPORTED = 307,
    /// No private key in the PKCS#12 file.
    ESME_ERR_PKCS12_NO_KEY = 308,
    /// No certificate in the PKCS#12 file.
    ESME_ERR_PKCS12_NO_CERTIFICATE = 309,
    /// The key does not match the certificate.
    ESME_ERR_PKCS12_KEY_MISMATCH = 310,
    /// The alias is not in the file, or the file has several keys and no alias was given.
    ESME_ERR_PKCS12_ALIAS = 311,
    /// Another PKCS#12 problem (e.g. an unsupported key type).
    ESME_ERR_PKCS12_OTHER = 312,
    /// Our client certificate is expired or not valid yet.
    ESME_ERR_TLS_CLIENT_CERT_DATES = 313,
    /// The SMSC's certificate: unknown issuer.
    ESME_ERR_TLS_UNKNOWN_ISSUER = 320,
    /// The SMSC's certificate expired.
    ESME_ERR_TLS_EXPIRED = 321,
    /// The SMSC's certificate is not valid yet.
    ESME_ERR_TLS_NOT_YET_VALID = 322,
    /// The SMSC's certificate is issued for another name.
    ESME_ERR_TLS_WRONG_NAME = 323,
    /// The SMSC's certificate is self-signed.
    ESME_ERR_TLS_SELF_SIGNED = 324,
    /// The SMSC's certificate is not trusted for another reason.
    ESME_ERR_TLS_UNTRUSTED = 325,
    /// The SMSC did not accept our client certificate.
    ESME_ERR_TLS_CLIENT_CERT_REJECTED = 330,
    /// No TLS version in common.
    ESME_ERR_TLS_VERSION = 331,
    /// TLS sent to a port that does not speak TLS.
    ESME_ERR_TLS_NOT_TLS = 332,
    /// Plain SMPP sent to a TLS port.
    ESME_ERR_TLS_PLAIN_TO_TLS = 333,
    /// Another TLS handshake failure.
    ESME_ERR_TLS_HANDSHAKE = 334,
    /// Inconsistent TLS options.
    ESME_ERR_TLS_SETUP = 335,
    /// The SMSC's byte stream has impossible framing.
    ESME_ERR_FRAME = 401,
    /// A PDU from the SMSC breaks a field rule.
    ESME_ERR_DECODE = 402,
    /// Bytes meant to be one PDU are not.
    ESME_ERR_PDU = 403,
    /// A receipt could not be read.
    ESME_ERR_RECEIPT = 404,
    /// The SMSC refused the bind (wrong password, system id, …).
    ESME_ERR_BIND_REFUSED = 501,
}

use esme_result::*;

/// Every result, for lookups (a test checks every `Error::code()` is here).
const RESULTS: &[esme_result] = &[
    ESME_OK,
    ESME_EMPTY,
    ESME_ERR_USAGE,
    ESME_ERR_ENCODE,
    ESME_ERR_TEXT,
    ESME_ERR_CLOSED,
    ESME_ERR_WINDOW_FULL,
    ESME_ERR_CONFIG,
    ESME_ERR_PII,
    ESME_ERR_NULL,
    ESME_ERR_INVALID_HANDLE,
    ESME_ERR_UTF8,
    ESME_ERR_BUFFER_TOO_SMALL,
    ESME_ERR_PANIC,
    ESME_ERR_CONNECT,
    ESME_ERR_TIMEOUT,
    ESME_ERR_DISCONNECTED,
    ESME_ERR_TLS_CA_FILE,
    ESME_ERR_TLS_NO_TRUST,
    ESME_ERR_PKCS12_FILE,
    ESME_ERR_PKCS12_FORMAT,
    ESME_ERR_PKCS12_FILE_PASSWORD,
    ESME_ERR_PKCS12_KEY_PASSWORD,
    ESME_ERR_PKCS12_UNSUPPORTED,
    ESME_ERR_PKCS12_NO_KEY,
    ESME_ERR_PKCS12_NO_CERTIFICATE,
    ESME_ERR_PKCS12_KEY_MISMATCH,
    ESME_ERR_PKCS12_ALIAS,
    ESME_ERR_PKCS12_OTHER,
    ESME_ERR_TLS_CLIENT_CERT_DATES,
    ESME_ERR_TLS_UNKNOWN_ISSUER,
    ESME_ERR_TLS_EXPIRED,
    ESME_ERR_TLS_NOT_YET_VALID,
    ESME_ERR_TLS_WRONG_NAME,
    ESME_ERR_TLS_SELF_SIGNED,
    ESME_ERR_TLS_UNTRUSTED,
    ESME_ERR_TLS_CLIENT_CERT_REJECTED,
    ESME_ERR_TLS_VERSION,
    ESME_ERR_TLS_NOT_TLS,
    ESME_ERR_TLS_PLAIN_TO_TLS,
    ESME_ERR_TLS_HANDSHAKE,
    ESME_ERR_TLS_SETUP,
    ESME_ERR_FRAME,
    ESME_ERR_DECODE,
    ESME_ERR_PDU,
    ESME_ERR_RECEIPT,
    ESME_ERR_BIND_REFUSED,
];

fn result_of(code: u32) -> esme_result {
    RESULTS
        .iter()
        .copied()
        .find(|r| *r as u32 == code)
        .unwrap_or(ESME_ERR_PANIC)
}

fn result_text(r: esme_result) -> &'static CStr {
    match r {
        ESME_OK => c"ok",
        ESME_EMPTY => c"no event",
        ESME_ERR_USAGE => c"invalid request",
        ESME_ERR_ENCODE => c"a message field breaks an SMPP rule",
        ESME_ERR_TEXT => c"the text cannot be encoded or segmented",
        ESME_ERR_CLOSED => c"the client is closed",
        ESME_ERR_WINDOW_FULL => c"the submit window is full",
        ESME_ERR_CONFIG => c"invalid configuration",
        ESME_ERR_PII => c"invalid or unknown PII rule",
        ESME_ERR_NULL => c"a required argument is NULL",
        ESME_ERR_INVALID_HANDLE => c"invalid handle (freed or never created)",
        ESME_ERR_UTF8 => c"a string is not valid UTF-8",
        ESME_ERR_BUFFER_TOO_SMALL => c"the buffer is too small",
        ESME_ERR_PANIC => c"internal error",
        ESME_ERR_CONNECT => c"cannot connect to the SMSC",
        ESME_ERR_TIMEOUT => c"timed out",
        ESME_ERR_DISCONNECTED => c"the connection was lost",
        ESME_ERR_TLS_CA_FILE => c"the CA file cannot be used",
        ESME_ERR_TLS_NO_TRUST => c"no trust anchor for the SMSC",
        ESME_ERR_PKCS12_FILE => c"the PKCS#12 file cannot be read",
        ESME_ERR_PKCS12_FORMAT => c"not a PKCS#12 file",
        ESME_ERR_PKCS12_FILE_PASSWORD => c"wrong PKCS#12 file password",
        ESME_ERR_PKCS12_KEY_PASSWORD => c"wrong PKCS#12 key password",
        ESME_ERR_PKCS12_UNSUPPORTED => c"unsupported PKCS#12 algorithm",
        ESME_ERR_PKCS12_NO_KEY => c"no private key in the PKCS#12 file",
        ESME_ERR_PKCS12_NO_CERTIFICATE => c"no certificate in the PKCS#12 file",
        ESME_ERR_PKCS12_KEY_MISMATCH => c"the key does not match the certificate",
        ESME_ERR_PKCS12_ALIAS => c"PKCS#12 alias not found or ambiguous",
        ESME_ERR_PKCS12_OTHER => c"the PKCS#12 file cannot be used",
        ESME_ERR_TLS_CLIENT_CERT_DATES => c"our client certificate is expired or not yet valid",
        ESME_ERR_TLS_UNKNOWN_ISSUER => c"the SMSC's certificate has an unknown issuer",
        ESME_ERR_TLS_EXPIRED => c"the SMSC's certificate expired",
        ESME_ERR_TLS_NOT_YET_VALID => c"the SMSC's certificate is not valid yet",
        ESME_ERR_TLS_WRONG_NAME => c"the SMSC's certificate is for another name",
        ESME_ERR_TLS_SELF_SIGNED => c"the SMSC's certificate is self-signed",
        ESME_ERR_TLS_UNTRUSTED => c"the SMSC's certificate is not trusted",
        ESME_ERR_TLS_CLIENT_CERT_REJECTED => c"the SMSC did not accept our client certificate",
        ESME_ERR_TLS_VERSION => c"no TLS version in common",
        ESME_ERR_TLS_NOT_TLS => c"the SMSC does not speak TLS on this port",
        ESME_ERR_TLS_PLAIN_TO_TLS => c"the SMSC expects TLS on this port",
        ESME_ERR_TLS_HANDSHAKE => c"the TLS handshake failed",
        ESME_ERR_TLS_SETUP => c"inconsistent TLS options",
        ESME_ERR_FRAME => c"broken SMPP framing",
        ESME_ERR_DECODE => c"malformed PDU",
        ESME_ERR_PDU => c"not a single PDU",
        ESME_ERR_RECEIPT => c"unreadable receipt",
        ESME_ERR_BIND_REFUSED => c"the SMSC refused the bind",
    }
}

/// Static text for a result (never NULL, never freed). Unknown values give "unknown result".
#[no_mangle]
pub extern "C" fn esme_result_str(result: u32) -> *const c_char {
    guard(c"unknown result".as_ptr(), || {
        match RESULTS.iter().find(|r| **r as u32 == result) {
            Some(r) => result_text(*r).as_ptr(),
            None => c"unknown result".as_ptr(),
        }
    })
}

/// The library's version as a static NUL-terminated string, e.g. "0.1.0". Never NULL; the
/// caller must not free it. Compare with ESME_VERSION_MAJOR/MINOR/PATCH to detect a header
/// that does not match the loaded library.
#[no_mangle]
pub extern "C" fn esme_version() -> *const c_char {
    static VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");
    guard(VERSION.as_ptr().cast(), || VERSION.as_ptr().cast())
}

// ------------------------------------------------------------------------------------------
// Errors: thread-local, and per client handle

thread_local! {
    static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
}

fn set_error(text: &str) {
    LAST_ERROR.with(|e| {
        let mut e = e.borrow_mut();
        e.clear();
        e.push_str(text);
    });
}

fn fail(r: esme_result, text: &str) -> esme_result {
    set_error(text);
    r
}

fn fail_err(e: &crate::Error) -> esme_result {
    fail(result_of(e.code()), &e.to_string())
}

/// Copies `text` and its NUL into `buf` when it fits; `*needed` (if not NULL) gets the size
/// needed including the NUL either way.
unsafe fn copy_out(text: &str, buf: *mut c_char, len: usize, needed: *mut usize) -> esme_result {
    let n = text.len() + 1;
    if !needed.is_null() {
        *needed = n;
    }
    if buf.is_null() || len < n {
        return ESME_ERR_BUFFER_TOO_SMALL;
    }
    std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
    *buf.add(text.len()) = 0;
    ESME_OK
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
    boundary(|| LAST_ERROR.with(|e| copy_out(&e.borrow(), buf, len, needed)))
}

/// Runs `f` inside the panic boundary for functions that return a value rather than an
/// `esme_result`: a panic gives `default` (and the thread's last error says so).
fn guard<T>(default: T, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => {
            set_error("internal error: a panic was caught at the C boundary (please report it)");
            default
        }
    }
}

/// Runs `f` inside the panic boundary.
fn boundary(f: impl FnOnce() -> esme_result) -> esme_result {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => fail(
            ESME_ERR_PANIC,
            "internal error: a panic was caught at the C boundary (please report it)",
        ),
    }
}

unsafe fn c_str<'a>(p: *const c_char, what: &str) -> Result<&'a str, esme_result> {
    if p.is_null() {
        return Err(fail(ESME_ERR_NULL, &format!("{what} is NULL")));
    }
    CStr::from_ptr(p)
        .to_str()
        .map_err(|_| fail(ESME_ERR_UTF8, &format!("{what} is not valid UTF-8")))
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ------------------------------------------------------------------------------------------
// Handle registry: handles are ids, never dereferenced, so misuse cannot crash

struct Registry<T> {
    map: RwLock<BTreeMap<usize, Arc<T>>>,
}

static NEXT_HANDLE: AtomicUsize = AtomicUsize::new(0x1000);

impl<T> Registry<T> {
    const fn new() -> Self {
        Registry {
            map: RwLock::new(BTreeMap::new()),
        }
    }

    fn add(&self, v: T) -> usize {
        // Handles of all kinds share one counter (step 16): a client handle can never be
        // taken for a config handle.
        let id = NEXT_HANDLE.fetch_add(16, Ordering::Relaxed);
        match self.map.write() {
            Ok(mut m) => m.insert(id, Arc::new(v)),
            Err(e) => e.into_inner().insert(id, Arc::new(v)),
        };
        id
    }

    fn get(&self, id: usize, what: &str) -> Result<Arc<T>, esme_result> {
        if id == 0 {
            return Err(fail(ESME_ERR_NULL, &format!("{what} is NULL")));
        }
        let m = self.map.read().unwrap_or_else(|e| e.into_inner());
        m.get(&id).cloned().ok_or_else(|| {
            fail(
                ESME_ERR_INVALID_HANDLE,
                &format!("{what} is not a live handle (freed, or never returned by esme)"),
            )
        })
    }

    fn remove(&self, id: usize) -> Option<Arc<T>> {
        match self.map.write() {
            Ok(mut m) => m.remove(&id),
            Err(e) => e.into_inner().remove(&id),
        }
    }
}

// ------------------------------------------------------------------------------------------
// Configuration

/// A channel configuration under construction (opaque). Created by `esme_config_new`,
/// filled by `esme_config_load_file` / `esme_config_set` (Genesys option names), released by
/// `esme_config_free`. Secrets in it are wiped when it is freed. Not for concurrent
/// modification (each call is safe, but two threads setting options interleave).
pub struct esme_config {
    _private: [u8; 0],
}

struct ConfigState {
    base: Option<Config>,
    pairs: Vec<(String, zeroize::Zeroizing<String>)>,
}

static CONFIGS: Registry<Mutex<ConfigState>> = Registry::new();

/// A handle as the C side sees it: a pointer-typed number, never dereferenced (it is a key
/// of a registry). Made from null, so it carries no provenance (Miri's strict-provenance
/// mode agrees); `cfg as usize` gives the number back.
fn handle<T>(id: usize) -> *mut T {
    std::ptr::null_mut::<u8>().wrapping_add(id).cast()
}

/// Creates an empty configuration. `*out` gets the handle (free it with `esme_config_free`).
#[no_mangle]
pub unsafe extern "C" fn esme_config_new(out: *mut *mut esme_config) -> esme_result {
    boundary(|| {
        if out.is_null() {
            return fail(ESME_ERR_NULL, "out is NULL");
        }
        let id = CONFIGS.add(Mutex::new(ConfigState {
            base: None,
            pairs: Vec::new(),
        }));
        *out = handle(id);
        ESME_OK
    })
}

/// Sets one option by its Genesys name (e.g. "x-smpp-host"), checking the name and value at
/// once: ESME_ERR_CONFIG names the option and what is valid (never a secret's value).
#[no_mangle]
pub unsafe extern "C" fn esme_config_set(
    cfg: *mut esme_config,
    key: *const c_char,
    value: *const c_char,
) -> esme_result {
    boundary(|| {
        let st = match CONFIGS.get(cfg as usize, "cfg") {
            Ok(s) => s,
            Err(r) => return r,
        };
        let (key, value) = match (c_str(key, "key"), c_str(value, "value")) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(r), _) | (_, Err(r)) => return r,
        };
        let mut st = lock(&st);
        if let Some(base) = st.base.as_mut() {
            return match base.set(key, value) {
                Ok(()) => ESME_OK,
                Err(e) => fail_err(&crate::Error::Config(e)),
            };
        }
        // Check the option alone against a placeholder configuration.
        let mut probe = match Config::builder("placeholder", "placeholder").build() {
            Ok(c) => c,
            Err(e) => return fail_err(&crate::Error::Config(e)),
        };
        if let Err(e) = probe.set(key, value) {
            return fail_err(&crate::Error::Config(e));
        }
        st.pairs.retain(|(k, _)| k != key);
        st.pairs
            .push((key.to_string(), zeroize::Zeroizing::new(value.to_string())));
        ESME_OK
    })
}

/// Loads a channel section file (Genesys export style: optional `[channel-name]`, `key =
/// value`, `#` comments). Options set before are applied on top of the file.
#[no_mangle]
pub unsafe extern "C" fn esme_config_load_file(
    cfg: *mut esme_config,
    path: *const c_char,
) -> esme_result {
    boundary(|| {
        let st = match CONFIGS.get(cfg as usize, "cfg") {
            Ok(s) => s,
            Err(r) => return r,
        };
        let path = match c_str(path, "path") {
            Ok(p) => p,
            Err(r) => return r,
        };
        let mut base = match Config::from_file(std::path::Path::new(path)) {
            Ok(c) => c,
            Err(e) => return fail_err(&crate::Error::Config(e)),
        };
        let mut st = lock(&st);
        for (k, v) in &st.pairs {
            if let Err(e) = base.set(k, v) {
                return fail_err(&crate::Error::Config(e));
            }
        }
        st.pairs.clear();
        st.base = Some(base);
        ESME_OK
    })
}

/// Releases a configuration (secrets are wiped). NULL or an already freed handle: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_config_free(cfg: *mut esme_config) {
    let _ = boundary(|| {
        CONFIGS.remove(cfg as usize);
        ESME_OK
    });
}

fn build_config(st: &ConfigState) -> Result<Config, crate::Error> {
    match &st.base {
        Some(b) => {
            b.validate()?;
            Ok(b.clone())
        }
        None => Ok(Config::from_options(
            st.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )?),
    }
}

// ------------------------------------------------------------------------------------------
// Client

/// A bound SMPP client (opaque). Every function taking it is safe to call from many threads
/// at once. Created by `esme_client_connect`, released by `esme_client_free`.
pub struct esme_client {
    _private: [u8; 0],
}

struct ClientState {
    client: Client,
    last_error: Mutex<String>,
}

static CLIENTS: Registry<ClientState> = Registry::new();

fn client_fail(c: &ClientState, r: esme_result, text: &str) -> esme_result {
    *lock(&c.last_error) = text.to_string();
    fail(r, text)
}

/// Connects and binds with the configuration (which stays owned by the caller). On success
/// `*out` gets the client; on failure the result and `esme_last_error` say why (e.g.
/// ESME_ERR_BIND_REFUSED "the SMSC refused the bind: ESME_RINVPASWD …"). Blocks up to the
/// connect timeout. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_connect(
    cfg: *const esme_config,
    out: *mut *mut esme_client,
) -> esme_result {
    boundary(|| {
        if out.is_null() {
            return fail(ESME_ERR_NULL, "out is NULL");
        }
        let st = match CONFIGS.get(cfg as usize, "cfg") {
            Ok(s) => s,
            Err(r) => return r,
        };
        let config = match build_config(&lock(&st)) {
            Ok(c) => c,
            Err(e) => return fail_err(&e),
        };
        match Client::connect(&config) {
            Ok(client) => {
                let id = CLIENTS.add(ClientState {
                    client,
                    last_error: Mutex::new(String::new()),
                });
                *out = handle(id);
                ESME_OK
            }
            Err(e) => fail_err(&e),
        }
    })
}

/// Unbinds and closes (queued messages become NOT_SENT, those in flight get their response
/// or UNKNOWN within the close timeout). Idempotent; the handle stays valid for stats,
/// last_error and draining events until `esme_client_free`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_close(client: *const esme_client) -> esme_result {
    boundary(|| match CLIENTS.get(client as usize, "client") {
        Ok(c) => {
            c.client.close();
            ESME_OK
        }
        Err(r) => r,
    })
}

/// Closes (if needed) and releases the client. Calls already running in other threads
/// finish safely; later calls with this handle get ESME_ERR_INVALID_HANDLE. NULL or a freed
/// handle: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_client_free(client: *mut esme_client) {
    let _ = boundary(|| {
        if let Some(c) = CLIENTS.remove(client as usize) {
            c.client.close();
        }
        ESME_OK
    });
}

/// `esme_message.flags`: the body is octets (data_coding 4), not UTF-8 text.
pub const ESME_MSG_BINARY: u32 = 1;
/// `esme_message.flags`: ask for a delivery receipt.
pub const ESME_MSG_RECEIPT: u32 = 2;
/// `esme_message.flags`: ask for no delivery receipt (overrides x-smpp-delivery-report).
pub const ESME_MSG_NO_RECEIPT: u32 = 4;

/// A message to submit. Unset fields take the channel's configured defaults.
#[repr(C)]
pub struct esme_message {
    /// Destination address, NUL-terminated. Required.
    pub to: *const c_char,
    /// Source address, NUL-terminated, or NULL for default-reply-address.
    pub from: *const c_char,
    /// The body: UTF-8 text (not NUL-terminated), or octets with ESME_MSG_BINARY.
    pub body: *const u8,
    /// Length of `body` in octets.
    pub body_len: usize,
    /// ESME_MSG_* flags, or 0.
    pub flags: u32,
}

/// How a message ended (`esme_outcome.kind`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_outcome_kind {
    /// The SMSC accepted every part.
    ESME_ACCEPTED = 1,
    /// The SMSC definitely did not accept it (`command_status` says why).
    ESME_REJECTED = 2,
    /// Written, no usable answer (timeout, connection lost): it may have been accepted.
    ESME_UNKNOWN = 3,
    /// Never left the process: safe to send again.
    ESME_NOT_SENT = 4,
}

/// The outcome of one submitted message (plain data, copied to the caller).
#[repr(C)]
pub struct esme_outcome {
    /// ESME_ACCEPTED, ESME_REJECTED, ESME_UNKNOWN or ESME_NOT_SENT.
    pub kind: esme_outcome_kind,
    /// The SMSC's command_status for ESME_REJECTED (e.g. 0x58), else 0.
    pub command_status: u32,
    /// How many message ids `message_ids` holds (one per accepted part).
    pub parts: u32,
    /// 1 when `message_ids` was cut to fit.
    pub truncated: u32,
    /// The SMSC's message ids, comma-separated, NUL-terminated.
    pub message_ids: [c_char; 1024],
    /// Why (UNKNOWN, NOT_SENT, REJECTED: the status name), NUL-terminated, one line.
    pub why: [c_char; 512],
}

fn fill(dst: &mut [c_char], s: &str) -> bool {
    let n = s.len().min(dst.len() - 1);
    // Cut on a character boundary.
    let mut n2 = n;
    while n2 > 0 && !s.is_char_boundary(n2) {
        n2 -= 1;
    }
    for (d, b) in dst.iter_mut().zip(s.as_bytes()[..n2].iter()) {
        *d = *b as c_char;
    }
    dst[n2] = 0;
    n2 < s.len()
}

fn outcome_to_c(o: &Outcome, out: &mut esme_outcome) {
    let (kind, status, ids, why) = match o {
        Outcome::Accepted { message_ids } => (
            esme_outcome_kind::ESME_ACCEPTED,
            0,
            message_ids.as_slice(),
            String::new(),
        ),
        Outcome::Rejected {
            status,
            message_ids,
        } => (
            esme_outcome_kind::ESME_REJECTED,
            status.to_u32(),
            message_ids.as_slice(),
            status.to_string(),
        ),
        Outcome::Unknown { why, message_ids } => (
            esme_outcome_kind::ESME_UNKNOWN,
            0,
            message_ids.as_slice(),
            why.clone(),
        ),
        Outcome::NotSent { why } => (esme_outcome_kind::ESME_NOT_SENT, 0, &[][..], why.clone()),
    };
    out.kind = kind;
    out.command_status = status;
    out.parts = ids.len() as u32;
    out.truncated = fill(&mut out.message_ids, &ids.join(",")) as u32;
    fill(&mut out.why, &why);
}

unsafe fn message_of(m: *const esme_message) -> Result<Message, esme_result> {
    if m.is_null() {
        return Err(fail(ESME_ERR_NULL, "message is NULL"));
    }
    let m = &*m;
    let to = c_str(m.to, "message.to")?;
    let body: &[u8] = if m.body_len == 0 {
        &[]
    } else if m.body.is_null() {
        return Err(fail(
            ESME_ERR_NULL,
            "message.body is NULL but body_len is not 0",
        ));
    } else {
        std::slice::from_raw_parts(m.body, m.body_len)
    };
    let mut msg = if m.flags & ESME_MSG_BINARY != 0 {
        Message::binary(to, body.to_vec())
    } else {
        match std::str::from_utf8(body) {
            Ok(t) => Message::text(to, t),
            Err(e) => {
                return Err(fail(
                    ESME_ERR_UTF8,
                    &format!(
                    "message.body is not valid UTF-8 (at octet {}); use ESME_MSG_BINARY for octets",
                    e.valid_up_to()
                ),
                ))
            }
        }
    };
    if !m.from.is_null() {
        msg = msg.from(c_str(m.from, "message.from")?);
    }
    if m.flags & ESME_MSG_RECEIPT != 0 {
        msg = msg.receipt(true);
    } else if m.flags & ESME_MSG_NO_RECEIPT != 0 {
        msg = msg.receipt(false);
    }
    if let Content::Binary(_) = msg.content {
        msg.data_coding = Some(4);
    }
    Ok(msg)
}

/// Submits and waits for the outcome, written to `*out`. ESME_OK means the message has an
/// outcome (which may be REJECTED, UNKNOWN or NOT_SENT); an error result means it was not
/// taken at all (bad message, closed client). Blocks; thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_submit(
    client: *const esme_client,
    message: *const esme_message,
    out: *mut esme_outcome,
) -> esme_result {
    boundary(|| {
        let c = match CLIENTS.get(client as usize, "client") {
            Ok(c) => c,
            Err(r) => return r,
        };
        if out.is_null() {
            return client_fail(&c, ESME_ERR_NULL, "out is NULL");
        }
        let m = match message_of(message) {
            Ok(m) => m,
            // Recorded on the thread by message_of: record it on the client too.
            Err(r) => {
                let text = LAST_ERROR.with(|e| e.borrow().clone());
                return client_fail(&c, r, &text);
            }
        };
        match c.client.submit(&m) {
            Ok(o) => {
                outcome_to_c(&o, &mut *out);
                ESME_OK
            }
            Err(e) => client_fail(&c, result_of(e.code()), &e.to_string()),
        }
    })
}

unsafe fn submit_async(
    client: *const esme_client,
    message: *const esme_message,
    ticket: *mut u64,
    block: bool,
) -> esme_result {
    boundary(|| {
        let c = match CLIENTS.get(client as usize, "client") {
            Ok(c) => c,
            Err(r) => return r,
        };
        let m = match message_of(message) {
            Ok(m) => m,
            // Recorded on the thread by message_of: record it on the client too.
            Err(r) => {
                let text = LAST_ERROR.with(|e| e.borrow().clone());
                return client_fail(&c, r, &text);
            }
        };
        let r = if block {
            c.client.submit_async(&m)
        } else {
            c.client.try_submit_async(&m)
        };
        match r {
            Ok(t) => {
                if !ticket.is_null() {
                    *ticket = t.id();
                }
                ESME_OK
            }
            Err(e) => client_fail(&c, result_of(e.code()), &e.to_string()),
        }
    })
}

/// Submits without waiting; the outcome arrives as an ESME_EVENT_OUTCOME event carrying
/// the ticket written to `*ticket` (may be NULL). Blocks while the window is full (up to
/// x-smpp-submit-timeout). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_submit_async(
    client: *const esme_client,
    message: *const esme_message,
    ticket: *mut u64,
) -> esme_result {
    submit_async(client, message, ticket, true)
}

/// Like `esme_client_submit_async`, but never blocks: ESME_ERR_WINDOW_FULL when the window
/// is full. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_try_submit_async(
    client: *const esme_client,
    message: *const esme_message,
    ticket: *mut u64,
) -> esme_result {
    submit_async(client, message, ticket, false)
}

/// The detailed text of the last failure of a call on this client (any thread), like
/// `esme_last_error`.
#[no_mangle]
pub unsafe extern "C" fn esme_client_last_error(
    client: *const esme_client,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> esme_result {
    boundary(|| match CLIENTS.get(client as usize, "client") {
        Ok(c) => {
            let t = lock(&c.last_error).clone();
            copy_out(&t, buf, len, needed)
        }
        Err(r) => r,
    })
}

/// Connection state (`esme_client_state`, ESME_EVENT_CONNECTION events).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_connection_state {
    /// Not a connection event / unknown.
    ESME_STATE_NONE = 0,
    /// Connecting or binding again after a loss.
    ESME_STATE_CONNECTING = 1,
    /// Bound.
    ESME_STATE_BOUND = 2,
    /// Connection lost; reconnecting unless closing.
    ESME_STATE_DISCONNECTED = 3,
    /// Closed for good.
    ESME_STATE_CLOSED = 4,
}

fn state_of(s: &ConnectionState) -> esme_connection_state {
    match s {
        ConnectionState::Connecting { .. } => esme_connection_state::ESME_STATE_CONNECTING,
        ConnectionState::Bound { .. } => esme_connection_state::ESME_STATE_BOUND,
        ConnectionState::Disconnected { .. } => esme_connection_state::ESME_STATE_DISCONNECTED,
        ConnectionState::Closed => esme_connection_state::ESME_STATE_CLOSED,
    }
}

/// Writes the connection state to `*out`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_state(
    client: *const esme_client,
    out: *mut esme_connection_state,
) -> esme_result {
    boundary(|| match CLIENTS.get(client as usize, "client") {
        Ok(c) if out.is_null() => client_fail(&c, ESME_ERR_NULL, "out is NULL"),
        Ok(c) => {
            *out = state_of(&c.client.state());
            ESME_OK
        }
        Err(r) => r,
    })
}

/// Counters (plain data).
#[repr(C)]
#[derive(Debug, Default)]
pub struct esme_stats {
    /// Messages submitted.
    pub submitted: u64,
    /// Messages accepted.
    pub accepted: u64,
    /// Messages rejected.
    pub rejected: u64,
    /// Messages with an unknown outcome.
    pub unknown: u64,
    /// Messages not sent.
    pub not_sent: u64,
    /// Parts answered ESME_RTHROTTLED / ESME_RMSGQFUL.
    pub throttled: u64,
    /// Parts resubmitted after throttling.
    pub retried: u64,
    /// submit_sm PDUs written.
    pub parts_sent: u64,
    /// Parts waiting for their response now.
    pub in_flight: u64,
    /// Reconnects.
    pub reconnects: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Octets written.
    pub bytes_out: u64,
    /// MO messages delivered.
    pub messages_received: u64,
    /// Receipts delivered.
    pub receipts_received: u64,
    /// Inbound PDUs refused because the event queue was full.
    pub inbound_refused: u64,
    /// Response latency median, microseconds (0 when none yet).
    pub latency_p50_us: u64,
    /// Response latency 99th percentile, microseconds (0 when none yet).
    pub latency_p99_us: u64,
}

/// Writes the counters to `*out`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_stats(
    client: *const esme_client,
    out: *mut esme_stats,
) -> esme_result {
    boundary(|| match CLIENTS.get(client as usize, "client") {
        Ok(c) if out.is_null() => client_fail(&c, ESME_ERR_NULL, "out is NULL"),
        Ok(c) => {
            let s = c.client.stats();
            let us = |d: Option<Duration>| d.map_or(0, |d| d.as_micros() as u64);
            *out = esme_stats {
                submitted: s.submitted,
                accepted: s.accepted,
                rejected: s.rejected,
                unknown: s.unknown,
                not_sent: s.not_sent,
                throttled: s.throttled,
                retried: s.retried,
                parts_sent: s.parts_sent,
                in_flight: s.in_flight,
                reconnects: s.reconnects,
                bytes_in: s.bytes_in,
                bytes_out: s.bytes_out,
                messages_received: s.messages_received,
                receipts_received: s.receipts_received,
                inbound_refused: s.inbound_refused,
                latency_p50_us: us(s.latency_p50),
                latency_p99_us: us(s.latency_p99),
            };
            ESME_OK
        }
        Err(r) => r,
    })
}

// ------------------------------------------------------------------------------------------
// Events

/// The kind of an event.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_event_kind {
    /// NULL event.
    ESME_EVENT_NONE = 0,
    /// The outcome of an async submit: `esme_event_ticket`, `esme_event_outcome`.
    ESME_EVENT_OUTCOME = 1,
    /// An MO message: from, to, text (UTF-8, when text), body (octets), parts.
    ESME_EVENT_MESSAGE = 2,
    /// A delivery receipt: from, to, text (as received), `esme_event_receipt`.
    ESME_EVENT_RECEIPT = 3,
    /// A concatenated message whose parts stopped arriving: from, to, body (what arrived).
    ESME_EVENT_INCOMPLETE = 4,
    /// alert_notification: from (the mobile), to (the ESME address).
    ESME_EVENT_ALERT = 5,
    /// The connection changed: `esme_event_connection`, text (why, when disconnected).
    ESME_EVENT_CONNECTION = 6,
    /// A warning (certificate expiring, …): text.
    ESME_EVENT_WARNING = 7,
}

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

/// A delivery receipt's fields (strings borrowed from the event).
#[repr(C)]
pub struct esme_receipt {
    /// The message id the receipt is about (esme_receipt_ids_match compares it with a
    /// submit's id, hex or decimal).
    pub id: esme_str,
    /// message_state: 1 ENROUTE, 2 DELIVERED, 3 EXPIRED, 4 DELETED, 5 UNDELIVERABLE,
    /// 6 ACCEPTED, 7 UNKNOWN, 8 REJECTED, 0 not given.
    pub state: u32,
    /// 1 when the state is final.
    pub is_final: u32,
    /// The err: field as a number, or -1.
    pub err: i64,
}

/// One event (opaque), from `esme_client_poll`. Owned by the caller: free it exactly once
/// with `esme_event_free`. Not shared between threads while in use.
pub struct esme_event {
    event: Event,
    from: Option<CString>,
    to: Option<CString>,
    text: Option<CString>,
    body: Vec<u8>,
    receipt_id: Option<CString>,
}

fn cstring(s: &str) -> Option<CString> {
    // Interior NULs are not expected in addresses or texts; drop them rather than fail.
    CString::new(s.replace('\0', "")).ok()
}

fn wrap(event: Event) -> esme_event {
    let mut e = esme_event {
        event,
        from: None,
        to: None,
        text: None,
        body: Vec::new(),
        receipt_id: None,
    };
    match &e.event {
        Event::Message(m) => {
            e.from = cstring(&m.from);
            e.to = cstring(&m.to);
            e.text = m.text.as_deref().and_then(cstring);
            e.body = m.body.clone();
        }
        Event::Receipt(r) => {
            e.from = cstring(&r.from);
            e.to = cstring(&r.to);
            // The receipt text as received (octets read as Latin-1, which is lossless).
            e.text = cstring(&r.raw.iter().map(|&b| b as char).collect::<String>());
            e.receipt_id = r.receipt.as_ref().and_then(|x| cstring(&x.id));
        }
        Event::Incomplete(i) => {
            e.from = cstring(&i.source);
            e.to = cstring(&i.destination);
            e.body = i.partial_body.clone();
        }
        Event::Alert { source, esme } => {
            e.from = cstring(&source.addr);
            e.to = cstring(&esme.addr);
        }
        Event::Connection(ConnectionState::Disconnected { why }) => e.text = cstring(why),
        Event::Connection(ConnectionState::Bound { system_id }) => e.text = cstring(system_id),
        Event::Warning(w) => e.text = cstring(w),
        Event::Outcome { .. } | Event::Connection(_) => {}
    }
    e
}

/// Waits up to `timeout_ms` for the next event (0: don't wait). ESME_OK: `*out` gets an
/// event to free with `esme_event_free`; ESME_EMPTY: none came. Events are only delivered
/// here (no callbacks into foreign threads). Thread-safe (each event goes to one caller).
#[no_mangle]
pub unsafe extern "C" fn esme_client_poll(
    client: *const esme_client,
    timeout_ms: u32,
    out: *mut *mut esme_event,
) -> esme_result {
    boundary(|| {
        let c = match CLIENTS.get(client as usize, "client") {
            Ok(c) => c,
            Err(r) => return r,
        };
        if out.is_null() {
            return client_fail(&c, ESME_ERR_NULL, "out is NULL");
        }
        match c
            .client
            .poll_event(Some(Duration::from_millis(timeout_ms as u64)))
        {
            Some(e) => {
                *out = Box::into_raw(Box::new(wrap(e)));
                ESME_OK
            }
            None => ESME_EMPTY,
        }
    })
}

/// Releases an event. NULL: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_event_free(event: *mut esme_event) {
    let _ = boundary(|| {
        if !event.is_null() {
            drop(Box::from_raw(event));
        }
        ESME_OK
    });
}

unsafe fn ev<'a>(event: *const esme_event) -> Option<&'a esme_event> {
    event.as_ref()
}

/// The event's kind (ESME_EVENT_NONE for NULL).
#[no_mangle]
pub unsafe extern "C" fn esme_event_get_kind(event: *const esme_event) -> esme_event_kind {
    guard(esme_event_kind::ESME_EVENT_NONE, || {
        match ev(event).map(|e| &e.event) {
            None => esme_event_kind::ESME_EVENT_NONE,
            Some(Event::Outcome { .. }) => esme_event_kind::ESME_EVENT_OUTCOME,
            Some(Event::Message(_)) => esme_event_kind::ESME_EVENT_MESSAGE,
            Some(Event::Receipt(_)) => esme_event_kind::ESME_EVENT_RECEIPT,
            Some(Event::Incomplete(_)) => esme_event_kind::ESME_EVENT_INCOMPLETE,
            Some(Event::Alert { .. }) => esme_event_kind::ESME_EVENT_ALERT,
            Some(Event::Connection(_)) => esme_event_kind::ESME_EVENT_CONNECTION,
            Some(Event::Warning(_)) => esme_event_kind::ESME_EVENT_WARNING,
        }
    })
}

/// The ticket of an ESME_EVENT_OUTCOME (0 otherwise).
#[no_mangle]
pub unsafe extern "C" fn esme_event_ticket(event: *const esme_event) -> u64 {
    guard(0, || match ev(event).map(|e| &e.event) {
        Some(Event::Outcome { ticket, .. }) => *ticket,
        _ => 0,
    })
}

/// Copies the outcome of an ESME_EVENT_OUTCOME to `*out` (ESME_ERR_USAGE for other kinds).
#[no_mangle]
pub unsafe extern "C" fn esme_event_outcome(
    event: *const esme_event,
    out: *mut esme_outcome,
) -> esme_result {
    boundary(|| match (ev(event).map(|e| &e.event), out.is_null()) {
        (None, _) => fail(ESME_ERR_NULL, "event is NULL"),
        (_, true) => fail(ESME_ERR_NULL, "out is NULL"),
        (Some(Event::Outcome { outcome, .. }), false) => {
            outcome_to_c(outcome, &mut *out);
            ESME_OK
        }
        _ => fail(ESME_ERR_USAGE, "not an ESME_EVENT_OUTCOME event"),
    })
}

fn str_of(s: &Option<CString>) -> esme_str {
    match s {
        Some(c) => esme_str {
            ptr: c.as_ptr(),
            len: c.as_bytes().len(),
        },
        None => esme_str {
            ptr: std::ptr::null(),
            len: 0,
        },
    }
}

/// The source address (MESSAGE, RECEIPT, INCOMPLETE, ALERT), borrowed.
#[no_mangle]
pub unsafe extern "C" fn esme_event_from(event: *const esme_event) -> esme_str {
    guard(str_of(&None), || {
        ev(event).map_or(str_of(&None), |e| str_of(&e.from))
    })
}

/// The destination address (MESSAGE, RECEIPT, INCOMPLETE, ALERT), borrowed.
#[no_mangle]
pub unsafe extern "C" fn esme_event_to(event: *const esme_event) -> esme_str {
    guard(str_of(&None), || {
        ev(event).map_or(str_of(&None), |e| str_of(&e.to))
    })
}

/// The text, borrowed: an MO message's text (UTF-8; NULL for binary), a receipt as
/// received, a warning, why the connection dropped (DISCONNECTED) or the SMSC's system_id
/// (BOUND).
#[no_mangle]
pub unsafe extern "C" fn esme_event_text(event: *const esme_event) -> esme_str {
    guard(str_of(&None), || {
        ev(event).map_or(str_of(&None), |e| str_of(&e.text))
    })
}

/// The octets of an MO message (UDH removed) or of an incomplete one, borrowed.
#[no_mangle]
pub unsafe extern "C" fn esme_event_body(event: *const esme_event) -> esme_bytes {
    guard(
        esme_bytes {
            ptr: std::ptr::null(),
            len: 0,
        },
        || match ev(event) {
            Some(e) if !e.body.is_empty() => esme_bytes {
                ptr: e.body.as_ptr(),
                len: e.body.len(),
            },
            _ => esme_bytes {
                ptr: std::ptr::null(),
                len: 0,
            },
        },
    )
}

/// The connection state of an ESME_EVENT_CONNECTION (ESME_STATE_NONE otherwise).
#[no_mangle]
pub unsafe extern "C" fn esme_event_connection(event: *const esme_event) -> esme_connection_state {
    guard(esme_connection_state::ESME_STATE_NONE, || {
        match ev(event).map(|e| &e.event) {
            Some(Event::Connection(s)) => state_of(s),
            _ => esme_connection_state::ESME_STATE_NONE,
        }
    })
}

/// Copies a receipt's fields to `*out` (ESME_ERR_USAGE for other kinds; ESME_ERR_RECEIPT
/// when it could not be read: the raw text is in `esme_event_text`).
#[no_mangle]
pub unsafe extern "C" fn esme_event_receipt(
    event: *const esme_event,
    out: *mut esme_receipt,
) -> esme_result {
    boundary(|| {
        let Some(e) = ev(event) else {
            return fail(ESME_ERR_NULL, "event is NULL");
        };
        if out.is_null() {
            return fail(ESME_ERR_NULL, "out is NULL");
        }
        let Event::Receipt(r) = &e.event else {
            return fail(ESME_ERR_USAGE, "not an ESME_EVENT_RECEIPT event");
        };
        let Some(rc) = &r.receipt else {
            return fail(
                ESME_ERR_RECEIPT,
                r.note.as_deref().unwrap_or("the receipt could not be read"),
            );
        };
        *out = esme_receipt {
            id: str_of(&e.receipt_id),
            state: rc.state.to_u8() as u32,
            is_final: rc.is_final() as u32,
            err: rc.err_code.map_or(-1, i64::from),
        };
        ESME_OK
    })
}

/// 1 when a submit's message id and a receipt's id name the same message (literally, or
/// one in hex and the other in decimal, as SMSCs differ), else 0.
#[no_mangle]
pub unsafe extern "C" fn esme_receipt_ids_match(
    submit_id: *const c_char,
    receipt_id: *const c_char,
) -> u32 {
    guard(0, || {
        match (
            c_str(submit_id, "submit_id"),
            c_str(receipt_id, "receipt_id"),
        ) {
            (Ok(a), Ok(b)) => crate::receipt::ids_match(a, b) as u32,
            _ => 0,
        }
    })
}

// ------------------------------------------------------------------------------------------
// PII masking (DataByGroup, DataByRule, DataByRegEx)

/// A compiled PII rule set (opaque): the built-in rules (group "default": payment cards,
/// e-mail, phone numbers, US SSN, IBAN), plus those of a JSON rule file. Immutable once made:
/// every function taking it is thread-safe. Released by `esme_rules_free`.
pub struct esme_rules {
    _private: [u8; 0],
}

static RULES: Registry<crate::pii::RuleSet> = Registry::new();

/// The built-in rules. `*out` gets the handle.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_builtin(out: *mut *mut esme_rules) -> esme_result {
    boundary(|| {
        if out.is_null() {
            return fail(ESME_ERR_NULL, "out is NULL");
        }
        *out = handle(RULES.add(crate::pii::RuleSet::builtin()));
        ESME_OK
    })
}

/// The rules of a JSON rule file (README "PII masking") plus the built-ins. A bad file or
/// rule: ESME_ERR_PII, with the rule named in `esme_last_error`.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_load_file(
    path: *const c_char,
    out: *mut *mut esme_rules,
) -> esme_result {
    boundary(|| {
        if out.is_null() {
            return fail(ESME_ERR_NULL, "out is NULL");
        }
        let path = match c_str(path, "path") {
            Ok(p) => p,
            Err(r) => return r,
        };
        match crate::pii::RuleSet::from_file(path).and_then(crate::pii::RuleSet::with_builtins) {
            Ok(r) => {
                *out = handle(RULES.add(r));
                ESME_OK
            }
            Err(e) => fail_err(&crate::Error::Pii(e)),
        }
    })
}

/// Releases a rule set. NULL or a freed handle: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_free(rules: *mut esme_rules) {
    let _ = boundary(|| {
        RULES.remove(rules as usize);
        ESME_OK
    });
}

enum MaskBy<'a> {
    Group(&'a str),
    Rule(&'a str),
    Regex(&'a str, char),
}

unsafe fn mask_into(
    rules: Option<*const esme_rules>,
    text: *const c_char,
    by: MaskBy<'_>,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    let text = match c_str(text, "text") {
        Ok(t) => t,
        Err(r) => return r,
    };
    let r = match (rules, by) {
        (_, MaskBy::Regex(re, c)) => crate::pii::mask_by_regex(text, re, c),
        (Some(h), by) => {
            let set = match RULES.get(h as usize, "rules") {
                Ok(s) => s,
                Err(r) => return r,
            };
            match by {
                MaskBy::Group(g) => set.mask_by_group(text, g),
                MaskBy::Rule(n) => set.mask_by_rule(text, n),
                MaskBy::Regex(..) => unreachable!("handled above"),
            }
        }
        (None, _) => return fail(ESME_ERR_NULL, "rules is NULL"),
    };
    match r {
        Ok(m) => {
            let res = copy_out(&m.text, buf, len, needed);
            if res == ESME_OK && !count.is_null() {
                *count = m.count as u32;
            }
            res
        }
        Err(e) => fail_err(&crate::Error::Pii(e)),
    }
}

/// DataByGroup: masks `text` (NUL-terminated UTF-8) with the rules of `group`, in priority
/// order. The result and its NUL go to `buf` when `len` is enough (else
/// ESME_ERR_BUFFER_TOO_SMALL); `*needed` gets the size needed, `*count` (may be NULL) the
/// number of matches masked. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_mask_group(
    rules: *const esme_rules,
    text: *const c_char,
    group: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    boundary(|| match c_str(group, "group") {
        Ok(g) => mask_into(Some(rules), text, MaskBy::Group(g), buf, len, needed, count),
        Err(r) => r,
    })
}

/// DataByRule: like `esme_rules_mask_group` with one rule by name.
#[no_mangle]
pub unsafe extern "C" fn esme_rules_mask_rule(
    rules: *const esme_rules,
    text: *const c_char,
    rule: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    boundary(|| match c_str(rule, "rule") {
        Ok(n) => mask_into(Some(rules), text, MaskBy::Rule(n), buf, len, needed, count),
        Err(r) => r,
    })
}

/// DataByRegEx: masks every match of `regex` (regex-lite syntax) with '*'; like
/// `esme_rules_mask_group` otherwise. A bad regex: ESME_ERR_PII.
#[no_mangle]
pub unsafe extern "C" fn esme_mask_regex(
    text: *const c_char,
    regex: *const c_char,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
    count: *mut u32,
) -> esme_result {
    boundary(|| match c_str(regex, "regex") {
        Ok(re) => mask_into(None, text, MaskBy::Regex(re, '*'), buf, len, needed, count),
        Err(r) => r,
    })
}

// ------------------------------------------------------------------------------------------
// Logging

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
    /// Protocol detail (ignored PDUs, …).
    ESME_LOG_DEBUG = 4,
}

/// One log record, borrowed for the duration of the callback only.
#[repr(C)]
pub struct esme_log_record {
    /// Severity.
    pub level: esme_log_level,
    /// Where from, e.g. "esme::client".
    pub target: esme_str,
    /// The line (never a secret).
    pub message: esme_str,
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
/// records at `min_level` (an `esme_log_level`: ESME_LOG_ERROR … ESME_LOG_DEBUG) and above
/// (more severe); another value is ESME_ERR_USAGE. See `esme_log_callback` for threading.
#[no_mangle]
pub unsafe extern "C" fn esme_set_log_callback(
    callback: esme_log_callback,
    userdata: *mut c_void,
    min_level: u32,
) -> esme_result {
    boundary(|| {
        use crate::log::{set_sink, Level, Record};
        let Some(cb) = callback else {
            set_sink(None);
            return ESME_OK;
        };
        // A u32, not the enum: a value outside it from C must be an error, not undefined
        // behaviour.
        let min = match min_level {
            1 => Level::Error,
            2 => Level::Warn,
            3 => Level::Info,
            4 => Level::Debug,
            _ => {
                return fail(
                    ESME_ERR_USAGE,
                    "min_level must be ESME_LOG_ERROR … ESME_LOG_DEBUG",
                )
            }
        };
        let ud = UserData(userdata);
        set_sink(Some((
            Arc::new(move |r: &Record<'_>| {
                // Owned here, borrowed by the record for the duration of the call.
                let target = cstring(r.target);
                let message = cstring(r.message);
                let rec = esme_log_record {
                    level: match r.level {
                        Level::Error => esme_log_level::ESME_LOG_ERROR,
                        Level::Warn => esme_log_level::ESME_LOG_WARN,
                        Level::Info => esme_log_level::ESME_LOG_INFO,
                        Level::Debug => esme_log_level::ESME_LOG_DEBUG,
                    },
                    target: str_of(&target),
                    message: str_of(&message),
                };
                let ud = &ud;
                cb(ud.0, &rec);
                drop((target, message));
            }),
            min,
        )));
        ESME_OK
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_has_a_result_and_a_text() {
        for r in RESULTS {
            let t = unsafe { CStr::from_ptr(esme_result_str(*r as u32)) };
            assert!(!t.to_bytes().is_empty());
            assert_eq!(result_of(*r as u32), *r);
        }
        let u = unsafe { CStr::from_ptr(esme_result_str(9999)) };
        assert_eq!(u.to_str().unwrap(), "unknown result");
        // Every code the library's Error can carry.
        let codes = [
            100, 101, 102, 103, 104, 105, 106, 201, 202, 203, 301, 302, 303, 304, 305, 306, 307,
            308, 309, 310, 311, 312, 313, 320, 321, 322, 323, 324, 325, 330, 331, 332, 333, 334,
            335, 401, 402, 403, 404, 501,
        ];
        for c in codes {
            assert_ne!(result_of(c), ESME_ERR_PANIC, "code {c} has no esme_result");
        }
    }

    static SEEN: Mutex<Vec<(u32, String, String)>> = Mutex::new(Vec::new());

    unsafe extern "C" fn record(_ud: *mut c_void, r: *const esme_log_record) {
        let r = &*r;
        let s = |x: &esme_str| CStr::from_ptr(x.ptr).to_str().unwrap().to_string();
        // Other tests' clients log too: keep only this test's records.
        if s(&r.target) == "esme::test" {
            lock(&SEEN).push((r.level as u32, s(&r.target), s(&r.message)));
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
            crate::log::emit(
                crate::log::Level::Warn,
                "esme::test",
                "a warning with ünïcode",
            );
            crate::log::emit(crate::log::Level::Debug, "esme::test", "filtered out");
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
            vec![(
                2,
                "esme::test".to_string(),
                "a warning with ünïcode".to_string()
            )]
        );
    }

    #[test]
    fn masking_through_the_c_functions() {
        unsafe {
            let mut rules: *mut esme_rules = std::ptr::null_mut();
            assert_eq!(esme_rules_builtin(&mut rules), ESME_OK);
            let mut buf = [0 as c_char; 128];
            let (mut needed, mut count) = (0usize, 0u32);
            let text = c"Card 4111 1111 1111 1111, mail ann@example.com";
            assert_eq!(
                esme_rules_mask_group(
                    rules,
                    text.as_ptr(),
                    c"default".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_OK
            );
            assert_eq!(
                CStr::from_ptr(buf.as_ptr()).to_str().unwrap(),
                "Card ***************1111, mail ***************"
            );
            assert_eq!(count, 2);
            assert_eq!(
                esme_rules_mask_group(
                    rules,
                    text.as_ptr(),
                    c"nope".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_ERR_PII
            );
            assert_eq!(
                esme_rules_mask_rule(
                    rules,
                    text.as_ptr(),
                    c"email".as_ptr(),
                    buf.as_mut_ptr(),
                    4,
                    &mut needed,
                    std::ptr::null_mut()
                ),
                ESME_ERR_BUFFER_TOO_SMALL
            );
            assert_eq!(needed, text.to_bytes().len() + 1);
            assert_eq!(
                esme_mask_regex(
                    c"room 101".as_ptr(),
                    c"\\d+".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_OK
            );
            assert_eq!(CStr::from_ptr(buf.as_ptr()).to_str().unwrap(), "room ***");
            assert_eq!(
                esme_mask_regex(
                    c"x".as_ptr(),
                    c"(".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_ERR_PII
            );
            esme_rules_free(rules);
            esme_rules_free(rules);
            assert_eq!(
                esme_rules_mask_group(
                    rules,
                    text.as_ptr(),
                    c"default".as_ptr(),
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed,
                    &mut count
                ),
                ESME_ERR_INVALID_HANDLE
            );
        }
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
            esme_client_free(std::ptr::null_mut());
            assert_eq!(
                esme_event_get_kind(std::ptr::null()),
                esme_event_kind::ESME_EVENT_NONE
            );
            esme_event_free(std::ptr::null_mut());
        }
    }
}
