#!/bin/sh
# Runs the codec benchmarks (esme and rusmpp 0.4.0 in one binary, benches/codec.rs) and
# prints, per operation, the mean time per PDU of each library and the ratio rusmpp / esme
# (above 1: esme is faster).
#
#   benches/codec-ratio.sh                 full criterion run (about 2 minutes)
#   benches/codec-ratio.sh --quick         1 s warm-up, 3 s measurement per case
#   benches/codec-ratio.sh --table-only    only print the table of the last run
#
# Other arguments go to criterion (e.g. a filter: `benches/codec-ratio.sh submit_sm`).
# The numbers are criterion's mean point estimates from
# target/criterion/<group>/<esme|rusmpp>/new/estimates.json.
set -eu
cd "$(dirname "$0")/.."
run=1
args=""
for a in "$@"; do
    case "$a" in
    --quick) args="$args --warm-up-time 1 --measurement-time 3" ;;
    --table-only) run=0 ;;
    *) args="$args $a" ;;
    esac
done
if [ "$run" = 1 ]; then
    # shellcheck disable=SC2086
    cargo bench --bench codec -- --noplot $args
fi
target=$(cargo metadata --format-version 1 --no-deps |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
python3 - "$target/criterion" <<'PY'
import json, os, sys
root = sys.argv[1]
def mean(group, lib):
    p = os.path.join(root, group, lib, "new", "estimates.json")
    try:
        with open(p) as f:
            return json.load(f)["mean"]["point_estimate"]
    except FileNotFoundError:
        return None
print(f"{'operation':<22} {'esme ns/op':>11} {'rusmpp ns/op':>13} {'ratio':>6}")
for pdu in ("submit_sm", "deliver_sm"):
    for op in ("encode", "decode", "roundtrip"):
        g = f"{pdu}_{op}"
        e, r = mean(g, "esme"), mean(g, "rusmpp")
        if e is None or r is None:
            continue
        print(f"{g:<22} {e:>11.1f} {r:>13.1f} {r / e:>6.2f}")
PY
