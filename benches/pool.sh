#!/usr/bin/env bash
# A pool of K binds in one client (x-smpp-sessions = K, `esme bench --sessions K --pool`)
# against K separate clients (`esme bench --sessions K`), same SMSC, same run, alternating,
# ROUNDS rounds each; prints each rate, the medians and the ratio pool / separate, for
# K = 2 and 4, against `esme smsc` and node-smpp's SMSC (tests/interop/smsc.js --quiet).
#
#   bash benches/pool.sh [N] [WINDOW] [ROUNDS]     (defaults 100000 64 3; node-smpp gets N/5)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
W=${2:-64}
ROUNDS=${3:-3}
cargo build --release --quiet
esme=target/release/esme
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

rate() { sed -n 's/.*"msgs_per_sec":\([0-9]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

bench_smsc() { # NAME PORT N
	local name=$1 port=$2 n=$3
	for k in 2 4; do
		: >"$tmp/sep" ; : >"$tmp/pool"
		for _ in $(seq "$ROUNDS"); do
			"$esme" bench --host 127.0.0.1 --port "$port" -n "$n" -w "$W" --sessions "$k" --json | rate >>"$tmp/sep"
			"$esme" bench --host 127.0.0.1 --port "$port" -n "$n" -w "$W" --sessions "$k" --pool --json | rate >>"$tmp/pool"
		done
		local s p
		s=$(median <"$tmp/sep")
		p=$(median <"$tmp/pool")
		printf '%-10s K=%d  separate %s msg/s (%s)  pool %s msg/s (%s)  pool/separate %.2f\n' \
			"$name" "$k" "$s" "$(paste -sd' ' "$tmp/sep")" "$p" "$(paste -sd' ' "$tmp/pool")" \
			"$(echo "$p $s" | awk '{print $1/$2}')"
	done
}

"$esme" smsc --port 0 >"$tmp/esme-smsc.log" 2>&1 &
pids+=("$!")
for _ in $(seq 200); do
	port=$(sed -n 's/^.* smsc listening on [^ ]*:\([0-9][0-9]*\).*$/\1/p' "$tmp/esme-smsc.log" | head -n1)
	[[ -n "$port" ]] && break
	sleep 0.05
done
[[ -n "$port" ]] || { cat "$tmp/esme-smsc.log" >&2; exit 1; }
echo "N=$N window=$W rounds=$ROUNDS"
bench_smsc "esme smsc" "$port" "$N"

source tests/interop/node-deps.sh
ensure_node_deps pool
mkfifo "$tmp/node-in"
node tests/interop/smsc.js --quiet <"$tmp/node-in" >"$tmp/node.log" 2>&1 &
pids+=("$!")
exec 3>"$tmp/node-in"
for _ in $(seq 200); do
	port=$(sed -n 's/^LISTENING \([0-9]*\)$/\1/p' "$tmp/node.log" | head -n1)
	[[ -n "$port" ]] && break
	sleep 0.05
done
[[ -n "$port" ]] || { cat "$tmp/node.log" >&2; exit 1; }
bench_smsc "node-smpp" "$port" "$((N / 5))"
exec 3>&-
