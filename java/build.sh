#!/usr/bin/env bash
# Builds the esme jar, the one file a Java program needs:
#   bash java/build.sh            -> target/java/esme-VERSION.jar (and target/java/esme.jar)
# It holds the classes of package io.esme and, under io/esme/native/<os>-<arch>/, the JNI glue
# with libesme linked in statically (libesme_jni.so: one native library, no rpath, no
# LD_LIBRARY_PATH), which the jar extracts to a private temporary file and loads at first use.
# Steps: cargo build --release --lib (libesme.a), gcc (java/native/esme_jni.c + libesme.a),
# javac --release 17 (doclint: Javadoc on every public type and member), jar. No network for
# the Java part (no Maven, no Gradle): the JDK, gcc and cargo only.
#
# Needs: the Rust toolchain, gcc, a JDK 17+ (JAVA_HOME, else the one javac is in).
# ESME_JAR_NATIVES=DIR adds DIR/<os>-<arch>/libesme_jni.so files built the same way on other
# platforms (e.g. linux-aarch64), for one jar that carries several.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
[ -x "$JAVA_HOME/bin/javac" ] || JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
[ -x "$JAVA_HOME/bin/javac" ] || { echo "java/build.sh: no JDK found (set JAVA_HOME)" >&2; exit 1; }
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/java"
work="$out/jar"

# The crate's version is the jar's; the pom must say the same.
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
pom_version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' java/pom.xml | head -1)"
if [ "$version" != "$pom_version" ]; then
  echo "java/build.sh: java/pom.xml says version '$pom_version', Cargo.toml '$version': make them equal" >&2
  exit 1
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  *) echo "java/build.sh: builds the native part on Linux only (this is $(uname -s))" >&2; exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
  *) arch="$(uname -m)" ;;
esac
platform="$os-$arch"

echo "== cargo build --release --lib (libesme.a)" >&2
cargo build --release --lib --quiet

rm -rf "$work"
mkdir -p "$work/classes/io/esme/native/$platform" "$work/classes/META-INF/maven/io.esme/esme"

echo "== libesme_jni.so ($platform): the glue with libesme.a linked in" >&2
so="$work/classes/io/esme/native/$platform/libesme_jni.so"
# -Wl,-z,defs: every symbol resolved now (the system libraries Rust's std needs are named);
# the version script exports only the JNI entry points; --gc-sections drops what the glue
# does not reach.
gcc -std=c99 -O2 -Wall -Wextra -Werror -fPIC -shared \
    -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" -Iinclude \
    java/native/esme_jni.c "$target/release/libesme.a" \
    -Wl,--version-script=java/native/exports.map -Wl,--gc-sections -Wl,-z,defs \
    -Wl,-z,relro,-z,now -Wl,-z,noexecstack \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$so"
strip --strip-unneeded "$so"
if readelf -d "$so" | grep -q 'libesme\.so\|RPATH\|RUNPATH'; then
  echo "java/build.sh: $so needs libesme.so or has an rpath:" >&2
  readelf -d "$so" >&2
  exit 1
fi
# Only the JNI entry points are exported: libesme inside stays private, so a libesme.so in the
# same process (and its process-wide log callback) is another copy that never meets this one.
if nm -D --defined-only "$so" | awk '{print $3}' | grep -v '^Java_io_esme_\|^JNI_On\(Un\)\?[Ll]oad$' | grep .; then
  echo "java/build.sh: $so exports more than the JNI entry points (above)" >&2
  exit 1
fi
if [ -n "${ESME_JAR_NATIVES:-}" ]; then
  for f in "$ESME_JAR_NATIVES"/*/libesme_jni.so; do
    p="$(basename "$(dirname "$f")")"
    [ "$p" = "$platform" ] && continue
    mkdir -p "$work/classes/io/esme/native/$p"
    cp "$f" "$work/classes/io/esme/native/$p/"
  done
fi

echo "== javac --release 17" >&2
"$JAVA_HOME/bin/javac" --release 17 -encoding UTF-8 -Xlint:all -Xdoclint:all/protected -Werror \
    -d "$work/classes" $(find java/src/main/java -name '*.java' | sort)

printf 'version=%s\n' "$version" >"$work/classes/io/esme/esme.properties"
cp java/pom.xml "$work/classes/META-INF/maven/io.esme/esme/pom.xml"
printf 'groupId=io.esme\nartifactId=esme\nversion=%s\n' "$version" \
    >"$work/classes/META-INF/maven/io.esme/esme/pom.properties"
cat >"$work/MANIFEST.MF" <<MF
Automatic-Module-Name: io.esme
Implementation-Title: esme
Implementation-Version: $version
Implementation-Vendor-Id: io.esme
MF

echo "== jar" >&2
jar="$out/esme-$version.jar"
rm -f "$jar"
"$JAVA_HOME/bin/jar" --create --file "$jar" --manifest "$work/MANIFEST.MF" -C "$work/classes" .
cp "$jar" "$out/esme.jar"
echo "$jar"
