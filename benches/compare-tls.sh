#!/usr/bin/env bash
# esme over TLS 1.3 and 1.2 against plain TCP, same script, same machine, in-process
# simulator (with TLS). Prints msgs/s and the ratio to plain at windows 1, 10, 64, the
# median full and resumed handshake times, and the size of the release libesme.so.
#   bash benches/compare-tls.sh [COUNT]      (default 30000 messages per run)
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-30000}"

cargo build --release --quiet
pki="target/tls-pki"
bash tests/tls/make-pki.sh "$pki" >/dev/null

num() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
bench() { ./target/release/esme bench --count "$count" --json "$@"; }

printf '%-8s %12s %12s %8s %12s %8s\n' window "plain msg/s" "TLS1.3" ratio "TLS1.2" ratio
for w in 1 10 64; do
  p="$(bench --window "$w" | num msgs_per_sec)"
  t13="$(bench --window "$w" --tls --tls-version 1.3 --tls-dir "$pki" | num msgs_per_sec)"
  t12="$(bench --window "$w" --tls --tls-version 1.2 --tls-dir "$pki" | num msgs_per_sec)"
  printf '%-8s %12.0f %12.0f %8s %12.0f %8s\n' "$w" "$p" "$t13" \
    "$(awk -v a="$t13" -v b="$p" 'BEGIN { printf "%.2f", a / b }')" "$t12" \
    "$(awk -v a="$t12" -v b="$p" 'BEGIN { printf "%.2f", a / b }')"
done
for v in 1.3 1.2; do
  j="$(bench --count 1000 --window 10 --tls --tls-version "$v" --tls-dir "$pki" --handshakes 50)"
  printf 'TLS %s handshake (TCP connect included, median of 50): full %s ms, resumed %s ms\n' \
    "$v" "$(echo "$j" | num handshake_full_ms)" "$(echo "$j" | num handshake_resumed_ms)"
done
so="target/release/libesme.so"
stripped="$(mktemp)"; cp "$so" "$stripped"; strip "$stripped"
printf 'libesme.so (release, ring provider): %s bytes, %s stripped\n' "$(stat -c %s "$so")" "$(stat -c %s "$stripped")"
rm -f "$stripped"
