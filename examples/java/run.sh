#!/usr/bin/env bash
# Builds the JNI wrapper of esme and runs its tests against `esme smsc` with mutual TLS.
#   bash examples/java/run.sh
# Needs: the Rust toolchain, gcc, openssl, a JDK 17+ (JAVA_HOME, else the one javac is in).
set -euo pipefail
cd "$(dirname "$0")/../.."
root="$PWD"

JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
[ -x "$JAVA_HOME/bin/javac" ] || JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
out="$root/target/java"
pki="$root/target/tls-pki"
mkdir -p "$out"

echo "== cargo build --lib --bins"
cargo build --lib --bins

echo "== test PKI ($pki)"
bash tests/tls/make-pki.sh "$pki"

echo "== libesme_jni.so"
gcc -std=c99 -Wall -Wextra -Werror -fPIC -shared \
    -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" -Iinclude \
    examples/java/native/esme_jni.c -Ltarget/debug -lesme \
    -Wl,-rpath,"$root/target/debug" -o "$out/libesme_jni.so"

echo "== javac --release 17"
rm -rf "$out/classes"
"$JAVA_HOME/bin/javac" --release 17 -encoding UTF-8 -Xlint:all -Werror -d "$out/classes" \
    examples/java/src/esme/*.java examples/java/test/esme/*.java

echo "== esme smsc (mutual TLS)"
smsc_out="$out/smsc.out"
target/debug/esme smsc --port 0 --duration 300 \
    --tls-cert "$pki/server.pem" --tls-key "$pki/server.key" \
    --tls-client-ca "$pki/client-ca.pem" >"$smsc_out" 2>"$out/smsc.err" &
smsc_pid=$!
trap 'kill "$smsc_pid" 2>/dev/null || true; wait "$smsc_pid" 2>/dev/null || true' EXIT
port=""
for _ in $(seq 1 100); do
  port="$(sed -n '1s/^esme smsc listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$smsc_out")"
  [ -n "$port" ] && break
  kill -0 "$smsc_pid" 2>/dev/null || { cat "$out/smsc.err" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "esme smsc did not start" >&2; exit 1; }
head -1 "$smsc_out"

echo "== esme.EsmeTest"
# A fixed, pre-touched heap: RSS growth in the leak tests is then native memory.
timeout 240 "$JAVA_HOME/bin/java" -Xcheck:jni -Xms64m -Xmx64m -XX:+AlwaysPreTouch -Djava.library.path="$out" -cp "$out/classes" \
    -Desme.port="$port" -Desme.pki="$pki" esme.EsmeTest

echo "== esme.Demo"
timeout 60 "$JAVA_HOME/bin/java" -Djava.library.path="$out" -cp "$out/classes" esme.Demo \
    127.0.0.1 "$port" "$pki/ca.pem" "$pki/client.p12" changeit

echo "== the C log callback receives intact records (a use-after-free, fixed, must not return)"
gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -Iinclude examples/java/native/log_callback_test.c \
    -Ltarget/debug -lesme -Wl,-rpath,"$root/target/debug" -o "$out/log_callback_test"
timeout 60 "$out/log_callback_test" 127.0.0.1 "$port" "$pki/ca.pem" "$pki/client.p12" changeit
echo "== examples/java/run.sh: ok"
