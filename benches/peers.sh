#!/usr/bin/env bash
# esme's client side by side with peer SMPP clients against ONE SMSC, in one run.
#
#   bash benches/peers.sh [N]          N submit_sm per client run (default 20000)
#   env RUNS=3                         runs per cell; the table shows the median
#   env SMSC=smpp34|esme|node          the SMSC every client talks to (default smpp34: the
#                                      smpp34 crate's SmppServer; esme: `esme smsc`; node:
#                                      node-smpp's SMSC, tests/interop/smsc.js, which writes
#                                      each response as its own TCP segment)
#
# Builds esme (release), benches/peers (smpp34 = "=1.5.1": SMSC and client, release), the
# pre-encoded C blaster (gcc -O2), installs node-smpp (npm ci, tests/interop) and python
# smpplib (pip, into a venv in the target dir), starts the SMSC, then for windows 1, 10 and
# 100 runs every client RUNS times with the same N, interleaved rep by rep (rep r of every
# client before rep r+1, so the shared machine's drift hits all alike), and prints markdown
# tables on stdout:
#   - msg/s per client and window, with ratios esme / peer and esme / blaster ceiling;
#     the blaster (benches/peers/blaster.c) sends pre-encoded bytes and only counts the
#     responses: the SMSC's own ceiling on this machine (a client close to it is held back
#     by the SMSC, not by itself);
#   - latency at window 1: esme p50/p99 against the blaster's raw TCP ping-pong;
#   - sessions: `esme bench --sessions 1,2,4,8` at window 100, aggregate msg/s;
#   - TLS: esme, the smpp34 client and node-smpp's client, plain vs TLS at windows 10 and
#     100, interleaved rep by rep, with the test PKI (tests/tls/make-pki.sh): against
#     node-smpp's SMSC over TLS with SMSC=node, else against `esme smsc` over TLS;
#   - every run's msg/s behind the medians (the spread on a busy machine is large).
# Progress goes to stderr. Any client that fails (nonzero exit, no result line, wrong N or
# window in it) stops the script with its output; no number is ever filled in.
# Every client measures from the bind response to the N-th response. Needs: cargo, gcc,
# node + npm, python3 (with venv), openssl. About 3-5 minutes with the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
cmdline="bash benches/peers.sh${*:+ $*}"

N="${1:-20000}"
RUNS="${RUNS:-3}"
SMSC_KIND="${SMSC:-smpp34}"
WINDOWS=(1 10 100)
SESSIONS=(1 2 4 8)
SMPPLIB_VERSION="2.2.4"
CLIENT_TIMEOUT=180 # seconds, a safety net over each client's own stall detection

die() {
	echo "peers: $*" >&2
	exit 1
}
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, not '$N'"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, not '$RUNS'"
[[ "$SMSC_KIND" == smpp34 || "$SMSC_KIND" == esme || "$SMSC_KIND" == node ]] ||
	die "SMSC must be smpp34, esme or node, not '$SMSC_KIND'"
for tool in cargo gcc node npm python3 openssl timeout; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool is required"
done

target="${CARGO_TARGET_DIR:-$root/target}"
esme="$target/release/esme"
peers_bin="$target/release"
blaster="$target/peers/blaster"
venv="$target/peers-venv"
pki="$target/peers-pki"

tmp="$(mktemp -d)"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- build and install
echo "peers: building esme (release)" >&2
cargo build --release --quiet --bin esme
echo "peers: building benches/peers (smpp34 SMSC and client, release)" >&2
cargo build --release --quiet --manifest-path benches/peers/Cargo.toml --target-dir "$target"
echo "peers: compiling the blaster" >&2
mkdir -p "$target/peers"
gcc -O2 -Wall -Wextra -Werror -o "$blaster" benches/peers/blaster.c
# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps peers >&2 # npm's own output too: stdout is the report
if [[ ! -x "$venv/bin/python" ]]; then
	echo "peers: creating the python venv $venv" >&2
	python3 -m venv "$venv"
fi
smpplib_have() { "$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("smpplib"))' 2>/dev/null || true; }
if [[ "$(smpplib_have)" != "$SMPPLIB_VERSION" ]]; then
	echo "peers: pip install smpplib==$SMPPLIB_VERSION into $venv" >&2
	"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "smpplib==$SMPPLIB_VERSION"
fi
[[ "$(smpplib_have)" == "$SMPPLIB_VERSION" ]] || die "smpplib $SMPPLIB_VERSION is not installed in $venv"

# ---------------------------------------------------------------- esme bench adapter
# The one place that runs esme's client. Interface the script relies on:
#   esme bench --host H --port P -n N -w W [--sessions K] [--tls --ca CA.pem]
# whose last lines are
#   latency p50 X us p99 Y us
#   cpu C us/msg (user+sys)
#   esme client: N msgs in T s = R msg/s (window W)
esme_bench() { # HOST PORT N W [--sessions K] [--tls --ca CA]
	local host=$1 port=$2 n=$3 w=$4
	shift 4
	timeout "$CLIENT_TIMEOUT" "$esme" bench --host "$host" --port "$port" -n "$n" -w "$w" "$@"
}

# ---------------------------------------------------------------- SMSCs
# start_smsc NAME CMD... (benches/smsc.sh): starts an SMSC, sets $smsc_port.
# shellcheck source=benches/smsc.sh
source benches/smsc.sh

# ---------------------------------------------------------------- clients
node_bench() { # HOST PORT N W [--tls --ca CA]: node-smpp's client-bench.js, its JSON turned into the common line
	local json rc=0 tls=()
	[[ "${5:-}" == --tls ]] && tls=(--ca "$7")
	json="$(timeout "$CLIENT_TIMEOUT" node tests/interop/client-bench.js --host "$1" --port "$2" \
		--count "$3" --window "$4" --system-id bench --password secret "${tls[@]}")" || rc=$?
	echo "$json"
	((rc == 0)) || return "$rc"
	awk -v n="$3" -v w="$4" '
		function num(k,   m) { if (match($0, "\"" k "\":[0-9.]+")) { m = substr($0, RSTART, RLENGTH); sub(/.*:/, "", m); return m } return "" }
		{
			if (num("ok") != n || num("errors") != 0) { print "node client-bench: ok " num("ok") " errors " num("errors") " of " n > "/dev/stderr"; exit 1 }
			printf "node-smpp client: %d msgs in %s s = %d msg/s (window %d)\n", n, num("seconds"), num("msgs_per_sec"), w
		}' <<<"$json"
}

# client_cmd CLIENT HOST PORT N W [EXTRA...]: runs one client once.
client_cmd() {
	local c=$1 host=$2 port=$3 n=$4 w=$5
	shift 5
	case $c in
	blaster) timeout "$CLIENT_TIMEOUT" "$blaster" --host "$host" --port "$port" -n "$n" -w "$w" ;;
	esme) esme_bench "$host" "$port" "$n" "$w" "$@" ;;
	smpp34) timeout "$CLIENT_TIMEOUT" "$peers_bin/smpp34-client" --host "$host" --port "$port" -n "$n" -w "$w" "$@" ;;
	node) node_bench "$host" "$port" "$n" "$w" "$@" ;;
	smpplib) timeout "$CLIENT_TIMEOUT" "$venv/bin/python" benches/peers/smpplib_bench.py --host "$host" --port "$port" -n "$n" -w "$w" ;;
	*) die "unknown client $c" ;;
	esac
}
prefix_of() {
	case $1 in
	blaster) echo "blaster" ;;
	esme) echo "esme client" ;;
	smpp34) echo "smpp34 client" ;;
	node) echo "node-smpp client" ;;
	smpplib) echo "smpplib client" ;;
	esac
}

run_no=0
# run_one CLIENT KEY HOST PORT N W [EXTRA...]: runs a client, checks it, and appends its
# msg/s to $tmp/KEY.rate (and, when it printed one, its latency line to $tmp/KEY.lat and
# cpu line to $tmp/KEY.cpu).
run_one() {
	local c=$1 key=$2 host=$3 port=$4 n=$5 w=$6 out rc=0 last want rate
	shift 6
	run_no=$((run_no + 1))
	out="$tmp/run-$run_no.out"
	client_cmd "$c" "$host" "$port" "$n" "$w" "$@" >"$out" 2>&1 || rc=$?
	last="$(grep -v '^[[:space:]]*$' "$out" | tail -n1 || true)"
	want="^$(prefix_of "$c"): $n msgs in [0-9.]+ s = ([0-9]+) msg/s \\(window $w\\)$"
	if ((rc != 0)) || ! [[ "$last" =~ $want ]]; then
		echo "peers: $c (window $w${*:+, $*}) failed (exit $rc) against 127.0.0.1:$port; its output:" >&2
		tail -n 30 "$out" >&2
		die "no number for $c; stopping"
	fi
	rate="${BASH_REMATCH[1]}"
	((rate > 0)) || die "$c reported 0 msg/s"
	echo "$rate" >>"$tmp/$key.rate"
	grep -E '^latency p50 [0-9.]+ us p99 [0-9.]+ us$' "$out" | tail -n1 >>"$tmp/$key.lat" || true
	grep -E '^cpu [0-9.]+ us/msg' "$out" | tail -n1 >>"$tmp/$key.cpu" || true
}

median() { # FILE (one number a line) -> median; fails on an empty file
	[[ -s "$1" ]] || die "no values in $1"
	sort -g "$1" | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.1f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
med_rate() { printf '%.0f' "$(median "$tmp/$1.rate")"; }
med_field() { # KEY SUFFIX FIELD#: median of one field of the lines in $tmp/KEY.SUFFIX
	awk -v f="$3" '{ print $f }' "$tmp/$1.$2" >"$tmp/$1.$2.$3"
	median "$tmp/$1.$2.$3"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# ---------------------------------------------------------------- header
cpu_model="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
smpp34_smsc_desc="smpp34 1.5.1 SmppServer (benches/peers, tokio)"
node_smsc_desc="node-smpp $(node -p "require('./tests/interop/node_modules/smpp/package.json').version") SMSC (tests/interop/smsc.js --quiet, node $(node --version))"
echo "# esme vs peer SMPP clients"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- machine: $(nproc) CPUs ($cpu_model), $(uname -sr), load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- command: \`RUNS=$RUNS SMSC=$SMSC_KIND $cmdline\`"
echo "- each cell: median of $RUNS run(s) of $N submit_sm, clock from bind response to the N-th response"
case $SMSC_KIND in
smpp34) smsc_desc=$smpp34_smsc_desc ;;
node) smsc_desc=$node_smsc_desc ;;
*) smsc_desc="esme smsc" ;;
esac
echo "- SMSC: $smsc_desc on 127.0.0.1"
echo "- clients: esme $("$esme" version | cut -d' ' -f2) (\`esme bench\`), smpp34 1.5.1 client (tokio), node-smpp $(node -p "require('./tests/interop/node_modules/smpp/package.json').version") (node $(node --version)), python smpplib $SMPPLIB_VERSION ($("$venv/bin/python" --version)), blaster (gcc $(gcc -dumpfullversion))"
echo

# ---------------------------------------------------------------- main table
case $SMSC_KIND in
smpp34) start_smsc smpp34 "$peers_bin/smpp34-smsc" --port 0 ;;
node) start_smsc node node tests/interop/smsc.js --port 0 --quiet ;;
*) start_smsc esme "$esme" smsc --port 0 ;;
esac
main_port=$smsc_port
CLIENTS=(blaster esme smpp34 node smpplib)
for w in "${WINDOWS[@]}"; do
	for r in $(seq "$RUNS"); do
		echo "peers: window $w, run $r/$RUNS" >&2
		for c in "${CLIENTS[@]}"; do
			run_one "$c" "$c-w$w" 127.0.0.1 "$main_port" "$N" "$w"
		done
	done
done

declare -A label=(
	[blaster]="blaster (pre-encoded C: SMSC ceiling)"
	[esme]="**esme**"
	[smpp34]="smpp34 1.5.1 (Rust, tokio)"
	[node]="node-smpp (node)"
	[smpplib]="smpplib (python)"
)
echo "## Throughput, msg/s (SMSC: $SMSC_KIND)"
echo
echo "| client | w1 | w10 | w100 |"
echo "|---|---:|---:|---:|"
for c in "${CLIENTS[@]}"; do
	row="| ${label[$c]} |"
	for w in "${WINDOWS[@]}"; do row+=" $(med_rate "$c-w$w") |"; done
	echo "$row"
done
for p in smpp34 node smpplib blaster; do
	name="$p"
	[[ "$p" == node ]] && name="node-smpp"
	[[ "$p" == blaster ]] && name="blaster ceiling"
	row="| esme / $name |"
	for w in "${WINDOWS[@]}"; do row+=" $(ratio "$(med_rate "esme-w$w")" "$(med_rate "$p-w$w")") |"; done
	echo "$row"
done
row="| esme / fastest peer client |"
for w in "${WINDOWS[@]}"; do
	best=0
	for p in smpp34 node smpplib; do
		r="$(med_rate "$p-w$w")"
		((r > best)) && best=$r
	done
	row+=" $(ratio "$(med_rate "esme-w$w")" "$best") |"
done
echo "$row"
row="| esme cpu, us/msg (user+sys) |"
for w in "${WINDOWS[@]}"; do row+=" $(med_field "esme-w$w" cpu 2) |"; done
echo "$row"
echo

# ---------------------------------------------------------------- latency at window 1
[[ -s "$tmp/blaster-w1.lat" ]] || die "the blaster printed no latency line at window 1"
[[ -s "$tmp/esme-w1.lat" ]] || die "esme printed no latency line at window 1"
b50="$(med_field blaster-w1 lat 3)"
b99="$(med_field blaster-w1 lat 6)"
e50="$(med_field esme-w1 lat 3)"
e99="$(med_field esme-w1 lat 6)"
echo "## Latency at window 1, us (same SMSC, same runs as above)"
echo
echo "| client | p50 | p99 |"
echo "|---|---:|---:|"
echo "| blaster (raw TCP ping-pong of the same bytes) | $b50 | $b99 |"
echo "| **esme** | $e50 | $e99 |"
echo "| esme / blaster | $(ratio "$e50" "$b50") | $(ratio "$e99" "$b99") |"
echo

# ---------------------------------------------------------------- sessions
echo "## Sessions: esme \`--sessions K\` at window 100, $N msgs split among them (SMSC: $SMSC_KIND)"
echo
for k in "${SESSIONS[@]}"; do
	for r in $(seq "$RUNS"); do
		echo "peers: esme --sessions $k, run $r/$RUNS" >&2
		run_one esme "esme-s$k" 127.0.0.1 "$main_port" "$N" 100 --sessions "$k"
	done
done
echo "| sessions | msg/s (aggregate) | vs 1 session |"
echo "|---:|---:|---:|"
for k in "${SESSIONS[@]}"; do
	echo "| $k | $(med_rate "esme-s$k") | $(ratio "$(med_rate "esme-s$k")" "$(med_rate esme-s1)") |"
done
echo

# ---------------------------------------------------------------- TLS
# Plain and TLS at windows 10 and 100, every client interleaved rep by rep. With SMSC=node the
# TLS SMSC is node-smpp's (its own SecureServer) and plain is the main table's SMSC; otherwise
# both are `esme smsc` (the smpp34 server has no TLS).
echo "peers: making the test PKI in $pki" >&2
bash tests/tls/make-pki.sh "$pki" >&2
case $SMSC_KIND in
node)
	plain_port=$main_port
	start_smsc node-tls node tests/interop/smsc.js --port 0 --quiet \
		--tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
	tls_desc=$node_smsc_desc
	;;
*)
	if [[ "$SMSC_KIND" == esme ]]; then
		plain_port=$main_port
	else
		start_smsc esme-plain "$esme" smsc --port 0
		plain_port=$smsc_port
	fi
	start_smsc esme-tls "$esme" smsc --port 0 --tls-cert "$pki/server.pem" --tls-key "$pki/server.key"
	tls_desc="esme smsc"
	;;
esac
tls_port=$smsc_port
TLS_WINDOWS=(10 100)
TLS_CLIENTS=(esme smpp34 node)
for w in "${TLS_WINDOWS[@]}"; do
	for r in $(seq "$RUNS"); do
		echo "peers: TLS window $w, run $r/$RUNS" >&2
		for c in "${TLS_CLIENTS[@]}"; do
			run_one "$c" "$c-plain-w$w" 127.0.0.1 "$plain_port" "$N" "$w"
			run_one "$c" "$c-tls-w$w" 127.0.0.1 "$tls_port" "$N" "$w" --tls --ca "$pki/ca.pem"
		done
	done
done
echo "## TLS, msg/s (SMSC: $tls_desc, plain and with the test PKI)"
echo
echo "| client | plain w10 | TLS w10 | TLS / plain w10 | plain w100 | TLS w100 | TLS / plain w100 |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for c in "${TLS_CLIENTS[@]}"; do
	row="| ${label[$c]} |"
	for w in "${TLS_WINDOWS[@]}"; do
		row+=" $(med_rate "$c-plain-w$w") | $(med_rate "$c-tls-w$w") | $(ratio "$(med_rate "$c-tls-w$w")" "$(med_rate "$c-plain-w$w")") |"
	done
	echo "$row"
done
row="| esme / fastest peer client |"
for w in "${TLS_WINDOWS[@]}"; do
	for m in plain tls; do
		best=0
		for p in smpp34 node; do
			v="$(med_rate "$p-$m-w$w")"
			((v > best)) && best=$v
		done
		row+=" $(ratio "$(med_rate "esme-$m-w$w")" "$best") |"
	done
	row+=" |"
done
echo "$row"
row="| esme cpu, us/msg (user+sys) |"
for w in "${TLS_WINDOWS[@]}"; do
	row+=" $(med_field "esme-plain-w$w" cpu 2) | $(med_field "esme-tls-w$w" cpu 2) | |"
done
echo "$row"
echo

# ---------------------------------------------------------------- raw runs
# Every number behind the medians above, so the spread (this is a shared machine) shows.
echo "## Every run, msg/s in run order"
echo
raw_keys=()
for w in "${WINDOWS[@]}"; do
	for c in "${CLIENTS[@]}"; do raw_keys+=("$c-w$w"); done
done
for k in "${SESSIONS[@]}"; do [[ -s "$tmp/esme-s$k.rate" ]] && raw_keys+=("esme-s$k"); done
for w in "${TLS_WINDOWS[@]}"; do
	for c in "${TLS_CLIENTS[@]}"; do raw_keys+=("$c-plain-w$w" "$c-tls-w$w"); done
done
for key in "${raw_keys[@]}"; do
	echo "- $key: $(paste -sd' ' "$tmp/$key.rate")"
done
