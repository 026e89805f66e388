#!/usr/bin/env bash
# Builds the rust-zmq peer programs twice, in release:
#   target/system/release/    linked to the system libzmq (the `links` override of
#                             .cargo/config.toml, read because cargo runs from this folder)
#   target/vendored/release/  with rust-zmq's own libzmq (zmq-sys builds the one vendored in
#                             `zeromq-src`; cargo runs from the parent folder, so the override
#                             above is not read)
# and prints which libzmq each build runs on (`libzmq_origin`) and what `ldd` says of it.
#   ./build.sh [system|vendored|both]     (default: both)
# The vendored build compiles libzmq's C++ sources: it needs a C++ compiler and takes a minute
# or two on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
which="${1:-both}"
case "$which" in
  system | vendored | both) ;;
  *)
    echo "usage: $0 [system|vendored|both]" >&2
    exit 1
    ;;
esac

show() {
  local bin="$1/libzmq_origin"
  echo "$2: $("$bin")"
  ldd "$bin" | grep -E 'libzmq|libsodium' | sed 's/^[[:space:]]*/  ldd: /' || echo "  ldd: no libzmq.so"
}

if [[ "$which" != vendored ]]; then
  (cd "$here" && cargo build --release --locked --bins --target-dir "$here/target/system")
  show "$here/target/system/release" system
  # The override is keyed on the target triple (.cargo/config.toml): on another one, cargo
  # would have built rust-zmq's own libzmq into the "system" build without a word.
  if ! "$here/target/system/release/libzmq_origin" | grep -q "(shared"; then
    echo "error: the system build does not run on the shared system libzmq: the links" \
      "override of .cargo/config.toml is for x86_64-unknown-linux-gnu only" >&2
    exit 1
  fi
fi
if [[ "$which" != system ]]; then
  (cd "$here/.." && cargo build --release --locked --bins \
    --manifest-path "$here/Cargo.toml" --target-dir "$here/target/vendored")
  show "$here/target/vendored/release" vendored
fi
