use super::*;

fn addr(ton: u8, npi: u8, a: &str) -> Address {
    Address::new(ton, npi, a)
}

fn sm() -> SubmitSm {
    SubmitSm {
        service_type: "CMT".into(),
        source: addr(5, 0, "Esme"),
        destination: addr(1, 1, "447700900123"),
        esm_class: 0x40,
        protocol_id: 0,
        priority_flag: 1,
        schedule_delivery_time: String::new(),
        validity_period: "000001000000000R".into(),
        registered_delivery: 1,
        replace_if_present_flag: 0,
        data_coding: 8,
        sm_default_msg_id: 0,
        short_message: vec![5, 0, 3, 9, 2, 1, 0, b'h', 0, b'i'],
        tlvs: vec![
            Tlv::u16(Tag::UserMessageReference, 77).unwrap(),
            Tlv::raw(0x1404, vec![1, 2, 3]).unwrap(),
        ],
    }
}

/// One PDU of every SMPP 3.4 command, with non-default fields.
pub(crate) fn samples() -> Vec<Pdu> {
    let bind = Bind {
        system_id: "smppclient1".into(),
        password: "secret08".into(),
        system_type: "VMA".into(),
        interface_version: 0x34,
        address_range: addr(1, 1, "^44"),
    };
    let bind_resp = BindResp {
        system_id: "SMSC".into(),
        tlvs: vec![Tlv::u8(Tag::ScInterfaceVersion, 0x34).unwrap()],
    };
    let mut deliver = sm();
    deliver.esm_class = 0x04;
    deliver.validity_period.clear();
    deliver.short_message = b"id:1 sub:001 dlvr:001 submit date:2611260101 done date:2611260102 stat:DELIVRD err:000 text:hi".to_vec();
    deliver.tlvs = vec![
        Tlv::cstr(Tag::ReceiptedMessageId, "1").unwrap(),
        Tlv::message_state(MessageState::Delivered),
        Tlv::network_error_code(3, 0),
    ];
    let bodies = vec![
        Body::GenericNack,
        Body::BindReceiver(bind.clone()),
        Body::BindReceiverResp(bind_resp.clone()),
        Body::BindTransmitter(bind.clone()),
        Body::BindTransmitterResp(bind_resp.clone()),
        Body::BindTransceiver(bind),
        Body::BindTransceiverResp(bind_resp),
        Body::Outbind(Outbind {
            system_id: "SMSC".into(),
            password: "pw".into(),
        }),
        Body::Unbind,
        Body::UnbindResp,
        Body::EnquireLink,
        Body::EnquireLinkResp,
        Body::SubmitSm(sm()),
        Body::SubmitSmResp(SmResp {
            message_id: "2871-1".into(),
            tlvs: vec![],
        }),
        Body::SubmitMulti(SubmitMulti {
            service_type: String::new(),
            source: addr(1, 1, "100"),
            destinations: vec![
                DestAddress::Sme(addr(1, 1, "200")),
                DestAddress::DistributionList("staff".into()),
            ],
            registered_delivery: 1,
            short_message: b"hello".to_vec(),
            tlvs: vec![Tlv::u16(Tag::SourcePort, 9200).unwrap()],
            ..Default::default()
        }),
        Body::SubmitMultiResp(SubmitMultiResp {
            message_id: "abc".into(),
            unsuccess_smes: vec![UnsuccessSme {
                address: addr(1, 1, "200"),
                error_status_code: CommandStatus::InvDstAdr,
            }],
            tlvs: vec![],
        }),
        Body::DeliverSm(deliver),
        Body::DeliverSmResp(SmResp::default()),
        Body::DataSm(DataSm {
            service_type: "WAP".into(),
            source: addr(1, 1, &"1".repeat(64)),
            destination: addr(1, 1, "2"),
            esm_class: 0,
            registered_delivery: 0,
            data_coding: 4,
            tlvs: vec![Tlv::message_payload(vec![0xAB; 300]).unwrap()],
        }),
        Body::DataSmResp(SmResp {
            message_id: "m1".into(),
            tlvs: vec![Tlv::u8(Tag::DeliveryFailureReason, 2).unwrap()],
        }),
        Body::QuerySm(QuerySm {
            message_id: "m1".into(),
            source: addr(1, 1, "100"),
        }),
        Body::QuerySmResp(QuerySmResp {
            message_id: "m1".into(),
            final_date: "261126101500004+".into(),
            message_state: MessageState::Delivered,
            error_code: 0,
        }),
        Body::CancelSm(CancelSm {
            service_type: String::new(),
            message_id: "m1".into(),
            source: addr(1, 1, "100"),
            destination: addr(1, 1, "200"),
        }),
        Body::CancelSmResp,
        Body::ReplaceSm(ReplaceSm {
            message_id: "m1".into(),
            source: addr(1, 1, "100"),
            schedule_delivery_time: String::new(),
            validity_period: "000002000000000R".into(),
            registered_delivery: 1,
            sm_default_msg_id: 0,
            short_message: b"new text".to_vec(),
        }),
        Body::ReplaceSmResp,
        Body::AlertNotification(AlertNotification {
            source: addr(1, 1, "447700900123"),
            esme: addr(1, 1, "100"),
            tlvs: vec![Tlv::u8(Tag::MsAvailabilityStatus, 0).unwrap()],
        }),
        Body::Unknown {
            command_id: 0x0000_0104,
            body: vec![1, 2, 3],
        },
    ];
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, b)| Pdu::new(i as u32 + 1, b))
        .collect()
}

#[test]
fn every_command_has_a_sample_that_round_trips() {
    let s = samples();
    for &c in CommandId::ALL {
        assert!(
            s.iter().any(|p| p.command_id() == c),
            "no sample for {}",
            c.name()
        );
    }
    for p in s {
        let bytes = p.to_bytes().unwrap();
        assert_eq!(
            bytes.len(),
            u32::from_be_bytes(bytes[..4].try_into().unwrap()) as usize
        );
        let back = Pdu::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", p.command_id().name()));
        assert_eq!(back, p);
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }
}

#[test]
fn known_bytes_of_a_submit_sm() {
    let p = Pdu::new(
        2,
        Body::SubmitSm(SubmitSm {
            source: addr(1, 1, "12"),
            destination: addr(1, 1, "34"),
            short_message: b"hi".to_vec(),
            ..Default::default()
        }),
    );
    let b = p.to_bytes().unwrap();
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    assert_eq!(
        hex,
        "000000270000000400000000000000020001013132000101333400000000000000000000026869"
    );
}

#[test]
fn every_prefix_of_a_stream_decodes_to_the_same_pdus() {
    let pdus = samples();
    let mut stream = Vec::new();
    for p in &pdus {
        p.encode(&mut stream).unwrap();
    }
    let d = Decoder::default();
    // Feed the stream as it would arrive, one more byte each time.
    let mut got = Vec::new();
    let mut start = 0;
    for end in 0..=stream.len() {
        loop {
            match d.decode(&stream[start..end]).unwrap() {
                Decoded::Incomplete { needed } => {
                    assert!(needed > end - start);
                    break;
                }
                Decoded::Pdu { pdu, len } => {
                    got.push(pdu);
                    start += len;
                }
                Decoded::Malformed { error, .. } => panic!("{error}"),
            }
        }
    }
    assert_eq!(start, stream.len());
    assert_eq!(got, pdus);
}

#[test]
fn framing_errors_come_before_any_allocation() {
    let d = Decoder::new(1024);
    let e = d.decode(&[0, 0, 0, 15, 0, 0]).unwrap_err();
    assert_eq!(e.command_length, 15);
    assert!(e.to_string().contains("at least 16"), "{e}");
    let e = d.decode(&[0xFF, 0xFF, 0xFF, 0xFF]).unwrap_err();
    assert!(e.to_string().contains("maximum PDU size 1024"), "{e}");
    assert_eq!(
        d.decode(&[0, 0, 0, 16]).unwrap(),
        Decoded::Incomplete { needed: 16 }
    );
    assert_eq!(
        d.decode(&[0, 0]).unwrap(),
        Decoded::Incomplete { needed: 16 }
    );
    assert_eq!(
        Decoder::default().max_len(),
        Decoder::DEFAULT_MAX_LEN,
        "default maximum is 64 KiB"
    );
}

fn malformed(bytes: &[u8]) -> DecodeError {
    match Decoder::default().decode(bytes).unwrap() {
        Decoded::Malformed { error, len } => {
            assert_eq!(len, bytes.len());
            error
        }
        other => panic!("expected malformed, got {other:?}"),
    }
}

fn with_len(mut b: Vec<u8>) -> Vec<u8> {
    let n = b.len() as u32;
    b[..4].copy_from_slice(&n.to_be_bytes());
    b
}

#[test]
fn field_errors_name_the_pdu_and_field() {
    // destination_addr of 21 characters (max 20 + NUL).
    let mut p = Pdu::new(9, Body::SubmitSm(sm()));
    if let Body::SubmitSm(s) = &mut p.body {
        s.destination.addr = "1".repeat(21);
    }
    let e = p.to_bytes().unwrap_err();
    assert_eq!(e.field, "destination_addr");
    assert_eq!(
        e.to_string(),
        "cannot encode submit_sm: field destination_addr: 21 octets is too long (at most 20 plus the NUL)"
    );
    // The same on the wire.
    let mut b = vec![0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 9];
    b.extend_from_slice(b"\0\x01\x011\0\x01\x01");
    b.extend_from_slice(&[b'2'; 30]);
    b.push(0);
    b.extend_from_slice(&[0; 10]);
    let e = malformed(&with_len(b));
    assert_eq!(e.command_id, CommandId::SubmitSm);
    assert_eq!(e.sequence_number, 9);
    assert_eq!(e.field, "destination_addr");
    assert_eq!(e.status(), CommandStatus::InvDstAdr);
    assert_eq!(
        e.to_string(),
        "malformed submit_sm (sequence 9): field destination_addr: C-Octet string has no NUL terminator within 21 octets (the spec maximum)"
    );
}

#[test]
fn sm_length_and_payload_rules() {
    let mut bytes = Pdu::new(3, Body::SubmitSm(sm())).to_bytes().unwrap();
    // Find sm_length (10) and claim 200.
    let pos = bytes.len() - 10 - 4 - 2 - 4 - 3 - 1;
    assert_eq!(bytes[pos], 10);
    bytes[pos] = 200;
    let e = malformed(&bytes);
    assert_eq!(e.field, "sm_length");
    assert_eq!(e.status(), CommandStatus::InvMsgLen);

    let mut s = sm();
    s.tlvs.push(Tlv::message_payload(b"x".to_vec()).unwrap());
    let e = Pdu::new(1, Body::SubmitSm(s.clone()))
        .to_bytes()
        .unwrap_err();
    assert_eq!(e.problem, Problem::BothPayloads);
    s.short_message = vec![0; 255];
    s.tlvs.clear();
    let e = Pdu::new(1, Body::SubmitSm(s)).to_bytes().unwrap_err();
    assert_eq!(e.field, "short_message");
}

#[test]
fn tlv_errors() {
    let mut b = Pdu::new(4, Body::SubmitSmResp(SmResp::default()))
        .to_bytes()
        .unwrap();
    b.extend_from_slice(&[0x02, 0x0C, 0x00, 0x01, 0x05]); // sar_msg_ref_num of 1 octet
    let e = malformed(&with_len(b.clone()));
    assert_eq!(e.status(), CommandStatus::InvOptParamVal);
    assert!(e
        .to_string()
        .contains("sar_msg_ref_num (0x020C) has length 1, expected exactly 2"));
    b.truncate(b.len() - 5);
    b.extend_from_slice(&[0x14, 0x00, 0x00, 0x09, 0x05]); // cut short
    let e = malformed(&with_len(b));
    assert_eq!(e.problem, Problem::TlvTruncated { tag: 0x1400 });
}

#[test]
fn header_only_pdus_refuse_a_body_and_error_responses_may_omit_theirs() {
    let mut b = Pdu::new(5, Body::EnquireLink).to_bytes().unwrap();
    b.push(0);
    let e = malformed(&with_len(b));
    assert_eq!(e.problem, Problem::Trailing { count: 1 });

    // node-smpp and the spec: an error submit_sm_resp is header-only.
    let p = Pdu::with_status(
        6,
        CommandStatus::Throttled,
        Body::SubmitSmResp(SmResp::default()),
    );
    let b = p.to_bytes().unwrap();
    assert_eq!(b.len(), 16);
    assert_eq!(Pdu::decode(&b).unwrap(), p);
    // Net::SMPP style: an error response with a body decodes too.
    let mut b = b;
    b.push(0);
    assert_eq!(Pdu::decode(&with_len(b)).unwrap(), p);
}

#[test]
fn unknown_commands_are_kept_for_a_generic_nack() {
    let b = with_len(vec![
        0, 0, 0, 0, 0x00, 0x01, 0x02, 0x03, 0, 0, 0, 0, 0, 0, 0, 42, 7,
    ]);
    let p = Pdu::decode(&b).unwrap();
    assert_eq!(p.command_id(), CommandId::Other(0x0001_0203));
    assert_eq!(p.command_id().name(), "unknown");
    assert_eq!(p.to_bytes().unwrap(), b);
    assert_eq!(CommandId::SubmitSm.response(), CommandId::SubmitSmResp);
    assert_eq!(CommandId::Outbind.response(), CommandId::GenericNack);
}

#[test]
fn whole_pdu_decode_reports_incomplete_and_trailing() {
    let b = Pdu::new(1, Body::Unbind).to_bytes().unwrap();
    assert_eq!(
        Pdu::decode(&b[..10]),
        Err(PduError::Incomplete {
            have: 10,
            needed: 16
        })
    );
    let mut two = b.clone();
    two.extend_from_slice(&b);
    assert!(Pdu::decode(&two)
        .unwrap_err()
        .to_string()
        .contains("16 octets after the PDU"));
}

#[test]
fn debug_never_shows_the_password() {
    for p in samples() {
        let d = format!("{p:?}");
        assert!(!d.contains("secret08"), "{d}");
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn cstr(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(1u8..=255, 0..max)
            .prop_map(|v| v.into_iter().map(|b| b as char).collect())
    }

    fn address(max: usize) -> impl Strategy<Value = Address> {
        (any::<u8>(), any::<u8>(), cstr(max)).prop_map(|(t, n, a)| Address::new(t, n, a))
    }

    fn tlvs() -> impl Strategy<Value = Vec<Tlv>> {
        proptest::collection::vec(
            prop_oneof![
                any::<u16>().prop_map(|v| Tlv::u16(Tag::SarMsgRefNum, v).unwrap()),
                any::<u8>().prop_map(|v| Tlv::u8(Tag::SarTotalSegments, v).unwrap()),
                cstr(64).prop_map(|s| Tlv::cstr(Tag::ReceiptedMessageId, &s).unwrap()),
                (
                    0x1400u16..0x3FFF,
                    proptest::collection::vec(any::<u8>(), 0..40)
                )
                    .prop_map(|(t, v)| Tlv::raw(t, v).unwrap()),
            ],
            0..4,
        )
    }

    fn time() -> impl Strategy<Value = String> {
        prop_oneof![
            Just(String::new()),
            (
                0u64..10u64.pow(15),
                prop_oneof![Just('+'), Just('-'), Just('R')]
            )
                .prop_map(|(n, c)| format!("{n:015}{c}"))
        ]
    }

    fn submit() -> impl Strategy<Value = SubmitSm> {
        (
            (cstr(5), address(20), address(20), any::<[u8; 3]>()),
            (time(), time(), any::<[u8; 4]>()),
            proptest::collection::vec(any::<u8>(), 0..=254),
            tlvs(),
        )
            .prop_map(|((st, s, d, a), (sched, val, b), sm, tlvs)| SubmitSm {
                service_type: st,
                source: s,
                destination: d,
                esm_class: a[0],
                protocol_id: a[1],
                priority_flag: a[2],
                schedule_delivery_time: sched,
                validity_period: val,
                registered_delivery: b[0],
                replace_if_present_flag: b[1],
                data_coding: b[2],
                sm_default_msg_id: b[3],
                short_message: sm,
                tlvs,
            })
    }

    proptest! {
        #[test]
        fn submit_and_deliver_round_trip(s in submit(), seq in 1u32..=Pdu::MAX_SEQUENCE, deliver in any::<bool>()) {
            let body = if deliver { Body::DeliverSm(s) } else { Body::SubmitSm(s) };
            let p = Pdu::new(seq, body);
            let b = p.to_bytes().unwrap();
            prop_assert_eq!(Pdu::decode(&b).unwrap(), p);
        }

        #[test]
        fn bind_round_trips(id in cstr(15), pw in cstr(8), st in cstr(12), a in address(40), v in any::<u8>()) {
            let p = Pdu::new(1, Body::BindTransceiver(Bind { system_id: id, password: pw, system_type: st, interface_version: v, address_range: a }));
            prop_assert_eq!(Pdu::decode(&p.to_bytes().unwrap()).unwrap(), p);
        }

        #[test]
        fn submit_multi_round_trips(
            src in address(20),
            dests in proptest::collection::vec(prop_oneof![
                address(20).prop_map(DestAddress::Sme),
                cstr(20).prop_map(DestAddress::DistributionList),
            ], 1..10),
            sm in proptest::collection::vec(any::<u8>(), 0..=254),
            t in tlvs(),
            sched in time(),
        ) {
            let p = Pdu::new(1, Body::SubmitMulti(SubmitMulti {
                source: src, destinations: dests, short_message: sm, tlvs: t,
                schedule_delivery_time: sched, ..Default::default()
            }));
            prop_assert_eq!(Pdu::decode(&p.to_bytes().unwrap()).unwrap(), p);
        }

        #[test]
        fn data_sm_and_responses_round_trip(
            s in address(64), d in address(64), t in tlvs(), id in cstr(64),
            payload in proptest::collection::vec(any::<u8>(), 0..2000),
            status in any::<u32>(), state in any::<u8>(), date in time(),
        ) {
            let mut t2 = t.clone();
            t2.push(Tlv::message_payload(payload).unwrap());
            let pdus = [
                Pdu::new(1, Body::DataSm(DataSm { source: s.clone(), destination: d, tlvs: t2, ..Default::default() })),
                Pdu::with_status(2, CommandStatus::from_u32(status), Body::DataSmResp(SmResp { message_id: id.clone(), tlvs: t.clone() })),
                Pdu::with_status(3, CommandStatus::from_u32(status), Body::SubmitSmResp(SmResp { message_id: id.clone(), tlvs: vec![] })),
                Pdu::new(4, Body::QuerySmResp(QuerySmResp { message_id: id.clone(), final_date: date, message_state: MessageState::from_u8(state), error_code: state })),
                Pdu::new(5, Body::CancelSm(CancelSm { service_type: String::new(), message_id: id, source: Address::new(s.ton, s.npi, s.addr.chars().take(20).collect::<String>()), destination: Address::default() })),
                Pdu::with_status(6, CommandStatus::from_u32(status), Body::BindTransmitterResp(BindResp { system_id: "x".into(), tlvs: t })),
            ];
            for p in pdus {
                let b = p.to_bytes().unwrap();
                prop_assert_eq!(Pdu::decode(&b).unwrap(), p);
            }
        }

        #[test]
        fn decoding_arbitrary_bytes_never_panics(b in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Decoder::default().decode(&b);
            let _ = Pdu::decode(&b);
        }

        #[test]
        fn mutated_valid_pdus_never_panic_and_reencode_when_accepted(i in 0usize..28, pos in any::<usize>(), byte in any::<u8>()) {
            let p = &samples()[i];
            let mut b = p.to_bytes().unwrap();
            let pos = 4 + pos % (b.len() - 4); // keep command_length so the body is exercised
            b[pos] = byte;
            if let Ok(Decoded::Pdu { pdu, .. }) = Decoder::default().decode(&b) {
                // Whatever decodes must encode again.
                pdu.to_bytes().unwrap();
            }
        }
    }
}
