//! The bags of a file's safe contents: private keys (plain or shrouded) and certificates,
//! with their friendlyName and localKeyId attributes, which pair them.

use super::error::{damaged, not_pkcs12, Pkcs12Error};
use super::oids::{FRIENDLY_NAME, LOCAL_KEY_ID, ORACLE_TRUSTED_KEY_USAGE};
use der::asn1::{BmpString, ContextSpecific, OctetString, Utf8StringRef};
use der::{Any, Decode, Encode};
use pkcs12::cert_type::CertBag;
use pkcs12::pbe_params::EncryptedPrivateKeyInfo;
use pkcs12::safe_bag::{SafeBag, SafeContents};
use x509_cert::Certificate;
use zeroize::Zeroizing;

/// Deepest nesting of safeContents bags followed.
const MAX_DEPTH: usize = 8;

pub(super) enum KeySource {
    Plain(Zeroizing<Vec<u8>>),
    Shrouded(EncryptedPrivateKeyInfo),
}

pub(super) struct KeyEntry {
    pub(super) key: KeySource,
    pub(super) name: Option<String>,
    pub(super) local_key_id: Option<Vec<u8>>,
}

pub(super) struct CertEntry {
    pub(super) der: Vec<u8>,
    pub(super) parsed: Option<Certificate>,
    pub(super) name: Option<String>,
    pub(super) local_key_id: Option<Vec<u8>>,
    /// Marked trusted (Java's `trustedCertEntry`: the trustedKeyUsage attribute).
    pub(super) trusted: bool,
}

#[derive(Default)]
pub(super) struct Entries {
    pub(super) keys: Vec<KeyEntry>,
    pub(super) certs: Vec<CertEntry>,
}

impl Entries {
    pub(super) fn collect(&mut self, bags: Vec<SafeBag>, depth: usize) -> Result<(), Pkcs12Error> {
        if depth > MAX_DEPTH {
            return Err(not_pkcs12("damaged: safe contents nested too deep"));
        }
        for bag in bags {
            let Attributes {
                name,
                local_key_id,
                trusted,
            } = bag_attributes(&bag);
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
                    trusted,
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

/// The attributes of a bag the loader reads.
pub(super) struct Attributes {
    /// friendlyName (the alias).
    pub(super) name: Option<String>,
    /// localKeyId (pairs a key with its certificate).
    pub(super) local_key_id: Option<Vec<u8>>,
    /// Oracle's trustedKeyUsage is present: a Java trusted-certificate entry.
    pub(super) trusted: bool,
}

/// friendlyName, localKeyId and the trusted mark of a bag.
pub(super) fn bag_attributes(bag: &SafeBag) -> Attributes {
    let mut name = None;
    let mut id = None;
    let mut trusted = false;
    for attr in bag.bag_attributes.iter().flat_map(|a| a.iter()) {
        if attr.oid == ORACLE_TRUSTED_KEY_USAGE {
            trusted = true;
        }
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
    Attributes {
        name,
        local_key_id: id,
        trusted,
    }
}

pub(super) fn key_alias(key: &KeyEntry, certs: &[CertEntry]) -> Option<String> {
    key.name.clone().or_else(|| {
        let id = key.local_key_id.as_ref()?;
        certs
            .iter()
            .find(|c| c.local_key_id.as_ref() == Some(id))?
            .name
            .clone()
    })
}
