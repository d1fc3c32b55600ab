//! The crate-wide error type. Each variant has a stable numeric code (see [`Error::code`]),
//! in the bands the C ABI uses: 1xx usage, 2xx I/O and timeouts, 3xx TLS and PKCS#12,
//! 4xx SMPP protocol, 5xx SMSC rejections. Codes are never renumbered (CONTRIBUTING.md
//! "Adding an error code").

use crate::config::Opt;
use crate::pdu::{DecodeError, EncodeError, FrameError, PduError};
use crate::receipt::ReceiptError;
use crate::text::TextError;
use std::fmt;

/// Any error esme reports. Its `Display` is one line naming what was wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The caller asked for something impossible (code 100): the text says what.
    Usage(String),
    /// The configuration is invalid (code 105): names the option and what is valid.
    Config(crate::config::ConfigError),
    /// A PII rule or rule file is invalid, or a rule or group is unknown (code 106).
    Pii(crate::pii::PiiError),
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
    /// The client is closed (code 103).
    Closed,
    /// A non-blocking submit found the window and the queue behind it full (code 104; see
    /// `docs/client.md`, "Threads, window, rate, keepalive, reconnect").
    WindowFull {
        /// The window size ([`crate::config::Opt::SubmitWindowSize`]).
        window: usize,
    },
    /// The TCP connection could not be made (code 201).
    Connect {
        /// host:port as configured.
        addr: String,
        /// The OS reason, with a hint.
        why: String,
    },
    /// A phase did not finish in time (code 202).
    Timeout {
        /// What was being waited for, e.g. "the bind response".
        phase: &'static str,
        /// How long was waited.
        after: std::time::Duration,
    },
    /// The connection was lost or closed by the SMSC before binding finished (code 203).
    Disconnected {
        /// What happened.
        why: String,
    },
    /// A TLS failure (codes 301–335): see [`crate::tls::TlsError`].
    Tls(crate::tls::TlsError),
    /// The SMSC refused the bind (code 501).
    BindRefused {
        /// The status it answered with.
        status: crate::pdu::CommandStatus,
    },
}

/// What to check when the SMSC refuses the bind with `status`.
fn bind_hint(status: crate::pdu::CommandStatus) -> String {
    use crate::pdu::CommandStatus as S;
    match status {
        S::InvPaswd => "check the password option".into(),
        S::InvSysId => format!("check {}", Opt::SystemId),
        S::AlyBnd => "this system_id is already bound: the SMSC still holds a bind of it, ours \
                      from before (until it sees that connection dead) or another program's, \
                      and may allow one session only; esme binds again with backoff"
            .into(),
        S::InvSysTyp => format!("check {}", Opt::SystemType),
        S::Throttled => "too many binds: wait before reconnecting".into(),
        S::InvCmdId => format!(
            "the peer does not know this bind command: check {}",
            Opt::BindMode
        ),
        _ => "check the credentials and the bind mode with the SMSC operator".into(),
    }
}

/// Written here rather than in `text`: two of its messages name the option that limits the
/// number of segments, and `text` (a layer below `config`) knows no option names.
impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe(f, &Opt::SarMaxSegments)
    }
}

impl Error {
    /// The stable numeric code: the number of its `esme_result` in the C ABI. The table of
    /// results is in `src/ffi/result.rs`, whose tests prove every code here is in it.
    pub fn code(&self) -> u32 {
        match self {
            Error::Usage(_) => 100,
            Error::Config(_) => 105,
            Error::Pii(_) => 106,
            Error::Encode(_) => 101,
            Error::Text(_) => 102,
            Error::Frame(_) => 401,
            Error::Decode(_) => 402,
            Error::Pdu(_) => 403,
            Error::Receipt(_) => 404,
            Error::Closed => 103,
            Error::WindowFull { .. } => 104,
            Error::Connect { .. } => 201,
            Error::Timeout { .. } => 202,
            Error::Disconnected { .. } => 203,
            Error::Tls(e) => e.code(),
            Error::BindRefused { .. } => 501,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Usage(s) => f.write_str(s),
            Error::Config(e) => e.fmt(f),
            Error::Pii(e) => e.fmt(f),
            Error::Encode(e) => e.fmt(f),
            Error::Text(e) => e.fmt(f),
            Error::Frame(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::Pdu(e) => e.fmt(f),
            Error::Receipt(e) => e.fmt(f),
            Error::Closed => f.write_str("the client is closed"),
            Error::WindowFull { window } => write!(
                f,
                "the submit window and the queue behind it are full ({} messages waiting for a response or for room in the window of {window}): retry later or submit blocking",
                crate::config::admission_limit(*window)
            ),
            Error::Connect { addr, why } => write!(f, "cannot connect to {addr}: {why}"),
            Error::Timeout { phase, after } => {
                write!(f, "timed out after {:.1} s waiting for {phase}", after.as_secs_f64())
            }
            Error::Disconnected { why } => f.write_str(why),
            Error::Tls(e) => e.fmt(f),
            Error::BindRefused { status } => write!(
                f,
                "the SMSC refused the bind: {status} ({})",
                bind_hint(*status)
            ),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Usage(_) => None,
            Error::Config(e) => Some(e),
            Error::Pii(e) => Some(e),
            Error::Encode(e) => Some(e),
            Error::Text(e) => Some(e),
            Error::Frame(e) => Some(e),
            Error::Decode(e) => Some(e),
            Error::Pdu(e) => Some(e),
            Error::Receipt(e) => Some(e),
            _ => None,
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

from!(crate::pii::PiiError => Pii, crate::tls::TlsError => Tls, crate::config::ConfigError => Config, EncodeError => Encode, TextError => Text, FrameError => Frame, DecodeError => Decode, PduError => Pdu, ReceiptError => Receipt);

impl From<crate::tls::HandshakeError> for Error {
    fn from(e: crate::tls::HandshakeError) -> Self {
        use crate::tls::HandshakeError as H;
        match e {
            H::Tls(e) => Error::Tls(e),
            H::Timeout(after) => Error::Timeout {
                phase: "the TLS handshake",
                after,
            },
            H::Disconnected(why) => Error::Disconnected { why },
        }
    }
}
