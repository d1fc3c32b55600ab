//! The enumerated settings (TLS mode and version, outage policy, outbound encoding), and for
//! each enumerated option the names its values take in a configuration (`one_of` rows of the
//! option table): the first name of a value is its own, the others are aliases.

use crate::session::BindMode;
use crate::text::{choose_encoding, Encoding, SegmentMethod};

/// Whether and how the connection uses TLS ([`Opt::TlsMode`](crate::config::Opt::TlsMode)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TlsMode {
    /// Plain TCP.
    Off,
    /// TLS, the SMSC's certificate is verified.
    Single,
    /// TLS with a client certificate too (from [`Opt::TlsPathToCertificate`](crate::config::Opt::TlsPathToCertificate)).
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

/// A TLS version: the lowest offered ([`Opt::TlsVersion`](crate::config::Opt::TlsVersion)) or the highest
/// ([`Opt::TlsMaxVersion`](crate::config::Opt::TlsMaxVersion)). TLS 1.1 and lower are deprecated by RFC 8996 and never
/// spoken: [`TlsVersion::Tls11`] exists so that a Genesys channel saying `1.1` loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsVersion {
    /// TLS 1.1, a valid Genesys value of [`Opt::TlsVersion`](crate::config::Opt::TlsVersion)
    /// only: esme then offers TLS 1.2 and 1.3 (never 1.1, deprecated by RFC 8996) and warns at
    /// each connect.
    Tls11,
    /// TLS 1.2.
    Tls12,
    /// TLS 1.3.
    Tls13,
}

impl TlsVersion {
    /// The option value naming this version (`1.2`, `1.3`).
    pub fn name(self) -> &'static str {
        match self {
            TlsVersion::Tls11 => "1.1",
            TlsVersion::Tls12 => "1.2",
            TlsVersion::Tls13 => "1.3",
        }
    }
}

/// What a submit does while the link is down ([`Opt::SubmitDuringOutage`](crate::config::Opt::SubmitDuringOutage)).
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

/// How esme's logs show a delivery receipt's `text:`, the start of the message the SMSC
/// copies into it ([`Opt::LogReceiptText`](crate::config::Opt::LogReceiptText)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReceiptText {
    /// Every character masked: it is a fragment of the message.
    #[default]
    Masked,
    /// Masked by the PII rules of the log group, as a fragment (the words cut at its ends
    /// masked whole).
    Rules,
}

impl ReceiptText {
    /// The option value naming this policy (`masked`, `rules`).
    pub fn name(self) -> &'static str {
        match self {
            ReceiptText::Masked => "masked",
            ReceiptText::Rules => "rules",
        }
    }
}

/// The encoding of outbound text ([`Opt::OutboundEncDefault`](crate::config::Opt::OutboundEncDefault)).
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
    /// UCS-2 / UTF-16BE (`data_coding` 8, or [`Opt::Ucs2EncSchema`](crate::config::Opt::Ucs2EncSchema)).
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

/// [`Opt::BindMode`](crate::config::Opt::BindMode).
pub(super) const BIND_MODES: &[(&str, BindMode)] = &[
    ("transmitter", BindMode::Transmitter),
    ("tx", BindMode::Transmitter),
    ("receiver", BindMode::Receiver),
    ("rx", BindMode::Receiver),
    ("transceiver", BindMode::Transceiver),
    ("trx", BindMode::Transceiver),
];

/// [`Opt::SubmitDuringOutage`](crate::config::Opt::SubmitDuringOutage).
pub(super) const OUTAGE_POLICIES: &[(&str, OutagePolicy)] =
    &[("wait", OutagePolicy::Wait), ("fail", OutagePolicy::Fail)];

/// [`Opt::LogReceiptText`](crate::config::Opt::LogReceiptText).
pub(super) const RECEIPT_TEXTS: &[(&str, ReceiptText)] = &[
    ("masked", ReceiptText::Masked),
    ("rules", ReceiptText::Rules),
];

/// [`Opt::Segmentation`](crate::config::Opt::Segmentation).
pub(super) const SEGMENTATIONS: &[(&str, SegmentMethod)] = &[
    ("udh8", SegmentMethod::Udh8),
    ("udh", SegmentMethod::Udh8),
    ("udh16", SegmentMethod::Udh16),
    ("sar", SegmentMethod::Sar),
    ("payload", SegmentMethod::Payload),
    ("message_payload", SegmentMethod::Payload),
];

/// [`Opt::OutboundEncDefault`](crate::config::Opt::OutboundEncDefault).
pub(super) const OUTBOUND_ENCODINGS: &[(&str, OutboundEncoding)] = &[
    ("auto", OutboundEncoding::Auto),
    ("gsm7", OutboundEncoding::Gsm7),
    ("gsm", OutboundEncoding::Gsm7),
    ("default", OutboundEncoding::Gsm7),
    ("smsc-default", OutboundEncoding::Gsm7),
    ("gsm7-packed", OutboundEncoding::Gsm7Packed),
    ("ascii", OutboundEncoding::Ascii),
    ("ia5", OutboundEncoding::Ascii),
    ("latin1", OutboundEncoding::Latin1),
    ("latin-1", OutboundEncoding::Latin1),
    ("iso-8859-1", OutboundEncoding::Latin1),
    ("ucs2", OutboundEncoding::Ucs2),
    ("ucs-2", OutboundEncoding::Ucs2),
    ("utf-16be", OutboundEncoding::Ucs2),
    ("utf-16", OutboundEncoding::Ucs2),
];

/// [`Opt::InboundEncDefault`](crate::config::Opt::InboundEncDefault): only the encodings `data_coding` 0 may mean.
pub(super) const INBOUND_ENCODINGS: &[(&str, Encoding)] = &[
    ("gsm7", Encoding::Gsm7),
    ("gsm", Encoding::Gsm7),
    ("default", Encoding::Gsm7),
    ("smsc-default", Encoding::Gsm7),
    ("gsm7-packed", Encoding::Gsm7Packed),
    ("ascii", Encoding::Ascii),
    ("ia5", Encoding::Ascii),
    ("latin1", Encoding::Latin1),
    ("latin-1", Encoding::Latin1),
    ("iso-8859-1", Encoding::Latin1),
];

/// [`Opt::TlsMode`](crate::config::Opt::TlsMode).
pub(super) const TLS_MODES: &[(&str, TlsMode)] = &[
    ("off", TlsMode::Off),
    ("none", TlsMode::Off),
    ("single", TlsMode::Single),
    ("mutual", TlsMode::Mutual),
];
