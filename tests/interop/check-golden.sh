#!/usr/bin/env bash
# Verify tests/golden/node-smpp.txt is exactly what node-smpp (pinned in
# tests/interop/package.json / package-lock.json) produces today.
# Usage: tests/interop/check-golden.sh   (works from any cwd)
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
cd "$repo_root"

interop="tests/interop"
golden="tests/golden/node-smpp.txt"

# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps check-golden

tmp="$(mktemp "${TMPDIR:-/tmp}/node-smpp-golden.XXXXXX")"
trap 'rm -f "$tmp"' EXIT

if ! node "$interop/gen-golden.js" >"$tmp"; then
	echo "check-golden: FAILED: gen-golden.js exited with an error (see above)" >&2
	exit 1
fi

if ! diff -u "$golden" "$tmp"; then
	echo "check-golden: FAILED: $golden differs from what node-smpp produces now." >&2
	echo "check-golden: regenerate with: node $interop/gen-golden.js > $golden (never edit it by hand)" >&2
	exit 1
fi
echo "check-golden: OK ($golden matches node-smpp output)"
