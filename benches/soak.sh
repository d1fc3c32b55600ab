#!/usr/bin/env bash
# The soak (issue 8): `esme soak` for N messages (default 10 000 000) with delivery receipts
# and a fault every 5 s, sampling RSS, threads and open files every second, then a plot.
# It runs twice: with glibc's default allocator settings, then with MALLOC_ARENA_MAX=1
# (one malloc arena), to tell the allocator's own retention from growth of esme's memory.
#
#   bash benches/soak.sh [N] [OUT_DIR]      (default OUT_DIR: benches/soak)
#
# Writes OUT_DIR/soak.csv and OUT_DIR/soak.txt (esme soak's report), the same for the
# one-arena run (soak-arena1.*), and OUT_DIR/soak.png (benches/soak-plot.py, matplotlib,
# installed from PyPI into a venv under target/). If OUT_DIR/soak-live.csv exists (the
# live-heap run made with benches/soak/live-heap.patch, docs/performance.md "Soak"), the plot shows
# it too. Exits non-zero when esme soak reports a failed check (an outcome missing, a thread
# or an open file left after close). Not part of the test suite: it runs for minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-10000000}"
OUT="${2:-benches/soak}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "soak: N must be a positive integer, not '$N'" >&2; exit 1; }
mkdir -p "$OUT"
cargo build --release --quiet --bin esme
venv="${CARGO_TARGET_DIR:-target}/soak-venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import matplotlib' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "matplotlib==3.9.2"
fi
esme="${CARGO_TARGET_DIR:-target}/release/esme"
status=0
"$esme" soak -n "$N" --fault-every 5 --csv "$OUT/soak.csv" | tee "$OUT/soak.txt" || status=$?
MALLOC_ARENA_MAX=1 "$esme" soak -n "$N" --fault-every 5 --csv "$OUT/soak-arena1.csv" |
  tee "$OUT/soak-arena1.txt" || status=$?
series=("RSS, MALLOC_ARENA_MAX=1 (another run)=$OUT/soak-arena1.csv")
if [ -f "$OUT/soak-live.csv" ]; then
  series+=("live heap (another run, live-heap.patch)=$OUT/soak-live.csv")
fi
"$venv/bin/python" benches/soak-plot.py "$OUT/soak.csv" "$OUT/soak.png" "${series[@]}"
echo "soak: $OUT/soak.csv, $OUT/soak-arena1.csv, $OUT/soak.png"
exit "$status"
