//! What one file may cost to open, so that no PKCS#12 file makes `connect` spend more than a
//! few seconds before a clean error:
//!
//! - a **key-derivation budget** for the whole file ([`Budget`]): every derivation (the MAC,
//!   each encrypted block, the key, for each password tried and each of its encodings) is
//!   charged its iterations before it runs. Each derivation is also capped on its own
//!   (`decrypt::iterations`), but a file of many encrypted blocks, each at that cap under the
//!   empty password, used to be decrypted block by block without end (4 blocks took 35 s, and
//!   16 MiB holds about 117 000);
//! - at most [`MAX_ENTRIES`] keys and certificates ([`check_entries`]): a client identity needs
//!   a few, and matching and chain building look at every pair;
//! - at most [`MAX_SIGNATURE_CHECKS`] certificates checked by signature as the key's own
//!   ([`shortlist`]): those whose public key is not the key's are set aside first, without
//!   signing (1 000 RSA-4096 certificates used to cost 1 000 signatures, 3.4 s).

use super::bags::{CertEntry, Entries};
use super::error::Pkcs12Error;
use super::oids::{EC_PUBLIC_KEY, ED25519, RSA};
use der::asn1::{AnyRef, ObjectIdentifier, UintRef};
use der::{Decode, Reader};
use std::cell::Cell;

/// Key-derivation iterations one file may ask for in all, counted as PKCS#12 KDF hash
/// iterations (a PBKDF2 iteration, two HMAC hashes, counts 2). About 4 s in a release build
/// here (10 million PKCS#12 KDF iterations a second with SHA-1, 5.4 million PBKDF2-HMAC-SHA256
/// iterations); files from OpenSSL (2 048 iterations) or keytool (10 000) need tens of
/// thousands.
pub(super) const BUDGET: u64 = 40_000_000;

/// The most keys and certificates one file may hold.
pub(super) const MAX_ENTRIES: usize = 1024;

/// The most certificates tried by signature as the private key's.
pub(super) const MAX_SIGNATURE_CHECKS: usize = 8;

/// The iterations left to spend on one file.
pub(super) struct Budget {
    total: u64,
    left: Cell<u64>,
}

impl Budget {
    pub(super) fn with(n: u64) -> Budget {
        Budget {
            total: n,
            left: Cell::new(n),
        }
    }

    /// The iterations charged so far.
    pub(super) fn spent(&self) -> u64 {
        self.total - self.left.get()
    }

    /// Charges `iterations` of a derivation producing `blocks` hash-sized blocks (PBKDF2:
    /// `pbkdf2` true, each iteration two hashes), before it runs. `what` names it in the
    /// error when the budget does not cover it.
    pub(super) fn spend(
        &self,
        iterations: u64,
        blocks: u64,
        pbkdf2: bool,
        what: &str,
    ) -> Result<(), Pkcs12Error> {
        let cost = iterations
            .saturating_mul(blocks.max(1))
            .saturating_mul(if pbkdf2 { 2 } else { 1 });
        match self.left.get().checked_sub(cost) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => Err(Pkcs12Error::TooCostly {
                why: format!(
                    "opening it needs more than {} key-derivation iterations in all \
                     (esme's limit; {what} alone asks for {iterations}): re-export it with \
                     fewer iterations, e.g. `openssl pkcs12 -export -iter 2048`",
                    shown(self.total)
                ),
            }),
        }
    }
}

/// "40 million", "200000".
fn shown(n: u64) -> String {
    if n >= 1_000_000 && n % 1_000_000 == 0 {
        format!("{} million", n / 1_000_000)
    } else {
        n.to_string()
    }
}

/// How many hash-sized blocks a derivation of `len` octets takes with a hash of `hash_len`.
pub(super) fn blocks(len: usize, hash_len: usize) -> u64 {
    len.div_ceil(hash_len.max(1)) as u64
}

/// The hash-sized blocks PBKDF2 derives for a PBES2 scheme's key.
pub(super) fn pbkdf2_blocks(params: &pkcs5::pbes2::Parameters<'_>) -> u64 {
    use pkcs5::pbes2::Pbkdf2Prf as P;
    let hash_len = match params.kdf.pbkdf2().map(|p| p.prf) {
        Some(P::HmacWithSha1) => 20,
        Some(P::HmacWithSha224) => 28,
        Some(P::HmacWithSha256) | None => 32,
        Some(P::HmacWithSha384) => 48,
        Some(P::HmacWithSha512) => 64,
        // Non-exhaustive: a new PRF is charged like the smallest hash (more blocks).
        Some(_) => 20,
    };
    blocks(params.encryption.key_size(), hash_len)
}

/// The hash-sized blocks the PKCS#12 KDF derives for a legacy scheme's key and IV, at most:
/// 3DES's 24-octet key is two SHA-1 blocks, its IV one.
pub(super) const LEGACY_BLOCKS: u64 = 3;

/// Refuses a file with more than [`MAX_ENTRIES`] keys and certificates, counting `more` bags
/// about to be added.
pub(super) fn check_entries(e: &Entries, more: usize) -> Result<(), Pkcs12Error> {
    let n = e.keys.len() + e.certs.len() + more;
    if n > MAX_ENTRIES {
        return Err(Pkcs12Error::TooCostly {
            why: format!(
                "it holds more than {MAX_ENTRIES} keys and certificates ({n} so far), and a client \
                 identity needs a few: export only the client certificate, its key and its chain"
            ),
        });
    }
    Ok(())
}

/// Of `candidates` (indexes into `certs`), those that may be the key's certificate: same key
/// type, and for RSA the same modulus, for EC the same curve and (when the key carries it) the
/// same public point, for Ed25519 the same public key when the key carries it. At most
/// [`MAX_SIGNATURE_CHECKS`] remain, or the file is refused: each is then checked by signing.
pub(super) fn shortlist(
    pkcs8: &[u8],
    certs: &[CertEntry],
    candidates: Vec<usize>,
) -> Result<Vec<usize>, Pkcs12Error> {
    let Some(key) = KeyFacts::of(pkcs8) else {
        // Unreadable here: leave the decision to the signature check, within the cap.
        return capped(candidates);
    };
    let kept: Vec<usize> = candidates
        .into_iter()
        .filter(|&i| {
            certs[i]
                .parsed
                .as_ref()
                .is_none_or(|c| key.may_be(&c.tbs_certificate.subject_public_key_info))
        })
        .collect();
    capped(kept)
}

fn capped(v: Vec<usize>) -> Result<Vec<usize>, Pkcs12Error> {
    if v.len() > MAX_SIGNATURE_CHECKS {
        return Err(Pkcs12Error::TooCostly {
            why: format!(
                "{} certificates could belong to the private key and none is paired with it \
                 (localKeyId); esme checks at most {MAX_SIGNATURE_CHECKS} by signature: export \
                 the key with its own certificate",
                v.len()
            ),
        });
    }
    Ok(v)
}

/// What a private key says about its public key, cheaply (no signing).
struct KeyFacts {
    algorithm: ObjectIdentifier,
    /// RSA: the modulus, without leading zeros.
    modulus: Option<Vec<u8>>,
    /// EC: the curve.
    curve: Option<ObjectIdentifier>,
    /// EC (when the key carries it) or Ed25519 (PKCS#8 v2): the public key's octets.
    public: Option<Vec<u8>>,
}

impl KeyFacts {
    fn of(pkcs8: &[u8]) -> Option<KeyFacts> {
        let info = pkcs8::PrivateKeyInfo::from_der(pkcs8).ok()?;
        let algorithm = info.algorithm.oid;
        let mut facts = KeyFacts {
            algorithm,
            modulus: None,
            curve: None,
            public: info.public_key.map(<[u8]>::to_vec),
        };
        if algorithm == RSA {
            facts.modulus = Some(rsa_modulus(info.private_key, 1)?);
        } else if algorithm == EC_PUBLIC_KEY {
            facts.curve = info.algorithm.parameters_oid().ok();
            let ec = sec1::EcPrivateKey::from_der(info.private_key).ok()?;
            facts.public = ec.public_key.map(<[u8]>::to_vec);
        }
        Some(facts)
    }

    /// Whether the certificate's public key may be this key's.
    fn may_be(&self, spki: &spki::SubjectPublicKeyInfoOwned) -> bool {
        if spki.algorithm.oid != self.algorithm {
            return false;
        }
        let Some(public) = spki.subject_public_key.as_bytes() else {
            return true;
        };
        if self.algorithm == RSA {
            // RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
            return match (&self.modulus, rsa_modulus(public, 0)) {
                (Some(a), Some(b)) => *a == b,
                _ => true,
            };
        }
        if self.algorithm == EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
            if curve.is_some() && self.curve.is_some() && curve != self.curve {
                return false;
            }
        }
        if self.algorithm == EC_PUBLIC_KEY || self.algorithm == ED25519 {
            if let Some(mine) = &self.public {
                return mine.as_slice() == public;
            }
        }
        true
    }
}

/// The modulus of an RSAPrivateKey (`skip` = 1: after its version) or RSAPublicKey
/// (`skip` = 0), without leading zeros.
fn rsa_modulus(der: &[u8], skip: usize) -> Option<Vec<u8>> {
    let seq = AnyRef::from_der(der).ok()?;
    let mut modulus = None;
    seq.sequence(|r: &mut der::SliceReader<'_>| {
        for _ in 0..skip {
            UintRef::decode(r)?;
        }
        modulus = Some(UintRef::decode(r)?.as_bytes().to_vec());
        r.read_slice(r.remaining_len())?;
        Ok(())
    })
    .ok()?;
    modulus
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_is_charged_before_each_derivation() {
        let b = Budget::with(8000);
        b.spend(2048, 1, false, "the MAC").unwrap();
        b.spend(2048, 1, true, "the key").unwrap();
        assert_eq!(b.spent(), 2048 * 3);
        let e = b.spend(2048, 1, false, "a block").unwrap_err();
        assert_eq!(
            e.to_string(),
            "the file would take too long to open: opening it needs more than 8000 \
             key-derivation iterations in all (esme's limit; a block alone asks for 2048): \
             re-export it with fewer iterations, e.g. `openssl pkcs12 -export -iter 2048`"
        );
        // A refused charge takes nothing.
        b.spend(1000, 1, false, "a smaller one").unwrap();
        assert_eq!(b.spent(), 2048 * 3 + 1000);
        assert_eq!(blocks(24, 20), 2);
        assert_eq!(blocks(32, 32), 1);
        assert_eq!(blocks(8, 20), 1);
    }

    /// The hostile files of fuzz/regressions/pkcs12 (written by fuzz/make-seeds.py).
    const AT_THE_CAP: &[u8] =
        include_bytes!("../../../fuzz/regressions/pkcs12/encrypted-blocks-at-10M-iterations");
    const CHEAP_BLOCKS: &[u8] =
        include_bytes!("../../../fuzz/regressions/pkcs12/cheap-encrypted-blocks");
    const CERT_BAGS: &[u8] = include_bytes!("../../../fuzz/regressions/pkcs12/certificate-bags");

    fn too_costly(r: Result<super::super::Identity, Pkcs12Error>) -> String {
        match r {
            Err(e @ Pkcs12Error::TooCostly { .. }) => e.to_string(),
            other => panic!("{:?}", other.map(|_| "an identity")),
        }
    }

    #[test]
    fn blocks_at_the_iteration_cap_are_refused_before_deriving_past_the_budget() {
        // 64 blocks of 10 million PBKDF2 iterations each: a block's derivation alone (20
        // million) is more than this budget, so nothing is derived at all.
        for (file_pw, key_pw) in [(None, None), (Some("pw"), None), (None, Some("k"))] {
            let (r, spent) =
                super::super::load_budgeted(AT_THE_CAP, file_pw, key_pw, None, 1_000_000);
            let e = too_costly(r);
            assert!(
                e.contains("an encrypted block of certificates alone asks for 10000000"),
                "{e}"
            );
            assert_eq!(spent, 0);
        }
    }

    #[test]
    fn many_cheap_blocks_are_decrypted_until_the_budget_ends_them() {
        // Each block decrypts with the empty password (100 PBKDF2 iterations, 200 units).
        let budget = 50_000;
        let (r, spent) = super::super::load_budgeted(CHEAP_BLOCKS, None, None, None, budget);
        too_costly(r);
        assert_eq!(
            spent, budget,
            "250 of the 1000 blocks, none past the budget"
        );
        // With room for all of them, the file opens as far as its (missing) key.
        let (r, spent) = super::super::load_budgeted(CHEAP_BLOCKS, None, None, None, BUDGET);
        assert!(matches!(r, Err(Pkcs12Error::NoPrivateKey)), "{:?}", r.err());
        assert_eq!(spent, 1000 * 200);
    }

    #[test]
    fn a_file_of_thousands_of_entries_is_refused_before_they_are_read() {
        let (r, _) = super::super::load_budgeted(CERT_BAGS, None, None, None, BUDGET);
        let e = too_costly(r);
        assert!(
            e.contains("more than 1024 keys and certificates (1100 so far)"),
            "{e}"
        );
    }
}
