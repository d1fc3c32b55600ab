#!/usr/bin/env bash
# Two builds of esme A/B, alternating rep by rep with the pre-encoded C blaster against ONE
# SMSC process: the way to judge a change to the client's I/O on this noisy shared machine.
#
#   bash benches/ab.sh ESME_A ESME_B [W] [REPS] [N]
#       ESME_A, ESME_B   two esme binaries (e.g. a copy of target/release/esme made before
#                        the change, and the one after)
#       W                window (default 10), REPS reps (default 15), N msgs per run (20000)
#   env SMSC=smpp34|node|esme   the SMSC (default smpp34; see benches/peers.sh)
#
# Each rep runs the blaster, then A and B (B first on odd reps), each `esme bench -n N -w W`
# against the same SMSC process. Prints every rep (msg/s, and A's and B's ratio to that
# rep's blaster), then the medians. Needs what benches/peers.sh builds: run it once first
# (it builds the smpp34 server and the blaster into the target dir). Loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
	echo "ab: $*" >&2
	exit 1
}
(($# >= 2)) || die "usage: bash benches/ab.sh ESME_A ESME_B [W] [REPS] [N]"
A=$1 B=$2 W=${3:-10} REPS=${4:-15} N=${5:-20000}
for b in "$A" "$B"; do [[ -x "$b" ]] || die "$b is not an executable"; done
for v in "$W" "$REPS" "$N"; do [[ "$v" =~ ^[1-9][0-9]*$ ]] || die "'$v' is not a positive integer"; done
target="${CARGO_TARGET_DIR:-$PWD/target}"
blaster="$target/peers/blaster"
[[ -x "$blaster" ]] || die "$blaster is missing: run bash benches/peers.sh once"

tmp="$(mktemp -d)"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
# shellcheck source=benches/smsc.sh
source benches/smsc.sh
case "${SMSC:-smpp34}" in
smpp34)
	[[ -x "$target/release/smpp34-smsc" ]] || die "the smpp34 server is missing: run bash benches/peers.sh once"
	start_smsc smpp34 "$target/release/smpp34-smsc" --port 0
	;;
node) start_smsc node node tests/interop/smsc.js --port 0 --quiet ;;
esme) start_smsc esme "$A" smsc --port 0 ;;
*) die "SMSC must be smpp34, node or esme" ;;
esac
port=$smsc_port

esme_rate() { # BIN: msg/s of one run; fails unless every message was accepted
	local out
	out="$("$1" bench --host 127.0.0.1 --port "$port" -n "$N" -w "$W" --json)" || die "$1 bench failed: $out"
	[[ "$out" == *"\"accepted\":$N,"* ]] || die "$1 bench: not all $N accepted: $out"
	sed -n 's/.*"msgs_per_sec":\([0-9]*\).*/\1/p' <<<"$out"
}
echo "ab: SMSC ${SMSC:-smpp34} on 127.0.0.1:$port, window $W, $REPS reps of $N msgs" >&2
echo "blaster A B A/blaster B/blaster"
for r in $(seq "$REPS"); do
	bl="$("$blaster" --host 127.0.0.1 --port "$port" -n "$N" -w "$W" | sed -n 's/.*= \([0-9]*\) msg\/s.*/\1/p')"
	[[ -n "$bl" ]] || die "the blaster gave no rate"
	if ((r % 2)); then
		b="$(esme_rate "$B")"
		a="$(esme_rate "$A")"
	else
		a="$(esme_rate "$A")"
		b="$(esme_rate "$B")"
	fi
	echo "$bl $a $b"
done | python3 -c '
import statistics as st, sys
rows = [list(map(int, l.split())) for l in sys.stdin if l.strip()]
for bl, a, b in rows:
    print(bl, a, b, "%.2f %.2f" % (a / bl, b / bl))
med = lambda xs: st.median(xs)
print("median: blaster %d, A %d, B %d; A/blaster %.2f, B/blaster %.2f (medians of the per-rep ratios), B/A %.2f"
      % (med([r[0] for r in rows]), med([r[1] for r in rows]), med([r[2] for r in rows]),
         med([r[1] / r[0] for r in rows]), med([r[2] / r[0] for r in rows]),
         med([r[2] / r[1] for r in rows])))
'
