//! Reading the file, the outer PFX structure (explaining what the bytes are when they are not
//! one), and the password MAC that checks the file's integrity.

use super::decrypt::{bmp_forms, iterations};
use super::error::{damaged, not_pkcs12, unsupported, Pkcs12Error};
use super::limits::Budget;
use super::oids::{SHA1, SHA224, SHA256, SHA384, SHA512};
use der::Decode;
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::mac_data::MacData;
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::pfx::Pfx;
use std::path::Path;
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// The bytes of a PKCS#12 file: a regular file of at most 16 MiB (a client identity is a
/// few kilobytes; `crate::files`).
pub(super) fn read_file(path: &Path) -> Result<Vec<u8>, Pkcs12Error> {
    use crate::files::{read_capped, ReadError, MAX_TLS_FILE};
    read_capped(path, MAX_TLS_FILE).map_err(|e| match e {
        ReadError::NotFound => Pkcs12Error::Missing {
            path: path.to_path_buf(),
        },
        ReadError::Io(why) => Pkcs12Error::Unreadable {
            path: path.to_path_buf(),
            why,
        },
        e @ ReadError::NotAFile(_) => Pkcs12Error::Unreadable {
            path: path.to_path_buf(),
            why: e.to_string(),
        },
        e @ ReadError::TooLarge { .. } => not_pkcs12(e.to_string()),
    })
}

/// Decodes the outer PFX, explaining what the bytes are when they are not one.
pub(super) fn parse_pfx(der: &[u8]) -> Result<Pfx, Pkcs12Error> {
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
pub(super) fn verify_mac(
    mac: &MacData,
    data: &[u8],
    candidates: &[&str],
    password_given: bool,
    budget: &Budget,
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
            budget.spend(rounds as u64, 1, false, "the MAC")?;
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

pub(super) fn hmac_matches<D>(
    bmp: &[u8],
    salt: &[u8],
    rounds: i32,
    data: &[u8],
    expected: &[u8],
) -> bool
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
