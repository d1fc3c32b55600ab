#!/usr/bin/env bash
# esme's client against node-smpp's client, same load, same SMSC process (esme smsc), same
# machine, one after the other. Prints msgs/s of each and the ratio esme / node-smpp.
#   bash benches/compare-node.sh [COUNT]      (default 20000 messages per run)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-20000}"

cargo build --release --quiet
# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps compare-node

log="$(mktemp)"
./target/release/esme smsc --port 0 >"$log" &
smsc=$!
trap 'kill "$smsc" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q listening "$log" && break; sleep 0.05; done
addr="$(sed -n 's/^esme smsc listening on //p' "$log")"
port="${addr##*:}"
[ -n "$port" ] || { echo "esme smsc did not start" >&2; exit 1; }

num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
printf '%-8s %14s %14s %8s\n' window "esme msg/s" "node msg/s" ratio
for w in 1 10 64; do
  e="$(./target/release/esme bench --smsc "127.0.0.1:$port" --window "$w" --count "$count" --json | num msgs_per_sec)"
  n="$(node tests/interop/client-bench.js --host 127.0.0.1 --port "$port" --count "$count" --window "$w" | num msgs_per_sec)"
  ratio="$(awk -v e="$e" -v n="$n" 'BEGIN { printf "%.2f", e / n }')"
  printf '%-8s %14.0f %14.0f %8s\n' "$w" "$e" "$n" "$ratio"
done
