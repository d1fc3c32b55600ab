//! The crate-wide error type. Each variant has a stable numeric code (see [`Error::code`]),
//! in the bands the C ABI uses: 1xx usage, 2xx I/O and timeouts, 3xx TLS and PKCS#12,
//! 4xx SMPP protocol, 5xx SMSC rejections. Codes are never renumbered.

use crate::pdu::{DecodeError, EncodeError, FrameError, PduError};
use crate::receipt::ReceiptError;
use crate::text::TextError;
use std::fmt;

/// Any error esme reports. Its `Display` is one line naming what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A PDU we were asked to send breaks a field rule (code 101).
    Encode(EncodeError),
    /// A text cannot be encoded or segmented as asked (code 102).
    Text(TextError),
    /// The peer's byte stream has impossible framing (code 401).
    Frame(FrameError),
    /// A PDU from the peer breaks a field rule (code 402).
    Decode(DecodeError),
    /// Bytes meant to be exactly one PDU are not (code 403).
    Pdu(PduError),
    /// A deliver_sm flagged as a receipt is not one (code 404).
    Receipt(ReceiptError),
}

impl Error {
    /// The stable numeric code.
    pub fn code(&self) -> u32 {
        match self {
            Error::Encode(_) => 101,
            Error::Text(_) => 102,
            Error::Frame(_) => 401,
            Error::Decode(_) => 402,
            Error::Pdu(_) => 403,
            Error::Receipt(_) => 404,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Encode(e) => e.fmt(f),
            Error::Text(e) => e.fmt(f),
            Error::Frame(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Pdu(e) => e.fmt(f),
            Error::Receipt(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Encode(e) => Some(e),
            Error::Text(e) => Some(e),
            Error::Frame(e) => Some(e),
            Error::Decode(e) => Some(e),
            Error::Pdu(e) => Some(e),
            Error::Receipt(e) => Some(e),
        }
    }
}

macro_rules! from {
    ($($t:ty => $v:ident),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::$v(e)
            }
        }
    )*};
}

from!(EncodeError => Encode, TextError => Text, FrameError => Frame, DecodeError => Decode, PduError => Pdu, ReceiptError => Receipt);
