//! SMPP 3.4 PDU codec.
pub mod types;
