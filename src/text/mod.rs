//! Text layer: character sets, segmentation and reassembly.
//!
//! * [`Encoding`](crate::text::Encoding), [`encode`](crate::text::encode),
//!   [`decode`](crate::text::decode), [`choose_encoding`](crate::text::choose_encoding):
//!   GSM 03.38 (unpacked and packed), IA5/ASCII, Latin-1, UCS-2 (UTF-16BE) and binary, and
//!   the mapping from SMPP `data_coding` values.
//! * [`segment_text`](crate::text::segment_text),
//!   [`segment_bytes`](crate::text::segment_bytes),
//!   [`count_segments`](crate::text::count_segments): split a message into concatenated
//!   parts (8- or 16-bit UDH, SAR TLVs or `message_payload`).
//! * [`Reassembler`](crate::text::Reassembler): sans-IO reassembly of inbound concatenated
//!   messages.
//! * [`SubmitSm::set_segment`](crate::pdu::SubmitSm::set_segment) and the
//!   `inbound_part` methods of [`SubmitSm`](crate::pdu::SubmitSm) and
//!   [`DataSm`](crate::pdu::DataSm): a segment into a submit_sm, a
//!   deliver_sm or data_sm into a part for the reassembler.
//!
//! `text` builds on `pdu` (in `pdu_fields.rs` only) and on nothing else of
//! the crate; `pdu` knows nothing of text. The files, each using only files
//! listed before it (`tests/layers.rs` keeps it so; this file only declares
//! and re-exports): `error.rs`; `charset.rs` and `gsm.rs` (the codecs);
//! `encoding.rs` (`Encoding`, whole-text encode and decode);
//! `segment.rs`; `reassembly.rs`; `pdu_fields.rs`.

pub mod charset;
mod encoding;
mod error;
pub mod gsm;
mod pdu_fields;
mod reassembly;
mod segment;

pub use encoding::{choose_encoding, decode, encode, Encoding};
pub use error::TextError;
pub use gsm::gsm7_len;
pub use reassembly::{
    udh_concat, InboundPart, Incomplete, IncompleteReason, InformationElement, Reassembled,
    Reassembler, DEFAULT_MAX_PENDING,
};
pub use segment::{count_segments, segment_bytes, segment_text, Sar, Segment, SegmentMethod};
