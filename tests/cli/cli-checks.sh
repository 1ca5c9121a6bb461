#!/usr/bin/env bash
# CLI-level checks of the `tcpsim` binary, run by ctest (tests/cli.cmake), from the source dir.
#   cli-checks.sh TCPSIM bad-input FILE      exit 2, one `FILE:L:C: error: at $...` line on
#                                            stderr (equal to FILE's .expected when there is
#                                            one), no crash report, no trace file written
#   cli-checks.sh TCPSIM missing             a missing file: exit 2, one error line
#   cli-checks.sh TCPSIM directory           a directory: exit 2, one error line
#   cli-checks.sh TCPSIM event-storm FILE    exit 2 with the event-budget message, no trace
#   cli-checks.sh TCPSIM memory-budget FILE  under a 4 GiB address-space limit, `run` and
#                                            `check` exit 2 with the memory-budget message, no
#                                            trace file (not even a temporary one)
#   cli-checks.sh TCPSIM streamed-trace DIR  every scenario's trace, streamed to stdout and to
#                                            --trace, is its golden trace byte for byte
#   cli-checks.sh TCPSIM same-bytes DIR      every scenario, run in two processes, gives the
#                                            same bytes (jsonl and text)
#   cli-checks.sh TCPSIM reverse-check DIR   `tcpsim check` over the scenarios listed in
#                                            reverse order, as separate arguments, passes
set -uo pipefail

tcpsim=$1
what=$2
shift 2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# Anything that looks like a crash or an escaped exception rather than a handled error.
check_no_crash() {
  local stderr_file=$1
  if grep -Eq 'terminate called|Aborted|Segmentation fault|AddressSanitizer|runtime error:|^ *#[0-9]+ 0x|what\(\):' \
      "$stderr_file"; then
    echo "--- stderr:" >&2
    cat "$stderr_file" >&2
    fail "crash report or stack trace on stderr"
  fi
}

# run EXPECTED_STATUS ARGS...: runs tcpsim, stdout to $work/out, stderr to $work/err.
run_expecting() {
  local expected=$1
  shift
  "$tcpsim" "$@" >"$work/out" 2>"$work/err"
  local status=$?
  check_no_crash "$work/err"
  if [ "$status" -ne "$expected" ]; then
    echo "--- stderr:" >&2
    cat "$work/err" >&2
    fail "tcpsim $* exited $status, expected $expected"
  fi
}

one_line_stderr() {
  local lines
  lines=$(wc -l <"$work/err")
  if [ "$lines" -ne 1 ]; then
    echo "--- stderr:" >&2
    cat "$work/err" >&2
    fail "expected exactly one line on stderr, got $lines"
  fi
}

case "$what" in
  bad-input)
    file=$1
    trace="$work/trace.jsonl"
    run_expecting 2 run "$file" --trace "$trace"
    one_line_stderr
    line=$(cat "$work/err")
    pattern="^$(printf '%s' "$file" | sed 's/[][\.*^$/]/\\&/g'):[0-9]+:[0-9]+: error: at \\$"
    printf '%s\n' "$line" | grep -Eq "$pattern" ||
      fail "stderr is not '$file:LINE:COL: error: at \$...': $line"
    expected_file="${file%.json}.expected"
    if [ -f "$expected_file" ]; then
      expected=$(cat "$expected_file")
      [ "$line" = "$expected" ] || fail "stderr differs from $expected_file
  got:      $line
  expected: $expected"
    fi
    [ ! -e "$trace" ] || fail "the trace file was created for a bad input"
    ;;
  missing)
    run_expecting 2 run "$work/no-such-scenario.json" --trace "$work/trace.jsonl"
    one_line_stderr
    grep -q "no-such-scenario.json" "$work/err" || fail "the error does not name the file"
    [ ! -e "$work/trace.jsonl" ] || fail "the trace file was created"
    ;;
  directory)
    mkdir "$work/a-directory.json"
    run_expecting 2 run "$work/a-directory.json" --trace "$work/trace.jsonl"
    one_line_stderr
    grep -q "a-directory.json" "$work/err" || fail "the error does not name the directory"
    [ ! -e "$work/trace.jsonl" ] || fail "the trace file was created"
    ;;
  event-storm)
    file=$1
    run_expecting 2 run "$file" --trace "$work/trace.jsonl"
    grep -q 'event budget of [0-9]* events exhausted' "$work/err" ||
      fail "no event-budget message: $(cat "$work/err")"
    [ ! -e "$work/trace.jsonl" ] || fail "the trace file was created for a run that did not finish"
    ;;
  memory-budget)
    file=$1
    # Before the budget, this 1 KB scenario needed 7 GB and died of std::bad_alloc (exit 134).
    ulimit -v $((4 * 1024 * 1024))
    for command in run check; do
      if [ "$command" = run ]; then
        run_expecting 2 run "$file" --trace "$work/trace.jsonl"
        message=$(cat "$work/err")
      else
        run_expecting 2 check "$file"
        message=$(cat "$work/out")
      fi
      printf '%s\n' "$message" | grep -q 'memory budget of 1 GiB exceeded at .* raise "memory_budget" in the scenario or pass --memory-budget' ||
        fail "tcpsim $command: no memory-budget message: $message"
    done
    [ ! -e "$work/trace.jsonl" ] || fail "the trace file was created for a run that did not finish"
    leftovers=$(find "$work" -name '*.tmp-tcpsim*')
    [ -z "$leftovers" ] || fail "the temporary trace file was left behind: $leftovers"
    run_expecting 2 run "$file" --memory-budget 1KiB
    grep -q 'a memory budget is 1 MiB to 1 TiB, got "1KiB"' "$work/err" ||
      fail "no range error for --memory-budget 1KiB: $(cat "$work/err")"
    ;;
  streamed-trace)
    dir=$1
    count=0
    for scenario in "$dir"/*.json; do
      golden="${scenario%.json}.trace.jsonl"
      "$tcpsim" run "$scenario" --format jsonl --trace "$work/streamed.jsonl" >"$work/stdout" 2>"$work/err"
      status=$?
      check_no_crash "$work/err"
      [ "$status" -eq 0 ] || fail "$scenario: exit $status: $(cat "$work/err")"
      cmp -s "$work/stdout" "$golden" || fail "$scenario: the trace streamed to stdout differs from $golden"
      cmp -s "$work/streamed.jsonl" "$golden" || fail "$scenario: the --trace file differs from $golden"
      "$tcpsim" run "$scenario" --trace "$work/held.jsonl" >/dev/null 2>&1 ||
        fail "$scenario: the ladder run failed"
      cmp -s "$work/held.jsonl" "$golden" || fail "$scenario: the --trace file beside the ladder differs from $golden"
      count=$((count + 1))
    done
    [ "$count" -gt 0 ] || fail "no scenarios in $dir"
    echo "$count scenarios: streamed traces identical to the golden ones"
    ;;
  same-bytes)
    dir=$1
    count=0
    for scenario in "$dir"/*.json; do
      for format in jsonl text; do
        "$tcpsim" run "$scenario" --format "$format" >"$work/first" 2>"$work/first.err"
        first_status=$?
        "$tcpsim" run "$scenario" --format "$format" >"$work/second" 2>"$work/second.err"
        second_status=$?
        [ "$first_status" -eq "$second_status" ] ||
          fail "$scenario ($format): exit $first_status then $second_status"
        if ! cmp -s "$work/first" "$work/second" || ! cmp -s "$work/first.err" "$work/second.err"; then
          echo "first divergent line:" >&2
          diff "$work/first" "$work/second" | head -4 >&2
          fail "$scenario ($format): two processes produced different bytes"
        fi
      done
      count=$((count + 1))
    done
    [ "$count" -gt 0 ] || fail "no scenarios in $dir"
    echo "$count scenarios: identical bytes in two processes (jsonl and text)"
    ;;
  reverse-check)
    dir=$1
    mapfile -t files < <(printf '%s\n' "$dir"/*.json | sort -r)
    [ "${#files[@]}" -gt 0 ] || fail "no scenarios in $dir"
    "$tcpsim" check "${files[@]}" >"$work/out" 2>"$work/err"
    status=$?
    cat "$work/out"
    [ "$status" -eq 0 ] || fail "tcpsim check in reverse order exited $status: $(cat "$work/err")"
    grep -q "^${#files[@]} passed, 0 failed$" "$work/out" || fail "not every scenario passed"
    ;;
  *)
    fail "unknown check '$what'"
    ;;
esac
