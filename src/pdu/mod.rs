//! SMPP 3.4 PDU codec: sans-IO framing, decoding and encoding of every PDU.
//!
//! ```
//! use esme::pdu::{Body, Decoded, Decoder, Pdu};
//! let bytes = Pdu::new(7, Body::EnquireLink).to_bytes().unwrap();
//! match Decoder::default().decode(&bytes).unwrap() {
//!     Decoded::Pdu { pdu, len } => { assert_eq!(pdu.sequence_number, 7); assert_eq!(len, 16); }
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! `pdu` imports nothing else of the crate. Its files, each using only files listed before it
//! (`tests/layers.rs` keeps it so; this file only declares and re-exports):
//!
//! - `tag.rs` (the TLV tag table), `command.rs` (`command_id`), `status.rs`
//!   (`command_status`), `types.rs` (`message_state`), `redact.rs` (what `Debug` shows of
//!   addresses, texts and octets): leaves;
//! - `error.rs`: framing, decode and encode errors, naming commands, statuses and tags;
//! - `wire.rs`: readers and writers of the SMPP field types;
//! - `tlv.rs`: optional parameters and their typed values;
//! - `body.rs`: the body of every PDU, with its field rules; `debug.rs`: the `Debug` of the
//!   bodies that carry addresses and message octets (masked);
//! - `codec.rs`: a whole PDU (`Body`, `Pdu`), encoding, and the stream `Decoder`;
//! - `describe.rs`: every field as text, for `esme decode` and logs.

mod body;
mod codec;
mod command;
mod debug;
pub mod describe;
mod error;
pub mod redact;
mod status;
mod tag;
pub mod tlv;
pub mod types;
mod wire;

pub use body::{
    Address, AlertNotification, Bind, BindResp, CancelSm, DataSm, DeliverSm, DestAddress, Outbind,
    QuerySm, QuerySmResp, ReplaceSm, SmResp, SubmitMulti, SubmitMultiResp, SubmitSm, UnsuccessSme,
};
pub use codec::{Body, Decoded, Decoder, Pdu};
pub use command::CommandId;
pub use error::{DecodeError, EncodeError, FrameError, PduError, Problem};
pub use status::CommandStatus;
pub use tlv::{Tag, Tlv, TlvList, TlvValue};
pub use types::MessageState;

#[cfg(test)]
mod tests;
