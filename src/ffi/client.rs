//! `esme_client`: connect, close, free, state, stats and the per-client last error.

use super::boundary::{self, boundary, fail_err, guard, lock, Out, Ret};
use super::config::esme_config;
use super::handle::{self, registered};
use super::result::esme_result::{self, *};
use super::strings::copy_out;
use crate::client::{Client, ConnectionState};
use std::ffi::c_char;
use std::sync::Mutex;
use std::time::Duration;

/// A bound SMPP client (opaque). Every function taking it is safe to call from many threads
/// at once. Created by `esme_client_connect`, released by `esme_client_free`.
pub struct esme_client {
    _private: [u8; 0],
}

/// What an `esme_client` handle refers to.
pub(crate) struct ClientState {
    pub(crate) client: Client,
    /// The text of the last failure of a call on this client (`esme_client_last_error`).
    last_error: Mutex<String>,
}

registered!(esme_client => ClientState);

/// Runs the body of a function taking `client` (looked up first) in the boundary. A failure
/// of the body is recorded on the client too, so `esme_client_last_error` gives it from any
/// thread; a handle that is not live is recorded on the thread only.
pub(crate) fn client_call(
    client: *const esme_client,
    f: impl FnOnce(&ClientState) -> Ret,
) -> esme_result {
    boundary(|| {
        let c = handle::get(client, "client")?;
        f(&c).inspect_err(|_| *lock(&c.last_error) = boundary::last_error())
    })
}

/// Connects and binds with the configuration (which stays owned by the caller). On success
/// `*out` gets the client; on failure the result and `esme_last_error` say why (e.g.
/// ESME_ERR_BIND_REFUSED "the SMSC refused the bind: ESME_RINVPASWD …"). Blocks up to the
/// connect timeout; with the connect-retry option it returns at once instead (failing only
/// for a configuration or TLS file that cannot be used) and the client connects in the
/// background, retrying like a reconnect. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_connect(
    cfg: *const esme_config,
    out: *mut *mut esme_client,
) -> esme_result {
    boundary(|| {
        let out = Out::new(out, "out")?;
        let st = handle::get(cfg, "cfg")?;
        let config = lock(&st).build().map_err(fail_err)?;
        let client = Client::connect(&config).map_err(fail_err)?;
        out.write(handle::new(ClientState {
            client,
            last_error: Mutex::new(String::new()),
        }));
        Ok(ESME_OK)
    })
}

/// Applies a new configuration to a live client without a restart (the configuration
/// stays owned by the caller). It is validated and its files (PKCS#12, CA, PII rules) are
/// loaded first: when that fails, nothing changes and the result and `esme_last_error` say
/// why (e.g. ESME_ERR_CONFIG). The submit rate changes at once; any other change (hosts,
/// credentials, TLS material, window, timeouts, masking, the number of binds) makes new
/// binds with it, moves new submits to them and drains the old ones: every message keeps
/// its one outcome. When a new bind cannot be made, the binds in use stay and the result
/// says why. Blocks while the new binds connect (up to the connect timeout per host and
/// bind). Thread-safe; one reload at a time per client.
#[no_mangle]
pub unsafe extern "C" fn esme_client_reload(
    client: *const esme_client,
    cfg: *const esme_config,
) -> esme_result {
    client_call(client, |c| {
        let st = handle::get(cfg, "cfg")?;
        let config = lock(&st).build().map_err(fail_err)?;
        c.client.reload(&config).map_err(fail_err)?;
        Ok(ESME_OK)
    })
}

/// Unbinds and closes: while bound, the queue behind the window is still sent as answers
/// make room; messages in flight get their response or UNKNOWN within the close timeout;
/// what is still queued then (at once behind the rate limit or when not bound) becomes
/// NOT_SENT. Returns within the close timeout plus 2 s, also
/// while a reconnect is in progress. Idempotent; the handle stays valid for stats,
/// last_error and draining events until `esme_client_free`. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_close(client: *const esme_client) -> esme_result {
    client_call(client, |c| {
        c.client.close();
        Ok(ESME_OK)
    })
}

/// Closes (if needed) and releases the client. Calls already running in other threads
/// finish safely; later calls with this handle get ESME_ERR_INVALID_HANDLE. NULL or a freed
/// handle: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_client_free(client: *mut esme_client) {
    guard((), || {
        if let Some(c) = handle::free(client) {
            c.client.close();
        }
    })
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
    // Not client_call: a buffer too small is recorded on the thread only, and the client's
    // text stays to be asked for again.
    boundary(|| {
        let c = handle::get(client, "client")?;
        let text = lock(&c.last_error).clone();
        copy_out(&text, buf, len, needed)
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

pub(crate) fn state_of(s: &ConnectionState) -> esme_connection_state {
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
    client_call(client, |c| {
        let out = Out::new(out, "out")?;
        out.write(state_of(&c.client.state()));
        Ok(ESME_OK)
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
    /// Reconnect attempts that bound (attempts made:
    /// `esme_client_reconnect_attempts`).
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
    client_call(client, |c| {
        let out = Out::new(out, "out")?;
        let s = c.client.stats();
        let us = |d: Option<Duration>| d.map_or(0, |d| d.as_micros() as u64);
        out.write(esme_stats {
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
        });
        Ok(ESME_OK)
    })
}

/// Writes to `*fd` a file descriptor that is readable while events wait to be polled, for
/// poll(2), epoll(7) (level-triggered or edge-triggered), select(2), libuv, asio or any
/// event loop, instead of a thread blocked in `esme_client_poll`. Level semantics: it is
/// readable from the moment an event is queued until `esme_client_poll` takes the last
/// one. When it is readable, call `esme_client_poll(client, 0, &e)` until ESME_EMPTY (with
/// edge-triggered epoll, always until ESME_EMPTY: it becomes readable again only after
/// the queue was empty). Made at the first call (later calls give the same descriptor);
/// owned by the client, valid until `esme_client_free` (also after `esme_client_close`,
/// while events are drained): never read, write or close it, and remove it from the
/// event loop before `esme_client_free`. ESME_ERR_USAGE on a platform without it (not
/// Unix). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_event_fd(
    client: *const esme_client,
    fd: *mut std::ffi::c_int,
) -> esme_result {
    client_call(client, |c| {
        let out = Out::new(fd, "fd")?;
        #[cfg(unix)]
        {
            out.write(c.client.event_fd().map_err(fail_err)?);
            Ok(ESME_OK)
        }
        #[cfg(not(unix))]
        {
            let _ = (out, c);
            Err(super::boundary::fail(
                ESME_ERR_USAGE,
                "esme_client_event_fd needs a Unix platform; poll with esme_client_poll",
            ))
        }
    })
}

/// Writes to `*out` how many connect attempts the client's I/O thread has made, bound or not:
/// after a lost connection, and at the start with the connect-retry option (`esme_stats.reconnects`
/// counts those that bound). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_reconnect_attempts(
    client: *const esme_client,
    out: *mut u64,
) -> esme_result {
    client_call(client, |c| {
        let out = Out::new(out, "out")?;
        out.write(c.client.stats().reconnect_attempts);
        Ok(ESME_OK)
    })
}
