#!/usr/bin/env bash
# Runs the perf tools side by side, interleaved, and prints medians and ratios as markdown.
#
#   perf/compare.sh [--rounds N] [--quick] [--no-build] [--no-c] [--no-peers] [--examples DIR]
#   perf/compare.sh --instructions [--quick] [--no-build] [--no-c] [--no-peers] [--examples DIR]
#
# Programs compared (a column each; the missing ones are left out, and said so):
#   raw        examples/raw_*.rs: libzmq's perf programs line for line on zmq-ffi (the baseline)
#   zmq-typed  examples/{local,remote,inproc}_{thr,lat}.rs: the same on the safe API
#   C          libzmq 4.3.4's own perf/*.cpp, compiled against the system libzmq into
#              target/perf-c/ (needs g++ and libzmq's source: $LIBZMQ_SRC, a git dir with a
#              v4.3.4 tag or a source tree with perf/; by default the local mirror)
#   rust-zmq   benches/peers (the `zmq` crate): target/system/release/ (linked to the system
#              libzmq), target/vendored/release/ (its own libzmq), or target/release/
#
# Cases: inproc and tcp throughput with 1 B and 1 KiB messages, inproc and tcp latency
# with 1 B. Each round runs every case with every program in turn (A B C, A B C, ...); the
# order of the programs turns by one each round. The table shows each program's median over
# the rounds, its ratio to the raw twin (the median of the rounds' ratios: each run against
# the raw run of the same round, which saw about the same load) and in how many rounds it
# beat the raw twin (throughput: higher is better; latency: lower is better); then
# zmq-typed against each other program the same way, and how far apart the rounds were. --quick uses small counts
# (seconds in all, for a smoke test: the numbers mean little); the default run takes about
# 2-3 minutes on 2 cores. Builds in release first (cargo build --release), unless --no-build;
# --examples DIR takes our programs from DIR instead of target/release/examples (the tests
# use it with their debug builds); --no-c and --no-peers leave those columns out.
#
# --instructions counts instead of timing: each program runs under valgrind's callgrind with
# N and with 2N messages, and the table shows the instructions one more message costs
# ((I(2N) - I(N)) / N, every thread counted; over tcp each side is counted in turn while
# the other runs natively, and the two are added). The counts do not depend on the
# machine's load, so one run says what the timed rounds can only suggest on a noisy
# machine: what the wrapper costs per message over the raw C API.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

rounds=5
quick=0
build=1
want_c=1
want_peers=1
instructions=0
examples=""
usage() {
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
  exit "${1:-0}"
}
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds)
      [ $# -ge 2 ] || { echo "error: --rounds needs a number" >&2; usage 1 >&2; }
      rounds="$2"
      shift 2
      ;;
    --rounds=*) rounds="${1#--rounds=}"; shift ;;
    --quick) quick=1; shift ;;
    --instructions) instructions=1; shift ;;
    --no-build) build=0; shift ;;
    --no-c) want_c=0; shift ;;
    --no-peers) want_peers=0; shift ;;
    --examples)
      [ $# -ge 2 ] || { echo "error: --examples needs a folder" >&2; usage 1 >&2; }
      examples="$2"
      shift 2
      ;;
    -h | --help) usage 0 ;;
    *) echo "error: unknown argument \`$1\`" >&2; usage 1 >&2 ;;
  esac
done
case "$rounds" in
  '' | *[!0-9]* | 0) echo "error: --rounds must be a whole number of at least 1, not \`$rounds\`" >&2; exit 1 ;;
esac

programs="local_thr remote_thr local_lat remote_lat inproc_thr inproc_lat"

# Counts: messages for throughput, round trips for latency.
if [ "$quick" = 1 ]; then
  n_inproc_thr_1=20000 n_inproc_thr_1k=10000 n_tcp_thr_1=20000 n_tcp_thr_1k=5000
  n_inproc_lat=1000 n_tcp_lat=500
else
  n_inproc_thr_1=2000000 n_inproc_thr_1k=500000 n_tcp_thr_1=2000000 n_tcp_thr_1k=300000
  n_inproc_lat=50000 n_tcp_lat=10000
fi

# ---------------------------------------------------------------------------------------
# Building

if [ "$build" = 1 ]; then
  args=()
  for p in $programs; do args+=(--example "$p" --example "raw_$p"); done
  [ "$instructions" = 0 ] || args+=(--example typed_cost)
  echo "building: cargo build --release ${args[*]}" >&2
  cargo build --release --quiet "${args[@]}" >&2
fi

target_dir="${CARGO_TARGET_DIR:-$root/target}"
[ -n "$examples" ] || examples="$target_dir/release/examples"

# libzmq's own programs, from its source at the tag of the installed version.
build_c() {
  local out="$target_dir/perf-c" version src
  version="$(pkg-config --modversion libzmq 2>/dev/null || echo 4.3.4)"
  src="${LIBZMQ_SRC:-/work/.mirror/zeromq+libzmq/repo}"
  command -v g++ >/dev/null 2>&1 || { echo "C column left out: no g++" >&2; return 1; }
  mkdir -p "$out/src/perf" "$out/src/include"
  local p missing=0
  for p in $programs; do [ -x "$out/$p" ] || missing=1; done
  [ "$missing" = 1 ] || return 0
  for p in $programs; do
    if [ -f "$src/perf/$p.cpp" ]; then
      cp "$src/perf/$p.cpp" "$out/src/perf/"
    elif git -C "$src" rev-parse --verify -q "v$version^{commit}" >/dev/null 2>&1; then
      git -C "$src" show "v$version:perf/$p.cpp" >"$out/src/perf/$p.cpp"
    else
      echo "C column left out: no libzmq source at $src (set LIBZMQ_SRC)" >&2
      return 1
    fi
  done
  # Their includes: "../include/zmq.h" is the installed header, "platform.hpp" (made by
  # libzmq's build) is needed for nothing on Linux.
  echo '#include <zmq.h>' >"$out/src/include/zmq.h"
  : >"$out/src/perf/platform.hpp"
  for p in $programs; do
    if ! g++ -O2 -w -o "$out/$p" "$out/src/perf/$p.cpp" -lzmq -lpthread 2>"$out/$p.log"; then
      echo "C column left out: g++ failed on $p.cpp (see $out/$p.log)" >&2
      return 1
    fi
  done
  echo "built libzmq $version's perf programs into $out" >&2
}

# Columns: name and the folder holding its six programs, with the file-name prefix.
names=(raw zmq-typed)
dirs=("$examples" "$examples")
prefixes=(raw_ "")
if [ "$want_c" = 1 ] && build_c; then
  names+=(C) dirs+=("$target_dir/perf-c") prefixes+=("")
fi
peers="$root/benches/peers/target"
found_peer=0
[ "$want_peers" = 1 ] || peers=/nonexistent
for flavour in system vendored; do
  if [ -x "$peers/$flavour/release/inproc_thr" ]; then
    names+=("rust-zmq ($flavour)") dirs+=("$peers/$flavour/release") prefixes+=("")
    found_peer=1
  fi
done
if [ "$found_peer" = 0 ] && [ -x "$peers/release/inproc_thr" ]; then
  # Built by hand: which libzmq it runs on, its libzmq_origin says.
  case "$("$peers/release/libzmq_origin" 2>/dev/null || true)" in
    *"(shared"*) flavour=system ;;
    *"(static"*) flavour=vendored ;;
    *) flavour="libzmq unknown" ;;
  esac
  names+=("rust-zmq ($flavour)") dirs+=("$peers/release") prefixes+=("")
  found_peer=1
fi
[ "$found_peer" = 1 ] || [ "$want_peers" = 0 ] || echo "rust-zmq column left out: benches/peers is not built (see benches/peers)" >&2
for i in "${!names[@]}"; do
  for p in $programs; do
    if [ ! -x "${dirs[$i]}/${prefixes[$i]}$p" ]; then
      echo "error: ${dirs[$i]}/${prefixes[$i]}$p is missing (build it, or drop --no-build)" >&2
      exit 1
    fi
  done
done

# ---------------------------------------------------------------------------------------
# Running

tmp="$(mktemp -d)"
background=()
cleanup() {
  local pid
  for pid in "${background[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

limit=120 # seconds any one program may run
# A TCP port on 127.0.0.1 that no socket uses, in any state, and below the range the kernel
# picks the local ports of outgoing connections from (/proc/sys/net/ipv4/ip_local_port_range):
# a port chosen from that range could be taken, between the check and the bind, by a
# connection of the run itself.
ephemeral_low="$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)"
[ "${ephemeral_low:-0}" -gt 12000 ] 2>/dev/null || ephemeral_low=32768
free_port() {
  local port
  while :; do
    port=$((10000 + RANDOM % (ephemeral_low - 10000)))
    if [ -z "$(ss -Htan "sport = :$port" 2>/dev/null)" ]; then
      echo "$port"
      return
    fi
  done
}
# Waits (at most 5 s) until something listens on the port.
wait_listening() {
  local port="$1" i
  for i in $(seq 100); do
    [ -n "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] && return 0
    sleep 0.05
  done
  return 1
}
# The number on the line `mean throughput: N [msg/s]` or `average latency: X [us]`.
result() {
  sed -n -e 's/^mean throughput: \([0-9]*\) \[msg\/s\]$/\1/p' \
    -e 's/^average latency: \([0-9.]*\) \[us\]$/\1/p' "$1" | head -n 1
}

if [ "$instructions" = 1 ]; then
  # shellcheck source=perf/instructions.sh
  . "$root/perf/instructions.sh"
  count_instructions
  exit 0
fi

# run <column> <case>: sets `figure` to the program's figure, empty when it failed (then
# what the programs printed is shown: they print their errors on stdout, as libzmq's do).
# Not in a subshell, so that the programs it leaves running are this shell's to wait for.
run() {
  local case="$2" bin="${dirs[$1]}/${prefixes[$1]}" out="$tmp/out" peer="$tmp/peer" port ep size n
  : >"$out"
  : >"$peer"
  case "$case" in
    inproc_thr_1) timeout "$limit" "${bin}inproc_thr" 1 "$n_inproc_thr_1" >"$out" || echo "(inproc_thr: exit $?)" >>"$out" ;;
    inproc_thr_1k) timeout "$limit" "${bin}inproc_thr" 1024 "$n_inproc_thr_1k" >"$out" || echo "(inproc_thr: exit $?)" >>"$out" ;;
    inproc_lat_1) timeout "$limit" "${bin}inproc_lat" 1 "$n_inproc_lat" >"$out" || echo "(inproc_lat: exit $?)" >>"$out" ;;
    tcp_thr_1 | tcp_thr_1k)
      if [ "$case" = tcp_thr_1 ]; then size=1 n="$n_tcp_thr_1"; else size=1024 n="$n_tcp_thr_1k"; fi
      port="$(free_port)" ep="tcp://127.0.0.1:$port"
      timeout "$limit" "${bin}local_thr" "$ep" "$size" "$n" >"$out" &
      local local_pid=$!
      background+=("$local_pid")
      wait_listening "$port" || true
      timeout "$limit" "${bin}remote_thr" "$ep" "$size" "$n" >"$peer" 2>&1 || echo "(remote_thr: exit $?)" >>"$peer"
      wait "$local_pid" || echo "(local_thr: exit $?)" >>"$out"
      ;;
    tcp_lat_1)
      port="$(free_port)" ep="tcp://127.0.0.1:$port"
      # local_lat sleeps a second before it closes (as libzmq's does): it is waited for at
      # the end of the round, not now.
      timeout "$limit" "${bin}local_lat" "$ep" 1 "$n_tcp_lat" >"$peer" 2>&1 &
      background+=("$!")
      wait_listening "$port" || true
      timeout "$limit" "${bin}remote_lat" "$ep" 1 "$n_tcp_lat" >"$out" || echo "(remote_lat: exit $?)" >>"$out"
      ;;
  esac
  figure="$(result "$out" || true)"
  if [ -z "$figure" ]; then
    sed 's/^/    | /' "$out" "$peer" >&2
  fi
}

cases=(inproc_thr_1 inproc_thr_1k tcp_thr_1 tcp_thr_1k inproc_lat_1 tcp_lat_1)
declare -A label=(
  [inproc_thr_1]="inproc throughput, 1 B [msg/s]"
  [inproc_thr_1k]="inproc throughput, 1 KiB [msg/s]"
  [tcp_thr_1]="tcp throughput, 1 B [msg/s]"
  [tcp_thr_1k]="tcp throughput, 1 KiB [msg/s]"
  [inproc_lat_1]="inproc latency, 1 B [us]"
  [tcp_lat_1]="tcp latency, 1 B [us]"
)
declare -A count=(
  [inproc_thr_1]="$n_inproc_thr_1" [inproc_thr_1k]="$n_inproc_thr_1k" [tcp_thr_1]="$n_tcp_thr_1"
  [tcp_thr_1k]="$n_tcp_thr_1k" [inproc_lat_1]="$n_inproc_lat" [tcp_lat_1]="$n_tcp_lat"
)
declare -A values=()  # "<case> <column>" -> the figures of every round, one a line
declare -A byround=() # "<case> <column> <round>" -> that round's figure

started=$SECONDS
for round in $(seq "$rounds"); do
  echo "round $round of $rounds..." >&2
  for case in "${cases[@]}"; do
    # The order of the programs turns by one each round, so that none always runs first.
    for j in "${!names[@]}"; do
      i=$(((j + round) % ${#names[@]}))
      run "$i" "$case"
      if [ -n "$figure" ]; then
        values["$case $i"]+="$figure"$'\n'
        byround["$case $i $round"]="$figure"
      else
        echo "  ${names[$i]} $case: no result" >&2
      fi
    done
  done
  for pid in "${background[@]}"; do wait "$pid" 2>/dev/null || true; done
  background=()
done
elapsed=$((SECONDS - started))

# ---------------------------------------------------------------------------------------
# Reporting

median() { # of the numbers on stdin, one a line
  sort -g | awk '{ v[NR] = $1 } END {
    if (NR == 0) exit
    if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# paired <case> <column> [<against>]: "<median of the rounds' ratios> | <rounds better>/<rounds>"
# of a column against another (by default the raw twin, column 0), over the rounds where both
# gave a figure.
paired() {
  local r a b ratios="" better=0 both=0 lower=0
  case "$1" in *_lat_*) lower=1 ;; esac
  for r in $(seq "$rounds"); do
    a="${byround["$1 $2 $r"]:-}" b="${byround["$1 ${3:-0} $r"]:-}"
    [ -n "$a" ] && [ -n "$b" ] || continue
    both=$((both + 1))
    ratios+="$(awk -v a="$a" -v b="$b" 'BEGIN { if (b > 0) print a / b }')"$'\n'
    if awk -v a="$a" -v b="$b" -v lower="$lower" 'BEGIN { exit !(lower ? a < b : a > b) }'; then
      better=$((better + 1))
    fi
  done
  if [ "$both" = 0 ]; then
    echo "n/a | n/a"
  else
    echo "$(printf '%s' "$ratios" | median | awk '{ printf "%.2f", $1 }') | $better/$both"
  fi
}

rustc_version="$(rustc --version 2>/dev/null || echo unknown)"
libzmq_version="$(pkg-config --modversion libzmq 2>/dev/null || echo unknown)"
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
mode=""
[ "$quick" = 1 ] && mode=" --quick"
echo
echo "Machine: ${cpu:-unknown CPU}, $(nproc) cores, $(uname -sr); libzmq $libzmq_version;" \
  "$rustc_version; $(date -u '+%Y-%m-%d %H:%M UTC')."
echo "Command: \`perf/compare.sh --rounds $rounds$mode\` ($elapsed s). Medians of $rounds" \
  "interleaved round(s). ratio: to the raw twin, the median of each round's ratio (each" \
  "program against the raw run of the same round, on the machine as it was then);" \
  "better: in how many rounds it beat the raw twin (throughput: higher is better," \
  "latency: lower is better)."
echo
header="| case | count |"
rule="|---|---:|"
for i in "${!names[@]}"; do
  header+=" ${names[$i]} |"
  rule+="---:|"
  [ "$i" = 0 ] && continue
  header+=" ratio | better |"
  rule+="---:|---:|"
done
echo "$header"
echo "$rule"
for case in "${cases[@]}"; do
  row="| ${label[$case]} | ${count[$case]} |"
  base="$(printf '%s' "${values["$case 0"]:-}" | median)"
  for i in "${!names[@]}"; do
    m="$(printf '%s' "${values["$case $i"]:-}" | median)"
    if [ -z "$m" ]; then
      row+=" n/a |"
    else
      row+=" $(awk -v m="$m" 'BEGIN { if (m >= 1000) printf "%.0f", m; else printf "%.3f", m }') |"
    fi
    [ "$i" = 0 ] && continue
    row+=" $(paired "$case" "$i") |"
  done
  echo "$row"
done

if [ "${#names[@]}" -gt 2 ]; then
  # zmq-typed (column 1) against each program that is not its raw twin.
  echo
  echo "zmq-typed against the others (median of the rounds' ratios, zmq-typed / other; rounds"
  echo "zmq-typed was better):"
  echo
  header="| case |"
  rule="|---|"
  for i in "${!names[@]}"; do
    [ "$i" -ge 2 ] || continue
    header+=" / ${names[$i]} | better |"
    rule+="---:|---:|"
  done
  echo "$header"
  echo "$rule"
  for case in "${cases[@]}"; do
    row="| ${label[$case]} |"
    for i in "${!names[@]}"; do
      [ "$i" -ge 2 ] || continue
      row+=" $(paired "$case" 1 "$i") |"
    done
    echo "$row"
  done
fi

if [ "$rounds" -gt 1 ]; then
  # How far apart the rounds were: a ratio is worth no more than this.
  echo
  echo "Spread over the rounds ((max - min) / median, per program):"
  echo
  header="| case |"
  rule="|---|"
  for i in "${!names[@]}"; do
    header+=" ${names[$i]} |"
    rule+="---:|"
  done
  echo "$header"
  echo "$rule"
  for case in "${cases[@]}"; do
    row="| ${label[$case]} |"
    for i in "${!names[@]}"; do
      spread="$(printf '%s' "${values["$case $i"]:-}" | sort -g | awk '
        { v[NR] = $1 }
        END {
          if (NR == 0) { print "n/a"; exit }
          m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          if (m > 0) printf "%.0f %%", 100 * (v[NR] - v[1]) / m; else print "n/a"
        }')"
      row+=" $spread |"
    done
    echo "$row"
  done
fi
