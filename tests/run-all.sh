#!/usr/bin/env bash
# The whole test suite: what CI runs and what a developer runs before pushing.
#   bash tests/run-all.sh
# Needs: the Rust toolchain, gcc and g++ (with libasan/libubsan), valgrind, pkg-config,
# readelf, node/npm (for the node-smpp vectors), cbindgen 0.29.4
# (`cargo install cbindgen --version 0.29.4 --locked`), and for the fuzz step the nightly
# toolchain with cargo-fuzz 0.13.1 (`cargo install cargo-fuzz --version 0.13.1 --locked`),
# and for the Miri step its miri and rust-src components
# (`rustup component add miri rust-src --toolchain nightly`); .ci/run installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy"
cargo clippy --all-targets -- -D warnings

step "C header is what cbindgen 0.29.4 generates"
want="cbindgen 0.29.4"
have="$(cbindgen --version 2>/dev/null || true)"
if [ "$have" != "$want" ]; then
  echo "need $want, found '${have:-none}': cargo install cbindgen --version 0.29.4 --locked" >&2
  exit 1
fi
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
cbindgen --config cbindgen.toml --crate esme --quiet --output "$tmp"
if ! diff -u include/esme.h "$tmp"; then
  echo "include/esme.h is stale: run cbindgen --config cbindgen.toml --crate esme --output include/esme.h" >&2
  exit 1
fi

step "C tests against the header and the library (ffi-tests/run.sh: ASan/UBSan, valgrind, C++, examples, install)"
bash ffi-tests/run.sh

step "node-smpp golden vectors are what node-smpp produces"
bash tests/interop/check-golden.sh

step "the node-smpp harness (smsc.js, client-bench.js) works, node to node"
bash tests/interop/selftest.sh

step "the TLS peers (node-smpp TLS SMSC, openssl s_server) work, node to node"
bash tests/interop/tls-selftest.sh

step "Java (JNI) wrapper: build, then its tests against esme smsc with mutual TLS"
bash examples/java/run.sh

step "cargo test"
cargo test --all-targets
cargo test --doc

step "Miri: the C ABI's unit tests (undefined behaviour, strict provenance)"
if ! cargo +nightly miri --version >/dev/null 2>&1; then
  echo "need Miri: rustup component add miri rust-src --toolchain nightly" >&2
  exit 1
fi
MIRIFLAGS=-Zmiri-strict-provenance cargo +nightly miri test --lib ffi::

step "fuzz targets, 5 s each (fuzz/run.sh)"
bash fuzz/run.sh 5
