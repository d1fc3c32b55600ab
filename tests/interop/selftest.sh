#!/usr/bin/env bash
# Self-test of the node-smpp interop harness (smsc.js, client-bench.js).
#   1. starts smsc.js (with credentials) and drives it through
#      selftest-client.js, which reads smsc.js events / writes its commands
#      via FIFOs and talks SMPP to it with node-smpp's client;
#   2. starts a second smsc.js (--quiet, any credentials) and runs
#      client-bench.js against it.
# Usage: tests/interop/selftest.sh   (works from any cwd; exits non-zero on
# any failure; bounded by timeouts; kills its children on exit)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
cd "$repo_root"
interop="tests/interop"

# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps selftest

tmp="$(mktemp -d "${TMPDIR:-/tmp}/esme-interop-selftest.XXXXXX")"
pids=()
cleanup() {
	local rc=$?
	exec 3<&- 4>&- 5<&- 6>&- 2>/dev/null || true
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

# start_smsc NAME IN_FD OUT_FD ARGS...: start smsc.js with stdin/stdout on
# FIFOs opened in this shell as fds IN_FD (we write) / OUT_FD (we read);
# sets $port from its LISTENING line.
start_smsc() {
	local name=$1 infd=$2 outfd=$3
	shift 3
	mkfifo "$tmp/$name.in" "$tmp/$name.out"
	timeout 120 node "$interop/smsc.js" --port 0 "$@" <"$tmp/$name.in" >"$tmp/$name.out" &
	pids+=($!)
	eval "exec $infd>\"\$tmp/\$name.in\" $outfd<\"\$tmp/\$name.out\""
	local line=""
	if ! read -r -t 15 -u "$outfd" line || [[ "$line" != LISTENING\ * ]]; then
		echo "selftest: FAILED: smsc.js did not print LISTENING (got: '$line')" >&2
		exit 1
	fi
	port="${line#LISTENING }"
}

# ---- 1. scripted scenarios
port=""
start_smsc scripted 4 3 --system-id selftest --password secret
echo "selftest: smsc.js listening on 127.0.0.1:$port (scripted scenarios)" >&2
if ! timeout 90 node "$interop/selftest-client.js" --port "$port" \
	--system-id selftest --password secret 3<&3 4>&4; then
	echo "selftest: FAILED: selftest-client.js" >&2
	exit 1
fi
echo '{"cmd":"quit"}' >&4
exec 3<&- 4>&-

# ---- 2. client-bench.js against smsc.js (node -> node)
start_smsc bench 6 5 --quiet
echo "selftest: smsc.js listening on 127.0.0.1:$port (bench)" >&2
# drain smsc.js events so it can never block on a full pipe
cat <&5 >"$tmp/bench.events" &
pids+=($!)
for window in 1 16; do
	out="$(timeout 60 node "$interop/client-bench.js" --host 127.0.0.1 --port "$port" \
		--count 2000 --window "$window")" || {
		echo "selftest: FAILED: client-bench.js --window $window: $out" >&2
		exit 1
	}
	echo "selftest: bench $out" >&2
	node -e '
		const r = JSON.parse(process.argv[1]);
		if (r.count !== 2000 || r.ok !== 2000 || r.errors !== 0 || !(r.msgs_per_sec > 0)) process.exit(1);
	' "$out" || { echo "selftest: FAILED: unexpected bench result $out" >&2; exit 1; }
done
# unreachable server must fail fast with an error line and non-zero exit
if out="$(timeout 30 node "$interop/client-bench.js" --host 127.0.0.1 --port 1 --count 1 --window 1)"; then
	echo "selftest: FAILED: client-bench.js succeeded against a closed port: $out" >&2
	exit 1
fi
[[ "$out" == *'"error"'* ]] || { echo "selftest: FAILED: no error line: $out" >&2; exit 1; }
echo '{"cmd":"quit"}' >&6
exec 6>&-

echo "selftest: OK"
