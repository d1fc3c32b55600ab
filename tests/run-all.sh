#!/usr/bin/env bash
# The test suite, in two tiers; each first installs what it lacks (tests/install-tools.sh).
#
#   bash tests/run-all.sh --quick   The edit-compile loop (a few minutes): fmt, clippy, the
#                                   header diff, rustdoc's links, a bare `cargo test`
#                                   (unit, integration and doc tests). Tests marked #[ignore = "needs …"] (openssl,
#                                   flock, a JDK, node-smpp) are skipped and reported as
#                                   ignored. Needs: rustfmt, clippy, cbindgen 0.29.4, a C
#                                   compiler.
#   bash tests/run-all.sh           The full suite: what CI runs (.ci/run) and what to run
#                                   before pushing. fmt, clippy, the header diff, the C tests
#                                   (ffi-tests/run.sh), node-smpp's golden vectors and
#                                   harnesses, the Java jar (java/test.sh), every Rust test with
#                                   the ignored ones (`cargo test --all-targets --
#                                   --include-ignored`: a missing tool fails loudly), the doc
#                                   tests, Miri on the C ABI, each fuzz target for 5 s. Needs
#                                   also: g++, valgrind, pkg-config, readelf, openssl 3,
#                                   flock, a JDK 17, node/npm and node-smpp (npm ci in
#                                   tests/interop), nightly with miri and rust-src,
#                                   cargo-fuzz 0.13.1.
#
# The tools: the Rust toolchain (rustup) must be there; the rest is installed when missing,
# system packages with apt-get when run as root (else it names what is missing and the
# command to install it, and stops). Quick when everything is present.
# One ignored test with its tools present: cargo test --test tls -- --include-ignored NAME
set -euo pipefail
cd "$(dirname "$0")/.."

tier=full
case "${1:-}" in
  "") ;;
  --quick) tier=quick ;;
  *)
    echo "usage: bash tests/run-all.sh [--quick]" >&2
    exit 2
    ;;
esac
# cargo install puts cbindgen and cargo-fuzz here.
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in
  *":$cargo_bin:"*) ;;
  *) export PATH="$cargo_bin:$PATH" ;;
esac

step() { printf '\n==> %s\n' "$*"; }

step "tools for the $tier tier (tests/install-tools.sh)"
bash tests/install-tools.sh "--$tier"

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

step "rustdoc: every intra-doc link resolves"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet

if [ "$tier" = quick ]; then
  step "cargo test (the quick tier: tests marked #[ignore = \"needs …\"] are skipped)"
  cargo test
  printf '\nquick tier passed (the full suite: bash tests/run-all.sh)\n'
  exit 0
fi

step "C tests against the header and the library (ffi-tests/run.sh: ASan/UBSan, valgrind, C++, examples, install)"
bash ffi-tests/run.sh

step "node-smpp golden vectors are what node-smpp produces"
bash tests/interop/check-golden.sh

step "the node-smpp harness (smsc.js, client-bench.js) works, node to node"
bash tests/interop/selftest.sh

step "the TLS peers (node-smpp TLS SMSC, openssl s_server) work, node to node"
bash tests/interop/tls-selftest.sh

step "Java: the jar (java/build.sh), its tests and a program built against it alone, against esme smsc and node-smpp over mutual TLS"
bash java/test.sh

step "cargo test, with the tests that need openssl, a JDK or node-smpp (--include-ignored)"
cargo test --all-targets -- --include-ignored
cargo test --doc

step "Miri: the C ABI's unit tests (undefined behaviour, strict provenance)"
MIRIFLAGS=-Zmiri-strict-provenance cargo +nightly miri test --lib ffi::

step "fuzz targets, 5 s each (fuzz/run.sh)"
bash fuzz/run.sh 5

printf '\nfull suite passed\n'
