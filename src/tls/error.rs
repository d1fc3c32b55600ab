//! TLS failures, each with its own stable code and a one-line cause with a hint.

use crate::config::Opt;
use crate::tls::pkcs12::{list, one_line, Pkcs12Error};
use std::fmt;

/// What is wrong with the SMSC's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CertProblem {
    /// Not issued by anything we trust.
    UnknownIssuer,
    /// The SMSC sent its certificate alone, without a chain, and its issuer is none of our
    /// trust anchors: an intermediate the SMSC should send, or a root we lack (code 320).
    IncompleteChain {
        /// The issuer its certificate names.
        issuer: String,
    },
    /// Self-signed and not trusted.
    SelfSigned,
    /// A CA certificate (basicConstraints CA:TRUE) presented as the SMSC's own certificate,
    /// and not pinned (code 325).
    CaAsEndEntity,
    /// Issued with an extended key usage that does not allow a TLS server (code 325).
    NotForServers {
        /// The purposes it allows, e.g. "client authentication".
        purposes: String,
    },
    /// The certificate has no subjectAltName at all: its name is only in the subject's CN,
    /// which TLS clients no longer read (RFC 6125, RFC 9525) (code 323).
    NoSubjectAltName {
        /// The name we checked.
        wanted: String,
        /// The subject's CN, when it has one.
        cn: Option<String>,
    },
    /// Expired (with the date when known).
    Expired(Option<String>),
    /// Not valid yet (with the date when known).
    NotYetValid(Option<String>),
    /// Issued for other names.
    WrongName {
        /// The name we checked.
        wanted: String,
        /// The names it carries, when known.
        presented: Vec<String>,
    },
    /// Any other verification failure.
    Other(String),
}

/// A TLS failure. `Display` is one line: the cause, then what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TlsError {
    /// The CA file of [`Opt::TlsCaFile`] cannot be used (code 301).
    CaFile {
        /// The path.
        path: String,
        /// Why.
        why: String,
    },
    /// No trust anchor at all (code 302).
    NoTrustAnchors {
        /// Which sources were tried.
        sources: String,
    },
    /// The PKCS#12 file cannot be used (codes 303–312, see [`TlsError::code`]).
    Pkcs12(Pkcs12Error),
    /// The SMSC's certificate is not trusted (codes 320–325).
    Untrusted {
        /// What is wrong with it.
        problem: CertProblem,
        /// The trust source used, e.g. the CA file option's name and "/etc/smsc-ca.pem".
        trust: String,
        /// The certificate's subject, when known.
        subject: Option<String>,
    },
    /// The SMSC refused our client certificate: a TLS alert after we sent it, or a close
    /// right after it (code 330).
    ClientCertRejected {
        /// What the SMSC did, e.g. "TLS alert unknown_ca".
        why: String,
        /// Our certificate's subject, when known.
        subject: Option<String>,
        /// Our certificate's issuer, when known.
        issuer: Option<String>,
        /// The CAs the SMSC said it accepts (its CertificateRequest; often empty).
        accepted: Vec<String>,
    },
    /// The SMSC asked for a client certificate (a CertificateRequest) and ended the
    /// handshake when we sent none: it requires mutual TLS (code 336).
    ClientCertRequired {
        /// How it ended the handshake, e.g. "alert handshake_failure".
        how: String,
        /// The CAs the SMSC said it accepts (its CertificateRequest; often empty).
        accepted: Vec<String>,
    },
    /// No TLS version in common (code 331).
    VersionMismatch {
        /// What we offered, e.g. "TLS 1.3 only".
        offered: String,
        /// What happened, and what can fix it.
        detail: String,
    },
    /// We spoke TLS and the SMSC answered with something that is not TLS, with nothing, or
    /// not at all (code 332).
    NotTls {
        /// What the SMSC did, e.g. "answered our TLS hello with an SMPP generic_nack".
        what: String,
        /// Whether that proves a plain SMPP port (SMPP bytes came back), or only suggests it.
        certain: bool,
    },
    /// We spoke plain SMPP to a port that speaks TLS (code 333).
    PlainToTls {
        /// What showed it, e.g. "answered the bind with a TLS alert record".
        evidence: String,
    },
    /// Our own client certificate is outside its validity dates (code 313).
    ClientCertDates {
        /// Its subject.
        subject: String,
        /// "expired on …" or "not valid until …".
        when: String,
    },
    /// Any other handshake failure (code 334).
    Handshake {
        /// What happened.
        detail: String,
    },
    /// The TLS configuration is inconsistent (code 335).
    Setup {
        /// What happened.
        detail: String,
    },
}

impl TlsError {
    /// The stable numeric code (see [`crate::Error::code`]).
    pub fn code(&self) -> u32 {
        use Pkcs12Error as P;
        match self {
            TlsError::CaFile { .. } => 301,
            TlsError::NoTrustAnchors { .. } => 302,
            TlsError::Pkcs12(p) => match p {
                P::Missing { .. } | P::Unreadable { .. } => 303,
                P::NotPkcs12 { .. } => 304,
                P::WrongFilePassword { .. } => 305,
                // No key password set and a file without a MAC: the one password in play is
                // the file's.
                P::WrongKeyPassword {
                    key_password_given: false,
                    file_password_checked: false,
                } => 305,
                P::WrongKeyPassword { .. } => 306,
                P::Unsupported { .. } => 307,
                P::NoPrivateKey => 308,
                P::NoCertificate => 309,
                P::KeyDoesNotMatchCertificate { .. } => 310,
                P::AliasNotFound { .. } | P::SeveralKeys { .. } => 311,
                _ => 312,
            },
            TlsError::Untrusted { problem, .. } => match problem {
                CertProblem::UnknownIssuer | CertProblem::IncompleteChain { .. } => 320,
                CertProblem::Expired(_) => 321,
                CertProblem::NotYetValid(_) => 322,
                CertProblem::WrongName { .. } | CertProblem::NoSubjectAltName { .. } => 323,
                CertProblem::SelfSigned => 324,
                CertProblem::CaAsEndEntity
                | CertProblem::NotForServers { .. }
                | CertProblem::Other(_) => 325,
            },
            TlsError::ClientCertDates { .. } => 313,
            TlsError::ClientCertRejected { .. } => 330,
            TlsError::ClientCertRequired { .. } => 336,
            TlsError::VersionMismatch { .. } => 331,
            TlsError::NotTls { .. } => 332,
            TlsError::PlainToTls { .. } => 333,
            TlsError::Handshake { .. } => 334,
            TlsError::Setup { .. } => 335,
        }
    }
}

impl fmt::Display for TlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TlsError::CaFile { path, why } => write!(f, "{} {path}: {why}", Opt::TlsCaFile),
            TlsError::NoTrustAnchors { sources } => write!(
                f,
                "no certificate to verify the SMSC against ({sources}): set {} to the SMSC's CA (PEM)",
                Opt::TlsCaFile
            ),
            TlsError::Pkcs12(e) => pkcs12_message(e, f),
            TlsError::Untrusted {
                problem,
                trust,
                subject,
            } => {
                let who = subject
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                match problem {
                    CertProblem::UnknownIssuer => write!(
                        f,
                        "the SMSC's certificate{who} is not trusted: its issuer is unknown to {trust}; add the SMSC's CA certificate with {} (or as a trust entry of the keystore)",
                        Opt::TlsCaFile
                    ),
                    CertProblem::IncompleteChain { issuer } => write!(
                        f,
                        "the SMSC's certificate{who} is not trusted: the SMSC sent it alone, without its chain, and its issuer ({issuer}) is not in {trust}; if that issuer is an intermediate CA the SMSC must send it too (or add it to {ca}), if it is the SMSC's root CA add it to {ca}",
                        ca = Opt::TlsCaFile
                    ),
                    CertProblem::SelfSigned => write!(
                        f,
                        "the SMSC's certificate{who} is self-signed and not in {trust}; trust that very certificate with {} (or as a trust entry of the keystore) to pin it",
                        Opt::TlsCaFile
                    ),
                    CertProblem::CaAsEndEntity => write!(
                        f,
                        "the SMSC's certificate{who} is a CA certificate (CA:TRUE), not a server certificate, and not in {trust}: if it is the SMSC's own self-signed certificate, trust that very certificate with {} (or as a keystore trust entry) to pin it",
                        Opt::TlsCaFile
                    ),
                    CertProblem::NotForServers { purposes } => write!(
                        f,
                        "the SMSC's certificate{who} is not a TLS server certificate: its extended key usage allows only {purposes}, not server authentication; the SMSC must use a certificate issued for serverAuth"
                    ),
                    CertProblem::NoSubjectAltName { wanted, cn } => write!(
                        f,
                        "the SMSC's certificate{who} has no subjectAltName{}: TLS clients no longer read the name from the CN (RFC 6125), so it is issued for no name at all; the SMSC must reissue it with subjectAltName {}:{wanted}, or set {} = true (its chain and dates are still checked)",
                        cn.as_deref().map(|c| format!(", only the CN '{c}'")).unwrap_or_default(),
                        if wanted.parse::<std::net::IpAddr>().is_ok() { "IP" } else { "DNS" },
                        Opt::TlsSkipHostnameVerification
                    ),
                    CertProblem::Expired(when) => write!(
                        f,
                        "the SMSC's certificate{who} expired{}: the SMSC must renew it (or the clock here is wrong)",
                        when.as_deref().map(|w| format!(" on {w}")).unwrap_or_default()
                    ),
                    CertProblem::NotYetValid(when) => write!(
                        f,
                        "the SMSC's certificate{who} is not valid yet{}: check the clock here and on the SMSC",
                        when.as_deref().map(|w| format!(" (from {w})")).unwrap_or_default()
                    ),
                    CertProblem::WrongName { wanted, presented } => write!(
                        f,
                        "the SMSC's certificate{who} is not issued for '{wanted}'{}: set {} to a name it carries, or connect by that name",
                        if presented.is_empty() {
                            String::new()
                        } else {
                            format!(" but for {}", presented.join(", "))
                        },
                        Opt::TlsServerName
                    ),
                    CertProblem::Other(d) => {
                        write!(f, "the SMSC's certificate{who} is not trusted ({trust}): {d}")
                    }
                }
            }
            TlsError::ClientCertRejected {
                why,
                subject,
                issuer,
                accepted,
            } => write!(
                f,
                "the SMSC did not accept our client certificate{}: {why}; it must trust our certificate's CA{} ({}){}",
                subject.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
                issuer.as_deref().map(|s| format!(" ({s})")).unwrap_or_default(),
                Opt::TlsPathToCertificate,
                accepted_cas(accepted)
            ),
            TlsError::ClientCertRequired { how, accepted } => write!(
                f,
                "the SMSC requires a client certificate: it asked for one and {how} when we sent none{}; set {} = mutual and {} to the PKCS#12 file with our certificate",
                accepted_cas(accepted),
                Opt::TlsMode,
                Opt::TlsPathToCertificate
            ),
            TlsError::ClientCertDates { subject, when } => write!(
                f,
                "our client certificate ({subject}) {when}: the SMSC will refuse it; renew the PKCS#12 file of {}",
                Opt::TlsPathToCertificate
            ),
            TlsError::VersionMismatch { offered, detail } => write!(
                f,
                "no TLS version in common with the SMSC (we offer {offered}): {detail}"
            ),
            TlsError::NotTls {
                what,
                certain: true,
            } => write!(
                f,
                "the SMSC {what}: {} is a plain SMPP port; set {} = off (or give the SMSC's TLS port)",
                Opt::Port,
                Opt::TlsMode
            ),
            TlsError::NotTls {
                what,
                certain: false,
            } => write!(
                f,
                "the SMSC {what}: is {} a plain SMPP port? then set {} = off",
                Opt::Port,
                Opt::TlsMode
            ),
            TlsError::PlainToTls { evidence } => write!(
                f,
                "the SMSC {evidence}: this port expects TLS, set {} = single (or mutual)",
                Opt::TlsMode
            ),
            TlsError::Handshake { detail } => write!(f, "the TLS handshake failed: {detail}"),
            TlsError::Setup { detail } => write!(f, "TLS setup: {detail}"),
        }
    }
}

/// `; it accepts client certificates issued by A, B` (at most three named), or nothing.
fn accepted_cas(names: &[String]) -> String {
    match names.len() {
        0 => String::new(),
        n => format!(
            "; it accepts client certificates issued by {}{}",
            names
                .iter()
                .take(3)
                .map(|n| one_line(n))
                .collect::<Vec<_>>()
                .join(" or "),
            if n > 3 {
                format!(" (and {} more)", n - 3)
            } else {
                String::new()
            }
        ),
    }
}

/// A PKCS#12 error as the channel's user sees it: the loader speaks of the file's password,
/// key password and aliases; this names the options that give them. The other errors are
/// about the file itself, and read as the loader words them.
fn pkcs12_message(e: &Pkcs12Error, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match e {
        Pkcs12Error::Missing { path } => write!(
            f,
            "PKCS#12 file {} does not exist: check {}",
            path.display(),
            Opt::TlsPathToCertificate
        ),
        Pkcs12Error::WrongFilePassword {
            what,
            password_given: true,
        } => write!(
            f,
            "{} is wrong: {}",
            Opt::TlsCertificateFilePassword,
            one_line(what)
        ),
        Pkcs12Error::WrongFilePassword {
            what,
            password_given: false,
        } => write!(
            f,
            "{} is not set but the file needs one: {}",
            Opt::TlsCertificateFilePassword,
            one_line(what)
        ),
        Pkcs12Error::WrongKeyPassword {
            key_password_given: true,
            ..
        } => write!(
            f,
            "{} is wrong: the private key did not decrypt",
            Opt::TlsCertificatePassword
        ),
        Pkcs12Error::WrongKeyPassword {
            key_password_given: false,
            file_password_checked: false,
        } => write!(
            f,
            "{} is wrong (or the key has its own password, {}): the private key did not \
             decrypt with it, and the file has no integrity check (MAC) that could tell the two \
             apart",
            Opt::TlsCertificateFilePassword,
            Opt::TlsCertificatePassword
        ),
        Pkcs12Error::WrongKeyPassword {
            key_password_given: false,
            file_password_checked: true,
        } => write!(
            f,
            "{} is wrong: the private key did not decrypt (it is not set, so the file password \
             was tried): set it to the key's own password",
            Opt::TlsCertificatePassword
        ),
        Pkcs12Error::AliasNotFound { wanted, present } => write!(
            f,
            "{} \"{}\" is not in the file; its key entries are: {}",
            Opt::TlsCertificateAlias,
            one_line(wanted),
            list(present)
        ),
        Pkcs12Error::SeveralKeys { present } => write!(
            f,
            "the file holds {} private keys ({}): choose one with {}",
            present.len(),
            list(present),
            Opt::TlsCertificateAlias
        ),
        other => fmt::Display::fmt(other, f),
    }
}

impl std::error::Error for TlsError {}

impl From<Pkcs12Error> for TlsError {
    fn from(e: Pkcs12Error) -> Self {
        TlsError::Pkcs12(e)
    }
}
