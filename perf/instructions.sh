# Sourced by perf/compare.sh for `--instructions`: counts, with valgrind's callgrind, the
# instructions one more message costs each program over inproc, and prints them as markdown
# with their ratios to the raw twin. Uses compare.sh's columns (names, dirs, prefixes) and
# its `quick` setting.

# The instructions a whole run of `<program> <args...>` executed (every thread), from
# callgrind's summary line `Collected : N`; empty when the run failed.
collected() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' | head -n 1
}

count_instructions() {
  command -v valgrind >/dev/null 2>&1 || {
    echo "error: --instructions needs valgrind (Debian package valgrind)" >&2
    exit 1
  }
  local n_thr n_lat
  if [ "$quick" = 1 ]; then n_thr=5000 n_lat=1000; else n_thr=100000 n_lat=20000; fi
  local -a icases=("inproc_thr 1 $n_thr" "inproc_thr 1024 $n_thr" "inproc_lat 1 $n_lat")
  local -A ilabel=(
    [inproc_thr 1]="inproc throughput, 1 B [instructions/msg]"
    [inproc_thr 1024]="inproc throughput, 1 KiB [instructions/msg]"
    [inproc_lat 1]="inproc latency, 1 B [instructions/round trip]"
  )
  local -A per=() # "<case index> <column>" -> instructions per message
  local started=$SECONDS c i program size n one two
  for c in "${!icases[@]}"; do
    read -r program size n <<<"${icases[$c]}"
    for i in "${!names[@]}"; do
      echo "counting: ${names[$i]} $program $size x $n and x $((2 * n))..." >&2
      one="$(collected "${dirs[$i]}/${prefixes[$i]}$program" "$size" "$n" || true)"
      two="$(collected "${dirs[$i]}/${prefixes[$i]}$program" "$size" "$((2 * n))" || true)"
      if [ -n "$one" ] && [ -n "$two" ]; then
        per["$c $i"]="$(awk -v a="$one" -v b="$two" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')"
      else
        echo "  ${names[$i]} $program $size: no count" >&2
      fi
    done
  done

  local mode=""
  [ "$quick" = 1 ] && mode=" --quick"
  echo
  echo "Machine: $(nproc) cores, $(uname -sr); libzmq $(pkg-config --modversion libzmq 2>/dev/null ||
    echo unknown); $(rustc --version 2>/dev/null || echo unknown); $(valgrind --version);" \
    "$(date -u '+%Y-%m-%d %H:%M UTC')."
  echo "Command: \`perf/compare.sh --instructions$mode\` ($((SECONDS - started)) s)." \
    "Instructions one more message costs, every thread counted; ratio: to the raw twin" \
    "(lower is better)."
  echo
  local header="| case |" rule="|---|" row base m
  for i in "${!names[@]}"; do
    header+=" ${names[$i]} |"
    rule+="---:|"
    [ "$i" = 0 ] && continue
    header+=" ratio |"
    rule+="---:|"
  done
  echo "$header"
  echo "$rule"
  for c in "${!icases[@]}"; do
    read -r program size n <<<"${icases[$c]}"
    row="| ${ilabel[$program $size]} |"
    base="${per["$c 0"]:-}"
    for i in "${!names[@]}"; do
      m="${per["$c $i"]:-}"
      row+=" ${m:-n/a} |"
      [ "$i" = 0 ] && continue
      if [ -n "$m" ] && [ -n "$base" ]; then
        row+=" $(awk -v m="$m" -v b="$base" 'BEGIN { if (b > 0) printf "%.3f", m / b; else print "n/a" }') |"
      else
        row+=" n/a |"
      fi
    done
    echo "$row"
  done
}
