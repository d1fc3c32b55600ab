//! TLS over rustls (ring provider): the channel's TLS options ([`crate::config::TlsConfig`]) →
//! a `rustls::ClientConfig`, the trust sources, and the handshake with a diagnosis for each
//! failure (`handshake.rs`). The connection it gives is a `transport::TlsStream`, which shares
//! it between the reader thread and the writers. `tls` knows nothing of the client.
//!
//! Trust, in this order (documented in the README): the PEM certificates of
//! [`Opt::TlsCaFile`](crate::config::Opt::TlsCaFile); plus the CA certificates inside the
//! PKCS#12 file when [`Opt::TlsTrustPkcs12Cas`](crate::config::Opt::TlsTrustPkcs12Cas) is
//! true; when neither is configured, the operating system's store. Never trust-all. Hostname
//! checking is on unless
//! [`Opt::TlsSkipHostnameVerification`](crate::config::Opt::TlsSkipHostnameVerification) is
//! true.

mod error;
mod handshake;
pub mod pkcs12;
#[cfg(test)]
mod tests;

pub use error::{CertProblem, TlsError};
pub(crate) use handshake::handshake;
pub use handshake::HandshakeInfo;

use crate::config::{Opt, Secret, TlsConfig, TlsMode, TlsVersion};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The TLS versions offered, for messages.
fn offered(min: TlsVersion, max: TlsVersion) -> &'static str {
    match (min, max) {
        (TlsVersion::Tls12, TlsVersion::Tls12) => "TLS 1.2 only",
        (TlsVersion::Tls13, _) => "TLS 1.3 only",
        _ => "TLS 1.2 and 1.3",
    }
}

/// What the setup found, for `esme check` and the logs.
#[derive(Debug, Clone, Default)]
pub struct TlsReport {
    /// The trust source, e.g. the CA file option's name and "/etc/ca.pem (2 certificates)".
    pub trust: String,
    /// Our client certificate's subject (mutual).
    pub client_subject: Option<String>,
    /// Our client certificate's expiry (mutual).
    pub client_not_after: Option<SystemTime>,
    /// Warnings: a client certificate expiring within 30 days, hostname checking off, …
    pub warnings: Vec<String>,
}

/// Built once per client and reused across reconnects: its session cache makes a
/// reconnect a resumed (cheaper) handshake.
pub(crate) struct TlsSetup {
    pub config: Arc<rustls::ClientConfig>,
    pub server_name: ServerName<'static>,
    /// [`Opt::TlsMode`] (single or mutual).
    pub mode: TlsMode,
    /// The name the SMSC's certificate must carry ([`Opt::TlsServerName`], else the host).
    pub wanted_name: String,
    /// The versions offered, e.g. "TLS 1.2 and 1.3".
    pub offered: &'static str,
    pub report: TlsReport,
    verifier: Arc<RecordingVerifier>,
}

impl std::fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsSetup")
            .field("server_name", &self.server_name)
            .field("trust", &self.report.trust)
            .finish_non_exhaustive()
    }
}

/// The provider: ring (small, builds with a C compiler only; see README).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Loads the identity (mutual) and the trust, and builds the rustls configuration, for a
/// channel whose [`Opt::TlsMode`] is not off. `host` is the SMSC's name, checked against its
/// certificate unless [`Opt::TlsServerName`] names another.
pub(crate) fn setup(s: &TlsConfig, host: &str) -> Result<TlsSetup, TlsError> {
    let mut report = TlsReport::default();
    let now = SystemTime::now();
    let wanted = s.mode == TlsMode::Mutual || s.trust_pkcs12_cas;
    let server_name_text = s.server_name.as_deref().unwrap_or(host);
    let identity = match (&s.pkcs12_path, &s.client_pem, wanted) {
        (Some(_), _, true) | (None, Some(_), true) => {
            let id = match (&s.pkcs12_path, &s.client_pem) {
                (Some(path), _) => pkcs12::load_file(
                    path,
                    s.file_password.as_ref().map(Secret::expose),
                    s.key_password.as_ref().map(Secret::expose),
                    s.alias.as_deref(),
                )?,
                (None, Some((cert, key))) => load_pem_identity(cert, key)?,
                (None, None) => unreachable!("matched above"),
            };
            if s.mode == TlsMode::Mutual {
                if let Some(end) = id.not_after.filter(|t| *t < now) {
                    return Err(TlsError::ClientCertDates {
                        subject: id.subject.clone(),
                        when: format!("expired on {}", show_time(end)),
                    });
                }
                if let Some(start) = id.not_before.filter(|t| *t > now) {
                    return Err(TlsError::ClientCertDates {
                        subject: id.subject.clone(),
                        when: format!("is not valid until {}", show_time(start)),
                    });
                }
            }
            if let Some(w) = id.expiry_warning(now) {
                report.warnings.push(w);
            }
            report.client_subject = Some(id.subject.clone());
            report.client_not_after = id.not_after;
            Some(id)
        }
        (None, None, true) => {
            return Err(TlsError::Setup {
                detail: format!(
                    "{} is needed for mutual TLS or {}",
                    Opt::TlsPathToCertificate,
                    Opt::TlsTrustPkcs12Cas
                ),
            })
        }
        _ => None,
    };

    let mut roots = RootCertStore::empty();
    let mut sources = Vec::new();
    if let Some(path) = &s.ca_file {
        let shown = path.display().to_string();
        let iter = <CertificateDer as rustls::pki_types::pem::PemObject>::pem_file_iter(path)
            .map_err(|e| TlsError::CaFile {
                path: shown.clone(),
                why: pem_why(e),
            })?;
        let mut n = 0;
        for c in iter {
            let c = c.map_err(|e| TlsError::CaFile {
                path: shown.clone(),
                why: pem_why(e),
            })?;
            roots.add(c).map_err(|e| TlsError::CaFile {
                path: shown.clone(),
                why: format!("a certificate in it is unusable as a trust anchor: {e}"),
            })?;
            n += 1;
        }
        if n == 0 {
            return Err(TlsError::CaFile {
                path: shown,
                why: "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
            });
        }
        sources.push(format!(
            "{} {shown} ({n} certificate{})",
            Opt::TlsCaFile,
            plural(n)
        ));
    }
    if s.trust_pkcs12_cas {
        if let Some(id) = &identity {
            // Every CA certificate in the file: those of our own chain (intermediate, root:
            // files made with `-chain`) and the others.
            let cas = id.chain.iter().skip(1).chain(id.ca_certs.iter()).cloned();
            let (added, _) = roots.add_parsable_certificates(cas);
            sources.push(format!(
                "the PKCS#12 file's CAs ({added} certificate{})",
                plural(added)
            ));
        }
    }
    if sources.is_empty() {
        let native = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(native.certs);
        sources.push(format!(
            "the system trust store ({added} certificate{})",
            plural(added)
        ));
    }
    report.trust = sources.join(" + ");
    if roots.is_empty() {
        return Err(TlsError::NoTrustAnchors {
            sources: report.trust.clone(),
        });
    }

    let provider = provider();
    let versions: Vec<&'static rustls::SupportedProtocolVersion> =
        match (s.min_version, s.max_version) {
            (TlsVersion::Tls12, TlsVersion::Tls12) => vec![&rustls::version::TLS12],
            (TlsVersion::Tls13, _) => vec![&rustls::version::TLS13],
            _ => vec![&rustls::version::TLS13, &rustls::version::TLS12],
        };
    let inner = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .build()
        .map_err(|e| TlsError::Setup {
            detail: format!("cannot build the certificate verifier: {e}"),
        })?;
    if s.skip_hostname_verification {
        report.warnings.push(format!(
            "{} = true: the SMSC's certificate is not checked against '{server_name_text}' (its chain and dates are)",
            Opt::TlsSkipHostnameVerification
        ));
    }
    let verifier = Arc::new(RecordingVerifier {
        inner,
        skip_hostname: s.skip_hostname_verification,
        seen: Mutex::new(None),
    });
    let builder = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| TlsError::Setup {
            detail: format!("TLS versions: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone());
    let config =
        match (s.mode, identity) {
            (TlsMode::Mutual, Some(id)) => builder
                .with_client_auth_cert(id.chain, id.key)
                .map_err(|e| TlsError::Setup {
                    detail: format!("the client certificate cannot be used: {e}"),
                })?,
            _ => builder.with_no_client_auth(),
        };
    let server_name =
        ServerName::try_from(server_name_text.to_string()).map_err(|_| TlsError::Setup {
            detail: format!(
                "'{server_name_text}' is not a valid DNS name or IP address for TLS: set {}",
                Opt::TlsServerName
            ),
        })?;
    Ok(TlsSetup {
        config: Arc::new(config),
        server_name,
        mode: s.mode,
        wanted_name: server_name_text.to_string(),
        offered: offered(s.min_version, s.max_version),
        report,
        verifier,
    })
}

/// A client identity from a PEM certificate chain (leaf first) and a PEM private key.
fn load_pem_identity(cert: &Path, key: &Path) -> Result<pkcs12::Identity, TlsError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::PrivateKeyDer;
    let setup = |what: &Path, why: String| TlsError::Setup {
        detail: format!("client certificate PEM file {}: {why}", what.display()),
    };
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| setup(cert, pem_why(e)))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| setup(cert, pem_why(e)))?;
    let Some(leaf) = chain.first() else {
        return Err(setup(
            cert,
            "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        ));
    };
    let facts = cert_facts(leaf)
        .ok_or_else(|| setup(cert, "its first certificate cannot be parsed".into()))?;
    let key_setup = |why: String| TlsError::Setup {
        detail: format!("client key PEM file {}: {why}", key.display()),
    };
    let key_der = PrivateKeyDer::from_pem_file(key).map_err(|e| {
        key_setup(match e {
            rustls::pki_types::pem::Error::Io(_) => pem_why(e),
            // Not an unencrypted key: say what the file holds instead (never its contents).
            other => key_file_why(key).unwrap_or_else(|| match other {
                rustls::pki_types::pem::Error::NoItemsFound => {
                    "it holds no unencrypted private key (-----BEGIN PRIVATE KEY-----, \
                     RSA PRIVATE KEY or EC PRIVATE KEY)"
                        .to_string()
                }
                other => pem_why(other),
            }),
        })
    })?;
    // The key must be usable and belong to the leaf certificate: said here, naming both
    // files, rather than later by rustls as "keys may not be consistent".
    match rustls::sign::CertifiedKey::from_der(chain.clone(), key_der.clone_key(), &provider()) {
        Ok(_) => {}
        Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
            return Err(TlsError::Setup {
                detail: format!(
                    "client key PEM file {} does not belong to the certificate in {} ({}): \
                     their public keys differ; give the key the certificate was issued for",
                    key.display(),
                    cert.display(),
                    facts.subject
                ),
            })
        }
        Err(e) => return Err(key_setup(format!("the private key cannot be used: {e}"))),
    }
    Ok(pkcs12::Identity {
        chain,
        key: key_der,
        ca_certs: Vec::new(),
        alias: None,
        not_after: facts.not_after,
        not_before: facts.not_before,
        subject: facts.subject,
    })
}

/// Why a PEM key file yielded no usable key, from the markers it holds (read only to
/// look for them; nothing of it is shown). None when no marker explains it.
fn key_file_why(path: &Path) -> Option<String> {
    let bytes = zeroize::Zeroizing::new(std::fs::read(path).ok()?);
    let has = |m: &[u8]| bytes.windows(m.len()).any(|w| w == m);
    if has(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") || has(b"Proc-Type: 4,ENCRYPTED") {
        Some(
            "the private key in it is encrypted and esme needs it unencrypted \
             (decrypt it with `openssl pkey -in ENCRYPTED.key -out PLAIN.key` and protect that \
             file instead)"
                .into(),
        )
    } else if has(b"-----BEGIN CERTIFICATE-----") {
        Some(
            "it holds no private key, only a certificate (-----BEGIN CERTIFICATE-----): \
             is it the certificate file?"
                .into(),
        )
    } else {
        None
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn pem_why(e: rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error as E;
    match e {
        E::Io(io) if io.kind() == std::io::ErrorKind::NotFound => "no such file".into(),
        E::Io(io) => format!("cannot read it: {io}"),
        E::NoItemsFound => "it holds no PEM certificate (-----BEGIN CERTIFICATE-----)".into(),
        other => format!("not a valid PEM file: {other:?}"),
    }
}

/// The webpki verifier, remembering the certificate the SMSC presented (for the diagnosis
/// and `esme check`), and optionally forgiving a name mismatch (only after the chain and
/// dates verified: webpki checks the name last).
#[derive(Debug)]
struct RecordingVerifier {
    inner: Arc<WebPkiServerVerifier>,
    skip_hostname: bool,
    seen: Mutex<Option<CertificateDer<'static>>>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if let Ok(mut g) = self.seen.lock() {
            *g = Some(end_entity.clone().into_owned());
        }
        match self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.skip_hostname => Ok(ServerCertVerified::assertion()),
            r => r,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Facts about a certificate, for messages.
pub(crate) struct CertFacts {
    pub subject: String,
    pub issuer: String,
    pub not_before: Option<SystemTime>,
    pub not_after: Option<SystemTime>,
    pub names: Vec<String>,
}

pub(crate) fn cert_facts(der: &[u8]) -> Option<CertFacts> {
    use der::Decode;
    use x509_cert::ext::pkix::name::GeneralName;
    use x509_cert::ext::pkix::SubjectAltName;
    let c = x509_cert::Certificate::from_der(der).ok()?;
    let tbs = &c.tbs_certificate;
    let mut names = Vec::new();
    if let Ok(Some((_, san))) = tbs.get::<SubjectAltName>() {
        for n in san.0 {
            match n {
                GeneralName::DnsName(d) => names.push(d.to_string()),
                GeneralName::IpAddress(ip) => {
                    let b = ip.as_bytes();
                    if let Ok(a) = <[u8; 4]>::try_from(b) {
                        names.push(std::net::Ipv4Addr::from(a).to_string());
                    } else if let Ok(a) = <[u8; 16]>::try_from(b) {
                        names.push(std::net::Ipv6Addr::from(a).to_string());
                    }
                }
                _ => {}
            }
        }
    }
    Some(CertFacts {
        subject: tbs.subject.to_string(),
        issuer: tbs.issuer.to_string(),
        not_before: Some(tbs.validity.not_before.to_system_time()),
        not_after: Some(tbs.validity.not_after.to_system_time()),
        names,
    })
}

/// A date for messages: `2026-11-26 14:03 UTC`.
pub(crate) fn show_time(t: SystemTime) -> String {
    let secs = t
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_else(|e| -(e.duration().as_secs() as i64));
    let days = secs.div_euclid(86400);
    let rem = secs.rem_euclid(86400);
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        (rem % 3600) / 60
    )
}

impl TlsSetup {
    /// The certificate the SMSC presented on the last handshake, if any.
    pub(crate) fn presented(&self) -> Option<CertificateDer<'static>> {
        self.verifier.seen.lock().ok().and_then(|g| g.clone())
    }

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
fn alert_name(a: rustls::AlertDescription) -> String {
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
