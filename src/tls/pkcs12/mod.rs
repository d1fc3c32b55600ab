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
//! The file password checks the MAC and decrypts encrypted certificate bags; the key password
//! decrypts the private key (the file password is tried when it is not given). Passwords are
//! copied into zeroizing buffers and never appear in errors. The loader knows nothing of the
//! channel's options: its errors speak of the file, and the TLS layer names the options.
//!
//! Everything is composed from RustCrypto's `pkcs12`/`pkcs5`/`pkcs8`/`cms`/`x509-cert`/`der`
//! types and ciphers; the key is checked against its certificate with rustls' ring provider.
//!
//! Files, in the order a load goes: `mod.rs` the public API ([`load_file`], [`load`]) and the
//! steps of a load; `pfx.rs` reading the file, the PFX structure and the MAC; `decrypt.rs` the
//! KDF and the ciphers that decrypt bags; `bags.rs` the keys and certificates in the bags and
//! their attributes; `keys.rs` the key's type and matching it with its certificate;
//! `identity.rs` the [`Identity`] loaded; `error.rs` [`Pkcs12Error`]; `oids.rs` the OIDs.

mod bags;
mod decrypt;
mod error;
mod identity;
mod keys;
mod limits;
mod oids;
mod pfx;

pub use error::Pkcs12Error;
pub(crate) use error::{list, one_line};
pub use identity::Identity;

use bags::{key_alias, Entries, KeySource};
use cms::content_info::ContentInfo;
use cms::encrypted_data::EncryptedData;
use decrypt::{decrypt, describe_alg, DecryptError};
use der::asn1::OctetString;
use der::Decode;
use error::{damaged, not_pkcs12, unsupported};
use keys::{check_key_type, match_certificate};
use limits::{check_entries, Budget};
use oids::{ID_DATA, ID_ENCRYPTED_DATA, ID_ENVELOPED_DATA, ID_SIGNED_DATA};
use pfx::{parse_pfx, read_file, verify_mac};
use pkcs12::safe_bag::SafeContents;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::Path;
use zeroize::Zeroizing;

/// Reads and loads a PKCS#12 file; see [`load`].
pub fn load_file(
    path: &Path,
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
) -> Result<Identity, Pkcs12Error> {
    let der = read_file(path)?;
    load(&der, file_password, key_password, alias)
}

/// Loads a client identity from the bytes of a PKCS#12 file.
///
/// - `file_password` verifies the MAC and decrypts encrypted certificate bags. `None` and `""`
///   both open files made without a password. When it is `None` and the file needs one,
///   `key_password` is tried too.
/// - `key_password` decrypts the private key; when `None`, the file password is used.
/// - `alias` chooses the key entry by friendlyName, ignoring case; without it the file must
///   hold exactly one key.
///
/// The key is checked against the leaf certificate by signing a probe message with it.
///
/// What one file may cost is bounded (`limits.rs`): at most 40 million key-derivation
/// iterations in all, 1 024 keys and certificates, and 8 certificates checked by signature
/// as the key's; beyond, [`Pkcs12Error::TooCostly`].
pub fn load(
    der: &[u8],
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
) -> Result<Identity, Pkcs12Error> {
    load_budgeted(der, file_password, key_password, alias, limits::BUDGET).0
}

/// [`load`] with a key-derivation budget of `iterations` (PKCS#12 KDF iterations; a PBKDF2
/// iteration counts 2) instead of the default, returning also the iterations spent: for tests
/// and the fuzzer, which keep each run fast with a small budget.
#[doc(hidden)]
pub fn load_budgeted(
    der: &[u8],
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
    iterations: u64,
) -> (Result<Identity, Pkcs12Error>, u64) {
    let budget = Budget::with(iterations);
    let r = load_with(
        der,
        file_password,
        key_password,
        alias,
        KeyUse::Needed,
        &budget,
    )
    .and_then(|k| k.identity.ok_or(Pkcs12Error::NoPrivateKey));
    (r, budget.spent())
}

/// Whether a load needs the private key (a client identity, for mutual TLS) or only the
/// certificates (the trust entries, for verifying the SMSC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyUse {
    /// The file must hold a usable key entry: [`Keystore::identity`] is set, or the load fails
    /// as [`load`] does.
    Needed,
    /// Keys are not decrypted (as Java's `KeyStore.load` does not): the file opens with its
    /// file password alone, a key-less trust store included.
    NotNeeded,
}

/// A certificate the file marks as trusted: a Java `trustedCertEntry` (a certificate bag with
/// Oracle's trustedKeyUsage attribute, what `keytool -importcert` writes).
#[derive(Debug, Clone)]
pub struct TrustEntry {
    /// The certificate.
    pub cert: CertificateDer<'static>,
    /// Its alias (friendlyName), when it has one.
    pub alias: Option<String>,
    /// Its subject, RFC 4514 style.
    pub subject: String,
}

/// What a PKCS#12 file gives: the client identity (when asked for), its trust entries and its
/// other CA certificates.
#[derive(Debug)]
pub struct Keystore {
    /// The key entry, loaded and checked ([`KeyUse::Needed`] only).
    pub identity: Option<Identity>,
    /// The trusted-certificate entries, in file order.
    pub trusted: Vec<TrustEntry>,
    /// The other certificates that may be CAs: neither trust entries nor a key's own
    /// certificate, nor marked `CA:FALSE` (e.g. the chain OpenSSL's `-chain` adds).
    pub ca_certs: Vec<CertificateDer<'static>>,
    /// How many key entries the file holds (decrypted or not).
    pub keys: usize,
}

/// Reads and loads a PKCS#12 file; see [`load_keystore`].
pub fn load_keystore_file(
    path: &Path,
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
    key_use: KeyUse,
) -> Result<Keystore, Pkcs12Error> {
    let der = read_file(path)?;
    load_keystore(&der, file_password, key_password, alias, key_use)
}

/// Loads a PKCS#12 file as a keystore: verifies its MAC with the file password (as
/// [`load`]), decrypts its certificate bags, and collects the trust entries and CA
/// certificates; with [`KeyUse::Needed`] also the client identity, exactly as [`load`] does.
pub fn load_keystore(
    der: &[u8],
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
    key_use: KeyUse,
) -> Result<Keystore, Pkcs12Error> {
    load_with(
        der,
        file_password,
        key_password,
        alias,
        key_use,
        &Budget::with(limits::BUDGET),
    )
}

fn load_with(
    der: &[u8],
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
    key_use: KeyUse,
    budget: &Budget,
) -> Result<Keystore, Pkcs12Error> {
    let file_pw = file_password.map(|p| Zeroizing::new(p.to_owned()));
    let key_pw = key_password.map(|p| Zeroizing::new(p.to_owned()));
    let mut file_candidates: Vec<&str> = vec![file_pw.as_ref().map_or("", |p| p.as_str())];
    if file_pw.is_none() {
        if let Some(k) = &key_pw {
            file_candidates.push(k.as_str());
        }
    }
    let file_password_given = file_pw.is_some();
    // Whether the file password was proven right (by the MAC or by decrypting certificates):
    // a key that then does not decrypt has a password of its own.
    let mut file_password_checked = false;

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
            budget,
        )?;
        file_candidates.swap(0, i);
        file_candidates.truncate(1);
        file_password_checked = true;
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
            let plain = decrypt(
                alg,
                &file_candidates,
                ciphertext.as_bytes(),
                |p| SafeContents::from_der(p).is_ok(),
                budget,
                "an encrypted block of certificates",
            )
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
            file_password_checked = true;
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
        check_entries(&entries, bags.len())?;
        entries.collect(bags, 0)?;
        check_entries(&entries, 0)?;
    }

    let trusted: Vec<TrustEntry> = entries
        .certs
        .iter()
        .filter(|c| c.trusted)
        .map(|c| TrustEntry {
            cert: CertificateDer::from(c.der.clone()),
            alias: c.name.clone(),
            subject: c
                .parsed
                .as_ref()
                .map(|p| p.tbs_certificate.subject.to_string())
                .unwrap_or_else(|| "(unparsable certificate)".into()),
        })
        .collect();
    let keys = entries.keys.len();
    let identity = match key_use {
        KeyUse::Needed => Some(identity(
            &entries,
            key_pw.as_ref().map(|k| k.as_str()),
            &file_candidates,
            file_password_checked,
            alias,
            budget,
        )?),
        KeyUse::NotNeeded => None,
    };
    let ca_certs = ca_certs(&entries, identity.as_ref());
    Ok(Keystore {
        identity,
        trusted,
        ca_certs,
        keys,
    })
}

/// The certificates of the file that may be CAs: not trust entries (listed apart), not a key
/// entry's own certificate (paired by localKeyId, or the identity's leaf), not `CA:FALSE`.
fn ca_certs(entries: &Entries, identity: Option<&Identity>) -> Vec<CertificateDer<'static>> {
    use x509_cert::ext::pkix::BasicConstraints;
    let leaf = identity.and_then(|id| id.chain.first());
    let mut out: Vec<CertificateDer<'static>> = Vec::new();
    for c in &entries.certs {
        let keys_own = c.local_key_id.as_ref().is_some_and(|id| {
            entries
                .keys
                .iter()
                .any(|k| k.local_key_id.as_ref() == Some(id))
        });
        let not_ca = c.parsed.as_ref().is_some_and(
            |p| matches!(p.tbs_certificate.get::<BasicConstraints>(), Ok(Some((_, bc))) if !bc.ca),
        );
        if c.trusted
            || keys_own
            || not_ca
            || leaf.is_some_and(|l| l.as_ref() == c.der)
            || out.iter().any(|d| d.as_ref() == c.der)
        {
            continue;
        }
        out.push(CertificateDer::from(c.der.clone()));
    }
    out
}

/// The key entry chosen by `alias` (or the only one), decrypted, checked against its
/// certificate, with its chain.
fn identity(
    entries: &Entries,
    key_pw: Option<&str>,
    file_candidates: &[&str],
    file_password_checked: bool,
    alias: Option<&str>,
    budget: &Budget,
) -> Result<Identity, Pkcs12Error> {
    // Choose the key entry.
    let Entries { keys, certs } = entries;
    if keys.is_empty() {
        return Err(Pkcs12Error::NoPrivateKey);
    }
    let aliases: Vec<Option<String>> = keys.iter().map(|k| key_alias(k, certs)).collect();
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
    let (key_candidates, key_password_given): (Vec<&str>, bool) = match key_pw {
        Some(k) => (vec![k], true),
        None => (file_candidates.to_vec(), false),
    };
    let pkcs8 = match &key_entry.key {
        KeySource::Plain(der) => der.clone(),
        KeySource::Shrouded(epki) => decrypt(
            &epki.encryption_algorithm,
            &key_candidates,
            epki.encrypted_data.as_bytes(),
            |p| pkcs8::PrivateKeyInfo::from_der(p).is_ok(),
            budget,
            "the private key",
        )
        .map_err(|e| match e {
            DecryptError::Failed => Pkcs12Error::WrongKeyPassword {
                key_password_given,
                file_password_checked,
            },
            DecryptError::Fatal(e) => e,
        })?,
    };
    check_key_type(&pkcs8)?;

    // Find its certificate and check that they belong together.
    let (leaf, pkcs8) = match_certificate(key_entry, pkcs8, certs)?;

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
