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

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	echo "check-golden: node and npm are required" >&2
	exit 2
fi

# (Re)install dependencies only if node_modules is missing or stale with
# respect to package.json / package-lock.json.
need_install=0
if [[ ! -d "$interop/node_modules/smpp" || ! -f "$interop/node_modules/.package-lock.json" ]]; then
	need_install=1
elif [[ "$interop/package-lock.json" -nt "$interop/node_modules/.package-lock.json" ||
	"$interop/package.json" -nt "$interop/node_modules/.package-lock.json" ]]; then
	need_install=1
else
	want="$(node -p "require('./$interop/package-lock.json').packages['node_modules/smpp'].version")"
	have="$(node -p "require('./$interop/node_modules/smpp/package.json').version")"
	[[ "$want" == "$have" ]] || need_install=1
fi
if [[ "$need_install" == 1 ]]; then
	echo "check-golden: running npm ci in $interop" >&2
	(cd "$interop" && npm ci --no-audit --no-fund --loglevel=error)
fi

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
