# Sourced by perf/compare.sh for `--instructions`: counts, with valgrind's callgrind, the
# instructions one more message costs each program, and prints them as markdown with their
# ratios to the raw twin. Uses compare.sh's columns (names, dirs, prefixes), its `quick`
# setting and its helpers (free_port, wait_listening, tmp).
#
# inproc: the whole process (both threads) under callgrind. tcp: each side under callgrind in
# turn while the other runs natively, the two counts added (the slowed side is the one that
# waits, so its I/O thread always finds full batches, and the count repeats to within a
# few hundredths of a percent).

# The instructions a run of `<program> <args...>` executed (every thread), from callgrind's
# summary line `Collected : N`; empty when the run failed.
collected() {
  timeout 600 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' | head -n 1
}

# tcp_side <bin prefix> <server> <client> <counted: server|client> <size> <count>: the
# instructions of the counted side of one tcp run, the other side native.
tcp_side() {
  local bin="$1" server="$2" client="$3" counted="$4" size="$5" n="$6" port ep figure
  port="$(free_port)" ep="tcp://127.0.0.1:$port"
  if [ "$counted" = server ]; then
    collected "${bin}$server" "$ep" "$size" "$n" >"$tmp/count" &
    local pid=$!
    wait_listening "$port" || true
    timeout 600 "${bin}$client" "$ep" "$size" "$n" >/dev/null 2>&1 || true
    wait "$pid" || true
    figure="$(cat "$tmp/count")"
  else
    timeout 600 "${bin}$server" "$ep" "$size" "$n" >/dev/null 2>&1 &
    local pid=$!
    wait_listening "$port" || true
    figure="$(collected "${bin}$client" "$ep" "$size" "$n" || true)"
    wait "$pid" || true
  fi
  echo "$figure"
}

# count <column> <case> <count>: the instructions of one run of the case.
count() {
  local bin="${dirs[$1]}/${prefixes[$1]}" case="$2" n="$3" a b
  case "$case" in
    inproc_thr_1) collected "${bin}inproc_thr" 1 "$n" ;;
    inproc_thr_1k) collected "${bin}inproc_thr" 1024 "$n" ;;
    inproc_lat_1) collected "${bin}inproc_lat" 1 "$n" ;;
    tcp_thr_1 | tcp_thr_1k | tcp_lat_1)
      local server=local_thr client=remote_thr size=1
      [ "$case" = tcp_thr_1k ] && size=1024
      [ "$case" = tcp_lat_1 ] && server=local_lat client=remote_lat
      a="$(tcp_side "$bin" "$server" "$client" server "$size" "$n")"
      b="$(tcp_side "$bin" "$server" "$client" client "$size" "$n")"
      if [ -n "$a" ] && [ -n "$b" ]; then echo $((a + b)); fi
      ;;
  esac
}

count_instructions() {
  command -v valgrind >/dev/null 2>&1 || {
    echo "error: --instructions needs valgrind (Debian package valgrind)" >&2
    exit 1
  }
  local n_thr n_lat
  if [ "$quick" = 1 ]; then n_thr=5000 n_lat=1000; else n_thr=100000 n_lat=20000; fi
  local -a icases=(inproc_thr_1 inproc_thr_1k tcp_thr_1 tcp_thr_1k inproc_lat_1 tcp_lat_1)
  local -A ilabel=(
    [inproc_thr_1]="inproc throughput, 1 B [instructions/msg]"
    [inproc_thr_1k]="inproc throughput, 1 KiB [instructions/msg]"
    [tcp_thr_1]="tcp throughput, 1 B [instructions/msg, both sides]"
    [tcp_thr_1k]="tcp throughput, 1 KiB [instructions/msg, both sides]"
    [inproc_lat_1]="inproc latency, 1 B [instructions/round trip]"
    [tcp_lat_1]="tcp latency, 1 B [instructions/round trip, both sides]"
  )
  local -A per=() # "<case> <column>" -> instructions per message
  local started=$SECONDS c i n one two
  for c in "${icases[@]}"; do
    n="$n_thr"
    case "$c" in *_lat_*) n="$n_lat" ;; esac
    for i in "${!names[@]}"; do
      echo "counting: ${names[$i]} $c x $n and x $((2 * n))..." >&2
      one="$(count "$i" "$c" "$n" || true)"
      two="$(count "$i" "$c" "$((2 * n))" || true)"
      if [ -n "$one" ] && [ -n "$two" ]; then
        per["$c $i"]="$(awk -v a="$one" -v b="$two" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')"
      else
        echo "  ${names[$i]} $c: no count" >&2
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
    "Instructions one more message costs, every thread counted (tcp: both processes);" \
    "ratio: to the raw twin (lower is better)."
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
  for c in "${icases[@]}"; do
    row="| ${ilabel[$c]} |"
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

  typed_against_dynamic
}

# The typed sockets against the dynamic one (examples/typed_cost.rs): the same exchange on
# one thread, counted the same way.
typed_against_dynamic() {
  local bin="${dirs[1]}/typed_cost" n exchange sockets one two
  [ -x "$bin" ] || {
    echo "typed sockets left out: $bin is not built (cargo build --release --example typed_cost)" >&2
    return 0
  }
  if [ "$quick" = 1 ]; then n=1000; else n=20000; fi
  local -A cost=()
  for exchange in req-rep push-pull; do
    for sockets in dynamic typed; do
      echo "counting: $sockets $exchange x $n and x $((2 * n))..." >&2
      one="$(collected "$bin" "$sockets" "$exchange" "$n" || true)"
      two="$(collected "$bin" "$sockets" "$exchange" "$((2 * n))" || true)"
      if [ -n "$one" ] && [ -n "$two" ]; then
        cost["$exchange $sockets"]="$(awk -v a="$one" -v b="$two" -v n="$n" 'BEGIN { printf "%.1f", (b - a) / n }')"
      fi
    done
  done
  echo
  echo "The typed sockets against the dynamic one (\`typed_cost\`, one thread, inproc;"
  echo "instructions per exchange; ratio: typed / dynamic):"
  echo
  echo "| exchange | dynamic | typed | ratio |"
  echo "|---|---:|---:|---:|"
  local d t
  for exchange in req-rep push-pull; do
    d="${cost["$exchange dynamic"]:-}" t="${cost["$exchange typed"]:-}"
    if [ -n "$d" ] && [ -n "$t" ]; then
      echo "| $exchange | $d | $t | $(awk -v t="$t" -v d="$d" 'BEGIN { printf "%.3f", t / d }') |"
    else
      echo "| $exchange | ${d:-n/a} | ${t:-n/a} | n/a |"
    fi
  done
}
