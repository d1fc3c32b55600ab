//! PKCS#12 loader tests on files made by the real tools (OpenSSL 3, JDK 17 keytool and the
//! Java KeyStore API): tests/tls/make-pkcs12-fixtures.sh makes them once per target dir.
//!
//! The tests on those files are marked `#[ignore = "needs openssl, flock and a JDK …"]`: a
//! bare `cargo test` passes without those tools; `bash tests/run-all.sh` runs them
//! (`--include-ignored`), as does `cargo test --test pkcs12 -- --include-ignored` (tools:
//! `bash tests/install-tools.sh`).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, OnceLock};
use std::time::{Duration, Instant, SystemTime};

use esme::tls::pkcs12::{load, load_file, Identity, Pkcs12Error};
use esme::tls::TlsError;
use proptest::prelude::*;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};

const FILE: &str = "file-pass-123";
const KEY: &str = "key-pass-456";
const UNICODE: &str = "pässwörd€";
/// The leaf certificates' lifetime in the fixture script.
const LEAF_DAYS: u64 = 397;

/// Runs `f` on a thread and fails the test if it takes longer than `secs`.
fn bounded<T: Send + 'static>(secs: u64, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what} took longer than {secs} s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("{what} panicked"),
    }
}

/// The fixture directory, made once (the script itself is idempotent and takes a lock, so
/// concurrent test binaries share one run).
fn fixtures() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        for tool in ["openssl", "keytool", "javac", "java", "flock"] {
            let found = Command::new("sh")
                .args(["-c", &format!("command -v {tool}")])
                .stdout(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            assert!(
                found,
                "the PKCS#12 tests need `{tool}` to make their fixtures: install OpenSSL 3 and \
                 JDK 17 (apt-get install openssl openjdk-17-jdk-headless util-linux, or \
                 bash tests/install-tools.sh)"
            );
        }
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("tls-fixtures");
        let script =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tls/make-pkcs12-fixtures.sh");
        let mut child = Command::new("bash")
            .arg(&script)
            .arg(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start make-pkcs12-fixtures.sh");
        let deadline = Instant::now() + Duration::from_secs(300);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait for the fixture script") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("make-pkcs12-fixtures.sh took longer than 300 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut out = String::new();
        let mut err = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        assert!(
            status.success(),
            "make-pkcs12-fixtures.sh failed ({status}):\n{out}\n{err}"
        );
        dir
    })
}

/// `openssl pkcs12 -export` with the file password and `args` (the words after `-in`,
/// `-inkey` name fixtures), made in the fixtures folder as `NAME.p12.tmp` and read back.
fn openssl_export(name: &str, args: &[&str]) -> Vec<u8> {
    let out = fixtures().join(format!("{name}.p12.tmp"));
    let mut cmd = Command::new("openssl");
    cmd.args(["pkcs12", "-export", "-passout"])
        .arg(format!("pass:{FILE}"));
    let mut fixture = false;
    for a in args {
        if fixture {
            cmd.arg(path(a));
        } else {
            cmd.arg(a);
        }
        fixture = matches!(*a, "-in" | "-inkey");
    }
    let status = cmd
        .arg("-out")
        .arg(&out)
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "openssl pkcs12 -export {args:?}");
    let der = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    der
}

fn path(name: &str) -> PathBuf {
    fixtures().join(name)
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap_or_else(|e| panic!("read fixture {name}: {e}"))
}

fn open(
    name: &str,
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
) -> Result<Identity, Pkcs12Error> {
    let p = path(name);
    let (fp, kp, a) = (
        file_password.map(String::from),
        key_password.map(String::from),
        alias.map(String::from),
    );
    bounded(60, &format!("loading {name}"), move || {
        load_file(&p, fp.as_deref(), kp.as_deref(), a.as_deref())
    })
}

fn ok(name: &str, file_password: Option<&str>) -> Identity {
    open(name, file_password, None, None).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn err(
    name: &str,
    file_password: Option<&str>,
    key_password: Option<&str>,
    alias: Option<&str>,
) -> Pkcs12Error {
    match open(name, file_password, key_password, alias) {
        Ok(id) => panic!("{name} opened ({id:?}) but should not have"),
        Err(e) => {
            check_display(&e);
            e
        }
    }
}

/// The error as users see it: worded by the TLS layer, which names the channel's options
/// (the loader's own text speaks of the file only).
fn shown(e: &Pkcs12Error) -> String {
    TlsError::from(e.clone()).to_string()
}

/// Every error's text, the loader's and the one users see, is one line and shows no password;
/// the loader's names no option.
fn check_display(e: &Pkcs12Error) {
    let own = e.to_string();
    assert!(
        !own.contains("x-smpp-"),
        "the loader names an option: {own}"
    );
    for text in [own, shown(e)] {
        assert!(!text.contains('\n'), "multi-line error: {text}");
        assert!(text.len() > 20, "too terse: {text}");
        for secret in [FILE, KEY, UNICODE, "wrong-password"] {
            assert!(!text.contains(secret), "error shows a password: {text}");
            assert!(
                !format!("{e:?}").contains(secret),
                "Debug shows a password: {e:?}"
            );
        }
    }
}

fn subject_of(name: &str) -> String {
    format!("CN=client {name},OU=contact centre,O=esme tests,C=NL")
}

/// The checks every loaded identity passes.
fn check_identity(id: &Identity, what: &str) {
    assert!(!id.chain.is_empty(), "{what}: empty chain");
    let now = SystemTime::now();
    let (nb, na) = (id.not_before.unwrap(), id.not_after.unwrap());
    assert!(nb <= now && now < na, "{what}: not valid now: {id:?}");
    let days = id.days_left(now).unwrap();
    assert!(
        (300..=LEAF_DAYS as i64).contains(&days),
        "{what}: {days} days left"
    );
    assert_eq!(id.expiry_warning(now), None, "{what}");
    assert!(
        matches!(id.key, PrivateKeyDer::Pkcs8(_)),
        "{what}: key not PKCS#8"
    );
    rustls::crypto::ring::sign::any_supported_type(&id.key)
        .unwrap_or_else(|e| panic!("{what}: ring cannot use the key: {e}"));
    let debug = format!("{id:?}");
    assert!(
        debug.contains("redacted") && debug.contains(&id.subject),
        "{what}: {debug}"
    );
    if let PrivateKeyDer::Pkcs8(k) = &id.key {
        let secret = &k.secret_pkcs8_der()[k.secret_pkcs8_der().len() - 8..];
        assert!(
            !debug.contains(&format!("{secret:?}")),
            "{what}: Debug shows key bytes"
        );
    }
    client_config(id).unwrap_or_else(|e| panic!("{what}: rustls refused the identity: {e}"));
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn root_store() -> rustls::RootCertStore {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from(read("root.der"))).unwrap();
    roots
}

fn client_config(id: &Identity) -> Result<rustls::ClientConfig, rustls::Error> {
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()?
        .with_root_certificates(root_store())
        .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
}

/// A full in-memory TLS handshake with a rustls server that requires a client certificate
/// issued by the test root: the chain and key really authenticate.
fn handshake(id: &Identity, version: &'static rustls::SupportedProtocolVersion) {
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        root_store().into(),
        provider(),
    )
    .build()
    .unwrap();
    let server_config = rustls::ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            vec![CertificateDer::from(read("server.der"))],
            PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(read("server.key.der"))),
        )
        .unwrap();
    let client_config = rustls::ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[version])
        .unwrap()
        .with_root_certificates(root_store())
        .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
        .unwrap();
    let mut client = rustls::ClientConnection::new(
        Arc::new(client_config),
        ServerName::try_from("localhost").unwrap(),
    )
    .unwrap();
    let mut server = rustls::ServerConnection::new(Arc::new(server_config)).unwrap();
    for _ in 0..20 {
        if !client.is_handshaking() && !server.is_handshaking() {
            break;
        }
        let mut buf = Vec::new();
        while client.wants_write() {
            client.write_tls(&mut buf).unwrap();
        }
        server.read_tls(&mut buf.as_slice()).unwrap();
        server
            .process_new_packets()
            .expect("server rejected the client");
        let mut buf = Vec::new();
        while server.wants_write() {
            server.write_tls(&mut buf).unwrap();
        }
        client.read_tls(&mut buf.as_slice()).unwrap();
        client.process_new_packets().expect("client failed");
    }
    assert!(
        !client.is_handshaking() && !server.is_handshaking(),
        "handshake did not finish"
    );
    let peer = server
        .peer_certificates()
        .expect("server saw no client certificate");
    assert_eq!(peer[0], id.chain[0]);
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn openssl_flavours_open_with_the_right_key_type() {
    // (file, password, key type, leaf name)
    let cases: &[(&str, &str, &str, &str)] = &[
        ("default-rsa2048.p12", FILE, "RSA 2048", "rsa2048"),
        ("default-rsa3072.p12", FILE, "RSA 3072", "rsa3072"),
        ("default-rsa4096.p12", FILE, "RSA 4096", "rsa4096"),
        ("default-p256.p12", FILE, "ECDSA P-256", "p256"),
        ("default-p384.p12", FILE, "ECDSA P-384", "p384"),
        ("default-ed25519.p12", FILE, "Ed25519", "ed25519"),
        ("legacy-rsa2048.p12", FILE, "RSA 2048", "rsa2048"),
        ("legacy-p256.p12", FILE, "ECDSA P-256", "p256"),
        ("legacy-2des-rc2-128.p12", FILE, "RSA 2048", "rsa2048"),
        ("aes128-sha512.p12", FILE, "ECDSA P-256", "p256"),
        ("pbes2-3des.p12", FILE, "RSA 2048", "rsa2048"),
        ("nomac.p12", FILE, "RSA 2048", "rsa2048"),
        ("windows-3des.p12", FILE, "RSA 2048", "rsa2048"),
        ("iter1.p12", FILE, "ECDSA P-384", "p384"),
        ("unicode-default.p12", UNICODE, "ECDSA P-256", "p256"),
        ("unicode-legacy.p12", UNICODE, "ECDSA P-256", "p256"),
    ];
    for &(file, password, key_type, leaf) in cases {
        let id = ok(file, Some(password));
        check_identity(&id, file);
        assert_eq!(id.key_type(), key_type, "{file}");
        assert_eq!(id.subject, subject_of(leaf), "{file}");
        assert_eq!(id.alias.as_deref(), Some(leaf), "{file}");
        assert_eq!(id.chain.len(), 1, "{file}");
        assert!(id.ca_certs.is_empty(), "{file}");
        let lifetime = id
            .not_after
            .unwrap()
            .duration_since(id.not_before.unwrap())
            .unwrap();
        assert_eq!(lifetime, Duration::from_secs(LEAF_DAYS * 86_400), "{file}");
        // The key password defaults to the file password; giving it explicitly works too.
        let again = open(file, Some(password), Some(password), None).unwrap();
        assert_eq!(again.chain, id.chain);
    }
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn files_without_a_password_open_with_none_and_with_empty() {
    for file in ["empty-pass.p12", "legacy-empty-pass.p12", "no-pass.p12"] {
        for password in [None, Some("")] {
            let id = open(file, password, None, None)
                .unwrap_or_else(|e| panic!("{file} with {password:?}: {e}"));
            check_identity(&id, file);
            assert_eq!(id.key_type(), "RSA 2048");
            assert_eq!(id.subject, subject_of("rsa2048"));
            assert_eq!(id.alias.as_deref(), Some("rsa2048"));
            // An empty key password is the same thing.
            open(file, password, Some(""), None).unwrap();
        }
    }
    // A MAC made with the empty password does not verify with another one.
    match err("empty-pass.p12", Some(FILE), None, None) {
        Pkcs12Error::WrongFilePassword {
            password_given: true,
            ..
        } => {}
        e => panic!("{e:?}"),
    }
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn chain_is_ordered_leaf_to_root_and_other_certificates_are_ca_certs() {
    let root = read("root.der");
    let inter = read("inter.der");
    let leaf = read("rsa2048.der");
    let id = ok("chain.p12", Some(FILE));
    check_identity(&id, "chain.p12");
    let chain: Vec<&[u8]> = id.chain.iter().map(|c| c.as_ref()).collect();
    assert_eq!(chain, [&leaf[..], &inter[..], &root[..]]);
    assert!(id.ca_certs.is_empty());
    handshake(&id, &rustls::version::TLS13);

    // Extra certificates in the order root, other root, intermediate.
    let id = ok("chain-extra.p12", Some(FILE));
    let chain: Vec<&[u8]> = id.chain.iter().map(|c| c.as_ref()).collect();
    assert_eq!(chain, [&leaf[..], &inter[..], &root[..]]);
    assert_eq!(
        id.ca_certs,
        vec![CertificateDer::from(read("other-root.der"))]
    );
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn keytool_keystores_open() {
    let id = ok("keytool-rsa.p12", Some(FILE));
    check_identity(&id, "keytool-rsa.p12");
    assert_eq!(id.key_type(), "RSA 2048");
    assert_eq!(id.alias.as_deref(), Some("client-rsa"));
    assert_eq!(id.subject, "CN=keytool rsa client,O=esme tests");
    assert_eq!(id.chain.len(), 1);
    assert!(id.ca_certs.is_empty());

    // Java writes EC keys without the public key: the loader completes them.
    let id = ok("keytool-ec.p12", Some(FILE));
    check_identity(&id, "keytool-ec.p12");
    assert_eq!(id.key_type(), "ECDSA P-256");
    assert_eq!(id.alias.as_deref(), Some("client-ec"));
    assert_eq!(id.subject, "CN=keytool ec client,O=esme tests");

    // A trusted-certificate entry next to the key entry is a CA certificate.
    let id = ok("keytool-trusted.p12", Some(FILE));
    assert_eq!(id.alias.as_deref(), Some("client-rsa"));
    assert_eq!(id.chain.len(), 1);
    assert_eq!(
        id.ca_certs,
        vec![CertificateDer::from(read("other-root.der"))]
    );
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn keystores_give_their_trust_entries_as_java_reads_them() {
    use esme::tls::pkcs12::{load_keystore, KeyUse};
    let ks = |name: &str, key: KeyUse| load_keystore(&read(name), Some(FILE), None, None, key);
    // A key entry and a trusted-certificate entry (keytool -importcert): the trust entry is
    // read with its alias, in single mode without touching the key.
    let k = ks("keytool-trusted.p12", KeyUse::NotNeeded).unwrap();
    assert!(k.identity.is_none());
    assert_eq!(k.keys, 1);
    assert_eq!(k.trusted.len(), 1);
    assert_eq!(k.trusted[0].alias.as_deref(), Some("other-root"));
    assert_eq!(
        k.trusted[0].cert,
        CertificateDer::from(read("other-root.der"))
    );
    assert_eq!(k.trusted[0].subject, "CN=other root CA,O=elsewhere");
    assert!(k.ca_certs.is_empty(), "{:?}", k.ca_certs.len());
    let k = ks("keytool-trusted.p12", KeyUse::Needed).unwrap();
    assert_eq!(k.identity.unwrap().alias.as_deref(), Some("client-rsa"));
    // A trust store: trust entries and no key; as a client identity, refused.
    let k = ks("keytool-truststore.p12", KeyUse::NotNeeded).unwrap();
    assert_eq!(k.keys, 0);
    let aliases: Vec<_> = k.trusted.iter().map(|t| t.alias.clone().unwrap()).collect();
    assert_eq!(aliases.len(), 2, "{aliases:?}");
    assert!(aliases.contains(&"root-ca".to_string()), "{aliases:?}");
    assert!(aliases.contains(&"other-root".to_string()), "{aliases:?}");
    assert!(matches!(
        ks("keytool-truststore.p12", KeyUse::Needed),
        Err(Pkcs12Error::NoPrivateKey)
    ));
    // A trust store opens only with its password, as Java's KeyStore.load.
    assert!(matches!(
        load_keystore(
            &read("keytool-truststore.p12"),
            Some("wrong"),
            None,
            None,
            KeyUse::NotNeeded
        ),
        Err(Pkcs12Error::WrongFilePassword { .. })
    ));
    // OpenSSL's certificates carry no trusted mark: CA certificates, not trust entries.
    let k = ks("certs-only.p12", KeyUse::NotNeeded).unwrap();
    assert!(k.trusted.is_empty());
    assert_eq!(k.ca_certs, vec![CertificateDer::from(read("root.der"))]);
    // -chain: the intermediate and root are CA certificates; the key's own is not.
    let k = ks("chain.p12", KeyUse::Needed).unwrap();
    assert!(k.trusted.is_empty());
    assert_eq!(
        k.ca_certs,
        vec![
            CertificateDer::from(read("inter.der")),
            CertificateDer::from(read("root.der"))
        ]
    );
    let k = ks("chain.p12", KeyUse::NotNeeded).unwrap();
    assert_eq!(k.ca_certs.len(), 2);
    // A single-mode load never decrypts the key: a split keystore opens with its store
    // password alone.
    let k = ks("split.p12", KeyUse::NotNeeded).unwrap();
    assert_eq!(k.keys, 1);
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn alias_chooses_among_several_keys() {
    let present = |e: &Pkcs12Error| -> Vec<String> {
        let mut p = match e {
            Pkcs12Error::SeveralKeys { present } => present.clone(),
            Pkcs12Error::AliasNotFound { present, .. } => present.clone(),
            e => panic!("{e:?}"),
        };
        p.sort();
        p
    };
    let e = err("two-keys.p12", Some(FILE), None, None);
    assert!(matches!(e, Pkcs12Error::SeveralKeys { .. }), "{e:?}");
    assert_eq!(present(&e), ["alpha", "beta"]);
    assert!(e.to_string().ends_with("choose one by its alias"), "{e}");
    let text = shown(&e);
    assert!(text.contains("x-smpp-tls-certificate-alias"), "{text}");
    assert!(
        text.contains("\"alpha\"") && text.contains("\"beta\""),
        "{text}"
    );

    let alpha = open("two-keys.p12", Some(FILE), None, Some("alpha")).unwrap();
    check_identity(&alpha, "two-keys alpha");
    assert_eq!(alpha.key_type(), "RSA 2048");
    assert_eq!(alpha.subject, subject_of("rsa2048"));
    assert_eq!(alpha.alias.as_deref(), Some("alpha"));
    let beta = open("two-keys.p12", Some(FILE), None, Some("BeTa")).unwrap();
    check_identity(&beta, "two-keys beta");
    assert_eq!(beta.key_type(), "ECDSA P-256");
    assert_eq!(beta.subject, subject_of("p256"));
    assert_eq!(beta.alias.as_deref(), Some("beta"));

    let e = err("two-keys.p12", Some(FILE), None, Some("gamma"));
    match &e {
        Pkcs12Error::AliasNotFound { wanted, .. } => assert_eq!(wanted, "gamma"),
        e => panic!("{e:?}"),
    }
    assert_eq!(present(&e), ["alpha", "beta"]);
    assert!(
        e.to_string()
            .starts_with("no key entry has the alias \"gamma\""),
        "{e}"
    );
    let text = shown(&e);
    assert!(
        text.starts_with("x-smpp-tls-certificate-alias \"gamma\"")
            && text.contains("\"gamma\"")
            && text.contains("\"alpha\"")
            && text.contains("is not in the file"),
        "{text}"
    );
    // A single-key file with another alias asked for is an error too.
    let e = err("default-p256.p12", Some(FILE), None, Some("rsa2048"));
    match e {
        Pkcs12Error::AliasNotFound { present, .. } => assert_eq!(present, ["p256"]),
        e => panic!("{e:?}"),
    }
    let id = open("default-p256.p12", Some(FILE), None, Some("P256")).unwrap();
    assert_eq!(id.alias.as_deref(), Some("p256"));
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn split_passwords() {
    let id = open("split.p12", Some(FILE), Some(KEY), None).unwrap();
    check_identity(&id, "split.p12");
    assert_eq!(id.alias.as_deref(), Some("split-client"));
    assert_eq!(id.subject, subject_of("rsa2048"));
    assert_eq!(id.key_type(), "RSA 2048");
    handshake(&id, &rustls::version::TLS12);

    // Only the store password: the key does not decrypt with it.
    let e = err("split.p12", Some(FILE), None, None);
    assert_eq!(
        e,
        Pkcs12Error::WrongKeyPassword {
            key_password_given: false,
            file_password_checked: true,
        }
    );
    assert!(
        shown(&e).starts_with(
            "x-smpp-tls-certificate-password is wrong: the private key did not decrypt"
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .starts_with("the private key did not decrypt with the file password"),
        "{e}"
    );
    // A wrong key password.
    let e = err("split.p12", Some(FILE), Some("wrong-password"), None);
    assert_eq!(
        e,
        Pkcs12Error::WrongKeyPassword {
            key_password_given: true,
            file_password_checked: true,
        }
    );
    assert_eq!(
        shown(&e),
        "x-smpp-tls-certificate-password is wrong: the private key did not decrypt"
    );
    assert_eq!(
        e.to_string(),
        "the key password is wrong: the private key did not decrypt"
    );
    // The key password as the file password.
    let e = err("split.p12", Some(KEY), Some(KEY), None);
    assert!(
        matches!(
            e,
            Pkcs12Error::WrongFilePassword {
                password_given: true,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn wrong_or_missing_file_password() {
    for (file, mac) in [
        ("default-rsa2048.p12", "HMAC-SHA256"),
        ("legacy-rsa2048.p12", "HMAC-SHA1"),
        ("aes128-sha512.p12", "HMAC-SHA512"),
        ("keytool-rsa.p12", "HMAC-SHA256"),
    ] {
        let e = err(file, Some("wrong-password"), None, None);
        assert_eq!(
            e.to_string(),
            format!("the file password is wrong: the file's integrity check (MAC, {mac}) failed"),
            "{file}"
        );
        assert_eq!(
            shown(&e),
            format!(
                "x-smpp-tls-certificate-file-password is wrong: the file's integrity check (MAC, {mac}) failed"
            ),
            "{file}"
        );
        // Even with the right key password: the file password opens the file.
        let e = err(file, Some("wrong-password"), Some(FILE), None);
        assert!(matches!(
            e,
            Pkcs12Error::WrongFilePassword {
                password_given: true,
                ..
            }
        ));
        let e = err(file, None, None, None);
        assert!(
            matches!(
                e,
                Pkcs12Error::WrongFilePassword {
                    password_given: false,
                    ..
                }
            ),
            "{file}: {e:?}"
        );
        assert!(shown(&e).contains("is not set"), "{e}");
        assert!(e.to_string().contains("none was given"), "{e}");
    }
    // Without a file password the key password is tried for the file too (one password set).
    let id = open("default-rsa2048.p12", None, Some(FILE), None).unwrap();
    assert_eq!(id.alias.as_deref(), Some("rsa2048"));
    // No MAC and plain certificates: nothing checks the file password but the key, so a
    // wrong file password shows there, and is named first (code 305, not 306).
    let e = err("nomac.p12", Some("wrong-password"), None, None);
    assert_eq!(
        e,
        Pkcs12Error::WrongKeyPassword {
            key_password_given: false,
            file_password_checked: false,
        }
    );
    assert!(
        shown(&e).starts_with("x-smpp-tls-certificate-file-password is wrong (or the key has its own password, x-smpp-tls-certificate-password)"),
        "{}",
        shown(&e)
    );
    assert_eq!(TlsError::from(e.clone()).code(), 305);
    assert!(e.to_string().contains("no integrity check (MAC)"), "{e}");
    // With a key password set, the key password is the one blamed.
    let e = err("nomac.p12", Some("wrong-password"), Some("wrong-too"), None);
    assert!(
        matches!(
            e,
            Pkcs12Error::WrongKeyPassword {
                key_password_given: true,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(TlsError::from(e).code(), 306);
    // Case and Unicode matter.
    let e = err("unicode-legacy.p12", Some("PÄSSWÖRD€"), None, None);
    assert!(matches!(e, Pkcs12Error::WrongFilePassword { .. }), "{e:?}");
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn unsupported_algorithms_and_keys_are_named() {
    let e = err("rc4.p12", Some(FILE), None, None);
    assert_eq!(
        e,
        Pkcs12Error::Unsupported {
            what: "encryption".into(),
            oid: "1.2.840.113549.1.12.1.1".into()
        }
    );
    assert!(
        e.to_string()
            .starts_with("unsupported encryption 1.2.840.113549.1.12.1.1 (pbeWithSHAAnd128BitRC4)"),
        "{e}"
    );
    let e = err("default-p521.p12", Some(FILE), None, None);
    match &e {
        Pkcs12Error::UnsupportedKey { why } => assert!(why.contains("P-521"), "{why}"),
        e => panic!("{e:?}"),
    }
    let e = err("default-dsa.p12", Some(FILE), None, None);
    match &e {
        Pkcs12Error::UnsupportedKey { why } => assert!(why.contains("DSA"), "{why}"),
        e => panic!("{e:?}"),
    }
    assert!(
        e.to_string()
            .starts_with("the private key cannot be used for TLS: DSA"),
        "{e}"
    );
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn key_that_does_not_match_its_certificate() {
    let e = err("mismatch.p12", Some(FILE), None, None);
    assert_eq!(
        e,
        Pkcs12Error::KeyDoesNotMatchCertificate {
            subject: subject_of("rsa3072")
        }
    );
    assert!(
        e.to_string().contains("does not match the certificate"),
        "{e}"
    );
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn not_pkcs12_files_are_explained() {
    let text = |e: Pkcs12Error| match &e {
        Pkcs12Error::NotPkcs12 { why } => {
            check_display(&e);
            why.clone()
        }
        e => panic!("{e:?}"),
    };
    let why = text(err("client.pem", Some(FILE), None, None));
    assert!(
        why.contains("this looks like a PEM file") && why.contains("openssl pkcs12 -export"),
        "{why}"
    );
    let why = text(err("store.jks", Some(FILE), None, None));
    assert!(
        why.contains("JKS keystore")
            && why.contains("keytool -importkeystore")
            && why.contains("-deststoretype PKCS12"),
        "{why}"
    );
    let why = text(err("rsa2048.der", Some(FILE), None, None));
    assert!(why.contains("certificate without its key"), "{why}");
    let why = text(load(b"", None, None, None).unwrap_err());
    assert!(why.contains("empty"), "{why}");
    let why = text(load(b"hello, world", None, None, None).unwrap_err());
    assert!(why.contains("ASN.1"), "{why}");
    let why = text(load(&[0x30, 0x03, 0x02, 0x01, 0x03], None, None, None).unwrap_err());
    assert!(why.contains("damaged"), "{why}");
    let mut truncated = read("default-rsa2048.p12");
    truncated.truncate(truncated.len() / 2);
    text(load(&truncated, Some(FILE), None, None).unwrap_err());

    let missing = fixtures().join("no-such-file.p12");
    let e = load_file(&missing, Some(FILE), None, None).unwrap_err();
    assert_eq!(
        e,
        Pkcs12Error::Missing {
            path: missing.clone()
        }
    );
    assert!(shown(&e).contains("x-smpp-tls-path-to-certificate"), "{e}");
    assert!(e.to_string().ends_with("does not exist"), "{e}");
    let e = load_file(fixtures(), Some(FILE), None, None).unwrap_err();
    assert!(matches!(e, Pkcs12Error::Unreadable { .. }), "{e:?}");
    check_display(&e);
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn a_key_without_a_certificate_and_certificates_without_a_key() {
    // A PKCS#12 with certificates only (openssl -nokeys).
    let der = openssl_export("certs-only", &["-nokeys", "-in", "cas.pem"]);
    let e = load(&der, Some(FILE), None, None).unwrap_err();
    assert_eq!(e, Pkcs12Error::NoPrivateKey);
    check_display(&e);
    let e = err("key-only.p12", Some(FILE), None, None);
    assert_eq!(e, Pkcs12Error::NoCertificate);
}

/// DER, by hand: a PFX without MAC or encryption whose one safe holds `bags`, for files the
/// tools will not make (no localKeyId, hundreds of certificates).
mod handmade {
    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut v = vec![tag];
        let n = content.len();
        if n < 0x80 {
            v.push(n as u8);
        } else {
            let b: Vec<u8> = n
                .to_be_bytes()
                .into_iter()
                .skip_while(|&x| x == 0)
                .collect();
            v.push(0x80 | b.len() as u8);
            v.extend(b);
        }
        v.extend_from_slice(content);
        v
    }
    fn seq(parts: &[&[u8]]) -> Vec<u8> {
        tlv(0x30, &parts.concat())
    }
    fn oid(arcs: &[u64]) -> Vec<u8> {
        let mut out = vec![(40 * arcs[0] + arcs[1]) as u8];
        for &a in &arcs[2..] {
            let mut enc = vec![(a & 0x7F) as u8];
            let mut a = a >> 7;
            while a > 0 {
                enc.push(0x80 | (a & 0x7F) as u8);
                a >>= 7;
            }
            enc.reverse();
            out.extend(enc);
        }
        tlv(0x06, &out)
    }
    const PKCS12_BAGS: [u64; 9] = [1, 2, 840, 113549, 1, 12, 10, 1, 0];
    fn bag_oid(n: u64) -> Vec<u8> {
        let mut a = PKCS12_BAGS;
        a[8] = n;
        oid(&a)
    }
    /// A keyBag with this PKCS#8 key, no attributes.
    pub fn key_bag(pkcs8: &[u8]) -> Vec<u8> {
        seq(&[&bag_oid(1), &tlv(0xA0, pkcs8)])
    }
    /// A certBag with this X.509 certificate, no attributes.
    pub fn cert_bag(cert: &[u8]) -> Vec<u8> {
        let x509 = oid(&[1, 2, 840, 113549, 1, 9, 22, 1]);
        let value = seq(&[&x509, &tlv(0xA0, &tlv(0x04, cert))]);
        seq(&[&bag_oid(3), &tlv(0xA0, &value)])
    }
    pub fn pfx(bags: &[Vec<u8>]) -> Vec<u8> {
        let data = oid(&[1, 2, 840, 113549, 1, 7, 1]);
        let refs: Vec<&[u8]> = bags.iter().map(Vec::as_slice).collect();
        let safe = seq(&[&data, &tlv(0xA0, &tlv(0x04, &seq(&refs)))]);
        let auth_safe = seq(&[&safe]);
        seq(&[
            &tlv(0x02, &[3]),
            &seq(&[&data, &tlv(0xA0, &tlv(0x04, &auth_safe))]),
        ])
    }
}

fn pem_key(name: &str) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    match PrivateKeyDer::from_pem_file(path(name)).unwrap() {
        PrivateKeyDer::Pkcs8(k) => k.secret_pkcs8_der().to_vec(),
        other => panic!("{name}: not PKCS#8: {other:?}"),
    }
}

fn pem_cert(name: &str) -> Vec<u8> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_file(path(name)).unwrap().to_vec()
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn the_keys_certificate_is_found_among_hundreds_without_signing_for_each() {
    // An RSA-4096 key, not paired with its certificate (no localKeyId), behind 999 other
    // certificates: before issue 16 each was tried by a signature (1 000 × RSA-4096, 3.4 s);
    // now those whose public key is not the key's are set aside first.
    let others = [
        "rsa2048.crt",
        "rsa3072.crt",
        "p256.crt",
        "p384.crt",
        "root.crt",
        "inter.crt",
    ]
    .map(pem_cert);
    let mut bags = vec![handmade::key_bag(&pem_key("rsa4096.key"))];
    bags.extend((0..999).map(|i| handmade::cert_bag(&others[i % others.len()])));
    bags.push(handmade::cert_bag(&pem_cert("rsa4096.crt")));
    let der = handmade::pfx(&bags);
    let id = bounded(60, "the key among 1000 certificates", move || {
        load(&der, None, None, None)
    })
    .unwrap();
    assert_eq!(id.subject, subject_of("rsa4096"));
    assert_eq!(id.key_type(), "RSA 4096");
    // The same key with 20 copies of its certificate, none paired: more than esme checks by
    // signature.
    let mut bags = vec![handmade::key_bag(&pem_key("rsa4096.key"))];
    bags.extend((0..20).map(|_| handmade::cert_bag(&pem_cert("rsa4096.crt"))));
    let e = load(&handmade::pfx(&bags), None, None, None).unwrap_err();
    assert!(matches!(e, Pkcs12Error::TooCostly { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("20 certificates could belong to the private key"),
        "{e}"
    );
    check_display(&e);
    // A key with another key's certificate only: the usual error, without any signature.
    let bags = [
        handmade::key_bag(&pem_key("rsa4096.key")),
        handmade::cert_bag(&pem_cert("rsa2048.crt")),
    ];
    let e = load(&handmade::pfx(&bags), None, None, None).unwrap_err();
    assert!(
        matches!(e, Pkcs12Error::KeyDoesNotMatchCertificate { .. }),
        "{e:?}"
    );
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn a_file_that_asks_too_many_iterations_is_refused_within_its_budget() {
    // openssl at 10 million iterations for the certificates and the key (PBES2): 40 million
    // with PBKDF2's two hashes per iteration, more with the MAC, over the 40 million budget.
    let der = openssl_export(
        "iter10m",
        &["-iter", "10000000", "-inkey", "p256.key", "-in", "p256.crt"],
    );
    // With a small budget (a debug build derives slowly), refused before the first
    // derivation past it: nothing at 10 million iterations is derived.
    let budget = 5_000_000;
    let (r, spent) = esme::tls::pkcs12::load_budgeted(&der, Some(FILE), None, None, budget);
    let e = r.unwrap_err();
    assert!(matches!(e, Pkcs12Error::TooCostly { .. }), "{e:?}");
    assert!(e.to_string().contains("alone asks for 10000000"), "{e}");
    assert!(spent < budget, "{spent}");
    check_display(&e);
}

#[test]
#[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
fn expiry_warning_and_days_left() {
    let id = ok("default-p256.p12", Some(FILE));
    let (nb, na) = (id.not_before.unwrap(), id.not_after.unwrap());
    let day = Duration::from_secs(86_400);
    assert_eq!(id.days_left(na - day * 10), Some(10));
    let w = id.expiry_warning(na - day * 10).unwrap();
    assert!(
        w.contains(&id.subject) && w.contains("expires on") && w.contains("in 10 days"),
        "{w}"
    );
    assert!(!w.contains('\n'));
    assert_eq!(id.days_left(na + day * 2), Some(-2));
    let w = id.expiry_warning(na + day * 2).unwrap();
    assert!(w.contains("expired on") && w.contains("2 days ago"), "{w}");
    assert_eq!(id.expiry_warning(na - day * 31), None);
    assert!(id.expiry_warning(na - day * 30).is_some());
    assert_eq!(id.expiry_warning(nb + day), None);
    let w = id.expiry_warning(nb - day).unwrap();
    assert!(w.contains("not valid until"), "{w}");
    // x-smpp-tls-expiry-warning-days: the window is the option's.
    assert_eq!(id.expiry_warning_within(na - day * 10, 9), None);
    assert!(id.expiry_warning_within(na - day * 10, 10).is_some());
    assert!(id.expiry_warning_within(na - day * 100, 120).is_some());
    assert_eq!(id.expiry_warning_within(na - day * 2, 0), None);
    let w = id.expiry_warning_within(na + day, 0).unwrap();
    assert!(w.contains("expired on"), "{w}");
}

/// Real files, once, for the property tests.
fn samples() -> &'static [(Vec<u8>, &'static str)] {
    static SAMPLES: OnceLock<Vec<(Vec<u8>, &'static str)>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        vec![
            (read("default-p256.p12"), FILE),
            (read("legacy-rsa2048.p12"), FILE),
            (read("no-pass.p12"), ""),
            (read("chain.p12"), FILE),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn load_never_panics_on_arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..600),
        sequence in any::<bool>(),
    ) {
        let mut bytes = bytes;
        if sequence && bytes.len() > 4 {
            // Make it look like DER so the parser goes further.
            bytes[0] = 0x30;
            bytes[1] = 0x82;
            let len = (bytes.len() - 4) as u16;
            bytes[2..4].copy_from_slice(&len.to_be_bytes());
        }
        let started = Instant::now();
        let _ = load(&bytes, Some(FILE), None, None);
        let _ = load(&bytes, None, None, Some("x"));
        prop_assert!(started.elapsed() < Duration::from_secs(5));
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 96,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    #[ignore = "needs openssl, flock and a JDK: keytool, javac, java (tests/tls/make-pkcs12-fixtures.sh)"]
    fn load_never_panics_on_mutated_real_files(
        which in 0usize..4,
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in proptest::option::of(any::<prop::sample::Index>()),
    ) {
        let (original, password) = &samples()[which];
        let mut bytes = original.clone();
        for (at, value) in &edits {
            let i = at.index(bytes.len());
            bytes[i] = *value;
        }
        if let Some(cut) = cut {
            bytes.truncate(cut.index(bytes.len()));
        }
        let started = Instant::now();
        let result = load(&bytes, Some(password), None, None);
        if let Err(e) = &result {
            check_display(e);
        }
        prop_assert!(started.elapsed() < Duration::from_secs(10));
    }
}
