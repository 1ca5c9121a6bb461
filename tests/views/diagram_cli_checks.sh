#!/usr/bin/env bash
# CLI checks of `tcpsim run --svg/--html` (views/svg.hpp, views/html.hpp), run by ctest from the
# source directory (tests/cli.cmake):
#   diagram_cli_checks.sh TCPSIM files        --svg F and --html F write the golden bytes; the
#                                             ladder still goes to stdout
#   diagram_cli_checks.sh TCPSIM stdout       '-' writes the view to stdout instead of the ladder
#   diagram_cli_checks.sh TCPSIM bad-output   an unwritable path: exit 2, one error line, no file
#   diagram_cli_checks.sh TCPSIM both-stdout  --svg - --html -: exit 2, one error line
set -uo pipefail

tcpsim=$1
what=$2
scenario=scenarios/three-way-handshake.json
golden=tests/views/golden/three-way-handshake

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

check_no_crash() {
  if grep -Eq 'terminate called|Aborted|Segmentation fault|AddressSanitizer|runtime error:' "$1"; then
    cat "$1" >&2
    fail "crash report on stderr"
  fi
}

case $what in
  files)
    "$tcpsim" run "$scenario" --svg "$work/d.svg" --html "$work/d.html" >"$work/out" 2>"$work/err" \
      || fail "exit $? (stderr: $(cat "$work/err"))"
    cmp -s "$work/d.svg" "$golden.svg" || fail "--svg differs from $golden.svg"
    cmp -s "$work/d.html" "$golden.html" || fail "--html differs from $golden.html"
    "$tcpsim" run "$scenario" >"$work/ladder" 2>/dev/null
    cmp -s "$work/out" "$work/ladder" || fail "stdout changed by --svg/--html"
    ;;
  stdout)
    "$tcpsim" run "$scenario" --svg - >"$work/out" 2>"$work/err" || fail "--svg -: exit $?"
    cmp -s "$work/out" "$golden.svg" || fail "--svg - is not the SVG alone"
    "$tcpsim" run "$scenario" --html - >"$work/out" 2>"$work/err" || fail "--html -: exit $?"
    cmp -s "$work/out" "$golden.html" || fail "--html - is not the page alone"
    ;;
  bad-output)
    for flag in --svg --html; do
      "$tcpsim" run "$scenario" "$flag" "$work/missing-dir/view" >"$work/out" 2>"$work/err"
      status=$?
      [ "$status" -eq 2 ] || fail "$flag to a missing directory: exit $status, expected 2"
      check_no_crash "$work/err"
      [ "$(wc -l <"$work/err")" -eq 1 ] || fail "$flag: expected one error line, got: $(cat "$work/err")"
      grep -q "cannot write $work/missing-dir/view" "$work/err" || fail "$flag: unclear error: $(cat "$work/err")"
      [ ! -e "$work/missing-dir" ] || fail "$flag: something was written"
    done
    ;;
  both-stdout)
    "$tcpsim" run "$scenario" --svg - --html - >"$work/out" 2>"$work/err"
    status=$?
    [ "$status" -eq 2 ] || fail "exit $status, expected 2"
    check_no_crash "$work/err"
    grep -q "only one of --svg, --html and --mermaid can write to stdout" "$work/err" || fail "unclear error: $(cat "$work/err")"
    [ ! -s "$work/out" ] || fail "something was written to stdout"
    ;;
  *)
    fail "unknown check $what"
    ;;
esac
echo "ok: $what"
