//! Reassembly tests.

use std::time::{Duration, Instant};

use esme::text::{
    encode, segment_text, Encoding, InboundPart, IncompleteReason, InformationElement, Reassembler,
    Sar, SegmentMethod, TextError,
};

const T: Duration = Duration::from_secs(60);

fn part(dc: u8, esm: u8, sm: &[u8]) -> InboundPart {
    InboundPart {
        source: "111".into(),
        destination: "222".into(),
        data_coding: dc,
        esm_class: esm,
        short_message: sm.to_vec(),
        sar: None,
        message_payload: None,
    }
}

fn udh8(r: u8, total: u8, seq: u8, body: &[u8]) -> Vec<u8> {
    [&[5, 0, 3, r, total, seq][..], body].concat()
}

#[test]
fn single_part_is_complete_immediately() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let m = r
        .push(part(0, 0, b"hello"), Instant::now())
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("hello"));
    assert_eq!(m.parts, 1);
    assert_eq!(m.body, b"hello");
    assert_eq!((m.source.as_str(), m.destination.as_str()), ("111", "222"));
    assert_eq!(r.pending(), 0);

    let mut r = Reassembler::new(T, Encoding::Gsm7Packed);
    let m = r
        .push(part(0, 0, &[0xE8, 0x32, 0x9B, 0xFD, 0x06]), Instant::now())
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("hello"));
    assert_eq!(m.encoding, Encoding::Gsm7Packed);
    // Default alphabet Latin-1 for data_coding 0.
    let mut r = Reassembler::new(T, Encoding::Latin1);
    let m = r
        .push(part(0, 0, &[0xE9]), Instant::now())
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("é"));
}

#[test]
fn udh_parts_out_of_order_with_duplicates() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    assert_eq!(r.push(part(0, 0x40, &udh8(7, 3, 3, b"C")), now), Ok(None));
    assert_eq!(r.push(part(0, 0x40, &udh8(7, 3, 1, b"A")), now), Ok(None));
    assert_eq!(r.push(part(0, 0x40, &udh8(7, 3, 1, b"X")), now), Ok(None));
    assert_eq!(r.pending(), 1);
    let m = r
        .push(part(0, 0x40, &udh8(7, 3, 2, b"B")), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("ABC"));
    assert_eq!(m.parts, 3);
    assert_eq!(r.pending(), 0);
    assert!(r.expire(now + T).is_empty());
}

#[test]
fn groups_are_keyed_by_addresses_ref_total_and_kind() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    let mut other = part(0, 0x40, &udh8(7, 2, 1, b"x"));
    other.source = "999".into();
    assert_eq!(r.push(other, now), Ok(None));
    assert_eq!(r.push(part(0, 0x40, &udh8(8, 2, 1, b"y")), now), Ok(None));
    assert_eq!(r.push(part(0, 0x40, &udh8(7, 3, 1, b"z")), now), Ok(None));
    // 16-bit reference 7 is a different group from 8-bit reference 7.
    let u16p = part(0, 0x40, &[6, 8, 4, 0, 7, 2, 1, b'w']);
    assert_eq!(r.push(u16p, now), Ok(None));
    assert_eq!(r.pending(), 4);
    let m = r
        .push(part(0, 0x40, &udh8(8, 2, 2, b"Y")), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("yY"));
    let m = r
        .push(part(0, 0x40, &[6, 8, 4, 0, 7, 2, 2, b'W']), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("wW"));
}

#[test]
fn sar_and_payload() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    let mut p1 = part(8, 0, &[0x04, 0x36]);
    p1.sar = Some(Sar {
        ref_num: 0xBEEF,
        total: 2,
        seqnum: 1,
    });
    let mut p2 = part(8, 0, &[0x00, 0x21]);
    p2.sar = Some(Sar {
        ref_num: 0xBEEF,
        total: 2,
        seqnum: 2,
    });
    assert_eq!(r.push(p2, now), Ok(None));
    let m = r.push(p1, now).unwrap().unwrap();
    assert_eq!(m.text.as_deref(), Some("ж!"));
    assert_eq!(m.data_coding, 8);

    let mut p = part(3, 0, b"");
    p.message_payload = Some(vec![0x61; 500]);
    let m = r.push(p, now).unwrap().unwrap();
    assert_eq!(m.text, Some("a".repeat(500)));

    let mut p = part(3, 0, b"x");
    p.message_payload = Some(vec![0x61; 3]);
    let e = r.push(p, now).unwrap_err();
    assert_eq!(
        e,
        TextError::ConflictingUserData {
            short_message: 1,
            message_payload: 3
        }
    );
    // An empty message_payload TLV defers to short_message.
    let mut p = part(3, 0, b"x");
    p.message_payload = Some(Vec::new());
    assert_eq!(r.push(p, now).unwrap().unwrap().text.as_deref(), Some("x"));
}

#[test]
fn udh_takes_precedence_over_sar() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    let mut p = part(0, 0x40, &udh8(1, 1, 1, b"solo"));
    p.sar = Some(Sar {
        ref_num: 5,
        total: 3,
        seqnum: 1,
    });
    let m = r.push(p, now).unwrap().unwrap();
    assert_eq!(m.text.as_deref(), Some("solo"));
}

#[test]
fn other_ies_are_kept() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    // Port addressing 16-bit (0x05) then concat.
    let h = |seq: u8, body: &[u8]| {
        [
            &[11, 0x05, 4, 0x0B, 0x84, 0x23, 0xF0, 0x00, 3, 9, 2, seq][..],
            body,
        ]
        .concat()
    };
    assert_eq!(r.push(part(4, 0x40, &h(2, b"\x02")), now), Ok(None));
    let m = r.push(part(4, 0x40, &h(1, b"\x01")), now).unwrap().unwrap();
    assert_eq!(m.body, [1, 2]);
    assert_eq!(m.text, None);
    assert_eq!(m.text_error, None);
    assert_eq!(
        m.ies,
        vec![InformationElement {
            id: 0x05,
            data: vec![0x0B, 0x84, 0x23, 0xF0]
        }]
    );
    // UDH without concatenation: complete, UDH stripped.
    let m = r
        .push(part(0, 0x40, &[4, 0x04, 2, 0x10, 0x20, b'h', b'i']), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("hi"));
    assert_eq!(m.ies[0].id, 4);
}

#[test]
fn packed_gsm_with_udh_fill_bits() {
    let text: String = "Packed septets after a UDH need fill bits {ok} € ".repeat(8);
    for method in [
        SegmentMethod::Udh8,
        SegmentMethod::Udh16,
        SegmentMethod::Sar,
    ] {
        let segs = segment_text(&text, Encoding::Gsm7Packed, method, 300, 255).unwrap();
        assert!(segs.len() > 1);
        let mut r = Reassembler::new(T, Encoding::Gsm7Packed);
        let now = Instant::now();
        let mut result = None;
        for s in segs.into_iter().rev() {
            let mut p = part(0, if s.udhi { 0x40 } else { 0 }, &s.short_message);
            p.sar = s.sar;
            result = r.push(p, now).unwrap();
        }
        let m = result.unwrap();
        assert_eq!(m.text.as_deref(), Some(text.as_str()), "{method:?}");
        assert_eq!(m.body, encode(&text, Encoding::Gsm7).unwrap());
    }
}

#[test]
fn ucs2_surrogate_split_by_sender_still_decodes() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    assert_eq!(
        r.push(part(8, 0x40, &udh8(1, 2, 1, &[0, 0x41, 0xD8, 0x3D])), now),
        Ok(None)
    );
    let m = r
        .push(part(8, 0x40, &udh8(1, 2, 2, &[0xDE, 0x00])), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("A😀"));
    // GSM escape split across parts too.
    assert_eq!(
        r.push(part(0, 0x40, &udh8(2, 2, 1, &[0x41, 0x1B])), now),
        Ok(None)
    );
    let m = r
        .push(part(0, 0x40, &udh8(2, 2, 2, &[0x65])), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("A€"));
}

#[test]
fn undecodable_text_keeps_body() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let m = r
        .push(part(8, 0, &[0, 0x41, 0]), Instant::now())
        .unwrap()
        .unwrap();
    assert_eq!(m.text, None);
    assert_eq!(m.text_error, Some(TextError::Ucs2OddLength(3)));
    assert_eq!(m.body, [0, 0x41, 0]);
    let m = r
        .push(part(0, 0, &[0x41, 0xC8]), Instant::now())
        .unwrap()
        .unwrap();
    assert!(matches!(
        m.text_error,
        Some(TextError::InvalidSeptet {
            value: 0xC8,
            index: 1
        })
    ));
}

#[test]
fn malformed_input_is_an_error() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let now = Instant::now();
    let cases: Vec<(&[u8], &str)> = vec![
        (&[], "UDHI is set but the user data is empty"),
        (
            &[5, 0, 3, 1],
            "UDH length 5 exceeds the 3 octets that follow it",
        ),
        (
            &[1, 0],
            "information element 0x00 at offset 1 has no length octet",
        ),
        (&[3, 0, 3, 1], "has length 3 but only 1 octets remain"),
        (
            &[4, 0, 2, 1, 2],
            "concatenation IE 0x00 must have length 3, got 2",
        ),
        (
            &[5, 8, 3, 1, 2, 3],
            "concatenation IE 0x08 must have length 4, got 3",
        ),
    ];
    for (sm, msg) in cases {
        let e = r.push(part(0, 0x40, sm), now).unwrap_err();
        assert!(matches!(e, TextError::MalformedUdh(_)), "{e:?}");
        assert!(e.to_string().contains(msg), "{e} / {msg}");
    }
    for (total, seq) in [(0u8, 0u8), (3, 0), (3, 4), (0, 1)] {
        let e = r
            .push(part(0, 0x40, &udh8(9, total, seq, b"x")), now)
            .unwrap_err();
        assert_eq!(
            e,
            TextError::InvalidConcatenation {
                ref_num: 9,
                total,
                seq
            }
        );
        let mut p = part(0, 0, b"x");
        p.sar = Some(Sar {
            ref_num: 9,
            total,
            seqnum: seq,
        });
        assert!(r.push(p, now).is_err());
    }
    // Mismatched data_coding within a group.
    assert_eq!(r.push(part(0, 0x40, &udh8(4, 2, 1, b"x")), now), Ok(None));
    let e = r
        .push(part(8, 0x40, &udh8(4, 2, 2, b"xx")), now)
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "part 2 of message ref 4 has data_coding 0x08 but earlier parts have 0x00"
    );
    assert_eq!(r.pending(), 1);
}

#[test]
fn timeout_returns_incomplete() {
    let mut r = Reassembler::new(T, Encoding::Gsm7);
    let t0 = Instant::now();
    assert_eq!(r.push(part(0, 0x40, &udh8(3, 3, 1, b"ab")), t0), Ok(None));
    assert_eq!(
        r.push(part(0, 0x40, &udh8(3, 3, 3, b"ef")), t0 + T / 2),
        Ok(None)
    );
    assert!(r.expire(t0 + T - Duration::from_millis(1)).is_empty());
    // A time before the group started does not panic or expire it.
    assert!(r
        .expire(t0.checked_sub(Duration::from_secs(1)).unwrap_or(t0))
        .is_empty());
    let inc = r.expire(t0 + T);
    assert_eq!(inc.len(), 1);
    let i = &inc[0];
    assert_eq!((i.ref_num, i.total), (3, 3));
    assert_eq!(i.received, [1, 3]);
    assert_eq!(i.partial_body, b"abef");
    assert_eq!(i.reason, IncompleteReason::TimedOut);
    assert_eq!(r.pending(), 0);
    assert!(r.expire(t0 + T * 2).is_empty());
}

#[test]
fn bound_on_pending_groups_evicts_oldest() {
    let mut r = Reassembler::new(T, Encoding::Gsm7).with_max_pending(2);
    assert_eq!(r.max_pending(), 2);
    let now = Instant::now();
    for reference in 1..=3u8 {
        assert_eq!(
            r.push(part(0, 0x40, &udh8(reference, 2, 1, b"x")), now),
            Ok(None)
        );
    }
    assert_eq!(r.pending(), 2);
    let inc = r.expire(now);
    assert_eq!(inc.len(), 1);
    assert_eq!(inc[0].ref_num, 1);
    assert_eq!(inc[0].reason, IncompleteReason::Evicted);
    // The survivors still complete.
    let m = r
        .push(part(0, 0x40, &udh8(3, 2, 2, b"y")), now)
        .unwrap()
        .unwrap();
    assert_eq!(m.text.as_deref(), Some("xy"));
    assert_eq!(
        Reassembler::new(T, Encoding::Gsm7)
            .with_max_pending(0)
            .max_pending(),
        1
    );
}
