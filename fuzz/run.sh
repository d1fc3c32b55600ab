#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (default 5), one at a time, each in one
# process (no -jobs/-workers: libFuzzer then fuzzes in-process, the fewest processes).
#   bash fuzz/run.sh [SECONDS]
# Needs the nightly toolchain and cargo-fuzz 0.13.1 (`cargo install cargo-fuzz --version
# 0.13.1 --locked`; tests/install-tools.sh installs both). Exits non-zero on the first
# crash, leak, timeout or out-of-memory, printing the reproducer's path. Runs on a scratch
# copy of each corpus, so the committed seeds are not changed (copy new finds in with
# `cargo fuzz cmin`, fuzz/README.md).
# Built without --release: cargo-fuzz's default is already optimized, and -O/--release
# would turn off debug assertions and overflow checks, which the targets rely on.
set -euo pipefail
cd "$(dirname "$0")"

secs=${1:-5}
want="cargo-fuzz 0.13.1"
have="$(cargo +nightly fuzz --version 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  echo "need $want on the nightly toolchain, found '${have:-none}':" >&2
  echo "  rustup toolchain install nightly --profile minimal" >&2
  echo "  cargo install cargo-fuzz --version 0.13.1 --locked" >&2
  exit 1
fi

targets=$(cargo +nightly fuzz list)
cargo +nightly fuzz build >/dev/null 2>build.log || { cat build.log >&2; exit 1; }
rm -f build.log

failed=0
for t in $targets; do
  scratch="corpus-run/$t"
  rm -rf "$scratch"
  mkdir -p "$scratch" "artifacts/$t"
  log="$(mktemp)"
  # -rss_limit_mb / -timeout: a memory blow-up or a hang is a failure like a panic.
  # ASan's quarantine (freed memory held back to catch use-after-free) is 256 MB by
  # default and counts in the RSS: with the pii corpus (2 365 seeds) it alone took the
  # process past 512 MB (peak 582 MB; 199 MB with a 16 MB quarantine). At 64 MB the limit
  # measures the target's memory again.
  if ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=64" cargo +nightly fuzz run "$t" "$scratch" "corpus/$t" -- \
      -max_total_time="$secs" -rss_limit_mb=512 -timeout=5 \
      -print_final_stats=1 >"$log" 2>&1; then
    printf '%-12s ok   %s\n' "$t" "$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2 " execs"}')"
  else
    failed=1
    printf '%-12s FAIL\n' "$t"
    tail -n 40 "$log" >&2
    grep -ho "Test unit written to .*" "$log" | sed 's/^Test unit written to /reproducer: /' >&2 || true
  fi
  rm -f "$log"
  rm -rf "$scratch"
done
rmdir corpus-run 2>/dev/null || true
exit $failed
