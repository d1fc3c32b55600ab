# Sourced by benches/peers.sh and benches/ab.sh: starting an SMSC for a benchmark.
# The caller defines $tmp (a scratch folder), the array pids (killed on exit) and die.

# start_smsc NAME CMD...: starts an SMSC in the background, waits for its "listening" line
# and sets $smsc_port. Its pid joins $pids (killed on exit).
start_smsc() {
	local name=$1 log="$tmp/smsc-$1.log"
	shift
	# stdin: a FIFO opened read-write, never at its end (smsc.js exits when stdin ends)
	mkfifo "$tmp/stdin-$name"
	"$@" >"$log" 2>&1 0<>"$tmp/stdin-$name" &
	pids+=("$!")
	smsc_port=""
	for _ in $(seq 200); do
		smsc_port="$(sed -n -e 's/^.* smsc listening on [^ ]*:\([0-9][0-9]*\).*$/\1/p' \
			-e 's/^LISTENING \([0-9][0-9]*\)$/\1/p' "$log" | head -n1)"
		[[ -n "$smsc_port" ]] && break
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.05
	done
	if [[ -z "$smsc_port" ]]; then
		cat "$log" >&2
		die "the $name SMSC did not start: $*"
	fi
	echo "$(basename "$0" .sh): $name SMSC listening on 127.0.0.1:$smsc_port" >&2
}
