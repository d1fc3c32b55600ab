//! Golden vectors encoded by an independent implementation (node-smpp, see
//! tests/interop/gen-golden.js; tests/interop/check-golden.sh proves the file is what
//! node-smpp produces). Each must decode and re-encode byte for byte.

use esme::pdu::{Body, CommandStatus, Pdu, Tag, TlvList};

fn vectors() -> Vec<(String, Vec<u8>)> {
    let text = include_str!("golden/node-smpp.txt");
    let mut v = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let (name, hex) = line.split_once('\t').expect("name<TAB>hex");
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect();
        v.push((name.to_string(), bytes));
    }
    v
}

#[test]
fn node_smpp_vectors_decode_and_reencode_identically() {
    let v = vectors();
    assert!(v.len() >= 70, "only {} vectors", v.len());
    for (name, bytes) in &v {
        let pdu = Pdu::decode(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let again = pdu.to_bytes().unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(&again, bytes, "{name}: re-encoding differs");
        assert!(
            name.starts_with(pdu.command_id().name()),
            "{name} decoded as {}",
            pdu.command_id().name()
        );
    }
}

#[test]
fn node_smpp_vectors_carry_the_values_node_smpp_was_given() {
    let v = vectors();
    let get = |n: &str| {
        let (_, b) = v
            .iter()
            .find(|(name, _)| name == n)
            .unwrap_or_else(|| panic!("no vector {n}"));
        Pdu::decode(b).unwrap()
    };
    let p = get("submit_sm_resp_throttled");
    assert_eq!(p.command_status, CommandStatus::Throttled);
    let p = get("deliver_sm_receipt");
    let Body::DeliverSm(d) = &p.body else {
        panic!("{p:?}")
    };
    assert_eq!(d.esm_class, 0x04);
    assert!(d.tlvs.get_str(Tag::ReceiptedMessageId).is_some());
    assert_eq!(d.tlvs.get_u8(Tag::MessageState), Some(2));
    let p = get("bind_transceiver_resp_sc_iv");
    let Body::BindTransceiverResp(b) = &p.body else {
        panic!("{p:?}")
    };
    assert_eq!(b.tlvs.get_u8(Tag::ScInterfaceVersion), Some(0x34));
    let p = get("enquire_link_seq_max");
    assert_eq!(p.sequence_number, 0x7FFF_FFFF);
}
