//! The PDUs the codec benchmarks use, built with each library, and each library's
//! encode / decode calls (shared by `codec.rs` and `codec_count.rs`).

use bytes::{Buf, BufMut, BytesMut};
use esme::pdu::{Address, Body, Decoded, Decoder, MessageState, Pdu, SubmitSm, Tag, Tlv};
use rusmpp::decode::DecodeWithLength;
use rusmpp::encode::Length;
use rusmpp::pdus::{DeliverSm as RDeliverSm, SubmitSm as RSubmitSm};
use rusmpp::tlvs::MessageDeliveryRequestTlvValue;
use rusmpp::types::{COctetString, EmptyOrFullCOctetString, OctetString};
use rusmpp::values::{
    DataCoding, EsmClass, MessageState as RMessageState, Npi, PriorityFlag, RegisteredDelivery,
    ReplaceIfPresentFlag, ServiceType, Ton,
};
use rusmpp::{Command, CommandStatus};

pub const SEQ: u32 = 42;
pub const SOURCE: &str = "12345";
pub const DEST: &str = "31600000000";
pub const SUBMIT_TEXT: &[u8] = b"bench message 0123456789";
pub const RECEIPT_ID: &str = "7d3a0c95-4b1e-4f7a";
pub const RECEIPT_TEXT: &[u8] = b"id:7d3a0c95-4b1e-4f7a sub:001 dlvrd:001 submit date:2611261015 \
done date:2611261016 stat:DELIVRD err:000 text:bench message 0123";

pub fn esme_submit_sm() -> Pdu {
    Pdu::new(
        SEQ,
        Body::SubmitSm(SubmitSm {
            source: Address::new(1, 1, SOURCE),
            destination: Address::new(1, 1, DEST),
            registered_delivery: 1,
            short_message: SUBMIT_TEXT.to_vec(),
            ..SubmitSm::default()
        }),
    )
}

pub fn esme_deliver_sm() -> Pdu {
    Pdu::new(
        SEQ,
        Body::DeliverSm(SubmitSm {
            source: Address::new(1, 1, DEST),
            destination: Address::new(1, 1, SOURCE),
            esm_class: 0x04,
            short_message: RECEIPT_TEXT.to_vec(),
            tlvs: vec![
                Tlv::cstr(Tag::ReceiptedMessageId, RECEIPT_ID).unwrap(),
                Tlv::message_state(MessageState::Delivered),
            ],
            ..SubmitSm::default()
        }),
    )
}

pub fn rusmpp_submit_sm() -> Command {
    let sm = RSubmitSm::builder()
        .service_type(ServiceType::default())
        .source_addr_ton(Ton::International)
        .source_addr_npi(Npi::Isdn)
        .source_addr(COctetString::from_static_slice(b"12345\0").unwrap())
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(COctetString::from_static_slice(b"31600000000\0").unwrap())
        .esm_class(EsmClass::from(0))
        .protocol_id(0)
        .priority_flag(PriorityFlag::from(0))
        .schedule_delivery_time(EmptyOrFullCOctetString::empty())
        .validity_period(EmptyOrFullCOctetString::empty())
        .registered_delivery(RegisteredDelivery::from(1))
        .replace_if_present_flag(ReplaceIfPresentFlag::from(0))
        .data_coding(DataCoding::McSpecific)
        .sm_default_msg_id(0)
        .short_message(OctetString::from_static_slice(SUBMIT_TEXT).unwrap())
        .build();
    Command::new(CommandStatus::EsmeRok, SEQ, sm)
}

pub fn rusmpp_deliver_sm() -> Command {
    let sm = RDeliverSm::builder()
        .service_type(ServiceType::default())
        .source_addr_ton(Ton::International)
        .source_addr_npi(Npi::Isdn)
        .source_addr(COctetString::from_static_slice(b"31600000000\0").unwrap())
        .dest_addr_ton(Ton::International)
        .dest_addr_npi(Npi::Isdn)
        .destination_addr(COctetString::from_static_slice(b"12345\0").unwrap())
        .esm_class(EsmClass::from(0x04))
        .protocol_id(0)
        .priority_flag(PriorityFlag::from(0))
        .schedule_delivery_time(EmptyOrFullCOctetString::empty())
        .validity_period(EmptyOrFullCOctetString::empty())
        .registered_delivery(RegisteredDelivery::from(0))
        .replace_if_present_flag(ReplaceIfPresentFlag::from(0))
        .data_coding(DataCoding::McSpecific)
        .sm_default_msg_id(0)
        .short_message(OctetString::from_static_slice(RECEIPT_TEXT).unwrap())
        .tlvs(vec![
            MessageDeliveryRequestTlvValue::ReceiptedMessageId(
                COctetString::from_vec(format!("{RECEIPT_ID}\0").into_bytes()).unwrap(),
            ),
            MessageDeliveryRequestTlvValue::MessageState(RMessageState::Delivered),
        ])
        .build();
    Command::new(CommandStatus::EsmeRok, SEQ, sm)
}

/// What rusmpp's tokio `CommandCodec::encode` does, without tokio.
pub fn rusmpp_encode(cmd: &Command, dst: &mut BytesMut) {
    let command_length = 4 + cmd.length();
    dst.reserve(command_length);
    dst.put_u32(command_length as u32);
    rusmpp::encode::owned::Encode::encode(cmd, dst);
}

/// What rusmpp's tokio `CommandCodec::decode` does on a buffer holding a whole PDU.
pub fn rusmpp_decode(src: &mut BytesMut) -> Command {
    assert!(src.len() >= 16);
    let command_length = src.get_u32() as usize;
    assert!((16..=64 * 1024).contains(&command_length));
    let pdu_length = command_length - 4;
    assert!(src.len() >= pdu_length);
    Command::decode(src, pdu_length).unwrap().0
}

pub fn esme_decode(decoder: &Decoder, buf: &[u8]) -> Pdu {
    match decoder.decode(buf) {
        Ok(Decoded::Pdu { pdu, .. }) => pdu,
        other => panic!("{other:?}"),
    }
}
