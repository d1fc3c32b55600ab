#!/usr/bin/env bash
# The soak (issue 8): `esme soak` for N messages (default 10 000 000) with delivery receipts
# and a fault every 5 s, sampling RSS, threads and open files every second, then a plot.
#
#   bash benches/soak.sh [N] [OUT_DIR]      (default OUT_DIR: benches/soak)
#
# Writes OUT_DIR/soak.csv, OUT_DIR/soak.txt (esme soak's report) and OUT_DIR/soak.png (made
# by benches/soak-plot.py with matplotlib, installed from PyPI into a venv under target/).
# Exits non-zero when esme soak reports a failed check (an outcome missing, a thread or an
# open file left after close). Not part of the test suite: it runs for a few minutes.
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
status=0
"${CARGO_TARGET_DIR:-target}/release/esme" soak -n "$N" --fault-every 5 --csv "$OUT/soak.csv" | tee "$OUT/soak.txt" || status=$?
"$venv/bin/python" benches/soak-plot.py "$OUT/soak.csv" "$OUT/soak.png"
echo "soak: $OUT/soak.csv, $OUT/soak.txt, $OUT/soak.png"
exit "$status"
