//! The enumerated settings: TLS mode and version, outage policy, outbound encoding.

use crate::text::{choose_encoding, Encoding};

/// Whether and how the connection uses TLS (`x-smpp-tls-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// Plain TCP.
    Off,
    /// TLS, the SMSC's certificate is verified.
    Single,
    /// TLS with a client certificate too (from `x-smpp-tls-path-to-certificate`).
    Mutual,
}

impl TlsMode {
    /// The option value naming this mode (`off`, `single`, `mutual`).
    pub fn name(self) -> &'static str {
        match self {
            TlsMode::Off => "off",
            TlsMode::Single => "single",
            TlsMode::Mutual => "mutual",
        }
    }
}

/// A TLS version: the lowest offered (`x-smpp-tls-version`) or the highest
/// (`x-smpp-tls-max-version`). TLS 1.1 and lower are deprecated by RFC 8996 and not supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl TlsVersion {
    /// The option value naming this version (`1.2`, `1.3`).
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls12 => "1.2",
            TlsVersion::Tls13 => "1.3",
        }
    }
}

/// What a submit does while the link is down (`x-smpp-submit-during-outage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutagePolicy {
    /// Wait for the reconnect, up to the submit timeout.
    Wait,
    /// Report the message NotSent at once.
    Fail,
}

impl OutagePolicy {
    /// The option value naming this policy (`wait`, `fail`).
    pub fn name(self) -> &'static str {
        match self {
            OutagePolicy::Wait => "wait",
            OutagePolicy::Fail => "fail",
        }
    }
}

/// The encoding of outbound text (`x-smpp-outbound-enc-default`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboundEncoding {
    /// GSM 03.38 (unpacked) when the text fits it exactly, else UCS-2
    /// ([`crate::text::choose_encoding`]).
    Auto,
    /// GSM 03.38, one septet per octet (`data_coding` 0).
    Gsm7,
    /// GSM 03.38 packed (`data_coding` 0).
    Gsm7Packed,
    /// IA5 / ASCII (`data_coding` 1).
    Ascii,
    /// ISO-8859-1 (`data_coding` 3).
    Latin1,
    /// UCS-2 / UTF-16BE (`data_coding` 8, or `x-smpp-ucs2-enc-schema`).
    Ucs2,
}

impl OutboundEncoding {
    /// The option value naming this encoding (`auto`, `gsm7`, …).
    pub fn name(self) -> &'static str {
        match self {
            OutboundEncoding::Auto => "auto",
            OutboundEncoding::Gsm7 => "gsm7",
            OutboundEncoding::Gsm7Packed => "gsm7-packed",
            OutboundEncoding::Ascii => "ascii",
            OutboundEncoding::Latin1 => "latin1",
            OutboundEncoding::Ucs2 => "ucs2",
        }
    }

    /// The encoding to send `text` in.
    pub fn encoding_for(self, text: &str) -> Encoding {
        match self {
            OutboundEncoding::Auto => choose_encoding(text),
            OutboundEncoding::Gsm7 => Encoding::Gsm7,
            OutboundEncoding::Gsm7Packed => Encoding::Gsm7Packed,
            OutboundEncoding::Ascii => Encoding::Ascii,
            OutboundEncoding::Latin1 => Encoding::Latin1,
            OutboundEncoding::Ucs2 => Encoding::Ucs2,
        }
    }
}
