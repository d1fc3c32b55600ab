#!/bin/sh
# Instructions per codec operation, esme and rusmpp, counted by callgrind (stable on a busy
# machine, unlike wall time). Each case runs twice, with N and 2N iterations; the difference
# divided by N is the cost of one operation, with start-up and setup cancelled out.
#
#   benches/codec-callgrind.sh [N]        (default N=2000)
set -eu
cd "$(dirname "$0")/.."
N=${1:-2000}
exe=$(cargo bench --bench codec_count --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m["target"]["name"]=="codec_count" and m.get("executable"):
        print(m["executable"])')
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
count() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$exe" "$@" >/dev/null 2>"$tmp/err"
    sed -n 's/^summary: //p' "$tmp/out"
}
printf '%-24s %14s %14s %7s\n' case esme_instr/op rusmpp_instr/op ratio
for pdu in submit_sm deliver_sm; do
    for op in encode decode roundtrip; do
        e1=$(count esme $pdu $op "$N"); e2=$(count esme $pdu $op $((2 * N)))
        r1=$(count rusmpp $pdu $op "$N"); r2=$(count rusmpp $pdu $op $((2 * N)))
        python3 -c "
e=($e2-$e1)/$N; r=($r2-$r1)/$N
print('%-24s %14.0f %14.0f %7.2f' % ('${pdu}_$op', e, r, r/e))"
    done
done
