#!/usr/bin/env bash
# The views with many connections (docs/performance.md, "Views with many connections"):
# N connects to one listener; `tcpsim run --html` and `--svg` must succeed under an address-space
# limit of 2 GiB (before: 2,000 connects aborted with std::bad_alloc), write a whole page and say which
# connections the diagram summarises; no segment label's box in the SVG overlaps another (a SYN
# and a SYN-ACK every 100 us: the labels are packed, views/svg.cpp).
# Not timed: bench/many_connections.py measures time and peak memory.
# Usage: many_connections_check.sh TCPSIM CONNECTS
set -u
tcpsim=$1
connects=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 "$(dirname "$0")/../../bench/many_connections.py" --write-only "$connects" \
  "$work/many.json" || exit 1
# Under AddressSanitizer (TCPSIM_SANITIZED=1, set by tests/cli.cmake) the shadow memory needs
# terabytes of address space, so ASan's own RSS limit stands in for `ulimit -v`.
limit_memory() {
  if [ "${TCPSIM_SANITIZED:-0}" = 1 ]; then
    export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=2048"
  else
    ulimit -v 2097152
  fi
}
for view in html svg; do
  if ! (limit_memory && "$tcpsim" run "$work/many.json" --"$view" "$work/out.$view" \
        >/dev/null 2>"$work/stderr"); then
    echo "--$view with $connects connects failed:"; cat "$work/stderr"; exit 1
  fi
  tail -c 16 "$work/out.$view" | grep -q "</$view>" || { echo "--$view: page cut short"; exit 1; }
done
# Every connection appears in the page's step data; beyond svg_detailed_lanes (views/svg.hpp)
# lifelines the diagram says how many it summarises, in the lane and in the legend.
grep -q "\"c$connects\"" "$work/out.html" || { echo "--html: c$connects missing"; exit 1; }
for output in "$work/out.svg" "$work/out.html"; do
  notes=$(grep -c "more connections on server (see --trace)" "$output")
  [ "$notes" -ge 2 ] || { echo "$output: no summary lane note ($notes)"; exit 1; }
done
python3 - "$work/out.svg" <<'EOF' || exit 1
import re
import sys
svg = open(sys.argv[1], encoding="utf-8").read()
boxes = sorted((int(y), int(y) + int(h), int(x), int(x) + int(w)) for x, y, w, h in re.findall(
    r'<rect x="(-?\d+)" y="(-?\d+)" width="(\d+)" height="(\d+)" rx="3" fill="#ffffff"/>', svg))
for index, (top, bottom, left, right) in enumerate(boxes):
    for other in boxes[index + 1:]:
        if other[0] >= bottom:
            break
        if other[2] < right and left < other[3]:
            print("--svg: the label boxes at y %d and %d overlap" % (top, other[0]))
            sys.exit(1)
EOF
echo "many connections: --html and --svg with $connects connects within 2 GiB, no label over another"
