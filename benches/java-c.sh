#!/usr/bin/env bash
# Java through JNI (the jar) beside the C API and `esme bench`, against ONE SMSC, in one run.
#
#   bash benches/java-c.sh [N]     N timed submit_sm per client run (default 100000)
#   env RUNS=3                     runs per client and SMSC; the table shows the median
#   env WARMUP=100000              untimed messages first, in every client (the JIT's warm-up:
#                                  with 20000, C2 is still compiling in the timed part; JavaBench
#                                  prints the JIT's time in that span)
#   env SMSCS="esme node"          the SMSCs, in order
#
# Window 100, plaintext, one session, no receipts, the same 24-octet text, one submitting
# thread in each client. SMSCs: `esme smsc` (release) and node-smpp's (tests/interop/smsc.js
# --quiet). Each client measures from its first timed submit to the N-th outcome and reports
# its whole process's CPU time per message (Java: JIT, GC and the outcome futures included;
# esme bench: its client only, the SMSC is another process). Clients alternate per run.
# Prints a markdown table (median msg/s, CPU us/msg, and the ratios Java/C) on stdout.
# Needs: cargo, gcc, a JDK 17+, node + npm.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
N="${1:-100000}"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-100000}"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || { echo "java-c: N must be a positive integer" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/java-c"
mkdir -p "$out"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
[ -x "$JAVA_HOME/bin/javac" ] || JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"

jar="$(bash java/build.sh)"
cargo build --release --bins --quiet
# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps benches/java-c.sh
cp "$target/release/libesme.so" "$out/libesme.so.0.1"
gcc -std=c99 -O2 -Wall -Wextra -Werror -Iinclude benches/java-c/c_bench.c "$out/libesme.so.0.1" \
    -Wl,-rpath,"$out" -lpthread -o "$out/c_bench"
cp "$jar" "$out/esme.jar"
"$JAVA_HOME/bin/javac" --release 17 -cp "$out/esme.jar" -d "$out" benches/java-c/JavaBench.java

pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

run_client() { # NAME PORT -> "rate cpu"
  local line
  case "$1" in
    c) line="$(timeout 300 "$out/c_bench" 127.0.0.1 "$2" "$N" 100 "$WARMUP")" ;;
    java) line="$(cd "$out" && timeout 300 "$JAVA_HOME/bin/java" -cp esme.jar:. JavaBench 127.0.0.1 "$2" "$N" 100 "$WARMUP")" ;;
    bench) line="$(timeout 300 "$target/release/esme" bench --host 127.0.0.1 --port "$2" -n "$N" -w 100 --warmup "$WARMUP" --json)" ;;
  esac
  echo "$1 port $2: $line" >&2
  case "$1" in
    bench) python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["msgs_per_sec"], d.get("cpu_us_per_msg", "nan"))' "$line" ;;
    *) echo "$line" | sed -n 's/.* = \([0-9.]*\) msg\/s .*cpu \([0-9.]*\) us\/msg$/\1 \2/p' ;;
  esac
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

echo "| SMSC | client | msg/s (median of $RUNS) | CPU µs/msg | Java / C msg/s | Java / C CPU |"
echo "|---|---|---:|---:|---:|---:|"
for smsc in ${SMSCS:-esme node}; do
  if [ "$smsc" = esme ]; then
    "$target/release/esme" smsc --port 0 --duration 3600 >"$out/smsc.out" 2>/dev/null &
    pids+=($!)
    sed_expr='1s/^esme smsc listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p'
    file="$out/smsc.out"
  else
    # stdin: a FIFO opened read-write (smsc.js exits when stdin ends): $! is node itself,
    # so the kill below and the cleanup's stop it.
    rm -f "$out/node.stdin" && mkfifo "$out/node.stdin"
    node tests/interop/smsc.js --port 0 --quiet >"$out/node.out" 2>/dev/null 0<>"$out/node.stdin" &
    pids+=($!)
    sed_expr='1s/^LISTENING \([0-9]*\)$/\1/p'
    file="$out/node.out"
  fi
  port=""
  for _ in $(seq 1 100); do port="$(sed -n "$sed_expr" "$file")"; [ -n "$port" ] && break; sleep 0.1; done
  [ -n "$port" ] || { echo "java-c: the $smsc SMSC did not start" >&2; exit 1; }
  declare -A rates=() cpus=()
  for _ in $(seq 1 "$RUNS"); do
    for client in c java bench; do
      read -r r c < <(run_client "$client" "$port")
      [ -n "${r:-}" ] || { echo "java-c: $client gave no result" >&2; exit 1; }
      rates[$client]+="$r "
      cpus[$client]+="$c "
    done
  done
  declare -A mr=() mc=()
  for client in c java bench; do
    mr[$client]="$(tr ' ' '\n' <<<"${rates[$client]}" | grep . | median)"
    mc[$client]="$(tr ' ' '\n' <<<"${cpus[$client]}" | grep . | median)"
  done
  for client in c java bench; do
    name=$([ "$client" = c ] && echo "C API (c_bench.c)" || { [ "$client" = java ] && echo "Java, JNI (JavaBench)" || echo "esme bench"; })
    ratio=""
    [ "$client" = java ] && ratio="$(awk -v j="${mr[java]}" -v c="${mr[c]}" 'BEGIN{printf "**%.2f**", j/c}') | $(awk -v j="${mc[java]}" -v c="${mc[c]}" 'BEGIN{printf "%.2f", j/c}')"
    [ -n "$ratio" ] || ratio=" | "
    echo "| $smsc smsc | $name | ${mr[$client]} | ${mc[$client]} | $ratio |"
  done
  echo "runs ($smsc): c: ${rates[c]}/ java: ${rates[java]}/ bench: ${rates[bench]}" >&2
  kill "${pids[-1]}" 2>/dev/null || true
  unset rates cpus mr mc
done
