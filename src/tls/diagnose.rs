//! The diagnosis of a failed handshake: which [`TlsError`] a rustls error or TLS alert
//! means, and whether a plain reply looks like TLS.

use super::certs::{cert_facts, show_time};
use super::error::{CertProblem, TlsError};
use super::setup::TlsSetup;
use crate::config::{Opt, TlsMode};
use rustls::CertificateError;

impl TlsSetup {
    /// Turns a handshake failure into its diagnosis.
    pub(crate) fn diagnose(&self, e: &rustls::Error) -> TlsError {
        use rustls::AlertDescription as A;
        let facts = self.presented().and_then(|c| cert_facts(&c));
        let subject = facts.as_ref().map(|f| f.subject.clone());
        let untrusted = |problem| TlsError::Untrusted {
            problem,
            trust: self.report.trust.clone(),
            subject: subject.clone(),
        };
        match e {
            rustls::Error::InvalidCertificate(ce) => match ce {
                CertificateError::UnknownIssuer => {
                    let self_signed = facts.as_ref().is_some_and(|f| f.subject == f.issuer);
                    untrusted(if self_signed {
                        CertProblem::SelfSigned
                    } else {
                        CertProblem::UnknownIssuer
                    })
                }
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => untrusted(
                    CertProblem::Expired(facts.as_ref().and_then(|f| f.not_after).map(show_time)),
                ),
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => untrusted(
                    CertProblem::NotYetValid(facts.as_ref().and_then(|f| f.not_before).map(show_time)),
                ),
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                    untrusted(CertProblem::WrongName {
                        wanted: self.wanted_name.clone(),
                        presented: facts.map(|f| f.names).unwrap_or_default(),
                    })
                }
                other => untrusted(CertProblem::Other(format!("{other:?}"))),
            },
            rustls::Error::AlertReceived(a) => match a {
                A::BadCertificate
                | A::UnknownCA
                | A::CertificateUnknown
                | A::CertificateRequired
                | A::UnsupportedCertificate
                | A::CertificateRevoked
                | A::CertificateExpired
                | A::AccessDenied
                    if self.mode == TlsMode::Mutual =>
                {
                    TlsError::ClientCertRejected {
                        alert: Some(alert_name(*a)),
                        subject: self.report.client_subject.clone(),
                    }
                }
                A::CertificateRequired => TlsError::Handshake {
                    detail: format!(
                        "the SMSC requires a client certificate (alert certificate_required): set {} = mutual and {}",
                        Opt::TlsMode,
                        Opt::TlsPathToCertificate
                    ),
                },
                A::ProtocolVersion => TlsError::VersionMismatch {
                    offered: self.offered.to_string(),
                    detail: "the SMSC answered with alert protocol_version".into(),
                },
                A::HandshakeFailure => TlsError::Handshake {
                    detail: format!(
                        "the SMSC ended the handshake (alert handshake_failure): no cipher suite or version in common? we offer {}",
                        self.offered
                    ),
                },
                other => TlsError::Handshake {
                    detail: format!("the SMSC sent TLS alert {}", alert_name(*other)),
                },
            },
            rustls::Error::PeerIncompatible(p) => TlsError::VersionMismatch {
                offered: self.offered.to_string(),
                detail: format!("{p:?}"),
            },
            rustls::Error::InvalidMessage(m) => TlsError::NotTls {
                detail: format!("{m:?}"),
            },
            rustls::Error::PeerMisbehaved(p) => TlsError::Handshake {
                detail: format!("the SMSC broke the TLS protocol: {p:?}"),
            },
            other => TlsError::Handshake {
                detail: other.to_string(),
            },
        }
    }
}

/// The spec name of an alert, e.g. `bad_certificate`.
pub(super) fn alert_name(a: rustls::AlertDescription) -> String {
    let s = format!("{a:?}");
    let mut o = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                o.push('_');
            }
            o.push(c.to_ascii_lowercase());
        } else {
            o.push(c);
        }
    }
    o
}

/// Whether the first octets of a reply look like a TLS record (handshake or alert), which
/// a plain SMPP client may receive from a TLS port.
pub(crate) fn looks_like_tls(b: &[u8]) -> bool {
    b.len() >= 3 && matches!(b[0], 0x15 | 0x16) && b[1] == 0x03 && b[2] <= 0x04
}
