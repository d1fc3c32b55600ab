//! The setup: the channel's TLS options ([`TlsConfig`]) → a `rustls::ClientConfig`, with
//! the client identity (a PKCS#12 file, or PEM files set in code) and the trust sources,
//! and what was found ([`TlsReport`]), built once per client.

use super::certs::{cert_facts, show_time};
use super::error::TlsError;
use super::evidence::{Evidence, Recorder};
use super::pem_files::read_pem;
use super::pkcs12;
use super::resolver::RecordingResolver;
use super::verify::RecordingVerifier;
use crate::config::{Opt, Secret, TlsConfig, TlsMode, TlsVersion};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::RootCertStore;
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

/// The TLS versions offered, for messages. TLS 1.1 is never offered: a lowest version of 1.1
/// offers 1.2 and up.
pub(super) fn offered(min: TlsVersion, max: TlsVersion) -> &'static str {
    match (min, max) {
        (_, TlsVersion::Tls11 | TlsVersion::Tls12) => "TLS 1.2 only",
        (TlsVersion::Tls13, _) => "TLS 1.3 only",
        _ => "TLS 1.2 and 1.3",
    }
}

/// What the setup found, for `esme check` and the logs.
#[derive(Debug, Clone, Default)]
pub struct TlsReport {
    /// The trust sources, e.g. the CA file option's name and "/etc/ca.pem (2 certificates)",
    /// or "the system trust store (140 certificates) + the PKCS#12 file's trust entry
    /// smsc-ca".
    pub trust: String,
    /// The versions offered, e.g. "TLS 1.2 and 1.3".
    pub offered: String,
    /// What the PKCS#12 file holds and what is used of it, when one is configured (in
    /// `single` mode too: it is opened for its trust entries).
    pub keystore: Option<String>,
    /// Our client certificate's subject (mutual).
    pub client_subject: Option<String>,
    /// Our client certificate's issuer (mutual).
    pub client_issuer: Option<String>,
    /// Our client certificate's expiry (mutual).
    pub client_not_after: Option<SystemTime>,
    /// Warnings: hostname checking off, trust entries not used, … (the certificates'
    /// expiry: [`Opt::TlsExpiryWarningDays`], warned about at each connect).
    pub warnings: Vec<String>,
    /// Warnings about the versions: [`Opt::TlsVersion`] = 1.1 (never spoken).
    pub version_warnings: Vec<String>,
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
    /// [`Opt::TlsVersion`] and [`Opt::TlsMaxVersion`] as configured.
    pub min_version: TlsVersion,
    pub max_version: TlsVersion,
    pub report: TlsReport,
    /// The subjects of the trust anchors we were given explicitly (CA file, keystore), to tell
    /// a missing intermediate from an unknown root.
    pub anchor_subjects: Vec<String>,
    /// What the handshake in progress (or the last one) showed.
    pub(super) recorder: Arc<Recorder>,
    /// [`Opt::TlsExpiryWarningDays`].
    pub expiry_warning_days: u32,
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

/// Loads the identity (mutual), the PKCS#12 file (in single mode too, for its trust entries)
/// and the trust, and builds the rustls configuration, for a channel whose [`Opt::TlsMode`]
/// is not off. `host` is the SMSC's name, checked against its certificate unless
/// [`Opt::TlsServerName`] names another.
///
/// The trust, in this order (docs/tls.md "Trust" is the one description): the PEM
/// certificates of [`Opt::TlsCaFile`] when it is set; otherwise the system trust store plus
/// the trust entries of the PKCS#12 file (Java's `trustedCertEntry`); in both cases plus the
/// file's other CA certificates when [`Opt::TlsTrustPkcs12Cas`] is true. A certificate of the
/// CA file, the keystore's trust entries or its CAs that is byte-identical to the SMSC's
/// certificate pins it. Verification is never off.
pub(crate) fn setup(s: &TlsConfig, host: &str) -> Result<TlsSetup, TlsError> {
    let mut report = TlsReport::default();
    let now = SystemTime::now();
    let server_name_text = s.server_name.as_deref().unwrap_or(host);
    let mutual = s.mode == TlsMode::Mutual;

    // The PKCS#12 file: opened whenever it is configured, as Java's driver loads its keystore
    // in both modes (a wrong password or a missing file fails here); its key only in mutual.
    let keystore = match &s.pkcs12_path {
        Some(path) => Some((
            path,
            pkcs12::load_keystore_file(
                path,
                s.file_password.as_ref().map(Secret::expose),
                s.key_password.as_ref().map(Secret::expose),
                s.alias.as_deref(),
                if mutual {
                    pkcs12::KeyUse::Needed
                } else {
                    pkcs12::KeyUse::NotNeeded
                },
            )?,
        )),
        None => None,
    };
    let identity = match (mutual, &keystore, &s.client_pem) {
        (false, _, _) => None,
        (true, Some((_, ks)), _) => ks.identity.as_ref().map(clone_identity),
        (true, None, Some((cert, key))) => Some(load_pem_identity(cert, key)?),
        (true, None, None) => {
            return Err(TlsError::Setup {
                detail: format!("{} is needed for mutual TLS", Opt::TlsPathToCertificate),
            })
        }
    };
    let identity = match identity {
        Some(id) if mutual => {
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
            // Its expiry is warned about at each connect (TlsSetup::expiry_warnings), not
            // once here: a client lives for months.
            report.client_subject = Some(id.subject.clone());
            report.client_issuer = id
                .chain
                .first()
                .and_then(|c| cert_facts(c))
                .map(|f| f.issuer);
            report.client_not_after = id.not_after;
            Some(id)
        }
        _ => None,
    };

    let mut roots = RootCertStore::empty();
    let mut pins: Vec<CertificateDer<'static>> = Vec::new();
    let mut anchor_subjects = Vec::new();
    let mut sources = Vec::new();
    let mut explicit = |roots: &mut RootCertStore, c: &CertificateDer<'static>| {
        if let Some(f) = cert_facts(c) {
            anchor_subjects.push(f.subject);
        }
        if !pins.iter().any(|p| p == c) {
            pins.push(c.clone());
        }
        roots.add(c.clone())
    };
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
            explicit(&mut roots, &c).map_err(|e| TlsError::CaFile {
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
    } else {
        let native = rustls_native_certs::load_native_certs();
        let (added, _) = roots.add_parsable_certificates(native.certs);
        sources.push(format!(
            "the system trust store ({added} certificate{})",
            plural(added)
        ));
    }
    if let Some((path, ks)) = &keystore {
        let names = ks
            .trusted
            .iter()
            .map(|t| t.alias.clone().unwrap_or_else(|| t.subject.clone()))
            .collect::<Vec<_>>();
        let entries = format!(
            "{} trust entr{} ({})",
            names.len(),
            if names.len() == 1 { "y" } else { "ies" },
            pkcs12::list(&names)
        );
        if s.ca_file.is_some() {
            if !ks.trusted.is_empty() {
                report.warnings.push(format!(
                    "the PKCS#12 file's {entries} {} not used: {} is set and replaces {}",
                    if names.len() == 1 { "is" } else { "are" },
                    Opt::TlsCaFile,
                    if names.len() == 1 { "it" } else { "them" },
                ));
            }
        } else if !ks.trusted.is_empty() {
            let mut added = 0;
            for t in &ks.trusted {
                added += usize::from(explicit(&mut roots, &t.cert).is_ok());
            }
            sources.push(format!(
                "the PKCS#12 file's trust entr{} {}",
                if added == 1 { "y" } else { "ies" },
                pkcs12::list(&names)
            ));
        }
        if s.trust_pkcs12_cas {
            let mut added = 0;
            for c in &ks.ca_certs {
                added += usize::from(explicit(&mut roots, c).is_ok());
            }
            sources.push(format!(
                "the PKCS#12 file's CAs ({added} certificate{})",
                plural(added)
            ));
        } else if ks.trusted.is_empty() && !ks.ca_certs.is_empty() && s.ca_file.is_none() {
            report.warnings.push(format!(
                "the PKCS#12 file holds {} CA certificate{} without Java's trusted-entry mark: \
                 not trusted; import {} with `keytool -importcert`, or set {} = true",
                ks.ca_certs.len(),
                plural(ks.ca_certs.len()),
                if ks.ca_certs.len() == 1 { "it" } else { "them" },
                Opt::TlsTrustPkcs12Cas
            ));
        }
        report.keystore = Some(format!(
            "{} opens: {}, {entries}, {} other CA certificate{}",
            path.display(),
            match (&identity, ks.keys) {
                (Some(id), _) => format!(
                    "key{} matches {}",
                    id.alias
                        .as_deref()
                        .map(|a| format!(" {a}"))
                        .unwrap_or_default(),
                    id.subject
                ),
                (None, 0) => "no key entry".to_string(),
                (None, n) => format!(
                    "{n} key entr{} (not used in single mode)",
                    if n == 1 { "y" } else { "ies" }
                ),
            },
            ks.ca_certs.len(),
            plural(ks.ca_certs.len())
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
            (_, TlsVersion::Tls11 | TlsVersion::Tls12) => vec![&rustls::version::TLS12],
            (TlsVersion::Tls13, _) => vec![&rustls::version::TLS13],
            _ => vec![&rustls::version::TLS13, &rustls::version::TLS12],
        };
    let offered = offered(s.min_version, s.max_version);
    report.offered = offered.to_string();
    if s.min_version == TlsVersion::Tls11 {
        report.version_warnings.push(format!(
            "{} = 1.1: esme offers {offered} and never TLS 1.1 (deprecated by RFC 8996); an SMSC \
             that speaks only 1.1 must enable TLS 1.2",
            Opt::TlsVersion
        ));
    }
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
    let recorder = Recorder::new();
    let verifier = Arc::new(RecordingVerifier {
        inner,
        skip_hostname: s.skip_hostname_verification,
        pins,
        recorder: recorder.clone(),
    });
    let key = match identity {
        Some(id) => Some(Arc::new(
            rustls::sign::CertifiedKey::from_der(id.chain, id.key, &provider).map_err(|e| {
                TlsError::Setup {
                    detail: format!("the client certificate cannot be used: {e}"),
                }
            })?,
        )),
        None => None,
    };
    let resolver = Arc::new(RecordingResolver {
        key,
        recorder: recorder.clone(),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&versions)
        .map_err(|e| TlsError::Setup {
            detail: format!("TLS versions: {e}"),
        })?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(resolver);
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
        offered,
        min_version: s.min_version,
        max_version: s.max_version,
        report,
        anchor_subjects,
        recorder,
        expiry_warning_days: s.expiry_warning_days,
    })
}

/// A copy of an identity (the keystore keeps its own).
fn clone_identity(id: &pkcs12::Identity) -> pkcs12::Identity {
    pkcs12::Identity {
        chain: id.chain.clone(),
        key: id.key.clone_key(),
        ca_certs: id.ca_certs.clone(),
        alias: id.alias.clone(),
        not_after: id.not_after,
        not_before: id.not_before,
        subject: id.subject.clone(),
    }
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
        self.recorder.snapshot().presented
    }

    /// What the last handshake showed.
    pub(crate) fn evidence(&self) -> Evidence {
        self.recorder.snapshot()
    }

    /// Our client certificate's expiry warning at `now` (expired, or within
    /// [`Opt::TlsExpiryWarningDays`]), mutual TLS only.
    pub(crate) fn client_expiry_warning(&self, now: SystemTime) -> Option<String> {
        let r = &self.report;
        super::certs::expiry_warning(
            "client certificate",
            r.client_subject.as_deref()?,
            r.client_not_after?,
            now,
            self.expiry_warning_days,
        )
    }

    /// The SMSC's certificate's expiry warning at `now`, from what a handshake showed of it
    /// (`HandshakeInfo::server_subject`, `server_not_after`).
    pub(crate) fn server_expiry_warning(
        &self,
        subject: Option<&str>,
        not_after: Option<SystemTime>,
        now: SystemTime,
    ) -> Option<String> {
        super::certs::expiry_warning(
            "the SMSC's certificate",
            subject?,
            not_after?,
            now,
            self.expiry_warning_days,
        )
    }
}
