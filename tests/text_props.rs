//! Property tests for the text layer.

use std::time::{Duration, Instant};

use esme::text::{
    count_segments, decode, encode, gsm, segment_bytes, segment_text, Encoding, InboundPart,
    Reassembler, Sar, Segment, SegmentMethod,
};
use proptest::prelude::*;

const ENCODINGS: [Encoding; 6] = Encoding::ALL;
const METHODS: [SegmentMethod; 4] = [
    SegmentMethod::Udh8,
    SegmentMethod::Udh16,
    SegmentMethod::Sar,
    SegmentMethod::Payload,
];

fn gsm_chars() -> Vec<char> {
    let mut v: Vec<char> = gsm::BASE_TABLE
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != usize::from(gsm::ESCAPE))
        .map(|(_, &c)| c)
        .collect();
    v.extend("\u{0C}^{}\\[~]|€".chars());
    v
}

fn gsm_char() -> impl Strategy<Value = char> {
    // Bias towards CR and escapes, which have special packing rules.
    prop_oneof![
        8 => prop::sample::select(gsm_chars()),
        1 => Just('\r'),
        1 => Just('€'),
    ]
}

fn string_of(c: impl Strategy<Value = char>, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(c, 0..max).prop_map(String::from_iter)
}

fn text_for(encoding: Encoding, max: usize) -> BoxedStrategy<String> {
    match encoding {
        Encoding::Gsm7 | Encoding::Gsm7Packed => string_of(gsm_char(), max).boxed(),
        Encoding::Ascii => string_of((0u8..=0x7F).prop_map(char::from), max).boxed(),
        Encoding::Latin1 => string_of(any::<u8>().prop_map(char::from), max).boxed(),
        // Mostly BMP with plenty of astral characters (surrogate pairs).
        Encoding::Ucs2 | Encoding::Binary => string_of(
            prop_oneof![
                3 => any::<char>(),
                1 => (0x1F600u32..0x1F650).prop_map(|c| char::from_u32(c).unwrap_or('x')),
                1 => Just('a'),
            ],
            max,
        )
        .boxed(),
    }
}

/// Tiny deterministic PRNG for shuffling inside a property.
fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    *state >> 33
}

fn inbound(s: &Segment, data_coding: u8) -> InboundPart {
    InboundPart {
        source: "447700900123".into(),
        destination: "12345".into(),
        data_coding,
        esm_class: if s.udhi { 0x40 } else { 0 },
        short_message: s.short_message.clone(),
        sar: s.sar.clone(),
        message_payload: s.message_payload.clone(),
    }
}

proptest! {
    #[test]
    fn gsm_unpacked_round_trip(text in string_of(gsm_char(), 300)) {
        let enc = encode(&text, Encoding::Gsm7).unwrap();
        prop_assert_eq!(enc.len(), esme::text::gsm7_len(&text).unwrap());
        prop_assert_eq!(decode(&enc, Encoding::Gsm7).unwrap(), text);
    }

    #[test]
    fn gsm_packed_round_trip(text in string_of(gsm_char(), 300), fill in 0u8..=6) {
        let n = esme::text::gsm7_len(&text).unwrap();
        let packed = gsm::encode_packed(&text, fill).unwrap();
        prop_assert_eq!(packed.len(), gsm::packed_len(n, fill, text.ends_with('\r')));
        let back = gsm::decode_packed(&packed, fill).unwrap();
        // 03.38: a final CR ending exactly on an octet boundary is doubled.
        if text.ends_with('\r') && (usize::from(fill) + 7 * n) % 8 == 0 {
            prop_assert_eq!(back, format!("{text}\r"));
        } else {
            prop_assert_eq!(back, text);
        }
    }

    #[test]
    fn gsm_packed_public_api_round_trip(text in string_of(gsm_char(), 200)) {
        let back = decode(&encode(&text, Encoding::Gsm7Packed).unwrap(), Encoding::Gsm7Packed).unwrap();
        let doubled = format!("{text}\r");
        prop_assert!(back == text || back == doubled, "{:?} -> {:?}", text, back);
    }

    #[test]
    fn ucs2_round_trip(text in any::<String>()) {
        let enc = encode(&text, Encoding::Ucs2).unwrap();
        prop_assert_eq!(enc.len(), text.encode_utf16().count() * 2);
        prop_assert_eq!(decode(&enc, Encoding::Ucs2).unwrap(), text);
    }

    #[test]
    fn latin1_round_trip(text in text_for(Encoding::Latin1, 300)) {
        let enc = encode(&text, Encoding::Latin1).unwrap();
        prop_assert_eq!(enc.len(), text.chars().count());
        prop_assert_eq!(decode(&enc, Encoding::Latin1).unwrap(), text);
    }

    #[test]
    fn ascii_round_trip(text in text_for(Encoding::Ascii, 300)) {
        prop_assert_eq!(decode(&encode(&text, Encoding::Ascii).unwrap(), Encoding::Ascii).unwrap(), text);
    }

    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300), fill in 0u8..10) {
        for e in ENCODINGS {
            let _ = decode(&bytes, e);
        }
        let _ = gsm::unpack(&bytes, fill);
        let _ = gsm::decode_packed(&bytes, fill);
        let _ = gsm::pack(&bytes, fill);
        let _ = gsm::decode_unpacked(&bytes);
    }

    #[test]
    fn count_segments_agrees(
        (ei, text) in (0usize..5).prop_flat_map(|i| (Just(i), text_for(ENCODINGS[i], 800))),
        mi in 0usize..4,
    ) {
        let (e, m) = (ENCODINGS[ei], METHODS[mi]);
        let segs = segment_text(&text, e, m, 1, 255).unwrap();
        prop_assert_eq!(count_segments(&text, e, m).unwrap(), segs.len());
        for s in &segs {
            let len = s.short_message.len();
            match e {
                // Unpacked GSM and IA5 are one septet per octet: 160 (+UDH).
                Encoding::Gsm7 | Encoding::Ascii => prop_assert!(len <= 160),
                _ => prop_assert!(len <= 140),
            }
        }
    }

    #[test]
    fn segment_then_reassemble(
        (ei, text, bytes) in (0usize..6).prop_flat_map(|i| (
            Just(i),
            text_for(ENCODINGS[i], 700),
            prop::collection::vec(any::<u8>(), 0..700),
        )),
        mi in 0usize..4,
        ref_num in any::<u16>(),
        seed in any::<u64>(),
        dups in any::<u64>(),
    ) {
        let (e, m) = (ENCODINGS[ei], METHODS[mi]);
        let segs = if e == Encoding::Binary {
            segment_bytes(&bytes, m, ref_num, 255).unwrap()
        } else {
            segment_text(&text, e, m, ref_num, 255).unwrap()
        };
        // Shuffle, then repeat some parts (never the completing one).
        let mut order: Vec<usize> = (0..segs.len()).collect();
        let mut st = seed;
        for i in (1..order.len()).rev() {
            let j = (lcg(&mut st) % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        let mut pushes = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            pushes.push(i);
            if k + 1 < order.len() && dups >> (k % 64) & 1 == 1 {
                pushes.push(i);
            }
        }
        let default = if e == Encoding::Gsm7Packed { Encoding::Gsm7Packed } else { Encoding::Gsm7 };
        let mut r = Reassembler::new(Duration::from_secs(30), default);
        let now = Instant::now();
        let last = pushes.len() - 1;
        let mut done = None;
        for (k, &i) in pushes.iter().enumerate() {
            let got = r.push(inbound(&segs[i], e.data_coding()), now).unwrap();
            if k < last {
                prop_assert!(got.is_none(), "completed early at push {}", k);
            } else {
                done = got;
            }
        }
        let msg = done.expect("last part completes the message");
        prop_assert_eq!(usize::from(msg.parts), segs.len());
        prop_assert_eq!(r.pending(), 0);
        if e == Encoding::Binary {
            prop_assert_eq!(msg.body, bytes);
            prop_assert_eq!(msg.text, None);
        } else {
            let got = msg.text.expect("text decodes");
            if e == Encoding::Gsm7Packed && text.ends_with('\r') && got != text {
                // Only a final CR on an octet boundary may be doubled.
                prop_assert_eq!(got, format!("{text}\r"));
            } else {
                prop_assert_eq!(&got, &text);
                let body_enc = if e == Encoding::Gsm7Packed { Encoding::Gsm7 } else { e };
                prop_assert_eq!(msg.body, encode(&text, body_enc).unwrap());
            }
        }
    }

    #[test]
    fn push_never_panics(
        parts in prop::collection::vec(
            (
                prop_oneof![Just(0x40u8), Just(0u8), any::<u8>()],
                prop_oneof![Just(0u8), Just(8u8), any::<u8>()],
                prop_oneof![
                    prop::collection::vec(any::<u8>(), 0..200),
                    // Concatenation-shaped UDHs with small numbers so that
                    // groups actually complete.
                    (0u8..3, 0u8..4, 0u8..4, prop::collection::vec(any::<u8>(), 0..20))
                        .prop_map(|(r, t, s, body)| [&[5, 0, 3, r, t, s][..], &body].concat()),
                    (0u8..3, 0u8..4, 0u8..4, prop::collection::vec(any::<u8>(), 0..20))
                        .prop_map(|(r, t, s, body)| [&[6, 8, 4, 0, r, t, s][..], &body].concat()),
                ],
                prop::option::of((0u16..3, 0u8..4, 0u8..4)),
                prop::option::of(prop::collection::vec(any::<u8>(), 0..50)),
                0u64..100,
            ),
            0..40,
        ),
        default in 0usize..6,
    ) {
        let mut r = Reassembler::new(Duration::from_secs(10), ENCODINGS[default]).with_max_pending(3);
        let t0 = Instant::now();
        for (esm_class, data_coding, short_message, sar, message_payload, t) in parts {
            let part = InboundPart {
                source: "a".into(),
                destination: "b".into(),
                data_coding,
                esm_class,
                short_message,
                sar: sar.map(|(ref_num, total, seqnum)| Sar { ref_num, total, seqnum }),
                message_payload,
            };
            let now = t0 + Duration::from_millis(t * 200);
            if let Ok(Some(m)) = r.push(part, now) {
                prop_assert!(m.parts >= 1);
            }
            prop_assert!(r.pending() <= 3);
            if t % 7 == 0 {
                for inc in r.expire(now) {
                    prop_assert!(!inc.received.is_empty());
                    prop_assert!(inc.received.len() < usize::from(inc.total));
                }
            }
        }
        let _ = r.expire(t0 + Duration::from_secs(3600));
        prop_assert_eq!(r.pending(), 0);
    }
}
