//! Writes a PKCS#12 keystore the way Java writes one (`java.security.KeyStore` of type PKCS12,
//! JDK 17 defaults, what `keytool` and a Genesys admin's tools make), with a key password that
//! differs from the store ("file") password:
//!
//! - the authenticated safe holds a plain `data` safe with the key entry (a
//!   pkcs8ShroudedKeyBag, encrypted with the **key** password), then an `encryptedData` safe
//!   with the certificates (encrypted with the **store** password);
//! - both encryptions are PBES2: PBKDF2-HMAC-SHA256 (10 000 iterations, 20-octet salt, key
//!   length 32) and AES-256-CBC; the MAC is HMAC-SHA256 keyed by the PKCS#12 KDF from the
//!   store password (10 000 iterations, 20-octet salt);
//! - the key bag and its certificate carry `friendlyName` (the alias) and `localKeyId`
//!   (`Time <milliseconds>`), the chain certificates their subject as `friendlyName`, and a
//!   trusted certificate (keytool's `trustedCertEntry`) Oracle's trusted-key-usage attribute;
//! - an EC key is stored as Java encodes it: without the public key in its ECPrivateKey.
//!
//! Only RustCrypto's ASN.1 types (`pkcs12`, `cms`, `der`, `pkcs8`, `sec1`, `x509-cert`), its
//! PBES2 (`pkcs5`), the PKCS#12 KDF (`pkcs12`) and its HMAC-SHA256 do the work; the random
//! salts and IVs come from ring, through rustls' provider.

use der::asn1::{BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use hmac::{Hmac, Mac};
use pkcs12::kdf::{derive_key_utf8, Pkcs12KeyType};
use pkcs12::pfx::{Pfx, Version};
use pkcs12::safe_bag::SafeBag;
use rustls_pki_types::CertificateDer;
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use zeroize::Zeroizing;

const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
const SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
/// Oracle's trustedKeyUsage: what marks a keytool `trustedCertEntry`.
const ORACLE_TRUSTED_KEY_USAGE: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("2.16.840.1.113894.746875.1.1");
const ANY_EXTENDED_KEY_USAGE: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.29.37.0");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// Java's iteration counts (`keystore.pkcs12.*IterationCount`) and salt length.
const ITERATIONS: u32 = 10_000;
const SALT_LEN: usize = 20;

/// A certificate and the `friendlyName` its bag carries.
pub struct Cert<'a> {
    pub der: &'a CertificateDer<'static>,
    pub name: &'a str,
}

/// The keystore's one key entry: its alias, the key (PKCS#8 DER), and its chain, the
/// key's own certificate first.
pub struct KeyEntry<'a> {
    pub alias: &'a str,
    pub pkcs8: &'a [u8],
    pub chain: &'a [Cert<'a>],
}

/// The bytes of a keystore holding `key` and the trusted certificates `trusted` (alias and
/// certificate each): the store password opens the file (MAC and certificates), the key
/// password the key. `random` fills salts and IVs.
pub fn java_pkcs12(
    key: &KeyEntry<'_>,
    trusted: &[Cert<'_>],
    store_password: &str,
    key_password: &str,
    random: &dyn Fn(&mut [u8]) -> Result<(), String>,
) -> Result<Vec<u8>, String> {
    let asn1 = |e: der::Error| format!("PKCS#12 encoding: {e}");
    let (leaf, chain) = key
        .chain
        .split_first()
        .ok_or("a key entry needs its certificate")?;
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let local_key_id = format!("Time {millis}");
    let key_attrs = || -> Result<_, String> {
        attributes(vec![
            friendly_name(key.alias)?,
            attribute(
                LOCAL_KEY_ID,
                OctetString::new(local_key_id.as_bytes()).map_err(asn1)?,
            )?,
        ])
    };

    // The key entry, in a plain data safe.
    let pkcs8 = java_form(key.pkcs8)?;
    let key_bag = SafeBag {
        bag_id: pkcs12::PKCS_12_PKCS8_KEY_BAG_OID,
        bag_value: pbes2_encrypt(key_password, &pkcs8, random, |alg, data| {
            pkcs12::pbe_params::EncryptedPrivateKeyInfo {
                encryption_algorithm: alg,
                encrypted_data: data,
            }
            .to_der()
        })?,
        bag_attributes: Some(key_attrs()?),
    };
    let keys = vec![key_bag].to_der().map_err(asn1)?;

    // The certificates, in an encrypted safe.
    let mut bags = vec![cert_bag(leaf.der, key_attrs()?)?];
    for c in chain {
        bags.push(cert_bag(c.der, attributes(vec![friendly_name(c.name)?])?)?);
    }
    for t in trusted {
        let usage = attribute(ORACLE_TRUSTED_KEY_USAGE, ANY_EXTENDED_KEY_USAGE)?;
        bags.push(cert_bag(
            t.der,
            attributes(vec![friendly_name(t.name)?, usage])?,
        )?);
    }
    let certs = bags.to_der().map_err(asn1)?;
    let encrypted_certs = pbes2_encrypt(store_password, &certs, random, |alg, data| {
        cms::encrypted_data::EncryptedData {
            version: cms::content_info::CmsVersion::V0,
            enc_content_info: cms::enveloped_data::EncryptedContentInfo {
                content_type: ID_DATA,
                content_enc_alg: alg,
                encrypted_content: Some(data),
            },
            unprotected_attrs: None,
        }
        .to_der()
    })?;

    let auth_safe = vec![
        content_info(ID_DATA, &OctetString::new(keys).map_err(asn1)?)?,
        content_info(
            ID_ENCRYPTED_DATA,
            &Any::from_der(&encrypted_certs).map_err(asn1)?,
        )?,
    ]
    .to_der()
    .map_err(asn1)?;

    // The MAC over the authenticated safe, keyed by the store password.
    let mut salt = [0u8; SALT_LEN];
    random(&mut salt)?;
    let mac_key = Zeroizing::new(
        derive_key_utf8::<sha2::Sha256>(
            store_password,
            &salt,
            Pkcs12KeyType::Mac,
            ITERATIONS as i32,
            32,
        )
        .map_err(asn1)?,
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&mac_key).map_err(|e| e.to_string())?;
    mac.update(&auth_safe);
    let digest = mac.finalize().into_bytes();
    Pfx {
        version: Version::V3,
        auth_safe: content_info(ID_DATA, &OctetString::new(auth_safe).map_err(asn1)?)?,
        mac_data: Some(pkcs12::mac_data::MacData {
            mac: pkcs12::digest_info::DigestInfo {
                algorithm: AlgorithmIdentifierOwned {
                    oid: SHA256,
                    parameters: Some(Any::null()),
                },
                digest: OctetString::new(digest.as_slice()).map_err(asn1)?,
            },
            mac_salt: OctetString::new(salt.as_slice()).map_err(asn1)?,
            iterations: ITERATIONS as i32,
        }),
    }
    .to_der()
    .map_err(asn1)
}

/// Encrypts with PBES2 as Java does and wraps the algorithm and ciphertext with `wrap`.
fn pbes2_encrypt(
    password: &str,
    plaintext: &[u8],
    random: &dyn Fn(&mut [u8]) -> Result<(), String>,
    wrap: impl FnOnce(AlgorithmIdentifierOwned, OctetString) -> der::Result<Vec<u8>>,
) -> Result<Vec<u8>, String> {
    let asn1 = |e: der::Error| format!("PKCS#12 encoding: {e}");
    let mut salt = [0u8; SALT_LEN];
    let mut iv = [0u8; 16];
    random(&mut salt)?;
    random(&mut iv)?;
    let params = pkcs5::pbes2::Parameters {
        kdf: pkcs5::pbes2::Pbkdf2Params {
            salt: &salt,
            iteration_count: ITERATIONS,
            key_length: Some(32),
            prf: pkcs5::pbes2::Pbkdf2Prf::HmacWithSha256,
        }
        .into(),
        encryption: pkcs5::pbes2::EncryptionScheme::Aes256Cbc { iv: &iv },
    };
    let mut buf = Zeroizing::new(plaintext.to_vec());
    buf.extend_from_slice(&[0u8; 16]);
    let ciphertext = params
        .encrypt_in_place(password.as_bytes(), &mut buf, plaintext.len())
        .map_err(|e| format!("PBES2 encryption: {e}"))?
        .to_vec();
    let alg = pkcs5::EncryptionScheme::Pbes2(params)
        .to_der()
        .map_err(asn1)?;
    let alg = AlgorithmIdentifierOwned::from_der(&alg).map_err(asn1)?;
    wrap(alg, OctetString::new(ciphertext).map_err(asn1)?).map_err(asn1)
}

/// The key as Java's `PrivateKey.getEncoded()` gives it: PKCS#8 v1, and for EC keys an
/// ECPrivateKey without the public key (ring's keys carry it).
fn java_form(pkcs8: &[u8]) -> Result<Zeroizing<Vec<u8>>, String> {
    let bad = |e: der::Error| format!("the generated key: {e}");
    let info = pkcs8::PrivateKeyInfo::from_der(pkcs8).map_err(bad)?;
    if info.algorithm.oid != EC_PUBLIC_KEY {
        return Ok(Zeroizing::new(pkcs8.to_vec()));
    }
    let ec = sec1::EcPrivateKey::from_der(info.private_key).map_err(bad)?;
    let without = Zeroizing::new(
        sec1::EcPrivateKey {
            public_key: None,
            ..ec
        }
        .to_der()
        .map_err(bad)?,
    );
    let info = pkcs8::PrivateKeyInfo {
        private_key: &without,
        public_key: None,
        ..info
    };
    Ok(Zeroizing::new(info.to_der().map_err(bad)?))
}

fn cert_bag(cert: &CertificateDer<'_>, attrs: SetOfVec<Attribute>) -> Result<SafeBag, String> {
    let bag = pkcs12::cert_type::CertBag {
        cert_id: pkcs12::PKCS_12_X509_CERT_OID,
        cert_value: OctetString::new(cert.as_ref()).map_err(|e| e.to_string())?,
    };
    Ok(SafeBag {
        bag_id: pkcs12::PKCS_12_CERT_BAG_OID,
        bag_value: bag.to_der().map_err(|e| e.to_string())?,
        bag_attributes: Some(attrs),
    })
}

fn content_info(
    content_type: ObjectIdentifier,
    content: &impl Encode,
) -> Result<cms::content_info::ContentInfo, String> {
    Ok(cms::content_info::ContentInfo {
        content_type,
        content: any(content)?,
    })
}

/// A value as `Any`, through its DER.
fn any(value: &impl Encode) -> Result<Any, String> {
    let der = value.to_der().map_err(|e| e.to_string())?;
    Any::from_der(&der).map_err(|e| e.to_string())
}

fn attribute(oid: ObjectIdentifier, value: impl Encode) -> Result<Attribute, String> {
    let value = any(&value)?;
    Ok(Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).map_err(|e| e.to_string())?,
    })
}

fn friendly_name(name: &str) -> Result<Attribute, String> {
    attribute(
        FRIENDLY_NAME,
        BmpString::from_utf8(name).map_err(|e| e.to_string())?,
    )
}

fn attributes(attrs: Vec<Attribute>) -> Result<SetOfVec<Attribute>, String> {
    SetOfVec::try_from(attrs).map_err(|e| e.to_string())
}
