//! The diagnosis of a failed handshake: which [`TlsError`] a rustls error, a TLS alert, a
//! close or a silence means, decided from the [`Evidence`] the handshake recorded (did the
//! SMSC ask for a client certificate, did we send one, after which of our flights did it
//! answer, what did its first octets look like). docs/tls.md ("What each diagnosis rests on")
//! lists the rules; each is tested against third-party peers in tests/tls.rs.

use super::certs::{cert_facts, show_time};
use super::error::{CertProblem, TlsError};
use super::evidence::Evidence;
use super::setup::TlsSetup;
use crate::config::{Opt, TlsMode, TlsVersion};
use crate::transport::AfterHandshake;
use rustls::{AlertDescription as A, CertificateError};
use std::time::Duration;

/// The alerts that speak of a certificate: sent right after our certificate, the SMSC refused
/// it; sent when it asked for one and got none, it requires one.
fn is_certificate_alert(a: A) -> bool {
    matches!(
        a,
        A::BadCertificate
            | A::UnknownCA
            | A::CertificateUnknown
            | A::CertificateRequired
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::AccessDenied
            | A::DecryptError
    )
}

impl TlsSetup {
    /// Turns a rustls error during the handshake (or on the first read after it, where a
    /// TLS 1.3 SMSC refuses a client certificate) into its diagnosis.
    pub(crate) fn diagnose(&self, e: &rustls::Error) -> TlsError {
        let ev = self.evidence();
        match e {
            rustls::Error::InvalidCertificate(ce) => self.untrusted(ce, &ev),
            rustls::Error::AlertReceived(a) => self.alert(*a, &ev),
            rustls::Error::PeerIncompatible(p) => self.incompatible(p, &ev),
            rustls::Error::InvalidMessage(_) if !looks_like_tls(&ev.first_bytes) => {
                not_tls_answer(&ev.first_bytes)
            }
            rustls::Error::InvalidMessage(m) => TlsError::Handshake {
                detail: format!("the SMSC sent a malformed TLS message ({m:?})"),
            },
            rustls::Error::PeerMisbehaved(p) => TlsError::Handshake {
                detail: format!("the SMSC broke the TLS protocol: {p:?}"),
            },
            other => TlsError::Handshake {
                detail: other.to_string(),
            },
        }
    }

    /// The SMSC closed (or reset, `reset`) the connection during the handshake.
    pub(crate) fn diagnose_close(&self, reset: bool) -> TlsError {
        let ev = self.evidence();
        let closed = if reset {
            "reset the connection"
        } else {
            "closed the connection"
        };
        if ev.received == 0 {
            // A TLS server answers a hello with its own hello or an alert.
            return TlsError::NotTls {
                what: format!("{closed} without answering our TLS hello"),
                certain: false,
            };
        }
        if !looks_like_tls(&ev.first_bytes) {
            return not_tls_answer(&ev.first_bytes);
        }
        if ev.flights >= 2 && ev.sent_cert {
            return self.rejected(format!(
                "it {closed} right after receiving it, before finishing the handshake, without a TLS alert"
            ));
        }
        if ev.flights >= 2 && ev.cert_request.is_some() && self.mode == TlsMode::Single {
            return self.required(format!("{closed} without a TLS alert"), &ev);
        }
        TlsError::Handshake {
            detail: format!(
                "the SMSC {closed} during the handshake, without a TLS alert, after {}",
                if ev.flights >= 2 {
                    "our answer to its hello"
                } else {
                    "its hello"
                }
            ),
        }
    }

    /// Nothing finished the handshake within `after`: with no octet at all back from the SMSC,
    /// a plain SMPP server waiting for the rest of what it took for a PDU.
    pub(crate) fn diagnose_silence(&self, after: Duration) -> Option<TlsError> {
        let ev = self.evidence();
        (ev.received == 0).then(|| TlsError::NotTls {
            what: format!(
                "sent nothing back in {} ({}) to our TLS hello, which a TLS server answers at once \
                 (an SMPP server waits for the rest of the PDU it takes the hello for)",
                seconds(after),
                Opt::CommsTimeout
            ),
            certain: false,
        })
    }

    /// TLS 1.3, our certificate sent: the SMSC closed (or reset) the connection right after
    /// the handshake, before the bind went out, without an alert. The handshake itself
    /// succeeded, so the one thing left to refuse was our certificate (node's TLS server
    /// refuses an untrusted one this way).
    pub(crate) fn diagnose_refused_at_once(&self, reset: bool) -> TlsError {
        self.rejected(format!(
            "it {} right after the TLS handshake, before we sent the bind, without a TLS alert",
            if reset {
                "reset the connection"
            } else {
                "closed the connection"
            }
        ))
    }

    /// The SMSC closed (or reset) the connection after the handshake and before answering
    /// the bind: the text of the disconnection, saying what TLS showed. (A refusal of our
    /// certificate shows earlier: an alert, or a close before the bind went out.)
    pub(crate) fn diagnose_close_after(&self, after: &AfterHandshake, tls13: bool) -> String {
        let ev = self.evidence();
        let closed = if after.reset {
            "reset the connection"
        } else {
            "closed the connection"
        };
        let how = if after.close_notify {
            "it ended the TLS session with close_notify"
        } else {
            "without a TLS close_notify"
        };
        if tls13 && ev.sent_cert && ev.after_done + after.received == 0 && !after.close_notify {
            // Nothing at all after the handshake, not even a session ticket, then a close
            // once the bind was out: a late refusal of our certificate, or of the bind.
            return format!(
                "the SMSC {closed} before answering the bind ({how}), having sent nothing since the TLS handshake, not even a session ticket: it refused our client certificate ({}) or the bind; its log says which",
                self.report.client_subject.as_deref().unwrap_or("?")
            );
        }
        let accepted = if ev.sent_cert {
            " and the SMSC had accepted our client certificate"
        } else {
            ""
        };
        format!(
            "the SMSC {closed} before answering the bind ({how}); the TLS handshake had completed{accepted}: the SMSC dropped the bind itself (does it refuse this {}, password or address?)",
            Opt::SystemId
        )
    }

    fn rejected(&self, why: String) -> TlsError {
        TlsError::ClientCertRejected {
            why,
            subject: self.report.client_subject.clone(),
            issuer: self.report.client_issuer.clone(),
            accepted: self.evidence().cert_request.unwrap_or_default(),
        }
    }

    fn required(&self, how: String, ev: &Evidence) -> TlsError {
        TlsError::ClientCertRequired {
            how,
            accepted: ev.cert_request.clone().unwrap_or_default(),
        }
    }

    fn alert(&self, a: A, ev: &Evidence) -> TlsError {
        let name = alert_name(a);
        if ev.sent_cert && (is_certificate_alert(a) || a == A::HandshakeFailure) {
            return self.rejected(format!("it answered it with TLS alert {name}"));
        }
        if ev.cert_request.is_some()
            && !ev.sent_cert
            && ev.flights >= 2
            && (is_certificate_alert(a) || a == A::HandshakeFailure)
        {
            if self.mode == TlsMode::Mutual {
                return TlsError::Handshake {
                    detail: format!(
                        "the SMSC asked for a client certificate and ended the handshake (alert {name}) when ours could not be sent: our key signs with no scheme it accepts"
                    ),
                };
            }
            return self.required(format!("ended the handshake with alert {name}"), ev);
        }
        match a {
            A::ProtocolVersion => self.version_refused(ev),
            A::HandshakeFailure | A::InsufficientSecurity if ev.flights <= 1 => {
                TlsError::Handshake {
                    detail: format!(
                        "the SMSC refused our hello (alert {name}): no cipher suite in common; we offer {} with ECDHE key exchange and AES-GCM or ChaCha20-Poly1305 (no RSA key exchange, no CBC): the SMSC must enable one of those",
                        self.offered
                    ),
                }
            }
            other => TlsError::Handshake {
                detail: format!(
                    "the SMSC sent TLS alert {} after {}",
                    alert_name(other),
                    match (ev.done, ev.flights) {
                        (true, _) => "the handshake",
                        (false, 0 | 1) => "our hello",
                        (false, _) => "our answer to its hello",
                    }
                ),
            },
        }
    }

    /// Alert protocol_version: what the SMSC can speak follows from what we offered.
    fn version_refused(&self, _ev: &Evidence) -> TlsError {
        let detail = match (self.min_version, self.max_version) {
            (TlsVersion::Tls13, _) => format!(
                "the SMSC refused TLS 1.3 (alert protocol_version): it speaks an older version; set {} = 1.2",
                Opt::TlsVersion
            ),
            (_, TlsVersion::Tls11 | TlsVersion::Tls12) => format!(
                "the SMSC refused TLS 1.2 (alert protocol_version): it speaks TLS 1.3 only (set {} = 1.3) or only TLS 1.1 or older (then the SMSC must enable TLS 1.2; esme will not speak 1.1)",
                Opt::TlsMaxVersion
            ),
            _ => "the SMSC refused both TLS 1.2 and 1.3 (alert protocol_version): it speaks only TLS 1.1 or older, which RFC 8996 deprecates and esme will not speak; the SMSC must enable TLS 1.2 (no option of esme can fix this)".to_string(),
        };
        TlsError::VersionMismatch {
            offered: self.offered.to_string(),
            detail,
        }
    }

    fn incompatible(&self, p: &rustls::PeerIncompatible, ev: &Evidence) -> TlsError {
        use rustls::PeerIncompatible as P;
        match p {
            P::ServerTlsVersionIsDisabledByOurConfig
            | P::ServerDoesNotSupportTls12Or13
            | P::SupportedVersionsExtensionRequired => {
                let chose = server_hello_version(&ev.first_bytes)
                    .map(|v| format!("the SMSC chose {v}"))
                    .unwrap_or_else(|| "the SMSC chose a version we do not offer".into());
                let detail = if server_hello_version(&ev.first_bytes).is_some_and(|v| {
                    v.starts_with("TLS 1.0") || v.starts_with("TLS 1.1") || v.starts_with("SSL")
                }) {
                    format!(
                        "{chose}, so it speaks nothing newer; RFC 8996 deprecates it and esme will not speak it: the SMSC must enable TLS 1.2 (no option of esme can fix this)"
                    )
                } else {
                    format!(
                        "{chose}: set {} and {} to include it",
                        Opt::TlsVersion,
                        Opt::TlsMaxVersion
                    )
                };
                TlsError::VersionMismatch {
                    offered: self.offered.to_string(),
                    detail,
                }
            }
            other => TlsError::Handshake {
                detail: format!("the SMSC wants what esme does not offer: {other:?}"),
            },
        }
    }

    fn untrusted(&self, ce: &CertificateError, ev: &Evidence) -> TlsError {
        let facts = ev.presented.as_ref().and_then(|c| cert_facts(c));
        let subject = facts.as_ref().map(|f| f.subject.clone());
        let problem = match ce {
            CertificateError::UnknownIssuer => {
                let self_signed = facts.as_ref().is_some_and(|f| f.subject == f.issuer);
                match &facts {
                    _ if self_signed => CertProblem::SelfSigned,
                    // The SMSC sent its certificate alone, and its issuer is none of our
                    // anchors: nothing links it to one.
                    Some(f)
                        if ev.intermediates == 0 && !self.anchor_subjects.contains(&f.issuer) =>
                    {
                        CertProblem::IncompleteChain {
                            issuer: f.issuer.clone(),
                        }
                    }
                    _ => CertProblem::UnknownIssuer,
                }
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                CertProblem::Expired(facts.as_ref().and_then(|f| f.not_after).map(show_time))
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                CertProblem::NotYetValid(facts.as_ref().and_then(|f| f.not_before).map(show_time))
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                match &facts {
                    Some(f) if f.names.is_empty() && !f.has_san => CertProblem::NoSubjectAltName {
                        wanted: self.wanted_name.clone(),
                        cn: f.cn.clone(),
                    },
                    _ => CertProblem::WrongName {
                        wanted: self.wanted_name.clone(),
                        presented: facts.map(|f| f.names).unwrap_or_default(),
                    },
                }
            }
            CertificateError::InvalidPurpose => CertProblem::NotForServers {
                purposes: "other purposes".into(),
            },
            CertificateError::InvalidPurposeContext { presented, .. } => {
                CertProblem::NotForServers {
                    purposes: if presented.is_empty() {
                        "no purpose".into()
                    } else {
                        presented
                            .iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    },
                }
            }
            CertificateError::Other(o) if format!("{o:?}").contains("CaUsedAsEndEntity") => {
                if facts.as_ref().is_some_and(|f| f.subject == f.issuer) {
                    CertProblem::SelfSigned
                } else {
                    CertProblem::CaAsEndEntity
                }
            }
            CertificateError::BadSignature => CertProblem::Other(
                "a signature in its chain does not verify (a forged or corrupted certificate)"
                    .into(),
            ),
            CertificateError::Revoked => CertProblem::Other("it is revoked".into()),
            CertificateError::BadEncoding => {
                CertProblem::Other("it is not a well-formed X.509 certificate".into())
            }
            CertificateError::UnsupportedSignatureAlgorithmContext { .. } => CertProblem::Other(
                "it is signed with an algorithm esme does not accept (e.g. SHA-1 or MD5); the SMSC must reissue it with SHA-256 or better"
                    .into(),
            ),
            other => CertProblem::Other(format!("{other}")),
        };
        TlsError::Untrusted {
            problem,
            trust: self.report.trust.clone(),
            subject,
        }
    }
}

/// A duration for messages: `10 s`, `2.5 s`.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{s:.1} s")
    }
}

/// The version a ServerHello names, from the first octets of the SMSC's answer (a handshake
/// record whose first message is a ServerHello: its legacy_version, which a server without
/// TLS 1.3 sets to the version it chose).
fn server_hello_version(b: &[u8]) -> Option<&'static str> {
    if b.len() < 11 || b[0] != 0x16 || b[5] != 0x02 {
        return None;
    }
    Some(match (b[9], b[10]) {
        (3, 0) => "SSL 3.0",
        (3, 1) => "TLS 1.0",
        (3, 2) => "TLS 1.1",
        (3, 3) => "TLS 1.2",
        _ => return None,
    })
}

/// The diagnosis of an answer to our TLS hello that is not TLS: an SMPP PDU names the port
/// for sure.
fn not_tls_answer(b: &[u8]) -> TlsError {
    match describe_smpp(b) {
        Some(pdu) => TlsError::NotTls {
            what: format!("answered our TLS hello with {pdu}"),
            certain: true,
        },
        None => TlsError::NotTls {
            what: format!(
                "answered our TLS hello with octets that are not TLS ({})",
                hex(&b[..b.len().min(8)])
            ),
            certain: false,
        },
    }
}

/// `an SMPP generic_nack (command_status ESME_RINVCMDLEN …)` when the octets start an SMPP
/// PDU header: a plausible command_length and a command_id SMPP 3.4 defines.
pub(crate) fn describe_smpp(b: &[u8]) -> Option<String> {
    use crate::pdu::{CommandId, CommandStatus};
    if b.len() < 8 {
        return None;
    }
    let word = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let len = word(0);
    let id = CommandId::from_u32(word(4));
    if !(16..=1 << 20).contains(&len) || matches!(id, CommandId::Other(_)) {
        return None;
    }
    let status = (b.len() >= 12)
        .then(|| CommandStatus::from_u32(word(8)))
        .filter(|s| s.to_u32() != 0)
        .map(|s| match s.spec_name() {
            Some(n) => format!(" (command_status {n})"),
            None => format!(" (command_status 0x{:08X})", s.to_u32()),
        })
        .unwrap_or_default();
    Some(format!("an SMPP {}{status}", id.name()))
}

fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The spec name of an alert, e.g. `bad_certificate`, `unknown_ca`.
pub(super) fn alert_name(a: rustls::AlertDescription) -> String {
    match a {
        A::UnknownCA => return "unknown_ca".into(),
        A::UnknownPSKIdentity => return "unknown_psk_identity".into(),
        _ => {}
    }
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
    b.len() >= 3 && matches!(b[0], 0x14..=0x17) && b[1] == 0x03 && b[2] <= 0x04
}
