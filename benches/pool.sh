#!/usr/bin/env bash
# A pool of K binds in one client (x-smpp-sessions = K, `esme bench --sessions K --pool`)
# against K separate clients (`esme bench --sessions K`), same SMSC, same run, alternating,
# ROUNDS rounds each; prints each rate, the medians and the ratio pool / separate, for
# K = 2 and 4, against `esme smsc` and node-smpp's SMSC (tests/interop/smsc.js --quiet).
#
#   bash benches/pool.sh [N] [WINDOW] [ROUNDS]     (defaults 100000 64 3; node-smpp gets N/5)
#
# Then the failover time (issue 18): `esme send` with x-smpp-host = two node-smpp SMSCs,
# 1000 msg/s; once traffic flows on the first, it is killed (kill -9: its connections end,
# the host refuses new ones); printed: the time from the kill to the first submit_sm at the
# second SMSC (each SMSC's lines timestamped as they come), per round and the median, and
# esme send's summary (every message accounted for). Only that part:
#
#   bash benches/pool.sh --failover [ROUNDS]       (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
FAILOVER_ONLY=0
if [[ "${1:-}" == --failover ]]; then
	FAILOVER_ONLY=1
	shift
	FROUNDS=${1:-5}
else
	FROUNDS=5
fi
N=${1:-100000}
W=${2:-64}
ROUNDS=${3:-3}
cargo build --release --quiet
esme=target/release/esme
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

now() { perl -MTime::HiRes=time -e 'printf "%.6f\n", time'; }

# node-smpp's SMSC with its stdout timestamped: NAME.port (its port), NAME.first (the time
# of its first submit_sm line). Its pid in $node_pid; its stdin is fifo NAME.in (kept open
# by fd 4 / 5, given as FD).
start_timed_node() { # NAME FD
	local name=$1 fd=$2
	rm -f "$tmp/$name.port" "$tmp/$name.first"
	mkfifo "$tmp/$name.in"
	OUT="$tmp/$name" node tests/interop/smsc.js <"$tmp/$name.in" > >(OUT="$tmp/$name" perl -MTime::HiRes=time -ne '
		BEGIN { $| = 1 }
		if (/^LISTENING (\d+)/) { open my $f, ">", "$ENV{OUT}.port.tmp"; print $f "$1\n"; close $f; rename "$ENV{OUT}.port.tmp", "$ENV{OUT}.port" }
		elsif (!$d && /"event":"submit_sm"/) { my $t = time; open my $f, ">", "$ENV{OUT}.first.tmp"; printf $f "%.6f\n", $t; close $f; rename "$ENV{OUT}.first.tmp", "$ENV{OUT}.first"; $d = 1 }') 2>"$tmp/$name.err" &
	node_pid=$!
	disown "$node_pid" # no "Killed" notice from the shell for the one killed
	pids+=("$node_pid")
	eval "exec $fd>\"\$tmp/\$name.in\""
	for _ in $(seq 400); do
		[[ -s "$tmp/$name.port" ]] && return 0
		sleep 0.05
	done
	cat "$tmp/$name.err" >&2
	return 1
}

wait_file() { # FILE SECONDS
	for _ in $(seq $(($2 * 100))); do
		[[ -s "$1" ]] && return 0
		sleep 0.01
	done
	return 1
}

failover() {
	source tests/interop/node-deps.sh
	ensure_node_deps pool
	: >"$tmp/failover"
	echo "failover: esme send at 1000 msg/s to x-smpp-host = two node-smpp SMSCs; the first killed (kill -9)"
	for r in $(seq "$FROUNDS"); do
		start_timed_node "a$r" 4
		local pid_a=$node_pid
		start_timed_node "b$r" 5
		local pid_b=$node_pid
		local pa pb
		pa=$(cat "$tmp/a$r.port")
		pb=$(cat "$tmp/b$r.port")
		"$esme" send --set "x-smpp-host=127.0.0.1:$pa, 127.0.0.1:$pb" --set x-smpp-system-id=bench \
			--set password=secret --set x-smpp-bind-mode=transmitter \
			--set x-smpp-submit-max-rate=1000 --count 5000 --to 31600000000 --text "failover" \
			--max-wait 30 >"$tmp/send$r.out" 2>&1 &
		local send=$!
		pids+=("$send")
		wait_file "$tmp/a$r.first" 20 || { echo "no traffic on the first SMSC" >&2; exit 1; }
		sleep 1
		local t0 t1
		t0=$(now)
		kill -9 "$pid_a"
		wait_file "$tmp/b$r.first" 60 || { echo "no traffic on the second SMSC within 60 s" >&2; exit 1; }
		t1=$(cat "$tmp/b$r.first")
		wait "$send" || true
		local ms
		ms=$(echo "$t0 $t1" | awk '{printf "%.0f", ($2 - $1) * 1000}')
		echo "$ms" >>"$tmp/failover"
		printf '  round %d: %s ms from the kill to traffic on the second host; esme send: %s\n' \
			"$r" "$ms" "$(tail -n1 "$tmp/send$r.out")"
		kill "$pid_b" 2>/dev/null || true
		eval "exec 4>&- 5>&-"
	done
	printf 'failover median %s ms (%s)\n' "$(median <"$tmp/failover")" "$(paste -sd' ' "$tmp/failover")"
}

rate() { sed -n 's/.*"msgs_per_sec":\([0-9]*\).*/\1/p'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if [[ $FAILOVER_ONLY == 1 ]]; then
	failover
	exit 0
fi

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
failover
