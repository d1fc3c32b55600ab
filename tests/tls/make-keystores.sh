#!/usr/bin/env bash
# Java keystores (PKCS#12) made by JDK 17 keytool and the java.security.KeyStore API from the
# test PKI (tests/tls/make-pki.sh): what a Java admin hands over with a Genesys channel - the
# client key and the SMSC's CA as a trusted-certificate entry, or a trust store alone.
#
#   tests/tls/make-keystores.sh PKI_DIR OUTDIR
#
# Idempotent: nothing is done when OUTDIR/.stamp matches this script, the Java helper and the
# PKI's own stamp. Serialised with flock on OUTDIR.lock. Quiet on success; on failure, the
# failing step and its output. Needs keytool, javac and java (JDK 17) and openssl.
#
# Passwords: store (MAC and certificate bags) `changeit`; key `changeit`, except ks-split-*.
#
#   ks-client-trust.p12     keytool: key entry "esme-client" (client.p12's key and chain) and
#                           trustedCertEntry "smsc-ca" (ca.pem, the SMSC's root).
#   ks-split-trust.p12      KeyStore API: the same entries, store password `changeit`, key
#                           password `keypass` (keytool cannot write split PKCS#12 passwords).
#   ks-client-othertrust.p12 keytool: key entry "esme-client" and trustedCertEntry "other-ca"
#                           (other-ca.pem, which did not issue the SMSC's certificate).
#   ks-trust-only.p12       keytool -importcert: trustedCertEntry "smsc-ca" (ca.pem) and no key,
#                           the usual Java trust store.
#   ks-pinned-selfsigned.p12 keytool -importcert: trustedCertEntry "smsc" = the SMSC's own
#                           self-signed certificate (server-selfsigned-ca.pem, CA:TRUE).
#   ks-pinned-leaf.p12      keytool -importcert: trustedCertEntry "smsc" = the SMSC's own leaf
#                           (server-nochain.pem, issued by the intermediate), no CA at all.
#   ossl-trust-only.p12     openssl pkcs12 -export -nokeys of ca.pem: a certificate bag WITHOUT
#                           Java's trusted mark (Java loads no entry from it).
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: $0 PKI_DIR OUTDIR" >&2
    exit 2
fi
PKI=$(cd "$1" && pwd)
OUT=$2
case $OUT in /*) ;; *) OUT="$PWD/$OUT" ;; esac
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SCRIPT="$HERE/$(basename "${BASH_SOURCE[0]}")"
JAVA_SRC="$HERE/SplitPasswordKeystore.java"

for tool in openssl keytool javac java flock; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "make-keystores: '$tool' is not installed (needs OpenSSL 3 and a JDK 17: apt-get install openssl openjdk-17-jdk-headless util-linux)" >&2
        exit 3
    fi
done

want="$(cat "$SCRIPT" "$JAVA_SRC" "$PKI/.stamp" | openssl dgst -sha256 -r | cut -d' ' -f1)"
FILES=(ks-client-trust.p12 ks-split-trust.p12 ks-client-othertrust.p12 ks-trust-only.p12
    ks-pinned-selfsigned.p12 ks-pinned-leaf.p12 ossl-trust-only.p12)
up_to_date() {
    [ -f "$OUT/.stamp" ] && [ "$(cat "$OUT/.stamp")" = "$want" ] || return 1
    local f
    for f in "${FILES[@]}"; do [ -s "$OUT/$f" ] || return 1; done
}
if up_to_date; then exit 0; fi
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock -w 300 9 || { echo "make-keystores: could not lock $OUT.lock in 300 s" >&2; exit 1; }
if up_to_date; then exit 0; fi

work="$(mktemp -d "$OUT.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
LOG="$work/make.log"
cd "$work"
q() {
    echo "+ $*" >>"$LOG"
    if ! "$@" >>"$LOG" 2>&1; then
        echo "make-keystores: failed: $*" >&2
        tail -n 30 "$LOG" >&2
        exit 1
    fi
}
P=changeit

# Key entry + trusted entries, by keytool.
key_and_trust() { # out, then alias=pem pairs
    local out=$1
    shift
    q keytool -importkeystore -noprompt -srckeystore "$PKI/client.p12" -srcstoretype PKCS12 \
        -srcstorepass "$P" -srcalias esme-client -destkeystore "$out" -deststoretype PKCS12 \
        -deststorepass "$P" -destalias esme-client
    local pair
    for pair in "$@"; do
        q keytool -importcert -noprompt -storetype PKCS12 -keystore "$out" -storepass "$P" \
            -alias "${pair%%=*}" -file "${pair#*=}"
    done
}
key_and_trust ks-client-trust.p12 "smsc-ca=$PKI/ca.pem"
key_and_trust ks-client-othertrust.p12 "other-ca=$PKI/other-ca.pem"
trust_only() { # out alias pem
    q keytool -importcert -noprompt -storetype PKCS12 -keystore "$1" -storepass "$P" -alias "$2" \
        -file "$3"
}
trust_only ks-trust-only.p12 smsc-ca "$PKI/ca.pem"
trust_only ks-pinned-selfsigned.p12 smsc "$PKI/server-selfsigned-ca.pem"
trust_only ks-pinned-leaf.p12 smsc "$PKI/server-nochain.pem"

# Split passwords: the KeyStore API.
mkdir -p classes
q javac -d classes "$JAVA_SRC"
q java -cp classes SplitPasswordKeystore --trust smsc-ca "$PKI/ca.pem" "$PKI/client.p12" "$P" \
    ks-split-trust.p12 "$P" keypass esme-client

q openssl pkcs12 -export -nokeys -in "$PKI/ca.pem" -passout "pass:$P" -out ossl-trust-only.p12

# Sanity: keytool sees what the names promise.
list() { keytool -list -storetype PKCS12 -keystore "$1" -storepass "$P" 2>&1; }
expect() { # file, entry text
    if ! list "$1" | grep -q "$2"; then
        echo "make-keystores: $1 has no $2:" >&2
        list "$1" >&2
        exit 1
    fi
}
expect ks-client-trust.p12 "smsc-ca,.*trustedCertEntry"
expect ks-client-trust.p12 "esme-client,.*PrivateKeyEntry"
expect ks-split-trust.p12 "smsc-ca,.*trustedCertEntry"
expect ks-split-trust.p12 "esme-client,.*PrivateKeyEntry"
expect ks-trust-only.p12 "smsc-ca,.*trustedCertEntry"
expect ks-pinned-selfsigned.p12 "smsc,.*trustedCertEntry"
expect ks-pinned-leaf.p12 "smsc,.*trustedCertEntry"
if ! list ossl-trust-only.p12 | grep -q "contains 0 entries"; then
    echo "make-keystores: Java sees entries in ossl-trust-only.p12:" >&2
    list ossl-trust-only.p12 >&2
    exit 1
fi

mkdir -p "$OUT"
for f in "${FILES[@]}"; do
    mv -f "$f" "$OUT/$f"
done
printf '%s\n' "$want" >"$OUT/.stamp"
