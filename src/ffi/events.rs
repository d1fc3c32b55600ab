//! Events: `esme_client_poll` hands out `esme_event`s (outcomes of async submits, MO
//! messages, receipts, incomplete messages, alerts, connection changes, warnings); their
//! accessors, and receipts.

use super::boundary::{boundary, fail, guard, Failed, Out};
use super::client::{client_call, esme_client, esme_connection_state, state_of};
use super::handle::{self, registered};
use super::result::esme_result::{self, *};
use super::strings::{c_str, cstring, esme_bytes, esme_str, str_of};
use super::submit::{esme_outcome, outcome_to_c};
use crate::client::{ConnectionState, Event};
use std::ffi::{c_char, CString};
use std::time::Duration;

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

/// One event (opaque), from `esme_client_poll`: a handle like `esme_client`, owned by the
/// caller and released with `esme_event_free`. A second free, or a freed or made-up event
/// given to an accessor, is harmless (the accessors then give their defaults). Strings and
/// octets the accessors lend out stay valid until the event is freed. Accessors may be
/// called from any thread.
pub struct esme_event {
    _private: [u8; 0],
}

/// What an `esme_event` handle refers to: the event and its strings, made once, then lent out
/// by the accessors.
pub(crate) struct EventData {
    event: Event,
    from: Option<CString>,
    to: Option<CString>,
    text: Option<CString>,
    body: Vec<u8>,
    receipt_id: Option<CString>,
}

registered!(esme_event => EventData);

/// The C view of an event.
fn wrap(event: Event) -> EventData {
    let mut e = EventData {
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
    client_call(client, |c| {
        let out = Out::new(out, "out")?;
        match c
            .client
            .poll_event(Some(Duration::from_millis(timeout_ms as u64)))
        {
            Some(e) => {
                out.write(handle::new(wrap(e)));
                Ok(ESME_OK)
            }
            None => Ok(ESME_EMPTY),
        }
    })
}

/// Releases an event: the strings its accessors lent out are no longer valid. NULL, or an
/// event already freed: nothing.
#[no_mangle]
pub unsafe extern "C" fn esme_event_free(event: *mut esme_event) {
    guard((), || drop(handle::free(event)))
}

/// The event argument, optional: NULL or a dead handle gives the accessors' defaults (a
/// dead handle is recorded as the thread's last error).
fn ev(event: *const esme_event) -> Option<std::sync::Arc<EventData>> {
    if event.is_null() {
        return None;
    }
    handle::get(event, "event").ok()
}

/// The event's kind (ESME_EVENT_NONE for NULL).
#[no_mangle]
pub unsafe extern "C" fn esme_event_get_kind(event: *const esme_event) -> esme_event_kind {
    guard(esme_event_kind::ESME_EVENT_NONE, || {
        match ev(event).as_deref().map(|e| &e.event) {
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
    guard(0, || match ev(event).as_deref().map(|e| &e.event) {
        Some(Event::Outcome { ticket, .. }) => *ticket,
        _ => 0,
    })
}

/// The event argument, required: ESME_ERR_NULL when NULL, ESME_ERR_INVALID_HANDLE when
/// freed or made up.
fn event_arg(event: *const esme_event) -> Result<std::sync::Arc<EventData>, Failed> {
    handle::get(event, "event")
}

/// Copies the outcome of an ESME_EVENT_OUTCOME to `*out` (ESME_ERR_USAGE for other kinds).
#[no_mangle]
pub unsafe extern "C" fn esme_event_outcome(
    event: *const esme_event,
    out: *mut esme_outcome,
) -> esme_result {
    boundary(|| {
        let e = event_arg(event)?;
        let out = Out::new(out, "out")?;
        let Event::Outcome { outcome, .. } = &e.event else {
            return Err(fail(ESME_ERR_USAGE, "not an ESME_EVENT_OUTCOME event"));
        };
        out.write(outcome_to_c(outcome));
        Ok(ESME_OK)
    })
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
        match ev(event).as_deref().map(|e| &e.event) {
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
        let e = event_arg(event)?;
        let out = Out::new(out, "out")?;
        let Event::Receipt(r) = &e.event else {
            return Err(fail(ESME_ERR_USAGE, "not an ESME_EVENT_RECEIPT event"));
        };
        let Some(rc) = &r.receipt else {
            return Err(fail(
                ESME_ERR_RECEIPT,
                r.note.as_deref().unwrap_or("the receipt could not be read"),
            ));
        };
        out.write(esme_receipt {
            id: str_of(&e.receipt_id),
            state: rc.state.to_u8() as u32,
            is_final: rc.is_final() as u32,
            err: rc.err_code.map_or(-1, i64::from),
        });
        Ok(ESME_OK)
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

#[cfg(test)]
mod tests {
    use super::super::boundary::last_error;
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn an_event_is_a_handle_a_second_free_is_harmless() {
        let e: *mut esme_event = handle::new(wrap(Event::Warning("expiring".into())));
        unsafe {
            assert_eq!(esme_event_get_kind(e), esme_event_kind::ESME_EVENT_WARNING);
            let t = esme_event_text(e);
            assert_eq!(CStr::from_ptr(t.ptr).to_str().unwrap(), "expiring");
            assert_eq!(t.len, 8);
            esme_event_free(e);
            esme_event_free(e);
            // A freed (or made-up) event: the accessors' defaults, and a clear error.
            assert_eq!(esme_event_get_kind(e), esme_event_kind::ESME_EVENT_NONE);
            assert!(esme_event_text(e).ptr.is_null());
            assert_eq!(esme_event_ticket(e), 0);
            let mut out = std::mem::MaybeUninit::<esme_outcome>::uninit();
            assert_eq!(
                esme_event_outcome(e, out.as_mut_ptr()),
                ESME_ERR_INVALID_HANDLE
            );
            assert_eq!(
                last_error(),
                "event is not a live handle (freed, or never returned by esme)"
            );
            let forged: *mut esme_event = std::ptr::null_mut::<u8>().wrapping_add(0x5000).cast();
            esme_event_free(forged);
            assert!(esme_event_body(forged).ptr.is_null());
            assert_eq!(
                esme_event_outcome(std::ptr::null(), out.as_mut_ptr()),
                ESME_ERR_NULL
            );
        }
    }
}
