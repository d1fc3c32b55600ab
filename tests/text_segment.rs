//! Encoding API and segmentation boundary tests.

use esme::text::{
    choose_encoding, count_segments, decode, encode, gsm, gsm7_len, segment_bytes, segment_text,
    Encoding, Sar, SegmentMethod, TextError,
};

const ALL_ENCODINGS: [Encoding; 5] = [
    Encoding::Gsm7,
    Encoding::Gsm7Packed,
    Encoding::Ascii,
    Encoding::Latin1,
    Encoding::Ucs2,
];
const ALL_METHODS: [SegmentMethod; 4] = [
    SegmentMethod::Udh8,
    SegmentMethod::Udh16,
    SegmentMethod::Sar,
    SegmentMethod::Payload,
];

#[test]
fn encode_decode_known_vectors() {
    assert_eq!(
        encode("hello", Encoding::Gsm7Packed).unwrap(),
        [0xE8, 0x32, 0x9B, 0xFD, 0x06]
    );
    assert_eq!(encode("€", Encoding::Gsm7).unwrap(), [0x1B, 0x65]);
    assert_eq!(encode("hi", Encoding::Ascii).unwrap(), b"hi");
    assert_eq!(encode("é", Encoding::Latin1).unwrap(), [0xE9]);
    assert_eq!(encode("é", Encoding::Ucs2).unwrap(), [0x00, 0xE9]);
    assert_eq!(
        decode(&[0xE8, 0x32, 0x9B, 0xFD, 0x06], Encoding::Gsm7Packed).unwrap(),
        "hello"
    );
    assert_eq!(decode(&[0x00, 0x02, 0x11], Encoding::Gsm7).unwrap(), "@$_");
    let e = encode("x", Encoding::Binary).unwrap_err();
    assert_eq!(e, TextError::BinaryNotText { data_coding: 4 });
    assert_eq!(e.to_string(), "binary data (data_coding 0x04) is not text");
    assert!(decode(b"x", Encoding::Binary).is_err());
    assert_eq!(
        decode(&[0; 7], Encoding::Ucs2).unwrap_err().to_string(),
        "invalid UCS-2: odd number of bytes (7)"
    );
    assert_eq!(
        encode("abcdeж", Encoding::Gsm7).unwrap_err().to_string(),
        "character 'ж' (U+0436) at index 5 cannot be encoded in GSM 7-bit"
    );
}

#[test]
fn data_coding_mapping() {
    let d = Encoding::Gsm7;
    for (e, dc) in [
        (Encoding::Gsm7, 0),
        (Encoding::Gsm7Packed, 0),
        (Encoding::Ascii, 1),
        (Encoding::Latin1, 3),
        (Encoding::Binary, 4),
        (Encoding::Ucs2, 8),
    ] {
        assert_eq!(e.data_coding(), dc);
    }
    assert_eq!(
        Encoding::from_data_coding(0x00, Encoding::Latin1),
        Encoding::Latin1
    );
    assert_eq!(
        Encoding::from_data_coding(0x00, Encoding::Gsm7Packed),
        Encoding::Gsm7Packed
    );
    assert_eq!(Encoding::from_data_coding(0x01, d), Encoding::Ascii);
    assert_eq!(Encoding::from_data_coding(0x02, d), Encoding::Binary);
    assert_eq!(Encoding::from_data_coding(0x03, d), Encoding::Latin1);
    assert_eq!(Encoding::from_data_coding(0x04, d), Encoding::Binary);
    for dc in [0x05, 0x06, 0x07, 0x0E] {
        assert_eq!(
            Encoding::from_data_coding(dc, d),
            Encoding::Binary,
            "{dc:#x}"
        );
    }
    assert_eq!(Encoding::from_data_coding(0x08, d), Encoding::Ucs2);
    // General data coding group: 0x10 GSM with class, 0x14 8-bit, 0x18 UCS2,
    // 0x30 compressed GSM.
    assert_eq!(Encoding::from_data_coding(0x10, d), Encoding::Gsm7);
    assert_eq!(
        Encoding::from_data_coding(0x11, Encoding::Gsm7Packed),
        Encoding::Gsm7Packed
    );
    assert_eq!(
        Encoding::from_data_coding(0x10, Encoding::Latin1),
        Encoding::Gsm7
    );
    assert_eq!(Encoding::from_data_coding(0x15, d), Encoding::Binary);
    assert_eq!(Encoding::from_data_coding(0x19, d), Encoding::Ucs2);
    assert_eq!(Encoding::from_data_coding(0x1C, d), Encoding::Binary);
    assert_eq!(Encoding::from_data_coding(0x30, d), Encoding::Binary);
    assert_eq!(Encoding::from_data_coding(0x48, d), Encoding::Ucs2);
    assert_eq!(Encoding::from_data_coding(0x90, d), Encoding::Binary);
    assert_eq!(Encoding::from_data_coding(0xC0, d), Encoding::Gsm7);
    assert_eq!(Encoding::from_data_coding(0xD8, d), Encoding::Gsm7);
    assert_eq!(Encoding::from_data_coding(0xE0, d), Encoding::Ucs2);
    assert_eq!(Encoding::from_data_coding(0xF0, d), Encoding::Gsm7);
    assert_eq!(Encoding::from_data_coding(0xF4, d), Encoding::Binary);
    assert_eq!(Encoding::from_data_coding(0xF7, d), Encoding::Binary);
}

#[test]
fn choose_encoding_picks_cheapest() {
    assert_eq!(choose_encoding("Hello {world} €5"), Encoding::Gsm7);
    assert_eq!(choose_encoding(""), Encoding::Gsm7);
    assert_eq!(choose_encoding("Привет"), Encoding::Ucs2);
    assert_eq!(choose_encoding("ça"), Encoding::Ucs2); // only 'Ç' is in 03.38
    assert_eq!(gsm7_len("{}"), Some(4));
}

fn seg(text: &str, e: Encoding, m: SegmentMethod) -> Vec<esme::text::Segment> {
    segment_text(text, e, m, 0x1234, 255).unwrap()
}

#[test]
fn gsm_single_and_two_parts() {
    let s = seg(&"a".repeat(160), Encoding::Gsm7, SegmentMethod::Udh8);
    assert_eq!(s.len(), 1);
    assert!(!s[0].udhi);
    assert!(s[0].sar.is_none());
    assert_eq!(s[0].short_message.len(), 160);

    let s = seg(&"a".repeat(161), Encoding::Gsm7, SegmentMethod::Udh8);
    assert_eq!(s.len(), 2);
    assert!(s.iter().all(|p| p.udhi));
    assert_eq!(s[0].short_message[..6], [0x05, 0x00, 0x03, 0x34, 2, 1]);
    assert_eq!(s[1].short_message[..6], [0x05, 0x00, 0x03, 0x34, 2, 2]);
    assert_eq!(s[0].short_message.len(), 6 + 153);
    assert_eq!(s[1].short_message.len(), 6 + 8);

    let s = seg(&"a".repeat(161), Encoding::Gsm7, SegmentMethod::Udh16);
    assert_eq!(
        s[0].short_message[..7],
        [0x06, 0x08, 0x04, 0x12, 0x34, 2, 1]
    );
    assert_eq!(s[0].short_message.len(), 7 + 152);
    assert_eq!(s[1].short_message.len(), 7 + 9);
}

#[test]
fn gsm_multi_part_boundaries() {
    let n = |len: usize, m| seg(&"a".repeat(len), Encoding::Gsm7, m).len();
    assert_eq!(n(153 * 2, SegmentMethod::Udh8), 2);
    assert_eq!(n(153 * 2 + 1, SegmentMethod::Udh8), 3);
    assert_eq!(n(152 * 2, SegmentMethod::Udh16), 2);
    assert_eq!(n(152 * 2 + 1, SegmentMethod::Udh16), 3);
    assert_eq!(n(152 * 2, SegmentMethod::Sar), 2);
    assert_eq!(n(152 * 2 + 1, SegmentMethod::Sar), 3);
    assert_eq!(n(153 * 255, SegmentMethod::Udh8), 255);
    assert_eq!(n(160, SegmentMethod::Payload), 1);
    // IA5 counts like GSM septets.
    assert_eq!(
        seg(&"a".repeat(160), Encoding::Ascii, SegmentMethod::Udh8).len(),
        1
    );
    assert_eq!(
        seg(&"a".repeat(306), Encoding::Ascii, SegmentMethod::Udh8).len(),
        2
    );
}

#[test]
fn sar_segments() {
    let s = seg(&"a".repeat(200), Encoding::Gsm7, SegmentMethod::Sar);
    assert_eq!(s.len(), 2);
    assert!(!s[0].udhi);
    assert_eq!(s[0].short_message, vec![0x61; 152]);
    assert_eq!(
        s[1].sar,
        Some(Sar {
            ref_num: 0x1234,
            total: 2,
            seqnum: 2
        })
    );
}

#[test]
fn escape_pair_never_split() {
    // 152 'a' then '€': the pair would straddle septets 153/154.
    let text = format!("{}€{}", "a".repeat(152), "b".repeat(10));
    let s = seg(&text, Encoding::Gsm7, SegmentMethod::Udh8);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].short_message.len(), 6 + 152);
    assert_eq!(s[1].short_message[6..8], [0x1B, 0x65]);
    assert_eq!(
        gsm::decode_unpacked(&s[1].short_message[6..]).unwrap(),
        format!("€{}", "b".repeat(10))
    );
    // Same with a 16-bit UDH (limit 152): 151 'a' then '€'.
    let text = format!("{}€{}", "a".repeat(151), "b".repeat(10));
    let s = seg(&text, Encoding::Gsm7, SegmentMethod::Udh16);
    assert_eq!(s[0].short_message.len(), 7 + 151);
}

#[test]
fn surrogate_pair_never_split() {
    let n = |len: usize, m| seg(&"ж".repeat(len), Encoding::Ucs2, m).len();
    assert_eq!(n(70, SegmentMethod::Udh8), 1);
    assert_eq!(n(71, SegmentMethod::Udh8), 2);
    assert_eq!(n(134, SegmentMethod::Udh8), 2);
    assert_eq!(n(135, SegmentMethod::Udh8), 3);
    assert_eq!(n(132, SegmentMethod::Udh16), 2);
    assert_eq!(n(133, SegmentMethod::Udh16), 3);
    let s = seg(&"ж".repeat(71), Encoding::Ucs2, SegmentMethod::Udh8);
    assert_eq!(s[0].short_message.len(), 6 + 134);
    // 66 units then an emoji (2 units): it cannot fit in 67.
    let text = format!("{}😀{}", "a".repeat(66), "b".repeat(10));
    let s = seg(&text, Encoding::Ucs2, SegmentMethod::Udh8);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].short_message.len(), 6 + 132);
    assert_eq!(s[1].short_message[6..10], [0xD8, 0x3D, 0xDE, 0x00]);
    // 35 emoji = 70 units fit a single message.
    assert_eq!(
        seg(&"😀".repeat(35), Encoding::Ucs2, SegmentMethod::Udh8).len(),
        1
    );
    assert_eq!(
        seg(&"😀".repeat(36), Encoding::Ucs2, SegmentMethod::Udh8).len(),
        2
    );
}

#[test]
fn latin1_and_binary_sizes() {
    let s = seg(&"é".repeat(140), Encoding::Latin1, SegmentMethod::Udh8);
    assert_eq!(s.len(), 1);
    let s = seg(&"é".repeat(141), Encoding::Latin1, SegmentMethod::Udh8);
    assert_eq!(s[0].short_message.len(), 6 + 134);
    let s = seg(&"é".repeat(141), Encoding::Latin1, SegmentMethod::Sar);
    assert_eq!(s[0].short_message.len(), 133);
    assert_eq!(s[1].short_message.len(), 8);

    let data: Vec<u8> = (0..=255u8).cycle().take(400).collect();
    assert_eq!(
        segment_bytes(&data[..140], SegmentMethod::Udh8, 1, 255)
            .unwrap()
            .len(),
        1
    );
    let s = segment_bytes(&data, SegmentMethod::Udh16, 1, 255).unwrap();
    assert_eq!(s.len(), 4);
    let joined: Vec<u8> = s
        .iter()
        .flat_map(|p| p.short_message[7..].to_vec())
        .collect();
    assert_eq!(joined, data);
    assert_eq!(
        segment_text("x", Encoding::Binary, SegmentMethod::Udh8, 1, 255).unwrap_err(),
        TextError::BinaryNotText { data_coding: 4 }
    );
}

#[test]
fn packed_gsm_single_and_udh_alignment() {
    let s = seg(&"a".repeat(160), Encoding::Gsm7Packed, SegmentMethod::Udh8);
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].short_message.len(), 140);

    let text: String = "The quick brown fox {jumps} over the lazy dog € 0123456789 "
        .chars()
        .cycle()
        .take(500)
        .collect();
    for (method, udh, fill) in [(SegmentMethod::Udh8, 6, 1), (SegmentMethod::Udh16, 7, 0)] {
        let s = seg(&text, Encoding::Gsm7Packed, method);
        let mut joined = String::new();
        for p in &s {
            assert!(p.short_message.len() <= 140);
            joined += &gsm::decode_packed(&p.short_message[udh..], fill).unwrap();
        }
        assert_eq!(joined, text, "{method:?}");
        assert_eq!(
            s.len(),
            count_segments(&text, Encoding::Gsm7Packed, method).unwrap()
        );
    }
    // 153 septets after an 8-bit UDH fill exactly 140 octets.
    let s = seg(&"a".repeat(161), Encoding::Gsm7Packed, SegmentMethod::Udh8);
    assert_eq!(s[0].short_message.len(), 140);
    assert_eq!(s[0].short_message[6] & 1, 0, "fill bit is zero");
    let s = seg(&"a".repeat(161), Encoding::Gsm7Packed, SegmentMethod::Udh16);
    assert_eq!(s[0].short_message.len(), 140);
    let s = seg(&"a".repeat(161), Encoding::Gsm7Packed, SegmentMethod::Sar);
    assert_eq!(s[0].short_message.len(), 133);
}

#[test]
fn packed_trailing_cr_in_the_middle_is_not_doubled() {
    // 151 'a' + CR = 152 septets would end exactly on an octet boundary
    // with a 16-bit UDH: the CR must move to the next part.
    let text = format!("{}\r{}", "a".repeat(151), "b".repeat(20));
    let s = seg(&text, Encoding::Gsm7Packed, SegmentMethod::Udh16);
    let joined: String = s
        .iter()
        .map(|p| gsm::decode_packed(&p.short_message[7..], 0).unwrap())
        .collect();
    assert_eq!(joined, text);
    // A single packed message of 159 septets + CR would need a padding CR
    // (161 septets): it no longer fits one message.
    let text = format!("{}\r", "a".repeat(159));
    assert_eq!(
        count_segments(&text, Encoding::Gsm7Packed, SegmentMethod::Udh8).unwrap(),
        2
    );
    assert_eq!(
        count_segments(&text, Encoding::Gsm7, SegmentMethod::Udh8).unwrap(),
        1
    );
}

#[test]
fn max_segments_and_payload_limits() {
    let text = "a".repeat(1000);
    let e = segment_text(&text, Encoding::Gsm7, SegmentMethod::Udh8, 1, 3).unwrap_err();
    assert_eq!(e, TextError::TooManySegments { needed: 7, max: 3 });
    assert_eq!(
        e.to_string(),
        "text needs 7 segments but x-smpp-sar-max-segments is 3"
    );
    for bad in [0, 1] {
        let e = segment_text("a", Encoding::Gsm7, SegmentMethod::Udh8, 1, bad).unwrap_err();
        assert_eq!(e, TextError::InvalidMaxSegments(bad));
        assert!(e.to_string().contains("x-smpp-sar-max-segments"));
        assert!(e.to_string().contains(&format!("got {bad}")));
    }
    let e = segment_text(
        &"a".repeat(153 * 256),
        Encoding::Gsm7,
        SegmentMethod::Udh8,
        1,
        255,
    )
    .unwrap_err();
    assert_eq!(
        e,
        TextError::TooManySegments {
            needed: 256,
            max: 255
        }
    );

    let s = segment_text(&text, Encoding::Gsm7, SegmentMethod::Payload, 1, 2).unwrap();
    assert_eq!(s.len(), 1);
    assert!(s[0].short_message.is_empty());
    assert!(!s[0].udhi);
    assert_eq!(s[0].message_payload.as_deref(), Some(&[0x61; 1000][..]));
    let s = segment_text(&text, Encoding::Gsm7Packed, SegmentMethod::Payload, 1, 2).unwrap();
    assert_eq!(s[0].message_payload.as_ref().map(Vec::len), Some(875));
    let s = segment_text("short", Encoding::Gsm7, SegmentMethod::Payload, 1, 2).unwrap();
    assert_eq!(s[0].short_message, b"\x73\x68\x6F\x72\x74");
    assert!(s[0].message_payload.is_none());

    let e = segment_text(
        &"a".repeat(32768),
        Encoding::Ucs2,
        SegmentMethod::Payload,
        1,
        2,
    )
    .unwrap_err();
    assert_eq!(e, TextError::PayloadTooLarge(65536));
    assert_eq!(
        count_segments(&"a".repeat(65536), Encoding::Gsm7, SegmentMethod::Payload).unwrap_err(),
        TextError::PayloadTooLarge(65536)
    );
    assert_eq!(
        count_segments(
            &"a".repeat(65536),
            Encoding::Gsm7Packed,
            SegmentMethod::Payload
        )
        .unwrap(),
        1
    );
}

#[test]
fn empty_text_is_one_empty_segment() {
    for e in ALL_ENCODINGS {
        for m in ALL_METHODS {
            let s = segment_text("", e, m, 7, 2).unwrap();
            assert_eq!(s.len(), 1);
            assert!(s[0].short_message.is_empty());
            assert!(!s[0].udhi && s[0].sar.is_none() && s[0].message_payload.is_none());
        }
    }
}

#[test]
fn count_segments_matches_segment_text() {
    let pieces = ["a", "€", "\r", "{", "b"];
    for e in ALL_ENCODINGS {
        for m in ALL_METHODS {
            let mut text = String::new();
            for i in 0..700 {
                let expected = count_segments(&text, e, m).unwrap();
                let got = segment_text(&text, e, m, 9, 255).unwrap().len();
                assert_eq!(expected, got, "{e:?} {m:?} len {i}");
                // Mix in extension chars and CRs; '€' is not ASCII/Latin-1.
                let p = pieces[(i * 7) % pieces.len()];
                let ok = match e {
                    Encoding::Ascii | Encoding::Latin1 => p != "€",
                    _ => true,
                };
                text.push_str(if ok { p } else { "c" });
            }
        }
    }
}
