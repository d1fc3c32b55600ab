//! Events: `esme_client_poll` hands out `esme_event`s (outcomes of async submits, MO
//! messages, receipts, incomplete messages, alerts, connection changes, warnings); their
//! accessors, and receipts.

use super::boundary::{boundary, fail, guard, Failed, Out};
use super::client::{client_call, esme_client, esme_connection_state, state_of};
use super::handle::{self, registered};
use super::result::esme_result::{self, *};
use super::strings::{c_str, cstring, esme_bytes, esme_str, str_of, str_of_c};
use super::submit::{esme_outcome, esme_outcome_kind, outcome_kind, outcome_to_c};
use crate::client::{ConnectionState, Event, Outcome};
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
    /// The client stopped remembering a message for its receipts before a final receipt
    /// came for each of its parts: the correlation window passed, the table was full, or
    /// the client was closed. `esme_event_ticket`, `esme_event_user_data` (the last event
    /// carrying it: free what it points to), the ids still waited for
    /// (`esme_event_message_id`), text (why). Receipts for it that come later are
    /// unmatched.
    ESME_EVENT_RELEASED = 8,
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
    /// An outcome's message ids, or those a released message still waited for.
    ids: Vec<CString>,
}

registered!(esme_event => EventData);

/// The C view of an event.
pub(crate) fn wrap(event: Event) -> EventData {
    let mut e = EventData {
        event,
        from: None,
        to: None,
        text: None,
        body: Vec::new(),
        receipt_id: None,
        ids: Vec::new(),
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
        Event::Outcome { outcome, .. } => {
            let (ids, why) = match outcome {
                Outcome::Accepted { message_ids } => (&message_ids[..], None),
                Outcome::Rejected {
                    message_ids, why, ..
                }
                | Outcome::Unknown { message_ids, why } => (&message_ids[..], Some(why)),
                Outcome::NotSent { why } => (&[][..], Some(why)),
            };
            e.ids = ids.iter().filter_map(|i| cstring(i)).collect();
            e.text = why.and_then(|w| cstring(w));
        }
        Event::Released(r) => {
            e.ids = r.message_ids.iter().filter_map(|i| cstring(i)).collect();
            e.text = cstring(&r.why);
        }
        Event::Connection(_) => {}
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
            Some(Event::Released(_)) => esme_event_kind::ESME_EVENT_RELEASED,
        }
    })
}

/// The ticket of an ESME_EVENT_OUTCOME, of a matched ESME_EVENT_RECEIPT (the message it is
/// about) and of an ESME_EVENT_RELEASED; 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn esme_event_ticket(event: *const esme_event) -> u64 {
    guard(0, || match ev(event).as_deref().map(|e| &e.event) {
        Some(Event::Outcome { ticket, .. }) => *ticket,
        Some(Event::Receipt(r)) => r.correlation.map_or(0, |c| c.ticket),
        Some(Event::Released(r)) => r.ticket,
        _ => 0,
    })
}

/// The user data given with the message (`esme_submit_options.user_data`) of an
/// ESME_EVENT_OUTCOME, of a matched ESME_EVENT_RECEIPT and of an ESME_EVENT_RELEASED; 0
/// otherwise (and for an unmatched receipt: `esme_event_receipt_matched`).
#[no_mangle]
pub unsafe extern "C" fn esme_event_user_data(event: *const esme_event) -> u64 {
    guard(0, || match ev(event).as_deref().map(|e| &e.event) {
        Some(Event::Outcome { user_data, .. }) => *user_data,
        Some(Event::Receipt(r)) => r.correlation.map_or(0, |c| c.user_data),
        Some(Event::Released(r)) => r.user_data,
        _ => 0,
    })
}

/// 1 when this event is the last one that will carry its user data, so what the user data
/// points to may be freed once the event is handled: an ESME_EVENT_OUTCOME of a message the
/// client does not remember for receipts (none asked for, no message id, or every part
/// already had its final receipt), the final receipt of the last part waited for, and every
/// ESME_EVENT_RELEASED. 0 otherwise (the user data comes again, in a later receipt or
/// RELEASED event). Each message's user data is released by exactly one event.
#[no_mangle]
pub unsafe extern "C" fn esme_event_releases_user_data(event: *const esme_event) -> u32 {
    guard(0, || match ev(event).as_deref().map(|e| &e.event) {
        Some(Event::Outcome {
            awaiting_receipts, ..
        }) => u32::from(!*awaiting_receipts),
        Some(Event::Receipt(r)) => u32::from(r.correlation.is_some_and(|c| c.last)),
        Some(Event::Released(_)) => 1,
        _ => 0,
    })
}

/// 1 when an ESME_EVENT_RECEIPT was matched to a message this client submitted (its
/// ticket and user data are then set), 0 when unmatched (an id the client never got, no
/// longer remembers, or an unreadable receipt) and for other kinds.
#[no_mangle]
pub unsafe extern "C" fn esme_event_receipt_matched(event: *const esme_event) -> u32 {
    guard(0, || match ev(event).as_deref().map(|e| &e.event) {
        Some(Event::Receipt(r)) => u32::from(r.correlation.is_some()),
        _ => 0,
    })
}

/// The outcome kind of an ESME_EVENT_OUTCOME (ESME_OUTCOME_NONE otherwise): with
/// `esme_event_command_status`, `esme_event_message_id` and `esme_event_text` (why), the
/// outcome without copying an `esme_outcome`.
#[no_mangle]
pub unsafe extern "C" fn esme_event_outcome_kind(event: *const esme_event) -> esme_outcome_kind {
    guard(esme_outcome_kind::ESME_OUTCOME_NONE, || {
        match ev(event).as_deref().map(|e| &e.event) {
            Some(Event::Outcome { outcome, .. }) => outcome_kind(outcome),
            _ => esme_outcome_kind::ESME_OUTCOME_NONE,
        }
    })
}

/// The SMSC's command_status of an ESME_EVENT_OUTCOME that is ESME_REJECTED (e.g. 0x58);
/// 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn esme_event_command_status(event: *const esme_event) -> u32 {
    guard(0, || match ev(event).as_deref().map(|e| &e.event) {
        Some(Event::Outcome {
            outcome: Outcome::Rejected { status, .. },
            ..
        }) => status.to_u32(),
        _ => 0,
    })
}

/// How many message ids an ESME_EVENT_OUTCOME has (one per accepted part, in part order),
/// or how many an ESME_EVENT_RELEASED still waited a final receipt for; 0 otherwise.
#[no_mangle]
pub unsafe extern "C" fn esme_event_message_id_count(event: *const esme_event) -> u32 {
    guard(0, || ev(event).map_or(0, |e| e.ids.len() as u32))
}

/// Message id `index` (from 0) of an ESME_EVENT_OUTCOME or ESME_EVENT_RELEASED, borrowed
/// until the event is freed; a NULL `esme_str` when `index` is not below
/// `esme_event_message_id_count`.
#[no_mangle]
pub unsafe extern "C" fn esme_event_message_id(event: *const esme_event, index: u32) -> esme_str {
    guard(str_of(&None), || match ev(event) {
        Some(e) => e.ids.get(index as usize).map_or(str_of(&None), str_of_c),
        None => str_of(&None),
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
/// (BOUND), why an outcome is not ESME_ACCEPTED (NULL when it is), why a message was
/// released (RELEASED).
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

    fn s(x: esme_str) -> Option<String> {
        (!x.ptr.is_null()).then(|| {
            unsafe { CStr::from_ptr(x.ptr) }
                .to_str()
                .unwrap()
                .to_string()
        })
    }

    #[test]
    fn outcomes_receipts_and_releases_carry_the_user_data_by_accessors() {
        use crate::client::{Correlation, ReceivedReceipt, Released};
        use crate::pdu::CommandStatus;
        let outcome = |outcome, awaiting_receipts| {
            handle::new(wrap(Event::Outcome {
                ticket: 3,
                outcome,
                user_data: 0xFEED,
                awaiting_receipts,
            }))
        };
        let e: *mut esme_event = outcome(
            Outcome::Accepted {
                message_ids: vec!["A1".into(), "A2".into()],
            },
            true,
        );
        unsafe {
            assert_eq!(esme_event_outcome_kind(e), esme_outcome_kind::ESME_ACCEPTED);
            assert_eq!((esme_event_ticket(e), esme_event_user_data(e)), (3, 0xFEED));
            assert_eq!(esme_event_releases_user_data(e), 0);
            assert_eq!(esme_event_message_id_count(e), 2);
            assert_eq!(s(esme_event_message_id(e, 1)).as_deref(), Some("A2"));
            assert_eq!(s(esme_event_message_id(e, 2)), None);
            assert_eq!(s(esme_event_text(e)), None);
            assert_eq!(esme_event_command_status(e), 0);
            esme_event_free(e);
        }
        let e = outcome(
            Outcome::Rejected {
                status: CommandStatus::from_u32(0x0B),
                message_ids: vec![],
                why: "invalid destination".into(),
            },
            false,
        );
        unsafe {
            assert_eq!(esme_event_outcome_kind(e), esme_outcome_kind::ESME_REJECTED);
            assert_eq!(esme_event_command_status(e), 0x0B);
            assert_eq!(esme_event_releases_user_data(e), 1);
            assert_eq!(
                s(esme_event_text(e)).as_deref(),
                Some("invalid destination")
            );
            esme_event_free(e);
        }
        let receipt = |correlation| {
            handle::new(wrap(Event::Receipt(Box::new(ReceivedReceipt {
                from: "1".into(),
                to: "2".into(),
                receipt: None,
                raw: b"id:A1 stat:DELIVRD".to_vec(),
                note: None,
                correlation,
            }))))
        };
        let e: *mut esme_event = receipt(Some(Correlation {
            ticket: 3,
            user_data: 0xFEED,
            part: 2,
            parts: 2,
            last: true,
        }));
        unsafe {
            assert_eq!(esme_event_receipt_matched(e), 1);
            assert_eq!((esme_event_ticket(e), esme_event_user_data(e)), (3, 0xFEED));
            assert_eq!(esme_event_releases_user_data(e), 1);
            assert_eq!(
                esme_event_outcome_kind(e),
                esme_outcome_kind::ESME_OUTCOME_NONE
            );
            esme_event_free(e);
        }
        let e = receipt(None);
        unsafe {
            assert_eq!(esme_event_receipt_matched(e), 0);
            assert_eq!((esme_event_ticket(e), esme_event_user_data(e)), (0, 0));
            assert_eq!(esme_event_releases_user_data(e), 0);
            esme_event_free(e);
        }
        let e: *mut esme_event = handle::new(wrap(Event::Released(Released {
            ticket: 4,
            user_data: 9,
            message_ids: vec!["B7".into()],
            why: "no final receipt".into(),
        })));
        unsafe {
            assert_eq!(esme_event_get_kind(e), esme_event_kind::ESME_EVENT_RELEASED);
            assert_eq!((esme_event_ticket(e), esme_event_user_data(e)), (4, 9));
            assert_eq!(esme_event_releases_user_data(e), 1);
            assert_eq!(s(esme_event_message_id(e, 0)).as_deref(), Some("B7"));
            assert_eq!(s(esme_event_text(e)).as_deref(), Some("no final receipt"));
            esme_event_free(e);
            // Freed: the defaults.
            assert_eq!(esme_event_user_data(e), 0);
            assert_eq!(esme_event_message_id_count(e), 0);
        }
    }

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
