#!/usr/bin/env bash
# zmq-typed's one entry point: installs what a fresh Debian/Ubuntu machine lacks, then
#   ./dev.sh demo   runs the main demo
#   ./dev.sh test   runs every test (unit, integration, doc, compile-fail)
# Set ZMQ_TYPED_REQUIRE_ALL=1 to turn the loud skips of capability-dependent tests
# (multicast, pgm, bindgen freshness) into failures, as CI does.
set -euo pipefail
cd "$(dirname "$0")"

need_pkgs=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

ensure_system_deps() {
  if ! have_cmd cargo; then
    echo "error: cargo is not on PATH; install Rust first (https://rustup.rs)" >&2
    exit 1
  fi
  if ! have_cmd dpkg-query || ! have_cmd apt-get; then
    # Not Debian/Ubuntu: trust the system to have libzmq; zmq-ffi's build says what is missing.
    return 0
  fi
  for p in libzmq3-dev pkg-config libclang-dev clang iproute2 binutils util-linux; do
    pkg_installed "$p" || need_pkgs+=("$p")
  done
  if [ ${#need_pkgs[@]} -gt 0 ]; then
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if have_cmd sudo; then sudo="sudo"; else
        echo "error: need root or sudo to install: ${need_pkgs[*]}" >&2
        exit 1
      fi
    fi
    echo "==> installing ${need_pkgs[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >&2
  fi
}

cmd="${1:-}"
case "$cmd" in
  demo)
    ensure_system_deps
    shift
    exec cargo run --quiet --example demo -- "$@"
    ;;
  test)
    ensure_system_deps
    shift
    cargo build --workspace --all-targets
    exec cargo test --workspace "$@"
    ;;
  deps)
    ensure_system_deps
    ;;
  *)
    echo "usage: ./dev.sh demo|test|deps" >&2
    exit 2
    ;;
esac
