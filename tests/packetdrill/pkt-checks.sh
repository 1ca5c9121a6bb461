#!/usr/bin/env bash
# The ctests of the project's packetdrill scripts (tests/packetdrill.cmake), run from the
# source directory so that messages name files as a user types them:
#   pkt-checks.sh TCPSIM pass FILE [OPTION...]           exit 0, "packetdrill script: passed"
#   pkt-checks.sh TCPSIM fail FILE EXPECTED [OPTION...]  fails: exit 1, the report is EXPECTED
#   pkt-checks.sh TCPSIM skip FILE EXPECTED [OPTION...]  skipped: exit 0, the message is EXPECTED
#   pkt-checks.sh TCPSIM bad FILE EXPECTED                a syntax error: exit 2, stderr is EXPECTED
#   pkt-checks.sh TCPSIM check STATUS "LAST LINE" ARG...  `tcpsim check ARG...` exits STATUS and
#                                                         closes with LAST LINE
#   pkt-checks.sh TCPSIM validate FILE "LINE"             `tcpsim validate FILE` says LINE
#   pkt-checks.sh TCPSIM convert FILE [OPTION...]         `tcpsim convert` gives a scenario
#                                                         whose run meets its expectations
set -uo pipefail
tcpsim=$1 mode=$2 file=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ "$mode" = convert ]; then
  # The converted scenario loads, and its run meets every expectation: the segments the script's
  # run sent, at the same times, and the same application events and final states.
  "$tcpsim" convert "$@" "$file" -o "$work/converted.json" 2>"$work/err" ||
    { echo "pkt-checks: convert failed: $(cat "$work/err")" >&2; exit 1; }
  "$tcpsim" run "$work/converted.json" >"$work/out" 2>>"$work/err" ||
    { cat "$work/out" "$work/err" >&2; echo "pkt-checks: the converted scenario fails" >&2; exit 1; }
  grep -q '^expectations: \([0-9]*\) of \1 met$' "$work/out" ||
    { echo "pkt-checks: no 'expectations: N of N met'" >&2; exit 1; }
  echo "pkt-checks: $file: the converted scenario replays it"
  exit 0
fi
if [ "$mode" = validate ]; then
  out=$("$tcpsim" validate "$file") || { echo "pkt-checks: validate failed: $out" >&2; exit 1; }
  [ "$out" = "$1" ] || { echo "pkt-checks: validate said '$out', not '$1'" >&2; exit 1; }
  exit 0
fi
if [ "$mode" = check ]; then
  status_wanted=$file last_wanted=$1
  shift
  out=$("$tcpsim" check "$@")
  status=$?
  echo "$out"
  [ "$status" -eq "$status_wanted" ] || { echo "pkt-checks: check exit $status" >&2; exit 1; }
  [ "$(tail -1 <<<"$out")" = "$last_wanted" ] ||
    { echo "pkt-checks: check closed with another line than '$last_wanted'" >&2; exit 1; }
  exit 0
fi
fail() { echo "pkt-checks: $file: $*" >&2; echo "--- stdout" >&2; cat "$work/out" >&2;
         echo "--- stderr" >&2; cat "$work/err" >&2; exit 1; }
expected=""
if [ "$mode" != pass ]; then expected=$1; shift; fi
"$tcpsim" run "$@" "$file" >"$work/out" 2>"$work/err"
status=$?
case $mode in
  pass)
    [ "$status" -eq 0 ] || fail "exit $status, expected 0"
    grep -q '^packetdrill script: passed$' "$work/out" || fail "no 'packetdrill script: passed'"
    ;;
  fail)
    [ "$status" -eq 1 ] || fail "exit $status, expected 1"
    # The report: the lines of EXPECTED, together, as stderr prints them.
    grep -v '^$\|^(seed ' "$work/err" | grep -v ': note: ' >"$work/report"
    diff -u "$expected" "$work/report" >&2 || fail "the report differs from $expected"
    grep -q '^time (s)' "$work/out" || fail "no ladder of the run up to the failure"
    ;;
  skip)
    [ "$status" -eq 0 ] || fail "exit $status, expected 0"
    diff -u "$expected" "$work/err" >&2 || fail "the message differs from $expected"
    ;;
  bad)
    [ "$status" -eq 2 ] || fail "exit $status, expected 2"
    [ ! -s "$work/out" ] || fail "a syntax error printed on stdout"
    diff -u "$expected" "$work/err" >&2 || fail "the message differs from $expected"
    ;;
  *) echo "pkt-checks: unknown mode $mode" >&2; exit 1 ;;
esac
echo "pkt-checks: $file: $mode as expected"
