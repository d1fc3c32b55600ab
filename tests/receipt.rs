//! Delivery receipt parsing: real-world variants, id matching, TLV precedence, properties.

use esme::pdu::types::MessageState;
use esme::receipt::{
    from_deliver, ids_match, parse, parse_bytes, DeliveryReceipt, ReceiptDate, ReceiptError,
};
use proptest::prelude::*;

fn date(y: u16, mo: u8, d: u8, h: u8, mi: u8, s: u8) -> ReceiptDate {
    ReceiptDate::new(y, mo, d, h, mi, s).expect("valid test date")
}

fn ok(text: &str) -> DeliveryReceipt {
    match parse(text) {
        Ok(r) => r,
        Err(e) => panic!("{text:?} should parse: {e}"),
    }
}

/// A parsed receipt re-emits as it was parsed.
fn assert_stable(r: &DeliveryReceipt) {
    assert_eq!(
        parse(&r.format()).as_ref(),
        Ok(r),
        "format: {:?}",
        r.format()
    );
}

#[test]
fn canonical() {
    let text = "id:0123456789 sub:001 dlvr:001 submit date:2301151230 done date:2301151231 \
                stat:DELIVRD err:000 text:Hello world";
    let r = ok(text);
    assert_eq!(r.id, "0123456789");
    assert_eq!((r.submitted, r.delivered), (Some(1), Some(1)));
    assert_eq!(r.submitted_raw.as_deref(), Some("001"));
    assert_eq!(r.delivered_raw.as_deref(), Some("001"));
    assert_eq!(r.submit_date, Some(date(2023, 1, 15, 12, 30, 0)));
    assert_eq!(r.submit_date_raw.as_deref(), Some("2301151230"));
    assert_eq!(r.done_date, Some(date(2023, 1, 15, 12, 31, 0)));
    assert_eq!(r.state, MessageState::Delivered);
    assert_eq!(r.stat_raw.as_deref(), Some("DELIVRD"));
    assert_eq!(r.err.as_deref(), Some("000"));
    assert_eq!(r.err_code, Some(0));
    assert_eq!(r.text.as_deref(), Some("Hello world"));
    assert!(r.extra.is_empty());
    assert_eq!(r.network_error, None);
    assert!(r.is_final());
    assert_eq!(r.format(), text);
}

#[test]
fn kannel_like_dlvrd_and_capital_text() {
    let r = ok(
        "id:c449ab9744f47b6af1879e49e75e4f40 sub:001 dlvrd:0 submit date:0610191018 \
                done date:0610191018 stat:ACCEPTD err:0 Text:This is an Acti",
    );
    assert_eq!(r.id, "c449ab9744f47b6af1879e49e75e4f40");
    assert_eq!(r.delivered, Some(0));
    assert_eq!(r.delivered_raw.as_deref(), Some("0"));
    assert_eq!(r.state, MessageState::Accepted);
    assert!(!r.is_final());
    assert_eq!(r.err_code, Some(0));
    assert_eq!(r.text.as_deref(), Some("This is an Acti"));
    assert_stable(&r);
}

#[test]
fn uppercase_keys_and_any_order() {
    let r = ok("STAT:undeliv ERR:069 ID:AbC123 DONE DATE:2312312359 SUB:001 DLVR:000");
    assert_eq!(r.id, "AbC123");
    assert_eq!(r.state, MessageState::Undeliverable);
    assert_eq!(r.stat_raw.as_deref(), Some("undeliv"));
    assert_eq!(r.err_code, Some(69));
    assert_eq!(r.done_date, Some(date(2023, 12, 31, 23, 59, 0)));
    assert_eq!(r.submit_date, None);
    assert_eq!(r.text, None);
    assert_stable(&r);
}

#[test]
fn twelve_digit_dates() {
    let r = ok("id:42 submit date:240229235958 done date:240301000001 stat:DELIVERED");
    assert_eq!(r.submit_date, Some(date(2024, 2, 29, 23, 59, 58)));
    assert_eq!(r.done_date, Some(date(2024, 3, 1, 0, 0, 1)));
    assert_eq!(r.state, MessageState::Delivered);
    assert_stable(&r);
}

#[test]
fn invalid_dates_keep_raw_without_failing() {
    let r = ok("id:1 submit date:2313011200 done date:23/01/01 12:00 stat:EXPIRED");
    assert_eq!(r.submit_date, None);
    assert_eq!(r.submit_date_raw.as_deref(), Some("2313011200"));
    assert_eq!(r.done_date, None);
    assert_eq!(r.done_date_raw.as_deref(), Some("23/01/01 12:00"));
    assert_eq!(r.state, MessageState::Expired);
    assert_stable(&r);
}

#[test]
fn missing_sub_dlvr_and_multiple_spaces() {
    let r = ok(
        "  id:77    submit date:2301010000\t done  date:2301010001   stat:REJECTD  err:  \
                text:x",
    );
    assert_eq!(r.id, "77");
    assert_eq!((r.submitted, r.submitted_raw.as_deref()), (None, None));
    assert_eq!((r.delivered, r.delivered_raw.as_deref()), (None, None));
    assert_eq!(r.submit_date, Some(date(2023, 1, 1, 0, 0, 0)));
    assert_eq!(r.done_date, Some(date(2023, 1, 1, 0, 1, 0)));
    assert_eq!(r.state, MessageState::Rejected);
    assert_eq!(r.err.as_deref(), Some(""));
    assert_eq!(r.err_code, None);
    assert_eq!(r.text.as_deref(), Some("x"));
    assert_stable(&r);
}

#[test]
fn underscore_and_dash_date_keys() {
    let r = ok("id:9 sub:1 dlvr:1 submit_date:2205050505 Done-Date:2205050506 stat:DELETED");
    assert_eq!(r.submit_date, Some(date(2022, 5, 5, 5, 5, 0)));
    assert_eq!(r.done_date, Some(date(2022, 5, 5, 5, 6, 0)));
    assert_eq!(r.state, MessageState::Deleted);
    assert!(r.extra.is_empty());
    assert_stable(&r);
}

#[test]
fn text_with_colons_and_spaces_is_kept_exactly() {
    let r = ok("id:5 stat:DELIVRD err:000 text:Meet at 10:30  id:fake stat:EXPIRED ");
    assert_eq!(r.id, "5");
    assert_eq!(r.state, MessageState::Delivered);
    assert_eq!(
        r.text.as_deref(),
        Some("Meet at 10:30  id:fake stat:EXPIRED ")
    );
    assert_stable(&r);
}

#[test]
fn extra_vendor_fields_and_repeated_keys_kept_in_order() {
    let r = ok("id:1 Vendor:xyz stat:ENROUTE mccmnc:23415 stat:DELIVRD err:0 text:");
    assert_eq!(r.state, MessageState::Enroute);
    assert_eq!(
        r.extra,
        vec![
            ("Vendor".to_owned(), "xyz".to_owned()),
            ("mccmnc".to_owned(), "23415".to_owned()),
            ("stat".to_owned(), "DELIVRD".to_owned()),
        ]
    );
    assert!(!r.is_final());
    assert_stable(&r);
}

#[test]
fn empty_text_field_vs_absent() {
    assert_eq!(ok("id:1 stat:DELIVRD text:").text.as_deref(), Some(""));
    assert_eq!(ok("id:1 stat:DELIVRD").text, None);
}

#[test]
fn space_after_colon_and_leading_words() {
    let r = ok("DLR id: 123 sub: 001 stat: DELIVRD");
    assert_eq!(r.id, "123");
    assert_eq!(r.submitted, Some(1));
    assert_eq!(r.state, MessageState::Delivered);
}

#[test]
fn unknown_stat_and_non_numeric_err() {
    let r = ok("id:x stat:BLOCKED err:0x1F");
    assert_eq!(r.state, MessageState::Other(0));
    assert_eq!(r.stat_raw.as_deref(), Some("BLOCKED"));
    assert!(!r.is_final());
    assert_eq!(r.err.as_deref(), Some("0x1F"));
    assert_eq!(r.err_code, None);
    let r = ok("id:x stat:UNKNOWN err:99999999999");
    assert!(r.is_final());
    assert_eq!(r.err_code, None, "overflowing u32 is not a code");
    assert_stable(&r);
}

#[test]
fn only_stat_is_enough_and_id_is_empty() {
    let r = ok("stat:EXPIRED err:001");
    assert_eq!(r.id, "");
    assert_eq!(r.state, MessageState::Expired);
    assert_stable(&r);
}

#[test]
fn garbage_is_an_error_naming_why() {
    let e = parse("Hello, your code is 1234").unwrap_err();
    assert_eq!(
        e,
        ReceiptError::NotAReceipt {
            preview: "*****, **** **** ** ****".to_owned()
        }
    );
    // The text may be a message: its letters and digits are not repeated in the error.
    assert_eq!(
        e.to_string(),
        "not a delivery receipt: no `id:` or `stat:` field in \"*****, **** **** ** ****\""
    );
    let e = parse("sub:001 dlvr:001 date:2611261015 text:Card 4111").unwrap_err();
    assert_eq!(
        e.to_string(),
        "not a delivery receipt: no `id:` or `stat:` field in \"sub:*** dlvr:*** date:********** text:**\""
    );
    assert_eq!(parse("  \r\n").unwrap_err(), ReceiptError::Empty);
    assert_eq!(parse_bytes(b"\0\0").unwrap_err(), ReceiptError::Empty);
    // A long multi-line input gives a short, one-line message.
    let long = format!("sub:001\n{}", "x".repeat(500));
    let msg = parse(&long).unwrap_err().to_string();
    assert!(!msg.contains('\n') && msg.len() < 120, "{msg}");
    // `id` inside text does not count.
    assert!(parse("text:id:1 stat:DELIVRD").is_err());
}

#[test]
fn bytes_are_latin1_and_nul_padding_dropped() {
    let mut b = b"id:7 stat:DELIVRD text:caf\xe9 \xff".to_vec();
    b.extend_from_slice(&[0, 0]);
    let r = parse_bytes(&b).unwrap();
    assert_eq!(r.id, "7");
    assert_eq!(r.text.as_deref(), Some("caf\u{e9} \u{ff}"));
}

#[test]
fn hex_id_in_resp_decimal_in_receipt() {
    let r = ok("id:6699 sub:001 dlvr:001 stat:DELIVRD err:000");
    assert!(ids_match("1A2B", &r.id));
    assert!(ids_match("1a2b", &r.id));
    assert!(!ids_match("1A2C", &r.id));
}

#[test]
fn ids_match_rules() {
    // Literal, and case-insensitive for hex-looking ids.
    assert!(ids_match("abc-123", "abc-123"));
    assert!(!ids_match("abc-123", "ABC-123"));
    assert!(ids_match(
        "c449ab9744f47b6af1879e49e75e4f40",
        "C449AB9744F47B6AF1879E49E75E4F40"
    ));
    // Zero padding.
    assert!(ids_match("12345", "0000012345"));
    assert!(ids_match("00ab", "AB"));
    // Cross-base, both directions, leading zeros fine.
    assert!(ids_match("6699", "1A2B"));
    assert!(ids_match("00001A2B", "0006699"));
    assert!(ids_match("FFFFFFFFFFFFFFFF", "18446744073709551615"));
    // Not matching.
    assert!(!ids_match("", ""));
    assert!(!ids_match("1", ""));
    assert!(!ids_match("+1A", "26"));
    assert!(!ids_match("0x1A", "26"));
    assert!(!ids_match("1A2B", "6698"));
    assert!(!ids_match("10000000000000000", "18446744073709551616"));
    // Documented ambiguity of the cross-base rule.
    assert!(ids_match("10", "16"));
}

#[test]
fn tlvs_win_over_text() {
    let sm = b"id:6699 sub:001 dlvr:001 submit date:2301010000 done date:2301010001 \
               stat:DELIVRD err:000 text:hi";
    let r = from_deliver(
        sm,
        Some("1A2B\0"),
        Some(MessageState::Undeliverable),
        Some((1, 34)),
    )
    .unwrap();
    assert_eq!(r.id, "1A2B");
    assert_eq!(r.state, MessageState::Undeliverable);
    assert_eq!(r.stat_raw.as_deref(), Some("DELIVRD"));
    assert_eq!(r.network_error, Some((1, 34)));
    assert_eq!(r.done_date, Some(date(2023, 1, 1, 0, 1, 0)));
    assert_eq!(r.text.as_deref(), Some("hi"));
    // The text form follows the authoritative state.
    assert!(r.format().contains("stat:UNDELIV"), "{}", r.format());

    // No TLVs: the text alone; an empty id TLV is ignored.
    let r = from_deliver(sm, Some(""), None, None).unwrap();
    assert_eq!((r.id.as_str(), r.state), ("6699", MessageState::Delivered));
}

#[test]
fn tlvs_alone_when_text_is_not_a_receipt() {
    let r = from_deliver(b"", Some("abc"), Some(MessageState::Expired), None).unwrap();
    assert_eq!(r, {
        let mut want = DeliveryReceipt::new("abc", MessageState::Expired);
        want.stat_raw = None;
        want
    });
    let r = from_deliver(
        b"garbage",
        Some("abc"),
        Some(MessageState::Delivered),
        Some((3, 0)),
    )
    .unwrap();
    assert_eq!(r.id, "abc");
    assert_eq!(r.network_error, Some((3, 0)));
    assert_eq!(
        from_deliver(b"garbage", Some("abc"), None, None).unwrap_err(),
        ReceiptError::NotAReceipt {
            preview: "*******".to_owned()
        }
    );
    assert_eq!(
        from_deliver(b"", None, Some(MessageState::Delivered), None).unwrap_err(),
        ReceiptError::Empty
    );
}

#[test]
fn builder_format_is_canonical() {
    let r = DeliveryReceipt::new("ABC", MessageState::Delivered)
        .with_counts(1, 1)
        .with_dates(date(2023, 1, 2, 3, 4, 0), date(2023, 1, 2, 3, 5, 6))
        .with_err(0)
        .with_text("Hi: there");
    assert_eq!(
        r.format(),
        "id:ABC sub:001 dlvr:001 submit date:2301020304 done date:230102030506 stat:DELIVRD \
         err:000 text:Hi: there"
    );
    assert_eq!(parse(&r.format()), Ok(r));
    assert_eq!(
        DeliveryReceipt::new("", MessageState::Other(9)).format(),
        "id:"
    );
}

#[test]
fn format_prefers_values_over_stale_raw() {
    let mut r = ok("id:1 sub:1 stat:DELIVRD err:5");
    r.submitted = Some(2);
    r.err_code = Some(7);
    r.state = MessageState::Expired;
    assert_eq!(r.format(), "id:1 sub:002 stat:EXPIRED err:007");
}

fn known_state() -> impl Strategy<Value = MessageState> {
    (1u8..=8).prop_map(MessageState::from_u8)
}

fn any_date() -> impl Strategy<Value = ReceiptDate> {
    (
        2000u16..=2099,
        1u8..=12,
        1u8..=31,
        0u8..24,
        0u8..60,
        0u8..60,
    )
        .prop_map(|(y, mo, d, h, mi, s)| {
            ReceiptDate::new(y, mo, d.min(28), h, mi, s).expect("in range")
        })
}

fn is_known_key(k: &str) -> bool {
    let norm: String = k
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    matches!(
        norm.as_str(),
        "id" | "sub"
            | "dlvr"
            | "dlvrd"
            | "submitdate"
            | "donedate"
            | "stat"
            | "state"
            | "err"
            | "error"
            | "text"
    )
}

prop_compose! {
    fn canonical_receipt()(
        id in "[!-~]{0,24}",
        state in known_state(),
        other_stat in proptest::option::of("[A-Z]{1,9}"),
        counts in proptest::option::of((any::<u32>(), any::<u32>())),
        dates in proptest::option::of((any_date(), any_date())),
        err in proptest::option::of(any::<u32>()),
        raw_err in proptest::option::of("[!-~]{1,8}"),
        extra in proptest::collection::vec(
            ("[A-Za-z][A-Za-z0-9_-]{0,8}", "[!-~]{0,12}"), 0..4),
        text in proptest::option::of(any::<String>()),
    ) -> DeliveryReceipt {
        let mut r = DeliveryReceipt::new(id, state);
        // Sometimes an unrecognised stat word, kept raw with state Other(0).
        if let Some(word) = other_stat {
            if !["DELIVRD", "DELIVERED", "EXPIRED", "DELETED", "UNDELIV", "UNDELIVERABLE",
                    "UNDELIVERED", "ACCEPTD", "ACCEPTED", "UNKNOWN", "REJECTD", "REJECTED",
                    "ENROUTE"].contains(&word.as_str())
            {
                r.state = MessageState::Other(0);
                r.stat_raw = Some(word);
            }
        }
        if let Some((s, d)) = counts { r = r.with_counts(s, d); }
        if let Some((s, d)) = dates { r = r.with_dates(s, d); }
        if let Some(code) = err { r = r.with_err(code); }
        if let Some(raw) = raw_err {
            r.err_code = raw.parse().ok().filter(|_| raw.bytes().all(|b| b.is_ascii_digit()));
            r.err = Some(raw);
        }
        r.extra = extra.into_iter().filter(|(k, _)| !is_known_key(k)).collect();
        r.text = text;
        r
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn never_panics_on_strings(s in any::<String>()) {
        let _ = parse(&s);
        if let Ok(r) = parse(&s) {
            let _ = r.format();
            let _ = r.is_final();
        }
    }

    #[test]
    fn never_panics_on_receipt_like_strings(
        s in "((id|ID|sub|dlvr|submit|done|date|stat|err|text|x_y|[a-z]{1,3})[: ]{0,2}[0-9A-Za-z:/ \u{e9}\u{1F600}]{0,12} ?){0,12}"
    ) {
        if let Ok(r) = parse(&s) {
            let _ = r.format();
        }
    }

    #[test]
    fn never_panics_on_bytes(b in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_bytes(&b);
        let _ = from_deliver(&b, Some("1"), Some(MessageState::Delivered), Some((1, 2)))
            .expect("both TLVs always give a receipt");
        let _ = from_deliver(&b, None, None, None);
    }

    #[test]
    fn errors_are_one_line(s in any::<String>()) {
        if let Err(e) = parse(&s) {
            let msg = e.to_string();
            prop_assert!(!msg.contains('\n') && !msg.contains('\r'), "{}", msg);
        }
    }

    #[test]
    fn parse_format_roundtrip(r in canonical_receipt()) {
        let text = r.format();
        prop_assert_eq!(parse(&text), Ok(r), "text: {:?}", text);
    }

    #[test]
    fn ids_match_is_symmetric_and_reflexive(a in "[0-9A-Fa-f]{0,20}", b in "[0-9A-Fa-z]{0,20}") {
        prop_assert_eq!(ids_match(&a, &b), ids_match(&b, &a));
        prop_assert_eq!(ids_match(&a, &a), !a.is_empty());
    }

    #[test]
    fn ids_match_hex_vs_decimal(n in any::<u64>(), pad in 0usize..4) {
        let zeros = "0".repeat(pad);
        let hex = format!("{zeros}{n:X}");
        let dec = format!("{n}");
        prop_assert!(ids_match(&hex, &dec));
        prop_assert!(ids_match(&dec.to_lowercase(), &hex.to_lowercase()));
    }
}
