#!/usr/bin/env bash
# Installs what the test suite needs, when it is missing (tests/run-all.sh calls this first):
#   bash tests/install-tools.sh           for the full tier (bash tests/run-all.sh)
#   bash tests/install-tools.sh --quick   for the quick tier (bash tests/run-all.sh --quick)
# Idempotent, and quick when everything is there: it only asks each tool for its version and
# installs nothing then (no network).
#
# Assumes rustup (with any toolchain): rustup installs the pinned one (rust-toolchain.toml,
# with rustfmt and clippy) on the first cargo command here. The rest, per tier:
#   quick  rustfmt and clippy (rustup components); cbindgen 0.29.4 (`cargo install --locked`,
#          for the header diff); a C compiler and libc headers (gcc, libc6-dev) to link.
#   full   also: g++ (the header as C++, libFuzzer), valgrind, pkg-config and readelf
#          (binutils) for ffi-tests/run.sh; openssl 3 and flock (util-linux) for the test
#          PKI (tests/tls/make-pki.sh); a JDK 17 (keytool, javac, java, jar) for the PKCS#12
#          fixtures and the jar (java/build.sh, which also strips with binutils' strip); node and npm, and node-smpp (`npm ci` in
#          tests/interop), for the interop tests; the nightly toolchain with miri and
#          rust-src (Miri step) and cargo-fuzz 0.13.1 (fuzz step).
# System packages are installed with apt-get, and only when running as root (Debian/Ubuntu);
# otherwise the script names what is missing and the command that installs it, and fails.
set -euo pipefail
cd "$(dirname "$0")/.."

tier=full
case "${1:-}" in
  "" | --full) ;;
  --quick) tier=quick ;;
  *)
    echo "usage: bash tests/install-tools.sh [--quick]" >&2
    exit 2
    ;;
esac

cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  *":$cargo_bin:"*) ;;
  *) export PATH="$cargo_bin:$PATH" ;;
esac

say() { printf 'install-tools: %s\n' "$*"; }
die() {
  printf 'install-tools: %s\n' "$*" >&2
  exit 1
}
have() { command -v "$1" >/dev/null 2>&1; }

command -v cargo >/dev/null 2>&1 || die "cargo not found: install Rust with rustup (https://rustup.rs), then run this again"
command -v rustup >/dev/null 2>&1 || die "rustup not found: the suite needs rustup for its components and the nightly toolchain (https://rustup.rs)"

# ---------------------------------------------------------------------------- system packages
# "command package" pairs: the package that provides the command on Debian.
need=("gcc gcc" "cc gcc")
if [ "$tier" = full ]; then
  need+=(
    "g++ g++"
    "valgrind valgrind"
    "pkg-config pkg-config"
    "readelf binutils"
    "strip binutils"
    "openssl openssl"
    "flock util-linux"
    "keytool JDK"
    "javac JDK"
    "java JDK"
    "jar JDK"
    "node nodejs"
    "npm npm"
  )
fi
missing=()
packages=()
add_package() {
  local p
  for p in "${packages[@]}"; do
    [ "$p" = "$1" ] && return 0
  done
  packages+=("$1")
}
for pair in "${need[@]}"; do
  cmd="${pair%% *}"
  pkg="${pair#* }"
  if ! have "$cmd"; then
    missing+=("$cmd")
    add_package "$pkg"
  fi
done
# The C library's headers (for the C tests and the linker's crt files).
if [ ! -e /usr/include/stdio.h ]; then
  missing+=("libc headers")
  add_package libc6-dev
fi

if [ ${#packages[@]} -gt 0 ]; then
  # A JDK 17 (the suite compiles with --release 17); a later one where 17 is not packaged.
  jdk=openjdk-17-jdk-headless
  if have apt-cache && ! apt-cache show "$jdk" >/dev/null 2>&1; then
    jdk=default-jdk-headless
  fi
  for i in "${!packages[@]}"; do
    [ "${packages[$i]}" = JDK ] && packages[$i]=$jdk
  done
  if ! have apt-get; then
    die "missing: ${missing[*]}. Install them with your package manager (Debian names: ${packages[*]}), then run this again"
  fi
  if [ "$(id -u)" -ne 0 ]; then
    die "missing: ${missing[*]}. Install them as root: apt-get update && apt-get install -y ${packages[*]}"
  fi
  say "missing ${missing[*]}: apt-get install ${packages[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
  for cmd in "${missing[@]}"; do
    [ "$cmd" = "libc headers" ] || have "$cmd" || die "$cmd still missing after apt-get install ${packages[*]}"
  done
fi

# ---------------------------------------------------------------------------- Rust tools
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
  say "rustup component add rustfmt clippy"
  rustup component add rustfmt clippy
fi

# The pinned cbindgen that generates include/esme.h (the header diff).
if [ "$(cbindgen --version 2>/dev/null || true)" != "cbindgen 0.29.4" ]; then
  say "cargo install cbindgen --version 0.29.4 --locked"
  cargo install cbindgen --version 0.29.4 --locked
fi

if [ "$tier" = full ]; then
  # The nightly toolchain: Miri (with the standard library's source it builds) for the C
  # ABI's unit tests, and cargo-fuzz for the fuzz step (fuzz/run.sh).
  if ! cargo +nightly --version >/dev/null 2>&1; then
    say "rustup toolchain install nightly --profile minimal --component miri --component rust-src"
    rustup toolchain install nightly --profile minimal --component miri --component rust-src \
      --allow-downgrade
  fi
  sysroot="$(rustc +nightly --print sysroot)"
  if ! cargo +nightly miri --version >/dev/null 2>&1 || [ ! -d "$sysroot/lib/rustlib/src/rust/library" ]; then
    say "rustup component add miri rust-src --toolchain nightly"
    rustup component add miri rust-src --toolchain nightly ||
      die "the installed nightly has no miri: rustup toolchain install nightly --component miri,rust-src (or pick a nightly that has it: https://rust-lang.github.io/rustup-components-history/)"
  fi
  if [ "$(cargo +nightly fuzz --version 2>/dev/null || true)" != "cargo-fuzz 0.13.1" ]; then
    say "cargo install cargo-fuzz --version 0.13.1 --locked"
    cargo install cargo-fuzz --version 0.13.1 --locked
  fi

  # node-smpp for the interop tests and harnesses: npm ci when missing or stale.
  # shellcheck source=tests/interop/node-deps.sh
  source tests/interop/node-deps.sh
  ensure_node_deps install-tools
fi
say "$tier tier: every tool present"
