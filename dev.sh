#!/usr/bin/env bash
# zmq-typed's one entry point: installs what a fresh Debian/Ubuntu machine lacks, then
#   ./dev.sh demo         runs the main demo, the tour (needs only libzmq3-dev and pkg-config)
#   ./dev.sh test         runs every test (unit, integration, doc, compile-fail), which also
#                         needs clang/libclang (bindgen freshness), ip/unshare (multicast in a
#                         network namespace), nm (the exported-symbols check) and valgrind
#                         (the perf script's instruction counts)
#   ./dev.sh deps [demo|test]   installs what that command needs, and nothing else
# Set ZMQ_TYPED_REQUIRE_ALL=1 to turn the loud skips of capability-dependent tests
# (multicast, pgm, bindgen freshness) into failures, as CI does.
# Set DEV_SH_DRY_RUN=1 to see what would be installed without installing it.
set -euo pipefail
cd "$(dirname "$0")"

have_cmd() { command -v "$1" >/dev/null 2>&1; }
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

# Why each package is needed, in a few words.
why() {
  case "$1" in
    libzmq3-dev) echo "libzmq to link against" ;;
    pkg-config) echo "finds libzmq" ;;
    clang | libclang-dev) echo "bindgen, for the bindings freshness test" ;;
    iproute2) echo "ip, for multicast tests in a network namespace" ;;
    util-linux) echo "unshare, for those namespaces" ;;
    binutils) echo "nm, for the exported-symbols test" ;;
    valgrind) echo "callgrind, for the perf script's instruction counts" ;;
    *) echo "needed" ;;
  esac
}

# The packages a command needs.
packages_for() {
  case "$1" in
    demo) echo "libzmq3-dev pkg-config" ;;
    test) echo "libzmq3-dev pkg-config libclang-dev clang iproute2 binutils util-linux valgrind" ;;
  esac
}

# Installs what `$1` (demo or test) needs and is missing: one line says what and why; apt's
# output goes to a log shown only when apt fails.
ensure_system_deps() {
  local purpose="$1"
  if ! have_cmd cargo; then
    echo "error: cargo is not on PATH; install Rust first (https://rustup.rs)" >&2
    exit 1
  fi
  if ! have_cmd dpkg-query || ! have_cmd apt-get; then
    # Not Debian/Ubuntu: trust the system to have libzmq; zmq-ffi's build says what is missing.
    return 0
  fi
  local need=() reasons=() p
  for p in $(packages_for "$purpose"); do
    if ! pkg_installed "$p"; then
      need+=("$p")
      reasons+=("$p ($(why "$p"))")
    fi
  done
  [ ${#need[@]} -gt 0 ] || return 0

  local joined
  joined="$(printf '%s, ' "${reasons[@]}")"
  echo "dev.sh: installing for the $purpose: ${joined%, }" >&2
  if [ -n "${DEV_SH_DRY_RUN:-}" ] && [ "${DEV_SH_DRY_RUN}" != 0 ]; then
    echo "dev.sh: dry run: would run apt-get install -y --no-install-recommends ${need[*]}" >&2
    return 0
  fi

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if have_cmd sudo; then sudo=(sudo); else
      echo "error: need root or sudo to install: ${need[*]}" >&2
      exit 1
    fi
  fi
  local log
  log="$(mktemp "${TMPDIR:-/tmp}/zmq-typed-apt.XXXXXX")"
  if { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${need[@]}"; } >"$log" 2>&1; then
    rm -f "$log"
  else
    echo "error: apt-get failed to install ${need[*]}; its output ($log):" >&2
    cat "$log" >&2
    exit 1
  fi
}

cmd="${1:-}"
case "$cmd" in
  demo)
    ensure_system_deps demo
    shift
    exec cargo run --quiet --features durable --example tour -- "$@"
    ;;
  test)
    ensure_system_deps test
    shift
    cargo build --workspace --all-targets --features zmq-typed/durable
    exec cargo test --workspace --features zmq-typed/durable "$@"
    ;;
  deps)
    case "${2:-test}" in
      demo | test) ensure_system_deps "${2:-test}" ;;
      *)
        echo "usage: ./dev.sh deps [demo|test]" >&2
        exit 2
        ;;
    esac
    ;;
  *)
    echo "usage: ./dev.sh demo|test|deps [demo|test]" >&2
    exit 2
    ;;
esac
