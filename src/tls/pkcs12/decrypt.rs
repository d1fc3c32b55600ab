//! Decrypting bags: the password forms the PKCS#12 KDF takes, the legacy PKCS#12 PBE schemes
//! (3DES, RC2) and PBES2 (PBKDF2 with AES or 3DES).

use super::error::{damaged, not_pkcs12, unsupported, Pkcs12Error};
use super::limits::{pbkdf2_blocks, Budget, LEGACY_BLOCKS};
use super::oids::{oid_name, PBES2};
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, InnerIvInit, KeyIvInit};
use der::{Decode, Encode};
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::pbe_params::Pkcs12PbeParams;
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

/// Largest KDF iteration count accepted (OpenSSL uses 2048, Java 10000; the RFC 8018 advice
/// for "especially critical keys" is 10 million).
const MAX_ITERATIONS: u32 = 10_000_000;

pub(super) fn iterations(n: impl TryInto<u32>) -> Result<i32, Pkcs12Error> {
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
pub(super) fn bmp_forms(password: &str) -> Vec<Zeroizing<Vec<u8>>> {
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

pub(super) enum DecryptError {
    /// No candidate password gave a plaintext that `valid` accepts.
    Failed,
    /// Unsupported or damaged parameters.
    Fatal(Pkcs12Error),
}

/// "PBES2 AES-256-CBC" or "pbeWithSHAAnd40BitRC2-CBC", for messages.
pub(super) fn describe_alg(alg: &AlgorithmIdentifierOwned) -> String {
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
pub(super) fn decrypt(
    alg: &AlgorithmIdentifierOwned,
    candidates: &[&str],
    ciphertext: &[u8],
    valid: impl Fn(&[u8]) -> bool,
    budget: &Budget,
    what: &str,
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
                budget
                    .spend(rounds as u64, LEGACY_BLOCKS, false, what)
                    .map_err(fatal)?;
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
    let rounds = if let Some(pbkdf2) = params.kdf.pbkdf2() {
        iterations(pbkdf2.iteration_count).map_err(fatal)?
    } else {
        return Err(fatal(unsupported(
            "PBES2 key derivation",
            &params.kdf.oid(),
        )));
    };
    let mut tried: Vec<&str> = Vec::new();
    for password in candidates {
        if tried.contains(password) {
            continue;
        }
        tried.push(password);
        budget
            .spend(rounds as u64, pbkdf2_blocks(params), true, what)
            .map_err(fatal)?;
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
pub(super) enum Legacy {
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
