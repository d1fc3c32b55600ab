#!/usr/bin/env bash
# Test PKI for esme's TLS tests (SMPP over TLS, single and mutual authentication).
#
#   tests/tls/make-pki.sh OUTDIR
#
# Generates, with openssl (3.x) only, every file below into OUTDIR. Idempotent: if
# OUTDIR/.stamp says the set was made by this very script (same sha256) and the
# "valid now" certificates stay valid for 30 more days, nothing is done. Otherwise the
# whole set is made afresh in a temporary directory and moved into OUTDIR. Quiet on
# success (errors go to stderr with openssl's output). Concurrent runs on the same
# OUTDIR are serialised with flock(1) on OUTDIR.lock. Keys are RSA 2048, unencrypted
# PEM (PKCS#8); signatures sha256WithRSAEncryption. Passwords: `changeit` everywhere
# except where noted.
#
# Trust anchors
#   ca.pem / ca.key                   root CA, CN "esme test root". What clients trust.
#   intermediate.pem / .key           intermediate CA, CN "esme test intermediate", issued
#                                     by the root (pathlen 0). Issues every leaf below
#                                     except the *-otherca / *-untrusted / selfsigned ones.
#   client-ca.pem                     root + intermediate: the bundle servers use to verify
#                                     client certificates (s_server -CAfile, smsc.js --tls-ca).
#   other-ca.pem / other-ca.key       a second, unrelated root, CN "esme other root", that
#                                     nobody trusts.
# Server certificates (each .pem = leaf, then the intermediate if it has one; serverAuth,
# SAN DNS:localhost, IP:127.0.0.1, IP:::1 unless noted)
#   server.pem / server.key           good: valid from yesterday for 10 years.
#   server-nochain.pem                the same leaf as server.pem WITHOUT the intermediate
#                                     (key: server.key) - "server does not send its chain".
#   server-expired.pem / .key         notBefore 2020-01-01, notAfter 2021-01-01.
#   server-notyet.pem / .key          notBefore 2090-01-01, notAfter 2091-01-01.
#   server-wrongname.pem / .key       SAN DNS:smsc.example.net only (CN the same).
#   server-selfsigned.pem / .key      self-signed leaf (CN localhost, usual SANs), no chain.
#   server-otherca.pem / .key         issued directly by other-ca (leaf only).
#   server-cnonly.pem / .key          CN localhost and NO subjectAltName (+ intermediate): the
#                                     name is only in the CN, which TLS clients no longer read.
#   server-clientauth.pem / .key      extendedKeyUsage clientAuth only (+ intermediate): a
#                                     client certificate installed on a server.
#   server-selfsigned-ca.pem / .key   self-signed as `openssl req -x509` makes it by default:
#                                     basicConstraints CA:TRUE, SAN DNS:localhost, IP:127.0.0.1,
#                                     IP:::1 - the usual self-signed SMSC certificate.
# Client certificates (clientAuth, CN = file stem, no SAN)
#   client.pem / client.key           issued by the intermediate; client.pem = leaf +
#                                     intermediate. Trusted by servers using client-ca.pem.
#   client-untrusted.pem / .key       issued by other-ca (leaf only). Rejected by servers.
# PKCS#12 files (what esme loads for mutual TLS; friendly name "esme-client")
#   client.p12                        client.key + client cert + chain (intermediate, root
#                                     via -chain), OpenSSL 3 defaults: PBES2/PBKDF2/
#                                     AES-256-CBC, HMAC-SHA256 MAC. Password `changeit`.
#   client-untrusted.p12              client-untrusted.key + cert (+ other-ca), `changeit`.
#   client-expired.p12                a client cert valid 2020-01-01 .. 2021-01-01, `changeit`.
#   client-legacy.p12                 like client.p12 but `-legacy`: RC2-40 (certs) and
#                                     3DES (key) PBES1, SHA-1 MAC. Password `changeit`.
#   client-twopass.p12                like client.p12 but the MAC ("file"/store) password
#                                     is `changeit` and the key bag password is `keypass`
#                                     (openssl pkcs12 -twopass) - the two passwords of the
#                                     Genesys x-smpp-tls-certificate(-file)-password options.
#   client-nomac.p12                  like client.p12 but `-nomac`: no integrity check (the
#                                     certificates are then unencrypted), key PBES2 under
#                                     `changeit` - a wrong password shows only at the key.
# Bookkeeping
#   .stamp                            sha256 of this script (up-to-date check).
set -euo pipefail

if [[ $# -ne 1 ]]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=$1
if ! command -v openssl >/dev/null 2>&1; then
	echo "make-pki.sh: openssl is required (openssl 3.x) but was not found in PATH" >&2
	exit 1
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"
self="${BASH_SOURCE[0]}"
stamp_want="$(openssl dgst -sha256 -r "$self" | cut -d' ' -f1)"

FILES=(ca.pem ca.key intermediate.pem intermediate.key client-ca.pem other-ca.pem other-ca.key
	server.pem server.key server-nochain.pem server-expired.pem server-expired.key
	server-notyet.pem server-notyet.key server-wrongname.pem server-wrongname.key
	server-selfsigned.pem server-selfsigned.key server-otherca.pem server-otherca.key
	server-cnonly.pem server-cnonly.key server-clientauth.pem server-clientauth.key
	server-selfsigned-ca.pem server-selfsigned-ca.key
	client.pem client.key client-untrusted.pem client-untrusted.key
	client.p12 client-untrusted.p12 client-legacy.p12 client-twopass.p12 client-expired.p12
	client-nomac.p12)

up_to_date() {
	[[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp_want" ]] || return 1
	local f
	for f in "${FILES[@]}"; do [[ -s "$out/$f" ]] || return 1; done
	# "valid now" certificates must stay valid for the next 30 days
	for f in ca.pem intermediate.pem server.pem client.pem; do
		openssl x509 -in "$out/$f" -noout -checkend 2592000 >/dev/null 2>&1 || return 1
	done
}

if up_to_date; then exit 0; fi

# Serialise concurrent runs (several test binaries at once), then check again.
exec 9>"$out.lock"
flock -w 120 9 || { echo "make-pki.sh: could not lock $out.lock in 120 s" >&2; exit 1; }
if up_to_date; then exit 0; fi

work="$(mktemp -d "$out.work.XXXXXX")"
trap 'rm -rf "$work"' EXIT
log="$work/openssl.log"
cd "$work"

# run CMD...: run openssl quietly; on failure show its output and stop.
run() {
	if ! "$@" >>"$log" 2>&1; then
		echo "make-pki.sh: failed: $*" >&2
		cat "$log" >&2
		exit 1
	fi
}

# Extension sections for `openssl ca` / `openssl req`.
cat >ext.cnf <<'EOF'
[root_ext]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[intermediate_ext]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[server_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1

[wrongname_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:smsc.example.net

[cnonly_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[clientauth_server_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1

[selfsigned_ca_ext]
basicConstraints = critical, CA:true
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1

[selfsigned_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1

[client_ext]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

# ca.cnf for CA NAME: a minimal `openssl ca` database per issuing CA.
make_ca_db() {
	local name=$1
	mkdir -p "db-$name"
	: >"db-$name/index.txt"
	openssl rand -hex 16 >"db-$name/serial"
	cat >"db-$name/ca.cnf" <<EOF
[ca]
default_ca = this_ca
[this_ca]
dir = $work/db-$name
database = \$dir/index.txt
serial = \$dir/serial
new_certs_dir = \$dir
default_md = sha256
policy = any_policy
unique_subject = no
copy_extensions = none
email_in_dn = no
[any_policy]
commonName = supplied
organizationName = optional
EOF
}

newkey() { run openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; }
csr() { run openssl req -new -key "$1" -subj "$2" -out "$3"; }

now_minus_1d="$(date -u -d '-1 day' +%Y%m%d%H%M%SZ)"
in_10y="$(date -u -d '+3650 days' +%Y%m%d%H%M%SZ)"

# issue CA_NAME CA_CERT CA_KEY CSR OUT EXT_SECTION START END [-selfsign]
issue() {
	local ca=$1 cacert=$2 cakey=$3 req=$4 dst=$5 ext=$6 start=$7 end=$8
	shift 8
	run openssl ca -batch -notext -config "db-$ca/ca.cnf" -cert "$cacert" -keyfile "$cakey" \
		-in "$req" -out "$dst" -extfile ext.cnf -extensions "$ext" \
		-startdate "$start" -enddate "$end" "$@"
}

# ---- roots and intermediate
make_ca_db root
make_ca_db intermediate
make_ca_db other
newkey ca.key
csr ca.key "/O=esme tests/CN=esme test root" ca.csr
issue root ca.pem ca.key ca.csr ca.pem root_ext "$now_minus_1d" "$(date -u -d '+7300 days' +%Y%m%d%H%M%SZ)" -selfsign
newkey intermediate.key
csr intermediate.key "/O=esme tests/CN=esme test intermediate" intermediate.csr
issue root ca.pem ca.key intermediate.csr intermediate.pem intermediate_ext "$now_minus_1d" "$(date -u -d '+5475 days' +%Y%m%d%H%M%SZ)"
cat ca.pem intermediate.pem >client-ca.pem
newkey other-ca.key
csr other-ca.key "/O=esme tests/CN=esme other root" other-ca.csr
issue other other-ca.pem other-ca.key other-ca.csr other-ca.pem root_ext "$now_minus_1d" "$(date -u -d '+7300 days' +%Y%m%d%H%M%SZ)" -selfsign

# leaf NAME CN CA EXT START END: NAME.key, NAME.crt (leaf only)
leaf() {
	local name=$1 cn=$2 ca=$3 ext=$4 start=$5 end=$6
	newkey "$name.key"
	csr "$name.key" "/O=esme tests/CN=$cn" "$name.csr"
	case $ca in
	intermediate) issue intermediate intermediate.pem intermediate.key "$name.csr" "$name.crt" "$ext" "$start" "$end" ;;
	other) issue other other-ca.pem other-ca.key "$name.csr" "$name.crt" "$ext" "$start" "$end" ;;
	esac
}

# ---- servers
leaf server localhost intermediate server_ext "$now_minus_1d" "$in_10y"
cat server.crt intermediate.pem >server.pem
cp server.crt server-nochain.pem
leaf server-expired localhost intermediate server_ext 20200101000000Z 20210101000000Z
cat server-expired.crt intermediate.pem >server-expired.pem
leaf server-notyet localhost intermediate server_ext 20900101000000Z 20910101000000Z
cat server-notyet.crt intermediate.pem >server-notyet.pem
leaf server-wrongname smsc.example.net intermediate wrongname_ext "$now_minus_1d" "$in_10y"
cat server-wrongname.crt intermediate.pem >server-wrongname.pem
leaf server-otherca localhost other server_ext "$now_minus_1d" "$in_10y"
cp server-otherca.crt server-otherca.pem
leaf server-cnonly localhost intermediate cnonly_ext "$now_minus_1d" "$in_10y"
cat server-cnonly.crt intermediate.pem >server-cnonly.pem
leaf server-clientauth localhost intermediate clientauth_server_ext "$now_minus_1d" "$in_10y"
cat server-clientauth.crt intermediate.pem >server-clientauth.pem
newkey server-selfsigned-ca.key
run openssl req -new -x509 -key server-selfsigned-ca.key -subj "/O=esme tests/CN=localhost" \
	-days 3650 -config ext.cnf -extensions selfsigned_ca_ext -out server-selfsigned-ca.pem
newkey server-selfsigned.key
run openssl req -new -x509 -key server-selfsigned.key -subj "/O=esme tests/CN=localhost" \
	-days 3650 -config ext.cnf -extensions selfsigned_ext -out server-selfsigned.pem

# ---- clients
leaf client esme-client intermediate client_ext "$now_minus_1d" "$in_10y"
cat client.crt intermediate.pem >client.pem
leaf client-untrusted esme-client-untrusted other client_ext "$now_minus_1d" "$in_10y"
cp client-untrusted.crt client-untrusted.pem
leaf client-expired esme-client-expired intermediate client_ext 20200101000000Z 20210101000000Z

# ---- PKCS#12
run openssl pkcs12 -export -in client.crt -inkey client.key -chain -CAfile client-ca.pem \
	-name esme-client -passout pass:changeit -out client.p12
run openssl pkcs12 -export -in client-untrusted.crt -inkey client-untrusted.key \
	-chain -CAfile other-ca.pem -name esme-client -passout pass:changeit -out client-untrusted.p12
# -certfile, not -chain: -chain verifies the leaf, which fails on an expired one.
run openssl pkcs12 -export -in client-expired.crt -inkey client-expired.key \
	-certfile intermediate.pem -name esme-client-expired -passout pass:changeit -out client-expired.p12
run openssl pkcs12 -export -legacy -in client.crt -inkey client.key -chain -CAfile client-ca.pem \
	-name esme-client -passout pass:changeit -out client-legacy.p12
run openssl pkcs12 -export -nomac -in client.crt -inkey client.key -chain -CAfile client-ca.pem \
	-name esme-client -passout pass:changeit -out client-nomac.p12
# -twopass prompts for the MAC password, then the export (key bag) password, each twice,
# on the terminal - or on stdin when there is no controlling terminal: setsid takes the
# terminal away so stdin is used. -certpbe NONE: the certificate bag is not encrypted
# (it would otherwise be under the key password), so the file password alone opens the
# certificates and only the key needs `keypass`.
if ! printf 'changeit\nchangeit\nkeypass\nkeypass\n' | setsid openssl pkcs12 -export -twopass \
	-certpbe NONE -in client.crt -inkey client.key -chain -CAfile client-ca.pem -name esme-client \
	-out client-twopass.p12 >>"$log" 2>&1; then
	echo "make-pki.sh: failed: openssl pkcs12 -export -twopass" >&2
	cat "$log" >&2
	exit 1
fi

# ---- sanity checks (cheap; a broken set must never be installed)
run openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose sslserver server.crt
run openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose sslclient client.crt
run openssl verify -CAfile other-ca.pem -purpose sslclient client-untrusted.crt
run openssl pkcs12 -in client.p12 -passin pass:changeit -nodes -out /dev/null
run openssl pkcs12 -in client-untrusted.p12 -passin pass:changeit -nodes -out /dev/null
run openssl pkcs12 -in client-legacy.p12 -legacy -passin pass:changeit -nodes -out /dev/null
run openssl pkcs12 -in client-twopass.p12 -passin pass:changeit -nokeys -out /dev/null
run openssl pkcs12 -in client-twopass.p12 -passin pass:keypass -nomacver -nodes -out /dev/null
if openssl pkcs12 -in client-twopass.p12 -passin pass:changeit -nodes -out /dev/null >/dev/null 2>&1; then
	echo "make-pki.sh: client-twopass.p12: the key bag opens with the MAC password" >&2
	exit 1
fi

# ---- install
for f in "${FILES[@]}"; do
	mv -f "$f" "$out/$f"
done
chmod 0644 "$out"/*.pem "$out"/*.p12
chmod 0600 "$out"/*.key
printf '%s\n' "$stamp_want" >"$out/.stamp.tmp"
mv -f "$out/.stamp.tmp" "$out/.stamp"
