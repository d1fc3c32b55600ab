//! PKCS#12 (RFC 7292, `.p12`/`.pfx`) loader for the TLS client identity.
//!
//! Opens the files that OpenSSL 1.x/3.x, Java `keytool`/`KeyStore` and Windows exports write:
//! - integrity: password MAC (HMAC with SHA-1, SHA-224, SHA-256, SHA-384 or SHA-512, key from
//!   the PKCS#12 KDF), or none;
//! - privacy: PBES2 (PBKDF2 with HMAC-SHA1/SHA-2, AES-128/192/256-CBC or DES-EDE3-CBC), the
//!   legacy PKCS#12 schemes pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd2-KeyTripleDES-CBC,
//!   pbeWithSHAAnd128BitRC2-CBC and pbeWithSHAAnd40BitRC2-CBC, or none.
//!
//! Not supported (reported as [`Pkcs12Error::Unsupported`], naming the OID): the RC4 schemes,
//! PKCS#5 v1.5 PBES1, PBMAC1 (OpenSSL 3.4+ `-pbmac1_pbkdf2`), public-key integrity and privacy
//! modes (signedData, envelopedData), and BER indefinite-length files.
//!
//! [`Opt::TlsCertificateFilePassword`](crate::config::Opt::TlsCertificateFilePassword) checks the
//! MAC and decrypts encrypted certificate bags;
//! [`Opt::TlsCertificatePassword`](crate::config::Opt::TlsCertificatePassword) decrypts the private
//! key (the file password is tried when it is not set). Passwords are copied into zeroizing buffers
//! and never appear in errors.
//!
//! Everything is composed from RustCrypto's `pkcs12`/`pkcs5`/`pkcs8`/`cms`/`x509-cert`/`der`
//! types and ciphers; the key is checked against its certificate with rustls' ring provider.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use der::asn1::{BmpString, ContextSpecific, ObjectIdentifier, OctetString, Utf8StringRef};
use der::{Any, Decode, Encode, Reader};
use pkcs12::cert_type::CertBag;
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::mac_data::MacData;
use pkcs12::pbe_params::{EncryptedPrivateKeyInfo, Pkcs12PbeParams};
use pkcs12::pfx::Pfx;
use pkcs12::safe_bag::{SafeBag, SafeContents};
use rustls::crypto::ring::sign::any_supported_type;
use rustls::sign::SigningKey;
use rustls::SignatureScheme;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// The Genesys option that chooses a key entry by alias.
const ALIAS_OPTION: &str = "x-smpp-tls-certificate-alias";
/// Largest file read (a client identity is a few kilobytes).
const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;
/// Largest KDF iteration count accepted (OpenSSL uses 2048, Java 10000; the RFC 8018 advice
/// for "especially critical keys" is 10 million).
const MAX_ITERATIONS: u32 = 10_000_000;
/// Deepest nesting of safeContents bags followed.
const MAX_DEPTH: usize = 8;
/// The message signed to check that the key belongs to the certificate.
const PROBE_MESSAGE: &[u8] = b"esme PKCS#12 loader: does this key match its certificate?";

// --- OIDs ---
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_SIGNED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.2");
const ID_ENVELOPED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.3");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
const SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
const SHA224: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.4");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.2");
const SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.3");
const PBES2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.5.13");
const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.113");
const DSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10040.4.1");
const RSA_PSS: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");

/// Names of the OIDs this module reports, for error messages.
fn oid_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.2.840.113549.1.12.1.1" => "pbeWithSHAAnd128BitRC4",
        "1.2.840.113549.1.12.1.2" => "pbeWithSHAAnd40BitRC4",
        "1.2.840.113549.1.12.1.3" => "pbeWithSHAAnd3-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.4" => "pbeWithSHAAnd2-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.5" => "pbeWithSHAAnd128BitRC2-CBC",
        "1.2.840.113549.1.12.1.6" => "pbeWithSHAAnd40BitRC2-CBC",
        "1.2.840.113549.1.5.1" => "pbeWithMD2AndDES-CBC",
        "1.2.840.113549.1.5.3" => "pbeWithMD5AndDES-CBC",
        "1.2.840.113549.1.5.4" => "pbeWithMD2AndRC2-CBC",
        "1.2.840.113549.1.5.6" => "pbeWithMD5AndRC2-CBC",
        "1.2.840.113549.1.5.10" => "pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.5.11" => "pbeWithSHA1AndRC2-CBC",
        "1.2.840.113549.1.5.12" => "PBKDF2",
        "1.2.840.113549.1.5.13" => "PBES2",
        "1.2.840.113549.1.5.14" => "PBMAC1",
        "1.3.6.1.4.1.11591.4.11" => "scrypt",
        "1.2.840.113549.1.7.2" => "signedData",
        "1.2.840.113549.1.7.3" => "envelopedData",
        "1.3.14.3.2.7" => "DES-CBC",
        "1.2.840.113549.3.2" => "RC2-CBC",
        "1.2.840.113549.3.7" => "DES-EDE3-CBC",
        "2.16.840.1.101.3.4.1.2" => "AES-128-CBC",
        "2.16.840.1.101.3.4.1.22" => "AES-192-CBC",
        "2.16.840.1.101.3.4.1.42" => "AES-256-CBC",
        "2.16.840.1.101.3.4.1.6" => "AES-128-GCM",
        "2.16.840.1.101.3.4.1.46" => "AES-256-GCM",
        "1.2.840.113549.2.5" => "MD5",
        "1.2.840.113549.2.2" => "MD2",
        "1.2.840.113549.2.7" => "hmacWithSHA1",
        "1.2.840.113549.2.9" => "hmacWithSHA256",
        "1.3.14.3.2.26" => "SHA-1",
        "2.16.840.1.101.3.4.2.1" => "SHA-256",
        "2.16.840.1.101.3.4.2.2" => "SHA-384",
        "2.16.840.1.101.3.4.2.3" => "SHA-512",
        "2.16.840.1.101.3.4.2.4" => "SHA-224",
        "2.16.840.1.101.3.4.2.5" => "SHA-512/224",
        "2.16.840.1.101.3.4.2.6" => "SHA-512/256",
        "1.2.643.7.1.1.2.2" => "GOST R 34.11-2012 (256)",
        "1.2.643.7.1.1.2.3" => "GOST R 34.11-2012 (512)",
        _ => return None,
    })
}

/// A client identity read from a PKCS#12 file.
pub struct Identity {
    /// The leaf certificate first, then its issuers found in the file (leaf → root).
    pub chain: Vec<CertificateDer<'static>>,
    /// The private key as PKCS#8, usable by rustls' ring provider.
    pub key: PrivateKeyDer<'static>,
    /// Certificates in the file that are not in the leaf's chain (candidate trust anchors).
    pub ca_certs: Vec<CertificateDer<'static>>,
    /// The friendlyName of the chosen key entry (of its certificate when the key has none).
    pub alias: Option<String>,
    /// The leaf certificate's notAfter.
    pub not_after: Option<SystemTime>,
    /// The leaf certificate's notBefore.
    pub not_before: Option<SystemTime>,
    /// The leaf certificate's subject, RFC 4514 style (`CN=…,O=…,C=…`).
    pub subject: String,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Identity")
            .field("subject", &self.subject)
            .field("alias", &self.alias)
            .field(
                "key",
                &format_args!("<{} private key, redacted>", self.key_type()),
            )
            .field(
                "chain",
                &format_args!("{} certificate(s)", self.chain.len()),
            )
            .field(
                "ca_certs",
                &format_args!("{} certificate(s)", self.ca_certs.len()),
            )
            .field("not_before", &self.not_before.map(Date))
            .field("not_after", &self.not_after.map(Date))
            .finish()
    }
}

/// Shows a time as `YYYY-MM-DDTHH:MM:SSZ`.
struct Date(SystemTime);

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match der::DateTime::from_system_time(self.0) {
            Ok(d) => write!(f, "{d}"),
            Err(_) => write!(f, "{:?}", self.0),
        }
    }
}

impl Identity {
    /// The key's type, for logs: `RSA 2048`, `ECDSA P-256`, `Ed25519`, …
    pub fn key_type(&self) -> String {
        let PrivateKeyDer::Pkcs8(der) = &self.key else {
            return "unknown".into();
        };
        let Ok(info) = pkcs8::PrivateKeyInfo::from_der(der.secret_pkcs8_der()) else {
            return "unknown".into();
        };
        key_type_name(&info)
    }

    /// Whole days from `now` until the leaf certificate expires (negative once expired).
    pub fn days_left(&self, now: SystemTime) -> Option<i64> {
        const DAY: u64 = 86_400;
        let not_after = self.not_after?;
        Some(match not_after.duration_since(now) {
            Ok(left) => (left.as_secs() / DAY) as i64,
            Err(e) => -(e.duration().as_secs().div_ceil(DAY) as i64),
        })
    }

    /// One line to log when the certificate has expired, expires within 30 days or is not
    /// valid yet; `None` otherwise.
    pub fn expiry_warning(&self, now: SystemTime) -> Option<String> {
        if let Some(nb) = self.not_before {
            if now < nb {
                return Some(format!(
                    "client certificate \"{}\" is not valid until {} (check the clock)",
                    self.subject,
                    Date(nb)
                ));
            }
        }
        let days = self.days_left(now)?;
        let not_after = Date(self.not_after?);
        if days < 0 {
            Some(format!(
                "client certificate \"{}\" expired on {not_after} ({} days ago): renew it",
                self.subject, -days
            ))
        } else if days <= 30 {
            Some(format!(
                "client certificate \"{}\" expires on {not_after}, in {days} days: renew it",
                self.subject
            ))
        } else {
            None
        }
    }
}

/// Why a PKCS#12 file did not give a client identity. Display is one line with a hint and
/// never contains a password.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pkcs12Error {
    /// The file does not exist.
    Missing {
        /// The path given.
        path: PathBuf,
    },
    /// The file exists but could not be read.
    Unreadable {
        /// The path given.
        path: PathBuf,
        /// The operating system's reason.
        why: String,
    },
    /// The bytes are not a PKCS#12 file (or are a damaged one).
    NotPkcs12 {
        /// What it looks like instead, or what is broken.
        why: String,
    },
    /// The file password is wrong (or missing): the MAC did not verify, or the encrypted
    /// certificates did not decrypt.
    WrongFilePassword {
        /// What failed, e.g. "the file's integrity check (MAC, HMAC-SHA256) failed".
        what: String,
        /// Whether
        /// [`Opt::TlsCertificateFilePassword`](crate::config::Opt::TlsCertificateFilePassword) was
        /// set.
        password_given: bool,
    },
    /// The private key did not decrypt with the key password (or, when none was set, with
    /// the file password).
    WrongKeyPassword {
        /// Whether [`Opt::TlsCertificatePassword`](crate::config::Opt::TlsCertificatePassword) was
        /// set.
        key_password_given: bool,
    },
    /// An algorithm the loader does not implement.
    Unsupported {
        /// What it is used for, e.g. "encryption", "MAC".
        what: String,
        /// Its OID, dotted.
        oid: String,
    },
    /// No private key in the file.
    NoPrivateKey,
    /// No certificate in the file for the chosen key.
    NoCertificate,
    /// The chosen key does not belong to its certificate.
    KeyDoesNotMatchCertificate {
        /// The certificate's subject.
        subject: String,
    },
    /// No key entry has the alias asked for.
    AliasNotFound {
        /// The alias asked for.
        wanted: String,
        /// The aliases of the key entries present.
        present: Vec<String>,
    },
    /// Several key entries and no alias to choose one.
    SeveralKeys {
        /// Their aliases.
        present: Vec<String>,
    },
    /// A key type rustls/ring cannot use for client authentication.
    UnsupportedKey {
        /// Which and why.
        why: String,
    },
}

impl fmt::Display for Pkcs12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { path } => write!(
                f,
                "PKCS#12 file {} does not exist: check x-smpp-tls-path-to-certificate",
                path.display()
            ),
            Self::Unreadable { path, why } => write!(
                f,
                "cannot read PKCS#12 file {}: {}: check the file's permissions for the service account",
                path.display(),
                one_line(why)
            ),
            Self::NotPkcs12 { why } => write!(f, "not a PKCS#12 file: {}", one_line(why)),
            Self::WrongFilePassword { what, password_given: true } => write!(
                f,
                "x-smpp-tls-certificate-file-password is wrong: {}",
                one_line(what)
            ),
            Self::WrongFilePassword { what, password_given: false } => write!(
                f,
                "x-smpp-tls-certificate-file-password is not set but the file needs one: {}",
                one_line(what)
            ),
            Self::WrongKeyPassword { key_password_given: true } => f.write_str(
                "x-smpp-tls-certificate-password is wrong: the private key did not decrypt",
            ),
            Self::WrongKeyPassword { key_password_given: false } => f.write_str(
                "x-smpp-tls-certificate-password is wrong: the private key did not decrypt \
                 (it is not set, so the file password was tried): set it to the key's own password",
            ),
            Self::Unsupported { what, oid } => {
                write!(f, "unsupported {} {oid}", one_line(what))?;
                if let Some(name) = oid_name(oid) {
                    write!(f, " ({name})")?;
                }
                f.write_str(
                    ": re-export the file, e.g. `openssl pkcs12 -export` (AES-256-CBC, HMAC-SHA256)",
                )
            }
            Self::NoPrivateKey => f.write_str(
                "the file holds no private key (a trust store?): export the client certificate \
                 with its key, e.g. `openssl pkcs12 -export -inkey client.key -in client.crt -out client.p12`",
            ),
            Self::NoCertificate => f.write_str(
                "the file holds no certificate for the private key: export the key with its \
                 certificate, e.g. `openssl pkcs12 -export -inkey client.key -in client.crt -out client.p12`",
            ),
            Self::KeyDoesNotMatchCertificate { subject } => write!(
                f,
                "the private key does not match the certificate \"{}\": the file pairs a key with \
                 another key's certificate; export the right pair",
                one_line(subject)
            ),
            Self::AliasNotFound { wanted, present } => write!(
                f,
                "{ALIAS_OPTION} \"{}\" is not in the file; its key entries are: {}",
                one_line(wanted),
                list(present)
            ),
            Self::SeveralKeys { present } => write!(
                f,
                "the file holds {} private keys ({}): choose one with {ALIAS_OPTION}",
                present.len(),
                list(present)
            ),
            Self::UnsupportedKey { why } => {
                write!(f, "the private key cannot be used for TLS: {}", one_line(why))
            }
        }
    }
}

impl std::error::Error for Pkcs12Error {}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "(none)".into();
    }
    names
        .iter()
        .map(|n| format!("\"{}\"", one_line(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn not_pkcs12(why: impl Into<String>) -> Pkcs12Error {
    Pkcs12Error::NotPkcs12 { why: why.into() }
}

fn damaged(what: &str, e: der::Error) -> Pkcs12Error {
    not_pkcs12(format!("damaged {what}: {e}"))
}

fn unsupported(what: &str, oid: &ObjectIdentifier) -> Pkcs12Error {
    Pkcs12Error::Unsupported {
        what: what.into(),
        oid: oid.to_string(),
    }
}

/// Reads and loads a PKCS#12 file; see [`load`].
pub fn load_file(
    path: &Path,
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
) -> Result<Identity, Pkcs12Error> {
    use std::io::Read;
    let unreadable = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => Pkcs12Error::Missing {
            path: path.to_path_buf(),
        },
        _ => Pkcs12Error::Unreadable {
            path: path.to_path_buf(),
            why: e.to_string(),
        },
    };
    let file = std::fs::File::open(path).map_err(unreadable)?;
    if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
        return Err(Pkcs12Error::Unreadable {
            path: path.to_path_buf(),
            why: "it is a directory".into(),
        });
    }
    let mut der = Vec::new();
    file.take(MAX_FILE_SIZE + 1)
        .read_to_end(&mut der)
        .map_err(unreadable)?;
    if der.len() as u64 > MAX_FILE_SIZE {
        return Err(not_pkcs12(format!(
            "the file is larger than {} MiB",
            MAX_FILE_SIZE >> 20
        )));
    }
    load(&der, file_password, key_password, alias)
}

/// Loads a client identity from the bytes of a PKCS#12 file.
///
/// - `file_password`
///   ([`Opt::TlsCertificateFilePassword`](crate::config::Opt::TlsCertificateFilePassword)) verifies
///   the MAC and decrypts encrypted certificate bags. `None` and `""` both open files made without
///   a password. When it is `None` and the file needs one, `key_password` is tried too.
/// - `key_password` ([`Opt::TlsCertificatePassword`](crate::config::Opt::TlsCertificatePassword))
///   decrypts the private key; when `None`, the file password is used.
/// - `alias` ([`Opt::TlsCertificateAlias`](crate::config::Opt::TlsCertificateAlias)) chooses the
///   key entry by friendlyName, ignoring case; without it the file must hold exactly one key.
///
/// The key is checked against the leaf certificate by signing a probe message with it.
pub fn load(
    der: &[u8],
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
) -> Result<Identity, Pkcs12Error> {
    let file_pw = file_password.map(|p| Zeroizing::new(p.to_owned()));
    let key_pw = key_password.map(|p| Zeroizing::new(p.to_owned()));
    let mut file_candidates: Vec<&str> = vec![file_pw.as_ref().map_or("", |p| p.as_str())];
    if file_pw.is_none() {
        if let Some(k) = &key_pw {
            file_candidates.push(k.as_str());
        }
    }
    let file_password_given = file_pw.is_some();

    let pfx = parse_pfx(der)?;
    if pfx.auth_safe.content_type != ID_DATA {
        return Err(if pfx.auth_safe.content_type == ID_SIGNED_DATA {
            unsupported("integrity mode (public-key, signedData)", &ID_SIGNED_DATA)
        } else {
            not_pkcs12(format!(
                "the authenticated safe has content type {}, not data",
                pfx.auth_safe.content_type
            ))
        });
    }
    let auth_safe = pfx
        .auth_safe
        .content
        .decode_as::<OctetString>()
        .map_err(|e| damaged("authenticated safe", e))?;

    // Integrity: the MAC tells which password is the file's.
    if let Some(mac) = &pfx.mac_data {
        let i = verify_mac(
            mac,
            auth_safe.as_bytes(),
            &file_candidates,
            file_password_given,
        )?;
        file_candidates.swap(0, i);
        file_candidates.truncate(1);
    }

    let infos: Vec<ContentInfo> =
        Vec::from_der(auth_safe.as_bytes()).map_err(|e| damaged("authenticated safe", e))?;
    let mut entries = Entries::default();
    for info in infos {
        let bags = if info.content_type == ID_DATA {
            let data = info
                .content
                .decode_as::<OctetString>()
                .map_err(|e| damaged("safe contents", e))?;
            SafeContents::from_der(data.as_bytes()).map_err(|e| damaged("safe contents", e))?
        } else if info.content_type == ID_ENCRYPTED_DATA {
            let enc = info
                .content
                .decode_as::<EncryptedData>()
                .map_err(|e| damaged("encrypted safe contents", e))?;
            let alg = &enc.enc_content_info.content_enc_alg;
            let Some(ciphertext) = &enc.enc_content_info.encrypted_content else {
                continue;
            };
            let plain = decrypt(alg, &file_candidates, ciphertext.as_bytes(), |p| {
                SafeContents::from_der(p).is_ok()
            })
            .map_err(|e| match e {
                DecryptError::Failed => Pkcs12Error::WrongFilePassword {
                    what: format!(
                        "the certificates (encryptedData, {}) did not decrypt",
                        describe_alg(alg)
                    ),
                    password_given: file_password_given,
                },
                DecryptError::Fatal(e) => e,
            })?;
            SafeContents::from_der(&plain).map_err(|e| damaged("safe contents", e))?
        } else if info.content_type == ID_ENVELOPED_DATA {
            return Err(unsupported(
                "privacy mode (public-key, envelopedData)",
                &ID_ENVELOPED_DATA,
            ));
        } else {
            return Err(unsupported(
                "authenticated safe content",
                &info.content_type,
            ));
        };
        entries.collect(bags, 0)?;
    }

    // Choose the key entry.
    let Entries { keys, certs } = entries;
    if keys.is_empty() {
        return Err(Pkcs12Error::NoPrivateKey);
    }
    let aliases: Vec<Option<String>> = keys.iter().map(|k| key_alias(k, &certs)).collect();
    let present = || -> Vec<String> {
        aliases
            .iter()
            .map(|a| a.clone().unwrap_or_else(|| "(no alias)".into()))
            .collect()
    };
    let chosen = match alias {
        Some(wanted) => aliases
            .iter()
            .position(|a| {
                a.as_deref()
                    .is_some_and(|a| a.to_lowercase() == wanted.to_lowercase())
            })
            .ok_or_else(|| Pkcs12Error::AliasNotFound {
                wanted: wanted.into(),
                present: present(),
            })?,
        None if keys.len() == 1 => 0,
        None => return Err(Pkcs12Error::SeveralKeys { present: present() }),
    };
    let key_entry = &keys[chosen];

    // Decrypt the key.
    let (key_candidates, key_password_given): (Vec<&str>, bool) = match &key_pw {
        Some(k) => (vec![k.as_str()], true),
        None => (file_candidates.clone(), false),
    };
    let pkcs8 = match &key_entry.key {
        KeySource::Plain(der) => der.clone(),
        KeySource::Shrouded(epki) => decrypt(
            &epki.encryption_algorithm,
            &key_candidates,
            epki.encrypted_data.as_bytes(),
            |p| pkcs8::PrivateKeyInfo::from_der(p).is_ok(),
        )
        .map_err(|e| match e {
            DecryptError::Failed => Pkcs12Error::WrongKeyPassword { key_password_given },
            DecryptError::Fatal(e) => e,
        })?,
    };
    check_key_type(&pkcs8)?;

    // Find its certificate and check that they belong together.
    let (leaf, pkcs8) = match_certificate(key_entry, pkcs8, &certs)?;

    // The chain, leaf first, then the issuers found in the file.
    let mut chain = vec![leaf];
    while chain.len() < 16 {
        let Some(current) = &certs[*chain.last().unwrap_or(&leaf)].parsed else {
            break;
        };
        let tbs = &current.tbs_certificate;
        if tbs.issuer == tbs.subject {
            break;
        }
        let next = certs.iter().enumerate().position(|(i, c)| {
            !chain.contains(&i)
                && c.der != certs[leaf].der
                && c.parsed
                    .as_ref()
                    .is_some_and(|p| p.tbs_certificate.subject == tbs.issuer)
        });
        match next {
            Some(i) => chain.push(i),
            None => break,
        }
    }
    let mut ca_certs: Vec<CertificateDer<'static>> = Vec::new();
    for (i, c) in certs.iter().enumerate() {
        let in_chain = chain.iter().any(|&j| certs[j].der == c.der);
        if !chain.contains(&i) && !in_chain && !ca_certs.iter().any(|d| d.as_ref() == c.der) {
            ca_certs.push(CertificateDer::from(c.der.clone()));
        }
    }

    let leaf_cert = certs[leaf]
        .parsed
        .as_ref()
        .ok_or(Pkcs12Error::NoCertificate)?;
    let validity = &leaf_cert.tbs_certificate.validity;
    Ok(Identity {
        chain: chain
            .iter()
            .map(|&i| CertificateDer::from(certs[i].der.clone()))
            .collect(),
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(pkcs8.to_vec())),
        ca_certs,
        alias: aliases[chosen].clone(),
        not_after: Some(validity.not_after.to_system_time()),
        not_before: Some(validity.not_before.to_system_time()),
        subject: leaf_cert.tbs_certificate.subject.to_string(),
    })
}

/// Decodes the outer PFX, explaining what the bytes are when they are not one.
fn parse_pfx(der: &[u8]) -> Result<Pfx, Pkcs12Error> {
    if der.is_empty() {
        return Err(not_pkcs12("the file is empty"));
    }
    if der.starts_with(&[0xFE, 0xED, 0xFE, 0xED]) {
        return Err(not_pkcs12(
            "this is a Java JKS keystore: convert with keytool -importkeystore -srckeystore FILE \
             -destkeystore client.p12 -deststoretype PKCS12",
        ));
    }
    if der.starts_with(&[0xCE, 0xCE, 0xCE, 0xCE]) {
        return Err(not_pkcs12(
            "this is a Java JCEKS keystore: convert with keytool -importkeystore -srckeystore FILE \
             -srcstoretype JCEKS -destkeystore client.p12 -deststoretype PKCS12",
        ));
    }
    let text = der.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(der);
    let trimmed = text.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") {
        let label: String = trimmed[5..]
            .iter()
            .take_while(|&&b| b != b'\n' && b != b'\r')
            .take(40)
            .map(|&b| {
                if b.is_ascii_graphic() || b == b' ' {
                    b as char
                } else {
                    '?'
                }
            })
            .collect();
        return Err(not_pkcs12(format!(
            "this looks like a PEM file ({label}), not PKCS#12: convert with \
             `openssl pkcs12 -export -inkey client.key -in client.crt -out client.p12`"
        )));
    }
    if trimmed.starts_with(b"MII")
        && trimmed[..trimmed.len().min(64)]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\r' | b'\n'))
    {
        return Err(not_pkcs12(
            "this looks like base64 text: decode it first (base64 -d FILE > client.p12)",
        ));
    }
    if der[0] != 0x30 {
        return Err(not_pkcs12(
            "it does not start with an ASN.1 SEQUENCE (is it a .p12/.pfx file?)",
        ));
    }
    if der.get(1) == Some(&0x80) {
        return Err(not_pkcs12(
            "it uses BER indefinite-length encoding, which this loader does not read: \
             re-export it with `openssl pkcs12`",
        ));
    }
    Pfx::from_der(der).map_err(|e| {
        if Certificate::from_der(der).is_ok() {
            not_pkcs12("this is a DER X.509 certificate without its key: export certificate and key with `openssl pkcs12 -export`")
        } else if pkcs8::PrivateKeyInfo::from_der(der).is_ok()
            || EncryptedPrivateKeyInfo::from_der(der).is_ok()
        {
            not_pkcs12("this is a DER PKCS#8 private key without its certificate: export certificate and key with `openssl pkcs12 -export`")
        } else {
            damaged("or not a PKCS#12 (PFX) structure", e)
        }
    })
}

/// Verifies the MAC with each candidate password; returns the index of the one that worked.
fn verify_mac(
    mac: &MacData,
    data: &[u8],
    candidates: &[&str],
    password_given: bool,
) -> Result<usize, Pkcs12Error> {
    let oid = mac.mac.algorithm.oid;
    let name = match oid {
        SHA1 => "HMAC-SHA1",
        SHA224 => "HMAC-SHA224",
        SHA256 => "HMAC-SHA256",
        SHA384 => "HMAC-SHA384",
        SHA512 => "HMAC-SHA512",
        _ => return Err(unsupported("MAC algorithm", &oid)),
    };
    let rounds = iterations(mac.iterations)?;
    let salt = mac.mac_salt.as_bytes();
    let expected = mac.mac.digest.as_bytes();
    for (i, password) in candidates.iter().enumerate() {
        for bmp in bmp_forms(password) {
            let ok = match oid {
                SHA1 => hmac_matches::<sha1::Sha1>(&bmp, salt, rounds, data, expected),
                SHA224 => hmac_matches::<sha2::Sha224>(&bmp, salt, rounds, data, expected),
                SHA256 => hmac_matches::<sha2::Sha256>(&bmp, salt, rounds, data, expected),
                SHA384 => hmac_matches::<sha2::Sha384>(&bmp, salt, rounds, data, expected),
                _ => hmac_matches::<sha2::Sha512>(&bmp, salt, rounds, data, expected),
            };
            if ok {
                return Ok(i);
            }
        }
    }
    Err(Pkcs12Error::WrongFilePassword {
        what: format!("the file's integrity check (MAC, {name}) failed"),
        password_given,
    })
}

fn hmac_matches<D>(bmp: &[u8], salt: &[u8], rounds: i32, data: &[u8], expected: &[u8]) -> bool
where
    D: sha2::Digest + sha2::digest::FixedOutputReset + sha2::digest::core_api::BlockSizeUser,
{
    use hmac::Mac;
    let size = <D as sha2::Digest>::output_size();
    let key = Zeroizing::new(derive_key::<D>(bmp, salt, Pkcs12KeyType::Mac, rounds, size));
    let Ok(mut mac) = <hmac::SimpleHmac<D> as Mac>::new_from_slice(&key) else {
        return false;
    };
    mac.update(data);
    mac.verify_slice(expected).is_ok()
}

fn iterations(n: impl TryInto<u32>) -> Result<i32, Pkcs12Error> {
    match n.try_into() {
        Ok(n @ 1..=MAX_ITERATIONS) => Ok(n as i32),
        _ => Err(not_pkcs12(format!(
            "damaged: an iteration count is not between 1 and {MAX_ITERATIONS}"
        ))),
    }
}

/// The password as the PKCS#12 KDF takes it: BMPString (UTF-16BE) with a trailing NUL. The
/// empty password has two encodings in the wild (just the NUL, or nothing at all: OpenSSL
/// with a NULL password), so both are tried.
fn bmp_forms(password: &str) -> Vec<Zeroizing<Vec<u8>>> {
    if password.is_empty() {
        return vec![Zeroizing::new(vec![0, 0]), Zeroizing::new(Vec::new())];
    }
    let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
    for unit in password.encode_utf16() {
        bmp.extend_from_slice(&unit.to_be_bytes());
    }
    bmp.extend_from_slice(&[0, 0]);
    vec![bmp]
}

enum DecryptError {
    /// No candidate password gave a plaintext that `valid` accepts.
    Failed,
    /// Unsupported or damaged parameters.
    Fatal(Pkcs12Error),
}

/// "PBES2 AES-256-CBC" or "pbeWithSHAAnd40BitRC2-CBC", for messages.
fn describe_alg(alg: &AlgorithmIdentifierOwned) -> String {
    let oid = alg.oid.to_string();
    if alg.oid == PBES2 {
        if let Ok(der) = alg.to_der() {
            if let Ok(pkcs5::EncryptionScheme::Pbes2(p)) = pkcs5::EncryptionScheme::from_der(&der) {
                let cipher = p.encryption.oid().to_string();
                return format!("PBES2 {}", oid_name(&cipher).unwrap_or(&cipher));
            }
        }
    }
    oid_name(&oid).map_or(oid, String::from)
}

/// Decrypts with each candidate password (and each of its encodings) until the plaintext is
/// accepted by `valid`: a wrong password gives bad padding or garbage.
fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    candidates: &[&str],
    ciphertext: &[u8],
    valid: impl Fn(&[u8]) -> bool,
) -> Result<Zeroizing<Vec<u8>>, DecryptError> {
    let fatal = DecryptError::Fatal;
    let legacy = match alg.oid.to_string().as_str() {
        "1.2.840.113549.1.12.1.3" => Some(Legacy::TripleDes3),
        "1.2.840.113549.1.12.1.4" => Some(Legacy::TripleDes2),
        "1.2.840.113549.1.12.1.5" => Some(Legacy::Rc2(128)),
        "1.2.840.113549.1.12.1.6" => Some(Legacy::Rc2(40)),
        _ => None,
    };
    if let Some(scheme) = legacy {
        let params = alg
            .parameters
            .as_ref()
            .ok_or_else(|| fatal(not_pkcs12("damaged: PBE parameters missing")))?
            .decode_as::<Pkcs12PbeParams>()
            .map_err(|e| fatal(damaged("PBE parameters", e)))?;
        let rounds = iterations(params.iterations).map_err(fatal)?;
        for password in candidates {
            for bmp in bmp_forms(password) {
                if let Some(plain) =
                    scheme.decrypt(&bmp, params.salt.as_bytes(), rounds, ciphertext)
                {
                    if valid(&plain) {
                        return Ok(plain);
                    }
                }
            }
        }
        return Err(DecryptError::Failed);
    }
    if alg.oid != PBES2 {
        return Err(fatal(unsupported("encryption", &alg.oid)));
    }
    let der = alg
        .to_der()
        .map_err(|e| fatal(damaged("PBES2 parameters", e)))?;
    let scheme = pkcs5::EncryptionScheme::from_der(&der).map_err(|e| {
        fatal(match e.kind() {
            der::ErrorKind::OidUnknown { oid } => unsupported("PBES2 algorithm", &oid),
            _ => damaged("PBES2 parameters", e),
        })
    })?;
    let Some(params) = scheme.pbes2() else {
        return Err(fatal(unsupported("encryption", &alg.oid)));
    };
    if let Some(pbkdf2) = params.kdf.pbkdf2() {
        iterations(pbkdf2.iteration_count).map_err(fatal)?;
    } else {
        return Err(fatal(unsupported(
            "PBES2 key derivation",
            &params.kdf.oid(),
        )));
    }
    let mut tried: Vec<&str> = Vec::new();
    for password in candidates {
        if tried.contains(password) {
            continue;
        }
        tried.push(password);
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        match params.decrypt_in_place(password.as_bytes(), &mut buf) {
            Ok(plain) => {
                if valid(plain) {
                    let n = plain.len();
                    buf.truncate(n);
                    return Ok(buf);
                }
            }
            // pkcs5 0.7 reports bad padding (a wrong password) as `EncryptFailed`.
            Err(pkcs5::Error::DecryptFailed | pkcs5::Error::EncryptFailed) => {}
            Err(pkcs5::Error::UnsupportedAlgorithm { oid }) => {
                return Err(fatal(unsupported("PBES2 algorithm", &oid)))
            }
            Err(e) => return Err(fatal(not_pkcs12(format!("damaged PBES2 parameters: {e}")))),
        }
    }
    Err(DecryptError::Failed)
}

/// The PKCS#12 v1 password-based encryption schemes (RFC 7292 appendix C) that use CBC.
#[derive(Clone, Copy)]
enum Legacy {
    TripleDes3,
    TripleDes2,
    /// RC2 with this effective key length in bits (40 or 128).
    Rc2(usize),
}

impl Legacy {
    fn decrypt(
        self,
        bmp: &[u8],
        salt: &[u8],
        rounds: i32,
        ciphertext: &[u8],
    ) -> Option<Zeroizing<Vec<u8>>> {
        let key_len = match self {
            Self::TripleDes3 => 24,
            Self::TripleDes2 => 16,
            Self::Rc2(bits) => bits / 8,
        };
        let key = Zeroizing::new(derive_key::<sha1::Sha1>(
            bmp,
            salt,
            Pkcs12KeyType::EncryptionKey,
            rounds,
            key_len,
        ));
        let iv = derive_key::<sha1::Sha1>(bmp, salt, Pkcs12KeyType::Iv, rounds, 8);
        let mut buf = Zeroizing::new(ciphertext.to_vec());
        let len = match self {
            Self::TripleDes3 => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .ok()?
                .decrypt_padded_mut::<Pkcs7>(&mut buf)
                .ok()?
                .len(),
            Self::TripleDes2 => cbc::Decryptor::<des::TdesEde2>::new_from_slices(&key, &iv)
                .ok()?
                .decrypt_padded_mut::<Pkcs7>(&mut buf)
                .ok()?
                .len(),
            Self::Rc2(bits) => cbc::Decryptor::<rc2::Rc2>::inner_iv_slice_init(
                rc2::Rc2::new_with_eff_key_len(&key, bits),
                &iv,
            )
            .ok()?
            .decrypt_padded_mut::<Pkcs7>(&mut buf)
            .ok()?
            .len(),
        };
        buf.truncate(len);
        Some(buf)
    }
}

enum KeySource {
    Plain(Zeroizing<Vec<u8>>),
    Shrouded(EncryptedPrivateKeyInfo),
}

struct KeyEntry {
    key: KeySource,
    name: Option<String>,
    local_key_id: Option<Vec<u8>>,
}

struct CertEntry {
    der: Vec<u8>,
    parsed: Option<Certificate>,
    name: Option<String>,
    local_key_id: Option<Vec<u8>>,
}

#[derive(Default)]
struct Entries {
    keys: Vec<KeyEntry>,
    certs: Vec<CertEntry>,
}

impl Entries {
    fn collect(&mut self, bags: Vec<SafeBag>, depth: usize) -> Result<(), Pkcs12Error> {
        if depth > MAX_DEPTH {
            return Err(not_pkcs12("damaged: safe contents nested too deep"));
        }
        for bag in bags {
            let (name, local_key_id) = bag_attributes(&bag);
            if bag.bag_id == pkcs12::PKCS_12_KEY_BAG_OID {
                let value = ContextSpecific::<Any>::from_der(&bag.bag_value)
                    .map_err(|e| damaged("key bag", e))?;
                let der = Zeroizing::new(value.value.to_der().map_err(|e| damaged("key bag", e))?);
                pkcs8::PrivateKeyInfo::from_der(&der).map_err(|e| damaged("key bag", e))?;
                self.keys.push(KeyEntry {
                    key: KeySource::Plain(der),
                    name,
                    local_key_id,
                });
            } else if bag.bag_id == pkcs12::PKCS_12_PKCS8_KEY_BAG_OID {
                let value = ContextSpecific::<EncryptedPrivateKeyInfo>::from_der(&bag.bag_value)
                    .map_err(|e| damaged("shrouded key bag", e))?;
                self.keys.push(KeyEntry {
                    key: KeySource::Shrouded(value.value),
                    name,
                    local_key_id,
                });
            } else if bag.bag_id == pkcs12::PKCS_12_CERT_BAG_OID {
                let value = ContextSpecific::<CertBag>::from_der(&bag.bag_value)
                    .map_err(|e| damaged("certificate bag", e))?;
                if value.value.cert_id != pkcs12::PKCS_12_X509_CERT_OID {
                    continue; // SDSI certificates: not for TLS
                }
                let der = value.value.cert_value.as_bytes().to_vec();
                let parsed = Certificate::from_der(&der).ok();
                self.certs.push(CertEntry {
                    der,
                    parsed,
                    name,
                    local_key_id,
                });
            } else if bag.bag_id == pkcs12::PKCS_12_SAFE_CONTENTS_BAG_OID {
                let value = ContextSpecific::<SafeContents>::from_der(&bag.bag_value)
                    .map_err(|e| damaged("safe contents bag", e))?;
                self.collect(value.value, depth + 1)?;
            }
            // CRL and secret bags: nothing for a client identity.
        }
        Ok(())
    }
}

/// friendlyName and localKeyId of a bag.
fn bag_attributes(bag: &SafeBag) -> (Option<String>, Option<Vec<u8>>) {
    let mut name = None;
    let mut id = None;
    for attr in bag.bag_attributes.iter().flat_map(|a| a.iter()) {
        let Some(value) = attr.values.iter().next() else {
            continue;
        };
        if attr.oid == FRIENDLY_NAME {
            name = value
                .decode_as::<BmpString>()
                .map(|s| s.to_string())
                .or_else(|_| {
                    value
                        .decode_as::<Utf8StringRef<'_>>()
                        .map(|s| s.to_string())
                })
                .ok();
        } else if attr.oid == LOCAL_KEY_ID {
            id = value
                .decode_as::<OctetString>()
                .ok()
                .map(|o| o.as_bytes().to_vec());
        }
    }
    (name, id)
}

fn key_alias(key: &KeyEntry, certs: &[CertEntry]) -> Option<String> {
    key.name.clone().or_else(|| {
        let id = key.local_key_id.as_ref()?;
        certs
            .iter()
            .find(|c| c.local_key_id.as_ref() == Some(id))?
            .name
            .clone()
    })
}

fn key_type_name(info: &pkcs8::PrivateKeyInfo<'_>) -> String {
    let oid = info.algorithm.oid;
    if oid == RSA {
        let bits = pkcs8_rsa_bits(info).map_or(String::new(), |b| format!(" {b}"));
        return format!("RSA{bits}");
    }
    if oid == EC_PUBLIC_KEY {
        return match info.algorithm.parameters_oid() {
            Ok(P256) => "ECDSA P-256".into(),
            Ok(P384) => "ECDSA P-384".into(),
            Ok(P521) => "ECDSA P-521".into(),
            Ok(curve) => format!("ECDSA (curve {curve})"),
            Err(_) => "ECDSA".into(),
        };
    }
    match oid {
        ED25519 => "Ed25519".into(),
        ED448 => "Ed448".into(),
        DSA => "DSA".into(),
        RSA_PSS => "RSASSA-PSS".into(),
        _ => format!("key algorithm {oid}"),
    }
}

/// The RSA modulus size, from the PKCS#1 RSAPrivateKey inside the PKCS#8 (a SEQUENCE whose
/// second INTEGER is the modulus), read with `der`.
fn pkcs8_rsa_bits(info: &pkcs8::PrivateKeyInfo<'_>) -> Option<usize> {
    let seq = der::asn1::AnyRef::from_der(info.private_key).ok()?;
    let mut bits = None;
    seq.sequence(|r: &mut der::SliceReader<'_>| {
        let _version = der::asn1::UintRef::decode(r)?;
        let modulus = der::asn1::UintRef::decode(r)?;
        bits = Some(modulus.as_bytes().len() * 8);
        // The rest of the key is not needed.
        r.read_slice(r.remaining_len())?;
        Ok(())
    })
    .ok()?;
    bits
}

/// Rejects key types that rustls' ring provider cannot sign with, naming them.
fn check_key_type(pkcs8: &[u8]) -> Result<(), Pkcs12Error> {
    let info = pkcs8::PrivateKeyInfo::from_der(pkcs8).map_err(|e| damaged("private key", e))?;
    let oid = info.algorithm.oid;
    let why = if oid == RSA || oid == ED25519 {
        return Ok(());
    } else if oid == EC_PUBLIC_KEY {
        match info.algorithm.parameters_oid() {
            Ok(P256) | Ok(P384) => return Ok(()),
            Ok(P521) => "ECDSA P-521 keys: rustls' ring provider signs with P-256 and P-384 only; \
                         use a P-256, P-384 or RSA key"
                .to_string(),
            Ok(curve) => format!(
                "ECDSA on curve {curve}: only P-256 and P-384 are supported; use one of those or RSA"
            ),
            Err(_) => "ECDSA key with explicit curve parameters: only the named curves P-256 \
                       and P-384 are supported"
                .to_string(),
        }
    } else if oid == DSA {
        "DSA keys (1.2.840.10040.4.1) cannot sign in TLS 1.2/1.3 with rustls: use an RSA or \
         ECDSA key"
            .to_string()
    } else if oid == RSA_PSS {
        "RSASSA-PSS keys (1.2.840.113549.1.1.10) are not supported by ring: use an \
         rsaEncryption key"
            .to_string()
    } else if oid == ED448 {
        "Ed448 keys (1.3.101.113) are not supported by ring: use Ed25519, ECDSA or RSA".to_string()
    } else {
        format!("key algorithm {oid} is not supported: use an RSA or ECDSA key")
    };
    Err(Pkcs12Error::UnsupportedKey { why })
}

/// Finds the key's certificate (by localKeyId, else by public key) and checks that the key
/// signs for it. Returns the certificate's index and the key, completed when needed.
fn match_certificate(
    key: &KeyEntry,
    pkcs8: Zeroizing<Vec<u8>>,
    certs: &[CertEntry],
) -> Result<(usize, Zeroizing<Vec<u8>>), Pkcs12Error> {
    if certs.iter().all(|c| c.parsed.is_none()) {
        return Err(Pkcs12Error::NoCertificate);
    }
    let by_id = key.local_key_id.as_ref().and_then(|id| {
        certs
            .iter()
            .position(|c| c.local_key_id.as_ref() == Some(id) && c.parsed.is_some())
    });
    let candidates: Vec<usize> = match by_id {
        Some(i) => vec![i],
        None => (0..certs.len())
            .filter(|&i| certs[i].parsed.is_some())
            .collect(),
    };
    let mut plain_key: Option<Arc<dyn SigningKey>> = None;
    let mut key_error: Option<String> = None;
    for &i in &candidates {
        let Some(cert) = &certs[i].parsed else {
            continue;
        };
        // ring needs the public key inside an EC private key; Java leaves it out.
        let completed = complete_ec_key(&pkcs8, cert);
        let (signing_key, der) = match completed {
            Some(der) => match any_supported_type(&pkcs8_der(&der)) {
                Ok(k) => (k, der),
                Err(_) => continue, // the certificate's public key is not this key's
            },
            None => {
                if plain_key.is_none() && key_error.is_none() {
                    match any_supported_type(&pkcs8_der(&pkcs8)) {
                        Ok(k) => plain_key = Some(k),
                        Err(e) => key_error = Some(e.to_string()),
                    }
                }
                match &plain_key {
                    Some(k) => (Arc::clone(k), pkcs8.clone()),
                    None => continue,
                }
            }
        };
        if signs_for(signing_key.as_ref(), cert) {
            return Ok((i, der));
        }
    }
    if let Some(why) = key_error {
        if by_id.is_some() || candidates.len() == 1 {
            return Err(Pkcs12Error::UnsupportedKey {
                why: format!("rustls cannot use it: {why}"),
            });
        }
    }
    let shown = by_id.unwrap_or_else(|| likely_leaf(certs));
    let subject = certs[shown]
        .parsed
        .as_ref()
        .map(|c| c.tbs_certificate.subject.to_string())
        .unwrap_or_default();
    Err(Pkcs12Error::KeyDoesNotMatchCertificate { subject })
}

fn pkcs8_der(der: &[u8]) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der.to_vec()))
}

/// The certificate most likely to be the end entity: the first that issued no other.
fn likely_leaf(certs: &[CertEntry]) -> usize {
    let issued_another = |c: &Certificate| {
        certs.iter().any(|o| {
            o.parsed.as_ref().is_some_and(|o| {
                o.tbs_certificate.issuer == c.tbs_certificate.subject
                    && o.tbs_certificate.subject != c.tbs_certificate.subject
            })
        })
    };
    certs
        .iter()
        .position(|c| c.parsed.as_ref().is_some_and(|p| !issued_another(p)))
        .unwrap_or(0)
}

/// When `pkcs8` is an EC key without its public key, the key with the certificate's public key
/// put in (ring then checks that they match). `None` when nothing needs completing.
fn complete_ec_key(pkcs8: &[u8], cert: &Certificate) -> Option<Zeroizing<Vec<u8>>> {
    let info = pkcs8::PrivateKeyInfo::from_der(pkcs8).ok()?;
    if info.algorithm.oid != EC_PUBLIC_KEY {
        return None;
    }
    let ec = sec1::EcPrivateKey::from_der(info.private_key).ok()?;
    if ec.public_key.is_some() {
        return None;
    }
    let spki = &cert.tbs_certificate.subject_public_key_info;
    if spki.algorithm.oid != EC_PUBLIC_KEY
        || spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            != info.algorithm.parameters_oid().ok()
    {
        // Another key type or curve: give ring something it will reject.
        return Some(Zeroizing::new(Vec::new()));
    }
    let public = spki.subject_public_key.as_bytes()?;
    let completed = sec1::EcPrivateKey {
        private_key: ec.private_key,
        parameters: ec.parameters,
        public_key: Some(public),
    };
    let ec_der = Zeroizing::new(completed.to_der().ok()?);
    let out = pkcs8::PrivateKeyInfo {
        algorithm: info.algorithm,
        private_key: &ec_der,
        public_key: None,
    };
    out.to_der().ok().map(Zeroizing::new)
}

/// Whether `key` signs the probe message so that `cert`'s public key verifies it.
fn signs_for(key: &dyn SigningKey, cert: &Certificate) -> bool {
    let offered = [
        SignatureScheme::RSA_PKCS1_SHA256,
        SignatureScheme::ECDSA_NISTP256_SHA256,
        SignatureScheme::ECDSA_NISTP384_SHA384,
        SignatureScheme::ED25519,
    ];
    let Some(signer) = key.choose_scheme(&offered) else {
        return false;
    };
    let Ok(signature) = signer.sign(PROBE_MESSAGE) else {
        return false;
    };
    let scheme = signer.scheme();
    let Some(public_key) = cert
        .tbs_certificate
        .subject_public_key_info
        .subject_public_key
        .as_bytes()
    else {
        return false;
    };
    let algorithms = rustls::crypto::ring::default_provider().signature_verification_algorithms;
    algorithms
        .mapping
        .iter()
        .filter(|(s, _)| *s == scheme)
        .flat_map(|(_, algs)| algs.iter())
        .any(|alg| {
            alg.verify_signature(public_key, PROBE_MESSAGE, &signature)
                .is_ok()
        })
}
