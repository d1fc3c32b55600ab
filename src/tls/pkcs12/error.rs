//! [`Pkcs12Error`]: why a file gave no client identity, in the file's own terms. The TLS
//! layer (`tls::error`) words the errors about passwords, aliases and the path for the
//! channel's options.

use super::oids::oid_name;
use der::asn1::ObjectIdentifier;
use std::fmt;
use std::path::PathBuf;

/// Why a PKCS#12 file did not give a client identity. Display is one line with a hint, in
/// the file's terms (the TLS layer's `TlsError` names the channel's options instead), and
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
        /// Whether a file password was given.
        password_given: bool,
    },
    /// The private key did not decrypt with the key password (or, when none was given, with
    /// the file password).
    WrongKeyPassword {
        /// Whether a key password was given.
        key_password_given: bool,
        /// Whether the file password was proven right (the MAC verified, or the certificates
        /// decrypted with it). When it was not (a `-nomac` file with plain certificates) and
        /// no key password was given, the file password itself may be the wrong one.
        file_password_checked: bool,
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
    /// Opening the file would take more work than a client identity ever needs: more
    /// key-derivation iterations in all, more entries, or more certificates to check against
    /// the key than esme allows.
    TooCostly {
        /// Which limit, and what to do.
        why: String,
    },
}

impl fmt::Display for Pkcs12Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { path } => {
                write!(f, "PKCS#12 file {} does not exist", path.display())
            }
            // A directory or a device (crate::files): permissions are not the matter.
            Self::Unreadable { path, why } if why.ends_with("not a regular file") => write!(
                f,
                "cannot read PKCS#12 file {}: {}: give the path of the PKCS#12 file itself",
                path.display(),
                one_line(why)
            ),
            Self::Unreadable { path, why } => write!(
                f,
                "cannot read PKCS#12 file {}: {}: check the file's permissions for the service account",
                path.display(),
                one_line(why)
            ),
            Self::NotPkcs12 { why } => write!(f, "not a PKCS#12 file: {}", one_line(why)),
            Self::WrongFilePassword { what, password_given: true } => {
                write!(f, "the file password is wrong: {}", one_line(what))
            }
            Self::WrongFilePassword { what, password_given: false } => write!(
                f,
                "the file needs a password and none was given: {}",
                one_line(what)
            ),
            Self::WrongKeyPassword { key_password_given: true, .. } => {
                f.write_str("the key password is wrong: the private key did not decrypt")
            }
            Self::WrongKeyPassword {
                key_password_given: false,
                file_password_checked: true,
            } => f.write_str(
                "the private key did not decrypt with the file password (no key password was \
                 given): give the key's own password",
            ),
            Self::WrongKeyPassword {
                key_password_given: false,
                file_password_checked: false,
            } => f.write_str(
                "the private key did not decrypt with the file password, and the file has no \
                 integrity check (MAC) to tell whether that password is right: the file \
                 password is wrong, or the key has a password of its own",
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
                "no key entry has the alias \"{}\"; the file's key entries are: {}",
                one_line(wanted),
                list(present)
            ),
            Self::SeveralKeys { present } => write!(
                f,
                "the file holds {} private keys ({}): choose one by its alias",
                present.len(),
                list(present)
            ),
            Self::UnsupportedKey { why } => {
                write!(f, "the private key cannot be used for TLS: {}", one_line(why))
            }
            Self::TooCostly { why } => {
                write!(f, "the file would take too long to open: {}", one_line(why))
            }
        }
    }
}

impl std::error::Error for Pkcs12Error {}

/// `s` on one line (an OS message or a name from the file may hold line breaks).
pub(crate) fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// Names quoted and separated by commas, or `(none)`.
pub(crate) fn list(names: &[String]) -> String {
    if names.is_empty() {
        return "(none)".into();
    }
    names
        .iter()
        .map(|n| format!("\"{}\"", one_line(n)))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn not_pkcs12(why: impl Into<String>) -> Pkcs12Error {
    Pkcs12Error::NotPkcs12 { why: why.into() }
}

pub(super) fn damaged(what: &str, e: der::Error) -> Pkcs12Error {
    not_pkcs12(format!("damaged {what}: {e}"))
}

pub(super) fn unsupported(what: &str, oid: &ObjectIdentifier) -> Pkcs12Error {
    Pkcs12Error::Unsupported {
        what: what.into(),
        oid: oid.to_string(),
    }
}
