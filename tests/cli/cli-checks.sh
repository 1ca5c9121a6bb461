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
#   cli-checks.sh TCPSIM summary DIR         every scenario under --format summary: the same exit
#                                            status and expectations line as the ladder, a few
#                                            lines (no per-event output), and the same summary
#                                            recorded (--trace) or not, counters aside
#   cli-checks.sh TCPSIM summary-unrecorded FILE  FILE's expectations need no trace: its summary
#                                            has no counters (the run was not recorded) and
#                                            equals the recorded one's otherwise
#   cli-checks.sh TCPSIM same-bytes DIR      every scenario, run in two processes, gives the
#                                            same bytes (jsonl and text)
#   cli-checks.sh TCPSIM reverse-check DIR   `tcpsim check` over the scenarios listed in
#                                            reverse order, as separate arguments, passes
#   cli-checks.sh TCPSIM full-stdout FILE    stdout on /dev/full: exit 2 with a message, for
#                                            every subcommand and view, and no file written
#   cli-checks.sh TCPSIM outputs FILE        outputs together or not at all: a bad --pcap leaves
#                                            no --trace, a planted symlink is not followed, an
#                                            output that is the input (or another output) is
#                                            refused, SIGTERM leaves no temporary file
#   cli-checks.sh TCPSIM arguments FILE      strict numbers (--seed), empty paths, --version, an
#                                            unknown subcommand, `run -`, check FILE DIR once
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
    # Under AddressSanitizer (TCPSIM_SANITIZED=1, set by tests/cli.cmake) the shadow memory needs
    # terabytes of address space, so ASan's own RSS limit stands in for `ulimit -v`.
    if [ "${TCPSIM_SANITIZED:-0}" = 1 ]; then
      export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=4096"
    else
      ulimit -v $((4 * 1024 * 1024))
    fi
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
  summary)
    dir=$1
    count=0
    for scenario in "$dir"/*.json; do
      "$tcpsim" run "$scenario" >"$work/ladder" 2>"$work/ladder.err"
      ladder_status=$?
      "$tcpsim" run "$scenario" --format summary >"$work/summary" 2>"$work/summary.err"
      status=$?
      check_no_crash "$work/summary.err"
      [ "$status" -eq "$ladder_status" ] ||
        fail "$scenario: --format summary exits $status, the ladder run $ladder_status"
      [ "$(grep '^expectations:' "$work/ladder" | tail -1)" = \
        "$(grep '^expectations:' "$work/summary" | tail -1)" ] ||
        fail "$scenario: the summary's expectations line differs from the ladder's"
      cmp -s "$work/ladder.err" "$work/summary.err" ||
        fail "$scenario: --format summary reports other failures than the ladder run"
      lines=$(wc -l <"$work/summary")
      [ "$lines" -le 12 ] || fail "$scenario: the summary has $lines lines"
      grep -q '^run: ' "$work/summary" && grep -q '^events: [0-9]*, segments sent: [0-9]*$' \
        "$work/summary" || fail "$scenario: no run or events line in the summary"
      # Recording (as --trace needs) adds the counters and changes nothing else.
      "$tcpsim" run "$scenario" --format summary --trace "$work/trace.jsonl" \
        >"$work/recorded" 2>/dev/null
      grep -q '^counters: ' "$work/recorded" || fail "$scenario: a recorded summary has no counters"
      diff <(grep -v '^counters: ' "$work/summary") <(grep -v '^counters: ' "$work/recorded") \
        >/dev/null || fail "$scenario: the summary differs when the run is recorded"
      count=$((count + 1))
    done
    [ "$count" -gt 0 ] || fail "no scenarios in $dir"
    echo "$count scenarios: --format summary agrees with the ladder run"
    ;;
  summary-unrecorded)
    file=$1
    run_expecting 0 run "$file" --format summary
    cp "$work/out" "$work/summary"
    ! grep -q '^counters: ' "$work/summary" || fail "the summary run was recorded (it has counters)"
    grep -q '^expectations: 4 of 4 met$' "$work/summary" || fail "expectations not met: $(cat "$work/summary")"
    run_expecting 0 run "$file" --format summary --trace "$work/trace.jsonl"
    diff "$work/summary" <(grep -v '^counters: ' "$work/out") >&2 ||
      fail "the unrecorded summary differs from the recorded one"
    echo "the unrecorded summary equals the recorded one"
    ;;
  summary-flood)
    file=$1
    run_expecting 0 run "$file" --format summary
    ! grep -q '^counters: ' "$work/out" || fail "the flood run was recorded (it has counters)"
    grep -q '^expectations: 1 of 1 met$' "$work/out" || fail "expectations not met: $(cat "$work/out")"
    grep -q '^server: 1000 connections (final state: SYN_RCVD 1000), 1 listening$' "$work/out" ||
      fail "not the flood's end: $(cat "$work/out")"
    echo "the flood ran unrecorded within its memory budget"
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
    grep -q "^${#files[@]} passed, 0 failed, 0 skipped$" "$work/out" ||
      fail "not every scenario passed"
    ;;
  full-stdout)
    file=$1
    for args in "run $file" "run $file --format jsonl" "run $file --explain" \
        "run $file --svg -" "run $file --html -" "check $file" "validate $file" "list" \
        "list --teaching" "list --knobs" "list --transitions"; do
      # shellcheck disable=SC2086
      "$tcpsim" $args >/dev/full 2>"$work/err"
      status=$?
      check_no_crash "$work/err"
      [ "$status" -eq 2 ] || fail "tcpsim $args >/dev/full exited $status, expected 2"
      grep -q "cannot write standard output" "$work/err" ||
        fail "tcpsim $args >/dev/full: no message: $(cat "$work/err")"
    done
    "$tcpsim" run "$file" --trace "$work/trace.jsonl" >/dev/full 2>/dev/null
    [ ! -e "$work/trace.jsonl" ] || fail "--trace was written although stdout failed"
    ;;
  outputs)
    file=$1
    no_leftovers() {
      local left
      left=$(find "$work" -name '*.tmp-tcpsim*')
      [ -z "$left" ] || fail "$1: temporary files left behind: $left"
    }
    run_expecting 2 run "$file" --trace "$work/trace.jsonl" --pcap /nonexistent/x.pcapng
    grep -q "cannot write /nonexistent/x.pcapng" "$work/err" || fail "no --pcap error"
    [ ! -e "$work/trace.jsonl" ] || fail "--trace was written although --pcap failed"
    no_leftovers "a bad --pcap"
    # A symlink planted at the old fixed temporary name, and at a guessable one, is untouched.
    echo secret >"$work/target"
    ln -s "$work/target" "$work/planted.jsonl.tmp-tcpsim"
    ln -s "$work/target" "$work/.planted.jsonl.tmp-tcpsim-XXXXXX"
    run_expecting 0 run "$file" --trace "$work/planted.jsonl"
    [ "$(cat "$work/target")" = secret ] || fail "a planted symlink's target was overwritten"
    [ -L "$work/planted.jsonl.tmp-tcpsim" ] || fail "the planted symlink was replaced"
    [ -f "$work/planted.jsonl" ] && [ ! -L "$work/planted.jsonl" ] || fail "no trace written"
    rm "$work/planted.jsonl.tmp-tcpsim" "$work/.planted.jsonl.tmp-tcpsim-XXXXXX"
    # An output that is the input, by any name, or two outputs naming one file.
    cp "$file" "$work/input.json"
    ln -s input.json "$work/link.json"
    for output in "$work/input.json" "$work/./input.json" "$work/link.json"; do
      run_expecting 2 run "$work/input.json" --trace "$output"
      grep -q "is the scenario file itself" "$work/err" || fail "--trace $output: not refused"
      cmp -s "$file" "$work/input.json" || fail "--trace $output overwrote the input"
    done
    run_expecting 2 run "$work/input.json" --trace "$work/same" --mermaid "$work/./same"
    grep -q "name the same file" "$work/err" || fail "two outputs to one file not refused"
    [ ! -e "$work/same" ] || fail "an output was written although refused"
    # SIGTERM during a long --trace write: exit by the signal, no temporary file left.
    probe=tests/cli/never-reading-probe.json
    "$tcpsim" run "$probe" --trace "$work/big.jsonl" >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do
      [ -n "$(find "$work" -name '.big.jsonl.tmp-tcpsim-*' -size +1M)" ] && break
      sleep 0.05
    done
    [ -n "$(find "$work" -name '.big.jsonl.tmp-tcpsim-*')" ] || fail "no temporary trace seen"
    kill -TERM "$pid"
    wait "$pid"
    status=$?
    [ "$status" -eq 143 ] || fail "SIGTERM: exit $status, expected 143 (killed by SIGTERM)"
    [ ! -e "$work/big.jsonl" ] || fail "a trace was left after SIGTERM"
    no_leftovers "SIGTERM"
    ;;
  arguments)
    file=$1
    for seed in -1 +1 0x10 010 00 1e3 ' 1' '1 ' '' 18446744073709551616 \
        99999999999999999999999; do
      run_expecting 2 run "$file" --seed "$seed"
      grep -q -- "--seed: expected an integer between 0 and 18446744073709551615" "$work/err" ||
        fail "--seed '$seed': no range message: $(cat "$work/err")"
    done
    run_expecting 0 run "$file" --seed 18446744073709551615
    # "-" is stdout for one text view; never a file named "-", never silently nothing.
    absolute_file=$(realpath "$file")
    (cd "$work" && run_expecting 0 run "$absolute_file" --mermaid -)
    head -1 "$work/out" | grep -q '^sequenceDiagram' || fail "--mermaid - did not write to stdout"
    [ ! -e "$work/-" ] || fail "--mermaid - wrote a file named '-'"
    for pair in "--svg - --mermaid -" "--html - --mermaid -"; do
      # shellcheck disable=SC2086
      run_expecting 2 run "$file" $pair
      grep -q "only one of --svg, --html and --mermaid can write to stdout" "$work/err" ||
        fail "$pair: no message: $(cat "$work/err")"
    done
    for option in --trace --pcap; do
      run_expecting 2 run "$file" "$option" -
      grep -q -- "--trace and --pcap need a file name" "$work/err" ||
        fail "$option -: no message: $(cat "$work/err")"
    done
    run_expecting 0 run "$file" --seed 0
    run_expecting 2 run "$file" --realtime=-1
    run_expecting 2 run "$file" --memory-budget -1
    run_expecting 2 run "$file" --memory-budget 0x100000
    for option in --trace --pcap --mermaid --svg --html; do
      run_expecting 2 run "$file" "$option" ''
      grep -q -- "$option: expected a path, got an empty one" "$work/err" ||
        fail "$option '': not refused: $(cat "$work/err")"
    done
    run_expecting 2 run ''
    run_expecting 2 list /nonexistent
    run_expecting 0 --version
    grep -Eq '^tcpsim [0-9]+\.[0-9]+\.[0-9]+$' "$work/out" || fail "--version: $(cat "$work/out")"
    run_expecting 2 frobnicate
    grep -q 'unknown subcommand "frobnicate"' "$work/err" || fail "unknown subcommand not named"
    "$tcpsim" run - <"$file" >"$work/out" 2>"$work/err" || fail "run - from stdin failed"
    "$tcpsim" run "$file" >"$work/expected"
    cmp -s "$work/out" "$work/expected" || fail "run - differs from run FILE"
    printf '{\n  "tcpsim": 1,\n  "name": }\n' | "$tcpsim" run - >/dev/null 2>"$work/err"
    [ $? -eq 2 ] || fail "run - with bad input did not exit 2"
    grep -q '^<stdin>:3:11: error: at ' "$work/err" ||
      fail "no <stdin>:LINE:COL: $(cat "$work/err")"
    run_expecting 0 check "$file" "$(dirname "$file")"
    passed=$(grep -c "^PASS $(basename "$file" .json) " "$work/out")
    [ "$passed" -eq 1 ] || fail "check FILE DIR ran the file $passed times"
    ;;
  *)
    fail "unknown check '$what'"
    ;;
esac
