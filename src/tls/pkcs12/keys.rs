//! The private key: its type (and whether rustls' ring provider can use it), and finding its
//! certificate, checked by signing a probe message.

use super::bags::{CertEntry, KeyEntry};
use super::error::{damaged, Pkcs12Error};
use super::oids::{DSA, EC_PUBLIC_KEY, ED25519, ED448, P256, P384, P521, RSA, RSA_PSS};
use der::asn1::ObjectIdentifier;
use der::{Decode, Encode, Reader};
use rustls::crypto::ring::sign::any_supported_type;
use rustls::sign::SigningKey;
use rustls::SignatureScheme;
use rustls_pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::sync::Arc;
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// The message signed to check that the key belongs to the certificate.
const PROBE_MESSAGE: &[u8] = b"esme PKCS#12 loader: does this key match its certificate?";

pub(super) fn key_type_name(info: &pkcs8::PrivateKeyInfo<'_>) -> String {
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
pub(super) fn pkcs8_rsa_bits(info: &pkcs8::PrivateKeyInfo<'_>) -> Option<usize> {
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
pub(super) fn check_key_type(pkcs8: &[u8]) -> Result<(), Pkcs12Error> {
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
pub(super) fn match_certificate(
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
    let candidates = super::limits::shortlist(&pkcs8, certs, candidates)?;
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

pub(super) fn pkcs8_der(der: &[u8]) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(der.to_vec()))
}

/// The certificate most likely to be the end entity: the first that issued no other.
pub(super) fn likely_leaf(certs: &[CertEntry]) -> usize {
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
pub(super) fn complete_ec_key(pkcs8: &[u8], cert: &Certificate) -> Option<Zeroizing<Vec<u8>>> {
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
pub(super) fn signs_for(key: &dyn SigningKey, cert: &Certificate) -> bool {
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
