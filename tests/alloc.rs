//! Heap allocations on the submit hot path, counted by a global allocator (this file is its
//! own test binary, so the allocator is only this binary's).
//!
//! Counts are per thread: the allocator adds to a thread-local counter only while the test
//! thread has switched counting on, so the harness's other threads cannot disturb them.
//! Every allocation, zeroed allocation and reallocation counts as one.
//!
//! Asserted, in steady state (after a warm-up so buffers, the window map and the queues
//! have their capacity), per submit round trip through the sans-IO session
//! (`send_returning` of a pre-built submit_sm, `take_output` into a reused buffer, `feed` of
//! the submit_sm_resp, `tick`, `poll_event`, `next_deadline`, as the client drives it):
//! exactly one allocation, the `message_id` `String` of the decoded submit_sm_resp. That
//! string is the SMSC's id handed to the caller inside `Event::Response`, so it has to be an
//! owned, heap-allocated `String` while the public types stay as they are. Nothing else
//! allocates: `Pdu::encode` into a reused buffer, the `Decoder`'s framing, PDUs without
//! strings.
//!
//! Measured and printed, not asserted (run with `--nocapture`): decoding a whole
//! submit_sm / deliver_sm (owned strings and vectors by design) and building the
//! submit_sm PDUs of a 400-character message through the public API.

use esme::pdu::{
    Address, BindResp, Body, Decoded, Decoder, MessageState, Pdu, SmResp, SubmitSm, Tag, Tlv,
};
use esme::session::{BindMode, Event, Session, SessionConfig, State};
use esme::text::{self, Encoding, SegmentMethod};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::hint::black_box;
use std::time::Instant;

struct Counting;

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

fn note() {
    // try_with: the allocator may run while thread-locals are being torn down.
    let _ = ON.try_with(|on| {
        if on.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns how many allocations it made on this thread.
fn allocations<R>(f: impl FnOnce() -> R) -> (u64, R) {
    COUNT.with(|c| c.set(0));
    ON.with(|on| on.set(true));
    let r = f();
    ON.with(|on| on.set(false));
    (COUNT.with(Cell::get), r)
}

const ROUND_TRIPS: u64 = 10_000;
const WARM_UP: u64 = 1_000;
const MESSAGE_ID: &str = "7d3a0c95-4b1e-4f7a";

fn submit_sm() -> SubmitSm {
    SubmitSm {
        source: Address::new(1, 1, "12345"),
        destination: Address::new(1, 1, "31600000000"),
        registered_delivery: 1,
        short_message: b"bench message 0123456789".to_vec(),
        ..SubmitSm::default()
    }
}

fn bytes(pdu: &Pdu) -> Vec<u8> {
    pdu.to_bytes().unwrap()
}

fn sequence_of(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[12], b[13], b[14], b[15]])
}

/// A session bound as a transceiver, with its output taken.
fn bound_session(now: Instant) -> Session<u64> {
    let mut s = Session::new(SessionConfig::default(), now);
    s.bind(BindMode::Transceiver, Default::default(), now)
        .unwrap();
    let mut out = Vec::new();
    s.take_output(&mut out);
    let resp = Pdu::new(
        sequence_of(&out),
        Body::BindTransceiverResp(BindResp {
            system_id: "SMSC".into(),
            tlvs: Vec::new(),
        }),
    );
    s.feed(&bytes(&resp), now);
    assert!(matches!(s.poll_event(), Some(Event::Bound { .. })));
    assert_eq!(s.state(), State::Bound(BindMode::Transceiver));
    s
}

/// The session's side of one submit round trip, as the client drives it (with `tick` after
/// every read, or, `tick == false`, a driver that seldom ticks). Returns the message_id the
/// SMSC gave.
fn round_trip(
    s: &mut Session<u64>,
    sm: &mut Option<SubmitSm>,
    out: &mut Vec<u8>,
    resp: &mut [u8],
    tag: u64,
    now: Instant,
    tick: bool,
) -> String {
    let (r, body) = s.send_returning(Body::SubmitSm(sm.take().unwrap()), tag, now);
    let Body::SubmitSm(back) = body else {
        panic!("the body comes back")
    };
    *sm = Some(back);
    let seq = r.unwrap();
    out.clear();
    s.take_output(out);
    assert_eq!(sequence_of(out), seq);
    black_box(&out);
    resp[12..16].copy_from_slice(&seq.to_be_bytes());
    s.feed(resp, now);
    if tick {
        s.tick(now);
    }
    let mut id = None;
    while let Some(ev) = s.poll_event() {
        match ev {
            Event::Response { tag: t, pdu } => {
                assert_eq!(t, tag);
                let Body::SubmitSmResp(r) = pdu.body else {
                    panic!("{:?}", pdu.body)
                };
                id = Some(r.message_id);
            }
            other => panic!("{other:?}"),
        }
    }
    black_box(s.next_deadline());
    id.expect("a response")
}

fn submit_round_trips(tick: bool) -> u64 {
    let now = Instant::now();
    let mut s = bound_session(now);
    let mut sm = Some(submit_sm());
    let mut out = Vec::new();
    let mut resp = bytes(&Pdu::new(
        1,
        Body::SubmitSmResp(SmResp {
            message_id: MESSAGE_ID.into(),
            tlvs: Vec::new(),
        }),
    ));
    for tag in 0..WARM_UP {
        round_trip(&mut s, &mut sm, &mut out, &mut resp, tag, now, tick);
    }
    let (n, ()) = allocations(|| {
        for tag in 0..ROUND_TRIPS {
            let id = round_trip(&mut s, &mut sm, &mut out, &mut resp, tag, now, tick);
            debug_assert_eq!(id, MESSAGE_ID);
            // The caller keeps or drops it; dropping frees without allocating.
            drop(black_box(id));
        }
    });
    assert_eq!(s.in_flight(), 0);
    println!(
        "session submit round trip (tick: {tick}): {n} allocations in {ROUND_TRIPS} ({:.3} per \
         round trip)",
        n as f64 / ROUND_TRIPS as f64
    );
    n
}

#[test]
fn submit_round_trip_allocates_only_the_message_id() {
    // Exactly one per round trip: the message_id String of the submit_sm_resp (see the
    // module comment). Any other allocation on the path makes this fail.
    assert_eq!(
        submit_round_trips(true),
        ROUND_TRIPS,
        "allocations per submit round trip"
    );
}

#[test]
fn answered_requests_leave_no_state_behind_without_tick() {
    // Responses arriving in order release everything the request held even when the
    // driver has not called tick (the deadline queue does not grow).
    assert_eq!(
        submit_round_trips(false),
        ROUND_TRIPS,
        "allocations per submit round trip without tick"
    );
}

#[test]
fn session_window_answered_out_of_order_in_split_reads_allocates_only_message_ids() {
    // A full window sent before any response comes back; the responses come back in
    // reverse order, in one stream read in 7-octet pieces (PDUs split across reads, several
    // in one read).
    let now = Instant::now();
    let mut s = bound_session(now);
    let window = s.config().window;
    let mut sm = Some(submit_sm());
    let mut out = Vec::new();
    let mut resp = bytes(&Pdu::new(
        1,
        Body::SubmitSmResp(SmResp {
            message_id: MESSAGE_ID.into(),
            tlvs: Vec::new(),
        }),
    ));
    let mut seqs = Vec::with_capacity(window);
    let mut stream = Vec::with_capacity(window * resp.len());
    let mut burst = |s: &mut Session<u64>| {
        seqs.clear();
        for tag in 0..window as u64 {
            let (r, body) = s.send_returning(Body::SubmitSm(sm.take().unwrap()), tag, now);
            let Body::SubmitSm(back) = body else {
                panic!("the body comes back")
            };
            sm = Some(back);
            seqs.push(r.unwrap());
        }
        assert!(!s.window_has_room());
        out.clear();
        s.take_output(&mut out);
        stream.clear();
        for &seq in seqs.iter().rev() {
            resp[12..16].copy_from_slice(&seq.to_be_bytes());
            stream.extend_from_slice(&resp);
        }
        for piece in stream.chunks(7) {
            s.feed(piece, now);
        }
        s.tick(now);
        let mut n = 0;
        while let Some(ev) = s.poll_event() {
            assert!(matches!(ev, Event::Response { .. }), "{ev:?}");
            n += 1;
        }
        assert_eq!(n, window);
    };
    for _ in 0..200 {
        burst(&mut s);
    }
    let bursts = 1_000;
    let (n, ()) = allocations(|| {
        for _ in 0..bursts {
            burst(&mut s);
        }
    });
    let responses = (bursts * window) as u64;
    println!("session window of {window}, answered in reverse, split reads: {n} allocations for {responses} responses");
    assert_eq!(n, responses, "one allocation (the message_id) per response");
}

#[test]
fn inbound_receipt_allocates_only_what_its_decode_does() {
    // deliver_sm in, Event::Inbound out, deliver_sm_resp queued: the session adds nothing
    // to the decode's own allocations (the PDU's owned fields).
    let now = Instant::now();
    let mut s = bound_session(now);
    let mut deliver = bytes(&receipt());
    let decode_allocations = allocations(|| Decoder::default().decode(&deliver).unwrap()).0;
    let mut out = Vec::new();
    let mut one = |s: &mut Session<u64>, seq: u32| {
        deliver[12..16].copy_from_slice(&seq.to_be_bytes());
        s.feed(&deliver, now);
        s.tick(now);
        let Some(Event::Inbound { pdu }) = s.poll_event() else {
            panic!("an inbound PDU")
        };
        s.respond(&pdu, esme::pdu::CommandStatus::Ok, Vec::new());
        out.clear();
        s.take_output(&mut out);
        assert_eq!(out.len(), 17);
        black_box(pdu);
    };
    for seq in 1..=1000 {
        one(&mut s, seq);
    }
    let (n, ()) = allocations(|| {
        for seq in 1..=ROUND_TRIPS as u32 {
            one(&mut s, seq);
        }
    });
    println!(
        "inbound deliver_sm receipt: {n} allocations in {ROUND_TRIPS} ({decode_allocations} in \
         its decode)"
    );
    assert_eq!(n, ROUND_TRIPS * decode_allocations);
}

fn receipt() -> Pdu {
    Pdu::new(
        3,
        Body::DeliverSm(SubmitSm {
            source: Address::new(1, 1, "31600000000"),
            destination: Address::new(1, 1, "12345"),
            esm_class: 0x04,
            short_message: b"id:7d3a0c95-4b1e-4f7a sub:001 dlvrd:001 submit date:2611261015 \
done date:2611261016 stat:DELIVRD err:000 text:bench message 0123"
                .to_vec(),
            tlvs: vec![
                Tlv::cstr(Tag::ReceiptedMessageId, MESSAGE_ID).unwrap(),
                Tlv::message_state(MessageState::Delivered),
            ],
            ..SubmitSm::default()
        }),
    )
}

#[test]
fn encode_into_a_reused_buffer_and_framing_do_not_allocate() {
    let pdu = Pdu::new(7, Body::SubmitSm(submit_sm()));
    let deliver = Pdu::new(
        8,
        Body::DeliverSm(SubmitSm {
            esm_class: 0x04,
            short_message: b"id:7d3a0c95-4b1e-4f7a sub:001 dlvrd:001 stat:DELIVRD err:000".to_vec(),
            tlvs: vec![
                Tlv::cstr(Tag::ReceiptedMessageId, MESSAGE_ID).unwrap(),
                Tlv::message_state(MessageState::Delivered),
            ],
            ..submit_sm()
        }),
    );
    let mut out = Vec::with_capacity(512);
    let (n, ()) = allocations(|| {
        for _ in 0..ROUND_TRIPS {
            out.clear();
            pdu.encode(&mut out).unwrap();
            out.clear();
            deliver.encode(&mut out).unwrap();
            black_box(&out);
        }
    });
    assert_eq!(n, 0, "Pdu::encode into a buffer with room");

    let wire = bytes(&pdu);
    let link = bytes(&Pdu::new(9, Body::EnquireLink));
    let decoder = Decoder::default();
    let (n, ()) = allocations(|| {
        for _ in 0..ROUND_TRIPS {
            // Every prefix of a PDU: incomplete header, incomplete body.
            for end in 0..wire.len() {
                assert!(matches!(
                    decoder.decode(black_box(&wire[..end])),
                    Ok(Decoded::Incomplete { .. })
                ));
            }
            // A bad command_length.
            assert!(decoder.decode(&[0, 0, 0, 3, 0, 0, 0, 0]).is_err());
            // A whole PDU without strings or vectors.
            assert!(matches!(
                decoder.decode(black_box(&link)),
                Ok(Decoded::Pdu { len: 16, .. })
            ));
        }
    });
    assert_eq!(n, 0, "Decoder framing and string-free PDUs");
}

#[test]
fn whole_pdu_decodes_allocate_their_owned_fields() {
    let decoder = Decoder::default();
    let resp = bytes(&Pdu::new(
        1,
        Body::SubmitSmResp(SmResp {
            message_id: MESSAGE_ID.into(),
            tlvs: Vec::new(),
        }),
    ));
    let submit = bytes(&Pdu::new(2, Body::SubmitSm(submit_sm())));
    let deliver = bytes(&receipt());
    let per = |wire: &[u8]| {
        let (n, ()) = allocations(|| {
            for _ in 0..1000 {
                black_box(decoder.decode(black_box(wire)).unwrap());
            }
        });
        n as f64 / 1000.0
    };
    let (r, s, d) = (per(&resp), per(&submit), per(&deliver));
    println!(
        "decode allocations per PDU: submit_sm_resp {r}, submit_sm {s}, deliver_sm receipt {d}"
    );
    // submit_sm_resp: the message_id. submit_sm: source_addr, destination_addr,
    // short_message (empty service_type and times allocate nothing). The receipt: those
    // three and the TLV vector (short TLV values are kept inside the Tlv).
    assert_eq!(r, 1.0);
    assert_eq!(s, 3.0);
    assert_eq!(d, 4.0);
}

#[test]
fn message_building_allocations_are_measured() {
    // The client's build_parts is crate-private; this is the same work through the public
    // API: segment the text, then one template clone + set_segment per part, each part
    // encoded once to check it.
    let gsm: String = "Your code is 123456. Valid for 10 minutes; do not share it. "
        .chars()
        .cycle()
        .take(400)
        .collect();
    let ucs2: String = "Привет! Ваш код 123456. "
        .chars()
        .cycle()
        .take(400)
        .collect();
    // The template as the client builds it: addresses, no text yet.
    let base = SubmitSm {
        short_message: Vec::new(),
        ..submit_sm()
    };
    let mut scratch = Vec::with_capacity(512);
    let mut build = |t: &str, enc: Encoding, method: SegmentMethod| {
        let (n, parts) = allocations(|| {
            let segs = text::segment_text(t, enc, method, 7, 255).unwrap();
            let mut parts = Vec::with_capacity(segs.len());
            for seg in &segs {
                let mut p = base.clone();
                p.set_segment(seg);
                let pdu = Pdu::new(1, Body::SubmitSm(p));
                scratch.clear();
                pdu.encode(&mut scratch).unwrap();
                let Body::SubmitSm(p) = pdu.body else {
                    unreachable!()
                };
                parts.push(p);
            }
            parts
        });
        println!(
            "message building, 400 characters, {enc:?} {method:?}: {} parts, {n} allocations",
            parts.len()
        );
        parts.len()
    };
    assert_eq!(build(&gsm, Encoding::Gsm7, SegmentMethod::Udh8), 3);
    build(&gsm, Encoding::Gsm7, SegmentMethod::Sar);
    build(&gsm, Encoding::Gsm7Packed, SegmentMethod::Udh8);
    build(&ucs2, Encoding::Ucs2, SegmentMethod::Udh8);
    build(&gsm, Encoding::Gsm7, SegmentMethod::Payload);
}
