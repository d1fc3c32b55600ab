//! The demo's PKI, made for each run in its temporary folder: a CA, the SMSC's certificate
//! (for 127.0.0.1 and localhost), our client certificate in a Java-style PKCS#12 keystore whose
//! file password differs from its key password, and a second keystore whose certificate comes
//! from another CA, which the SMSC does not trust. ECDSA P-256 keys and certificates by rcgen
//! (signed with ring, as rustls is); the keystores by [`super::keystore`].

use super::keystore::{java_pkcs12, Cert, KeyEntry};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::CertificateDer;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The keystores' file (store) password: it checks the file and decrypts its certificates.
pub const FILE_PASSWORD: &str = "keystore-pass";
/// The key entry's password: it decrypts the private key.
pub const KEY_PASSWORD: &str = "key-pass";
/// The key entry's alias in the keystores.
pub const KEY_ALIAS: &str = "esme-demo";

/// What was made, and where.
pub struct Pki {
    /// The CA's certificate (PEM): what the SMSC trusts for client certificates.
    pub ca_pem: PathBuf,
    /// The SMSC's certificate and key (PEM).
    pub smsc_pem: PathBuf,
    pub smsc_key: PathBuf,
    /// Our keystore: key and certificate (with the CA), and the CA as a trusted entry.
    pub client_p12: PathBuf,
    /// A keystore like ours whose certificate was issued by another CA.
    pub other_p12: PathBuf,
    /// Our certificate's subject, as esme names it.
    pub client_subject: String,
}

fn dn(cn: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::OrganizationName, "esme demo");
    dn.push(DnType::CommonName, cn);
    dn
}

/// The params of a certificate valid from yesterday for a year.
fn params(cn: &str, names: &[&str]) -> Result<CertificateParams, String> {
    let since_epoch = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|e| e.to_string())?;
    // rcgen's date type, without naming its crate: the epoch plus the seconds since.
    let now = rcgen::date_time_ymd(1970, 1, 1) + Duration::from_secs(since_epoch.as_secs());
    let day = Duration::from_secs(86_400);
    let mut p = CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
        .map_err(|e| e.to_string())?;
    p.distinguished_name = dn(cn);
    p.not_before = now - day;
    p.not_after = now + 365 * day;
    p.use_authority_key_identifier_extension = true;
    Ok(p)
}

fn ca(cn: &str) -> Result<CertifiedIssuer<'static, KeyPair>, String> {
    let mut p = params(cn, &[])?;
    p.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    p.use_authority_key_identifier_extension = false;
    CertifiedIssuer::self_signed(p, KeyPair::generate().map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())
}

/// A leaf certificate for `usage`, issued by `ca`, and its key.
fn leaf(
    ca: &CertifiedIssuer<'_, KeyPair>,
    cn: &str,
    names: &[&str],
    usage: ExtendedKeyUsagePurpose,
) -> Result<(CertificateDer<'static>, KeyPair), String> {
    let mut p = params(cn, names)?;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![usage];
    let key = KeyPair::generate().map_err(|e| e.to_string())?;
    let cert = p.signed_by(&key, ca).map_err(|e| e.to_string())?;
    Ok((cert.der().clone(), key))
}

fn pem(label: &str, der: &[u8]) -> Result<String, String> {
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).map_err(|e| e.to_string())
}

fn write(path: &Path, content: &[u8]) -> Result<(), String> {
    std::fs::write(path, content).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Salts and IVs, from ring (rustls' provider).
fn random(buf: &mut [u8]) -> Result<(), String> {
    rustls::crypto::ring::default_provider()
        .secure_random
        .fill(buf)
        .map_err(|_| "no random numbers from the operating system".to_string())
}

/// Writes a keystore holding `cert` (issued by `ca`, named `ca_name`) and its key, with the
/// demo CA as a trusted entry.
fn keystore(
    path: &Path,
    cert: &CertificateDer<'static>,
    key: &KeyPair,
    issuer: (&CertificateDer<'static>, &str),
    trusted: (&CertificateDer<'static>, &str),
) -> Result<(), String> {
    let pkcs8 = zeroize::Zeroizing::new(key.serialize_der());
    let chain = [
        Cert {
            der: cert,
            name: KEY_ALIAS,
        },
        Cert {
            der: issuer.0,
            name: issuer.1,
        },
    ];
    let entry = KeyEntry {
        alias: KEY_ALIAS,
        pkcs8: &pkcs8,
        chain: &chain,
    };
    let trusted = [Cert {
        der: trusted.0,
        name: trusted.1,
    }];
    let p12 = java_pkcs12(&entry, &trusted, FILE_PASSWORD, KEY_PASSWORD, &random)?;
    write(path, &p12)
}

/// Makes the PKI's files in `dir`.
pub fn make(dir: &Path) -> Result<Pki, String> {
    let demo_ca = ca("esme demo CA")?;
    let other_ca = ca("another CA")?;
    let (smsc, smsc_key) = leaf(
        &demo_ca,
        "esme demo SMSC",
        &["127.0.0.1", "localhost"],
        ExtendedKeyUsagePurpose::ServerAuth,
    )?;
    let (client, client_key) = leaf(
        &demo_ca,
        "esme demo client",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
    )?;
    let (other, other_key) = leaf(
        &other_ca,
        "esme demo client",
        &[],
        ExtendedKeyUsagePurpose::ClientAuth,
    )?;

    let pki = Pki {
        ca_pem: dir.join("ca.pem"),
        smsc_pem: dir.join("smsc.pem"),
        smsc_key: dir.join("smsc.key"),
        client_p12: dir.join("client.p12"),
        other_p12: dir.join("other.p12"),
        client_subject: "CN=esme demo client,O=esme demo".into(),
    };
    write(&pki.ca_pem, pem("CERTIFICATE", demo_ca.der())?.as_bytes())?;
    write(&pki.smsc_pem, pem("CERTIFICATE", &smsc)?.as_bytes())?;
    let smsc_key = zeroize::Zeroizing::new(smsc_key.serialize_der());
    write(
        &pki.smsc_key,
        zeroize::Zeroizing::new(pem("PRIVATE KEY", &smsc_key)?).as_bytes(),
    )?;
    let demo_ca_name = "CN=esme demo CA,O=esme demo";
    let trusted = (demo_ca.der(), "esme-demo-ca");
    keystore(
        &pki.client_p12,
        &client,
        &client_key,
        (demo_ca.der(), demo_ca_name),
        trusted,
    )?;
    keystore(
        &pki.other_p12,
        &other,
        &other_key,
        (other_ca.der(), "CN=another CA,O=esme demo"),
        trusted,
    )?;
    Ok(pki)
}

#[cfg(test)]
mod tests {
    use super::super::tempdir::TempDir;
    use super::*;
    use esme::tls::pkcs12::{load_file, Pkcs12Error};
    use std::process::Command;

    /// esme's loader opens the keystore with the two passwords, and only with them.
    #[test]
    fn esme_opens_the_keystore_with_its_two_passwords_only() {
        let dir = TempDir::new("esme-demo-test").unwrap();
        let pki = make(dir.path()).unwrap();
        for p12 in [&pki.client_p12, &pki.other_p12] {
            load_file(p12, Some(FILE_PASSWORD), Some(KEY_PASSWORD), None)
                .unwrap_or_else(|e| panic!("{}: {e}", p12.display()));
            let e = load_file(p12, Some(FILE_PASSWORD), Some(FILE_PASSWORD), None).unwrap_err();
            assert!(matches!(e, Pkcs12Error::WrongKeyPassword { .. }), "{e}");
            let e = load_file(p12, Some(FILE_PASSWORD), None, None).unwrap_err();
            assert!(matches!(e, Pkcs12Error::WrongKeyPassword { .. }), "{e}");
            let e = load_file(p12, Some(KEY_PASSWORD), Some(KEY_PASSWORD), None).unwrap_err();
            assert!(matches!(e, Pkcs12Error::WrongFilePassword { .. }), "{e}");
        }
    }

    fn run(cmd: &mut Command) -> (bool, String) {
        let o = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
        let text =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        (o.status.success(), text)
    }

    /// What `openssl pkcs12 -info` says a file uses: the MAC, the key bag's and the
    /// certificates' encryption.
    fn algorithms(p12: &Path) -> Vec<String> {
        let (ok, text) = run(Command::new("openssl")
            .args(["pkcs12", "-info", "-noout", "-passin"])
            .arg(format!("pass:{FILE_PASSWORD}"))
            .arg("-in")
            .arg(p12));
        assert!(ok, "openssl pkcs12 -info {}: {text}", p12.display());
        text.lines()
            .filter(|l| {
                l.starts_with("MAC") || l.contains("Keybag") || l.contains("Encrypted data")
            })
            .map(String::from)
            .collect()
    }

    /// Java opens the keystore as the Genesys driver does (`java.security.KeyStore`): the key
    /// entry with its chain, the key with the key password only (with the file password, the
    /// seed's "Given final block not properly padded"), and the trusted entry; and OpenSSL
    /// finds the algorithms of a keystore keytool made itself.
    #[test]
    #[ignore = "needs a JDK 17 (java, keytool) and openssl"]
    fn java_reads_it_as_one_of_its_own() {
        let dir = TempDir::new("esme-demo-test").unwrap();
        let pki = make(dir.path()).unwrap();
        let reader = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/ReadKeystore.java");
        let (ok, text) = run(Command::new("java")
            .arg(&reader)
            .arg(&pki.client_p12)
            .args([FILE_PASSWORD, KEY_PASSWORD]));
        assert!(ok, "{text}");
        let mut lines: Vec<&str> = text.lines().collect();
        lines.sort_unstable();
        assert_eq!(
            lines[..3],
            [
                "entry esme-demo key 2 CN=esme demo client,O=esme demo",
                "entry esme-demo-ca trusted 1 CN=esme demo CA,O=esme demo",
                "key esme-demo EC",
            ]
        );
        // The JDK's words for the wrong key password are the Genesys log line's.
        let seed = super::super::genesys::KEY_PASSWORD.text;
        let java = seed.split_once("ssl context: ").unwrap().1;
        assert_eq!(lines.len(), 4, "{text}");
        assert!(
            lines[3].starts_with(&format!("store-password-on-key esme-demo failed: {java}")),
            "{text}"
        );

        let reference = dir.path().join("keytool.p12");
        let (ok, text) = run(Command::new("keytool")
            .args([
                "-genkeypair",
                "-storetype",
                "PKCS12",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-alias",
                "reference",
                "-dname",
                "CN=reference",
                "-storepass",
                FILE_PASSWORD,
                "-keystore",
            ])
            .arg(&reference));
        assert!(ok, "{text}");
        let ours = algorithms(&pki.client_p12);
        assert_eq!(ours, algorithms(&reference), "as keytool writes them");
        assert_eq!(ours.len(), 4, "{ours:?}");
    }
}
