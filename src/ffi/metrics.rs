//! The numbers an operator watches, for C: `esme_metrics` (the channel) and
//! `esme_bind_metrics` (one bind), structures that grow at their end and say their size, and
//! the Prometheus text (`esme_client_prometheus`). `esme_stats` (client.rs) stays as it was.

use super::boundary::{fail, Failed};
use super::client::{client_call, esme_client};
use super::result::esme_result::{self, *};
use super::strings::copy_out;
use crate::client::{BindStats, Stats};
use std::ffi::c_char;
use std::time::Duration;

/// The days-left fields' value when there is no such certificate (no TLS, or not mutual for
/// ours, or no handshake yet for the SMSC's).
pub const ESME_NO_CERTIFICATE: i32 = -2147483647;

/// The length of `esme_bind_metrics.host`, its NUL included.
pub const ESME_HOST_LEN: usize = 128;

/// The numbers of a client (one channel), filled by `esme_client_metrics`.
///
/// It grows at its end in later versions, never changing a field already there: set
/// `struct_size` to `sizeof(esme_metrics)` before the call; the library writes the fields
/// that fit in both its version and yours, and sets `struct_size` to the bytes it wrote
/// (smaller than yours when the library is older than your header: the fields past it were
/// not written). Durations are in microseconds; a percentile with no observation yet is 0.
#[repr(C)]
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct esme_metrics {
    /// In: `sizeof(esme_metrics)` as your header has it. Out: the bytes written.
    pub struct_size: u32,
    /// Binds configured.
    pub binds_configured: u32,
    /// Binds bound now.
    pub binds_up: u32,
    /// The window of each bind: at most this many parts wait for a response at once.
    pub window_size: u32,
    /// Whole days until our client certificate expires (negative once expired);
    /// `ESME_NO_CERTIFICATE` without mutual TLS.
    pub client_cert_days_left: i32,
    /// Whole days until the SMSC's certificate expires (the earliest over the binds), from
    /// the last handshake; `ESME_NO_CERTIFICATE` without TLS or before a handshake.
    pub smsc_cert_days_left: i32,
    /// submit_sm PDUs written per second over the last 10 s.
    pub submits_per_second: f64,
    /// Messages handed to submit (not parts).
    pub submitted: u64,
    /// Messages accepted.
    pub accepted: u64,
    /// Messages rejected.
    pub rejected: u64,
    /// Messages with an unknown outcome (may have been accepted).
    pub unknown: u64,
    /// Messages not sent (safe to send again).
    pub not_sent: u64,
    /// Parts answered ESME_RTHROTTLED / ESME_RMSGQFUL.
    pub throttled: u64,
    /// Parts resubmitted after such an answer.
    pub retried: u64,
    /// submit_sm PDUs written.
    pub parts_sent: u64,
    /// Parts waiting for their response now: the window in use (all binds).
    pub in_flight: u64,
    /// Connect attempts made by the I/O thread, bound or not.
    pub reconnect_attempts: u64,
    /// Of those, the ones that bound.
    pub reconnects: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Octets written.
    pub bytes_out: u64,
    /// MO messages delivered.
    pub messages_received: u64,
    /// Delivery receipts delivered.
    pub receipts_received: u64,
    /// Receipts matched to a message of this client by the channel's receipt correlation
    /// (`esme_event_receipt_matched` 1), whichever bind carried it.
    pub receipts_matched: u64,
    /// The other receipts (an id this client never saw accepted or no longer remembers, or
    /// an unreadable receipt).
    pub receipts_unmatched: u64,
    /// Inbound PDUs refused because the event queue was full.
    pub inbound_refused: u64,
    /// Response latency median, microseconds.
    pub latency_p50_us: u64,
    /// Response latency 99th percentile, microseconds.
    pub latency_p99_us: u64,
    /// Responses timed.
    pub latency_count: u64,
    /// The sum of their latencies, microseconds.
    pub latency_sum_us: u64,
    /// Receipt lag (submit_sm_resp to the final matched receipt) median, microseconds.
    pub receipt_lag_p50_us: u64,
    /// Receipt lag 99th percentile, microseconds.
    pub receipt_lag_p99_us: u64,
    /// Receipts timed.
    pub receipt_lag_count: u64,
    /// The sum of their lags, microseconds.
    pub receipt_lag_sum_us: u64,
}

/// The numbers of one bind of a client, filled by `esme_client_bind_metrics`. Grows at its
/// end like `esme_metrics`, with the same `struct_size` rule.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct esme_bind_metrics {
    /// In: `sizeof(esme_bind_metrics)` as your header has it. Out: the bytes written.
    pub struct_size: u32,
    /// The bind's index in its channel, from 0.
    pub index: u32,
    /// 1 when bound now, else 0.
    pub up: u32,
    /// The bind's window.
    pub window_size: u32,
    /// Parts waiting for their response on this bind now.
    pub window_in_use: u32,
    /// Whole days until the SMSC's certificate of this bind's last handshake expires;
    /// `ESME_NO_CERTIFICATE` without TLS or before a handshake.
    pub smsc_cert_days_left: i32,
    /// The SMSC this bind is (or was last) connected to, `host:port`, NUL-terminated
    /// (cut at a character boundary to fit).
    pub host: [c_char; ESME_HOST_LEN],
    /// submit_sm PDUs written per second over the last 10 s.
    pub submits_per_second: f64,
    /// submit_sm PDUs written.
    pub parts_sent: u64,
    /// Parts answered ESME_RTHROTTLED / ESME_RMSGQFUL.
    pub throttled: u64,
    /// Connect attempts after a loss, bound or not.
    pub reconnect_attempts: u64,
    /// Of those, the ones that bound.
    pub reconnects: u64,
    /// Octets received.
    pub bytes_in: u64,
    /// Octets written.
    pub bytes_out: u64,
    /// Response latency median, microseconds.
    pub latency_p50_us: u64,
    /// Response latency 99th percentile, microseconds.
    pub latency_p99_us: u64,
    /// Responses timed.
    pub latency_count: u64,
    /// The sum of their latencies, microseconds.
    pub latency_sum_us: u64,
}

impl Default for esme_bind_metrics {
    fn default() -> Self {
        esme_bind_metrics {
            struct_size: 0,
            index: 0,
            up: 0,
            window_size: 0,
            window_in_use: 0,
            smsc_cert_days_left: ESME_NO_CERTIFICATE,
            host: [0; ESME_HOST_LEN],
            submits_per_second: 0.0,
            parts_sent: 0,
            throttled: 0,
            reconnect_attempts: 0,
            reconnects: 0,
            bytes_in: 0,
            bytes_out: 0,
            latency_p50_us: 0,
            latency_p99_us: 0,
            latency_count: 0,
            latency_sum_us: 0,
        }
    }
}

/// The size of the first version of each structure: a caller's `struct_size` below it is
/// a mistake (an unset field), not an older header.
const METRICS_V1: usize = std::mem::size_of::<esme_metrics>();
const BIND_METRICS_V1: usize = std::mem::size_of::<esme_bind_metrics>();

fn us(d: Option<Duration>) -> u64 {
    d.map_or(0, |d| d.as_micros().min(u128::from(u64::MAX)) as u64)
}

fn days(d: Option<i64>) -> i32 {
    d.map_or(ESME_NO_CERTIFICATE, |d| {
        d.clamp(i64::from(ESME_NO_CERTIFICATE) + 1, i64::from(i32::MAX)) as i32
    })
}

fn sat32(v: u64) -> u32 {
    v.min(u64::from(u32::MAX)) as u32
}

pub(crate) fn metrics_of(s: &Stats) -> esme_metrics {
    esme_metrics {
        struct_size: METRICS_V1 as u32,
        binds_configured: sat32(s.binds_configured),
        binds_up: sat32(s.binds_up),
        window_size: sat32(s.window_size),
        client_cert_days_left: days(s.client_cert_days_left),
        smsc_cert_days_left: days(s.smsc_cert_days_left),
        submits_per_second: s.submits_per_second,
        submitted: s.submitted,
        accepted: s.accepted,
        rejected: s.rejected,
        unknown: s.unknown,
        not_sent: s.not_sent,
        throttled: s.throttled,
        retried: s.retried,
        parts_sent: s.parts_sent,
        in_flight: s.in_flight,
        reconnect_attempts: s.reconnect_attempts,
        reconnects: s.reconnects,
        bytes_in: s.bytes_in,
        bytes_out: s.bytes_out,
        messages_received: s.messages_received,
        receipts_received: s.receipts_received,
        receipts_matched: s.receipts_matched,
        receipts_unmatched: s.receipts_unmatched,
        inbound_refused: s.inbound_refused,
        latency_p50_us: us(s.latency_p50),
        latency_p99_us: us(s.latency_p99),
        latency_count: s.latency_count,
        latency_sum_us: us(Some(s.latency_sum)),
        receipt_lag_p50_us: us(s.receipt_lag_p50),
        receipt_lag_p99_us: us(s.receipt_lag_p99),
        receipt_lag_count: s.receipt_lag_count,
        receipt_lag_sum_us: us(Some(s.receipt_lag_sum)),
    }
}

pub(crate) fn bind_metrics_of(b: &BindStats) -> esme_bind_metrics {
    let mut host = [0 as c_char; ESME_HOST_LEN];
    let mut end = b.host.len().min(ESME_HOST_LEN - 1);
    while !b.host.is_char_boundary(end) {
        end -= 1;
    }
    for (d, s) in host.iter_mut().zip(&b.host.as_bytes()[..end]) {
        *d = *s as c_char;
    }
    esme_bind_metrics {
        struct_size: BIND_METRICS_V1 as u32,
        index: b.index,
        up: u32::from(b.up),
        window_size: sat32(b.window_size),
        window_in_use: sat32(b.in_flight),
        smsc_cert_days_left: days(b.smsc_cert_days_left),
        host,
        submits_per_second: b.submits_per_second,
        parts_sent: b.parts_sent,
        throttled: b.throttled,
        reconnect_attempts: b.reconnect_attempts,
        reconnects: b.reconnects,
        bytes_in: b.bytes_in,
        bytes_out: b.bytes_out,
        latency_p50_us: us(b.latency_p50),
        latency_p99_us: us(b.latency_p99),
        latency_count: b.latency_count,
        latency_sum_us: us(Some(b.latency_sum)),
    }
}

/// A structure whose first field is its `struct_size`, written as far as the caller's
/// version of it reaches.
trait Sized_: Copy {
    /// The size of the first version.
    fn v1() -> usize;
    /// The C name.
    fn name() -> &'static str;
    fn set_size(&mut self, n: u32);
}

/// `Sized_` for a structure with its first version's size: the C name is the type's.
macro_rules! sized {
    ($t:ident, $v1:expr) => {
        impl Sized_ for $t {
            fn v1() -> usize {
                $v1
            }
            fn name() -> &'static str {
                stringify!($t)
            }
            fn set_size(&mut self, n: u32) {
                self.struct_size = n;
            }
        }
    };
}
sized!(esme_metrics, METRICS_V1);
sized!(esme_bind_metrics, BIND_METRICS_V1);

/// Writes `v` into the caller's structure as far as its `struct_size` (which must be set)
/// reaches, and sets `struct_size` to the bytes written. ESME_ERR_NULL for NULL,
/// ESME_ERR_INVALID_ARG for a size below the first version's (an unset field).
unsafe fn write_sized<T: Sized_>(out: *mut T, mut v: T) -> Result<(), Failed> {
    if out.is_null() {
        return Err(fail(ESME_ERR_NULL, "out is NULL"));
    }
    // SAFETY: not NULL; the caller promises a structure of at least its struct_size bytes,
    // whose first field, a uint32_t struct_size, it has set.
    let size = (out as *const u32).read_unaligned() as usize;
    if size < T::v1() {
        return Err(fail(
            ESME_ERR_INVALID_ARG,
            &format!(
                "out->struct_size is {size}: set it to sizeof({}) ({} or more) before the call",
                T::name(),
                T::v1()
            ),
        ));
    }
    let n = size.min(std::mem::size_of::<T>());
    v.set_size(n as u32);
    // SAFETY: the caller's structure holds `size` >= n bytes; `v` is n or more bytes of plain
    // data (no padding: checked by the tests).
    std::ptr::copy_nonoverlapping((&v as *const T).cast::<u8>(), out.cast::<u8>(), n);
    Ok(())
}

/// Fills `*out` with the client's numbers (see `esme_metrics`): set `out->struct_size =
/// sizeof(esme_metrics)` first. ESME_ERR_NULL when `client` or `out` is NULL,
/// ESME_ERR_INVALID_HANDLE for a freed client (a closed one still answers),
/// ESME_ERR_INVALID_ARG when `struct_size` is unset. Never blocks on the network; thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_metrics(
    client: *const esme_client,
    out: *mut esme_metrics,
) -> esme_result {
    client_call(client, |c| {
        write_sized(out, metrics_of(&c.client.stats()))?;
        Ok(ESME_OK)
    })
}

/// Fills `*out` with the numbers of bind `index` (0 ≤ index < `esme_metrics.binds_configured`)
/// of the client: set `out->struct_size = sizeof(esme_bind_metrics)` first. Results as
/// `esme_client_metrics`, and ESME_ERR_INVALID_ARG for an index past the last bind.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_bind_metrics(
    client: *const esme_client,
    index: u32,
    out: *mut esme_bind_metrics,
) -> esme_result {
    client_call(client, |c| {
        let s = c.client.stats();
        let b = s.binds.iter().find(|b| b.index == index).ok_or_else(|| {
            fail(
                ESME_ERR_INVALID_ARG,
                &format!("index is {index}: the client has {} bind(s)", s.binds.len()),
            )
        })?;
        write_sized(out, bind_metrics_of(b))?;
        Ok(ESME_OK)
    })
}

/// The client's numbers in the Prometheus text exposition format (version 0.0.4; every
/// family with `# HELP` and `# TYPE`, every sample labelled with the channel), copied with
/// its NUL into `buf` of `len` bytes; `*needed` (if not NULL) gets the size needed, NUL
/// included, either way. ESME_ERR_BUFFER_TOO_SMALL when it does not fit (call again with
/// `*needed`; the text may grow meanwhile, allow some room). Serve it as `text/plain;
/// version=0.0.4`. For several clients in one scrape use `esme_clients_prometheus` (one
/// `# HELP`/`# TYPE` per family). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_prometheus(
    client: *const esme_client,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> esme_result {
    client_call(client, |c| {
        copy_out(&c.client.prometheus(), buf, len, needed)
    })
}

/// The Prometheus text of `n` clients (`clients[0]` … `clients[n-1]`, each labelled with its
/// channel) as one exposition: each family's `# HELP` and `# TYPE` once, then every
/// client's samples. Copied as by `esme_client_prometheus`. ESME_ERR_NULL when `clients` is
/// NULL (with `n` > 0) or one of them is; ESME_ERR_INVALID_HANDLE for a freed one;
/// ESME_ERR_INVALID_ARG for `n` above 4096. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_clients_prometheus(
    clients: *const *const esme_client,
    n: usize,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> esme_result {
    super::boundary::boundary(|| {
        if n > 4096 {
            return Err(fail(
                ESME_ERR_INVALID_ARG,
                &format!("n is {n}: at most 4096 clients in one exposition"),
            ));
        }
        if n > 0 && clients.is_null() {
            return Err(fail(ESME_ERR_NULL, "clients is NULL"));
        }
        let mut all = Vec::with_capacity(n);
        for i in 0..n {
            // SAFETY: `clients` holds `n` pointers (the caller's promise), checked not NULL.
            let p = *clients.add(i);
            if p.is_null() {
                return Err(fail(ESME_ERR_NULL, &format!("clients[{i}] is NULL")));
            }
            let c = super::handle::get(p, &format!("clients[{i}]"))?;
            all.push((c.client.channel(), c.client.stats()));
        }
        let refs: Vec<(&str, &Stats)> = all.iter().map(|(c, s)| (c.as_str(), s)).collect();
        copy_out(&crate::client::prometheus_text(&refs), buf, len, needed)
    })
}

#[cfg(test)]
mod tests {
    use super::super::boundary::last_error;
    use super::*;
    use crate::client::Stats;

    #[test]
    fn the_structures_have_no_padding_and_fixed_offsets() {
        // Every field is copied byte for byte: no padding byte may exist (it would be
        // uninitialised), and the offsets are ABI.
        assert_eq!(std::mem::size_of::<esme_metrics>(), 6 * 4 + 8 + 26 * 8);
        assert_eq!(std::mem::offset_of!(esme_metrics, submits_per_second), 24);
        assert_eq!(
            std::mem::offset_of!(esme_metrics, receipt_lag_sum_us),
            24 + 8 + 25 * 8
        );
        assert_eq!(
            std::mem::size_of::<esme_bind_metrics>(),
            6 * 4 + ESME_HOST_LEN + 8 + 10 * 8
        );
        assert_eq!(std::mem::offset_of!(esme_bind_metrics, host), 24);
        assert_eq!(
            std::mem::offset_of!(esme_bind_metrics, submits_per_second),
            152
        );
    }

    #[test]
    fn struct_size_decides_how_much_is_written() {
        let s = Stats {
            submitted: 7,
            receipt_lag_count: 3,
            client_cert_days_left: Some(-2),
            ..Stats::default()
        };
        let v = metrics_of(&s);
        assert_eq!(v.smsc_cert_days_left, ESME_NO_CERTIFICATE);
        assert_eq!(v.client_cert_days_left, -2);
        unsafe {
            // Unset (0) or too small: refused, nothing written past the size field.
            let mut out = esme_metrics {
                struct_size: 8,
                ..Default::default()
            };
            assert!(write_sized(&mut out, v).is_err());
            assert_eq!(out.submitted, 0);
            assert!(
                last_error().contains("set it to sizeof(esme_metrics)"),
                "{}",
                last_error()
            );
            // The exact size: everything.
            out.struct_size = METRICS_V1 as u32;
            write_sized(&mut out, v).unwrap();
            assert_eq!(out, v);
            // A newer caller's larger structure: ours is written, the rest untouched, and
            // struct_size says how much was.
            #[repr(C)]
            struct Newer {
                m: esme_metrics,
                future: u64,
            }
            let mut n = Newer {
                m: esme_metrics {
                    struct_size: std::mem::size_of::<Newer>() as u32,
                    ..Default::default()
                },
                future: 0xDEAD,
            };
            write_sized(&mut n.m as *mut esme_metrics, v).unwrap();
            assert_eq!(n.m.struct_size as usize, METRICS_V1);
            assert_eq!((n.m.submitted, n.m.receipt_lag_count), (7, 3));
            assert_eq!(n.future, 0xDEAD);
            assert!(write_sized::<esme_metrics>(std::ptr::null_mut(), v).is_err());
        }
    }

    #[test]
    fn the_host_is_cut_at_a_character_boundary() {
        let b = BindStats {
            host: format!("{}é:2775", "h".repeat(ESME_HOST_LEN - 2)),
            up: true,
            smsc_cert_days_left: Some(12),
            ..BindStats::default()
        };
        let m = bind_metrics_of(&b);
        let host: Vec<u8> = m.host.iter().map(|c| *c as u8).collect();
        let end = host.iter().position(|c| *c == 0).unwrap();
        assert_eq!(
            end,
            ESME_HOST_LEN - 2,
            "é (2 bytes) does not fit: cut before it"
        );
        assert!(std::str::from_utf8(&host[..end]).is_ok());
        assert_eq!((m.up, m.smsc_cert_days_left), (1, 12));
    }

    #[test]
    fn null_and_dead_handles_are_refused() {
        unsafe {
            let mut out = esme_metrics {
                struct_size: METRICS_V1 as u32,
                ..Default::default()
            };
            assert_eq!(
                esme_client_metrics(std::ptr::null(), &mut out),
                ESME_ERR_NULL
            );
            // Never issued (handles count up from 0x1000); strict provenance: no int-to-ptr cast.
            let bogus: *const esme_client = std::ptr::null::<u8>().wrapping_add(0x7fff_f000).cast();
            assert_eq!(
                esme_client_metrics(bogus, &mut out),
                ESME_ERR_INVALID_HANDLE
            );
            let mut b = esme_bind_metrics {
                struct_size: BIND_METRICS_V1 as u32,
                ..Default::default()
            };
            assert_eq!(
                esme_client_bind_metrics(bogus, 0, &mut b),
                ESME_ERR_INVALID_HANDLE
            );
            let mut needed = 0usize;
            assert_eq!(
                esme_client_prometheus(std::ptr::null(), std::ptr::null_mut(), 0, &mut needed),
                ESME_ERR_NULL
            );
            // No clients: the families alone, still a valid exposition.
            let mut buf = vec![0 as c_char; 16];
            assert_eq!(
                esme_clients_prometheus(
                    std::ptr::null(),
                    0,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed
                ),
                ESME_ERR_BUFFER_TOO_SMALL
            );
            let mut buf = vec![0 as c_char; needed];
            assert_eq!(
                esme_clients_prometheus(
                    std::ptr::null(),
                    0,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed
                ),
                ESME_OK
            );
            let text = std::ffi::CStr::from_ptr(buf.as_ptr()).to_str().unwrap();
            assert!(text.starts_with("# HELP esme_binds_configured "), "{text}");
            let list = [std::ptr::null::<esme_client>()];
            assert_eq!(
                esme_clients_prometheus(list.as_ptr(), 1, buf.as_mut_ptr(), buf.len(), &mut needed),
                ESME_ERR_NULL
            );
            assert_eq!(last_error(), "clients[0] is NULL");
            assert_eq!(
                esme_clients_prometheus(
                    list.as_ptr(),
                    5000,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed
                ),
                ESME_ERR_INVALID_ARG
            );
            assert_eq!(
                esme_clients_prometheus(
                    std::ptr::null(),
                    2,
                    buf.as_mut_ptr(),
                    buf.len(),
                    &mut needed
                ),
                ESME_ERR_NULL
            );
        }
    }
}
