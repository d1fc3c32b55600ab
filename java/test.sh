#!/usr/bin/env bash
# Builds the jar (java/build.sh) and tests it as users get it, against real SMSCs over mutual
# TLS: `esme smsc` and node-smpp's (tests/interop/smsc.js).
#   bash java/test.sh
# 1. io.esme.test.ClientTest (the API: outcomes and receipts with attachments, long messages'
#    early receipts, RELEASED (against a plain `esme smsc --receipt-delay 600000`), close, the
#    listener, errors, channel files, logging, the Cleaner; a pool of 2 binds and its per-bind
#    numbers; the Prometheus text parsed line by line; reloads under load losing nothing; bad
#    reloads changing nothing) under -Xcheck:jni, per SMSC;
# 2. JarCheck: a program compiled in an empty folder with `javac -cp esme.jar` and run with
#    `java -cp esme.jar:.`, no java.library.path, no LD_LIBRARY_PATH: 1,000 messages with
#    receipts from 4 threads, every outcome and final receipt with its attachment, close;
#    per SMSC;
# 3. the loader: -Dio.esme.library.path with a missing file (one-line error) and with the
#    library installed by hand (loads);
# 4. the C log-callback check (java/native/log_callback_test.c).
# Needs: the Rust toolchain, gcc, openssl, node/npm, a JDK 17+ (JAVA_HOME, else javac's).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
[ -x "$JAVA_HOME/bin/javac" ] || JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
export JAVA_HOME
java="$JAVA_HOME/bin/java"
javac="$JAVA_HOME/bin/javac"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/java"
pki="$target/tls-pki"

echo "== the jar (java/build.sh)"
jar="$(bash java/build.sh)"
echo "$jar"

echo "== cargo build --bins (esme smsc) and the test PKI"
cargo build --bins --quiet
bash tests/tls/make-pki.sh "$pki"
# shellcheck source=tests/interop/node-deps.sh
source tests/interop/node-deps.sh
ensure_node_deps java/test.sh

echo "== javac: the tests against the jar"
rm -rf "$out/test-classes"
"$javac" --release 17 -encoding UTF-8 -Xlint:all -Werror -cp "$jar" -d "$out/test-classes" \
    java/src/test/java/io/esme/test/*.java
check_dir="$(mktemp -d)"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$check_dir"
}
trap cleanup EXIT
cp "$jar" "$check_dir/esme.jar"
cp java/check/JarCheck.java "$check_dir/"
(cd "$check_dir" && "$javac" --release 17 -cp esme.jar JarCheck.java)

wait_port() { # FILE SED-EXPR PID
  local p=""
  for _ in $(seq 1 200); do
    p="$(sed -n "$2" "$1")"
    [ -n "$p" ] && { echo "$p"; return 0; }
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# The servers' output files are truncated by their own (background) shells, which may run
# after wait_port first reads them: a port left in one by an earlier run must not be taken.
rm -f "$out/smsc.out" "$out/slow-smsc.out" "$out/node-smsc.out"

echo "== esme smsc (mutual TLS)"
"$target/debug/esme" smsc --port 0 --duration 600 --tls-cert "$pki/server.pem" \
    --tls-key "$pki/server.key" --tls-client-ca "$pki/client-ca.pem" \
    >"$out/smsc.out" 2>"$out/smsc.err" &
pids+=($!)
esme_port="$(wait_port "$out/smsc.out" '1s/^esme smsc listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "${pids[-1]}")" ||
  { cat "$out/smsc.err" >&2; echo "esme smsc did not start" >&2; exit 1; }

echo "== esme smsc (plain, receipts after 10 minutes: RELEASED)"
"$target/debug/esme" smsc --port 0 --duration 600 --receipt-delay 600000 \
    >"$out/slow-smsc.out" 2>"$out/slow-smsc.err" &
pids+=($!)
slow_port="$(wait_port "$out/slow-smsc.out" '1s/^esme smsc listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "${pids[-1]}")" ||
  { cat "$out/slow-smsc.err" >&2; echo "esme smsc (slow receipts) did not start" >&2; exit 1; }

echo "== node-smpp smsc.js (mutual TLS)"
# stdin: a FIFO opened read-write, never at its end (smsc.js exits when stdin ends), so that
# $! is node itself and the cleanup's kill stops it (a `sleep | node` pipeline in a subshell
# left node running after the kill, until the sleep ended).
rm -f "$out/node-smsc.stdin" && mkfifo "$out/node-smsc.stdin"
node tests/interop/smsc.js --port 0 --quiet --tls-cert "$pki/server.pem" \
    --tls-key "$pki/server.key" --tls-ca "$pki/client-ca.pem" --tls-request-cert \
    >"$out/node-smsc.out" 2>"$out/node-smsc.err" 0<>"$out/node-smsc.stdin" &
pids+=($!)
node_port="$(wait_port "$out/node-smsc.out" '1s/^LISTENING \([0-9]*\)$/\1/p' "${pids[-1]}")" ||
  { cat "$out/node-smsc.err" >&2; echo "smsc.js did not start" >&2; exit 1; }

for peer in "esme-smsc $esme_port" "node-smpp $node_port"; do
  name="${peer% *}"
  port="${peer#* }"
  echo "== io.esme.test.ClientTest against $name (port $port), -Xcheck:jni"
  timeout 300 env -u LD_LIBRARY_PATH "$java" -Xcheck:jni -cp "$jar:$out/test-classes" \
      -Desme.port="$port" -Desme.pki="$pki" -Desme.peer="$name" -Desme.slowReceiptPort="$slow_port" io.esme.test.ClientTest \
      2>&1 | tee "$out/test-$name.log"
  if grep -n 'WARNING in native method\|FATAL ERROR in native method' "$out/test-$name.log"; then
    echo "-Xcheck:jni complained (above)" >&2
    exit 1
  fi
  grep -q '^[0-9]* passed, 0 failed$' "$out/test-$name.log" || exit 1

  echo "== JarCheck against $name: javac -cp esme.jar, java -cp esme.jar:. (no library path)"
  (cd "$check_dir" && timeout 300 env -u LD_LIBRARY_PATH "$java" -Xcheck:jni -cp esme.jar:. JarCheck \
      127.0.0.1 "$port" "$pki/ca.pem" "$pki/client.p12" changeit 1000 4) 2>&1 | tee "$out/jarcheck-$name.log"
  grep -q 'WARNING in native method' "$out/jarcheck-$name.log" && { echo "-Xcheck:jni complained" >&2; exit 1; }
  grep -q '^JarCheck: ok$' "$out/jarcheck-$name.log" || exit 1
done

echo "== the loader: -Dio.esme.library.path"
cat >"$check_dir/Version.java" <<'JAVA'
public final class Version {
    public static void main(String[] a) {
        try {
            System.out.println("version " + io.esme.EsmeClient.version());
        } catch (UnsatisfiedLinkError e) {
            System.out.println("error " + e.getMessage());
        }
    }
}
JAVA
(cd "$check_dir" && "$javac" -cp esme.jar Version.java)
msg="$(cd "$check_dir" && "$java" -cp esme.jar:. -Dio.esme.library.path=/nonexistent/libesme_jni.so Version)"
echo "$msg"
case "$msg" in
  "error esme: cannot load the native library /nonexistent/libesme_jni.so (-Dio.esme.library.path): "*) ;;
  *) echo "the missing override is not reported in one line" >&2; exit 1 ;;
esac
[ "$(printf '%s\n' "$msg" | wc -l)" = 1 ] || { echo "not one line" >&2; exit 1; }
mkdir -p "$check_dir/lib"
(cd "$check_dir/lib" && "$JAVA_HOME/bin/jar" xf ../esme.jar io/esme/native)
msg="$(cd "$check_dir" && "$java" -cp esme.jar:. -Dio.esme.library.path="$check_dir/lib/io/esme/native/linux-x86_64/libesme_jni.so" Version)"
echo "$msg"
[ "$msg" = "version $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)" ] || exit 1
mkdir -p "$check_dir/tmp"
msg="$(cd "$check_dir" && "$java" -cp esme.jar:. -Dio.esme.tmpdir="$check_dir/tmp" Version)"
echo "$msg (extracted to -Dio.esme.tmpdir)"
[ "$msg" = "version $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)" ] || exit 1
[ -z "$(ls -A "$check_dir/tmp")" ] || { echo "the extracted library was left in $check_dir/tmp" >&2; exit 1; }

echo "== the C log callback receives intact records (a use-after-free, fixed, must not return)"
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude java/native/log_callback_test.c \
    -L"$target/debug" -lesme -Wl,-rpath,"$target/debug" -o "$out/log_callback_test"
timeout 60 "$out/log_callback_test" 127.0.0.1 "$esme_port" "$pki/ca.pem" "$pki/client.p12" changeit
echo "== java/test.sh: ok"
