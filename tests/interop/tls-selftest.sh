#!/usr/bin/env bash
# Self-test of the TLS test peers, without esme (node to node, openssl to openssl):
#   1. smsc.js --tls-cert (server auth only): tls-client.js trusting ca.pem binds,
#      submits, gets submit_sm_resp, unbinds; smsc.js reports a "tls" event. A client
#      trusting only other-ca.pem is refused during the handshake; plain SMPP sent to
#      the TLS port gives a "tls_error" event.
#   2. smsc.js --tls-request-cert (mutual): client.pem/client.key works (tls event
#      authorized=true, peer_subject CN=esme-client); client-untrusted.pem and no client
#      certificate are both refused (tls_error events).
#   3. openssl s_server with server.pem (+ -cert_chain intermediate.pem):
#      `openssl s_client -CAfile ca.pem -verify_return_error` succeeds; with
#      server-expired.pem it fails with "certificate has expired".
# The PKI is made (or reused) by tests/tls/make-pki.sh in target/tls-pki.
# Usage: tests/interop/tls-selftest.sh   (any cwd; exits non-zero on any failure;
# every step bounded by a timeout; kills its children on exit)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
cd "$repo_root"
interop="tests/interop"

for tool in node npm openssl; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "tls-selftest: $tool is required" >&2
		exit 2
	fi
done

# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps tls-selftest

pki="$repo_root/target/tls-pki"
timeout 120 bash tests/tls/make-pki.sh "$pki"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/esme-tls-selftest.XXXXXX")"
pids=()
cleanup() {
	local rc=$?
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "tls-selftest: FAILED: $*" >&2
	exit 1
}

# wait_for FILE REGEX [SECONDS]: wait until a line of FILE matches REGEX (ERE).
wait_for() {
	local file=$1 re=$2 secs=${3:-10} i
	for ((i = 0; i < secs * 20; i++)); do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# start_smsc NAME ARGS...: smsc.js with stdin on a FIFO kept open by a sleeping writer
# (EOF would stop it), events in $tmp/NAME.events; sets $port.
start_smsc() {
	local name=$1
	shift
	mkfifo "$tmp/$name.in"
	timeout 120 node "$interop/smsc.js" --port 0 "$@" <"$tmp/$name.in" >"$tmp/$name.events" &
	pids+=($!)
	timeout 120 sleep 120 >"$tmp/$name.in" &
	pids+=($!)
	wait_for "$tmp/$name.events" '^LISTENING [0-9]+$' 15 ||
		fail "smsc.js $* did not print LISTENING: $(cat "$tmp/$name.events")"
	port="$(sed -n 's/^LISTENING //p' "$tmp/$name.events")"
}

# client NAME ARGS...: run tls-client.js; its JSON line in $tmp/NAME.json; returns its status.
client() {
	local name=$1
	shift
	timeout 30 node "$interop/tls-client.js" --port "$port" "$@" >"$tmp/$name.json" 2>&1
}

# ---- 1. server authentication only
port=""
start_smsc single --tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
echo "tls-selftest: smsc.js (TLS, server auth) on 127.0.0.1:$port" >&2
client ok1 --ca "$pki/ca.pem" || fail "TLS client against smsc.js: $(cat "$tmp/ok1.json")"
grep -q '"ok":true' "$tmp/ok1.json" || fail "client: $(cat "$tmp/ok1.json")"
grep -q '"message_id":"2871-1"' "$tmp/ok1.json" || fail "no submit_sm_resp: $(cat "$tmp/ok1.json")"
wait_for "$tmp/single.events" '"event":"tls","session":1,"protocol":"TLSv1\.[23]","cipher":"[^"]+","authorized":false' ||
	fail "no tls event: $(cat "$tmp/single.events")"
wait_for "$tmp/single.events" '"event":"submit_sm","session":1' || fail "no submit_sm event"
echo "tls-selftest: server auth: $(cat "$tmp/ok1.json")" >&2

if client bad1 --ca "$pki/other-ca.pem"; then
	fail "a client trusting only other-ca.pem connected: $(cat "$tmp/bad1.json")"
fi
grep -q '"stage":"connect"' "$tmp/bad1.json" || fail "wrong CA: not refused at connect: $(cat "$tmp/bad1.json")"
grep -q 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY\|unable to get local issuer' "$tmp/bad1.json" ||
	fail "wrong CA: unexpected error: $(cat "$tmp/bad1.json")"

# plain SMPP (an enquire_link) to the TLS port: the handshake fails on the server side
timeout 10 node -e '
	const s = require("net").connect(+process.argv[1], "127.0.0.1", () =>
		s.write(Buffer.from("00000010000000150000000000000001", "hex")));
	s.on("data", () => {}); s.on("error", () => {}); s.on("close", () => process.exit(0));
' "$port" || fail "plain client to the TLS port did not end"
wait_for "$tmp/single.events" '"event":"tls_error".*wrong version number' ||
	fail "no tls_error for plain SMPP on the TLS port: $(cat "$tmp/single.events")"

# ---- 2. mutual authentication
start_smsc mutual --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" \
	--tls-ca "$pki/client-ca.pem" --tls-request-cert
echo "tls-selftest: smsc.js (TLS, mutual) on 127.0.0.1:$port" >&2
client ok2 --ca "$pki/ca.pem" --cert "$pki/client.pem" --key "$pki/client.key" ||
	fail "mutual TLS with client.pem: $(cat "$tmp/ok2.json")"
grep -q '"message_id":"2871-1"' "$tmp/ok2.json" || fail "no submit_sm_resp: $(cat "$tmp/ok2.json")"
wait_for "$tmp/mutual.events" '"event":"tls",.*"authorized":true,.*"peer_subject":"CN=esme-client, O=esme tests"' ||
	fail "no authorized tls event: $(cat "$tmp/mutual.events")"
echo "tls-selftest: mutual: $(cat "$tmp/ok2.json")" >&2

if client bad2 --ca "$pki/ca.pem" --cert "$pki/client-untrusted.pem" --key "$pki/client-untrusted.key"; then
	fail "the untrusted client certificate was accepted: $(cat "$tmp/bad2.json")"
fi
wait_for "$tmp/mutual.events" '"event":"tls_error",.*"authorization_error":"[A-Z_]+"' ||
	fail "no tls_error for the untrusted client certificate: $(cat "$tmp/mutual.events")"
echo "tls-selftest: untrusted client cert refused: $(cat "$tmp/bad2.json")" >&2

if client bad3 --ca "$pki/ca.pem"; then
	fail "a client without certificate was accepted: $(cat "$tmp/bad3.json")"
fi
wait_for "$tmp/mutual.events" '"event":"tls_error",.*(did not return a certificate|PEER_DID_NOT_RETURN)' ||
	fail "no tls_error for a missing client certificate: $(cat "$tmp/mutual.events")"
if grep -q '"event":"bind"' <(sed -n '/"session":2/p' "$tmp/mutual.events"); then
	fail "a refused client got a session: $(cat "$tmp/mutual.events")"
fi

# ---- 3. openssl s_server / s_client
# start_s_server NAME ARGS...: s_server on a free port (retried if taken); sets $port.
start_s_server() {
	local name=$1 try
	shift
	for try in 1 2 3 4 5; do
		port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})')"
		# stdin must stay open: at EOF s_server drops the connection
		rm -f "$tmp/$name.in"
		mkfifo "$tmp/$name.in"
		timeout 60 openssl s_server -accept "127.0.0.1:$port" "$@" <"$tmp/$name.in" >"$tmp/$name.log" 2>&1 &
		pids+=($!)
		timeout 60 sleep 60 >"$tmp/$name.in" &
		pids+=($!)
		if wait_for "$tmp/$name.log" '^ACCEPT$' 10; then
			return 0
		fi
		grep -q 'in use' "$tmp/$name.log" || fail "s_server $*: $(cat "$tmp/$name.log")"
	done
	fail "s_server: no free port"
}

s_client() {
	timeout 20 openssl s_client -connect "127.0.0.1:$port" -CAfile "$pki/ca.pem" \
		-verify_return_error "$@" </dev/null >"$tmp/s_client.log" 2>&1
}

start_s_server good -cert "$pki/server.pem" -key "$pki/server.key" \
	-cert_chain "$pki/intermediate.pem" -naccept 1
s_client || fail "s_client against s_server with server.pem: $(cat "$tmp/s_client.log")"
grep -q 'Verify return code: 0 (ok)' "$tmp/s_client.log" || fail "s_client: $(cat "$tmp/s_client.log")"

start_s_server expired -cert "$pki/server-expired.pem" -key "$pki/server-expired.key" \
	-cert_chain "$pki/intermediate.pem" -naccept 1
if s_client; then
	fail "s_client accepted server-expired.pem: $(cat "$tmp/s_client.log")"
fi
grep -q 'certificate has expired' "$tmp/s_client.log" ||
	fail "s_client against server-expired.pem: $(cat "$tmp/s_client.log")"
echo "tls-selftest: s_client: server.pem ok, server-expired.pem 'certificate has expired'" >&2

echo "tls-selftest: OK"
