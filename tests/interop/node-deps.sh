# Sourced (bash) by the scripts that run node-smpp: installs tests/interop's npm packages
# with `npm ci` only when node_modules is missing or stale with respect to package.json /
# package-lock.json, or holds another smpp version than the lock file pins.
#   ensure_node_deps NAME      (run from the repository root; NAME prefixes the messages)
ensure_node_deps() {
	local name=$1 dir="tests/interop" need=0
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		echo "$name: node and npm are required" >&2
		exit 2
	fi
	local stamp="$dir/node_modules/.package-lock.json"
	if [[ ! -d "$dir/node_modules/smpp" || ! -f "$stamp" ]]; then
		need=1
	elif [[ "$dir/package-lock.json" -nt "$stamp" || "$dir/package.json" -nt "$stamp" ]]; then
		need=1
	else
		local want have
		want="$(node -p "require('./$dir/package-lock.json').packages['node_modules/smpp'].version")"
		have="$(node -p "require('./$dir/node_modules/smpp/package.json').version")"
		[[ "$want" == "$have" ]] || need=1
	fi
	if [[ "$need" == 1 ]]; then
		echo "$name: running npm ci in $dir" >&2
		(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
	fi
}
