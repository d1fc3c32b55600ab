//! [`Identity`]: what a PKCS#12 file gives, and what the TLS layer logs about it.

use super::keys::key_type_name;
use der::Decode;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::fmt;
use std::time::SystemTime;

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
        Some(crate::tls::certs::days_left(self.not_after?, now))
    }

    /// One line to log when the certificate has expired, expires within 30 days or is not
    /// valid yet; `None` otherwise.
    pub fn expiry_warning(&self, now: SystemTime) -> Option<String> {
        self.expiry_warning_within(now, 30)
    }

    /// As [`Identity::expiry_warning`], with a window of `days` days
    /// ([`Opt::TlsExpiryWarningDays`](crate::config::Opt::TlsExpiryWarningDays); 0: only
    /// once expired).
    pub fn expiry_warning_within(&self, now: SystemTime, days: u32) -> Option<String> {
        if let Some(nb) = self.not_before {
            if now < nb {
                return Some(format!(
                    "client certificate \"{}\" is not valid until {} (check the clock)",
                    self.subject,
                    Date(nb)
                ));
            }
        }
        crate::tls::certs::expiry_warning(
            "client certificate",
            &self.subject,
            self.not_after?,
            now,
            days,
        )
    }
}
