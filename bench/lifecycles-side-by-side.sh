#!/usr/bin/env bash
# docs/performance.md's side-by-side figures: two tcpsim_benchmark binaries (BEFORE, AFTER),
# alternating in one loop ROUNDS times (default 3), so a shared, noisy machine weighs on both
# alike. Per mode and binary: the CPU seconds of the whole process for N lifecycles (default
# 200,000; /usr/bin/time, user + system), then lifecycles per CPU-second, and the ratio of the
# medians. With --callgrind also each binary's instructions per lifecycle (timed runs only).
#   bench/lifecycles-side-by-side.sh BEFORE AFTER [ROUNDS] [N] [--callgrind]
set -euo pipefail
before=$1
after=$2
rounds=${3:-3}
lifecycles=${4:-200000}
callgrind=${5:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for mode in sequential concurrent; do
  for round in $(seq "$rounds"); do
    for which in before after; do
      binary=$before
      [ "$which" = after ] && binary=$after
      /usr/bin/time -f "%U %S" -o "$work/time" "$binary" --profile "$mode" \
        --lifecycles "$lifecycles" --repeat 1 >/dev/null
      read -r user system <"$work/time"
      printf '%.2f\n' "$(echo "$user + $system" | bc -l)" >>"$work/$mode-$which"
    done
  done
  median() { sort -g "$1" | sed -n "$(( (rounds + 1) / 2 ))p"; }
  b=$(median "$work/$mode-before")
  a=$(median "$work/$mode-after")
  printf '%-10s before: %s CPU s (%s), after: %s CPU s (%s); lifecycles per CPU-s %.0f -> %.0f, speed-up %.2f\n' \
    "$mode" "$b" "$(paste -sd, "$work/$mode-before")" "$a" "$(paste -sd, "$work/$mode-after")" \
    "$(echo "$lifecycles / $b" | bc -l)" "$(echo "$lifecycles / $a" | bc -l)" \
    "$(echo "$b / $a" | bc -l)"
done
if [ "$callgrind" = --callgrind ]; then
  for mode in sequential concurrent; do
    for which in before after; do
      binary=$before
      [ "$which" = after ] && binary=$after
      valgrind --tool=callgrind --callgrind-out-file="$work/cg" --toggle-collect='*run_mode(*RunPath)' \
        "$binary" --profile "$mode" --lifecycles 5000 --repeat 1 >/dev/null 2>&1
      total=$(callgrind_annotate "$work/cg" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
      printf '%-10s %-6s %d instructions per lifecycle\n' "$mode" "$which" "$((total / 5000))"
    done
  done
fi
