#!/usr/bin/env bash
# Builds the C library (release) and installs it under PREFIX:
#   bash scripts/install.sh PREFIX          (e.g. /usr/local, or $HOME/.local)
#
#   PREFIX/lib/libesme.so.<version>         the shared library (SONAME: docs/c-api.md "ABI")
#   PREFIX/lib/<soname> -> libesme.so.<version>, PREFIX/lib/libesme.so -> <soname>
#   PREFIX/lib/libesme.a                    the static library
#   PREFIX/include/esme.h                   the header
#   PREFIX/include/esme.hpp                 the C++17 header (header-only, on top of esme.h)
#   PREFIX/lib/pkgconfig/esme.pc            for pkg-config (Libs.private: what libesme.a needs)
# Linux only (the SONAME is set by build.rs for Linux). Needs cargo and readelf.
set -euo pipefail
if [ $# -ne 1 ]; then
  echo "usage: $0 PREFIX" >&2
  exit 2
fi
mkdir -p "$1"
prefix="$(cd "$1" && pwd)"
cd "$(dirname "$0")/.."

field() { sed -n "/^\[package\]/,/^\[/s/^$1 = \"\(.*\)\"$/\1/p" Cargo.toml | head -n1; }
version="$(field version)"
description="$(field description)"

# One release build of every crate type (rlib, cdylib, staticlib); rustc also says which
# system libraries the static library needs (cargo replays the note when nothing changed).
build_log="$(cargo rustc --lib --release -- --print native-static-libs 2>&1)" || {
  printf '%s\n' "$build_log" >&2
  exit 1
}
native="$(printf '%s\n' "$build_log" | sed -n 's/.*native-static-libs: //p' | tail -n1)"
# Always -lpthread -ldl -lm, then whatever rustc listed, without repeats.
libs_private=""
for l in -lpthread -ldl -lm $native; do
  case " $libs_private " in
    *" $l "*) ;;
    *) libs_private="${libs_private:+$libs_private }$l" ;;
  esac
done

so="target/release/libesme.so"
soname="$(readelf -d "$so" | sed -n 's/.*Library soname: \[\(.*\)\].*/\1/p')"
if [ -z "$soname" ]; then
  echo "$so has no SONAME (build.rs sets it on Linux)" >&2
  exit 1
fi

install -d "$prefix/lib" "$prefix/lib/pkgconfig" "$prefix/include"
install -m 0755 "$so" "$prefix/lib/libesme.so.$version"
if [ "$soname" != "libesme.so.$version" ]; then
  ln -sfn "libesme.so.$version" "$prefix/lib/$soname"
fi
ln -sfn "$soname" "$prefix/lib/libesme.so"
install -m 0644 target/release/libesme.a "$prefix/lib/libesme.a"
install -m 0644 include/esme.h "$prefix/include/esme.h"
install -m 0644 include/esme.hpp "$prefix/include/esme.hpp"
cat >"$prefix/lib/pkgconfig/esme.pc" <<PC
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: esme
Description: $description
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lesme
Libs.private: $libs_private
PC
echo "installed esme $version into $prefix (SONAME $soname; Libs.private: $libs_private)"
