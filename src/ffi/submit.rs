//! Submitting: `esme_message` in, `esme_outcome` out; blocking, async and try-async.

use super::boundary::{fail, fail_err, Failed, Out};
use super::client::{client_call, esme_client};
use super::events::{esme_event, wrap};
use super::handle;
use super::result::esme_result::{self, *};
use super::strings::c_str;
use crate::client::{Content, Event, Message, Outcome};
use std::ffi::c_char;

/// `esme_message.flags`: the body is octets (data_coding 4), not UTF-8 text.
pub const ESME_MSG_BINARY: u32 = 1;
/// `esme_message.flags`: ask for a delivery receipt.
pub const ESME_MSG_RECEIPT: u32 = 2;
/// `esme_message.flags`: ask for no delivery receipt (overrides the delivery report option).
pub const ESME_MSG_NO_RECEIPT: u32 = 4;

/// The longest `esme_message.body_len` accepted: the largest PDU esme ever sends
/// ([`Opt::MaxPduSize`](crate::config::Opt::MaxPduSize) is at most this), so a longer body
/// could never be sent.
/// cbindgen:ignore
const MAX_BODY_LEN: usize = 1 << 20;

/// A message to submit. Unset fields take the channel's configured defaults.
#[repr(C)]
pub struct esme_message {
    /// Destination address, NUL-terminated. Required.
    pub to: *const c_char,
    /// Source address, NUL-terminated, or NULL for the default reply address option.
    pub from: *const c_char,
    /// The body: UTF-8 text (not NUL-terminated), or octets with ESME_MSG_BINARY.
    pub body: *const u8,
    /// Length of `body` in octets, at most 1 MiB (1048576; more is ESME_ERR_INVALID_ARG,
    /// checked before `body` is read).
    pub body_len: usize,
    /// ESME_MSG_* flags, or 0.
    pub flags: u32,
}

/// How a message ended (`esme_outcome.kind`).
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum esme_outcome_kind {
    /// Not an outcome (`esme_event_outcome_kind` of another kind of event).
    ESME_OUTCOME_NONE = 0,
    /// The SMSC accepted every part.
    ESME_ACCEPTED = 1,
    /// The SMSC definitely did not accept it (`command_status` says why).
    ESME_REJECTED = 2,
    /// Written, no usable answer (timeout, connection lost): it may have been accepted.
    ESME_UNKNOWN = 3,
    /// Not accepted and safe to send again: never written, or written and refused with a
    /// throttling status (0x58, 0x14) and not resubmitted (`why` says which).
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
    /// Why (UNKNOWN, NOT_SENT; REJECTED: the status name, and for a long message which part
    /// was refused and which were accepted), NUL-terminated, one line.
    pub why: [c_char; 512],
}

/// Copies `s` into `dst` with its NUL, cut on a character boundary to fit; true when cut.
fn fill(dst: &mut [c_char], s: &str) -> bool {
    let mut n = s.len().min(dst.len() - 1);
    while n > 0 && !s.is_char_boundary(n) {
        n -= 1;
    }
    for (d, b) in dst.iter_mut().zip(&s.as_bytes()[..n]) {
        *d = *b as c_char;
    }
    dst[n] = 0;
    n < s.len()
}

/// The kind of an outcome.
pub(crate) fn outcome_kind(o: &Outcome) -> esme_outcome_kind {
    match o {
        Outcome::Accepted { .. } => esme_outcome_kind::ESME_ACCEPTED,
        Outcome::Rejected { .. } => esme_outcome_kind::ESME_REJECTED,
        Outcome::Unknown { .. } => esme_outcome_kind::ESME_UNKNOWN,
        Outcome::NotSent { .. } => esme_outcome_kind::ESME_NOT_SENT,
    }
}

/// The C form of an outcome.
pub(crate) fn outcome_to_c(o: &Outcome) -> esme_outcome {
    let (kind, command_status, ids, why) = match o {
        Outcome::Accepted { message_ids } => (
            esme_outcome_kind::ESME_ACCEPTED,
            0,
            message_ids.as_slice(),
            String::new(),
        ),
        Outcome::Rejected {
            status,
            message_ids,
            why,
        } => (
            esme_outcome_kind::ESME_REJECTED,
            status.to_u32(),
            message_ids.as_slice(),
            why.clone(),
        ),
        Outcome::Unknown { why, message_ids } => (
            esme_outcome_kind::ESME_UNKNOWN,
            0,
            message_ids.as_slice(),
            why.clone(),
        ),
        Outcome::NotSent { why } => (esme_outcome_kind::ESME_NOT_SENT, 0, &[][..], why.clone()),
    };
    let mut out = esme_outcome {
        kind,
        command_status,
        parts: ids.len() as u32,
        truncated: 0,
        message_ids: [0; 1024],
        why: [0; 512],
    };
    out.truncated = fill(&mut out.message_ids, &ids.join(",")) as u32;
    fill(&mut out.why, &why);
    out
}

/// The message `m` points to, checked (`to` and the body required, UTF-8 text unless
/// ESME_MSG_BINARY). `m`, when not NULL, must point to a valid `esme_message`.
unsafe fn message_of(m: *const esme_message) -> Result<Message, Failed> {
    let Some(m) = m.as_ref() else {
        return Err(fail(ESME_ERR_NULL, "message is NULL"));
    };
    let to = c_str(m.to, "message.to")?;
    // Checked before the pointer is used: a length no message can have is a caller's
    // mistake (a size_t -1, an uninitialised field), not a reason to read past its buffer.
    if m.body_len > MAX_BODY_LEN {
        return Err(fail(
            ESME_ERR_INVALID_ARG,
            &format!(
                "message.body_len is {}, more than any message body can be ({MAX_BODY_LEN} octets): is it the body's length?",
                m.body_len
            ),
        ));
    }
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
        let text = std::str::from_utf8(body).map_err(|e| {
            fail(
                ESME_ERR_UTF8,
                &format!(
                    "message.body is not valid UTF-8 (at octet {}); use ESME_MSG_BINARY for octets",
                    e.valid_up_to()
                ),
            )
        })?;
        Message::text(to, text)
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

/// What a submit takes beside the message: a struct that grows at its end, versioned by
/// its `size`, so that fields can be added without a new function or a new SONAME (unlike
/// `esme_message`, whose layout is fixed). Zero it, set `size`, then the fields wanted:
///
/// ```c
/// esme_submit_options o;
/// memset(&o, 0, sizeof o);
/// o.size = sizeof o;
/// o.user_data = (uint64_t)(uintptr_t)my_context;
/// ```
///
/// A library older than the header reads the fields it knows and refuses
/// (ESME_ERR_INVALID_ARG) a newer field it does not know that is not zero; a library newer
/// than the header gives the fields the caller's `size` leaves out their zero default.
#[repr(C)]
pub struct esme_submit_options {
    /// `sizeof(esme_submit_options)` as the caller was compiled: at least 16 (this first
    /// version), at most 4096.
    pub size: usize,
    /// The caller's value (an index, a key, a pointer cast to `uintptr_t`), never sent: it
    /// comes back with the message's outcome (`esme_event_user_data`) and with each of its
    /// delivery receipts the client matches; the last event carrying it says so
    /// (`esme_event_releases_user_data`). 0 by default.
    pub user_data: u64,
}

/// The size of the first version of `esme_submit_options`.
/// cbindgen:ignore
const OPTIONS_V1: usize = std::mem::size_of::<esme_submit_options>();
/// The largest `esme_submit_options.size` accepted.
/// cbindgen:ignore
const OPTIONS_MAX: usize = 4096;

/// The user data of the options `o` points to (NULL: the defaults), checked. `o`, when not
/// NULL, must point to `o.size` readable octets.
unsafe fn options_of(o: *const esme_submit_options) -> Result<u64, Failed> {
    if o.is_null() {
        return Ok(0);
    }
    // The size first: the caller's struct may be shorter or longer than ours.
    let size = std::ptr::addr_of!((*o).size).read_unaligned();
    if !(OPTIONS_V1..=OPTIONS_MAX).contains(&size) {
        return Err(fail(
            ESME_ERR_INVALID_ARG,
            &format!(
                "options.size is {size}, not the size of an esme_submit_options ({OPTIONS_V1} to {OPTIONS_MAX}): set it to sizeof(esme_submit_options)"
            ),
        ));
    }
    if size > OPTIONS_V1 {
        // Fields of a newer header: only their zero (default) can be honoured.
        let extra = std::slice::from_raw_parts(o.cast::<u8>().add(OPTIONS_V1), size - OPTIONS_V1);
        if let Some(at) = extra.iter().position(|&b| b != 0) {
            return Err(fail(
                ESME_ERR_INVALID_ARG,
                &format!(
                    "options sets a field at octet {} that this library ({}) does not know: it is older than the header the program was built with",
                    OPTIONS_V1 + at,
                    env!("CARGO_PKG_VERSION")
                ),
            ));
        }
    }
    Ok(std::ptr::addr_of!((*o).user_data).read_unaligned())
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
    client_call(client, |c| {
        let out = Out::new(out, "out")?;
        let m = message_of(message)?;
        let o = c.client.submit(&m).map_err(fail_err)?;
        out.write(outcome_to_c(&o));
        Ok(ESME_OK)
    })
}

/// Like `esme_client_submit`, with options (NULL: the defaults), giving the outcome as an
/// ESME_EVENT_OUTCOME event in `*out` (free it with `esme_event_free`), read with the event
/// accessors: `esme_event_outcome_kind`, `esme_event_message_id`, `esme_event_text` (why),
/// `esme_event_user_data`, `esme_event_releases_user_data` (0 when the user data will come
/// back with a receipt or an ESME_EVENT_RELEASED polled on another thread, which may happen
/// before this call returns), `esme_event_ticket`. Nothing is copied into a fixed-size
/// struct. Blocks; thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_submit_with(
    client: *const esme_client,
    message: *const esme_message,
    options: *const esme_submit_options,
    out: *mut *mut esme_event,
) -> esme_result {
    client_call(client, |c| {
        let out = Out::new(out, "out")?;
        let user_data = options_of(options)?;
        let m = message_of(message)?.user_data(user_data);
        let (outcome, awaiting_receipts, ticket) =
            c.client.submit_awaiting(&m).map_err(fail_err)?;
        out.write(handle::new(wrap(Event::Outcome {
            ticket,
            outcome,
            user_data,
            awaiting_receipts,
        })));
        Ok(ESME_OK)
    })
}

unsafe fn submit_async(
    client: *const esme_client,
    message: *const esme_message,
    options: *const esme_submit_options,
    ticket: *mut u64,
    block: bool,
) -> esme_result {
    client_call(client, |c| {
        let user_data = options_of(options)?;
        let m = message_of(message)?.user_data(user_data);
        let t = if block {
            c.client.submit_async(&m)
        } else {
            c.client.try_submit_async(&m)
        }
        .map_err(fail_err)?;
        if let Some(ticket) = Out::optional(ticket) {
            ticket.write(t.id());
        }
        Ok(ESME_OK)
    })
}

/// Submits without waiting; the outcome arrives as an ESME_EVENT_OUTCOME event carrying
/// the ticket written to `*ticket` (may be NULL). Blocks while the window and the queue
/// behind it (as many messages again) are full, up to the submit timeout option.
/// Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_submit_async(
    client: *const esme_client,
    message: *const esme_message,
    ticket: *mut u64,
) -> esme_result {
    submit_async(client, message, std::ptr::null(), ticket, true)
}

/// Like `esme_client_submit_async`, but never blocks: ESME_ERR_WINDOW_FULL when the window
/// and the queue behind it are full (twice the window held). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_try_submit_async(
    client: *const esme_client,
    message: *const esme_message,
    ticket: *mut u64,
) -> esme_result {
    submit_async(client, message, std::ptr::null(), ticket, false)
}

/// Like `esme_client_submit_async`, with options (NULL: the defaults): the user data comes
/// back with the ESME_EVENT_OUTCOME (even when it is polled before this call returns) and
/// with the message's receipts. Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_submit_async_with(
    client: *const esme_client,
    message: *const esme_message,
    options: *const esme_submit_options,
    ticket: *mut u64,
) -> esme_result {
    submit_async(client, message, options, ticket, true)
}

/// Like `esme_client_try_submit_async` (never blocks: ESME_ERR_WINDOW_FULL), with options
/// (NULL: the defaults). Thread-safe.
#[no_mangle]
pub unsafe extern "C" fn esme_client_try_submit_async_with(
    client: *const esme_client,
    message: *const esme_message,
    options: *const esme_submit_options,
    ticket: *mut u64,
) -> esme_result {
    submit_async(client, message, options, ticket, false)
}

#[cfg(test)]
mod tests {
    use super::super::boundary::{boundary, last_error};
    use super::*;

    fn message(body: &[u8], body_len: usize, flags: u32) -> esme_message {
        esme_message {
            to: c"447700900123".as_ptr(),
            from: std::ptr::null(),
            body: body.as_ptr(),
            body_len,
            flags,
        }
    }

    #[test]
    fn submit_options_are_read_by_their_size_and_newer_fields_must_be_zero() {
        let run =
            |o: *const esme_submit_options| boundary(|| unsafe { options_of(o) }.map(|_| ESME_OK));
        assert_eq!(unsafe { options_of(std::ptr::null()) }.unwrap(), 0);
        let o = esme_submit_options {
            size: std::mem::size_of::<esme_submit_options>(),
            user_data: 0xDEAD_BEEF,
        };
        assert_eq!(unsafe { options_of(&o) }.unwrap(), 0xDEAD_BEEF);
        for size in [0, 8, OPTIONS_V1 - 1, OPTIONS_MAX + 1, usize::MAX] {
            let o = esme_submit_options { size, user_data: 1 };
            assert_eq!(run(&o), ESME_ERR_INVALID_ARG);
            assert!(
                last_error().starts_with(&format!("options.size is {size}, not")),
                "{}",
                last_error()
            );
        }
        // A newer header's struct: longer; its unknown fields are honoured only as zero.
        #[repr(C)]
        struct Newer {
            v1: esme_submit_options,
            future: u64,
        }
        let mut n = Newer {
            v1: esme_submit_options {
                size: std::mem::size_of::<Newer>(),
                user_data: 5,
            },
            future: 0,
        };
        let p: *const esme_submit_options = std::ptr::addr_of!(n).cast();
        assert_eq!(unsafe { options_of(p) }.unwrap(), 5);
        n.future = 1 << 40;
        let p: *const esme_submit_options = std::ptr::addr_of!(n).cast();
        assert_eq!(run(p), ESME_ERR_INVALID_ARG);
        assert!(last_error().contains("does not know"), "{}", last_error());
    }

    #[test]
    fn a_body_len_no_message_can_have_is_refused_before_the_body_is_read() {
        let body = *b"hi";
        for len in [usize::MAX, isize::MAX as usize + 1, MAX_BODY_LEN + 1] {
            for flags in [0, ESME_MSG_BINARY] {
                let m = message(&body, len, flags);
                // Under Miri, reading past `body` would be reported.
                let r = boundary(|| unsafe { message_of(&m) }.map(|_| ESME_OK));
                assert_eq!(r, ESME_ERR_INVALID_ARG);
                let t = last_error();
                assert!(
                    t.starts_with(&format!("message.body_len is {len}, more than")),
                    "{t}"
                );
            }
        }
        let m = message(&body, body.len(), 0);
        let got = unsafe { message_of(&m) }.unwrap();
        assert_eq!(got.content, Content::Text("hi".into()));
    }
}
