//! The setup: the channel's TLS options ([`TlsConfig`]) → a `rustls::ClientConfig`, with
//! the client identity (a PKCS#12 file, or PEM files set in code) and the trust sources,
//! and what was found ([`TlsReport`]), built once per client.

use super::certs::{cert_facts, show_time};
use super::error::TlsError;
use super::pem_files::read_pem;
use super::pkcs12;
use super::verify::RecordingVerifier;
use crate::config::{Opt, Secret, TlsConfig, TlsMode, TlsVersion};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::RootCertStore;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// The TLS versions offered, for messages.
pub(super) fn offered(min: TlsVersion, max: TlsVersion) -> &'static str {
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

/// The provider: ring (small, builds with a C compiler only; see docs/install.md "Runtime
/// dependencies").
pub(super) fn provider() -> Arc<rustls::crypto::CryptoProvider> {
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
        let pem = read_pem(path).map_err(|why| TlsError::CaFile {
            path: shown.clone(),
            why,
        })?;
        let iter = <CertificateDer as rustls::pki_types::pem::PemObject>::pem_slice_iter(&pem);
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
    let chain = CertificateDer::pem_slice_iter(&read_pem(cert).map_err(|why| setup(cert, why))?)
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
    let key_pem = read_pem(key).map_err(key_setup)?;
    let key_der = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| {
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
    let bytes = read_pem(path).ok()?;
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

pub(super) fn plural(n: usize) -> &'static str {
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

impl TlsSetup {
    /// The certificate the SMSC presented on the last handshake, if any.
    pub(crate) fn presented(&self) -> Option<CertificateDer<'static>> {
        self.verifier.seen.lock().ok().and_then(|g| g.clone())
    }
}
