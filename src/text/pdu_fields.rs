//! Where the text layer meets the PDU layer: a [`Segment`] becomes the fields of a
//! submit_sm, and a deliver_sm / data_sm becomes an [`InboundPart`] for reassembly.
//!
//! The methods are inherent methods of the PDU types ([`SubmitSm::set_segment`],
//! [`SubmitSm::inbound_part`], [`DataSm::inbound_part`]), written here because `pdu` sits
//! below `text` and knows nothing of segments.

use super::reassembly::InboundPart;
use super::segment::{Sar, Segment};
use crate::pdu::{DataSm, SubmitSm, Tag, Tlv, TlvList};

/// The SAR TLVs of a TLV list, when all three are present.
fn sar_of(tlvs: &[Tlv]) -> Option<Sar> {
    Some(Sar {
        ref_num: tlvs.get_u16(Tag::SarMsgRefNum)?,
        total: tlvs.get_u8(Tag::SarTotalSegments)?,
        seqnum: tlvs.get_u8(Tag::SarSegmentSeqnum)?,
    })
}

impl SubmitSm {
    /// Puts one segment into this submit_sm: `short_message` (with its UDH), the UDHI bit of
    /// `esm_class`, the SAR TLVs or `message_payload`. Other fields are left as they are; any
    /// earlier SAR or message_payload TLVs are replaced.
    pub fn set_segment(&mut self, seg: &Segment) {
        self.tlvs.retain(|t| {
            !matches!(
                t.tag(),
                Tag::SarMsgRefNum
                    | Tag::SarTotalSegments
                    | Tag::SarSegmentSeqnum
                    | Tag::MessagePayload
            )
        });
        self.short_message = seg.short_message.clone();
        if seg.udhi {
            self.esm_class |= 0x40;
        } else {
            self.esm_class &= !0x40;
        }
        if let Some(s) = &seg.sar {
            self.tlvs.push(Tlv::sar(Tag::SarMsgRefNum, s.ref_num));
            self.tlvs
                .push(Tlv::sar(Tag::SarTotalSegments, s.total as u16));
            self.tlvs
                .push(Tlv::sar(Tag::SarSegmentSeqnum, s.seqnum as u16));
        }
        if let Some(p) = &seg.message_payload {
            self.tlvs.push(Tlv::payload_unchecked(p.clone()));
        }
    }

    /// This deliver_sm (or submit_sm) as a part for [`Reassembler`](super::Reassembler).
    pub fn inbound_part(&self) -> InboundPart {
        InboundPart {
            source: self.source.addr.clone(),
            destination: self.destination.addr.clone(),
            data_coding: self.data_coding,
            esm_class: self.esm_class,
            short_message: self.short_message.clone(),
            sar: sar_of(&self.tlvs),
            message_payload: self
                .tlvs
                .get_octets(Tag::MessagePayload)
                .map(<[u8]>::to_vec),
        }
    }
}

impl DataSm {
    /// This data_sm as a part for [`Reassembler`](super::Reassembler).
    pub fn inbound_part(&self) -> InboundPart {
        InboundPart {
            source: self.source.addr.clone(),
            destination: self.destination.addr.clone(),
            data_coding: self.data_coding,
            esm_class: self.esm_class,
            short_message: Vec::new(),
            sar: sar_of(&self.tlvs),
            message_payload: self
                .tlvs
                .get_octets(Tag::MessagePayload)
                .map(<[u8]>::to_vec),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::pdu::{Address, Body, Decoded, Decoder, Pdu, SubmitSm, Tag, TlvList};
    use crate::text::{segment_text, Encoding, Reassembler, SegmentMethod};
    use std::time::{Duration, Instant};

    /// Text → segments → submit_sm PDUs on the wire → decoded → reassembled → the same text,
    /// for every method and text encoding.
    #[test]
    fn long_text_survives_the_wire_by_every_method() {
        let texts = [
            ("GSM {with} €scapes ".repeat(20), Encoding::Gsm7),
            ("GSM packed [text] ".repeat(25), Encoding::Gsm7Packed),
            ("Привет, мир! 😀 ".repeat(15), Encoding::Ucs2),
            ("Grüße à tous ".repeat(30), Encoding::Latin1),
        ];
        for (text, enc) in &texts {
            for method in [
                SegmentMethod::Udh8,
                SegmentMethod::Udh16,
                SegmentMethod::Sar,
                SegmentMethod::Payload,
            ] {
                let segs = segment_text(text, *enc, method, 0x1234, 255).unwrap();
                assert!(segs.len() > 1 || method == SegmentMethod::Payload);
                let mut wire = Vec::new();
                for (i, seg) in segs.iter().enumerate() {
                    let mut sm = SubmitSm {
                        source: Address::new(1, 1, "447700900001"),
                        destination: Address::new(1, 1, "447700900002"),
                        data_coding: enc.data_coding(),
                        ..Default::default()
                    };
                    sm.set_segment(seg);
                    Pdu::new(i as u32 + 1, Body::DeliverSm(sm))
                        .encode(&mut wire)
                        .unwrap();
                }
                let mut r = Reassembler::new(Duration::from_secs(60), *enc);
                let now = Instant::now();
                let mut pos = 0;
                let mut done = None;
                while pos < wire.len() {
                    let Decoded::Pdu { pdu, len } =
                        Decoder::default().decode(&wire[pos..]).unwrap()
                    else {
                        panic!("not a whole PDU")
                    };
                    pos += len;
                    let Body::DeliverSm(d) = pdu.body else {
                        panic!()
                    };
                    if let Some(m) = r.push(d.inbound_part(), now).unwrap() {
                        done = Some(m);
                    }
                }
                let m = done.unwrap_or_else(|| panic!("{enc:?} {method:?} never completed"));
                assert_eq!(m.text.as_deref(), Some(text.as_str()), "{enc:?} {method:?}");
                assert_eq!(m.parts as usize, segs.len());
            }
        }
    }

    #[test]
    fn set_segment_replaces_earlier_segment_fields() {
        let segs =
            segment_text(&"x".repeat(400), Encoding::Gsm7, SegmentMethod::Sar, 7, 255).unwrap();
        let mut sm = SubmitSm::default();
        sm.set_segment(&segs[0]);
        sm.set_segment(&segs[1]);
        assert_eq!(sm.tlvs.len(), 3);
        assert_eq!(sm.tlvs.get_u8(Tag::SarSegmentSeqnum), Some(2));
        let segs = segment_text(
            &"x".repeat(400),
            Encoding::Gsm7,
            SegmentMethod::Udh8,
            7,
            255,
        )
        .unwrap();
        sm.set_segment(&segs[0]);
        assert!(sm.tlvs.is_empty());
        assert_eq!(sm.esm_class & 0x40, 0x40);
    }
}
