#!/usr/bin/env bash
# Runs the criterion bench targets several rounds, one target after the other in each round
# (so that a burst of load elsewhere on the machine hits one round, not every sample of one
# function), then prints for every function the median over the rounds of criterion's
# estimate, its ratio to the raw twin in its group (`raw_<function>` when there is one, as
# `raw_in_place` for `in_place`, else `raw`, else `raw_copy` in the zero-copy groups, where
# `zero_copy/copy` is printed too) and, for the typed functions, to their dynamic twin.
# Ratios are of times: below 1 is faster.
#
#   benches/rounds.sh                          3 rounds of throughput latency zero_copy multipart typed
#   ROUNDS=5 TARGETS="latency" benches/rounds.sh
#   benches/rounds.sh --measurement-time 1     extra arguments go to criterion
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
targets=${TARGETS:-throughput latency zero_copy multipart typed}
results=$(mktemp)
trap 'rm -f "$results"' EXIT

cargo bench -q --no-run
for round in $(seq "$rounds"); do
  for target in $targets; do
    echo "round $round/$rounds: $target" >&2
    # criterion's bencher format: "test group/function ... bench: <ns> ns/iter (+/- <ns>)".
    cargo bench -q --bench "$target" -- --output-format bencher "$@" |
      awk '$1 == "test" && $4 == "bench:" { gsub(",", "", $5); print $2, $5 }' >>"$results"
  done
done

# Median per function, then the ratios within each group.
sort -k1,1 -k2,2n "$results" |
  awk '
    function flush() {
      if (name == "") return
      med = (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
      names[++count] = name; median[name] = med; runs[name] = n
    }
    $1 != name { flush(); name = $1; n = 0 }
    { v[++n] = $2 }
    END {
      flush()
      printf "%-40s %14s %6s %12s %12s\n", "group/function", "median ns/iter", "rounds",
        "x raw (time)", "x dynamic"
      for (i = 1; i <= count; i++) {
        # group/function or group/function/parameter
        n = split(names[i], part, "/")
        tail = (n > 2) ? "/" part[3] : ""
        g = part[1] "/"
        # The raw twin: raw_<function> (raw_in_place for in_place), else raw, else raw_copy.
        base = ""
        if (part[2] !~ /^raw/) base = median[g "raw_" part[2] tail]
        if (base == "") base = median[g "raw" tail]
        if (base == "") base = median[g "raw_copy" tail]
        ratio = (base != "") ? sprintf("%12.3f", median[names[i]] / base) : sprintf("%12s", "")
        # A typed function against its dynamic twin: typed_frame/dynamic_frame,
        # typed/dynamic (or dynamic_message where a group has no plain dynamic).
        dyn = ""
        if (part[2] ~ /^typed/) {
          twin = "dynamic" substr(part[2], 6)
          dyn = median[g twin tail]
          if (dyn == "" && twin == "dynamic") dyn = median[g "dynamic_message" tail]
        }
        vs = (dyn != "") ? sprintf("%12.3f", median[names[i]] / dyn) : ""
        printf "%-40s %14.0f %6d %s %s\n", names[i], median[names[i]], runs[names[i]], ratio, vs
      }
      for (i = 1; i <= count; i++) {
        split(names[i], part, "/")
        if (part[2] == "zero_copy" && median[part[1] "/copy"] != "")
          printf "%s: zero_copy/copy %.3f (time), raw_zero_copy/raw_copy %.3f\n", part[1],
            median[names[i]] / median[part[1] "/copy"],
            median[part[1] "/raw_zero_copy"] / median[part[1] "/raw_copy"]
      }
    }'
