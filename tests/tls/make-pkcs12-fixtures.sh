#!/usr/bin/env bash
# Makes the PKCS#12 test fixtures for tests/pkcs12.rs with the real tools: OpenSSL 3 and the
# JDK 17 keytool/javac/java. Nothing here is committed: the test run calls this script.
#
# Usage: tests/tls/make-pkcs12-fixtures.sh OUTDIR
#
# Idempotent: does nothing when OUTDIR/.done is newer than this script and the Java helper.
# Serialised with flock on OUTDIR.lock, so concurrent test binaries share one run.
# Prints one summary line on success; on failure, the failing step and its output.
#
# Passwords: FILE = "file-pass-123" (store/MAC password), KEY = "key-pass-456" (split files'
# key password), UNICODE = "pässwörd€", EMPTY = "" (OpenSSL -passout pass:).
#
# Certificates: root CA (RSA 2048, self-signed) -> intermediate CA (ECDSA P-256) -> leaves
# rsa2048, rsa3072, rsa4096, p256, p384, ed25519, p521, dsa (2048-bit, q 224) (clientAuth,
# 397 days); an unrelated "other" root CA (ECDSA P-384); a "localhost" TLS server certificate
# issued by the root (server.der, server.key.der) for the handshake test; *.der copies of some.
#
# Files and what `openssl pkcs12 -info -noout` says they use (OpenSSL 3.0, JDK 17.0.15):
#   default-{rsa2048,rsa3072,rsa4096,p256,p384,ed25519,p521,dsa}.p12   (openssl pkcs12 -export)
#       MAC sha256 (2048 it.); certs: encryptedData PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC;
#       key: shrouded PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC (2048 it.). Password FILE.
#   legacy-rsa2048.p12, legacy-p256.p12                              (-legacy)
#       MAC sha1; certs pbeWithSHA1And40BitRC2-CBC (1.2.840.113549.1.12.1.6);
#       key pbeWithSHA1And3-KeyTripleDES-CBC (1.2.840.113549.1.12.1.3). Password FILE.
#   legacy-2des-rc2-128.p12          (-legacy -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128)
#       MAC sha1; certs pbeWithSHA1And128BitRC2-CBC (.12.1.5); key pbeWithSHA1And2-KeyTripleDES-CBC
#       (.12.1.4). Password FILE.
#   rc4.p12                          (-legacy -keypbe PBE-SHA1-RC4-128)
#       MAC sha1; certs RC2-40; key pbeWithSHA1And128BitRC4 (.12.1.1): not supported by the loader.
#   aes128-sha512.p12                (-keypbe AES-128-CBC -certpbe AES-128-CBC -macalg sha512)
#       MAC sha512; certs and key PBES2/PBKDF2-hmacWithSHA256/AES-128-CBC. Password FILE.
#   pbes2-3des.p12                   (-keypbe DES-EDE3-CBC -certpbe DES-EDE3-CBC)
#       MAC sha256; certs and key PBES2/PBKDF2-hmacWithSHA256/DES-EDE3-CBC. Password FILE.
#   nomac.p12                        (-nomac)
#       no MAC; certs in plain Data (OpenSSL 3 leaves them unencrypted with -nomac); key PBES2
#       AES-256-CBC. Password FILE.
#   windows-3des.p12                 (-legacy -keypbe/-certpbe PBE-SHA1-3DES -macalg sha1 -CSP … -LMK
#       -keyex: what Windows' "TripleDES-SHA1" export writes, with its Microsoft CSP-name and
#       local-machine-keyset bag attributes): MAC sha1; certs and key pbeWithSHA1And3-KeyTripleDES-CBC.
#   iter1.p12                        (-noiter -nomaciter): MAC sha256 with the iteration count
#       omitted (DEFAULT 1); certs and key PBES2/PBKDF2 (1 iteration)/AES-256-CBC. Password FILE.
#   key-only.p12                     (-nocerts): default algorithms, a key and no certificate.
#   empty-pass.p12                   (-passout pass:)
#       MAC sha256; certs and key PBES2 AES-256-CBC, all with the empty password.
#   legacy-empty-pass.p12            (-legacy -passout pass:)
#       MAC sha1; certs RC2-40, key 3DES: PKCS#12 KDF with the empty password (BMPString edge case).
#   no-pass.p12                      (-keypbe NONE -certpbe NONE -nomac -passout pass:)
#       no MAC; certs in plain Data; key in a plain keyBag (1.2.840.113549.1.12.10.1.1).
#   unicode-default.p12, unicode-legacy.p12   (default / -legacy, password UNICODE)
#   chain.p12                        (-chain -CAfile root+intermediate)
#       leaf rsa2048 + intermediate + root; default algorithms. Password FILE.
#   chain-extra.p12                  (-certfile: root, other root, intermediate, in that order)
#       leaf rsa2048 + intermediate + root + unrelated root; default algorithms. Password FILE.
#   no-keyid.p12                     (-nocerts -certfile root, leaf, intermediate): default
#       algorithms; no friendlyName or localKeyId on any bag, so the key is matched to its
#       certificate by public key. Password FILE.
#   two-keys.p12                     (keytool -importkeystore of default-rsa2048 as "alpha" and
#       default-p256 as "beta"): MAC sha256 (10000 it.); certs and keys PBES2/PBKDF2-hmacWithSHA256/
#       AES-256-CBC (10000 it.). Password FILE.
#   keytool-rsa.p12                  (keytool -genkeypair -storetype PKCS12 -keyalg RSA, alias
#       client-rsa, JDK 17 defaults: RSA 2048, SHA256withRSA): MAC sha256 (10000 it.); certs and
#       key PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC (10000 it.). Password FILE.
#   keytool-ec.p12                   (same with -keyalg EC -groupname secp256r1, alias client-ec):
#       same algorithms; the PKCS#8 key carries no public key (Java omits it; ring needs it).
#   keytool-trusted.p12              (keytool-rsa.p12 plus `keytool -importcert` of the other
#       root as trusted entry "other-root"): same algorithms.
#   keytool-truststore.p12           (keytool -importcert of the root as "root-ca" and the other root as
#       "other-root" into a new PKCS12 store): trusted-certificate entries only, no key - a Java
#       trust store. Same algorithms. Password FILE.
#   certs-only.p12                   (openssl pkcs12 -export -nokeys of the root): a certificate bag
#       without Java's trusted mark. Password FILE.
#   split.p12                        (SplitPasswordKeystore.java from chain.p12: rsa2048 leaf,
#       intermediate and root; alias split-client): store password FILE, key password KEY;
#       JDK 17 defaults: key and certs PBES2/PBKDF2-hmacWithSHA256/AES-256-CBC, MAC sha256
#       (10000 it.).
#   mismatch.p12                     (SplitPasswordKeystore.java: key of rsa2048, certificate of
#       rsa3072, alias mismatch): store and key password FILE; same algorithms as split.p12.
#   store.jks                        (keytool -genkeypair -storetype JKS): magic 0xFEEDFEED.
#   client.pem                       (PEM certificate + PEM private key of rsa2048).
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
OUT=$1
case $OUT in /*) ;; *) OUT="$PWD/$OUT" ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT="$HERE/$(basename "${BASH_SOURCE[0]}")"
JAVA_SRC="$HERE/SplitPasswordKeystore.java"

for tool in openssl keytool javac java flock; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make-pkcs12-fixtures: '$tool' is not installed (needs OpenSSL 3 and a JDK 17: apt-get install openssl openjdk-17-jdk-headless)" >&2
        exit 3
    fi
done

mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock 9

fresh() {
    [ -f "$OUT/.done" ] && [ "$OUT/.done" -nt "$SCRIPT" ] && [ "$OUT/.done" -nt "$JAVA_SRC" ]
}
if fresh; then
    echo "pkcs12 fixtures: up to date in $OUT"
    exit 0
fi

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"
LOG="$OUT/make.log"
: >"$LOG"
trap 'rc=$?; echo "make-pkcs12-fixtures: failed (exit $rc) at line $LINENO; last output:" >&2; tail -n 30 "$LOG" >&2' ERR

# Runs a command quietly, its output kept in the log.
q() {
    echo "+ $*" >>"$LOG"
    "$@" >>"$LOG" 2>&1
}

FILE=file-pass-123
KEY=key-pass-456
UNICODE='pässwörd€'
DAYS=397
export LC_ALL=C.UTF-8

cat >ca.ext <<'EOF'
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF
cat >leaf.ext <<'EOF'
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
EOF

# --- CAs ---
q openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out root.key
q openssl req -x509 -new -key root.key -subj "/O=esme tests/CN=esme test root CA" -days 3650 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out root.crt
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out inter.key
q openssl req -new -key inter.key -subj "/O=esme tests/CN=esme test intermediate CA" -out inter.csr
q openssl x509 -req -in inter.csr -CA root.crt -CAkey root.key -set_serial 0x1001 -days 3000 \
    -extfile ca.ext -out inter.crt
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out other-root.key
q openssl req -x509 -new -key other-root.key -subj "/O=elsewhere/CN=other root CA" -days 3650 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out other-root.crt

# --- leaves ---
leaf() { # name, genpkey options...
    local name=$1
    shift
    q openssl genpkey "$@" -out "$name.key"
    q openssl req -new -key "$name.key" -subj "/C=NL/O=esme tests/OU=contact centre/CN=client $name" -out "$name.csr"
    q openssl x509 -req -in "$name.csr" -CA inter.crt -CAkey inter.key -set_serial "0x$(openssl rand -hex 8)" \
        -days $DAYS -extfile leaf.ext -out "$name.crt"
}
leaf rsa2048 -algorithm RSA -pkeyopt rsa_keygen_bits:2048
leaf rsa3072 -algorithm RSA -pkeyopt rsa_keygen_bits:3072
leaf rsa4096 -algorithm RSA -pkeyopt rsa_keygen_bits:4096
leaf p256 -algorithm EC -pkeyopt ec_paramgen_curve:P-256
leaf p384 -algorithm EC -pkeyopt ec_paramgen_curve:P-384
leaf p521 -algorithm EC -pkeyopt ec_paramgen_curve:P-521
leaf ed25519 -algorithm ED25519
q openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:2048 -pkeyopt dsa_paramgen_q_bits:224 -out dsa.param
leaf dsa -paramfile dsa.param

# A TLS server certificate (for the handshake test), issued by the root.
q openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out server.key
q openssl req -new -key server.key -subj "/O=esme tests/CN=localhost" -out server.csr
q openssl x509 -req -in server.csr -CA root.crt -CAkey root.key -set_serial 0x2001 -days $DAYS \
    -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost\n') \
    -out server.crt
q openssl pkcs8 -topk8 -nocrypt -in server.key -outform DER -out server.key.der
for c in root inter rsa2048 other-root server; do
    q openssl x509 -in "$c.crt" -outform DER -out "$c.der"
done

# --- OpenSSL-made PKCS#12 files ---
p12() { # out, key/cert name, extra options...
    local out=$1 name=$2
    shift 2
    q openssl pkcs12 -export -inkey "$name.key" -in "$name.crt" -name "$name" -out "$out" "$@"
}
for n in rsa2048 rsa3072 rsa4096 p256 p384 ed25519 p521 dsa; do
    p12 "default-$n.p12" "$n" -passout "pass:$FILE"
done
p12 legacy-rsa2048.p12 rsa2048 -legacy -passout "pass:$FILE"
p12 legacy-p256.p12 p256 -legacy -passout "pass:$FILE"
p12 legacy-2des-rc2-128.p12 rsa2048 -legacy -keypbe PBE-SHA1-2DES -certpbe PBE-SHA1-RC2-128 -passout "pass:$FILE"
p12 rc4.p12 rsa2048 -legacy -keypbe PBE-SHA1-RC4-128 -passout "pass:$FILE"
p12 aes128-sha512.p12 p256 -keypbe AES-128-CBC -certpbe AES-128-CBC -macalg sha512 -passout "pass:$FILE"
p12 pbes2-3des.p12 rsa2048 -keypbe DES-EDE3-CBC -certpbe DES-EDE3-CBC -passout "pass:$FILE"
p12 nomac.p12 rsa2048 -nomac -passout "pass:$FILE"
p12 windows-3des.p12 rsa2048 -legacy -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1 \
    -CSP "Microsoft Enhanced RSA and AES Cryptographic Provider" -LMK -keyex -passout "pass:$FILE"
p12 iter1.p12 p384 -noiter -nomaciter -passout "pass:$FILE"
q openssl pkcs12 -export -nocerts -inkey rsa2048.key -name rsa2048 -out key-only.p12 -passout "pass:$FILE"
p12 empty-pass.p12 rsa2048 -passout pass:
p12 legacy-empty-pass.p12 rsa2048 -legacy -passout pass:
p12 no-pass.p12 rsa2048 -keypbe NONE -certpbe NONE -nomac -passout pass:
p12 unicode-default.p12 p256 -passout "pass:$UNICODE"
p12 unicode-legacy.p12 p256 -legacy -passout "pass:$UNICODE"
cat inter.crt root.crt >cas.pem
p12 chain.p12 rsa2048 -chain -CAfile cas.pem -passout "pass:$FILE"
cat root.crt rsa2048.crt inter.crt >leaf-among-cas.pem
q openssl pkcs12 -export -nocerts -inkey rsa2048.key -certfile leaf-among-cas.pem -out no-keyid.p12 \
    -passout "pass:$FILE"
cat root.crt other-root.crt inter.crt >extra.pem
p12 chain-extra.p12 rsa2048 -certfile extra.pem -passout "pass:$FILE"

# --- keytool-made keystores (JDK 17 defaults) ---
kt_import() { # src, src alias, dest alias
    q keytool -importkeystore -noprompt -srckeystore "$1" -srcstoretype PKCS12 -srcstorepass "$FILE" \
        -srcalias "$2" -destkeystore two-keys.p12 -deststoretype PKCS12 -deststorepass "$FILE" -destalias "$3"
}
kt_import default-rsa2048.p12 rsa2048 alpha
kt_import default-p256.p12 p256 beta
q keytool -genkeypair -storetype PKCS12 -keystore keytool-rsa.p12 -storepass "$FILE" -alias client-rsa \
    -keyalg RSA -dname "CN=keytool rsa client, O=esme tests" -validity $DAYS
q keytool -genkeypair -storetype PKCS12 -keystore keytool-ec.p12 -storepass "$FILE" -alias client-ec \
    -keyalg EC -groupname secp256r1 -dname "CN=keytool ec client, O=esme tests" -validity $DAYS
cp keytool-rsa.p12 keytool-trusted.p12
q keytool -importcert -noprompt -storetype PKCS12 -keystore keytool-trusted.p12 -storepass "$FILE" \
    -alias other-root -file other-root.crt
for pair in root-ca=root.crt other-root=other-root.crt; do
    q keytool -importcert -noprompt -storetype PKCS12 -keystore keytool-truststore.p12 -storepass "$FILE" \
        -alias "${pair%%=*}" -file "${pair#*=}"
done
q openssl pkcs12 -export -nokeys -in root.crt -passout "pass:$FILE" -out certs-only.p12
q keytool -genkeypair -storetype JKS -keystore store.jks -storepass "$FILE" -keypass "$FILE" -alias jks \
    -keyalg RSA -dname "CN=jks client" -validity $DAYS

# --- Java KeyStore API: split passwords and a key that does not match its certificate ---
mkdir -p classes
q javac -d classes "$JAVA_SRC"
q java -cp classes SplitPasswordKeystore chain.p12 "$FILE" split.p12 "$FILE" "$KEY" split-client
q java -cp classes SplitPasswordKeystore default-rsa2048.p12 "$FILE" mismatch.p12 "$FILE" "$FILE" mismatch \
    default-rsa3072.p12 "$FILE"

# --- not PKCS#12 ---
cat rsa2048.crt rsa2048.key >client.pem

# Record what each file uses, for a person reading a failing test.
for f in *.p12; do
    case $f in
    split.p12 | mismatch.p12 | two-keys.p12 | keytool-*) pass=$FILE ;;
    empty-pass.p12 | legacy-empty-pass.p12 | no-pass.p12) pass= ;;
    unicode-*) pass=$UNICODE ;;
    *) pass=$FILE ;;
    esac
    {
        echo "== $f"
        openssl pkcs12 -legacy -info -noout -passin "pass:$pass" -in "$f" 2>&1 || true
    } >>algorithms.txt
done

trap - ERR
touch .done
echo "pkcs12 fixtures: $(ls ./*.p12 | wc -l) PKCS#12 files made in $OUT"
