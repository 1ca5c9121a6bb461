#!/usr/bin/env bash
# docs/scale-out.md's figure: 10,000 seeds of bench/sweep-lossy-transfer.json with --jobs 1 and
# --jobs 2, run alternately ROUNDS times (default 3) so that a shared, noisy machine weighs on
# both alike; prints each wall time, the median ratio, and checks the outputs are identical.
#   bench/sweep-speedup.sh build/tcpsim [ROUNDS]
set -euo pipefail
tcpsim=$1
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scenario=$(dirname "$0")/sweep-lossy-transfer.json
ratios=()
for round in $(seq "$rounds"); do
  for jobs in 1 2; do
    start=$(date +%s.%N)
    "$tcpsim" sweep "$scenario" --seeds 1..10000 --jobs "$jobs" --out "$work/jobs$jobs.jsonl" \
      2>/dev/null || true
    end=$(date +%s.%N)
    wall[$jobs]=$(echo "$end - $start" | bc -l)
  done
  cmp -s "$work/jobs1.jsonl" "$work/jobs2.jsonl" || { echo "outputs differ" >&2; exit 1; }
  ratio=$(echo "${wall[1]} / ${wall[2]}" | bc -l)
  ratios+=("$ratio")
  printf 'round %d: --jobs 1 %.2f s, --jobs 2 %.2f s, ratio %.2f\n' "$round" "${wall[1]}" \
    "${wall[2]}" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n "$(( (rounds + 1) / 2 ))p")
printf 'median ratio %.2f over %d rounds; outputs identical (%s lines, sha256 %s)\n' "$median" \
  "$rounds" "$(wc -l <"$work/jobs1.jsonl")" "$(sha256sum "$work/jobs1.jsonl" | cut -c1-16)"
